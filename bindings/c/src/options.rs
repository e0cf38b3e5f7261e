//! The options JSON: client configuration and per-call options.
//!
//! Durations are milliseconds (a JSON number, fractions allowed). Unknown keys
//! are an error naming them, so a typo does not silently do nothing.

use std::time::Duration;

use engine::{ClientBuilder, Error, RequestOptions, RetryPolicy};
use serde::Deserialize;
use serde_json::{Map, Value};

/// `rk_client_new`'s `options_json`. Every key is optional.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct ClientOptions {
    api_key: Option<String>,
    base_url: Option<String>,
    /// Take a missing key / base URL from THEROUTER_* / OPENAI_* / `.env` (default true).
    from_env: Option<bool>,
    timeout_ms: Option<f64>,
    connect_timeout_ms: Option<f64>,
    deadline_ms: Option<f64>,
    /// Longest a stream may go on keep-alive comments alone (default: the longer of 10 min and the timeout).
    keepalive_timeout_ms: Option<f64>,
    /// Largest non-streaming body accepted, after decompression (default 32 MiB).
    max_body_bytes: Option<usize>,
    max_retries: Option<u32>,
    initial_retry_delay_ms: Option<f64>,
    max_retry_delay_ms: Option<f64>,
    /// Header name → value, sent with every request.
    headers: Option<Map<String, Value>>,
    max_event_bytes: Option<usize>,
    include_usage_by_default: Option<bool>,
    /// Extra CA certificate(s) to trust: a string or an array of strings, each
    /// PEM text (containing `-----BEGIN`) or the path of a PEM file.
    tls_ca_cert: Option<OneOrMany>,
    /// Extra CA certificate(s) as PEM text only (never read as a path).
    tls_ca_cert_pem: Option<OneOrMany>,
    /// Allow a plain `http://` base URL to a host other than loopback (default false).
    allow_insecure_http: Option<bool>,
}

/// A string or an array of strings.
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

/// A per-call `options_json`. Every key is optional; `null` or NULL means none.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct CallOptions {
    timeout_ms: Option<f64>,
    deadline_ms: Option<f64>,
    keepalive_timeout_ms: Option<f64>,
    max_retries: Option<u32>,
    /// Header name → value (an empty value removes a default header).
    headers: Option<Map<String, Value>>,
    /// Query parameter name → value.
    query: Option<Map<String, Value>>,
    /// Fields merged into the JSON body last.
    extra_body: Option<Map<String, Value>>,
}

fn parse<T: for<'de> Deserialize<'de> + Default>(json: Option<&str>, field: &'static str) -> Result<T, Error> {
    match json.map(str::trim) {
        None | Some("") | Some("null") => Ok(T::default()),
        Some(text) => serde_json::from_str(text).map_err(|e| Error::invalid(field, e)),
    }
}

fn millis(ms: f64, field: &'static str) -> Result<Duration, Error> {
    if !ms.is_finite() || ms < 0.0 {
        return Err(Error::invalid(field, format!("{ms} is not a duration in milliseconds")));
    }
    Ok(Duration::from_secs_f64(ms / 1000.0))
}

fn pairs(map: Option<Map<String, Value>>) -> Vec<(String, String)> {
    map.into_iter()
        .flatten()
        .map(|(k, v)| {
            let v = match v {
                Value::String(s) => s,
                Value::Null => String::new(),
                other => other.to_string(),
            };
            (k, v)
        })
        .collect()
}

/// Builds a client from `options_json` (NULL: everything from the environment).
pub(crate) fn client_from_json(json: Option<&str>) -> Result<engine::Client, Error> {
    let o: ClientOptions = parse(json, "options")?;
    let mut b = ClientBuilder::new();
    if o.from_env.unwrap_or(true) {
        b = b.from_env();
    }
    if let Some(k) = o.api_key {
        b = b.api_key(k);
    }
    if let Some(u) = o.base_url {
        b = b.base_url(u);
    }
    if let Some(ms) = o.timeout_ms {
        b = b.timeout(millis(ms, "timeout")?);
    }
    if let Some(ms) = o.connect_timeout_ms {
        b = b.connect_timeout(millis(ms, "connect_timeout")?);
    }
    if let Some(ms) = o.deadline_ms {
        b = b.deadline(millis(ms, "deadline")?);
    }
    if let Some(ms) = o.keepalive_timeout_ms {
        b = b.keepalive_timeout(millis(ms, "keepalive_timeout")?);
    }
    if let Some(n) = o.max_body_bytes {
        b = b.max_body_bytes(n);
    }
    if let Some(n) = o.max_retries {
        b = b.max_retries(n);
    }
    if o.initial_retry_delay_ms.is_some() || o.max_retry_delay_ms.is_some() {
        let d = RetryPolicy::default();
        let initial = o
            .initial_retry_delay_ms
            .map(|ms| millis(ms, "initial_retry_delay"))
            .transpose()?
            .unwrap_or(d.initial_backoff);
        let max = o
            .max_retry_delay_ms
            .map(|ms| millis(ms, "max_retry_delay"))
            .transpose()?
            .unwrap_or(d.max_backoff.max(initial));
        b = b.backoff(initial, max);
    }
    for (k, v) in pairs(o.headers) {
        b = b.default_header(k, v);
    }
    if let Some(n) = o.max_event_bytes {
        b = b.max_event_bytes(n);
    }
    if let Some(yes) = o.include_usage_by_default {
        b = b.include_usage_by_default(yes);
    }
    for c in &o.tls_ca_cert.map(OneOrMany::into_vec).unwrap_or_default() {
        b = b.tls_ca_cert(c);
    }
    for pem in o.tls_ca_cert_pem.map(OneOrMany::into_vec).unwrap_or_default() {
        b = b.add_root_certificate_pem(pem);
    }
    if let Some(yes) = o.allow_insecure_http {
        b = b.allow_insecure_http(yes);
    }
    b.build()
}

/// Per-call options from `options_json` (NULL: none) and the cancel token.
#[allow(clippy::needless_update)] // the engine may grow options; they keep their defaults
pub(crate) fn call_options(
    json: Option<&str>,
    cancel: Option<tokio_util::sync::CancellationToken>,
) -> Result<RequestOptions, Error> {
    let o: CallOptions = parse(json, "options")?;
    Ok(RequestOptions {
        timeout: o.timeout_ms.map(|ms| millis(ms, "timeout")).transpose()?,
        deadline: o.deadline_ms.map(|ms| millis(ms, "deadline")).transpose()?,
        keepalive_timeout: o
            .keepalive_timeout_ms
            .map(|ms| millis(ms, "keepalive_timeout"))
            .transpose()?,
        max_retries: o.max_retries,
        headers: pairs(o.headers),
        query: pairs(o.query),
        extra_body: o.extra_body,
        cancel,
        ..RequestOptions::default()
    })
}
