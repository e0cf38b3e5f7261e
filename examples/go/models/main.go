// Models with go-openai's names: ListModels, then GetModel by an id that contains a slash;
// a model the gateway does not know is an *openai.APIError with HTTPStatusCode 404.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	openai "github.com/routerkit/routerkit/bindings/go"
)

func main() {
	config := openai.DefaultConfig(os.Getenv("THEROUTER_API_KEY"))
	if u := os.Getenv("THEROUTER_BASE_URL"); u != "" {
		config.BaseURL = u
	}
	client := openai.NewClientWithConfig(config)
	defer client.Close()
	ctx := context.Background()

	list, err := client.ListModels(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, m := range list.Models {
		fmt.Println(m.ID)
	}

	model, err := client.GetModel(ctx, "openai/gpt-4.1")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%s: owned by %s, created %d\n", model.ID, model.OwnedBy, model.CreatedAt)

	_, err = client.GetModel(ctx, "nobody/no-such-model")
	var apiErr *openai.APIError
	if !errors.As(err, &apiErr) {
		fmt.Fprintln(os.Stderr, "expected an APIError, got", err)
		os.Exit(1)
	}
	fmt.Println("not found:", apiErr.HTTPStatusCode)
}
