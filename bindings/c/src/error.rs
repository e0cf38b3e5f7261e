//! [`RkError`]: the engine's error as a struct of owned C strings.

use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};

use engine::bridge::wire::ErrorWire;

use crate::{c_string, c_string_opt, free_c_string, header_lines};

/// An error, returned through an `RkError **err` out-parameter.
///
/// Owned by the caller once returned; free it with [`rk_error_free`] (which
/// frees every string in it). Strings are NUL-terminated UTF-8. Fields the
/// error does not have are NULL (strings), 0 (`status`) or -1 (`retry_after_ms`).
#[repr(C)]
pub struct RkError {
    /// `"status"`, `"connection"`, `"timeout"`, `"stream"`, `"invalid_request"`,
    /// `"cancelled"`, `"decode"` (every name [`rk_error_kinds`] lists), or `"panic"` (a bug
    /// in the library). Never NULL; freed by [`rk_error_free`].
    pub kind: *mut c_char,
    /// HTTP status for kind `"status"`, else 0.
    pub status: i32,
    /// Human-readable message (the gateway's, when it sent one). Never NULL. Never holds the API key.
    pub message: *mut c_char,
    /// The error body's `code`, as text (a numeric code is given in decimal). NULL if none.
    pub code: *mut c_char,
    /// The error body's `type`. NULL if none.
    pub error_type: *mut c_char,
    /// The error body's `param`. NULL if none.
    pub param: *mut c_char,
    /// For kind `"invalid_request"`: the parameter at fault (`"base_url"`, `"temperature"`…). NULL if none.
    pub field: *mut c_char,
    /// The parsed error body as JSON text (the `error` object when the body wraps one;
    /// a JSON string when the body was not JSON). NULL if there was no body.
    pub body_json: *mut c_char,
    /// Response headers, one `name: value\n` line each, lower-case names. Never NULL (may be empty).
    pub headers: *mut c_char,
    /// The gateway's request id (`x-request-id` and friends). NULL if none.
    pub request_id: *mut c_char,
    /// The delay the server asked for (`retry-after-ms` / `retry-after`) in milliseconds, or -1.
    pub retry_after_ms: i64,
    /// Attempts made before this error (0 when nothing was sent).
    pub attempts: u32,
    /// The route receipt of the call that failed, as JSON text (the core's wire form,
    /// `ReceiptWire`). NULL when nothing was sent.
    pub receipt_json: *mut c_char,
}

impl RkError {
    /// Every field from the core's one wire form of an error ([`ErrorWire`]).
    pub(crate) fn from_engine(e: &engine::Error) -> RkError {
        let w = ErrorWire::of(e);
        RkError {
            kind: c_string(w.kind),
            status: w.status.map_or(0, i32::from),
            message: c_string(w.message),
            code: c_string_opt(w.code),
            error_type: c_string_opt(w.error_type),
            param: c_string_opt(w.param),
            field: c_string_opt(w.field),
            body_json: w.body.map_or(std::ptr::null_mut(), |b| c_string(&b.to_string())),
            headers: c_string(&header_lines(w.headers)),
            request_id: c_string_opt(w.request_id),
            retry_after_ms: w.retry_after_ms.map_or(-1, |ms| ms as i64),
            attempts: w.attempts,
            receipt_json: e.receipt().map_or(std::ptr::null_mut(), |r| {
                c_string(&engine::bridge::wire::receipt_json(r))
            }),
        }
    }

    fn bare(kind: &str, message: &str, field: Option<&str>) -> RkError {
        RkError {
            kind: c_string(kind),
            status: 0,
            message: c_string(message),
            code: std::ptr::null_mut(),
            error_type: std::ptr::null_mut(),
            param: std::ptr::null_mut(),
            field: c_string_opt(field),
            body_json: std::ptr::null_mut(),
            headers: c_string(""),
            request_id: std::ptr::null_mut(),
            retry_after_ms: -1,
            attempts: 0,
            receipt_json: std::ptr::null_mut(),
        }
    }

    pub(crate) fn argument(message: String) -> RkError {
        RkError::bare("invalid_request", &format!("routerkit: {message}"), Some("argument"))
    }

    pub(crate) fn panic(what: &str) -> RkError {
        RkError::bare("panic", &format!("routerkit: internal error (panic): {what}"), None)
    }
}

/// The core's error kinds, one name per line (`"status\nconnection\n…"`), static: never
/// free it. A binding's test checks that it maps every one, so that a kind added to the
/// core fails that test until the binding maps it.
#[no_mangle]
pub extern "C" fn rk_error_kinds() -> *const c_char {
    static KINDS: std::sync::OnceLock<std::ffi::CString> = std::sync::OnceLock::new();
    KINDS
        .get_or_init(|| std::ffi::CString::new(engine::bridge::wire::error_kinds().join("\n")).unwrap_or_default())
        .as_ptr()
}

/// Frees an error and every string in it. NULL is a no-op.
///
/// # Safety
/// `err` is NULL or an error returned by this library, not freed before.
#[no_mangle]
pub unsafe extern "C" fn rk_error_free(err: *mut RkError) {
    if err.is_null() {
        return;
    }
    let _ = catch_unwind(AssertUnwindSafe(|| drop(Box::from_raw(err))));
}

impl Drop for RkError {
    fn drop(&mut self) {
        for s in [
            self.kind,
            self.message,
            self.code,
            self.error_type,
            self.param,
            self.field,
            self.body_json,
            self.headers,
            self.request_id,
            self.receipt_json,
        ] {
            // SAFETY: every string field is NULL or came from `c_string`, and is freed only here.
            unsafe { free_c_string(s) };
        }
    }
}
