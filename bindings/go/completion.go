package openai

import (
	"context"
	"errors"

	json "github.com/goccy/go-json"
)

// ErrCompletionStreamNotSupported is CreateCompletion's error for a request with
// Stream set: use CreateCompletionStream.
var ErrCompletionStreamNotSupported = errors.New("streaming is not supported with this method, please use CreateCompletionStream") //nolint:lll

// CompletionRequest is a legacy completions request (POST {base}/completions).
type CompletionRequest struct {
	Model            string            `json:"model"`
	Prompt           any               `json:"prompt,omitempty"`
	BestOf           int               `json:"best_of,omitempty"`
	Echo             bool              `json:"echo,omitempty"`
	FrequencyPenalty float32           `json:"frequency_penalty,omitempty"`
	LogitBias        map[string]int    `json:"logit_bias,omitempty"`
	Store            bool              `json:"store,omitempty"`
	Metadata         map[string]string `json:"metadata,omitempty"`
	LogProbs         int               `json:"logprobs,omitempty"`
	MaxTokens        int               `json:"max_tokens,omitempty"`
	N                int               `json:"n,omitempty"`
	PresencePenalty  float32           `json:"presence_penalty,omitempty"`
	Seed             *int              `json:"seed,omitempty"`
	Stop             []string          `json:"stop,omitempty"`
	Stream           bool              `json:"stream,omitempty"`
	Suffix           string            `json:"suffix,omitempty"`
	Temperature      float32           `json:"temperature,omitempty"`
	TopP             float32           `json:"top_p,omitempty"`
	User             string            `json:"user,omitempty"`
	// StreamOptions: only with CreateCompletionStream.
	StreamOptions *StreamOptions `json:"stream_options,omitempty"`

	// ExtraBody is merged into the top level of the JSON body, its keys winning
	// (routerkit, as ChatCompletionRequest.ExtraBody): gateway fields, or an explicit
	// zero (temperature 0) that omitempty would drop.
	ExtraBody map[string]any `json:"-"`
}

// CompletionChoice is one of the completions.
type CompletionChoice struct {
	Text         string        `json:"text"`
	Index        int           `json:"index"`
	FinishReason string        `json:"finish_reason"`
	LogProbs     LogprobResult `json:"logprobs"`
}

// LogprobResult is the log probabilities of a choice.
type LogprobResult struct {
	Tokens        []string             `json:"tokens"`
	TokenLogprobs []float32            `json:"token_logprobs"`
	TopLogprobs   []map[string]float32 `json:"top_logprobs"`
	TextOffset    []int                `json:"text_offset"`
}

// CompletionResponse is a completion, and each chunk of a completion stream.
type CompletionResponse struct {
	ID      string             `json:"id"`
	Object  string             `json:"object"`
	Created int64              `json:"created"`
	Model   string             `json:"model"`
	Choices []CompletionChoice `json:"choices"`
	Usage   *Usage             `json:"usage,omitempty"`

	// Attempts made, the successful one included (routerkit).
	Attempts int `json:"-"`

	httpHeader
}

// CreateCompletion creates a completion (POST {base}/completions).
func (c *Client) CreateCompletion(ctx context.Context, request CompletionRequest) (response CompletionResponse, err error) {
	if request.Stream {
		return response, ErrCompletionStreamNotSupported
	}
	response.Attempts, err = c.exchangeJSON(ctx, "completions", request, request.ExtraBody, &response)
	return response, err
}

// CompletionStream reads a streaming completion with Recv until io.EOF; Close it when done.
type CompletionStream struct {
	inner *ChatCompletionStream
}

// CreateCompletionStream starts a streaming completion. It returns once the gateway
// answered with headers (after the engine's retries, if any).
func (c *Client) CreateCompletionStream(ctx context.Context, request CompletionRequest) (*CompletionStream, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return nil, &RequestError{Err: err, kind: "cancelled"}
	}
	request.Stream = true
	body, err := marshalRequest(request)
	if err != nil {
		return nil, err
	}
	s, err := c.open(ctx, "completions_stream", body, request.ExtraBody)
	if err != nil {
		return nil, err
	}
	return &CompletionStream{inner: s}, nil
}

// Recv returns the next chunk; io.EOF after the last one (errors as ChatCompletionStream.Recv).
func (s *CompletionStream) Recv() (response CompletionResponse, err error) {
	text, err := s.inner.RecvRaw()
	if err != nil {
		return response, err
	}
	err = json.Unmarshal(text, &response)
	return response, err
}

// Close stops the stream and frees it; safe to call more than once.
func (s *CompletionStream) Close() error { return s.inner.Close() }

// Attempts made so far (routerkit).
func (s *CompletionStream) Attempts() int { return s.inner.Attempts() }

// Receipt is the stream's route receipt (see ChatCompletionStream.Receipt).
func (s *CompletionStream) Receipt() Receipt { return s.inner.Receipt() }

// String shows the stream by its client's masked view.
func (s *CompletionStream) String() string {
	return "routerkit.CompletionStream{" + s.inner.client.String() + "}"
}
