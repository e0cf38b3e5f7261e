package openai

/*
#include <stdlib.h>
#include "routerkit.h"
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"time"
	"unsafe"

	json "github.com/goccy/go-json"
)

// Client talks to one gateway through routerkit's engine. Safe for concurrent
// use; share one. Close frees it at once (optional: a finalizer frees it too).
type Client struct {
	config  ClientConfig
	mu      sync.RWMutex // held for reading during calls, for writing by Close
	handle  *C.RkClient
	initErr error
	// deadline is the HTTPClient's Timeout: a bound on each whole call.
	deadline time.Duration
}

// NewClient makes a client for authToken with DefaultConfig.
func NewClient(authToken string) *Client {
	return NewClientWithConfig(DefaultConfig(authToken))
}

// NewOrgClient makes a client for authToken that sends orgID as OpenAI-Organization.
//
// Deprecated: use NewClientWithConfig, as in go-openai.
func NewOrgClient(authToken, orgID string) *Client {
	config := DefaultConfig(authToken)
	config.OrgID = orgID
	return NewClientWithConfig(config)
}

// Response is what every response type is (go-openai's interface): it takes the response headers.
type Response interface {
	SetHeader(http.Header)
}

// NewClientWithConfig makes a client from config. A configuration the engine
// rejects (an unparsable BaseURL, no key anywhere) makes every call return an
// error naming the field, as construction cannot fail in go-openai's API.
func NewClientWithConfig(config ClientConfig) *Client {
	c := &Client{config: config, deadline: httpTimeout(config.HTTPClient)}
	if err := checkConfig(config); err != nil {
		c.initErr = err
		return c
	}
	opts, err := json.Marshal(clientOptions(config))
	if err != nil {
		c.initErr = err
		return c
	}
	copts := cBytes(opts)
	defer C.free(unsafe.Pointer(copts))
	var cerr *C.RkError
	if C.rk_client_new(copts, &c.handle, &cerr) != C.RK_STATUS_OK {
		c.initErr = convertError(context.Background(), cerr)
		return c
	}
	runtime.SetFinalizer(c, (*Client).Close)
	return c
}

type clientOptionsJSON struct {
	APIKey           string            `json:"api_key,omitempty"`
	BaseURL          string            `json:"base_url,omitempty"`
	MaxRetries       int               `json:"max_retries"`
	InitialDelayMs   float64           `json:"initial_retry_delay_ms,omitempty"`
	MaxDelayMs       float64           `json:"max_retry_delay_ms,omitempty"`
	ConnectTimeoutMs float64           `json:"connect_timeout_ms,omitempty"`
	TimeoutMs        float64           `json:"timeout_ms,omitempty"`
	KeepaliveMs      float64           `json:"keepalive_timeout_ms,omitempty"`
	MaxBodyBytes     int               `json:"max_body_bytes,omitempty"`
	Headers          map[string]string `json:"headers,omitempty"`
	TLSCACert        string            `json:"tls_ca_cert,omitempty"`
	TLSCACertPEM     string            `json:"tls_ca_cert_pem,omitempty"`
	AllowInsecure    bool              `json:"allow_insecure_http,omitempty"`
	FallbackModels   []string          `json:"fallback_models,omitempty"`
	FollowGateway    bool              `json:"follow_gateway_fallbacks,omitempty"`
	FallbackOn       []int             `json:"fallback_on_status,omitempty"`
	HedgeAfterMs     float64           `json:"hedge_after_ms,omitempty"`
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func clientOptions(c ClientConfig) clientOptionsJSON {
	o := clientOptionsJSON{
		APIKey:           c.authToken,
		BaseURL:          c.BaseURL,
		MaxRetries:       max(c.MaxRetries, 0),
		InitialDelayMs:   ms(c.InitialRetryDelay),
		MaxDelayMs:       ms(c.MaxRetryDelay),
		ConnectTimeoutMs: ms(c.ConnectTimeout),
		TimeoutMs:        ms(c.Timeout),
		KeepaliveMs:      ms(c.KeepaliveTimeout),
		MaxBodyBytes:     max(c.MaxBodyBytes, 0),
		TLSCACert:        c.TLSCACertFile,
		TLSCACertPEM:     string(c.TLSCACertPEM),
		AllowInsecure:    c.AllowInsecureHTTP,
		FallbackModels:   c.FallbackModels,
		FollowGateway:    c.FollowGatewayFallbacks,
		FallbackOn:       c.FallbackOnStatus,
		HedgeAfterMs:     ms(c.HedgeAfter),
	}
	if len(c.DefaultHeaders) > 0 || c.OrgID != "" {
		o.Headers = make(map[string]string, len(c.DefaultHeaders)+1)
		if c.OrgID != "" {
			o.Headers["OpenAI-Organization"] = c.OrgID
		}
		for k, v := range c.DefaultHeaders {
			o.Headers[k] = v
		}
	}
	return o
}

// Close frees the engine's client. Calls after Close fail; streams already
// open keep working. Safe to call more than once.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.handle != nil {
		C.rk_client_free(c.handle)
		c.handle = nil
		runtime.SetFinalizer(c, nil)
	}
	return nil
}

// String never shows the key whole.
func (c *Client) String() string { return "openai.Client{" + c.config.String() + "}" }

// GoString is %#v: the same masked view.
func (c *Client) GoString() string { return c.String() }

// Format makes every verb print the masked view.
func (c *Client) Format(f fmt.State, verb rune) { fmt.Fprint(f, c.String()) }

// rawResponse is a response copied out of the library.
type rawResponse struct {
	body      []byte
	header    http.Header
	attempts  int
	requestID string // the response's x-request-id (the engine reads no other header for it)
	receipt   *lazyReceipt
}

// receiptSetter is a response that keeps its call's route receipt (httpHeader).
type receiptSetter interface{ setReceipt(*lazyReceipt) }

// keep gives out the call's headers and receipt.
func (raw *rawResponse) keep(out headerSetter) {
	out.SetHeader(raw.header)
	if r, ok := out.(receiptSetter); ok {
		r.setReceipt(raw.receipt)
	}
}

// callScope holds what one call needs beside the request: per-call options and
// the cancel token a ctx watcher triggers.
type callScope struct {
	opts    *C.char
	token   *C.RkCancelToken
	stop    func() bool
	stopped chan struct{}
}

// begin prepares the per-call options (the HTTPClient timeout as a deadline)
// and, when ctx can be cancelled, a token that a goroutine started by
// context.AfterFunc triggers when ctx is done.
func (c *Client) begin(ctx context.Context, extraBody map[string]any) (*callScope, error) {
	s := &callScope{}
	retries, hasRetries := ctx.Value(maxRetriesKey{}).(int)
	route, hasRoute := ctx.Value(routeKey{}).(routeOptions)
	keepalive, hasKeepalive := ctx.Value(keepaliveKey{}).(time.Duration)
	if c.deadline > 0 || extraBody != nil || hasRetries || hasRoute || hasKeepalive {
		var o callOptionsJSON
		if hasRoute {
			o.FallbackModels = route.fallbackModels
			o.HedgeAfterMs = route.hedgeAfterMs
			o.Idempotent = route.idempotent
		}
		if c.deadline > 0 {
			d := ms(c.deadline)
			o.DeadlineMs = &d
		}
		if hasRetries {
			o.MaxRetries = &retries
		}
		if hasKeepalive {
			// Sent as given: the core refuses a value that is not positive, naming keepalive_timeout.
			k := ms(keepalive)
			o.KeepaliveMs = &k
		}
		o.ExtraBody = extraBody
		text, err := json.Marshal(o)
		if err != nil {
			return nil, &invalidRequestError{field: "ExtraBody", msg: "ExtraBody: " + err.Error()}
		}
		s.opts = cBytes(text)
	}
	if ctx.Done() != nil {
		token := C.rk_cancel_token_new()
		s.token = token
		s.stopped = make(chan struct{})
		stopped := s.stopped
		s.stop = context.AfterFunc(ctx, func() {
			C.rk_cancel_token_cancel(token)
			close(stopped)
		})
	}
	return s, nil
}

// callOptionsJSON is the core's per-call options schema (the part Go uses).
type callOptionsJSON struct {
	DeadlineMs  *float64       `json:"deadline_ms,omitempty"`
	MaxRetries  *int           `json:"max_retries,omitempty"`
	KeepaliveMs *float64       `json:"keepalive_timeout_ms,omitempty"`
	ExtraBody   map[string]any `json:"extra_body,omitempty"`
	// routerkit's routing options (see WithFallbackModels, WithHedgeAfter, WithIdempotent).
	FallbackModels []string `json:"fallback_models,omitempty"`
	HedgeAfterMs   *float64 `json:"hedge_after_ms,omitempty"`
	Idempotent     *bool    `json:"idempotent,omitempty"`
}

type maxRetriesKey struct{}

type routeKey struct{}

// routeOptions are the per-call routing options a context carries.
type routeOptions struct {
	fallbackModels []string
	hedgeAfterMs   *float64
	idempotent     *bool
}

func withRoute(ctx context.Context, edit func(*routeOptions)) context.Context {
	r, _ := ctx.Value(routeKey{}).(routeOptions)
	edit(&r)
	return context.WithValue(ctx, routeKey{}, r)
}

// WithFallbackModels returns a copy of ctx under which calls fall back to models
// (in order) instead of ClientConfig.FallbackModels; no models: no fallback for them.
func WithFallbackModels(ctx context.Context, models ...string) context.Context {
	if models == nil {
		models = []string{}
	}
	return withRoute(ctx, func(r *routeOptions) { r.fallbackModels = models })
}

// WithHedgeAfter returns a copy of ctx under which streams hedge after d, overriding
// ClientConfig.HedgeAfter.
func WithHedgeAfter(ctx context.Context, d time.Duration) context.Context {
	v := ms(d)
	return withRoute(ctx, func(r *routeOptions) { r.hedgeAfterMs = &v })
}

// WithIdempotent returns a copy of ctx that marks its calls idempotent or not: a call
// marked not idempotent (it has side effects) is never hedged, since a hedge sends the
// request a second time while the first may still run.
func WithIdempotent(ctx context.Context, idempotent bool) context.Context {
	return withRoute(ctx, func(r *routeOptions) { r.idempotent = &idempotent })
}

// WithMaxRetries returns a copy of ctx under which calls retry at most n times,
// overriding ClientConfig.MaxRetries for them (a routerkit addition; a per-call
// deadline is the context's own, as context.WithTimeout sets it).
func WithMaxRetries(ctx context.Context, n int) context.Context {
	return context.WithValue(ctx, maxRetriesKey{}, n)
}

type keepaliveKey struct{}

// WithKeepaliveTimeout returns a copy of ctx under which a stream may go on
// keep-alive comments alone, with no event, for at most d, overriding
// ClientConfig.KeepaliveTimeout for the calls made with it (a routerkit
// addition, as WithMaxRetries). d must be positive.
func WithKeepaliveTimeout(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, keepaliveKey{}, d)
}

// release stops the ctx watcher, waiting for it if it already fired, so the
// token is never used after end frees it. Idempotent.
func (s *callScope) release() {
	if s.stop != nil {
		if !s.stop() {
			<-s.stopped
		}
		s.stop = nil
	}
}

// end releases the watcher and frees the options and the token.
func (s *callScope) end() {
	s.release()
	if s.opts != nil {
		C.free(unsafe.Pointer(s.opts))
		s.opts = nil
	}
	if s.token != nil {
		C.rk_cancel_token_free(s.token)
		s.token = nil
	}
}

func (c *Client) acquire() error {
	if c.initErr != nil {
		return c.initErr
	}
	c.mu.RLock()
	if c.handle == nil {
		c.mu.RUnlock()
		return &invalidRequestError{field: "client", msg: "the client is closed"}
	}
	return nil
}

// call runs one non-streaming call in the engine.
// op names a row of the engine's operation table ("chat", "models.retrieve", …): one
// entry point of the library serves every endpoint.
// headerSetter is a response that keeps the HTTP headers of its call (go-openai's Header()).
type headerSetter interface{ SetHeader(http.Header) }

// exchangeJSON is every plain endpoint: request marshalled, the operation called, the answer
// decoded into out with the call's headers; it returns the attempts for out's Attempts field.
func (c *Client) exchangeJSON(ctx context.Context, op string, request any, extraBody map[string]any, out headerSetter) (int, error) {
	body, err := marshalRequest(request)
	if err != nil {
		return 0, err
	}
	raw, err := c.call(ctx, op, body, extraBody)
	if err != nil {
		return 0, err
	}
	if err := json.Unmarshal(raw.body, out); err != nil {
		return 0, decodeError(err, raw)
	}
	raw.keep(out)
	return raw.attempts, nil
}

func (c *Client) call(ctx context.Context, op string, body []byte, extraBody map[string]any) (*rawResponse, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return nil, &RequestError{Err: err, kind: "cancelled"}
	}
	if err := c.acquire(); err != nil {
		return nil, err
	}
	defer c.mu.RUnlock()
	scope, err := c.begin(ctx, extraBody)
	if err != nil {
		return nil, err
	}
	defer scope.end()
	var creq *C.char
	if body != nil {
		creq = cBytes(body)
		defer C.free(unsafe.Pointer(creq))
	}
	var resp *C.RkResponse
	var cerr *C.RkError
	var status C.enum_RkStatus
	cop := C.CString(op)
	defer C.free(unsafe.Pointer(cop))
	status = C.rk_call(c.handle, cop, creq, scope.opts, scope.token, &resp, &cerr)
	runtime.KeepAlive(c)
	scope.release()
	if status != C.RK_STATUS_OK {
		err := convertError(ctx, cerr)
		c.report(receiptOf(err))
		return nil, err
	}
	defer C.rk_response_free(resp)
	raw := &rawResponse{
		body:      C.GoBytes(unsafe.Pointer(resp.body), C.int(resp.body_len)),
		header:    parseHeaders(goString(resp.headers)),
		attempts:  int(resp.attempts),
		requestID: goString(resp.request_id),
		receipt:   newHandleReceipt(C.rk_response_take_receipt(resp)),
	}
	c.report(raw.receipt)
	return raw, nil
}

// convertError maps the library's error (and frees it) to go-openai's shapes
// (see errorFields.toGo).
func convertError(ctx context.Context, e *C.RkError) error {
	if e == nil {
		return &RequestError{Err: fmt.Errorf("routerkit: the call failed without an error"), kind: "connection"}
	}
	defer C.rk_error_free(e)
	f := errorFields{
		kind: C.GoString(e.kind), message: C.GoString(e.message), attempts: int(e.attempts),
		status: int(e.status), body: goString(e.body_json), errType: goString(e.error_type),
		hasCode: e.code != nil, code: goString(e.code), hasParam: e.param != nil, param: goString(e.param),
		field: goString(e.field), requestID: goString(e.request_id), retryAfterMs: int64(e.retry_after_ms),
		retryable: int(e.retryable), gatewayErrorType: goString(e.gateway_error_type),
		availabilityCode: goString(e.availability_code), fallbackModels: goString(e.fallback_models),
		receipt: goStringBytes(e.receipt_json),
	}
	return f.toGo(ctx)
}

// receiptOf is the receipt an error carries (nil for none).
func receiptOf(err error) *lazyReceipt {
	switch e := err.(type) {
	case *APIError:
		return e.receipt
	case *RequestError:
		return e.receipt
	}
	return nil
}

// errorFields is the library's error copied into Go (the core's one wire form of an error).
type errorFields struct {
	kind, message, body, errType, code, param, field, requestID string
	attempts, status                                            int
	hasCode, hasParam                                           bool
	retryAfterMs                                                int64
	// The gateway's verdict: retryable 1/0/-1 (unknown); models one per line.
	retryable                                          int
	gatewayErrorType, availabilityCode, fallbackModels string
	receipt                                            []byte // its JSON text, nil when nothing was sent
}

// toGo: status and stream errors → *APIError; transport failures → *RequestError,
// wrapping ctx.Err() when the context is why the call stopped; bad input → an
// error naming the field. Every kind the core has is a case here: a kind without
// one is an *unmappedKindError, which TestEveryCoreErrorKindIsMapped fails on.
func (f *errorFields) toGo(ctx context.Context) error {
	kind, message, attempts := f.kind, f.message, f.attempts
	var receipt *lazyReceipt
	if f.receipt != nil {
		receipt = newLazyReceipt(f.receipt)
	}
	if ctx != nil && ctx.Err() != nil && (kind == "cancelled" || kind == "timeout" || kind == "connection") {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			kind = "timeout" // the context's deadline is the call's deadline
		}
		return &RequestError{Err: ctx.Err(), Attempts: attempts, kind: kind, receipt: receipt}
	}
	switch kind {
	case "status", "stream", "decode", "length_finish_reason", "content_filter_finish_reason", "output_validation":
		apiErr := &APIError{Message: message, kind: kind, Attempts: attempts, receipt: receipt}
		if f.body != "" {
			_ = json.Unmarshal([]byte(f.body), apiErr)
			if apiErr.Message == "" {
				apiErr.Message = message
			}
		}
		if apiErr.Type == "" {
			apiErr.Type = f.errType
		}
		if apiErr.Code == nil && f.hasCode {
			apiErr.Code = f.code
		}
		if apiErr.Param == nil && f.hasParam {
			p := f.param
			apiErr.Param = &p
		}
		if kind == "status" {
			apiErr.HTTPStatusCode = f.status
			apiErr.HTTPStatus = fmt.Sprintf("%d %s", apiErr.HTTPStatusCode, http.StatusText(apiErr.HTTPStatusCode))
		}
		apiErr.RequestID = f.requestID
		if f.retryAfterMs >= 0 {
			apiErr.RetryAfter = time.Duration(f.retryAfterMs) * time.Millisecond
		}
		if f.retryable >= 0 {
			r := f.retryable == 1
			apiErr.Retryable = &r
		}
		apiErr.ErrorType = f.gatewayErrorType
		apiErr.AvailabilityCode = f.availabilityCode
		if f.fallbackModels != "" {
			apiErr.FallbackModels = strings.Split(f.fallbackModels, "\n")
		}
		return apiErr
	case "invalid_request", "panic":
		return &invalidRequestError{field: f.field, msg: message}
	case "timeout":
		return &RequestError{Err: &timeoutError{msg: message}, Attempts: attempts, kind: kind, receipt: receipt}
	case "connection", "cancelled": // cancelled by Close or the library, not by ctx
		return &RequestError{Err: fmt.Errorf("%s", message), Attempts: attempts, kind: kind, receipt: receipt}
	default:
		return &RequestError{Err: &unmappedKindError{kind: kind, msg: message}, Attempts: attempts, kind: kind, receipt: receipt}
	}
}

// unmappedKindError is an error of a kind this package does not know yet (a newer library).
type unmappedKindError struct{ kind, msg string }

func (e *unmappedKindError) Error() string { return e.msg }

// coreErrorKinds lists the library's error kinds (for the exhaustiveness test).
func coreErrorKinds() []string {
	return strings.Split(C.GoString(C.rk_error_kinds()), "\n")
}

// decodeError is a response body that does not have the expected shape.
func decodeError(err error, raw *rawResponse) error {
	return &APIError{Message: "routerkit: the response does not have the expected shape: " + err.Error(), Attempts: raw.attempts, RequestID: raw.requestID, kind: "decode"}
}
