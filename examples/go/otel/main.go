// OpenTelemetry spans from routerkit's route receipts, with the GenAI semantic conventions.
//
// routerkit has no OpenTelemetry dependency: ClientConfig.OnReceipt gets each call's receipt when
// the call ends (a response, an error, a stream's io.EOF, error or Close), and this program turns
// it into a span. The SDK is this module's own dependency, not the routerkit package's.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/routerkit/routerkit/bindings/go"
)

func baseURL() string {
	if u := os.Getenv("THEROUTER_BASE_URL"); u != "" {
		return u
	}
	return "https://api.therouter.ai/v1"
}

// spanOf records one receipt as a span, backdated to the call's start (the hook runs at its end).
func spanOf(tracer trace.Tracer) func(openai.Receipt) {
	return func(r openai.Receipt) {
		end := time.Now()
		_, span := tracer.Start(context.Background(), "chat "+r.ModelRequested,
			trace.WithSpanKind(trace.SpanKindClient), trace.WithTimestamp(end.Add(-r.TotalTime)))
		attrs := []attribute.KeyValue{
			attribute.String("gen_ai.operation.name", "chat"),
			attribute.String("gen_ai.system", "openai"), // the wire protocol; the provider that served is below
			attribute.String("gen_ai.request.model", r.ModelRequested),
			attribute.String("gen_ai.response.model", r.Model),
			attribute.String("gen_ai.response.id", r.GenerationID),
			attribute.Int("gen_ai.usage.input_tokens", r.InputTokens),
			attribute.Int("gen_ai.usage.output_tokens", r.OutputTokens),
			attribute.String("routerkit.request_id", r.RequestID),
			attribute.Int("routerkit.attempts", len(r.Attempts)),
			attribute.Bool("routerkit.fallback", r.Fallback.Fired),
		}
		if r.Provider != "" {
			attrs = append(attrs, attribute.String("routerkit.provider", r.Provider))
		}
		if r.TimeToFirstToken > 0 {
			attrs = append(attrs, attribute.Float64("routerkit.time_to_first_token_ms", float64(r.TimeToFirstToken)/float64(time.Millisecond)))
		}
		if r.Cost > 0 {
			attrs = append(attrs, attribute.Float64("routerkit.cost", r.Cost))
		}
		span.SetAttributes(attrs...)
		for i, a := range r.Attempts {
			span.AddEvent("attempt", trace.WithAttributes(attribute.Int("n", i+1), attribute.Int("status", a.Status),
				attribute.Float64("delay_ms", float64(a.Delay)/float64(time.Millisecond)), attribute.String("error", a.Error)))
		}
		if n := len(r.Attempts); n > 0 && r.Attempts[n-1].Error != "" && r.Model == "" {
			span.SetAttributes(attribute.String("error.type", r.Attempts[n-1].Error))
			span.SetStatus(codes.Error, r.Attempts[n-1].Error)
		}
		span.End(trace.WithTimestamp(end))
	}
}

func main() {
	exporter, err := stdouttrace.New(stdouttrace.WithPrettyPrint())
	if err != nil {
		log.Fatal(err)
	}
	provider := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	defer func() { _ = provider.Shutdown(context.Background()) }()

	config := openai.DefaultConfig(os.Getenv("THEROUTER_API_KEY"))
	config.BaseURL = baseURL()
	config.OnReceipt = spanOf(provider.Tracer("routerkit.example"))
	client := openai.NewClientWithConfig(config)
	defer client.Close()

	resp, err := client.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
		Model:    "openai/gpt-4.1",
		Messages: []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: "Say hi in five words."}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Choices[0].Message.Content)

	stream, err := client.CreateChatCompletionStream(context.Background(), openai.ChatCompletionRequest{
		Model:    "anthropic/claude-opus-4-5",
		Messages: []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: "Count to three."}},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer stream.Close()
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		if len(chunk.Choices) > 0 {
			fmt.Print(chunk.Choices[0].Delta.Content)
		}
	}
	r := stream.Receipt()
	fmt.Printf("\n[stream: %d tokens, first token after %v]\n", r.OutputTokens, r.TimeToFirstToken.Round(time.Microsecond))
}
