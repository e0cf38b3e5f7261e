// Errors the way go-openai's README checks them: err.(*openai.APIError) and errors.As.
package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/routerkit/routerkit/tests/dropin/go/mockctl"
	"github.com/sashabaranov/go-openai"
)

func main() {
	cfg := openai.DefaultConfig(mockctl.Key("sk-dropin-errors-0123456789"))
	cfg.BaseURL = mockctl.BaseURL()
	client := openai.NewClientWithConfig(cfg)
	req := openai.ChatCompletionRequest{Model: openai.GPT4o, Messages: []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: "hi"}}}
	mockctl.Script(
		map[string]any{"status": 401, "body": map[string]any{"error": map[string]any{"message": "Incorrect API key provided", "type": "invalid_request_error", "param": nil, "code": "invalid_api_key"}}},
		map[string]any{"status": 400, "body": map[string]any{"error": map[string]any{"message": []string{"messages is too long", "max_tokens is too large"}, "type": "invalid_request_error", "param": "messages", "code": 400}}},
		map[string]any{"status": 404},
	)
	for i := 0; i < 3; i++ {
		_, err := client.CreateChatCompletion(context.Background(), req)
		e, ok := err.(*openai.APIError)
		if !ok {
			mockctl.Fail("call %d: %T %v", i, err, err)
		}
		param := "<nil>"
		if e.Param != nil {
			param = *e.Param
		}
		fmt.Printf("status=%d %q code=%v (%T) type=%s param=%s\n", e.HTTPStatusCode, e.HTTPStatus, e.Code, e.Code, e.Type, param)
		fmt.Println("message:", e.Message)
		fmt.Println("Error():", err.Error())
		var apiErr *openai.APIError
		fmt.Println("errors.As:", errors.As(err, &apiErr), apiErr.HTTPStatusCode)
		switch e.HTTPStatusCode {
		case 401:
			fmt.Println("-> invalid auth or key")
		case 400:
			fmt.Println("-> bad request")
		default:
			fmt.Println("-> other")
		}
	}
	_, err := client.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{Model: "m", Stream: true})
	fmt.Println("stream on the plain method:", errors.Is(err, openai.ErrChatCompletionStreamNotSupported))
}
