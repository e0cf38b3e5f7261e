//! A stream: bytes → SSE events → chunks → the accumulated result.
//!
//! Pull-based: the caller asks for the next chunk (or a batch of them), so a
//! binding crosses into its language once per batch, not once per chunk.
//!
//! This module holds the mechanics every stream shares (the watched reads, a
//! retry before the first event, batching, pacing, a fair share of the runtime
//! thread); what the events mean is a [`Protocol`]: [`Chat`] (chat
//! completions, in `chat.rs`) and [`Completions`] (legacy completions, in
//! `completions.rs`). [`Stream`] is generic over it and monomorphised, so each
//! protocol's hot path is compiled on its own.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::time::{Instant, Sleep};

use futures_util::FutureExt;
use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};

use crate::accumulate::StreamEvent;
use crate::call::{Accepted, CallContext, Sender};
use crate::error::{request_id_from, Error, ErrorKind};
use crate::fallback::{Fallback, Hedge};
use crate::receipt::{Receipt, Served};
use crate::request::PreparedRequest;
use crate::retry::RetryDecision;
use crate::sse::{SseDecoder, SseError, SseEvent};
use crate::transport::{next_data, Body};
use crate::types::{ChatCompletionChunk, Usage};

mod chat;
mod completions;
mod responses;

pub use chat::{Chat, ChatStream};
pub use completions::{CompletionAccumulator, CompletionStream, Completions};
pub use responses::{ResponseAccumulator, ResponseStream, Responses};

/// What the events of one kind of stream mean: how a chunk is parsed and checked, what
/// ends the stream, and how the chunks add up. Implemented by [`Chat`] and [`Completions`].
pub trait Protocol: Default + Send + 'static {
    /// One event's parsed data.
    type Chunk: std::fmt::Debug + Clone + Default + Send + serde::de::DeserializeOwned + 'static;
    /// What the chunks add up to.
    type Final: std::fmt::Debug + Clone + serde::Serialize;

    /// Reads one event: parses it into `place` (which may hold the previous chunk, to be
    /// reused) and accumulates it, with helper events appended to `events` when given.
    fn event(&mut self, event: &SseEvent, place: &mut Self::Chunk, events: Option<&mut Vec<StreamEvent>>) -> Step;
    /// Whether a chunk carries only usage (`choices: []`): the one the engine asked for on
    /// the caller's behalf is accumulated but not handed over.
    fn only_usage(chunk: &Self::Chunk) -> bool;
    /// A body that ends without the protocol's end marker is whole after this.
    fn finish_reason_seen(&self) -> bool;
    /// The error of a body that ends before the stream is whole.
    fn truncation_message(&self) -> &'static str {
        "the stream ended without [DONE] and without a finish reason: the answer may be truncated"
    }
    /// The last usage seen.
    fn usage(&self) -> Option<&Usage>;
    /// What the receipt reads from the accumulated state (the model, provider, id and usage
    /// that served): asked when a receipt is built, never per chunk.
    fn served(&self) -> Served {
        Served::default()
    }
    /// Whether, after this event, a part of the answer is whole and the structured check
    /// (`responses.parse_stream`) runs on the result so far: the Responses API's
    /// `response.output_text.done`, where the peers parse the text and raise.
    fn part_done(_chunk: &Self::Chunk) -> bool {
        false
    }
    /// The result as accumulated so far.
    fn snapshot(&self) -> Self::Final;
    /// The final result.
    fn finish(self) -> Self::Final;
}

/// What one event of a stream is.
#[derive(Debug)]
pub enum Step {
    /// A chunk, parsed into the place given: hand it over.
    Chunk,
    /// The stream's end marker (`[DONE]`).
    Done,
    /// A chunk that is also the stream's end (the Responses API's `response.completed`):
    /// hand it over, then end.
    Last,
    /// An error the gateway reported, or an event that does not parse.
    Fail(Error),
}

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
pub struct RawChunk<C = ChatCompletionChunk> {
    /// The event's `data`, verbatim JSON: bindings may parse it with their own parser.
    pub data: String,
    /// The parsed chunk; `None` on a stream set to [`Stream::data_only`].
    pub chunk: Option<C>,
    /// Helper events (content delta/done, tool-call arguments…), when enabled with
    /// [`Stream::enable_events`].
    pub events: Vec<StreamEvent>,
}

enum State {
    Open,
    Finished,
    Failed,
}

/// A stream of protocol `P`'s chunks ([`ChatStream`], [`CompletionStream`]). Dropping it closes the connection.
pub struct Stream<P: Protocol> {
    sender: Arc<Sender>,
    prepared: Arc<PreparedRequest>,
    ctx: CallContext,
    response: Option<Body>,
    headers: Vec<(String, String)>,
    request_id: Option<String>,
    attempts: u32,
    decoder: SseDecoder,
    decoded: Vec<SseEvent>,
    /// Chunks decoded from the attempt that is streaming (an error event is not one).
    chunks_this_attempt: usize,
    /// The attempt count when the current model's first attempt began (each model of a
    /// fallback chain has its own retries).
    model_base: u32,
    /// The models this stream may still move to before its first chunk.
    fallback: Option<Box<Fallback>>,
    /// A hedge not yet started (taken by the first read).
    hedge: Option<Box<Hedge>>,
    /// The receipt's first-token time is recorded (one look per read, not per chunk).
    first_event_seen: bool,
    /// In a hedge race: the receipt is shared with the other stream and finished by the one
    /// that is kept, so this one neither finishes it on failure nor on drop.
    racing: bool,
    ready: VecDeque<RawChunk<P::Chunk>>,
    protocol: P,
    with_events: bool,
    /// Whether each [`RawChunk`] carries its parsed chunk; otherwise chunks are parsed into `scratch`.
    typed: bool,
    scratch: P::Chunk,
    /// The engine asked for usage on the caller's behalf: the `choices: []` usage chunk that
    /// brings is kept for the accumulator but not handed over (tutorial loops index `choices[0]`).
    hide_added_usage: bool,
    pending_error: Option<Error>,
    /// Surrogate pairs split across events (see [`crate::surrogate`]).
    surrogates: crate::surrogate::StreamRepair,
    /// An event whose text ends a string with a high surrogate, held until the next event (or
    /// the end) says whether its low half follows: then it goes on, repaired.
    held: Option<SseEvent>,
    state: State,
    handed: usize,
    last_batch_at: Option<Instant>,
    /// Body pieces read since this stream last let its task yield (see [`FAIR_SHARE`]).
    since_yield: usize,
    watch: ReadWatch,
    /// The pacing timer of `next_batch_paced`, reset for each batch rather than made anew.
    pace: Option<Pin<Box<Sleep>>>,
    /// Structured outputs (`chat.parse_stream`): the check the whole answer must pass at the end.
    end_check: Option<Box<EndCheck>>,
}

/// A check of the accumulated result when the stream ends cleanly (structured outputs: the
/// finish reasons, the content parsed and checked against the caller's schema): a failure is the
/// stream's error, handed over after the chunks already decoded.
pub(crate) struct EndCheck {
    pub(crate) spec: crate::structured::ParseSpec,
    pub(crate) check: fn(&crate::structured::ParseSpec, &Bytes) -> Result<Bytes, Error>,
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

impl<P: Protocol> std::fmt::Debug for Stream<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stream")
            .field("request_id", &self.request_id)
            .field("attempts", &self.attempts)
            .finish()
    }
}

impl<P: Protocol> Stream<P> {
    pub(crate) fn new(
        sender: Arc<Sender>,
        prepared: Arc<PreparedRequest>,
        ctx: CallContext,
        (response, headers): Accepted,
        attempts: u32,
    ) -> Self {
        let max = sender.max_event_bytes;
        let watch = ReadWatch::new(&ctx);
        Stream {
            sender,
            prepared,
            ctx,
            response: Some(response.into_body()),
            request_id: request_id_from(&headers),
            headers,
            attempts,
            decoder: SseDecoder::with_max_event_bytes(max),
            decoded: Vec::new(),
            chunks_this_attempt: 0,
            model_base: 0,
            fallback: None,
            hedge: None,
            first_event_seen: false,
            racing: false,
            ready: VecDeque::new(),
            protocol: P::default(),
            with_events: false,
            typed: true,
            scratch: P::Chunk::default(),
            hide_added_usage: false,
            pending_error: None,
            surrogates: Default::default(),
            held: None,
            state: State::Open,
            handed: 0,
            last_batch_at: None,
            since_yield: 0,
            watch,
            pace: None,
            end_check: None,
        }
    }

    /// Checks the accumulated result when the stream ends (see [`EndCheck`]).
    pub(crate) fn check_at_end(&mut self, check: EndCheck) {
        self.end_check = Some(Box::new(check));
    }

    /// Runs the end check on the result so far and keeps it for the end (a part of the answer
    /// is whole, see [`Protocol::part_done`]).
    fn run_check_so_far(&mut self) {
        let Some(end) = self.end_check.as_ref() else { return };
        let result = serde_json::to_vec(&self.protocol.snapshot())
            .map_err(|e| Error::new(ErrorKind::Decode, format!("the stream's result ({e})")))
            .and_then(|json| (end.check)(&end.spec, &Bytes::from(json)));
        if let Err(e) = result {
            self.pending_error = Some(e);
        }
    }

    /// Runs the end check on the result so far. Before the end (`at_end` false) it runs only
    /// once every choice has its finish reason, so that a failure replaces the finish chunk, as
    /// the peers raise while they read it; otherwise it waits for the end.
    fn run_end_check(&mut self, at_end: bool) {
        if self.end_check.is_none() || (!at_end && !self.protocol.finish_reason_seen()) {
            return;
        }
        let whole = match serde_json::to_vec(&self.protocol.snapshot()) {
            Ok(json) => Bytes::from(json),
            Err(e) => {
                self.pending_error = Some(Error::new(ErrorKind::Decode, format!("the stream's result ({e})")));
                return;
            }
        };
        if !at_end && !every_choice_finished(&whole) {
            return;
        }
        let Some(end) = self.end_check.take() else { return };
        if let Err(e) = (end.check)(&end.spec, &whole) {
            self.pending_error = Some(e);
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

    /// The request's `stream_options.include_usage` was added by the engine, not the caller:
    /// chunks that carry only usage (`choices: []`) feed the accumulator and are not handed over.
    pub(crate) fn hide_added_usage(&mut self) {
        self.hide_added_usage = true;
    }

    /// The fallback chain left after opening, and the hedge to start if the first chunk is late.
    pub(crate) fn route(&mut self, fallback: Option<Fallback>, hedge: Option<Hedge>) {
        self.fallback = fallback.map(Box::new);
        self.hedge = hedge.map(Box::new);
    }

    /// A handle that cancels this stream from any thread.
    pub fn cancel_handle(&self) -> CancelHandle {
        CancelHandle(self.ctx.cancel.clone())
    }

    /// Stops the stream now and closes its connection; its receipt is final (and the
    /// client's hook has it) when this returns.
    pub fn cancel(&mut self) {
        self.ctx.cancel.cancel();
        self.response = None;
        self.end_receipt();
    }

    /// Response headers of the attempt that is streaming.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }
    /// The request id: the response's `x-request-id` header, as the peers read it.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
    /// Attempts made so far.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
    /// The route receipt: during the stream, what is known so far (the model and provider of
    /// the first chunk, the attempts, time to first byte and token); at its end, final
    /// ([`Receipt::complete`]), with the usage and cost the stream carried.
    pub fn receipt(&self) -> Receipt {
        self.ctx.trace.snapshot(Some(self.protocol.served()))
    }
    /// A handle that reads this stream's receipt from any thread, also after the stream is gone.
    pub fn receipt_handle(&self) -> crate::receipt::ReceiptHandle {
        crate::receipt::ReceiptHandle(self.ctx.trace.clone())
    }
    /// The result as accumulated from the chunks decoded so far.
    pub fn snapshot(&self) -> P::Final {
        self.protocol.snapshot()
    }
    /// The protocol's state (its accumulator), for cheap looks at it.
    pub fn protocol(&self) -> &P {
        &self.protocol
    }
    /// The last usage seen on any chunk.
    pub fn usage(&self) -> Option<&Usage> {
        self.protocol.usage()
    }
    /// Whether the stream ended cleanly.
    pub fn is_finished(&self) -> bool {
        matches!(self.state, State::Finished) && self.ready.is_empty()
    }

    /// The next chunk; `Ok(None)` at a clean end (`[DONE]`, or a close after a finish reason).
    pub async fn next(&mut self) -> Result<Option<P::Chunk>, Error> {
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
    pub async fn next_batch(&mut self, max: usize) -> Result<Vec<RawChunk<P::Chunk>>, Error> {
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
    pub async fn next_batch_paced(&mut self, max: usize, linger: Duration) -> Result<Vec<RawChunk<P::Chunk>>, Error> {
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

    /// Reads to the end and returns the accumulated result.
    pub async fn collect(mut self) -> Result<P::Final, Error> {
        while self.next().await?.is_some() {}
        Ok(std::mem::take(&mut self.protocol).finish())
    }

    /// The accumulated result, consuming the stream (its connection closes).
    pub fn into_completion(mut self) -> P::Final {
        self.end_receipt();
        std::mem::take(&mut self.protocol).finish()
    }

    /// The stream ended (cleanly, or closed before its end): the receipt is final and the
    /// client's hook has it. Once; later calls do nothing.
    fn end_receipt(&self) {
        if !self.racing && !self.ctx.trace.is_finished() {
            if matches!(self.state, State::Open) {
                // Closed or cancelled before its end: the attempt was stopped by the caller.
                self.ctx.trace.attempt_failed(&Error::cancelled());
            }
            self.ctx.trace.finish(Some(self.protocol.served()));
        }
    }

    /// Makes `ready` non-empty, or reaches the end, or fails.
    async fn fill(&mut self) -> Result<(), Error> {
        if let Some(hedge) = self.hedge.take() {
            // Boxed: the race's future is large and runs once per stream at most.
            return Box::pin(self.hedged_fill(*hedge)).await;
        }
        self.fill_plain().await
    }

    /// The first read of a hedged stream: this stream against a second one that starts on
    /// `hedge.model` when no chunk came within `hedge.after`; the first to yield is kept
    /// (as `self`), the other is dropped and its connection closed.
    async fn hedged_fill(&mut self, hedge: Hedge) -> Result<(), Error> {
        use std::sync::atomic::{AtomicBool, Ordering};
        let primary = hedge.primary.clone();
        let started = Arc::new(AtomicBool::new(false));
        let alt = {
            let sender = self.sender.clone();
            let mut ctx = self.ctx.clone();
            // The caller's cancel reaches the hedge too; dropping the hedge cancels nothing else.
            ctx.cancel = self.ctx.cancel.child_token();
            let (with_events, typed, hide) = (self.with_events, self.typed, self.hide_added_usage);
            let started = started.clone();
            let Hedge {
                after, model, prepared, ..
            } = hedge;
            async move {
                tokio::time::sleep(after).await;
                started.store(true, Ordering::SeqCst);
                crate::log::hedge("started", &model);
                ctx.trace.hedge_started(Some(&model));
                let prepared = Arc::new(prepared);
                let accepted = sender.send_with_retries(&prepared, &ctx, 0, 0).await.ok()?;
                let (response, attempts) = accepted;
                let mut s = Stream::<P>::new(sender, prepared, ctx, response, attempts);
                // Until it wins, the shared receipt is not this stream's to finish.
                s.racing = true;
                s.with_events = with_events;
                s.typed = typed;
                s.hide_added_usage = hide;
                s.fill_plain().await.ok()?;
                Some((s, model))
            }
        };
        self.racing = true;
        let mut alt = Box::pin(alt);
        enum Won<S> {
            First(Result<(), Error>),
            Hedge(S),
        }
        let won = {
            let mut first = Box::pin(self.fill_plain());
            let mut hedge_failed = false;
            loop {
                tokio::select! {
                    biased;
                    r = &mut first => break Won::First(r),
                    s = &mut alt, if !hedge_failed => match s {
                        Some(s) => break Won::Hedge(s),
                        // The hedge could not start or failed first: the stream goes on alone.
                        None => hedge_failed = true,
                    },
                }
            }
        };
        let hedged = started.load(Ordering::SeqCst);
        let won = match won {
            // This stream failed before its first chunk while the hedge runs: the hedge may still serve.
            Won::First(Err(e)) if hedged => match (&mut alt).await {
                Some(s) => Won::Hedge(s),
                None => Won::First(Err(e)),
            },
            other => other,
        };
        self.racing = false;
        match won {
            Won::First(result) => {
                drop(alt);
                if hedged {
                    self.ctx.trace.hedge_decided(Some(&primary), false);
                }
                // Its end was held back during the race: the receipt is finished now.
                result.map_err(|e| self.fail(e))
            }
            Won::Hedge((s, model)) => {
                self.take_over(s, &model);
                Ok(())
            }
        }
    }

    /// The hedge won: it becomes this stream, and the stream it replaces is dropped, which
    /// closes its connection.
    fn take_over(&mut self, winner: Stream<P>, model: &str) {
        crate::log::hedge("won", model);
        self.ctx.trace.hedge_decided(Some(model), true);
        let mut loser = std::mem::replace(self, winner);
        self.racing = false;
        self.attempts += loser.attempts;
        // The receipt is the winner's to finish; the loser's connection closes as it drops.
        loser.racing = true;
        drop(loser);
    }

    async fn fill_plain(&mut self) -> Result<(), Error> {
        loop {
            if !self.ready.is_empty() {
                if self.ctx.cancel.is_cancelled() {
                    // Cancelled: chunks decoded but not yet handed over are dropped, not delivered.
                    self.ready.clear();
                    return Err(self.fail(Error::cancelled()));
                }
                return Ok(());
            }
            if self.pending_error.is_some() && self.ctx.cancel.is_cancelled() {
                // Cancelled before a failure already read was handed over: like the chunks
                // dropped above, it is not delivered, and the caller's cancel ends the stream.
                self.pending_error = None;
                self.held = None;
                return Err(self.fail(Error::cancelled()));
            }
            if self.pending_error.is_some() && self.held.is_some() {
                // The event held for its surrogate was received before the failure: it goes first.
                self.release_held();
                continue;
            }
            if let Some(e) = self.pending_error.take() {
                // An error the gateway sent in the stream (its body typed) before any chunk may be
                // retried or moved to another model like an HTTP error; others are reported.
                if e.body().is_some() && matches!(self.state, State::Open) {
                    Box::pin(self.retry_or_fail(e)).await?;
                    continue;
                }
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
                // An event was received (and is held): never retried; reported after that event.
                Err(e) if self.held.is_some() => self.pending_error = Some(e),
                // Boxed: a reconnect's future is large and rare, and every read's future would carry its size.
                Err(e) => Box::pin(self.retry_or_fail(e)).await?,
            }
        }
    }

    /// A failure before any chunk of this attempt was decoded may be retried (nothing reached
    /// the caller), then moved to the next model of the fallback chain; after that it is
    /// reported, never replayed.
    async fn retry_or_fail(&mut self, error: Error) -> Result<(), Error> {
        let untouched =
            self.handed == 0 && self.chunks_this_attempt == 0 && self.ready.is_empty() && self.held.is_none();
        if !untouched || matches!(error.kind(), ErrorKind::Cancelled) {
            return Err(self.fail(error));
        }
        self.ctx.trace.attempt_failed(&error);
        let mut error = error.redact(&self.sender.api_key);
        loop {
            let decision = match self.ctx.deadline_passed() {
                true => RetryDecision::GiveUp,
                false => self
                    .ctx
                    .policy
                    .decide(self.attempts - self.model_base.min(self.attempts), &error),
            };
            self.response = None;
            match decision {
                RetryDecision::RetryAfter(delay) => {
                    crate::log::attempt_failed(self.attempts, &error, Some(delay));
                    self.ctx.trace.waiting(delay, crate::call::delay_reason(&error));
                    if let Err(e) = self.ctx.guard(tokio::time::sleep(delay)).await {
                        return Err(self.fail(e));
                    }
                }
                RetryDecision::GiveUp => {
                    let next = match self.fallback.as_mut() {
                        Some(f) if !self.ctx.cancel.is_cancelled() => f.next(&error),
                        _ => None,
                    };
                    match next {
                        Some(Ok((model, prepared))) => {
                            self.ctx.trace.use_model(&model);
                            self.prepared = Arc::new(prepared);
                            self.model_base = self.attempts;
                        }
                        Some(Err(e)) => return Err(self.fail(e)),
                        None => return Err(self.fail(error)),
                    }
                }
            }
            match self
                .sender
                .send_with_retries(&self.prepared, &self.ctx, self.attempts, self.model_base)
                .await
            {
                Ok(((response, headers), attempts)) => {
                    self.request_id = request_id_from(&headers);
                    self.headers = headers;
                    self.attempts = attempts;
                    self.response = Some(response.into_body());
                    self.watch.progress();
                    self.decoder = SseDecoder::with_max_event_bytes(self.sender.max_event_bytes);
                    self.chunks_this_attempt = 0;
                    // Nothing was handed over: a new attempt starts from an empty accumulator.
                    self.protocol = P::default();
                    return Ok(());
                }
                Err(e) => {
                    // Its retries are spent on this model: only another model may follow.
                    self.attempts = e.attempts();
                    error = e;
                }
            }
        }
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
        // A high surrogate that ended the stream's last text becomes U+FFFD there.
        if matches!(self.state, State::Open) && self.pending_error.is_none() && self.release_held() {
            self.finish_cleanly();
        }
        if matches!(self.state, State::Open) && self.pending_error.is_none() {
            self.response = None;
            if self.protocol.finish_reason_seen() {
                // Some gateways close without [DONE]; a finish reason says the answer is whole.
                self.state = State::Finished;
                self.run_end_check(true);
                if self.pending_error.is_none() {
                    crate::log::stream_end(self.handed + self.ready.len(), self.attempts, None);
                    self.end_receipt();
                }
            } else {
                self.pending_error = Some(Error::new(ErrorKind::Stream, self.protocol.truncation_message()));
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
        let error = error.redact(&self.sender.api_key).with_attempts(self.attempts);
        crate::log::stream_end(self.handed + self.ready.len(), self.attempts, Some(&error));
        if error.receipt().is_some() || self.racing {
            return error;
        }
        if !self.ctx.trace.is_finished() {
            self.ctx.trace.attempt_failed(&error);
        }
        let receipt = self.ctx.trace.finish_as(Some(self.protocol.served()), false);
        error.with_receipt(receipt)
    }

    fn process_events(&mut self) {
        let first = !self.first_event_seen && !self.decoded.is_empty();
        if first {
            self.first_event_seen = true;
            self.ctx.trace.first_token();
        }
        let mut ended = false;
        // Taken out (and put back, keeping its allocation) so that each event can go through `take_event`.
        let mut decoded = std::mem::take(&mut self.decoded);
        for mut event in decoded.drain(..) {
            if self.pending_error.is_some() || !matches!(self.state, State::Open) {
                break;
            }
            let repaired = self.surrogates.repair(&mut event.data);
            // This event decided the held one (its low half was taken, or not): that one goes first.
            if let Some(mut held) = self.held.take() {
                self.surrogates.settle(&mut held.data, false);
                if self.take_event(held) {
                    ended = true;
                    break;
                }
                if self.pending_error.is_some() {
                    break;
                }
            }
            if let Err(e) = repaired {
                self.pending_error = Some(e);
                break;
            }
            if self.surrogates.holds() {
                self.held = Some(event);
                continue;
            }
            if self.take_event(event) {
                ended = true;
                break;
            }
        }
        decoded.clear();
        self.decoded = decoded;
        if first {
            // Once per stream: what served, for a receipt read without the stream.
            self.ctx.trace.record_served(self.protocol.served());
        }
        if ended {
            self.finish_cleanly();
        }
    }

    /// The held event, if any, repaired as at the stream's end and taken; true when it ended the stream.
    fn release_held(&mut self) -> bool {
        let Some(mut held) = self.held.take() else {
            return false;
        };
        self.surrogates.settle(&mut held.data, true);
        self.take_event(held)
    }

    /// Parses one repaired event and queues its chunk; true when it ends the stream. A failure
    /// becomes the pending error.
    fn take_event(&mut self, event: SseEvent) -> bool {
        let mut events = Vec::new();
        let wanted = self.with_events.then_some(&mut events);
        let (step, chunk) = if self.typed {
            let mut chunk = P::Chunk::default();
            (self.protocol.event(&event, &mut chunk, wanted), Some(chunk))
        } else {
            (self.protocol.event(&event, &mut self.scratch, wanted), None)
        };
        let last = match step {
            Step::Chunk => false,
            Step::Last => true,
            Step::Fail(error) => {
                self.pending_error = Some(error);
                return false;
            }
            Step::Done => return true,
        };
        self.chunks_this_attempt += 1;
        if self.end_check.is_some() {
            // A failure replaces the event that completed what failed, as the peers raise while
            // they read it: a part's done event, the finish chunk, or the last event.
            if last {
                self.run_end_check(true);
            } else if P::part_done(chunk.as_ref().unwrap_or(&self.scratch)) {
                self.run_check_so_far();
            } else {
                self.run_end_check(false);
            }
            if self.pending_error.is_some() {
                return false;
            }
        }
        if !(self.hide_added_usage && P::only_usage(chunk.as_ref().unwrap_or(&self.scratch))) {
            self.ready.push_back(RawChunk {
                data: event.data,
                chunk,
                events,
            });
        }
        last
    }

    /// The end marker arrived: the stream is whole.
    fn finish_cleanly(&mut self) {
        self.state = State::Finished;
        // A structured check that fails makes this end the stream's error (its receipt, its log line).
        self.run_end_check(true);
        if self.pending_error.is_none() {
            crate::log::stream_end(self.handed + self.ready.len(), self.attempts, None);
            self.end_receipt();
        }
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
    }
}

/// Whether every choice of a result (JSON) has its finish reason.
fn every_choice_finished(whole: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Choice {
        finish_reason: Option<serde::de::IgnoredAny>,
    }
    #[derive(serde::Deserialize)]
    struct Whole {
        #[serde(default)]
        choices: Vec<Choice>,
    }
    serde_json::from_slice::<Whole>(whole)
        .map(|w| !w.choices.is_empty() && w.choices.iter().all(|c| c.finish_reason.is_some()))
        .unwrap_or(false)
}

impl<P: Protocol> Drop for Stream<P> {
    fn drop(&mut self) {
        // Closed before its end (or never read to it): the hook still gets the receipt, once.
        self.end_receipt();
    }
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

/// An error object the gateway sent inside a 200 stream.
pub(crate) fn stream_error(body: serde_json::Value) -> Error {
    Error::new(ErrorKind::Stream, "the gateway reported an error inside the stream").with_error_body(body)
}

/// One chunk of an [`AnyStream`]: the event's data as the gateway sent it (bindings parse it
/// with their own parser) and the helper events it caused.
#[derive(Debug, Clone)]
pub struct StreamItem {
    /// The event's `data`, verbatim JSON.
    pub data: String,
    /// Helper events, when enabled with [`AnyStream::enable_events`] (chat only).
    pub events: Vec<StreamEvent>,
}

impl<C> From<RawChunk<C>> for StreamItem {
    fn from(raw: RawChunk<C>) -> Self {
        StreamItem {
            data: raw.data,
            events: raw.events,
        }
    }
}

/// A stream of any operation of the table, as [`Client::open`](crate::Client::open) returns it:
/// one type for bindings, whatever the protocol. Match on it for the typed stream.
#[derive(Debug)]
#[non_exhaustive]
pub enum AnyStream {
    /// `chat_stream`.
    Chat(ChatStream),
    /// `completions_stream`.
    Completions(CompletionStream),
    /// `responses_stream` (boxed: its accumulator and event are larger than a chat stream's).
    Responses(Box<ResponseStream>),
}

/// Runs `$body` with `$s` bound to the typed stream inside.
macro_rules! each {
    ($self:expr, $s:ident => $body:expr) => {
        match $self {
            AnyStream::Chat($s) => $body,
            AnyStream::Completions($s) => $body,
            AnyStream::Responses($s) => $body,
        }
    };
}

impl AnyStream {
    /// The operation this stream answers.
    pub fn op(&self) -> crate::Op {
        match self {
            AnyStream::Chat(_) => crate::Op::ChatStream,
            AnyStream::Completions(_) => crate::Op::CompletionsStream,
            AnyStream::Responses(_) => crate::Op::ResponsesStream,
        }
    }
    /// See [`Stream::enable_events`].
    pub fn enable_events(&mut self) {
        each!(self, s => s.enable_events())
    }
    /// See [`Stream::data_only`].
    pub fn data_only(&mut self) {
        each!(self, s => s.data_only())
    }
    /// See [`Stream::cancel_handle`].
    pub fn cancel_handle(&self) -> CancelHandle {
        each!(self, s => s.cancel_handle())
    }
    /// See [`Stream::cancel`].
    pub fn cancel(&mut self) {
        each!(self, s => s.cancel())
    }
    /// See [`Stream::headers`].
    pub fn headers(&self) -> &[(String, String)] {
        each!(self, s => s.headers())
    }
    /// See [`Stream::request_id`].
    pub fn request_id(&self) -> Option<&str> {
        each!(self, s => s.request_id())
    }
    /// See [`Stream::attempts`].
    pub fn attempts(&self) -> u32 {
        each!(self, s => s.attempts())
    }
    /// See [`Stream::receipt`].
    pub fn receipt(&self) -> Receipt {
        each!(self, s => s.receipt())
    }
    /// See [`Stream::receipt_handle`].
    pub fn receipt_handle(&self) -> crate::receipt::ReceiptHandle {
        each!(self, s => s.receipt_handle())
    }
    /// See [`Stream::usage`].
    pub fn usage(&self) -> Option<&Usage> {
        each!(self, s => s.usage())
    }
    /// See [`Stream::is_finished`].
    pub fn is_finished(&self) -> bool {
        each!(self, s => s.is_finished())
    }
    /// See [`Stream::next_batch`].
    pub async fn next_batch(&mut self, max: usize) -> Result<Vec<StreamItem>, Error> {
        each!(self, s => Ok(s.next_batch(max).await?.into_iter().map(StreamItem::from).collect()))
    }
    /// See [`Stream::next_batch_paced`].
    pub async fn next_batch_paced(&mut self, max: usize, linger: Duration) -> Result<Vec<StreamItem>, Error> {
        each!(self, s => Ok(s.next_batch_paced(max, linger).await?.into_iter().map(StreamItem::from).collect()))
    }
    /// The result accumulated so far ([`Stream::snapshot`]) as JSON text.
    pub fn snapshot_json(&self) -> String {
        each!(self, s => serde_json::to_string(&s.snapshot()).unwrap_or_default())
    }
}
