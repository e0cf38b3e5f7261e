//! One error type for every failure, with a [`ErrorKind`] that each binding
//! maps to its language's idiom (openai-python classes, openai-node classes,
//! go-openai's `*APIError` / `*RequestError`).

use std::fmt;
use std::time::Duration;

use serde_json::Value;

/// What went wrong, coarsely: the bindings choose their error class from this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The gateway answered with an HTTP status ≥ 400.
    Status,
    /// The connection could not be made, or broke.
    Connection,
    /// A timeout: connect, waiting for the response, idle between stream events, or the deadline.
    Timeout,
    /// An error inside a 200 stream: an `error` object, or a stream that ended
    /// without `[DONE]` and without a finish reason.
    Stream,
    /// The caller's input or configuration is invalid; nothing was sent.
    InvalidRequest,
    /// The caller cancelled the call.
    Cancelled,
    /// A response body that is not the JSON it should be.
    Decode,
    /// Structured outputs (`parse`): a choice ended with `finish_reason: "length"`, so its
    /// content is cut short (openai's `LengthFinishReasonError`).
    LengthFinishReason,
    /// Structured outputs (`parse`): a choice ended with `finish_reason: "content_filter"`
    /// (openai's `ContentFilterFinishReasonError`).
    ContentFilterFinishReason,
    /// Structured outputs (`parse`): the answer is not JSON (code `invalid_json`) or does not
    /// match the schema the caller sent (code `schema_mismatch`, `param` the failing path).
    OutputValidation,
}

impl ErrorKind {
    /// Every kind, for the bindings' exhaustiveness tests: each binding checks that it maps
    /// every name here, so a new kind fails a test in every language until it is mapped.
    pub const ALL: [ErrorKind; 10] = [
        ErrorKind::Status,
        ErrorKind::Connection,
        ErrorKind::Timeout,
        ErrorKind::Stream,
        ErrorKind::InvalidRequest,
        ErrorKind::Cancelled,
        ErrorKind::Decode,
        ErrorKind::LengthFinishReason,
        ErrorKind::ContentFilterFinishReason,
        ErrorKind::OutputValidation,
    ];

    /// The snake_case name used in conformance scenarios and by the bindings.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Status => "status",
            ErrorKind::Connection => "connection",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Stream => "stream",
            ErrorKind::InvalidRequest => "invalid_request",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::Decode => "decode",
            ErrorKind::LengthFinishReason => "length_finish_reason",
            ErrorKind::ContentFilterFinishReason => "content_filter_finish_reason",
            ErrorKind::OutputValidation => "output_validation",
        }
    }
}

/// A routerkit error. Cheap to move (one box); every field is optional but `kind` and `message`.
#[derive(Clone)]
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Clone, Default)]
struct Inner {
    kind: Option<ErrorKind>,
    message: String,
    status: Option<u16>,
    code: Option<String>,
    error_type: Option<String>,
    param: Option<String>,
    body: Option<Value>,
    headers: Vec<(String, String)>,
    request_id: Option<String>,
    retry_after: Option<Duration>,
    attempts: u32,
    field: Option<&'static str>,
    gateway: Option<Box<GatewayVerdict>>,
    receipt: Option<Box<crate::receipt::Receipt>>,
}

/// What the gateway's typed error body says about the failure (OpenRouter's
/// `error.metadata.error_type` and `error.availability`, TheRouter's `metadata.retryable`).
#[derive(Clone, Debug, Default, PartialEq)]
struct GatewayVerdict {
    retryable: Option<bool>,
    error_type: Option<String>,
    availability_code: Option<String>,
    retry_after: Option<Duration>,
    fallback_models: Vec<String>,
}

impl Error {
    /// A new error of `kind` with a message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            inner: Box::new(Inner {
                kind: Some(kind),
                message: message.into(),
                attempts: 1,
                ..Default::default()
            }),
        }
    }

    /// Bad caller input naming the offending `field`.
    pub fn invalid(field: &'static str, message: impl fmt::Display) -> Self {
        let mut e = Error::new(ErrorKind::InvalidRequest, format!("invalid `{field}`: {message}"));
        e.inner.field = Some(field);
        e.inner.attempts = 0;
        e
    }

    /// The call was cancelled by the caller.
    pub fn cancelled() -> Self {
        Error::new(ErrorKind::Cancelled, "request cancelled")
    }

    /// The error's kind.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind.unwrap_or(ErrorKind::Connection)
    }
    /// Human-readable message (from the gateway's error body where there was one).
    pub fn message(&self) -> &str {
        &self.inner.message
    }
    /// HTTP status, for [`ErrorKind::Status`].
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }
    /// The error body's `code`, as text (`"rate_limit_exceeded"`, or `"429"` when numeric).
    pub fn code(&self) -> Option<&str> {
        self.inner.code.as_deref()
    }
    /// The error body's `type`.
    pub fn error_type(&self) -> Option<&str> {
        self.inner.error_type.as_deref()
    }
    /// The error body's `param`.
    pub fn param(&self) -> Option<&str> {
        self.inner.param.as_deref()
    }
    /// The parsed error body (the `error` object where the body wraps one), or the raw text as a JSON string.
    pub fn body(&self) -> Option<&Value> {
        self.inner.body.as_ref()
    }
    /// Response headers, lower-cased names, in arrival order.
    pub fn headers(&self) -> &[(String, String)] {
        &self.inner.headers
    }
    /// The request id: the response's `x-request-id` header (none without it), as the peers read it.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }
    /// The delay the server asked for (`retry-after-ms` / `retry-after`).
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }
    /// How many attempts were made before this error (0 when nothing was sent).
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }
    /// For [`ErrorKind::InvalidRequest`]: the parameter at fault.
    pub fn field(&self) -> Option<&'static str> {
        self.inner.field
    }
    /// The gateway's own verdict on retrying: OpenRouter's `error.availability.retryable`, else
    /// TheRouter's `error.metadata.retryable`. `None` when the body does not say.
    pub fn retryable(&self) -> Option<bool> {
        self.inner.gateway.as_ref().and_then(|g| g.retryable)
    }
    /// The gateway's typed reason, OpenRouter's `error.metadata.error_type`
    /// (`"rate_limit_exceeded"`, `"context_length_exceeded"`…). Not the body's `type`, which is
    /// [`error_type`](Self::error_type).
    pub fn gateway_error_type(&self) -> Option<&str> {
        self.inner.gateway.as_ref().and_then(|g| g.error_type.as_deref())
    }
    /// Why the model was unavailable: OpenRouter's `error.availability.code`
    /// (`"capacity_exhausted"`, `"model_not_found"`, `"free_variant_ended"`…).
    pub fn availability_code(&self) -> Option<&str> {
        self.inner.gateway.as_ref().and_then(|g| g.availability_code.as_deref())
    }
    /// The models the gateway suggests instead: OpenRouter's `error.availability.fallback_models`.
    pub fn fallback_models(&self) -> &[String] {
        self.inner.gateway.as_ref().map_or(&[], |g| &g.fallback_models)
    }
    /// The route receipt of the call that failed: its attempts, the delays between them,
    /// its timings and the gateway's ids (none for an error raised before anything was sent).
    pub fn receipt(&self) -> Option<&crate::receipt::Receipt> {
        self.inner.receipt.as_deref()
    }
    /// True for [`ErrorKind::Timeout`].
    pub fn is_timeout(&self) -> bool {
        self.kind() == ErrorKind::Timeout
    }

    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        self.inner.attempts = attempts;
        self
    }
    pub(crate) fn with_receipt(mut self, receipt: crate::receipt::Receipt) -> Self {
        self.inner.receipt = Some(Box::new(receipt));
        self
    }
    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.inner.status = Some(status);
        self
    }
    pub(crate) fn with_headers(mut self, headers: Vec<(String, String)>) -> Self {
        self.inner.request_id = request_id_from(&headers);
        self.inner.headers = headers;
        self
    }
    pub(crate) fn with_retry_after(mut self, delay: Option<Duration>) -> Self {
        self.inner.retry_after = delay;
        self
    }

    /// Fill code/message/type/param/body from an error body (`{"error": {...}}` or a bare object).
    pub(crate) fn with_error_body(mut self, body: Value) -> Self {
        let obj = match &body {
            Value::Object(map) => match map.get("error") {
                Some(inner @ Value::Object(_)) => inner.clone(),
                Some(Value::String(s)) => {
                    self.inner.message = s.clone();
                    body.clone()
                }
                _ => body.clone(),
            },
            _ => body.clone(),
        };
        if let Value::Object(map) = &obj {
            if let Some(msg) = map.get("message").and_then(message_text) {
                self.inner.message = msg;
            }
            self.inner.code = map.get("code").and_then(scalar_text);
            self.inner.error_type = map.get("type").and_then(scalar_text);
            self.inner.param = map.get("param").and_then(scalar_text);
            self.inner.gateway = gateway_verdict(map).map(Box::new);
            // A delay in the body counts only where no header gave one (headers win).
            if self.inner.retry_after.is_none() {
                self.inner.retry_after = self.inner.gateway.as_ref().and_then(|g| g.retry_after);
            }
        }
        self.inner.body = Some(obj);
        self
    }

    /// Keep a non-JSON body (an HTML page from a proxy) as text.
    pub(crate) fn with_text_body(mut self, text: String) -> Self {
        self.inner.body = Some(Value::String(text));
        self
    }

    /// Never let a secret through: mask it wherever it appears, whole or cut short (an
    /// error quoting the first characters of a body or an event can end inside an echoed key).
    pub(crate) fn redact(mut self, secret: &crate::secret::ApiKey) -> Self {
        if !secret.masked_in_texts() {
            return self;
        }
        let redact = |text: &mut String| {
            if let Some(clean) = secret.mask_in(text) {
                *text = clean;
            }
        };
        redact(&mut self.inner.message);
        // A gateway may echo the key in its error body ("invalid key sk-…"), so in any field
        // parsed from it, and in a response header.
        for text in [
            &mut self.inner.code,
            &mut self.inner.error_type,
            &mut self.inner.param,
            &mut self.inner.request_id,
        ]
        .into_iter()
        .flatten()
        {
            redact(text);
        }
        for (_, value) in self.inner.headers.iter_mut() {
            redact(value);
        }
        if let Some(g) = self.inner.gateway.as_mut() {
            for text in [&mut g.error_type, &mut g.availability_code].into_iter().flatten() {
                redact(text);
            }
            g.fallback_models.iter_mut().for_each(redact);
        }
        if let Some(body) = &self.inner.body {
            if let Some(clean) = secret.mask_in(&body.to_string()) {
                self.inner.body = serde_json::from_str(&clean).ok();
            }
        }
        self
    }
}

/// The typed fields of an error object: `metadata.{error_type, retryable}` and
/// `availability.{code, retryable, retry_after, fallback_models}`; `None` when it has none.
fn gateway_verdict(error: &serde_json::Map<String, Value>) -> Option<GatewayVerdict> {
    let metadata = error.get("metadata").and_then(Value::as_object);
    let availability = error.get("availability").and_then(Value::as_object);
    let text = |v: Option<&Value>| v.and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned);
    let verdict = GatewayVerdict {
        // OpenRouter's availability verdict is the more specific one ("always switch on
        // availability.retryable"); TheRouter's metadata flag where there is none.
        retryable: availability
            .and_then(|a| a.get("retryable"))
            .and_then(Value::as_bool)
            .or_else(|| metadata.and_then(|m| m.get("retryable")).and_then(Value::as_bool)),
        error_type: text(metadata.and_then(|m| m.get("error_type"))),
        availability_code: text(availability.and_then(|a| a.get("code"))),
        retry_after: availability
            .and_then(|a| a.get("retry_after"))
            .and_then(Value::as_f64)
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(|s| Duration::from_secs_f64(s.min(1e9))),
        fallback_models: availability
            .and_then(|a| a.get("fallback_models"))
            .and_then(Value::as_array)
            .map(|models| {
                models
                    .iter()
                    .filter_map(Value::as_str)
                    .filter(|m| !m.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
    };
    (verdict != GatewayVerdict::default()).then_some(verdict)
}

fn message_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        // Some gateways send validation errors as an array of messages.
        Value::Array(items) => Some(items.iter().filter_map(scalar_text).collect::<Vec<_>>().join("; ")),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The request id: the `x-request-id` header, and only it, as every peer reads it
/// (`_request_id`, `requestID`). Other ids are not the same thing under another name: behind
/// LiteLLM, `request-id` is the *backend's* `x-request-id` forwarded (beside
/// `llm_provider-x-request-id`), and `x-litellm-call-id` / OpenRouter's `x-generation-id` are the
/// gateway's own ids; reporting one of them here would make a ported program log an id its peer
/// never shows. They stay in `headers` (and the route receipt reads the gateway's).
pub(crate) fn request_id_from(headers: &[(String, String)]) -> Option<String> {
    headers
        .iter()
        .find(|(k, _)| k == "x-request-id")
        .map(|(_, v)| v.clone())
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.kind(), self.inner.status) {
            (ErrorKind::Status, Some(status)) => write!(f, "{status} {}", self.inner.message)?,
            _ => f.write_str(&self.inner.message)?,
        }
        if let Some(code) = &self.inner.code {
            if self.kind() == ErrorKind::Stream {
                write!(f, " (code {code})")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind())
            .field("message", &self.inner.message)
            .field("status", &self.inner.status)
            .field("code", &self.inner.code)
            .field("type", &self.inner.error_type)
            .field("request_id", &self.inner.request_id)
            .field("retry_after", &self.inner.retry_after)
            .field("gateway", &self.inner.gateway)
            .field("attempts", &self.inner.attempts)
            .finish()
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_id_is_x_request_id_only() {
        let h = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        };
        // What LiteLLM 1.108 answers: the backend's id forwarded as `request-id`, its own call id.
        let litellm = h(&[
            ("x-litellm-call-id", "c61e2e4b"),
            ("llm_provider-x-request-id", "req_1"),
            ("request-id", "req_1"),
        ]);
        assert_eq!(request_id_from(&litellm), None);
        assert_eq!(request_id_from(&h(&[("x-generation-id", "gen-1")])), None);
        let direct = h(&[("request-id", "other"), ("x-request-id", "req_7")]);
        assert_eq!(request_id_from(&direct).as_deref(), Some("req_7"));
    }

    #[test]
    fn all_lists_every_kind() {
        // A new variant fails to compile here until it is added to `ALL` (and so reaches the bindings).
        for kind in ErrorKind::ALL {
            match kind {
                ErrorKind::Status
                | ErrorKind::Connection
                | ErrorKind::Timeout
                | ErrorKind::Stream
                | ErrorKind::InvalidRequest
                | ErrorKind::Cancelled
                | ErrorKind::Decode
                | ErrorKind::LengthFinishReason
                | ErrorKind::ContentFilterFinishReason
                | ErrorKind::OutputValidation => {}
            }
        }
        let names: std::collections::HashSet<_> = ErrorKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names.len(), ErrorKind::ALL.len());
    }

    #[test]
    fn redact_masks_a_key_cut_by_an_excerpt_in_every_field() {
        let key = "sk-hard-SECRET-TAIL-0123456789abcdef";
        let cut = &key[..15];
        let e = Error::new(ErrorKind::Decode, format!("not JSON: \"…{cut}\""))
            .with_headers(vec![("x-echo".into(), cut.into())])
            .with_error_body(serde_json::json!({"error": {"message": cut}}))
            .redact(&crate::secret::ApiKey::new(key));
        let all = format!("{e:?} {}", e.body().map(|b| b.to_string()).unwrap_or_default());
        assert!(!all.contains(&key[..9]), "{all}");
        assert!(all.contains("sk-hard-…"), "{all}");
    }
}
