package openai

/*
#include <stdlib.h>
#include "routerkit.h"
*/
import "C"

import (
	"context"
	"errors"
	"runtime"
	"strings"

	json "github.com/goccy/go-json"
)

// The Responses API (POST {base}/responses) with go-openai's names: CreateResponse,
// CreateResponseStream and its ResponseStreamEvent types. The stream's end and error
// rules are the engine's: response.completed / response.incomplete end it (Recv then
// returns io.EOF), an error event or response.failed is a stream error, and a body that
// ends before either is a truncation error.

// ErrResponseStreamNotSupported is CreateResponse's error for a request with Stream
// set: use CreateResponseStream.
var ErrResponseStreamNotSupported = errors.New(
	"streaming is not supported with this method, please use CreateResponseStream",
)

// ResponseStatus is a response's status.
type ResponseStatus string

const (
	ResponseStatusQueued     ResponseStatus = "queued"
	ResponseStatusInProgress ResponseStatus = "in_progress"
	ResponseStatusCompleted  ResponseStatus = "completed"
	ResponseStatusFailed     ResponseStatus = "failed"
	ResponseStatusIncomplete ResponseStatus = "incomplete"
	ResponseStatusCancelling ResponseStatus = "cancelling"
	ResponseStatusCancelled  ResponseStatus = "cancelled"
)

// ResponseTool is a tool of the Responses API: go-openai's Tool, whose function tools
// are flat (type, name, parameters, strict) and whose built-in tools carry their
// properties next to type. (go-openai makes it an alias of Tool with a Parameters
// map; here it is its own type, so that chat's Tool keeps its encoding.)
type ResponseTool struct {
	Type     ToolType            `json:"type"`
	Function *FunctionDefinition `json:"function,omitempty"`
	// Parameters are serialized next to type (a function tool's name, parameters, …).
	Parameters map[string]any `json:"-"`
}

// MarshalJSON writes Parameters next to type; a Function alone is written flat, as the
// Responses API wants a function tool.
func (t ResponseTool) MarshalJSON() ([]byte, error) {
	tool := map[string]any{"type": t.Type}
	if t.Function != nil {
		tool["name"] = t.Function.Name
		tool["parameters"] = t.Function.Parameters
		if t.Function.Description != "" {
			tool["description"] = t.Function.Description
		}
		if t.Function.Strict {
			tool["strict"] = true
		}
	}
	for k, v := range t.Parameters {
		tool[k] = v
	}
	return json.Marshal(tool)
}

// UnmarshalJSON reads a tool as the Responses API writes it: type, and every other
// property into Parameters.
func (t *ResponseTool) UnmarshalJSON(data []byte) error {
	var all map[string]any
	if err := json.Unmarshal(data, &all); err != nil {
		return err
	}
	kind, _ := all["type"].(string)
	delete(all, "type")
	*t = ResponseTool{Type: ToolType(kind), Parameters: all}
	return nil
}

// NewResponseFunctionTool is a function tool in the Responses API's flat shape.
func NewResponseFunctionTool(function FunctionDefinition) ResponseTool {
	parameters := map[string]any{
		"name":       function.Name,
		"parameters": function.Parameters,
	}
	if function.Description != "" {
		parameters["description"] = function.Description
	}
	if function.Strict {
		parameters["strict"] = true
	}
	return ResponseTool{Type: ToolTypeFunction, Parameters: parameters}
}

// ResponseReasoning asks for reasoning (effort, summary).
type ResponseReasoning struct {
	Effort          string `json:"effort,omitempty"`
	GenerateSummary string `json:"generate_summary,omitempty"`
	Summary         string `json:"summary,omitempty"`
}

// ResponseTextConfig is the text output's settings.
type ResponseTextConfig struct {
	Format    *ResponseTextFormat `json:"format,omitempty"`
	Verbosity string              `json:"verbosity,omitempty"`
}

// ResponseTextFormat is text.format: text, json_object, or json_schema.
type ResponseTextFormat struct {
	Type        string `json:"type"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	Schema      any    `json:"schema,omitempty"`
	Strict      bool   `json:"strict,omitempty"`
}

// CreateResponseRequest is a Responses API request.
type CreateResponseRequest struct {
	Input              any                 `json:"input"`
	Instructions       string              `json:"instructions,omitempty"`
	MaxOutputTokens    int                 `json:"max_output_tokens,omitempty"`
	Metadata           map[string]any      `json:"metadata,omitempty"`
	Model              string              `json:"model,omitempty"`
	ParallelToolCalls  *bool               `json:"parallel_tool_calls,omitempty"`
	PreviousResponseID string              `json:"previous_response_id,omitempty"`
	Reasoning          *ResponseReasoning  `json:"reasoning,omitempty"`
	Store              *bool               `json:"store,omitempty"`
	Stream             bool                `json:"stream,omitempty"`
	Temperature        *float32            `json:"temperature,omitempty"`
	Text               *ResponseTextConfig `json:"text,omitempty"`
	ToolChoice         any                 `json:"tool_choice,omitempty"`
	Tools              []ResponseTool      `json:"tools,omitempty"`
	TopP               *float32            `json:"top_p,omitempty"`
	User               string              `json:"user,omitempty"`
	// ExtraBody is merged into the top level of the JSON body, its keys winning (as go-openai's).
	ExtraBody map[string]any `json:"-"`
}

// ResponseInputMessage is a message item of Input.
type ResponseInputMessage struct {
	Type    string `json:"type,omitempty"`
	Role    string `json:"role"`
	Content any    `json:"content"`
	Status  string `json:"status,omitempty"`
}

// ResponseFunctionCallOutput answers a function call in the next request's Input.
type ResponseFunctionCallOutput struct {
	Type   string `json:"type"`
	CallID string `json:"call_id"`
	Output any    `json:"output"`
	Status string `json:"status,omitempty"`
}

// ResponseError is a failed response's error.
type ResponseError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ResponseIncompleteDetails says why a response is incomplete.
type ResponseIncompleteDetails struct {
	Reason string `json:"reason,omitempty"`
}

// ResponseUsage is a response's token counts.
type ResponseUsage struct {
	InputTokens         int                          `json:"input_tokens"`
	InputTokensDetails  *ResponseInputTokensDetails  `json:"input_tokens_details,omitempty"`
	OutputTokens        int                          `json:"output_tokens"`
	OutputTokensDetails *ResponseOutputTokensDetails `json:"output_tokens_details,omitempty"`
	TotalTokens         int                          `json:"total_tokens"`
}

// ResponseInputTokensDetails details the input tokens.
type ResponseInputTokensDetails struct {
	CachedTokens int `json:"cached_tokens"`
}

// ResponseOutputTokensDetails details the output tokens.
type ResponseOutputTokensDetails struct {
	ReasoningTokens int `json:"reasoning_tokens"`
}

// ResponseAnnotation is an annotation of output text.
type ResponseAnnotation struct {
	Type       string `json:"type"`
	FileID     string `json:"file_id,omitempty"`
	Index      int    `json:"index,omitempty"`
	StartIndex int    `json:"start_index,omitempty"`
	EndIndex   int    `json:"end_index,omitempty"`
	URL        string `json:"url,omitempty"`
	Title      string `json:"title,omitempty"`
}

// ResponseOutputContent is a content part of an output item.
type ResponseOutputContent struct {
	Type        string               `json:"type"`
	Text        string               `json:"text,omitempty"`
	Refusal     string               `json:"refusal,omitempty"`
	Annotations []ResponseAnnotation `json:"annotations,omitempty"`
}

// ResponseSummaryPart is a part of a reasoning item's summary.
type ResponseSummaryPart struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// ResponseOutputItem is an output item: a message, a function call, a reasoning item, ….
type ResponseOutputItem struct {
	ID        string                  `json:"id,omitempty"`
	Type      string                  `json:"type"`
	Status    string                  `json:"status,omitempty"`
	Role      string                  `json:"role,omitempty"`
	Content   []ResponseOutputContent `json:"content,omitempty"`
	CallID    string                  `json:"call_id,omitempty"`
	Name      string                  `json:"name,omitempty"`
	Arguments string                  `json:"arguments,omitempty"`
	Summary   []ResponseSummaryPart   `json:"summary,omitempty"`
}

// CreateResponseResponse is a response. Output keeps each item as the gateway sent it
// (go-openai's []any): reasoning items' encrypted_content passes back unchanged; read
// them typed with OutputItems.
type CreateResponseResponse struct {
	ID                 string                     `json:"id"`
	Object             string                     `json:"object"`
	Created            int64                      `json:"created_at"`
	Status             ResponseStatus             `json:"status,omitempty"`
	Error              *ResponseError             `json:"error,omitempty"`
	IncompleteDetails  *ResponseIncompleteDetails `json:"incomplete_details,omitempty"`
	Instructions       any                        `json:"instructions,omitempty"`
	MaxOutputTokens    *int                       `json:"max_output_tokens,omitempty"`
	Metadata           map[string]any             `json:"metadata,omitempty"`
	Model              string                     `json:"model"`
	Output             []any                      `json:"output"`
	OutputText         string                     `json:"output_text,omitempty"`
	PreviousResponseID string                     `json:"previous_response_id,omitempty"`
	Reasoning          *ResponseReasoning         `json:"reasoning,omitempty"`
	Usage              *ResponseUsage             `json:"usage,omitempty"`

	// Attempts made, the successful one included (routerkit).
	Attempts int `json:"-"`

	httpHeader
}

// OutputItems is Output read as typed items (routerkit).
func (r CreateResponseResponse) OutputItems() []ResponseOutputItem {
	items := make([]ResponseOutputItem, 0, len(r.Output))
	for _, raw := range r.Output {
		data, err := json.Marshal(raw)
		if err != nil {
			continue
		}
		var item ResponseOutputItem
		if json.Unmarshal(data, &item) == nil {
			items = append(items, item)
		}
	}
	return items
}

// GetOutputText is the text of every output_text part of every message item, joined
// (go-openai's; OutputText when the gateway sent one).
func (r CreateResponseResponse) GetOutputText() string {
	if r.OutputText != "" {
		return r.OutputText
	}
	var out strings.Builder
	for _, item := range r.OutputItems() {
		if item.Type != "message" {
			continue
		}
		for _, part := range item.Content {
			if part.Type == "output_text" {
				out.WriteString(part.Text)
			}
		}
	}
	return out.String()
}

// CreateResponse creates a response (POST {base}/responses).
func (c *Client) CreateResponse(ctx context.Context, request CreateResponseRequest) (response CreateResponseResponse, err error) {
	if request.Stream {
		return response, ErrResponseStreamNotSupported
	}
	response.Attempts, err = c.exchangeJSON(ctx, "responses", request, request.ExtraBody, &response)
	return response, err
}

// ResponseStreamEventType is an event's type.
type ResponseStreamEventType string

const (
	ResponseStreamEventCreated                   ResponseStreamEventType = "response.created"
	ResponseStreamEventQueued                    ResponseStreamEventType = "response.queued"
	ResponseStreamEventInProgress                ResponseStreamEventType = "response.in_progress"
	ResponseStreamEventCompleted                 ResponseStreamEventType = "response.completed"
	ResponseStreamEventFailed                    ResponseStreamEventType = "response.failed"
	ResponseStreamEventIncomplete                ResponseStreamEventType = "response.incomplete"
	ResponseStreamEventOutputItemAdded           ResponseStreamEventType = "response.output_item.added"
	ResponseStreamEventOutputItemDone            ResponseStreamEventType = "response.output_item.done"
	ResponseStreamEventContentPartAdded          ResponseStreamEventType = "response.content_part.added"
	ResponseStreamEventContentPartDone           ResponseStreamEventType = "response.content_part.done"
	ResponseStreamEventOutputTextDelta           ResponseStreamEventType = "response.output_text.delta"
	ResponseStreamEventOutputTextDone            ResponseStreamEventType = "response.output_text.done"
	ResponseStreamEventOutputTextAnnotationAdded ResponseStreamEventType = "response.output_text.annotation.added"
	ResponseStreamEventRefusalDelta              ResponseStreamEventType = "response.refusal.delta"
	ResponseStreamEventRefusalDone               ResponseStreamEventType = "response.refusal.done"
	ResponseStreamEventFunctionArgumentsDelta    ResponseStreamEventType = "response.function_call_arguments.delta"
	ResponseStreamEventFunctionArgumentsDone     ResponseStreamEventType = "response.function_call_arguments.done"
	ResponseStreamEventReasoningSummaryTextDelta ResponseStreamEventType = "response.reasoning_summary_text.delta"
	ResponseStreamEventReasoningSummaryTextDone  ResponseStreamEventType = "response.reasoning_summary_text.done"
	ResponseStreamEventReasoningSummaryPartAdded ResponseStreamEventType = "response.reasoning_summary_part.added"
	ResponseStreamEventReasoningSummaryPartDone  ResponseStreamEventType = "response.reasoning_summary_part.done"
	ResponseStreamEventReasoningTextDelta        ResponseStreamEventType = "response.reasoning_text.delta"
	ResponseStreamEventReasoningTextDone         ResponseStreamEventType = "response.reasoning_text.done"
	ResponseStreamEventError                     ResponseStreamEventType = "error"
)

// ResponseStreamEvent is one event of a Responses stream; Type says which fields it has.
type ResponseStreamEvent struct {
	Type           ResponseStreamEventType `json:"type"`
	SequenceNumber int                     `json:"sequence_number,omitempty"`
	Response       *CreateResponseResponse `json:"response,omitempty"`
	Item           *ResponseOutputItem     `json:"item,omitempty"`
	Part           *ResponseOutputContent  `json:"part,omitempty"`
	Annotation     *ResponseAnnotation     `json:"annotation,omitempty"`
	ItemID         string                  `json:"item_id,omitempty"`
	OutputIndex    int                     `json:"output_index,omitempty"`
	ContentIndex   int                     `json:"content_index,omitempty"`
	SummaryIndex   int                     `json:"summary_index,omitempty"`
	Delta          string                  `json:"delta,omitempty"`
	Text           string                  `json:"text,omitempty"`
	Arguments      string                  `json:"arguments,omitempty"`
	Code           string                  `json:"code,omitempty"`
	Message        string                  `json:"message,omitempty"`
	Param          any                     `json:"param,omitempty"`
	Error          *ResponseError          `json:"error,omitempty"`
	// Raw is the event's JSON as the gateway sent it.
	Raw json.RawMessage `json:"-"`
}

// ResponseStream reads a Responses stream with Recv until io.EOF; Close it when done.
type ResponseStream struct {
	inner *ChatCompletionStream
}

// CreateResponseStream starts a Responses stream. It returns once the gateway answered
// with headers (after the engine's retries, if any).
func (c *Client) CreateResponseStream(ctx context.Context, request CreateResponseRequest) (*ResponseStream, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return nil, &RequestError{Err: err, kind: "cancelled"}
	}
	request.Stream = true
	body, err := marshalRequest(request)
	if err != nil {
		return nil, err
	}
	s, err := c.open(ctx, "responses_stream", body, request.ExtraBody)
	if err != nil {
		return nil, err
	}
	return &ResponseStream{inner: s}, nil
}

// Recv returns the next event; io.EOF after response.completed or response.incomplete.
// An error event, response.failed and a truncated body are errors (*APIError, *RequestError).
func (s *ResponseStream) Recv() (event ResponseStreamEvent, err error) {
	text, err := s.inner.RecvRaw()
	if err != nil {
		return event, err
	}
	if err = json.Unmarshal(text, &event); err != nil {
		return event, err
	}
	event.Raw = append(json.RawMessage(nil), text...)
	return event, nil
}

// FinalResponse is the response the engine accumulated from the events received so far
// (routerkit): the response of response.completed, or the items built from the events
// before it. Call it before Close.
func (s *ResponseStream) FinalResponse() (CreateResponseResponse, error) {
	var out CreateResponseResponse
	in := s.inner
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.handle == nil {
		return out, ErrStreamClosed
	}
	text := C.rk_stream_completion_json(in.handle)
	runtime.KeepAlive(in)
	defer C.rk_string_free(text)
	err := json.Unmarshal([]byte(goString(text)), &out)
	out.Attempts = in.attempts
	out.SetHeader(in.httpHeader.Header())
	return out, err
}

// Close stops the stream and frees it; safe to call more than once.
func (s *ResponseStream) Close() error { return s.inner.Close() }

// Attempts made so far (routerkit).
func (s *ResponseStream) Attempts() int { return s.inner.Attempts() }

// Receipt is the stream's route receipt (see ChatCompletionStream.Receipt).
func (s *ResponseStream) Receipt() Receipt { return s.inner.Receipt() }

// String shows the stream by its client's masked view.
func (s *ResponseStream) String() string {
	return "routerkit.ResponseStream{" + s.inner.client.String() + "}"
}
