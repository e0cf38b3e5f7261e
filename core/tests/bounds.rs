//! Issue 22: every call bounded by default, and what a response may make the client allocate.
//!
//! The memory tests run each in a fresh process (this test binary, that test alone), so that
//! peak RSS (VmHWM) is the test's own. `ROUTERKIT_MEMORY_CHUNKS` sets the long stream's length
//! (default 200,000; `make soak` runs 10,000,000).

mod common;

use std::time::Duration;

use common::Session;
use routerkit::limits::{DEFAULT_DEADLINE, DEFAULT_KEEPALIVE_TIMEOUT, DEFAULT_MAX_BODY_BYTES, MAX_CHOICES};
use routerkit::{ChatCompletionRequest, ChatMessage, Client, ErrorKind, RequestOptions};
use serde_json::json;

fn request() -> ChatCompletionRequest {
    ChatCompletionRequest::new("m", vec![ChatMessage::user("hi")])
}

/// Peak resident set of this process, MiB.
fn peak_rss() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kb: f64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .unwrap();
    kb / 1024.0
}

/// Runs the test `name` again in a fresh process; true when this is that process.
fn in_child(name: &str) -> bool {
    if std::env::var("ROUTERKIT_MEMORY_CHILD").as_deref() == Ok(name) {
        return true;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env("ROUTERKIT_MEMORY_CHILD", name)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for line in text.lines().filter(|l| l.contains("MEMORY")) {
        println!("{line}");
    }
    assert!(out.status.success(), "the child process failed:\n{text}");
    false
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn defaults_bound_every_call() {
    let config = Client::builder().api_key("sk").build_config().unwrap();
    assert_eq!(config.deadline, Some(DEFAULT_DEADLINE));
    assert_eq!(DEFAULT_DEADLINE, Duration::from_secs(3600));
    assert_eq!(config.max_body_bytes, DEFAULT_MAX_BODY_BYTES);
    assert_eq!(
        config.keepalive_timeout, None,
        "resolved per call: the longer of 10 min and timeout"
    );
    assert_eq!(DEFAULT_KEEPALIVE_TIMEOUT, Duration::from_secs(600));
    for (field, build) in [
        (
            "keepalive_timeout",
            Client::builder().api_key("sk").keepalive_timeout(Duration::ZERO),
        ),
        ("max_body_bytes", Client::builder().api_key("sk").max_body_bytes(0)),
    ] {
        assert_eq!(build.build_config().unwrap_err().field(), Some(field));
    }
}

#[test]
fn per_call_keepalive_timeout_overrides_the_client() {
    let s = Session::new(json!([{"stream": {"keepalive_ms": 100}}]));
    let client = s
        .builder()
        .max_retries(0)
        .keepalive_timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let opts = RequestOptions {
        keepalive_timeout: Some(Duration::from_millis(600)),
        ..Default::default()
    };
    let started = std::time::Instant::now();
    let e = runtime().block_on(async {
        let mut stream = client.chat_stream(&request(), &opts).await.unwrap();
        stream.next().await.unwrap_err()
    });
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(e.message().contains("keepalive_timeout"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
}

#[test]
fn a_stream_of_ever_new_choice_indexes_is_bounded() {
    let chunks: Vec<_> = (0..=MAX_CHOICES)
        .map(|i| json!({"choices": [{"index": i, "delta": {"content": "x"}, "finish_reason": null}]}))
        .collect();
    let s = Session::new(json!([{"stream": {"chunks": chunks, "fill": true}}]));
    let client = s.builder().max_retries(0).build().unwrap();
    let (seen, e) = runtime().block_on(async {
        let mut stream = client.chat_stream(&request(), &Default::default()).await.unwrap();
        let mut seen = 0;
        loop {
            match stream.next().await {
                Ok(Some(_)) => seen += 1,
                Ok(None) => panic!("the stream ended after {seen} chunks"),
                Err(e) => return (seen, e),
            }
        }
    });
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert!(e.message().contains("more than 1024 choices"), "{e}");
    assert_eq!(seen, MAX_CHOICES);
}

fn memory_chunks() -> usize {
    std::env::var("ROUTERKIT_MEMORY_CHUNKS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200_000)
}

/// A stream of many tiny chunks keeps its accumulated text (one byte a chunk) and nothing per
/// chunk: peak RSS under a fixed bound plus a small multiple of that text.
#[test]
fn memory_long_stream_peak_rss() {
    if !in_child("memory_long_stream_peak_rss") {
        return;
    }
    let n = memory_chunks();
    let s = Session::new(
        json!([{"stream": {"pieces": ["a", "b", "c", "d"], "repeat": n, "usage": null, "events_per_write": 512}}]),
    );
    let client = s.client();
    let before = peak_rss();
    let (count, len) = runtime().block_on(async {
        let mut stream = client.chat_stream(&request(), &Default::default()).await.unwrap();
        let mut count = 0;
        while stream
            .next_batch(4096)
            .await
            .unwrap()
            .into_iter()
            .map(|_| count += 1)
            .count()
            > 0
        {}
        let done = stream.into_completion();
        (count, done.choices[0].message.content.as_deref().unwrap_or("").len())
    });
    let peak = peak_rss();
    assert_eq!((count, len), (n + 1, n));
    let bound = 40.0 + 3.0 * n as f64 / (1 << 20) as f64;
    println!("MEMORY rust stream chunks={n} rss_before={before:.1}MiB peak={peak:.1}MiB bound={bound:.1}MiB");
    assert!(
        peak < bound,
        "peak RSS {peak:.1} MiB over {n} chunks, bound {bound:.1} MiB"
    );
}

/// A 12 MB body of 1,000 choices: peak RSS grows by at most 4× its size.
#[test]
fn memory_many_choices_body() {
    if !in_child("memory_many_choices_body") {
        return;
    }
    let content = "x".repeat(12_000);
    let s = Session::new(json!([{"choices": 1000, "content": content}]));
    let client = s.client();
    let before = peak_rss();
    let r = runtime()
        .block_on(client.chat(&request(), &Default::default()))
        .unwrap();
    let peak = peak_rss();
    assert_eq!(r.choices.len(), 1000);
    let size = 12.0e6 / (1 << 20) as f64;
    println!(
        "MEMORY rust many_choices body={size:.1}MiB rss_before={before:.1}MiB peak={peak:.1}MiB growth={:.1}x",
        (peak - before) / size
    );
    assert!(peak - before < 4.0 * size, "peak RSS grew {:.1} MiB", peak - before);
}

/// A gzip bomb of 10 GiB, streamed and not, fails naming its bound, peak RSS under 100 MiB.
#[test]
fn memory_gzip_bombs() {
    if !in_child("memory_gzip_bombs") {
        return;
    }
    let s = Session::new(json!([{"gzip_bomb_bytes": 10u64 << 30}, {"stream": {"gzip_bomb_bytes": 10u64 << 30}}]));
    let client = s.builder().max_retries(0).build().unwrap();
    let rt = runtime();
    let e = rt.block_on(client.chat(&request(), &Default::default())).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
    assert!(e.message().contains("max_body_bytes"), "{e}");
    let peak_chat = peak_rss();
    let e = rt.block_on(async {
        let mut stream = client.chat_stream(&request(), &Default::default()).await.unwrap();
        stream.next().await.unwrap_err()
    });
    assert!(e.message().contains("max_event_bytes"), "{e}");
    let peak = peak_rss();
    println!("MEMORY rust bombs peak_after_chat={peak_chat:.1}MiB peak={peak:.1}MiB");
    assert!(peak < 100.0, "peak RSS {peak:.1} MiB");
}
