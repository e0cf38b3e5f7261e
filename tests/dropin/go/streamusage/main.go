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
	cfg := openai.DefaultConfig("sk-dropin-usage-0123456789")
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
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			mockctl.Fail("%v", err)
		}
		if len(chunk.Choices) == 0 {
			fmt.Printf("usage chunk: %d prompt, %d completion, %d total\n", chunk.Usage.PromptTokens, chunk.Usage.CompletionTokens, chunk.Usage.TotalTokens)
			continue
		}
		mockctl.Check(chunk.Usage == nil, "usage on a content chunk")
		text.WriteString(chunk.Choices[0].Delta.Content)
	}
	fmt.Printf("text: %q\n", text.String())
	var sent map[string]any
	_ = jsonUnmarshal(mockctl.Requests()[0].Body, &sent)
	fmt.Println("stream_options sent:", sent["stream_options"])
}
