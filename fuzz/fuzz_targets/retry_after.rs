//! Retry-After parsing (`retry::parse_retry_after`: `retry-after-ms`, then
//! `retry-after` as seconds or an HTTP date) and what the policy does with it.
//!
//! Input: eight bytes of "now" (seconds since the epoch, little-endian, taken
//! modulo 2^36 ≈ year 4147), then header lines `name: value`.
//!
//! Checks: no panic; the delay is bounded (≤ 1e9 s for numbers, up to year
//! 9999 for a date); each header parsed alone agrees with the rule; the policy
//! never sleeps longer than `MAX_RETRY_AFTER` or the backoff cap.
#![no_main]

#[path = "common.rs"]
mod common;

use std::time::{Duration, SystemTime};

use libfuzzer_sys::fuzz_target;
use routerkit::fuzzing::{status_error, with_retry_after};
use routerkit::retry::{parse_retry_after, RetryDecision, RetryPolicy, MAX_RETRY_AFTER};

/// 9999-12-31T23:59:59Z, the last instant an HTTP date can name.
const LAST_DATE: u64 = 253_402_300_799;

fuzz_target!(|data: &[u8]| {
    if data.len() < 8 {
        return;
    }
    let secs = u64::from_le_bytes(data[..8].try_into().unwrap()) % (1 << 36);
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(secs);
    let headers = common::header_lines(&data[8..]);

    let delay = parse_retry_after(&headers, now);
    if let Some(d) = delay {
        assert!(d <= Duration::from_secs(LAST_DATE), "{d:?}");
    }
    // retry-after-ms wins when it parses; otherwise retry-after decides.
    let first = |name: &str| headers.iter().find(|(k, _)| k == name).cloned();
    let ms = first("retry-after-ms").and_then(|h| parse_retry_after(&[h], now));
    let plain = first("retry-after").and_then(|h| parse_retry_after(&[h], now));
    assert_eq!(delay, ms.or(plain));

    let policy = RetryPolicy::default();
    let error = with_retry_after(status_error(429, headers, b""), delay);
    for attempts in 0..=policy.max_retries + 1 {
        if let RetryDecision::RetryAfter(d) = policy.decide(attempts, &error) {
            assert!(d <= MAX_RETRY_AFTER.max(policy.max_backoff), "waits {d:?}");
        }
    }
});
