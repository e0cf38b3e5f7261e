//! Engine behaviours that need timing or cancellation, against the mock gateway.
mod common;

use std::time::{Duration, Instant};

use common::{Session, TEST_KEY};
use routerkit::{CancelHandle, ChatCompletionRequest, ChatMessage, ErrorKind, RequestOptions};
use serde_json::json;

fn request() -> ChatCompletionRequest {
    ChatCompletionRequest::new("openai/gpt-4.1", vec![ChatMessage::user("hello there")])
}

#[tokio::test]
async fn a_stream_that_stalls_after_two_events_times_out_instead_of_hanging() {
    let s = Session::new(json!([{"stream": {"content": "one two three four", "stall_after": 2, "stall_ms": 20000}}]));
    let client = s.builder().timeout(Duration::from_millis(300)).build().unwrap();
    let mut stream = client
        .chat_stream(&request(), &RequestOptions::default())
        .await
        .unwrap();
    let started = Instant::now();
    let mut chunks = 0;
    let err = loop {
        match stream.next().await {
            Ok(Some(_)) => chunks += 1,
            Ok(None) => panic!("a stalled stream must not end cleanly"),
            Err(e) => break e,
        }
    };
    assert_eq!(chunks, 2);
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(280) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    // Output was seen, so the stream is not replayed.
    assert_eq!(err.attempts(), 1);
}

#[tokio::test]
async fn a_long_stream_that_keeps_talking_outlives_the_idle_timeout() {
    let s = Session::new(json!([{"stream": {"content": "a b c d e f g h", "delay_ms_between": 100}}]));
    let client = s.builder().timeout(Duration::from_millis(400)).build().unwrap();
    let stream = client
        .chat_stream(&request(), &RequestOptions::default())
        .await
        .unwrap();
    let started = Instant::now();
    let done = stream.collect().await.unwrap();
    assert!(
        started.elapsed() > Duration::from_millis(400),
        "the stream should take longer than the idle timeout"
    );
    assert_eq!(done.choices[0].message.content.as_deref(), Some("a b c d e f g h"));
}

#[tokio::test]
async fn the_deadline_bounds_a_whole_stream() {
    let s = Session::new(json!([{"stream": {"content": "a b c d", "stall_after": 1, "stall_ms": 20000}}]));
    let client = s
        .builder()
        .timeout(Duration::from_secs(30))
        .deadline(Duration::from_millis(400))
        .build()
        .unwrap();
    let started = Instant::now();
    let mut stream = client
        .chat_stream(&request(), &RequestOptions::default())
        .await
        .unwrap();
    let err = loop {
        if let Err(e) = stream.next().await {
            break e;
        }
    };
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn cancel_mid_stream_returns_at_once_and_closes_the_connection() {
    let s = Session::new(json!([{"stream": {"content": "one two three four", "stall_after": 2, "stall_ms": 20000}}]));
    let client = s.client();
    let mut stream = client
        .chat_stream(&request(), &RequestOptions::default())
        .await
        .unwrap();
    assert!(stream.next().await.unwrap().is_some());
    assert!(stream.next().await.unwrap().is_some());
    let handle: CancelHandle = stream.cancel_handle();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        handle.cancel();
    });
    let started = Instant::now();
    let err = stream.next().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Cancelled);
    assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
    canceller.join().unwrap();
    let reqs = s
        .wait_for(|r| r.first().is_some_and(|r| r["client_disconnected"] == true))
        .await;
    assert_eq!(
        reqs[0]["client_disconnected"], true,
        "the mock must see the connection close: {reqs:?}"
    );
}

#[tokio::test]
async fn cancel_during_a_backoff_sleep_returns_at_once() {
    // 30 s is under the 60 s cap, so the client would sleep that long.
    let s = Session::new(json!([{"status": 429, "headers": {"retry-after": "30"}}]));
    let client = s.client();
    let handle = CancelHandle::default();
    let opts = RequestOptions {
        cancel: Some(handle.token()),
        ..Default::default()
    };
    let h = handle.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(150)).await;
        h.cancel();
    });
    let started = Instant::now();
    let err = client.chat(&request(), &opts).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Cancelled);
    assert_eq!(err.attempts(), 1);
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_real_retry_after_is_honoured() {
    let s = Session::new(json!([{"status": 429, "headers": {"retry-after": "1"}}, {}]));
    // Real backoff: the server's delay must be waited for.
    let client = routerkit::Client::builder()
        .api_key(TEST_KEY)
        .base_url(&s.base_url)
        .default_header("x-mock-session", &s.id)
        .build()
        .unwrap();
    let started = Instant::now();
    let response = client.chat(&request(), &RequestOptions::default()).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(response.attempts, 2);
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_fails_at_once_and_carries_it() {
    let s = Session::new(json!([{"status": 429, "headers": {"retry-after": "120"}}]));
    let started = Instant::now();
    let err = s
        .client()
        .chat(&request(), &RequestOptions::default())
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(err.status(), Some(429));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(err.attempts(), 1);
}

#[tokio::test]
async fn no_error_kind_nor_the_config_shows_the_whole_key() {
    let secret_tail = &TEST_KEY[8..];
    let mut texts = Vec::new();
    let s = Session::new(json!([
        {"status": 401, "body": {"error": {"message": format!("Invalid key {TEST_KEY}"), "code": 401}}},
        {"stream": {"content": "a b", "error_after": 1, "error_event": {"error": {"message": "overloaded", "code": 502}}}},
        {"body_raw": "{not json"},
    ]));
    let client = s.builder().max_retries(0).build().unwrap();
    texts.push(format!("{client:?}"));
    texts.push(format!("{:?}", client.config()));
    texts.push(format!("{}", client.config().api_key));
    let status = client.chat(&request(), &RequestOptions::default()).await.unwrap_err();
    assert_eq!(status.kind(), ErrorKind::Status);
    let stream_err = client
        .chat_stream(&request(), &RequestOptions::default())
        .await
        .unwrap()
        .collect()
        .await
        .unwrap_err();
    assert_eq!(stream_err.kind(), ErrorKind::Stream);
    let decode = client.chat(&request(), &RequestOptions::default()).await.unwrap_err();
    assert_eq!(decode.kind(), ErrorKind::Decode);
    let connection = routerkit::Client::builder()
        .api_key(TEST_KEY)
        .base_url("http://127.0.0.1:1/v1")
        .max_retries(0)
        .build()
        .unwrap()
        .chat(&request(), &RequestOptions::default())
        .await
        .unwrap_err();
    assert_eq!(connection.kind(), ErrorKind::Connection);
    let timeout_session = Session::new(json!([{"delay_headers_ms": 2000}]));
    let timeout = timeout_session
        .builder()
        .timeout(Duration::from_millis(100))
        .max_retries(0)
        .build()
        .unwrap()
        .chat(&request(), &RequestOptions::default())
        .await
        .unwrap_err();
    assert_eq!(timeout.kind(), ErrorKind::Timeout);
    let invalid = routerkit::Client::builder()
        .api_key(format!("{TEST_KEY}\n"))
        .build()
        .unwrap_err();
    assert_eq!(invalid.kind(), ErrorKind::InvalidRequest);
    for e in [&status, &stream_err, &decode, &connection, &timeout, &invalid] {
        texts.push(format!("{e}"));
        texts.push(format!("{e:?}"));
    }
    for t in &texts {
        assert!(!t.contains(secret_tail), "the key leaked into: {t}");
    }
    // The gateway echoed the key; the message keeps only its first 8 characters.
    assert!(status.message().contains("sk-test-…"), "{}", status.message());
}

#[tokio::test]
async fn paced_batches_gather_a_fast_burst_but_hand_over_the_first_chunk_at_once() {
    let words: Vec<String> = (0..300).map(|i| format!("w{i}")).collect();
    let content = words.join(" ");
    let s = Session::new(json!([{"stream": {"content": content, "delay_ms_between": 1}}]));
    let mut stream = s
        .client()
        .chat_stream(&request(), &RequestOptions::default())
        .await
        .unwrap();
    let started = Instant::now();
    let first = stream
        .next_batch_paced(10_000, Duration::from_millis(100))
        .await
        .unwrap();
    assert!(!first.is_empty());
    assert!(
        started.elapsed() < Duration::from_millis(90),
        "the first batch must not wait for the linger"
    );
    let second = stream
        .next_batch_paced(10_000, Duration::from_millis(100))
        .await
        .unwrap();
    // One event a millisecond for ~100 ms: one crossing carries dozens of chunks, not one.
    assert!(second.len() >= 20, "second batch had {} chunks", second.len());
    let mut text: String = first
        .iter()
        .chain(&second)
        .filter_map(|c| c.chunk.as_ref()?.choices.first()?.delta.content.clone())
        .collect();
    loop {
        let more = stream
            .next_batch_paced(10_000, Duration::from_millis(100))
            .await
            .unwrap();
        if more.is_empty() {
            break;
        }
        text.extend(
            more.iter()
                .filter_map(|c| c.chunk.as_ref()?.choices.first()?.delta.content.clone()),
        );
    }
    assert_eq!(text, content);
}

#[tokio::test]
async fn a_data_only_stream_hands_over_the_same_events_and_builds_the_same_completion() {
    // Reasoning, content, two tool calls and usage: chunks of different shapes in turn, parsed into one reused chunk.
    let step = json!({"stream": {"reasoning": "think first", "content": "one two three", "usage": {"prompt_tokens": 3, "completion_tokens": 5, "total_tokens": 8},
        "tool_calls": [{"id": "t1", "name": "f", "arguments": "{\"a\": 1}"}, {"id": "t2", "name": "g", "arguments": "{}", "pieces": 1}], "parallel": true}});
    let mut runs = Vec::new();
    for data_only in [false, true] {
        // A session each: the mock numbers completion ids per session.
        let s = Session::new(json!([step.clone()]));
        let mut stream = s
            .client()
            .chat_stream(&request(), &RequestOptions::default())
            .await
            .unwrap();
        if data_only {
            stream.data_only();
        }
        stream.enable_events();
        let mut handed = Vec::new();
        loop {
            let batch = stream.next_batch(3).await.unwrap();
            if batch.is_empty() {
                break;
            }
            for raw in batch {
                assert_eq!(raw.chunk.is_none(), data_only, "a parsed chunk only when typed");
                handed.push((raw.data, format!("{:?}", raw.events)));
            }
        }
        runs.push((handed, stream.into_completion()));
    }
    let (typed, data_only) = (&runs[0], &runs[1]);
    assert!(typed.0.len() > 8, "{typed:?}");
    assert_eq!(typed.0, data_only.0, "same event texts and helper events");
    assert_eq!(typed.1, data_only.1, "same completion");
    let message = &data_only.1.choices[0].message;
    assert_eq!(message.content.as_deref(), Some("one two three"));
    assert_eq!(message.tool_calls.as_ref().map(|t| t.len()), Some(2));
    assert_eq!(data_only.1.usage.as_ref().map(|u| u.total_tokens), Some(8));
}

#[tokio::test]
async fn next_on_a_data_only_stream_still_returns_parsed_chunks() {
    let s = Session::new(json!([{"stream": {"content": "a b c"}}]));
    let mut stream = s
        .client()
        .chat_stream(&request(), &RequestOptions::default())
        .await
        .unwrap();
    stream.data_only();
    let mut content = String::new();
    while let Some(chunk) = stream.next().await.unwrap() {
        content.extend(chunk.choices.iter().filter_map(|c| c.delta.content.as_deref()));
    }
    assert_eq!(content, "a b c");
}

/// A mock of the test's own, scripted and counted through a control client that opens a
/// connection per request (so that the engine's connections are the rest of the count).
struct PrivateMock {
    mock: common::Mock,
    http: reqwest::Client,
    control_requests: std::sync::atomic::AtomicU64,
}

impl PrivateMock {
    fn start() -> PrivateMock {
        let http = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
        PrivateMock {
            mock: common::start_mock(&[]),
            http,
            control_requests: Default::default(),
        }
    }

    async fn script(&self, steps: serde_json::Value) {
        self.control_requests.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let url = format!("{}/__mock/sessions/default/script", self.mock.url);
        let r = self.http.post(url).body(steps.to_string()).send().await.unwrap();
        assert!(r.status().is_success());
    }

    /// Connections the engine opened: those the mock accepted, less the control client's.
    async fn engine_connections(&self) -> u64 {
        let control = self.control_requests.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        let url = format!("{}/__mock/stats", self.mock.url);
        let stats: serde_json::Value =
            serde_json::from_slice(&self.http.get(url).send().await.unwrap().bytes().await.unwrap()).unwrap();
        stats["accepted_connections"].as_u64().unwrap() - control
    }
}

#[tokio::test]
async fn streams_reuse_one_connection_and_a_closed_one_is_replaced() {
    let mock = PrivateMock::start();
    let client = routerkit::Client::builder()
        .api_key(TEST_KEY)
        .base_url(format!("{}/v1", mock.mock.url))
        .build()
        .unwrap();
    let stream = || json!({"stream": {"content": "one two three"}});
    mock.script(json!([stream(), stream(), stream()])).await;
    for _ in 0..3 {
        let done = client
            .chat_stream(&request(), &RequestOptions::default())
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        assert_eq!(done.choices[0].message.content.as_deref(), Some("one two three"));
        // The body's end may follow `[DONE]` by a moment: the stream then reads it in the background.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        mock.engine_connections().await,
        1,
        "three streams, one after the other, over one connection"
    );

    // A gateway that closes after a stream: the next stream opens a new connection and works.
    mock.script(json!([{"headers": {"connection": "close"}, "stream": {"content": "closing"}}, stream()]))
        .await;
    let done = client
        .chat_stream(&request(), &RequestOptions::default())
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    assert_eq!(done.choices[0].message.content.as_deref(), Some("closing"));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let done = client
        .chat_stream(&request(), &RequestOptions::default())
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    assert_eq!(done.choices[0].message.content.as_deref(), Some("one two three"));
    assert_eq!(mock.engine_connections().await, 2);
}

#[tokio::test]
async fn a_cancel_wins_over_a_failure_read_but_not_yet_handed_over() {
    // The whole answer, cut short (no finish reason, no [DONE]), is in the socket before the
    // first batch: that batch reads it to its end, and the truncation waits for the next call.
    let s = Session::new(json!([{"stream": {"content": "one two three", "finish_reason": null, "done": false}}]));
    let client = s.client();
    let mut stream = client
        .chat_stream(&request(), &RequestOptions::default())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut received = stream.next_batch(100).await.unwrap().len();
    while received < 3 {
        let batch = stream.next_batch(100).await.unwrap();
        assert!(!batch.is_empty(), "the failure came before the content");
        received += batch.len();
    }
    stream.cancel();
    let err = stream.next_batch(100).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Cancelled, "{err:?}");
}
