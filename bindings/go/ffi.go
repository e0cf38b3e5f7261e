package openai

// The cgo boundary: the C ABI of bindings/c (include/routerkit.h), linked
// statically. Build the library first (one command, from this directory):
//
//	go generate ./...        # runs: cargo build -p routerkit-c
//
// which writes ../../target/debug/librouterkit.a, the path linked below
// (ffi_debug.go). Build with -tags routerkit_release to link
// ../../target/release/librouterkit.a instead (cargo build --release -p routerkit-c).
//
// Ownership: every C object comes from the library and goes back to it through
// its _free function; Go memory is never kept by C past a call. After each C
// call that uses a handle, runtime.KeepAlive keeps its Go owner (and finalizer)
// alive until the call returned.

//go:generate cargo build -p routerkit-c

/*
#cgo CFLAGS: -I${SRCDIR}/../c/include
#cgo darwin LDFLAGS: -framework Security -framework CoreFoundation -framework SystemConfiguration
#include <stdlib.h>
#include "routerkit.h"
*/
import "C"

import (
	"fmt"
	"net/http"
	"net/textproto"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

// abiVersion is the C ABI version this package was written against.
const abiVersion = 5

func init() {
	if v := uint32(C.rk_abi_version()); v != abiVersion {
		panic(fmt.Sprintf("routerkit: the linked librouterkit has ABI version %d, this package needs %d: rebuild it with `go generate` in bindings/go", v, abiVersion))
	}
}

// cBytes copies b into a new NUL-terminated C string; free it with C.free.
func cBytes(b []byte) *C.char {
	p := (*C.char)(C.malloc(C.size_t(len(b) + 1)))
	buf := unsafe.Slice((*byte)(unsafe.Pointer(p)), len(b)+1)
	copy(buf, b)
	buf[len(b)] = 0
	return p
}

// goString copies a C string owned by the library; NULL gives "".
func goString(p *C.char) string {
	if p == nil {
		return ""
	}
	return C.GoString(p)
}

// parseHeaders reads the library's header text: one "name: value\n" line each.
func parseHeaders(text string) http.Header {
	h := make(http.Header, strings.Count(text, "\n"))
	for len(text) > 0 {
		line, rest, _ := strings.Cut(text, "\n")
		text = rest
		if name, value, ok := strings.Cut(line, ": "); ok {
			key := canonicalHeaderKey(name)
			h[key] = append(h[key], value)
		}
	}
	return h
}

// canonicalKeys remembers the canonical form of the header names seen, so the
// names every response repeats (content-type, x-request-id…) are not
// re-canonicalised and re-allocated per call. Bounded: a gateway sending ever
// new names only makes later ones take the slow path.
var canonicalKeys sync.Map

const maxCanonicalKeys = 256

var canonicalKeyCount atomic.Int32

func canonicalHeaderKey(name string) string {
	if key, ok := canonicalKeys.Load(name); ok {
		return key.(string)
	}
	key := textproto.CanonicalMIMEHeaderKey(name)
	if canonicalKeyCount.Load() < maxCanonicalKeys {
		if _, loaded := canonicalKeys.LoadOrStore(strings.Clone(name), key); !loaded {
			canonicalKeyCount.Add(1)
		}
	}
	return key
}
