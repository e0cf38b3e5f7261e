// Structured outputs, two ways: go-openai's own flow (a schema generated from a Go type, then
// jsonschema.VerifySchemaAndUnmarshal), and routerkit's ParseChatCompletion, where the engine
// checks the answer (finish reason, JSON, the schema) and decodes it into the type.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	openai "github.com/routerkit/routerkit/bindings/go"
	"github.com/routerkit/routerkit/bindings/go/jsonschema"
)

type MathReasoning struct {
	Steps []struct {
		Explanation string `json:"explanation"`
		Output      string `json:"output"`
	} `json:"steps"`
	FinalAnswer string `json:"final_answer"`
}

func main() {
	config := openai.DefaultConfig(os.Getenv("THEROUTER_API_KEY"))
	if u := os.Getenv("THEROUTER_BASE_URL"); u != "" {
		config.BaseURL = u
	}
	client := openai.NewClientWithConfig(config)
	defer client.Close()
	ctx := context.Background()

	var result MathReasoning
	schema, err := jsonschema.GenerateSchemaForType(result)
	if err != nil {
		fail(err)
	}
	request := openai.ChatCompletionRequest{
		Model: "openai/gpt-4.1",
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: "You are a helpful math tutor. Guide the user through the solution step by step."},
			{Role: openai.ChatMessageRoleUser, Content: "how can I solve 8x + 7 = -23"},
		},
		ResponseFormat: &openai.ChatCompletionResponseFormat{
			Type: openai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{
				Name:   "math_reasoning",
				Schema: schema,
				Strict: true,
			},
		},
	}

	// go-openai's flow, unchanged.
	resp, err := client.CreateChatCompletion(ctx, request)
	if err != nil {
		fail(err)
	}
	if err := schema.Unmarshal(resp.Choices[0].Message.Content, &result); err != nil {
		fail(err)
	}
	fmt.Println("answer:", result.FinalAnswer)

	// routerkit's own: the engine's check, typed errors.
	result = MathReasoning{}
	parsed, err := client.ParseChatCompletion(ctx, request, &result)
	switch {
	case errors.Is(err, openai.ErrLengthFinishReason):
		fmt.Println("the answer was cut off by the token limit")
	case errors.Is(err, openai.ErrOutputValidation):
		fmt.Println("the answer does not match the schema:", err)
	case err != nil:
		fail(err)
	case parsed.Choices[0].Message.Refusal != "":
		fmt.Println("refused:", parsed.Choices[0].Message.Refusal)
	default:
		for _, step := range result.Steps {
			fmt.Printf("- %s => %s\n", step.Explanation, step.Output)
		}
		fmt.Println("answer:", result.FinalAnswer)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
