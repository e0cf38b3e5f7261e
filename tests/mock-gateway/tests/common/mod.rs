//! Test helpers: spawn the mock binary, and a minimal raw HTTP/1.1 client.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader as TokioBufReader};
use tokio::net::TcpStream;

pub struct Mock {
    child: Child,
    _stdin: ChildStdin,
    /// e.g. `http://127.0.0.1:40123`
    pub url: String,
    /// e.g. `127.0.0.1:40123`
    pub addr: String,
}

impl Mock {
    pub fn start() -> Mock {
        Mock::start_with(&[])
    }

    /// With extra command-line arguments (e.g. `--tls`).
    pub fn start_with(extra: &[&str]) -> Mock {
        let mut child = Command::new(env!("CARGO_BIN_EXE_routerkit-mock"))
            .args(["--port", "0", "--exit-on-stdin-close"])
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn routerkit-mock");
        let stdin = child.stdin.take().unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).expect("read mock url");
        let url = line.trim().to_string();
        assert!(
            url.starts_with("http://127.0.0.1:") || url.starts_with("https://127.0.0.1:"),
            "first line was {url:?}"
        );
        // Keep draining stdout so the mock never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = out.read_to_end(&mut sink);
        });
        let addr = url
            .trim_start_matches("http://")
            .trim_start_matches("https://")
            .to_string();
        Mock {
            child,
            _stdin: stdin,
            url,
            addr,
        }
    }

    pub async fn post_script(&self, sid: &str, script: &Value) -> Response {
        let mut c = Conn::connect(&self.addr).await.unwrap();
        c.send(
            "POST",
            &format!("/__mock/sessions/{sid}/script"),
            &[],
            Some(script.to_string().as_bytes()),
        )
        .await
        .unwrap();
        c.read_response().await.unwrap()
    }

    pub async fn requests(&self, sid: &str) -> Vec<Value> {
        let r = self.get_json(&format!("/__mock/sessions/{sid}/requests")).await;
        r.as_array().unwrap().clone()
    }

    pub async fn get_json(&self, path: &str) -> Value {
        let mut c = Conn::connect(&self.addr).await.unwrap();
        c.send("GET", path, &[], None).await.unwrap();
        let r = c.read_response().await.unwrap();
        serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{path}: {e}: {}", r.text()))
    }

    /// Poll the request log until `pred` holds for request `i` (up to `ms`).
    pub async fn wait_request(&self, sid: &str, i: usize, ms: u64, pred: impl Fn(&Value) -> bool) -> Value {
        let start = std::time::Instant::now();
        loop {
            let reqs = self.requests(sid).await;
            if let Some(r) = reqs.get(i) {
                if pred(r) {
                    return r.clone();
                }
                if start.elapsed() > Duration::from_millis(ms) {
                    panic!("request {i} of session {sid} never matched: {r}");
                }
            } else if start.elapsed() > Duration::from_millis(ms) {
                panic!("session {sid} has no request {i}: {reqs:?}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug, Default)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// Decoded body (chunked framing removed, not gunzipped).
    pub body: Vec<u8>,
    /// Sizes of the HTTP chunks, when chunked.
    pub chunk_sizes: Vec<usize>,
    /// Set when the body ended abnormally (EOF/reset before its end).
    pub body_error: Option<String>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    /// Body with gzip undone if content-encoding says so.
    pub fn decoded(&self) -> Vec<u8> {
        if self.header("content-encoding") == Some("gzip") {
            let mut d = flate2::read::GzDecoder::new(&self.body[..]);
            let mut out = Vec::new();
            d.read_to_end(&mut out).expect("gunzip");
            out
        } else {
            self.body.clone()
        }
    }
}

pub struct Conn {
    r: TokioBufReader<TcpStream>,
    chunked: bool,
    remaining: Option<usize>,
    done: bool,
}

impl Conn {
    pub async fn connect(addr: &str) -> std::io::Result<Conn> {
        let s = TcpStream::connect(addr).await?;
        s.set_nodelay(true)?;
        Ok(Conn {
            r: TokioBufReader::new(s),
            chunked: false,
            remaining: None,
            done: false,
        })
    }

    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> std::io::Result<()> {
        let mut req = format!("{method} {path} HTTP/1.1\r\nhost: localhost\r\n");
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        if let Some(b) = body {
            req.push_str(&format!(
                "content-type: application/json\r\ncontent-length: {}\r\n",
                b.len()
            ));
        }
        req.push_str("\r\n");
        let mut bytes = req.into_bytes();
        if let Some(b) = body {
            bytes.extend_from_slice(b);
        }
        self.r.get_mut().write_all(&bytes).await
    }

    /// Read the status line and headers.
    pub async fn read_head(&mut self) -> std::io::Result<Response> {
        let mut line = String::new();
        if self.r.read_line(&mut line).await? == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "closed before a response",
            ));
        }
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let mut resp = Response {
            status,
            ..Default::default()
        };
        loop {
            let mut h = String::new();
            if self.r.read_line(&mut h).await? == 0 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "closed in headers",
                ));
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            let (k, v) = h.split_once(':').unwrap();
            resp.headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
        self.chunked = resp.header("transfer-encoding").is_some_and(|v| v.contains("chunked"));
        self.remaining = resp.header("content-length").and_then(|v| v.parse().ok());
        self.done = (!self.chunked && self.remaining == Some(0)) || status == 204 || status == 304;
        Ok(resp)
    }

    /// Next piece of the body: for chunked bodies one HTTP chunk; `Ok(None)` at the end.
    pub async fn read_piece(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        if self.done {
            return Ok(None);
        }
        if self.chunked {
            let mut line = String::new();
            if self.r.read_line(&mut line).await? == 0 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "EOF before chunk size",
                ));
            }
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap(), 16)
                .map_err(|_| std::io::Error::other(format!("bad chunk size {line:?}")))?;
            if size == 0 {
                let mut crlf = String::new();
                self.r.read_line(&mut crlf).await?;
                self.done = true;
                return Ok(None);
            }
            let mut buf = vec![0; size + 2];
            self.r.read_exact(&mut buf).await?;
            buf.truncate(size);
            Ok(Some(buf))
        } else if let Some(rem) = self.remaining {
            let mut buf = vec![0; rem];
            self.r.read_exact(&mut buf).await?;
            self.done = true;
            Ok(Some(buf))
        } else {
            let mut buf = vec![0; 8192];
            let n = self.r.read(&mut buf).await?;
            if n == 0 {
                self.done = true;
                return Ok(None);
            }
            buf.truncate(n);
            Ok(Some(buf))
        }
    }

    /// Read a whole response; a broken body is reported in `body_error`.
    pub async fn read_response(&mut self) -> std::io::Result<Response> {
        let mut resp = self.read_head().await?;
        loop {
            match self.read_piece().await {
                Ok(Some(p)) => {
                    if self.chunked {
                        resp.chunk_sizes.push(p.len());
                    }
                    resp.body.extend_from_slice(&p);
                }
                Ok(None) => break,
                Err(e) => {
                    resp.body_error = Some(e.to_string());
                    break;
                }
            }
        }
        Ok(resp)
    }
}

/// One request on a fresh connection.
pub async fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> std::io::Result<Response> {
    let mut c = Conn::connect(addr).await?;
    let b = body.map(|b| b.to_string());
    c.send(method, path, headers, b.as_deref().map(str::as_bytes)).await?;
    c.read_response().await
}

/// Data payloads of an SSE body (WHATWG rules, enough for tests: BOM,
/// CR/LF/CRLF, comments, multi-line data, `event:`/`id:` fields).
pub fn sse_events(body: &[u8]) -> Vec<(Option<String>, String)> {
    let text = String::from_utf8_lossy(body);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = Vec::new();
    let mut data: Option<String> = None;
    let mut event: Option<String> = None;
    for line in text.split('\n') {
        if line.is_empty() {
            if let Some(d) = data.take() {
                out.push((event.take(), d));
            }
            event = None;
            continue;
        }
        if line.starts_with(':') {
            continue;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "data" => match data.as_mut() {
                Some(d) => {
                    d.push('\n');
                    d.push_str(value);
                }
                None => data = Some(value.to_string()),
            },
            "event" => event = Some(value.to_string()),
            _ => {}
        }
    }
    out
}

/// Concatenated `delta.content` (and the chunks) of an SSE chat stream.
pub fn stream_content(body: &[u8]) -> (String, Vec<Value>, bool) {
    let mut content = String::new();
    let mut chunks = Vec::new();
    let mut done = false;
    for (_, d) in sse_events(body) {
        if d == "[DONE]" {
            done = true;
            continue;
        }
        let v: Value = serde_json::from_str(&d).unwrap_or_else(|e| panic!("bad chunk {d:?}: {e}"));
        if let Some(c) = v.pointer("/choices/0/delta/content").and_then(Value::as_str) {
            content.push_str(c);
        }
        chunks.push(v);
    }
    (content, chunks, done)
}
