// One model by its gateway id, which holds a slash, and one the gateway does not serve.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/routerkit/routerkit/tests/dropin/go/mockctl"
	"github.com/sashabaranov/go-openai"
)

func main() {
	config := openai.DefaultConfig(mockctl.Key("sk-dropin-retrieve-0123456789"))
	config.BaseURL = mockctl.BaseURL()
	client := openai.NewClientWithConfig(config)
	ctx := context.Background()

	model, err := client.GetModel(ctx, "openai/gpt-4.1")
	if err != nil {
		mockctl.Fail("GetModel: %v", err)
	}
	fmt.Println("model:", model.ID, model.Object, model.OwnedBy)
	_, err = client.GetModel(ctx, "openai/no-such-model")
	apiErr := &openai.APIError{}
	fmt.Println("not found:", errors.As(err, &apiErr) && apiErr.HTTPStatusCode == http.StatusNotFound)
}
