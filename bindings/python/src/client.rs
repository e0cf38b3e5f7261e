//! The client: options in, core call, raw JSON out. A fixed set of entry points
//! (`new`, `call`, `open` and their async twins) that names the operation of the
//! core's table, so that an endpoint needs no code here. Request bodies arrive as
//! JSON text (`json.dumps` of the caller's keyword arguments).

use std::sync::Mutex;

use pyo3::prelude::*;
use pyo3::types::{PyTuple, PyType};
use routerkit::bridge::options::{call_options, client_from_json, sibling_from_json, Settings};
use routerkit::{CancelHandle, Client, Op, RequestOptions};
use tokio_util::sync::CancellationToken;

use crate::bridge::{self, Completions};
use crate::convert::{self, Payload};
use crate::error::to_err;
use crate::stream::NativeStream;

/// The core's defaults (`routerkit::bridge::options::Settings::defaults`), as JSON text.
#[pyfunction]
pub fn default_settings() -> String {
    Settings::defaults().to_json()
}

/// Cancels one async call (the asyncio side calls it when its task is cancelled).
#[pyclass(frozen, module = "routerkit._routerkit")]
pub struct CallHandle(CancelHandle);

#[pymethods]
impl CallHandle {
    fn cancel(&self) {
        self.0.cancel()
    }
}

/// The core client, rebuilt (fresh connection pool) in a forked child.
#[pyclass(frozen, module = "routerkit._routerkit")]
pub struct NativeClient {
    slot: Mutex<(u32, Client)>,
}

/// Per-call options: JSON text of the core's options schema
/// (`routerkit::bridge::options::CallOptions`), or None.
type Opts<'a> = Option<&'a str>;

fn options(opts: Opts<'_>, cancel: &CancellationToken) -> Result<RequestOptions, routerkit::Error> {
    call_options(opts, Some(cancel.clone()))
}

impl NativeClient {
    fn client(&self) -> Client {
        let pid = std::process::id();
        let mut slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        if slot.0 != pid {
            // The pool's connections belong to the parent: start a new one.
            if let Ok(fresh) = Client::new(slot.1.config().clone()) {
                *slot = (pid, fresh);
            }
        }
        slot.1.clone()
    }
}

#[pymethods]
impl NativeClient {
    /// `options` is JSON text of the core's options schema (`routerkit::bridge::options::ClientOptions`);
    /// what is not given comes from THEROUTER_* / OPENAI_* or `.env`, then the core's defaults.
    /// With `parent`, the client shares the parent's connection pool.
    /// `on_receipt` is called with each call's receipt (JSON text) when the call ends.
    #[new]
    #[pyo3(signature = (options=None, parent=None, on_receipt=None))]
    fn new(
        py: Python<'_>,
        options: Option<&str>,
        parent: Option<PyRef<'_, NativeClient>>,
        on_receipt: Option<Py<PyAny>>,
    ) -> PyResult<Self> {
        let client = match &parent {
            Some(p) => sibling_from_json(&p.client(), options),
            None => client_from_json(options),
        };
        let mut client = client.map_err(|e| to_err(py, &e))?;
        if let Some(hook) = on_receipt {
            let mut config = client.config().clone();
            config.on_receipt = Some(convert::receipt_hook(hook));
            client = client.with_config(config).map_err(|e| to_err(py, &e))?;
        }
        Ok(NativeClient {
            slot: Mutex::new((std::process::id(), client)),
        })
    }

    /// `sk-your-…`: the key's first 8 characters.
    fn masked_key(&self) -> String {
        self.client().config().api_key.to_string()
    }

    /// The normalised base URL.
    fn base_url(&self) -> String {
        self.client().config().base_url.clone()
    }

    /// What the client resolved (`routerkit::bridge::options::Settings`), as JSON text.
    fn settings(&self) -> String {
        Settings::of(self.client().config()).to_json()
    }

    /// Any non-stream operation of the core's table by name (`"chat"`, `"models.retrieve"`, …):
    /// `(body, status, headers, request_id, attempts)`. `body` is the JSON text of the request
    /// (for a GET, of its path parameters), or None.
    #[pyo3(signature = (op, body=None, opts=None))]
    fn call<'py>(
        &self,
        py: Python<'py>,
        op: &str,
        body: Option<&str>,
        opts: Opts<'_>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let cancel = CancellationToken::new();
        let (op, opts) = prepare(op, opts, &cancel).map_err(|e| to_err(py, &e))?;
        let (client, body) = (self.client(), body.map(str::to_owned));
        let out = crate::runtime::wait(py, async move { client.call(op, body.as_deref(), &opts).await }, || {
            cancel.cancel()
        })?;
        convert::response(py, out.map_err(|e| to_err(py, &e))?)
    }

    /// Any stream operation of the table by name (`"chat_stream"`, `"completions_stream"`);
    /// chunks decode into `cls`; `events` turns on the helper events (chat).
    #[pyo3(signature = (op, body, cls, opts=None, events=false))]
    fn open(
        &self,
        py: Python<'_>,
        op: &str,
        body: &str,
        cls: Bound<'_, PyType>,
        opts: Opts<'_>,
        events: bool,
    ) -> PyResult<NativeStream> {
        let cancel = CancellationToken::new();
        let (op, opts) = prepare(op, opts, &cancel).map_err(|e| to_err(py, &e))?;
        let (client, body) = (self.client(), body.to_owned());
        let out = crate::runtime::wait(py, async move { client.open(op, Some(&body), &opts).await }, || {
            cancel.cancel()
        })?;
        Ok(NativeStream::new(
            out.map_err(|e| to_err(py, &e))?,
            events,
            cls.unbind(),
        ))
    }

    /// Async twin of `call`: completes `future` through `completions`.
    #[pyo3(signature = (completions, future, op, body=None, opts=None))]
    fn call_async(
        &self,
        py: Python<'_>,
        completions: Py<Completions>,
        future: Py<PyAny>,
        op: &str,
        body: Option<&str>,
        opts: Opts<'_>,
    ) -> PyResult<CallHandle> {
        let cancel = CancellationToken::new();
        let (op, opts) = prepare(op, opts, &cancel).map_err(|e| to_err(py, &e))?;
        let (client, body) = (self.client(), body.map(str::to_owned));
        bridge::spawn(completions, future, async move {
            client
                .call(op, body.as_deref(), &opts)
                .await
                .map(|r| Payload::Body(Box::new(r)))
        });
        Ok(CallHandle(CancelHandle::new(cancel)))
    }

    /// Async twin of `open`.
    #[pyo3(signature = (completions, future, op, body, cls, opts=None, events=false))]
    #[allow(clippy::too_many_arguments)]
    fn open_async(
        &self,
        py: Python<'_>,
        completions: Py<Completions>,
        future: Py<PyAny>,
        op: &str,
        body: &str,
        cls: Bound<'_, PyType>,
        opts: Opts<'_>,
        events: bool,
    ) -> PyResult<CallHandle> {
        let cancel = CancellationToken::new();
        let (op, opts) = prepare(op, opts, &cancel).map_err(|e| to_err(py, &e))?;
        let (client, body, cls) = (self.client(), body.to_owned(), cls.unbind());
        bridge::spawn(completions, future, async move {
            let stream = client.open(op, Some(&body), &opts).await?;
            Ok(Payload::Stream(NativeStream::new(stream, events, cls)))
        });
        Ok(CallHandle(CancelHandle::new(cancel)))
    }
}

/// The operation named `op` and the call's options (checked before anything is spawned).
fn prepare(op: &str, opts: Opts<'_>, cancel: &CancellationToken) -> Result<(Op, RequestOptions), routerkit::Error> {
    Ok((Op::from_name(op)?, options(opts, cancel)?))
}
