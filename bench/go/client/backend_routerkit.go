//go:build !bench_one || bench_routerkit

package main

import (
	"context"
	"errors"
	"io"
	"time"

	rk "github.com/routerkit/routerkit/bindings/go"
)

func init() { backends["routerkit"] = backend{"routerkit-go", routerkitBench, hedgeRun} }

func routerkitBench(base string) bench {
	cfg := rk.DefaultConfig("sk-bench-0123456789")
	cfg.BaseURL = base
	cfg.MaxRetries = 0
	c := rk.NewClientWithConfig(cfg)
	req := rk.ChatCompletionRequest{Model: "m", Messages: []rk.ChatCompletionMessage{{Role: rk.ChatMessageRoleUser, Content: "bench"}}}
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

// The hedge benchmark's two-model chain (bench/lib/hedge.py): the mock's step makes slowModel slow
// on a fraction of calls; fastModel, the chain's next model, never is.
const (
	slowModel = "bench/slow"
	fastModel = "bench/fast"
)

// hedgeRun makes n sequential streamed calls on the chain, hedged after hedgeAfterMs (0: not
// hedged); the mock's step comes in the x-mock-step header of every request, in a session of its
// own (its counter picks the slow calls, the same ones in every run).
func hedgeRun(base string, n int, hedgeAfterMs float64, step, session string, out map[string]any) {
	cfg := rk.DefaultConfig("sk-bench-0123456789")
	cfg.BaseURL = base
	cfg.MaxRetries = 0
	cfg.FallbackModels = []string{fastModel}
	if hedgeAfterMs > 0 {
		cfg.HedgeAfter = time.Duration(hedgeAfterMs * float64(time.Millisecond))
	}
	cfg.DefaultHeaders = map[string]string{"x-mock-step": step, "x-mock-session": session}
	c := rk.NewClientWithConfig(cfg)
	req := rk.ChatCompletionRequest{Model: slowModel, Messages: []rk.ChatCompletionMessage{{Role: rk.ChatMessageRoleUser, Content: "bench"}}}
	call := func() (float64, rk.ReceiptHedge) {
		t0 := time.Now()
		s, err := c.CreateChatCompletionStream(context.Background(), req)
		must(err)
		defer s.Close()
		first := -1.0
		for {
			r, err := s.Recv()
			if errors.Is(err, io.EOF) {
				break
			}
			must(err)
			if first < 0 && len(r.Choices) > 0 && r.Choices[0].Delta.Content != "" {
				first = float64(time.Since(t0).Nanoseconds()) / 1e6
			}
		}
		if first < 0 {
			must(errors.New("no content"))
		}
		return first, s.Receipt().Hedge
	}
	call() // warm: connection, lazy state (the mock counts it: the same in every run)
	firsts := make([]float64, 0, n)
	fired, won := 0, 0
	c0, t0 := cpu(), time.Now()
	for i := 0; i < n; i++ {
		f, h := call()
		firsts = append(firsts, f)
		if h.Fired {
			fired++
		}
		if h.HedgeWon {
			won++
		}
	}
	out["calls"], out["wall_s"], out["cpu_s"], out["firsts_ms"] = n, time.Since(t0).Seconds(), cpu()-c0, firsts
	out["hedges_fired"], out["hedges_won"] = fired, won
}
