package openai

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/routerkit/routerkit/bindings/go/jsonschema"
)

type mathReasoning struct {
	Steps []struct {
		Explanation string `json:"explanation"`
		Output      string `json:"output"`
	} `json:"steps"`
	FinalAnswer string `json:"final_answer"`
}

func parseCompletion(message map[string]any, finish string) map[string]any {
	msg := map[string]any{"role": "assistant"}
	for k, v := range message {
		msg[k] = v
	}
	return map[string]any{"body": map[string]any{
		"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": "m",
		"choices": []any{map[string]any{"index": 0, "message": msg, "finish_reason": finish}},
		"usage":   map[string]any{"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
	}}
}

func schemaRequest(t *testing.T) ChatCompletionRequest {
	schema, err := jsonschema.GenerateSchemaForType(mathReasoning{})
	if err != nil {
		t.Fatal(err)
	}
	req := userRequest("solve 8x + 31 = 2")
	req.ResponseFormat = &ChatCompletionResponseFormat{
		Type:       ChatCompletionResponseFormatTypeJSONSchema,
		JSONSchema: &ChatCompletionResponseFormatJSONSchema{Name: "math_reasoning", Schema: schema, Strict: true},
	}
	return req
}

// The schema go-openai users generate reaches the engine's check: a typed value back, the
// peers' errors by errors.Is, a mismatch naming its path.
func TestParseChatCompletionWithAGeneratedSchema(t *testing.T) {
	sid := newSession(t)
	c := testClient(t, sid)
	script(t, sid,
		parseCompletion(map[string]any{"content": `{"steps":[{"explanation":"Subtract 31.","output":"8x = -29"}],"final_answer":"x = -29/8"}`}, "stop"),
		parseCompletion(map[string]any{"content": `{"steps":[{"explanation":"Subtract 31."}],"final_answer":"x"}`}, "stop"),
		parseCompletion(map[string]any{"content": `{"st`}, "length"),
		parseCompletion(map[string]any{"content": nil, "refusal": "I can't."}, "stop"),
	)
	req := schemaRequest(t)
	var v mathReasoning
	resp, err := c.ParseChatCompletion(context.Background(), req, &v)
	if err != nil {
		t.Fatal(err)
	}
	if v.FinalAnswer != "x = -29/8" || len(v.Steps) != 1 || v.Steps[0].Output != "8x = -29" || resp.Attempts != 1 {
		t.Fatalf("parsed %+v attempts %d", v, resp.Attempts)
	}
	_, err = c.ParseChatCompletion(context.Background(), req, &v)
	var apiErr *APIError
	if !errors.Is(err, ErrOutputValidation) || !errors.As(err, &apiErr) || apiErr.Param == nil || *apiErr.Param != "/steps/0" || apiErr.Code != "schema_mismatch" {
		t.Fatalf("mismatch: %T %v", err, err)
	}
	if _, err = c.ParseChatCompletion(context.Background(), req, &v); !errors.Is(err, ErrLengthFinishReason) || ErrorKind(err) != "length_finish_reason" {
		t.Fatalf("length: %T %v", err, err)
	}
	v = mathReasoning{}
	resp, err = c.ParseChatCompletion(context.Background(), req, &v)
	if err != nil || resp.Choices[0].Message.Refusal != "I can't." || string(resp.Parsed[0]) != "null" || v.FinalAnswer != "" {
		t.Fatalf("refusal: %v %+v %s", err, resp.Choices[0].Message, resp.Parsed)
	}
}

func TestParseResponseDecodesOutputParsed(t *testing.T) {
	sid := newSession(t)
	c := testClient(t, sid)
	script(t, sid, map[string]any{"body": map[string]any{
		"id": "resp_1", "object": "response", "status": "completed", "model": "m",
		"output": []any{map[string]any{"type": "message", "role": "assistant", "content": []any{
			map[string]any{"type": "output_text", "text": `{"steps":[],"final_answer":"7"}`, "annotations": []any{}},
		}}},
	}})
	schema, err := jsonschema.GenerateSchemaForType(mathReasoning{})
	if err != nil {
		t.Fatal(err)
	}
	req := CreateResponseRequest{Model: "m", Input: "solve", Text: &ResponseTextConfig{
		Format: &ResponseTextFormat{Type: "json_schema", Name: "math_reasoning", Schema: schema, Strict: true},
	}}
	var v mathReasoning
	resp, err := c.ParseResponse(context.Background(), req, &v)
	if err != nil {
		t.Fatal(err)
	}
	if v.FinalAnswer != "7" || !strings.Contains(string(resp.OutputParsed), `"final_answer":"7"`) {
		t.Fatalf("parsed %+v %s", v, resp.OutputParsed)
	}
}

// The stream with a generated schema: the events as CreateResponseStream gives them and the output
// text decodes into the type at io.EOF; a mismatch is ErrOutputValidation from Recv in place of
// response.output_text.done.
func TestParseResponseStreamChecksTheOutputText(t *testing.T) {
	sid := newSession(t)
	c := testClient(t, sid)
	script(t, sid,
		map[string]any{"stream": map[string]any{"content": `{"steps":[],"final_answer":"7"}`, "pieces": 3}},
		map[string]any{"stream": map[string]any{"content": `{"steps":[],"final_answer":7}`, "pieces": 2}},
	)
	schema, err := jsonschema.GenerateSchemaForType(mathReasoning{})
	if err != nil {
		t.Fatal(err)
	}
	req := CreateResponseRequest{Model: "m", Input: "solve", Text: &ResponseTextConfig{
		Format: &ResponseTextFormat{Type: "json_schema", Name: "math_reasoning", Schema: schema, Strict: true},
	}}
	recvAll := func() ([]ResponseStreamEventType, *ResponseStream, error) {
		stream, err := c.ParseResponseStream(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		var seen []ResponseStreamEventType
		for {
			event, err := stream.Recv()
			if err == io.EOF {
				return seen, stream, nil
			}
			if err != nil {
				return seen, stream, err
			}
			seen = append(seen, event.Type)
		}
	}
	seen, stream, err := recvAll()
	if err != nil {
		t.Fatal(err)
	}
	final, err := stream.FinalResponse()
	stream.Close()
	var v mathReasoning
	if err != nil || json.Unmarshal([]byte(final.GetOutputText()), &v) != nil || v.FinalAnswer != "7" {
		t.Fatalf("final %v %+v", err, v)
	}
	if seen[len(seen)-1] != ResponseStreamEventCompleted {
		t.Fatalf("events %v", seen)
	}
	seen, stream, err = recvAll()
	defer stream.Close()
	var apiErr *APIError
	if !errors.Is(err, ErrOutputValidation) || !errors.As(err, &apiErr) || apiErr.Param == nil || *apiErr.Param != "/final_answer" {
		t.Fatalf("mismatch: %T %v", err, err)
	}
	for _, kind := range seen {
		if kind == ResponseStreamEventOutputTextDone {
			t.Fatalf("response.output_text.done handed over before the error: %v", seen)
		}
	}
}
