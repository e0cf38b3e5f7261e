//! The route receipt: what one call did on its way through the gateway, on every
//! response, stream and error (issue 19).
//!
//! A [`Receipt`] says which model was asked for and which served, by which provider,
//! under which gateway ids, after which attempts (each with the delay waited before it
//! and why), whether a fallback or a hedge fired, how long the first byte, the first
//! token and the whole call took, and the usage and cost the gateway reported.
//!
//! It is filled by a `Trace` that the call's context carries: the retry loop
//! (`call.rs`) records each attempt, the stream (`stream/mod.rs`) records its first
//! event and its end. Nothing is recorded per chunk: a stream's model, provider and
//! usage are read from its accumulator when the receipt is asked for, so the cost per
//! chunk stays zero. Nothing in a receipt holds the key: header values that echo it
//! are masked, and request headers are never kept.

use std::ops::Deref;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use crate::error::Error;

/// The route receipt of one call (see the [module docs](self)).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Receipt {
    /// The `model` of the request as the caller sent it.
    pub model_requested: Option<String>,
    /// The model that served (the response's or first chunk's `model`).
    pub model: Option<String>,
    /// The provider that served (OpenRouter's `provider` field, else TheRouter's `x-router-provider`).
    pub provider: Option<String>,
    /// The gateway's request id (`x-request-id`, `x-router-request-id`, …).
    pub request_id: Option<String>,
    /// The generation id (`x-generation-id`, else the body's `id`).
    pub generation_id: Option<String>,
    /// The gateway's own headers of the attempt that answered: LiteLLM's `x-litellm-*`,
    /// TheRouter's `x-router-*`, OpenRouter's `x-openrouter-*`; lower-case names, in arrival order.
    pub gateway_headers: Vec<(String, String)>,
    /// The gateway's cache status (`x-openrouter-cache-status`, `x-cache-status`,
    /// `x-litellm-cache-status`, `x-cache`), as sent (`HIT`, `MISS`, …).
    pub cache_status: Option<String>,
    /// Every attempt, in order, the last one included.
    pub attempts: Vec<Attempt>,
    /// The client-side fallback chain.
    pub fallback: Fallback,
    /// A hedged stream.
    pub hedge: Hedge,
    /// From the start of the call to the response headers of the attempt that answered.
    pub time_to_first_byte: Option<Duration>,
    /// From the start of the call to the first event of the stream (streams only).
    pub time_to_first_token: Option<Duration>,
    /// From the start of the call to its end (or, on a stream still open, to now).
    pub total_time: Option<Duration>,
    /// Input (prompt) tokens, from `usage.prompt_tokens` or `usage.input_tokens`.
    pub input_tokens: Option<u64>,
    /// Output (completion) tokens, from `usage.completion_tokens` or `usage.output_tokens`.
    pub output_tokens: Option<u64>,
    /// The usage object as the gateway sent it (`prompt_tokens_details`, `cost`, … kept).
    pub usage: Option<Value>,
    /// `usage.cost` (OpenRouter), else LiteLLM's `x-litellm-response-cost` header.
    pub cost: Option<f64>,
    /// `usage.cost_details`, verbatim.
    pub cost_details: Option<Value>,
    /// The call has ended (a stream: reached its end, failed, or was closed); until then the
    /// receipt of a stream grows.
    pub complete: bool,
}

/// One attempt of a call.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Attempt {
    /// The model this attempt asked for.
    pub model: Option<String>,
    /// The HTTP status it got, when a response arrived.
    pub status: Option<u16>,
    /// How it failed ([`ErrorKind::as_str`](crate::ErrorKind::as_str): `status`, `connection`, `timeout`, `stream`, …);
    /// `None` for the attempt that answered.
    pub error: Option<&'static str>,
    /// The delay waited before this attempt (zero for the first).
    pub delay: Duration,
    /// Why that delay (none for the first attempt).
    pub delay_reason: Option<DelayReason>,
    /// This attempt was started as a hedge beside another one.
    pub hedge: bool,
}

/// Why a retry waited what it waited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DelayReason {
    /// The server's `retry-after-ms` / `retry-after` header.
    RetryAfter,
    /// The client's exponential backoff.
    Backoff,
    /// The gateway's error body (`error.availability.retry_after`, `metadata.retry_after`).
    GatewayHint,
}

impl DelayReason {
    /// The snake_case name of the wire form: `retry_after`, `backoff`, `gateway_hint`.
    pub fn as_str(self) -> &'static str {
        match self {
            DelayReason::RetryAfter => "retry_after",
            DelayReason::Backoff => "backoff",
            DelayReason::GatewayHint => "gateway_hint",
        }
    }
}

/// The fallback chain's part in a call.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fallback {
    /// A model after the first one was tried.
    pub fired: bool,
    /// The model of the chain that answered, when a fallback fired and one did.
    pub model: Option<String>,
}

/// A hedged stream's part in a call.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hedge {
    /// A hedge request was started.
    pub fired: bool,
    /// The model of the stream that was handed to the caller, when a hedge fired.
    pub model: Option<String>,
    /// The hedge (not the first request) won.
    pub hedge_won: bool,
}

/// A callback that receives each receipt when its call ends.
pub type ReceiptFn = dyn Fn(&Receipt) + Send + Sync;

/// The per-client hook ([`ClientBuilder::on_receipt`](crate::ClientBuilder::on_receipt)), called once
/// per call when it ends: a response, an error, a stream's end, failure, cancel or drop.
/// A hook that panics does not break the call: the panic is caught and dropped.
#[derive(Clone)]
pub struct ReceiptHook(pub Arc<ReceiptFn>);

impl std::fmt::Debug for ReceiptHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReceiptHook(..)")
    }
}

impl ReceiptHook {
    fn call(&self, receipt: &Receipt) {
        // The user's code must not turn a successful call into a panic in ours.
        let _ = catch_unwind(AssertUnwindSafe(|| (self.0)(receipt)));
    }
}

/// What a body says about who served it: read where the body is parsed anyway (a
/// response), or from a stream's accumulator when its receipt is asked for.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Served {
    /// The body's `id`.
    pub id: Option<String>,
    /// The body's `model`.
    pub model: Option<String>,
    /// The body's `provider` (OpenRouter).
    pub provider: Option<String>,
    /// The body's `usage`, verbatim.
    pub usage: Option<Value>,
}

impl Served {
    /// From a body's fields; empty strings and a null usage count as absent.
    pub fn new(id: &str, model: &str, provider: Option<&Value>, usage: Option<Value>) -> Served {
        let text = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        Served {
            id: text(id),
            model: text(model),
            provider: provider.and_then(Value::as_str).map(str::to_owned),
            usage: usage.filter(|u| !u.is_null()),
        }
    }
}

/// What a response body said about who served it, its usage still the body's text: a call's
/// receipt is completed only when read ([`CallReceipt`]), and the usage, an object of hashed
/// keys, was the dearest part of it to build.
/// No `Debug`: its usage text is not yet searched for the key.
#[derive(Clone, Default)]
pub(crate) struct ServedBody {
    /// `usage` is `None` here: it is `usage_text`, parsed when the receipt is read.
    pub(crate) fields: Served,
    /// The body's `usage` as it wrote it: a copy, not a slice of the body, so that a receipt
    /// nobody reads does not keep the body's whole buffer alive (Go frees an unread receipt
    /// only when its collector runs, which the engine's memory does not prompt).
    pub(crate) usage_text: Option<Box<str>>,
}

impl ServedBody {
    /// `fields` and the body's usage text `usage`.
    pub(crate) fn new(fields: Served, usage: Option<&serde_json::value::RawValue>) -> ServedBody {
        ServedBody {
            fields,
            usage_text: usage.map(|u| u.get().into()),
        }
    }

    fn into_served(self) -> Served {
        let usage = self
            .usage_text
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .filter(Value::is_object);
        Served { usage, ..self.fields }
    }
}

/// The receipt of a call that is not a stream ([`Response::receipt`](crate::Response::receipt)):
/// a [`Receipt`] (it derefs to one), completed the first time it is read. Until then it keeps
/// what the call recorded and the body's texts, so a call whose receipt nobody reads does not
/// fill in its usage nor search its texts for the key. With a receipt hook on the client it is
/// complete when the call returns (the hook had it first).
#[derive(Clone)]
pub struct CallReceipt {
    done: OnceLock<Receipt>,
    later: Option<Box<PendingReceipt>>,
}

/// What completes a [`CallReceipt`]: the receipt as the call left it, and what the body said.
#[derive(Clone)]
struct PendingReceipt {
    receipt: Receipt,
    served: ServedBody,
    secret: Option<crate::secret::ApiKey>,
}

impl PendingReceipt {
    fn complete(self) -> Receipt {
        let mut r = self.receipt;
        complete_with(&mut r, Some(self.served.into_served()), self.secret.as_ref());
        r
    }
}

impl CallReceipt {
    fn ready(receipt: Receipt) -> CallReceipt {
        CallReceipt {
            done: OnceLock::from(receipt),
            later: None,
        }
    }

    /// The receipt itself, completed now if it was not yet.
    pub fn into_receipt(self) -> Receipt {
        match self.done.into_inner() {
            Some(r) => r,
            None => self.later.map(|p| p.complete()).unwrap_or_default(),
        }
    }
}

impl Deref for CallReceipt {
    type Target = Receipt;
    fn deref(&self) -> &Receipt {
        self.done.get_or_init(|| {
            self.later
                .as_deref()
                .cloned()
                .map(PendingReceipt::complete)
                .unwrap_or_default()
        })
    }
}

impl std::fmt::Debug for CallReceipt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        Receipt::fmt(self, f)
    }
}

impl PartialEq for CallReceipt {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl PartialEq<Receipt> for CallReceipt {
    fn eq(&self, other: &Receipt) -> bool {
        **self == *other
    }
}

impl PartialEq<CallReceipt> for Receipt {
    fn eq(&self, other: &CallReceipt) -> bool {
        *self == **other
    }
}

impl From<CallReceipt> for Receipt {
    fn from(r: CallReceipt) -> Receipt {
        r.into_receipt()
    }
}

/// Records a call's receipt as it runs. Cloning shares it (a stream keeps the one its
/// call started, a hedge's second request records into the same). Locked only at
/// attempt boundaries, the first event and the end: a few times per call, never per chunk.
#[derive(Clone, Debug)]
pub(crate) struct Trace {
    inner: Arc<Mutex<TraceState>>,
    hook: Option<ReceiptHook>,
    /// To mask the key in header values a gateway might echo.
    secret: Option<crate::secret::ApiKey>,
}

#[derive(Debug)]
struct TraceState {
    receipt: Receipt,
    started: Instant,
    /// The delay the next attempt waits, recorded when the retry loop decides it.
    next_delay: Option<(Duration, DelayReason)>,
    /// The model the next attempts ask for (the fallback chain changes it).
    model: Option<String>,
    /// The next attempt is a hedge, on this model.
    next_is_hedge: Option<Option<String>>,
    /// What the racing stream's response said (ids, headers, first byte) before the hedge's
    /// response replaced it: put back when that stream wins the race.
    before_hedge: Option<ResponseFields>,
    hook_called: bool,
}

/// The receipt's fields that a response's headers set ([`read_headers`], first byte).
#[derive(Debug, Clone)]
struct ResponseFields {
    request_id: Option<String>,
    generation_id: Option<String>,
    cache_status: Option<String>,
    gateway_headers: Vec<(String, String)>,
    provider: Option<String>,
    cost: Option<f64>,
    time_to_first_byte: Option<Duration>,
}

impl ResponseFields {
    fn of(r: &Receipt) -> Self {
        ResponseFields {
            request_id: r.request_id.clone(),
            generation_id: r.generation_id.clone(),
            cache_status: r.cache_status.clone(),
            gateway_headers: r.gateway_headers.clone(),
            provider: r.provider.clone(),
            cost: r.cost,
            time_to_first_byte: r.time_to_first_byte,
        }
    }

    fn restore(self, r: &mut Receipt) {
        r.request_id = self.request_id;
        r.generation_id = self.generation_id;
        r.cache_status = self.cache_status;
        r.gateway_headers = self.gateway_headers;
        r.provider = self.provider;
        r.cost = self.cost;
        r.time_to_first_byte = self.time_to_first_byte;
    }
}

impl TraceState {
    /// The call's end, recorded once: the receipt taken out (the caller puts back what a later
    /// look must see) with its total time, and, `answered`, the chain's model that answered.
    /// `None` when the end was recorded already.
    fn take_ended(&mut self, answered: bool) -> Option<Receipt> {
        if self.hook_called {
            return None;
        }
        self.hook_called = true;
        let mut r = std::mem::take(&mut self.receipt);
        if answered && r.fallback.fired && r.fallback.model.is_none() {
            r.fallback.model = self.model.clone();
        }
        r.total_time = Some(self.started.elapsed());
        r.complete = true;
        Some(r)
    }
}

impl Default for Trace {
    fn default() -> Self {
        Trace::new(None, None, None)
    }
}

impl Trace {
    /// A new trace, its clock starting now.
    pub(crate) fn new(
        model_requested: Option<String>,
        hook: Option<ReceiptHook>,
        secret: Option<crate::secret::ApiKey>,
    ) -> Trace {
        Trace {
            inner: Arc::new(Mutex::new(TraceState {
                receipt: Receipt {
                    model_requested: model_requested.clone(),
                    ..Default::default()
                },
                started: Instant::now(),
                next_delay: None,
                model: model_requested,
                next_is_hedge: None,
                before_hedge: None,
                hook_called: false,
            })),
            hook,
            secret,
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut TraceState) -> R) -> R {
        // A poisoned lock only means a hook or a recorder panicked mid-update: the data is still usable.
        let mut state = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut state)
    }

    // ---- what the retry loop, the fallback chain and the hedge record ----

    /// An attempt starts now: it gets the delay recorded by [`waiting`](Self::waiting) and
    /// the model set by [`use_model`](Self::use_model).
    pub(crate) fn attempt_started(&self) {
        self.with(|s| {
            let (delay, delay_reason) = match s.next_delay.take() {
                Some((d, r)) => (d, Some(r)),
                None => (Duration::ZERO, None),
            };
            let hedge = s.next_is_hedge.take();
            let model = match &hedge {
                Some(Some(m)) => Some(m.clone()),
                _ => s.model.clone(),
            };
            let hedge = hedge.is_some();
            s.receipt.attempts.push(Attempt {
                model,
                delay,
                delay_reason,
                hedge,
                ..Default::default()
            });
        })
    }

    /// The retry loop will wait `delay` for `reason` before the next attempt.
    pub(crate) fn waiting(&self, delay: Duration, reason: DelayReason) {
        self.with(|s| s.next_delay = Some((delay, reason)))
    }

    // The three recorders below are the fallback chain's and the hedge's (issue 19, items 3-4).
    /// The next attempts ask for `model` (the fallback chain moved on): recorded on each
    /// attempt, and `fallback.fired` set when it differs from the model first asked for.
    pub(crate) fn use_model(&self, model: &str) {
        self.with(|s| {
            if s.receipt.model_requested.as_deref() != Some(model) {
                s.receipt.fallback.fired = true;
            }
            s.model = Some(model.to_owned());
        })
    }

    /// The next attempt is a hedge started beside a slow one, on `model` (the chain's next, or
    /// the same): `hedge.fired` is set; the attempt records that model without moving the
    /// call's own model (a hedge is not a fallback).
    pub(crate) fn hedge_started(&self, model: Option<&str>) {
        self.with(|s| {
            s.receipt.hedge.fired = true;
            s.next_is_hedge = Some(model.map(str::to_owned));
            s.before_hedge = Some(ResponseFields::of(&s.receipt));
        })
    }

    /// The hedge race is decided: the stream of `model` goes to the caller; `hedge_won`
    /// says whether it is the hedge's.
    pub(crate) fn hedge_decided(&self, model: Option<&str>, hedge_won: bool) {
        self.with(|s| {
            s.receipt.hedge.model = model.map(str::to_owned);
            s.receipt.hedge.hedge_won = hedge_won;
            // The ids and headers are those of the stream the caller reads.
            if let Some(before) = s.before_hedge.take() {
                if !hedge_won {
                    before.restore(&mut s.receipt);
                }
            }
        })
    }

    /// The response headers of the current attempt arrived.
    pub(crate) fn response_started(&self, status: u16, headers: &[(String, String)]) {
        self.with(|s| {
            let elapsed = s.started.elapsed();
            if let Some(a) = s.receipt.attempts.last_mut() {
                a.status = Some(status);
            }
            if status < 400 {
                s.receipt.time_to_first_byte = Some(elapsed);
            }
            read_headers(&mut s.receipt, headers, self.secret.as_ref());
        })
    }

    /// The current attempt failed with `error`.
    pub(crate) fn attempt_failed(&self, error: &Error) {
        self.with(|s| {
            if let Some(a) = s.receipt.attempts.last_mut() {
                a.error = Some(error.kind().as_str());
                if a.status.is_none() {
                    a.status = error.status();
                }
            }
        })
    }

    /// A stream's first event arrived (once per stream; later calls keep the first time).
    pub(crate) fn first_token(&self) {
        self.with(|s| {
            if s.receipt.time_to_first_token.is_none() {
                s.receipt.time_to_first_token = Some(s.started.elapsed());
            }
        })
    }

    /// What served, as far as the stream has seen (its first event): kept, so that a
    /// [`ReceiptHandle`] shows it without the stream.
    pub(crate) fn record_served(&self, served: Served) {
        self.with(|s| fill_served(&mut s.receipt, Some(served)))
    }

    /// The receipt as it is now, completed with what the body said.
    pub(crate) fn snapshot(&self, served: Option<Served>) -> Receipt {
        self.with(|s| {
            let mut r = s.receipt.clone();
            if !r.complete {
                r.total_time = Some(s.started.elapsed());
            }
            complete_with(&mut r, served, self.secret.as_ref());
            r
        })
    }

    /// The call ended with an answer: the final receipt, handed to the hook the first time only.
    /// When a fallback fired, the model of the last attempt is the one that answered.
    pub(crate) fn finish(&self, served: Option<Served>) -> Receipt {
        self.finish_as(served, true)
    }

    /// A call that is not a stream ended with an answer, and its trace is dropped after this:
    /// as [`finish`](Self::finish), without keeping a copy of the receipt in the state for a
    /// later look that cannot come. Completed when first read, unless a hook wants it now or
    /// another holder shares the trace.
    pub(crate) fn finish_call(&self, served: ServedBody) -> CallReceipt {
        if self.hook.is_some() || Arc::strong_count(&self.inner) > 1 {
            return CallReceipt::ready(self.end(Some(served.into_served()), true, false));
        }
        self.with(|s| match s.take_ended(true) {
            None => CallReceipt::ready(s.receipt.clone()),
            Some(r) => CallReceipt {
                done: OnceLock::new(),
                later: Some(Box::new(PendingReceipt {
                    receipt: r,
                    served,
                    secret: self.secret.clone(),
                })),
            },
        })
    }

    /// The call ended, `answered` or not (an error): the final receipt, to the hook once.
    pub(crate) fn finish_as(&self, served: Option<Served>, answered: bool) -> Receipt {
        self.end(served, answered, true)
    }

    fn end(&self, served: Option<Served>, answered: bool, keep: bool) -> Receipt {
        let (receipt, first) = self.with(|s| {
            let Some(mut r) = s.take_ended(answered) else {
                return (s.receipt.clone(), false);
            };
            complete_with(&mut r, served, self.secret.as_ref());
            // Kept, so that a later look at the stream's receipt sees the same end.
            if keep || Arc::strong_count(&self.inner) > 1 {
                s.receipt = r.clone();
            }
            (r, true)
        });
        if first {
            if let Some(hook) = &self.hook {
                hook.call(&receipt);
            }
        }
        receipt
    }

    /// The call ended with `error`: the error carries the final receipt.
    pub(crate) fn finish_error(&self, error: Error) -> Error {
        if error.receipt().is_some() {
            return error;
        }
        let receipt = self.finish_as(None, false);
        error.with_receipt(receipt)
    }

    /// Whether the end was recorded already.
    pub(crate) fn is_finished(&self) -> bool {
        self.with(|s| s.hook_called)
    }
}

/// A stream's receipt, readable from any thread without the stream (a binding whose stream is
/// read by a task, or locked by a pending read): what the stream has recorded so far (the model
/// and provider of its first event, the attempts, the timings), final once it ended.
#[derive(Clone, Debug)]
pub struct ReceiptHandle(pub(crate) Trace);

impl ReceiptHandle {
    /// The receipt now.
    pub fn receipt(&self) -> Receipt {
        self.0.snapshot(None)
    }

    /// The caller closed the stream from outside what reads it (a read-ahead task, a pending
    /// read): the receipt ends now, its attempt cancelled, and the client's hook has it when
    /// this returns (the stream's own end, later, finds it ended and adds nothing).
    pub fn close(&self) {
        if !self.0.is_finished() {
            self.0.attempt_failed(&Error::cancelled());
            self.0.finish(None);
        }
    }
}

/// What the body said filled in, then the key masked in it: a receipt read before its end, at
/// its end, or when a [`CallReceipt`] is first read.
fn complete_with(r: &mut Receipt, served: Option<Served>, secret: Option<&crate::secret::ApiKey>) {
    fill_served(r, served);
    scrub(r, secret);
}

fn fill_served(r: &mut Receipt, served: Option<Served>) {
    // The chain's model that answered: the last attempt that did not fail (none if all did).
    if r.fallback.fired && r.fallback.model.is_none() {
        r.fallback.model = r
            .attempts
            .iter()
            .rev()
            .find(|a| a.error.is_none() && !a.hedge)
            .and_then(|a| a.model.clone());
    }
    let Some(served) = served else { return };
    if served.model.is_some() {
        r.model = served.model;
    }
    if served.provider.is_some() {
        r.provider = served.provider;
    }
    if r.generation_id.is_none() {
        r.generation_id = served.id;
    }
    if let Some(usage) = served.usage {
        let n = |names: [&str; 2]| names.iter().find_map(|k| usage.get(*k).and_then(Value::as_u64));
        r.input_tokens = n(["prompt_tokens", "input_tokens"]);
        r.output_tokens = n(["completion_tokens", "output_tokens"]);
        if let Some(cost) = usage.get("cost").and_then(Value::as_f64) {
            r.cost = Some(cost);
        }
        r.cost_details = usage.get("cost_details").filter(|v| !v.is_null()).cloned();
        r.usage = Some(usage);
    }
}

/// Masks the key wherever a gateway echoed it into what the body said (header values
/// are masked as they are read). Once per receipt, not per chunk.
fn scrub(r: &mut Receipt, secret: Option<&crate::secret::ApiKey>) {
    let Some(secret) = secret.filter(|k| k.masked_in_texts()) else {
        return;
    };
    for text in [&mut r.model, &mut r.provider, &mut r.generation_id]
        .into_iter()
        .flatten()
    {
        if let Some(clean) = secret.mask_in(text) {
            *text = clean;
        }
    }
    for value in [&mut r.usage, &mut r.cost_details].into_iter() {
        if let Some(v) = value.as_ref().filter(|v| json_text_may_contain(v, secret)) {
            if let Some(clean) = secret.mask_in(&v.to_string()) {
                *value = serde_json::from_str(&clean).ok();
            }
        }
    }
}

/// Whether the JSON text of `v` may contain the key's masked run (`run`), without writing the
/// text (the usage of every response is scrubbed: writing it out was most of a receipt's
/// cost). The answer is exact when a match can only lie inside one string as it is written:
/// `run` has no quote, backslash or control character (it cannot cross a string's quotes nor
/// an escape) and some character that numbers, literals and punctuation never write; a string
/// holding any of those three, and any other `run`, answer "may".
fn json_text_may_contain(v: &Value, secret: &crate::secret::ApiKey) -> bool {
    let run = secret.masked_run();
    let escaped = |b: u8| b == b'"' || b == b'\\' || b < 0x20;
    let only_in_strings =
        !run.bytes().any(escaped) && run.bytes().any(|b| !b"{}[],:0123456789.+-eEtrufalsn".contains(&b));
    if !only_in_strings {
        return true;
    }
    fn walk(v: &Value, text: &impl Fn(&str) -> bool) -> bool {
        match v {
            Value::String(s) => text(s),
            Value::Array(items) => items.iter().any(|x| walk(x, text)),
            Value::Object(map) => map.iter().any(|(k, x)| text(k) || walk(x, text)),
            Value::Null | Value::Bool(_) | Value::Number(_) => false,
        }
    }
    walk(v, &|s: &str| {
        secret.find_masked_run(s).is_some() || s.bytes().any(escaped)
    })
}

/// Prefixes of the gateways' own response headers.
const GATEWAY_PREFIXES: [&str; 3] = ["x-litellm-", "x-router-", "x-openrouter-"];
/// Cache status headers, in order of preference.
const CACHE_HEADERS: [&str; 4] = [
    "x-openrouter-cache-status",
    "x-cache-status",
    "x-litellm-cache-status",
    "x-cache",
];
/// Request id headers, in order of preference (TheRouter's after the common one).
const REQUEST_ID_HEADERS: [&str; 4] = ["x-request-id", "x-router-request-id", "request-id", "x-litellm-call-id"];

/// Reads the ids, gateway headers and cache status of a response: the last response's win.
fn read_headers(r: &mut Receipt, headers: &[(String, String)], secret: Option<&crate::secret::ApiKey>) {
    let get = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let secret = secret.filter(|k| k.masked_in_texts());
    let clean = |v: &str| -> String {
        match secret {
            Some(k) => k.mask_in(v).unwrap_or_else(|| v.to_owned()),
            None => v.to_owned(),
        }
    };
    r.request_id = REQUEST_ID_HEADERS.iter().find_map(|n| get(n)).map(clean);
    r.generation_id = get("x-generation-id").map(clean);
    r.cache_status = CACHE_HEADERS.iter().find_map(|n| get(n)).map(clean);
    r.gateway_headers = headers
        .iter()
        .filter(|(k, _)| GATEWAY_PREFIXES.iter().any(|p| k.starts_with(p)))
        .map(|(k, v)| (k.clone(), clean(v)))
        .collect();
    if let Some(p) = get("x-router-provider") {
        r.provider = Some(clean(p));
    }
    if let Some(cost) = get("x-litellm-response-cost").and_then(|v| v.trim().parse::<f64>().ok()) {
        r.cost = Some(cost);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_delays_and_the_served_model() {
        use crate::error::ErrorKind;
        let trace = Trace::new(Some("a/slow".into()), None, None);
        trace.attempt_started();
        trace.attempt_failed(&Error::new(ErrorKind::Status, "busy").with_status(503));
        trace.waiting(Duration::from_millis(250), DelayReason::RetryAfter);
        trace.use_model("b/fast");
        trace.attempt_started();
        trace.response_started(
            200,
            &[
                ("x-generation-id".into(), "gen-1".into()),
                ("x-litellm-model-id".into(), "m1".into()),
                ("x-cache".into(), "HIT".into()),
                ("content-type".into(), "application/json".into()),
            ],
        );
        let usage = serde_json::json!({"prompt_tokens": 3, "completion_tokens": 5, "cost": 0.25, "cost_details": {"upstream_inference_cost": 0.2}});
        let r = trace.finish(Some(Served::new(
            "gen-x",
            "b/fast",
            Some(&Value::from("Groq")),
            Some(usage),
        )));
        assert_eq!(r.model_requested.as_deref(), Some("a/slow"));
        assert_eq!(r.model.as_deref(), Some("b/fast"));
        assert_eq!(r.provider.as_deref(), Some("Groq"));
        assert_eq!(r.generation_id.as_deref(), Some("gen-1"));
        assert_eq!(r.cache_status.as_deref(), Some("HIT"));
        assert_eq!(
            r.gateway_headers,
            vec![("x-litellm-model-id".to_owned(), "m1".to_owned())]
        );
        assert_eq!(r.attempts.len(), 2);
        assert_eq!(r.attempts[0].status, Some(503));
        assert_eq!(r.attempts[0].error, Some("status"));
        assert_eq!(r.attempts[1].delay, Duration::from_millis(250));
        assert_eq!(r.attempts[1].delay_reason, Some(DelayReason::RetryAfter));
        assert_eq!(r.attempts[1].model.as_deref(), Some("b/fast"));
        assert!(r.fallback.fired);
        assert_eq!(r.fallback.model.as_deref(), Some("b/fast"));
        assert_eq!(
            (r.input_tokens, r.output_tokens, r.cost),
            (Some(3), Some(5), Some(0.25))
        );
        assert!(r.cost_details.is_some() && r.complete && r.time_to_first_byte.is_some());
    }

    #[test]
    fn the_hook_runs_once_and_a_panic_in_it_is_contained() {
        let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let seen = calls.clone();
        let hook = ReceiptHook(Arc::new(move |_: &Receipt| {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            panic!("a broken hook");
        }));
        let trace = Trace::new(None, Some(hook), None);
        trace.finish(None);
        trace.finish(None);
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[test]
    fn header_values_that_echo_the_key_are_masked() {
        let key = crate::secret::ApiKey::new("sk-secret-0123456789abcdef");
        let trace = Trace::new(None, None, Some(key));
        trace.attempt_started();
        trace.response_started(200, &[("x-litellm-key".into(), "sk-secret-0123456789abcdef".into())]);
        let r = trace.finish(None);
        assert!(!format!("{r:?}").contains("0123456789abcdef"), "{r:?}");
    }

    #[test]
    fn a_usage_that_echoes_the_key_is_masked_and_any_other_kept() {
        let key = "sk-secret-0123456789abcdef";
        let finish = |usage: Value| {
            let trace = Trace::new(None, None, Some(crate::secret::ApiKey::new(key)));
            trace
                .finish(Some(Served::new("", "", None, Some(usage))))
                .usage
                .unwrap()
        };
        // In a nested value, in a key, and beside an escape (where the text is written out).
        for usage in [
            serde_json::json!({"prompt_tokens": 1, "cost_details": {"note": [format!("by {key}")]}}),
            serde_json::json!({ key: 1 }),
            serde_json::json!({"note": format!("\"quoted\"\n{key}")}),
        ] {
            let masked = finish(usage);
            assert!(!masked.to_string().contains("0123456789abcdef"), "{masked}");
            assert!(masked.to_string().contains("sk-secre…"), "{masked}");
        }
        // The key's first characters without the rest, an escape, numbers: kept as they were.
        for usage in [
            serde_json::json!({"prompt_tokens": 3, "note": "sk-secre"}),
            serde_json::json!({"note": "a\"b\\c\u{1}", "cost": 0.25}),
        ] {
            assert_eq!(finish(usage.clone()), usage);
        }
        // A key that only digits and punctuation start can match outside strings: the text is searched.
        let digits = "1234567890123456";
        let trace = Trace::new(None, None, Some(crate::secret::ApiKey::new(digits)));
        let usage = trace.finish(Some(Served::new(
            "",
            "",
            None,
            Some(serde_json::json!({"n": "x1234567890123456"})),
        )));
        assert!(!usage.usage.unwrap().to_string().contains(digits));
    }

    #[test]
    fn a_call_receipt_read_later_equals_one_completed_at_the_end() {
        let key = "sk-secret-0123456789abcdef";
        let body = format!(
            r#"{{"id":"gen-1","usage":{{"total_tokens":8,"prompt_tokens":3,"completion_tokens":5,"cost":0.25,"note":"{key}"}}}}"#
        );
        #[derive(serde::Deserialize)]
        struct Body<'a> {
            #[serde(borrow)]
            usage: &'a serde_json::value::RawValue,
        }
        let usage = serde_json::from_str::<Body>(&body).unwrap().usage;
        let served = || ServedBody::new(Served::new("gen-1", "m", Some(&Value::from("P")), None), Some(usage));
        let traced = |hook: Option<ReceiptHook>| {
            let trace = Trace::new(Some("m".into()), hook, Some(crate::secret::ApiKey::new(key)));
            trace.attempt_started();
            trace.response_started(200, &[("x-request-id".into(), "req_1".into())]);
            trace
        };
        // Without a hook the receipt is left to complete when read; read, it is the eager one.
        let lazy = traced(None).finish_call(served());
        assert!(lazy.done.get().is_none() && lazy.later.is_some());
        let mut eager = traced(None).finish(Some(served().into_served()));
        // Two traces: only their clocks differ.
        (eager.total_time, eager.time_to_first_byte) = (lazy.total_time, lazy.time_to_first_byte);
        assert_eq!(*lazy, eager);
        assert_eq!(
            (lazy.input_tokens, lazy.output_tokens, lazy.cost),
            (Some(3), Some(5), Some(0.25))
        );
        assert_eq!(lazy.usage.as_ref().unwrap()["total_tokens"], 8);
        assert!(!format!("{lazy:?}").contains("0123456789abcdef"), "{lazy:?}");
        assert_eq!(lazy.clone().into_receipt(), eager);
        // With a hook it is complete when the call returns, and the hook saw that same receipt.
        let seen = Arc::new(Mutex::new(None));
        let keep = seen.clone();
        let hook = ReceiptHook(Arc::new(move |r: &Receipt| *keep.lock().unwrap() = Some(r.clone())));
        let hooked = traced(Some(hook)).finish_call(served());
        assert!(hooked.done.get().is_some());
        assert_eq!(seen.lock().unwrap().as_ref(), Some(&*hooked));
        assert_eq!(hooked.request_id.as_deref(), Some("req_1"));
    }
}
