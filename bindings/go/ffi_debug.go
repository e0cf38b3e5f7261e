//go:build !routerkit_release

package openai

// #cgo LDFLAGS: -L${SRCDIR}/../../target/debug
import "C"
