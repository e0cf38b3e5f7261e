//! The library's own diagnostic log: one line per event on standard error.
//!
//! Off by default. Turn it on with the environment variable
//! `ROUTERKIT_LOG=debug|info|warn|error` (`OPENAI_LOG`, which openai-python and
//! openai-node users already know, is read when `ROUTERKIT_LOG` is not set), or
//! from code with [`set_level`]. The variable is read once, at the first event.
//! Every binding (Python, Node, Go) logs through this module, so the variable
//! works the same in all four languages.
//!
//! | level | what is written |
//! |---|---|
//! | `error` | a call that failed for good (kind, status, message, request id, attempts) |
//! | `warn` | each retry decision: the attempt that failed, why, and the delay before the next |
//! | `info` | each request sent (method, URL), each response (status, request id), each stream's end |
//! | `debug` | the request lines also carry the headers; each failed attempt |
//!
//! A line looks like `routerkit 1764168000.123 INFO  request POST http://…/chat/completions`.
//! The API key never appears: `Authorization` (and any other header whose name
//! suggests a secret) shows at most its first 8 characters (half of it at most), and error messages
//! are logged after the key has been masked out of them.
//!
//! When logging is off each hook costs one atomic load.

use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::Error;

/// How much is logged; each level includes the ones above it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Level {
    /// Nothing (the default).
    Off = 0,
    /// Calls that failed for good.
    Error = 1,
    /// Retry decisions.
    Warn = 2,
    /// Requests, responses, stream ends.
    Info = 3,
    /// Headers and every failed attempt too.
    Debug = 4,
}

impl Level {
    /// Parses `off|error|warn|warning|info|debug|trace` (any case); `None` for anything else.
    pub fn parse(text: &str) -> Option<Level> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "off" | "none" | "0" | "false" => Some(Level::Off),
            "error" => Some(Level::Error),
            "warn" | "warning" => Some(Level::Warn),
            "info" => Some(Level::Info),
            "debug" | "trace" | "all" => Some(Level::Debug),
            _ => None,
        }
    }

    fn from_u8(n: u8) -> Level {
        match n {
            1 => Level::Error,
            2 => Level::Warn,
            3 => Level::Info,
            4 => Level::Debug,
            _ => Level::Off,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Level::Off => "OFF  ",
            Level::Error => "ERROR",
            Level::Warn => "WARN ",
            Level::Info => "INFO ",
            Level::Debug => "DEBUG",
        }
    }
}

const UNSET: u8 = u8::MAX;
static LEVEL: AtomicU8 = AtomicU8::new(UNSET);

/// The current level (reads `ROUTERKIT_LOG` / `OPENAI_LOG` on first use).
#[inline]
pub fn level() -> Level {
    match LEVEL.load(Ordering::Relaxed) {
        UNSET => init_from_env(),
        n => Level::from_u8(n),
    }
}

/// Whether events of `level` are written.
#[inline]
pub fn enabled(level: Level) -> bool {
    level != Level::Off && level <= self::level()
}

/// Sets the level from code, overriding the environment.
pub fn set_level(level: Level) {
    LEVEL.store(level as u8, Ordering::Relaxed);
}

#[cold]
fn init_from_env() -> Level {
    let from = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let level = from("ROUTERKIT_LOG")
        .or_else(|| from("OPENAI_LOG"))
        .and_then(|v| Level::parse(&v))
        .unwrap_or(Level::Off);
    // A concurrent set_level wins over the environment.
    let _ = LEVEL.compare_exchange(UNSET, level as u8, Ordering::Relaxed, Ordering::Relaxed);
    Level::from_u8(LEVEL.load(Ordering::Relaxed))
}

/// Writes one line (used by the hooks; public so that bindings can log in the same format).
pub fn write(level: Level, message: &str) {
    if !enabled(level) {
        return;
    }
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let line = format!(
        "routerkit {}.{:03} {} {}\n",
        now.as_secs(),
        now.subsec_millis(),
        level.label(),
        message.replace(['\r', '\n'], " ")
    );
    // One write per line, so lines from several threads do not interleave.
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// A header value as it may be logged: secrets keep at most their first 8 characters.
pub fn mask_header(name: &str, value: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let secret = ["authorization", "key", "token", "secret", "cookie", "password"]
        .iter()
        .any(|s| lower.contains(s));
    if !secret {
        return value.to_owned();
    }
    match value.split_once(' ') {
        // `Bearer sk-…`: the scheme, then the credential's first 8 characters.
        Some((scheme, credential)) if !scheme.is_empty() && !credential.is_empty() => {
            format!("{scheme} {}", crate::secret::mask(credential))
        }
        _ => crate::secret::mask(value),
    }
}

// ---- hooks called from the request path: each is one atomic load when logging is off ----

#[inline]
pub(crate) fn request_start(request: &crate::request::PreparedRequest) {
    if enabled(Level::Info) {
        request_start_slow(request)
    }
}

#[cold]
fn request_start_slow(request: &crate::request::PreparedRequest) {
    let mut line = format!("request {} {} stream={}", request.method, request.url, request.stream);
    let debug = enabled(Level::Debug);
    if debug {
        line.push_str(" headers={");
        for (i, (name, value)) in request.headers.iter().enumerate() {
            let text = String::from_utf8_lossy(value.as_bytes());
            let mut shown = mask_header(name.as_str(), &text);
            if value.is_sensitive() && shown == text {
                shown = crate::secret::mask(&text);
            }
            if i > 0 {
                line.push_str(", ");
            }
            line.push_str(&format!("{name}: {shown:?}"));
        }
        line.push('}');
    }
    write(if debug { Level::Debug } else { Level::Info }, &line);
}

#[inline]
pub(crate) fn response(status: u16, headers: &[(String, String)]) {
    if enabled(Level::Info) {
        let id = crate::error::request_id_from(headers);
        write(
            Level::Info,
            &format!("response status={status} request_id={}", id.as_deref().unwrap_or("-")),
        );
    }
}

/// An attempt failed (`error` already has the key masked out) and is retried after `delay`,
/// or (`delay` None) is not retried and ends the call.
#[inline]
pub(crate) fn attempt_failed(attempt: u32, error: &Error, delay: Option<Duration>) {
    if enabled(Level::Error) {
        attempt_failed_slow(attempt, error, delay)
    }
}

#[cold]
fn attempt_failed_slow(attempt: u32, error: &Error, delay: Option<Duration>) {
    match delay {
        Some(d) => write(
            Level::Warn,
            &format!(
                "retry attempt={attempt} failed ({}) retrying in {} ms",
                describe(error),
                d.as_millis()
            ),
        ),
        None => write(
            Level::Error,
            &format!("call failed after attempt={attempt}: {}", describe(error)),
        ),
    }
}

/// A call moves on to the next model of its fallback chain after `error`.
pub(crate) fn fallback(model: &str, error: &Error) {
    if enabled(Level::Warn) {
        write(
            Level::Warn,
            &format!("fallback to model={model} after ({})", describe(error)),
        );
    }
}

/// A stream started a hedge on `model`, or one of the two won.
pub(crate) fn hedge(what: &str, model: &str) {
    if enabled(Level::Info) {
        write(Level::Info, &format!("hedge {what} model={model}"));
    }
}

/// A stream ended: cleanly (`error` None) or with an error (key already masked out).
#[inline]
pub(crate) fn stream_end(chunks: usize, attempts: u32, error: Option<&Error>) {
    if enabled(Level::Error) {
        stream_end_slow(chunks, attempts, error)
    }
}

#[cold]
fn stream_end_slow(chunks: usize, attempts: u32, error: Option<&Error>) {
    match error {
        None => write(
            Level::Info,
            &format!("stream end ok chunks={chunks} attempts={attempts}"),
        ),
        Some(e) => write(
            Level::Error,
            &format!(
                "stream error after chunks={chunks} attempts={attempts}: {}",
                describe(e)
            ),
        ),
    }
}

fn describe(e: &Error) -> String {
    let mut s = format!("kind={}", e.kind().as_str());
    if let Some(status) = e.status() {
        s.push_str(&format!(" status={status}"));
    }
    if let Some(code) = e.code() {
        s.push_str(&format!(" code={code}"));
    }
    if let Some(id) = e.request_id() {
        s.push_str(&format!(" request_id={id}"));
    }
    s.push_str(&format!(" message={:?}", e.message()));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_and_order() {
        assert_eq!(Level::parse("DEBUG"), Some(Level::Debug));
        assert_eq!(Level::parse("warning"), Some(Level::Warn));
        assert_eq!(Level::parse(""), Some(Level::Off));
        assert_eq!(Level::parse("loud"), None);
        assert!(Level::Error < Level::Debug);
    }

    #[test]
    fn secrets_in_headers_keep_at_most_8_characters() {
        assert_eq!(
            mask_header("Authorization", "Bearer sk-abcdefgh-SECRET"),
            "Bearer sk-abcde…"
        );
        assert_eq!(mask_header("x-api-key", "sk-abcdefgh-SECRET"), "sk-abcde…");
        assert_eq!(mask_header("x-title", "my app"), "my app");
    }
}
