//go:build !routerkit_release

package routerkit

// #cgo LDFLAGS: ${SRCDIR}/../../target/debug/librouterkit.a
// #cgo linux LDFLAGS: -lm -ldl -lpthread
import "C"
