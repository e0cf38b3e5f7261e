// Structured output with go-openai's jsonschema package: a schema generated
// from a Go type, the answer checked against it and decoded.
package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/routerkit/routerkit/tests/dropin/go/mockctl"
	"github.com/sashabaranov/go-openai"
	"github.com/sashabaranov/go-openai/jsonschema"
)

type Result struct {
	Reasoning string   `json:"reasoning" description:"step by step"`
	Steps     []string `json:"steps"`
	Answer    int      `json:"answer"`
	Unit      string   `json:"unit,omitempty" enum:"apples,pears"`
}

func main() {
	cfg := openai.DefaultConfig(mockctl.Key("sk-dropin-schema-0123456789"))
	cfg.BaseURL = mockctl.BaseURL()
	client := openai.NewClientWithConfig(cfg)
	var result Result
	schema, err := jsonschema.GenerateSchemaForType(result)
	if err != nil {
		mockctl.Fail("GenerateSchemaForType error: %v", err)
	}
	text, _ := json.Marshal(schema)
	fmt.Println("schema:", string(text))
	mockctl.Script(
		map[string]any{"content": `{"reasoning":"3 + 4","steps":["3","+4"],"answer":7,"unit":"apples"}`},
		map[string]any{"content": `{"reasoning":"none","steps":[1],"answer":"seven"}`},
	)
	req := openai.ChatCompletionRequest{
		Model: openai.GPT4o20240806,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: "You are a helpful math tutor."},
			{Role: openai.ChatMessageRoleUser, Content: "3 apples plus 4 apples"},
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
	for i := 0; i < 2; i++ {
		resp, err := client.CreateChatCompletion(context.Background(), req)
		if err != nil {
			mockctl.Fail("CreateChatCompletion error: %v", err)
		}
		result = Result{}
		err = schema.Unmarshal(resp.Choices[0].Message.Content, &result)
		fmt.Printf("answer %d: %+v err=%v\n", i, result, err)
	}
	var format openai.ChatCompletionResponseFormat
	sent := mockctl.Requests()[0].Body
	var body struct {
		ResponseFormat json.RawMessage `json:"response_format"`
	}
	_ = json.Unmarshal(sent, &body)
	if err := json.Unmarshal(body.ResponseFormat, &format); err != nil {
		mockctl.Fail("decode response_format: %v", err)
	}
	again, _ := json.Marshal(format)
	fmt.Println("round trip:", format.JSONSchema.Name, format.JSONSchema.Strict, mockctl.Canonical(again) == mockctl.Canonical(body.ResponseFormat))
	var v map[string]any
	err = jsonschema.VerifySchemaAndUnmarshal(*schema, []byte(`{"reasoning":"x","steps":[],"answer":1.5}`), &v)
	fmt.Println("verify 1.5 as integer:", err)
}
