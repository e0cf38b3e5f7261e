package openai

// Runs every scenario in tests/conformance/scenarios (format: tests/conformance/README.md;
// the reference runner is core/tests/conformance.rs) through the Go API.
// go-openai has no per-call options, so a scenario's call options go into the
// client's configuration (one client per scenario): timeout_ms → Timeout,
// max_retries → MaxRetries, headers → DefaultHeaders; cancel_after_chunks
// closes the stream (go-openai's way to stop one; ctx cancellation has its own
// tests in client_test.go). Request keys the typed ChatCompletionRequest cannot
// carry (gateway fields, explicit zeros that omitempty drops) go in ExtraBody,
// the Go idiom for them.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

type scenario struct {
	Mock   []json.RawMessage `json:"mock"`
	Client struct {
		BaseURLSuffix    *string        `json:"base_url_suffix"`
		Backoff          string         `json:"backoff"`
		MaxRetries       *int           `json:"max_retries"`
		TimeoutMs        *float64       `json:"timeout_ms"`
		ConnectTimeoutMs *float64       `json:"connect_timeout_ms"`
		DeadlineMs       *float64       `json:"deadline_ms"`
		KeepaliveMs      *float64       `json:"keepalive_timeout_ms"`
		MaxBodyBytes     *int           `json:"max_body_bytes"`
		DefaultHeaders   map[string]any `json:"default_headers"`
		// Explicit retry delays (when either is given, the runner passes exactly those).
		InitialRetryDelayMs *float64 `json:"initial_retry_delay_ms"`
		MaxRetryDelayMs     *float64 `json:"max_retry_delay_ms"`
	} `json:"client"`
	Call struct {
		Op      string          `json:"op"`
		Request json.RawMessage `json:"request"`
		Options struct {
			TimeoutMs         *float64       `json:"timeout_ms"`
			MaxRetries        *int           `json:"max_retries"`
			DeadlineMs        *float64       `json:"deadline_ms"`
			KeepaliveMs       *float64       `json:"keepalive_timeout_ms"`
			Headers           map[string]any `json:"headers"`
			CancelAfterChunks *int           `json:"cancel_after_chunks"`
		} `json:"options"`
	} `json:"call"`
	Expect map[string]json.RawMessage `json:"expect"`
}

// outcome is what a call produced, in the scenarios' vocabulary.
type outcome struct {
	ok             bool
	content        *string
	reasoning      *string
	finishReason   *string
	chunkCount     int
	usage          any
	toolCalls      any
	modelIDs       []string
	embeddingCount int
	flagged        []bool
	status         *string
	outputTypes    []any
	functionCalls  []any
	err            error
	attempts       int
	// The route receipt: of the response, the stream after its end, or the error; the
	// stream's after its first chunk; what ClientConfig.OnReceipt got.
	receipt       *Receipt
	receiptDuring *Receipt
	hooked        *receiptLog
}

type receiptLog struct {
	mu  sync.Mutex
	got []Receipt
}

func (l *receiptLog) add(r Receipt) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.got = append(l.got, r)
}

func (l *receiptLog) all() []Receipt {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Receipt(nil), l.got...)
}

func receiptPtr(r Receipt) *Receipt { return &r }

// errReceipt is the receipt an error carries, through the public methods.
func errReceipt(err error) *Receipt {
	var apiErr *APIError
	var reqErr *RequestError
	switch {
	case errors.As(err, &apiErr):
		return receiptPtr(apiErr.Receipt())
	case errors.As(err, &reqErr):
		return receiptPtr(reqErr.Receipt())
	}
	return nil
}

// receiptWireOf is a Receipt in the scenarios' vocabulary (the core's wire names; a zero
// value is null, as this package gives an absent value).
func receiptWireOf(r *Receipt) map[string]any {
	if r == nil {
		return nil
	}
	nz := func(v any) any {
		switch x := v.(type) {
		case string:
			if x == "" {
				return nil
			}
		case int:
			if x == 0 {
				return nil
			}
			return float64(x)
		case float64:
			if x == 0 {
				return nil
			}
		case time.Duration:
			if x == 0 {
				return nil
			}
			return float64(x) / float64(time.Millisecond)
		case json.RawMessage:
			if x == nil {
				return nil
			}
			var out any
			_ = json.Unmarshal(x, &out)
			return out
		}
		return v
	}
	headers := []any{}
	for _, h := range r.GatewayHeaders {
		headers = append(headers, []any{h[0], h[1]})
	}
	attempts := []any{}
	for _, a := range r.Attempts {
		attempts = append(attempts, map[string]any{
			"model": nz(a.Model), "status": nz(a.Status), "error": nz(a.Error),
			"delay_ms": float64(a.Delay) / float64(time.Millisecond), "delay_reason": nz(a.DelayReason), "hedge": a.Hedge,
		})
	}
	return map[string]any{
		"model_requested": nz(r.ModelRequested), "model": nz(r.Model), "provider": nz(r.Provider),
		"request_id": nz(r.RequestID), "generation_id": nz(r.GenerationID), "gateway_headers": headers,
		"cache_status": nz(r.CacheStatus), "attempts": attempts,
		"fallback":              map[string]any{"fired": r.Fallback.Fired, "model": nz(r.Fallback.Model)},
		"hedge":                 map[string]any{"fired": r.Hedge.Fired, "model": nz(r.Hedge.Model), "hedge_won": r.Hedge.HedgeWon},
		"time_to_first_byte_ms": nz(r.TimeToFirstByte), "time_to_first_token_ms": nz(r.TimeToFirstToken),
		"total_time_ms": nz(r.TotalTime), "input_tokens": nz(r.InputTokens), "output_tokens": nz(r.OutputTokens),
		"usage": nz(r.Usage), "cost": nz(r.Cost), "cost_details": nz(r.CostDetails), "complete": r.Complete,
	}
}

// checkReceipt is expect.receipt / expect.receipt_during (tests/conformance/README.md).
func checkReceipt(what string, want map[string]any, r *Receipt, fail func(string, ...any)) {
	got := receiptWireOf(r)
	if got == nil {
		fail("%s: no receipt", what)
		return
	}
	for key, w := range want {
		actual := got[key]
		switch key {
		case "hook_calls":
		case "present":
			for _, k := range w.([]any) {
				if got[k.(string)] == nil {
					fail("%s.%s: expected a value, got null", what, k)
				}
			}
		case "min_time_to_first_token_ms":
			if t, ok := got["time_to_first_token_ms"].(float64); !ok || t < w.(float64) {
				fail("%s.time_to_first_token_ms: expected at least %v, got %v", what, w, got["time_to_first_token_ms"])
			}
		case "gateway_headers":
			for name, value := range w.(map[string]any) {
				found := false
				for _, pair := range actual.([]any) {
					p := pair.([]any)
					if p[0] == name && p[1] == value {
						found = true
					}
				}
				if !found {
					fail("%s.gateway_headers: expected %s: %v, got %v", what, name, value, actual)
				}
			}
		case "attempts":
			wa, ga := w.([]any), actual.([]any)
			if len(wa) != len(ga) {
				fail("%s.attempts: expected %d, got %v", what, len(wa), ga)
				continue
			}
			for i := range wa {
				g := ga[i].(map[string]any)
				for k, v := range wa[i].(map[string]any) {
					delay := g["delay_ms"].(float64)
					ok := false
					switch k {
					case "min_delay_ms":
						ok = delay >= v.(float64)
					case "max_delay_ms":
						ok = delay <= v.(float64)
					default:
						ok = subset(v, g[k])
					}
					if !ok {
						fail("%s.attempts[%d].%s: expected %v, got %v", what, i, k, v, g)
					}
				}
			}
		default:
			if !subset(w, actual) {
				fail("%s.%s: expected %v, got %v", what, key, w, actual)
			}
		}
	}
}

func scenarioFiles(t *testing.T) []string {
	dir := os.Getenv("ROUTERKIT_SCENARIOS")
	if dir == "" {
		dir = filepath.Join("..", "..", "tests", "conformance", "scenarios")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	sort.Strings(files)
	return files
}

// handledOps are the operations perform dispatches.
var handledOps = []string{"chat", "chat_stream", "models", "models.retrieve", "embeddings", "completions", "completions_stream", "moderations", "responses", "responses_stream"}

// runnerOps is this runner's explicit list in tests/conformance/runners.json: a
// scenario of another operation is skipped by that list only.
func runnerOps(t *testing.T) []string {
	text, err := os.ReadFile(filepath.Join("..", "..", "tests", "conformance", "runners.json"))
	if err != nil {
		t.Fatal(err)
	}
	var lists map[string][]string
	if err := json.Unmarshal(text, &lists); err != nil {
		t.Fatal(err)
	}
	return lists["go"]
}

func TestRunnerOperations(t *testing.T) {
	ops := runnerOps(t)
	if strings.Join(ops, ",") != strings.Join(handledOps, ",") {
		t.Fatalf("runners.json lists %v for go, the runner dispatches %v", ops, handledOps)
	}
}

func TestConformanceScenarios(t *testing.T) {
	files := scenarioFiles(t)
	if len(files) == 0 {
		t.Fatal("no scenarios in tests/conformance/scenarios")
	}
	ops := runnerOps(t)
	var skipped []string
	for _, f := range files {
		f := f
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var sc scenario
		if err := json.Unmarshal(text, &sc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		listed := false
		for _, op := range ops {
			listed = listed || op == sc.Call.Op
		}
		if !listed {
			skipped = append(skipped, name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			runScenario(t, &sc)
		})
	}
	t.Logf("%d scenarios of operations this runner lacks skipped (runners.json): %v", len(skipped), skipped)
}

// keysAt lists the keys of the object at JSON Pointer pointer in text, in the text's order.
func keysAt(text, pointer string) ([]string, bool) {
	raw := json.RawMessage(text)
	if pointer != "" {
		for _, part := range strings.Split(pointer, "/")[1:] {
			part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
			var obj map[string]json.RawMessage
			var arr []json.RawMessage
			var i int
			switch {
			case json.Unmarshal(raw, &obj) == nil:
				next, ok := obj[part]
				if !ok {
					return nil, false
				}
				raw = next
			case json.Unmarshal(raw, &arr) == nil:
				if _, err := fmt.Sscan(part, &i); err != nil || i < 0 || i >= len(arr) {
					return nil, false
				}
				raw = arr[i]
			default:
				return nil, false
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	keys := []string{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, false
		}
	}
	return keys, true
}

func strp(s string) *string { return &s }

func headerText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// conformanceKey is the key the scenarios expect in the authorization header.
const conformanceKey = "sk-test-conformance-key"

func scenarioClient(sid string, sc *scenario) *Client {
	cfg := DefaultConfig(conformanceKey)
	cfg.BaseURL = mockURL + "/v1"
	if sc.Client.BaseURLSuffix != nil {
		cfg.BaseURL = mockURL + *sc.Client.BaseURLSuffix
	}
	dur := func(msv *float64) time.Duration { return time.Duration(*msv * float64(time.Millisecond)) }
	if sc.Client.InitialRetryDelayMs != nil || sc.Client.MaxRetryDelayMs != nil {
		// Explicit delays: exactly those given; the core's rule resolves the other.
		if sc.Client.InitialRetryDelayMs != nil {
			cfg.InitialRetryDelay = dur(sc.Client.InitialRetryDelayMs)
		}
		if sc.Client.MaxRetryDelayMs != nil {
			cfg.MaxRetryDelay = dur(sc.Client.MaxRetryDelayMs)
		}
	} else if sc.Client.Backoff != "real" {
		cfg.InitialRetryDelay = time.Millisecond
		cfg.MaxRetryDelay = 5 * time.Millisecond
	}
	if sc.Client.MaxRetries != nil {
		cfg.MaxRetries = *sc.Client.MaxRetries
	}
	if sc.Client.TimeoutMs != nil {
		cfg.Timeout = dur(sc.Client.TimeoutMs)
	}
	if sc.Client.ConnectTimeoutMs != nil {
		cfg.ConnectTimeout = dur(sc.Client.ConnectTimeoutMs)
	}
	if sc.Client.KeepaliveMs != nil {
		cfg.KeepaliveTimeout = dur(sc.Client.KeepaliveMs)
	}
	if sc.Client.MaxBodyBytes != nil {
		cfg.MaxBodyBytes = *sc.Client.MaxBodyBytes
	}
	if sc.Client.DeadlineMs != nil {
		cfg.HTTPClient = &http.Client{Timeout: dur(sc.Client.DeadlineMs)}
	}
	cfg.DefaultHeaders = map[string]string{"x-mock-session": sid}
	for k, v := range sc.Client.DefaultHeaders {
		cfg.DefaultHeaders[k] = headerText(v)
	}
	o := sc.Call.Options
	if o.TimeoutMs != nil {
		cfg.Timeout = dur(o.TimeoutMs)
	}
	for k, v := range o.Headers {
		cfg.DefaultHeaders[k] = headerText(v)
	}
	return NewClientWithConfig(cfg)
}

func attemptsOf(err error) int {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.Attempts
	}
	var reqErr *RequestError
	if errors.As(err, &reqErr) {
		return reqErr.Attempts
	}
	return 0
}

func completionOutcome(c *ChatCompletionResponse, out *outcome) {
	if len(c.Choices) > 0 {
		m := c.Choices[0].Message
		out.content = strp(m.Content)
		if m.ReasoningContent != "" {
			out.reasoning = strp(m.ReasoningContent)
		} else if m.Reasoning != "" {
			out.reasoning = strp(m.Reasoning)
		}
		if c.Choices[0].FinishReason != "" {
			out.finishReason = strp(string(c.Choices[0].FinishReason))
		}
		if m.ToolCalls != nil {
			b, _ := json.Marshal(m.ToolCalls)
			_ = json.Unmarshal(b, &out.toolCalls)
		}
	}
	b, _ := json.Marshal(c.Usage)
	_ = json.Unmarshal(b, &out.usage)
}

// untypable: a request that Go's typed structs cannot even hold (a string
// temperature) is, in Go, a compile-time error; it counts as invalid_request
// with nothing sent.
func untypable(err error) outcome {
	field := ""
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field = te.Field
	}
	return outcome{err: &invalidRequestError{field: field, msg: err.Error()}}
}

// chatRequest decodes a scenario's request into the typed struct and puts what
// the struct cannot carry into ExtraBody.
//
// JSON Schemas go in as json.RawMessage, as go-openai users pass an order-sensitive
// schema (a response_format's schema, a tool's parameters): byte for byte.
func chatRequest(raw json.RawMessage) (ChatCompletionRequest, error) {
	var req ChatCompletionRequest
	var given map[string]json.RawMessage
	_ = json.Unmarshal(raw, &given)
	typable := raw
	if rf, has := given["response_format"]; has {
		// The struct's Schema is a json.Marshaler, which encoding/json cannot decode into.
		var f struct {
			Type       ChatCompletionResponseFormatType `json:"type"`
			JSONSchema *struct {
				Name        string          `json:"name"`
				Description string          `json:"description"`
				Strict      bool            `json:"strict"`
				Schema      json.RawMessage `json:"schema"`
			} `json:"json_schema"`
		}
		if err := json.Unmarshal(rf, &f); err != nil {
			return req, err
		}
		req.ResponseFormat = &ChatCompletionResponseFormat{Type: f.Type}
		if s := f.JSONSchema; s != nil {
			req.ResponseFormat.JSONSchema = &ChatCompletionResponseFormatJSONSchema{
				Name: s.Name, Description: s.Description, Strict: s.Strict, Schema: s.Schema,
			}
		}
		rest := map[string]json.RawMessage{}
		for k, v := range given {
			if k != "response_format" {
				rest[k] = v
			}
		}
		typable, _ = json.Marshal(rest)
	}
	if err := json.Unmarshal(typable, &req); err != nil {
		return req, err
	}
	if tools, has := given["tools"]; has {
		var params []struct {
			Function struct {
				Parameters json.RawMessage `json:"parameters"`
			} `json:"function"`
		}
		_ = json.Unmarshal(tools, &params)
		for i := range req.Tools {
			if i < len(params) && req.Tools[i].Function != nil && len(params[i].Function.Parameters) > 0 {
				req.Tools[i].Function.Parameters = params[i].Function.Parameters
			}
		}
	}
	typed, _ := json.Marshal(req)
	var carried map[string]json.RawMessage
	_ = json.Unmarshal(typed, &carried)
	for k, v := range given {
		if cv, ok := carried[k]; ok && bytes.Equal(compact(cv), compact(v)) {
			continue
		}
		if req.ExtraBody == nil {
			req.ExtraBody = map[string]any{}
		}
		// As given, bytes and key order kept (a decoded map would be sent sorted).
		req.ExtraBody[k] = v
	}
	return req, nil
}

// carried is what the typed request does not send as given (an explicit zero that
// omitempty drops, an unmodelled field), as ExtraBody carries it.
func carried(raw json.RawMessage, req any) map[string]any {
	var given, sent map[string]json.RawMessage
	_ = json.Unmarshal(raw, &given)
	typed, _ := json.Marshal(req)
	_ = json.Unmarshal(typed, &sent)
	var extra map[string]any
	for k, v := range given {
		if sv, ok := sent[k]; ok && bytes.Equal(compact(sv), compact(v)) {
			continue
		}
		if extra == nil {
			extra = map[string]any{}
		}
		extra[k] = v
	}
	return extra
}

func compact(b []byte) []byte {
	var out bytes.Buffer
	if json.Compact(&out, b) != nil {
		return b
	}
	return out.Bytes()
}

// fromResponse reads a Responses API response in the scenarios' vocabulary.
func fromResponse(r CreateResponseResponse, out *outcome, withContent bool) {
	if withContent {
		out.content = strp(r.GetOutputText())
	}
	out.status = strp(string(r.Status))
	out.outputTypes = []any{}
	out.functionCalls = []any{}
	var reasoning strings.Builder
	for _, item := range r.OutputItems() {
		out.outputTypes = append(out.outputTypes, item.Type)
		switch item.Type {
		case "function_call":
			out.functionCalls = append(out.functionCalls, map[string]any{"call_id": item.CallID, "name": item.Name, "arguments": item.Arguments})
		case "reasoning":
			for _, s := range item.Summary {
				reasoning.WriteString(s.Text)
			}
		}
	}
	if reasoning.Len() > 0 {
		out.reasoning = strp(reasoning.String())
	}
	if r.Usage != nil {
		b, _ := json.Marshal(r.Usage)
		_ = json.Unmarshal(b, &out.usage)
	}
}

func perform(t *testing.T, sid string, sc *scenario) outcome {
	out := outcome{hooked: &receiptLog{}}
	c := scenarioClient(sid, sc)
	c.config.OnReceipt = out.hooked.add
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Per-call options in Go's idiom: the context's deadline, WithMaxRetries.
	if o := sc.Call.Options; o.DeadlineMs != nil {
		var stop context.CancelFunc
		ctx, stop = context.WithTimeout(ctx, time.Duration(*o.DeadlineMs*float64(time.Millisecond)))
		defer stop()
	}
	if o := sc.Call.Options; o.MaxRetries != nil {
		ctx = WithMaxRetries(ctx, *o.MaxRetries)
	}
	if o := sc.Call.Options; o.KeepaliveMs != nil {
		ctx = WithKeepaliveTimeout(ctx, time.Duration(*o.KeepaliveMs*float64(time.Millisecond)))
	}
	switch sc.Call.Op {
	case "chat":
		req, err := chatRequest(sc.Call.Request)
		if err != nil {
			return untypable(err)
		}
		resp, err := c.CreateChatCompletion(ctx, req)
		_ = cancel
		if err != nil {
			out.err, out.attempts = err, attemptsOf(err)
			return out
		}
		out.ok, out.attempts = true, resp.Attempts
		out.receipt = receiptPtr(resp.Receipt())
		completionOutcome(&resp, &out)
		if resp.Usage == (Usage{}) {
			out.usage = nil
		}
	case "chat_stream":
		req, err := chatRequest(sc.Call.Request)
		if err != nil {
			return untypable(err)
		}
		stream, err := c.CreateChatCompletionStream(ctx, req)
		if err != nil {
			out.err, out.attempts = err, attemptsOf(err)
			return out
		}
		defer stream.Close()
		var content strings.Builder
		saw := false
		closed := false
		for {
			if n := sc.Call.Options.CancelAfterChunks; n != nil && out.chunkCount >= *n {
				// The caller stops reading: Close, as a go-openai user would.
				closed = true
				out.ok = true
				break
			}
			chunk, err := recvChecked(t, stream) // Recv, checked against json.Unmarshal of the chunk's text
			if err == io.EOF {
				out.ok = true
				break
			}
			if err != nil {
				out.err = err
				break
			}
			if out.receiptDuring == nil {
				out.receiptDuring = receiptPtr(stream.Receipt())
			}
			if len(chunk.Choices) > 0 || chunk.Usage != nil {
				out.chunkCount++
			}
			if len(chunk.Choices) > 0 && chunk.Choices[0].Delta.Content != "" {
				content.WriteString(chunk.Choices[0].Delta.Content)
				saw = true
			}
		}
		out.attempts = stream.Attempts()
		final, err := stream.FinalCompletion()
		if err != nil {
			t.Fatalf("final completion: %v", err)
		}
		if closed {
			stream.Close()
		}
		out.receipt = receiptPtr(stream.Receipt())
		completionOutcome(&final, &out)
		if final.Usage == (Usage{}) {
			out.usage = nil
		}
		out.content = nil
		if saw {
			out.content = strp(content.String())
		}
		if out.err != nil && attemptsOf(out.err) > out.attempts {
			out.attempts = attemptsOf(out.err)
		}
	case "models":
		models, err := c.ListModels(ctx)
		if err != nil {
			out.err, out.attempts = err, attemptsOf(err)
			return out
		}
		out.ok, out.attempts = true, models.Attempts
		out.receipt = receiptPtr(models.Receipt())
		for _, m := range models.Models {
			out.modelIDs = append(out.modelIDs, m.ID)
		}
	case "embeddings":
		var req EmbeddingRequest
		if err := json.Unmarshal(sc.Call.Request, &req); err != nil {
			return untypable(err)
		}
		resp, err := c.CreateEmbeddings(ctx, req)
		if err != nil {
			out.err, out.attempts = err, attemptsOf(err)
			return out
		}
		out.ok, out.attempts = true, resp.Attempts
		out.receipt = receiptPtr(resp.Receipt())
		out.embeddingCount = len(resp.Data)
	case "models.retrieve":
		var req struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(sc.Call.Request, &req); err != nil {
			return untypable(err)
		}
		m, err := c.GetModel(ctx, req.ID)
		if err != nil {
			out.err, out.attempts = err, attemptsOf(err)
			return out
		}
		out.ok, out.attempts = true, m.Attempts
		out.receipt = receiptPtr(m.Receipt())
		out.modelIDs = []string{m.ID}
	case "completions":
		var req CompletionRequest
		if err := json.Unmarshal(sc.Call.Request, &req); err != nil {
			return untypable(err)
		}
		req.ExtraBody = carried(sc.Call.Request, req)
		resp, err := c.CreateCompletion(ctx, req)
		if err != nil {
			out.err, out.attempts = err, attemptsOf(err)
			return out
		}
		out.ok, out.attempts = true, resp.Attempts
		out.receipt = receiptPtr(resp.Receipt())
		if len(resp.Choices) > 0 {
			out.content = strp(resp.Choices[0].Text)
			if resp.Choices[0].FinishReason != "" {
				out.finishReason = strp(resp.Choices[0].FinishReason)
			}
		}
		if resp.Usage != nil {
			b, _ := json.Marshal(resp.Usage)
			_ = json.Unmarshal(b, &out.usage)
		}
	case "completions_stream":
		var req CompletionRequest
		if err := json.Unmarshal(sc.Call.Request, &req); err != nil {
			return untypable(err)
		}
		req.ExtraBody = carried(sc.Call.Request, req)
		stream, err := c.CreateCompletionStream(ctx, req)
		if err != nil {
			out.err, out.attempts = err, attemptsOf(err)
			return out
		}
		defer stream.Close()
		var content strings.Builder
		for {
			chunk, err := stream.Recv()
			if err == io.EOF {
				out.ok = true
				break
			}
			if err != nil {
				out.err = err
				break
			}
			if out.receiptDuring == nil {
				out.receiptDuring = receiptPtr(stream.Receipt())
			}
			if len(chunk.Choices) > 0 || chunk.Usage != nil {
				out.chunkCount++
			}
			if chunk.Usage != nil {
				b, _ := json.Marshal(chunk.Usage)
				_ = json.Unmarshal(b, &out.usage)
			}
			if len(chunk.Choices) > 0 {
				content.WriteString(chunk.Choices[0].Text)
				if chunk.Choices[0].FinishReason != "" {
					out.finishReason = strp(chunk.Choices[0].FinishReason)
				}
			}
		}
		out.attempts = stream.Attempts()
		if out.err != nil && attemptsOf(out.err) > out.attempts {
			out.attempts = attemptsOf(out.err)
		}
		out.content = strp(content.String())
		out.receipt = receiptPtr(stream.Receipt())
	case "responses":
		var req CreateResponseRequest
		if err := json.Unmarshal(sc.Call.Request, &req); err != nil {
			return untypable(err)
		}
		req.ExtraBody = carried(sc.Call.Request, req)
		resp, err := c.CreateResponse(ctx, req)
		if err != nil {
			out.err, out.attempts = err, attemptsOf(err)
			return out
		}
		out.ok, out.attempts = true, resp.Attempts
		out.receipt = receiptPtr(resp.Receipt())
		fromResponse(resp, &out, true)
	case "responses_stream":
		var req CreateResponseRequest
		if err := json.Unmarshal(sc.Call.Request, &req); err != nil {
			return untypable(err)
		}
		req.ExtraBody = carried(sc.Call.Request, req)
		stream, err := c.CreateResponseStream(ctx, req)
		if err != nil {
			out.err, out.attempts = err, attemptsOf(err)
			return out
		}
		defer stream.Close()
		var content strings.Builder
		for {
			if n := sc.Call.Options.CancelAfterChunks; n != nil && out.chunkCount >= *n {
				out.ok = true
				break
			}
			event, err := stream.Recv()
			if err == io.EOF {
				out.ok = true
				break
			}
			if err != nil {
				out.err = err
				break
			}
			if out.receiptDuring == nil {
				out.receiptDuring = receiptPtr(stream.Receipt())
			}
			out.chunkCount++
			if event.Type == ResponseStreamEventOutputTextDelta {
				content.WriteString(event.Delta)
			}
		}
		out.attempts = stream.Attempts()
		if out.err != nil && attemptsOf(out.err) > out.attempts {
			out.attempts = attemptsOf(out.err)
		}
		if out.ok && sc.Call.Options.CancelAfterChunks == nil {
			final, err := stream.FinalResponse()
			if err != nil {
				t.Errorf("FinalResponse: %v", err)
			}
			fromResponse(final, &out, false)
		}
		if sc.Call.Options.CancelAfterChunks != nil {
			stream.Close()
		}
		out.receipt = receiptPtr(stream.Receipt())
		out.content = strp(content.String())
	case "moderations":
		var req ModerationRequest
		if err := json.Unmarshal(sc.Call.Request, &req); err != nil {
			return untypable(err)
		}
		resp, err := c.Moderations(ctx, req)
		if err != nil {
			out.err, out.attempts = err, attemptsOf(err)
			return out
		}
		out.ok, out.attempts = true, resp.Attempts
		out.receipt = receiptPtr(resp.Receipt())
		for _, r := range resp.Results {
			out.flagged = append(out.flagged, r.Flagged)
		}
	default:
		t.Fatalf("unknown op %q", sc.Call.Op)
	}
	return out
}

// subset: expected is contained in actual (objects: every key, recursively).
func subset(expected, actual any) bool {
	switch e := expected.(type) {
	case map[string]any:
		a, ok := actual.(map[string]any)
		if !ok {
			return false
		}
		for k, v := range e {
			av, ok := a[k]
			if !ok || !subset(v, av) {
				return false
			}
		}
		return true
	case []any:
		a, ok := actual.([]any)
		if !ok || len(a) != len(e) {
			return false
		}
		for i := range e {
			if !subset(e[i], a[i]) {
				return false
			}
		}
		return true
	default:
		eb, _ := json.Marshal(expected)
		ab, _ := json.Marshal(actual)
		return bytes.Equal(eb, ab)
	}
}

func runScenario(t *testing.T, sc *scenario) {
	sid := newSession(t)
	steps := sc.Mock
	if steps == nil {
		steps = []json.RawMessage{}
	}
	stepsAny := make([]any, len(steps))
	for i, s := range steps {
		stepsAny[i] = s
	}
	script(t, sid, stepsAny...)
	start := time.Now()
	out := perform(t, sid, sc)
	elapsed := time.Since(start)
	if out.receipt == nil && out.err != nil {
		out.receipt = errReceipt(out.err)
	}
	e := map[string]any{}
	for k, v := range sc.Expect {
		var x any
		_ = json.Unmarshal(v, &x)
		e[k] = x
	}
	fail := func(format string, args ...any) { t.Errorf(format, args...) }
	if ok, has := e["ok"].(bool); has && ok != out.ok {
		fail("ok: expected %v, got %v (error: %v)", ok, out.ok, out.err)
	}
	strField := func(key string, actual *string) {
		v, has := e[key]
		if !has {
			return
		}
		want, _ := v.(string)
		isNil := v == nil
		switch {
		case isNil && actual != nil && *actual != "":
			fail("%s: expected null, got %q", key, *actual)
		case !isNil && (actual == nil || *actual != want):
			fail("%s: expected %q, got %v", key, want, deref(actual))
		}
	}
	strField("content", out.content)
	strField("content_before_error", out.content)
	strField("reasoning", out.reasoning)
	if n, has := e["content_length"].(float64); has && (out.content == nil || utf8.RuneCountInString(*out.content) != int(n)) {
		got := -1
		if out.content != nil {
			got = utf8.RuneCountInString(*out.content)
		}
		fail("content_length: expected %v, got %d", n, got)
	}
	strField("finish_reason", out.finishReason)
	strField("status", out.status)
	if want, has := e["output_types"]; has && !subset(want, out.outputTypes) {
		fail("output_types: expected %v, got %v", want, out.outputTypes)
	}
	if want, has := e["function_calls"]; has && !subset(want, out.functionCalls) {
		fail("function_calls: expected %v, got %v", want, out.functionCalls)
	}
	for _, key := range []string{"chunk_count", "chunks_before_error"} {
		if n, has := e[key].(float64); has && int(n) != out.chunkCount {
			fail("%s: expected %v, got %d", key, n, out.chunkCount)
		}
	}
	if u, has := e["usage"]; has && !subset(u, out.usage) {
		fail("usage: expected %v, got %v", u, out.usage)
	}
	if tc, has := e["tool_calls"]; has && !subset(tc, out.toolCalls) {
		fail("tool_calls: expected %v, got %v", tc, out.toolCalls)
	}
	if ids, has := e["model_ids"]; has {
		got := make([]any, len(out.modelIDs))
		for i, id := range out.modelIDs {
			got[i] = id
		}
		if !subset(ids, got) {
			fail("model_ids: expected %v, got %v", ids, out.modelIDs)
		}
	}
	if want, has := e["moderation_flagged"].([]any); has && fmt.Sprint(want) != fmt.Sprint(boolsAny(out.flagged)) {
		fail("moderation_flagged: expected %v, got %v", want, out.flagged)
	}
	if n, has := e["embedding_count"].(float64); has && int(n) != out.embeddingCount {
		fail("embedding_count: expected %v, got %d", n, out.embeddingCount)
	}
	if want, has := e["receipt"].(map[string]any); has {
		checkReceipt("receipt", want, out.receipt, fail)
		if n, has := want["hook_calls"].(float64); has {
			hooked := out.hooked.all()
			if len(hooked) != int(n) {
				fail("receipt.hook_calls: expected %v, got %d", n, len(hooked))
			}
			for i := range hooked {
				checkReceipt("hook receipt", want, &hooked[i], fail)
			}
		}
	}
	if want, has := e["receipt_during"].(map[string]any); has {
		checkReceipt("receipt_during", want, out.receiptDuring, fail)
	}
	if n, has := e["attempts"].(float64); has && int(n) != out.attempts {
		fail("attempts: expected %v, got %d (%v)", n, out.attempts, out.err)
	}
	if want, has := e["error"].(map[string]any); has {
		checkError(t, want, out.err)
	}
	var reqs []map[string]any
	fetch := func() {
		resp, err := http.Get(mockURL + "/__mock/sessions/" + sid + "/requests")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		reqs = nil
		_ = json.NewDecoder(resp.Body).Decode(&reqs)
	}
	fetch()
	if e["client_disconnected"] == true {
		if !waitFor(3*time.Second, func() bool {
			fetch()
			for _, r := range reqs {
				if r["client_disconnected"] == true {
					return true
				}
			}
			return false
		}) {
			fail("client_disconnected: the mock did not see the client go away")
		}
	}
	if wants, has := e["requests"].([]any); has {
		wantsDisconnect := false
		for _, w := range wants {
			if m, ok := w.(map[string]any); ok && m["client_disconnected"] == true {
				wantsDisconnect = true
			}
		}
		if wantsDisconnect {
			waitFor(3*time.Second, func() bool {
				fetch()
				for _, r := range reqs {
					if r["client_disconnected"] == true {
						return true
					}
				}
				return false
			})
		}
		for i, w := range wants {
			w := w.(map[string]any)
			if i >= len(reqs) {
				fail("requests[%d]: not received", i)
				continue
			}
			got := reqs[i]
			for _, key := range []string{"method", "path"} {
				if v, has := w[key]; has && got[key] != v {
					fail("requests[%d].%s: expected %v, got %v", i, key, v, got[key])
				}
			}
			if hs, ok := w["headers"].(map[string]any); ok {
				gh, _ := got["headers"].(map[string]any)
				for k, v := range hs {
					if gh[strings.ToLower(k)] != v {
						fail("requests[%d].headers.%s: expected %v, got %v", i, k, v, gh[strings.ToLower(k)])
					}
				}
			}
			if sub, has := w["body_subset"]; has && !subset(sub, got["body"]) {
				fail("requests[%d].body: expected to contain %v, got %v", i, sub, got["body"])
			}
			if orders, ok := w["body_key_order"].(map[string]any); ok {
				text, _ := got["body_text"].(string)
				for pointer, want := range orders {
					keys, _ := keysAt(text, pointer)
					if fmt.Sprint(keys) != fmt.Sprint(want) {
						fail("requests[%d].body_key_order %q: expected %v, got %v", i, pointer, want, keys)
					}
				}
			}
			if absent, ok := w["body_absent"].([]any); ok {
				body, _ := got["body"].(map[string]any)
				for _, k := range absent {
					if _, present := body[k.(string)]; present {
						fail("requests[%d].body: %v should be absent", i, k)
					}
				}
			}
			if v, has := w["client_disconnected"]; has && got["client_disconnected"] != v {
				fail("requests[%d].client_disconnected: expected %v, got %v", i, v, got["client_disconnected"])
			}
		}
	}
	if n, has := e["request_count"].(float64); has && int(n) != len(reqs) {
		fail("request_count: expected %v, got %d", n, len(reqs))
	}
	if v, has := e["max_elapsed_ms"].(float64); has && elapsed > time.Duration(v*float64(time.Millisecond)) {
		fail("took %v, more than %vms", elapsed, v)
	}
	if v, has := e["min_elapsed_ms"].(float64); has && elapsed < time.Duration(v*float64(time.Millisecond)) {
		fail("took %v, less than %vms", elapsed, v)
	}
}

func deref(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// checkError compares an error with the scenario's expected error, through the Go shapes.
func checkError(t *testing.T, want map[string]any, err error) {
	if err == nil {
		t.Errorf("expected error %v, got success", want)
		return
	}
	if kind, ok := want["kind"].(string); ok {
		if got := ErrorKind(err); got != kind {
			t.Errorf("error.kind: expected %s, got %q (%T %v)", kind, got, err, err)
		}
		// The Go shape for each kind.
		var apiErr *APIError
		var reqErr *RequestError
		switch kind {
		case "status", "stream":
			if !errors.As(err, &apiErr) {
				t.Errorf("kind %s: expected *APIError, got %T", kind, err)
			}
		case "connection", "timeout", "cancelled":
			if !errors.As(err, &reqErr) {
				t.Errorf("kind %s: expected *RequestError, got %T", kind, err)
			}
			if kind == "cancelled" && !errors.Is(err, context.Canceled) {
				t.Errorf("cancelled: errors.Is(err, context.Canceled) is false: %v", err)
			}
		}
	}
	var apiErr *APIError
	isAPI := errors.As(err, &apiErr)
	if status, ok := want["status"].(float64); ok && (!isAPI || apiErr.HTTPStatusCode != int(status)) {
		t.Errorf("error.status: expected %v, got %T %v", status, err, err)
	}
	if code, ok := want["code"]; ok && code != nil {
		if !isAPI || fmt.Sprint(apiErr.Code) != fmt.Sprint(code) {
			t.Errorf("error.code: expected %v, got %v", code, err)
		}
	}
	if typ, ok := want["type"].(string); ok && (!isAPI || apiErr.Type != typ) {
		t.Errorf("error.type: expected %s, got %v", typ, err)
	}
	if param, ok := want["param"].(string); ok && (!isAPI || apiErr.Param == nil || *apiErr.Param != param) {
		t.Errorf("error.param: expected %s, got %v", param, err)
	}
	if rid, ok := want["request_id"].(string); ok && (!isAPI || apiErr.RequestID != rid) {
		t.Errorf("error.request_id: expected %s, got %v", rid, err)
	}
	if ra, ok := want["retry_after_ms"].(float64); ok && (!isAPI || apiErr.RetryAfter != time.Duration(ra*float64(time.Millisecond))) {
		t.Errorf("error.retry_after_ms: expected %v, got %v", ra, err)
	}
	if m, ok := want["message_contains"].(string); ok && !strings.Contains(err.Error(), m) {
		t.Errorf("error.message: expected to contain %q, got %q", m, err.Error())
	}
	if m, ok := want["message_not_contains"].(string); ok && (strings.Contains(err.Error(), m) || strings.Contains(fmt.Sprintf("%+v", err), m)) {
		t.Errorf("error.message: expected not to contain %q, got %q", m, err.Error())
	}
}

func boolsAny(b []bool) []any {
	out := make([]any, len(b))
	for i, v := range b {
		out[i] = v
	}
	return out
}
