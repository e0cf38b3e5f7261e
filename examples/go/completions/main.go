// Legacy text completions with go-openai's names: CreateCompletion, then
// CreateCompletionStream read to io.EOF (each event carries a piece of Choices[0].Text).
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

	resp, err := client.CreateCompletion(ctx, openai.CompletionRequest{
		Model:     openai.GPT3Dot5TurboInstruct,
		Prompt:    "Write a haiku about routers.",
		MaxTokens: 64,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(resp.Choices[0].Text)
	fmt.Printf("[finish: %s, %d tokens]\n", resp.Choices[0].FinishReason, resp.Usage.TotalTokens)

	stream, err := client.CreateCompletionStream(ctx, openai.CompletionRequest{
		Model:  openai.GPT3Dot5TurboInstruct,
		Prompt: "Count to five.",
	})
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
		if len(event.Choices) > 0 {
			fmt.Print(event.Choices[0].Text)
		}
	}
	fmt.Println()
}
