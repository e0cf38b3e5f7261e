// go-openai's model constants and its checks of reasoning-model requests.
package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/routerkit/routerkit/tests/dropin/go/mockctl"
	"github.com/sashabaranov/go-openai"
)

func main() {
	cfg := openai.DefaultConfig(mockctl.Key("sk-dropin-reasoning-0123456789"))
	cfg.BaseURL = mockctl.BaseURL()
	client := openai.NewClientWithConfig(cfg)
	msgs := []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: "think"}}
	for _, m := range []string{openai.GPT3Dot5Turbo, openai.GPT4o, openai.GPT4Dot1Nano, openai.O1Mini, openai.O3Mini, openai.O4Mini, openai.GPT5, openai.GPT5Dot1Codex, openai.GPT6Sol, openai.GPT3TextDavinci003, openai.CodexCodeDavinci002} {
		fmt.Print(m, " ")
	}
	fmt.Println()
	cases := []struct {
		name string
		req  openai.ChatCompletionRequest
		want error
	}{
		{"max_tokens on o3-mini", openai.ChatCompletionRequest{Model: openai.O3Mini, Messages: msgs, MaxTokens: 100}, openai.ErrReasoningModelMaxTokensDeprecated},
		{"logprobs on o1", openai.ChatCompletionRequest{Model: openai.O1, Messages: msgs, LogProbs: true}, openai.ErrReasoningModelLimitationsLogprobs},
		{"temperature on gpt-5", openai.ChatCompletionRequest{Model: openai.GPT5, Messages: msgs, Temperature: 0.7}, openai.ErrReasoningModelLimitationsOther},
		{"davinci on chat", openai.ChatCompletionRequest{Model: openai.GPT3TextDavinci003, Messages: msgs}, openai.ErrChatCompletionInvalidModel},
		{"effort none on gpt-6-astra", openai.ChatCompletionRequest{Model: openai.GPT6Astra, Messages: msgs, ReasoningEffort: openai.ReasoningEffortNone}, openai.ErrReasoningEffortUnsupported},
	}
	for _, tc := range cases {
		_, err := client.CreateChatCompletion(context.Background(), tc.req)
		_, serr := client.CreateChatCompletionStream(context.Background(), tc.req)
		fmt.Printf("%s: %v | errors.Is %v, stream %v\n", tc.name, err, errors.Is(err, tc.want), errors.Is(serr, tc.want))
	}
	fmt.Println("requests sent so far:", len(mockctl.Requests()))
	resp, err := client.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
		Model: openai.O3Mini, Messages: msgs, MaxCompletionTokens: 100, ReasoningEffort: openai.ReasoningEffortLow,
	})
	if err != nil {
		mockctl.Fail("%v", err)
	}
	fmt.Println(resp.Choices[0].Message.Content, "| sent:", mockctl.Canonical(mockctl.Requests()[0].Body))
}
