//! `NativeStream`: a core `AnyStream` handed to JavaScript in batches, one
//! `JSON.parse` per batch, not per chunk. Two ways, by what the JS side needs:
//!
//! - raw chunks (`create({ stream: true })`): a task reads ahead into a bounded
//!   buffer and JavaScript takes everything buffered when it asks (`takeBatch()`,
//!   synchronous), waiting (`waitBatch()`) only when the buffer is empty. The batch
//!   is cut when the JS thread gets to it, not when the data arrived, so a busy JS
//!   thread (many streams) takes big batches with no promise at all, and an idle
//!   one gets each chunk at once;
//! - the helper's streams (`chat.completions.stream()`): pulled by `nextBatch()`,
//!   so that `snapshot()` is the completion as of the batch JavaScript holds. The text
//!   is `{"chunks":[…],"events":[[chunkIndex,"name",choice,…],…]}`.

use std::sync::Arc;
use std::time::Duration;

use napi::bindgen_prelude::*;
use napi::JsString;
use napi_derive::napi;
use routerkit::bridge::wire::EventWire;
use routerkit::delivery::{Linger, Paced, ReadAhead, ReadAheadHooks, Taken};
use routerkit::stream::AnyStream;
use routerkit::CancelHandle;
use tokio::sync::Mutex;

use crate::error::to_napi;
use crate::shapes::ShapeEncoder;

/// Most chunks handed over by one `nextBatch()`, and most read ahead of JavaScript (the read-ahead
/// task stops reading while that many wait: the socket then fills and the gateway is held back).
const MAX_BATCH: usize = 8192;

/// Most chunks one read of a raw chunk stream takes before they are published to JavaScript.
/// A stream drives its own connection, so one read could take everything the socket holds;
/// published in smaller steps, JavaScript works on the first chunks while the engine decodes
/// the next (measured over 100,000-chunk streams: 16 → 0.195× openai-node's CPU per chunk,
/// 64 → 0.209×, 8,192 → 0.211×).
const PUBLISH_EVERY: usize = 16;

/// Pacing of the helper's streams (the core's [`Paced`] strategy; raw chunk streams are read
/// ahead instead, see the module docs): a batch is handed over at once when the previous one
/// left at least the linger ago (a model's tokens, tens of ms apart, are never delayed); chunks
/// arriving faster than that are gathered for at most the linger, so the JS side wakes once per
/// batch, not once per chunk. The linger grows with the streams being read in this process, because then
/// the JS thread is what limits throughput and every crossing (a promise and a thread-safe call)
/// is paid per batch: 5 ms for up to 20 streams being read, then 0.25 ms more per stream, at most 20 ms.
/// Measured (before raw streams were read ahead) over 200 concurrent streams of 1,000 chunks: at 1 ms nearly every chunk crossed
/// alone (18k chunks/s), at 5 ms 67k chunks/s, and at 20 ms the JS thread spent a quarter less
/// CPU per chunk than at 5 ms; a single fast stream's CPU per chunk is the same at 5 ms as at 1 ms.
const PACED: Paced = Paced {
    max: MAX_BATCH,
    linger: Linger::ByLoad {
        min: Duration::from_millis(5),
        per_reader: Duration::from_micros(250),
        max: Duration::from_millis(20),
    },
};

/// How a stream's batches are written (`chatStream`'s `format`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum BatchFormat {
    /// `"events"`: the helper's `{"chunks":[…],"events":[…]}`, pulled by `nextBatch()`.
    Events,
    /// `"shapes"`: read ahead, chunks as shapes and values ([`ShapeEncoder`]).
    Shapes,
    /// `"json"`: read ahead, chunks as a JSON array (where JavaScript cannot compile shapes).
    Json,
}

impl BatchFormat {
    pub(crate) fn parse(name: &str) -> Result<BatchFormat> {
        match name {
            "events" => Ok(BatchFormat::Events),
            "shapes" => Ok(BatchFormat::Shapes),
            "json" => Ok(BatchFormat::Json),
            other => Err(Error::from_reason(format!("routerkit: unknown batch format {other:?}"))),
        }
    }
}

#[napi]
pub struct NativeStream {
    /// The helper's streams (pulled by `nextBatch`); `None` for raw chunk streams, read ahead.
    inner: Mutex<Option<AnyStream>>,
    read_ahead: Option<Arc<ReadAhead>>,
    cancel: CancelHandle,
    /// What the attempt that is streaming told (a retry before the first event replaces it).
    meta: Arc<std::sync::Mutex<Meta>>,
}

/// What the core's read-ahead task does for JavaScript: chunks as shapes and values
/// ([`ShapeEncoder`]) or JSON, and what the stream's attempt told kept in [`Meta`].
struct Hooks {
    encoder: ShapeEncoder,
    meta: Arc<std::sync::Mutex<Meta>>,
    attempts: u32,
}

impl ReadAheadHooks for Hooks {
    fn encode(&mut self, data: &str, out: &mut String, elements: usize) -> usize {
        self.encoder.push(data, out, elements)
    }
    fn after_read(&mut self, stream: &AnyStream) {
        if stream.attempts() != self.attempts {
            self.attempts = stream.attempts();
            Meta::refresh(&self.meta, stream);
        }
    }
    fn at_end(&mut self, stream: &AnyStream) {
        // Before JavaScript can see the end: `stream.usage` reads it once the stream is gone.
        Meta::keep_usage(&self.meta, stream);
    }
}

struct Meta {
    /// Reads the route receipt while the read-ahead task holds the stream, and after it is gone.
    receipt: routerkit::ReceiptHandle,
    headers: Vec<String>,
    request_id: Option<String>,
    attempts: u32,
    /// The usage JSON the stream ended with, for a read-ahead stream (whose `ChatStream` is dropped at its end).
    usage: Option<String>,
}

impl Meta {
    fn of(stream: &AnyStream) -> Meta {
        Meta {
            receipt: stream.receipt_handle(),
            headers: stream
                .headers()
                .iter()
                .flat_map(|(k, v)| [k.clone(), v.clone()])
                .collect(),
            request_id: stream.request_id().map(str::to_owned),
            attempts: stream.attempts(),
            usage: None,
        }
    }

    fn keep_usage(meta: &std::sync::Mutex<Meta>, stream: &AnyStream) {
        if let Ok(mut meta) = meta.lock() {
            meta.usage = stream.usage().and_then(|u| serde_json::to_string(u).ok());
        }
    }

    /// After a read: a retry before the first event replaced the attempt, and with it what it told.
    fn refresh(meta: &std::sync::Mutex<Meta>, stream: &AnyStream) {
        if let Ok(mut meta) = meta.lock() {
            if meta.attempts != stream.attempts() {
                *meta = Meta::of(stream);
            }
        }
    }
}

impl NativeStream {
    /// Raw chunk streams start reading ahead at once (call inside the runtime); the helper's wait for `nextBatch`.
    pub(crate) fn new(stream: AnyStream, format: BatchFormat) -> Self {
        let cancel = stream.cancel_handle();
        let meta = Arc::new(std::sync::Mutex::new(Meta::of(&stream)));
        if format == BatchFormat::Events {
            return NativeStream {
                cancel,
                meta,
                read_ahead: None,
                inner: Mutex::new(Some(stream)),
            };
        }
        let hooks = Hooks {
            encoder: ShapeEncoder::new(format == BatchFormat::Shapes),
            meta: meta.clone(),
            attempts: stream.attempts(),
        };
        let read_ahead = ReadAhead::spawn(stream, MAX_BATCH, PUBLISH_EVERY, hooks);
        NativeStream {
            cancel,
            meta,
            read_ahead: Some(read_ahead),
            inner: Mutex::new(None),
        }
    }

    fn read_ahead(&self) -> Result<&Arc<ReadAhead>> {
        self.read_ahead
            .as_ref()
            .ok_or_else(|| Error::from_reason("routerkit: this stream is read with nextBatch()"))
    }
}

impl Drop for NativeStream {
    /// Garbage-collected without `close()`: stop the read-ahead task, which would otherwise wait for room forever.
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

#[napi]
impl NativeStream {
    /// Raw chunk streams: JSON text of every chunk read so far (`[…]`), `""` at a clean end,
    /// `null` when nothing is there yet (then `waitBatch()`); throws the stream's error after its chunks.
    #[napi(ts_return_type = "string | null")]
    pub fn take_batch<'env>(&self, env: &'env Env) -> Result<Option<JsString<'env>>> {
        // Copied into a JS string inside `take`; the buffer keeps its capacity for the next batch.
        match self.read_ahead()?.take(|text| env.create_string(text)) {
            Taken::Batch(text) => text.map(Some),
            Taken::Nothing => Ok(None),
            Taken::End => env.create_string("").map(Some),
            Taken::Failed(e) => Err(to_napi(e)),
        }
    }

    /// Resolves when `takeBatch()` has something to return.
    #[napi]
    pub async fn wait_batch(&self) -> Result<()> {
        self.read_ahead()?.wait().await;
        Ok(())
    }

    /// The helper's streams: JSON text of the next chunks (see the module docs); `null` at a clean end.
    #[napi]
    pub async fn next_batch(&self) -> Result<Option<String>> {
        let mut guard = self.inner.lock().await;
        let Some(stream) = guard.as_mut() else {
            return Err(to_napi(routerkit::Error::cancelled()));
        };
        // The core gathers a fast burst (`PACED`); an error after gathered chunks comes next call.
        let batch = PACED.next(stream).await;
        Meta::refresh(&self.meta, stream);
        let batch = batch.map_err(to_napi)?;
        if batch.is_empty() {
            return Ok(None);
        }
        let size: usize = batch.iter().map(|c| c.data.len() + 1).sum();
        let mut out = String::with_capacity(size + 32);
        out.push_str("{\"chunks\":[");
        for (i, raw) in batch.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&raw.data);
        }
        out.push_str("],\"events\":[");
        let mut first = true;
        for (i, raw) in batch.iter().enumerate() {
            for ev in &raw.events {
                if !first {
                    out.push(',');
                }
                first = false;
                EventWire::of(ev).write_json(&mut out, Some(i));
            }
        }
        out.push_str("]}");
        Ok(Some(out))
    }

    /// JSON text of the completion accumulated by the core; closes the stream.
    #[napi]
    pub async fn finish(&self) -> Result<String> {
        let stream = self
            .inner
            .lock()
            .await
            .take()
            .ok_or_else(|| to_napi(routerkit::Error::cancelled()))?;
        Ok(match stream {
            AnyStream::Chat(s) => {
                serde_json::to_string(&s.into_completion()).map_err(|e| Error::from_reason(e.to_string()))?
            }
            other => other.snapshot_json(),
        })
    }

    /// JSON text of the completion accumulated so far (null while a read is in flight or after close).
    #[napi]
    pub fn snapshot(&self) -> Option<String> {
        let guard = self.inner.try_lock().ok()?;
        guard.as_ref().map(AnyStream::snapshot_json)
    }

    /// Cancels the stream and closes its connection now, even while a read is pending.
    #[napi]
    pub fn close(&self) {
        self.cancel.cancel();
        if let Ok(mut guard) = self.inner.try_lock() {
            guard.take();
        }
        // The receipt ends now, not when the read-ahead task notices the cancel.
        if let Ok(meta) = self.meta.lock() {
            meta.receipt.close();
        }
        if let Some(read_ahead) = &self.read_ahead {
            // What was read ahead is dropped, as the core drops what it had decoded.
            read_ahead.close();
        }
    }

    /// Response headers, flat `[name, value, …]`.
    #[napi(getter)]
    pub fn headers(&self) -> Vec<String> {
        self.meta.lock().map(|m| m.headers.clone()).unwrap_or_default()
    }
    #[napi(getter)]
    pub fn request_id(&self) -> Option<String> {
        self.meta.lock().ok().and_then(|m| m.request_id.clone())
    }
    /// The route receipt, JSON text (`routerkit::bridge::wire::ReceiptWire`): so far during the
    /// stream, final after its end or `close()`.
    #[napi(getter)]
    pub fn receipt(&self) -> Option<String> {
        let handle = self.meta.lock().ok()?.receipt.clone();
        Some(routerkit::bridge::wire::receipt_json(&handle.receipt()))
    }
    /// Attempts made so far (a retry before the first event counts).
    #[napi(getter)]
    pub fn attempts(&self) -> u32 {
        self.meta.lock().map(|m| m.attempts).unwrap_or(0)
    }
    /// JSON text of the call's usage as far as read: the usage chunk the engine asked for is not
    /// handed over, so this is where a raw stream's caller finds it.
    #[napi(getter)]
    pub fn usage(&self) -> Option<String> {
        if let Some(usage) = self.meta.lock().ok().and_then(|m| m.usage.clone()) {
            return Some(usage);
        }
        let guard = self.inner.try_lock().ok()?;
        guard
            .as_ref()
            .and_then(|s| s.usage())
            .and_then(|u| serde_json::to_string(u).ok())
    }
}
