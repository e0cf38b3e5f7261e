package openai

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
)

// The fast records of rk_stream_next_batch_bin must give exactly what
// json.Unmarshal of the chunk's text gives. recvChecked compares both for every
// chunk it reads; the conformance runner reads every stream scenario with it.

var fastChunks, jsonChunks atomic.Int64

// recvChecked is Recv, plus: the chunk decoded from its record equals
// json.Unmarshal of its JSON text (reflect.DeepEqual).
func recvChecked(t testing.TB, s *ChatCompletionStream) (ChatCompletionStreamResponse, error) {
	t.Helper()
	got, text, fast, err := s.recv(true)
	if err != nil {
		return got, err
	}
	var want ChatCompletionStreamResponse
	if jerr := json.Unmarshal(text, &want); jerr != nil {
		t.Errorf("chunk text does not decode: %v: %s", jerr, text)
	} else if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded chunk (fast=%v) differs from json.Unmarshal of %s:\n got %#v\nwant %#v", fast, text, got, want)
	}
	if fast {
		fastChunks.Add(1)
	} else {
		jsonChunks.Add(1)
	}
	return got, nil
}

// drainChecked reads a stream to its end with recvChecked; returns the chunks
// and how many came as fast records.
func drainChecked(t *testing.T, s *ChatCompletionStream) (chunks []ChatCompletionStreamResponse, fast int) {
	t.Helper()
	defer s.Close()
	before := fastChunks.Load()
	for {
		c, err := recvChecked(t, s)
		if errors.Is(err, io.EOF) {
			return chunks, int(fastChunks.Load() - before)
		}
		if err != nil {
			t.Fatalf("recv: %v", err)
		}
		chunks = append(chunks, c)
	}
}

func TestFastChunksMatchJSON(t *testing.T) {
	ctx := context.Background()
	type step = map[string]any
	cases := []struct {
		name     string
		step     step // nil: the mock's default stream
		usage    bool
		wantFast int // at least
	}{
		{name: "default content with usage", usage: true, wantFast: 5},
		{name: "default content", wantFast: 5},
		{name: "reasoning (OpenRouter)", step: step{"stream": step{"reasoning": "let me think", "content": "the answer", "usage": step{"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}}}, wantFast: 5},
		{name: "reasoning_content (DeepSeek)", step: step{"stream": step{"reasoning": "hmm ok", "reasoning_field": "reasoning_content", "content": "done"}}, wantFast: 4},
		{name: "unicode and escapes", step: step{"stream": step{"pieces": []string{"héllo ", "wörld 🎉 ", "\"quoted\" ", "tab\t nl\n ", "nul\u0000 ", ""}}}, wantFast: 6},
		{name: "repeat", step: step{"stream": step{"content": "x", "repeat": 300}}, wantFast: 300},
		{name: "verbatim chunks", step: step{"stream": step{"fill": true, "chunks": []any{
			step{"choices": []any{step{"index": 0, "delta": step{"role": "assistant", "content": ""}, "finish_reason": nil, "logprobs": nil}}, "system_fingerprint": "fp_1"},
			step{"choices": []any{step{"index": 0, "delta": step{"content": nil, "role": nil}}}, "system_fingerprint": nil, "usage": nil},
			step{"choices": []any{step{"index": 0, "delta": step{"content": "a"}}, step{"index": 1, "delta": step{"content": "b", "reasoning": ""}}}},
			step{"choices": []any{step{"delta": step{}}}},
			step{"choices": []any{step{"index": 0, "delta": step{"tool_calls": []any{step{"index": 0, "id": "call_1", "type": "function", "function": step{"name": "f", "arguments": "{\"a\""}}}}}}},
			step{"choices": []any{step{"index": 0, "delta": step{"refusal": "no"}}}},
			step{"choices": []any{step{"index": 0, "delta": step{"content": "lp"}, "logprobs": step{"content": []any{step{"token": "lp", "logprob": -0.5, "bytes": []int{108, 112}, "top_logprobs": []any{}}}}}}},
			step{"provider": "OpenAI", "choices": []any{step{"index": 0, "delta": step{"content": "c"}, "native_finish_reason": nil}}},
			step{"choices": []any{step{"index": 0, "delta": step{"content": "d", "function_call": step{"name": "g"}}}}},
			step{"choices": []any{step{"index": 0, "delta": step{"content": "e"}}}, "Model": "case differs"},
			step{"choices": []any{step{"index": 0, "delta": step{}, "finish_reason": "stop"}}, "usage": step{"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}},
			step{"choices": []any{}, "usage": step{"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3, "cost": 0.25, "prompt_tokens_details": step{"cached_tokens": 1}}},
			step{"choices": []any{}},
		}}}, wantFast: 5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sid := newSession(t)
			if tc.step != nil {
				script(t, sid, tc.step)
			}
			c := testClient(t, sid)
			req := userRequest("count the words in this sentence please")
			if tc.usage {
				req.StreamOptions = &StreamOptions{IncludeUsage: true}
			}
			s, err := c.CreateChatCompletionStream(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			chunks, fast := drainChecked(t, s)
			if fast < tc.wantFast {
				t.Errorf("%d of %d chunks came as fast records, want at least %d", fast, len(chunks), tc.wantFast)
			}
			if tc.usage && (len(chunks) == 0 || chunks[len(chunks)-1].Usage == nil) {
				t.Errorf("no usage chunk")
			}
		})
	}
}

// RecvRaw gives the text as sent, also for a chunk of a batch Recv fetched
// (a fast record), and Recv after RecvRaw still decodes.
func TestRecvRawMixedWithRecv(t *testing.T) {
	sid := newSession(t)
	script(t, sid, map[string]any{"stream": map[string]any{"content": "x", "repeat": 50}})
	c := testClient(t, sid)
	s, err := c.CreateChatCompletionStream(context.Background(), userRequest("hi"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n := 0
	for i := 0; ; i++ {
		if i%2 == 0 {
			chunk, err := s.Recv()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			n++
			if len(chunk.Choices) != 1 && chunk.Usage == nil {
				t.Fatalf("chunk %d: %+v", i, chunk)
			}
			continue
		}
		raw, err := s.RecvRaw()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		if !strings.HasPrefix(string(raw), "{") || !strings.Contains(string(raw), `"choices"`) {
			t.Fatalf("raw chunk %d: %q", i, raw)
		}
	}
	if n != 51 { // 50 deltas and the finish chunk (the usage chunk the engine asked for is kept back)
		t.Errorf("%d chunks", n)
	}
}

// Records written by hand: absent and "" fields, usage, several choices, and
// malformed input (an error, never a panic).
func TestChunkRecordDecoding(t *testing.T) {
	w := func(parts ...any) []byte {
		var b []byte
		for _, p := range parts {
			switch v := p.(type) {
			case byte:
				b = append(b, v)
			case uint32:
				b = append(b, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
			case int64:
				for i := 0; i < 8; i++ {
					b = append(b, byte(uint64(v)>>(8*i)))
				}
			case string:
				b = append(b, byte(len(v)), byte(len(v)>>8), byte(len(v)>>16), byte(len(v)>>24))
				b = append(b, v...)
			case nil:
				b = append(b, 0xff, 0xff, 0xff, 0xff)
			}
		}
		return b
	}
	rec := w(byte('F'), "id1", "chat.completion.chunk", int64(-7), "m", nil, byte(1), uint32(1), uint32(2), uint32(3), uint32(2),
		uint32(0), "assistant", "", nil, nil, nil,
		uint32(1), nil, "hi", "rc", "r", "stop")
	rec = append(rec, w(byte('J'), `{"id":"j"}`)...)
	r := recordReader{b: rec}
	var d chunkDecoder
	var got ChatCompletionStreamResponse
	text, err := d.record(&r, &got)
	if err != nil || text != nil {
		t.Fatalf("fast record: %v %q", err, text)
	}
	want := ChatCompletionStreamResponse{ID: "id1", Object: "chat.completion.chunk", Created: -7, Model: "m",
		Usage: &Usage{PromptTokens: 1, CompletionTokens: 2, TotalTokens: 3},
		Choices: []ChatCompletionStreamChoice{
			{Index: 0, Delta: ChatCompletionStreamChoiceDelta{Role: "assistant"}},
			{Index: 1, Delta: ChatCompletionStreamChoiceDelta{Content: "hi", ReasoningContent: "rc", Reasoning: "r"}, FinishReason: FinishReasonStop},
		}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v\nwant %#v", got, want)
	}
	text, err = d.record(&r, &got)
	if err != nil || string(text) != `{"id":"j"}` || len(r.b) != 0 {
		t.Errorf("json record: %v %q rest %d", err, text, len(r.b))
	}
	// Every truncation of a record is an error.
	full := w(byte('F'), "id1", "o", int64(1), "m", "fp", byte(0), uint32(1), uint32(0), nil, "c", nil, nil, "stop")
	for i := 0; i < len(full); i++ {
		var out ChatCompletionStreamResponse
		if _, err := d.record(&recordReader{b: full[:i]}, &out); err == nil {
			t.Errorf("truncated at %d: no error", i)
		}
	}
	if _, err := d.record(&recordReader{b: w(byte('F'), "i", "o", int64(1), "m", nil, byte(0), uint32(0xfffffff0))}, &got); err == nil {
		t.Errorf("huge choice count: no error")
	}
	if _, err := d.record(&recordReader{b: []byte{'X'}}, &got); err == nil {
		t.Errorf("unknown tag: no error")
	}
}
