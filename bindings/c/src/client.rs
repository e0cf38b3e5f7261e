//! [`RkClient`] and [`rk_call`], the non-streaming calls, returning an [`RkResponse`].

use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};

use bytes::Bytes;

use crate::cancel::{token_of, RkCancelToken};
use crate::error::RkError;
use crate::{
    block_on, c_string, c_string_opt, free_c_string, guard, header_lines, optional_str, required_str, Failure, RkStatus,
};
use engine::bridge::options::{call_options, client_from_json};

/// A client for one gateway: configuration and a connection pool.
/// Thread-safe: share one client between threads. Free with [`rk_client_free`].
pub struct RkClient {
    pub(crate) inner: engine::Client,
}

/// A successful non-streaming response. Owned by the caller; free with [`rk_response_free`].
#[repr(C)]
pub struct RkResponse {
    /// The response body as received (JSON text), NUL-terminated; `body_len` bytes before the NUL.
    pub body: *mut c_char,
    /// Length of `body` in bytes, without the NUL.
    pub body_len: usize,
    /// HTTP status of the final attempt.
    pub status: i32,
    /// Attempts made, the successful one included.
    pub attempts: u32,
    /// The gateway's request id. NULL if none.
    pub request_id: *mut c_char,
    /// Response headers, one `name: value\n` line each, lower-case names. Never NULL.
    pub headers: *mut c_char,
    /// The route receipt, as the engine's value: its text only when asked for
    /// ([`rk_receipt_json`]), since most callers never read it and writing it cost about
    /// 11,000 instructions, 7 % of a Go request (callgrind). Owned by the response;
    /// [`rk_response_take_receipt`] moves it out, leaving NULL. Never NULL before that.
    pub receipt: *mut RkReceipt,
}

/// A call's route receipt. Owned by whoever holds it (a response, or the caller after
/// [`rk_response_take_receipt`]); free with [`rk_receipt_free`].
pub struct RkReceipt {
    /// Completed (the usage parsed, the texts scrubbed for the key) only when its JSON is asked for.
    inner: engine::CallReceipt,
}

impl RkResponse {
    fn new(r: engine::Response<Bytes>) -> RkResponse {
        let body_len = r.data.len();
        let mut body = Vec::with_capacity(body_len + 1);
        body.extend_from_slice(&r.data);
        body.push(0);
        let body = Box::into_raw(body.into_boxed_slice()) as *mut c_char;
        RkResponse {
            body,
            body_len,
            status: i32::from(r.status),
            attempts: r.attempts,
            request_id: c_string_opt(r.request_id.as_deref()),
            headers: c_string(&header_lines(&r.headers)),
            receipt: Box::into_raw(Box::new(RkReceipt { inner: r.receipt })),
        }
    }
}

/// Creates a client.
///
/// `options_json` (may be NULL: all defaults, key and base URL from the
/// environment) is a JSON object with optional keys: `api_key`, `base_url`,
/// `from_env` (bool, default true: missing key/base URL come from
/// `THEROUTER_API_KEY`/`THEROUTER_BASE_URL`, then `OPENAI_*`, then `.env`),
/// `timeout_ms` (idle timeout, default 600000), `connect_timeout_ms` (10000),
/// `deadline_ms` (whole call, retries included; default 3600000), `keepalive_timeout_ms`
/// (a stream on keep-alive comments alone; default the longer of 600000 and
/// `timeout_ms`), `max_body_bytes` (largest non-streaming body after
/// decompression; default 33554432), `max_retries` (2),
/// `initial_retry_delay_ms` (500), `max_retry_delay_ms` (8000), `headers`
/// (object name → value, sent with every request), `max_event_bytes`,
/// `include_usage_by_default` (bool), `tls_ca_cert` (extra CA certificate(s) to
/// trust besides the built-in roots: a string or an array of strings, each PEM
/// text or the path of a PEM file; `ROUTERKIT_CA_BUNDLE` names one too when
/// `from_env`), `tls_ca_cert_pem` (the same, PEM text only),
/// `allow_insecure_http` (bool, default false: a plain `http://` base URL to a
/// host other than loopback is refused with field `base_url`).
/// A refused server certificate is a `"connection"` error whose message starts
/// with "TLS certificate verification failed". Bad configuration fails here
/// with kind `"invalid_request"` and `field` naming the option.
///
/// On success `*out` is a new client owned by the caller.
///
/// # Safety
/// `options_json` is NULL or a NUL-terminated string; `out` is a valid pointer;
/// `err` is NULL or a valid pointer.
#[no_mangle]
pub unsafe extern "C" fn rk_client_new(
    options_json: *const c_char,
    out: *mut *mut RkClient,
    err: *mut *mut RkError,
) -> RkStatus {
    guard(err, || {
        if out.is_null() {
            return Err(Failure::Argument("`out` is NULL".into()));
        }
        *out = std::ptr::null_mut();
        let json = optional_str(options_json, "options_json")?;
        let inner = client_from_json(json)?;
        *out = Box::into_raw(Box::new(RkClient { inner }));
        Ok(())
    })
}

/// Frees a client. Calls and streams already started keep working (they hold
/// their own reference to the connection pool). NULL is a no-op.
///
/// # Safety
/// `client` is NULL or a client from [`rk_client_new`], not freed before, and
/// not in use by another thread during or after this call.
#[no_mangle]
pub unsafe extern "C" fn rk_client_free(client: *mut RkClient) {
    if !client.is_null() {
        let _ = catch_unwind(AssertUnwindSafe(|| drop(Box::from_raw(client))));
    }
}

/// Borrows the client argument.
unsafe fn client_ref<'a>(client: *const RkClient) -> Result<&'a RkClient, Failure> {
    client
        .as_ref()
        .ok_or_else(|| Failure::Argument("`client` is NULL".into()))
}

/// Runs one blocking call and stores its response in `*out`.
unsafe fn respond(
    out: *mut *mut RkResponse,
    call: impl FnOnce() -> Result<engine::Response<Bytes>, engine::Error>,
) -> Result<(), Failure> {
    if out.is_null() {
        return Err(Failure::Argument("`out` is NULL".into()));
    }
    *out = std::ptr::null_mut();
    let response = call()?;
    *out = Box::into_raw(Box::new(RkResponse::new(response)));
    Ok(())
}

/// Any non-stream operation of the engine's table, by name (`"chat"`, `"models"`,
/// `"models.retrieve"`, `"embeddings"`, `"completions"`, `"moderations"`, …); blocks until done.
/// This one entry point serves every endpoint: adding one changes nothing here.
///
/// `request_json`: the request body (`{"model": …, "messages": […], …}`; unknown
/// fields pass through to the gateway), or for a GET the object of its path parameters
/// (`{"id": "openai/gpt-4.1"}`), or NULL when the operation takes neither. `options_json`
/// (may be NULL): per-call options, a JSON object with optional keys `timeout_ms`,
/// `deadline_ms`, `max_retries`, `headers` (object or `[[name, value], …]`), `query`,
/// `extra_body` (object). `cancel` (may be NULL): triggering it stops the call (kind
/// `"cancelled"`). An unknown `op` is kind `"invalid_request"` with field `op`.
///
/// On success `*out` is a new response owned by the caller ([`rk_response_free`]).
///
/// # Safety
/// `client` is a live client; strings are NULL (where allowed) or NUL-terminated;
/// `cancel` is NULL or a live token; `out` is valid; `err` is NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn rk_call(
    client: *const RkClient,
    op: *const c_char,
    request_json: *const c_char,
    options_json: *const c_char,
    cancel: *const RkCancelToken,
    out: *mut *mut RkResponse,
    err: *mut *mut RkError,
) -> RkStatus {
    guard(err, || {
        let client = client_ref(client)?;
        let op = engine::Op::from_name(required_str(op, "op")?)?;
        let body = optional_str(request_json, "request_json")?;
        let opts = call_options(optional_str(options_json, "options_json")?, token_of(cancel))?;
        respond(out, || block_on(client.inner.call(op, body, &opts)))
    })
}

/// Frees a response and its strings. NULL is a no-op.
///
/// # Safety
/// `response` is NULL or a response returned by this library, not freed before.
#[no_mangle]
pub unsafe extern "C" fn rk_response_free(response: *mut RkResponse) {
    if response.is_null() {
        return;
    }
    let _ = catch_unwind(AssertUnwindSafe(|| {
        let r = Box::from_raw(response);
        if !r.body.is_null() {
            drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(
                r.body as *mut u8,
                r.body_len + 1,
            )));
        }
        free_c_string(r.request_id);
        free_c_string(r.headers);
        rk_receipt_free(r.receipt);
    }));
}

/// Moves the receipt out of a response: the caller owns it from now on ([`rk_receipt_free`]) and
/// may free the response first. NULL for a NULL response or when it was taken before.
///
/// # Safety
/// `response` is NULL or a live response, not used by another thread during this call.
#[no_mangle]
pub unsafe extern "C" fn rk_response_take_receipt(response: *mut RkResponse) -> *mut RkReceipt {
    match response.as_mut() {
        Some(r) => std::mem::replace(&mut r.receipt, std::ptr::null_mut()),
        None => std::ptr::null_mut(),
    }
}

/// The receipt as JSON text (the core's wire form, `ReceiptWire`: models asked and served,
/// provider, gateway ids, attempts with their delays, timings in ms, usage, cost, `complete`),
/// owned by the caller ([`rk_string_free`](crate::rk_string_free)). NULL only for a NULL receipt.
///
/// # Safety
/// `receipt` is NULL or a live receipt.
#[no_mangle]
pub unsafe extern "C" fn rk_receipt_json(receipt: *const RkReceipt) -> *mut c_char {
    let Some(r) = receipt.as_ref() else {
        return std::ptr::null_mut();
    };
    catch_unwind(AssertUnwindSafe(|| {
        c_string(&engine::bridge::wire::receipt_json(&r.inner))
    }))
    .unwrap_or(std::ptr::null_mut())
}

/// Frees a receipt. NULL is a no-op.
///
/// # Safety
/// `receipt` is NULL or a receipt the caller owns (taken with [`rk_response_take_receipt`]),
/// not freed before.
#[no_mangle]
pub unsafe extern "C" fn rk_receipt_free(receipt: *mut RkReceipt) {
    if !receipt.is_null() {
        let _ = catch_unwind(AssertUnwindSafe(|| drop(Box::from_raw(receipt))));
    }
}
