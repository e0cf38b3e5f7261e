package openai

import (
	"context"

	json "github.com/goccy/go-json"
)

// Model is one model the gateway serves.
type Model struct {
	CreatedAt int64  `json:"created"`
	ID        string `json:"id"`
	Object    string `json:"object"`
	OwnedBy   string `json:"owned_by"`
	Root      string `json:"root"`
	Parent    string `json:"parent"`
}

// ModelsList is the gateway's model list.
type ModelsList struct {
	Models []Model `json:"data"`

	// Attempts made, the successful one included (routerkit).
	Attempts int `json:"-"`

	httpHeader
}

// ListModels lists the models the gateway serves (GET {base}/models).
func (c *Client) ListModels(ctx context.Context) (models ModelsList, err error) {
	raw, err := c.call(ctx, callModels, nil, nil)
	if err != nil {
		return models, err
	}
	if err := json.Unmarshal(raw.body, &models); err != nil {
		return models, decodeError(err, raw)
	}
	models.Attempts = raw.attempts
	models.SetHeader(raw.header)
	return models, nil
}
