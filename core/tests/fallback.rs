//! The fallback chain and hedged streams as the route receipt records them, against the mock
//! (the behaviour itself is pinned by conformance scenarios 260-288 in every language).
mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::Session;
use routerkit::{ChatCompletionRequest, ChatMessage, DelayReason, Receipt, RequestOptions};
use serde_json::json;

fn request() -> ChatCompletionRequest {
    ChatCompletionRequest::new("openai/gpt-4.1", vec![ChatMessage::user("hello there")])
}

/// A client with `chain` as its fallback models, whose hook keeps every receipt it gets.
fn hooked(s: &Session, chain: &[&str], hedge_ms: Option<u64>) -> (routerkit::Client, Arc<Mutex<Vec<Receipt>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let keep = seen.clone();
    let mut b = s
        .builder()
        .max_retries(0)
        .fallback_models(chain.iter().copied())
        .on_receipt(move |r| keep.lock().unwrap().push(r.clone()));
    if let Some(ms) = hedge_ms {
        b = b.hedge_after(Duration::from_millis(ms));
    }
    (b.build().unwrap(), seen)
}

fn models(r: &Receipt) -> Vec<Option<&str>> {
    r.attempts.iter().map(|a| a.model.as_deref()).collect()
}

#[tokio::test]
async fn each_model_of_the_chain_is_an_attempt_of_the_receipt() {
    let s = Session::new(json!([{"status": 503}, {"status": 429}, {"content": "third"}]));
    let (client, seen) = hooked(&s, &["b/one", "c/two"], None);
    let response = client.chat(&request(), &RequestOptions::default()).await.unwrap();
    let r = &response.receipt;
    assert_eq!(models(r), [Some("openai/gpt-4.1"), Some("b/one"), Some("c/two")]);
    assert_eq!(
        r.attempts.iter().map(|a| a.status).collect::<Vec<_>>(),
        [Some(503), Some(429), Some(200)]
    );
    assert!(r.fallback.fired);
    assert_eq!(r.fallback.model.as_deref(), Some("c/two"));
    assert_eq!(r.model_requested.as_deref(), Some("openai/gpt-4.1"));
    assert_eq!(seen.lock().unwrap().len(), 1, "the hook gets one receipt per call");

    // A chain that runs out: the error's receipt has every try, and no model answered.
    s.script(json!([{"status": 503}, {"status": 503}, {"status": 503}]));
    let e = client.chat(&request(), &RequestOptions::default()).await.unwrap_err();
    let r = e.receipt().unwrap();
    assert_eq!(models(r), [Some("openai/gpt-4.1"), Some("b/one"), Some("c/two")]);
    assert!(r.fallback.fired && r.fallback.model.is_none());
    assert_eq!(e.attempts(), 3);
}

#[tokio::test]
async fn a_delay_from_the_body_is_a_gateway_hint() {
    let s = Session::new(json!([
        {"status": 503, "availability": {"code": "capacity_exhausted", "retryable": true, "retry_after": 0.05}},
        {}
    ]));
    let client = s.builder().build().unwrap();
    let r = client
        .chat(&request(), &RequestOptions::default())
        .await
        .unwrap()
        .receipt;
    assert_eq!(r.attempts.len(), 2);
    assert_eq!(r.attempts[1].delay_reason, Some(DelayReason::GatewayHint));
    assert_eq!(r.attempts[1].delay, Duration::from_millis(50));
}

#[tokio::test]
async fn a_stream_that_falls_back_before_output_records_both_models() {
    let s = Session::new(json!([
        {"availability": {"code": "no_endpoints", "retryable": false}, "stream": {"error_after": 0}},
        {"stream": {"content": "from b"}}
    ]));
    let (client, seen) = hooked(&s, &["b/one"], None);
    let stream = client
        .chat_stream(&request(), &RequestOptions::default())
        .await
        .unwrap();
    let done = stream.collect().await.unwrap();
    assert_eq!(done.choices[0].message.content.as_deref(), Some("from b"));
    let r = seen.lock().unwrap()[0].clone();
    assert_eq!(models(&r), [Some("openai/gpt-4.1"), Some("b/one")]);
    assert_eq!(r.attempts[0].error, Some("stream"));
    assert!(r.fallback.fired);
    assert_eq!(r.fallback.model.as_deref(), Some("b/one"));
}

#[tokio::test]
async fn a_hedge_that_wins_is_the_receipts_model_and_the_loser_is_closed() {
    // The first model is silent for 3 s, the hedge on the chain's next model answers.
    let s = Session::new(json!([
        {"stream": {"content": "late", "delay_first_ms": 3000}},
        {"stream": {"content": "hedged"}}
    ]));
    let (client, seen) = hooked(&s, &["b/fast"], Some(100));
    let mut stream = client
        .chat_stream(&request(), &RequestOptions::default())
        .await
        .unwrap();
    let mut text = String::new();
    while let Some(chunk) = stream.next().await.unwrap() {
        text.extend(chunk.choices.iter().filter_map(|c| c.delta.content.as_deref()));
    }
    assert_eq!(text, "hedged");
    let r = stream.receipt();
    assert!(r.hedge.fired && r.hedge.hedge_won);
    assert_eq!(r.hedge.model.as_deref(), Some("b/fast"));
    assert_eq!(
        r.request_id.as_deref(),
        Some("req_2"),
        "the ids of the stream that was kept"
    );
    assert!(!r.fallback.fired, "a hedge is not a fallback");
    let hedges: Vec<_> = r.attempts.iter().filter(|a| a.hedge).collect();
    assert_eq!(hedges.len(), 1);
    assert_eq!(hedges[0].model.as_deref(), Some("b/fast"));
    assert_eq!(stream.attempts(), 2);
    drop(stream);
    let requests = s
        .wait_for(|r| r.first().is_some_and(|r| r["client_disconnected"] == true))
        .await;
    assert_eq!(
        requests[0]["client_disconnected"], true,
        "the loser's connection is closed"
    );
    assert_eq!(
        seen.lock().unwrap().len(),
        1,
        "one receipt, from the stream that was kept"
    );
}

#[tokio::test]
async fn a_hedge_that_loses_keeps_the_first_model_and_closes_the_hedge() {
    // The hedge starts at 100 ms, the first model answers at 400 ms, the hedge would at 5 s.
    let s = Session::new(json!([
        {"stream": {"content": "first", "delay_first_ms": 400}},
        {"stream": {"content": "hedge", "delay_first_ms": 5000}}
    ]));
    let (client, seen) = hooked(&s, &["b/fast"], Some(100));
    let stream = client
        .chat_stream(&request(), &RequestOptions::default())
        .await
        .unwrap();
    let done = stream.collect().await.unwrap();
    assert_eq!(done.choices[0].message.content.as_deref(), Some("first"));
    let r = seen.lock().unwrap()[0].clone();
    assert!(r.hedge.fired && !r.hedge.hedge_won);
    assert_eq!(r.hedge.model.as_deref(), Some("openai/gpt-4.1"));
    assert_eq!(
        r.request_id.as_deref(),
        Some("req_1"),
        "the ids of the stream that was kept"
    );
    assert_eq!(models(&r), [Some("openai/gpt-4.1"), Some("b/fast")]);
    assert!(r.attempts[1].hedge && !r.attempts[0].hedge);
    let requests = s
        .wait_for(|r| r.get(1).is_some_and(|r| r["client_disconnected"] == true))
        .await;
    assert_eq!(
        requests[1]["client_disconnected"], true,
        "the hedge's connection is closed"
    );
    assert_eq!(seen.lock().unwrap().len(), 1);
}
