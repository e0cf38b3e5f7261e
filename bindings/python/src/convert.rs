//! Core values → Python values: raw JSON bodies as `bytes` (the host turns them into
//! objects with the native `parse_json`), chunks as `ChatCompletionChunk` objects built
//! from their text in one pass by the native decoder (`json.rs`), helper events as tuples.

use bytes::Bytes;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple, PyType};
use routerkit::accumulate::StreamEvent;
use std::sync::Arc;

use routerkit::bridge::wire::{receipt_json, EventWire};
use routerkit::client::Response;
use routerkit::stream::StreamItem;
use routerkit::{Receipt, ReceiptHook};

use crate::stream::NativeStream;

/// What an async call hands back to its asyncio future.
pub(crate) enum Payload {
    /// Boxed: a response (headers, receipt) is several times the size of the other variants,
    /// which every stream batch would otherwise carry.
    Body(Box<Response<Bytes>>),
    Stream(NativeStream),
    /// Chunks, whether helper events are on, whether this is the stream's first batch,
    /// the class they decode into.
    Batch(Vec<StreamItem>, bool, bool, Py<PyType>),
    /// A read-ahead stream has chunks (or its end) to take; whether this is its first wait.
    Ready(bool),
}

impl Payload {
    /// Whether the loop should see this before the rest of a drain: a call's answer
    /// or a stream's first chunks (what a caller waits on to start), not more chunks
    /// of a stream already flowing.
    pub(crate) fn urgent(&self) -> bool {
        !matches!(self, Payload::Batch(_, _, false, _) | Payload::Ready(false))
    }

    pub(crate) fn into_py(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(match self {
            Payload::Body(r) => response(py, *r)?.into_any().unbind(),
            Payload::Stream(s) => Py::new(py, s)?.into_any(),
            Payload::Batch(chunks, events, _, cls) => batch(py, chunks, events, cls.bind(py))?.into_any().unbind(),
            Payload::Ready(_) => py.None(),
        })
    }
}

/// `(body: bytes, status, headers: list[tuple[str, str]], request_id, attempts, receipt)`; the
/// receipt as a [`NativeReceipt`], whose wire-form JSON the host asks for only when it is read.
pub(crate) fn response<'py>(py: Python<'py>, r: Response<Bytes>) -> PyResult<Bound<'py, PyTuple>> {
    let receipt = Bound::new(py, NativeReceipt(r.receipt))?;
    (
        PyBytes::new(py, &r.data),
        r.status,
        r.headers,
        r.request_id,
        r.attempts,
        receipt,
    )
        .into_pyobject(py)
}

/// A call's receipt as the engine keeps it: completed, and written as the wire form's JSON
/// (`routerkit::bridge::wire::ReceiptWire`), only when the host reads `response.receipt`.
/// Writing it for every call was about a tenth of a sequential request (callgrind).
#[pyclass(frozen, module = "routerkit._routerkit")]
pub struct NativeReceipt(routerkit::CallReceipt);

#[pymethods]
impl NativeReceipt {
    /// The receipt's JSON text.
    fn json(&self) -> String {
        receipt_json(&self.0)
    }

    /// Pickled and copied as its JSON text (`str(text)`), which the host reads the same way.
    fn __reduce__<'py>(&self, py: Python<'py>) -> (Bound<'py, PyAny>, (String,)) {
        (
            py.get_type::<pyo3::types::PyString>().into_any(),
            (receipt_json(&self.0),),
        )
    }
}

/// The client's `on_receipt`: the core calls it once per call when the call ends, on the
/// thread that ends it (a runtime worker, or the caller's thread for a stream it closes);
/// `hook` (the host's wrapper of the user's callable) gets the receipt's JSON text. An
/// exception it raises goes to `sys.unraisablehook` (printed, as in `__del__`), never to the call.
pub(crate) fn receipt_hook(hook: Py<PyAny>) -> ReceiptHook {
    ReceiptHook(Arc::new(move |r: &Receipt| {
        let text = receipt_json(r);
        Python::attach(|py| {
            if let Err(e) = hook.call1(py, (text,)) {
                e.write_unraisable(py, Some(hook.bind(py)));
            }
        });
    }))
}

/// Chunks as `list[ChatCompletionChunk]`, or with helper events as `list[tuple[chunk, list[event]]]`.
pub(crate) fn batch<'py>(
    py: Python<'py>,
    chunks: Vec<StreamItem>,
    with_events: bool,
    cls: &Bound<'py, PyType>,
) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    let decoder = crate::json::Decoder::new(py)?;
    for c in chunks {
        let data = decoder.decode(c.data.as_bytes(), cls)?;
        if with_events {
            let events = PyList::empty(py);
            for e in &c.events {
                events.append(event(py, e)?)?;
            }
            out.append((data, events))?;
        } else {
            out.append(data)?;
        }
    }
    Ok(out)
}

/// The core's event wire form, `(name, choice, text, index, tool_name)`: text is the delta,
/// or the whole value for `*.done`.
fn event<'py>(py: Python<'py>, e: &StreamEvent) -> PyResult<Bound<'py, PyTuple>> {
    let w = EventWire::of(e);
    (w.name, w.choice, w.text, w.index, w.tool_name).into_pyobject(py)
}
