package openai

import (
	"context"
	stdjson "encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// APIError is an error answered by the gateway: an HTTP status ≥ 400, or an
// error event inside a 200 stream (HTTPStatusCode 0 then). It is returned
// unwrapped, so err.(*APIError) works as with go-openai.
type APIError struct {
	Code           any     `json:"code,omitempty"`
	Message        string  `json:"message"`
	Param          *string `json:"param,omitempty"`
	Type           string  `json:"type"`
	HTTPStatus     string  `json:"-"`
	HTTPStatusCode int     `json:"-"`
	// InnerError is Azure's content-filter detail ("innererror"), when the gateway sends one.
	InnerError *InnerError `json:"innererror,omitempty"`

	// RequestID is the gateway's request id (x-request-id and friends).
	RequestID string `json:"-"`
	// RetryAfter is the delay the gateway asked for (retry-after-ms / retry-after), or 0.
	RetryAfter time.Duration `json:"-"`
	// Attempts made before this error (the engine's retries included).
	Attempts int `json:"-"`

	kind    string
	receipt *lazyReceipt
}

// Receipt is the route receipt of the call that failed (routerkit): its attempts, the
// delays between them, its timings and the gateway's ids.
func (e *APIError) Receipt() Receipt { return e.receipt.get() }

// InnerError is Azure OpenAI's content-filter detail of an error.
type InnerError struct {
	Code                 string               `json:"code,omitempty"`
	ContentFilterResults ContentFilterResults `json:"content_filter_result,omitempty"`
}

// RequestError is a transport failure: the connection failed or broke, a timeout,
// or the context was cancelled or expired — then it wraps ctx.Err(), so
// errors.Is(err, context.DeadlineExceeded) / context.Canceled hold.
type RequestError struct {
	HTTPStatus     string
	HTTPStatusCode int
	Err            error
	Body           []byte

	// Attempts made before this error.
	Attempts int

	kind    string
	receipt *lazyReceipt
}

// Receipt is the route receipt of the call that failed (routerkit; zero when nothing was sent).
func (e *RequestError) Receipt() Receipt { return e.receipt.get() }

// ErrorResponse is the JSON shape {"error": {...}} of a gateway's error body.
type ErrorResponse struct {
	Error *APIError `json:"error,omitempty"`
}

// ErrStreamClosed is returned by Recv after Close.
var ErrStreamClosed = errors.New("routerkit: the stream is closed")

func (e *APIError) Error() string {
	if e.HTTPStatusCode > 0 {
		return fmt.Sprintf("error, status code: %d, status: %s, message: %s", e.HTTPStatusCode, e.HTTPStatus, e.Message)
	}
	return e.Message
}

// UnmarshalJSON reads an error object as go-openai does, and rejects what it
// rejects: a body that is not an object, a missing "message" or one that is
// neither a string nor a list of strings (joined with ", "; null is ""), and a
// "type", "innererror" or "param" of the wrong type. A numeric code becomes an int.
// encoding/json here, not goccy's: the exact acceptance rules are the point.
func (e *APIError) UnmarshalJSON(data []byte) error {
	var raw map[string]stdjson.RawMessage
	if err := stdjson.Unmarshal(data, &raw); err != nil {
		return err
	}
	// A missing message is a nil RawMessage, which encoding/json refuses: so does go-openai.
	if err := stdjson.Unmarshal(raw["message"], &e.Message); err != nil {
		var parts []string
		if err := stdjson.Unmarshal(raw["message"], &parts); err != nil {
			return err
		}
		e.Message = strings.Join(parts, ", ")
	}
	if t, ok := raw["type"]; ok {
		if err := stdjson.Unmarshal(t, &e.Type); err != nil {
			return err
		}
	}
	if inner, ok := raw["innererror"]; ok {
		if err := stdjson.Unmarshal(inner, &e.InnerError); err != nil {
			return err
		}
	}
	if p, ok := raw["param"]; ok {
		if err := stdjson.Unmarshal(p, &e.Param); err != nil {
			return err
		}
	}
	c, ok := raw["code"]
	if !ok {
		return nil
	}
	var n int
	if err := stdjson.Unmarshal(c, &n); err == nil {
		e.Code = n
		return nil
	}
	return stdjson.Unmarshal(c, &e.Code)
}

func (e *RequestError) Error() string {
	if e.HTTPStatusCode > 0 {
		return fmt.Sprintf("error, status code: %d, status: %s, message: %s", e.HTTPStatusCode, e.HTTPStatus, e.Err)
	}
	return fmt.Sprintf("error, %v", e.Err)
}

func (e *RequestError) Unwrap() error { return e.Err }

// Timeout reports whether the call failed for a timeout: the engine's idle or
// connect timeout, the HTTPClient.Timeout deadline, or ctx's deadline. So
// os.IsTimeout(err) holds for a deadline, as it does for the *url.Error that
// go-openai returns from http.Client.Do.
func (e *RequestError) Timeout() bool {
	if e.kind == "timeout" || errors.Is(e.Err, context.DeadlineExceeded) {
		return true
	}
	var t interface{ Timeout() bool }
	return errors.As(e.Err, &t) && t.Timeout()
}

// timeoutError is the cause of a *RequestError for a timeout not caused by the context.
type timeoutError struct{ msg string }

func (e *timeoutError) Error() string   { return e.msg }
func (e *timeoutError) Timeout() bool   { return true }
func (e *timeoutError) Temporary() bool { return true }

// invalidRequestError is bad input or configuration, caught before anything was sent.
type invalidRequestError struct {
	field string
	msg   string
}

func (e *invalidRequestError) Error() string { return "routerkit: " + e.msg }

// ErrorKind names the engine's kind of an error returned by this package:
// "status", "connection", "timeout", "stream", "invalid_request", "cancelled",
// "decode"; "" for other errors.
func ErrorKind(err error) string {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.kind
	}
	var reqErr *RequestError
	if errors.As(err, &reqErr) {
		return reqErr.kind
	}
	var inv *invalidRequestError
	if errors.As(err, &inv) {
		return "invalid_request"
	}
	return ""
}

// InvalidField names the parameter at fault in an invalid-request error, or "".
func InvalidField(err error) string {
	var inv *invalidRequestError
	if errors.As(err, &inv) {
		return inv.field
	}
	return ""
}
