// Package openai is a go-openai-shaped client for OpenAI-compatible AI
// gateways (TheRouter, OpenRouter, LiteLLM…) on routerkit's native engine.
//
// Code written for github.com/sashabaranov/go-openai keeps working when its
// import line becomes
//
//	"github.com/routerkit/routerkit/bindings/go"
//
// and gains the engine's retries with backoff (ClientConfig.MaxRetries),
// idle/connect timeouts, stream checks (a stream cut short is an error, not
// io.EOF) and typed errors (*APIError, *RequestError).
//
// Structured outputs work as with go-openai (a JSONSchema response format from
// jsonschema.GenerateSchemaForType, then jsonschema.VerifySchemaAndUnmarshal), and
// routerkit adds ParseChatCompletion, ParseResponse, ParseChatCompletionStream and
// ParseResponseStream, where
// the engine checks the answer (finish reason, JSON, the schema sent) and the errors are
// matched with errors.Is (ErrLengthFinishReason, ErrContentFilterFinishReason,
// ErrOutputValidation).
//
// The package links librouterkit.a (bindings/c) through cgo. A released module
// carries it prebuilt for its platforms (lib/<goos>_<goarch>), so `go get` needs
// no Rust toolchain; in a clone of the repository, run `go generate` in this
// directory (cargo build -p routerkit-c) before `go build`.
package openai
