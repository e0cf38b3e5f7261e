//! Regressions found by the fuzz targets in `fuzz/` (see fuzz/README.md).
//! The decoder's own finding lives with its unit tests (sse.rs,
//! `event_too_large_after_lossy_decoding`).

use routerkit::request::{chat_body, parse_request};
use routerkit::{ChatCompletionRequest, ClientBuilder, RequestOptions};
use serde_json::Value;

/// fuzz/parse_request: a number the caller passes (typed field or pass-through)
/// must reach the gateway as the same number. serde_json's default float
/// parser may be one ULP off, so `-9.223372036854768e23` went out as
/// `-9.223372036854769e23`; the core now parses floats exactly (`float_roundtrip`).
#[test]
fn numbers_reach_the_body_unchanged() {
    let numbers = [
        "-922337203685476854775808",
        "-9.223372036854769e23",
        "-9.223372036854768e23",
        "0.30000000000000004",
        "1.7976931348623157e308",
        "2.2250738585072014e-308",
    ];
    for text in numbers {
        let json = format!(
            r#"{{"model":"m","messages":[{{"role":"user","content":"hi"}}],"temperature":{text},"extra_number":{text}}}"#
        );
        let request: ChatCompletionRequest = parse_request(&json).unwrap();
        let config = ClientBuilder::new()
            .api_key("sk-test-0123456789")
            .build_config()
            .unwrap();
        let body = chat_body(&config, &request, false, &RequestOptions::default()).unwrap();
        let body: Value = serde_json::from_slice(&body).unwrap();
        let want: f64 = text.parse().unwrap();
        for field in ["temperature", "extra_number"] {
            let got = body[field].as_f64().unwrap();
            assert_eq!(
                got.to_bits(),
                want.to_bits(),
                "{field}: sent {got:e}, the caller gave {text}"
            );
        }
        // And parsing what was sent gives it back (what the fuzz target checks).
        let again: ChatCompletionRequest = parse_request(&body.to_string()).unwrap();
        assert_eq!(
            serde_json::to_value(&again).unwrap(),
            serde_json::to_value(&request).unwrap()
        );
    }
}

/// A tool-call fragment without `index` that names a new call, after a call at
/// index `u32::MAX`: the next index overflowed (a panic in debug builds).
/// Found while writing fuzz/chunk_accumulator, confirmed with it.
#[test]
fn tool_call_after_the_largest_index_does_not_overflow() {
    use routerkit::accumulate::ChatAccumulator;
    use routerkit::ChatCompletionChunk;
    let chunks = [
        r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":4294967295,"id":"a","function":{"name":"f","arguments":"{}"}}]}}]}"#,
        r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"id":"b","function":{"name":"g","arguments":"[1]"}}]}}]}"#,
        r#"{"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
    ];
    let mut acc = ChatAccumulator::new();
    let mut events = Vec::new();
    for c in chunks {
        acc.push_with_events(&serde_json::from_str::<ChatCompletionChunk>(c).unwrap(), &mut events);
    }
    let done = acc.finish();
    let calls = done.choices[0].message.tool_calls.as_ref().unwrap();
    let mut names: Vec<_> = calls
        .iter()
        .map(|c| (c.id.as_str(), c.function.name.as_str(), c.function.arguments.as_str()))
        .collect();
    names.sort();
    assert_eq!(names, [("a", "f", "{}"), ("b", "g", "[1]")]);
}
