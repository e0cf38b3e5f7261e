//go:build routerkit_release

package routerkit

// #cgo LDFLAGS: -L${SRCDIR}/../../target/release
import "C"
