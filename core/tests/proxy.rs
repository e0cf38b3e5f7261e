//! Proxies named by the environment, as reqwest (and Go's and Python's HTTP
//! stacks) honour them: plain HTTP goes to the proxy in absolute form with
//! `Proxy-Authorization`, HTTPS goes through a `CONNECT` tunnel (TLS end to end
//! with the gateway), and `NO_PROXY` hosts are reached directly.
//!
//! One test in its own binary: the variables are process-wide and read when a
//! client is built.

mod common;

use std::sync::{Arc, Mutex};

use common::{start_mock, Mock};
use routerkit::{ChatCompletionRequest, ChatMessage, ClientBuilder, RequestOptions};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const KEY: &str = "sk-test-proxy-key-0123456789";
const PROXY_VARS: [&str; 8] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

fn request() -> ChatCompletionRequest {
    ChatCompletionRequest::new("openai/gpt-4.1", vec![ChatMessage::user("through a proxy")])
}

fn set_only(vars: &[(&str, &str)]) {
    for name in PROXY_VARS {
        std::env::remove_var(name);
    }
    for (name, value) in vars {
        std::env::set_var(name, value);
    }
}

async fn log_of(mock_url: &str, sid: &str) -> Vec<Value> {
    let url = format!("{mock_url}/__mock/sessions/{sid}/requests");
    serde_json::from_slice(
        &reqwest::Client::builder()
            .no_proxy()
            .build()
            .unwrap()
            .get(url)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap(),
    )
    .unwrap()
}

/// A `CONNECT` proxy on loopback: records each request head, then pipes bytes both ways.
async fn connect_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = heads.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read(&mut byte).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let target = head.split_whitespace().nth(1).unwrap_or_default().to_owned();
                seen.lock().unwrap().push(head.clone());
                if !head.starts_with("CONNECT ") {
                    let _ = client
                        .write_all(b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n")
                        .await;
                    return;
                }
                let Ok(mut upstream) = TcpStream::connect(&target).await else {
                    return;
                };
                client
                    .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                    .await
                    .unwrap();
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            });
        }
    });
    (format!("http://127.0.0.1:{}", addr.port()), heads)
}

#[tokio::test]
async fn proxies_from_the_environment_are_used_and_no_proxy_is_honoured() {
    let Mock {
        url: mock_url,
        child: _plain,
    } = start_mock(&[]);

    // Plain HTTP: the proxy (here the mock itself) gets the request in absolute form, with credentials.
    let proxy = mock_url.replace("http://", "http://proxyuser:proxypass@");
    set_only(&[("HTTP_PROXY", &proxy)]);
    let sid = "proxy-http";
    let client = ClientBuilder::new()
        .api_key(KEY)
        .base_url("http://gateway.invalid/v1")
        .allow_insecure_http(true)
        .default_header("x-mock-session", sid)
        .build()
        .unwrap();
    let answer = client
        .chat(&request(), &RequestOptions::default())
        .await
        .expect("chat through an HTTP proxy");
    assert_eq!(
        answer.choices[0].message.content.as_deref(),
        Some("Hello from routerkit-mock! You said: through a proxy")
    );
    let seen = log_of(&mock_url, sid).await;
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0]["headers"]["host"], "gateway.invalid");
    // base64("proxyuser:proxypass")
    assert_eq!(
        seen[0]["headers"]["proxy-authorization"],
        "Basic cHJveHl1c2VyOnByb3h5cGFzcw=="
    );
    assert_eq!(seen[0]["headers"]["authorization"], format!("Bearer {KEY}"));

    // NO_PROXY: the same proxy variable, but this host is reached directly.
    set_only(&[("HTTP_PROXY", "http://127.0.0.1:9"), ("NO_PROXY", "127.0.0.1")]);
    let sid = "proxy-bypassed";
    let client = ClientBuilder::new()
        .api_key(KEY)
        .base_url(format!("{mock_url}/v1"))
        .default_header("x-mock-session", sid)
        .build()
        .unwrap();
    client
        .chat(&request(), &RequestOptions::default())
        .await
        .expect("NO_PROXY host reached directly");
    assert!(log_of(&mock_url, sid).await[0]["headers"]
        .get("proxy-authorization")
        .is_none());

    // HTTPS: a CONNECT tunnel to the gateway, TLS inside it, the proxy's credentials only in the CONNECT.
    let ca_path = std::env::temp_dir().join(format!("routerkit-core-proxy-{}.pem", std::process::id()));
    let Mock {
        url: tls_url,
        child: mut tls_child,
    } = start_mock(&["--tls", "--tls-ca-out", ca_path.to_str().unwrap()]);
    let ca_pem = std::fs::read_to_string(&ca_path).unwrap();
    let _ = std::fs::remove_file(&ca_path);
    let (proxy_url, heads) = connect_proxy().await;
    set_only(&[("HTTPS_PROXY", &proxy_url.replace("http://", "http://tunnel:secret@"))]);
    let client = ClientBuilder::new()
        .api_key(KEY)
        .base_url(format!("{tls_url}/v1"))
        .tls_ca_cert(&ca_pem)
        .build()
        .unwrap();
    let answer = client
        .chat(&request(), &RequestOptions::default())
        .await
        .expect("chat through a CONNECT tunnel");
    assert_eq!(
        answer.choices[0].message.content.as_deref(),
        Some("Hello from routerkit-mock! You said: through a proxy")
    );
    let mut stream = client
        .chat_stream(&request(), &RequestOptions::default())
        .await
        .expect("stream through the tunnel");
    while stream.next().await.expect("stream event").is_some() {}
    let heads = heads.lock().unwrap().clone();
    let authority = tls_url.trim_start_matches("https://");
    assert!(
        !heads.is_empty() && heads.iter().all(|h| h.starts_with(&format!("CONNECT {authority} "))),
        "{heads:?}"
    );
    // base64("tunnel:secret"); the API key never reaches the proxy in clear.
    assert!(
        heads[0]
            .to_ascii_lowercase()
            .contains("proxy-authorization: basic dhvubmvsonnly3jlda=="),
        "{heads:?}"
    );
    assert!(heads.iter().all(|h| !h.contains(KEY)), "{heads:?}");

    set_only(&[]);
    let _ = tls_child.kill();
    let _ = tls_child.wait();
}
