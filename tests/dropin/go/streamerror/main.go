// A stream the gateway breaks with an error event after two chunks: Recv
// returns the content so far, then an *openai.APIError.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/routerkit/routerkit/tests/dropin/go/mockctl"
	"github.com/sashabaranov/go-openai"
)

func main() {
	cfg := openai.DefaultConfig(mockctl.Key("sk-dropin-streamerr-0123456789"))
	cfg.BaseURL = mockctl.BaseURL()
	client := openai.NewClientWithConfig(cfg)
	mockctl.Script(map[string]any{"stream": map[string]any{
		"content": "partial answer here", "error_after": 2,
		"error_event": map[string]any{"error": map[string]any{"message": "Provider returned error", "type": "server_error", "code": 502}},
	}})
	stream, err := client.CreateChatCompletionStream(context.Background(), openai.ChatCompletionRequest{
		Model: openai.GPT4oMini, Messages: []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: "go"}},
	})
	if err != nil {
		mockctl.Fail("%v", err)
	}
	defer stream.Close()
	text := ""
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			mockctl.Fail("clean end after %q", text)
		}
		if err != nil {
			var apiErr *openai.APIError
			fmt.Printf("after %q: APIError %v, message %q, code %v, type %s\n", text, errors.As(err, &apiErr), apiErr.Message, apiErr.Code, apiErr.Type)
			break
		}
		text += chunk.Choices[0].Delta.Content
	}
}
