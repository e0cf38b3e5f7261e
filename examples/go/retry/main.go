package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/routerkit/routerkit/bindings/go"
)

// baseURL: THEROUTER_BASE_URL, else the real gateway.
func baseURL() string {
	if u := os.Getenv("THEROUTER_BASE_URL"); u != "" {
		return u
	}
	return "https://api.therouter.ai/v1"
}

func newClientWithTimeout(timeout time.Duration) *openai.Client {
	config := openai.DefaultConfig(os.Getenv("THEROUTER_API_KEY"))
	config.BaseURL = baseURL()
	config.HTTPClient = &http.Client{Timeout: timeout}
	return openai.NewClientWithConfig(config)
}

func chatWithRetry(client *openai.Client, model, prompt string, maxAttempts int) (string, error) {
	var lastErr error
	for attempt := 0; attempt < maxAttempts; attempt++ {
		if attempt > 0 {
			wait := time.Duration(1<<attempt) * time.Second // 指数退避
			fmt.Printf("第 %d 次重试,等待 %s...\n", attempt, wait)
			time.Sleep(wait)
		}

		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		resp, err := client.CreateChatCompletion(ctx, openai.ChatCompletionRequest{
			Model:     model,
			Messages:  []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: prompt}},
			MaxTokens: 1024,
		})
		cancel()

		if err == nil {
			return resp.Choices[0].Message.Content, nil
		}

		lastErr = err
		// 429 限流 和 5xx 服务端错误才重试
		apiErr, ok := err.(*openai.APIError)
		if ok && (apiErr.HTTPStatusCode == 429 || apiErr.HTTPStatusCode >= 500) {
			continue
		}
		// 其他错误(如 401 鉴权失败)直接返回
		return "", err
	}
	return "", fmt.Errorf("超出最大重试次数: %w", lastErr)
}

func main() {
	client := newClientWithTimeout(90 * time.Second)
	result, err := chatWithRetry(client, "deepseek/deepseek-r1", "写一个归并排序", 3)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(result)
}
