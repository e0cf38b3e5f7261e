// A fallback chain and a hedged stream. FallbackModels are tried in order when a call fails
// before any output with a retryable error (after that model's own retries), a
// model-availability error, or a status of FallbackOnStatus; never after output. HedgeAfter
// starts the same stream on the chain's next model when no first token has come by then,
// keeps whichever answers first and closes the other.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/routerkit/routerkit/bindings/go"
)

func main() {
	config := openai.DefaultConfig(os.Getenv("THEROUTER_API_KEY"))
	if u := os.Getenv("THEROUTER_BASE_URL"); u != "" {
		config.BaseURL = u
	} else {
		config.BaseURL = "https://api.therouter.ai/v1"
	}
	config.FallbackModels = []string{"anthropic/claude-sonnet-4.5", "google/gemini-2.5-flash"}
	config.FallbackOnStatus = []int{400} // e.g. a context-length error that another model may take
	client := openai.NewClientWithConfig(config)
	defer client.Close()

	resp, err := client.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
		Model:    "openai/gpt-4.1",
		Messages: []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: "One sentence on merge sort."}},
	})
	var apiErr *openai.APIError
	switch {
	case errors.As(err, &apiErr):
		// Every model of the chain failed: the gateway's own verdict on the last one.
		retryable := "unsaid"
		if apiErr.Retryable != nil {
			retryable = fmt.Sprint(*apiErr.Retryable)
		}
		fmt.Printf("failed: %d retryable=%s type=%s availability=%s\n",
			apiErr.HTTPStatusCode, retryable, apiErr.ErrorType, apiErr.AvailabilityCode)
	case err != nil:
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	default:
		fmt.Printf("[%s] %s\n", resp.Model, resp.Choices[0].Message.Content)
	}

	// A stream hedged after 2 s, on this call's own chain (it replaces the client's).
	ctx := openai.WithHedgeAfter(openai.WithFallbackModels(context.Background(), "anthropic/claude-sonnet-4.5"), 2*time.Second)
	stream, err := client.CreateChatCompletionStream(ctx, openai.ChatCompletionRequest{
		Model:    "openai/gpt-4.1",
		Messages: []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: "Count to five."}},
		Stream:   true,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer stream.Close()
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			fmt.Println()
			return
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if len(chunk.Choices) > 0 {
			fmt.Print(chunk.Choices[0].Delta.Content)
		}
	}
}
