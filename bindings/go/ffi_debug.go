//go:build !routerkit_release

package openai

// #cgo LDFLAGS: ${SRCDIR}/../../target/debug/librouterkit.a
// #cgo linux LDFLAGS: -lm -ldl -lpthread
import "C"
