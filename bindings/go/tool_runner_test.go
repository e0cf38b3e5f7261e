package openai

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The tool runner's Go side against the mock: the messages in order, the final results,
// a Parse error sent back, the round's calls run together, a cancelled context ending the run.
// The conversation rules themselves are the core's (scenarios 230-238).

func weatherTool(calls *atomic.Int32) RunnableTool {
	return RunnableTool{
		Definition: FunctionDefinition{Name: "get_weather", Description: "Weather in a city",
			Parameters: map[string]any{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}}},
		Parse: func(arguments string) (any, error) {
			var v struct{ City string }
			if err := json.Unmarshal([]byte(arguments), &v); err != nil || v.City == "" {
				return nil, errors.New("get_weather: give a city")
			}
			return v.City, nil
		},
		Function: func(_ context.Context, args any) (any, error) {
			calls.Add(1)
			return struct {
				City string `json:"city"`
				Sky  string `json:"sky"`
			}{args.(string), "clear"}, nil
		},
	}
}

func TestRunToolsMessagesAndFinals(t *testing.T) {
	sid := newSession(t)
	script(t, sid,
		map[string]any{"tool_calls": []any{map[string]any{"name": "get_weather", "arguments": "{}"}}},
		map[string]any{"tool_calls": []any{map[string]any{"id": "call_2", "name": "get_weather", "arguments": `{"city":"Paris"}`}}},
		map[string]any{})
	c := testClient(t, sid)
	var calls atomic.Int32
	var roles []string
	run, err := c.RunTools(context.Background(), userRequest("Weather?"), []RunnableTool{weatherTool(&calls)},
		RunToolsOptions{OnMessage: func(m ChatCompletionMessage) { roles = append(roles, m.Role) }})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(roles, ","); got != "assistant,tool,assistant,tool,assistant" {
		t.Fatalf("messages: %s", got)
	}
	if calls.Load() != 1 {
		t.Fatalf("the function ran %d times; a Parse error must not call it", calls.Load())
	}
	if run.Messages[2].Content != "get_weather: give a city" {
		t.Fatalf("the parse error sent back: %q", run.Messages[2].Content)
	}
	if want := `Hello from routerkit-mock! Tool results: {"city":"Paris","sky":"clear"}`; run.FinalContent != want {
		t.Fatalf("final content %q", run.FinalContent)
	}
	if run.FinalFunctionCall == nil || run.FinalFunctionCall.Arguments != `{"city":"Paris"}` {
		t.Fatalf("final function call %+v", run.FinalFunctionCall)
	}
	if run.FinalFunctionCallResult == nil || *run.FinalFunctionCallResult != `{"city":"Paris","sky":"clear"}` {
		t.Fatalf("final result %v", run.FinalFunctionCallResult)
	}
	sum := 0
	for _, cc := range run.ChatCompletions {
		sum += cc.Usage.TotalTokens
	}
	if len(run.ChatCompletions) != 3 || run.TotalUsage.TotalTokens != sum || run.MaxChatCompletionsReached {
		t.Fatalf("completions %d, usage %+v (sum %d), reached %v", len(run.ChatCompletions), run.TotalUsage, sum, run.MaxChatCompletionsReached)
	}
}

func TestRunToolsRunsARoundsCallsTogether(t *testing.T) {
	sid := newSession(t)
	script(t, sid,
		map[string]any{"tool_calls": []any{map[string]any{"name": "slow", "arguments": "1"}, map[string]any{"name": "slow", "arguments": "2"}}},
		map[string]any{})
	c := testClient(t, sid)
	slow := RunnableTool{
		Definition: FunctionDefinition{Name: "slow", Parameters: map[string]any{}},
		Function: func(ctx context.Context, args any) (any, error) {
			time.Sleep(300 * time.Millisecond)
			return json.RawMessage(`{"n":` + args.(string) + `}`), nil
		},
	}
	start := time.Now()
	run, err := c.RunTools(context.Background(), userRequest("go"), []RunnableTool{slow})
	if err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed > 550*time.Millisecond {
		t.Fatalf("two 300 ms calls took %v: not run together", elapsed)
	}
	if want := `Hello from routerkit-mock! Tool results: {"n":1} | {"n":2}`; run.FinalContent != want {
		t.Fatalf("final content %q", run.FinalContent)
	}
}

func TestRunToolsCancelledContextEndsTheRun(t *testing.T) {
	sid := newSession(t)
	script(t, sid, map[string]any{"tool_calls": []any{map[string]any{"name": "stop", "arguments": "{}"}}}, map[string]any{})
	c := testClient(t, sid)
	ctx, cancel := context.WithCancel(context.Background())
	stop := RunnableTool{
		Definition: FunctionDefinition{Name: "stop", Parameters: map[string]any{}},
		Function: func(context.Context, any) (any, error) {
			cancel()
			return "done", nil
		},
	}
	_, err := c.RunTools(ctx, userRequest("go"), []RunnableTool{stop})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("expected context.Canceled, got %T %v", err, err)
	}
	if n := len(requests(t, sid)); n != 1 {
		t.Fatalf("%d requests: nothing may be sent after the cancel", n)
	}
}
