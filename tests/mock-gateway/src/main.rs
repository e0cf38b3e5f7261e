//! routerkit-mock: a loopback mock of an OpenAI-compatible AI gateway with
//! scripted faults. See README.md beside Cargo.toml.

mod api;
mod body;
mod responses;
mod sse;
mod state;
mod step;
mod tls;

use std::io::Write as _;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_ENCODING, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use api::ChatCtx;
use body::{AbortError, MockBody, ResetFlag};
use state::{Outcome, State};
use step::{Split, Step};

const USAGE: &str = "\
usage: routerkit-mock [--port N] [--host 127.0.0.1] [--exit-on-stdin-close]
                      [--tls] [--tls-ca-out PATH] [--tls-name NAME]...

A mock OpenAI-compatible gateway. Prints its URL (http://HOST:PORT, or
https://HOST:PORT with --tls) as the first line of stdout. Use base URL
URL/v1 in clients.
  --port N                 port to listen on (default 0: pick a free one)
  --host H                 address to bind (default 127.0.0.1)
  --exit-on-stdin-close    exit when standard input is closed (for test suites)
  --tls                    serve HTTPS with a throw-away test CA made at start-up
  --tls-ca-out PATH        write that CA's certificate (PEM) to PATH before the
                           URL line is printed (implies --tls)
  --tls-h2                 also offer HTTP/2 (ALPN h2) over TLS (implies --tls)
  --tls-name NAME          issue the server certificate for NAME (a DNS name or
                           an IP address) instead of localhost, 127.0.0.1 and ::1;
                           repeatable (implies --tls)";

/// `--tls` settings.
#[derive(Default)]
struct TlsOpts {
    enabled: bool,
    h2: bool,
    ca_out: Option<String>,
    names: Vec<String>,
}

fn main() {
    let mut port: u16 = 0;
    let mut host = "127.0.0.1".to_string();
    let mut exit_on_stdin_close = false;
    let mut tls_opts = TlsOpts::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let mut value = |name: &str| {
            inline.clone().or_else(|| args.next()).unwrap_or_else(|| {
                eprintln!("routerkit-mock: {name} needs a value\n{USAGE}");
                std::process::exit(2)
            })
        };
        match flag.as_str() {
            "--port" => {
                port = value("--port").parse().unwrap_or_else(|_| {
                    eprintln!("routerkit-mock: --port must be a number 0-65535");
                    std::process::exit(2)
                })
            }
            "--host" => host = value("--host"),
            "--exit-on-stdin-close" => exit_on_stdin_close = true,
            "--tls" => tls_opts.enabled = true,
            "--tls-h2" => {
                tls_opts.enabled = true;
                tls_opts.h2 = true;
            }
            "--tls-ca-out" => {
                tls_opts.enabled = true;
                tls_opts.ca_out = Some(value("--tls-ca-out"));
            }
            "--tls-name" => {
                tls_opts.enabled = true;
                tls_opts.names.push(value("--tls-name"));
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return;
            }
            other => {
                eprintln!("routerkit-mock: unknown argument {other}\n{USAGE}");
                std::process::exit(2);
            }
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let acceptor = if tls_opts.enabled {
        Some(make_acceptor(&tls_opts))
    } else {
        None
    };
    rt.block_on(run(host, port, exit_on_stdin_close, acceptor));
}

/// Makes the test CA and server certificate; writes the CA PEM where asked.
fn make_acceptor(opts: &TlsOpts) -> tokio_rustls::TlsAcceptor {
    let names: Vec<String> = if opts.names.is_empty() {
        tls::DEFAULT_NAMES.iter().map(|s| s.to_string()).collect()
    } else {
        opts.names.clone()
    };
    let pki = tls::make_pki(&names, opts.h2).unwrap_or_else(|e| {
        eprintln!("routerkit-mock: cannot make the test certificates: {e}");
        std::process::exit(1)
    });
    if let Some(path) = &opts.ca_out {
        // Write to a temporary file and rename, so a reader never sees half a PEM.
        let tmp = format!("{path}.tmp{}", std::process::id());
        if let Err(e) = std::fs::write(&tmp, pki.ca_pem.as_bytes()).and_then(|_| std::fs::rename(&tmp, path)) {
            eprintln!("routerkit-mock: cannot write the CA certificate to {path}: {e}");
            std::process::exit(1);
        }
    }
    tokio_rustls::TlsAcceptor::from(pki.server_config)
}

async fn run(host: String, port: u16, exit_on_stdin_close: bool, acceptor: Option<tokio_rustls::TlsAcceptor>) {
    let listener = match TcpListener::bind((host.as_str(), port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("routerkit-mock: cannot listen on {host}:{port}: {e}");
            std::process::exit(1);
        }
    };
    let addr = listener.local_addr().unwrap();
    {
        let mut out = std::io::stdout().lock();
        let scheme = if acceptor.is_some() { "https" } else { "http" };
        let _ = writeln!(out, "{scheme}://{}", fmt_addr(addr));
        let _ = out.flush();
    }
    tokio::spawn(shutdown_on_signal());
    if exit_on_stdin_close {
        tokio::spawn(async {
            use tokio::io::AsyncReadExt;
            let mut stdin = tokio::io::stdin();
            let mut buf = [0u8; 256];
            loop {
                match stdin.read(&mut buf).await {
                    Ok(0) | Err(_) => std::process::exit(0),
                    Ok(_) => {}
                }
            }
        });
    }
    let state = State::new();
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("routerkit-mock: accept: {e}");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        tokio::spawn(serve_connection(state.clone(), stream, acceptor.clone()));
    }
}

fn fmt_addr(a: SocketAddr) -> String {
    match a {
        SocketAddr::V4(v) => format!("{}:{}", v.ip(), v.port()),
        SocketAddr::V6(v) => format!("[{}]:{}", v.ip(), v.port()),
    }
}

async fn shutdown_on_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
        let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler");
        tokio::select! {
            _ = term.recv() => {},
            _ = int.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    std::process::exit(0);
}

/// The TCP stream, closed with RST instead of FIN when a step asked for a reset.
struct ConnIo {
    inner: TcpStream,
    reset: ResetFlag,
}

impl Drop for ConnIo {
    fn drop(&mut self) {
        if self.reset.is_set() {
            let _ = self.inner.set_zero_linger();
        }
    }
}

impl AsyncRead for ConnIo {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for ConnIo {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// Counts a client TCP connection as open from accept until its socket is dropped.
struct LiveGuard(Arc<State>);
impl Drop for LiveGuard {
    fn drop(&mut self) {
        self.0.live_connections.fetch_sub(1, Ordering::SeqCst);
    }
}

/// How long a client may take to finish the TLS handshake.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

async fn serve_connection(state: Arc<State>, stream: TcpStream, acceptor: Option<tokio_rustls::TlsAcceptor>) {
    state.total_connections.fetch_add(1, Ordering::SeqCst);
    state.live_connections.fetch_add(1, Ordering::SeqCst);
    let _live = LiveGuard(state.clone());
    let _ = stream.set_nodelay(true);
    let reset = ResetFlag::default();
    let conn = ConnIo {
        inner: stream,
        reset: reset.clone(),
    };
    let svc = {
        let state = state.clone();
        let reset = reset.clone();
        hyper::service::service_fn(move |req| handle(state.clone(), reset.clone(), req))
    };
    let mut http = hyper::server::conn::http1::Builder::new();
    http.keep_alive(true);
    match acceptor {
        None => {
            let _ = http.serve_connection(hyper_util::rt::TokioIo::new(conn), svc).await;
        }
        Some(acceptor) => match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(conn)).await {
            Ok(Ok(tls)) if tls.get_ref().1.alpn_protocol() == Some(b"h2") => {
                let h2 =
                    hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new()).http2_only();
                let _ = h2.serve_connection(hyper_util::rt::TokioIo::new(tls), svc).await;
            }
            Ok(Ok(tls)) => {
                let _ = http.serve_connection(hyper_util::rt::TokioIo::new(tls), svc).await;
            }
            // A client that refused the certificate (unknown CA, wrong name) ends up here.
            Ok(Err(_)) | Err(_) => {
                state.tls_handshake_failures.fetch_add(1, Ordering::SeqCst);
            }
        },
    }
}

type Resp = Response<MockBody>;

fn json_response(outcome: Arc<Outcome>, status: u16, v: &Value) -> Resp {
    let mut r = Response::new(MockBody::full(outcome, Bytes::from(v.to_string())));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

fn control_response(status: u16, v: Option<&Value>) -> Resp {
    let outcome = Arc::new(Outcome::default());
    match v {
        Some(v) => json_response(outcome, status, v),
        None => {
            let mut r = Response::new(MockBody::full(outcome, Bytes::new()));
            *r.status_mut() = StatusCode::from_u16(status).unwrap();
            r
        }
    }
}

async fn handle(state: Arc<State>, reset: ResetFlag, req: Request<Incoming>) -> Result<Resp, AbortError> {
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return Err(AbortError),
    };
    let path = parts.uri.path().to_string();
    if let Some(rest) = path.strip_prefix("/__mock/") {
        return Ok(control(&state, &parts.method, rest, &body));
    }
    api_request(state, reset, parts, body).await
}

fn control(state: &State, method: &Method, rest: &str, body: &Bytes) -> Resp {
    let segs: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    match (method, segs.as_slice()) {
        (&Method::GET, ["stats"]) => control_response(200, Some(&state.stats_json())),
        (&Method::GET, ["health"]) => control_response(200, Some(&json!({"ok": true}))),
        (&Method::POST, ["sessions", sid, "script"]) | (&Method::PUT, ["sessions", sid, "script"]) => {
            let v: Value = match serde_json::from_slice(body) {
                Ok(v) => v,
                Err(e) => return control_response(400, Some(&json!({"error": format!("script is not JSON: {e}")}))),
            };
            match step::parse_script(&v) {
                Ok(steps) => {
                    let n = steps.len();
                    state.set_script(sid, steps);
                    control_response(200, Some(&json!({"ok": true, "steps": n})))
                }
                Err(e) => control_response(400, Some(&json!({"error": e}))),
            }
        }
        (&Method::GET, ["sessions", sid, "script"]) => {
            control_response(200, Some(&json!({"remaining": state.script_len(sid)})))
        }
        (&Method::GET, ["sessions", sid, "requests"]) => control_response(200, Some(&state.requests_json(sid))),
        (&Method::DELETE, ["sessions", sid]) => {
            state.delete_session(sid);
            control_response(204, None)
        }
        _ => control_response(
            404,
            Some(&json!({"error": format!("no control endpoint {method} /__mock/{rest}")})),
        ),
    }
}

/// Marks the request's outcome as "client disconnected" if the handler's
/// future is dropped before a response exists (e.g. during slow headers).
struct PendingGuard(Option<Arc<Outcome>>);
impl Drop for PendingGuard {
    fn drop(&mut self) {
        if let Some(o) = self.0.take() {
            o.disconnected();
        }
    }
}

fn accepts_gzip(parts: &hyper::http::request::Parts) -> bool {
    parts
        .headers
        .get_all("accept-encoding")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| {
            let mut it = t.split(';');
            let name = it.next().unwrap_or("").trim();
            let q0 = it.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !q0
        })
}

fn gzip_bytes(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

async fn api_request(
    state: Arc<State>,
    reset: ResetFlag,
    parts: hyper::http::request::Parts,
    body: Bytes,
) -> Result<Resp, AbortError> {
    let sid = parts
        .headers
        .get("x-mock-session")
        .and_then(|v| v.to_str().ok())
        .filter(|s| !s.is_empty())
        .unwrap_or("default")
        .to_string();
    let mut headers = serde_json::Map::new();
    for (name, value) in parts.headers.iter() {
        let v = String::from_utf8_lossy(value.as_bytes()).into_owned();
        match headers.get_mut(name.as_str()) {
            Some(Value::String(prev)) => {
                prev.push_str(", ");
                prev.push_str(&v);
            }
            _ => {
                headers.insert(name.as_str().to_string(), Value::String(v));
            }
        }
    }
    let body_text = String::from_utf8_lossy(&body).into_owned();
    let body_json: Option<Value> = serde_json::from_slice(&body).ok();
    let info = json!({
        "method": parts.method.as_str(),
        "version": format!("{:?}", parts.version),
        "path": parts.uri.path(),
        "query": parts.uri.query(),
        "headers": headers,
        "body": body_json,
        "body_text": body_text,
    });

    // A step given by request header takes precedence (the script is not consumed).
    let header_step: Option<Result<Step, String>> = parts.headers.get("x-mock-step").map(|v| {
        let v: Value = serde_json::from_slice(v.as_bytes()).map_err(|e| format!("x-mock-step is not JSON: {e}"))?;
        step::parse_step(&v)
    });
    let (n, scripted, outcome) = state.log_request(&sid, info, header_step.is_none());
    let request_id = format!("req_{n}");
    let mut guard = PendingGuard(Some(outcome.clone()));

    let step = match header_step {
        Some(Ok(s)) => s,
        Some(Err(e)) => {
            guard.0 = None;
            let mut r = json_response(
                outcome,
                400,
                &api::error_body(400, &e, "mock_error", "invalid_mock_step".into()),
            );
            r.headers_mut()
                .insert("x-request-id", HeaderValue::from_str(&request_id).unwrap());
            return Ok(r);
        }
        None => scripted.unwrap_or_default(),
    };

    if let Some(ms) = step.delay_headers_ms {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    if step.reset {
        guard.0 = None;
        reset.set();
        return Err(AbortError);
    }

    let gzip_ok = accepts_gzip(&parts);
    let body_json = serde_json::from_slice::<Value>(&body).ok();
    let req_json = body_json.clone().unwrap_or(Value::Null);
    let path = parts.uri.path();
    let mut ctx = if path == "/v1/completions" {
        ChatCtx::from_completion_request(&req_json, n)
    } else if path == "/v1/responses" {
        responses::ctx_from_request(&req_json, n)
    } else {
        ChatCtx::from_request(&req_json, n)
    };
    ctx.provider.clone_from(&step.provider);
    ctx.cost = step.cost;
    if let Some(id) = &step.generation_id {
        ctx.id.clone_from(id);
    }
    let status = step.status.unwrap_or(200);
    let known = matches!(
        (&parts.method, path),
        (&Method::POST, "/v1/chat/completions")
            | (&Method::POST, "/v1/completions")
            | (&Method::GET, "/v1/models")
            | (&Method::POST, "/v1/embeddings")
            | (&Method::POST, "/v1/moderations")
            | (&Method::POST, "/v1/responses")
    ) || (parts.method == Method::GET && path.starts_with("/v1/models/"));

    let mut resp = if let Some(n) = step.gzip_bomb_bytes {
        let (tx, mb) = MockBody::streaming(outcome.clone());
        tokio::spawn(sse::produce_bomb(tx, ctx, n));
        let mut r = Response::new(mb);
        *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
        r.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        r.headers_mut()
            .insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        r
    } else if let Some(spec) = step.stream.clone() {
        // A bomb does not ask what the client accepts.
        let gz = (spec.gzip && gzip_ok) || spec.gzip_bomb_bytes.is_some();
        // `repeat` (benchmarks): events may share a write, as on a busy server.
        let (tx, mb) = if spec.repeat.is_some() && spec.split.is_none() && !gz {
            MockBody::channel(outcome.clone(), 256)
        } else {
            MockBody::streaming(outcome.clone())
        };
        let split = spec.split.unwrap_or(Split::None);
        let mut spec = spec;
        if spec.content.is_none() && step.content.is_some() {
            spec.content = step.content.clone();
        }
        tokio::spawn(sse::produce(
            sse::Producer {
                tx,
                reset: reset.clone(),
                gzip: gz,
                split,
            },
            spec,
            ctx,
        ));
        let mut r = Response::new(mb);
        *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
        r.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
        r.headers_mut()
            .insert("cache-control", HeaderValue::from_static("no-cache"));
        if gz {
            r.headers_mut()
                .insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        r
    } else {
        let (status, ctype, bytes): (u16, String, Vec<u8>) = if let Some(b) = &step.body {
            (status, "application/json".into(), b.to_string().into_bytes())
        } else if let Some(raw) = &step.body_raw {
            (
                status,
                step.content_type.clone().unwrap_or_else(|| "application/json".into()),
                if step.hex_escapes {
                    sse::unescape_hex(raw)
                } else {
                    raw.clone().into_bytes()
                },
            )
        } else if status >= 400 {
            let reason = StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("error");
            let msg = format!("routerkit-mock: {status} {reason}");
            let typ = match status {
                429 => "rate_limit_error",
                401 => "authentication_error",
                s if s >= 500 => "server_error",
                _ => "invalid_request_error",
            };
            (
                status,
                "application/json".into(),
                api::error_body(status, &msg, typ, status.into())
                    .to_string()
                    .into_bytes(),
            )
        } else if !known {
            let msg = format!("routerkit-mock: no route {} {}", parts.method, path);
            (
                404,
                "application/json".into(),
                api::error_body(404, &msg, "not_found", "not_found".into())
                    .to_string()
                    .into_bytes(),
            )
        } else if body_json.is_none() && parts.method == Method::POST {
            let msg = "routerkit-mock: request body is not valid JSON";
            (
                400,
                "application/json".into(),
                api::error_body(400, msg, "invalid_request_error", "invalid_json".into())
                    .to_string()
                    .into_bytes(),
            )
        } else {
            match path {
                "/v1/models" => (
                    status,
                    "application/json".into(),
                    api::models().to_string().into_bytes(),
                ),
                "/v1/moderations" => match api::moderations(&req_json, n) {
                    Ok(v) => (status, "application/json".into(), v.to_string().into_bytes()),
                    Err(m) => (
                        400,
                        "application/json".into(),
                        api::error_body(400, &m, "invalid_request_error", Value::Null)
                            .to_string()
                            .into_bytes(),
                    ),
                },
                p if p.starts_with("/v1/models/") => {
                    let id = percent_decode(&p["/v1/models/".len()..]);
                    match api::model(&id) {
                        Some(v) => (status, "application/json".into(), v.to_string().into_bytes()),
                        None => (
                            404,
                            "application/json".into(),
                            api::error_body(
                                404,
                                &format!("The model '{id}' does not exist"),
                                "invalid_request_error",
                                "model_not_found".into(),
                            )
                            .to_string()
                            .into_bytes(),
                        ),
                    }
                }
                "/v1/embeddings" => match api::embeddings(&req_json) {
                    Ok(v) => (status, "application/json".into(), v.to_string().into_bytes()),
                    Err(m) => (
                        400,
                        "application/json".into(),
                        api::error_body(400, &m, "invalid_request_error", Value::Null)
                            .to_string()
                            .into_bytes(),
                    ),
                },
                _ => {
                    let wants_stream = req_json.get("stream").and_then(Value::as_bool).unwrap_or(false);
                    let content = step.content.clone().unwrap_or_else(|| ctx.default_content.clone());
                    if wants_stream {
                        // Default stream, derived from the request (a Responses answer decides its own
                        // content: it may be a function call).
                        let spec = step::StreamSpec {
                            content: match ctx.responses {
                                Some(_) => step.content.clone(),
                                None => Some(content),
                            },
                            ..Default::default()
                        };
                        let (tx, mb) = MockBody::streaming(outcome.clone());
                        tokio::spawn(sse::produce(
                            sse::Producer {
                                tx,
                                reset: reset.clone(),
                                gzip: false,
                                split: Split::None,
                            },
                            spec,
                            ctx,
                        ));
                        let mut r = Response::new(mb);
                        *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
                        r.headers_mut()
                            .insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
                        r.headers_mut()
                            .insert("cache-control", HeaderValue::from_static("no-cache"));
                        finish_headers(&mut r, &request_id, &step);
                        guard.0 = None;
                        return Ok(r);
                    }
                    let mut answer = match ctx.responses {
                        Some(_) => responses::response_for(&ctx, step.content.as_deref()),
                        None => api::completion_for(&ctx, &content),
                    };
                    if let Some(n) = step.choices {
                        let one = answer["choices"][0].clone();
                        answer["choices"] = (0..n)
                            .map(|i| {
                                let mut c = one.clone();
                                c["index"] = i.into();
                                c
                            })
                            .collect();
                    }
                    let text = match step.deep_json {
                        Some(depth) => sse::deep_json(&answer, depth),
                        None => answer.to_string(),
                    };
                    (status, "application/json".into(), text.into_bytes())
                }
            }
        };
        let gz = step.gzip && gzip_ok;
        let bytes = if gz { gzip_bytes(&bytes) } else { bytes };
        let mut r = match step.trickle_ms {
            Some(every) => {
                let (tx, mb) = MockBody::streaming(outcome.clone());
                tokio::spawn(sse::produce_trickle(tx, bytes, every));
                Response::new(mb)
            }
            None => Response::new(MockBody::full(outcome.clone(), Bytes::from(bytes))),
        };
        *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let Ok(v) = HeaderValue::from_str(&ctype) {
            r.headers_mut().insert(CONTENT_TYPE, v);
        }
        if gz {
            r.headers_mut()
                .insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        r
    };
    finish_headers(&mut resp, &request_id, &step);
    guard.0 = None;
    Ok(resp)
}

/// `%XX` escapes of a path decoded (an id reaches the mock as the client encoded it).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn finish_headers(r: &mut Resp, request_id: &str, step: &Step) {
    r.headers_mut()
        .insert("x-request-id", HeaderValue::from_str(request_id).unwrap());
    if let Some(id) = step
        .generation_id
        .as_deref()
        .and_then(|v| HeaderValue::from_str(v).ok())
    {
        r.headers_mut().insert("x-generation-id", id);
    }
    for (k, v) in &step.headers {
        let v = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if let (Ok(name), Ok(val)) = (
            hyper::header::HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(&v),
        ) {
            r.headers_mut().insert(name, val);
        }
    }
    for (k, v) in &step.http_date_headers {
        let secs = v.as_f64().unwrap_or(0.0);
        let now = std::time::SystemTime::now();
        let when = if secs >= 0.0 {
            now + Duration::from_secs_f64(secs)
        } else {
            now - Duration::from_secs_f64(-secs)
        };
        let date = httpdate::fmt_http_date(when);
        if let (Ok(name), Ok(val)) = (
            hyper::header::HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(&date),
        ) {
            r.headers_mut().insert(name, val);
        }
    }
}
