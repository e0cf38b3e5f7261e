//go:build !bench_one || bench_openaigo

package main

import (
	"context"
	"errors"
	"time"

	openaigo "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

func init() { backends["openai-go"] = backend{"openai-go", openaiGoBench, nil} }

// The official SDK, github.com/openai/openai-go/v3 (--client openai-go).
func openaiGoBench(base string) bench {
	c := openaigo.NewClient(option.WithAPIKey("sk-bench-0123456789"), option.WithBaseURL(base), option.WithMaxRetries(0))
	params := openaigo.ChatCompletionNewParams{Model: "m", Messages: []openaigo.ChatCompletionMessageParamUnion{openaigo.UserMessage("bench")}}
	return bench{
		chat: func(ctx context.Context) error {
			r, err := c.Chat.Completions.New(ctx, params)
			if err == nil && (len(r.Choices) == 0 || r.Choices[0].Message.Content == "") {
				err = errors.New("empty answer")
			}
			return err
		},
		stream: func(ctx context.Context, t0 time.Time) (int, float64, error) {
			s := c.Chat.Completions.NewStreaming(ctx, params)
			defer s.Close()
			n, first := 0, 0.0
			for s.Next() {
				r := s.Current()
				if len(r.Choices) > 0 && r.Choices[0].Delta.Content != "" {
					if n == 0 {
						first = float64(time.Since(t0).Nanoseconds()) / 1e6
					}
					n++
				}
			}
			return n, first, s.Err()
		},
	}
}
