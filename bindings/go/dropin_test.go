package openai

// Issue 17, Go: the silent differences from go-openai, each pinned against
// the mock gateway (or, for pure decoding rules, against go-openai's rules).

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/routerkit/routerkit/bindings/go/jsonschema"
)

func TestStreamFalseIsSentAsGoOpenAISendsIt(t *testing.T) {
	sid := newSession(t)
	c := testClient(t, sid)
	if _, err := c.CreateChatCompletion(context.Background(), userRequest("plain")); err != nil {
		t.Fatal(err)
	}
	stream, err := c.CreateChatCompletionStream(context.Background(), userRequest("streamed"))
	if err != nil {
		t.Fatal(err)
	}
	stream.Close()
	reqs := requests(t, sid)
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	var plain, streamed map[string]json.RawMessage
	_ = json.Unmarshal(reqs[0].Body, &plain)
	_ = json.Unmarshal(reqs[1].Body, &streamed)
	if string(plain["stream"]) != "false" || string(streamed["stream"]) != "true" {
		t.Fatalf("stream: plain %s, streamed %s", plain["stream"], streamed["stream"])
	}
}

func TestConfigStringNeverShowsTheKeyWhole(t *testing.T) {
	for _, key := range []string{"k", "ab", "abcd", "sk-12345", "sk-123456", "sk-0123456789abcdef", "ключ-секрет"} {
		cfg := DefaultConfig(key)
		n := len([]rune(key))
		want := string([]rune(key)[:min(8, n/2)]) + "…"
		for _, text := range []string{cfg.String(), fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprint(NewClientWithConfig(cfg))} {
			if strings.Contains(text, "authToken: "+key) {
				t.Fatalf("key %q shown whole: %s", key, text)
			}
			if !strings.Contains(text, "authToken: "+want+",") {
				t.Fatalf("key %q: want %q in %s", key, want, text)
			}
		}
	}
}

func TestAPIErrorUnmarshalJSONRejectsWhatGoOpenAIRejects(t *testing.T) {
	for _, body := range []string{
		`[]`, `"x"`, `{}`, // not an object; no message
		`{"type":"t"}`,                        // no message
		`{"message":1}`,                       // neither a string nor strings
		`{"message":["a",1]}`,                 // not all strings
		`{"message":"m","type":5}`,            // type not a string
		`{"message":"m","param":3}`,           // param not a string
		`{"message":"m","innererror":"oops"}`, // innererror not an object
	} {
		var e APIError
		if err := json.Unmarshal([]byte(body), &e); err == nil {
			t.Errorf("%s accepted: %+v", body, e)
		}
	}
	accepted := map[string]func(APIError) bool{
		`{"message":null,"type":null}`:          func(e APIError) bool { return e.Message == "" },
		`{"message":["a","b"]}`:                 func(e APIError) bool { return e.Message == "a, b" },
		`{"message":"m","code":429}`:            func(e APIError) bool { return e.Code == 429 },
		`{"message":"m","code":"rate_limited"}`: func(e APIError) bool { return e.Code == "rate_limited" },
		`{"message":"m","param":"prompt","innererror":{"code":"ResponsibleAIPolicyViolation","content_filter_result":{"hate":{"filtered":true,"severity":"high"}}}}`: func(e APIError) bool {
			return *e.Param == "prompt" && e.InnerError.Code == "ResponsibleAIPolicyViolation" && e.InnerError.ContentFilterResults.Hate.Filtered
		},
	}
	for body, ok := range accepted {
		var e APIError
		if err := json.Unmarshal([]byte(body), &e); err != nil || !ok(e) {
			t.Errorf("%s: %v %+v", body, err, e)
		}
	}
}

// An HTTPClient setting the engine cannot apply fails every call before
// anything is sent, with the field and what to use instead.
func TestHTTPClientSettingsTheEngineCannotApplyAreRefused(t *testing.T) {
	pool := x509.NewCertPool()
	fixed, _ := url.Parse("http://user:secret@proxy.test:3128")
	cases := []struct {
		name   string
		client HTTPDoer
		advice string
	}{
		{"doer", doerFunc(func(*http.Request) (*http.Response, error) { return nil, nil }), "DefaultHeaders"},
		{"round tripper", &http.Client{Transport: roundTripperFunc(func(*http.Request) (*http.Response, error) { return nil, nil })}, "DefaultHeaders"},
		{"root CAs", &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}, "TLSCACertPEM"},
		{"insecure", &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}, "TLSCACertPEM"},
		{"client certs", &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{Certificates: []tls.Certificate{{}}}}}, "Certificates"},
		{"server name", &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{ServerName: "other.test"}}}, "ServerName"},
		{"fixed proxy", &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(fixed)}}, "HTTPS_PROXY"},
		{"pool tuning", &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}, "MaxIdleConnsPerHost"},
		{"header timeout", &http.Client{Transport: &http.Transport{ResponseHeaderTimeout: time.Second}}, "ClientConfig.Timeout"},
		{"jar", &http.Client{Jar: jarStub{}}, "Cookie"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sid := newSession(t)
			cfg := testConfig(sid)
			cfg.HTTPClient = tc.client
			c := NewClientWithConfig(cfg)
			defer c.Close()
			_, err := c.CreateChatCompletion(context.Background(), userRequest("x"))
			if InvalidField(err) != "http_client" || !strings.Contains(err.Error(), tc.advice) {
				t.Fatalf("%v", err)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Fatalf("proxy password shown: %v", err)
			}
			if _, err := c.ListModels(context.Background()); InvalidField(err) != "http_client" {
				t.Fatalf("models: %v", err)
			}
			if n := len(requests(t, sid)); n != 0 {
				t.Fatalf("%d requests reached the gateway", n)
			}
		})
	}
}

// What the engine does anyway is accepted: DefaultTransport's clone, the
// environment's proxy, ServerName = BaseURL's host, TLS 1.2 minimum.
func TestHTTPClientSettingsTheEngineAppliesAreAccepted(t *testing.T) {
	clone := http.DefaultTransport.(*http.Transport).Clone()
	clone.TLSClientConfig = &tls.Config{ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	for name, client := range map[string]HTTPDoer{
		"nil":        nil,
		"default":    &http.Client{},
		"clone":      &http.Client{Transport: clone, Timeout: 10 * time.Second},
		"env proxy":  &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment}},
		"default rt": &http.Client{Transport: http.DefaultTransport},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := testConfig(newSession(t))
			cfg.HTTPClient = client
			c := NewClientWithConfig(cfg)
			defer c.Close()
			if _, err := c.CreateChatCompletion(context.Background(), userRequest("x")); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// With a proxy in the environment, the engine uses it: a Transport that says
// "no proxy" (nil Proxy) or another proxy is refused, the same proxy accepted.
func TestHTTPClientProxyMustAgreeWithTheEnvironment(t *testing.T) {
	proxy, _ := url.Parse("http://proxy.test:3128")
	saved := envProxy
	envProxy = func(*http.Request) (*url.URL, error) { return proxy, nil }
	t.Cleanup(func() { envProxy = saved })
	other, _ := url.Parse("http://other.test:8080")
	check := func(tr *http.Transport) error {
		cfg := DefaultConfig(testKey)
		cfg.BaseURL = "https://gateway.test/v1"
		cfg.HTTPClient = &http.Client{Transport: tr}
		return checkConfig(cfg)
	}
	for name, tr := range map[string]*http.Transport{"nil proxy": {}, "other proxy": {Proxy: http.ProxyURL(other)}} {
		if err := check(tr); InvalidField(err) != "http_client" || !strings.Contains(err.Error(), "HTTPS_PROXY") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := check(&http.Transport{Proxy: http.ProxyURL(proxy)}); err != nil {
		t.Errorf("same proxy: %v", err)
	}
}

func TestAzureAndAnthropicConfigsFailWithWhatToUse(t *testing.T) {
	cfg := DefaultAzureConfig(testKey, mockURL)
	if cfg.APIType != APITypeAzure || cfg.APIVersion != "2023-05-15" || cfg.GetAzureDeploymentByModel("gpt-3.5-turbo") != "gpt-35-turbo" || cfg.GetAzureDeploymentByModel("gpt-4.1") != "gpt-4.1" {
		t.Fatalf("%+v", cfg)
	}
	for _, cfg := range []ClientConfig{cfg, DefaultAnthropicConfig(testKey, mockURL)} {
		c := NewClientWithConfig(cfg)
		_, err := c.CreateChatCompletion(context.Background(), userRequest("x"))
		if InvalidField(err) != "api_type" || !strings.Contains(err.Error(), "DefaultConfig") {
			t.Fatalf("%v", err)
		}
		c.Close()
	}
}

func TestTimeoutsAreOSTimeouts(t *testing.T) {
	sid := newSession(t)
	cfg := testConfig(sid)
	cfg.MaxRetries = 0
	cfg.HTTPClient = &http.Client{Timeout: 200 * time.Millisecond}
	c := NewClientWithConfig(cfg)
	defer c.Close()
	script(t, sid, map[string]any{"delay_headers_ms": 2000}, map[string]any{"delay_headers_ms": 2000})
	_, err := c.CreateChatCompletion(context.Background(), userRequest("slow"))
	var reqErr *RequestError
	if !errors.As(err, &reqErr) || !os.IsTimeout(err) {
		t.Fatalf("deadline: %T %v", err, err)
	}
	c2 := testClient(t, sid)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err = c2.CreateChatCompletion(ctx, userRequest("slow"))
	if !os.IsTimeout(err) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ctx deadline: %T %v", err, err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if _, err = c2.CreateChatCompletion(ctx, userRequest("x")); os.IsTimeout(err) {
		t.Fatalf("a cancel is not a timeout: %v", err)
	}
}

func TestRateLimitHeaders(t *testing.T) {
	sid := newSession(t)
	c := testClient(t, sid)
	limits := map[string]any{
		"x-ratelimit-limit-requests": 60, "x-ratelimit-limit-tokens": 150000,
		"x-ratelimit-remaining-requests": 59, "x-ratelimit-remaining-tokens": 149984,
		"x-ratelimit-reset-requests": "1s", "x-ratelimit-reset-tokens": "6m0s",
	}
	script(t, sid, map[string]any{"headers": limits}, map[string]any{"headers": limits})
	resp, err := c.CreateChatCompletion(context.Background(), userRequest("x"))
	if err != nil {
		t.Fatal(err)
	}
	want := RateLimitHeaders{60, 150000, 59, 149984, "1s", "6m0s"}
	if got := resp.GetRateLimitHeaders(); got != want {
		t.Fatalf("%+v", got)
	}
	stream, err := c.CreateChatCompletionStream(context.Background(), userRequest("x"))
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	if got := stream.GetRateLimitHeaders(); got != want || stream.Header().Get("x-ratelimit-reset-tokens") != "6m0s" {
		t.Fatalf("stream %+v", got)
	}
	if d := time.Until(want.ResetTokens.Time()); d < 5*time.Minute || d > 6*time.Minute {
		t.Fatalf("reset %v", d)
	}
}

// go-openai's checks run before anything is sent, with its sentinel errors.
func TestReasoningModelAndEndpointChecks(t *testing.T) {
	sid := newSession(t)
	c := testClient(t, sid)
	msg := []ChatCompletionMessage{{Role: ChatMessageRoleUser, Content: "x"}}
	cases := []struct {
		req  ChatCompletionRequest
		want error
	}{
		{ChatCompletionRequest{Model: GPT3TextDavinci003, Messages: msg}, ErrChatCompletionInvalidModel},
		{ChatCompletionRequest{Model: O3Mini, Messages: msg, MaxTokens: 10}, ErrReasoningModelMaxTokensDeprecated},
		{ChatCompletionRequest{Model: O1, Messages: msg, LogProbs: true}, ErrReasoningModelLimitationsLogprobs},
		{ChatCompletionRequest{Model: GPT5Mini, Messages: msg, Temperature: 0.5}, ErrReasoningModelLimitationsOther},
		{ChatCompletionRequest{Model: O4Mini, Messages: msg, N: 2}, ErrReasoningModelLimitationsOther},
		{ChatCompletionRequest{Model: GPT6Astra, Messages: msg, ReasoningEffort: ReasoningEffortNone}, ErrReasoningEffortUnsupported},
		{ChatCompletionRequest{Model: GPT6Sol, Messages: msg, Tools: []Tool{{Type: ToolTypeFunction, Function: &FunctionDefinition{Name: "f"}}}}, ErrReasoningToolsRequireResponses},
		{ChatCompletionRequest{Model: GPT6Luna, Messages: msg, TopP: 0.5}, ErrReasoningSamplingUnsupported},
	}
	for _, tc := range cases {
		if _, err := c.CreateChatCompletion(context.Background(), tc.req); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.req.Model, err, tc.want)
		}
		if _, err := c.CreateChatCompletionStream(context.Background(), tc.req); !errors.Is(err, tc.want) {
			t.Errorf("%s stream: %v, want %v", tc.req.Model, err, tc.want)
		}
	}
	if n := len(requests(t, sid)); n != 0 {
		t.Fatalf("%d requests reached the gateway", n)
	}
	// Allowed: a reasoning model with max_completion_tokens; a gateway id is not checked.
	for _, req := range []ChatCompletionRequest{
		{Model: O3Mini, Messages: msg, MaxCompletionTokens: 10, Temperature: 1},
		{Model: GPT6Sol, Messages: msg, ReasoningEffort: ReasoningEffortNone, Temperature: 0.2},
		{Model: "openai/o3-mini", Messages: msg, MaxTokens: 10},
	} {
		if _, err := c.CreateChatCompletion(context.Background(), req); err != nil {
			t.Errorf("%s: %v", req.Model, err)
		}
	}
}

type answer struct {
	Reasoning string `json:"reasoning" description:"think first"`
	Verdict   string `json:"verdict" enum:"yes,no"`
	Score     int    `json:"score,omitempty"`
}

func TestJSONSchemaResponseFormatRoundTripsAndVerifies(t *testing.T) {
	schema, err := jsonschema.GenerateSchemaForType(answer{})
	if err != nil {
		t.Fatal(err)
	}
	if schema.Type != jsonschema.Object || len(schema.Required) != 2 || schema.Properties["verdict"].Enum[1] != "no" || schema.Properties["score"].Type != jsonschema.Integer {
		t.Fatalf("%+v", schema)
	}
	format := ChatCompletionResponseFormat{Type: ChatCompletionResponseFormatTypeJSONSchema,
		JSONSchema: &ChatCompletionResponseFormatJSONSchema{Name: "answer", Schema: schema, Strict: true}}
	first, err := json.Marshal(format)
	if err != nil {
		t.Fatal(err)
	}
	var back ChatCompletionResponseFormat
	if err := json.Unmarshal(first, &back); err != nil {
		t.Fatal(err)
	}
	second, _ := json.Marshal(back)
	if string(first) != string(second) || back.JSONSchema.Name != "answer" || !back.JSONSchema.Strict {
		t.Fatalf("%s\n%s", first, second)
	}
	// The schema reaches the gateway, and the answer is checked against it.
	sid := newSession(t)
	c := testClient(t, sid)
	script(t, sid, map[string]any{"content": `{"reasoning":"because","verdict":"yes"}`}, map[string]any{"content": `{"verdict":"maybe"}`})
	req := userRequest("judge")
	req.ResponseFormat = &format
	var got answer
	for i, wantErr := range []bool{false, true} {
		resp, err := c.CreateChatCompletion(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		err = schema.Unmarshal(resp.Choices[0].Message.Content, &got)
		if (err != nil) != wantErr {
			t.Fatalf("answer %d: %v", i, err)
		}
	}
	if got.Verdict != "yes" || got.Reasoning != "because" {
		t.Fatalf("%+v", got)
	}
	sent := requests(t, sid)[0].Body
	var body struct {
		ResponseFormat json.RawMessage `json:"response_format"`
	}
	_ = json.Unmarshal(sent, &body)
	if !strings.Contains(string(body.ResponseFormat), `"enum":["yes","no"]`) {
		t.Fatalf("sent %s", body.ResponseFormat)
	}
}

func TestEmbeddingsAsGoOpenAIHasThem(t *testing.T) {
	sid := newSession(t)
	c := testClient(t, sid)
	req := EmbeddingRequestStrings{Input: []string{"a", "b"}, Model: SmallEmbedding3, ExtraBody: map[string]any{"input_type": "query"}}
	floats, err := c.CreateEmbeddings(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	req.EncodingFormat = EmbeddingEncodingFormatBase64
	b64, err := c.CreateEmbeddings(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	d1, err1 := floats.Data[0].DotProduct(&floats.Data[1])
	d2, err2 := b64.Data[0].DotProduct(&b64.Data[1])
	if err1 != nil || err2 != nil || d1 != d2 || d1 == 0 {
		t.Fatalf("%v %v %v %v", d1, d2, err1, err2)
	}
	if _, err := floats.Data[0].DotProduct(&Embedding{Embedding: []float32{1}}); !errors.Is(err, ErrVectorLengthMismatch) {
		t.Fatal(err)
	}
	for _, r := range requests(t, sid) {
		var body map[string]any
		_ = json.Unmarshal(r.Body, &body)
		if body["input_type"] != "query" || body["extra_body"] != nil {
			t.Fatalf("body %s", r.Body)
		}
	}
	resp := EmbeddingResponseBase64{Data: []Base64Embedding{{Embedding: "AACAPwAAAEA="}}}
	conv, err := resp.ToEmbeddingResponse()
	if err != nil || len(conv.Data[0].Embedding) != 2 || conv.Data[0].Embedding[1] != 2 {
		t.Fatalf("%v %+v", err, conv)
	}
	if _, err := (&EmbeddingResponseBase64{Data: []Base64Embedding{{Embedding: "!"}}}).ToEmbeddingResponse(); err == nil {
		t.Fatal("bad base64 accepted")
	}
}

type doerFunc func(*http.Request) (*http.Response, error)

func (f doerFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

type jarStub struct{}

func (jarStub) SetCookies(*url.URL, []*http.Cookie) {}
func (jarStub) Cookies(*url.URL) []*http.Cookie     { return nil }

func TestCompletionModerationAndFineTuningChecksAsGoOpenAIHasThem(t *testing.T) {
	sid := newSession(t)
	c := testClient(t, sid)
	ctx := context.Background()
	refused := []struct {
		req  CompletionRequest
		want error
	}{
		{CompletionRequest{Model: GPT4o, Prompt: "chat-only model"}, ErrCompletionUnsupportedModel},
		{CompletionRequest{Model: O3Mini, Prompt: "reasoning model"}, ErrCompletionUnsupportedModel},
		{CompletionRequest{Model: GPT3Dot5TurboInstruct, Prompt: 5}, ErrCompletionRequestPromptTypeNotSupported},
		{CompletionRequest{Model: GPT3Dot5TurboInstruct, Prompt: []any{"a", 1}}, ErrCompletionRequestPromptTypeNotSupported},
		{CompletionRequest{Model: GPT3Dot5TurboInstruct}, ErrCompletionRequestPromptTypeNotSupported},
	}
	for _, r := range refused {
		if _, err := c.CreateCompletion(ctx, r.req); !errors.Is(err, r.want) {
			t.Errorf("CreateCompletion(%+v): %v, want %v", r.req, err, r.want)
		}
		if _, err := c.CreateCompletionStream(ctx, r.req); !errors.Is(err, r.want) {
			t.Errorf("CreateCompletionStream(%+v): %v, want %v", r.req, err, r.want)
		}
	}
	// A missing prompt is also the engine's invalid request, naming the field.
	_, err := c.CreateCompletion(ctx, CompletionRequest{Model: GPT3Dot5TurboInstruct})
	if ErrorKind(err) != "invalid_request" || InvalidField(err) != "prompt" {
		t.Errorf("missing prompt: kind %q field %q (%v)", ErrorKind(err), InvalidField(err), err)
	}
	// go-openai checks before it looks at the context.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.CreateCompletionStream(cancelled, refused[0].req); !errors.Is(err, ErrCompletionUnsupportedModel) {
		t.Errorf("CreateCompletionStream with a cancelled context: %v", err)
	}
	for _, model := range []string{"gpt-4o", "text-moderation-001"} {
		if _, err := c.Moderations(ctx, ModerationRequest{Model: model, Input: "x"}); !errors.Is(err, ErrModerationInvalidModel) {
			t.Errorf("Moderations(%q): %v, want ErrModerationInvalidModel", model, err)
		}
	}
	if _, err := c.DeleteFineTuneModel(ctx, "ft:gpt-4o:acme:1"); !errors.Is(err, ErrFineTuningNotSupported) {
		t.Errorf("DeleteFineTuneModel: %v", err)
	}
	if n := len(requests(t, sid)); n != 0 {
		t.Fatalf("refused calls sent %d requests", n)
	}
	// A gateway id, and a prompt of strings held in []any, are sent.
	resp, err := c.CreateCompletion(ctx, CompletionRequest{Model: "openai/gpt-4o", Prompt: []any{"two", "strings"}})
	if err != nil || resp.Choices[0].Text != "Hello from routerkit-mock! You said: two strings" {
		t.Fatalf("gateway id: %+v, %v", resp, err)
	}
	// Moderations: a gateway id and go-openai's own names are sent.
	for _, model := range []string{"openai/omni-moderation-latest", ModerationOmniLatest, ""} {
		if _, err := c.Moderations(ctx, ModerationRequest{Model: model, Input: "hello"}); err != nil {
			t.Errorf("Moderations(%q): %v", model, err)
		}
	}
}
