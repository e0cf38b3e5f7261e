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
	"io"
	"sync"
	"unsafe"

	json "github.com/goccy/go-json"
)

// The tool runner (routerkit; go-openai has none): openai-node's runTools in Go's idiom.
// The conversation (what is sent next, which calls run, the messages appended, the rounds
// counted, the usage summed, the final results) is the engine's state machine
// (core/src/tool_runner.rs), stepped through the library's one helper entry point
// (rk_helper); this file calls the functions between steps.

// DefaultMaxChatCompletions is how many chat completions a run makes at most by default.
const DefaultMaxChatCompletions = 10

// RunnableTool is a function the model may call during RunTools.
type RunnableTool struct {
	// Definition is the function as the model sees it (name, description, parameters, strict).
	Definition FunctionDefinition
	// Parse, when set, turns the arguments text into what Function receives. An error is not
	// an error of the run: its message is sent back to the model as the tool's result (the
	// model may try again), and Function is not called.
	Parse func(arguments string) (any, error)
	// Function answers a call: it receives the arguments text (a string), or what Parse
	// returned. A string result is sent as is; json.RawMessage as that JSON; anything else
	// as its JSON encoding. An error ends the run and is returned by RunTools unchanged.
	Function func(ctx context.Context, args any) (any, error)
}

// RunToolsOptions changes how RunTools runs. The zero value is openai-node's defaults.
type RunToolsOptions struct {
	// MaxChatCompletions bounds the requests of a run (0: DefaultMaxChatCompletions). When the
	// model still calls tools at the bound, the run ends quietly (ToolRun.MaxChatCompletionsReached).
	MaxChatCompletions int
	// Stream streams every round; OnChunk (when set) receives every round's chunks in order.
	Stream  bool
	OnChunk func(ChatCompletionStreamResponse)
	// OnMessage (when set) receives each message appended to the conversation: every assistant
	// reply and every tool result, in order.
	OnMessage func(ChatCompletionMessage)
}

// ToolRun is a finished run.
type ToolRun struct {
	// ChatCompletions are the run's completions, in request order.
	ChatCompletions []ChatCompletionResponse
	// Messages is the conversation: the request's messages, then every assistant and tool message.
	Messages []ChatCompletionMessage
	// FinalMessage is the last assistant message; FinalContent its content ("" when it has none).
	FinalMessage ChatCompletionMessage
	FinalContent string
	// FinalFunctionCall is the last function call of any assistant message (nil: none), and
	// FinalFunctionCallResult the last tool result answering a function call (nil: none).
	FinalFunctionCall       *FunctionCall
	FinalFunctionCallResult *string
	// TotalUsage sums the completions' usage.
	TotalUsage Usage
	// MaxChatCompletionsReached: the run stopped at MaxChatCompletions with tool calls answered.
	MaxChatCompletionsReached bool
}

// helper runs the library's pure helper name on input (JSON in, JSON out).
func helper(name string, input []byte) ([]byte, error) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	cin := cBytes(input)
	defer C.free(unsafe.Pointer(cin))
	var out *C.char
	var cerr *C.RkError
	if status := C.rk_helper(cname, cin, &out, &cerr); status != C.RK_STATUS_OK {
		return nil, convertError(context.Background(), cerr)
	}
	defer C.rk_string_free(out)
	return []byte(goString(out)), nil
}

// runnerStep is one step of the engine's tool runner (bridge::helpers in the core).
type runnerStep struct {
	State      json.RawMessage   `json:"state"`
	Action     string            `json:"action"`
	Body       json.RawMessage   `json:"body"`
	Calls      []runnerCall      `json:"calls"`
	Completion json.RawMessage   `json:"completion"`
	Added      []json.RawMessage `json:"added"`
	Final      *struct {
		Message                   json.RawMessage `json:"message"`
		Content                   *string         `json:"content"`
		FunctionToolCall          *FunctionCall   `json:"function_tool_call"`
		FunctionToolCallResult    *string         `json:"function_tool_call_result"`
		TotalUsage                *Usage          `json:"total_usage"`
		MaxChatCompletionsReached bool            `json:"max_chat_completions_reached"`
	} `json:"final"`
}

type runnerCall struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

type runnerResult struct {
	ToolCallID string          `json:"tool_call_id"`
	Output     json.RawMessage `json:"output"`
	Called     bool            `json:"called"`
}

func step(name string, input any) (*runnerStep, error) {
	in, err := json.Marshal(input)
	if err != nil {
		return nil, err
	}
	out, err := helper(name, in)
	if err != nil {
		return nil, err
	}
	var s runnerStep
	if err := json.Unmarshal(out, &s); err != nil {
		return nil, fmt.Errorf("routerkit: the tool runner's step: %w", err)
	}
	return &s, nil
}

// RunTools sends request with tools' definitions (added to request.Tools), runs the functions
// the model calls and sends their results back, until the model answers without tool calls or
// MaxChatCompletions requests were made (openai-node's runTools). The calls of one round run
// concurrently; every call finishes before a failure ends the run. ctx cancels the request in
// flight and is passed to the functions.
func (c *Client) RunTools(ctx context.Context, request ChatCompletionRequest, tools []RunnableTool, opts ...RunToolsOptions) (*ToolRun, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	var o RunToolsOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	byName := map[string]*RunnableTool{}
	for i := range tools {
		t := &tools[i]
		if t.Function == nil {
			return nil, &invalidRequestError{field: "tools", msg: fmt.Sprintf("tools[%d] (%s) has no Function", i, t.Definition.Name)}
		}
		def := t.Definition
		request.Tools = append(request.Tools, Tool{Type: ToolTypeFunction, Function: &def})
		if _, seen := byName[def.Name]; !seen {
			byName[def.Name] = t
		}
	}
	request.Stream = false
	if err := validateChatRequest(request); err != nil {
		return nil, err
	}
	params, err := marshalRequest(request)
	if err != nil {
		return nil, err
	}
	var max any
	if o.MaxChatCompletions > 0 {
		max = o.MaxChatCompletions
	}
	s, err := step("tool_runner.start", map[string]any{"params": json.RawMessage(params), "max_chat_completions": max})
	if err != nil {
		return nil, err
	}
	run := &ToolRun{}
	for {
		switch s.Action {
		case "request":
			completion, err := c.runnerRound(ctx, s.Body, request.ExtraBody, o)
			if err != nil {
				return nil, err
			}
			s, err = step("tool_runner.completion", map[string]any{"state": s.State, "completion": completion})
			if err != nil {
				return nil, err
			}
			var typed ChatCompletionResponse
			if err := json.Unmarshal(s.Completion, &typed); err != nil {
				return nil, fmt.Errorf("routerkit: decoding a chat completion: %w", err)
			}
			run.ChatCompletions = append(run.ChatCompletions, typed)
		case "call_tools":
			results, err := runCalls(ctx, s.Calls, byName)
			if err != nil {
				return nil, err
			}
			s, err = step("tool_runner.results", map[string]any{"state": s.State, "results": results})
			if err != nil {
				return nil, err
			}
		}
		if o.OnMessage != nil {
			for _, m := range s.Added {
				var msg ChatCompletionMessage
				if json.Unmarshal(m, &msg) == nil {
					o.OnMessage(msg)
				}
			}
		}
		if s.Action == "done" {
			break
		}
	}
	var state struct {
		Messages []ChatCompletionMessage `json:"messages"`
	}
	if err := json.Unmarshal(s.State, &state); err != nil {
		return nil, fmt.Errorf("routerkit: decoding the conversation: %w", err)
	}
	run.Messages = state.Messages
	if f := s.Final; f != nil {
		if len(f.Message) > 0 && string(f.Message) != "null" {
			_ = json.Unmarshal(f.Message, &run.FinalMessage)
		}
		if f.Content != nil {
			run.FinalContent = *f.Content
		}
		run.FinalFunctionCall = f.FunctionToolCall
		run.FinalFunctionCallResult = f.FunctionToolCallResult
		if f.TotalUsage != nil {
			run.TotalUsage = *f.TotalUsage
		}
		run.MaxChatCompletionsReached = f.MaxChatCompletionsReached
	}
	return run, nil
}

// runCalls runs one round's calls concurrently and reports them in call order.
func runCalls(ctx context.Context, calls []runnerCall, byName map[string]*RunnableTool) ([]runnerResult, error) {
	results := make([]runnerResult, len(calls))
	errs := make([]error, len(calls))
	var wg sync.WaitGroup
	for i, call := range calls {
		wg.Add(1)
		go func(i int, call runnerCall) {
			defer wg.Done()
			results[i], errs[i] = runCall(ctx, call, byName[call.Name])
		}(i, call)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return results, nil
}

func runCall(ctx context.Context, call runnerCall, t *RunnableTool) (runnerResult, error) {
	r := runnerResult{ToolCallID: call.ID}
	if t == nil {
		return r, fmt.Errorf("routerkit: no function %q", call.Name)
	}
	var args any = call.Arguments
	if t.Parse != nil {
		parsed, err := t.Parse(call.Arguments)
		if err != nil {
			// The parser's message goes back to the model.
			r.Output, _ = json.Marshal(err.Error())
			return r, nil
		}
		args = parsed
	}
	value, err := t.Function(ctx, args)
	if err != nil {
		return r, err
	}
	switch v := value.(type) {
	case string:
		r.Output, err = json.Marshal(v)
	case json.RawMessage:
		r.Output = v
	default:
		r.Output, err = json.Marshal(v)
	}
	if err != nil {
		return r, fmt.Errorf("routerkit: the result of %s is not JSON: %w", call.Name, err)
	}
	r.Called = true
	return r, nil
}

// runnerRound sends one round and returns the completion's JSON.
func (c *Client) runnerRound(ctx context.Context, body json.RawMessage, extraBody map[string]any, o RunToolsOptions) (json.RawMessage, error) {
	if err := ctx.Err(); err != nil {
		return nil, &RequestError{Err: err, kind: "cancelled"}
	}
	if !o.Stream {
		raw, err := c.call(ctx, "chat", body, extraBody)
		if err != nil {
			return nil, err
		}
		return raw.body, nil
	}
	stream, err := c.open(ctx, "chat_stream", body, extraBody)
	if err != nil {
		return nil, err
	}
	defer stream.Close()
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if o.OnChunk != nil {
			o.OnChunk(chunk)
		}
	}
	return stream.completionJSON()
}

// completionJSON is the completion the engine accumulated, as JSON text.
func (s *ChatCompletionStream) completionJSON() (json.RawMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.handle == nil {
		return nil, ErrStreamClosed
	}
	text := C.rk_stream_completion_json(s.handle)
	defer C.rk_string_free(text)
	return json.RawMessage(goString(text)), nil
}
