//! `NativeClient`: construction from the core's options schema, and a fixed set of entry
//! points (`call`, `open`) naming the operation of the core's table: an endpoint needs no code here.

use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunctionCallMode;
use napi_derive::napi;
use routerkit::bridge::options::{call_options, client_from_json, sibling_from_json, Settings};
use routerkit::bridge::wire::receipt_json;
use routerkit::{Op, ReceiptHook, RequestOptions};
use tokio_util::sync::CancellationToken;

use crate::error::to_napi;
use crate::stream::{BatchFormat, NativeStream};

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
    /// The route receipt, JSON text of its wire form (`routerkit::bridge::wire::ReceiptWire`).
    pub receipt: String,
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
    /// Kept for `withOptions`, whose sibling reports to the same hook.
    hook: Option<ReceiptHook>,
}

fn flat(pairs: Vec<(String, String)>) -> Vec<String> {
    pairs.into_iter().flat_map(|(k, v)| [k, v]).collect()
}

/// Per-call options: JSON text of the core's options schema
/// (`routerkit::bridge::options::CallOptions`), or none.
pub(crate) fn request_options(o: Option<String>, cancel: Option<&CancelToken>) -> Result<RequestOptions> {
    call_options(o.as_deref(), cancel.map(|c| c.token.clone())).map_err(to_napi)
}

/// The core's one generic helper entry point (`routerkit::bridge::helpers`): a pure function
/// of JSON text (the tool runner's steps, …). Adding a helper adds nothing here.
#[napi]
pub fn helper(name: String, input: String) -> Result<String> {
    routerkit::bridge::helpers::helper(&name, &input).map_err(to_napi)
}

/// The core's defaults (`routerkit::bridge::options::Settings::defaults`), as JSON text.
#[napi]
pub fn default_settings() -> String {
    Settings::defaults().to_json()
}

/// The core's error kinds (for the exhaustiveness test of `lib/errors.js`).
#[napi]
pub fn error_kinds() -> Vec<&'static str> {
    routerkit::bridge::wire::error_kinds()
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
        receipt: receipt_json(&r.receipt.into_receipt()),
    }
}

/// The client's `onReceipt`: the core calls it once per call when the call ends, on a runtime
/// thread; it queues the receipt's JSON text to `f` on the JavaScript thread (non-blocking, and
/// weak: a client with a hook does not keep the process alive). `f` is the JS layer's wrapper,
/// which catches what the user's function throws.
fn receipt_hook(f: Function<'_, String, ()>) -> Result<ReceiptHook> {
    let tsfn = f
        .build_threadsafe_function::<String>()
        .callee_handled::<false>()
        .weak::<true>()
        .build()?;
    let tsfn = std::sync::Arc::new(tsfn);
    Ok(ReceiptHook(std::sync::Arc::new(move |r: &routerkit::Receipt| {
        // Closing (the environment is going away) is not an error of the call.
        let _ = tsfn.call(receipt_json(r), ThreadsafeFunctionCallMode::NonBlocking);
    })))
}

fn hooked(client: routerkit::Client, hook: Option<&ReceiptHook>) -> Result<routerkit::Client> {
    let Some(hook) = hook else { return Ok(client) };
    let mut config = client.config().clone();
    config.on_receipt = Some(hook.clone());
    client.with_config(config).map_err(to_napi)
}

#[napi]
impl NativeClient {
    /// `options` is JSON text of the core's options schema (`routerkit::bridge::options::ClientOptions`).
    /// `on_receipt` gets each call's receipt (JSON text) when the call ends.
    #[napi(constructor)]
    pub fn new(options: Option<String>, on_receipt: Option<Function<'_, String, ()>>) -> Result<Self> {
        let hook = on_receipt.map(receipt_hook).transpose()?;
        let inner = hooked(client_from_json(options.as_deref()).map_err(to_napi)?, hook.as_ref())?;
        Ok(NativeClient { inner, hook })
    }

    /// A sibling client with other settings, sharing the connection pool (`withOptions`); it
    /// reports to `on_receipt` when given, else to this client's hook.
    #[napi]
    pub fn with_options(&self, options: String, on_receipt: Option<Function<'_, String, ()>>) -> Result<NativeClient> {
        let hook = match on_receipt {
            Some(f) => Some(receipt_hook(f)?),
            None => self.hook.clone(),
        };
        let inner = sibling_from_json(&self.inner, Some(&options)).map_err(to_napi)?;
        Ok(NativeClient {
            inner: hooked(inner, hook.as_ref())?,
            hook,
        })
    }

    /// What the client resolved (`routerkit::bridge::options::Settings`), as JSON text.
    #[napi(getter)]
    pub fn settings(&self) -> String {
        Settings::of(self.inner.config()).to_json()
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

    /// Any non-stream operation of the core's table by name (`"chat"`, `"models.retrieve"`, …).
    /// `body` is JSON text of the request (for a GET, of its path parameters), or none.
    #[napi(ts_return_type = "Promise<NativeResponse>")]
    pub fn call<'env>(
        &self,
        env: &'env Env,
        op: String,
        body: Option<String>,
        options: Option<String>,
        cancel: Option<&CancelToken>,
    ) -> Result<PromiseRaw<'env, NativeResponse>> {
        let op = Op::from_name(&op).map_err(to_napi)?;
        let opts = request_options(options, cancel)?;
        let client = self.inner.clone();
        env.spawn_future(async move {
            client
                .call(op, body.as_deref(), &opts)
                .await
                .map(response)
                .map_err(to_napi)
        })
    }

    /// Any stream operation of the table by name (`"chat_stream"`, `"completions_stream"`);
    /// resolves once the response started.
    #[napi(ts_return_type = "Promise<NativeStream>")]
    pub fn open<'env>(
        &self,
        env: &'env Env,
        op: String,
        body: String,
        options: Option<String>,
        cancel: Option<&CancelToken>,
        #[napi(ts_arg_type = "'events' | 'shapes' | 'json'")] format: String,
    ) -> Result<PromiseRaw<'env, NativeStream>> {
        let op = Op::from_name(&op).map_err(to_napi)?;
        let opts = request_options(options, cancel)?;
        let format = BatchFormat::parse(&format)?;
        let client = self.inner.clone();
        env.spawn_future(async move {
            let mut stream = client.open(op, Some(&body), &opts).await.map_err(to_napi)?;
            // Chunks cross as their event text (or shapes made from it), never as the parsed chunk.
            stream.data_only();
            if format == BatchFormat::Events {
                stream.enable_events();
            }
            Ok(NativeStream::new(stream, format))
        })
    }
}
