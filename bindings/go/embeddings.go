package openai

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"math"

	json "github.com/goccy/go-json"
)

// EmbeddingModel names an embedding model ("openai/text-embedding-3-small").
type EmbeddingModel string

const (
	// Deprecated: the text-similarity / text-search / code-search models are shut down.
	AdaSimilarity         EmbeddingModel = "text-similarity-ada-001"
	BabbageSimilarity     EmbeddingModel = "text-similarity-babbage-001"
	CurieSimilarity       EmbeddingModel = "text-similarity-curie-001"
	DavinciSimilarity     EmbeddingModel = "text-similarity-davinci-001"
	AdaSearchDocument     EmbeddingModel = "text-search-ada-doc-001"
	AdaSearchQuery        EmbeddingModel = "text-search-ada-query-001"
	BabbageSearchDocument EmbeddingModel = "text-search-babbage-doc-001"
	BabbageSearchQuery    EmbeddingModel = "text-search-babbage-query-001"
	CurieSearchDocument   EmbeddingModel = "text-search-curie-doc-001"
	CurieSearchQuery      EmbeddingModel = "text-search-curie-query-001"
	DavinciSearchDocument EmbeddingModel = "text-search-davinci-doc-001"
	DavinciSearchQuery    EmbeddingModel = "text-search-davinci-query-001"
	AdaCodeSearchCode     EmbeddingModel = "code-search-ada-code-001"
	AdaCodeSearchText     EmbeddingModel = "code-search-ada-text-001"
	BabbageCodeSearchCode EmbeddingModel = "code-search-babbage-code-001"
	BabbageCodeSearchText EmbeddingModel = "code-search-babbage-text-001"

	AdaEmbeddingV2  EmbeddingModel = "text-embedding-ada-002"
	SmallEmbedding3 EmbeddingModel = "text-embedding-3-small"
	LargeEmbedding3 EmbeddingModel = "text-embedding-3-large"
)

// Embedding is one vector.
type Embedding struct {
	Object    string    `json:"object"`
	Embedding []float32 `json:"embedding"`
	Index     int       `json:"index"`
}

// ErrVectorLengthMismatch is DotProduct's error for vectors of different lengths.
var ErrVectorLengthMismatch = errors.New("vector length mismatch")

// DotProduct is the dot product of the two vectors (ErrVectorLengthMismatch
// when their lengths differ).
func (e *Embedding) DotProduct(other *Embedding) (float32, error) {
	if len(e.Embedding) != len(other.Embedding) {
		return 0, ErrVectorLengthMismatch
	}
	var sum float32
	for i, v := range e.Embedding {
		sum += v * other.Embedding[i]
	}
	return sum, nil
}

// EmbeddingResponse is the answer to CreateEmbeddings.
type EmbeddingResponse struct {
	Object string         `json:"object"`
	Data   []Embedding    `json:"data"`
	Model  EmbeddingModel `json:"model"`
	Usage  Usage          `json:"usage"`

	// Attempts made, the successful one included (routerkit).
	Attempts int `json:"-"`

	httpHeader
}

// EmbeddingEncodingFormat is "float" (default) or "base64".
type EmbeddingEncodingFormat string

const (
	EmbeddingEncodingFormatFloat  EmbeddingEncodingFormat = "float"
	EmbeddingEncodingFormatBase64 EmbeddingEncodingFormat = "base64"
)

// EmbeddingRequestConverter is any of the embedding request types.
type EmbeddingRequestConverter interface {
	Convert() EmbeddingRequest
}

// EmbeddingRequest has an Input of any JSON shape (string, []string, [][]int).
type EmbeddingRequest struct {
	Input          any                     `json:"input"`
	Model          EmbeddingModel          `json:"model"`
	User           string                  `json:"user,omitempty"`
	EncodingFormat EmbeddingEncodingFormat `json:"encoding_format,omitempty"`
	Dimensions     int                     `json:"dimensions,omitempty"`
	// ExtraBody is merged into the top level of the JSON body (gateway fields the struct lacks).
	ExtraBody map[string]any `json:"extra_body,omitempty"`
}

func (r EmbeddingRequest) Convert() EmbeddingRequest { return r }

// EmbeddingRequestStrings embeds strings.
type EmbeddingRequestStrings struct {
	Input          []string                `json:"input"`
	Model          EmbeddingModel          `json:"model"`
	User           string                  `json:"user"`
	EncodingFormat EmbeddingEncodingFormat `json:"encoding_format,omitempty"`
	Dimensions     int                     `json:"dimensions,omitempty"`
	// ExtraBody is merged into the top level of the JSON body.
	ExtraBody map[string]any `json:"extra_body,omitempty"`
}

func (r EmbeddingRequestStrings) Convert() EmbeddingRequest {
	return EmbeddingRequest{Input: r.Input, Model: r.Model, User: r.User, EncodingFormat: r.EncodingFormat, Dimensions: r.Dimensions, ExtraBody: r.ExtraBody}
}

// EmbeddingRequestTokens embeds token lists.
type EmbeddingRequestTokens struct {
	Input          [][]int                 `json:"input"`
	Model          EmbeddingModel          `json:"model"`
	User           string                  `json:"user"`
	EncodingFormat EmbeddingEncodingFormat `json:"encoding_format,omitempty"`
	Dimensions     int                     `json:"dimensions,omitempty"`
	// ExtraBody is merged into the top level of the JSON body.
	ExtraBody map[string]any `json:"extra_body,omitempty"`
}

func (r EmbeddingRequestTokens) Convert() EmbeddingRequest {
	return EmbeddingRequest{Input: r.Input, Model: r.Model, User: r.User, EncodingFormat: r.EncodingFormat, Dimensions: r.Dimensions, ExtraBody: r.ExtraBody}
}

// base64String is an embedding as the gateway sends it with
// encoding_format "base64": base64 of little-endian float32s.
type base64String string

// Decode gives the floats (a trailing partial float is dropped, as go-openai does).
func (b base64String) Decode() ([]float32, error) {
	raw, err := base64.StdEncoding.DecodeString(string(b))
	if err != nil {
		return nil, err
	}
	vec := make([]float32, len(raw)/4)
	for i := range vec {
		vec[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return vec, nil
}

// Base64Embedding is one embedding still in base64.
type Base64Embedding struct {
	Object    string       `json:"object"`
	Embedding base64String `json:"embedding"`
	Index     int          `json:"index"`
}

// EmbeddingResponseBase64 is an embeddings answer with base64 vectors.
type EmbeddingResponseBase64 struct {
	Object string            `json:"object"`
	Data   []Base64Embedding `json:"data"`
	Model  EmbeddingModel    `json:"model"`
	Usage  Usage             `json:"usage"`

	httpHeader
}

// ToEmbeddingResponse decodes every vector.
func (r *EmbeddingResponseBase64) ToEmbeddingResponse() (EmbeddingResponse, error) {
	data := make([]Embedding, len(r.Data))
	for i, e := range r.Data {
		vec, err := e.Embedding.Decode()
		if err != nil {
			return EmbeddingResponse{}, err
		}
		data[i] = Embedding{Object: e.Object, Embedding: vec, Index: e.Index}
	}
	return EmbeddingResponse{Object: r.Object, Model: r.Model, Data: data, Usage: r.Usage}, nil
}

// CreateEmbeddings embeds the input (POST {base}/embeddings).
func (c *Client) CreateEmbeddings(ctx context.Context, conv EmbeddingRequestConverter) (res EmbeddingResponse, err error) {
	req := conv.Convert()
	extraBody := req.ExtraBody
	req.ExtraBody = nil // merged by the engine, not sent as "extra_body"
	body, err := marshalRequest(req)
	if err != nil {
		return res, err
	}
	raw, err := c.call(ctx, "embeddings", body, extraBody)
	if err != nil {
		return res, err
	}
	if req.EncodingFormat == EmbeddingEncodingFormatBase64 {
		var b64 EmbeddingResponseBase64
		if err := json.Unmarshal(raw.body, &b64); err != nil {
			return res, decodeError(err, raw)
		}
		if res, err = b64.ToEmbeddingResponse(); err != nil {
			return res, decodeError(err, raw)
		}
	} else if err := json.Unmarshal(raw.body, &res); err != nil {
		return res, decodeError(err, raw)
	}
	res.Attempts = raw.attempts
	raw.keep(&res)
	return res, nil
}
