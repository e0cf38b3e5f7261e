//! Request building: validating the caller's input, the JSON body, the URL
//! and the headers of one call.

use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::config::{join_url, ClientConfig, RequestOptions};
use crate::error::Error;
use crate::types::{ChatCompletionRequest, EmbeddingRequest, MessageContent, StreamOptions};

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

/// Field names of the request types, so errors can carry a `&'static str`.
fn leak_field_name(path: &str) -> &'static str {
    const KNOWN: [&str; 24] = [
        "model",
        "messages",
        "max_tokens",
        "max_completion_tokens",
        "temperature",
        "top_p",
        "presence_penalty",
        "frequency_penalty",
        "stop",
        "n",
        "seed",
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "response_format",
        "stream",
        "stream_options",
        "user",
        "logprobs",
        "top_logprobs",
        "logit_bias",
        "input",
        "encoding_format",
        "dimensions",
    ];
    let head = path.split(['.', '[']).next().unwrap_or("");
    KNOWN.iter().find(|k| **k == head).copied().unwrap_or("request")
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

/// The JSON body of a chat call: `stream` set, usage asked for on streams
/// unless the caller said otherwise, `extra_body` merged last.
pub fn chat_body(
    config: &ClientConfig,
    request: &ChatCompletionRequest,
    stream: bool,
    opts: &RequestOptions,
) -> Result<Bytes, Error> {
    request.validate()?;
    let add_usage = stream && usage_added(config, request);
    let drop_options = !stream && request.stream_options.is_some();
    if request.stream == stream.then_some(true) && !add_usage && !drop_options {
        return encode_body(request, opts);
    }
    let mut request = request.clone();
    request.stream = stream.then_some(true);
    if add_usage {
        request.stream_options = Some(StreamOptions {
            include_usage: Some(true),
            extra: Map::new(),
        });
    }
    if !stream {
        request.stream_options = None;
    }
    encode_body(&request, opts)
}

/// Whether a stream of `request` asks for usage because the engine does, not the caller.
pub fn usage_added(config: &ClientConfig, request: &ChatCompletionRequest) -> bool {
    request.stream_options.is_none() && config.include_usage_by_default
}

/// Serialises `body` and merges `extra_body` into it.
pub fn encode_body<T: serde::Serialize>(body: &T, opts: &RequestOptions) -> Result<Bytes, Error> {
    let encoded = match &opts.extra_body {
        None => serde_json::to_vec(body),
        Some(extra) => {
            let mut value = serde_json::to_value(body).map_err(|e| Error::invalid("request", e))?;
            if let Value::Object(map) = &mut value {
                for (k, v) in extra {
                    map.insert(k.clone(), v.clone());
                }
            }
            serde_json::to_vec(&value)
        }
    };
    encoded.map(Bytes::from).map_err(|e| Error::invalid("request", e))
}

/// What every request of one client shares, worked out once when the client
/// is built: the endpoints' URLs and the configured headers (authorization,
/// user agent, default headers).
#[derive(Debug, Clone)]
pub struct RequestTemplate {
    base_url: String,
    endpoints: [(&'static str, (url::Url, http::Uri)); 3],
    headers: HeaderMap,
    /// Default headers win over the per-call `accept` and `content-type`, as they win over the user agent.
    defaults_set_accept: bool,
    defaults_set_content_type: bool,
}

impl RequestTemplate {
    /// Checks and parses what `config` contributes to every request.
    pub fn new(config: &ClientConfig) -> Result<RequestTemplate, Error> {
        let endpoints = [
            ("chat/completions", endpoint_url(&config.base_url, "chat/completions")?),
            ("models", endpoint_url(&config.base_url, "models")?),
            ("embeddings", endpoint_url(&config.base_url, "embeddings")?),
        ];
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
}
