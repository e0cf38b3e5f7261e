package openai

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
)

// checkHTTPClient refuses an HTTPClient whose settings the engine cannot apply,
// so that none is silently ignored: the engine makes the requests itself and
// never calls the HTTPDoer. What it can take is accepted: an *http.Client's
// Timeout (the per-call deadline), a Transport field left as Go's zero value or
// as http.DefaultTransport has it (a Clone() of it included), a Proxy func that
// picks the proxy the environment names (the engine reads HTTPS_PROXY /
// HTTP_PROXY / ALL_PROXY / NO_PROXY itself), and TLSClientConfig.ServerName
// equal to BaseURL's host. The error names the field and what to use instead.
func checkHTTPClient(c ClientConfig) error {
	if c.HTTPClient == nil {
		return nil
	}
	hc, ok := c.HTTPClient.(*http.Client)
	if !ok {
		return httpClientError("HTTPClient is a %T: routerkit's engine makes the HTTP requests itself and would never call it; "+
			"set headers with ClientConfig.DefaultHeaders, retries with MaxRetries, timeouts with HTTPClient.Timeout / Timeout / ConnectTimeout", c.HTTPClient)
	}
	if hc == nil {
		return nil
	}
	if hc.Jar != nil {
		return httpClientError("HTTPClient.Jar is not supported: the engine keeps no cookies; send a Cookie header with ClientConfig.DefaultHeaders")
	}
	if hc.CheckRedirect != nil {
		return httpClientError("HTTPClient.CheckRedirect is not supported: the engine makes the requests itself; leave it nil")
	}
	switch t := hc.Transport.(type) {
	case nil:
		return nil
	case *http.Transport:
		if t == nil {
			return nil
		}
		return checkTransport(t, c.BaseURL)
	default:
		return httpClientError("HTTPClient.Transport is a %T: routerkit's engine makes the HTTP requests itself and would never call a RoundTripper; "+
			"set extra headers (HTTP-Referer, X-Title…) with ClientConfig.DefaultHeaders, a proxy with HTTPS_PROXY in the environment, "+
			"extra CA certificates with TLSCACertPEM / TLSCACertFile, or use a *http.Transport with those settings only", hc.Transport)
	}
}

func httpClientError(format string, args ...any) error {
	return &invalidRequestError{field: "http_client", msg: "invalid `http_client`: " + fmt.Sprintf(format, args...)}
}

// transportAdvice says what to use instead of a Transport field the engine cannot apply.
var transportAdvice = map[string]string{
	"DialContext":            "the engine dials itself; bound the connect with ClientConfig.ConnectTimeout",
	"Dial":                   "the engine dials itself; bound the connect with ClientConfig.ConnectTimeout",
	"DialTLSContext":         "the engine does TLS itself; add CA certificates with ClientConfig.TLSCACertPEM",
	"DialTLS":                "the engine does TLS itself; add CA certificates with ClientConfig.TLSCACertPEM",
	"TLSHandshakeTimeout":    "use ClientConfig.ConnectTimeout, which bounds TCP and TLS set-up together",
	"ResponseHeaderTimeout":  "use ClientConfig.Timeout, the idle timeout that bounds the wait for the response to start",
	"OnProxyConnectResponse": "the engine connects through the proxy itself",
	"ProxyConnectHeader":     "put the credentials in the proxy URL (HTTPS_PROXY=http://user:pass@host:port)",
	"GetProxyConnectHeader":  "put the credentials in the proxy URL (HTTPS_PROXY=http://user:pass@host:port)",
}

func checkTransport(t *http.Transport, baseURL string) error {
	def, _ := http.DefaultTransport.(*http.Transport)
	tv := reflect.ValueOf(t).Elem()
	var dv reflect.Value
	if def != nil {
		dv = reflect.ValueOf(def).Elem()
	}
	for i := 0; i < tv.NumField(); i++ {
		f := tv.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		switch f.Name {
		case "Proxy":
			if err := checkProxy(t.Proxy, baseURL); err != nil {
				return err
			}
			continue
		case "TLSClientConfig":
			if err := checkTLSConfig(t.TLSClientConfig, baseURL); err != nil {
				return err
			}
			continue
		}
		v := tv.Field(i)
		if v.IsZero() || (dv.IsValid() && sameValue(v, dv.Field(i))) {
			continue
		}
		advice, ok := transportAdvice[f.Name]
		if !ok {
			advice = "the engine keeps its own connection pool and protocol settings; leave it unset"
		}
		return httpClientError("HTTPClient.Transport.%s is not supported: %s", f.Name, advice)
	}
	return nil
}

// sameValue compares a Transport field with http.DefaultTransport's: funcs by
// their code (a Clone copies DefaultTransport's dialer closure), the rest deeply.
func sameValue(a, b reflect.Value) bool {
	if a.Kind() == reflect.Func {
		return !b.IsNil() && a.Pointer() == b.Pointer()
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}

// checkProxy accepts a Proxy func that picks, for a request to baseURL, the
// proxy http.ProxyFromEnvironment picks (none included): the engine reads the
// same variables. A Proxy that picks another cannot be handed to the engine;
// nor can a nil Proxy (no proxy) while the environment names one for BaseURL.
func checkProxy(proxy func(*http.Request) (*url.URL, error), baseURL string) error {
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" {
		return nil // the engine reports the BaseURL itself
	}
	req := &http.Request{Method: http.MethodPost, URL: u, Header: http.Header{}, Host: u.Host}
	want, _ := envProxy(req)
	var got *url.URL
	var gotErr error
	if proxy != nil {
		// A nil Proxy means no proxy in net/http: refused below when the environment names one.
		got, gotErr = proxy(req)
	}
	if gotErr == nil && sameURL(got, want) {
		return nil
	}
	picked := "an error"
	if gotErr == nil {
		picked = "no proxy"
		if got != nil {
			picked = got.Redacted()
		}
	}
	return httpClientError("HTTPClient.Transport.Proxy picks %s for %s, which the engine cannot be given: it takes its proxy from "+
		"HTTPS_PROXY / HTTP_PROXY / ALL_PROXY / NO_PROXY in the environment; set those (e.g. HTTPS_PROXY=http://proxy:3128) and leave Proxy nil or http.ProxyFromEnvironment", picked, u.Redacted())
}

// envProxy is the proxy the environment names for a request (a variable so
// that a test can name one: net/http reads the environment once per process).
var envProxy = http.ProxyFromEnvironment

func sameURL(a, b *url.URL) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.String() == b.String()
}

// checkTLSConfig accepts ServerName equal to BaseURL's host (what the engine
// sends as SNI and verifies) and MinVersion up to TLS 1.2 (the engine offers
// 1.2 and 1.3); every other field set is refused.
func checkTLSConfig(c *tls.Config, baseURL string) error {
	if c == nil {
		return nil
	}
	if c.RootCAs != nil {
		return httpClientError("HTTPClient.Transport.TLSClientConfig.RootCAs is not supported: an x509.CertPool cannot be read back; " +
			"put the same certificates' PEM in ClientConfig.TLSCACertPEM (or a PEM file's path in TLSCACertFile), which the engine trusts besides its built-in roots")
	}
	if c.InsecureSkipVerify {
		return httpClientError("HTTPClient.Transport.TLSClientConfig.InsecureSkipVerify is not supported: the engine always verifies certificates; " +
			"trust a private CA with ClientConfig.TLSCACertPEM")
	}
	if c.ServerName != "" {
		u, err := url.Parse(baseURL)
		if err != nil || u.Hostname() != c.ServerName {
			return httpClientError("HTTPClient.Transport.TLSClientConfig.ServerName %q is not supported: the engine verifies the certificate for BaseURL's host; "+
				"make BaseURL name that host", c.ServerName)
		}
	}
	if c.MinVersion > tls.VersionTLS12 {
		return httpClientError("HTTPClient.Transport.TLSClientConfig.MinVersion above TLS 1.2 is not supported: the engine offers TLS 1.2 and 1.3; leave it unset")
	}
	cv := reflect.ValueOf(c).Elem()
	for i := 0; i < cv.NumField(); i++ {
		f := cv.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		switch f.Name {
		case "RootCAs", "InsecureSkipVerify", "ServerName", "MinVersion":
			continue
		case "NextProtos":
			// net/http fills in h2 and http/1.1 on a Transport's first use; the engine offers those itself.
			if !slices.ContainsFunc(c.NextProtos, func(p string) bool { return p != "h2" && p != "http/1.1" }) {
				continue
			}
		}
		if !cv.Field(i).IsZero() {
			return httpClientError("HTTPClient.Transport.TLSClientConfig.%s is not supported: the engine does TLS itself (TLS 1.2/1.3, "+
				"built-in roots plus ClientConfig.TLSCACertPEM / TLSCACertFile); leave it unset", f.Name)
		}
	}
	return nil
}
