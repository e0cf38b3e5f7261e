// The Responses API with go-openai 1.43's CreateResponse and CreateResponseStream: the output
// text (GetOutputText), output items read typed, reasoning items, a function call item and its
// output sent back, and a stream read with Recv until io.EOF, its final response taken from
// the response.completed event (go-openai has no stream helper).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/routerkit/routerkit/tests/dropin/go/mockctl"
	"github.com/sashabaranov/go-openai"
)

// items reads Output ([]any, as go-openai keeps it) as typed items.
func items(r openai.CreateResponseResponse) []openai.ResponseOutputItem {
	data, err := json.Marshal(r.Output)
	if err != nil {
		mockctl.Fail("marshal output: %v", err)
	}
	var out []openai.ResponseOutputItem
	if err := json.Unmarshal(data, &out); err != nil {
		mockctl.Fail("output items: %v", err)
	}
	return out
}

func main() {
	config := openai.DefaultConfig(mockctl.Key("sk-dropin-responses-0123456789"))
	config.BaseURL = mockctl.BaseURL()
	client := openai.NewClientWithConfig(config)
	ctx := context.Background()
	const model = "openai/gpt-4.1"

	resp, err := client.CreateResponse(ctx, openai.CreateResponseRequest{Model: model, Input: "Name three prime numbers."})
	if err != nil {
		mockctl.Fail("CreateResponse: %v", err)
	}
	fmt.Println(resp.Object, resp.Status, strings.HasPrefix(resp.ID, "resp_"), resp.Model)
	fmt.Println(resp.GetOutputText())
	for _, item := range items(resp) {
		fmt.Println("item:", item.Type, item.Role, len(item.Content), item.Content[0].Type)
	}
	fmt.Println("usage:", resp.Usage.InputTokens, resp.Usage.OutputTokens, resp.Usage.TotalTokens)

	resp, err = client.CreateResponse(ctx, openai.CreateResponseRequest{
		Model:        "openai/o4-mini",
		Instructions: "Answer in one line.",
		Input:        []openai.ResponseInputMessage{{Role: openai.ChatMessageRoleUser, Content: "What is a monad?"}},
		Reasoning:    &openai.ResponseReasoning{Effort: "low", Summary: "auto"},
	})
	if err != nil {
		mockctl.Fail("CreateResponse with reasoning: %v", err)
	}
	for _, item := range items(resp) {
		fmt.Print("item: ", item.Type)
		for _, part := range item.Summary {
			fmt.Print(" ", part.Text)
		}
		fmt.Println()
	}
	fmt.Println(resp.GetOutputText())

	weather := openai.NewResponseFunctionTool(openai.FunctionDefinition{
		Name:        "get_weather",
		Description: "The weather in a city",
		Parameters: map[string]any{
			"type":       "object",
			"properties": map[string]any{"city": map[string]any{"type": "string"}, "days": map[string]any{"type": "integer"}},
			"required":   []string{"city", "days"},
		},
	})
	question := openai.ResponseInputMessage{Role: openai.ChatMessageRoleUser, Content: "Weather in Paris?"}
	resp, err = client.CreateResponse(ctx, openai.CreateResponseRequest{
		Model: model, Input: []any{question}, Tools: []openai.ResponseTool{weather}, ToolChoice: "required",
	})
	if err != nil {
		mockctl.Fail("CreateResponse with tools: %v", err)
	}
	followUp := []any{question}
	for _, item := range items(resp) {
		if item.Type != "function_call" {
			continue
		}
		var args map[string]any
		if err := json.Unmarshal([]byte(item.Arguments), &args); err != nil {
			mockctl.Fail("arguments: %v", err)
		}
		fmt.Println("call:", item.CallID, item.Name, args["city"], args["days"])
		followUp = append(followUp,
			map[string]any{"type": "function_call", "call_id": item.CallID, "name": item.Name, "arguments": item.Arguments},
			openai.ResponseFunctionCallOutput{Type: "function_call_output", CallID: item.CallID, Output: "sunny"})
	}
	fmt.Printf("text: %q\n", resp.GetOutputText())
	resp, err = client.CreateResponse(ctx, openai.CreateResponseRequest{
		Model: model, Input: followUp, Tools: []openai.ResponseTool{weather},
	})
	if err != nil {
		mockctl.Fail("CreateResponse with the call's output: %v", err)
	}
	fmt.Println(resp.GetOutputText())

	for _, req := range []openai.CreateResponseRequest{
		{Model: model, Input: "Count to three"},
		{Model: model, Input: "Weather in Oslo?", Tools: []openai.ResponseTool{weather}, ToolChoice: "required"},
	} {
		stream, err := client.CreateResponseStream(ctx, req)
		if err != nil {
			mockctl.Fail("CreateResponseStream: %v", err)
		}
		var types []string
		var text, args strings.Builder
		var final *openai.CreateResponseResponse
		for {
			event, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				mockctl.Fail("Recv: %v", err)
			}
			types = append(types, string(event.Type))
			switch event.Type {
			case openai.ResponseStreamEventOutputTextDelta:
				text.WriteString(event.Delta)
			case openai.ResponseStreamEventFunctionArgumentsDelta:
				args.WriteString(event.Delta)
			case openai.ResponseStreamEventOutputTextDone:
				fmt.Println("text done:", event.Text)
			case openai.ResponseStreamEventCompleted:
				final = event.Response
			}
		}
		stream.Close()
		fmt.Println(strings.Join(types, " "))
		fmt.Printf("deltas: %q arguments: %q\n", text.String(), args.String())
		if final == nil {
			mockctl.Fail("no response.completed")
		}
		fmt.Println("final:", final.Status, final.GetOutputText(), final.Usage.TotalTokens)
		for _, item := range items(*final) {
			fmt.Println("final item:", item.Type, item.Name, item.Arguments)
		}
	}
}
