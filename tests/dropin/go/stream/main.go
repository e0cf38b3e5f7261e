// go-openai's README stream loop: response.Choices[0] on every chunk until io.EOF.
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
	c := openai.NewClientWithConfig(func() openai.ClientConfig {
		cfg := openai.DefaultConfig(mockctl.Key("sk-dropin-stream-0123456789"))
		cfg.BaseURL = mockctl.BaseURL()
		return cfg
	}())
	ctx := context.Background()
	req := openai.ChatCompletionRequest{
		Model:     openai.GPT3Dot5Turbo,
		MaxTokens: 20,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleUser, Content: "Lorem ipsum"},
		},
		Stream: true,
	}
	stream, err := c.CreateChatCompletionStream(ctx, req)
	if err != nil {
		mockctl.Fail("ChatCompletionStream error: %v", err)
	}
	defer stream.Close()
	fmt.Printf("Stream response: ")
	chunks := 0
	for {
		response, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			fmt.Println("\nStream finished")
			break
		}
		if err != nil {
			mockctl.Fail("Stream error: %v", err)
		}
		chunks++
		fmt.Print(response.Choices[0].Delta.Content)
		if response.Choices[0].FinishReason != "" {
			fmt.Printf("\n[finish: %s]", response.Choices[0].FinishReason)
		}
	}
	fmt.Println("chunks:", chunks)
}
