//! The client: options in, core call, raw JSON out. Request bodies arrive as
//! JSON text (`json.dumps` of the caller's keyword arguments).

use std::sync::Mutex;

use pyo3::prelude::*;
use pyo3::types::PyTuple;
use routerkit::bridge::options::{call_options, client_from_json, sibling_from_json, Settings};
use routerkit::request::parse_request;
use routerkit::{CancelHandle, ChatCompletionRequest, Client, EmbeddingRequest, RequestOptions};
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
    #[new]
    #[pyo3(signature = (options=None, parent=None))]
    fn new(py: Python<'_>, options: Option<&str>, parent: Option<PyRef<'_, NativeClient>>) -> PyResult<Self> {
        let client = match &parent {
            Some(p) => sibling_from_json(&p.client(), options),
            None => client_from_json(options),
        };
        let client = client.map_err(|e| to_err(py, &e))?;
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

    /// `POST /chat/completions`: `(body, status, headers, request_id, attempts)`.
    #[pyo3(signature = (body, opts=None))]
    fn chat<'py>(&self, py: Python<'py>, body: &str, opts: Opts<'_>) -> PyResult<Bound<'py, PyTuple>> {
        let cancel = CancellationToken::new();
        let prepared = parse_request::<ChatCompletionRequest>(body).and_then(|r| Ok((r, options(opts, &cancel)?)));
        let (req, opts) = prepared.map_err(|e| to_err(py, &e))?;
        let client = self.client();
        let out = crate::runtime::wait(py, async move { client.chat_raw(&req, &opts).await }, || {
            cancel.cancel()
        })?;
        convert::response(py, out.map_err(|e| to_err(py, &e))?)
    }

    /// `POST /chat/completions` with `stream: true`; `events` turns on the helper events.
    #[pyo3(signature = (body, opts=None, events=false))]
    fn chat_stream(&self, py: Python<'_>, body: &str, opts: Opts<'_>, events: bool) -> PyResult<NativeStream> {
        let cancel = CancellationToken::new();
        let prepared = parse_request::<ChatCompletionRequest>(body).and_then(|r| Ok((r, options(opts, &cancel)?)));
        let (req, opts) = prepared.map_err(|e| to_err(py, &e))?;
        let client = self.client();
        let out = crate::runtime::wait(py, async move { client.chat_stream(&req, &opts).await }, || {
            cancel.cancel()
        })?;
        Ok(NativeStream::new(out.map_err(|e| to_err(py, &e))?, events))
    }

    /// `GET /models`.
    #[pyo3(signature = (opts=None))]
    fn models<'py>(&self, py: Python<'py>, opts: Opts<'_>) -> PyResult<Bound<'py, PyTuple>> {
        let cancel = CancellationToken::new();
        let opts = options(opts, &cancel).map_err(|e| to_err(py, &e))?;
        let client = self.client();
        let out = crate::runtime::wait(
            py,
            async move { client.send(routerkit::Method::GET, "models", None, &opts).await },
            || cancel.cancel(),
        )?;
        convert::response(py, out.map_err(|e| to_err(py, &e))?)
    }

    /// `POST /embeddings`.
    #[pyo3(signature = (body, opts=None))]
    fn embeddings<'py>(&self, py: Python<'py>, body: &str, opts: Opts<'_>) -> PyResult<Bound<'py, PyTuple>> {
        let cancel = CancellationToken::new();
        let prepared = parse_request::<EmbeddingRequest>(body).and_then(|r| Ok((r, options(opts, &cancel)?)));
        let (req, opts) = prepared.map_err(|e| to_err(py, &e))?;
        let client = self.client();
        let out = crate::runtime::wait(py, async move { client.embeddings_raw(&req, &opts).await }, || {
            cancel.cancel()
        })?;
        convert::response(py, out.map_err(|e| to_err(py, &e))?)
    }

    /// Async twin of `chat`: completes `future` through `completions`.
    #[pyo3(signature = (completions, future, body, opts=None))]
    fn chat_async(
        &self,
        py: Python<'_>,
        completions: Py<Completions>,
        future: Py<PyAny>,
        body: &str,
        opts: Opts<'_>,
    ) -> PyResult<CallHandle> {
        let cancel = CancellationToken::new();
        let prepared = parse_request::<ChatCompletionRequest>(body).and_then(|r| Ok((r, options(opts, &cancel)?)));
        let (req, opts) = prepared.map_err(|e| to_err(py, &e))?;
        let client = self.client();
        bridge::spawn(completions, future, async move {
            client.chat_raw(&req, &opts).await.map(Payload::Body)
        });
        Ok(CallHandle(CancelHandle::new(cancel)))
    }

    /// Async twin of `chat_stream`.
    #[pyo3(signature = (completions, future, body, opts=None, events=false))]
    fn chat_stream_async(
        &self,
        py: Python<'_>,
        completions: Py<Completions>,
        future: Py<PyAny>,
        body: &str,
        opts: Opts<'_>,
        events: bool,
    ) -> PyResult<CallHandle> {
        let cancel = CancellationToken::new();
        let prepared = parse_request::<ChatCompletionRequest>(body).and_then(|r| Ok((r, options(opts, &cancel)?)));
        let (req, opts) = prepared.map_err(|e| to_err(py, &e))?;
        let client = self.client();
        bridge::spawn(completions, future, async move {
            let stream = client.chat_stream(&req, &opts).await?;
            Ok(Payload::Stream(NativeStream::new(stream, events)))
        });
        Ok(CallHandle(CancelHandle::new(cancel)))
    }

    /// Async twin of `models`.
    #[pyo3(signature = (completions, future, opts=None))]
    fn models_async(
        &self,
        py: Python<'_>,
        completions: Py<Completions>,
        future: Py<PyAny>,
        opts: Opts<'_>,
    ) -> PyResult<CallHandle> {
        let cancel = CancellationToken::new();
        let opts = options(opts, &cancel).map_err(|e| to_err(py, &e))?;
        let client = self.client();
        bridge::spawn(completions, future, async move {
            client
                .send(routerkit::Method::GET, "models", None, &opts)
                .await
                .map(Payload::Body)
        });
        Ok(CallHandle(CancelHandle::new(cancel)))
    }

    /// Async twin of `embeddings`.
    #[pyo3(signature = (completions, future, body, opts=None))]
    fn embeddings_async(
        &self,
        py: Python<'_>,
        completions: Py<Completions>,
        future: Py<PyAny>,
        body: &str,
        opts: Opts<'_>,
    ) -> PyResult<CallHandle> {
        let cancel = CancellationToken::new();
        let prepared = parse_request::<EmbeddingRequest>(body).and_then(|r| Ok((r, options(opts, &cancel)?)));
        let (req, opts) = prepared.map_err(|e| to_err(py, &e))?;
        let client = self.client();
        bridge::spawn(completions, future, async move {
            client.embeddings_raw(&req, &opts).await.map(Payload::Body)
        });
        Ok(CallHandle(CancelHandle::new(cancel)))
    }
}
