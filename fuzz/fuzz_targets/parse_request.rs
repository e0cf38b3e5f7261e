//! The caller's request body as JSON text → typed request
//! (`request::parse_request`), for chat completions and embeddings.
//!
//! Input: any bytes (non-UTF-8 is skipped: bindings hand over text).
//!
//! Checks: no panic; a refusal is an `InvalidRequest` naming a field; an
//! accepted request serialises and parses back to the same JSON (unknown
//! fields kept); a chat request that passes `validate()` builds a body (stream
//! and not) that is JSON, with `stream` set as asked.
#![no_main]

use libfuzzer_sys::fuzz_target;
use routerkit::request::{chat_body, encode_body, parse_request};
use routerkit::{ChatCompletionRequest, ClientBuilder, EmbeddingRequest, ErrorKind, RequestOptions};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let config = ClientBuilder::new()
        .api_key("sk-fuzz-0123456789abcdef")
        .build_config()
        .unwrap();
    let opts = RequestOptions::default();

    if let Some(req) = check::<ChatCompletionRequest>(text) {
        if req.validate().is_ok() {
            for stream in [false, true] {
                let body = chat_body(&config, &req, stream, &opts).expect("a valid request builds a body");
                let v: Value = serde_json::from_slice(&body).expect("the body is JSON");
                assert_eq!(v.get("stream").and_then(Value::as_bool), stream.then_some(true));
            }
        } else {
            assert!(chat_body(&config, &req, false, &opts).is_err());
        }
    }
    if let Some(req) = check::<EmbeddingRequest>(text) {
        let _ = req.validate();
        let body = encode_body(&req, &opts).expect("an embeddings request encodes");
        serde_json::from_slice::<Value>(&body).expect("the body is JSON");
    }
});

fn check<T: DeserializeOwned + Serialize>(text: &str) -> Option<T> {
    match parse_request::<T>(text) {
        Ok(req) => {
            let json = serde_json::to_string(&req).expect("an accepted request serialises");
            let again: T = parse_request(&json).unwrap_or_else(|e| panic!("reparse of {json}: {e}"));
            assert_eq!(
                serde_json::to_value(&again).unwrap(),
                serde_json::to_value(&req).unwrap()
            );
            Some(req)
        }
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::InvalidRequest);
            assert!(e.field().is_some());
            let _ = e.to_string();
            None
        }
    }
}
