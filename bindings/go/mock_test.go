package openai

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// mockURL is the mock gateway's root (http://127.0.0.1:PORT), started by TestMain.
var mockURL string

// startMock starts target/debug/routerkit-mock ($ROUTERKIT_MOCK if set; built
// beforehand by scripts/test.sh or `cargo build -p routerkit-mock`, nothing is
// built here) with args; it returns the mock's URL (its first stdout line) and
// a stop func that closes its stdin, which makes it exit, and waits for it.
func startMock(args ...string) (string, func(), error) {
	bin := os.Getenv("ROUTERKIT_MOCK")
	if bin == "" {
		bin = filepath.Join("..", "..", "target", "debug", "routerkit-mock")
	}
	cmd := exec.Command(bin, append([]string{"--port", "0", "--exit-on-stdin-close"}, args...)...)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("cannot start the mock gateway %s (build it: cargo build -p routerkit-mock): %w", bin, err)
	}
	stop := func() {
		stdin.Close()
		_ = cmd.Wait()
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		stop()
		return "", nil, fmt.Errorf("the mock gateway printed no URL: %w", err)
	}
	return strings.TrimSpace(line), stop, nil
}

// TestMain starts the mock gateway for the whole package and stops it after.
func TestMain(m *testing.M) {
	url, stop, err := startMock()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	mockURL = url
	code := m.Run()
	stop()
	os.Exit(code)
}

const testKey = "sk-test-go-0123456789abcdef"

var sessionSeq atomic.Int64

// newSession is a fresh mock session id.
func newSession(t testing.TB) string {
	return fmt.Sprintf("go-%s-%d", strings.ReplaceAll(t.Name(), "/", "_"), sessionSeq.Add(1))
}

// testConfig is a config for the mock with fast backoff, in session sid.
func testConfig(sid string) ClientConfig {
	cfg := DefaultConfig(testKey)
	cfg.BaseURL = mockURL + "/v1"
	cfg.InitialRetryDelay = time.Millisecond
	cfg.MaxRetryDelay = 5 * time.Millisecond
	cfg.DefaultHeaders = map[string]string{"x-mock-session": sid}
	return cfg
}

func testClient(t testing.TB, sid string) *Client {
	c := NewClientWithConfig(testConfig(sid))
	t.Cleanup(func() { c.Close() })
	return c
}

// script posts steps for the next requests of session sid.
func script(t testing.TB, sid string, steps ...any) {
	t.Helper()
	body, _ := json.Marshal(steps)
	resp, err := http.Post(mockURL+"/__mock/sessions/"+sid+"/script", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("script rejected: %s", b)
	}
}

type mockRequest struct {
	Method             string            `json:"method"`
	Path               string            `json:"path"`
	Headers            map[string]string `json:"headers"`
	Body               json.RawMessage   `json:"body"`
	Completed          bool              `json:"completed"`
	ClientDisconnected bool              `json:"client_disconnected"`
}

// requests is what the mock saw in session sid.
func requests(t testing.TB, sid string) []mockRequest {
	t.Helper()
	resp, err := http.Get(mockURL + "/__mock/sessions/" + sid + "/requests")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out []mockRequest
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// waitFor polls cond for up to d.
func waitFor(d time.Duration, cond func() bool) bool {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		if cond() {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return cond()
}

func userRequest(text string) ChatCompletionRequest {
	return ChatCompletionRequest{
		Model:    "openai/gpt-4.1",
		Messages: []ChatCompletionMessage{{Role: ChatMessageRoleUser, Content: text}},
	}
}
