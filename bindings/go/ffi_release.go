//go:build routerkit_release

package openai

// #cgo LDFLAGS: -L${SRCDIR}/../../target/release
import "C"
