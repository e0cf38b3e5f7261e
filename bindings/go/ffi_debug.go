//go:build !routerkit_release

package routerkit

// #cgo LDFLAGS: -L${SRCDIR}/../../target/debug
import "C"
