package routerkit

import (
	"fmt"
	"net/http"
	"time"
)

// DefaultBaseURL is the gateway used when ClientConfig.BaseURL is left as DefaultConfig sets it.
const DefaultBaseURL = "https://api.therouter.ai/v1"

// HTTPDoer is go-openai's HTTPClient type. routerkit's engine does the HTTP
// itself; an *http.Client assigned to ClientConfig.HTTPClient is read for its
// Timeout (a bound on each whole call, retries included). Other doers are accepted
// and ignored.
type HTTPDoer interface {
	Do(req *http.Request) (*http.Response, error)
}

// ClientConfig is go-openai's configuration, plus routerkit's retry and timeout settings.
//
// The API key is unexported and never printed whole: fmt's %v, %+v, %#v and %s
// show at most its first 8 characters.
type ClientConfig struct {
	authToken string

	// BaseURL of the gateway, e.g. "https://openrouter.ai/api/v1" (a trailing slash is fine).
	// Empty: THEROUTER_BASE_URL / OPENAI_BASE_URL from the environment or .env, else DefaultBaseURL.
	BaseURL string
	// OrgID is sent as the OpenAI-Organization header when set.
	OrgID string
	// HTTPClient: an *http.Client's Timeout bounds each call (retries included).
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
	// private CA. (go-openai users set HTTPClient's Transport TLSClientConfig.RootCAs
	// instead; routerkit does not read that.) ROUTERKIT_CA_BUNDLE, a path in the
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
}

// DefaultConfig returns a configuration for authToken with go-openai's defaults
// and routerkit's retry policy.
func DefaultConfig(authToken string) ClientConfig {
	return ClientConfig{
		authToken:          authToken,
		BaseURL:            DefaultBaseURL,
		HTTPClient:         &http.Client{},
		EmptyMessagesLimit: 300,
		MaxRetries:         2,
	}
}

// maskKey shows at most the first 8 characters of a secret.
func maskKey(key string) string {
	if key == "" {
		return `""`
	}
	r := []rune(key)
	if len(r) > 8 {
		r = r[:8]
	}
	return string(r) + "…"
}

// String shows the configuration with the key masked.
func (c ClientConfig) String() string {
	return fmt.Sprintf("ClientConfig{authToken: %s, BaseURL: %q, OrgID: %q, MaxRetries: %d, InitialRetryDelay: %s, MaxRetryDelay: %s, ConnectTimeout: %s, Timeout: %s, HTTPClientTimeout: %s}",
		maskKey(c.authToken), c.BaseURL, c.OrgID, c.MaxRetries, c.InitialRetryDelay, c.MaxRetryDelay, c.ConnectTimeout, c.Timeout, httpTimeout(c.HTTPClient))
}

// GoString is %#v: the same masked view.
func (c ClientConfig) GoString() string { return "routerkit." + c.String() }

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
