package openai

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// DefaultBaseURL is the gateway used when ClientConfig.BaseURL is left as DefaultConfig sets it.
const DefaultBaseURL = "https://api.therouter.ai/v1"

// APIType is go-openai's kind of API behind BaseURL.
type APIType string

const (
	APITypeOpenAI          APIType = "OPEN_AI"
	APITypeAzure           APIType = "AZURE"
	APITypeAzureAD         APIType = "AZURE_AD"
	APITypeCloudflareAzure APIType = "CLOUDFLARE_AZURE"
	APITypeAnthropic       APIType = "ANTHROPIC"
)

// AzureAPIKeyHeader is the header Azure OpenAI takes the key in.
const AzureAPIKeyHeader = "api-key"

// AnthropicAPIVersion is the anthropic-version DefaultAnthropicConfig sets.
const AnthropicAPIVersion = "2023-06-01"

const (
	defaultEmptyMessagesLimit uint = 300
	defaultAssistantVersion        = "v2"
	defaultAzureAPIVersion         = "2023-05-15"
)

// HTTPDoer is go-openai's HTTPClient type. routerkit's engine does the HTTP
// itself, so ClientConfig.HTTPClient is read, never called: an *http.Client's
// Timeout bounds each whole call (retries included), and its *http.Transport's
// Proxy and TLSClientConfig.ServerName are accepted where they agree with what
// the engine does. Anything the engine cannot do (another HTTPDoer or
// RoundTripper, a RootCAs pool, a Jar, pool tuning…) makes every call fail
// with an error saying what to set instead (InvalidField(err) == "http_client").
type HTTPDoer interface {
	Do(req *http.Request) (*http.Response, error)
}

// ClientConfig is go-openai's configuration, plus routerkit's retry and timeout settings.
//
// The API key is unexported and never printed whole: fmt's %v, %+v, %#v and %s
// show its first min(8, len/2) characters.
type ClientConfig struct {
	authToken string

	// BaseURL of the gateway, e.g. "https://openrouter.ai/api/v1" (a trailing slash is fine).
	// Empty: THEROUTER_BASE_URL / OPENAI_BASE_URL from the environment or .env, else DefaultBaseURL.
	BaseURL string
	// OrgID is sent as the OpenAI-Organization header when set.
	OrgID string
	// APIType is go-openai's: routerkit speaks to OpenAI-compatible endpoints
	// (APITypeOpenAI, the default when empty); the others make every call fail
	// with an error naming what to set instead (see DefaultAzureConfig).
	APIType APIType
	// APIVersion is Azure's api-version / Anthropic's anthropic-version.
	APIVersion string
	// AssistantVersion is go-openai's OpenAI-Beta assistants version (unused: no assistants endpoints).
	AssistantVersion string
	// AzureModelMapperFunc maps a model name to an Azure deployment name.
	AzureModelMapperFunc func(model string) string
	// HTTPClient is read, never called (see HTTPDoer): an *http.Client's Timeout
	// bounds each call (retries included).
	HTTPClient HTTPDoer
	// EmptyMessagesLimit is accepted for go-openai compatibility and ignored: the
	// engine's SSE decoder handles comment and keep-alive lines itself.
	EmptyMessagesLimit uint

	// MaxRetries after the first attempt for connection errors, timeouts before a
	// response, 408/409/429/5xx (default 2 from DefaultConfig; 0 in a bare literal).
	MaxRetries int
	// InitialRetryDelay and MaxRetryDelay bound the exponential backoff (defaults 0.5 s and 8 s when zero).
	InitialRetryDelay time.Duration
	MaxRetryDelay     time.Duration
	// ConnectTimeout bounds each TCP/TLS connect (default 10 s when zero).
	ConnectTimeout time.Duration
	// Timeout is the idle timeout: the longest wait for the response to start and
	// for each next piece of the body (default 600 s when zero). A long stream that
	// keeps talking is not cut by it.
	Timeout time.Duration
	// KeepaliveTimeout bounds how long a stream may go on keep-alive comments alone,
	// with no event (default when zero: the longer of 10 min and Timeout).
	KeepaliveTimeout time.Duration
	// MaxBodyBytes is the largest non-streaming response body accepted, counted
	// after decompression (default 32 MiB when zero); a larger one fails with a
	// decode error naming max_body_bytes.
	MaxBodyBytes int
	// DefaultHeaders are sent with every request.
	DefaultHeaders map[string]string

	// TLSCACertFile is the path of a PEM file of extra CA certificates to trust
	// besides the built-in (Mozilla) roots: a company's or a self-hosted gateway's
	// private CA. (go-openai users set HTTPClient's Transport TLSClientConfig.RootCAs;
	// an x509.CertPool cannot be read back, so routerkit refuses it and asks for
	// the PEM here.) ROUTERKIT_CA_BUNDLE, a path in the
	// environment or .env, is read too. A file that cannot be read or holds no
	// certificate makes every call fail with InvalidField(err) == "tls_ca_cert".
	TLSCACertFile string
	// TLSCACertPEM holds extra CA certificates as PEM, trusted like TLSCACertFile.
	TLSCACertPEM []byte
	// AllowInsecureHTTP allows a plain http:// BaseURL to a host other than
	// loopback. Without it such a BaseURL makes every call fail with
	// InvalidField(err) == "base_url", as the key and prompts would cross the
	// network unencrypted; loopback (localhost, 127.0.0.0/8, ::1) is always allowed.
	AllowInsecureHTTP bool

	// OnReceipt (routerkit) is called with each call's route receipt when the call
	// ends: once, in the calling goroutine, when a plain call returns (answer or
	// error), and when a stream ends (io.EOF, an error) or is closed. A hook that
	// panics does not break the call (the panic is recovered and dropped).
	OnReceipt func(Receipt)
}

// DefaultConfig returns a configuration for authToken with go-openai's defaults
// and routerkit's retry policy.
func DefaultConfig(authToken string) ClientConfig {
	return ClientConfig{
		authToken:          authToken,
		BaseURL:            DefaultBaseURL,
		APIType:            APITypeOpenAI,
		AssistantVersion:   defaultAssistantVersion,
		HTTPClient:         &http.Client{},
		EmptyMessagesLimit: defaultEmptyMessagesLimit,
		MaxRetries:         2,
	}
}

// DefaultAzureConfig is go-openai's configuration for Azure OpenAI (APITypeAzure,
// api-version 2023-05-15, go-openai's model → deployment mapping). routerkit's
// engine sends the key as "Authorization: Bearer" to {BaseURL}/chat/completions,
// which is not the shape of Azure's deployment URLs (api-key header,
// /openai/deployments/{name}/…?api-version=…): a client made from it fails every
// call with an error saying so (InvalidField(err) == "api_type"). Azure's
// OpenAI-compatible v1 endpoint works with DefaultConfig instead.
func DefaultAzureConfig(apiKey, baseURL string) ClientConfig {
	return ClientConfig{
		authToken:            apiKey,
		BaseURL:              baseURL,
		APIType:              APITypeAzure,
		APIVersion:           defaultAzureAPIVersion,
		AzureModelMapperFunc: azureDeploymentName,
		HTTPClient:           &http.Client{},
		EmptyMessagesLimit:   defaultEmptyMessagesLimit,
		MaxRetries:           2,
	}
}

// azureDeploymentName is go-openai's default mapping: Azure deployment names
// cannot hold "." or ":", and only the 3.5 models drop the dot ("gpt-35-turbo").
func azureDeploymentName(model string) string {
	if strings.Contains(model, "3.5") {
		model = strings.ReplaceAll(model, ".", "")
	}
	return strings.ReplaceAll(model, ":", "")
}

// DefaultAnthropicConfig is go-openai's configuration for Anthropic's API
// (APITypeAnthropic; baseURL defaults to https://api.anthropic.com/v1). Its
// anthropic-version header and key header are not what the engine sends: a
// client made from it fails every call with an error saying so.
func DefaultAnthropicConfig(apiKey, baseURL string) ClientConfig {
	if baseURL == "" {
		baseURL = "https://api.anthropic.com/v1"
	}
	return ClientConfig{
		authToken:          apiKey,
		BaseURL:            baseURL,
		APIType:            APITypeAnthropic,
		APIVersion:         AnthropicAPIVersion,
		HTTPClient:         &http.Client{},
		EmptyMessagesLimit: defaultEmptyMessagesLimit,
		MaxRetries:         2,
	}
}

// GetAzureDeploymentByModel maps model to its Azure deployment name with
// AzureModelMapperFunc (model itself when there is none).
func (c ClientConfig) GetAzureDeploymentByModel(model string) string {
	if c.AzureModelMapperFunc != nil {
		return c.AzureModelMapperFunc(model)
	}
	return model
}

// maskKey shows the first min(8, n/2) characters of an n-character secret,
// then "…": never the whole key, whatever its length (the core's rule too).
func maskKey(key string) string {
	if key == "" {
		return `""`
	}
	r := []rune(key)
	return string(r[:min(8, len(r)/2)]) + "…"
}

// String shows the configuration with the key masked.
func (c ClientConfig) String() string {
	return fmt.Sprintf("ClientConfig{authToken: %s, BaseURL: %q, OrgID: %q, MaxRetries: %d, InitialRetryDelay: %s, MaxRetryDelay: %s, ConnectTimeout: %s, Timeout: %s, HTTPClientTimeout: %s}",
		maskKey(c.authToken), c.BaseURL, c.OrgID, c.MaxRetries, c.InitialRetryDelay, c.MaxRetryDelay, c.ConnectTimeout, c.Timeout, httpTimeout(c.HTTPClient))
}

// GoString is %#v: the same masked view.
func (c ClientConfig) GoString() string { return "openai." + c.String() }

// Format makes every verb (%v, %+v, %#v, %s, %q) print the masked view.
func (c ClientConfig) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, c.GoString())
		return
	}
	fmt.Fprint(f, c.String())
}

func httpTimeout(d HTTPDoer) time.Duration {
	if hc, ok := d.(*http.Client); ok && hc != nil {
		return hc.Timeout
	}
	return 0
}
