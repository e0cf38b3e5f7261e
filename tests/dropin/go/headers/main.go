// Response headers and go-openai's rate-limit helper, on a call and on a stream.
package main

import (
	"context"
	"fmt"

	"github.com/routerkit/routerkit/tests/dropin/go/mockctl"
	"github.com/sashabaranov/go-openai"
)

func main() {
	cfg := openai.DefaultConfig(mockctl.Key("sk-dropin-headers-0123456789"))
	cfg.BaseURL = mockctl.BaseURL()
	client := openai.NewClientWithConfig(cfg)
	limits := map[string]any{
		"x-ratelimit-limit-requests": 500, "x-ratelimit-limit-tokens": 30000,
		"x-ratelimit-remaining-requests": 499, "x-ratelimit-remaining-tokens": 29950,
		"x-ratelimit-reset-requests": "120ms", "x-ratelimit-reset-tokens": "100ms",
		"openai-processing-ms": 42,
	}
	mockctl.Script(map[string]any{"headers": limits}, map[string]any{"headers": limits})
	req := openai.ChatCompletionRequest{Model: openai.GPT4Turbo, Messages: []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: "limits?"}}}
	resp, err := client.CreateChatCompletion(context.Background(), req)
	if err != nil {
		mockctl.Fail("%v", err)
	}
	rl := resp.GetRateLimitHeaders()
	fmt.Printf("limits: %d/%d requests, %d/%d tokens, reset %s / %s\n", rl.RemainingRequests, rl.LimitRequests, rl.RemainingTokens, rl.LimitTokens, rl.ResetRequests, rl.ResetTokens.String())
	fmt.Println("x-request-id:", resp.Header().Get("X-Request-Id"), "processing:", resp.Header().Get("openai-processing-ms"))
	stream, err := client.CreateChatCompletionStream(context.Background(), req)
	if err != nil {
		mockctl.Fail("%v", err)
	}
	defer stream.Close()
	srl := stream.GetRateLimitHeaders()
	fmt.Println("stream limits equal:", srl == rl, "content-type:", stream.Header().Get("Content-Type"))
	models, err := client.ListModels(context.Background())
	if err != nil {
		mockctl.Fail("%v", err)
	}
	fmt.Println("models without limits:", models.GetRateLimitHeaders().LimitRequests, models.GetRateLimitHeaders().ResetTokens == "")
}
