//! Hardening (issue 7), Rust surface: secrets (every error kind with the key
//! echoed back, the library's log fully on, every formatting of client, config
//! and errors), redirects to another origin drop `Authorization`, CR/LF in key,
//! model or header is refused naming the field, and bad caller input fails
//! naming the parameter before anything is sent.
mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{Session, TEST_KEY};
use routerkit::request::parse_request;
use routerkit::{CancelHandle, ChatCompletionRequest, ChatMessage, Client, EmbeddingRequest, Error, ErrorKind, RequestOptions};
use serde_json::json;

/// The key used by the secrets test: long, with a recognisable tail.
const KEY: &str = "sk-hard-SECRET-TAIL-0123456789abcdef";

fn request() -> ChatCompletionRequest {
    ChatCompletionRequest::new("openai/gpt-4.1", vec![ChatMessage::user("hello there")])
}

fn echo(status: u16) -> serde_json::Value {
    json!({"status": status, "body": {"error": {"message": format!("Incorrect API key provided: {KEY}"), "type": "invalid_request_error", "code": status, "param": KEY}},
           "headers": {"x-echo": KEY}})
}

/// Everything a user could print: Display, Debug, alternate Debug, and every accessor.
fn all_forms(e: &Error) -> Vec<String> {
    vec![
        format!("{e}"),
        format!("{e:?}"),
        format!("{e:#?}"),
        e.message().to_owned(),
        format!("{:?}", e.body()),
        format!("{:?}", e.code()),
        format!("{:?}", e.param()),
        format!("{:?}", e.error_type()),
        format!("{:?}", e.headers()),
    ]
}

/// Run by `the_key_never_appears_whole_in_logs_errors_or_formatting` in a child process
/// with `ROUTERKIT_LOG=debug`; prints every text it made on stdout.
#[tokio::test]
#[ignore = "the child half of the_key_never_appears_whole_in_logs_errors_or_formatting"]
async fn secrets_child() {
    let mut texts: Vec<String> = Vec::new();
    let mut kinds = std::collections::BTreeSet::new();
    let mut record = |e: &Error, texts: &mut Vec<String>| {
        kinds.insert(e.kind().as_str());
        texts.extend(all_forms(e));
    };
    // Status errors, each echoing the key in body and headers; 429 and 500 retried once first.
    let s = Session::new(json!([echo(400), echo(401), echo(429), echo(429), echo(500), echo(500)]));
    let client = s.builder().api_key(KEY).max_retries(1).build().unwrap();
    texts.push(format!("{client:?}"));
    texts.push(format!("{client:#?}"));
    texts.push(format!("{:?}", client.config()));
    texts.push(format!("{:#?}", client.config()));
    texts.push(format!("{}", client.config().api_key));
    texts.push(format!("{:?}", client.config().api_key));
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let e = client.chat(&request(), &RequestOptions::default()).await.unwrap_err();
        statuses.push(e.status().unwrap());
        record(&e, &mut texts);
    }
    assert_eq!(statuses, [400, 401, 429, 500]);
    // A 200 that carries an error object echoing the key.
    let s = Session::new(json!([{"body": {"error": {"message": format!("bad key {KEY}"), "code": 402}}}]));
    let client = s.builder().api_key(KEY).max_retries(0).build().unwrap();
    record(&client.chat(&request(), &RequestOptions::default()).await.unwrap_err(), &mut texts);
    // Stream error events echoing the key (OpenAI shape, then OpenRouter's), and a stream decode error.
    let s = Session::new(json!([
        {"stream": {"content": "a b c", "error_after": 1, "error_event": {"error": {"message": format!("key {KEY} revoked"), "code": 401}}}},
        {"stream": {"content": "a b c", "error_after": 2, "error_event": {"error": {"code": 502, "message": format!("upstream saw {KEY}")},
                    "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}]}}},
        {"stream": {"raw_events": [format!("data: {{\"not a chunk {KEY}\n\n")]}},
        {"stream": {"content": "a b c d", "finish_reason": null, "done": false}},
    ]));
    let client = s.builder().api_key(KEY).max_retries(0).build().unwrap();
    for expected in [ErrorKind::Stream, ErrorKind::Stream, ErrorKind::Decode, ErrorKind::Stream] {
        let stream = client.chat_stream(&request(), &RequestOptions::default()).await.unwrap();
        texts.push(format!("{stream:?}"));
        let e = stream.collect().await.unwrap_err();
        assert_eq!(e.kind(), expected, "{e:?}");
        record(&e, &mut texts);
    }
    // A non-JSON body echoing the key.
    let s = Session::new(json!([{"body_raw": format!("<html>key={KEY}</html>"), "content_type": "text/html"}]));
    let client = s.builder().api_key(KEY).max_retries(0).build().unwrap();
    let e = client.chat(&request(), &RequestOptions::default()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    record(&e, &mut texts);
    // Connection refused (retried once, so a retry line for it is logged too).
    let refused = Client::builder()
        .api_key(KEY)
        .base_url("http://127.0.0.1:1/v1")
        .max_retries(1)
        .backoff(Duration::from_millis(1), Duration::from_millis(2))
        .build()
        .unwrap();
    let e = refused.chat(&request(), &RequestOptions::default()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection);
    record(&e, &mut texts);
    // Timeout before the headers, and a stream that stalls.
    let s = Session::new(json!([{"delay_headers_ms": 3000}, {"stream": {"content": "a b c", "stall_after": 1, "stall_ms": 3000}}]));
    let client = s.builder().api_key(KEY).max_retries(0).timeout(Duration::from_millis(150)).build().unwrap();
    let e = client.chat(&request(), &RequestOptions::default()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    record(&e, &mut texts);
    let e = client.chat_stream(&request(), &RequestOptions::default()).await.unwrap().collect().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    record(&e, &mut texts);
    // Cancelled during a backoff sleep.
    let s = Session::new(json!([{"status": 429, "headers": {"retry-after": "20"}}]));
    let client = s.builder().api_key(KEY).build().unwrap();
    let handle = CancelHandle::default();
    let opts = RequestOptions { cancel: Some(handle.token()), ..Default::default() };
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        handle.cancel();
    });
    let e = client.chat(&request(), &opts).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Cancelled);
    record(&e, &mut texts);
    // Invalid requests: a key with a line break, a bad header, a model with CR/LF.
    let e = Client::builder().api_key(format!("{KEY}\r\nx-evil: 1")).build().unwrap_err();
    record(&e, &mut texts);
    let e = Client::builder().api_key(KEY).default_header("x-a", format!("{KEY}\r\n")).build().unwrap_err();
    record(&e, &mut texts);
    let e = s
        .client()
        .chat(&ChatCompletionRequest::new(format!("m\r\n{KEY}"), vec![ChatMessage::user("x")]), &RequestOptions::default())
        .await
        .unwrap_err();
    record(&e, &mut texts);
    let kinds: Vec<_> = kinds.into_iter().collect();
    assert_eq!(kinds, ["cancelled", "connection", "decode", "invalid_request", "status", "stream", "timeout"]);
    for t in &texts {
        println!("TEXT {t}");
    }
}

#[test]
fn the_key_never_appears_whole_in_logs_errors_or_formatting() {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["secrets_child", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env("ROUTERKIT_LOG", "debug")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the child failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "the child did not run:\n{stdout}");
    let tail = &KEY[8..];
    for (name, text) in [("stdout", &stdout), ("stderr", &stderr)] {
        for line in text.lines() {
            assert!(!line.contains(tail), "the key leaked into {name}: {line}");
            // Not even a longer prefix than 8 characters.
            assert!(!line.contains(&KEY[..9]), "more than 8 characters of the key in {name}: {line}");
        }
    }
    // The log really was on and saw every kind of event.
    for needle in [
        "DEBUG request POST",
        "authorization: \"Bearer sk-hard-…\"",
        "INFO  response status=400 request_id=req_1",
        "WARN  retry attempt=1 failed (kind=status status=429",
        "retrying in",
        "ERROR call failed after attempt=2: kind=status status=500",
        "kind=connection",
        "kind=timeout",
        "kind=cancelled",
        "ERROR stream error after chunks=1",
        "kind=decode",
        "sk-hard-…",
    ] {
        assert!(stderr.contains(needle), "the log lacks {needle:?}:\n{stderr}");
    }
    // The masked prefix is what shows in the errors.
    assert!(stdout.contains("sk-hard-…"), "{stdout}");
}

#[test]
fn logging_is_off_by_default() {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["secrets_child", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env_remove("ROUTERKIT_LOG")
        .env_remove("OPENAI_LOG")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("routerkit "), "logged although off:\n{stderr}");
}

#[test]
fn openai_log_is_the_fallback_variable() {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["secrets_child", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env_remove("ROUTERKIT_LOG")
        .env("OPENAI_LOG", "info")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("INFO  request POST"), "{stderr}");
    assert!(!stderr.contains("DEBUG"), "info must not show debug lines:\n{stderr}");
}

/// A second mock gateway: another port is another origin.
struct OtherMock {
    url: String,
    _child: Child,
}

fn other_mock() -> OtherMock {
    let exe = std::env::current_exe().unwrap();
    let bin = exe.parent().unwrap().parent().unwrap().join("routerkit-mock");
    let mut child = Command::new(bin)
        .args(["--port", "0", "--exit-on-stdin-close"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    OtherMock { url: line.trim().to_owned(), _child: child }
}

async fn log_of(mock_url: &str, session: &str) -> Vec<serde_json::Value> {
    let url = format!("{mock_url}/__mock/sessions/{session}/requests");
    serde_json::from_slice(&reqwest::get(url).await.unwrap().bytes().await.unwrap()).unwrap()
}

#[tokio::test]
async fn a_redirect_to_another_origin_drops_the_authorization_header() {
    let other = other_mock();
    for status in [307, 308, 302, 301] {
        let s = Session::new(json!([{"status": status, "headers": {"location": format!("{}/v1/chat/completions", other.url)}}]));
        let client = s.client();
        // Whatever the redirected call answers, the second origin must not see the key.
        let _ = client.chat(&request(), &RequestOptions::default()).await;
        let first = s.requests().await;
        assert_eq!(first.len(), 1, "{first:?}");
        assert_eq!(first[0]["headers"]["authorization"], format!("Bearer {TEST_KEY}"));
        let second = log_of(&other.url, &s.id).await;
        assert_eq!(second.len(), 1, "the redirect ({status}) was not followed: {second:?}");
        assert!(second[0]["headers"].get("authorization").is_none(), "{status}: the key crossed origins: {:?}", second[0]["headers"]);
        assert!(!second[0]["headers"].to_string().contains(&TEST_KEY[8..]), "{:?}", second[0]["headers"]);
    }
    // A stream redirected the same way.
    let s = Session::new(json!([{"status": 307, "headers": {"location": format!("{}/v1/chat/completions", other.url)}}]));
    let done = s.client().chat_stream(&request(), &RequestOptions::default()).await.unwrap().collect().await.unwrap();
    assert!(done.choices[0].message.content.as_deref().unwrap().starts_with("Hello from routerkit-mock"));
    let second = log_of(&other.url, &s.id).await;
    assert!(second[0]["headers"].get("authorization").is_none());
}

#[tokio::test]
async fn cr_or_lf_in_key_model_or_header_is_refused_naming_the_field() {
    let s = Session::new(json!([]));
    for bad in ["\r", "\n", "\r\n"] {
        let e = s.builder().api_key(format!("sk-abc{bad}x-injected: 1")).build().unwrap_err();
        assert_eq!((e.kind(), e.field()), (ErrorKind::InvalidRequest, Some("api_key")));
        let e = s.builder().default_header("x-title", format!("a{bad}x-injected: 1")).build().unwrap_err();
        assert_eq!(e.field(), Some("headers"));
        assert!(e.to_string().contains("x-title"), "{e}");
        let e = s.builder().default_header(format!("x-a{bad}b"), "v").build().unwrap_err();
        assert_eq!(e.field(), Some("headers"));
        let client = s.client();
        let opts = RequestOptions { headers: vec![("x-title".into(), format!("a{bad}b"))], ..Default::default() };
        assert_eq!(client.chat(&request(), &opts).await.unwrap_err().field(), Some("headers"));
        let stream_err = client.chat_stream(&request(), &opts).await.unwrap_err();
        assert_eq!(stream_err.field(), Some("headers"));
        let model = ChatCompletionRequest::new(format!("openai/gpt-4.1{bad}x"), vec![ChatMessage::user("x")]);
        let e = client.chat(&model, &RequestOptions::default()).await.unwrap_err();
        assert_eq!(e.field(), Some("model"));
        assert_eq!(e.attempts(), 0);
        let e = client.chat_stream(&model, &RequestOptions::default()).await.unwrap_err();
        assert_eq!(e.field(), Some("model"));
        let embed = EmbeddingRequest { model: format!("m{bad}"), ..parse_request::<EmbeddingRequest>(r#"{"model":"m","input":"x"}"#).unwrap() };
        assert_eq!(client.embeddings_raw(&embed, &RequestOptions::default()).await.unwrap_err().field(), Some("model"));
    }
    assert!(s.requests().await.is_empty(), "nothing may be sent");
}

#[tokio::test]
async fn bad_input_names_the_parameter_before_anything_is_sent() {
    let s = Session::new(json!([]));
    let client = s.client();
    let chat = |body: serde_json::Value| parse_request::<ChatCompletionRequest>(&body.to_string());
    let msgs = json!([{"role": "user", "content": "hi"}]);
    // Wrong types: the parser names the field.
    for (body, field) in [
        (json!({"model": 5, "messages": msgs}), "model"),
        (json!({"model": "m", "messages": "hi"}), "messages"),
        (json!({"model": "m", "messages": msgs, "temperature": "hot"}), "temperature"),
        (json!({"model": "m", "messages": msgs, "max_tokens": -1}), "max_tokens"),
        (json!({"model": "m", "messages": msgs, "max_tokens": 1.5}), "max_tokens"),
        (json!({"model": "m", "messages": msgs, "n": "two"}), "n"),
        (json!({"model": "m", "messages": msgs, "stream": "yes"}), "stream"),
        (json!({"model": "m", "messages": msgs, "tools": {}}), "tools"),
        (json!({"model": "m", "messages": [{"content": "no role"}]}), "messages"),
        // Missing model or messages.
        (json!({"messages": msgs}), "model"),
        (json!({"model": "m"}), "messages"),
    ] {
        let e = chat(body.clone()).unwrap_err();
        assert_eq!((e.kind(), e.field()), (ErrorKind::InvalidRequest, Some(field)), "{body}: {e}");
        assert!(e.to_string().contains(field), "{body}: {e}");
    }
    // Values that parse but cannot be sent.
    for (req, field) in [
        (ChatCompletionRequest::new("", vec![ChatMessage::user("x")]), "model"),
        (ChatCompletionRequest::new("  ", vec![ChatMessage::user("x")]), "model"),
        (ChatCompletionRequest::new("m", vec![]), "messages"),
        (chat(json!({"model": "m", "messages": msgs, "temperature": 1})).map(|mut r| { r.temperature = Some(f64::NAN); r }).unwrap(), "temperature"),
        (chat(json!({"model": "m", "messages": msgs, "n": 0})).unwrap(), "n"),
    ] {
        let e = client.chat(&req, &RequestOptions::default()).await.unwrap_err();
        assert_eq!(e.field(), Some(field), "{e}");
        let e = client.chat_stream(&req, &RequestOptions::default()).await.unwrap_err();
        assert_eq!(e.field(), Some(field), "{e}");
    }
    for body in [json!({"model": "m"}), json!({"model": "m", "input": []}), json!({"model": "m", "input": 5})] {
        let e = match parse_request::<EmbeddingRequest>(&body.to_string()) {
            Ok(req) => client.embeddings_raw(&req, &RequestOptions::default()).await.unwrap_err(),
            Err(e) => e,
        };
        assert_eq!(e.field(), Some("input"), "{body}: {e}");
    }
    // Out-of-range settings, per client and per call.
    for (e, field) in [
        (s.builder().max_retries(101).build().unwrap_err(), "max_retries"),
        (s.builder().max_retries(u32::MAX).build().unwrap_err(), "max_retries"),
        (s.builder().timeout(Duration::ZERO).build().unwrap_err(), "timeout"),
        (s.builder().connect_timeout(Duration::ZERO).build().unwrap_err(), "connect_timeout"),
        (s.builder().deadline(Duration::ZERO).build().unwrap_err(), "deadline"),
        (s.builder().base_url("not a url").build().unwrap_err(), "base_url"),
        (s.builder().api_key("").build().unwrap_err(), "api_key"),
        (s.builder().backoff(Duration::from_secs(2), Duration::from_secs(1)).build().unwrap_err(), "backoff"),
    ] {
        assert_eq!((e.kind(), e.field()), (ErrorKind::InvalidRequest, Some(field)), "{e}");
        assert!(e.to_string().contains(field), "{e}");
    }
    for (opts, field) in [
        (RequestOptions { timeout: Some(Duration::ZERO), ..Default::default() }, "timeout"),
        (RequestOptions { deadline: Some(Duration::ZERO), ..Default::default() }, "deadline"),
    ] {
        assert_eq!(client.chat(&request(), &opts).await.unwrap_err().field(), Some(field));
        assert_eq!(client.chat_stream(&request(), &opts).await.unwrap_err().field(), Some(field));
    }
    let opts = RequestOptions { max_retries: Some(101), ..Default::default() };
    assert_eq!(client.chat(&request(), &opts).await.unwrap_err().field(), Some("max_retries"));
    assert_eq!(client.chat_stream(&request(), &opts).await.unwrap_err().field(), Some("max_retries"));
    assert_eq!(client.list_models(&opts).await.unwrap_err().field(), Some("max_retries"));
    assert!(s.requests().await.is_empty(), "nothing may be sent: {:?}", s.requests().await);
}
