//! `NativeClient`: construction from the JS options, and one method per core call.

use std::time::Duration;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use routerkit::request::parse_request;
use routerkit::{ChatCompletionRequest, ClientBuilder, EmbeddingRequest, RequestOptions};
use tokio_util::sync::CancellationToken;

use crate::error::to_napi;
use crate::stream::{BatchFormat, NativeStream};

/// Client settings, already normalised by the JS layer (times in milliseconds).
#[napi(object)]
#[derive(Default)]
pub struct NativeClientOptions {
    pub api_key: Option<String>,
    pub base_url: Option<String>,
    pub timeout: Option<f64>,
    pub connect_timeout: Option<f64>,
    pub deadline: Option<f64>,
    pub keepalive_timeout: Option<f64>,
    pub max_body_bytes: Option<f64>,
    pub max_retries: Option<u32>,
    pub initial_retry_delay: Option<f64>,
    pub max_retry_delay: Option<f64>,
    /// Flat `[name, value, name, value, …]`.
    pub default_headers: Option<Vec<String>>,
    /// `tlsCaCert` strings: each the path of a PEM file, or PEM text.
    pub tls_ca_certs: Option<Vec<String>>,
    /// `tlsCaCert` Buffers, as PEM text.
    pub tls_ca_pems: Option<Vec<String>>,
    pub allow_insecure_http: Option<bool>,
}

/// Per-call options (times in milliseconds).
#[napi(object)]
#[derive(Default)]
pub struct NativeCallOptions {
    pub timeout: Option<f64>,
    pub deadline: Option<f64>,
    pub keepalive_timeout: Option<f64>,
    pub max_retries: Option<u32>,
    /// Flat `[name, value, …]`; an empty value removes a default header.
    pub headers: Option<Vec<String>>,
    /// Flat `[name, value, …]`.
    pub query: Option<Vec<String>>,
    /// JSON text of an object merged into the body last.
    pub extra_body: Option<String>,
}

/// A successful non-streaming call: the body as received plus what the call learned.
#[napi(object)]
pub struct NativeResponse {
    /// JSON text.
    pub body: String,
    pub status: u32,
    /// Flat `[name, value, …]`, lower-case names.
    pub headers: Vec<String>,
    pub request_id: Option<String>,
    pub attempts: u32,
}

/// Cancels one call (and the stream it returns) from JS: `AbortSignal`, `abort()`, `break`.
#[napi]
#[derive(Default)]
pub struct CancelToken {
    pub(crate) token: CancellationToken,
}

#[napi]
impl CancelToken {
    #[napi(constructor)]
    pub fn new() -> Self {
        Self::default()
    }
    #[napi]
    pub fn cancel(&self) {
        self.token.cancel()
    }
}

#[napi]
pub struct NativeClient {
    inner: routerkit::Client,
}

fn ms(v: f64, field: &'static str) -> Result<Duration> {
    Duration::try_from_secs_f64(v / 1000.0).map_err(|_| {
        to_napi(routerkit::Error::invalid(
            field,
            "must be a non-negative number of milliseconds",
        ))
    })
}

fn pairs(flat: Option<Vec<String>>) -> Vec<(String, String)> {
    let mut flat = flat.unwrap_or_default().into_iter();
    let mut out = Vec::new();
    while let (Some(k), Some(v)) = (flat.next(), flat.next()) {
        out.push((k, v));
    }
    out
}

fn flat(pairs: Vec<(String, String)>) -> Vec<String> {
    pairs.into_iter().flat_map(|(k, v)| [k, v]).collect()
}

fn builder(o: NativeClientOptions) -> Result<ClientBuilder> {
    let mut b = ClientBuilder::new().from_env();
    if let Some(k) = o.api_key {
        b = b.api_key(k);
    }
    if let Some(u) = o.base_url {
        b = b.base_url(u);
    }
    if let Some(t) = o.timeout {
        b = b.timeout(ms(t, "timeout")?);
    }
    if let Some(t) = o.connect_timeout {
        b = b.connect_timeout(ms(t, "connect_timeout")?);
    }
    if let Some(t) = o.deadline {
        b = b.deadline(ms(t, "deadline")?);
    }
    if let Some(t) = o.keepalive_timeout {
        b = b.keepalive_timeout(ms(t, "keepalive_timeout")?);
    }
    if let Some(n) = o.max_body_bytes {
        if !(n.fract() == 0.0 && n >= 1.0 && n <= usize::MAX as f64) {
            return Err(to_napi(routerkit::Error::invalid(
                "max_body_bytes",
                "must be a positive whole number of bytes",
            )));
        }
        b = b.max_body_bytes(n as usize);
    }
    if let Some(n) = o.max_retries {
        b = b.max_retries(n);
    }
    if o.initial_retry_delay.is_some() || o.max_retry_delay.is_some() {
        let defaults = routerkit::RetryPolicy::default();
        let initial = o
            .initial_retry_delay
            .map(|t| ms(t, "initial_retry_delay"))
            .transpose()?
            .unwrap_or(defaults.initial_backoff);
        let max = o
            .max_retry_delay
            .map(|t| ms(t, "max_retry_delay"))
            .transpose()?
            .unwrap_or(defaults.max_backoff);
        b = b.backoff(initial, max.max(initial));
    }
    for (k, v) in pairs(o.default_headers) {
        b = b.default_header(k, v);
    }
    for c in o.tls_ca_certs.unwrap_or_default() {
        b = b.tls_ca_cert(&c);
    }
    for pem in o.tls_ca_pems.unwrap_or_default() {
        b = b.add_root_certificate_pem(pem);
    }
    if let Some(yes) = o.allow_insecure_http {
        b = b.allow_insecure_http(yes);
    }
    Ok(b)
}

pub(crate) fn request_options(o: Option<NativeCallOptions>, cancel: Option<&CancelToken>) -> Result<RequestOptions> {
    let o = o.unwrap_or_default();
    let extra_body = match o.extra_body {
        Some(text) => match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(serde_json::Value::Object(map)) => Some(map),
            _ => return Err(to_napi(routerkit::Error::invalid("extra_body", "must be an object"))),
        },
        None => None,
    };
    Ok(RequestOptions {
        timeout: o.timeout.map(|t| ms(t, "timeout")).transpose()?,
        deadline: o.deadline.map(|t| ms(t, "deadline")).transpose()?,
        keepalive_timeout: o.keepalive_timeout.map(|t| ms(t, "keepalive_timeout")).transpose()?,
        max_retries: o.max_retries,
        headers: pairs(o.headers),
        query: pairs(o.query),
        extra_body,
        cancel: cancel.map(|c| c.token.clone()),
    })
}

fn response(r: routerkit::Response<bytes::Bytes>) -> NativeResponse {
    let body = match String::from_utf8(r.data.to_vec()) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    NativeResponse {
        body,
        status: r.status as u32,
        headers: flat(r.headers),
        request_id: r.request_id,
        attempts: r.attempts,
    }
}

#[napi]
impl NativeClient {
    #[napi(constructor)]
    pub fn new(options: Option<NativeClientOptions>) -> Result<Self> {
        let inner = builder(options.unwrap_or_default())?.build().map_err(to_napi)?;
        Ok(NativeClient { inner })
    }

    /// A sibling client with other settings, sharing the connection pool (`withOptions`).
    #[napi]
    pub fn with_options(&self, options: NativeClientOptions) -> Result<NativeClient> {
        let config = builder(options)?.build_config().map_err(to_napi)?;
        Ok(NativeClient {
            inner: self.inner.with_config(config).map_err(to_napi)?,
        })
    }

    /// The base URL in use (normalised).
    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.inner.config().base_url.clone()
    }

    /// The key masked to its first 8 characters.
    #[napi(getter)]
    pub fn masked_key(&self) -> String {
        self.inner.config().api_key.to_string()
    }

    /// `POST /chat/completions`, not streaming. `body` is JSON text.
    #[napi(ts_return_type = "Promise<NativeResponse>")]
    pub fn chat<'env>(
        &self,
        env: &'env Env,
        body: String,
        options: Option<NativeCallOptions>,
        cancel: Option<&CancelToken>,
    ) -> Result<PromiseRaw<'env, NativeResponse>> {
        let request: ChatCompletionRequest = parse_request(&body).map_err(to_napi)?;
        let opts = request_options(options, cancel)?;
        let client = self.inner.clone();
        env.spawn_future(async move { client.chat_raw(&request, &opts).await.map(response).map_err(to_napi) })
    }

    /// `POST /chat/completions` with `stream: true`; resolves once the response started.
    #[napi(ts_return_type = "Promise<NativeStream>")]
    pub fn chat_stream<'env>(
        &self,
        env: &'env Env,
        body: String,
        options: Option<NativeCallOptions>,
        cancel: Option<&CancelToken>,
        #[napi(ts_arg_type = "'events' | 'shapes' | 'json'")] format: String,
    ) -> Result<PromiseRaw<'env, NativeStream>> {
        let request: ChatCompletionRequest = parse_request(&body).map_err(to_napi)?;
        let opts = request_options(options, cancel)?;
        let format = BatchFormat::parse(&format)?;
        let client = self.inner.clone();
        env.spawn_future(async move {
            let mut stream = client.chat_stream(&request, &opts).await.map_err(to_napi)?;
            // Chunks cross as their event text (or shapes made from it), never as the parsed chunk.
            stream.data_only();
            if format == BatchFormat::Events {
                stream.enable_events();
            }
            Ok(NativeStream::new(stream, format))
        })
    }

    /// `GET /models`.
    #[napi(ts_return_type = "Promise<NativeResponse>")]
    pub fn list_models<'env>(
        &self,
        env: &'env Env,
        options: Option<NativeCallOptions>,
        cancel: Option<&CancelToken>,
    ) -> Result<PromiseRaw<'env, NativeResponse>> {
        let opts = request_options(options, cancel)?;
        let client = self.inner.clone();
        env.spawn_future(async move {
            client
                .send(routerkit::Method::GET, "models", None, &opts)
                .await
                .map(response)
                .map_err(to_napi)
        })
    }

    /// `POST /embeddings`. `body` is JSON text.
    #[napi(ts_return_type = "Promise<NativeResponse>")]
    pub fn embeddings<'env>(
        &self,
        env: &'env Env,
        body: String,
        options: Option<NativeCallOptions>,
        cancel: Option<&CancelToken>,
    ) -> Result<PromiseRaw<'env, NativeResponse>> {
        let request: EmbeddingRequest = parse_request(&body).map_err(to_napi)?;
        let opts = request_options(options, cancel)?;
        let client = self.inner.clone();
        env.spawn_future(async move {
            client
                .embeddings_raw(&request, &opts)
                .await
                .map(response)
                .map_err(to_napi)
        })
    }
}
