// The simple endpoints gateways serve beside chat, as go-openai writes them: legacy
// completions (plain and streamed) and moderations, with go-openai's checks before sending.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/routerkit/routerkit/tests/dropin/go/mockctl"
	"github.com/sashabaranov/go-openai"
)

func main() {
	config := openai.DefaultConfig(mockctl.Key("sk-dropin-legacy-0123456789"))
	config.BaseURL = mockctl.BaseURL()
	client := openai.NewClientWithConfig(config)
	ctx := context.Background()

	resp, err := client.CreateCompletion(ctx, openai.CompletionRequest{
		Model:     "openai/gpt-3.5-turbo-instruct",
		Prompt:    "Say hi",
		MaxTokens: 16,
	})
	if err != nil {
		mockctl.Fail("CreateCompletion: %v", err)
	}
	fmt.Println(resp.Object, resp.Choices[0].Text, resp.Choices[0].FinishReason)
	fmt.Printf("usage: %d+%d=%d\n", resp.Usage.PromptTokens, resp.Usage.CompletionTokens, resp.Usage.TotalTokens)

	stream, err := client.CreateCompletionStream(ctx, openai.CompletionRequest{
		Model:  "openai/gpt-3.5-turbo-instruct",
		Prompt: "Count to three",
	})
	if err != nil {
		mockctl.Fail("CreateCompletionStream: %v", err)
	}
	var text strings.Builder
	events := 0
	for {
		event, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			mockctl.Fail("Recv: %v", err)
		}
		if len(event.Choices) > 0 && event.Choices[0].Text != "" {
			text.WriteString(event.Choices[0].Text)
			events++
		}
	}
	stream.Close()
	fmt.Println("streamed:", text.String(), "events with text:", events)

	// go-openai refuses these before sending.
	_, err = client.CreateCompletion(ctx, openai.CompletionRequest{Model: openai.GPT4o, Prompt: "x"})
	fmt.Println("chat model:", errors.Is(err, openai.ErrCompletionUnsupportedModel))
	_, err = client.CreateCompletion(ctx, openai.CompletionRequest{Model: "openai/gpt-3.5-turbo-instruct", Prompt: 42})
	fmt.Println("prompt type:", errors.Is(err, openai.ErrCompletionRequestPromptTypeNotSupported))
	_, err = client.CreateCompletion(ctx, openai.CompletionRequest{Model: "openai/gpt-3.5-turbo-instruct", Prompt: "x", Stream: true})
	fmt.Println("stream flag:", errors.Is(err, openai.ErrCompletionStreamNotSupported))

	moderation, err := client.Moderations(ctx, openai.ModerationRequest{Model: openai.ModerationOmniLatest, Input: "I will attack"})
	if err != nil {
		mockctl.Fail("Moderations: %v", err)
	}
	r := moderation.Results[0]
	fmt.Printf("flagged: %v violence=%v hate=%v score=%.2f\n", r.Flagged, r.Categories.Violence, r.Categories.Hate, r.CategoryScores.Violence)
	_, err = client.Moderations(ctx, openai.ModerationRequest{Model: "gpt-4o", Input: "x"})
	fmt.Println("moderation model:", errors.Is(err, openai.ErrModerationInvalidModel))
}
