//! Crate-private functions made reachable for the fuzz targets in `fuzz/`.
//!
//! Compiled only with the `fuzzing` feature (which only `fuzz/Cargo.toml`
//! enables); not a public API and not semver-covered.

use std::time::Duration;

use serde_json::Value;

use crate::error::{Error, ErrorKind};

/// The error for an HTTP status ≥ 400: what the client builds from the
/// status, the response headers and the error body (`call::status_error`).
pub fn status_error(status: u16, headers: Vec<(String, String)>, body: &[u8]) -> Error {
    crate::call::status_error(status, headers, body)
}

/// An error of `kind` filled from a parsed error body (`Error::with_error_body`),
/// as for an `error` object inside a 200 stream.
pub fn error_with_body(kind: ErrorKind, body: Value) -> Error {
    Error::new(kind, "fuzz").with_error_body(body)
}

/// `Error::redact`: what the client does to every error before returning it.
pub fn redact(error: Error, secret: &str) -> Error {
    error.redact(&crate::secret::ApiKey::new(secret))
}

/// `Error::with_retry_after`, to feed parsed delays to `RetryPolicy::decide`.
pub fn with_retry_after(error: Error, delay: Option<Duration>) -> Error {
    error.with_retry_after(delay)
}

/// `chunk_parse::parse_chunk_into`: how a stream parses each chunk into its scratch chunk.
pub fn parse_chunk_into(text: &str, place: &mut crate::types::ChatCompletionChunk) -> serde_json::Result<()> {
    crate::chunk_parse::parse_chunk_into(text, place)
}
