//! A chat stream: bytes → SSE events → chunks → the accumulated completion.
//!
//! Pull-based: the caller asks for the next chunk (or a batch of them), so a
//! binding crosses into its language once per batch, not once per chunk.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::time::{Instant, Sleep};

use futures_util::FutureExt;
use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};

use crate::accumulate::{ChatAccumulator, StreamEvent};
use crate::client::{CallContext, Client};
use crate::error::{request_id_from, Error, ErrorKind};
use crate::request::PreparedRequest;
use crate::retry::RetryDecision;
use crate::sse::{SseDecoder, SseError, SseEvent};
use crate::transport::{next_data, Body, HttpResponse};
use crate::types::{parse_chunk_into, ChatCompletion, ChatCompletionChunk, Usage};

/// Body pieces a stream reads before it lets its task yield. A stream that drives its own
/// connection finds the next event ready for as long as the socket holds some, so without
/// this one fast stream would hold its runtime thread and delay every other stream on it
/// (over 200 concurrent asyncio streams, Python's first-chunk p99 went to 181 ms; with a
/// yield every 16 pieces it is 95 ms, at about a tenth more CPU per chunk in Node).
const FAIR_SHARE: usize = 16;

/// Cancels a call or a stream from any thread. Cloning shares the same signal.
#[derive(Clone, Debug, Default)]
pub struct CancelHandle(CancellationToken);

impl CancelHandle {
    /// A handle wrapping `token`.
    pub fn new(token: CancellationToken) -> Self {
        CancelHandle(token)
    }
    /// Stops the call: a pending or later read returns [`ErrorKind::Cancelled`] and the connection is closed.
    pub fn cancel(&self) {
        self.0.cancel()
    }
    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.is_cancelled()
    }
    /// The token, to pass in [`RequestOptions::cancel`](crate::RequestOptions::cancel).
    pub fn token(&self) -> CancellationToken {
        self.0.clone()
    }
}

/// A chunk with the event text it was parsed from and the helper events it caused.
#[derive(Debug, Clone)]
pub struct RawChunk {
    /// The event's `data`, verbatim JSON: bindings may parse it with their own parser.
    pub data: String,
    /// The parsed chunk; `None` on a stream set to [`ChatStream::data_only`].
    pub chunk: Option<ChatCompletionChunk>,
    /// Helper events (content delta/done, tool-call arguments…), when enabled with
    /// [`ChatStream::enable_events`].
    pub events: Vec<StreamEvent>,
}

enum State {
    Open,
    Finished,
    Failed,
}

/// A streaming chat completion. Dropping it closes the connection.
pub struct ChatStream {
    client: Client,
    prepared: Arc<PreparedRequest>,
    ctx: CallContext,
    response: Option<Body>,
    headers: Vec<(String, String)>,
    request_id: Option<String>,
    attempts: u32,
    decoder: SseDecoder,
    decoded: Vec<SseEvent>,
    events_this_attempt: usize,
    ready: VecDeque<RawChunk>,
    accumulator: ChatAccumulator,
    with_events: bool,
    /// Whether each [`RawChunk`] carries its parsed chunk; otherwise chunks are parsed into `scratch`.
    typed: bool,
    scratch: ChatCompletionChunk,
    pending_error: Option<Error>,
    /// Surrogate pairs split across events (see [`crate::surrogate`]).
    surrogates: crate::surrogate::StreamRepair,
    state: State,
    handed: usize,
    last_batch_at: Option<Instant>,
    /// Body pieces read since this stream last let its task yield (see [`FAIR_SHARE`]).
    since_yield: usize,
    watch: ReadWatch,
    /// The pacing timer of `next_batch_paced`, reset for each batch rather than made anew.
    pace: Option<Pin<Box<Sleep>>>,
}

/// The waits around every read of a stream, kept from one read to the next: a
/// new timer and cancel waiter per read cost more than decoding the chunk they
/// wait for. The idle timer is pushed back only when it fires early.
struct ReadWatch {
    cancelled: Pin<Box<WaitForCancellationFutureOwned>>,
    idle: Pin<Box<Sleep>>,
    deadline: Option<Pin<Box<Sleep>>>,
    last_progress: Instant,
    /// When the last event (not a comment) arrived, or the attempt connected.
    last_event: Instant,
}

impl ReadWatch {
    fn new(ctx: &CallContext) -> ReadWatch {
        let now = Instant::now();
        ReadWatch {
            cancelled: Box::pin(ctx.cancel.clone().cancelled_owned()),
            idle: Box::pin(tokio::time::sleep_until(now + ctx.idle)),
            deadline: ctx.deadline_at.map(|t| Box::pin(tokio::time::sleep_until(t))),
            last_progress: now,
            last_event: now,
        }
    }

    /// Something arrived (or a new attempt connected): the idle timeout counts from now.
    fn progress(&mut self) {
        self.last_progress = Instant::now();
        self.last_event = self.last_progress;
    }

    /// The next piece of the body, unless the caller cancels, the deadline
    /// passes, or nothing arrives for the idle timeout (what `CallContext::guard` does for one wait).
    async fn read(&mut self, ctx: &CallContext, response: &mut Body) -> Result<Option<Bytes>, Error> {
        let ReadWatch {
            cancelled,
            idle,
            deadline,
            last_progress,
            ..
        } = self;
        loop {
            let deadline_passed = async {
                match deadline.as_mut() {
                    Some(d) => d.as_mut().await,
                    None => std::future::pending().await,
                }
            };
            // The body first: while data flows, the cancel waiter is not polled at all (each poll
            // takes its lock); `fill` checks for a cancel before it hands anything over.
            tokio::select! {
                biased;
                out = next_data(response) => {
                    *last_progress = Instant::now();
                    return out;
                }
                _ = cancelled.as_mut() => return Err(Error::cancelled()),
                _ = idle.as_mut() => {
                    let due = *last_progress + ctx.idle;
                    if Instant::now() >= due {
                        return Err(ctx.idle_error());
                    }
                    idle.as_mut().reset(due);
                }
                _ = deadline_passed => return Err(ctx.deadline_error()),
            }
        }
    }
}

impl std::fmt::Debug for ChatStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatStream")
            .field("request_id", &self.request_id)
            .field("attempts", &self.attempts)
            .finish()
    }
}

impl ChatStream {
    pub(crate) fn new(
        client: Client,
        prepared: Arc<PreparedRequest>,
        ctx: CallContext,
        (response, headers): (HttpResponse, Vec<(String, String)>),
        attempts: u32,
    ) -> Self {
        let max = client.config().max_event_bytes;
        let watch = ReadWatch::new(&ctx);
        ChatStream {
            client,
            prepared,
            ctx,
            response: Some(response.into_body()),
            request_id: request_id_from(&headers),
            headers,
            attempts,
            decoder: SseDecoder::with_max_event_bytes(max),
            decoded: Vec::new(),
            events_this_attempt: 0,
            ready: VecDeque::new(),
            accumulator: ChatAccumulator::new(),
            with_events: false,
            typed: true,
            scratch: ChatCompletionChunk::default(),
            pending_error: None,
            surrogates: Default::default(),
            state: State::Open,
            handed: 0,
            last_batch_at: None,
            since_yield: 0,
            watch,
            pace: None,
        }
    }

    /// Record helper events on each [`RawChunk`] (what the Python and Node stream helpers emit).
    pub fn enable_events(&mut self) {
        self.with_events = true;
    }

    /// For callers that read each chunk from [`RawChunk::data`] with their own parser:
    /// the stream parses every chunk into one reused value, for its checks and the
    /// accumulator, and hands over `RawChunk::chunk` as `None`. This saves the
    /// allocations of a new chunk per event. [`next`](Self::next) still works (it parses the data again).
    pub fn data_only(&mut self) {
        self.typed = false;
    }

    /// A handle that cancels this stream from any thread.
    pub fn cancel_handle(&self) -> CancelHandle {
        CancelHandle(self.ctx.cancel.clone())
    }

    /// Stops the stream now and closes its connection.
    pub fn cancel(&mut self) {
        self.ctx.cancel.cancel();
        self.response = None;
    }

    /// Response headers of the attempt that is streaming.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }
    /// The gateway's request id.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
    /// Attempts made so far.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
    /// The completion as accumulated from the chunks decoded so far.
    pub fn snapshot(&self) -> ChatCompletion {
        self.accumulator.snapshot()
    }
    /// The accumulator, for cheap looks at its state.
    pub fn accumulator(&self) -> &ChatAccumulator {
        &self.accumulator
    }
    /// The last usage seen on any chunk.
    pub fn usage(&self) -> Option<&Usage> {
        self.accumulator.usage()
    }
    /// Whether the stream ended cleanly.
    pub fn is_finished(&self) -> bool {
        matches!(self.state, State::Finished) && self.ready.is_empty()
    }

    /// The next chunk; `Ok(None)` at a clean end (`[DONE]`, or a close after a finish reason).
    pub async fn next(&mut self) -> Result<Option<ChatCompletionChunk>, Error> {
        self.fill().await?;
        let Some(raw) = self.ready.pop_front() else {
            return Ok(None);
        };
        self.handed += 1;
        match raw.chunk {
            Some(chunk) => Ok(Some(chunk)),
            // Parsed once already, so this cannot fail; a failure is still reported, never a panic.
            None => serde_json::from_str(&raw.data)
                .map(Some)
                .map_err(|e| Error::new(ErrorKind::Decode, format!("a stream event is not a valid chunk ({e})"))),
        }
    }

    /// Up to `max` chunks, waiting only for the first: what has already
    /// arrived is handed over in one go. Empty at a clean end.
    pub async fn next_batch(&mut self, max: usize) -> Result<Vec<RawChunk>, Error> {
        let max = max.max(1);
        self.fill().await?;
        // Also take what the connection has already delivered, without waiting: a
        // gateway writes one event per write, and one crossing per event is what
        // bindings must avoid. An error found here comes after these chunks.
        while self.ready.len() < max
            && matches!(self.state, State::Open)
            && self.pending_error.is_none()
            && self.since_yield < FAIR_SHARE
        {
            let Some(response) = self.response.as_mut() else { break };
            let next = next_data(response).now_or_never();
            self.since_yield += 1;
            match next {
                None => break,
                Some(Ok(Some(bytes))) => self.on_bytes(&bytes),
                Some(Ok(None)) => self.on_body_end(),
                Some(Err(e)) => self.pending_error = Some(e),
            }
        }
        let n = self.ready.len().min(max);
        self.handed += n;
        Ok(self.ready.drain(..n).collect())
    }

    /// Like [`next_batch`](Self::next_batch), paced for callers whose every
    /// crossing is costly (a promise in Node, a GIL round trip in Python): when
    /// the previous batch left less than `linger` ago, chunks are gathered until
    /// `linger` after it (or `max`). A fast burst then crosses once per `linger`,
    /// while the first chunk after a pause is handed over at once.
    pub async fn next_batch_paced(&mut self, max: usize, linger: Duration) -> Result<Vec<RawChunk>, Error> {
        let max = max.max(1);
        let mut batch = self.next_batch(max).await?;
        if let Some(until) = self.last_batch_at.map(|t| t + linger) {
            // One timer for the whole gathering, not one per event that arrives, and the same one for every batch.
            let mut deadline = match self.pace.take() {
                Some(mut timer) => {
                    timer.as_mut().reset(until);
                    timer
                }
                None => Box::pin(tokio::time::sleep_until(until)),
            };
            while !batch.is_empty() && batch.len() < max {
                tokio::select! {
                    biased;
                    more = self.next_batch(max - batch.len()) => match more {
                        Ok(more) if !more.is_empty() => batch.extend(more),
                        Ok(_) => break,
                        // Reported on the next call, after the chunks already gathered.
                        Err(e) => {
                            self.pending_error = Some(e);
                            break;
                        }
                    },
                    _ = deadline.as_mut() => break,
                }
            }
            self.pace = Some(deadline);
        }
        self.last_batch_at = Some(Instant::now());
        Ok(batch)
    }

    /// Reads to the end and returns the accumulated completion.
    pub async fn collect(mut self) -> Result<ChatCompletion, Error> {
        while self.next().await?.is_some() {}
        Ok(self.accumulator.finish())
    }

    /// The accumulated completion, consuming the stream (its connection closes).
    pub fn into_completion(self) -> ChatCompletion {
        self.accumulator.finish()
    }

    /// Makes `ready` non-empty, or reaches the end, or fails.
    async fn fill(&mut self) -> Result<(), Error> {
        loop {
            if !self.ready.is_empty() {
                if self.ctx.cancel.is_cancelled() {
                    // Cancelled: chunks decoded but not yet handed over are dropped, not delivered.
                    self.ready.clear();
                    return Err(self.fail(Error::cancelled()));
                }
                return Ok(());
            }
            if let Some(e) = self.pending_error.take() {
                return Err(self.fail(e));
            }
            match self.state {
                State::Finished => return Ok(()),
                State::Failed => {
                    return Err(Error::new(ErrorKind::Stream, "the stream already failed").with_attempts(self.attempts))
                }
                State::Open => {}
            }
            // No cancel check here: a pending read wakes on the cancel, and after a read that
            // found data the check above runs before anything is handed over (one lock per fill).
            if self.since_yield >= FAIR_SHARE {
                self.since_yield = 0;
                tokio::task::yield_now().await;
            }
            let Some(response) = self.response.as_mut() else {
                return Err(self.fail(Error::cancelled()));
            };
            self.since_yield += 1;
            match self.watch.read(&self.ctx, response).await {
                Ok(Some(bytes)) => self.on_bytes(&bytes),
                Ok(None) => self.on_body_end(),
                // Boxed: a reconnect's future is large and rare, and every read's future would carry its size.
                Err(e) => Box::pin(self.retry_or_fail(e)).await?,
            }
        }
    }

    /// A failure before any event of this attempt was decoded may be retried
    /// (nothing reached the caller); after that it is reported, never replayed.
    async fn retry_or_fail(&mut self, error: Error) -> Result<(), Error> {
        let untouched = self.handed == 0 && self.events_this_attempt == 0 && self.ready.is_empty();
        if !untouched || matches!(error.kind(), ErrorKind::Cancelled) {
            return Err(self.fail(error));
        }
        if let RetryDecision::RetryAfter(delay) = self.ctx.policy.decide(self.attempts, &error) {
            crate::log::attempt_failed(self.attempts, &error, Some(delay));
            self.response = None;
            if let Err(e) = self.ctx.guard(false, tokio::time::sleep(delay)).await {
                return Err(self.fail(e));
            }
            match self.client.connect(&self.prepared, &self.ctx, self.attempts).await {
                Ok(((response, headers), attempts)) => {
                    self.request_id = request_id_from(&headers);
                    self.headers = headers;
                    self.attempts = attempts;
                    self.response = Some(response.into_body());
                    self.watch.progress();
                    self.decoder = SseDecoder::with_max_event_bytes(self.client.config().max_event_bytes);
                    return Ok(());
                }
                Err(e) => {
                    self.attempts = e.attempts();
                    return Err(self.fail(e));
                }
            }
        }
        Err(self.fail(error))
    }

    /// A piece of the body arrived: decode its events.
    fn on_bytes(&mut self, bytes: &[u8]) {
        if let Err(SseError::EventTooLarge { limit }) = self.decoder.feed(bytes, &mut self.decoded) {
            self.pending_error = Some(Error::new(
                ErrorKind::Stream,
                format!("a stream event is larger than {limit} bytes (max_event_bytes)"),
            ));
        }
        if !self.decoded.is_empty() {
            self.watch.last_event = self.watch.last_progress;
        } else if self.watch.last_progress >= self.watch.last_event + self.ctx.keepalive && self.pending_error.is_none()
        {
            // Keep-alives alone (comments, a partial event) for this long: the gateway is alive
            // but the answer is not coming. Checked as bytes arrive; silence is the idle timeout's.
            self.pending_error = Some(Error::new(
                ErrorKind::Timeout,
                format!(
                    "stream timed out: only keep-alive comments, no event, for {:?} (keepalive_timeout)",
                    self.ctx.keepalive
                ),
            ));
        }
        self.process_events();
    }

    /// The body ended: a clean end needs `[DONE]` or a finish reason.
    fn on_body_end(&mut self) {
        if let Err(SseError::EventTooLarge { limit }) = self.decoder.finish(&mut self.decoded) {
            self.pending_error = Some(Error::new(
                ErrorKind::Stream,
                format!("a stream event is larger than {limit} bytes (max_event_bytes)"),
            ));
        }
        self.process_events();
        if matches!(self.state, State::Open) && self.pending_error.is_none() {
            self.response = None;
            if self.accumulator.finish_reason_seen() {
                // Some gateways close without [DONE]; a finish reason says the answer is whole.
                self.state = State::Finished;
                crate::log::stream_end(self.handed + self.ready.len(), self.attempts, None);
            } else {
                self.pending_error = Some(Error::new(
                    ErrorKind::Stream,
                    "the stream ended without [DONE] and without a finish reason: the answer may be truncated",
                ));
            }
        }
    }

    fn fail(&mut self, error: Error) -> Error {
        self.state = State::Failed;
        self.response = None;
        let error = if error.headers().is_empty() {
            error.with_headers(self.headers.clone())
        } else {
            error
        };
        // A gateway may echo the key in an error event, as in an error body.
        let error = error
            .redact(self.client.config().api_key.expose())
            .with_attempts(self.attempts);
        crate::log::stream_end(self.handed + self.ready.len(), self.attempts, Some(&error));
        error
    }

    fn process_events(&mut self) {
        self.events_this_attempt += self.decoded.len();
        for mut event in self.decoded.drain(..) {
            if self.pending_error.is_some() || !matches!(self.state, State::Open) {
                break;
            }
            if let Err(e) = self.surrogates.repair(&mut event.data) {
                self.pending_error = Some(e);
                break;
            }
            if event.data == "[DONE]" {
                self.state = State::Finished;
                crate::log::stream_end(self.handed + self.ready.len(), self.attempts, None);
                // The connection goes back to its pool at the body's end. Never wait for it here (a
                // gateway that keeps the socket open must not hang us): when it is not here yet, a
                // task reads it, for a second and 64 KiB at most, and the connection is kept if it comes.
                if let Some(mut response) = self.response.take() {
                    if next_data(&mut response).now_or_never().is_none() {
                        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                            runtime.spawn(drain_after_done(response));
                        }
                    }
                }
                break;
            }
            if event.event.as_deref() == Some("error") {
                let body = serde_json::from_str(&event.data).unwrap_or(serde_json::Value::String(event.data));
                self.pending_error = Some(stream_error(body));
                break;
            }
            let parsed = if self.typed {
                let mut chunk = ChatCompletionChunk::default();
                parse_chunk_into(&event.data, &mut chunk).map(|()| Some(chunk))
            } else {
                parse_chunk_into(&event.data, &mut self.scratch).map(|()| None)
            };
            let chunk = match parsed {
                Ok(chunk) => chunk,
                Err(e) => {
                    let head: String = event.data.chars().take(120).collect();
                    self.pending_error = Some(Error::new(
                        ErrorKind::Decode,
                        format!("a stream event is not a valid chunk ({e}): {head:?}"),
                    ));
                    break;
                }
            };
            let parsed = chunk.as_ref().unwrap_or(&self.scratch);
            if let Some(error) = parsed.extra.get("error").filter(|e| !e.is_null()) {
                self.pending_error = Some(stream_error(serde_json::json!({ "error": error })));
                break;
            }
            let mut events = Vec::new();
            if self.with_events {
                self.accumulator.push_with_events(parsed, &mut events);
            } else {
                self.accumulator.push(parsed);
            }
            if parsed
                .choices
                .iter()
                .any(|c| c.index != 0 || c.delta.tool_calls.is_some())
            {
                if let Some(e) = over_bounds(&self.accumulator) {
                    self.pending_error = Some(e);
                    break;
                }
            }
            self.ready.push_back(RawChunk {
                data: event.data,
                chunk,
                events,
            });
        }
    }
}

/// What the accumulator holds, against the bounds on choices and tool calls: a stream of
/// distinct indexes must not grow the client's memory without end.
fn over_bounds(accumulator: &ChatAccumulator) -> Option<Error> {
    use crate::limits::{MAX_CHOICES, MAX_TOOL_CALLS};
    let (choices, calls) = accumulator.sizes();
    let what = if choices > MAX_CHOICES {
        format!("more than {MAX_CHOICES} choices")
    } else if calls > MAX_TOOL_CALLS {
        format!("more than {MAX_TOOL_CALLS} tool calls in one choice")
    } else {
        return None;
    };
    Some(Error::new(ErrorKind::Decode, format!("the stream holds {what}")))
}

/// Reads what follows `[DONE]` (normally just the body's end), briefly.
async fn drain_after_done(mut response: Body) {
    let drained = async {
        let mut left = 64 * 1024;
        while let Ok(Some(piece)) = next_data(&mut response).await {
            left -= piece.len().min(left);
            if left == 0 {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), drained).await;
}

fn stream_error(body: serde_json::Value) -> Error {
    Error::new(ErrorKind::Stream, "the gateway reported an error inside the stream").with_error_body(body)
}
