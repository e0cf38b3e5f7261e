// A stream that asks for usage: the last chunk has no choices and carries the usage.
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
	cfg := openai.DefaultConfig(mockctl.Key("sk-dropin-usage-0123456789"))
	cfg.BaseURL = mockctl.BaseURL()
	c := openai.NewClientWithConfig(cfg)
	mockctl.Script(map[string]any{"stream": map[string]any{"content": "one two three four", "pieces": 4}})
	stream, err := c.CreateChatCompletionStream(context.Background(), openai.ChatCompletionRequest{
		Model:         "openai/gpt-4.1",
		Messages:      []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: "count to four"}},
		StreamOptions: &openai.StreamOptions{IncludeUsage: true},
	})
	if err != nil {
		mockctl.Fail("%v", err)
	}
	defer stream.Close()
	var text strings.Builder
	var usage *openai.Usage
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			mockctl.Fail("%v", err)
		}
		if chunk.Usage != nil {
			usage = chunk.Usage // OpenAI: a last chunk with no choices; LiteLLM: on an empty delta
		}
		if len(chunk.Choices) > 0 {
			text.WriteString(chunk.Choices[0].Delta.Content)
		}
	}
	mockctl.Check(usage != nil, "no usage")
	fmt.Printf("usage: %d prompt, %d completion, %d total\n", usage.PromptTokens, usage.CompletionTokens, usage.TotalTokens)
	fmt.Printf("text: %q\n", text.String())
	var sent map[string]any
	_ = jsonUnmarshal(mockctl.Requests()[0].Body, &sent)
	fmt.Println("stream_options sent:", sent["stream_options"])
}
