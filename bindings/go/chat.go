package openai

import (
	"context"
	stdjson "encoding/json"
	"errors"
	"net/http"
	"slices"

	json "github.com/goccy/go-json"
)

// Chat message roles.
const (
	ChatMessageRoleSystem    = "system"
	ChatMessageRoleUser      = "user"
	ChatMessageRoleAssistant = "assistant"
	ChatMessageRoleFunction  = "function"
	ChatMessageRoleTool      = "tool"
	ChatMessageRoleDeveloper = "developer"
)

var (
	ErrChatCompletionInvalidModel       = errors.New("this model is not supported with this method, please use CreateCompletion client method instead")
	ErrChatCompletionStreamNotSupported = errors.New("streaming is not supported with this method, please use CreateChatCompletionStream")
	ErrContentFieldsMisused             = errors.New("can't use both Content and MultiContent properties simultaneously")
)

// Azure OpenAI's content-filter annotations (zero when the gateway sends none).
type Hate struct {
	Filtered bool   `json:"filtered"`
	Severity string `json:"severity,omitempty"`
}
type SelfHarm struct {
	Filtered bool   `json:"filtered"`
	Severity string `json:"severity,omitempty"`
}
type Sexual struct {
	Filtered bool   `json:"filtered"`
	Severity string `json:"severity,omitempty"`
}
type Violence struct {
	Filtered bool   `json:"filtered"`
	Severity string `json:"severity,omitempty"`
}
type JailBreak struct {
	Filtered bool `json:"filtered"`
	Detected bool `json:"detected"`
}
type Profanity struct {
	Filtered bool `json:"filtered"`
	Detected bool `json:"detected"`
}

type ContentFilterResults struct {
	Hate      Hate      `json:"hate,omitempty"`
	SelfHarm  SelfHarm  `json:"self_harm,omitempty"`
	Sexual    Sexual    `json:"sexual,omitempty"`
	Violence  Violence  `json:"violence,omitempty"`
	JailBreak JailBreak `json:"jailbreak,omitempty"`
	Profanity Profanity `json:"profanity,omitempty"`
}

type PromptAnnotation struct {
	PromptIndex          int                  `json:"prompt_index,omitempty"`
	ContentFilterResults ContentFilterResults `json:"content_filter_results,omitempty"`
}

type PromptFilterResult struct {
	Index                int                  `json:"index"`
	ContentFilterResults ContentFilterResults `json:"content_filter_results,omitempty"`
}

type ImageURLDetail string

const (
	ImageURLDetailHigh ImageURLDetail = "high"
	ImageURLDetailLow  ImageURLDetail = "low"
	ImageURLDetailAuto ImageURLDetail = "auto"
)

type ChatMessageImageURL struct {
	URL    string         `json:"url,omitempty"`
	Detail ImageURLDetail `json:"detail,omitempty"`
}

type ChatMessagePartType string

const (
	ChatMessagePartTypeText     ChatMessagePartType = "text"
	ChatMessagePartTypeImageURL ChatMessagePartType = "image_url"
)

type ChatMessagePart struct {
	Type     ChatMessagePartType  `json:"type,omitempty"`
	Text     string               `json:"text,omitempty"`
	ImageURL *ChatMessageImageURL `json:"image_url,omitempty"`
}

// ChatCompletionMessage is one message. Content and MultiContent (a list of
// parts, sent as "content") are exclusive.
type ChatCompletionMessage struct {
	Role         string `json:"role"`
	Content      string `json:"content,omitempty"`
	Refusal      string `json:"refusal,omitempty"`
	MultiContent []ChatMessagePart

	Name string `json:"name,omitempty"`
	// ReasoningContent is DeepSeek's reasoning_content.
	ReasoningContent string `json:"reasoning_content,omitempty"`
	// Reasoning is OpenRouter's reasoning text (routerkit; go-openai drops it).
	Reasoning string `json:"reasoning,omitempty"`

	FunctionCall *FunctionCall `json:"function_call,omitempty"`
	ToolCalls    []ToolCall    `json:"tool_calls,omitempty"`
	ToolCallID   string        `json:"tool_call_id,omitempty"`
}

// chatMessageWire is the JSON shape with a string content.
type chatMessageWire struct {
	Role             string        `json:"role"`
	Content          string        `json:"content,omitempty"`
	Refusal          string        `json:"refusal,omitempty"`
	Name             string        `json:"name,omitempty"`
	ReasoningContent string        `json:"reasoning_content,omitempty"`
	Reasoning        string        `json:"reasoning,omitempty"`
	FunctionCall     *FunctionCall `json:"function_call,omitempty"`
	ToolCalls        []ToolCall    `json:"tool_calls,omitempty"`
	ToolCallID       string        `json:"tool_call_id,omitempty"`
}

// chatMessagePartsWire is the JSON shape with a list of content parts.
type chatMessagePartsWire struct {
	Role             string            `json:"role"`
	Content          []ChatMessagePart `json:"content,omitempty"`
	Refusal          string            `json:"refusal,omitempty"`
	Name             string            `json:"name,omitempty"`
	ReasoningContent string            `json:"reasoning_content,omitempty"`
	Reasoning        string            `json:"reasoning,omitempty"`
	FunctionCall     *FunctionCall     `json:"function_call,omitempty"`
	ToolCalls        []ToolCall        `json:"tool_calls,omitempty"`
	ToolCallID       string            `json:"tool_call_id,omitempty"`
}

func (m ChatCompletionMessage) MarshalJSON() ([]byte, error) {
	if m.Content != "" && m.MultiContent != nil {
		return nil, ErrContentFieldsMisused
	}
	if len(m.MultiContent) > 0 {
		return json.Marshal(chatMessagePartsWire{m.Role, m.MultiContent, m.Refusal, m.Name, m.ReasoningContent, m.Reasoning, m.FunctionCall, m.ToolCalls, m.ToolCallID})
	}
	return json.Marshal(chatMessageWire{m.Role, m.Content, m.Refusal, m.Name, m.ReasoningContent, m.Reasoning, m.FunctionCall, m.ToolCalls, m.ToolCallID})
}

func (m *ChatCompletionMessage) UnmarshalJSON(b []byte) error {
	var w chatMessageWire
	if err := json.Unmarshal(b, &w); err == nil {
		*m = ChatCompletionMessage{Role: w.Role, Content: w.Content, Refusal: w.Refusal, Name: w.Name, ReasoningContent: w.ReasoningContent, Reasoning: w.Reasoning, FunctionCall: w.FunctionCall, ToolCalls: w.ToolCalls, ToolCallID: w.ToolCallID}
		return nil
	}
	var p chatMessagePartsWire
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*m = ChatCompletionMessage{Role: p.Role, MultiContent: p.Content, Refusal: p.Refusal, Name: p.Name, ReasoningContent: p.ReasoningContent, Reasoning: p.Reasoning, FunctionCall: p.FunctionCall, ToolCalls: p.ToolCalls, ToolCallID: p.ToolCallID}
	return nil
}

type ToolCall struct {
	// Index is set only in stream chunks.
	Index    *int         `json:"index,omitempty"`
	ID       string       `json:"id,omitempty"`
	Type     ToolType     `json:"type"`
	Function FunctionCall `json:"function"`
}

type FunctionCall struct {
	Name string `json:"name,omitempty"`
	// Arguments, JSON text.
	Arguments string `json:"arguments,omitempty"`
}

type ChatCompletionResponseFormatType string

const (
	ChatCompletionResponseFormatTypeJSONObject ChatCompletionResponseFormatType = "json_object"
	ChatCompletionResponseFormatTypeJSONSchema ChatCompletionResponseFormatType = "json_schema"
	ChatCompletionResponseFormatTypeText       ChatCompletionResponseFormatType = "text"
)

type ChatCompletionResponseFormat struct {
	Type       ChatCompletionResponseFormatType        `json:"type,omitempty"`
	JSONSchema *ChatCompletionResponseFormatJSONSchema `json:"json_schema,omitempty"`
}

// ChatCompletionResponseFormatJSONSchema is a structured-output schema. Schema
// is any json.Marshaler: a *jsonschema.Definition, a json.RawMessage (sent byte
// for byte)… Decoding one keeps the schema as the json.RawMessage it was, so no
// keyword is lost on a round trip (as go-openai v1.43 does).
type ChatCompletionResponseFormatJSONSchema struct {
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	Schema      stdjson.Marshaler `json:"schema"`
	Strict      bool              `json:"strict"`
}

// UnmarshalJSON reads the schema as a json.RawMessage (an object, or null for none).
func (r *ChatCompletionResponseFormatJSONSchema) UnmarshalJSON(data []byte) error {
	var raw struct {
		Name        string             `json:"name"`
		Description string             `json:"description,omitempty"`
		Schema      stdjson.RawMessage `json:"schema"`
		Strict      bool               `json:"strict"`
	}
	if err := stdjson.Unmarshal(data, &raw); err != nil {
		return err
	}
	r.Name, r.Description, r.Strict, r.Schema = raw.Name, raw.Description, raw.Strict, nil
	if len(raw.Schema) > 0 && string(raw.Schema) != "null" {
		var obj map[string]stdjson.RawMessage
		if err := stdjson.Unmarshal(raw.Schema, &obj); err != nil {
			return err
		}
		r.Schema = raw.Schema
	}
	return nil
}

// ChatCompletionRequestExtensions holds third-party extensions of the request (vLLM's guided_choice).
type ChatCompletionRequestExtensions struct {
	GuidedChoice []string `json:"guided_choice,omitempty"`
}

// ChatCompletionRequest is the body of a chat completion call. Numeric fields
// are omitted when zero, as in go-openai; "stream" is always sent (false on
// CreateChatCompletion), as go-openai sends it.
type ChatCompletionRequest struct {
	Model               string                        `json:"model"`
	Messages            []ChatCompletionMessage       `json:"messages"`
	MaxTokens           int                           `json:"max_tokens,omitempty"`
	MaxCompletionTokens int                           `json:"max_completion_tokens,omitempty"`
	Temperature         float32                       `json:"temperature,omitempty"`
	TopP                float32                       `json:"top_p,omitempty"`
	N                   int                           `json:"n,omitempty"`
	Stream              bool                          `json:"stream"`
	Stop                []string                      `json:"stop,omitempty"`
	PresencePenalty     float32                       `json:"presence_penalty,omitempty"`
	ResponseFormat      *ChatCompletionResponseFormat `json:"response_format,omitempty"`
	Seed                *int                          `json:"seed,omitempty"`
	FrequencyPenalty    float32                       `json:"frequency_penalty,omitempty"`
	LogitBias           map[string]int                `json:"logit_bias,omitempty"`
	LogProbs            bool                          `json:"logprobs,omitempty"`
	TopLogProbs         int                           `json:"top_logprobs,omitempty"`
	User                string                        `json:"user,omitempty"`
	// Deprecated: use Tools.
	Functions []FunctionDefinition `json:"functions,omitempty"`
	// Deprecated: use ToolChoice.
	FunctionCall any    `json:"function_call,omitempty"`
	Tools        []Tool `json:"tools,omitempty"`
	// ToolChoice is a string ("auto", "none", "required") or a ToolChoice.
	ToolChoice    any            `json:"tool_choice,omitempty"`
	StreamOptions *StreamOptions `json:"stream_options,omitempty"`
	// ParallelToolCalls: false disables parallel tool calls.
	ParallelToolCalls  any               `json:"parallel_tool_calls,omitempty"`
	Store              bool              `json:"store,omitempty"`
	ReasoningEffort    string            `json:"reasoning_effort,omitempty"`
	Metadata           map[string]string `json:"metadata,omitempty"`
	Prediction         *Prediction       `json:"prediction,omitempty"`
	ChatTemplateKwargs map[string]any    `json:"chat_template_kwargs,omitempty"`
	ServiceTier        ServiceTier       `json:"service_tier,omitempty"`
	// Verbosity is "low", "medium" or "high" (gpt-5 models).
	Verbosity string `json:"verbosity,omitempty"`
	// SafetyIdentifier is a stable id of the end user, for abuse detection.
	SafetyIdentifier string `json:"safety_identifier,omitempty"`
	// Embedded: third-party extensions (vLLM's guided_choice).
	ChatCompletionRequestExtensions

	// ExtraBody is merged into the top level of the JSON body, its keys winning
	// over the fields above: gateway fields the struct lacks (provider, models,
	// reasoning, plugins, transforms…) and explicit zeros that omitempty would drop
	// ("temperature": 0).
	ExtraBody map[string]any `json:"-"`
}

type StreamOptions struct {
	// IncludeUsage asks for a final chunk with usage. routerkit asks for it when
	// StreamOptions is nil; a StreamOptions given is sent as is (include_usage false included).
	IncludeUsage bool `json:"include_usage"`
}

type ToolType string

const (
	ToolTypeFunction           ToolType = "function"
	ToolTypeWebSearch          ToolType = "web_search"
	ToolTypeWebSearchPreview   ToolType = "web_search_preview"
	ToolTypeFileSearch         ToolType = "file_search"
	ToolTypeComputer           ToolType = "computer"
	ToolTypeComputerUsePreview ToolType = "computer_use_preview"
	ToolTypeComputerUse        ToolType = "computer_use"
	ToolTypeCodeInterpreter    ToolType = "code_interpreter"
	ToolTypeImageGeneration    ToolType = "image_generation"
	ToolTypeMCP                ToolType = "mcp"
	ToolTypeCustom             ToolType = "custom"
	ToolTypeLocalShell         ToolType = "local_shell"
	ToolTypeShell              ToolType = "shell"
	ToolTypeApplyPatch         ToolType = "apply_patch"
	ToolTypeToolSearch         ToolType = "tool_search"
)

type Tool struct {
	Type     ToolType            `json:"type"`
	Function *FunctionDefinition `json:"function,omitempty"`
	// Parameters are sent next to "type" (a built-in tool's own properties,
	// e.g. {"search_context_size": "low"}); they cannot override type or function.
	Parameters map[string]any `json:"-"`
}

var errToolParametersOverride = errors.New("tool parameters cannot override type or function")

// MarshalJSON writes type, function, then Parameters (in key order, a map having none of its own).
func (t Tool) MarshalJSON() ([]byte, error) {
	type plain struct {
		Type     ToolType            `json:"type"`
		Function *FunctionDefinition `json:"function,omitempty"`
	}
	head, err := json.Marshal(plain{t.Type, t.Function})
	if err != nil || len(t.Parameters) == 0 {
		return head, err
	}
	keys := make([]string, 0, len(t.Parameters))
	for k := range t.Parameters {
		if k == "type" || k == "function" {
			return nil, errToolParametersOverride
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := head[:len(head)-1]
	for _, k := range keys {
		name, _ := json.Marshal(k)
		value, err := json.Marshal(t.Parameters[k])
		if err != nil {
			return nil, err
		}
		out = append(append(append(append(out, ','), name...), ':'), value...)
	}
	return append(out, '}'), nil
}

type ToolChoice struct {
	Type     ToolType     `json:"type"`
	Function ToolFunction `json:"function,omitempty"`
}

type ToolFunction struct {
	Name string `json:"name"`
}

type FunctionDefinition struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Strict      bool   `json:"strict,omitempty"`
	// Parameters is a JSON schema: json.RawMessage, a map, or a struct.
	Parameters any `json:"parameters"`
}

// Deprecated: use FunctionDefinition.
type FunctionDefine = FunctionDefinition

type TopLogProbs struct {
	Token   string  `json:"token"`
	LogProb float64 `json:"logprob"`
	Bytes   []byte  `json:"bytes,omitempty"`
}

type LogProb struct {
	Token       string        `json:"token"`
	LogProb     float64       `json:"logprob"`
	Bytes       []byte        `json:"bytes,omitempty"`
	TopLogProbs []TopLogProbs `json:"top_logprobs"`
}

type LogProbs struct {
	Content []LogProb `json:"content"`
}

type Prediction struct {
	Content string `json:"content"`
	Type    string `json:"type"`
}

type FinishReason string

const (
	FinishReasonStop          FinishReason = "stop"
	FinishReasonLength        FinishReason = "length"
	FinishReasonFunctionCall  FinishReason = "function_call"
	FinishReasonToolCalls     FinishReason = "tool_calls"
	FinishReasonContentFilter FinishReason = "content_filter"
	FinishReasonNull          FinishReason = "null"
)

func (r FinishReason) MarshalJSON() ([]byte, error) {
	if r == FinishReasonNull || r == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(r))
}

type ServiceTier string

const (
	ServiceTierAuto     ServiceTier = "auto"
	ServiceTierDefault  ServiceTier = "default"
	ServiceTierFlex     ServiceTier = "flex"
	ServiceTierPriority ServiceTier = "priority"
)

type ChatCompletionChoice struct {
	Index                int                   `json:"index"`
	Message              ChatCompletionMessage `json:"message"`
	FinishReason         FinishReason          `json:"finish_reason"`
	LogProbs             *LogProbs             `json:"logprobs,omitempty"`
	ContentFilterResults ContentFilterResults  `json:"content_filter_results,omitempty"`
}

// ChatCompletionResponse is a chat completion. Header() gives the response
// headers; Attempts how many attempts the engine made.
type ChatCompletionResponse struct {
	ID                string                 `json:"id"`
	Object            string                 `json:"object"`
	Created           int64                  `json:"created"`
	Model             string                 `json:"model"`
	Choices           []ChatCompletionChoice `json:"choices"`
	Usage             Usage                  `json:"usage"`
	SystemFingerprint string                 `json:"system_fingerprint"`
	// PromptFilterResults is Azure's content filtering of the prompt.
	PromptFilterResults []PromptFilterResult `json:"prompt_filter_results,omitempty"`
	ServiceTier         ServiceTier          `json:"service_tier,omitempty"`

	// Attempts made, the successful one included (routerkit).
	Attempts int `json:"-"`

	httpHeader
}

// httpHeader is what every response type embeds: its call's headers (go-openai's Header())
// and its route receipt (routerkit's Receipt()).
type httpHeader struct {
	header  http.Header
	receipt *lazyReceipt
}

// SetHeader sets the response headers.
func (h *httpHeader) SetHeader(header http.Header) { h.header = header }

// Header returns the response headers.
func (h *httpHeader) Header() http.Header { return h.header }

// GetRateLimitHeaders reads the x-ratelimit-* headers of the response.
func (h *httpHeader) GetRateLimitHeaders() RateLimitHeaders { return newRateLimitHeaders(h.Header()) }

// Receipt is the call's route receipt (routerkit): models asked and served, provider,
// gateway ids, attempts with their delays, timings, usage and cost.
func (h *httpHeader) Receipt() Receipt { return h.receipt.get() }

func (h *httpHeader) setReceipt(r *lazyReceipt) { h.receipt = r }

// CreateChatCompletion sends a chat completion request (not streaming) with the
// engine's retries and timeouts.
func (c *Client) CreateChatCompletion(ctx context.Context, request ChatCompletionRequest) (response ChatCompletionResponse, err error) {
	if request.Stream {
		return response, ErrChatCompletionStreamNotSupported
	}
	if err := validateChatRequest(request); err != nil {
		return response, err
	}
	response.Attempts, err = c.exchangeJSON(ctx, "chat", request, request.ExtraBody, &response)
	return response, err
}
