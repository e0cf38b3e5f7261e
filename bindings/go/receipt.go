package openai

// #include "routerkit.h"
import "C"

import (
	"encoding/json"
	"runtime"
	"sync"
	"time"
)

// Receipt is a call's route receipt (routerkit): which model and provider served it,
// under which gateway ids, after which attempts (each with the delay waited before it
// and why), whether a fallback or a hedge fired, how long it took and what it cost.
// Read it with Receipt() on a response, a stream or an error (*APIError,
// *RequestError), or receive each one in ClientConfig.OnReceipt. It never holds the key.
// Absent values are zero ("" for a string, 0 for a number or a duration).
type Receipt struct {
	ModelRequested string // the request's model
	Model          string // the model that served (the body's or first chunk's model)
	Provider       string // OpenRouter's provider field, or TheRouter's x-router-provider
	RequestID      string
	GenerationID   string
	// GatewayHeaders are LiteLLM's x-litellm-*, TheRouter's x-router-* and OpenRouter's
	// x-openrouter-* response headers, in arrival order.
	GatewayHeaders   [][2]string
	CacheStatus      string
	Attempts         []ReceiptAttempt
	Fallback         ReceiptFallback
	Hedge            ReceiptHedge
	TimeToFirstByte  time.Duration
	TimeToFirstToken time.Duration // streams: from the call to the first event
	TotalTime        time.Duration
	InputTokens      int
	OutputTokens     int
	// Usage is the usage object as the gateway sent it (nil when it sent none).
	Usage json.RawMessage
	// Cost is usage.cost (OpenRouter), else LiteLLM's x-litellm-response-cost.
	Cost        float64
	CostDetails json.RawMessage
	// Complete: the call has ended; a stream's receipt grows until then.
	Complete bool
}

// ReceiptAttempt is one attempt of a call.
type ReceiptAttempt struct {
	Model  string // the model this attempt asked for
	Status int    // the HTTP status it got, 0 when no response arrived
	// Error is how it failed ("status", "connection", "timeout", "stream", "cancelled", …);
	// "" for the attempt that answered.
	Error string
	Delay time.Duration // waited before this attempt
	// DelayReason is "retry_after" (the server's header), "backoff" or "gateway_hint"; "" for the first attempt.
	DelayReason string
	Hedge       bool // started as a hedge beside a slow attempt
}

// ReceiptFallback is the client-side fallback chain's part in a call.
type ReceiptFallback struct {
	Fired bool
	Model string // the model of the chain that answered
}

// ReceiptHedge is a hedged stream's part in a call.
type ReceiptHedge struct {
	Fired    bool
	Model    string // the model of the stream handed to the caller
	HedgeWon bool
}

// receiptWire is the core's wire form of a receipt (routerkit::bridge::wire::ReceiptWire).
type receiptWire struct {
	ModelRequested *string     `json:"model_requested"`
	Model          *string     `json:"model"`
	Provider       *string     `json:"provider"`
	RequestID      *string     `json:"request_id"`
	GenerationID   *string     `json:"generation_id"`
	GatewayHeaders [][2]string `json:"gateway_headers"`
	CacheStatus    *string     `json:"cache_status"`
	Attempts       []struct {
		Model       *string `json:"model"`
		Status      *int    `json:"status"`
		Error       *string `json:"error"`
		DelayMs     float64 `json:"delay_ms"`
		DelayReason *string `json:"delay_reason"`
		Hedge       bool    `json:"hedge"`
	} `json:"attempts"`
	Fallback struct {
		Fired bool    `json:"fired"`
		Model *string `json:"model"`
	} `json:"fallback"`
	Hedge struct {
		Fired    bool    `json:"fired"`
		Model    *string `json:"model"`
		HedgeWon bool    `json:"hedge_won"`
	} `json:"hedge"`
	TimeToFirstByteMs  *float64        `json:"time_to_first_byte_ms"`
	TimeToFirstTokenMs *float64        `json:"time_to_first_token_ms"`
	TotalTimeMs        *float64        `json:"total_time_ms"`
	InputTokens        *int            `json:"input_tokens"`
	OutputTokens       *int            `json:"output_tokens"`
	Usage              json.RawMessage `json:"usage"`
	Cost               *float64        `json:"cost"`
	CostDetails        json.RawMessage `json:"cost_details"`
	Complete           bool            `json:"complete"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func millis(p *float64) time.Duration {
	if p == nil {
		return 0
	}
	return time.Duration(*p * float64(time.Millisecond))
}

func rawOrNil(r json.RawMessage) json.RawMessage {
	if len(r) == 0 || string(r) == "null" {
		return nil
	}
	return r
}

// parseReceipt reads the core's JSON text of a receipt; nil for none.
func parseReceipt(text []byte) *Receipt {
	if len(text) == 0 {
		return nil
	}
	var w receiptWire
	if json.Unmarshal(text, &w) != nil {
		return nil
	}
	r := &Receipt{
		ModelRequested: str(w.ModelRequested), Model: str(w.Model), Provider: str(w.Provider),
		RequestID: str(w.RequestID), GenerationID: str(w.GenerationID), GatewayHeaders: w.GatewayHeaders,
		CacheStatus:     str(w.CacheStatus),
		Fallback:        ReceiptFallback{Fired: w.Fallback.Fired, Model: str(w.Fallback.Model)},
		Hedge:           ReceiptHedge{Fired: w.Hedge.Fired, Model: str(w.Hedge.Model), HedgeWon: w.Hedge.HedgeWon},
		TimeToFirstByte: millis(w.TimeToFirstByteMs), TimeToFirstToken: millis(w.TimeToFirstTokenMs),
		TotalTime: millis(w.TotalTimeMs), Usage: rawOrNil(w.Usage), CostDetails: rawOrNil(w.CostDetails),
		Complete: w.Complete,
	}
	if w.InputTokens != nil {
		r.InputTokens = *w.InputTokens
	}
	if w.OutputTokens != nil {
		r.OutputTokens = *w.OutputTokens
	}
	if w.Cost != nil {
		r.Cost = *w.Cost
	}
	for _, a := range w.Attempts {
		ra := ReceiptAttempt{Model: str(a.Model), Error: str(a.Error), DelayReason: str(a.DelayReason), Hedge: a.Hedge,
			Delay: time.Duration(a.DelayMs * float64(time.Millisecond))}
		if a.Status != nil {
			ra.Status = *a.Status
		}
		r.Attempts = append(r.Attempts, ra)
	}
	return r
}

// lazyReceipt keeps a receipt until its first read: most callers never look. A call's receipt
// stays the library's value (handle) until then, so that its JSON is written only when read; a
// stream's or an error's comes as JSON text.
type lazyReceipt struct {
	once    sync.Once
	text    []byte
	handle  *C.RkReceipt
	cleanup runtime.Cleanup
	parsed  *Receipt
}

func newLazyReceipt(text []byte) *lazyReceipt { return &lazyReceipt{text: text} }

// newHandleReceipt owns h: it is freed at the first read, or when the receipt is collected unread.
func newHandleReceipt(h *C.RkReceipt) *lazyReceipt {
	if h == nil {
		return nil
	}
	l := &lazyReceipt{handle: h}
	l.cleanup = runtime.AddCleanup(l, func(h *C.RkReceipt) { C.rk_receipt_free(h) }, h)
	return l
}

func (l *lazyReceipt) get() Receipt {
	if l == nil {
		return Receipt{}
	}
	l.once.Do(func() {
		if l.handle != nil {
			l.cleanup.Stop()
			text := C.rk_receipt_json(l.handle)
			l.text = goStringBytes(text)
			C.rk_string_free(text)
			C.rk_receipt_free(l.handle)
			l.handle = nil
		}
		l.parsed = parseReceipt(l.text)
	})
	if l.parsed == nil {
		return Receipt{}
	}
	return *l.parsed
}

// report hands a call's receipt to ClientConfig.OnReceipt. A hook that panics does not
// break the call: the panic is recovered and dropped.
func (c *Client) report(l *lazyReceipt) {
	hook := c.config.OnReceipt
	if hook == nil || l == nil || (len(l.text) == 0 && l.handle == nil) {
		return
	}
	defer func() { _ = recover() }()
	hook(l.get())
}

// goStringBytes copies a C string owned by the library (NULL: nil).
func goStringBytes(s *C.char) []byte {
	if s == nil {
		return nil
	}
	return []byte(C.GoString(s))
}
