//! Turning an error response into an `Error` (`client::status_error` →
//! `Error::with_error_body` / `with_text_body`, retry-after, request id), and
//! redacting the key from it.
//!
//! Input: two bytes of HTTP status (big-endian), header lines `name: value`,
//! a blank line, then the body (any bytes: JSON, HTML, garbage).
//!
//! Checks: no panic; kind and status are kept; the same body read as an error
//! object inside a stream (`ErrorKind::Stream`) also works; after `redact`,
//! neither `Display`, `Debug`, the message, the code/type/param, the request
//! id nor the body contains the key; the retry policy's decision is sane.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use routerkit::fuzzing::{error_with_body, redact, status_error};
use routerkit::retry::{RetryDecision, RetryPolicy, MAX_RETRY_AFTER};
use routerkit::{Error, ErrorKind};

const KEY: &str = "sk-fuzz-0123456789abcdef";

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let status = u16::from_be_bytes([data[0], data[1]]);
    let (head, body) = common::split_head(&data[2..]);
    let headers = common::header_lines(head);

    let error = status_error(status, headers, body);
    assert_eq!(error.kind(), ErrorKind::Status);
    assert_eq!(error.status(), Some(status));
    exercise(&error);
    check_policy(&error);
    let error = redact(error, KEY);
    assert_no_key(&error);

    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        let error = error_with_body(ErrorKind::Stream, value);
        exercise(&error);
        assert_no_key(&redact(error, KEY));
    }
});

fn exercise(e: &Error) {
    let _ = (
        e.to_string(),
        format!("{e:?}"),
        e.message(),
        e.code(),
        e.error_type(),
        e.param(),
    );
    let _ = (
        e.body().map(|b| b.to_string()),
        e.headers().len(),
        e.request_id(),
        e.retry_after(),
        e.attempts(),
    );
}

fn assert_no_key(e: &Error) {
    let texts = [
        e.to_string(),
        format!("{e:?}"),
        e.message().to_owned(),
        e.code().unwrap_or_default().to_owned(),
        e.error_type().unwrap_or_default().to_owned(),
        e.param().unwrap_or_default().to_owned(),
        e.request_id().unwrap_or_default().to_owned(),
        e.body().map(|b| b.to_string()).unwrap_or_default(),
    ];
    for text in texts {
        assert!(!text.contains(KEY), "the key survived redaction: {text:?}");
    }
}

fn check_policy(e: &Error) {
    let policy = RetryPolicy::default();
    for attempts in 0..=policy.max_retries + 1 {
        match policy.decide(attempts, e) {
            RetryDecision::RetryAfter(d) => {
                assert!(attempts <= policy.max_retries);
                assert!(d <= MAX_RETRY_AFTER.max(policy.max_backoff), "waits {d:?}");
            }
            RetryDecision::GiveUp => {}
        }
    }
}
