// The tool runner (routerkit; go-openai has none): the model calls Go functions until it
// can answer. Run: THEROUTER_API_KEY=sk-... go run .
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/routerkit/routerkit/bindings/go"
)

func main() {
	config := openai.DefaultConfig(os.Getenv("THEROUTER_API_KEY"))
	if u := os.Getenv("THEROUTER_BASE_URL"); u != "" {
		config.BaseURL = u
	}
	client := openai.NewClientWithConfig(config)

	weather := openai.RunnableTool{
		Definition: openai.FunctionDefinition{
			Name:        "get_weather",
			Description: "The weather forecast for a city",
			Parameters:  json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`),
		},
		// A Parse error goes back to the model, which may try again.
		Parse: func(arguments string) (any, error) {
			var args struct {
				City string `json:"city"`
			}
			err := json.Unmarshal([]byte(arguments), &args)
			return args.City, err
		},
		// A string goes back as is; anything else as JSON. An error ends the run.
		Function: func(ctx context.Context, city any) (any, error) {
			return map[string]string{"city": city.(string), "forecast": "sunny, 24 °C"}, nil
		},
	}

	run, err := client.RunTools(context.Background(), openai.ChatCompletionRequest{
		Model:    "openai/gpt-4.1",
		Messages: []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: "Should I take an umbrella in Paris today?"}},
	}, []openai.RunnableTool{weather}, openai.RunToolsOptions{
		MaxChatCompletions: 5,
		OnMessage: func(m openai.ChatCompletionMessage) {
			for _, call := range m.ToolCalls {
				fmt.Printf("-> %s(%s)\n", call.Function.Name, call.Function.Arguments)
			}
			if m.Role == openai.ChatMessageRoleTool {
				fmt.Printf("<- %s\n", m.Content)
			}
		},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(run.FinalContent)
	fmt.Printf("[%d completions, %d tokens]\n", len(run.ChatCompletions), run.TotalUsage.TotalTokens)
}
