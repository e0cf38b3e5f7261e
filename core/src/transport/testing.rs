//! What the transport's tests share: a loopback HTTP/1 server (a tokio listener
//! that answers each request with the bytes a test gives and records what it was
//! sent) and the requests and configs the tests send with.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::{next_data, Body};
use crate::config::{ClientBuilder, ClientConfig};
use crate::request::PreparedRequest;

pub(super) const KEY: &str = "sk-test-transport-0123456789";

/// A config for `base_url` (plain HTTP allowed to any host: the tests name hosts a proxy serves).
pub(super) fn client_config(base_url: &str, connect_timeout: Duration) -> ClientConfig {
    ClientBuilder::new()
        .api_key(KEY)
        .base_url(base_url)
        .connect_timeout(connect_timeout)
        .allow_insecure_http(true)
        .build_config()
        .unwrap()
}

/// A request as the engine prepares one: the key in `Authorization`, a JSON body if given.
pub(super) fn request(method: Method, url: &str, body: Option<&str>, stream: bool) -> PreparedRequest {
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::AUTHORIZATION,
        HeaderValue::from_str(&format!("Bearer {KEY}")).unwrap(),
    );
    if body.is_some() {
        headers.insert(http::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    PreparedRequest {
        method,
        url: url::Url::parse(url).unwrap(),
        uri: url.parse().unwrap(),
        headers,
        body: body.map(|b| Bytes::copy_from_slice(b.as_bytes())),
        stream,
    }
}

pub(super) fn get(url: &str, stream: bool) -> PreparedRequest {
    request(Method::GET, url, None, stream)
}

/// The whole body, piece by piece as the engine reads it.
pub(super) async fn read_all(mut body: Body) -> Vec<u8> {
    let mut all = Vec::new();
    while let Some(piece) = next_data(&mut body).await.unwrap() {
        all.extend_from_slice(&piece);
    }
    all
}

/// What the server writes for one request, and whether it closes the connection after.
pub(super) struct Reply {
    pub(super) bytes: Vec<u8>,
    pub(super) close: bool,
}

impl Reply {
    /// `200` with a JSON body of known length.
    pub(super) fn ok(body: &str) -> Reply {
        Reply::with_headers(200, "content-type: application/json\r\n", body.as_bytes())
    }

    pub(super) fn redirect(status: u16, location: &str) -> Reply {
        Reply::with_headers(status, &format!("location: {location}\r\n"), b"")
    }

    /// `200` with `headers` (each line ending in CRLF) and `body`, its length said.
    pub(super) fn with_headers(status: u16, headers: &str, body: &[u8]) -> Reply {
        let mut bytes = format!("HTTP/1.1 {status} X\r\n{headers}content-length: {}\r\n\r\n", body.len()).into_bytes();
        bytes.extend_from_slice(body);
        Reply { bytes, close: false }
    }

    /// An event stream in chunked encoding, one chunk per event.
    pub(super) fn events(events: &[&str]) -> Reply {
        let mut bytes =
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
        for event in events {
            bytes.extend_from_slice(format!("{:x}\r\n{event}\r\n", event.len()).as_bytes());
        }
        bytes.extend_from_slice(b"0\r\n\r\n");
        Reply { bytes, close: false }
    }

    /// Exactly `bytes`, then the connection closes.
    pub(super) fn raw_then_close(bytes: &[u8]) -> Reply {
        Reply {
            bytes: bytes.to_vec(),
            close: true,
        }
    }

    pub(super) fn then_close(mut self) -> Reply {
        self.close = true;
        self
    }
}

#[derive(Default)]
struct Log {
    heads: Vec<String>,
    bodies: Vec<Vec<u8>>,
    connections: usize,
}

/// A loopback server; stops with the test's runtime.
pub(super) struct Server {
    /// `http://127.0.0.1:PORT`
    pub(super) url: String,
    log: Arc<Mutex<Log>>,
}

impl Server {
    /// Each request's head (request line and headers), in arrival order.
    pub(super) fn heads(&self) -> Vec<String> {
        self.log.lock().unwrap().heads.clone()
    }

    /// Each request's body, in arrival order.
    pub(super) fn bodies(&self) -> Vec<Vec<u8>> {
        self.log.lock().unwrap().bodies.clone()
    }

    /// Connections accepted so far.
    pub(super) fn connections(&self) -> usize {
        self.log.lock().unwrap().connections
    }
}

/// Serves HTTP/1 on 127.0.0.1: each request, on any connection, is answered with `answer(head)`.
pub(super) async fn serve(answer: impl Fn(&str) -> Reply + Send + Sync + 'static) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let log = Arc::new(Mutex::new(Log::default()));
    let answer = Arc::new(answer);
    let server_log = log.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            server_log.lock().unwrap().connections += 1;
            tokio::spawn(connection(socket, server_log.clone(), answer.clone()));
        }
    });
    Server { url, log }
}

async fn connection(mut socket: TcpStream, log: Arc<Mutex<Log>>, answer: Arc<impl Fn(&str) -> Reply>) {
    let mut buffered = Vec::new();
    loop {
        let head_end = loop {
            if let Some(at) = buffered.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            let mut more = [0u8; 4096];
            match socket.read(&mut more).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffered.extend_from_slice(&more[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buffered[..head_end]).into_owned();
        let length = head
            .lines()
            .filter_map(|line| line.split_once(':'))
            .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
            .map_or(0, |(_, value)| value.trim().parse::<usize>().unwrap());
        while buffered.len() < head_end + length {
            let mut more = [0u8; 4096];
            match socket.read(&mut more).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffered.extend_from_slice(&more[..n]),
            }
        }
        let body = buffered[head_end..head_end + length].to_vec();
        buffered.drain(..head_end + length);
        let reply = answer(&head);
        {
            let mut log = log.lock().unwrap();
            log.heads.push(head);
            log.bodies.push(body);
        }
        if socket.write_all(&reply.bytes).await.is_err() || reply.close {
            return;
        }
    }
}
