package openai

import (
	"context"
	"errors"

	json "github.com/goccy/go-json"
)

// Structured outputs. go-openai users write the flow themselves, and it works here as there:
// a ChatCompletionResponseFormat of type JSONSchema whose Schema is
// jsonschema.GenerateSchemaForType(v), Strict true, then jsonschema.VerifySchemaAndUnmarshal
// (or Definition.Unmarshal) on the content. ParseChatCompletion and ParseResponse are
// routerkit's own, beyond go-openai: the engine's structured check (the "chat.parse" and
// "responses.parse" operations), the same in every language, does it for you: a choice that
// ended for length or the content filter, content that is not JSON or does not satisfy the
// schema sent, each a typed error; a refusal leaves Parsed null with Message.Refusal set.

// The errors of ParseChatCompletion and ParseResponse, for errors.Is. The error itself is an
// *APIError (ErrorKind "length_finish_reason", "content_filter_finish_reason",
// "output_validation"; for the last, Code is "invalid_json" or "schema_mismatch" and Param the
// JSON Pointer of the failing value).
var (
	// ErrLengthFinishReason: a choice ended with finish_reason "length"; its content is cut short.
	ErrLengthFinishReason = errors.New("routerkit: could not parse response content as the length limit was reached")
	// ErrContentFilterFinishReason: a choice ended with finish_reason "content_filter".
	ErrContentFilterFinishReason = errors.New("routerkit: could not parse response content as the request was rejected by the content filter")
	// ErrOutputValidation: the answer is not JSON or does not satisfy the schema sent.
	ErrOutputValidation = errors.New("routerkit: the structured output is not valid for its schema")
)

// Is lets errors.Is(err, ErrLengthFinishReason) (and the other two) match a parse error.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrLengthFinishReason:
		return e.kind == "length_finish_reason"
	case ErrContentFilterFinishReason:
		return e.kind == "content_filter_finish_reason"
	case ErrOutputValidation:
		return e.kind == "output_validation"
	}
	return false
}

// ParsedChatCompletionResponse is a chat completion with the engine's parsed values.
type ParsedChatCompletionResponse struct {
	ChatCompletionResponse
	// Parsed holds choices[i].message.parsed as JSON: the content checked against the schema
	// sent; "null" for a refusal, an empty content, or a request that asked for no JSON.
	Parsed []json.RawMessage
	// ParsedArguments holds, per choice, each tool call's function.parsed_arguments ("null"
	// for a tool that is not strict).
	ParsedArguments [][]json.RawMessage
}

// ParseChatCompletion (routerkit's own) sends request as CreateChatCompletion does, with the
// engine's structured-output checks on the answer, and decodes the first choice's parsed
// content into v (when v is not nil and the content is not a refusal). Every tool in the
// request must be a strict function (FunctionDefinition.Strict), or nothing is sent.
func (c *Client) ParseChatCompletion(ctx context.Context, request ChatCompletionRequest, v any) (response ParsedChatCompletionResponse, err error) {
	if request.Stream {
		return response, ErrChatCompletionStreamNotSupported
	}
	if err := validateChatRequest(request); err != nil {
		return response, err
	}
	body, err := marshalRequest(request)
	if err != nil {
		return response, err
	}
	raw, err := c.call(ctx, "chat.parse", body, request.ExtraBody)
	if err != nil {
		return response, err
	}
	if err := json.Unmarshal(raw.body, &response.ChatCompletionResponse); err != nil {
		return response, decodeError(err, raw)
	}
	var parsed struct {
		Choices []struct {
			Message struct {
				Parsed    json.RawMessage `json:"parsed"`
				ToolCalls []struct {
					Function struct {
						ParsedArguments json.RawMessage `json:"parsed_arguments"`
					} `json:"function"`
				} `json:"tool_calls"`
			} `json:"message"`
		} `json:"choices"`
	}
	if err := json.Unmarshal(raw.body, &parsed); err != nil {
		return response, decodeError(err, raw)
	}
	for _, choice := range parsed.Choices {
		response.Parsed = append(response.Parsed, orNull(choice.Message.Parsed))
		args := []json.RawMessage{}
		for _, call := range choice.Message.ToolCalls {
			args = append(args, orNull(call.Function.ParsedArguments))
		}
		response.ParsedArguments = append(response.ParsedArguments, args)
	}
	raw.keep(&response)
	response.Attempts = raw.attempts
	if len(response.Parsed) > 0 {
		err = decodeParsed(response.Parsed[0], v, raw)
	}
	return response, err
}

// ParsedResponse is a Responses API response with the engine's parsed output.
type ParsedResponse struct {
	CreateResponseResponse
	// OutputParsed is the response's output_parsed as JSON: the first output text checked
	// against text.format's schema ("null" when there is none).
	OutputParsed json.RawMessage
}

// ParseResponse (routerkit's own) sends request as CreateResponse does, with the engine's
// structured-output checks on the output text (text.format of type json_schema), and decodes
// output_parsed into v when v is not nil.
func (c *Client) ParseResponse(ctx context.Context, request CreateResponseRequest, v any) (response ParsedResponse, err error) {
	if request.Stream {
		return response, ErrResponseStreamNotSupported
	}
	body, err := marshalRequest(request)
	if err != nil {
		return response, err
	}
	raw, err := c.call(ctx, "responses.parse", body, request.ExtraBody)
	if err != nil {
		return response, err
	}
	if err := json.Unmarshal(raw.body, &response.CreateResponseResponse); err != nil {
		return response, decodeError(err, raw)
	}
	var parsed struct {
		OutputParsed json.RawMessage `json:"output_parsed"`
	}
	if err := json.Unmarshal(raw.body, &parsed); err != nil {
		return response, decodeError(err, raw)
	}
	response.OutputParsed = orNull(parsed.OutputParsed)
	raw.keep(&response)
	response.Attempts = raw.attempts
	return response, decodeParsed(response.OutputParsed, v, raw)
}

func orNull(v json.RawMessage) json.RawMessage {
	if len(v) == 0 {
		return json.RawMessage("null")
	}
	return v
}

// decodeParsed: the engine checked the value against the schema; a Go type that still does not
// fit it (a field of another type than the schema says) is an output validation error too.
func decodeParsed(parsed json.RawMessage, v any, raw *rawResponse) error {
	if v == nil || string(parsed) == "null" {
		return nil
	}
	if err := json.Unmarshal(parsed, v); err != nil {
		code := "schema_mismatch"
		return &APIError{
			Message:   "routerkit: the parsed output does not fit the Go type: " + err.Error(),
			Code:      code,
			Type:      "output_validation",
			Attempts:  raw.attempts,
			RequestID: raw.requestID,
			kind:      "output_validation",
		}
	}
	return nil
}

// ParseChatCompletionStream (routerkit's own) streams request as CreateChatCompletionStream does,
// with the engine's structured-output check of the whole answer once every choice has finished:
// a choice cut short, content that is not JSON or does not satisfy the schema sent, comes from
// Recv as the typed error (errors.Is ErrLengthFinishReason, ErrOutputValidation, …) in place of
// the finish chunk. Decode the accumulated content when Recv returns io.EOF.
func (c *Client) ParseChatCompletionStream(ctx context.Context, request ChatCompletionRequest) (*ChatCompletionStream, error) {
	return c.chatStream(ctx, "chat.parse_stream", request)
}

// ParseResponseStream (routerkit's own) streams request as CreateResponseStream does, with the
// engine's structured-output check (text.format of type json_schema, strict function tools):
// an output text that is not JSON or does not satisfy the schema sent comes from Recv as the
// typed error (errors.Is ErrOutputValidation) in place of its response.output_text.done event,
// as openai-python raises there. Decode FinalResponse().GetOutputText() when Recv returns io.EOF.
func (c *Client) ParseResponseStream(ctx context.Context, request CreateResponseRequest) (*ResponseStream, error) {
	return c.responseStream(ctx, "responses.parse_stream", request)
}
