//! A stream handed to Python: batches of raw chunk JSON, pulled with the GIL released (sync),
//! through the loop's completion queue (async, the chat stream helper and Responses streams),
//! or read ahead by a task and taken without waiting whenever chunks are there (async chat and
//! completions streams: `take_batch`, then `wait_async` only when nothing is buffered).

use std::fmt::Write as _;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyList, PyType};
use routerkit::delivery::{Linger, Paced, ReadAhead, ReadAheadHooks, Taken};
use routerkit::stream::AnyStream;
use routerkit::CancelHandle;
use tokio::sync::Mutex;

use crate::bridge::{self, Completions};
use crate::convert::{self, Payload};

/// The core's paced delivery: at most 64 chunks per crossing into Python, and a busy stream
/// gathers chunks for 2 ms after the previous batch before crossing again (one GIL crossing /
/// loop wake-up per burst; 1–5 ms measured alike).
const PACED: Paced = Paced {
    max: 64,
    linger: Linger::Fixed(std::time::Duration::from_millis(2)),
};

/// Read-ahead streams: chunks buffered for the event loop at most (then the task stops reading,
/// the socket fills and the gateway is held back). Python takes everything buffered at once, so
/// this bounds a batch and the memory of a stream whose reader is behind (~200 bytes a chunk).
const READ_AHEAD_BOUND: usize = 1024;

/// Chunks one read of a read-ahead stream takes before publishing them (the loop can start on
/// the first ones while the engine decodes the next).
const PUBLISH_EVERY: usize = 32;

/// Most chunks one `take_batch` decodes into Python objects. What was taken beyond that stays
/// text until the next call: with 200 streams, chunk objects decoded ahead of the caller's loop
/// outlived collections of the cyclic GC, which then spent a quarter of the process's CPU
/// traversing them (measured: 270 MB and 7 µs a chunk when whole buffers were decoded at once).
const DECODE_EVERY: usize = 64;

#[pyclass(frozen, module = "routerkit._routerkit")]
pub struct NativeStream {
    /// Pulled streams; `None` for a read-ahead stream, which its task owns.
    inner: Option<Arc<Mutex<AnyStream>>>,
    read_ahead: Option<Arc<ReadAhead>>,
    /// What a read-ahead stream's attempt told (a retry before the first event replaces it).
    meta: Arc<std::sync::Mutex<Meta>>,
    cancel: CancelHandle,
    events: bool,
    /// The class chunks decode into (the host's chunk type for this operation).
    cls: Py<PyType>,
    /// Whether a batch was asked for (the first one is urgent for the loop).
    started: std::sync::atomic::AtomicBool,
    /// A read-ahead stream's text taken from its buffer and not yet decoded (see [`Hooks`]).
    pending: std::sync::Mutex<Pending>,
    /// Reads the receipt while a pending read holds the stream.
    receipt: routerkit::ReceiptHandle,
}

/// Text taken from a read-ahead buffer, and how far it was decoded.
#[derive(Default)]
struct Pending {
    text: String,
    at: usize,
}

impl Pending {
    /// The next chunk's JSON text: each is `,`- or `[`-led, then `<length>:`, then the text.
    fn next(&mut self) -> Option<&str> {
        let rest = self.text.get(self.at..)?;
        let rest = rest.strip_prefix(['[', ',']).unwrap_or(rest);
        let colon = rest.find(':')?;
        let len: usize = rest[..colon].parse().ok()?;
        let start = self.text.len() - rest.len() + colon + 1;
        let chunk = self.text.get(start..start + len)?;
        self.at = start + len;
        Some(chunk)
    }
}

/// A read-ahead stream's headers, request id and attempts, and its accumulated result once it
/// ended (the stream itself lives in the task).
#[derive(Default)]
struct Meta {
    headers: Vec<(String, String)>,
    request_id: Option<String>,
    attempts: u32,
    snapshot: Option<String>,
}

impl Meta {
    fn of(stream: &AnyStream) -> Meta {
        Meta {
            headers: stream.headers().to_vec(),
            request_id: stream.request_id().map(str::to_owned),
            attempts: stream.attempts(),
            snapshot: None,
        }
    }
}

fn lock(meta: &std::sync::Mutex<Meta>) -> std::sync::MutexGuard<'_, Meta> {
    meta.lock().unwrap_or_else(|p| p.into_inner())
}

/// What the read-ahead task does for Python: each chunk's JSON text with its length before it
/// (`12:{"id":…}`; the buffer joins them with `,` inside `[`…`]`), so that the host decodes a
/// few at a time without scanning the JSON, and the attempt's metadata kept in [`Meta`].
struct Hooks {
    meta: Arc<std::sync::Mutex<Meta>>,
    attempts: u32,
}

impl ReadAheadHooks for Hooks {
    fn encode(&mut self, data: &str, out: &mut String, elements: usize) -> usize {
        if elements > 0 {
            out.push(',');
        }
        let _ = write!(out, "{}:", data.len());
        out.push_str(data);
        elements + 1
    }
    fn after_read(&mut self, stream: &AnyStream) {
        if stream.attempts() != self.attempts {
            self.attempts = stream.attempts();
            *lock(&self.meta) = Meta::of(stream);
        }
    }
    fn at_end(&mut self, stream: &AnyStream) {
        // Before Python can see the end: `usage` and the final result read it once the stream is gone.
        lock(&self.meta).snapshot = Some(stream.snapshot_json());
    }
}

impl NativeStream {
    /// `read_ahead` (async chat and completions streams, called inside the runtime): a task reads
    /// the stream into a bounded buffer from now on.
    pub(crate) fn new(stream: AnyStream, events: bool, cls: Py<PyType>, read_ahead: bool) -> Self {
        let mut stream = stream;
        // Only each chunk's event text is kept: `convert::batch` builds the Python objects
        // from it with the native decoder (`json.rs`), as instances of `cls`.
        stream.data_only();
        if events {
            stream.enable_events();
        }
        let cancel = stream.cancel_handle();
        let receipt = stream.receipt_handle();
        let meta = Arc::new(std::sync::Mutex::new(Meta::of(&stream)));
        let (inner, read_ahead) = if read_ahead && !events {
            let hooks = Hooks {
                meta: meta.clone(),
                attempts: stream.attempts(),
            };
            (
                None,
                Some(ReadAhead::spawn(stream, READ_AHEAD_BOUND, PUBLISH_EVERY, hooks)),
            )
        } else {
            (Some(Arc::new(Mutex::new(stream))), None)
        };
        NativeStream {
            inner,
            read_ahead,
            meta,
            cancel,
            receipt,
            events,
            cls,
            started: Default::default(),
            pending: Default::default(),
        }
    }

    fn pulled(&self) -> PyResult<&Arc<Mutex<AnyStream>>> {
        self.inner.as_ref().ok_or_else(|| {
            pyo3::exceptions::PyRuntimeError::new_err("routerkit: this stream is read ahead (take_batch)")
        })
    }

    fn ahead(&self) -> PyResult<&Arc<ReadAhead>> {
        self.read_ahead
            .as_ref()
            .ok_or_else(|| pyo3::exceptions::PyRuntimeError::new_err("routerkit: this stream is pulled (next_batch)"))
    }

    fn first(&self) -> bool {
        !self.started.swap(true, std::sync::atomic::Ordering::Relaxed)
    }
}

impl Drop for NativeStream {
    /// Collected without `close()`: stop a read-ahead task, which would otherwise wait for room
    /// (holding its connection) forever.
    fn drop(&mut self) {
        if self.read_ahead.is_some() {
            self.cancel.cancel();
        }
    }
}

#[pymethods]
impl NativeStream {
    /// The next chunks (at least one; an empty list at the clean end). Blocks with the GIL released.
    fn next_batch<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let inner = self.pulled()?.clone();
        let cancel = self.cancel.clone();
        let out = crate::runtime::wait(
            py,
            async move { PACED.next(&mut *inner.lock().await).await },
            move || cancel.cancel(),
        )?;
        match out {
            Ok(chunks) => convert::batch(py, chunks, self.events, self.cls.bind(py)),
            Err(e) => Err(crate::error::to_err(py, &e)),
        }
    }

    /// Same as `next_batch`, completing the asyncio `future` through `completions`.
    fn next_batch_async(&self, py: Python<'_>, completions: Py<Completions>, future: Py<PyAny>) -> PyResult<()> {
        let inner = self.pulled()?.clone();
        let events = self.events;
        let cls = self.cls.clone_ref(py);
        let first = self.first();
        bridge::spawn(completions, future, async move {
            let chunks = PACED.next(&mut *inner.lock().await).await?;
            Ok(Payload::Batch(chunks, events, first, cls))
        });
        Ok(())
    }

    /// Whether this stream is read ahead (`take_batch`/`wait_async`) rather than pulled.
    fn reads_ahead(&self) -> bool {
        self.read_ahead.is_some()
    }

    /// A read-ahead stream's next chunks (at most 64) from what was buffered, without waiting:
    /// a list (empty at the clean end), or None when nothing is there yet (then `wait_async`);
    /// raises the stream's error after its chunks.
    fn take_batch<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyList>>> {
        let ahead = self.ahead()?;
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        let decoder = crate::json::Decoder::new(py)?;
        let cls = self.cls.bind(py);
        let out = PyList::empty(py);
        loop {
            while out.len() < DECODE_EVERY {
                let Some(text) = pending.next() else { break };
                out.append(decoder.decode(text.as_bytes(), cls)?)?;
            }
            if !out.is_empty() {
                return Ok(Some(out));
            }
            // Copied out (a memcpy) so that the reader is not held up while Python decodes.
            let got = ahead.take(|text| {
                pending.text.clear();
                pending.text.push_str(text);
                pending.at = 0;
            });
            match got {
                Taken::Batch(()) => {}
                Taken::Nothing => return Ok(None),
                Taken::End => return Ok(Some(out)),
                Taken::Failed(e) => return Err(crate::error::to_err(py, &e)),
            }
        }
    }

    /// Completes the asyncio `future` (with None) through `completions` once `take_batch` has
    /// something to return.
    fn wait_async(&self, completions: Py<Completions>, future: Py<PyAny>) -> PyResult<()> {
        let ahead = self.ahead()?.clone();
        let first = self.first();
        bridge::spawn(completions, future, async move {
            ahead.wait().await;
            Ok(Payload::Ready(first))
        });
        Ok(())
    }

    /// Stops the stream and closes its connection; a pending `next_batch` ends with a cancelled error.
    fn close(&self) {
        self.cancel.cancel();
        if let Some(ahead) = &self.read_ahead {
            ahead.close();
            // What was taken and not decoded is dropped too, as the core drops what it had decoded.
            if let Ok(mut pending) = self.pending.try_lock() {
                *pending = Pending::default();
            }
        } else if let Some(Ok(mut s)) = self.inner.as_ref().map(|s| s.try_lock()) {
            s.cancel();
        }
        // A pending read holds the stream: the receipt ends now all the same.
        self.receipt.close();
    }

    /// Whether `close()` was called.
    fn is_closed(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// The completion accumulated from the chunks decoded so far, as JSON text (a read-ahead
    /// stream: once it ended).
    fn snapshot_json(&self) -> Option<String> {
        match &self.inner {
            Some(s) => Some(s.try_lock().ok()?.snapshot_json()),
            None => lock(&self.meta).snapshot.clone(),
        }
    }

    /// The final completion (tool-call `""` arguments become `"{}"`), as JSON text.
    fn final_json(&self) -> Option<String> {
        let Some(inner) = &self.inner else {
            return lock(&self.meta).snapshot.clone();
        };
        match &*inner.try_lock().ok()? {
            AnyStream::Chat(s) => serde_json::to_string(&s.accumulator().clone().finish()).ok(),
            other => Some(other.snapshot_json()),
        }
    }

    /// The gateway's request id.
    fn request_id(&self) -> Option<String> {
        match &self.inner {
            Some(s) => s.try_lock().ok()?.request_id().map(str::to_owned),
            None => lock(&self.meta).request_id.clone(),
        }
    }

    /// Response headers of the attempt that is streaming.
    fn headers(&self) -> Vec<(String, String)> {
        match &self.inner {
            Some(s) => s.try_lock().map(|s| s.headers().to_vec()).unwrap_or_default(),
            None => lock(&self.meta).headers.clone(),
        }
    }

    /// The route receipt as JSON text (`routerkit::bridge::wire::ReceiptWire`): what is known so
    /// far during the stream, final (`complete`) after its end or `close()`.
    fn receipt_json(&self) -> Option<String> {
        Some(routerkit::bridge::wire::receipt_json(&self.receipt.receipt()))
    }

    /// Attempts made so far.
    fn attempts(&self) -> u32 {
        match &self.inner {
            Some(s) => s.try_lock().map(|s| s.attempts()).unwrap_or(0),
            None => lock(&self.meta).attempts,
        }
    }
}
