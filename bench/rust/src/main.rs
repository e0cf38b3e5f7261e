//! One benchmark client process (see bench/README.md for the protocol):
//!
//!   routerkit-bench --client routerkit|raw|async-openai --mode stream|seq|concurrent|startup
//!                   --url http://127.0.0.1:PORT [--n N] [--repeat R] [--streams S]
//!   routerkit-bench --client routerkit --mode hedge --url URL --n N --step JSON --session SID
//!                   [--hedge-after-ms H]
//!
//! Prints one JSON line. `raw` is the reference floor: reqwest, split SSE
//! lines, `serde_json::from_slice::<Value>` per event, nothing else. `async-openai` is the
//! Rust SDK a user would pick today (its typed chat stream), the version pinned in Cargo.toml.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use routerkit::types::{ChatCompletionRequest, ChatMessage};
use routerkit::{Client, RequestOptions};
use serde_json::{json, Value};

// The async-openai peer, behind a feature: the workspace's build, tests and clippy (make test)
// would otherwise compile it and its dependencies; bench/run enables it.
#[cfg(feature = "async-openai")]
mod aoa;

/// Streamed deltas take these in turn: consecutive chunks differ, as a model's tokens do.
const PIECES: [&str; 10] = [
    "The", " quick", " brown", " fox", " jumps", " over", " the", " lazy", " dog", ".",
];

fn cpu_s() -> f64 {
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    t(ru.ru_utime) + t(ru.ru_stime)
}

fn rss_kb() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

struct Args {
    client: String,
    mode: String,
    url: String,
    n: usize,
    repeat: usize,
    streams: usize,
    hedge_after_ms: f64,
    step: String,
    session: String,
}

fn args() -> Args {
    let mut a = Args {
        client: "routerkit".into(),
        mode: String::new(),
        url: String::new(),
        n: 1000,
        repeat: 1,
        streams: 200,
        hedge_after_ms: 0.0,
        step: "{}".into(),
        session: "hedge".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut v = || it.next().unwrap_or_else(|| panic!("{k} needs a value"));
        match k.as_str() {
            "--client" => a.client = v(),
            "--mode" => a.mode = v(),
            "--url" => a.url = v(),
            "--n" => a.n = v().parse().expect("--n"),
            "--repeat" => a.repeat = v().parse().expect("--repeat"),
            "--streams" => a.streams = v().parse().expect("--streams"),
            "--hedge-after-ms" => a.hedge_after_ms = v().parse().expect("--hedge-after-ms"),
            "--step" => a.step = v(),
            "--session" => a.session = v(),
            _ => panic!("unknown argument {k}"),
        }
    }
    a
}

/// The mock's next `count` requests (default session) stream `n` one-character deltas.
async fn script(url: &str, count: usize, n: usize) {
    let step = json!({"stream": {"pieces": PIECES, "repeat": n, "usage": null}});
    let steps: Vec<Value> = vec![step; count];
    let r = reqwest::Client::new()
        .post(format!("{url}/__mock/sessions/default/script"))
        .body(serde_json::to_vec(&steps).unwrap())
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "script: {}", r.status());
}

/// What a client under test must do.
trait Bench: Clone + Send + Sync + 'static {
    /// One non-streaming chat call.
    fn chat(&self) -> impl std::future::Future<Output = ()> + Send;
    /// One stream read to the end: (content chunks, time to the first one).
    fn stream(&self) -> impl std::future::Future<Output = (usize, Duration)> + Send;
}

#[derive(Clone)]
struct Rk {
    client: Client,
    req: ChatCompletionRequest,
    sreq: ChatCompletionRequest,
    opts: RequestOptions,
}

impl Rk {
    fn new(url: &str) -> Rk {
        let client = Client::builder()
            .api_key("sk-bench-0123456789")
            .base_url(format!("{url}/v1"))
            .max_retries(0)
            .build()
            .unwrap();
        let req = ChatCompletionRequest::new("m", vec![ChatMessage::user("bench")]);
        let mut sreq = req.clone();
        sreq.stream = Some(true);
        Rk {
            client,
            req,
            sreq,
            opts: RequestOptions::default(),
        }
    }
}

impl Bench for Rk {
    async fn chat(&self) {
        let r = self.client.chat(&self.req, &self.opts).await.unwrap();
        assert!(r.choices[0].message.content.is_some());
    }
    async fn stream(&self) -> (usize, Duration) {
        let t0 = Instant::now();
        let mut first = Duration::ZERO;
        let mut s = self.client.chat_stream(&self.sreq, &self.opts).await.unwrap();
        let mut n = 0;
        while let Some(chunk) = s.next().await.unwrap() {
            if chunk
                .choices
                .first()
                .is_some_and(|c| c.delta.content.as_deref().is_some_and(|t| !t.is_empty()))
            {
                if n == 0 {
                    first = t0.elapsed();
                }
                n += 1;
            }
        }
        (n, first)
    }
}

/// routerkit with the stream read by a spawned task that hands batches over a
/// channel (`--client routerkit-pump`): how a binding whose caller sits on
/// another thread can keep hyper's per-frame hand-offs on the runtime's thread.
#[derive(Clone)]
struct RkPump(Rk);

impl Bench for RkPump {
    async fn chat(&self) {
        self.0.chat().await
    }
    async fn stream(&self) -> (usize, Duration) {
        let t0 = Instant::now();
        let mut first = Duration::ZERO;
        let mut s = self.0.client.chat_stream(&self.0.sreq, &self.0.opts).await.unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::channel(16);
        tokio::spawn(async move {
            loop {
                let b = s.next_batch(4096).await.unwrap();
                let end = b.is_empty();
                if tx.send(b).await.is_err() || end {
                    break;
                }
            }
        });
        let mut n = 0;
        while let Some(batch) = rx.recv().await {
            for raw in batch {
                if raw
                    .chunk
                    .as_ref()
                    .and_then(|c| c.choices.first())
                    .is_some_and(|c| c.delta.content.as_deref().is_some_and(|t| !t.is_empty()))
                {
                    if n == 0 {
                        first = t0.elapsed();
                    }
                    n += 1;
                }
            }
        }
        (n, first)
    }
}

#[derive(Clone)]
struct Raw {
    http: reqwest::Client,
    url: String,
    body: bytes::Bytes,
    sbody: bytes::Bytes,
}

impl Raw {
    fn new(url: &str) -> Raw {
        let http = reqwest::Client::builder().tcp_nodelay(true).build().unwrap();
        let body = json!({"model": "m", "messages": [{"role": "user", "content": "bench"}]});
        let mut sbody = body.clone();
        sbody["stream"] = true.into();
        Raw {
            http,
            url: format!("{url}/v1/chat/completions"),
            body: body.to_string().into(),
            sbody: sbody.to_string().into(),
        }
    }
    fn post(&self, body: &bytes::Bytes) -> reqwest::RequestBuilder {
        self.http
            .post(&self.url)
            .header("authorization", "Bearer sk-bench-0123456789")
            .header("content-type", "application/json")
            .body(body.clone())
    }
}

impl Bench for Raw {
    async fn chat(&self) {
        let b = self.post(&self.body).send().await.unwrap().bytes().await.unwrap();
        let v: Value = serde_json::from_slice(&b).unwrap();
        assert!(v["choices"][0]["message"]["content"].is_string());
    }
    async fn stream(&self) -> (usize, Duration) {
        let t0 = Instant::now();
        let mut first = Duration::ZERO;
        let mut body = self.post(&self.sbody).send().await.unwrap().bytes_stream();
        let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
        let mut n = 0;
        while let Some(b) = body.next().await {
            buf.extend_from_slice(&b.unwrap());
            let mut start = 0;
            while let Some(i) = buf[start..].iter().position(|&c| c == b'\n') {
                let line = &buf[start..start + i];
                start += i + 1;
                if let Some(data) = line.strip_prefix(b"data: ") {
                    if data == b"[DONE]" {
                        continue;
                    }
                    let v: Value = serde_json::from_slice(data).unwrap();
                    if v["choices"][0]["delta"]["content"]
                        .as_str()
                        .is_some_and(|s| !s.is_empty())
                    {
                        if n == 0 {
                            first = t0.elapsed();
                        }
                        n += 1;
                    }
                }
            }
            buf.drain(..start);
        }
        (n, first)
    }
}

async fn run<B: Bench>(b: B, a: &Args) -> Value {
    let t = Instant::now();
    b.chat().await; // warm: connection, lazy state
    match a.mode.as_str() {
        "stream" => {
            script(&a.url, a.repeat, a.n).await;
            let (c0, t0) = (cpu_s(), Instant::now());
            let mut chunks = 0;
            for _ in 0..a.repeat {
                chunks += b.stream().await.0;
            }
            let (wall, cpu) = (t0.elapsed().as_secs_f64(), cpu_s() - c0);
            assert_eq!(chunks, a.n * a.repeat);
            json!({"chunks": chunks, "wall_s": wall, "cpu_s": cpu, "rss_kb": rss_kb()})
        }
        "seq" => {
            let mut lat = Vec::with_capacity(a.n);
            let (c0, t0) = (cpu_s(), Instant::now());
            for _ in 0..a.n {
                let s = Instant::now();
                b.chat().await;
                lat.push(s.elapsed().as_secs_f64() * 1e3);
            }
            let (wall, cpu) = (t0.elapsed().as_secs_f64(), cpu_s() - c0);
            lat.sort_by(f64::total_cmp);
            json!({"requests": a.n, "wall_s": wall, "cpu_s": cpu, "p50_ms": pct(&lat, 0.5), "p99_ms": pct(&lat, 0.99), "rss_kb": rss_kb()})
        }
        "concurrent" => {
            script(&a.url, a.streams, a.n).await;
            let (c0, t0) = (cpu_s(), Instant::now());
            let tasks: Vec<_> = (0..a.streams)
                .map(|_| {
                    tokio::spawn({
                        let b = b.clone();
                        async move { b.stream().await }
                    })
                })
                .collect();
            let mut chunks = 0;
            let mut firsts = Vec::new();
            for t in tasks {
                let (n, f) = t.await.unwrap();
                chunks += n;
                firsts.push(f.as_secs_f64() * 1e3);
            }
            let (wall, cpu) = (t0.elapsed().as_secs_f64(), cpu_s() - c0);
            assert_eq!(chunks, a.n * a.streams);
            firsts.sort_by(f64::total_cmp);
            json!({"chunks": chunks, "wall_s": wall, "cpu_s": cpu, "first_p50_ms": pct(&firsts, 0.5),
                   "first_p99_ms": pct(&firsts, 0.99), "rss_kb": rss_kb()})
        }
        "startup" => json!({"import_ms": t.elapsed().as_secs_f64() * 1e3, "rss_kb": rss_kb()}),
        m => panic!("unknown mode {m}"),
    }
}

/// The hedge benchmark's two-model chain (bench/lib/hedge.py): the mock's step makes `SLOW_MODEL`
/// slow on a fraction of calls; `FAST_MODEL`, the chain's next model, never is.
const SLOW_MODEL: &str = "bench/slow";
const FAST_MODEL: &str = "bench/fast";

/// `--mode hedge`: N sequential streamed calls on the chain, hedged after `--hedge-after-ms` (0: not
/// hedged); the mock's step comes in the x-mock-step header of every request, in a session of its
/// own (its counter picks the slow calls, the same ones in every run).
async fn hedge(a: &Args) -> Value {
    let mut b = Client::builder()
        .api_key("sk-bench-0123456789")
        .base_url(format!("{}/v1", a.url))
        .max_retries(0)
        .fallback_models([FAST_MODEL])
        .default_header("x-mock-step", a.step.clone())
        .default_header("x-mock-session", a.session.clone());
    if a.hedge_after_ms > 0.0 {
        b = b.hedge_after(Duration::from_secs_f64(a.hedge_after_ms / 1e3));
    }
    let client = b.build().unwrap();
    let mut req = ChatCompletionRequest::new(SLOW_MODEL, vec![ChatMessage::user("bench")]);
    req.stream = Some(true);
    let opts = RequestOptions::default();
    let call = || async {
        let t0 = Instant::now();
        let mut first = None;
        let mut s = client.chat_stream(&req, &opts).await.unwrap();
        while let Some(chunk) = s.next().await.unwrap() {
            if first.is_none()
                && chunk
                    .choices
                    .first()
                    .is_some_and(|c| c.delta.content.as_deref().is_some_and(|t| !t.is_empty()))
            {
                first = Some(t0.elapsed().as_secs_f64() * 1e3);
            }
        }
        (first.expect("no content"), s.receipt().hedge)
    };
    call().await; // warm: connection, lazy state (the mock counts it: the same in every run)
    let (mut firsts, mut fired, mut won) = (Vec::with_capacity(a.n), 0, 0);
    let (c0, t0) = (cpu_s(), Instant::now());
    for _ in 0..a.n {
        let (f, h) = call().await;
        firsts.push(f);
        fired += usize::from(h.fired);
        won += usize::from(h.hedge_won);
    }
    json!({"calls": a.n, "wall_s": t0.elapsed().as_secs_f64(), "cpu_s": cpu_s() - c0, "firsts_ms": firsts,
           "hedges_fired": fired, "hedges_won": won, "rss_kb": rss_kb()})
}

#[cfg(feature = "async-openai")]
async fn async_openai_main(a: &Args) -> Value {
    run(aoa::Aoa::new(&a.url), a).await
}

#[cfg(not(feature = "async-openai"))]
async fn async_openai_main(_: &Args) -> Value {
    panic!("--client async-openai: this binary was built without the `async-openai` feature (bench/run builds it with)")
}

#[tokio::main]
async fn main() {
    // The work runs in a spawned task, as in a server: on a worker thread, beside
    // the connection tasks (block_on's own thread would add a thread switch per frame).
    // BENCH_ON_MAIN_THREAD=1 keeps it on block_on's thread instead (what a binding
    // that blocks the caller's thread on the runtime does), for comparison.
    if std::env::var_os("BENCH_ON_MAIN_THREAD").is_some() {
        bench_main().await
    } else {
        tokio::spawn(bench_main()).await.unwrap();
    }
}

async fn bench_main() {
    let a = args();
    let t = Instant::now();
    // Start-up for a compiled client: building the client object (no import step exists).
    let mut out = if a.mode == "startup" {
        let _c = Client::builder()
            .api_key("sk-bench")
            .base_url("http://127.0.0.1:9/v1")
            .build()
            .unwrap();
        json!({"import_ms": t.elapsed().as_secs_f64() * 1e3, "rss_kb": rss_kb()})
    } else if a.mode == "hedge" {
        assert_eq!(a.client, "routerkit", "--mode hedge: only routerkit hedges");
        hedge(&a).await
    } else if a.client == "raw" {
        run(Raw::new(&a.url), &a).await
    } else if a.client == "async-openai" {
        async_openai_main(&a).await
    } else if a.client == "routerkit-pump" {
        run(RkPump(Rk::new(&a.url)), &a).await
    } else {
        run(Rk::new(&a.url), &a).await
    };
    out["client"] = a.client.clone().into();
    out["mode"] = a.mode.clone().into();
    println!("{out}");
}
