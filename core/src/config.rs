//! Client configuration: key, base URL, timeouts, retries, headers, and the
//! environment / `.env` fallbacks.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::error::Error;
use crate::retry::RetryPolicy;

/// The default gateway.
pub const DEFAULT_BASE_URL: &str = "https://api.therouter.ai/v1";
/// Connect timeout, the seed guide's recommendation.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The peers' default for `timeout`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);
pub use crate::retry::DEFAULT_MAX_RETRIES;
pub use crate::secret::{mask, ApiKey};
/// Upper bound on `max_retries`: a typo such as 1000 should fail loudly, not hammer a gateway.
pub const MAX_RETRIES_LIMIT: u32 = 100;

/// The environment variable naming a PEM file of extra CA certificates to trust
/// (read by [`ClientBuilder::from_env`], in addition to the built-in roots).
pub const CA_BUNDLE_ENV: &str = "ROUTERKIT_CA_BUNDLE";

/// A CA certificate (DER) trusted in addition to the built-in roots.
#[derive(Clone, PartialEq, Eq)]
pub struct CaCertificate(Vec<u8>);

impl CaCertificate {
    /// The certificate, DER-encoded.
    pub fn der(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for CaCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CaCertificate({} bytes)", self.0.len())
    }
}

/// Where an extra CA certificate comes from, until `build_config` reads it.
#[derive(Clone, Debug)]
enum CaSource {
    Pem(Vec<u8>),
    File(PathBuf),
}

/// Everything a [`Client`](crate::Client) is built from. Construct it with [`ClientBuilder`].
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// The key sent as `Authorization: Bearer …`.
    pub api_key: ApiKey,
    /// Base URL, without a trailing slash (`https://openrouter.ai/api/v1`).
    pub base_url: String,
    /// Longest wait for a TCP/TLS connection.
    pub connect_timeout: Duration,
    /// Longest wait for the response to start and for each next piece of the body.
    pub timeout: Duration,
    /// Bound on a whole call, retries included ([`DEFAULT_DEADLINE`](crate::limits::DEFAULT_DEADLINE)
    /// unless set).
    pub deadline: Option<Duration>,
    /// Longest a stream may go on keep-alive comments alone, with no event; `None`: the longer
    /// of [`DEFAULT_KEEPALIVE_TIMEOUT`](crate::limits::DEFAULT_KEEPALIVE_TIMEOUT) and the call's `timeout`.
    pub keepalive_timeout: Option<Duration>,
    /// Largest non-streaming response body accepted, after decompression.
    pub max_body_bytes: usize,
    /// Retries after the first attempt, and backoff.
    pub retry: RetryPolicy,
    /// Headers sent with every request.
    pub default_headers: Vec<(String, String)>,
    /// Largest SSE event accepted from a stream.
    pub max_event_bytes: usize,
    /// Ask for usage on streams unless the request says otherwise.
    pub include_usage_by_default: bool,
    /// CA certificates trusted in addition to the built-in roots (Mozilla's, from
    /// webpki-roots), e.g. a company's or a self-hosted gateway's private CA.
    pub extra_root_certificates: Vec<CaCertificate>,
    /// Whether a plain `http://` base URL to a host other than loopback was allowed.
    pub allow_insecure_http: bool,
    /// Called with each call's route receipt when the call ends ([`ClientBuilder::on_receipt`]).
    pub on_receipt: Option<crate::receipt::ReceiptHook>,
}

/// Per-call overrides; `None` keeps the client's value.
#[derive(Clone, Debug, Default)]
pub struct RequestOptions {
    /// Overrides [`ClientConfig::timeout`].
    pub timeout: Option<Duration>,
    /// Overrides [`ClientConfig::deadline`].
    pub deadline: Option<Duration>,
    /// Overrides [`ClientConfig::keepalive_timeout`].
    pub keepalive_timeout: Option<Duration>,
    /// Overrides the retry count.
    pub max_retries: Option<u32>,
    /// Added to (and replacing) the default headers; an empty value removes a default header.
    pub headers: Vec<(String, String)>,
    /// Query parameters appended to the URL.
    pub query: Vec<(String, String)>,
    /// Fields merged into the JSON body last (openai-python's `extra_body`).
    pub extra_body: Option<serde_json::Map<String, serde_json::Value>>,
    /// Cancels the call (and a stream it returns) when triggered, from any thread.
    pub cancel: Option<CancellationToken>,
}

impl RequestOptions {
    pub(crate) fn validate(&self) -> Result<(), Error> {
        if let Some(n) = self.max_retries {
            check_retries(n)?;
        }
        // As at construction: a zero wait would fail every call without sending it.
        if self.timeout.is_some_and(|d| d.is_zero()) {
            return Err(Error::invalid("timeout", "must be positive"));
        }
        if self.deadline.is_some_and(|d| d.is_zero()) {
            return Err(Error::invalid("deadline", "must be positive"));
        }
        if self.keepalive_timeout.is_some_and(|d| d.is_zero()) {
            return Err(Error::invalid("keepalive_timeout", "must be positive"));
        }
        for (name, value) in &self.headers {
            check_header(name, value)?;
        }
        Ok(())
    }
}

/// Builds a [`Client`](crate::Client); every setting has the peers' default.
#[derive(Clone, Debug, Default)]
pub struct ClientBuilder {
    api_key: Option<String>,
    base_url: Option<String>,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    deadline: Option<Duration>,
    keepalive_timeout: Option<Duration>,
    max_body_bytes: Option<usize>,
    max_retries: Option<u32>,
    initial_backoff: Option<Duration>,
    max_backoff: Option<Duration>,
    default_headers: Vec<(String, String)>,
    max_event_bytes: Option<usize>,
    include_usage_by_default: Option<bool>,
    ca_sources: Vec<CaSource>,
    allow_insecure_http: bool,
    env_fallback: bool,
    on_receipt: Option<crate::receipt::ReceiptHook>,
}

impl ClientBuilder {
    /// An empty builder: the key must be given, or [`from_env`](Self::from_env) used.
    pub fn new() -> Self {
        Self::default()
    }
    /// Take what is not set explicitly from `THEROUTER_API_KEY` / `THEROUTER_BASE_URL`,
    /// then `OPENAI_API_KEY` / `OPENAI_BASE_URL`, then a `.env` file in the working directory.
    /// `ROUTERKIT_CA_BUNDLE` ([`CA_BUNDLE_ENV`]), when set there, names a PEM file of extra CA
    /// certificates trusted besides the built-in roots and any given explicitly (to trust the
    /// operating system's store too: `ROUTERKIT_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt`).
    pub fn from_env(mut self) -> Self {
        self.env_fallback = true;
        self
    }
    /// The API key.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }
    /// The base URL (`https://openrouter.ai/api/v1`); a trailing slash is fine.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }
    /// Connect timeout (default 10 s).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = Some(d);
        self
    }
    /// Wait for the response to start and for each next piece of the body (default 600 s).
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = Some(d);
        self
    }
    /// Bound on a whole call, retries included (default 60 min,
    /// [`DEFAULT_DEADLINE`](crate::limits::DEFAULT_DEADLINE)).
    pub fn deadline(mut self, d: Duration) -> Self {
        self.deadline = Some(d);
        self
    }
    /// Longest a stream may go on keep-alive comments alone, with no event (default: 10 min
    /// or the call's `timeout`, whichever is longer).
    pub fn keepalive_timeout(mut self, d: Duration) -> Self {
        self.keepalive_timeout = Some(d);
        self
    }
    /// Largest non-streaming response body accepted, after decompression (default 32 MiB,
    /// [`DEFAULT_MAX_BODY_BYTES`](crate::limits::DEFAULT_MAX_BODY_BYTES)).
    pub fn max_body_bytes(mut self, n: usize) -> Self {
        self.max_body_bytes = Some(n);
        self
    }
    /// Retries after the first attempt (default 2).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = Some(n);
        self
    }
    /// Backoff range: first delay and cap (default 0.5 s and 8 s); both given, as
    /// [`initial_backoff`](Self::initial_backoff) and [`max_backoff`](Self::max_backoff). Tests make it small.
    pub fn backoff(self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff(initial).max_backoff(max)
    }
    /// The first retry delay, doubled per retry (default 0.5 s); the bindings' `initial_retry_delay`.
    /// See [`max_backoff`](Self::max_backoff) for how the two bounds combine.
    pub fn initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = Some(d);
        self
    }
    /// The cap on a retry delay (default 8 s); the bindings' `max_retry_delay`.
    ///
    /// The two bounds are independent, and one rule combines them, in every language:
    /// a bound that is not given follows the one that is (only an initial delay above the
    /// default cap raises the cap to it; only a cap below the default initial delay lowers
    /// the initial delay to it), and giving both with the cap below the initial delay is an
    /// error naming `max_retry_delay`.
    pub fn max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = Some(d);
        self
    }
    /// Adds a header sent with every request.
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.default_headers.push((name.into(), value.into()));
        self
    }
    /// Largest SSE event accepted (default 16 MiB).
    pub fn max_event_bytes(mut self, n: usize) -> Self {
        self.max_event_bytes = Some(n);
        self
    }
    /// Whether streams ask for usage when the request does not say (default true).
    pub fn include_usage_by_default(mut self, yes: bool) -> Self {
        self.include_usage_by_default = Some(yes);
        self
    }

    /// Trusts the CA certificate(s) in this PEM text (one or several
    /// `-----BEGIN CERTIFICATE-----` blocks) in addition to the built-in roots.
    /// Checked by `build_config`: no certificate in it is an error naming `tls_ca_cert`.
    pub fn add_root_certificate_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.ca_sources.push(CaSource::Pem(pem.as_ref().to_vec()));
        self
    }
    /// Trusts the CA certificate(s) in this PEM file, read by `build_config`.
    pub fn add_root_certificate_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_sources.push(CaSource::File(path.into()));
        self
    }
    /// The bindings' `tls_ca_cert` option: PEM text when it contains
    /// `-----BEGIN`, else the path of a PEM file.
    pub fn tls_ca_cert(self, path_or_pem: &str) -> Self {
        if path_or_pem.contains("-----BEGIN") {
            self.add_root_certificate_pem(path_or_pem)
        } else {
            self.add_root_certificate_file(path_or_pem)
        }
    }
    /// Allows a plain `http://` base URL to a host other than loopback (default false:
    /// such a base URL is refused, since the key and prompts would cross the network
    /// unencrypted). Loopback (`localhost`, 127.0.0.0/8, `::1`) is always allowed.
    pub fn allow_insecure_http(mut self, yes: bool) -> Self {
        self.allow_insecure_http = yes;
        self
    }

    /// Calls `hook` with the route receipt of each call when it ends: once per call, on a
    /// response, an error, a stream's end, its failure, its cancel or its drop before the end.
    /// A hook that panics does not break the call (the panic is caught and dropped); a slow one
    /// delays the call it reports on, so hand heavy work to another thread.
    pub fn on_receipt(mut self, hook: impl Fn(&crate::receipt::Receipt) + Send + Sync + 'static) -> Self {
        self.on_receipt = Some(crate::receipt::ReceiptHook(std::sync::Arc::new(hook)));
        self
    }

    /// Validates and resolves the configuration.
    pub fn build_config(self) -> Result<ClientConfig, Error> {
        let env = self.env_fallback.then(EnvSource::load);
        let from_env = |names: &[&str]| env.as_ref().and_then(|e| e.get(names));
        let api_key = self
            .api_key
            .or_else(|| from_env(&["THEROUTER_API_KEY", "OPENAI_API_KEY"]))
            .ok_or_else(|| {
                Error::invalid(
                    "api_key",
                    "missing: pass it, or set THEROUTER_API_KEY (or OPENAI_API_KEY) in the environment or .env",
                )
            })?;
        if api_key.trim().is_empty() {
            return Err(Error::invalid("api_key", "is empty"));
        }
        if api_key.contains(['\r', '\n']) {
            return Err(Error::invalid("api_key", "contains a line break"));
        }
        let base_url = self
            .base_url
            .or_else(|| from_env(&["THEROUTER_BASE_URL", "OPENAI_BASE_URL"]))
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
        let base_url = normalize_base_url(&base_url)?;
        check_transport_security(&base_url, self.allow_insecure_http)?;
        let mut ca_sources = self.ca_sources;
        if let Some(path) = from_env(&[CA_BUNDLE_ENV]) {
            ca_sources.push(CaSource::File(path.into()));
        }
        let extra_root_certificates = load_ca_certificates(&ca_sources)?;
        let max_retries = self.max_retries.unwrap_or(DEFAULT_MAX_RETRIES);
        check_retries(max_retries)?;
        for (name, value) in &self.default_headers {
            check_header(name, value)?;
        }
        let (initial_backoff, max_backoff) = resolve_backoff(self.initial_backoff, self.max_backoff)?;
        let retry = RetryPolicy {
            max_retries,
            initial_backoff,
            max_backoff,
        };
        let timeout = self.timeout.unwrap_or(DEFAULT_TIMEOUT);
        let connect_timeout = self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT);
        if timeout.is_zero() {
            return Err(Error::invalid("timeout", "must be positive"));
        }
        if connect_timeout.is_zero() {
            return Err(Error::invalid("connect_timeout", "must be positive"));
        }
        if self.deadline.is_some_and(|d| d.is_zero()) {
            return Err(Error::invalid("deadline", "must be positive"));
        }
        if self.keepalive_timeout.is_some_and(|d| d.is_zero()) {
            return Err(Error::invalid("keepalive_timeout", "must be positive"));
        }
        if self.max_body_bytes == Some(0) {
            return Err(Error::invalid("max_body_bytes", "must be positive"));
        }
        Ok(ClientConfig {
            api_key: ApiKey::new(api_key),
            base_url,
            connect_timeout,
            timeout,
            deadline: Some(self.deadline.unwrap_or(crate::limits::DEFAULT_DEADLINE)),
            keepalive_timeout: self.keepalive_timeout,
            max_body_bytes: self.max_body_bytes.unwrap_or(crate::limits::DEFAULT_MAX_BODY_BYTES),
            retry,
            default_headers: self.default_headers,
            max_event_bytes: self
                .max_event_bytes
                .unwrap_or(crate::sse::SseDecoder::DEFAULT_MAX_EVENT_BYTES),
            include_usage_by_default: self.include_usage_by_default.unwrap_or(true),
            extra_root_certificates,
            allow_insecure_http: self.allow_insecure_http,
            on_receipt: self.on_receipt,
        })
    }
}

/// The backoff rule of [`ClientBuilder::max_backoff`]: an unset bound follows the set one;
/// both set with the cap below the initial delay is an error naming the cap's option.
fn resolve_backoff(initial: Option<Duration>, max: Option<Duration>) -> Result<(Duration, Duration), Error> {
    let d = RetryPolicy::default();
    match (initial, max) {
        (None, None) => Ok((d.initial_backoff, d.max_backoff)),
        (Some(i), None) => Ok((i, d.max_backoff.max(i))),
        (None, Some(m)) => Ok((d.initial_backoff.min(m), m)),
        (Some(i), Some(m)) if m < i => Err(Error::invalid(
            "max_retry_delay",
            format!(
                "{} ms is below initial_retry_delay ({} ms): the cap on a retry delay cannot be below the first delay",
                m.as_secs_f64() * 1000.0,
                i.as_secs_f64() * 1000.0
            ),
        )),
        (Some(i), Some(m)) => Ok((i, m)),
    }
}

fn check_retries(n: u32) -> Result<(), Error> {
    if n > MAX_RETRIES_LIMIT {
        return Err(Error::invalid(
            "max_retries",
            format!("{n} is above the limit of {MAX_RETRIES_LIMIT}"),
        ));
    }
    Ok(())
}

/// Rejects header names and values that would let a caller smuggle a header or break the request.
pub(crate) fn check_header(name: &str, value: &str) -> Result<(), Error> {
    let name_ok = !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':');
    if !name_ok {
        return Err(Error::invalid(
            "headers",
            format!("{name:?} is not a valid header name"),
        ));
    }
    if value.contains(['\r', '\n', '\0']) {
        return Err(Error::invalid(
            "headers",
            format!("the value of {name:?} contains CR, LF or NUL"),
        ));
    }
    Ok(())
}

/// Parses and normalises a base URL: scheme http(s), host present, no trailing slash.
pub(crate) fn normalize_base_url(raw: &str) -> Result<String, Error> {
    let trimmed = raw.trim();
    let parsed =
        url::Url::parse(trimmed).map_err(|e| Error::invalid("base_url", format!("{trimmed:?} does not parse: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::invalid("base_url", format!("{trimmed:?} is not http(s)")));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid("base_url", format!("{trimmed:?} has no host")));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Error::invalid(
            "base_url",
            format!("{trimmed:?} must not carry a query or fragment"),
        ));
    }
    Ok(trimmed.trim_end_matches('/').to_owned())
}

/// Refuses a plain `http://` base URL to a host other than loopback unless allowed.
pub(crate) fn check_transport_security(base_url: &str, allow_insecure_http: bool) -> Result<(), Error> {
    let parsed = url::Url::parse(base_url)
        .map_err(|e| Error::invalid("base_url", format!("{base_url:?} does not parse: {e}")))?;
    if parsed.scheme() != "http" || allow_insecure_http {
        return Ok(());
    }
    let host = parsed.host_str().unwrap_or("");
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    let loopback = host.eq_ignore_ascii_case("localhost")
        || match host.parse::<std::net::IpAddr>() {
            Ok(std::net::IpAddr::V4(ip)) => ip.is_loopback(),
            Ok(std::net::IpAddr::V6(ip)) => ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
            Err(_) => false,
        };
    if loopback {
        return Ok(());
    }
    Err(Error::invalid(
        "base_url",
        format!(
            "{base_url:?} is plain http to a host that is not loopback: the API key and the prompts would cross the \
             network unencrypted. Use https, or opt in with allow_insecure_http"
        ),
    ))
}

/// Reads and parses the extra CA certificates; errors name `tls_ca_cert`.
fn load_ca_certificates(sources: &[CaSource]) -> Result<Vec<CaCertificate>, Error> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::CertificateDer;
    let mut out = Vec::new();
    for source in sources {
        let (pem, origin) = match source {
            CaSource::Pem(pem) => (pem.clone(), "the PEM text".to_owned()),
            CaSource::File(path) => match std::fs::read(path) {
                Ok(bytes) => (bytes, format!("{}", path.display())),
                Err(e) => {
                    return Err(Error::invalid(
                        "tls_ca_cert",
                        format!("cannot read the CA certificate file {}: {e}", path.display()),
                    ))
                }
            },
        };
        let before = out.len();
        for cert in CertificateDer::pem_slice_iter(&pem) {
            match cert {
                Ok(cert) => out.push(CaCertificate(cert.as_ref().to_vec())),
                Err(e) => return Err(Error::invalid("tls_ca_cert", format!("{origin} is not valid PEM: {e}"))),
            }
        }
        if out.len() == before {
            return Err(Error::invalid(
                "tls_ca_cert",
                format!("{origin} holds no certificate (expected PEM: -----BEGIN CERTIFICATE----- ...)"),
            ));
        }
    }
    Ok(out)
}

/// Whether a transport failure's text says the server's certificate was refused,
/// and if so a message that says so plainly (rustls only says "invalid peer certificate").
pub(crate) fn describe_certificate_failure(detail: &str) -> Option<String> {
    let lower = detail.to_ascii_lowercase();
    if !(lower.contains("invalid peer certificate")
        || lower.contains("certificate verify failed")
        || lower.contains("unknownissuer"))
    {
        return None;
    }
    let why = if lower.contains("not valid for name") || lower.contains("notvalidforname") {
        "the certificate is not issued for this host name"
    } else if lower.contains("unknownissuer") || lower.contains("unknown issuer") {
        "it is signed by a certificate authority that is not trusted (trust a private CA with the tls_ca_cert option or ROUTERKIT_CA_BUNDLE)"
    } else if lower.contains("expired") || lower.contains("notvalidyet") {
        "the certificate is expired or not yet valid"
    } else if lower.contains("revoked") {
        "the certificate is revoked"
    } else {
        "it did not verify"
    };
    Some(format!(
        "TLS certificate verification failed: the server's certificate was refused because {why}"
    ))
}

/// Joins the base URL and an endpoint path with exactly one slash between.
pub(crate) fn join_url(base: &str, path: &str) -> String {
    format!("{}/{}", base.trim_end_matches('/'), path.trim_start_matches('/'))
}

/// Process environment first, then `.env` in the working directory.
struct EnvSource {
    dotenv: Vec<(String, String)>,
}

impl EnvSource {
    fn load() -> Self {
        let dotenv = std::fs::read_to_string(".env")
            .map(|t| parse_dotenv(&t))
            .unwrap_or_default();
        EnvSource { dotenv }
    }

    fn get(&self, names: &[&str]) -> Option<String> {
        // Each name is looked up in the environment, then in .env, before the next name:
        // THEROUTER_* in .env beats OPENAI_* in the environment.
        names.iter().find_map(|name| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.is_empty())
                .or_else(|| self.dotenv.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
        })
    }
}

/// `KEY=value` lines; `export`, quotes and `#` comments as python-dotenv reads them.
pub(crate) fn parse_dotenv(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim();
        let value = if let Some(v) = value.strip_prefix('"').and_then(|v| v.split_once('"')) {
            v.0.to_owned()
        } else if let Some(v) = value.strip_prefix('\'').and_then(|v| v.split_once('\'')) {
            v.0.to_owned()
        } else {
            value.split(" #").next().unwrap_or("").trim().to_owned()
        };
        out.push((key.trim().to_owned(), value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_joins_without_doubling_or_losing_segments() {
        for base in [
            "https://openrouter.ai/api/v1",
            "https://openrouter.ai/api/v1/",
            " https://openrouter.ai/api/v1// ",
        ] {
            let b = normalize_base_url(base).unwrap();
            assert_eq!(
                join_url(&b, "chat/completions"),
                "https://openrouter.ai/api/v1/chat/completions"
            );
            assert_eq!(join_url(&b, "/models"), "https://openrouter.ai/api/v1/models");
        }
    }

    #[test]
    fn bad_base_urls_name_the_field() {
        for bad in ["not a url", "ftp://x/v1", "https://x/v1?a=b", ""] {
            let e = normalize_base_url(bad).unwrap_err();
            assert_eq!(e.field(), Some("base_url"), "{bad}");
        }
    }

    #[test]
    fn key_is_masked() {
        let k = ApiKey::new("sk-your-key-here-1234567890");
        assert_eq!(format!("{k}"), "sk-your-…");
        assert!(!format!("{k:?}").contains("key-here"));
    }

    #[test]
    fn bad_configuration_fails_at_construction() {
        let e = ClientBuilder::new().api_key("").build_config().unwrap_err();
        assert_eq!(e.field(), Some("api_key"));
        let e = ClientBuilder::new().api_key("sk-1\r\nX: y").build_config().unwrap_err();
        assert_eq!(e.field(), Some("api_key"));
        assert!(!e.to_string().contains("X: y"));
        let e = ClientBuilder::new()
            .api_key("sk")
            .default_header("x-a", "b\nc")
            .build_config()
            .unwrap_err();
        assert_eq!(e.field(), Some("headers"));
        let e = ClientBuilder::new()
            .api_key("sk")
            .max_retries(1000)
            .build_config()
            .unwrap_err();
        assert_eq!(e.field(), Some("max_retries"));
        let e = ClientBuilder::new()
            .api_key("sk")
            .timeout(Duration::ZERO)
            .build_config()
            .unwrap_err();
        assert_eq!(e.field(), Some("timeout"));
    }

    #[test]
    fn backoff_bounds_follow_one_rule() {
        let ms = Duration::from_millis;
        let resolved = |b: ClientBuilder| {
            let c = b.api_key("sk").build_config().unwrap();
            (c.retry.initial_backoff, c.retry.max_backoff)
        };
        assert_eq!(resolved(ClientBuilder::new()), (ms(500), ms(8000)));
        assert_eq!(
            resolved(ClientBuilder::new().initial_backoff(ms(20_000))),
            (ms(20_000), ms(20_000))
        );
        assert_eq!(resolved(ClientBuilder::new().initial_backoff(ms(2))), (ms(2), ms(8000)));
        assert_eq!(resolved(ClientBuilder::new().max_backoff(ms(0))), (ms(0), ms(0)));
        assert_eq!(
            resolved(ClientBuilder::new().max_backoff(ms(9000))),
            (ms(500), ms(9000))
        );
        assert_eq!(resolved(ClientBuilder::new().backoff(ms(3), ms(3))), (ms(3), ms(3)));
        let e = ClientBuilder::new()
            .api_key("sk")
            .backoff(ms(2000), ms(1000))
            .build_config()
            .unwrap_err();
        assert_eq!(e.field(), Some("max_retry_delay"));
        assert!(
            e.message().contains("1000 ms is below initial_retry_delay (2000 ms)"),
            "{e}"
        );
    }

    #[test]
    fn plain_http_only_to_loopback_unless_allowed() {
        for ok in [
            "http://127.0.0.1:8080/v1",
            "http://127.9.9.9/v1",
            "http://localhost:4000",
            "http://LOCALHOST/v1",
            "http://[::1]:9/v1",
            "https://example.com/v1",
        ] {
            ClientBuilder::new()
                .api_key("sk")
                .base_url(ok)
                .build_config()
                .unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        for bad in [
            "http://example.invalid/v1",
            "http://10.0.0.2:4000/v1",
            "http://[::2]/v1",
            "http://localhost.example.com/v1",
            "http://128.0.0.1/v1",
        ] {
            let e = ClientBuilder::new()
                .api_key("sk")
                .base_url(bad)
                .build_config()
                .unwrap_err();
            assert_eq!(e.field(), Some("base_url"), "{bad}");
            assert!(e.message().contains("allow_insecure_http"), "{e}");
            let c = ClientBuilder::new()
                .api_key("sk")
                .base_url(bad)
                .allow_insecure_http(true)
                .build_config()
                .unwrap();
            assert!(c.allow_insecure_http);
        }
    }

    #[test]
    fn extra_ca_certificates_are_checked_at_construction() {
        let e = ClientBuilder::new()
            .api_key("sk")
            .add_root_certificate_pem("not a pem")
            .build_config()
            .unwrap_err();
        assert_eq!(e.field(), Some("tls_ca_cert"));
        assert!(e.message().contains("no certificate"), "{e}");
        let e = ClientBuilder::new()
            .api_key("sk")
            .tls_ca_cert("/nonexistent/ca.pem")
            .build_config()
            .unwrap_err();
        assert_eq!(e.field(), Some("tls_ca_cert"));
        assert!(e.message().contains("/nonexistent/ca.pem"), "{e}");
        let e = ClientBuilder::new()
            .api_key("sk")
            .tls_ca_cert("-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n")
            .build_config()
            .unwrap_err();
        assert_eq!(e.field(), Some("tls_ca_cert"));
    }

    #[test]
    fn certificate_failures_are_described() {
        let m =
            describe_certificate_failure("client error (Connect): invalid peer certificate: UnknownIssuer").unwrap();
        assert!(m.contains("not trusted") && m.contains("tls_ca_cert"), "{m}");
        let m = describe_certificate_failure(
            "invalid peer certificate: certificate not valid for name \"localhost\"; certificate is only valid for DnsName(\"x\")",
        )
        .unwrap();
        assert!(m.contains("host name"), "{m}");
        assert!(describe_certificate_failure("tcp connect error: Connection refused").is_none());
    }

    #[test]
    fn dotenv_lines() {
        let parsed = parse_dotenv("# c\nTHEROUTER_API_KEY=sk-a\nexport B=\"x y\" \nC='q' \nD=v # note\n");
        assert_eq!(
            parsed,
            vec![
                ("THEROUTER_API_KEY".into(), "sk-a".into()),
                ("B".into(), "x y".into()),
                ("C".into(), "q".into()),
                ("D".into(), "v".into())
            ]
        );
    }
}
