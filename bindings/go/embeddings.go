package routerkit

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
}

func (r EmbeddingRequest) Convert() EmbeddingRequest { return r }

// EmbeddingRequestStrings embeds strings.
type EmbeddingRequestStrings struct {
	Input          []string                `json:"input"`
	Model          EmbeddingModel          `json:"model"`
	User           string                  `json:"user"`
	EncodingFormat EmbeddingEncodingFormat `json:"encoding_format,omitempty"`
	Dimensions     int                     `json:"dimensions,omitempty"`
}

func (r EmbeddingRequestStrings) Convert() EmbeddingRequest {
	return EmbeddingRequest{Input: r.Input, Model: r.Model, User: r.User, EncodingFormat: r.EncodingFormat, Dimensions: r.Dimensions}
}

// EmbeddingRequestTokens embeds token lists.
type EmbeddingRequestTokens struct {
	Input          [][]int                 `json:"input"`
	Model          EmbeddingModel          `json:"model"`
	User           string                  `json:"user"`
	EncodingFormat EmbeddingEncodingFormat `json:"encoding_format,omitempty"`
	Dimensions     int                     `json:"dimensions,omitempty"`
}

func (r EmbeddingRequestTokens) Convert() EmbeddingRequest {
	return EmbeddingRequest{Input: r.Input, Model: r.Model, User: r.User, EncodingFormat: r.EncodingFormat, Dimensions: r.Dimensions}
}

// base64Embedding is an embedding sent as base64 of little-endian float32s.
type base64Embedding struct {
	Object    string `json:"object"`
	Embedding string `json:"embedding"`
	Index     int    `json:"index"`
}

// CreateEmbeddings embeds the input (POST {base}/embeddings).
func (c *Client) CreateEmbeddings(ctx context.Context, conv EmbeddingRequestConverter) (res EmbeddingResponse, err error) {
	req := conv.Convert()
	body, err := marshalRequest(req)
	if err != nil {
		return res, err
	}
	raw, err := c.call(ctx, "embeddings", body, nil)
	if err != nil {
		return res, err
	}
	if req.EncodingFormat == EmbeddingEncodingFormatBase64 {
		var b64 struct {
			Object string            `json:"object"`
			Data   []base64Embedding `json:"data"`
			Model  EmbeddingModel    `json:"model"`
			Usage  Usage             `json:"usage"`
		}
		if err := json.Unmarshal(raw.body, &b64); err != nil {
			return res, decodeError(err, raw)
		}
		res.Object, res.Model, res.Usage = b64.Object, b64.Model, b64.Usage
		for _, e := range b64.Data {
			bytes, err := base64.StdEncoding.DecodeString(e.Embedding)
			if err != nil || len(bytes)%4 != 0 {
				return res, decodeError(errors.New("invalid base64 embedding"), raw)
			}
			vec := make([]float32, len(bytes)/4)
			for i := range vec {
				vec[i] = math.Float32frombits(binary.LittleEndian.Uint32(bytes[4*i:]))
			}
			res.Data = append(res.Data, Embedding{Object: e.Object, Embedding: vec, Index: e.Index})
		}
	} else if err := json.Unmarshal(raw.body, &res); err != nil {
		return res, decodeError(err, raw)
	}
	res.Attempts = raw.attempts
	res.SetHeader(raw.header)
	return res, nil
}
