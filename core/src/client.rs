//! The async client: one connection pool, the retry loop, timeouts and
//! cancellation around every network wait.

use std::future::Future;
use std::ops::Deref;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::config::{ClientBuilder, ClientConfig, RequestOptions};
use crate::error::{Error, ErrorKind};
use crate::request::{self, PreparedRequest, RequestTemplate};
use crate::retry::{parse_retry_after, RetryDecision, RetryPolicy};
use crate::stream::ChatStream;
use crate::transport::{exact_length, next_data, HttpResponse, Transport};
use crate::types::{ChatCompletion, ChatCompletionRequest, EmbeddingRequest, EmbeddingResponse, ModelList};
use http::Method;

/// A client for one gateway. Cheap to clone; clones share the connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<ClientInner>,
}

struct ClientInner {
    config: ClientConfig,
    http: Transport,
    template: RequestTemplate,
}

impl ClientInner {
    fn new(config: ClientConfig, http: Transport) -> Result<ClientInner, Error> {
        Ok(ClientInner {
            template: RequestTemplate::new(&config)?,
            config,
            http,
        })
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("config", &self.inner.config).finish()
    }
}

/// A successful response with what the call learned on the way.
#[derive(Debug, Clone)]
pub struct Response<T> {
    /// The decoded body.
    pub data: T,
    /// HTTP status of the final attempt.
    pub status: u16,
    /// Response headers, lower-cased names.
    pub headers: Vec<(String, String)>,
    /// The gateway's request id (`x-request-id` and friends).
    pub request_id: Option<String>,
    /// Attempts made, the successful one included.
    pub attempts: u32,
}

impl<T> Deref for Response<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.data
    }
}

impl<T> Response<T> {
    /// Converts the body, keeping the metadata.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            data: f(self.data),
            status: self.status,
            headers: self.headers,
            request_id: self.request_id,
            attempts: self.attempts,
        }
    }
}

/// The limits of one call, shared by its attempts and, for a stream, its reads.
#[derive(Clone, Debug)]
pub(crate) struct CallContext {
    pub idle: Duration,
    /// Streams: the longest wait for an event while only keep-alive comments arrive.
    pub keepalive: Duration,
    /// Largest body accepted (non-streaming), after decompression.
    pub max_body: usize,
    pub deadline_at: Option<Instant>,
    pub cancel: CancellationToken,
    pub policy: RetryPolicy,
}

impl CallContext {
    fn deadline_passed(&self) -> bool {
        self.deadline_at.is_some_and(|t| Instant::now() >= t)
    }

    /// Runs `fut` unless the caller cancels, the deadline passes, or (when
    /// `idle` is set) nothing happens for the idle timeout.
    pub(crate) async fn guard<F: Future>(&self, idle: bool, fut: F) -> Result<F::Output, Error> {
        let deadline = async {
            match self.deadline_at {
                Some(t) => tokio::time::sleep_until(t).await,
                None => std::future::pending().await,
            }
        };
        let idle_timer = async {
            if idle {
                tokio::time::sleep(self.idle).await
            } else {
                std::future::pending().await
            }
        };
        tokio::select! {
            biased;
            _ = self.cancel.cancelled() => Err(Error::cancelled()),
            out = fut => Ok(out),
            _ = idle_timer => Err(self.idle_error()),
            _ = deadline => Err(self.deadline_error()),
        }
    }

    pub(crate) fn idle_error(&self) -> Error {
        Error::new(
            ErrorKind::Timeout,
            format!("request timed out: nothing received for {:?}", self.idle),
        )
    }

    /// A non-streaming attempt did not complete within `timeout` (openai-node's and
    /// go-openai's bound): a body that trickles cannot hold the call.
    pub(crate) fn total_error(&self) -> Error {
        Error::new(
            ErrorKind::Timeout,
            format!(
                "request timed out: the response was not complete within the timeout ({:?})",
                self.idle
            ),
        )
    }

    pub(crate) fn deadline_error(&self) -> Error {
        Error::new(ErrorKind::Timeout, "request timed out: the call's deadline passed")
    }
}

impl Client {
    /// A client from a validated configuration.
    pub fn new(config: ClientConfig) -> Result<Client, Error> {
        let http = Transport::new(&config)?;
        Ok(Client {
            inner: Arc::new(ClientInner::new(config, http)?),
        })
    }

    /// A builder with the peers' defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from `THEROUTER_*` / `OPENAI_*` variables or `.env`.
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::new().from_env().build()
    }

    /// The configuration this client was built from.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// A client with another configuration that shares this one's connection
    /// pool when the connect timeout is the same (openai's `with_options`).
    pub fn with_config(&self, config: ClientConfig) -> Result<Client, Error> {
        if config.connect_timeout == self.inner.config.connect_timeout
            && config.extra_root_certificates == self.inner.config.extra_root_certificates
        {
            return Ok(Client {
                inner: Arc::new(ClientInner::new(config, self.inner.http.clone())?),
            });
        }
        Client::new(config)
    }

    /// `POST /chat/completions`, not streaming.
    pub async fn chat(
        &self,
        request: &ChatCompletionRequest,
        opts: &RequestOptions,
    ) -> Result<Response<ChatCompletion>, Error> {
        let body = request::chat_body(&self.inner.config, request, false, opts)?;
        self.exchange(Method::POST, "chat/completions", Some(body), opts, |bytes| {
            let completion: ChatCompletion = decode_typed(bytes)?;
            match error_instead_of_choices(completion.extra.get("error"), completion.choices.len()) {
                Some(error) => Err(error),
                None => Ok(completion),
            }
        })
        .await
    }

    /// `POST /chat/completions`, returning the body as received (checked to be JSON).
    /// Bindings use it to build native objects with their own JSON parser.
    pub async fn chat_raw(
        &self,
        request: &ChatCompletionRequest,
        opts: &RequestOptions,
    ) -> Result<Response<Bytes>, Error> {
        let body = request::chat_body(&self.inner.config, request, false, opts)?;
        self.exchange(Method::POST, "chat/completions", Some(body), opts, |bytes| {
            #[derive(serde::Deserialize)]
            struct Probe {
                error: Option<serde_json::Value>,
                #[serde(default)]
                choices: Vec<serde::de::IgnoredAny>,
            }
            let probe: Probe = decode_typed(bytes)?;
            match error_instead_of_choices(probe.error.as_ref(), probe.choices.len()) {
                Some(error) => Err(error),
                None => Ok(bytes.clone()),
            }
        })
        .await
    }

    /// `POST /chat/completions` with `stream: true`. Returns once the response
    /// headers arrived; the events are pulled with [`ChatStream::next`].
    pub async fn chat_stream(
        &self,
        request: &ChatCompletionRequest,
        opts: &RequestOptions,
    ) -> Result<ChatStream, Error> {
        let body = request::chat_body(&self.inner.config, request, true, opts)?;
        let prepared = self
            .inner
            .template
            .prepare(Method::POST, "chat/completions", Some(body), true, opts)?;
        let ctx = self.context(opts);
        let (response, attempts) = self.connect(&prepared, &ctx, 0).await?;
        Ok(ChatStream::new(
            self.clone(),
            Arc::new(prepared),
            ctx,
            response,
            attempts,
        ))
    }

    /// `GET /models`.
    pub async fn list_models(&self, opts: &RequestOptions) -> Result<Response<ModelList>, Error> {
        self.exchange(Method::GET, "models", None, opts, decode_typed).await
    }

    /// `POST /embeddings`.
    pub async fn embeddings(
        &self,
        request: &EmbeddingRequest,
        opts: &RequestOptions,
    ) -> Result<Response<EmbeddingResponse>, Error> {
        request.validate()?;
        let body = request::encode_body(request, opts)?;
        self.exchange(Method::POST, "embeddings", Some(body), opts, decode_typed)
            .await
    }

    /// `POST /embeddings`, returning the body as received (checked to be JSON).
    pub async fn embeddings_raw(
        &self,
        request: &EmbeddingRequest,
        opts: &RequestOptions,
    ) -> Result<Response<Bytes>, Error> {
        request.validate()?;
        let body = request::encode_body(request, opts)?;
        self.send(Method::POST, "embeddings", Some(body), opts).await
    }

    /// Any JSON endpoint under the base URL, with retries: the body as received (checked to be JSON).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Bytes>,
        opts: &RequestOptions,
    ) -> Result<Response<Bytes>, Error> {
        self.exchange(method, path, body, opts, |bytes| {
            decode_typed::<serde::de::IgnoredAny>(bytes).map(|_| bytes.clone())
        })
        .await
    }

    /// One non-streaming call: attempts with retries, each reading the whole
    /// body (a body that breaks off is retried like a failed connection), then `decode`.
    async fn exchange<T>(
        &self,
        method: Method,
        path: &str,
        body: Option<Bytes>,
        opts: &RequestOptions,
        decode: impl Fn(&Bytes) -> Result<T, Error>,
    ) -> Result<Response<T>, Error> {
        let prepared = self.inner.template.prepare(method, path, body, false, opts)?;
        let ctx = self.context(opts);
        let ((status, headers, data), attempts) = self
            .with_retries(&ctx, 0, || async {
                let whole = async {
                    let (response, headers) = self.attempt(&prepared, &ctx).await?;
                    let status = response.status().as_u16();
                    let bytes = read_body(response, &ctx).await?;
                    Ok::<_, Error>((status, headers, bytes))
                };
                let (status, headers, bytes) = tokio::time::timeout(ctx.idle, whole)
                    .await
                    .map_err(|_| ctx.total_error())??;
                match crate::limits::check_body(bytes).and_then(|bytes| decode(&bytes)) {
                    Ok(data) => Ok((status, headers, data)),
                    Err(e) => Err(e.with_headers(headers)),
                }
            })
            .await?;
        let request_id = crate::error::request_id_from(&headers);
        Ok(Response {
            data,
            status,
            headers,
            request_id,
            attempts,
        })
    }

    pub(crate) fn context(&self, opts: &RequestOptions) -> CallContext {
        let config = &self.inner.config;
        let mut policy = config.retry.clone();
        if let Some(n) = opts.max_retries {
            policy.max_retries = n;
        }
        let idle = opts.timeout.unwrap_or(config.timeout);
        CallContext {
            idle,
            keepalive: (opts.keepalive_timeout.or(config.keepalive_timeout))
                .unwrap_or(crate::limits::DEFAULT_KEEPALIVE_TIMEOUT.max(idle)),
            max_body: config.max_body_bytes,
            deadline_at: opts.deadline.or(config.deadline).map(|d| Instant::now() + d),
            cancel: opts.cancel.clone().unwrap_or_default(),
            policy,
        }
    }

    /// Sends until a response with a success status arrives or the policy gives up.
    /// `attempts_so_far` lets a stream that failed before its first event go on counting.
    pub(crate) async fn connect(
        &self,
        prepared: &PreparedRequest,
        ctx: &CallContext,
        attempts_so_far: u32,
    ) -> Result<((HttpResponse, Vec<(String, String)>), u32), Error> {
        self.with_retries(ctx, attempts_so_far, || self.attempt(prepared, ctx))
            .await
    }

    async fn with_retries<T, F, Fut>(
        &self,
        ctx: &CallContext,
        attempts_so_far: u32,
        mut op: F,
    ) -> Result<(T, u32), Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let mut attempts = attempts_so_far;
        loop {
            attempts += 1;
            let error = match op().await {
                Ok(value) => return Ok((value, attempts)),
                Err(e) => e.redact(self.inner.config.api_key.expose()),
            };
            if matches!(error.kind(), ErrorKind::Cancelled | ErrorKind::InvalidRequest) || ctx.deadline_passed() {
                crate::log::attempt_failed(attempts, &error, None);
                return Err(error.with_attempts(attempts));
            }
            match ctx.policy.decide(attempts, &error) {
                RetryDecision::GiveUp => {
                    crate::log::attempt_failed(attempts, &error, None);
                    return Err(error.with_attempts(attempts));
                }
                RetryDecision::RetryAfter(delay) => {
                    crate::log::attempt_failed(attempts, &error, Some(delay));
                    // The wait yields to cancellation and the deadline, like every other wait.
                    ctx.guard(false, tokio::time::sleep(delay)).await.map_err(|e| {
                        crate::log::attempt_failed(attempts, &e, None);
                        e.with_attempts(attempts)
                    })?;
                }
            }
        }
    }

    /// One attempt: send, wait for the status line, turn a status ≥ 400 into an error.
    async fn attempt(
        &self,
        prepared: &PreparedRequest,
        ctx: &CallContext,
    ) -> Result<(HttpResponse, Vec<(String, String)>), Error> {
        crate::log::request_start(prepared);
        let response = ctx.guard(true, self.inner.http.send(prepared)).await??;
        let headers = header_pairs(response.headers());
        let status = response.status().as_u16();
        crate::log::response(status, &headers);
        if status < 400 {
            return Ok((response, headers));
        }
        // Bounded in total like a non-streaming body, also when the attempt opens a stream.
        let body = tokio::time::timeout(ctx.idle, read_body(response, ctx))
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default();
        Err(status_error(status, headers, &body))
    }
}

/// Reads a whole body, the idle timeout applying to each piece, up to `max_body_bytes`
/// (counted after decompression, and checked before each piece is kept).
async fn read_body(response: HttpResponse, ctx: &CallContext) -> Result<Bytes, Error> {
    let mut body = response.into_body();
    let length = exact_length(&body);
    if length.is_some_and(|n| n > ctx.max_body as u64) {
        return Err(crate::limits::body_too_large(ctx.max_body));
    }
    // The pieces are kept as they come and joined once: a growing buffer would copy and
    // double its allocation on the way to a limit that a bomb reaches.
    let mut pieces: Vec<Bytes> = Vec::new();
    let mut total = 0usize;
    while let Some(piece) = ctx.guard(true, next_data(&mut body)).await?? {
        if pieces.is_empty() && length.is_some_and(|n| n as usize == piece.len()) {
            return Ok(piece);
        }
        total += piece.len();
        if total > ctx.max_body {
            return Err(crate::limits::body_too_large(ctx.max_body));
        }
        pieces.push(piece);
    }
    Ok(match pieces.len() {
        0 => Bytes::new(),
        1 => pieces.pop().unwrap_or_default(),
        _ => {
            let mut buf = BytesMut::with_capacity(total);
            for piece in &pieces {
                buf.extend_from_slice(piece);
            }
            buf.freeze()
        }
    })
}

fn decode_typed<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, Error> {
    serde_json::from_slice(bytes).map_err(|e| {
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).into_owned();
        Error::new(
            ErrorKind::Decode,
            format!("the response is not the expected JSON ({e}): {head:?}"),
        )
    })
}

/// OpenRouter answers some failures with HTTP 200 and an `error` object instead of choices:
/// the typed and the raw chat paths both ask this one question.
fn error_instead_of_choices(error: Option<&serde_json::Value>, choices: usize) -> Option<Error> {
    let error = error.filter(|e| !e.is_null() && choices == 0)?;
    Some(
        Error::new(ErrorKind::Stream, "the gateway reported an error in a 200 response")
            .with_error_body(serde_json::json!({ "error": error })),
    )
}

pub(crate) fn header_pairs(headers: &http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// The error for a status ≥ 400, with the parsed body, request id and retry-after.
pub(crate) fn status_error(status: u16, headers: Vec<(String, String)>, body: &[u8]) -> Error {
    let retry_after = parse_retry_after(&headers, SystemTime::now());
    let reason = http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("error");
    let error = Error::new(ErrorKind::Status, reason)
        .with_status(status)
        .with_headers(headers)
        .with_retry_after(retry_after);
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(value) => error.with_error_body(value),
        Err(_) if body.is_empty() => error,
        Err(_) => error.with_text_body(String::from_utf8_lossy(body).into_owned()),
    }
}
