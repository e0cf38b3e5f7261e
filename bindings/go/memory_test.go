//go:build !race

// Memory bounds (issue 22): peak RSS of a long stream, of a many-choices body and of
// gzip bombs. Not under -race, whose shadow memory multiplies the Go heap: scripts/test.sh
// runs these without it. ROUTERKIT_MEMORY_CHUNKS sets the long stream's length
// (default 200,000; `make soak` runs 10,000,000); ROUTERKIT_MEMORY_PAUSE_EVERY=k makes the
// reader pause 1 ms every k chunks (a consumer slower than the gateway). The stream's events
// come 512 to a write, as a buffered gateway sends them, so reads hold thousands of events.

package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// peakRSS is the process's peak resident set (VmHWM) in MiB.
func peakRSS(t *testing.T) float64 {
	t.Helper()
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb / 1024
		}
	}
	t.Fatal("no VmHWM in /proc/self/status")
	return 0
}

// resetPeak makes VmHWM start again from the current RSS (Linux: clear_refs 5).
func resetPeak(t *testing.T) {
	t.Helper()
	runtime.GC()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Fatal(err)
	}
}

// inChild runs the calling test again in a fresh process (this test binary, only that test)
// and reports whether this is that process: RSS figures then belong to the test alone.
func inChild(t *testing.T) bool {
	t.Helper()
	if os.Getenv("ROUTERKIT_MEMORY_CHILD") == t.Name() {
		return true
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^"+t.Name()+"$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "ROUTERKIT_MEMORY_CHILD="+t.Name())
	out, err := cmd.CombinedOutput()
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "MEMORY") || strings.Contains(line, "memory_test.go") {
			t.Log(strings.TrimSpace(line))
		}
	}
	if err != nil {
		t.Fatalf("the child process failed: %v\n%s", err, out)
	}
	return false
}

func memoryChunks() int {
	if n, err := strconv.Atoi(os.Getenv("ROUTERKIT_MEMORY_CHUNKS")); err == nil && n > 0 {
		return n
	}
	return 200_000
}

// A stream of many tiny chunks keeps the accumulated text (one byte per chunk) and
// nothing per chunk: peak RSS stays under a fixed bound whatever the length.
func TestMemoryLongStreamPeakRSS(t *testing.T) {
	if !inChild(t) {
		return
	}
	n := memoryChunks()
	sid := newSession(t)
	script(t, sid, json.RawMessage(fmt.Sprintf(`{"stream":{"pieces":["a","b","c","d"],"repeat":%d,"usage":null,"events_per_write":512}}`, n)))
	c := NewClientWithConfig(testConfig(sid))
	defer c.Close()
	resetPeak(t)
	before := peakRSS(t)
	s, err := c.CreateChatCompletionStream(context.Background(), ChatCompletionRequest{Model: "m", Messages: memMsgs})
	if err != nil {
		t.Fatal(err)
	}
	got, bytesSeen := 0, 0
	pause, _ := strconv.Atoi(os.Getenv("ROUTERKIT_MEMORY_PAUSE_EVERY"))
	for {
		chunk, err := s.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got++
		if pause > 0 && got%pause == 0 {
			// A consumer slower than the gateway: the socket fills, batches grow.
			time.Sleep(time.Millisecond)
		}
		if len(chunk.Choices) > 0 {
			bytesSeen += len(chunk.Choices[0].Delta.Content)
		}
	}
	streamed := peakRSS(t)
	final, err := s.FinalCompletion()
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	peak := peakRSS(t)
	if got != n+1 || bytesSeen != n || len(final.Choices[0].Message.Content) != n {
		t.Fatalf("chunks %d (want %d), content %d / %d bytes (want %d)", got, n+1, bytesSeen, len(final.Choices[0].Message.Content), n)
	}
	// The accumulated text is n bytes: the engine's (a doubling buffer), then the final
	// completion's JSON, its copy into Go and the decoded string.
	bound := 64 + 5*float64(n)/(1<<20)
	t.Logf("MEMORY go stream chunks=%d rss_before=%.1fMiB peak_streaming=%.1fMiB peak=%.1fMiB bound=%.1fMiB", n, before, streamed, peak, bound)
	if peak > bound {
		t.Fatalf("peak RSS %.1f MiB over %d chunks, bound %.1f MiB", peak, n, bound)
	}
}

// A 12 MB body of 1,000 choices: peak RSS within a stated multiple of its size.
func TestMemoryManyChoicesBody(t *testing.T) {
	if !inChild(t) {
		return
	}
	sid := newSession(t)
	content := strings.Repeat("x", 12_000)
	script(t, sid, json.RawMessage(fmt.Sprintf(`{"choices":1000,"content":%q}`, content)))
	c := NewClientWithConfig(testConfig(sid))
	defer c.Close()
	resetPeak(t)
	before := peakRSS(t)
	r, err := c.CreateChatCompletion(context.Background(), ChatCompletionRequest{Model: "m", Messages: memMsgs})
	if err != nil {
		t.Fatal(err)
	}
	peak := peakRSS(t)
	if len(r.Choices) != 1000 || r.Choices[999].Message.Content != content {
		t.Fatalf("%d choices", len(r.Choices))
	}
	size := 12.0 * 1000 * 1000 / (1 << 20)
	t.Logf("MEMORY go many_choices body=%.1fMiB rss_before=%.1fMiB peak=%.1fMiB growth=%.1fx", size, before, peak, (peak-before)/size)
	if peak-before > 6*size {
		t.Fatalf("peak RSS grew %.1f MiB for a %.1f MiB body (bound 6x)", peak-before, size)
	}
}

// A gzip bomb (10 GiB decompressed), streamed and not, fails naming its bound with peak RSS under 100 MiB.
func TestMemoryGzipBombs(t *testing.T) {
	if !inChild(t) {
		return
	}
	for _, tc := range []struct{ name, step, want string }{
		{"chat", `{"gzip_bomb_bytes":10737418240}`, "max_body_bytes"},
		{"stream", `{"stream":{"gzip_bomb_bytes":10737418240}}`, "max_event_bytes"},
	} {
		sid := newSession(t)
		script(t, sid, json.RawMessage(tc.step))
		cfg := testConfig(sid)
		cfg.MaxRetries = 0
		c := NewClientWithConfig(cfg)
		resetPeak(t)
		var err error
		if tc.name == "chat" {
			_, err = c.CreateChatCompletion(context.Background(), ChatCompletionRequest{Model: "m", Messages: memMsgs})
		} else {
			var s *ChatCompletionStream
			s, err = c.CreateChatCompletionStream(context.Background(), ChatCompletionRequest{Model: "m", Messages: memMsgs})
			if err == nil {
				_, err = s.Recv()
				s.Close()
			}
		}
		c.Close()
		peak := peakRSS(t)
		t.Logf("MEMORY go bomb_%s peak=%.1fMiB err=%v", tc.name, peak, err)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("%s bomb: %v (want an error naming %s)", tc.name, err, tc.want)
		}
		if peak > 100 {
			t.Fatalf("%s bomb: peak RSS %.1f MiB", tc.name, peak)
		}
	}
}

var memMsgs = []ChatCompletionMessage{{Role: ChatMessageRoleUser, Content: "hi"}}

// A call's receipt stays the library's until read: receipts nobody reads are freed when their
// response is collected, so many calls that never look at them hold no memory for them.
func TestMemoryUnreadReceiptsFreed(t *testing.T) {
	if !inChild(t) {
		return
	}
	sid := newSession(t)
	c := NewClientWithConfig(testConfig(sid))
	defer c.Close()
	req := ChatCompletionRequest{Model: "m", Messages: memMsgs}
	call := func() ChatCompletionResponse {
		resp, err := c.CreateChatCompletion(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	for i := 0; i < 1000; i++ {
		call()
	}
	resetPeak(t)
	before := peakRSS(t)
	const n = 20_000
	for i := 0; i < n; i++ {
		call()
		if i%1000 == 0 {
			runtime.GC()
		}
	}
	peak := peakRSS(t)
	// A read receipt is the same one, read once: the library's copy is gone after the first read.
	resp := call()
	first, again := resp.Receipt(), resp.Receipt()
	if !first.Complete || first.Model == "" || len(first.Attempts) != 1 || again.Model != first.Model {
		t.Fatalf("receipt %+v, read again %+v", first, again)
	}
	t.Logf("MEMORY go unread receipts calls=%d rss_before=%.1fMiB peak=%.1fMiB", n, before, peak)
	// Kept, 20,000 receipts would hold about 28 MiB (measured: 1.4 KiB each).
	if peak-before > 8 {
		t.Fatalf("peak RSS grew %.1f MiB over %d calls whose receipts nobody read", peak-before, n)
	}
}
