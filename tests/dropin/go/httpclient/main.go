// A configured client: OrgID, an *http.Client with a Timeout and a cloned
// DefaultTransport with a TLS ServerName for the base URL's host.
package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/routerkit/routerkit/tests/dropin/go/mockctl"
	"github.com/sashabaranov/go-openai"
)

func main() {
	base, _ := url.Parse(mockctl.BaseURL())
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = &tls.Config{ServerName: base.Hostname(), MinVersion: tls.VersionTLS12}
	cfg := openai.DefaultConfig(mockctl.Key("sk-dropin-config-0123456789"))
	cfg.BaseURL = mockctl.BaseURL() + "/" // a trailing slash is fine
	cfg.OrgID = "org-dropin"
	cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second, Transport: transport}
	fmt.Println("empty messages limit:", cfg.EmptyMessagesLimit, "api type:", cfg.APIType)
	client := openai.NewClientWithConfig(cfg)
	resp, err := client.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
		Model:    openai.GPT4oMini,
		Messages: []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: "configured"}},
	})
	if err != nil {
		mockctl.Fail("%v", err)
	}
	fmt.Println(resp.Choices[0].Message.Content)
	r := mockctl.Requests()[0]
	fmt.Println("path:", r.Path)
	fmt.Println("OpenAI-Organization:", r.Headers["openai-organization"])
	fmt.Println("content-type:", r.Headers["content-type"])
	fmt.Println("deployment of gpt-3.5-turbo on Azure:", openai.DefaultAzureConfig("k", "https://x.openai.azure.com/").GetAzureDeploymentByModel("gpt-3.5-turbo"))
}
