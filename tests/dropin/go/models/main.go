// List the gateway's models.
package main

import (
	"context"
	"fmt"

	"github.com/routerkit/routerkit/tests/dropin/go/mockctl"
	"github.com/sashabaranov/go-openai"
)

func main() {
	cfg := openai.DefaultConfig(mockctl.Key("sk-dropin-models-0123456789"))
	cfg.BaseURL = mockctl.BaseURL()
	client := openai.NewClientWithConfig(cfg)
	models, err := client.ListModels(context.Background())
	if err != nil {
		mockctl.Fail("%v", err)
	}
	for _, m := range models.Models {
		fmt.Printf("%s owned_by=%s object=%s\n", m.ID, m.OwnedBy, m.Object)
	}
	fmt.Println("count:", len(models.Models), "content-type:", models.Header().Get("Content-Type"))
	// A gateway in front may answer /models itself.
	for _, r := range mockctl.Requests() {
		fmt.Println(r.Method, r.Path)
	}
}
