//go:build !bench_one || bench_goopenai

package main

import (
	"context"
	"errors"
	"io"
	"time"

	goopenai "github.com/sashabaranov/go-openai"
)

func init() { backends["go-openai"] = backend{"go-openai", goOpenAIBench, nil} }

func goOpenAIBench(base string) bench {
	cfg := goopenai.DefaultConfig("sk-bench-0123456789")
	cfg.BaseURL = base
	c := goopenai.NewClientWithConfig(cfg)
	req := goopenai.ChatCompletionRequest{Model: "m", Messages: []goopenai.ChatCompletionMessage{{Role: goopenai.ChatMessageRoleUser, Content: "bench"}}}
	return bench{
		chat: func(ctx context.Context) error {
			r, err := c.CreateChatCompletion(ctx, req)
			if err == nil && (len(r.Choices) == 0 || r.Choices[0].Message.Content == "") {
				err = errors.New("empty answer")
			}
			return err
		},
		stream: func(ctx context.Context, t0 time.Time) (int, float64, error) {
			s, err := c.CreateChatCompletionStream(ctx, req)
			if err != nil {
				return 0, 0, err
			}
			defer s.Close()
			n, first := 0, 0.0
			for {
				r, err := s.Recv()
				if errors.Is(err, io.EOF) {
					return n, first, nil
				}
				if err != nil {
					return n, first, err
				}
				if len(r.Choices) > 0 && r.Choices[0].Delta.Content != "" {
					if n == 0 {
						first = float64(time.Since(t0).Nanoseconds()) / 1e6
					}
					n++
				}
			}
		},
	}
}
