// Timeouts as a go-openai program checks them: os.IsTimeout and context.DeadlineExceeded.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/routerkit/routerkit/tests/dropin/go/mockctl"
	"github.com/sashabaranov/go-openai"
)

func main() {
	mockctl.Script(map[string]any{"delay_headers_ms": 3000}, map[string]any{"delay_headers_ms": 3000})
	req := openai.ChatCompletionRequest{Model: openai.GPT4, Messages: []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: "slow"}}}

	cfg := openai.DefaultConfig(mockctl.Key("sk-dropin-timeout-0123456789"))
	cfg.BaseURL = mockctl.BaseURL()
	cfg.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond}
	start := time.Now()
	_, err := openai.NewClientWithConfig(cfg).CreateChatCompletion(context.Background(), req)
	fmt.Println("http.Client.Timeout: error:", err != nil, "os.IsTimeout:", os.IsTimeout(err), "under 2s:", time.Since(start) < 2*time.Second)
	var apiErr *openai.APIError
	fmt.Println("is an APIError:", errors.As(err, &apiErr))

	cfg.HTTPClient = &http.Client{}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, err = openai.NewClientWithConfig(cfg).CreateChatCompletion(ctx, req)
	fmt.Println("ctx deadline: os.IsTimeout:", os.IsTimeout(err), "DeadlineExceeded:", errors.Is(err, context.DeadlineExceeded), "under 2s:", time.Since(start) < 2*time.Second)

	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	_, err = openai.NewClientWithConfig(cfg).CreateChatCompletion(ctx, req)
	fmt.Println("cancelled: os.IsTimeout:", os.IsTimeout(err), "Canceled:", errors.Is(err, context.Canceled))
}
