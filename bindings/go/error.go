package openai

import (
	"errors"
	"fmt"
	"strings"
	"time"

	json "github.com/goccy/go-json"
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

	// RequestID is the gateway's request id (x-request-id and friends).
	RequestID string `json:"-"`
	// RetryAfter is the delay the gateway asked for (retry-after-ms / retry-after), or 0.
	RetryAfter time.Duration `json:"-"`
	// Attempts made before this error (the engine's retries included).
	Attempts int `json:"-"`

	kind string
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

	kind string
}

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

// UnmarshalJSON accepts message as a string or a list of strings, and keeps a
// numeric code as an int (as go-openai does).
func (e *APIError) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	if m, ok := raw["message"]; ok {
		if err := json.Unmarshal(m, &e.Message); err != nil {
			var parts []string
			if err := json.Unmarshal(m, &parts); err != nil {
				return err
			}
			e.Message = strings.Join(parts, ", ")
		}
	}
	if t, ok := raw["type"]; ok {
		_ = json.Unmarshal(t, &e.Type)
	}
	if p, ok := raw["param"]; ok {
		_ = json.Unmarshal(p, &e.Param)
	}
	if c, ok := raw["code"]; ok {
		var n int
		if err := json.Unmarshal(c, &n); err == nil {
			e.Code = n
		} else {
			_ = json.Unmarshal(c, &e.Code)
		}
	}
	return nil
}

func (e *RequestError) Error() string {
	if e.HTTPStatusCode > 0 {
		return fmt.Sprintf("error, status code: %d, status: %s, message: %s", e.HTTPStatusCode, e.HTTPStatus, e.Err)
	}
	return fmt.Sprintf("error, %v", e.Err)
}

func (e *RequestError) Unwrap() error { return e.Err }

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
