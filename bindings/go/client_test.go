package openai

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestChatCompletion(t *testing.T) {
	sid := newSession(t)
	c := testClient(t, sid)
	resp, err := c.CreateChatCompletion(context.Background(), userRequest("hello there"))
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Choices[0].Message.Content; !strings.Contains(got, "hello there") {
		t.Fatalf("content %q", got)
	}
	if resp.Choices[0].FinishReason != FinishReasonStop || resp.Usage.TotalTokens == 0 {
		t.Fatalf("finish %q usage %+v", resp.Choices[0].FinishReason, resp.Usage)
	}
	if resp.Attempts != 1 || resp.Header().Get("x-request-id") == "" {
		t.Fatalf("attempts %d header %v", resp.Attempts, resp.Header())
	}
	reqs := requests(t, sid)
	if len(reqs) != 1 || reqs[0].Headers["authorization"] != "Bearer "+testKey || reqs[0].Path != "/v1/chat/completions" {
		t.Fatalf("requests %+v", reqs)
	}
	// Stream: true is refused as in go-openai.
	r := userRequest("x")
	r.Stream = true
	if _, err := c.CreateChatCompletion(context.Background(), r); !errors.Is(err, ErrChatCompletionStreamNotSupported) {
		t.Fatalf("stream: %v", err)
	}
}

func TestRetriedThenSuccess(t *testing.T) {
	sid := newSession(t)
	c := testClient(t, sid)
	script(t, sid, map[string]any{"status": 503}, map[string]any{"status": 429}, map[string]any{})
	resp, err := c.CreateChatCompletion(context.Background(), userRequest("again"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Attempts != 3 {
		t.Fatalf("attempts %d", resp.Attempts)
	}
}

func TestStatusErrorIsAPIError(t *testing.T) {
	sid := newSession(t)
	cfg := testConfig(sid)
	cfg.MaxRetries = 0
	c := NewClientWithConfig(cfg)
	defer c.Close()
	script(t, sid, map[string]any{"status": 429, "headers": map[string]any{"retry-after": "3"}})
	_, err := c.CreateChatCompletion(context.Background(), userRequest("x"))
	apiErr, ok := err.(*APIError)
	if !ok {
		t.Fatalf("%T %v", err, err)
	}
	if apiErr.HTTPStatusCode != 429 || apiErr.HTTPStatus != "429 Too Many Requests" || apiErr.Type != "rate_limit_error" {
		t.Fatalf("%+v", apiErr)
	}
	if apiErr.Code != 429 || apiErr.RetryAfter != 3*time.Second || apiErr.RequestID == "" || apiErr.Attempts != 1 {
		t.Fatalf("code %v retry %v rid %q attempts %d", apiErr.Code, apiErr.RetryAfter, apiErr.RequestID, apiErr.Attempts)
	}
	if !strings.HasPrefix(apiErr.Error(), "error, status code: 429, status: 429 Too Many Requests, message: ") {
		t.Fatal(apiErr.Error())
	}
	if ErrorKind(err) != "status" {
		t.Fatal(ErrorKind(err))
	}
}

func TestListModelsAndEmbeddings(t *testing.T) {
	c := testClient(t, newSession(t))
	models, err := c.ListModels(context.Background())
	if err != nil || len(models.Models) == 0 || models.Models[0].ID == "" || models.Models[0].OwnedBy == "" {
		t.Fatalf("%v %+v", err, models)
	}
	emb, err := c.CreateEmbeddings(context.Background(), EmbeddingRequestStrings{Input: []string{"a", "b"}, Model: "openai/text-embedding-3-small"})
	if err != nil || len(emb.Data) != 2 || len(emb.Data[1].Embedding) == 0 || emb.Data[1].Index != 1 {
		t.Fatalf("%v %+v", err, emb)
	}
	b64, err := c.CreateEmbeddings(context.Background(), EmbeddingRequest{Input: "a", Model: "m", EncodingFormat: EmbeddingEncodingFormatBase64})
	if err != nil || len(b64.Data) != 1 || len(b64.Data[0].Embedding) != len(emb.Data[0].Embedding) {
		t.Fatalf("base64: %v %+v", err, b64)
	}
	for i, v := range b64.Data[0].Embedding {
		if v != emb.Data[0].Embedding[i] {
			t.Fatalf("base64 differs at %d: %v vs %v", i, v, emb.Data[0].Embedding[i])
		}
	}
}

func TestStreamToEOF(t *testing.T) {
	sid := newSession(t)
	c := testClient(t, sid)
	script(t, sid, map[string]any{"stream": map[string]any{"content": "one two three four five", "pieces": 5}})
	stream, err := c.CreateChatCompletionStream(context.Background(), userRequest("count"))
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	var text strings.Builder
	var usage *Usage
	var finish FinishReason
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(chunk.Choices) > 0 {
			text.WriteString(chunk.Choices[0].Delta.Content)
			if chunk.Choices[0].FinishReason != "" {
				finish = chunk.Choices[0].FinishReason
			}
		}
		// The usage chunk (choices: []) the engine asked for is kept back: go-openai's README loop indexes Choices[0].
		if len(chunk.Choices) == 0 || chunk.Usage != nil {
			t.Fatalf("a chunk the caller did not ask for: %+v", chunk)
		}
	}
	if final, err := stream.FinalCompletion(); err == nil {
		usage = &final.Usage
	}
	if text.String() != "one two three four five" || finish != FinishReasonStop || usage == nil || usage.TotalTokens == 0 {
		t.Fatalf("text %q finish %q usage %v", text.String(), finish, usage)
	}
	if _, err := stream.Recv(); err != io.EOF {
		t.Fatalf("after EOF: %v", err)
	}
	if stream.Header().Get("content-type") != "text/event-stream" || stream.Attempts() != 1 {
		t.Fatalf("header %v attempts %d", stream.Header(), stream.Attempts())
	}
	stream.Close()
	if _, err := stream.Recv(); err != io.EOF && err != ErrStreamClosed {
		t.Fatalf("after close: %v", err)
	}
}

func TestStreamErrorEventIsAPIError(t *testing.T) {
	sid := newSession(t)
	c := testClient(t, sid)
	script(t, sid, map[string]any{"stream": map[string]any{
		"content": "a b c d", "pieces": 4, "error_after": 2,
		"error_event": map[string]any{"error": map[string]any{"message": "upstream overloaded", "code": 502}},
	}})
	stream, err := c.CreateChatCompletionStream(context.Background(), userRequest("x"))
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	n := 0
	for {
		_, err = stream.Recv()
		if err != nil {
			break
		}
		n++
	}
	apiErr, ok := err.(*APIError)
	if !ok || apiErr.Message != "upstream overloaded" || apiErr.Code != 502 || n != 2 {
		t.Fatalf("%T %v after %d chunks", err, err, n)
	}
}

func TestTruncatedStreamIsNotEOF(t *testing.T) {
	sid := newSession(t)
	c := testClient(t, sid)
	script(t, sid, map[string]any{"stream": map[string]any{"content": "a b", "done": false, "finish_reason": nil}})
	stream, err := c.CreateChatCompletionStream(context.Background(), userRequest("x"))
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	for {
		_, err = stream.Recv()
		if err != nil {
			break
		}
	}
	if err == io.EOF || ErrorKind(err) != "stream" {
		t.Fatalf("%T %v", err, err)
	}
}

func TestConnectionErrorIsRequestError(t *testing.T) {
	cfg := DefaultConfig(testKey)
	cfg.BaseURL = "http://127.0.0.1:9/v1"
	cfg.MaxRetries = 0
	c := NewClientWithConfig(cfg)
	defer c.Close()
	_, err := c.CreateChatCompletion(context.Background(), userRequest("x"))
	var reqErr *RequestError
	if !errors.As(err, &reqErr) || ErrorKind(err) != "connection" {
		t.Fatalf("%T %v", err, err)
	}
}

func TestHTTPClientTimeoutBoundsTheCall(t *testing.T) {
	sid := newSession(t)
	cfg := testConfig(sid)
	cfg.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond}
	c := NewClientWithConfig(cfg)
	defer c.Close()
	script(t, sid, map[string]any{"delay_headers_ms": 5000})
	start := time.Now()
	_, err := c.CreateChatCompletion(context.Background(), userRequest("x"))
	var reqErr *RequestError
	var netErr net.Error
	if !errors.As(err, &reqErr) || !errors.As(err, &netErr) || !netErr.Timeout() {
		t.Fatalf("%T %v", err, err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("took %v", took)
	}
}

func TestIdleTimeout(t *testing.T) {
	sid := newSession(t)
	cfg := testConfig(sid)
	cfg.Timeout = 200 * time.Millisecond
	cfg.MaxRetries = 0
	c := NewClientWithConfig(cfg)
	defer c.Close()
	script(t, sid, map[string]any{"stream": map[string]any{"content": "a b c d", "stall_after": 1, "stall_ms": 5000}})
	stream, err := c.CreateChatCompletionStream(context.Background(), userRequest("x"))
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	for err == nil {
		_, err = stream.Recv()
	}
	if ErrorKind(err) != "timeout" {
		t.Fatalf("%T %v", err, err)
	}
}

func TestInvalidConfigNamesTheField(t *testing.T) {
	cfg := DefaultConfig(testKey)
	cfg.BaseURL = "not a url"
	c := NewClientWithConfig(cfg)
	_, err := c.CreateChatCompletion(context.Background(), userRequest("x"))
	if err == nil || InvalidField(err) != "base_url" || !strings.Contains(err.Error(), "base_url") {
		t.Fatalf("%v (%q)", err, InvalidField(err))
	}
}

// slowStream is a step whose chunks come 5 s apart.
var slowStream = map[string]any{"stream": map[string]any{"content": "a b c d e f", "pieces": 6, "delay_ms_between": 5000}}

func TestContextCancelMidStream(t *testing.T) {
	sid := newSession(t)
	c := testClient(t, sid)
	script(t, sid, slowStream)
	ctx, cancel := context.WithCancel(context.Background())
	stream, err := c.CreateChatCompletionStream(ctx, userRequest("x"))
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err = stream.Recv()
	if !errors.Is(err, context.Canceled) || time.Since(start) > 2*time.Second {
		t.Fatalf("%T %v after %v", err, err, time.Since(start))
	}
	if _, ok := err.(*RequestError); !ok {
		t.Fatalf("%T", err)
	}
	if !waitFor(2*time.Second, func() bool { r := requests(t, sid); return len(r) == 1 && r[0].ClientDisconnected }) {
		t.Fatalf("the mock did not see the close: %+v", requests(t, sid))
	}
}

func TestContextDeadlineMidStream(t *testing.T) {
	sid := newSession(t)
	c := testClient(t, sid)
	script(t, sid, slowStream)
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	stream, err := c.CreateChatCompletionStream(ctx, userRequest("x"))
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	start := time.Now()
	for err == nil {
		_, err = stream.Recv()
	}
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Fatalf("%T %v after %v", err, err, time.Since(start))
	}
	if !waitFor(2*time.Second, func() bool { r := requests(t, sid); return len(r) == 1 && r[0].ClientDisconnected }) {
		t.Fatalf("the mock did not see the close")
	}
}

func TestContextDuringBackoff(t *testing.T) {
	for _, deadline := range []bool{false, true} {
		t.Run(fmt.Sprintf("deadline=%v", deadline), func(t *testing.T) {
			sid := newSession(t)
			c := testClient(t, sid)
			// A 503 asking for a 10 s wait: the engine sleeps; the context must cut the sleep.
			script(t, sid, map[string]any{"status": 503, "headers": map[string]any{"retry-after": "10"}})
			var ctx context.Context
			var cancel context.CancelFunc
			if deadline {
				ctx, cancel = context.WithTimeout(context.Background(), 300*time.Millisecond)
			} else {
				ctx, cancel = context.WithCancel(context.Background())
				time.AfterFunc(300*time.Millisecond, cancel)
			}
			defer cancel()
			start := time.Now()
			_, err := c.CreateChatCompletion(ctx, userRequest("x"))
			want := context.Canceled
			if deadline {
				want = context.DeadlineExceeded
			}
			if !errors.Is(err, want) || time.Since(start) > 2*time.Second {
				t.Fatalf("%T %v after %v", err, err, time.Since(start))
			}
			if n := len(requests(t, sid)); n != 1 {
				t.Fatalf("%d requests", n)
			}
		})
	}
}

func TestCloseWakesABlockedRecv(t *testing.T) {
	sid := newSession(t)
	c := testClient(t, sid)
	script(t, sid, slowStream)
	stream, err := c.CreateChatCompletionStream(context.Background(), userRequest("x"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(100*time.Millisecond, func() { stream.Close() })
	start := time.Now()
	_, err = stream.Recv()
	if err == nil || time.Since(start) > 2*time.Second {
		t.Fatalf("%v after %v", err, time.Since(start))
	}
}

func TestAlreadyCancelledContext(t *testing.T) {
	c := testClient(t, newSession(t))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.CreateChatCompletion(ctx, userRequest("x")); !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	if _, err := c.CreateChatCompletionStream(ctx, userRequest("x")); !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
}

func TestHundredGoroutinesShareOneClient(t *testing.T) {
	c := testClient(t, newSession(t))
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			want := fmt.Sprintf("goroutine %d", i)
			if i%2 == 0 {
				resp, err := c.CreateChatCompletion(context.Background(), userRequest(want))
				if err != nil {
					errs <- err
					return
				}
				if !strings.Contains(resp.Choices[0].Message.Content, want) {
					errs <- fmt.Errorf("%d got %q", i, resp.Choices[0].Message.Content)
				}
				return
			}
			stream, err := c.CreateChatCompletionStream(context.Background(), userRequest(want))
			if err != nil {
				errs <- err
				return
			}
			defer stream.Close()
			var text strings.Builder
			for {
				chunk, err := stream.Recv()
				if err == io.EOF {
					break
				}
				if err != nil {
					errs <- err
					return
				}
				if len(chunk.Choices) > 0 {
					text.WriteString(chunk.Choices[0].Delta.Content)
				}
			}
			if !strings.Contains(text.String(), want) {
				errs <- fmt.Errorf("%d streamed %q", i, text.String())
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestNoGoroutineLeak(t *testing.T) {
	sid := newSession(t)
	c := testClient(t, sid)
	// Warm up (runtime, pool) before counting.
	if _, err := c.CreateChatCompletion(context.Background(), userRequest("warm")); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	before := runtime.NumGoroutine()
	for i := 0; i < 20; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		if _, err := c.CreateChatCompletion(ctx, userRequest("x")); err != nil {
			t.Fatal(err)
		}
		script(t, sid, slowStream)
		stream, err := c.CreateChatCompletionStream(ctx, userRequest("x"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := stream.Recv(); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			cancel()
			if _, err := stream.Recv(); !errors.Is(err, context.Canceled) {
				t.Fatal(err)
			}
		}
		stream.Close()
		cancel()
	}
	if !waitFor(3*time.Second, func() bool { return runtime.NumGoroutine() <= before }) {
		buf := make([]byte, 1<<16)
		t.Fatalf("goroutines %d -> %d\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
	}
}

func TestKeyNeverPrintedWhole(t *testing.T) {
	const secret = "sk-or-v1-0123456789abcdefSECRET"
	sid := newSession(t)
	cfg := testConfig(sid)
	cfg = ClientConfig{BaseURL: cfg.BaseURL, DefaultHeaders: cfg.DefaultHeaders, authToken: secret}
	c := NewClientWithConfig(cfg)
	defer c.Close()
	script(t, sid, map[string]any{"status": 401})
	_, err := c.CreateChatCompletion(context.Background(), userRequest("x"))
	if err == nil {
		t.Fatal("no error")
	}
	bad := NewClientWithConfig(ClientConfig{authToken: secret, BaseURL: "::bad"})
	_, badErr := bad.CreateChatCompletion(context.Background(), userRequest("x"))
	for _, v := range []any{cfg, &cfg, c, err, badErr, bad} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			if out := fmt.Sprintf(verb, v); strings.Contains(out, "SECRET") || strings.Contains(out, "0123456789abcdef") {
				t.Errorf("%s of %T shows the key: %s", verb, v, out)
			}
		}
	}
	if !strings.Contains(fmt.Sprintf("%v", cfg), "sk-or-v1") {
		t.Errorf("the masked prefix is missing: %v", cfg)
	}
}
