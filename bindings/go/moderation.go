package openai

import (
	"context"
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

// ResultCategories are the categories of a Result.
type ResultCategories struct {
	Hate            bool `json:"hate"`
	HateThreatening bool `json:"hate/threatening"`
	SelfHarm        bool `json:"self-harm"`
	Sexual          bool `json:"sexual"`
	SexualMinors    bool `json:"sexual/minors"`
	Violence        bool `json:"violence"`
	ViolenceGraphic bool `json:"violence/graphic"`
}

// ResultCategoryScores are the category scores of a Result.
type ResultCategoryScores struct {
	Hate            float32 `json:"hate"`
	HateThreatening float32 `json:"hate/threatening"`
	SelfHarm        float32 `json:"self-harm"`
	Sexual          float32 `json:"sexual"`
	SexualMinors    float32 `json:"sexual/minors"`
	Violence        float32 `json:"violence"`
	ViolenceGraphic float32 `json:"violence/graphic"`
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

// Moderations classifies the input (POST {base}/moderations). Unlike go-openai it
// does not restrict Model to OpenAI's names: gateways serve others.
func (c *Client) Moderations(ctx context.Context, request ModerationRequest) (response ModerationResponse, err error) {
	response.Attempts, err = c.exchangeJSON(ctx, "moderations", request, nil, &response)
	return response, err
}
