//! The client: options in, core call, raw JSON out. Request bodies arrive as
//! JSON text (`json.dumps` of the caller's keyword arguments).

use std::sync::Mutex;
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::PyTuple;
use routerkit::request::parse_request;
use routerkit::{CancelHandle, ChatCompletionRequest, Client, ClientBuilder, EmbeddingRequest, RequestOptions};
use tokio_util::sync::CancellationToken;

use crate::bridge::{self, Completions};
use crate::convert::{self, Payload};
use crate::error::to_err;
use crate::stream::NativeStream;

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

fn secs(field: &'static str, v: Option<f64>) -> Result<Option<Duration>, routerkit::Error> {
    match v {
        None => Ok(None),
        Some(s) if s.is_finite() && s > 0.0 => Ok(Some(Duration::from_secs_f64(s.min(1e9)))),
        Some(s) if s == 0.0 && (field == "initial_retry_delay" || field == "max_retry_delay") => {
            Ok(Some(Duration::ZERO))
        }
        Some(s) => Err(routerkit::Error::invalid(
            field,
            format!("must be a positive number of seconds, got {s}"),
        )),
    }
}

/// Per-call options: timeout (s), headers, query, extra_body (JSON text of an object).
type Opts = (
    Option<f64>,
    Option<Vec<(String, String)>>,
    Option<Vec<(String, String)>>,
    Option<String>,
);

fn options(opts: Option<Opts>, cancel: &CancellationToken) -> Result<RequestOptions, routerkit::Error> {
    let mut o = RequestOptions {
        cancel: Some(cancel.clone()),
        ..Default::default()
    };
    if let Some((timeout, headers, query, extra_body)) = opts {
        o.timeout = secs("timeout", timeout)?;
        o.headers = headers.unwrap_or_default();
        o.query = query.unwrap_or_default();
        if let Some(text) = extra_body {
            o.extra_body = Some(
                parse_request::<serde_json::Map<String, serde_json::Value>>(&text).map_err(|_| {
                    routerkit::Error::invalid("extra_body", "must be a dict of JSON-serialisable values")
                })?,
            );
        }
    }
    Ok(o)
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
    /// Validates the configuration; what is not given comes from THEROUTER_* / OPENAI_* or `.env`.
    #[new]
    #[pyo3(signature = (api_key=None, base_url=None, timeout=None, connect_timeout=None, deadline=None,
                        max_retries=None, initial_retry_delay=None, max_retry_delay=None, default_headers=None,
                        parent=None, *, tls_ca_cert=None, tls_ca_pem=None, allow_insecure_http=false,
                        keepalive_timeout=None, max_body_bytes=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        api_key: Option<String>,
        base_url: Option<String>,
        timeout: Option<f64>,
        connect_timeout: Option<f64>,
        deadline: Option<f64>,
        max_retries: Option<i64>,
        initial_retry_delay: Option<f64>,
        max_retry_delay: Option<f64>,
        default_headers: Option<Vec<(String, String)>>,
        parent: Option<PyRef<'_, NativeClient>>,
        tls_ca_cert: Option<String>,
        tls_ca_pem: Option<String>,
        allow_insecure_http: bool,
        keepalive_timeout: Option<f64>,
        max_body_bytes: Option<i64>,
    ) -> PyResult<Self> {
        let build = || -> Result<Client, routerkit::Error> {
            let mut b = ClientBuilder::new().from_env();
            if let Some(k) = api_key {
                b = b.api_key(k);
            }
            if let Some(u) = base_url {
                b = b.base_url(u);
            }
            if let Some(d) = secs("timeout", timeout)? {
                b = b.timeout(d);
            }
            if let Some(d) = secs("connect_timeout", connect_timeout)? {
                b = b.connect_timeout(d);
            }
            if let Some(d) = secs("deadline", deadline)? {
                b = b.deadline(d);
            }
            if let Some(d) = secs("keepalive_timeout", keepalive_timeout)? {
                b = b.keepalive_timeout(d);
            }
            if let Some(n) = max_body_bytes {
                let n = usize::try_from(n)
                    .map_err(|_| routerkit::Error::invalid("max_body_bytes", format!("{n} is not a size in bytes")))?;
                b = b.max_body_bytes(n);
            }
            if let Some(n) = max_retries {
                let n = u32::try_from(n)
                    .map_err(|_| routerkit::Error::invalid("max_retries", format!("{n} is not a count")))?;
                b = b.max_retries(n);
            }
            if initial_retry_delay.is_some() || max_retry_delay.is_some() {
                let defaults = routerkit::RetryPolicy::default();
                let initial = secs("initial_retry_delay", initial_retry_delay)?.unwrap_or(defaults.initial_backoff);
                let max = secs("max_retry_delay", max_retry_delay)?
                    .unwrap_or(defaults.max_backoff)
                    .max(initial);
                b = b.backoff(initial, max);
            }
            for (k, v) in default_headers.unwrap_or_default() {
                b = b.default_header(k, v);
            }
            if let Some(c) = &tls_ca_cert {
                b = b.tls_ca_cert(c);
            }
            if let Some(pem) = tls_ca_pem {
                b = b.add_root_certificate_pem(pem);
            }
            b = b.allow_insecure_http(allow_insecure_http);
            match &parent {
                Some(p) => p.client().with_config(b.build_config()?),
                None => b.build(),
            }
        };
        let client = build().map_err(|e| to_err(py, &e))?;
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

    /// `(timeout, connect_timeout, deadline, max_retries)` in seconds / count.
    fn settings(&self) -> (f64, f64, Option<f64>, u32) {
        let c = self.client();
        let cfg = c.config();
        (
            cfg.timeout.as_secs_f64(),
            cfg.connect_timeout.as_secs_f64(),
            cfg.deadline.map(|d| d.as_secs_f64()),
            cfg.retry.max_retries,
        )
    }

    /// `POST /chat/completions`: `(body, status, headers, request_id, attempts)`.
    #[pyo3(signature = (body, opts=None))]
    fn chat<'py>(&self, py: Python<'py>, body: &str, opts: Option<Opts>) -> PyResult<Bound<'py, PyTuple>> {
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
    fn chat_stream(&self, py: Python<'_>, body: &str, opts: Option<Opts>, events: bool) -> PyResult<NativeStream> {
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
    fn models<'py>(&self, py: Python<'py>, opts: Option<Opts>) -> PyResult<Bound<'py, PyTuple>> {
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
    fn embeddings<'py>(&self, py: Python<'py>, body: &str, opts: Option<Opts>) -> PyResult<Bound<'py, PyTuple>> {
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
        opts: Option<Opts>,
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
        opts: Option<Opts>,
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
        opts: Option<Opts>,
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
        opts: Option<Opts>,
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
