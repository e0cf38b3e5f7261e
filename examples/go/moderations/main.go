// Moderations with go-openai's names: which inputs a moderation model flags, and for what.
package main

import (
	"context"
	"fmt"
	"os"

	openai "github.com/routerkit/routerkit/bindings/go"
)

func main() {
	config := openai.DefaultConfig(os.Getenv("THEROUTER_API_KEY"))
	if u := os.Getenv("THEROUTER_BASE_URL"); u != "" {
		config.BaseURL = u
	}
	client := openai.NewClientWithConfig(config)
	defer client.Close()

	inputs := []string{"Have a nice day.", "I will attack you, idiot."}
	resp, err := client.Moderations(context.Background(), openai.ModerationRequest{
		Model: openai.ModerationOmniLatest,
		Input: inputs,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for i, result := range resp.Results {
		fmt.Printf("%q: flagged=%v harassment=%v violence=%v (%.2f)\n", inputs[i], result.Flagged,
			result.Categories.Harassment, result.Categories.Violence, result.CategoryScores.Violence)
	}
}
