package openai

import (
	"context"
	"errors"
	"testing"
)

// Fails when the engine has an error kind that errorFields.toGo does not map.
func TestEveryCoreErrorKindIsMapped(t *testing.T) {
	kinds := coreErrorKinds()
	if len(kinds) < 7 {
		t.Fatalf("the library lists %d kinds: %q", len(kinds), kinds)
	}
	for _, kind := range kinds {
		f := errorFields{kind: kind, message: "m", retryAfterMs: -1}
		var unmapped *unmappedKindError
		if err := f.toGo(context.Background()); errors.As(err, &unmapped) {
			t.Errorf("error kind %q from the library is not mapped (add a case to errorFields.toGo)", kind)
		}
	}
	f := errorFields{kind: "a_kind_from_the_future", message: "m", retryAfterMs: -1}
	var unmapped *unmappedKindError
	if !errors.As(f.toGo(context.Background()), &unmapped) {
		t.Error("an unknown kind must not pass for a mapped one")
	}
}
