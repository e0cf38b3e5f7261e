package openai

// Where the static library comes from. A released module (make dist, .github/workflows/release.yml)
// carries one prebuilt library per platform in lib/<goos>_<goarch>/ and the C header in include/,
// as wasmtime-go does, so `go get` needs no Rust toolchain. In a clone of the repository those
// folders are absent and the linker finds the library that `go generate` builds in
// ../../target/{debug,release} (ffi_debug.go, ffi_release.go). On Linux the archive is named
// (-l:librouterkit.a) so that the cdylib cargo leaves beside it in target/ is never linked instead.

// #cgo CFLAGS: -I${SRCDIR}/include
// #cgo linux,amd64 LDFLAGS: -L${SRCDIR}/lib/linux_amd64
// #cgo linux,arm64 LDFLAGS: -L${SRCDIR}/lib/linux_arm64
// #cgo darwin,amd64 LDFLAGS: -L${SRCDIR}/lib/darwin_amd64
// #cgo darwin,arm64 LDFLAGS: -L${SRCDIR}/lib/darwin_arm64
// #cgo windows,amd64 LDFLAGS: -L${SRCDIR}/lib/windows_amd64
// #cgo linux LDFLAGS: -l:librouterkit.a -lm -ldl -lpthread
// #cgo darwin LDFLAGS: -lrouterkit
// #cgo windows LDFLAGS: -lrouterkit -lkernel32 -ladvapi32 -lntdll -luserenv -lws2_32 -lbcrypt -lsynchronization
import "C"
