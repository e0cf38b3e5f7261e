mod common;

use std::time::{Duration, Instant};

use common::{request, sse_events, stream_content, Conn, Mock};
use serde_json::{json, Value};

fn chat_body(stream: bool) -> Value {
    let mut b = json!({"model": "openai/gpt-4.1", "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Say hi"}
    ]});
    if stream {
        b["stream"] = true.into();
        b["stream_options"] = json!({"include_usage": true});
    }
    b
}

#[tokio::test]
async fn default_chat_completion() {
    let m = Mock::start();
    let r = request(
        &m.addr,
        "POST",
        "/v1/chat/completions",
        &[("x-mock-session", "t1")],
        Some(&chat_body(false)),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-request-id"), Some("req_1"));
    let v = r.json();
    assert_eq!(v["object"], "chat.completion");
    assert_eq!(v["model"], "openai/gpt-4.1");
    assert_eq!(
        v["choices"][0]["message"]["content"],
        "Hello from routerkit-mock! You said: Say hi"
    );
    assert_eq!(v["choices"][0]["finish_reason"], "stop");
    assert_eq!(
        v["usage"],
        json!({"prompt_tokens": 4, "completion_tokens": 7, "total_tokens": 11})
    );
}

#[tokio::test]
async fn default_stream() {
    let m = Mock::start();
    let r = request(&m.addr, "POST", "/v1/chat/completions", &[], Some(&chat_body(true)))
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/event-stream"));
    assert!(r.body_error.is_none());
    let (content, chunks, done) = stream_content(&r.body);
    assert!(done);
    assert_eq!(content, "Hello from routerkit-mock! You said: Say hi");
    assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
    assert_eq!(chunks[0]["object"], "chat.completion.chunk");
    assert_eq!(chunks[0]["model"], "openai/gpt-4.1");
    let last = chunks.last().unwrap();
    assert_eq!(last["choices"], json!([]));
    assert_eq!(last["usage"]["total_tokens"], 11);
    let fin = &chunks[chunks.len() - 2];
    assert_eq!(fin["choices"][0]["finish_reason"], "stop");
    // Without include_usage: no usage chunk.
    let mut b = chat_body(true);
    b.as_object_mut().unwrap().remove("stream_options");
    let r = request(&m.addr, "POST", "/v1/chat/completions", &[], Some(&b))
        .await
        .unwrap();
    let (_, chunks, _) = stream_content(&r.body);
    assert!(chunks.iter().all(|c| c.get("usage").is_none()));
}

#[tokio::test]
async fn models_and_embeddings() {
    let m = Mock::start();
    let r = request(&m.addr, "GET", "/v1/models", &[], None).await.unwrap();
    let v = r.json();
    assert_eq!(v["object"], "list");
    let ids: Vec<&str> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"anthropic/claude-opus-4-5") && ids.contains(&"deepseek/deepseek-r1"));

    let one = request(
        &m.addr,
        "POST",
        "/v1/embeddings",
        &[],
        Some(&json!({"model": "e", "input": "hello world"})),
    )
    .await
    .unwrap()
    .json();
    assert_eq!(one["data"].as_array().unwrap().len(), 1);
    assert_eq!(one["data"][0]["embedding"].as_array().unwrap().len(), 8);
    assert_eq!(one["usage"]["prompt_tokens"], 2);
    let two = request(
        &m.addr,
        "POST",
        "/v1/embeddings",
        &[],
        Some(&json!({"model": "e", "input": ["hello world", "x"]})),
    )
    .await
    .unwrap()
    .json();
    assert_eq!(two["data"].as_array().unwrap().len(), 2);
    assert_eq!(two["data"][1]["index"], 1);
    assert_eq!(
        one["data"][0]["embedding"], two["data"][0]["embedding"],
        "deterministic"
    );
    assert_ne!(two["data"][0]["embedding"], two["data"][1]["embedding"]);
    let b64 = request(
        &m.addr,
        "POST",
        "/v1/embeddings",
        &[],
        Some(&json!({"input": "x", "encoding_format": "base64"})),
    )
    .await
    .unwrap()
    .json();
    assert_eq!(b64["data"][0]["embedding"].as_str().unwrap().len(), 44); // 32 bytes
}

#[tokio::test]
async fn script_log_and_header_step() {
    let m = Mock::start();
    let r = m
        .post_script(
            "s",
            &json!([
                {"status": 429, "headers": {"retry-after": "1", "x-should-retry": true}},
                {"status": 400, "body": {"error": {"message": "bad", "code": "invalid_x", "param": "temperature"}}},
            ]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());

    // A header step wins and does not consume the script.
    let r = request(
        &m.addr,
        "POST",
        "/v1/chat/completions?a=1",
        &[("x-mock-session", "s"), ("x-mock-step", r#"{"status":503}"#)],
        Some(&chat_body(false)),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 503);

    let h = [("x-mock-session", "s"), ("authorization", "Bearer sk-test")];
    let r = request(&m.addr, "POST", "/v1/chat/completions", &h, Some(&chat_body(false)))
        .await
        .unwrap();
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("1"));
    assert_eq!(r.header("x-should-retry"), Some("true"));
    assert_eq!(r.header("x-request-id"), Some("req_2"));
    assert_eq!(r.json()["error"]["code"], 429);
    let r = request(&m.addr, "POST", "/v1/chat/completions", &h, Some(&chat_body(false)))
        .await
        .unwrap();
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["param"], "temperature");
    // Script exhausted: default behaviour.
    let r = request(&m.addr, "POST", "/v1/chat/completions", &h, Some(&chat_body(false)))
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    // Other sessions are not affected.
    let r = m.post_script("other", &json!([{"status": 500}])).await;
    assert_eq!(r.status, 200);
    let r = request(&m.addr, "POST", "/v1/chat/completions", &h, Some(&chat_body(false)))
        .await
        .unwrap();
    assert_eq!(r.status, 200);

    let log = m.requests("s").await;
    assert_eq!(log.len(), 5);
    assert_eq!(log[0]["query"], "a=1");
    assert_eq!(log[1]["method"], "POST");
    assert_eq!(log[1]["path"], "/v1/chat/completions");
    assert_eq!(log[1]["headers"]["authorization"], "Bearer sk-test");
    assert_eq!(log[1]["body"]["model"], "openai/gpt-4.1");
    assert!(log[1]["body_text"].as_str().unwrap().contains("Say hi"));
    assert_eq!(log[1]["completed"], true);
    assert_eq!(log[1]["client_disconnected"], false);
    assert!(m.requests("other").await.is_empty());

    // Typos in steps are rejected.
    let r = m.post_script("s", &json!([{"stauts": 500}])).await;
    assert_eq!(r.status, 400);
    assert!(r.text().contains("stauts"), "{}", r.text());
    let r = m.post_script("s", &json!([{"stream": {"split": "every_bytes"}}])).await;
    assert_eq!(r.status, 400);

    // Delete forgets the log.
    let mut c = Conn::connect(&m.addr).await.unwrap();
    c.send("DELETE", "/__mock/sessions/s", &[], None).await.unwrap();
    assert_eq!(c.read_response().await.unwrap().status, 204);
    assert!(m.requests("s").await.is_empty());
    let stats = m.get_json("/__mock/stats").await;
    assert_eq!(stats["requests"], 5);
    assert!(stats["total_connections"].as_u64().unwrap() >= 5);
}

#[tokio::test]
async fn keep_alive_connection_serves_many_requests() {
    let m = Mock::start();
    let mut c = Conn::connect(&m.addr).await.unwrap();
    for _ in 0..3 {
        let b = chat_body(true).to_string();
        c.send("POST", "/v1/chat/completions", &[], Some(b.as_bytes()))
            .await
            .unwrap();
        let r = c.read_response().await.unwrap();
        assert_eq!(r.status, 200);
        assert!(stream_content(&r.body).2);
    }
    let stats = m.get_json("/__mock/stats").await;
    assert_eq!(stats["total_connections"], 2);
}

#[tokio::test]
async fn every_byte_split() {
    let m = Mock::start();
    m.post_script(
        "s",
        &json!([{"stream": {"content": "你好 🌍 ok", "split": "every_byte"}}]),
    )
    .await;
    let r = request(
        &m.addr,
        "POST",
        "/v1/chat/completions",
        &[("x-mock-session", "s")],
        Some(&chat_body(true)),
    )
    .await
    .unwrap();
    assert!(r.chunk_sizes.len() > 100);
    assert!(r.chunk_sizes.iter().all(|&n| n == 1), "{:?}", r.chunk_sizes);
    let (content, _, done) = stream_content(&r.body);
    assert_eq!(content, "你好 🌍 ok");
    assert!(done);

    m.post_script("s", &json!([{"stream": {"content": "abc", "split": {"every_n": 7}}}]))
        .await;
    let r = request(
        &m.addr,
        "POST",
        "/v1/chat/completions",
        &[("x-mock-session", "s")],
        Some(&chat_body(false)),
    )
    .await
    .unwrap();
    // Each event's bytes are cut into writes of at most 7 bytes.
    assert!(r.chunk_sizes.iter().all(|&s| s <= 7), "{:?}", r.chunk_sizes);
    assert!(r.chunk_sizes.iter().filter(|&&s| s == 7).count() > r.chunk_sizes.len() / 2);
}

#[tokio::test]
async fn framing_options() {
    let m = Mock::start();
    m.post_script(
        "s",
        &json!([
            {"stream": {"content": "a b", "line_ending": "\r", "bom": true, "comments": true, "multiline_data": true}},
            {"stream": {"raw_events": ["event: ping\ndata: {\"x\":1}\n\n", "id: 5\n\n"], "done": false}},
            {"stream": {"content": "gz gz gz", "gzip": true}},
        ]),
    )
    .await;
    let h = [("x-mock-session", "s"), ("accept-encoding", "gzip")];
    let r = request(&m.addr, "POST", "/v1/chat/completions", &h, Some(&chat_body(true)))
        .await
        .unwrap();
    assert!(r.body.starts_with("\u{feff}: OPENROUTER PROCESSING\r\r".as_bytes()));
    assert!(!r.body.contains(&b'\n'));
    let (content, _, done) = stream_content(&r.body);
    assert_eq!((content.as_str(), done), ("a b", true));

    let r = request(&m.addr, "POST", "/v1/chat/completions", &h, Some(&chat_body(true)))
        .await
        .unwrap();
    assert_eq!(r.text(), "event: ping\ndata: {\"x\":1}\n\nid: 5\n\n");
    assert_eq!(
        sse_events(&r.body),
        vec![(Some("ping".to_string()), "{\"x\":1}".to_string())]
    );

    let r = request(&m.addr, "POST", "/v1/chat/completions", &h, Some(&chat_body(true)))
        .await
        .unwrap();
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    let (content, _, done) = stream_content(&r.decoded());
    assert_eq!((content.as_str(), done), ("gz gz gz", true));
}

#[tokio::test]
async fn tool_calls_and_reasoning() {
    let m = Mock::start();
    m.post_script(
        "s",
        &json!([{"stream": {
            "reasoning": "let me think", "reasoning_field": "reasoning_content",
            "tool_calls": [{"id": "call_a", "name": "f", "arguments": "{\"a\":1}"}, {"name": "g", "arguments": ""}],
            "parallel": true
        }}]),
    )
    .await;
    let r = request(
        &m.addr,
        "POST",
        "/v1/chat/completions",
        &[("x-mock-session", "s")],
        Some(&chat_body(false)),
    )
    .await
    .unwrap();
    let (_, chunks, _) = stream_content(&r.body);
    let mut reasoning = String::new();
    let mut args = [String::new(), String::new()];
    let mut ids = vec![];
    for c in &chunks {
        if let Some(s) = c.pointer("/choices/0/delta/reasoning_content").and_then(Value::as_str) {
            reasoning.push_str(s);
        }
        for tc in c
            .pointer("/choices/0/delta/tool_calls")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let i = tc["index"].as_u64().unwrap() as usize;
            if let Some(id) = tc["id"].as_str() {
                ids.push(id.to_string());
            }
            args[i].push_str(tc["function"]["arguments"].as_str().unwrap());
        }
    }
    assert_eq!(reasoning, "let me think");
    assert_eq!(ids, ["call_a", "call_2"]);
    assert_eq!(args, ["{\"a\":1}".to_string(), String::new()]);
    let fin = chunks
        .iter()
        .find_map(|c| c.pointer("/choices/0/finish_reason").and_then(Value::as_str));
    assert_eq!(fin, Some("tool_calls"));
}

#[tokio::test]
async fn error_event_and_no_done() {
    let m = Mock::start();
    m.post_script(
        "s",
        &json!([
            {"stream": {"content": "a b c", "error_after": 2, "error_event": {"error": {"message": "overloaded", "code": 502}}, "error_event_name": "error"}},
            {"stream": {"content": "a b c", "done": false, "finish_reason": null}},
        ]),
    )
    .await;
    let h = [("x-mock-session", "s")];
    let r = request(&m.addr, "POST", "/v1/chat/completions", &h, Some(&chat_body(false)))
        .await
        .unwrap();
    let ev = sse_events(&r.body);
    assert_eq!(ev.len(), 3);
    assert_eq!(ev[2].0.as_deref(), Some("error"));
    assert!(ev[2].1.contains("overloaded"));
    assert!(r.body_error.is_none());
    let r = request(&m.addr, "POST", "/v1/chat/completions", &h, Some(&chat_body(false)))
        .await
        .unwrap();
    let (content, chunks, done) = stream_content(&r.body);
    assert_eq!(content, "a b c");
    assert!(!done);
    assert!(chunks.iter().all(|c| c["choices"][0]["finish_reason"].is_null()));
}

#[tokio::test]
async fn reset_after_and_reset_step() {
    let m = Mock::start();
    m.post_script(
        "s",
        &json!([{"stream": {"content": "a b c d", "reset_after": 2}}, {"reset": true}, {}]),
    )
    .await;
    let h = [("x-mock-session", "s")];
    let r = request(&m.addr, "POST", "/v1/chat/completions", &h, Some(&chat_body(true)))
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    assert!(r.body_error.is_some(), "body should end abruptly");
    let (content, _, done) = stream_content(&r.body);
    assert_eq!(content, "a b ");
    assert!(!done);

    let e = request(&m.addr, "POST", "/v1/chat/completions", &h, Some(&chat_body(true))).await;
    assert!(e.is_err(), "reset step must close without a response");

    let r = request(&m.addr, "POST", "/v1/chat/completions", &h, Some(&chat_body(true)))
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    let log = m.requests("s").await;
    assert_eq!(log.len(), 3);
    assert_eq!(log[0]["completed"], false);
    assert_eq!(log[0]["client_disconnected"], false);
    assert_eq!(log[1]["completed"], false);
    assert_eq!(log[2]["completed"], true);
}

#[tokio::test]
async fn client_disconnect_is_logged() {
    let m = Mock::start();
    m.post_script(
        "s",
        &json!([
            {"stream": {"content": "a b c d e f g h i j", "delay_ms_between": 100}},
            {"stream": {"content": "a b c d", "stall_after": 1, "stall_ms": 60000}},
            {"delay_headers_ms": 60000},
        ]),
    )
    .await;
    let body = chat_body(true).to_string();
    for i in 0..2 {
        let mut c = Conn::connect(&m.addr).await.unwrap();
        c.send(
            "POST",
            "/v1/chat/completions",
            &[("x-mock-session", "s")],
            Some(body.as_bytes()),
        )
        .await
        .unwrap();
        let r = c.read_head().await.unwrap();
        assert_eq!(r.status, 200);
        let first = c.read_piece().await.unwrap().unwrap();
        assert!(first.starts_with(b"data: "));
        let start = Instant::now();
        drop(c);
        let rec = m.wait_request("s", i, 3000, |r| r["client_disconnected"] == true).await;
        assert_eq!(rec["completed"], false);
        assert!(start.elapsed() < Duration::from_millis(2000));
    }
    // Slow headers: the client leaves before the status line.
    let mut c = Conn::connect(&m.addr).await.unwrap();
    c.send(
        "POST",
        "/v1/chat/completions",
        &[("x-mock-session", "s")],
        Some(body.as_bytes()),
    )
    .await
    .unwrap();
    let t = tokio::time::timeout(Duration::from_millis(200), c.read_head()).await;
    assert!(t.is_err(), "headers must be delayed");
    drop(c);
    m.wait_request("s", 2, 3000, |r| r["client_disconnected"] == true).await;
    // Every connection is gone (only the stats request's own remains).
    let start = Instant::now();
    loop {
        let s = m.get_json("/__mock/stats").await;
        if s["live_connections"] == 1 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(3), "connections leaked: {s}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn slow_headers_and_steady_stream_timing() {
    let m = Mock::start();
    m.post_script(
        "s",
        &json!([{"delay_headers_ms": 300}, {"stream": {"content": "a b c", "delay_ms_between": 100}}]),
    )
    .await;
    let h = [("x-mock-session", "s")];
    let t = Instant::now();
    let r = request(&m.addr, "POST", "/v1/chat/completions", &h, Some(&chat_body(false)))
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    assert!(t.elapsed() >= Duration::from_millis(290));
    let t = Instant::now();
    let r = request(&m.addr, "POST", "/v1/chat/completions", &h, Some(&chat_body(false)))
        .await
        .unwrap();
    assert!(stream_content(&r.body).2);
    assert!(t.elapsed() >= Duration::from_millis(290)); // 3 pieces + finish = 3 gaps
}

#[tokio::test]
async fn huge_event_and_unknown_route() {
    let m = Mock::start();
    m.post_script(
        "s",
        &json!([{"stream": {"huge_event_bytes": 1_000_000, "content": "end"}}]),
    )
    .await;
    let h = [("x-mock-session", "s")];
    let r = request(&m.addr, "POST", "/v1/chat/completions", &h, Some(&chat_body(false)))
        .await
        .unwrap();
    let (content, _, done) = stream_content(&r.body);
    assert_eq!(content.len(), 1_000_003);
    assert!(done);
    let r = request(&m.addr, "POST", "/v1/v1/chat/completions", &h, Some(&chat_body(false)))
        .await
        .unwrap();
    assert_eq!(r.status, 404);
    assert_eq!(m.requests("s").await[1]["path"], "/v1/v1/chat/completions");
}

#[tokio::test]
async fn repeat_with_pieces_takes_them_in_turn() {
    let m = Mock::start();
    let step = json!({"stream": {"pieces": ["a", "b", "c"], "repeat": 7}}).to_string();
    let h = [("x-mock-step", step.as_str())];
    let r = request(&m.addr, "POST", "/v1/chat/completions", &h, Some(&chat_body(false)))
        .await
        .unwrap();
    let (content, chunks, done) = stream_content(&r.body);
    assert!(done);
    assert_eq!(content, "abcabca");
    assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
    assert!(chunks[1]["choices"][0]["delta"].get("role").is_none());
}

#[tokio::test]
async fn repeat_sends_identical_deltas() {
    let m = Mock::start();
    let step = json!({"stream": {"content": "ab", "repeat": 1000}}).to_string();
    let h = [("x-mock-step", step.as_str())];
    let r = request(&m.addr, "POST", "/v1/chat/completions", &h, Some(&chat_body(true)))
        .await
        .unwrap();
    let (content, chunks, done) = stream_content(&r.body);
    assert!(done);
    assert_eq!(content, "ab".repeat(1000));
    assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
    assert!(chunks[1]["choices"][0]["delta"].get("role").is_none());
    assert_eq!(chunks[999]["choices"][0]["delta"]["content"], "ab");
    assert_eq!(chunks[1000]["choices"][0]["finish_reason"], "stop");
    assert_eq!(chunks.last().unwrap()["usage"]["completion_tokens"], 1000);
}

#[tokio::test]
async fn repeat_in_a_responses_stream_numbers_every_delta() {
    let m = Mock::start();
    let step = json!({"stream": {"pieces": ["a", "b", "c"], "repeat": 7}}).to_string();
    let h = [("x-mock-step", step.as_str())];
    let body = json!({"model": "m", "input": "hi", "stream": true});
    let r = request(&m.addr, "POST", "/v1/responses", &h, Some(&body))
        .await
        .unwrap();
    let events: Vec<(Option<String>, Value)> = sse_events(&r.body)
        .into_iter()
        .map(|(name, data)| (name, serde_json::from_str(&data).unwrap()))
        .collect();
    // Every event is named by its type and numbered in order, the repeated deltas included.
    for (i, (name, ev)) in events.iter().enumerate() {
        assert_eq!(name.as_deref(), ev["type"].as_str(), "event {i}");
        assert_eq!(ev["sequence_number"], i, "event {i}");
    }
    let deltas: Vec<&Value> = events
        .iter()
        .map(|(_, ev)| ev)
        .filter(|ev| ev["type"] == "response.output_text.delta")
        .collect();
    assert_eq!(deltas.len(), 7);
    let text: String = deltas.iter().map(|d| d["delta"].as_str().unwrap()).collect();
    assert_eq!(text, "abcabca");
    assert_eq!(deltas[0]["item_id"], "msg_mock_0");
    assert_eq!(deltas[0]["logprobs"], json!([]));
    let done = events
        .iter()
        .find(|(_, ev)| ev["type"] == "response.output_text.done")
        .unwrap();
    assert_eq!(done.1["text"], "abcabca");
    let (name, last) = events.last().unwrap();
    assert_eq!(name.as_deref(), Some("response.completed"));
    assert_eq!(last["response"]["output"][0]["content"][0]["text"], "abcabca");
    assert_eq!(last["response"]["usage"]["output_tokens"], 1);
    // With `repeat` the whole content is each delta, as in chat.
    let step = json!({"stream": {"content": "ab ", "repeat": 3}}).to_string();
    let h = [("x-mock-step", step.as_str())];
    let r = request(&m.addr, "POST", "/v1/responses", &h, Some(&body))
        .await
        .unwrap();
    let texts: Vec<Value> = sse_events(&r.body)
        .into_iter()
        .map(|(_, data)| serde_json::from_str::<Value>(&data).unwrap())
        .filter(|ev| ev["type"] == "response.output_text.delta")
        .map(|ev| ev["delta"].clone())
        .collect();
    assert_eq!(texts, vec![json!("ab "); 3]);
}

#[tokio::test]
async fn retrieve_model_by_an_id_with_a_slash() {
    let m = Mock::start();
    let r = request(&m.addr, "GET", "/v1/models/openai/gpt-4.1", &[], None)
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(
        (v["id"].as_str(), v["object"].as_str()),
        (Some("openai/gpt-4.1"), Some("model"))
    );
    assert_eq!(v["owned_by"], "openai");
    let r = request(&m.addr, "GET", "/v1/models/openai/nope%20x", &[], None)
        .await
        .unwrap();
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"]["code"], "model_not_found");
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("'openai/nope x'"));
}

#[tokio::test]
async fn legacy_completions_plain_and_streamed() {
    let m = Mock::start();
    let body = json!({"model": "openai/gpt-3.5-turbo-instruct", "prompt": "Say hi"});
    let r = request(&m.addr, "POST", "/v1/completions", &[], Some(&body))
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["object"], "text_completion");
    assert_eq!(v["id"], "cmpl-mock-1");
    assert_eq!(v["choices"][0]["text"], "Hello from routerkit-mock! You said: Say hi");
    assert_eq!(v["choices"][0]["finish_reason"], "stop");
    assert_eq!(
        v["usage"],
        json!({"prompt_tokens": 2, "completion_tokens": 7, "total_tokens": 9})
    );
    let mut streamed = body.clone();
    streamed["stream"] = true.into();
    streamed["stream_options"] = json!({"include_usage": true});
    let r = request(&m.addr, "POST", "/v1/completions", &[], Some(&streamed))
        .await
        .unwrap();
    assert!(r.header("content-type").unwrap().starts_with("text/event-stream"));
    let (_, chunks, done) = stream_content(&r.body);
    assert!(done);
    let text: String = chunks
        .iter()
        .filter_map(|c| c.pointer("/choices/0/text").and_then(Value::as_str))
        .collect();
    assert_eq!(text, "Hello from routerkit-mock! You said: Say hi");
    assert!(chunks.iter().all(|c| c["object"] == "text_completion"));
    assert!(chunks.iter().all(|c| c.pointer("/choices/0/delta").is_none()));
    assert_eq!(chunks[chunks.len() - 2]["choices"][0]["finish_reason"], "stop");
    assert_eq!(chunks.last().unwrap()["usage"]["total_tokens"], 9);
    // Faults as chat has them: a scripted stream step shapes its chunks as completions.
    let step = json!({"stream": {"content": "a b c", "error_after": 2}}).to_string();
    let r = request(
        &m.addr,
        "POST",
        "/v1/completions",
        &[("x-mock-step", &step)],
        Some(&streamed),
    )
    .await
    .unwrap();
    let (_, chunks, done) = stream_content(&r.body);
    assert!(!done);
    assert_eq!(chunks[1]["choices"][0]["text"], "b ");
    assert_eq!(chunks[2]["error"]["code"], "server_error");
}

#[tokio::test]
async fn moderations_flag_by_words() {
    let m = Mock::start();
    let body = json!({"input": ["I will kill the process", "hello"]});
    let r = request(&m.addr, "POST", "/v1/moderations", &[], Some(&body))
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["id"], "modr-mock-1");
    assert_eq!(v["model"], "omni-moderation-latest");
    assert_eq!(v["results"][0]["flagged"], true);
    assert_eq!(v["results"][0]["categories"]["violence"], true);
    assert_eq!(v["results"][0]["category_scores"]["violence"], 0.9);
    assert_eq!(v["results"][1]["flagged"], false);
    let r = request(&m.addr, "POST", "/v1/moderations", &[], Some(&json!({"input": []})))
        .await
        .unwrap();
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn non_stream_tool_calls_and_tool_results_in_the_default_content() {
    let m = Mock::start();
    let step = r#"{"tool_calls":[{"name":"add","arguments":"{\"a\":1}"},{"id":"","name":"echo"}]}"#;
    let r = request(
        &m.addr,
        "POST",
        "/v1/chat/completions",
        &[("x-mock-session", "tc"), ("x-mock-step", step)],
        Some(&chat_body(false)),
    )
    .await
    .unwrap();
    let v = r.json();
    let message = &v["choices"][0]["message"];
    assert_eq!(message["content"], Value::Null);
    assert_eq!(
        message["tool_calls"],
        json!([
            {"id": "call_1", "type": "function", "function": {"name": "add", "arguments": "{\"a\":1}"}},
            {"id": "", "type": "function", "function": {"name": "echo", "arguments": ""}},
        ])
    );
    assert_eq!(v["choices"][0]["finish_reason"], "tool_calls");
    assert_eq!(v["usage"]["completion_tokens"], 0);

    // The follow-up: the trailing tool messages' contents make the answer.
    let mut body = chat_body(false);
    body["messages"].as_array_mut().unwrap().extend([
        json!({"role": "assistant", "content": null, "tool_calls": message["tool_calls"]}),
        json!({"role": "tool", "tool_call_id": "call_1", "content": "{\"sum\":1}"}),
        json!({"role": "tool", "tool_call_id": "", "content": "hi"}),
    ]);
    let r = request(
        &m.addr,
        "POST",
        "/v1/chat/completions",
        &[("x-mock-session", "tc")],
        Some(&body),
    )
    .await
    .unwrap();
    assert_eq!(
        r.json()["choices"][0]["message"]["content"],
        "Hello from routerkit-mock! Tool results: {\"sum\":1} | hi"
    );
}

#[tokio::test]
async fn receipt_fields_provider_cost_and_generation_id() {
    let m = Mock::start();
    let step = r#"{"provider":"Groq","cost":0.25,"generation_id":"gen-9"}"#;
    let r = request(
        &m.addr,
        "POST",
        "/v1/chat/completions",
        &[("x-mock-step", step)],
        Some(&chat_body(false)),
    )
    .await
    .unwrap();
    assert_eq!(r.header("x-generation-id"), Some("gen-9"));
    let v = r.json();
    assert_eq!(
        (v["id"].as_str(), v["provider"].as_str()),
        (Some("gen-9"), Some("Groq"))
    );
    assert_eq!(v["usage"]["cost"], 0.25);
    assert_eq!(v["usage"]["cost_details"], json!({"upstream_inference_cost": 0.25}));

    let r = request(
        &m.addr,
        "POST",
        "/v1/chat/completions",
        &[("x-mock-step", step)],
        Some(&chat_body(true)),
    )
    .await
    .unwrap();
    assert_eq!(r.header("x-generation-id"), Some("gen-9"));
    let (_, chunks, done) = stream_content(&r.body);
    assert!(done);
    assert!(
        chunks.iter().all(|c| c["provider"] == "Groq" && c["id"] == "gen-9"),
        "{chunks:?}"
    );
    let usage = chunks.iter().find_map(|c| c.get("usage")).expect("a usage chunk");
    assert_eq!(usage["cost"], 0.25);
}
