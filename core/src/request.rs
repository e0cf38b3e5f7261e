//! Request building: validating the caller's input, the JSON body, the URL
//! and the headers of one call.

use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::config::{join_url, ClientConfig, RequestOptions};
use crate::error::Error;
use crate::ops::{BodyKind, Op};
use crate::response_types::ResponseRequest;
use crate::types::{ChatCompletionRequest, CompletionRequest, EmbeddingRequest, MessageContent, ModerationRequest};
use crate::wire_de::FieldKey;

/// Parses a JSON request body, naming the field at fault when it has the wrong type.
///
/// Bindings hand the caller's dict/object over as JSON text; this is where a
/// `temperature: "hot"` becomes `invalid \`temperature\``.
pub fn parse_request<T: DeserializeOwned>(json: &str) -> Result<T, Error> {
    // Tracking the path costs on every call; only a failure needs it, so the second parse names the field.
    if let Ok(request) = serde_json::from_str(json) {
        return Ok(request);
    }
    let de = &mut serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        // A missing field is reported at its parent: name the field itself (`missing field `model``).
        let missing = inner
            .to_string()
            .strip_prefix("missing field `")
            .and_then(|m| m.split('`').next())
            .map(str::to_owned);
        let field: &'static str = leak_field_name(missing.as_deref().filter(|_| path == ".").unwrap_or(&path));
        Error::invalid(field, inner)
    })
}

/// Field names of the request types, so errors can carry a `&'static str`: the
/// typed fields of every body kind in the operation table.
fn leak_field_name(path: &str) -> &'static str {
    let head = path.split(['.', '[']).next().unwrap_or("");
    crate::ops::known_fields().find(|k| *k == head).unwrap_or("request")
}

impl ChatCompletionRequest {
    /// Checks what would make the gateway reject the call or break the request, before anything is sent.
    pub fn validate(&self) -> Result<(), Error> {
        validate_model(&self.model)?;
        if self.messages.is_empty() {
            return Err(Error::invalid("messages", "must contain at least one message"));
        }
        for (i, m) in self.messages.iter().enumerate() {
            if m.role.is_empty() {
                return Err(Error::invalid("messages", format!("message {i} has no role")));
            }
            if let Some(MessageContent::Parts(parts)) = &m.content {
                if parts.iter().any(|p| !p.is_object()) {
                    return Err(Error::invalid(
                        "messages",
                        format!("message {i}: every content part must be an object"),
                    ));
                }
            }
        }
        for (name, v) in [
            ("temperature", self.temperature),
            ("top_p", self.top_p),
            ("presence_penalty", self.presence_penalty),
            ("frequency_penalty", self.frequency_penalty),
        ] {
            if v.is_some_and(|x| !x.is_finite()) {
                return Err(Error::invalid(name, "must be a finite number"));
            }
        }
        if self.n == Some(0) {
            return Err(Error::invalid("n", "must be at least 1"));
        }
        Ok(())
    }
}

impl EmbeddingRequest {
    /// Checks the model and input before anything is sent.
    pub fn validate(&self) -> Result<(), Error> {
        validate_model(&self.model)?;
        match &self.input {
            Value::String(_) => Ok(()),
            Value::Array(items) if !items.is_empty() => Ok(()),
            _ => Err(Error::invalid("input", "must be a string or a non-empty array")),
        }
    }
}

impl CompletionRequest {
    /// Checks the model, prompt and numbers before anything is sent.
    pub fn validate(&self) -> Result<(), Error> {
        validate_model(&self.model)?;
        match &self.prompt {
            Value::String(_) => {}
            Value::Array(items) if !items.is_empty() => {}
            _ => return Err(Error::invalid("prompt", "must be a string or a non-empty array")),
        }
        for (name, v) in [
            ("temperature", self.temperature),
            ("top_p", self.top_p),
            ("presence_penalty", self.presence_penalty),
            ("frequency_penalty", self.frequency_penalty),
        ] {
            if v.is_some_and(|x| !x.is_finite()) {
                return Err(Error::invalid(name, "must be a finite number"));
            }
        }
        if self.n == Some(0) {
            return Err(Error::invalid("n", "must be at least 1"));
        }
        Ok(())
    }
}

impl ModerationRequest {
    /// Checks the input (and the model, when given) before anything is sent.
    pub fn validate(&self) -> Result<(), Error> {
        if let Some(model) = &self.model {
            validate_model(model)?;
        }
        match &self.input {
            Value::String(_) => Ok(()),
            Value::Array(items) if !items.is_empty() => Ok(()),
            _ => Err(Error::invalid("input", "must be a string or a non-empty array")),
        }
    }
}

impl ResponseRequest {
    /// Checks the model, input and numbers before anything is sent.
    pub fn validate(&self) -> Result<(), Error> {
        validate_model(&self.model)?;
        match &self.input {
            Value::String(_) => {}
            Value::Array(items) if items.iter().all(Value::is_object) => {}
            _ => {
                return Err(Error::invalid(
                    "input",
                    "must be a string or an array of input items (objects)",
                ))
            }
        }
        for (name, v) in [("temperature", self.temperature), ("top_p", self.top_p)] {
            if v.is_some_and(|x| !x.is_finite()) {
                return Err(Error::invalid(name, "must be a finite number"));
            }
        }
        if let Some(tools) = &self.tools {
            if let Some(i) = tools.iter().position(|t| !t.is_object()) {
                return Err(Error::invalid("tools", format!("tool {i} must be an object")));
            }
        }
        Ok(())
    }
}

/// A request body type of the operation table: it checks itself before it is sent.
pub trait OpBody: serde::Serialize {
    /// Refuses what the gateway would reject or what would break the request, naming the field.
    fn validate(&self) -> Result<(), Error>;
    /// The model asked for, for the route receipt.
    fn model(&self) -> Option<&str> {
        None
    }
}

/// The request's `model` field, whether required or optional.
trait ModelField {
    fn get(&self) -> Option<&str>;
}
impl ModelField for String {
    fn get(&self) -> Option<&str> {
        Some(self.as_str())
    }
}
impl ModelField for Option<String> {
    fn get(&self) -> Option<&str> {
        self.as_deref()
    }
}

macro_rules! op_body {
    ($($ty:ty),*) => {
        $(impl OpBody for $ty {
            fn validate(&self) -> Result<(), Error> {
                <$ty>::validate(self)
            }
            fn model(&self) -> Option<&str> {
                ModelField::get(&self.model)
            }
        })*
    };
}
op_body!(
    ChatCompletionRequest,
    CompletionRequest,
    EmbeddingRequest,
    ModerationRequest,
    ResponseRequest
);

/// Checks a body given as JSON text (what bindings send) as its typed form would be checked.
/// Returns the request's `model`, for the receipt.
pub(crate) fn validate_json(kind: BodyKind, json: &str) -> Result<Option<String>, Error> {
    fn checked<T: OpBody>(request: T) -> Result<Option<String>, Error> {
        request.validate()?;
        Ok(request.model().map(str::to_owned))
    }
    match kind {
        BodyKind::None => Ok(None),
        BodyKind::Chat => checked(parse_request::<ChatCompletionRequest>(json)?),
        BodyKind::Completion => checked(parse_request::<CompletionRequest>(json)?),
        BodyKind::Embedding => checked(parse_request::<EmbeddingRequest>(json)?),
        BodyKind::Moderation => checked(parse_request::<ModerationRequest>(json)?),
        BodyKind::Response => checked(parse_request::<ResponseRequest>(json)?),
    }
}

/// The path of `op`, its parameters read from the call's JSON object (`{"id": "openai/gpt-4.1"}`).
pub(crate) fn op_path(op: Op, params: Option<&str>) -> Result<String, Error> {
    if !op.spec().path.contains('{') {
        return Ok(op.spec().path.to_owned());
    }
    let object: Map<String, Value> = match params {
        None => Map::new(),
        Some(json) => {
            serde_json::from_str(json).map_err(|e| Error::invalid("request", format!("must be a JSON object ({e})")))?
        }
    };
    for (name, value) in &object {
        if !value.is_string() && op.spec().path.contains(&format!("{{{name}}}")) {
            return Err(Error::invalid(leak_field_name(name), "must be a string"));
        }
    }
    op.path(|name| object.get(name).and_then(Value::as_str))
}

fn validate_model(model: &str) -> Result<(), Error> {
    if model.trim().is_empty() {
        return Err(Error::invalid("model", "is required"));
    }
    if model.contains(['\r', '\n', '\0']) {
        return Err(Error::invalid("model", "contains CR, LF or NUL"));
    }
    Ok(())
}

/// A request ready to send, and to send again on retry.
#[derive(Debug, Clone)]
pub struct PreparedRequest {
    /// `GET` or `POST`.
    pub method: http::Method,
    /// Full URL, query included.
    pub url: url::Url,
    /// The same URL as hyper takes it.
    pub uri: http::Uri,
    /// All headers, authorization included.
    pub headers: HeaderMap,
    /// JSON body.
    pub body: Option<Bytes>,
    /// Whether the response is an event stream.
    pub stream: bool,
}

/// A typed request as JSON text, in its fields' order (a failure names `request`).
pub(crate) fn encode<T: serde::Serialize>(request: &T) -> Result<String, Error> {
    serde_json::to_string(request).map_err(|e| Error::invalid("request", e))
}

/// The JSON body of a chat call: `stream` set, usage asked for on streams
/// unless the caller said otherwise, `extra_body` merged last, the caller's key order kept.
pub fn chat_body(
    config: &ClientConfig,
    request: &ChatCompletionRequest,
    stream: bool,
    opts: &RequestOptions,
) -> Result<Bytes, Error> {
    request.validate()?;
    let json = encode(request)?;
    let edits = BodyEdits {
        kind: BodyKind::Chat,
        stream,
        usage_by_default: config.include_usage_by_default,
        extra: opts.extra_body.as_ref(),
    };
    Ok(edits.body(Cow::Owned(json))?.0)
}

/// Serialises `body` and merges `extra_body` into it (existing keys keep their place, new ones go last).
pub fn encode_body<T: serde::Serialize>(body: &T, opts: &RequestOptions) -> Result<Bytes, Error> {
    let json = serde_json::to_string(body).map_err(|e| Error::invalid("request", e))?;
    let edits = BodyEdits {
        kind: BodyKind::None,
        stream: false,
        usage_by_default: false,
        extra: opts.extra_body.as_ref(),
    };
    Ok(edits.body(Cow::Owned(json))?.0)
}

/// What the engine changes in a body before sending it. Everything else leaves as the
/// caller wrote it: top-level keys in the caller's order, each value byte for byte
/// (nested objects keep their order too: JSON Schemas are order-sensitive for models).
pub(crate) struct BodyEdits<'a> {
    /// The body's kind: only kinds that stream have `stream` / `stream_options` edited.
    pub kind: BodyKind,
    /// The call is a stream: `stream: true`, and usage asked for (see `usage_by_default`).
    /// Not a stream: a `stream: true` and any `stream_options` are dropped (a `stream: false` stays).
    pub stream: bool,
    /// Ask for usage on a stream whose body has no `stream_options` (or `null`).
    pub usage_by_default: bool,
    /// `extra_body`, merged last: a key already there keeps its place, a new one goes at the end.
    pub extra: Option<&'a Map<String, Value>>,
}

impl BodyEdits<'_> {
    /// The body to send, and whether the engine asked for usage on the caller's behalf: `json`
    /// as it came when there is nothing to change (a body serde_json wrote is moved, a caller's
    /// text that validation parsed is copied once), else the edited text.
    pub(crate) fn body(&self, json: Cow<'_, str>) -> Result<(Bytes, bool), Error> {
        let unchanged = |json: Cow<'_, str>| match json {
            Cow::Owned(text) => Bytes::from(text),
            Cow::Borrowed(text) => Bytes::copy_from_slice(text.as_bytes()),
        };
        if self.nothing_to_drop(&json) {
            return Ok((unchanged(json), false));
        }
        match self.apply(&json)? {
            (Some(edited), usage) => Ok((Bytes::from(edited), usage)),
            (None, usage) => Ok((unchanged(json), usage)),
        }
    }

    /// A body that serde_json wrote or validation parsed (so an object, each key as it reads) for
    /// a call that is not a stream, with no `extra_body`, no `"stream` but `"stream":false` and
    /// no `\u` in its text: it has no `stream` nor `stream_options` key to drop, and
    /// [`apply`](Self::apply) would give it back unchanged after splitting it into entries (the
    /// cost of a sequential request's body, otherwise).
    fn nothing_to_drop(&self, json: &str) -> bool {
        !self.stream
            && self.extra.is_none_or(|e| e.is_empty())
            && !memchr::memchr_iter(b'"', json.as_bytes()).any(|at| {
                // go-openai's `"stream":false` stays as it is: only another `stream` is dropped.
                let rest = &json.as_bytes()[at + 1..];
                rest.starts_with(b"stream") && !rest.starts_with(b"stream\":false")
            })
            && !crate::limits::has_unicode_escape(json.as_bytes())
    }

    /// The edited body, `None` when it is sent as given.
    pub(crate) fn apply(&self, json: &str) -> Result<(Option<String>, bool), Error> {
        let streams = self.kind.streams();
        if !streams && self.extra.is_none_or(|e| e.is_empty()) {
            return Ok((None, false));
        }
        let Entries(mut entries) = serde_json::from_str(json)
            .map_err(|e| Error::invalid("request", format!("must be a JSON object ({e})")))?;
        let mut changed = false;
        let mut usage_added = false;
        let position = |entries: &[(Cow<'_, str>, Cow<'_, str>)], key: &str| entries.iter().position(|(k, _)| k == key);
        if streams && self.stream {
            match position(&entries, "stream") {
                Some(i) if entries[i].1 == "true" => {}
                Some(i) => {
                    entries[i].1 = Cow::Borrowed("true");
                    changed = true;
                }
                None => {
                    entries.push((Cow::Borrowed("stream"), Cow::Borrowed("true")));
                    changed = true;
                }
            }
            if self.usage_by_default && self.kind.asks_usage() {
                const USAGE: &str = r#"{"include_usage":true}"#;
                match position(&entries, "stream_options") {
                    Some(i) if entries[i].1 == "null" => {
                        entries[i].1 = Cow::Borrowed(USAGE);
                        usage_added = true;
                    }
                    Some(_) => {}
                    None => {
                        entries.push((Cow::Borrowed("stream_options"), Cow::Borrowed(USAGE)));
                        usage_added = true;
                    }
                }
                changed |= usage_added;
            }
        } else if streams {
            let before = entries.len();
            entries.retain(|(k, v)| !(k == "stream_options" || (k == "stream" && v != "false")));
            changed |= entries.len() != before;
        }
        if let Some(extra) = self.extra {
            for (key, value) in extra {
                let text = Cow::Owned(serde_json::to_string(value).map_err(|e| Error::invalid("extra_body", e))?);
                match position(&entries, key) {
                    Some(i) => entries[i].1 = text,
                    None => entries.push((Cow::Owned(key.clone()), text)),
                }
                changed = true;
            }
        }
        if !changed {
            return Ok((None, usage_added));
        }
        let mut out = String::with_capacity(json.len() + 48);
        out.push('{');
        for (i, (key, value)) in entries.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            // A key without escapes is written as it came; serde_json escapes any other.
            out.push_str(&serde_json::to_string(key.as_ref()).map_err(|e| Error::invalid("request", e))?);
            out.push(':');
            out.push_str(value);
        }
        out.push('}');
        Ok((Some(out), usage_added))
    }
}

/// A JSON object's top-level entries in the caller's order, each value as its text.
struct Entries<'a>(Vec<(Cow<'a, str>, Cow<'a, str>)>);

impl<'de> Deserialize<'de> for Entries<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Entries<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(8));
                while let Some(FieldKey(key)) = map.next_key::<FieldKey<'de>>()? {
                    let value: &'de RawValue = map.next_value()?;
                    entries.push((key, Cow::Borrowed(value.get())));
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

/// What every request of one client shares, worked out once when the client
/// is built: the endpoints' URLs and the configured headers (authorization,
/// user agent, default headers).
#[derive(Debug, Clone)]
pub struct RequestTemplate {
    base_url: String,
    /// The table's paths without parameters, parsed once (see [`crate::ops::static_paths`]).
    endpoints: Vec<(&'static str, (url::Url, http::Uri))>,
    headers: HeaderMap,
    /// Default headers win over the per-call `accept` and `content-type`, as they win over the user agent.
    defaults_set_accept: bool,
    defaults_set_content_type: bool,
}

impl RequestTemplate {
    /// Checks and parses what `config` contributes to every request.
    pub fn new(config: &ClientConfig) -> Result<RequestTemplate, Error> {
        let endpoints = crate::ops::static_paths()
            .map(|path| Ok((path, endpoint_url(&config.base_url, path)?)))
            .collect::<Result<Vec<_>, Error>>()?;
        let mut headers = HeaderMap::with_capacity(8 + config.default_headers.len());
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", config.api_key.expose()))
            .map_err(|_| Error::invalid("api_key", "contains characters not allowed in a header"))?;
        auth.set_sensitive(true);
        headers.insert(http::header::AUTHORIZATION, auth);
        headers.insert(
            http::header::USER_AGENT,
            HeaderValue::from_static(concat!("routerkit/", env!("CARGO_PKG_VERSION"))),
        );
        merge_headers(&mut headers, &config.default_headers)?;
        let named = |header: &str| {
            config
                .default_headers
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case(header))
        };
        Ok(RequestTemplate {
            base_url: config.base_url.clone(),
            endpoints,
            headers,
            defaults_set_accept: named("accept"),
            defaults_set_content_type: named("content-type"),
        })
    }

    /// Builds URL and headers for `path` under the base URL.
    pub fn prepare(
        &self,
        method: http::Method,
        path: &str,
        body: Option<Bytes>,
        stream: bool,
        opts: &RequestOptions,
    ) -> Result<PreparedRequest, Error> {
        opts.validate()?;
        let (mut url, mut uri) = match self.endpoints.iter().find(|(known, _)| *known == path) {
            Some((_, parsed)) => parsed.clone(),
            None => endpoint_url(&self.base_url, path)?,
        };
        if !opts.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(opts.query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            uri = to_uri(&url)?;
        }
        let mut headers = self.headers.clone();
        if !self.defaults_set_accept {
            headers.insert(
                http::header::ACCEPT,
                HeaderValue::from_static(if stream {
                    "text/event-stream"
                } else {
                    "application/json"
                }),
            );
        }
        if body.is_some() && !self.defaults_set_content_type {
            headers.insert(http::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        merge_headers(&mut headers, &opts.headers)?;
        Ok(PreparedRequest {
            method,
            url,
            uri,
            headers,
            body,
            stream,
        })
    }
}

/// Builds URL and headers for `path` under the base URL (a [`RequestTemplate`] for one request).
pub fn prepare(
    config: &ClientConfig,
    method: http::Method,
    path: &str,
    body: Option<Bytes>,
    stream: bool,
    opts: &RequestOptions,
) -> Result<PreparedRequest, Error> {
    RequestTemplate::new(config)?.prepare(method, path, body, stream, opts)
}

/// `path` under the base URL, parsed for the engine and for hyper.
fn endpoint_url(base_url: &str, path: &str) -> Result<(url::Url, http::Uri), Error> {
    let url = url::Url::parse(&join_url(base_url, path)).map_err(|e| Error::invalid("base_url", e))?;
    let uri = to_uri(&url)?;
    Ok((url, uri))
}

fn to_uri(url: &url::Url) -> Result<http::Uri, Error> {
    http::Uri::try_from(url.as_str())
        .map_err(|e| Error::invalid("base_url", format!("{:?} is not a usable URL: {e}", url.as_str())))
}

/// Later entries win, and win over what `headers` had; an empty value removes a header.
/// The lists were checked already: defaults at construction, the call's by `opts.validate()`.
fn merge_headers(headers: &mut HeaderMap, extra: &[(String, String)]) -> Result<(), Error> {
    for (name, value) in extra {
        let name = HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes())
            .map_err(|_| Error::invalid("headers", format!("{name:?} is not a valid header name")))?;
        if value.is_empty() {
            headers.remove(&name);
        } else {
            let value = HeaderValue::from_str(value)
                .map_err(|_| Error::invalid("headers", format!("the value of {name:?} is not a valid header value")))?;
            headers.insert(name, value);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ClientBuilder;
    use crate::types::StreamOptions;

    fn config() -> ClientConfig {
        ClientBuilder::new()
            .api_key("sk-test-1234567890")
            .base_url("https://openrouter.ai/api/v1/")
            .build_config()
            .unwrap()
    }

    #[test]
    fn wrong_types_name_the_field() {
        let e =
            parse_request::<ChatCompletionRequest>(r#"{"model":"m","messages":[],"temperature":"hot"}"#).unwrap_err();
        assert_eq!(e.field(), Some("temperature"));
        let e = parse_request::<ChatCompletionRequest>(r#"{"messages":[]}"#).unwrap_err();
        assert!(e.message().contains("model"), "{e}");
    }

    #[test]
    fn zero_values_and_unknown_fields_reach_the_body() {
        let req: ChatCompletionRequest = parse_request(
            r#"{"model":"openai/gpt-4.1","messages":[{"role":"user","content":"hi"}],"temperature":0,"top_p":0,"provider":{"order":["a"]},"models":["x","y"]}"#,
        )
        .unwrap();
        let body = chat_body(&config(), &req, true, &RequestOptions::default()).unwrap();
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["temperature"], 0.0);
        assert_eq!(v["top_p"], 0.0);
        assert_eq!(v["provider"]["order"][0], "a");
        assert_eq!(v["models"][1], "y");
        assert_eq!(v["stream"], true);
        assert_eq!(v["stream_options"]["include_usage"], true);
        assert!(v.get("max_tokens").is_none());
    }

    #[test]
    fn an_explicit_stream_false_is_sent_and_true_is_not_on_a_plain_call() {
        let mut req = ChatCompletionRequest::new("m", vec![crate::ChatMessage::user("hi")]);
        let plain = |req: &ChatCompletionRequest| -> Value {
            serde_json::from_slice(&chat_body(&config(), req, false, &RequestOptions::default()).unwrap()).unwrap()
        };
        assert!(plain(&req).get("stream").is_none());
        req.stream = Some(false);
        assert_eq!(plain(&req)["stream"], false);
        req.stream = Some(true);
        assert!(plain(&req).get("stream").is_none());
        let v: Value =
            serde_json::from_slice(&chat_body(&config(), &req, true, &RequestOptions::default()).unwrap()).unwrap();
        assert_eq!(v["stream"], true);
    }

    #[test]
    fn caller_stream_options_win_and_extra_body_merges_last() {
        let mut req = ChatCompletionRequest::new("m", vec![crate::ChatMessage::user("hi")]);
        req.stream_options = Some(StreamOptions {
            include_usage: Some(false),
            extra: Map::new(),
        });
        let mut extra = Map::new();
        extra.insert("transforms".into(), serde_json::json!(["middle-out"]));
        let opts = RequestOptions {
            extra_body: Some(extra),
            ..Default::default()
        };
        let v: Value = serde_json::from_slice(&chat_body(&config(), &req, true, &opts).unwrap()).unwrap();
        assert_eq!(v["stream_options"]["include_usage"], false);
        assert_eq!(v["transforms"][0], "middle-out");
    }

    #[test]
    fn missing_model_or_messages_or_bad_model_is_refused() {
        let e = ChatCompletionRequest::new("", vec![crate::ChatMessage::user("x")])
            .validate()
            .unwrap_err();
        assert_eq!(e.field(), Some("model"));
        let e = ChatCompletionRequest::new("m", vec![]).validate().unwrap_err();
        assert_eq!(e.field(), Some("messages"));
        let e = ChatCompletionRequest::new("m\r\nx", vec![crate::ChatMessage::user("x")])
            .validate()
            .unwrap_err();
        assert_eq!(e.field(), Some("model"));
    }

    #[test]
    fn headers_merge_and_authorization_is_sensitive() {
        let c = ClientBuilder::new()
            .api_key("sk-test-1234567890")
            .default_header("X-Title", "app")
            .default_header("x-remove", "a")
            .build_config()
            .unwrap();
        let opts = RequestOptions {
            headers: vec![
                ("x-title".into(), "override".into()),
                ("x-remove".into(), String::new()),
            ],
            query: vec![("a".into(), "b c".into())],
            ..Default::default()
        };
        let p = prepare(&c, http::Method::POST, "chat/completions", None, false, &opts).unwrap();
        assert_eq!(p.url.as_str(), "https://api.therouter.ai/v1/chat/completions?a=b+c");
        assert_eq!(
            p.uri.to_string(),
            p.url.as_str(),
            "hyper gets the same URL, query included"
        );
        assert_eq!(p.headers["x-title"], "override");
        assert!(p.headers.get("x-remove").is_none());
        assert!(p.headers["authorization"].is_sensitive());
        assert_eq!(p.headers["accept"], "application/json");
        // The template is shared by every request of a client: one call's headers never leak into the next.
        let template = RequestTemplate::new(&c).unwrap();
        let first = template
            .prepare(http::Method::POST, "chat/completions", None, true, &opts)
            .unwrap();
        let second = template
            .prepare(
                http::Method::POST,
                "chat/completions",
                None,
                true,
                &RequestOptions::default(),
            )
            .unwrap();
        assert_eq!(
            (
                first.headers["x-title"].to_str().unwrap(),
                second.headers["x-title"].to_str().unwrap()
            ),
            ("override", "app")
        );
        assert_eq!(second.url.as_str(), "https://api.therouter.ai/v1/chat/completions");
        assert_eq!(second.uri.to_string(), second.url.as_str());
        assert_eq!(second.headers["accept"], "text/event-stream");
        // A default accept or content-type wins over the engine's, as any default header does.
        let c = ClientBuilder::new()
            .api_key("sk-test-1234567890")
            .default_header("Accept", "application/x-ndjson")
            .build_config()
            .unwrap();
        let p = prepare(
            &c,
            http::Method::POST,
            "chat/completions",
            Some(Bytes::from_static(b"{}")),
            true,
            &RequestOptions::default(),
        )
        .unwrap();
        assert_eq!(p.headers["accept"], "application/x-ndjson");
        assert_eq!(p.headers["content-type"], "application/json");
        let bad = RequestOptions {
            headers: vec![("x".into(), "a\r\nb".into())],
            ..Default::default()
        };
        assert_eq!(
            prepare(&c, http::Method::GET, "models", None, false, &bad)
                .unwrap_err()
                .field(),
            Some("headers")
        );
    }

    fn edits(kind: BodyKind, stream: bool, extra: Option<&Map<String, Value>>) -> BodyEdits<'_> {
        BodyEdits {
            kind,
            stream,
            usage_by_default: true,
            extra,
        }
    }

    #[test]
    fn a_responses_stream_sets_stream_and_asks_for_no_usage() {
        let json = r#"{"model":"m","input":"hi","stream_options":null}"#;
        let (body, usage) = edits(BodyKind::Response, true, None).apply(json).unwrap();
        assert_eq!(
            body.unwrap(),
            r#"{"model":"m","input":"hi","stream_options":null,"stream":true}"#
        );
        assert!(!usage);
        let e = parse_request::<ResponseRequest>(r#"{"model":"m","input":42}"#)
            .unwrap()
            .validate()
            .unwrap_err();
        assert_eq!(e.field(), Some("input"));
        let e = parse_request::<ResponseRequest>(r#"{"model":"m","input":"x","tools":[1]}"#)
            .unwrap()
            .validate()
            .unwrap_err();
        assert_eq!(e.field(), Some("tools"));
    }

    #[test]
    fn a_validated_body_with_nothing_to_drop_goes_as_given() {
        let plain = r#"{"model":"m","messages":[{"role":"user","content":"streams"}]}"#;
        let (body, usage) = edits(BodyKind::Chat, false, None).body(Cow::Borrowed(plain)).unwrap();
        assert_eq!((&body[..], usage), (plain.as_bytes(), false));
        let go = r#"{"model":"m","messages":[],"stream":false}"#;
        let (body, _) = edits(BodyKind::Chat, false, None).body(Cow::Borrowed(go)).unwrap();
        assert_eq!(&body[..], go.as_bytes());
        // A `stream` key, plain or spelled with an escape, is still dropped from a call that is not a stream.
        for json in [
            r#"{"model":"m","stream":true,"messages":[]}"#,
            r#"{"model":"m","str\u0065am":true,"messages":[]}"#,
        ] {
            let (body, _) = edits(BodyKind::Chat, false, None).body(Cow::Borrowed(json)).unwrap();
            assert_eq!(&body[..], br#"{"model":"m","messages":[]}"#, "{json}");
        }
    }

    #[test]
    fn a_json_body_keeps_the_callers_order_and_bytes() {
        let json = r#"{"model":"m","response_format":{"type":"json_schema","json_schema":{"schema":{"properties":{"reasoning":{"type":"string"},"answer":{"type":"number","minimum":1.50}}}}},"messages":[{"role":"user","content":"hi"}],"zeta":1e3}"#;
        // Nothing to change: the body leaves exactly as given.
        assert_eq!(edits(BodyKind::Chat, false, None).apply(json).unwrap(), (None, false));
        // A stream: `stream` and `stream_options` appended, every other byte kept.
        let (body, usage) = edits(BodyKind::Chat, true, None).apply(json).unwrap();
        assert_eq!(
            body.unwrap(),
            format!(
                r#"{},"stream":true,"stream_options":{{"include_usage":true}}}}"#,
                &json[..json.len() - 1]
            )
        );
        assert!(usage);
        // The caller's `stream_options` win and keep their place; `stream` is set where it is.
        let own = r#"{"stream":false,"model":"m","stream_options":{"include_usage":false},"messages":[]}"#;
        let (body, usage) = edits(BodyKind::Chat, true, None).apply(own).unwrap();
        assert_eq!(
            body.unwrap(),
            r#"{"stream":true,"model":"m","stream_options":{"include_usage":false},"messages":[]}"#
        );
        assert!(!usage);
        // Not a stream: a `stream: true` and `stream_options` go, a `stream: false` stays (go-openai sends it).
        let (body, _) = edits(BodyKind::Chat, false, None).apply(own).unwrap();
        assert_eq!(body.unwrap(), r#"{"stream":false,"model":"m","messages":[]}"#);
        let (body, _) = edits(BodyKind::Completion, false, None)
            .apply(r#"{"model":"m","stream":true,"prompt":"p"}"#)
            .unwrap();
        assert_eq!(body.unwrap(), r#"{"model":"m","prompt":"p"}"#);
        // `stream_options: null` is no options: usage is asked for in its place.
        let (body, usage) = edits(BodyKind::Chat, true, None)
            .apply(r#"{"stream_options":null,"model":"m"}"#)
            .unwrap();
        assert_eq!(
            body.unwrap(),
            r#"{"stream_options":{"include_usage":true},"model":"m","stream":true}"#
        );
        assert!(usage);
        // A body that is not an object is refused, naming the request.
        let e = edits(BodyKind::Chat, true, None).apply("[]").unwrap_err();
        assert_eq!(e.field(), Some("request"));
    }

    #[test]
    fn extra_body_merges_in_place_and_appends_in_its_order() {
        let extra: Map<String, Value> = serde_json::from_str(r#"{"z":{"b":1,"a":2},"model":"other","a":[3]}"#).unwrap();
        let (body, _) = edits(BodyKind::Embedding, false, Some(&extra))
            .apply(r#"{"model":"m","input":"x"}"#)
            .unwrap();
        assert_eq!(
            body.unwrap(),
            r#"{"model":"other","input":"x","z":{"b":1,"a":2},"a":[3]}"#
        );
        let e = edits(BodyKind::Embedding, false, Some(&extra))
            .apply("[1]")
            .unwrap_err();
        assert_eq!(e.field(), Some("request"));
    }

    #[test]
    fn a_typed_body_keeps_the_order_of_its_values_and_extras() {
        let req: ChatCompletionRequest = parse_request(
            r#"{"zed":1,"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"z":{},"a":{}},"required":["z","a"]}}}],"alpha":2}"#,
        )
        .unwrap();
        let body = chat_body(&config(), &req, false, &RequestOptions::default()).unwrap();
        let text = std::str::from_utf8(&body).unwrap();
        assert_eq!(
            text,
            r#"{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"z":{},"a":{}},"required":["z","a"]}}}],"zed":1,"alpha":2}"#
        );
    }

    #[test]
    fn every_body_kind_names_its_typed_fields() {
        let full = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        let chat = serde_json::to_value(ChatCompletionRequest {
            max_tokens: Some(1),
            max_completion_tokens: Some(1),
            temperature: Some(0.0),
            top_p: Some(0.0),
            presence_penalty: Some(0.0),
            frequency_penalty: Some(0.0),
            stop: Some(Value::Null),
            n: Some(1),
            seed: Some(1),
            tools: Some(vec![]),
            tool_choice: Some(Value::Null),
            parallel_tool_calls: Some(true),
            response_format: Some(Value::Null),
            stream: Some(true),
            stream_options: Some(StreamOptions::default()),
            user: Some(String::new()),
            logprobs: Some(true),
            top_logprobs: Some(1),
            logit_bias: Some(Value::Null),
            ..Default::default()
        })
        .unwrap();
        let completion = serde_json::to_value(CompletionRequest {
            suffix: Some(String::new()),
            max_tokens: Some(1),
            temperature: Some(0.0),
            top_p: Some(0.0),
            n: Some(1),
            stream: Some(true),
            stream_options: Some(StreamOptions::default()),
            logprobs: Some(1),
            echo: Some(true),
            stop: Some(Value::Null),
            presence_penalty: Some(0.0),
            frequency_penalty: Some(0.0),
            best_of: Some(1),
            logit_bias: Some(Value::Null),
            seed: Some(1),
            user: Some(String::new()),
            ..Default::default()
        })
        .unwrap();
        let embedding = serde_json::to_value(EmbeddingRequest {
            encoding_format: Some(String::new()),
            dimensions: Some(1),
            user: Some(String::new()),
            ..Default::default()
        })
        .unwrap();
        let moderation = serde_json::to_value(ModerationRequest {
            model: Some(String::new()),
            ..Default::default()
        })
        .unwrap();
        let response = serde_json::to_value(ResponseRequest {
            instructions: Some(String::new()),
            tools: Some(vec![]),
            tool_choice: Some(Value::Null),
            parallel_tool_calls: Some(true),
            text: Some(Value::Null),
            reasoning: Some(Value::Null),
            max_output_tokens: Some(1),
            temperature: Some(0.0),
            top_p: Some(0.0),
            previous_response_id: Some(String::new()),
            store: Some(false),
            metadata: Some(Value::Null),
            stream: Some(true),
            user: Some(String::new()),
            ..Default::default()
        })
        .unwrap();
        for (kind, value) in [
            (BodyKind::Response, response),
            (BodyKind::Chat, chat),
            (BodyKind::Completion, completion),
            (BodyKind::Embedding, embedding),
            (BodyKind::Moderation, moderation),
        ] {
            assert_eq!(full(&value), kind.fields(), "{kind:?}");
        }
    }
}
