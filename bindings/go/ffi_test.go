package openai

import (
	"fmt"
	"reflect"
	"testing"
)

func TestParseHeadersCanonicalisesAndKeepsRepeats(t *testing.T) {
	for round := 0; round < 2; round++ { // the second round takes the cached names
		h := parseHeaders("content-type: application/json\nx-request-id: req-1\nset-cookie: a=1\nset-cookie: b=2\nbroken line\n")
		want := map[string][]string{
			"Content-Type": {"application/json"},
			"X-Request-Id": {"req-1"},
			"Set-Cookie":   {"a=1", "b=2"},
		}
		if !reflect.DeepEqual(map[string][]string(h), want) {
			t.Fatalf("round %d: %#v", round, h)
		}
		if h.Get("x-request-id") != "req-1" {
			t.Fatalf("Get: %q", h.Get("x-request-id"))
		}
	}
}

func TestCanonicalHeaderKeyCacheIsBounded(t *testing.T) {
	for i := 0; i < 3*maxCanonicalKeys; i++ {
		if got := canonicalHeaderKey(fmt.Sprintf("x-unique-%d", i)); got != fmt.Sprintf("X-Unique-%d", i) {
			t.Fatalf("%d: %q", i, got)
		}
	}
	if n := canonicalKeyCount.Load(); n > maxCanonicalKeys {
		t.Fatalf("cache holds %d names, bound %d", n, maxCanonicalKeys)
	}
}
