package openai

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

// The route receipt in Go: Receipt() on responses, streams and errors, and
// ClientConfig.OnReceipt (a panicking hook included). The receipt's fields are pinned
// by the conformance scenarios (240-247) in every language.

func TestReceiptOnResponsesErrorsAndTheHook(t *testing.T) {
	sid := newSession(t)
	var got []Receipt
	cfg := testConfig(sid)
	cfg.OnReceipt = func(r Receipt) {
		got = append(got, r)
		panic("a broken hook")
	}
	c := NewClientWithConfig(cfg)
	defer c.Close()
	script(t, sid, map[string]any{"provider": "Groq", "cost": 0.5}, map[string]any{"status": 503}, map[string]any{"status": 400})
	resp, err := c.CreateChatCompletion(context.Background(), userRequest("hi"))
	if err != nil {
		t.Fatal(err)
	}
	if r := resp.Receipt(); r.Provider != "Groq" || r.Cost != 0.5 || !r.Complete || r.TotalTime <= 0 {
		t.Fatalf("receipt %+v", r)
	}
	_, err = c.CreateChatCompletion(context.Background(), userRequest("hi"))
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != 400 {
		t.Fatalf("want a 400, got %v", err)
	}
	if a := apiErr.Receipt().Attempts; len(a) != 2 || a[0].Status != 503 || a[1].DelayReason != "backoff" {
		t.Fatalf("attempts %+v", a)
	}
	if len(got) != 2 || !got[1].Complete {
		t.Fatalf("hook got %+v", got)
	}
	if strings.Contains(strings.Join([]string{got[0].RequestID, string(got[0].Usage)}, " "), testKey) {
		t.Fatal("the key in a receipt")
	}
}

func TestStreamReceiptDuringAndAtClose(t *testing.T) {
	sid := newSession(t)
	var got []Receipt
	cfg := testConfig(sid)
	cfg.OnReceipt = func(r Receipt) { got = append(got, r) }
	c := NewClientWithConfig(cfg)
	defer c.Close()
	script(t, sid, map[string]any{"stream": map[string]any{"content": "a b c d e", "delay_ms_between": 30}})
	req := userRequest("hi")
	stream, err := c.CreateChatCompletionStream(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil && err != io.EOF {
		t.Fatal(err)
	}
	if r := stream.Receipt(); r.Complete || r.TimeToFirstToken <= 0 || r.Model == "" {
		t.Fatalf("during: %+v", r)
	}
	if len(got) != 0 {
		t.Fatal("the hook runs at the end")
	}
	stream.Close()
	r := stream.Receipt()
	if !r.Complete || len(r.Attempts) != 1 || r.Attempts[0].Error != "cancelled" {
		t.Fatalf("after Close: %+v", r)
	}
	stream.Close()
	if len(got) != 1 || !got[0].Complete {
		t.Fatalf("hook: %+v", got)
	}
}
