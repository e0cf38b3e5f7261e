// Function calling: tools described with jsonschema, the tool call read back,
// and a streamed tool call whose arguments arrive in pieces.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/routerkit/routerkit/tests/dropin/go/mockctl"
	"github.com/sashabaranov/go-openai"
	"github.com/sashabaranov/go-openai/jsonschema"
)

func main() {
	cfg := openai.DefaultConfig(mockctl.Key("sk-dropin-tools-0123456789"))
	cfg.BaseURL = mockctl.BaseURL()
	client := openai.NewClientWithConfig(cfg)
	params := jsonschema.Definition{
		Type: jsonschema.Object,
		Properties: map[string]jsonschema.Definition{
			"location": {Type: jsonschema.String, Description: "The city and state, e.g. San Francisco, CA"},
			"unit":     {Type: jsonschema.String, Enum: []string{"celsius", "fahrenheit"}},
		},
		Required: []string{"location"},
	}
	tool := openai.Tool{Type: openai.ToolTypeFunction, Function: &openai.FunctionDefinition{Name: "get_current_weather", Description: "Get the current weather", Parameters: params}}
	dialogue := []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: "What is the weather in Boston today?"}}
	mockctl.Script(
		map[string]any{"body": map[string]any{
			"id": "chatcmpl-tools", "object": "chat.completion", "created": 1700000000, "model": "gpt-4o",
			"choices": []any{map[string]any{"index": 0, "finish_reason": "tool_calls", "message": map[string]any{
				"role": "assistant", "content": nil,
				"tool_calls": []any{map[string]any{"id": "call_1", "type": "function", "function": map[string]any{"name": "get_current_weather", "arguments": `{"location":"Boston, MA"}`}}},
			}}},
			"usage": map[string]any{"prompt_tokens": 9, "completion_tokens": 5, "total_tokens": 14},
		}},
		map[string]any{},
		map[string]any{"stream": map[string]any{"tool_calls": []any{map[string]any{"name": "get_current_weather", "arguments": `{"location":"Paris"}`, "pieces": 3}}}},
	)
	resp, err := client.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{Model: openai.GPT4o, Messages: dialogue, Tools: []openai.Tool{tool}, ToolChoice: "auto"})
	if err != nil {
		mockctl.Fail("%v", err)
	}
	msg := resp.Choices[0].Message
	fmt.Printf("finish %s, %d tool call(s): %s(%s) id=%s type=%s\n", resp.Choices[0].FinishReason, len(msg.ToolCalls), msg.ToolCalls[0].Function.Name, msg.ToolCalls[0].Function.Arguments, msg.ToolCalls[0].ID, msg.ToolCalls[0].Type)
	dialogue = append(dialogue, msg, openai.ChatCompletionMessage{Role: openai.ChatMessageRoleTool, Content: "Sunny and 80 degrees.", Name: msg.ToolCalls[0].Function.Name, ToolCallID: msg.ToolCalls[0].ID})
	resp, err = client.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{Model: openai.GPT4o, Messages: dialogue, Tools: []openai.Tool{tool}})
	if err != nil {
		mockctl.Fail("%v", err)
	}
	fmt.Println(resp.Choices[0].Message.Content)
	stream, err := client.CreateChatCompletionStream(context.Background(), openai.ChatCompletionRequest{Model: openai.GPT4o, Messages: dialogue[:1], Tools: []openai.Tool{tool}})
	if err != nil {
		mockctl.Fail("%v", err)
	}
	defer stream.Close()
	var name, args string
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			mockctl.Fail("%v", err)
		}
		if len(chunk.Choices) == 0 {
			continue
		}
		for _, tc := range chunk.Choices[0].Delta.ToolCalls {
			name += tc.Function.Name
			args += tc.Function.Arguments
		}
		if chunk.Choices[0].FinishReason != "" {
			fmt.Println("stream finish:", chunk.Choices[0].FinishReason)
		}
	}
	fmt.Printf("streamed call: %s(%s)\n", name, args)
	// The plain calls' bodies (a stream's differs on purpose: routerkit asks
	// for usage, see bindings/go/README.md "Differences from go-openai").
	for _, r := range mockctl.Requests()[:2] {
		fmt.Println("sent:", mockctl.Canonical(r.Body))
	}
}
