package openai

/*
#include <stdlib.h>
#include "routerkit.h"
*/
import "C"

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sync"
	"unsafe"

	json "github.com/goccy/go-json"
)

type ChatCompletionStreamChoiceDelta struct {
	Content      string        `json:"content,omitempty"`
	Role         string        `json:"role,omitempty"`
	FunctionCall *FunctionCall `json:"function_call,omitempty"`
	ToolCalls    []ToolCall    `json:"tool_calls,omitempty"`
	Refusal      string        `json:"refusal,omitempty"`

	// ReasoningContent is DeepSeek's reasoning_content.
	ReasoningContent string `json:"reasoning_content,omitempty"`
	// Reasoning is OpenRouter's reasoning text (routerkit; go-openai drops it).
	Reasoning string `json:"reasoning,omitempty"`
}

type ChatCompletionStreamChoiceLogprobs struct {
	Content []ChatCompletionTokenLogprob `json:"content,omitempty"`
	Refusal []ChatCompletionTokenLogprob `json:"refusal,omitempty"`
}

type ChatCompletionTokenLogprob struct {
	Token       string                                 `json:"token"`
	Bytes       []int64                                `json:"bytes,omitempty"`
	Logprob     float64                                `json:"logprob,omitempty"`
	TopLogprobs []ChatCompletionTokenLogprobTopLogprob `json:"top_logprobs"`
}

type ChatCompletionTokenLogprobTopLogprob struct {
	Token   string  `json:"token"`
	Bytes   []int64 `json:"bytes"`
	Logprob float64 `json:"logprob"`
}

type ChatCompletionStreamChoice struct {
	Index        int                                 `json:"index"`
	Delta        ChatCompletionStreamChoiceDelta     `json:"delta"`
	Logprobs     *ChatCompletionStreamChoiceLogprobs `json:"logprobs,omitempty"`
	FinishReason FinishReason                        `json:"finish_reason"`
	// ContentFilterResults is Azure's content filtering of this choice.
	ContentFilterResults ContentFilterResults `json:"content_filter_results,omitempty"`
}

// ChatCompletionStreamResponse is one chunk. Usage is non-nil only on the
// final usage chunk (whose Choices is empty).
type ChatCompletionStreamResponse struct {
	ID                string                       `json:"id"`
	Object            string                       `json:"object"`
	Created           int64                        `json:"created"`
	Model             string                       `json:"model"`
	Choices           []ChatCompletionStreamChoice `json:"choices"`
	SystemFingerprint string                       `json:"system_fingerprint"`
	// Azure's content filtering of the prompt.
	PromptAnnotations   []PromptAnnotation   `json:"prompt_annotations,omitempty"`
	PromptFilterResults []PromptFilterResult `json:"prompt_filter_results,omitempty"`
	Usage               *Usage               `json:"usage,omitempty"`
}

// ChatCompletionStream reads a streaming chat completion with Recv until io.EOF.
// Close it when done (or early: that closes the connection). A cancelled or
// expired ctx stops it at once. Recv and Close may be called from different
// goroutines; Recv calls must not overlap.
type ChatCompletionStream struct {
	mu     sync.Mutex // held by Recv while in the library, and by Close to free
	handle *C.RkStream
	scope  *callScope
	ctx    context.Context
	client *Client
	// batch is the unread part of the library's last batch of records: C memory
	// owned by the stream handle, valid until the next rk_stream_next_batch_bin
	// or rk_stream_free, both of which happen under mu after it is used up or
	// dropped. batchIndex is the index in that batch of the next record.
	batch      recordReader
	batchLeft  int
	batchIndex int
	dec        chunkDecoder
	err        error // sticky: io.EOF or the error that ended the stream
	closed     sync.Once
	isOpen     bool

	httpHeader
	attempts int // as of the last Recv (the engine may retry before the first event)

	// final is the route receipt's JSON text once the stream ended or was closed (the
	// handle is gone after Close); reported hands it to ClientConfig.OnReceipt once.
	final    []byte
	reported sync.Once
}

// Receipt is the stream's route receipt (routerkit): so far during the stream (the model
// and provider of the first chunk, attempts, time to first byte and token), final
// (Complete, with usage and cost) after io.EOF, an error or Close. Call it between Recv
// calls or after them (it waits for a Recv in progress).
func (s *ChatCompletionStream) Receipt() Receipt {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.final != nil {
		return newLazyReceipt(s.final).get()
	}
	if s.handle == nil {
		return Receipt{}
	}
	return newLazyReceipt(s.receiptText()).get()
}

// receiptText reads the receipt from the library (the handle is live: under mu, or in Close).
func (s *ChatCompletionStream) receiptText() []byte {
	text := C.rk_stream_receipt(s.handle)
	runtime.KeepAlive(s)
	defer C.rk_string_free(text)
	return goStringBytes(text)
}

// end keeps the final receipt and reports it, once (under mu, the handle live).
func (s *ChatCompletionStream) end() {
	s.reported.Do(func() {
		s.final = s.receiptText()
		s.client.report(newLazyReceipt(s.final))
	})
}

// String shows the stream by its client's masked view: fmt must not reach the
// client's key through the stream's fields.
func (s *ChatCompletionStream) String() string {
	return "openai.ChatCompletionStream{" + s.client.String() + "}"
}

// GoString is %#v: the same masked view.
func (s *ChatCompletionStream) GoString() string { return s.String() }

// Format makes every verb print the masked view.
func (s *ChatCompletionStream) Format(f fmt.State, verb rune) { fmt.Fprint(f, s.String()) }

// CreateChatCompletionStream starts a streaming chat completion. It returns once
// the gateway answered with headers (after the engine's retries, if any).
func (c *Client) CreateChatCompletionStream(ctx context.Context, request ChatCompletionRequest) (*ChatCompletionStream, error) {
	return c.chatStream(ctx, "chat_stream", request)
}

// chatStream opens a chat stream through the core's operation op ("chat_stream",
// "chat.parse_stream").
func (c *Client) chatStream(ctx context.Context, op string, request ChatCompletionRequest) (*ChatCompletionStream, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return nil, &RequestError{Err: err, kind: "cancelled"}
	}
	request.Stream = true
	if err := validateChatRequest(request); err != nil {
		return nil, err
	}
	body, err := marshalRequest(request)
	if err != nil {
		return nil, err
	}
	return c.open(ctx, op, body, request.ExtraBody)
}

// open starts any stream operation of the engine's table by name ("chat_stream",
// "completions_stream", …): one entry point of the library serves every stream.
func (c *Client) open(ctx context.Context, op string, body []byte, extraBody map[string]any) (*ChatCompletionStream, error) {
	if err := c.acquire(); err != nil {
		return nil, err
	}
	defer c.mu.RUnlock()
	scope, err := c.begin(ctx, extraBody)
	if err != nil {
		return nil, err
	}
	creq := cBytes(body)
	defer C.free(unsafe.Pointer(creq))
	var handle *C.RkStream
	var cerr *C.RkError
	cop := C.CString(op)
	defer C.free(unsafe.Pointer(cop))
	status := C.rk_open(c.handle, cop, creq, scope.opts, scope.token, &handle, &cerr)
	runtime.KeepAlive(c)
	if status != C.RK_STATUS_OK {
		scope.release()
		err := convertError(ctx, cerr)
		scope.end()
		c.report(receiptOf(err))
		return nil, err
	}
	s := &ChatCompletionStream{handle: handle, scope: scope, ctx: ctx, client: c, isOpen: true}
	hdr := C.rk_stream_headers(handle)
	s.SetHeader(parseHeaders(goString(hdr)))
	C.rk_string_free(hdr)
	s.attempts = int(C.rk_stream_attempts(handle))
	runtime.SetFinalizer(s, (*ChatCompletionStream).Close)
	return s, nil
}

// Recv returns the next chunk; io.EOF after the last one (only on a clean end:
// a stream cut short without [DONE] or a finish reason is an error); an
// *APIError for an error event inside the stream; a *RequestError wrapping
// ctx.Err() when ctx was cancelled or expired.
func (s *ChatCompletionStream) Recv() (response ChatCompletionStreamResponse, err error) {
	response, _, _, err = s.recv(false)
	return response, err
}

// recv decodes the next chunk: a fast record field by field, a JSON record
// with encoding/json. withText (for tests) also returns the chunk's JSON text
// and whether it came as a fast record.
func (s *ChatCompletionStream) recv(withText bool) (response ChatCompletionStreamResponse, text []byte, fast bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fill(0); err != nil {
		return response, nil, false, err
	}
	index := s.batchIndex
	jsonText, err := s.popRecord(&response)
	if err != nil {
		return response, nil, false, err
	}
	if withText {
		text = s.chunkText(index, jsonText)
	}
	if jsonText != nil {
		err = json.Unmarshal(jsonText, &response)
	}
	return response, text, jsonText == nil, err
}

// RecvRaw returns the next chunk's JSON text as the gateway sent it.
func (s *ChatCompletionStream) RecvRaw() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fill(C.RK_BATCH_JSON_ONLY); err != nil {
		return nil, err
	}
	index := s.batchIndex
	var discard ChatCompletionStreamResponse
	jsonText, err := s.popRecord(&discard)
	if err != nil {
		return nil, err
	}
	return s.chunkText(index, jsonText), nil
}

// popRecord reads the next record of the batch (see chunkDecoder.record).
func (s *ChatCompletionStream) popRecord(out *ChatCompletionStreamResponse) ([]byte, error) {
	s.batchLeft--
	s.batchIndex++
	jsonText, err := s.dec.record(&s.batch, out)
	if err != nil {
		s.batchLeft = 0
		s.batch = recordReader{}
	}
	return jsonText, err
}

// chunkText copies the JSON text of chunk index of the batch: jsonText when the
// record carried it, else the library's copy (a fast record read by RecvRaw
// after Recv fetched the batch).
func (s *ChatCompletionStream) chunkText(index int, jsonText []byte) []byte {
	if jsonText != nil {
		return bytes.Clone(jsonText)
	}
	var data *C.uint8_t
	var length C.size_t
	if !C.rk_stream_batch_chunk_json(s.handle, C.size_t(index), &data, &length) {
		return nil
	}
	runtime.KeepAlive(s)
	return C.GoBytes(unsafe.Pointer(data), C.int(length))
}

// fill fetches the next batch (flags for rk_stream_next_batch_bin) once the
// last one is used up, or returns the error that ended the stream.
func (s *ChatCompletionStream) fill(flags C.uint32_t) error {
	select {
	case <-s.ctx.Done():
		// ctx ended: the rest of the batch is dropped, as it is by a cancel in the
		// engine, and the engine is told now (the AfterFunc that also tells it runs
		// on its own goroutine, maybe later); the library call below then reports
		// the cancellation.
		s.batchLeft = 0
		if s.err == nil && s.isOpen {
			C.rk_stream_cancel(s.handle)
		}
	default:
		if s.batchLeft > 0 {
			return nil
		}
	}
	s.batch = recordReader{}
	if s.err != nil {
		return s.err
	}
	if !s.isOpen {
		return ErrStreamClosed
	}
	var data *C.uint8_t
	var length, count C.size_t
	var cerr *C.RkError
	status := C.rk_stream_next_batch_bin(s.handle, 0, flags, &data, &length, &count, &cerr)
	runtime.KeepAlive(s)
	s.attempts = int(C.rk_stream_attempts(s.handle))
	if status != C.RK_STATUS_OK {
		s.scope.release()
		if !s.isOpen {
			C.rk_error_free(cerr)
			s.err = ErrStreamClosed
		} else {
			s.err = convertError(s.ctx, cerr)
		}
		s.end()
		return s.err
	}
	if count == 0 {
		s.scope.release()
		s.end()
		if err := s.ctx.Err(); err != nil {
			// ctx ended first and the rest of the last batch was dropped above: not a
			// clean end, even when the engine had already seen the whole answer.
			s.err = &RequestError{Err: err, Attempts: s.attempts, kind: "cancelled", receipt: newLazyReceipt(s.final)}
			return s.err
		}
		s.err = io.EOF
		return io.EOF
	}
	// No copy: the records are read in place (see the batch field).
	s.batch = recordReader{b: unsafe.Slice((*byte)(unsafe.Pointer(data)), int(length))}
	s.batchLeft = int(count)
	s.batchIndex = 0
	return nil
}

// Close stops the stream and frees it (closing the connection if still open).
// Safe to call more than once and from another goroutine than Recv's.
func (s *ChatCompletionStream) Close() error {
	s.closed.Do(func() {
		// Wake a Recv blocked in the library; the handle stays valid until freed below.
		C.rk_stream_cancel(s.handle)
		s.mu.Lock()
		s.isOpen = false
		// The cancel ended the receipt (its attempt cancelled) if the stream had not ended.
		s.end()
		C.rk_stream_free(s.handle)
		s.handle = nil
		s.batch = recordReader{}
		s.batchLeft = 0
		s.mu.Unlock()
		s.scope.end()
		runtime.SetFinalizer(s, nil)
	})
	return nil
}

// FinalCompletion is the completion the engine accumulated from the chunks
// received so far (routerkit): content, reasoning, tool calls merged by index
// (empty arguments become "{}"), finish reason and usage. Call it before Close.
func (s *ChatCompletionStream) FinalCompletion() (ChatCompletionResponse, error) {
	var out ChatCompletionResponse
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.handle == nil {
		return out, ErrStreamClosed
	}
	text := C.rk_stream_completion_json(s.handle)
	runtime.KeepAlive(s)
	defer C.rk_string_free(text)
	err := json.Unmarshal([]byte(goString(text)), &out)
	out.Attempts = s.attempts
	out.SetHeader(s.httpHeader.Header())
	return out, err
}

// Attempts made so far (routerkit): a stream that failed before its first event
// is retried, and counts those attempts.
func (s *ChatCompletionStream) Attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

// Header returns the response headers (the embedded httpHeader's method).
var _ interface{ Header() http.Header } = (*ChatCompletionStream)(nil)
