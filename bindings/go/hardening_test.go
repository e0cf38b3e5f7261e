package openai

// Hardening (issue 7), Go surface: the key never appears whole (every error
// kind, the library's log fully on, %v/%+v/%#v/%s of config, client and
// errors); a redirect to another origin drops Authorization; CR/LF in key,
// model or header is refused naming the field; bad input is an error naming
// the parameter before anything is sent.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const hardKey = "sk-gogo-SECRET-TAIL-0123456789abcdef"

// The child half of TestKeyNeverWholeWithTheLogOn: a re-run of this test binary
// with RK_SECRETS_CHILD set does its work here, before TestMain, and exits.
func init() {
	if url := os.Getenv("RK_SECRETS_CHILD"); url != "" {
		if err := secretsChild(url); err != nil {
			fmt.Println("CHILD-FAILED", err)
			os.Exit(1)
		}
		fmt.Println("CHILD-OK")
		os.Exit(0)
	}
}

func childScript(url, sid string, steps ...any) error {
	body, _ := json.Marshal(steps)
	resp, err := http.Post(url+"/__mock/sessions/"+sid+"/script", "application/json", strings.NewReader(string(body)))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("script rejected: %s", b)
	}
	return nil
}

func echoStep(status int) map[string]any {
	return map[string]any{"status": status, "headers": map[string]any{"x-echo": hardKey},
		"body": map[string]any{"error": map[string]any{"message": "Incorrect API key provided: " + hardKey, "type": "invalid_request_error", "code": status, "param": hardKey}}}
}

func secretsChild(url string) error {
	var texts []string
	kinds := map[string]bool{}
	format := func(v any) {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			texts = append(texts, fmt.Sprintf(verb, v))
		}
		if err, ok := v.(error); ok {
			for e := err; e != nil; e = errors.Unwrap(e) {
				texts = append(texts, e.Error(), fmt.Sprintf("%#v", e))
			}
			var apiErr *APIError
			if errors.As(err, &apiErr) {
				b, _ := json.Marshal(apiErr)
				texts = append(texts, string(b), fmt.Sprintf("%v", apiErr.Param), fmt.Sprintf("%v", apiErr.Code))
				if apiErr.Param != nil {
					texts = append(texts, *apiErr.Param)
				}
			}
		}
	}
	record := func(err error, want string) error {
		if err == nil {
			return fmt.Errorf("%s: no error", want)
		}
		kind := ErrorKind(err)
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			kind = "cancelled"
		}
		if kind != want {
			return fmt.Errorf("want %s, got %s: %v", want, kind, err)
		}
		kinds[kind] = true
		format(err)
		return nil
	}
	cfgFor := func(sid string, retries int) ClientConfig {
		cfg := DefaultConfig(hardKey)
		cfg.BaseURL = url + "/v1"
		cfg.MaxRetries = retries
		cfg.InitialRetryDelay = time.Millisecond
		cfg.MaxRetryDelay = 2 * time.Millisecond
		cfg.DefaultHeaders = map[string]string{"x-mock-session": sid}
		return cfg
	}
	req := ChatCompletionRequest{Model: "m", Messages: []ChatCompletionMessage{{Role: ChatMessageRoleUser, Content: "hello"}}}
	ctx := context.Background()

	if err := childScript(url, "go-sec-1", echoStep(400), echoStep(401), echoStep(429), echoStep(429), echoStep(500), echoStep(500)); err != nil {
		return err
	}
	cfg := cfgFor("go-sec-1", 1)
	c := NewClientWithConfig(cfg)
	format(cfg)
	format(&cfg)
	format(c)
	for i := 0; i < 4; i++ {
		_, err := c.CreateChatCompletion(ctx, req)
		if err := record(err, "status"); err != nil {
			return err
		}
	}

	if err := childScript(url, "go-sec-2",
		map[string]any{"stream": map[string]any{"content": "a b c", "error_after": 1, "error_event": map[string]any{"error": map[string]any{"message": "key " + hardKey + " revoked", "code": 401}}}},
		map[string]any{"stream": map[string]any{"raw_events": []string{"data: {\"not a chunk " + hardKey + "\n\n"}}},
		map[string]any{"body_raw": "<html>" + hardKey + "</html>", "content_type": "text/html"},
		map[string]any{"body": map[string]any{"error": map[string]any{"message": "bad key " + hardKey, "code": 402}}},
	); err != nil {
		return err
	}
	c = NewClientWithConfig(cfgFor("go-sec-2", 0))
	consume := func() error {
		s, err := c.CreateChatCompletionStream(ctx, req)
		if err != nil {
			return err
		}
		defer s.Close()
		format(s)
		for {
			if _, err := s.Recv(); err != nil {
				if err == io.EOF {
					return nil
				}
				return err
			}
		}
	}
	for _, want := range []string{"stream", "decode"} {
		if err := record(consume(), want); err != nil {
			return err
		}
	}
	for _, want := range []string{"decode", "stream"} {
		_, err := c.CreateChatCompletion(ctx, req)
		if err := record(err, want); err != nil {
			return err
		}
	}

	refused := DefaultConfig(hardKey)
	refused.BaseURL = "http://127.0.0.1:1/v1"
	refused.MaxRetries = 1
	refused.InitialRetryDelay = time.Millisecond
	refused.MaxRetryDelay = 2 * time.Millisecond
	_, err := NewClientWithConfig(refused).CreateChatCompletion(ctx, req)
	if err := record(err, "connection"); err != nil {
		return err
	}

	if err := childScript(url, "go-sec-3", map[string]any{"delay_headers_ms": 3000},
		map[string]any{"stream": map[string]any{"content": "a b c", "stall_after": 1, "stall_ms": 3000}}); err != nil {
		return err
	}
	tcfg := cfgFor("go-sec-3", 0)
	tcfg.Timeout = 150 * time.Millisecond
	c = NewClientWithConfig(tcfg)
	_, err = c.CreateChatCompletion(ctx, req)
	if err := record(err, "timeout"); err != nil {
		return err
	}
	if err := record(consume(), "timeout"); err != nil {
		return err
	}

	if err := childScript(url, "go-sec-4", map[string]any{"status": 429, "headers": map[string]any{"retry-after": "20"}}); err != nil {
		return err
	}
	c = NewClientWithConfig(cfgFor("go-sec-4", 2))
	cctx, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
	_, err = c.CreateChatCompletion(cctx, req)
	cancel()
	if err := record(err, "cancelled"); err != nil {
		return err
	}

	bad := cfgFor("go-sec-5", 0)
	bad.authToken = hardKey + "\r\nx-evil: 1"
	_, err = NewClientWithConfig(bad).CreateChatCompletion(ctx, req)
	if err := record(err, "invalid_request"); err != nil {
		return err
	}
	bad = cfgFor("go-sec-5", 0)
	bad.DefaultHeaders["x-a"] = hardKey + "\n"
	format(bad)
	_, err = NewClientWithConfig(bad).CreateChatCompletion(ctx, req)
	if err := record(err, "invalid_request"); err != nil {
		return err
	}
	badModel := req
	badModel.Model = "m\r\n" + hardKey
	_, err = NewClientWithConfig(cfgFor("go-sec-5", 0)).CreateChatCompletion(ctx, badModel)
	if err := record(err, "invalid_request"); err != nil {
		return err
	}

	if len(kinds) != 7 {
		return fmt.Errorf("kinds seen: %v", kinds)
	}
	for _, t := range texts {
		fmt.Println("TEXT", strings.ReplaceAll(t, "\n", " | "))
	}
	return nil
}

func runSecretsChild(t *testing.T, env ...string) (string, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	base := []string{"RK_SECRETS_CHILD=" + mockURL}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ROUTERKIT_LOG=") && !strings.HasPrefix(kv, "OPENAI_LOG=") {
			base = append(base, kv)
		}
	}
	cmd.Env = append(base, env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || !strings.Contains(stdout.String(), "CHILD-OK") {
		t.Fatalf("the child failed (%v):\n%s\n%s", err, stdout.String(), stderr.String())
	}
	return stdout.String(), stderr.String()
}

func TestKeyNeverWholeWithTheLogOn(t *testing.T) {
	stdout, stderr := runSecretsChild(t, "ROUTERKIT_LOG=debug")
	for name, text := range map[string]string{"stdout": stdout, "stderr": stderr} {
		for _, line := range strings.Split(text, "\n") {
			if strings.Contains(line, hardKey[8:]) || strings.Contains(line, hardKey[:9]) {
				t.Errorf("more than 8 characters of the key in %s: %s", name, line)
			}
		}
	}
	for _, needle := range []string{
		"DEBUG request POST", `authorization: "Bearer sk-gogo-…"`, "INFO  response status=401",
		"WARN  retry attempt=1 failed (kind=status status=429", "ERROR call failed after attempt=2: kind=status status=500",
		"kind=connection", "kind=timeout", "kind=decode", "ERROR stream error", "kind=cancelled",
	} {
		if !strings.Contains(stderr, needle) {
			t.Errorf("the log lacks %q:\n%s", needle, stderr)
		}
	}
	if !strings.Contains(stdout, "sk-gogo-…") {
		t.Errorf("the masked prefix is missing")
	}
}

func TestLogOffByDefaultAndOpenAILogFallback(t *testing.T) {
	_, off := runSecretsChild(t)
	if strings.Contains(off, "routerkit ") {
		t.Errorf("logged although off:\n%s", off)
	}
	_, info := runSecretsChild(t, "OPENAI_LOG=info")
	if !strings.Contains(info, "INFO  request POST") || strings.Contains(info, "DEBUG") {
		t.Errorf("OPENAI_LOG=info:\n%s", info)
	}
}

func TestRedirectToAnotherOriginDropsAuthorization(t *testing.T) {
	other, stop, err := startMock()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	for _, stream := range []bool{false, true} {
		sid := newSession(t)
		script(t, sid, map[string]any{"status": 307, "headers": map[string]any{"location": other + "/v1/chat/completions"}})
		c := testClient(t, sid)
		if stream {
			s, err := c.CreateChatCompletionStream(context.Background(), userRequest("x"))
			if err != nil {
				t.Fatal(err)
			}
			for {
				if _, err := s.Recv(); err != nil {
					if err != io.EOF {
						t.Fatal(err)
					}
					break
				}
			}
			s.Close()
		} else if _, err := c.CreateChatCompletion(context.Background(), userRequest("x")); err != nil {
			t.Fatal(err)
		}
		if got := requests(t, sid)[0].Headers["authorization"]; got != "Bearer "+testKey {
			t.Fatalf("first origin: %q", got)
		}
		resp, err := http.Get(other + "/__mock/sessions/" + sid + "/requests")
		if err != nil {
			t.Fatal(err)
		}
		var second []mockRequest
		_ = json.NewDecoder(resp.Body).Decode(&second)
		resp.Body.Close()
		if len(second) != 1 {
			t.Fatalf("the redirect was not followed: %+v", second)
		}
		if auth, ok := second[0].Headers["authorization"]; ok {
			t.Errorf("stream=%v: Authorization crossed origins: %q", stream, auth)
		}
	}
}

func TestCRLFInKeyModelOrHeaderIsRefusedNamingTheField(t *testing.T) {
	sid := newSession(t)
	ctx := context.Background()
	for _, bad := range []string{"\r", "\n", "\r\n"} {
		cfg := testConfig(sid)
		cfg.authToken = "sk-abc" + bad + "x-injected: 1"
		if _, err := NewClientWithConfig(cfg).CreateChatCompletion(ctx, userRequest("x")); InvalidField(err) != "api_key" {
			t.Errorf("key: %v", err)
		}
		cfg = testConfig(sid)
		cfg.DefaultHeaders["x-title"] = "a" + bad + "b"
		if _, err := NewClientWithConfig(cfg).CreateChatCompletion(ctx, userRequest("x")); InvalidField(err) != "headers" || !strings.Contains(err.Error(), "x-title") {
			t.Errorf("header: %v", err)
		}
		cfg = testConfig(sid)
		cfg.OrgID = "org" + bad + "x"
		if _, err := NewClientWithConfig(cfg).CreateChatCompletion(ctx, userRequest("x")); InvalidField(err) != "headers" {
			t.Errorf("OrgID: %v", err)
		}
		req := userRequest("x")
		req.Model = "openai/gpt-4.1" + bad + "x"
		c := testClient(t, sid)
		if _, err := c.CreateChatCompletion(ctx, req); InvalidField(err) != "model" {
			t.Errorf("model: %v", err)
		}
		if _, err := c.CreateChatCompletionStream(ctx, req); InvalidField(err) != "model" {
			t.Errorf("stream model: %v", err)
		}
		if _, err := c.CreateEmbeddings(ctx, EmbeddingRequest{Model: EmbeddingModel("m" + bad), Input: "x"}); InvalidField(err) != "model" {
			t.Errorf("embeddings model: %v", err)
		}
	}
	if got := requests(t, sid); len(got) != 0 {
		t.Errorf("sent: %+v", got)
	}
}

func TestBadInputNamesTheParameterBeforeSending(t *testing.T) {
	sid := newSession(t)
	ctx := context.Background()
	c := testClient(t, sid)
	msgs := []ChatCompletionMessage{{Role: ChatMessageRoleUser, Content: "hi"}}
	reqs := []struct {
		field string
		req   ChatCompletionRequest
	}{
		{"model", ChatCompletionRequest{Messages: msgs}},
		{"model", ChatCompletionRequest{Model: "  ", Messages: msgs}},
		{"messages", ChatCompletionRequest{Model: "m"}},
		{"messages", ChatCompletionRequest{Model: "m", Messages: []ChatCompletionMessage{{Content: "no role"}}}},
		{"tool_choice", ChatCompletionRequest{Model: "m", Messages: msgs, ToolChoice: make(chan int)}},
		{"tool_choice", ChatCompletionRequest{Model: "m", Messages: msgs, ToolChoice: func() {}}},
		{"chat_template_kwargs", ChatCompletionRequest{Model: "m", Messages: msgs, ChatTemplateKwargs: map[string]any{"x": make(chan int)}}},
		{"ExtraBody", ChatCompletionRequest{Model: "m", Messages: msgs, ExtraBody: map[string]any{"x": make(chan int)}}},
	}
	for _, tc := range reqs {
		if _, err := c.CreateChatCompletion(ctx, tc.req); InvalidField(err) != tc.field || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: %v", tc.field, err)
		}
		if _, err := c.CreateChatCompletionStream(ctx, tc.req); InvalidField(err) != tc.field {
			t.Errorf("stream %s: %v", tc.field, err)
		}
	}
	for _, er := range []EmbeddingRequest{{Model: "m"}, {Model: "m", Input: []string{}}, {Model: "m", Input: make(chan int)}} {
		if _, err := c.CreateEmbeddings(ctx, er); InvalidField(err) != "input" {
			t.Errorf("embeddings input %v: %v", er.Input, err)
		}
	}
	configs := []struct {
		field string
		edit  func(*ClientConfig)
	}{
		{"max_retries", func(c *ClientConfig) { c.MaxRetries = -1 }},
		{"max_retries", func(c *ClientConfig) { c.MaxRetries = 101 }},
		{"timeout", func(c *ClientConfig) { c.Timeout = -time.Second }},
		{"connect_timeout", func(c *ClientConfig) { c.ConnectTimeout = -time.Second }},
		{"initial_retry_delay", func(c *ClientConfig) { c.InitialRetryDelay = -time.Second }},
		{"max_retry_delay", func(c *ClientConfig) { c.MaxRetryDelay = -time.Second }},
		{"deadline", func(c *ClientConfig) { c.HTTPClient = &http.Client{Timeout: -time.Second} }},
		{"base_url", func(c *ClientConfig) { c.BaseURL = "not a url" }},
		{"api_key", func(c *ClientConfig) { c.authToken = "" }},
	}
	for _, tc := range configs {
		cfg := testConfig(sid)
		tc.edit(&cfg)
		bad := NewClientWithConfig(cfg)
		_, err := bad.CreateChatCompletion(ctx, userRequest("x"))
		if InvalidField(err) != tc.field {
			t.Errorf("%s: %v", tc.field, err)
		}
		if _, err := bad.CreateChatCompletionStream(ctx, userRequest("x")); InvalidField(err) != tc.field {
			t.Errorf("stream %s: %v", tc.field, err)
		}
		bad.Close()
	}
	if got := requests(t, sid); len(got) != 0 {
		t.Errorf("sent: %+v", got)
	}
}

// A cancelled ctx ends the stream at the next Recv even when the rest of the
// answer already sits in the batch the library handed over (found by the soak).
func TestCancelledCtxStopsBufferedChunks(t *testing.T) {
	sid := newSession(t)
	event := `data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}]}` + "\n\n"
	script(t, sid, map[string]any{"stream": map[string]any{"raw_events": []string{strings.Repeat(event, 50)}}})
	c := testClient(t, sid)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := c.CreateChatCompletionStream(ctx, userRequest("x"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	time.Sleep(100 * time.Millisecond) // let the whole answer arrive: the first Recv gets a big batch
	if _, err := s.Recv(); err != nil {
		t.Fatal(err)
	}
	cancel()
	_, err = s.Recv()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Recv after cancel: %v, want context.Canceled", err)
	}
	if _, err := s.Recv(); !errors.Is(err, context.Canceled) {
		t.Fatalf("the error is not sticky: %v", err)
	}
}

// The same right after cancel(), many streams at once: the engine must see the
// cancel before the next Recv asks it for more, whatever the AfterFunc goroutine
// is doing (found by the soak's concurrent phase).
func TestCancelledCtxStopsTheNextRecvUnderLoad(t *testing.T) {
	sid := newSession(t)
	c := testClient(t, sid)
	var wg sync.WaitGroup
	var bad atomic.Int64
	for g := 0; g < 50; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				req := userRequest("x")
				ctx, cancel := context.WithCancel(context.Background())
				s, err := c.CreateChatCompletionStream(ctx, req)
				if err != nil {
					cancel()
					bad.Add(1)
					continue
				}
				if _, err := s.Recv(); err != nil {
					bad.Add(1)
				}
				cancel()
				if _, err := s.Recv(); !errors.Is(err, context.Canceled) {
					bad.Add(1)
				}
				s.Close()
			}
		}()
	}
	wg.Wait()
	if n := bad.Load(); n > 0 {
		t.Fatalf("%d of 500 streams went on after cancel", n)
	}
}
