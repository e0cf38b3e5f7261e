package openai

import (
	"errors"
	"fmt"
	"strings"
)

// go-openai's checks of a chat request made to a reasoning model, run before
// anything is sent: the same rules and sentinel errors, so errors.Is works
// as with go-openai. They look at the model name as written: a gateway id
// such as "openai/o3-mini" is not checked, as go-openai does not check it.

// Reasoning effort values (ChatCompletionRequest.ReasoningEffort).
const (
	ReasoningEffortNone    = "none"
	ReasoningEffortMinimal = "minimal"
	ReasoningEffortLow     = "low"
	ReasoningEffortMedium  = "medium"
	ReasoningEffortHigh    = "high"
	ReasoningEffortXHigh   = "xhigh"
	ReasoningEffortMax     = "max"
)

var (
	ErrReasoningModelMaxTokensDeprecated = errors.New("this model is not supported MaxTokens, please use MaxCompletionTokens")
	ErrReasoningModelLimitationsLogprobs = errors.New("this model has beta-limitations, logprobs not supported")
	ErrReasoningModelLimitationsOther    = errors.New("this model has beta-limitations, temperature, top_p and n are fixed at 1, while presence_penalty and frequency_penalty are fixed at 0")

	ErrReasoningEffortUnsupported     = errors.New("reasoning effort is not supported by this model")
	ErrReasoningToolsRequireResponses = errors.New("tool calling with this model and reasoning effort requires the Responses API")
	ErrReasoningSamplingUnsupported   = errors.New("temperature, top_p and log probabilities must be omitted when reasoning is enabled")

	// Distinct values with the same texts, as in go-openai: the checks return the ones above.

	// Deprecated: use ErrReasoningModelMaxTokensDeprecated.
	ErrO1MaxTokensDeprecated = errors.New("this model is not supported MaxTokens, please use MaxCompletionTokens")
	// Deprecated: use ErrReasoningModelLimitationsLogprobs.
	ErrO1BetaLimitationsLogprobs = errors.New("this model has beta-limitations, logprobs not supported")
	ErrO1BetaLimitationsOther    = errors.New("this model has beta-limitations, temperature, top_p and n are fixed at 1, while presence_penalty and frequency_penalty are fixed at 0")

	ErrO1BetaLimitationsMessageTypes = errors.New("this model has beta-limitations, user and assistant messages only, system messages are not supported")
	ErrO1BetaLimitationsTools        = errors.New("this model has beta-limitations, tools, function calling, and response format parameters are not supported")
)

// ReasoningValidator checks chat requests to reasoning models (o1, o3, o4,
// gpt-5 families and the GPT-6 ids).
type ReasoningValidator struct{}

// NewReasoningValidator returns a validator.
func NewReasoningValidator() *ReasoningValidator { return &ReasoningValidator{} }

// Validate returns the sentinel error of the first rule the request breaks, or nil.
func (v *ReasoningValidator) Validate(request ChatCompletionRequest) error {
	switch request.Model {
	case GPT6Astra, GPT6Dot1Sol:
		return checkGPT6Request(request, false)
	case GPT6Sol, GPT6Luna:
		return checkGPT6Request(request, true)
	}
	for _, family := range []string{"o1", "o3", "o4", "gpt-5"} {
		if strings.HasPrefix(request.Model, family) {
			return checkReasoningParams(request)
		}
	}
	return nil
}

// checkReasoningParams: max_tokens is replaced by max_completion_tokens,
// logprobs are unavailable, and sampling parameters are fixed (1 or 0).
func checkReasoningParams(r ChatCompletionRequest) error {
	switch {
	case r.MaxTokens > 0:
		return ErrReasoningModelMaxTokensDeprecated
	case r.LogProbs:
		return ErrReasoningModelLimitationsLogprobs
	case r.Temperature > 0 && r.Temperature != 1,
		r.TopP > 0 && r.TopP != 1,
		r.N > 0 && r.N != 1,
		r.PresencePenalty > 0,
		r.FrequencyPenalty > 0:
		return ErrReasoningModelLimitationsOther
	}
	return nil
}

// checkGPT6Request: no max_tokens; a known effort ("none" only where the model
// has it); while reasoning, no tools and no sampling parameters.
func checkGPT6Request(r ChatCompletionRequest, allowsNone bool) error {
	if r.MaxTokens > 0 {
		return ErrReasoningModelMaxTokensDeprecated
	}
	switch r.ReasoningEffort {
	case "", ReasoningEffortLow, ReasoningEffortMedium, ReasoningEffortHigh, ReasoningEffortXHigh, ReasoningEffortMax:
	case ReasoningEffortNone:
		if !allowsNone {
			return fmt.Errorf("%w: %s for %s", ErrReasoningEffortUnsupported, r.ReasoningEffort, r.Model)
		}
	default:
		return fmt.Errorf("%w: %s for %s", ErrReasoningEffortUnsupported, r.ReasoningEffort, r.Model)
	}
	if r.ReasoningEffort == ReasoningEffortNone {
		return nil
	}
	usesTools := len(r.Tools) > 0 || len(r.Functions) > 0 ||
		(r.ToolChoice != nil && r.ToolChoice != "none") ||
		(r.FunctionCall != nil && r.FunctionCall != "none")
	if usesTools {
		return ErrReasoningToolsRequireResponses
	}
	if r.Temperature != 0 || r.TopP != 0 || r.LogProbs || r.TopLogProbs != 0 {
		return ErrReasoningSamplingUnsupported
	}
	return nil
}

// validateChatRequest is what go-openai checks before a chat call: a model
// meant for the legacy completions endpoint, then the reasoning-model rules.
func validateChatRequest(r ChatCompletionRequest) error {
	if !endpointSupportsModel(endpointChat, r.Model) {
		return ErrChatCompletionInvalidModel
	}
	return NewReasoningValidator().Validate(r)
}
