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

	// Attempts made, the successful one included (routerkit; GetModel only).
	Attempts int `json:"-"`

	httpHeader
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
	raw, err := c.call(ctx, "models", nil, nil)
	if err != nil {
		return models, err
	}
	if err := json.Unmarshal(raw.body, &models); err != nil {
		return models, decodeError(err, raw)
	}
	models.Attempts = raw.attempts
	raw.keep(&models)
	return models, nil
}

// GetModel retrieves one model (GET {base}/models/{modelID}); a gateway id may
// hold slashes (openai/gpt-4.1), which stay path separators.
func (c *Client) GetModel(ctx context.Context, modelID string) (model Model, err error) {
	body, err := json.Marshal(map[string]string{"id": modelID})
	if err != nil {
		return model, err
	}
	raw, err := c.call(ctx, "models.retrieve", body, nil)
	if err != nil {
		return model, err
	}
	if err := json.Unmarshal(raw.body, &model); err != nil {
		return model, decodeError(err, raw)
	}
	model.Attempts = raw.attempts
	raw.keep(&model)
	return model, nil
}
