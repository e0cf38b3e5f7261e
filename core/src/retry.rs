//! The retry policy: what is retried, how long to wait, and what the server
//! may say about it.

use std::time::{Duration, SystemTime};

use crate::error::{Error, ErrorKind};

/// The longest server-requested delay that is waited for; a longer one is
/// returned to the caller at once (carried on the error) instead of blocking.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// The peers' default for `max_retries`.
pub const DEFAULT_MAX_RETRIES: u32 = 2;

/// Retries after the first attempt, and the backoff between them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (default 2: three attempts in all).
    pub max_retries: u32,
    /// First backoff delay (default 0.5 s), doubled per retry.
    pub initial_backoff: Duration,
    /// Cap on the backoff delay (default 8 s).
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: DEFAULT_MAX_RETRIES,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
        }
    }
}

/// What to do after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryDecision {
    /// Wait this long, then try again.
    RetryAfter(Duration),
    /// Return the error to the caller.
    GiveUp,
}

/// Statuses the peers retry: request timeout, lock conflict, rate limit, server errors.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 409 | 429) || status >= 500
}

/// OpenRouter's `error.metadata.error_type` values that say a later try may succeed.
const RETRYABLE_ERROR_TYPES: [&str; 5] = [
    "rate_limit_exceeded",
    "provider_overloaded",
    "provider_unavailable",
    "timeout",
    "server",
];

/// OpenRouter's `error.metadata.error_type` values that say the same request will fail again
/// (`unmapped` is in neither list: it says nothing, so the status decides).
const FINAL_ERROR_TYPES: [&str; 22] = [
    "context_length_exceeded",
    "max_tokens_exceeded",
    "token_limit_exceeded",
    "string_too_long",
    "authentication",
    "permission_denied",
    "payment_required",
    "invalid_request",
    "invalid_prompt",
    "not_found",
    "precondition_failed",
    "payload_too_large",
    "unprocessable",
    "content_policy_violation",
    "refusal",
    "invalid_image",
    "image_too_large",
    "image_too_small",
    "unsupported_image_format",
    "image_not_found",
    "image_download_failed",
    "model_not_found",
];

/// Whether `error` is worth another try, by the first rule that speaks (ARCHITECTURE.md,
/// "Retries"): the `x-should-retry` header; the gateway's typed body (`availability.retryable`,
/// then `metadata.retryable`, then `metadata.error_type`); the kind and the status.
pub fn is_retryable(error: &Error) -> bool {
    if matches!(error.kind(), ErrorKind::Cancelled | ErrorKind::InvalidRequest) {
        return false;
    }
    if let Some(explicit) = should_retry_header(error.headers()) {
        return explicit;
    }
    if let Some(verdict) = error.retryable() {
        return verdict;
    }
    if let Some(t) = error.gateway_error_type() {
        if RETRYABLE_ERROR_TYPES.contains(&t) {
            return true;
        }
        if FINAL_ERROR_TYPES.contains(&t) {
            return false;
        }
    }
    match error.kind() {
        ErrorKind::Connection | ErrorKind::Timeout => true,
        ErrorKind::Status => error.status().is_some_and(is_retryable_status),
        _ => false,
    }
}

impl RetryPolicy {
    /// Decides after attempt number `attempts` (1-based) failed with `error`.
    ///
    /// Only errors before any output reach here: the stream layer never asks
    /// once an event has been handed to the caller.
    pub fn decide(&self, attempts: u32, error: &Error) -> RetryDecision {
        if attempts > self.max_retries || !is_retryable(error) {
            return RetryDecision::GiveUp;
        }
        // A delay the server asked for (its headers, else its body) is honoured up to the cap.
        match error.retry_after() {
            Some(d) if d > MAX_RETRY_AFTER => RetryDecision::GiveUp,
            Some(d) => RetryDecision::RetryAfter(d),
            None => RetryDecision::RetryAfter(self.backoff(attempts)),
        }
    }

    /// Exponential backoff with jitter: `initial * 2^(n-1)`, capped, minus up to 25 %.
    pub fn backoff(&self, attempts: u32) -> Duration {
        let exp = attempts.saturating_sub(1).min(30);
        let base = self.initial_backoff.saturating_mul(1u32 << exp).min(self.max_backoff);
        // Jitter spreads clients that failed together, so they do not retry together.
        let jitter = 1.0 - 0.25 * fastrand::f64();
        base.mul_f64(jitter)
    }
}

/// `x-should-retry: true|false` from the server overrides the status rules.
fn should_retry_header(headers: &[(String, String)]) -> Option<bool> {
    let (_, v) = headers.iter().find(|(k, _)| k == "x-should-retry")?;
    match v.trim() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// The delay a server asks for: `retry-after-ms`, else `retry-after` as
/// (fractional) seconds or an HTTP date. Negative or unparsable values are ignored.
pub fn parse_retry_after(headers: &[(String, String)], now: SystemTime) -> Option<Duration> {
    let get = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim());
    if let Some(ms) = get("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        if ms.is_finite() && ms >= 0.0 {
            return Some(Duration::from_secs_f64(ms.min(1e12) / 1000.0));
        }
    }
    let value = get("retry-after")?;
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(1e9)));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn status_error(status: u16, headers: &[(&str, &str)]) -> Error {
        let headers = h(headers);
        let ra = parse_retry_after(&headers, SystemTime::now());
        Error::new(ErrorKind::Status, "x")
            .with_status(status)
            .with_headers(headers)
            .with_retry_after(ra)
    }

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(
            parse_retry_after(&h(&[("retry-after-ms", "250")]), now),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            parse_retry_after(&h(&[("retry-after", "1.5")]), now),
            Some(Duration::from_millis(1500))
        );
        let date = httpdate::fmt_http_date(now + Duration::from_secs(3));
        assert_eq!(
            parse_retry_after(&h(&[("retry-after", &date)]), now),
            Some(Duration::from_secs(3))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(3));
        assert_eq!(
            parse_retry_after(&h(&[("retry-after", &past)]), now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after(&h(&[("retry-after", "-4")]), now), None);
        assert_eq!(parse_retry_after(&h(&[("retry-after", "soon")]), now), None);
        // retry-after-ms wins over retry-after.
        assert_eq!(
            parse_retry_after(&h(&[("retry-after", "9"), ("retry-after-ms", "10")]), now),
            Some(Duration::from_millis(10))
        );
    }

    #[test]
    fn what_is_retried() {
        let p = RetryPolicy::default();
        for s in [408, 409, 429, 500, 502, 503, 504] {
            assert!(
                matches!(p.decide(1, &status_error(s, &[])), RetryDecision::RetryAfter(_)),
                "{s}"
            );
        }
        for s in [400, 401, 403, 404, 422] {
            assert_eq!(p.decide(1, &status_error(s, &[])), RetryDecision::GiveUp, "{s}");
        }
        assert_eq!(
            p.decide(1, &status_error(503, &[("x-should-retry", "false")])),
            RetryDecision::GiveUp
        );
        assert!(matches!(
            p.decide(1, &status_error(400, &[("x-should-retry", "true")])),
            RetryDecision::RetryAfter(_)
        ));
        assert!(matches!(
            p.decide(1, &Error::new(ErrorKind::Connection, "reset")),
            RetryDecision::RetryAfter(_)
        ));
        assert_eq!(p.decide(1, &Error::new(ErrorKind::Stream, "x")), RetryDecision::GiveUp);
        assert_eq!(p.decide(3, &status_error(503, &[])), RetryDecision::GiveUp);
    }

    #[test]
    fn server_delay_is_honoured_up_to_the_cap() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.decide(1, &status_error(429, &[("retry-after", "2")])),
            RetryDecision::RetryAfter(Duration::from_secs(2))
        );
        assert_eq!(
            p.decide(1, &status_error(429, &[("retry-after", "61")])),
            RetryDecision::GiveUp
        );
    }

    fn body_error(status: u16, headers: &[(&str, &str)], body: serde_json::Value) -> Error {
        status_error(status, headers).with_error_body(body)
    }

    #[test]
    fn the_gateway_body_decides_before_the_status() {
        let p = RetryPolicy::default();
        let unavailable = |retryable: bool| {
            serde_json::json!({"error": {"code": 503, "message": "m", "metadata": {"error_type": "provider_unavailable"},
                "availability": {"code": "capacity_exhausted", "retryable": retryable, "retry_after": 1.5,
                                 "fallback_models": ["b/m", ""]}}})
        };
        let e = body_error(503, &[], unavailable(true));
        assert_eq!(p.decide(1, &e), RetryDecision::RetryAfter(Duration::from_millis(1500)));
        assert_eq!(e.fallback_models(), ["b/m".to_owned()]);
        assert_eq!(e.availability_code(), Some("capacity_exhausted"));
        // Not retryable: fails at once, even on a 5xx.
        assert_eq!(
            p.decide(1, &body_error(503, &[], unavailable(false))),
            RetryDecision::GiveUp
        );
        // Headers win: x-should-retry over the body, retry-after over the body's delay.
        let e = body_error(503, &[("x-should-retry", "true")], unavailable(false));
        assert!(matches!(p.decide(1, &e), RetryDecision::RetryAfter(_)));
        let e = body_error(503, &[("retry-after", "0.25")], unavailable(true));
        assert_eq!(p.decide(1, &e), RetryDecision::RetryAfter(Duration::from_millis(250)));
        // TheRouter's metadata.retryable; a 400 the body calls retryable is retried.
        let e = body_error(
            400,
            &[],
            serde_json::json!({"error": {"metadata": {"retryable": true}}}),
        );
        assert!(matches!(p.decide(1, &e), RetryDecision::RetryAfter(_)));
        let e = body_error(
            502,
            &[],
            serde_json::json!({"error": {"metadata": {"retryable": false}}}),
        );
        assert_eq!(p.decide(1, &e), RetryDecision::GiveUp);
        // error_type alone: a final reason on a 5xx is not retried; unmapped leaves it to the status.
        let t = |t: &str| serde_json::json!({"error": {"metadata": {"error_type": t}}});
        assert_eq!(
            p.decide(1, &body_error(502, &[], t("context_length_exceeded"))),
            RetryDecision::GiveUp
        );
        assert!(matches!(
            p.decide(1, &body_error(502, &[], t("unmapped"))),
            RetryDecision::RetryAfter(_)
        ));
        // An error inside a stream is retried only when its body says so.
        let s = Error::new(ErrorKind::Stream, "x").with_error_body(t("rate_limit_exceeded"));
        assert!(matches!(p.decide(1, &s), RetryDecision::RetryAfter(_)));
        let s = Error::new(ErrorKind::Stream, "x").with_error_body(t("content_policy_violation"));
        assert_eq!(p.decide(1, &s), RetryDecision::GiveUp);
        // A body delay over the cap is not waited for.
        let long = serde_json::json!({"error": {"availability": {"retryable": true, "retry_after": 120}}});
        assert_eq!(p.decide(1, &body_error(503, &[], long)), RetryDecision::GiveUp);
    }

    #[test]
    fn backoff_doubles_to_the_cap_with_jitter() {
        let p = RetryPolicy::default();
        for (n, full) in [(1u32, 500u64), (2, 1000), (3, 2000), (4, 4000), (5, 8000), (9, 8000)] {
            let d = p.backoff(n).as_millis() as u64;
            assert!(d <= full && d >= full * 3 / 4, "attempt {n}: {d} ms");
        }
    }
}
