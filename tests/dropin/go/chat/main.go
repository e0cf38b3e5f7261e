// A plain chat completion with a system prompt, as go-openai's README writes it.
package main

import (
	"context"
	"fmt"

	"github.com/routerkit/routerkit/tests/dropin/go/mockctl"
	"github.com/sashabaranov/go-openai"
)

func main() {
	config := openai.DefaultConfig(mockctl.Key("sk-dropin-chat-0123456789"))
	config.BaseURL = mockctl.BaseURL()
	client := openai.NewClientWithConfig(config)
	resp, err := client.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
		Model: openai.GPT4Dot1Mini,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: "You are terse."},
			{Role: openai.ChatMessageRoleUser, Content: "Hello!"},
		},
		Temperature: 0.2,
		MaxTokens:   50,
	})
	if err != nil {
		mockctl.Fail("ChatCompletion error: %v", err)
	}
	fmt.Println(resp.Choices[0].Message.Content)
	fmt.Println("role:", resp.Choices[0].Message.Role, "finish:", resp.Choices[0].FinishReason)
	fmt.Println("model:", resp.Model, "object:", resp.Object, "created:", resp.Created)
	fmt.Printf("usage: %d+%d=%d\n", resp.Usage.PromptTokens, resp.Usage.CompletionTokens, resp.Usage.TotalTokens)
	reqs := mockctl.Requests()
	mockctl.Check(len(reqs) == 1, "%d requests", len(reqs))
	fmt.Println("sent:", mockctl.Canonical(reqs[0].Body))
	fmt.Println("auth:", reqs[0].Headers["authorization"] == "Bearer sk-dropin-chat-0123456789")
}
