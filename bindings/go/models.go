package openai

import (
	"context"
	"errors"

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

// FineTuneModelDeleteResponse is go-openai's answer to DeleteFineTuneModel.
type FineTuneModelDeleteResponse struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Deleted bool   `json:"deleted"`

	httpHeader
}

// ErrFineTuningNotSupported is DeleteFineTuneModel's error: routerkit has no
// fine-tuning API (gateways do not serve one).
var ErrFineTuningNotSupported = errors.New("routerkit: the fine-tuning API is not supported (DeleteFineTuneModel sends DELETE /models/{id}, which gateways do not serve); delete the model with the provider's own API")

// DeleteFineTuneModel is go-openai's method to delete a fine-tuned model. It is here so
// that code written for go-openai compiles; it sends nothing and returns
// ErrFineTuningNotSupported, never a silent success.
func (c *Client) DeleteFineTuneModel(_ context.Context, _ string) (response FineTuneModelDeleteResponse, err error) {
	return response, ErrFineTuningNotSupported
}
