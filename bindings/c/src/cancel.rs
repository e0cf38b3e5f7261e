//! [`RkCancelToken`]: cancels calls and streams from any thread.

use std::panic::{catch_unwind, AssertUnwindSafe};

use tokio_util::sync::CancellationToken;

/// A cancel signal shared by the calls and streams it is passed to.
///
/// Create with [`rk_cancel_token_new`], trigger with [`rk_cancel_token_cancel`]
/// from any thread (idempotent), free with [`rk_cancel_token_free`]. A call or
/// stream that was given the token keeps its own reference, so the token may be
/// freed while they run: cancelling goes through the token, though, so keep it
/// alive as long as you may want to cancel.
pub struct RkCancelToken {
    pub(crate) token: CancellationToken,
}

/// A new, untriggered cancel token, owned by the caller (free with [`rk_cancel_token_free`]).
/// Never NULL.
#[no_mangle]
pub extern "C" fn rk_cancel_token_new() -> *mut RkCancelToken {
    match catch_unwind(|| {
        Box::into_raw(Box::new(RkCancelToken {
            token: CancellationToken::new(),
        }))
    }) {
        Ok(p) => p,
        Err(_) => std::ptr::null_mut(),
    }
}

/// Triggers the token: every call and stream given it stops at once with an
/// error of kind `"cancelled"`, its connection closed, its backoff sleep cut short.
/// Thread-safe and idempotent; NULL is a no-op.
///
/// # Safety
/// `token` is NULL or a live token from [`rk_cancel_token_new`].
#[no_mangle]
pub unsafe extern "C" fn rk_cancel_token_cancel(token: *const RkCancelToken) {
    if let Some(t) = token.as_ref() {
        let _ = catch_unwind(AssertUnwindSafe(|| t.token.cancel()));
    }
}

/// Whether the token was triggered. NULL gives false.
///
/// # Safety
/// `token` is NULL or a live token from [`rk_cancel_token_new`].
#[no_mangle]
pub unsafe extern "C" fn rk_cancel_token_is_cancelled(token: *const RkCancelToken) -> bool {
    token.as_ref().is_some_and(|t| t.token.is_cancelled())
}

/// Frees the token (it is not triggered by this). NULL is a no-op.
///
/// # Safety
/// `token` is NULL or a token from [`rk_cancel_token_new`], not freed before,
/// and no other thread uses it during or after this call.
#[no_mangle]
pub unsafe extern "C" fn rk_cancel_token_free(token: *mut RkCancelToken) {
    if !token.is_null() {
        let _ = catch_unwind(AssertUnwindSafe(|| drop(Box::from_raw(token))));
    }
}

/// The engine token for a call: a child of the caller's token (NULL: none).
///
/// # Safety
/// `token` is NULL or a live token.
pub(crate) unsafe fn token_of(token: *const RkCancelToken) -> Option<CancellationToken> {
    token.as_ref().map(|t| t.token.child_token())
}
