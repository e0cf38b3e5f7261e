//! A chat stream handed to Python: batches of raw chunk JSON, pulled with the
//! GIL released (sync) or through the loop's completion queue (async).

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyList, PyType};
use routerkit::delivery::{Linger, Paced};
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

#[pyclass(frozen, module = "routerkit._routerkit")]
pub struct NativeStream {
    inner: Arc<Mutex<AnyStream>>,
    cancel: CancelHandle,
    events: bool,
    /// The class chunks decode into (the host's chunk type for this operation).
    cls: Py<PyType>,
    /// Whether a batch was asked for (the first one is urgent for the loop).
    started: std::sync::atomic::AtomicBool,
    /// Reads the receipt while a pending read holds the stream.
    receipt: routerkit::ReceiptHandle,
}

impl NativeStream {
    pub(crate) fn new(stream: AnyStream, events: bool, cls: Py<PyType>) -> Self {
        let mut stream = stream;
        // Only each chunk's event text is kept: `convert::batch` builds the Python objects
        // from it with the native decoder (`json.rs`), as instances of `cls`.
        stream.data_only();
        if events {
            stream.enable_events();
        }
        NativeStream {
            receipt: stream.receipt_handle(),
            cancel: stream.cancel_handle(),
            inner: Arc::new(Mutex::new(stream)),
            events,
            cls,
            started: Default::default(),
        }
    }
}

#[pymethods]
impl NativeStream {
    /// The next chunks (at least one; an empty list at the clean end). Blocks with the GIL released.
    fn next_batch<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let inner = self.inner.clone();
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
    fn next_batch_async(&self, py: Python<'_>, completions: Py<Completions>, future: Py<PyAny>) {
        let inner = self.inner.clone();
        let events = self.events;
        let cls = self.cls.clone_ref(py);
        let first = !self.started.swap(true, std::sync::atomic::Ordering::Relaxed);
        bridge::spawn(completions, future, async move {
            let chunks = PACED.next(&mut *inner.lock().await).await?;
            Ok(Payload::Batch(chunks, events, first, cls))
        });
    }

    /// Stops the stream and closes its connection; a pending `next_batch` ends with a cancelled error.
    fn close(&self) {
        self.cancel.cancel();
        if let Ok(mut s) = self.inner.try_lock() {
            s.cancel();
        }
        // A pending read holds the stream: the receipt ends now all the same.
        self.receipt.close();
    }

    /// Whether `close()` was called.
    fn is_closed(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// The completion accumulated from the chunks decoded so far, as JSON text.
    fn snapshot_json(&self) -> Option<String> {
        Some(self.inner.try_lock().ok()?.snapshot_json())
    }

    /// The final completion (tool-call `""` arguments become `"{}"`), as JSON text.
    fn final_json(&self) -> Option<String> {
        match &*self.inner.try_lock().ok()? {
            AnyStream::Chat(s) => serde_json::to_string(&s.accumulator().clone().finish()).ok(),
            other => Some(other.snapshot_json()),
        }
    }

    /// The gateway's request id.
    fn request_id(&self) -> Option<String> {
        self.inner.try_lock().ok()?.request_id().map(str::to_owned)
    }

    /// Response headers of the attempt that is streaming.
    fn headers(&self) -> Vec<(String, String)> {
        self.inner.try_lock().map(|s| s.headers().to_vec()).unwrap_or_default()
    }

    /// The route receipt as JSON text (`routerkit::bridge::wire::ReceiptWire`): what is known so
    /// far during the stream, final (`complete`) after its end or `close()`.
    fn receipt_json(&self) -> Option<String> {
        Some(routerkit::bridge::wire::receipt_json(&self.receipt.receipt()))
    }

    /// Attempts made so far.
    fn attempts(&self) -> u32 {
        self.inner.try_lock().map(|s| s.attempts()).unwrap_or(0)
    }
}
