// The Responses API with go-openai's names: CreateResponse, a function call, and
// CreateResponseStream read to the end.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	openai "github.com/routerkit/routerkit/bindings/go"
)

func main() {
	config := openai.DefaultConfig(os.Getenv("THEROUTER_API_KEY"))
	if u := os.Getenv("THEROUTER_BASE_URL"); u != "" {
		config.BaseURL = u
	}
	client := openai.NewClientWithConfig(config)
	defer client.Close()
	ctx := context.Background()

	resp, err := client.CreateResponse(ctx, openai.CreateResponseRequest{Model: "openai/gpt-4.1", Input: "Name three prime numbers."})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(resp.GetOutputText())

	tool := openai.NewResponseFunctionTool(openai.FunctionDefinition{
		Name:        "get_weather",
		Description: "The weather in a city",
		Parameters: map[string]any{
			"type":       "object",
			"properties": map[string]any{"city": map[string]any{"type": "string"}},
			"required":   []string{"city"},
		},
	})
	resp, err = client.CreateResponse(ctx, openai.CreateResponseRequest{
		Model: "openai/gpt-4.1", Input: "Weather in Paris?", Tools: []openai.ResponseTool{tool}, ToolChoice: "required",
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, item := range resp.OutputItems() {
		if item.Type == "function_call" {
			fmt.Printf("call %s(%s)\n", item.Name, item.Arguments)
		}
	}

	stream, err := client.CreateResponseStream(ctx, openai.CreateResponseRequest{Model: "openai/gpt-4.1", Input: "What does an event loop do?"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer stream.Close()
	for {
		event, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "\nstream error:", err)
			os.Exit(1)
		}
		switch event.Type {
		case openai.ResponseStreamEventOutputTextDelta:
			fmt.Print(event.Delta)
		case openai.ResponseStreamEventCompleted:
			if event.Response != nil && event.Response.Usage != nil {
				fmt.Printf("\n[%d tokens]\n", event.Response.Usage.TotalTokens)
			}
		}
	}
}
