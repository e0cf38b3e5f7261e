// Package mockctl drives routerkit-mock's control endpoints for the drop-in
// programs: they are go-openai programs, so they set no session header and
// use the mock's "default" session (run.sh gives every run a fresh mock).
package mockctl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
)

// URL is the mock's root, from MOCK_URL.
func URL() string {
	u := os.Getenv("MOCK_URL")
	if u == "" {
		Fail("MOCK_URL is not set")
	}
	return u
}

// BaseURL is what ClientConfig.BaseURL gets: the mock's /v1, or GATEWAY_URL
// when run.sh puts a real gateway (a LiteLLM proxy) in front of the mock.
func BaseURL() string {
	if u := os.Getenv("GATEWAY_URL"); u != "" {
		return u
	}
	return URL() + "/v1"
}

// Key is the API key a program uses: its own, or GATEWAY_KEY for the gateway in front.
func Key(own string) string {
	if k := os.Getenv("GATEWAY_KEY"); k != "" {
		return k
	}
	return own
}

// Script answers the next requests with these steps (tests/mock-gateway/README.md).
func Script(steps ...any) {
	body, _ := json.Marshal(steps)
	resp, err := http.Post(URL()+"/__mock/sessions/default/script", "application/json", bytes.NewReader(body))
	if err != nil {
		Fail("script: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		Fail("script refused: %s", b)
	}
}

// Request is one request the mock received.
type Request struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

// Requests is what the mock received so far.
func Requests() []Request {
	resp, err := http.Get(URL() + "/__mock/sessions/default/requests")
	if err != nil {
		Fail("requests: %v", err)
	}
	defer resp.Body.Close()
	var out []Request
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		Fail("requests: %v", err)
	}
	return out
}

// Fail prints the reason and exits 1.
func Fail(format string, args ...any) {
	fmt.Printf("FAIL: "+format+"\n", args...)
	os.Exit(1)
}

// Check fails with msg unless ok.
func Check(ok bool, format string, args ...any) {
	if !ok {
		Fail(format, args...)
	}
}

// Canonical is body with its object keys sorted: the programs compare what was
// sent, not the order (go-openai marshals some bodies through a map).
func Canonical(body []byte) string {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return "invalid JSON: " + string(body)
	}
	out, _ := json.Marshal(v)
	return string(out)
}
