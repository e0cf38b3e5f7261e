package openai

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tlsMock starts the mock gateway with --tls (a throw-away test CA written to a
// file) and extra arguments; it returns the https://127.0.0.1:PORT URL and the CA path.
func tlsMock(t *testing.T, extra ...string) (string, string) {
	t.Helper()
	ca := filepath.Join(t.TempDir(), "mock-ca.pem")
	url, stop, err := startMock(append([]string{"--tls", "--tls-ca-out", ca}, extra...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	if !strings.HasPrefix(url, "https://127.0.0.1:") {
		t.Fatalf("first line %q", url)
	}
	return url, ca
}

func tlsConfig(baseURL string) ClientConfig {
	cfg := DefaultConfig(testKey)
	cfg.BaseURL = baseURL
	cfg.MaxRetries = 0
	return cfg
}

var tlsRequest = ChatCompletionRequest{
	Model:    "openai/gpt-4.1",
	Messages: []ChatCompletionMessage{{Role: ChatMessageRoleUser, Content: "over tls"}},
}

const tlsExpected = "Hello from routerkit-mock! You said: over tls"

func chatAndStream(t *testing.T, cfg ClientConfig) {
	t.Helper()
	c := NewClientWithConfig(cfg)
	defer c.Close()
	ctx := context.Background()
	resp, err := c.CreateChatCompletion(ctx, tlsRequest)
	if err != nil {
		t.Fatalf("chat over TLS: %v", err)
	}
	if got := resp.Choices[0].Message.Content; got != tlsExpected {
		t.Fatalf("content %q", got)
	}
	stream, err := c.CreateChatCompletionStream(ctx, tlsRequest)
	if err != nil {
		t.Fatalf("stream over TLS: %v", err)
	}
	defer stream.Close()
	var text strings.Builder
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("stream chunk: %v", err)
		}
		if len(chunk.Choices) > 0 {
			text.WriteString(chunk.Choices[0].Delta.Content)
		}
	}
	if text.String() != tlsExpected {
		t.Fatalf("stream text %q", text.String())
	}
}

func TestTLSCACertFileAndPEMTrustTheMockCA(t *testing.T) {
	url, ca := tlsMock(t)
	port := url[strings.LastIndex(url, ":")+1:]
	cfg := tlsConfig(url + "/v1")
	cfg.TLSCACertFile = ca
	chatAndStream(t, cfg)
	// The certificate is for localhost too.
	cfg = tlsConfig("https://localhost:" + port + "/v1")
	cfg.TLSCACertFile = ca
	chatAndStream(t, cfg)
	pem, err := os.ReadFile(ca)
	if err != nil {
		t.Fatal(err)
	}
	cfg = tlsConfig(url + "/v1")
	cfg.TLSCACertPEM = pem
	chatAndStream(t, cfg)
}

// certificateRefused makes a chat and a stream call on c and checks both with certificateError.
func certificateRefused(t *testing.T, c *Client, why string) {
	t.Helper()
	_, err := c.CreateChatCompletion(context.Background(), tlsRequest)
	certificateError(t, err, why)
	_, err = c.CreateChatCompletionStream(context.Background(), tlsRequest)
	certificateError(t, err, why)
}

// certificateError checks a refused certificate: a *RequestError of kind
// "connection" whose message says it is a certificate problem.
func certificateError(t *testing.T, err error, why string) {
	t.Helper()
	var reqErr *RequestError
	if !errors.As(err, &reqErr) || ErrorKind(err) != "connection" {
		t.Fatalf("want a connection *RequestError, got %T %v", err, err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "TLS certificate verification failed") || !strings.Contains(msg, why) {
		t.Fatalf("message %q does not say %q", msg, why)
	}
	if strings.Contains(msg, testKey) {
		t.Fatal("key in the message")
	}
}

func TestTLSUnknownCAIsRefused(t *testing.T) {
	url, _ := tlsMock(t)
	c := NewClientWithConfig(tlsConfig(url + "/v1"))
	defer c.Close()
	certificateRefused(t, c, "not trusted")
}

func TestTLSCertificateForAnotherNameIsRefused(t *testing.T) {
	url, ca := tlsMock(t, "--tls-name", "gateway.test")
	cfg := tlsConfig(url + "/v1")
	cfg.TLSCACertFile = ca
	c := NewClientWithConfig(cfg)
	defer c.Close()
	certificateRefused(t, c, "not issued for this host name")
}

func TestPlainHTTPToANonLoopbackHostNeedsAllowInsecureHTTP(t *testing.T) {
	for _, base := range []string{"http://example.invalid/v1", "http://192.0.2.10:8080/v1"} {
		c := NewClientWithConfig(tlsConfig(base))
		_, err := c.CreateChatCompletion(context.Background(), tlsRequest)
		c.Close()
		if ErrorKind(err) != "invalid_request" || InvalidField(err) != "base_url" || !strings.Contains(err.Error(), "allow_insecure_http") {
			t.Fatalf("%s: want an invalid_request error naming base_url, got %v (field %q)", base, err, InvalidField(err))
		}
		cfg := tlsConfig(base)
		cfg.AllowInsecureHTTP = true
		c = NewClientWithConfig(cfg)
		if c.initErr != nil {
			t.Fatalf("%s with AllowInsecureHTTP: %v", base, c.initErr)
		}
		c.Close()
	}
	c := NewClientWithConfig(tlsConfig("http://localhost:9/v1"))
	defer c.Close()
	if c.initErr != nil {
		t.Fatalf("loopback refused: %v", c.initErr)
	}
}

func TestBadTLSCACertNamesTheField(t *testing.T) {
	cfg := tlsConfig("https://x.test/v1")
	cfg.TLSCACertFile = filepath.Join(t.TempDir(), "missing.pem")
	c := NewClientWithConfig(cfg)
	defer c.Close()
	if _, err := c.CreateChatCompletion(context.Background(), tlsRequest); InvalidField(err) != "tls_ca_cert" {
		t.Fatalf("want field tls_ca_cert, got %v", err)
	}
	cfg = tlsConfig("https://x.test/v1")
	cfg.TLSCACertPEM = []byte("not a certificate")
	c2 := NewClientWithConfig(cfg)
	defer c2.Close()
	if _, err := c2.CreateChatCompletion(context.Background(), tlsRequest); InvalidField(err) != "tls_ca_cert" {
		t.Fatalf("want field tls_ca_cert, got %v", err)
	}
}
