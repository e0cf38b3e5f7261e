// main.go
package main

import (
	"context"
	"fmt"
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

func newClient() *openai.Client {
	config := openai.DefaultConfig(os.Getenv("THEROUTER_API_KEY"))
	config.BaseURL = baseURL()
	return openai.NewClientWithConfig(config)
}

func main() {
	client := newClient()

	resp, err := client.CreateChatCompletion(
		context.Background(),
		openai.ChatCompletionRequest{
			Model: "anthropic/claude-opus-4-5",
			Messages: []openai.ChatCompletionMessage{
				{
					Role:    openai.ChatMessageRoleUser,
					Content: "用 Go 实现一个并发安全的计数器",
				},
			},
			MaxTokens: 1024,
		},
	)
	if err != nil {
		fmt.Fprintf(os.Stderr, "请求失败: %v\n", err)
		os.Exit(1)
	}

	fmt.Println(resp.Choices[0].Message.Content)
}
