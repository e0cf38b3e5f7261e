// Embeddings as floats and as base64, with go-openai's helpers.
package main

import (
	"context"
	"fmt"

	"github.com/routerkit/routerkit/tests/dropin/go/mockctl"
	"github.com/sashabaranov/go-openai"
)

func main() {
	cfg := openai.DefaultConfig(mockctl.Key("sk-dropin-embed-0123456789"))
	cfg.BaseURL = mockctl.BaseURL()
	client := openai.NewClientWithConfig(cfg)
	ctx := context.Background()
	req := openai.EmbeddingRequest{
		Input: []string{"The food was delicious", "and the waiter was kind"},
		Model: openai.SmallEmbedding3,
	}
	floats, err := client.CreateEmbeddings(ctx, req)
	if err != nil {
		mockctl.Fail("%v", err)
	}
	req.EncodingFormat = openai.EmbeddingEncodingFormatBase64
	req.ExtraBody = map[string]any{"input_type": "query"}
	b64, err := client.CreateEmbeddings(ctx, req)
	if err != nil {
		mockctl.Fail("%v", err)
	}
	for i := range floats.Data {
		fmt.Printf("%d: %d dims, first %.6f, same as base64: %v\n", floats.Data[i].Index, len(floats.Data[i].Embedding), floats.Data[i].Embedding[0],
			fmt.Sprint(floats.Data[i].Embedding) == fmt.Sprint(b64.Data[i].Embedding))
	}
	dot, err := floats.Data[0].DotProduct(&floats.Data[1])
	fmt.Printf("dot %.6f %v\n", dot, err)
	_, err = floats.Data[0].DotProduct(&openai.Embedding{Embedding: []float32{1}})
	fmt.Println("mismatch:", err)
	fmt.Println("usage:", floats.Usage.PromptTokens, floats.Usage.TotalTokens, "model:", floats.Model)
	tokens, err := client.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{Input: []string{"x"}, Model: openai.LargeEmbedding3, Dimensions: 4})
	if err != nil {
		mockctl.Fail("%v", err)
	}
	fmt.Println("dimensions 4:", len(tokens.Data[0].Embedding))
	raw := openai.EmbeddingResponseBase64{Data: []openai.Base64Embedding{{Embedding: "AACAPwAAAEA="}}}
	conv, err := raw.ToEmbeddingResponse()
	fmt.Println("decoded:", conv.Data[0].Embedding, err)
	for _, r := range mockctl.Requests() {
		fmt.Println("sent:", mockctl.Canonical(r.Body))
	}
}
