//! The bounds every call has by default, and the check of a response body against them.
//!
//! A gateway must not be able to hold a call forever or make the client allocate far more than
//! the answer it keeps. Each bound is a default here, overridable per client
//! ([`ClientBuilder`](crate::ClientBuilder)) and, for the time bounds, per call
//! ([`RequestOptions`](crate::RequestOptions)). RELIABILITY.md ("Bounds") gives the reasons and
//! the figures.

use std::time::Duration;

use bytes::Bytes;

use crate::error::{Error, ErrorKind};
use crate::surrogate::{self, Repairs};

/// Default bound on a whole call, retries included, when the caller sets no `deadline`.
///
/// Long live streams must fit: a 128k-token answer at 40 tokens/s streams for about 53 minutes,
/// and reasoning models think for minutes before the first token. Gateways that bound a call at
/// all bound it near here or above (LiteLLM's proxy: 6,000 s; OpenAI asks for background mode
/// beyond about 10 minutes of non-streamed work). An hour ends a stream that never ends, and
/// no healthy answer today needs more.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(60 * 60);

/// Default bound on how long a stream may go on keep-alives alone (SSE comments such as
/// `: OPENROUTER PROCESSING`, with no event), when it is longer than `timeout`.
///
/// Gateways send keep-alives while a reasoning model thinks without streaming its reasoning
/// (minutes for the largest models); ten minutes is the peers' `timeout`, the wait they allow
/// for silence. It is never shorter than the call's `timeout`, so raising `timeout` raises it.
pub const DEFAULT_KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// Default largest response body accepted, after decompression (non-streaming calls).
///
/// A chat completion is kilobytes; the largest ordinary responses are embeddings (1,000 vectors
/// of 1,536 floats are about 30 MB as JSON text, 8 MB as base64). 32 MiB keeps a decompression
/// bomb's cost under 100 MiB of memory in every language.
pub const DEFAULT_MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// Deepest JSON nesting accepted in a response body or stream event: serde_json's own limit, so
/// every language's parser gets text the engine's own parser could read.
pub const MAX_JSON_DEPTH: usize = 128;

/// Most choices accepted in a response, or accumulated by a stream (OpenAI allows `n` up to 128).
pub const MAX_CHOICES: usize = 1024;

/// Most tool calls accepted in one message, or accumulated for one choice of a stream.
pub const MAX_TOOL_CALLS: usize = 1024;

/// Most elements accepted in any one JSON array of a response (embeddings hold thousands of
/// numbers per vector; logprobs one entry per token).
pub const MAX_ARRAY_ITEMS: usize = 1 << 20;

/// The error for a body that exceeds `max_body_bytes`.
pub(crate) fn body_too_large(limit: usize) -> Error {
    Error::new(
        ErrorKind::Decode,
        format!(
            "the response body is larger than max_body_bytes ({limit} bytes, counted after decompression); \
             raise max_body_bytes to accept it"
        ),
    )
}

/// Checks a whole response body and gives it back in the one form every language parses alike:
/// invalid UTF-8 replaced by U+FFFD (as a lenient decoder, and the stream's decoder, do), lone
/// UTF-16 surrogate escapes rewritten as `\ufffd`, and nothing nested deeper than
/// [`MAX_JSON_DEPTH`] or holding more than [`MAX_CHOICES`] choices, [`MAX_TOOL_CALLS`] tool
/// calls or [`MAX_ARRAY_ITEMS`] items in an array. Copies only when it changes something.
pub(crate) fn check_body(body: Bytes) -> Result<Bytes, Error> {
    let body = match std::str::from_utf8(&body) {
        Ok(_) => body,
        Err(_) => Bytes::from(String::from_utf8_lossy(&body).into_owned()),
    };
    if cannot_exceed_a_bound(&body) {
        return Ok(body);
    }
    let mut repairs = Repairs::default();
    surrogate::scan(&body, None, &mut repairs)?;
    if repairs.is_empty() {
        return Ok(body);
    }
    Ok(Bytes::from(repairs.apply(&body)))
}

/// Whether a body is too small in structure to break any bound: no more containers than the
/// nesting bound, no more commas than the smallest array bound, no `\u` escape. Most answers
/// are (a chat completion is a few hundred bytes); memchr's vectorised searches jump between
/// the few dozen bytes that count, where the scan is a byte-by-byte walk.
fn cannot_exceed_a_bound(body: &[u8]) -> bool {
    if has_unicode_escape(body) {
        return false;
    }
    let (mut containers, mut commas) = (0usize, 0usize);
    for at in memchr::memchr3_iter(b'{', b'[', b',', body) {
        if body[at] == b',' {
            commas += 1;
        } else {
            containers += 1;
        }
        if containers > MAX_JSON_DEPTH || commas >= MAX_CHOICES.min(MAX_TOOL_CALLS) {
            return false;
        }
    }
    true
}

/// Whether `text` holds a `\u` (a JSON `\uXXXX` escape, or the text of one): a search for its
/// backslashes, of which a chat completion has none or few (memmem's searcher would cost more to
/// set up than the whole search).
pub(crate) fn has_unicode_escape(text: &[u8]) -> bool {
    memchr::memchr_iter(b'\\', text).any(|at| text.get(at + 1) == Some(&b'u'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &[u8]) -> Result<String, Error> {
        check_body(Bytes::copy_from_slice(text)).map(|b| String::from_utf8(b.to_vec()).unwrap())
    }

    #[test]
    fn valid_bodies_pass_untouched() {
        let text = br#"{"a":[1,2,{"b":"\ud83d\ude00 \n \\ud800"}],"c":null}"#;
        assert_eq!(check(text).unwrap().as_bytes(), text);
    }

    #[test]
    fn invalid_utf8_and_lone_surrogates_become_replacement_characters() {
        assert_eq!(check(b"{\"a\":\"x\xffy\"}").unwrap(), "{\"a\":\"x\u{fffd}y\"}");
        assert_eq!(check(br#"{"a":"x\ud800y"}"#).unwrap(), r#"{"a":"x\ufffdy"}"#);
        assert_eq!(check(br#"{"a":"\ude00"}"#).unwrap(), r#"{"a":"\ufffd"}"#);
        assert_eq!(check(br#"{"a":"\ud83d"}"#).unwrap(), r#"{"a":"\ufffd"}"#);
        assert_eq!(
            check(br#"{"\udbff":"\ud83d\ud83d\ude00"}"#).unwrap(),
            r#"{"\ufffd":"\ufffd\ud83d\ude00"}"#
        );
        let v: serde_json::Value = serde_json::from_str(&check(br#"{"a":"x\ud800y"}"#).unwrap()).unwrap();
        assert_eq!(v["a"], "x\u{fffd}y");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let e = check(deep.as_bytes()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(e.message().contains("nested deeper than 128"), "{e}");
        let ok = format!("{}{}", "[".repeat(128), "]".repeat(128));
        assert!(check(ok.as_bytes()).is_ok());
    }

    #[test]
    fn too_many_choices_or_tool_calls_are_refused() {
        let choices = format!("{{\"choices\":[{}{{}}]}}", "{},".repeat(MAX_CHOICES));
        let e = check(choices.as_bytes()).unwrap_err();
        assert!(e.message().contains("more than 1024 choices"), "{e}");
        let fine = format!("{{\"choices\":[{}{{}}]}}", "{},".repeat(MAX_CHOICES - 1));
        assert!(check(fine.as_bytes()).is_ok());
        let calls = format!("{{\"m\":{{\"tool_calls\":[{}1]}}}}", "1,".repeat(MAX_TOOL_CALLS));
        assert!(check(calls.as_bytes()).unwrap_err().message().contains("tool calls"));
        // Another array of that length is fine.
        let other = format!("{{\"m\":{{\"data\":[{}1]}}}}", "1,".repeat(MAX_TOOL_CALLS));
        assert!(check(other.as_bytes()).is_ok());
    }
}
