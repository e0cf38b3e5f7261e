//! The generic entry points, `Client::call` and `Client::open`, by operation name (as
//! bindings call them) against the mock: the bytes the gateway receives, the path of every
//! row, and the errors for a wrong operation.
mod common;

use common::Session;
use routerkit::{AnyStream, ErrorKind, Op, RequestOptions};
use serde_json::{json, Value};

async fn body_text(s: &Session) -> String {
    let log = s.requests().await;
    log.last().unwrap()["body_text"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_json_body_reaches_the_gateway_byte_for_byte() {
    let s = Session::new(json!([{}, {}]));
    let client = s.client();
    // Keys in no alphabetical order, nested ones included, a number written as the caller wrote it.
    let body = r#"{"zeta": 1, "model": "openai/gpt-4.1", "messages": [{"role": "user", "content": "Say hi"}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "v", "schema": {"type": "object",
        "properties": {"reasoning": {"type": "string"}, "answer": {"type": "number", "minimum": 1.50}}}}}}"#;
    let r = client
        .call("chat", Some(body), &RequestOptions::default())
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    let v: Value = serde_json::from_slice(&r.data).unwrap();
    assert_eq!(v["object"], "chat.completion");
    assert_eq!(body_text(&s).await, body);
    // A stream: the engine's two fields are appended, nothing else changes.
    let mut stream = client
        .open(Op::ChatStream, Some(body), &RequestOptions::default())
        .await
        .unwrap();
    assert_eq!(stream.op(), Op::ChatStream);
    let mut chunks = 0;
    loop {
        let batch = stream.next_batch(64).await.unwrap();
        if batch.is_empty() {
            break;
        }
        chunks += batch.len();
    }
    assert!(chunks > 0 && stream.is_finished());
    let sent = body_text(&s).await;
    assert_eq!(
        sent,
        format!(
            r#"{{"zeta":1,"model":"openai/gpt-4.1","messages":{},"response_format":{},"stream":true,"stream_options":{{"include_usage":true}}}}"#,
            r#"[{"role": "user", "content": "Say hi"}]"#,
            r#"{"type": "json_schema", "json_schema": {"name": "v", "schema": {"type": "object",
        "properties": {"reasoning": {"type": "string"}, "answer": {"type": "number", "minimum": 1.50}}}}}"#
        )
    );
}

#[tokio::test]
async fn extra_body_merges_in_place_and_new_keys_go_last() {
    let s = Session::new(json!([{}]));
    let mut extra = serde_json::Map::new();
    extra.insert("model".into(), json!("m2"));
    extra.insert("provider".into(), json!({"sort": "price", "order": ["b", "a"]}));
    let opts = RequestOptions {
        extra_body: Some(extra),
        ..Default::default()
    };
    let body = r#"{"model":"m","input":"x"}"#;
    s.client().call("embeddings", Some(body), &opts).await.unwrap();
    assert_eq!(
        body_text(&s).await,
        r#"{"model":"m2","input":"x","provider":{"sort":"price","order":["b","a"]}}"#
    );
}

#[tokio::test]
async fn every_row_reaches_its_path() {
    let s = Session::new(json!([]));
    let client = s.client();
    let opts = RequestOptions::default();
    let r = client
        .call("models.retrieve", Some(r#"{"id":"openai/gpt-4.1"}"#), &opts)
        .await
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&r.data).unwrap()["id"],
        "openai/gpt-4.1"
    );
    client.call("models", None, &opts).await.unwrap();
    client
        .call("completions", Some(r#"{"model":"m","prompt":"Say hi"}"#), &opts)
        .await
        .unwrap();
    client
        .call("moderations", Some(r#"{"input":"hello"}"#), &opts)
        .await
        .unwrap();
    let typed = client.retrieve_model("deepseek/deepseek-r1", &opts).await.unwrap();
    assert_eq!(typed.data.owned_by, "deepseek");
    let log = s.requests().await;
    let sent: Vec<(&str, &str)> = log
        .iter()
        .map(|r| (r["method"].as_str().unwrap(), r["path"].as_str().unwrap()))
        .collect();
    assert_eq!(
        sent,
        [
            ("GET", "/v1/models/openai/gpt-4.1"),
            ("GET", "/v1/models"),
            ("POST", "/v1/completions"),
            ("POST", "/v1/moderations"),
            ("GET", "/v1/models/deepseek/deepseek-r1"),
        ]
    );
    assert!(log[0]["body_text"].as_str().unwrap().is_empty(), "a GET sends no body");
}

#[tokio::test]
async fn a_completions_stream_by_name_accumulates_its_text() {
    let s = Session::new(json!([{"stream": {"content": "one two three"}}]));
    let mut stream = s
        .client()
        .open(
            "completions_stream",
            Some(r#"{"model":"m","prompt":"p"}"#),
            &RequestOptions::default(),
        )
        .await
        .unwrap();
    let mut text = String::new();
    loop {
        let batch = stream.next_batch(2).await.unwrap();
        if batch.is_empty() {
            break;
        }
        for item in batch {
            let v: Value = serde_json::from_str(&item.data).unwrap();
            if let Some(t) = v.pointer("/choices/0/text").and_then(Value::as_str) {
                text.push_str(t);
            }
        }
    }
    assert_eq!(text, "one two three");
    let done: Value = serde_json::from_str(&stream.snapshot_json()).unwrap();
    assert_eq!(done["object"], "text_completion");
    assert_eq!(done["choices"][0]["text"], "one two three");
    assert_eq!(done["choices"][0]["finish_reason"], "stop");
    assert!(matches!(stream, AnyStream::Completions(_)));
}

#[tokio::test]
async fn wrong_operations_and_bodies_are_refused_before_sending() {
    let s = Session::new(json!([]));
    let client = s.client();
    let opts = RequestOptions::default();
    let refused = [
        client.call("chat.create", Some("{}"), &opts).await.unwrap_err(),
        client.call("chat_stream", Some("{}"), &opts).await.unwrap_err(),
        client.open("chat", Some("{}"), &opts).await.map(|_| ()).unwrap_err(),
        client.call("chat", None, &opts).await.unwrap_err(),
        client.call("chat", Some("[1]"), &opts).await.unwrap_err(),
        client
            .call(
                "chat",
                Some(r#"{"model":"m","messages":[],"temperature":"hot"}"#),
                &opts,
            )
            .await
            .unwrap_err(),
        client.call("models.retrieve", None, &opts).await.unwrap_err(),
        client
            .call("models.retrieve", Some(r#"{"id":"../chat/completions"}"#), &opts)
            .await
            .unwrap_err(),
        client
            .call("moderations", Some(r#"{"input":[]}"#), &opts)
            .await
            .unwrap_err(),
    ];
    let fields: Vec<_> = refused.iter().map(|e| e.field()).collect();
    assert_eq!(
        fields,
        [
            Some("op"),
            Some("op"),
            Some("op"),
            Some("request"),
            Some("request"),
            Some("temperature"),
            Some("id"),
            Some("id"),
            Some("input"),
        ]
    );
    assert!(refused.iter().all(|e| e.kind() == ErrorKind::InvalidRequest));
    assert!(s.requests().await.is_empty(), "nothing was sent");
}

#[tokio::test]
async fn a_completions_stream_keeps_back_the_usage_chunk_the_engine_asked_for() {
    let s = Session::new(json!([{}, {}]));
    let client = s.client();
    let opts = RequestOptions::default();
    let request = routerkit::CompletionRequest::new("m", "Say hi");
    let mut stream = client.completions_stream(&request, &opts).await.unwrap();
    let mut chunks = Vec::new();
    while let Some(chunk) = stream.next().await.unwrap() {
        chunks.push(chunk);
    }
    assert!(
        chunks.iter().all(|c| !c.choices.is_empty()),
        "no choices: [] chunk handed over"
    );
    assert_eq!(
        stream.usage().map(|u| u.total_tokens),
        Some(9),
        "the usage still reaches the stream"
    );
    // A caller who asks for it gets it.
    let mut asked = request.clone();
    asked.stream_options = Some(routerkit::StreamOptions {
        include_usage: Some(true),
        ..Default::default()
    });
    let mut stream = client.completions_stream(&asked, &opts).await.unwrap();
    let mut last = None;
    while let Some(chunk) = stream.next().await.unwrap() {
        last = Some(chunk);
    }
    let last = last.unwrap();
    assert!(last.choices.is_empty() && last.usage.is_some());
    let log = s.requests().await;
    assert_eq!(log[0]["body"]["stream_options"], json!({"include_usage": true}));
}
