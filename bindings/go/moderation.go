package openai

import (
	"context"
	"errors"
	"strings"
)

// ErrModerationInvalidModel is go-openai's error for a moderation model outside its list.
var ErrModerationInvalidModel = errors.New("this model is not supported with moderation, please use text-moderation-stable or text-moderation-latest instead") //nolint:lll

// moderationModels are the names go-openai accepts for Moderations.
var moderationModels = map[string]bool{
	ModerationOmniLatest:   true,
	ModerationOmni20240926: true,
	ModerationTextStable:   true,
	ModerationTextLatest:   true,
}

// moderationModelRefused is go-openai's check for a bare (OpenAI) model name; a gateway id
// (brand/name) is sent, since gateways serve moderation models go-openai does not list.
func moderationModelRefused(model string) bool {
	return model != "" && !strings.Contains(model, "/") && !moderationModels[model]
}

// Moderation models, by go-openai's names. Moderations sends any model (gateways serve others);
// these are only the names.
const (
	ModerationOmniLatest   = "omni-moderation-latest"
	ModerationOmni20240926 = "omni-moderation-2024-09-26"
	ModerationTextStable   = "text-moderation-stable"
	ModerationTextLatest   = "text-moderation-latest"
	// Deprecated: use ModerationTextStable or ModerationTextLatest.
	ModerationText001 = "text-moderation-001"
)

// ModerationRequest is a moderation request (POST {base}/moderations). Input is a
// string, as in go-openai, or (routerkit) a []string: the API takes both.
type ModerationRequest struct {
	Input any    `json:"input,omitempty"`
	Model string `json:"model,omitempty"`
}

// Result is the moderation of one input.
type Result struct {
	Categories     ResultCategories     `json:"categories"`
	CategoryScores ResultCategoryScores `json:"category_scores"`
	Flagged        bool                 `json:"flagged"`
}

// ResultCategories are the categories of a Result (go-openai's eleven).
type ResultCategories struct {
	Hate                  bool `json:"hate"`
	HateThreatening       bool `json:"hate/threatening"`
	Harassment            bool `json:"harassment"`
	HarassmentThreatening bool `json:"harassment/threatening"`
	SelfHarm              bool `json:"self-harm"`
	SelfHarmIntent        bool `json:"self-harm/intent"`
	SelfHarmInstructions  bool `json:"self-harm/instructions"`
	Sexual                bool `json:"sexual"`
	SexualMinors          bool `json:"sexual/minors"`
	Violence              bool `json:"violence"`
	ViolenceGraphic       bool `json:"violence/graphic"`
}

// ResultCategoryScores are the category scores of a Result.
type ResultCategoryScores struct {
	Hate                  float32 `json:"hate"`
	HateThreatening       float32 `json:"hate/threatening"`
	Harassment            float32 `json:"harassment"`
	HarassmentThreatening float32 `json:"harassment/threatening"`
	SelfHarm              float32 `json:"self-harm"`
	SelfHarmIntent        float32 `json:"self-harm/intent"`
	SelfHarmInstructions  float32 `json:"self-harm/instructions"`
	Sexual                float32 `json:"sexual"`
	SexualMinors          float32 `json:"sexual/minors"`
	Violence              float32 `json:"violence"`
	ViolenceGraphic       float32 `json:"violence/graphic"`
}

// ModerationResponse is the moderation of every input.
type ModerationResponse struct {
	ID      string   `json:"id"`
	Model   string   `json:"model"`
	Results []Result `json:"results"`

	// Attempts made, the successful one included (routerkit).
	Attempts int `json:"-"`

	httpHeader
}

// Moderations classifies the input (POST {base}/moderations). A bare model name outside
// go-openai's list is refused before sending (ErrModerationInvalidModel), as go-openai does;
// unlike go-openai, a gateway id (brand/name) is sent: gateways serve other models.
func (c *Client) Moderations(ctx context.Context, request ModerationRequest) (response ModerationResponse, err error) {
	if moderationModelRefused(request.Model) {
		return response, ErrModerationInvalidModel
	}
	response.Attempts, err = c.exchangeJSON(ctx, "moderations", request, nil, &response)
	return response, err
}
