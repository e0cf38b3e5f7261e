//! The route receipt on responses, streams and errors, and the client's hook, against the mock.
mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Session, TEST_KEY};
use routerkit::{ChatCompletionRequest, ChatMessage, DelayReason, ErrorKind, Receipt, RequestOptions};
use serde_json::json;

fn request() -> ChatCompletionRequest {
    ChatCompletionRequest::new("openai/gpt-4.1", vec![ChatMessage::user("hello there")])
}

/// A client whose hook keeps every receipt it gets.
fn hooked(s: &Session) -> (routerkit::Client, Arc<Mutex<Vec<Receipt>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let keep = seen.clone();
    let client = s
        .builder()
        .on_receipt(move |r| keep.lock().unwrap().push(r.clone()))
        .build()
        .unwrap();
    (client, seen)
}

#[tokio::test]
async fn a_plain_call_names_who_served_it_and_what_it_cost() {
    let s = Session::new(json!([{
        "headers": {"x-generation-id": "gen-42", "x-litellm-model-id": "dep-1", "x-openrouter-cache-status": "MISS"},
        "body": {"id": "gen-42", "object": "chat.completion", "created": 1, "model": "openai/gpt-4.1-2025",
                 "provider": "Azure",
                 "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
                 "usage": {"prompt_tokens": 2, "completion_tokens": 1, "total_tokens": 3, "cost": 0.0015,
                           "cost_details": {"upstream_inference_cost": 0.001}}}
    }]));
    let (client, seen) = hooked(&s);
    let response = client.chat(&request(), &RequestOptions::default()).await.unwrap();
    let r = &response.receipt;
    assert_eq!(r.model_requested.as_deref(), Some("openai/gpt-4.1"));
    assert_eq!(r.model.as_deref(), Some("openai/gpt-4.1-2025"));
    assert_eq!(r.provider.as_deref(), Some("Azure"));
    assert_eq!(r.generation_id.as_deref(), Some("gen-42"));
    assert_eq!(r.request_id.as_deref(), Some("req_1"));
    assert_eq!(r.cache_status.as_deref(), Some("MISS"));
    assert!(r
        .gateway_headers
        .contains(&("x-litellm-model-id".to_owned(), "dep-1".to_owned())));
    assert_eq!((r.input_tokens, r.output_tokens), (Some(2), Some(1)));
    assert_eq!(r.cost, Some(0.0015));
    assert_eq!(r.cost_details, Some(json!({"upstream_inference_cost": 0.001})));
    assert_eq!(r.attempts.len(), 1);
    assert_eq!(r.attempts[0].status, Some(200));
    assert!(r.complete && r.time_to_first_byte.is_some() && r.total_time >= r.time_to_first_byte);
    assert!(!r.fallback.fired && !r.hedge.fired);
    assert_eq!(seen.lock().unwrap().as_slice(), std::slice::from_ref(r));

    // The raw path (what bindings take) reads the same body in its one probe.
    s.script(
        json!([{"body": {"id": "x", "model": "m2", "provider": "P", "choices": [], "usage": {"prompt_tokens": 1}}}]),
    );
    let raw = client
        .call(
            "chat",
            Some(r#"{"model":"a/b","messages":[{"role":"user","content":"x"}]}"#),
            &RequestOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(raw.receipt.model.as_deref(), Some("m2"));
    assert_eq!(raw.receipt.provider.as_deref(), Some("P"));
    assert_eq!(raw.receipt.model_requested.as_deref(), Some("a/b"));
    assert_eq!(raw.receipt.input_tokens, Some(1));
}

#[tokio::test]
async fn a_retried_call_lists_each_attempt_with_the_delay_and_why() {
    let s = Session::new(json!([
        {"status": 429, "headers": {"retry-after-ms": "30"}},
        {"status": 503},
        {}
    ]));
    let (client, seen) = hooked(&s);
    let response = client.chat(&request(), &RequestOptions::default()).await.unwrap();
    let a = &response.receipt.attempts;
    assert_eq!(a.len(), 3, "{a:?}");
    assert_eq!((a[0].status, a[0].error), (Some(429), Some("status")));
    assert_eq!((a[0].delay, a[0].delay_reason), (Duration::ZERO, None));
    assert_eq!((a[1].status, a[1].error), (Some(503), Some("status")));
    assert_eq!(
        (a[1].delay, a[1].delay_reason),
        (Duration::from_millis(30), Some(DelayReason::RetryAfter))
    );
    assert_eq!((a[2].status, a[2].error), (Some(200), None));
    assert_eq!(a[2].delay_reason, Some(DelayReason::Backoff));
    assert!(a[2].delay <= Duration::from_millis(5));
    assert_eq!(response.receipt.request_id.as_deref(), Some("req_3"));
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn an_error_carries_the_receipt_of_every_attempt_and_never_the_key() {
    let s = Session::new(json!([
        {"status": 500, "headers": {"x-litellm-echo": TEST_KEY}},
        {"status": 400, "body": {"error": {"message": "bad", "code": "invalid"}}}
    ]));
    let (client, seen) = hooked(&s);
    let err = client.chat(&request(), &RequestOptions::default()).await.unwrap_err();
    let r = err.receipt().expect("a receipt on the error");
    assert_eq!(r.attempts.len(), 2);
    assert_eq!(r.attempts[1].status, Some(400));
    assert!(r.complete);
    assert_eq!(seen.lock().unwrap().len(), 1);
    let all = format!("{r:?} {:?}", seen.lock().unwrap());
    assert!(!all.contains(TEST_KEY), "{all}");
}

#[tokio::test]
async fn a_stream_has_a_receipt_during_and_a_final_one_at_its_end() {
    let s = Session::new(json!([{
        "headers": {"x-generation-id": "gen-s"},
        "stream": {"content": "one two three", "delay_first_ms": 120}
    }]));
    let (client, seen) = hooked(&s);
    let mut stream = client
        .chat_stream(&request(), &RequestOptions::default())
        .await
        .unwrap();
    let before = stream.receipt();
    assert!(!before.complete && before.time_to_first_byte.is_some() && before.time_to_first_token.is_none());
    assert_eq!(before.generation_id.as_deref(), Some("gen-s"));
    stream.next().await.unwrap().unwrap();
    let during = stream.receipt();
    assert!(!during.complete);
    assert_eq!(during.model.as_deref(), Some("openai/gpt-4.1"));
    let ttft = during.time_to_first_token.expect("first token time");
    assert!(ttft >= Duration::from_millis(100), "{ttft:?}");
    assert!(ttft >= during.time_to_first_byte.unwrap());
    assert!(seen.lock().unwrap().is_empty(), "the hook waits for the end");
    while stream.next().await.unwrap().is_some() {}
    let end = stream.receipt();
    assert!(end.complete);
    assert_eq!(end.output_tokens, Some(3));
    assert_eq!(end.time_to_first_token, Some(ttft));
    drop(stream);
    let got = seen.lock().unwrap();
    assert_eq!(got.len(), 1, "once, not again at drop");
    assert_eq!(got[0], end);
}

#[tokio::test]
async fn a_stream_closed_before_its_end_and_a_failed_one_reach_the_hook_once() {
    let s = Session::new(json!([
        {"stream": {"content": "a b c d", "delay_ms_between": 50}},
        {"stream": {"content": "a b c", "error_after": 1}}
    ]));
    let (client, seen) = hooked(&s);
    let mut stream = client
        .chat_stream(&request(), &RequestOptions::default())
        .await
        .unwrap();
    stream.next().await.unwrap().unwrap();
    drop(stream);
    assert_eq!(seen.lock().unwrap().len(), 1);
    assert!(seen.lock().unwrap()[0].complete);

    let mut stream = client
        .chat_stream(&request(), &RequestOptions::default())
        .await
        .unwrap();
    let err = loop {
        match stream.next().await {
            Ok(Some(_)) => {}
            Ok(None) => panic!("the stream must fail"),
            Err(e) => break e,
        }
    };
    assert_eq!(err.kind(), ErrorKind::Stream);
    let r = err.receipt().expect("receipt");
    assert_eq!(r.attempts.last().and_then(|a| a.error), Some("stream"));
    drop(stream);
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_hook_that_panics_does_not_break_the_call() {
    let s = Session::new(json!([{}]));
    let client = s.builder().on_receipt(|_| panic!("broken hook")).build().unwrap();
    let response = client.chat(&request(), &RequestOptions::default()).await.unwrap();
    assert!(response.receipt.complete);
}
