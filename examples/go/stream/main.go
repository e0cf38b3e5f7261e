package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/routerkit/routerkit/bindings/go"
)

// baseURL: THEROUTER_BASE_URL, else the real gateway.
func baseURL() string {
	if u := os.Getenv("THEROUTER_BASE_URL"); u != "" {
		return u
	}
	return "https://api.therouter.ai/v1"
}

// newClient is the basic program's (the guide's stream program reuses it).
func newClient() *openai.Client {
	config := openai.DefaultConfig(os.Getenv("THEROUTER_API_KEY"))
	config.BaseURL = baseURL()
	return openai.NewClientWithConfig(config)
}

func streamChat(client *openai.Client, model, prompt string) error {
	stream, err := client.CreateChatCompletionStream(
		context.Background(),
		openai.ChatCompletionRequest{
			Model: model,
			Messages: []openai.ChatCompletionMessage{
				{Role: openai.ChatMessageRoleUser, Content: prompt},
			},
			MaxTokens: 512,
			Stream:    true,
		},
	)
	if err != nil {
		return fmt.Errorf("创建流失败: %w", err)
	}
	defer stream.Close()

	for {
		response, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			fmt.Println() // 换行
			return nil
		}
		if err != nil {
			return fmt.Errorf("流读取错误: %w", err)
		}
		if len(response.Choices) > 0 {
			fmt.Print(response.Choices[0].Delta.Content)
		}
	}
}

func main() {
	client := newClient()
	if err := streamChat(client, "openai/gpt-4.1", "解释 Go 的 goroutine 调度"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
