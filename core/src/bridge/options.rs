//! The options schema every binding deserializes: client options
//! ([`ClientOptions`], the whole configuration) and per-call options
//! ([`CallOptions`]), both JSON objects.
//!
//! - Every key is optional; a missing key or `null` means the core's default, which
//!   is resolved here once ([`ClientBuilder`]), never in a binding. [`Settings`]
//!   reports the resolved values (and [`Settings::defaults`] the defaults) for a
//!   binding that shows them (`client.timeout`, `client.maxRetries`).
//! - Units are explicit in the key: durations are `*_ms`, milliseconds (a JSON
//!   number, fractions allowed). A binding whose language counts seconds converts.
//! - Errors name the option as the user wrote it, without the unit suffix
//!   (`timeout`, `initial_retry_delay`), and say nothing about units, so they read
//!   the same in every language.
//! - Unknown keys are an error naming them: a typo must not silently do nothing.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokio_util::sync::CancellationToken;

use crate::config::{ClientConfig, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT};
use crate::{Client, ClientBuilder, Error, RequestOptions, RetryPolicy};

/// Client options. Every key is optional.
#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
pub struct ClientOptions {
    /// The API key (else from the environment when `from_env`).
    pub api_key: Option<String>,
    /// The base URL (else from the environment when `from_env`, else TheRouter's).
    pub base_url: Option<String>,
    /// Take a missing key / base URL / CA bundle from THEROUTER_* / OPENAI_* / `.env` (default true).
    pub from_env: Option<bool>,
    /// Idle timeout.
    pub timeout_ms: Option<f64>,
    /// Connect timeout.
    pub connect_timeout_ms: Option<f64>,
    /// Bound on a whole call, retries included.
    pub deadline_ms: Option<f64>,
    /// Longest a stream may go on keep-alive comments alone (default: the longer of 10 min and the timeout).
    pub keepalive_timeout_ms: Option<f64>,
    /// Largest non-streaming body accepted, after decompression (default 32 MiB).
    pub max_body_bytes: Option<usize>,
    /// Retries after the first attempt.
    pub max_retries: Option<i64>,
    /// First retry delay (see [`ClientBuilder::max_backoff`] for the rule with the cap).
    pub initial_retry_delay_ms: Option<f64>,
    /// Cap on a retry delay.
    pub max_retry_delay_ms: Option<f64>,
    /// Headers sent with every request: an object, or an array of `[name, value]`
    /// (which keeps order and repeated names).
    pub headers: Option<Pairs>,
    /// Largest SSE event accepted.
    pub max_event_bytes: Option<usize>,
    /// Whether streams ask for usage when the request does not say.
    pub include_usage_by_default: Option<bool>,
    /// Extra CA certificate(s): a string or an array, each PEM text (containing
    /// `-----BEGIN`) or the path of a PEM file.
    pub tls_ca_cert: Option<OneOrMany>,
    /// Extra CA certificate(s) as PEM text only (never read as a path).
    pub tls_ca_cert_pem: Option<OneOrMany>,
    /// Allow a plain `http://` base URL to a host other than loopback.
    pub allow_insecure_http: Option<bool>,
    /// Models tried in order when a call fails before any output (core/src/fallback.rs).
    pub fallback_models: Option<Vec<String>>,
    /// Also try the models a gateway's error names (`error.availability.fallback_models`).
    pub follow_gateway_fallbacks: Option<bool>,
    /// Statuses that move a call to the next model although they are not retried.
    pub fallback_on_status: Option<Vec<i64>>,
    /// Streams: start a hedge when no chunk came within this long.
    pub hedge_after_ms: Option<f64>,
}

/// Per-call options. Every key is optional.
#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
pub struct CallOptions {
    /// Overrides the client's idle timeout.
    pub timeout_ms: Option<f64>,
    /// Overrides the client's deadline.
    pub deadline_ms: Option<f64>,
    /// Overrides the client's keep-alive bound.
    pub keepalive_timeout_ms: Option<f64>,
    /// Overrides the client's retry count.
    pub max_retries: Option<i64>,
    /// Headers added to (and replacing) the default ones; an empty or null value removes one.
    pub headers: Option<Pairs>,
    /// Query parameters.
    pub query: Option<Pairs>,
    /// Fields merged into the JSON body last.
    pub extra_body: Option<Map<String, Value>>,
    /// Replaces the client's fallback chain for this call (`[]`: none).
    pub fallback_models: Option<Vec<String>>,
    /// Overrides the client's `follow_gateway_fallbacks`.
    pub follow_gateway_fallbacks: Option<bool>,
    /// Overrides the client's `hedge_after`.
    pub hedge_after_ms: Option<f64>,
    /// `false`: never hedge this call (it has side effects).
    pub idempotent: Option<bool>,
}

/// Name → value pairs: a JSON object, or an array of `[name, value]`. Values that are
/// not strings are written as JSON (`3` → `"3"`); `null` is the empty string.
#[derive(Deserialize, Debug)]
#[serde(untagged)]
pub enum Pairs {
    /// `[["name", "value"], …]`.
    List(Vec<(String, Value)>),
    /// `{"name": "value", …}`.
    Map(Map<String, Value>),
}

impl Pairs {
    fn into_vec(self) -> Vec<(String, String)> {
        let text = |v: Value| match v {
            Value::String(s) => s,
            Value::Null => String::new(),
            other => other.to_string(),
        };
        match self {
            Pairs::List(l) => l.into_iter().map(|(k, v)| (k, text(v))).collect(),
            Pairs::Map(m) => m.into_iter().map(|(k, v)| (k, text(v))).collect(),
        }
    }
}

/// A string or an array of strings.
#[derive(Deserialize, Debug)]
#[serde(untagged)]
pub enum OneOrMany {
    /// One.
    One(String),
    /// Several.
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

/// Parses an options object; empty text or `null` is every default.
fn parse<T: for<'de> Deserialize<'de> + Default>(json: Option<&str>) -> Result<T, Error> {
    match json.map(str::trim) {
        None | Some("") | Some("null") => Ok(T::default()),
        Some(text) => serde_json::from_str(text).map_err(|e| Error::invalid("options", e)),
    }
}

/// Longest duration accepted (about 31 years): larger values mean "no bound" to a caller,
/// and must not overflow the clock arithmetic.
const MAX_MS: f64 = 1e12;

fn millis(ms: f64, field: &'static str) -> Result<Duration, Error> {
    if !ms.is_finite() || ms < 0.0 {
        return Err(Error::invalid(
            field,
            format!("must be a duration that is not negative, got {ms}"),
        ));
    }
    Ok(Duration::from_secs_f64(ms.min(MAX_MS) / 1000.0))
}

fn count(n: i64) -> Result<u32, Error> {
    u32::try_from(n).map_err(|_| Error::invalid("max_retries", format!("{n} is not a count")))
}

impl ClientOptions {
    /// Parses `json` (none, empty or `null`: every default).
    pub fn from_json(json: Option<&str>) -> Result<Self, Error> {
        parse(json)
    }

    /// The builder these options describe.
    pub fn builder(self) -> Result<ClientBuilder, Error> {
        let mut b = ClientBuilder::new();
        if self.from_env.unwrap_or(true) {
            b = b.from_env();
        }
        if let Some(k) = self.api_key {
            b = b.api_key(k);
        }
        if let Some(u) = self.base_url {
            b = b.base_url(u);
        }
        if let Some(ms) = self.timeout_ms {
            b = b.timeout(millis(ms, "timeout")?);
        }
        if let Some(ms) = self.connect_timeout_ms {
            b = b.connect_timeout(millis(ms, "connect_timeout")?);
        }
        if let Some(ms) = self.deadline_ms {
            b = b.deadline(millis(ms, "deadline")?);
        }
        if let Some(ms) = self.keepalive_timeout_ms {
            b = b.keepalive_timeout(millis(ms, "keepalive_timeout")?);
        }
        if let Some(n) = self.max_body_bytes {
            b = b.max_body_bytes(n);
        }
        if let Some(n) = self.max_retries {
            b = b.max_retries(count(n)?);
        }
        if let Some(ms) = self.initial_retry_delay_ms {
            b = b.initial_backoff(millis(ms, "initial_retry_delay")?);
        }
        if let Some(ms) = self.max_retry_delay_ms {
            b = b.max_backoff(millis(ms, "max_retry_delay")?);
        }
        for (k, v) in self.headers.map(Pairs::into_vec).unwrap_or_default() {
            b = b.default_header(k, v);
        }
        if let Some(n) = self.max_event_bytes {
            b = b.max_event_bytes(n);
        }
        if let Some(yes) = self.include_usage_by_default {
            b = b.include_usage_by_default(yes);
        }
        for c in self.tls_ca_cert.map(OneOrMany::into_vec).unwrap_or_default() {
            b = b.tls_ca_cert(&c);
        }
        for pem in self.tls_ca_cert_pem.map(OneOrMany::into_vec).unwrap_or_default() {
            b = b.add_root_certificate_pem(pem);
        }
        if let Some(yes) = self.allow_insecure_http {
            b = b.allow_insecure_http(yes);
        }
        if let Some(models) = self.fallback_models {
            b = b.fallback_models(models);
        }
        if let Some(yes) = self.follow_gateway_fallbacks {
            b = b.follow_gateway_fallbacks(yes);
        }
        if let Some(list) = self.fallback_on_status {
            let statuses = list
                .into_iter()
                .map(|s| {
                    u16::try_from(s).map_err(|_| {
                        Error::invalid("fallback_on_status", format!("{s} is not an error status (400-599)"))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            b = b.fallback_on_status(statuses);
        }
        if let Some(ms) = self.hedge_after_ms {
            b = b.hedge_after(millis(ms, "hedge_after")?);
        }
        Ok(b)
    }
}

/// A client from `json` (see [`ClientOptions`]).
pub fn client_from_json(json: Option<&str>) -> Result<Client, Error> {
    ClientOptions::from_json(json)?.builder()?.build()
}

/// A sibling of `parent` configured by `json`, sharing its connection pool (`with_options`).
pub fn sibling_from_json(parent: &Client, json: Option<&str>) -> Result<Client, Error> {
    parent.with_config(ClientOptions::from_json(json)?.builder()?.build_config()?)
}

impl CallOptions {
    /// Parses `json` (none, empty or `null`: no overrides).
    pub fn from_json(json: Option<&str>) -> Result<Self, Error> {
        parse(json)
    }

    /// The core's per-call options, cancelled by `cancel`.
    pub fn into_request_options(self, cancel: Option<CancellationToken>) -> Result<RequestOptions, Error> {
        Ok(RequestOptions {
            timeout: self.timeout_ms.map(|ms| millis(ms, "timeout")).transpose()?,
            deadline: self.deadline_ms.map(|ms| millis(ms, "deadline")).transpose()?,
            keepalive_timeout: self
                .keepalive_timeout_ms
                .map(|ms| millis(ms, "keepalive_timeout"))
                .transpose()?,
            max_retries: self.max_retries.map(count).transpose()?,
            headers: self.headers.map(Pairs::into_vec).unwrap_or_default(),
            query: self.query.map(Pairs::into_vec).unwrap_or_default(),
            extra_body: self.extra_body,
            cancel,
            fallback_models: self.fallback_models,
            follow_gateway_fallbacks: self.follow_gateway_fallbacks,
            hedge_after: self.hedge_after_ms.map(|ms| millis(ms, "hedge_after")).transpose()?,
            idempotent: self.idempotent,
        })
    }
}

/// Per-call options from `json` (see [`CallOptions`]) and a cancel token.
pub fn call_options(json: Option<&str>, cancel: Option<CancellationToken>) -> Result<RequestOptions, Error> {
    CallOptions::from_json(json)?.into_request_options(cancel)
}

/// The settings a client resolved, in the schema's units, for a binding to show.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Settings {
    /// Idle timeout.
    pub timeout_ms: f64,
    /// Connect timeout.
    pub connect_timeout_ms: f64,
    /// Bound on a whole call; `null` for none.
    pub deadline_ms: Option<f64>,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// First retry delay.
    pub initial_retry_delay_ms: f64,
    /// Cap on a retry delay.
    pub max_retry_delay_ms: f64,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

impl Settings {
    /// What `config` resolved.
    pub fn of(config: &ClientConfig) -> Self {
        Settings {
            timeout_ms: ms(config.timeout),
            connect_timeout_ms: ms(config.connect_timeout),
            deadline_ms: config.deadline.map(ms),
            max_retries: config.retry.max_retries,
            initial_retry_delay_ms: ms(config.retry.initial_backoff),
            max_retry_delay_ms: ms(config.retry.max_backoff),
        }
    }

    /// The core's defaults (what a client given no option resolves).
    pub fn defaults() -> Self {
        let retry = RetryPolicy::default();
        Settings {
            timeout_ms: ms(DEFAULT_TIMEOUT),
            connect_timeout_ms: ms(DEFAULT_CONNECT_TIMEOUT),
            deadline_ms: Some(ms(crate::limits::DEFAULT_DEADLINE)),
            max_retries: DEFAULT_MAX_RETRIES,
            initial_retry_delay_ms: ms(retry.initial_backoff),
            max_retry_delay_ms: ms(retry.max_backoff),
        }
    }

    /// As a JSON object.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: &str) -> Result<ClientConfig, Error> {
        let mut o = ClientOptions::from_json(Some(json))?;
        o.from_env = Some(false);
        o.builder()?.build_config()
    }

    #[test]
    fn every_key_is_optional_and_defaults_come_from_the_core() {
        let c = config(r#"{"api_key":"sk"}"#).unwrap();
        assert_eq!(Settings::of(&c), Settings::defaults());
        assert_eq!(Settings::defaults().timeout_ms, 600_000.0);
        assert_eq!(Settings::defaults().max_retries, 2);
    }

    #[test]
    fn units_and_pairs() {
        let c = config(
            r#"{"api_key":"sk","timeout_ms":1500,"deadline_ms":0.5,"initial_retry_delay_ms":1,
                "headers":[["x-a","1"],["x-a","2"]],"max_retries":0}"#,
        )
        .unwrap();
        assert_eq!(c.timeout, Duration::from_millis(1500));
        assert_eq!(c.deadline, Some(Duration::from_micros(500)));
        assert_eq!(c.retry.initial_backoff, Duration::from_millis(1));
        assert_eq!(c.retry.max_backoff, Duration::from_secs(8));
        assert_eq!(c.retry.max_retries, 0);
        assert_eq!(c.default_headers.len(), 2);
        let c = config(r#"{"api_key":"sk","headers":{"x-b":3,"x-c":null}}"#).unwrap();
        assert_eq!(
            c.default_headers,
            vec![("x-b".to_owned(), "3".to_owned()), ("x-c".to_owned(), String::new())]
        );
    }

    #[test]
    fn errors_name_the_option_the_user_wrote() {
        for (json, field) in [
            (r#"{"api_key":"sk","timeout_ms":-1}"#, "timeout"),
            (r#"{"api_key":"sk","timeout_ms":0}"#, "timeout"),
            (r#"{"api_key":"sk","max_retries":-1}"#, "max_retries"),
            (r#"{"api_key":"sk","initial_retry_delay_ms":-5}"#, "initial_retry_delay"),
            (
                r#"{"api_key":"sk","initial_retry_delay_ms":20,"max_retry_delay_ms":10}"#,
                "max_retry_delay",
            ),
            (r#"{"api_key":"sk","timeout":5}"#, "options"),
        ] {
            let e = config(json).unwrap_err();
            assert_eq!(e.field(), Some(field), "{json}: {e}");
        }
        let e = call_options(Some(r#"{"deadline_ms":-3}"#), None).unwrap_err();
        assert_eq!(e.field(), Some("deadline"));
    }

    #[test]
    fn routing_options() {
        let c = config(
            r#"{"api_key":"sk","fallback_models":["b/m"],"follow_gateway_fallbacks":true,
                "fallback_on_status":[400],"hedge_after_ms":250}"#,
        )
        .unwrap();
        assert_eq!(c.fallback_models, vec!["b/m".to_owned()]);
        assert!(c.follow_gateway_fallbacks);
        assert_eq!(c.fallback_on_status, vec![400]);
        assert_eq!(c.hedge_after, Some(Duration::from_millis(250)));
        for (json, field) in [
            (r#"{"api_key":"sk","fallback_models":[""]}"#, "fallback_models"),
            (r#"{"api_key":"sk","fallback_on_status":[200]}"#, "fallback_on_status"),
            (r#"{"api_key":"sk","fallback_on_status":[-1]}"#, "fallback_on_status"),
            (r#"{"api_key":"sk","hedge_after_ms":0}"#, "hedge_after"),
        ] {
            assert_eq!(config(json).unwrap_err().field(), Some(field), "{json}");
        }
        let o = call_options(
            Some(r#"{"fallback_models":[],"hedge_after_ms":100,"idempotent":false}"#),
            None,
        )
        .unwrap();
        assert_eq!(o.fallback_models, Some(vec![]));
        assert_eq!(o.hedge_after, Some(Duration::from_millis(100)));
        assert_eq!(o.idempotent, Some(false));
    }

    #[test]
    fn call_options_carry_every_override() {
        let o = call_options(
            Some(r#"{"timeout_ms":10,"deadline_ms":20,"max_retries":1,"headers":{"x":"y"},"query":[["a",1]],"extra_body":{"k":true}}"#),
            None,
        )
        .unwrap();
        assert_eq!(o.timeout, Some(Duration::from_millis(10)));
        assert_eq!(o.deadline, Some(Duration::from_millis(20)));
        assert_eq!(o.max_retries, Some(1));
        assert_eq!(o.headers, vec![("x".to_owned(), "y".to_owned())]);
        assert_eq!(o.query, vec![("a".to_owned(), "1".to_owned())]);
        assert!(o.extra_body.is_some());
        assert!(call_options(None, None).unwrap().timeout.is_none());
    }
}
