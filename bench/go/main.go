// Benchmark: routerkit's Go package against go-openai, same mock gateway, same run.
//
//	CPU per streamed chunk (one long stream), sequential non-streaming
//	requests/s with p50/p99, and 200 concurrent streams of 1,000 chunks.
//
// Run with bench/go/run.sh (builds release librouterkit.a and the mock, fetches
// go-openai into bench/.peers/go).
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	rk "github.com/routerkit/routerkit/bindings/go"
	goopenai "github.com/sashabaranov/go-openai"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func words(n int) string { return strings.TrimSpace(strings.Repeat("w ", n)) }

// A client under test: one chat call and one stream read to the end.
type peer struct {
	name   string
	chat   func(ctx context.Context, prompt string) error
	stream func(ctx context.Context, prompt string) (int, error)
}

func routerkitPeer(base string) peer {
	cfg := rk.DefaultConfig("sk-bench")
	cfg.BaseURL = base
	c := rk.NewClientWithConfig(cfg)
	req := func(p string) rk.ChatCompletionRequest {
		return rk.ChatCompletionRequest{Model: "openai/gpt-4.1", Messages: []rk.ChatCompletionMessage{{Role: rk.ChatMessageRoleUser, Content: p}}}
	}
	return peer{
		name: "routerkit",
		chat: func(ctx context.Context, p string) error {
			r, err := c.CreateChatCompletion(ctx, req(p))
			if err == nil && len(r.Choices) == 0 {
				err = errors.New("no choices")
			}
			return err
		},
		stream: func(ctx context.Context, p string) (int, error) {
			s, err := c.CreateChatCompletionStream(ctx, req(p))
			if err != nil {
				return 0, err
			}
			defer s.Close()
			n := 0
			for {
				_, err := s.Recv()
				if err == io.EOF {
					return n, nil
				}
				if err != nil {
					return n, err
				}
				n++
			}
		},
	}
}

func goOpenAIPeer(base string) peer {
	cfg := goopenai.DefaultConfig("sk-bench")
	cfg.BaseURL = base
	c := goopenai.NewClientWithConfig(cfg)
	req := func(p string) goopenai.ChatCompletionRequest {
		return goopenai.ChatCompletionRequest{Model: "openai/gpt-4.1", Messages: []goopenai.ChatCompletionMessage{{Role: goopenai.ChatMessageRoleUser, Content: p}},
			StreamOptions: nil}
	}
	return peer{
		name: "go-openai",
		chat: func(ctx context.Context, p string) error {
			r, err := c.CreateChatCompletion(ctx, req(p))
			if err == nil && len(r.Choices) == 0 {
				err = errors.New("no choices")
			}
			return err
		},
		stream: func(ctx context.Context, p string) (int, error) {
			r := req(p)
			// Same wire work as routerkit, which asks for usage by default.
			r.StreamOptions = &goopenai.StreamOptions{IncludeUsage: true}
			s, err := c.CreateChatCompletionStream(ctx, r)
			if err != nil {
				return 0, err
			}
			defer s.Close()
			n := 0
			for {
				_, err := s.Recv()
				if errors.Is(err, io.EOF) {
					return n, nil
				}
				if err != nil {
					return n, err
				}
				n++
			}
		},
	}
}

type result struct {
	cpuPerChunk time.Duration
	reqPerSec   float64
	seqCPU      time.Duration // client CPU per sequential request
	p50, p99    time.Duration
	concChunks  float64 // chunks/s across 200 streams
	concCPU     time.Duration
}

func measure(p peer, streamChunks, seqRequests, concStreams, concChunks int) (result, error) {
	var r result
	ctx := context.Background()
	// Warm up.
	for i := 0; i < 20; i++ {
		if err := p.chat(ctx, "warm up"); err != nil {
			return r, err
		}
	}
	if _, err := p.stream(ctx, words(50)); err != nil {
		return r, err
	}
	// 1. CPU per streamed chunk.
	c0 := cpuTime()
	n, err := p.stream(ctx, words(streamChunks))
	if err != nil {
		return r, err
	}
	r.cpuPerChunk = (cpuTime() - c0) / time.Duration(n)
	// 2. Sequential requests.
	lat := make([]time.Duration, seqRequests)
	c0 = cpuTime()
	t0 := time.Now()
	for i := range lat {
		s := time.Now()
		if err := p.chat(ctx, "hello"); err != nil {
			return r, err
		}
		lat[i] = time.Since(s)
	}
	r.reqPerSec = float64(seqRequests) / time.Since(t0).Seconds()
	r.seqCPU = (cpuTime() - c0) / time.Duration(seqRequests)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	r.p50, r.p99 = lat[len(lat)/2], lat[len(lat)*99/100]
	// 3. Concurrent streams.
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	var firstErr error
	c0 = cpuTime()
	t0 = time.Now()
	for i := 0; i < concStreams; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := p.stream(ctx, words(concChunks))
			mu.Lock()
			total += n
			if err != nil && firstErr == nil {
				firstErr = err
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return r, firstErr
	}
	r.concChunks = float64(total) / time.Since(t0).Seconds()
	r.concCPU = (cpuTime() - c0) / time.Duration(total)
	return r, nil
}

func main() {
	mock := flag.String("mock", "../../target/release/routerkit-mock", "mock gateway binary")
	streamChunks := flag.Int("stream-chunks", 20000, "chunks in the CPU-per-chunk stream")
	seq := flag.Int("seq", 2000, "sequential requests")
	conc := flag.Int("conc", 200, "concurrent streams")
	concChunks := flag.Int("conc-chunks", 1000, "chunks per concurrent stream")
	flag.Parse()

	cmd := exec.Command(*mock, "--port", "0", "--exit-on-stdin-close")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "start the mock:", err)
		os.Exit(1)
	}
	defer func() { stdin.Close(); _ = cmd.Wait() }()
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	base := strings.TrimSpace(line) + "/v1"

	peers := []peer{goOpenAIPeer(base), routerkitPeer(base)}
	results := map[string]result{}
	for _, p := range peers {
		r, err := measure(p, *streamChunks, *seq, *conc, *concChunks)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", p.name, err)
			os.Exit(1)
		}
		results[p.name] = r
		fmt.Printf("%-10s cpu/chunk %7s | seq %7.0f req/s p50 %7s p99 %7s cpu/req %7s | %d streams: %9.0f chunks/s, cpu/chunk %7s\n",
			p.name, r.cpuPerChunk, r.reqPerSec, r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond), r.seqCPU, *conc, r.concChunks, r.concCPU)
	}
	a, b := results["routerkit"], results["go-openai"]
	fmt.Printf("\nratios routerkit/go-openai: cpu per chunk %.2f (target <= 1), seq req/s %.2f (target >= 1), seq cpu/req %.2f, concurrent chunks/s %.2f (target >= 1), concurrent cpu/chunk %.2f\n",
		float64(a.cpuPerChunk)/float64(b.cpuPerChunk), a.reqPerSec/b.reqPerSec, float64(a.seqCPU)/float64(b.seqCPU), a.concChunks/b.concChunks, float64(a.concCPU)/float64(b.concCPU))
}
