//! One call: its limits (idle timeout, deadline, cancellation, retry policy), the
//! retry loop over attempts, and what an attempt turns a response into.
//!
//! Both the client (a request and its response body) and a stream (a reconnect
//! before its first event) send through here, so neither needs the other.

use std::future::Future;
use std::ops::Deref;
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::error::{Error, ErrorKind};
use crate::receipt::{CallReceipt, DelayReason, Trace};
use crate::request::PreparedRequest;
use crate::retry::{parse_retry_after, RetryDecision, RetryPolicy};
use crate::secret::ApiKey;
use crate::transport::{exact_length, next_data, HttpResponse, Transport};

/// A successful response with what the call learned on the way.
#[derive(Debug, Clone)]
pub struct Response<T> {
    /// The decoded body.
    pub data: T,
    /// HTTP status of the final attempt.
    pub status: u16,
    /// Response headers, lower-cased names.
    pub headers: Vec<(String, String)>,
    /// The request id: the response's `x-request-id` header, as the peers read it.
    pub request_id: Option<String>,
    /// Attempts made, the successful one included.
    pub attempts: u32,
    /// The route receipt: models asked and served, provider, ids, every attempt, timings, usage and
    /// cost (a [`Receipt`](crate::Receipt) through `Deref`, completed when first read).
    pub receipt: CallReceipt,
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
            receipt: self.receipt,
        }
    }

    /// Converts the body with a function that may fail, keeping the metadata.
    pub fn try_map<U, E>(self, f: impl FnOnce(T) -> Result<U, E>) -> Result<Response<U>, E> {
        Ok(Response {
            data: f(self.data)?,
            status: self.status,
            headers: self.headers,
            request_id: self.request_id,
            attempts: self.attempts,
            receipt: self.receipt,
        })
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
    /// Records the call's receipt; shared with the stream the call opens.
    pub trace: Trace,
}

impl CallContext {
    pub(crate) fn deadline_passed(&self) -> bool {
        self.deadline_at.is_some_and(|t| Instant::now() >= t)
    }

    /// Runs `fut` unless the caller cancels, the deadline passes, or nothing happens
    /// for the idle timeout: for waits on the network.
    pub(crate) async fn guard_idle<F: Future>(&self, fut: F) -> Result<F::Output, Error> {
        self.guarded(Some(self.idle), fut).await
    }

    /// Runs `fut` unless the caller cancels or the deadline passes: for waits the
    /// engine chose (a retry's backoff), which the idle timeout must not cut short.
    pub(crate) async fn guard<F: Future>(&self, fut: F) -> Result<F::Output, Error> {
        self.guarded(None, fut).await
    }

    async fn guarded<F: Future>(&self, idle: Option<Duration>, fut: F) -> Result<F::Output, Error> {
        let deadline = async {
            match self.deadline_at {
                Some(t) => tokio::time::sleep_until(t).await,
                None => std::future::pending().await,
            }
        };
        let idle_timer = async {
            match idle {
                Some(d) => tokio::time::sleep(d).await,
                None => std::future::pending().await,
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

/// What sending needs from a client: its connections and, to redact errors, its key.
/// A stream keeps one so that it can reconnect without holding the client.
pub(crate) struct Sender {
    pub http: Transport,
    pub api_key: ApiKey,
    pub max_event_bytes: usize,
}

/// A response whose status is below 400, with its headers as pairs.
pub(crate) type Accepted = (HttpResponse, Vec<(String, String)>);

impl Sender {
    /// Sends until a response with a success status arrives or the policy gives up.
    /// `attempts_so_far` lets a stream that failed before its first event go on counting;
    /// `model_base` is the count when the current model's first attempt began (each model of a
    /// fallback chain has its own `max_retries`).
    pub(crate) async fn send_with_retries(
        &self,
        prepared: &PreparedRequest,
        ctx: &CallContext,
        attempts_so_far: u32,
        model_base: u32,
    ) -> Result<(Accepted, u32), Error> {
        self.with_retries(ctx, attempts_so_far, model_base, || self.attempt(prepared, ctx))
            .await
    }

    /// Runs `op` (one attempt) until it succeeds or the policy gives up, sleeping between attempts.
    pub(crate) async fn with_retries<T, F, Fut>(
        &self,
        ctx: &CallContext,
        attempts_so_far: u32,
        model_base: u32,
        mut op: F,
    ) -> Result<(T, u32), Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let mut attempts = attempts_so_far;
        loop {
            attempts += 1;
            ctx.trace.attempt_started();
            let error = match op().await {
                Ok(value) => return Ok((value, attempts)),
                Err(e) => e.redact(&self.api_key),
            };
            ctx.trace.attempt_failed(&error);
            if matches!(error.kind(), ErrorKind::Cancelled | ErrorKind::InvalidRequest) || ctx.deadline_passed() {
                crate::log::attempt_failed(attempts, &error, None);
                return Err(error.with_attempts(attempts));
            }
            match ctx.policy.decide(attempts - model_base.min(attempts), &error) {
                RetryDecision::GiveUp => {
                    crate::log::attempt_failed(attempts, &error, None);
                    return Err(error.with_attempts(attempts));
                }
                RetryDecision::RetryAfter(delay) => {
                    crate::log::attempt_failed(attempts, &error, Some(delay));
                    ctx.trace.waiting(delay, delay_reason(&error));
                    // The wait yields to cancellation and the deadline, like every other wait.
                    ctx.guard(tokio::time::sleep(delay)).await.map_err(|e| {
                        crate::log::attempt_failed(attempts, &e, None);
                        e.with_attempts(attempts)
                    })?;
                }
            }
        }
    }

    /// One attempt: send, wait for the status line, turn a status ≥ 400 into an error.
    pub(crate) async fn attempt(&self, prepared: &PreparedRequest, ctx: &CallContext) -> Result<Accepted, Error> {
        crate::log::request_start(prepared);
        let response = ctx.guard_idle(self.http.send(prepared)).await??;
        let headers = header_pairs(response.headers());
        let status = response.status().as_u16();
        crate::log::response(status, &headers);
        ctx.trace.response_started(status, &headers);
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

/// Why the policy waits what it waits after `error`: the server's header when it sent one
/// (the policy waits exactly that), else the delay its error body gave, else the backoff.
pub(crate) fn delay_reason(error: &Error) -> DelayReason {
    if error.retry_after().is_none() {
        DelayReason::Backoff
    } else if parse_retry_after(error.headers(), SystemTime::now()).is_some() {
        DelayReason::RetryAfter
    } else {
        DelayReason::GatewayHint
    }
}

/// Reads a whole body, the idle timeout applying to each piece, up to `max_body_bytes`
/// (counted after decompression, and checked before each piece is kept).
pub(crate) async fn read_body(response: HttpResponse, ctx: &CallContext) -> Result<Bytes, Error> {
    let mut body = response.into_body();
    let length = exact_length(&body);
    if length.is_some_and(|n| n > ctx.max_body as u64) {
        return Err(crate::limits::body_too_large(ctx.max_body));
    }
    // The pieces are kept as they come and joined once: a growing buffer would copy and
    // double its allocation on the way to a limit that a bomb reaches.
    let mut pieces: Vec<Bytes> = Vec::new();
    let mut total = 0usize;
    while let Some(piece) = ctx.guard_idle(next_data(&mut body)).await?? {
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
