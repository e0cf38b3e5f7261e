// routerkit soak, Go driver (scripts/soak/run.sh runs it; see ../plan.json).
//
// Concurrent phase (SOAK_CONCURRENCY goroutines), then sequential phase, one
// client (plus one with a short idle timeout for the "stall" calls: go-openai has
// no per-call timeout). Every call must end with its full expected content or a
// typed error (the expected one, in the sequential phase): never a hang (a
// watchdog ends the process), never partial content reported as success. RSS
// after the run within 10% of RSS after the first calls; client sockets back
// within the pool, and the same count as the mock's gauge.
// Prints one line: SOAK-RESULT {json}.   usage: go run . MOCK_URL
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/routerkit/routerkit/bindings/go"
)

const seqPoolSlack = 4

type kind struct {
	Steps       []json.RawMessage `json:"steps"`
	Expect      string            `json:"expect"`
	Attempts    int               `json:"attempts"`
	TimeoutMs   int               `json:"timeout_ms"`
	CancelAfter int               `json:"cancel_after"`
}

type plan struct {
	Kinds               map[string]kind `json:"kinds"`
	Sequence            []string        `json:"sequence"`
	ConcurrentSequence  []string        `json:"concurrent_sequence"`
	ConcurrentTimeoutMs int             `json:"concurrent_timeout_ms"`
	ConcurrentAllowed   []string        `json:"concurrent_allowed"`
	MaxRetries          int             `json:"max_retries"`
	CallWatchdogS       int             `json:"call_watchdog_s"`
}

var (
	mock     string
	port     int
	failures []string
	failMu   sync.Mutex
	inflight sync.Map
	control  = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}} // fresh connection per control request
)

func fail(format string, a ...any) {
	failMu.Lock()
	failures = append(failures, fmt.Sprintf(format, a...))
	failMu.Unlock()
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

func call(method, path string, body any) map[string]any {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, mock+"/__mock/"+path, r)
	resp, err := control.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 {
		panic(fmt.Sprintf("%s: %d %s", path, resp.StatusCode, b))
	}
	out := map[string]any{}
	_ = json.Unmarshal(b, &out)
	return out
}

func rssKB() int {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			n, _ := strconv.Atoi(strings.Fields(line)[1])
			return n
		}
	}
	return 0
}

func socketsTo(port int) int {
	inodes := map[string]bool{}
	entries, _ := os.ReadDir("/proc/self/fd")
	for _, e := range entries {
		if t, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name())); err == nil && strings.HasPrefix(t, "socket:[") {
			inodes[t[8:len(t)-1]] = true
		}
	}
	n := 0
	for _, table := range []string{"/proc/self/net/tcp", "/proc/self/net/tcp6"} {
		b, err := os.ReadFile(table)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) < 10 {
				continue
			}
			p, _ := strconv.ParseInt(f[2][strings.LastIndex(f[2], ":")+1:], 16, 32)
			if int(p) == port && f[3] != "06" && inodes[f[9]] {
				n++
			}
		}
	}
	return n
}

func settle(bound int) int {
	for i := 0; i < 100 && socketsTo(port) > bound; i++ {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	return socketsTo(port)
}

func mockOpen() int { return int(call("GET", "stats", nil)["open_connections"].(float64)) - 1 }

func textFor(phase string, i int) string {
	return fmt.Sprintf("soak %s%d", phase, i) + strings.Repeat(" lorem", i%8)
}

func expected(text string) string { return "Hello from routerkit-mock! You said: " + text }

func classify(err error) string {
	if errors.Is(err, context.Canceled) {
		return "cancelled"
	}
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) && apiErr.HTTPStatusCode > 0 {
		return fmt.Sprintf("status:%d", apiErr.HTTPStatusCode)
	}
	if k := openai.ErrorKind(err); k != "" {
		return k
	}
	return fmt.Sprintf("untyped:%T:%v", err, err)
}

func attemptsOf(err error) int {
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) {
		return apiErr.Attempts
	}
	var reqErr *openai.RequestError
	if errors.As(err, &reqErr) {
		return reqErr.Attempts
	}
	return 0
}

type outcome struct {
	outcome, content, finish string
	attempts                 int
}

func oneCall(client *openai.Client, text string, cancelAfter int) outcome {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req := openai.ChatCompletionRequest{Model: "soak/model", Messages: []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: text}}}
	s, err := client.CreateChatCompletionStream(ctx, req)
	if err != nil {
		return outcome{outcome: classify(err), attempts: attemptsOf(err)}
	}
	defer s.Close()
	var content strings.Builder
	finish, chunks := "", 0
	for {
		chunk, err := s.Recv()
		if err == io.EOF {
			return outcome{"ok", content.String(), finish, s.Attempts()}
		}
		if err != nil {
			return outcome{outcome: classify(err), attempts: max(attemptsOf(err), s.Attempts())}
		}
		chunks++
		for _, c := range chunk.Choices {
			content.WriteString(c.Delta.Content)
			if c.FinishReason != "" {
				finish = string(c.FinishReason)
			}
		}
		if chunks == cancelAfter {
			cancel()
			// The cancelled stream must end at once with ctx's error.
			if _, err := s.Recv(); !errors.Is(err, context.Canceled) {
				return outcome{outcome: fmt.Sprintf("cancel-not-seen:%v", err)}
			}
			return outcome{outcome: "cancelled", attempts: s.Attempts()}
		}
	}
}

func main() {
	mock = strings.TrimRight(os.Args[1], "/")
	port, _ = strconv.Atoi(mock[strings.LastIndex(mock, ":")+1:])
	_, self, _, _ := runtime.Caller(0)
	raw, err := os.ReadFile(filepath.Join(filepath.Dir(self), "..", "plan.json"))
	if err != nil {
		panic(err)
	}
	var p plan
	if err := json.Unmarshal(raw, &p); err != nil {
		panic(err)
	}
	nSeq, nConc, width := envInt("SOAK_SEQ", 10000), envInt("SOAK_CONC", 1000), envInt("SOAK_CONCURRENCY", 100)
	sid := fmt.Sprintf("soak-go-%d", os.Getpid())
	watchdog := time.Duration(p.CallWatchdogS) * time.Second
	go func() {
		for range time.Tick(time.Second) {
			inflight.Range(func(k, v any) bool {
				if time.Since(v.(time.Time)) > watchdog {
					b, _ := json.Marshal(map[string]any{"lang": "go", "hangs": 1, "failures": 1, "first_failures": []string{fmt.Sprintf("call %v: no end after %s", k, watchdog)}})
					fmt.Printf("SOAK-RESULT %s\n", b)
					os.Exit(3)
				}
				return true
			})
		}
	}()
	cfg := openai.DefaultConfig("sk-soak-0123456789")
	cfg.BaseURL = mock + "/v1"
	cfg.DefaultHeaders = map[string]string{"x-mock-session": sid}
	cfg.MaxRetries = p.MaxRetries
	cfg.InitialRetryDelay = time.Millisecond
	cfg.MaxRetryDelay = 5 * time.Millisecond
	started := time.Now()
	var partial atomic.Int64

	// Concurrent phase: the run's first calls.
	concCfg := cfg
	concCfg.Timeout = time.Duration(p.ConcurrentTimeoutMs) * time.Millisecond
	client := openai.NewClientWithConfig(concCfg)
	concKinds := make([]string, nConc)
	var steps []json.RawMessage
	concFaults := map[string]int{}
	for j := range concKinds {
		concKinds[j] = p.ConcurrentSequence[j%len(p.ConcurrentSequence)]
		steps = append(steps, p.Kinds[concKinds[j]].Steps...)
		concFaults[concKinds[j]]++
	}
	call("POST", "sessions/"+sid+"/script", steps)
	t0 := time.Now()
	results := make([]outcome, nConc)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < width; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				j := int(next.Add(1)) - 1
				if j >= nConc {
					return
				}
				inflight.Store(fmt.Sprintf("c%d", j), time.Now())
				results[j] = oneCall(client, textFor("c", j), p.Kinds[concKinds[j]].CancelAfter)
				inflight.Delete(fmt.Sprintf("c%d", j))
			}
		}()
	}
	wg.Wait()
	concSecs := time.Since(t0).Seconds()
	concOutcomes := map[string]int{}
	allowed := map[string]bool{}
	for _, a := range p.ConcurrentAllowed {
		allowed[a] = true
	}
	for j, out := range results {
		concOutcomes[out.outcome]++
		if out.outcome == "ok" && (out.content != expected(textFor("c", j)) || out.finish != "stop") {
			partial.Add(1)
			fail("conc %d: success with content %q", j, out.content)
		} else if !allowed[out.outcome] {
			fail("conc %d: outcome %s", j, out.outcome)
		}
	}
	socketsAfterConc := settle(width)
	mockAfterConc := mockOpen()
	if socketsAfterConc > width {
		fail("%d sockets open after the concurrent phase (pool bound %d)", socketsAfterConc, width)
	}
	if mockAfterConc != socketsAfterConc {
		fail("after the concurrent phase the mock sees %d open connections, the client %d", mockAfterConc, socketsAfterConc)
	}
	runtime.GC()
	debug.FreeOSMemory()
	rssFirst := rssKB()

	// Sequential phase: each call's steps are consumed in order, so its outcome is known.
	client.Close()
	client = openai.NewClientWithConfig(cfg)
	stallCfg := cfg
	stallCfg.Timeout = 200 * time.Millisecond
	stallClient := openai.NewClientWithConfig(stallCfg)
	faults, outcomes := map[string]int{}, map[string]int{}
	t0 = time.Now()
	const block = 500
	for b := 0; b < nSeq; b += block {
		var steps []json.RawMessage
		for i := b; i < min(b+block, nSeq); i++ {
			steps = append(steps, p.Kinds[p.Sequence[i%len(p.Sequence)]].Steps...)
		}
		call("POST", "sessions/"+sid+"/script", steps)
		for i := b; i < min(b+block, nSeq); i++ {
			name := p.Sequence[i%len(p.Sequence)]
			k := p.Kinds[name]
			faults[name]++
			text := textFor("s", i)
			c := client
			if k.TimeoutMs > 0 {
				c = stallClient
			}
			inflight.Store(i, time.Now())
			out := oneCall(c, text, k.CancelAfter)
			inflight.Delete(i)
			outcomes[out.outcome]++
			if out.outcome == "ok" && (out.content != expected(text) || out.finish != "stop") {
				partial.Add(1)
				fail("seq %d (%s): success with content %q finish %q", i, name, out.content, out.finish)
			} else if out.outcome != k.Expect || out.attempts != k.Attempts {
				fail("seq %d (%s): %s after %d attempts, expected %s after %d", i, name, out.outcome, out.attempts, k.Expect, k.Attempts)
			}
		}
	}
	seqSecs := time.Since(t0).Seconds()
	// The concurrent phase's client is closed; the sequential phase has two clients.
	// Two clients, each pool at most seqPoolSlack (a connection goes back to the pool
	// asynchronously: the next call may open another).
	socketsAfterSeq := settle(2 * seqPoolSlack)
	mockAfterSeq := mockOpen()
	if socketsAfterSeq > 2*seqPoolSlack {
		fail("%d sockets open after the sequential phase (two clients, at most %d idle connections each)", socketsAfterSeq, seqPoolSlack)
	}
	if mockAfterSeq != socketsAfterSeq {
		fail("after the sequential phase the mock sees %d open connections, the client %d", mockAfterSeq, socketsAfterSeq)
	}
	left := call("GET", "sessions/"+sid+"/script", nil)["remaining"]
	call("DELETE", "sessions/"+sid, nil)
	runtime.GC()
	debug.FreeOSMemory()
	rssEnd := rssKB()
	growth := float64(rssEnd-rssFirst) / float64(rssFirst) * 100
	if growth > 10 {
		fail("RSS grew %.1f%% from %d kB after the first %d calls to %d kB", growth, rssFirst, nConc, rssEnd)
	}
	first := failures
	if len(first) > 10 {
		first = first[:10]
	}
	result := map[string]any{
		"lang":       "go",
		"concurrent": map[string]any{"calls": nConc, "width": width, "faults": concFaults, "outcomes": concOutcomes, "secs": concSecs, "script_steps_left": left},
		"sequential": map[string]any{"calls": nSeq, "faults": faults, "outcomes": outcomes, "secs": seqSecs},
		"rss_kb":     map[string]any{"after_first_calls": rssFirst, "end": rssEnd, "growth_pct": float64(int(growth*10)) / 10},
		"sockets": map[string]any{"after_concurrent": socketsAfterConc, "mock_after_concurrent": mockAfterConc,
			"after_sequential": socketsAfterSeq, "mock_after_sequential": mockAfterSeq, "pool_bound": width, "sequential_slack": seqPoolSlack},
		"goroutines_end": runtime.NumGoroutine(),
		"hangs":          0, "partial_as_success": partial.Load(), "failures": len(failures), "first_failures": first,
		"secs": time.Since(started).Seconds(),
	}
	b, _ := json.Marshal(result)
	fmt.Printf("SOAK-RESULT %s\n", b)
	client.Close()
	stallClient.Close()
	if len(failures) > 0 {
		os.Exit(1)
	}
}
