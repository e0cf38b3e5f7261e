//! `--tls` (test CA, server certificate names, refusals) and the
//! live-connection gauge of `GET /__mock/stats`.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Conn, Mock};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};

/// Polls the stats until `pred` holds (up to 5 s), returning them.
async fn wait_stats(m: &Mock, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
    let start = std::time::Instant::now();
    loop {
        let s = m.get_json("/__mock/stats").await;
        if pred(&s) {
            return s;
        }
        if start.elapsed() > Duration::from_secs(5) {
            panic!("stats never showed {what}: {s}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn stats_gauge_counts_open_and_accepted_connections() {
    let m = Mock::start();
    // The stats request's own connection is the only one open.
    let s = wait_stats(&m, "one open connection", |s| s["open_connections"] == 1).await;
    let accepted0 = s["accepted_connections"].as_u64().unwrap();
    assert_eq!(
        s["live_connections"], s["open_connections"],
        "old name kept as an alias"
    );

    // Three client connections, each used for a request so the mock has surely accepted it.
    let mut conns = Vec::new();
    for _ in 0..3 {
        let mut c = Conn::connect(&m.addr).await.unwrap();
        c.send("GET", "/v1/models", &[], None).await.unwrap();
        assert_eq!(c.read_response().await.unwrap().status, 200);
        conns.push(c);
    }
    let s = wait_stats(&m, "four open connections", |s| s["open_connections"] == 4).await;
    // Every stats request is a new connection too: 3 clients + at least 2 stats requests.
    assert!(s["accepted_connections"].as_u64().unwrap() >= accepted0 + 4, "{s}");
    assert_eq!(s["accepted_connections"], s["total_connections"]);

    // Clients that go away (idle keep-alive connections closed) are no longer counted.
    conns.truncate(1);
    wait_stats(&m, "two open connections", |s| s["open_connections"] == 2).await;
    drop(conns);
    let s = wait_stats(&m, "one open connection", |s| s["open_connections"] == 1).await;
    assert!(
        s["accepted_connections"].as_u64().unwrap() >= accepted0 + 6,
        "accepted only grows: {s}"
    );
}

#[tokio::test]
async fn stats_gauge_counts_a_connection_that_never_sends_a_request() {
    let m = Mock::start();
    wait_stats(&m, "one open connection", |s| s["open_connections"] == 1).await;
    let silent = TcpStream::connect(&m.addr).await.unwrap();
    wait_stats(&m, "the silent connection", |s| s["open_connections"] == 2).await;
    drop(silent);
    wait_stats(&m, "it gone", |s| s["open_connections"] == 1).await;
}

/// A TLS mock and its CA certificate (PEM), read from the file `--tls-ca-out` wrote.
fn start_tls(extra: &[&str], tag: &str) -> (Mock, String) {
    let path = std::env::temp_dir().join(format!("routerkit-mock-ca-{}-{tag}.pem", std::process::id()));
    let path_s = path.to_str().unwrap().to_string();
    let mut args = vec!["--tls", "--tls-ca-out", path_s.as_str()];
    args.extend_from_slice(extra);
    let m = Mock::start_with(&args);
    assert!(m.url.starts_with("https://127.0.0.1:"), "{}", m.url);
    // The file is complete before the URL line is printed.
    let pem = std::fs::read_to_string(&path).expect("CA file written before the URL line");
    let _ = std::fs::remove_file(&path);
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    (m, pem)
}

fn roots(pem: Option<&str>) -> rustls::RootCertStore {
    let mut store = rustls::RootCertStore::empty();
    if let Some(pem) = pem {
        for c in rustls::pki_types::pem::PemObject::pem_slice_iter(pem.as_bytes()) {
            let c: CertificateDer = c.unwrap();
            store.add(c).unwrap();
        }
    }
    store
}

/// One HTTP/1.1 request over TLS (`connection: close`); returns the raw response text.
async fn https_request(
    addr: &str,
    server_name: &str,
    store: rustls::RootCertStore,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> std::io::Result<String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(store)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = TcpStream::connect(addr).await?;
    let name = ServerName::try_from(server_name.to_string()).unwrap();
    let mut tls = connector.connect(name, tcp).await?;
    let mut req = format!("{method} {path} HTTP/1.1\r\nhost: {server_name}\r\nconnection: close\r\n");
    if let Some(b) = body {
        req.push_str(&format!(
            "content-type: application/json\r\ncontent-length: {}\r\n\r\n{b}",
            b.len()
        ));
    } else {
        req.push_str("\r\n");
    }
    tls.write_all(req.as_bytes()).await?;
    let mut out = Vec::new();
    tls.read_to_end(&mut out).await?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

async fn tls_stats(m: &Mock, pem: &str) -> Value {
    let text = https_request(&m.addr, "localhost", roots(Some(pem)), "GET", "/__mock/stats", None)
        .await
        .unwrap();
    let body = text.split("\r\n\r\n").nth(1).unwrap();
    serde_json::from_str(body).unwrap()
}

#[tokio::test]
async fn tls_serves_https_for_localhost_and_loopback_addresses() {
    let (m, pem) = start_tls(&[], "ok");
    for name in ["localhost", "127.0.0.1"] {
        let text = https_request(&m.addr, name, roots(Some(&pem)), "GET", "/v1/models", None)
            .await
            .unwrap();
        assert!(text.starts_with("HTTP/1.1 200"), "{name}: {text}");
        assert!(text.contains("anthropic/claude-opus-4-5"), "{text}");
    }
    // A stream over TLS, the default one derived from the request.
    let body = r#"{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}"#;
    let text = https_request(
        &m.addr,
        "localhost",
        roots(Some(&pem)),
        "POST",
        "/v1/chat/completions",
        Some(body),
    )
    .await
    .unwrap();
    assert!(text.contains("text/event-stream"), "{text}");
    assert!(
        text.contains("chat.completion.chunk") && text.contains("data: [DONE]"),
        "{text}"
    );
    let s = tls_stats(&m, &pem).await;
    assert_eq!(s["tls_handshake_failures"], 0, "{s}");
    assert!(s["accepted_connections"].as_u64().unwrap() >= 4, "{s}");
}

#[tokio::test]
async fn tls_refuses_a_client_that_does_not_trust_the_test_ca() {
    let (m, pem) = start_tls(&[], "unknown-ca");
    let err = https_request(&m.addr, "localhost", roots(None), "GET", "/v1/models", None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("UnknownIssuer"), "{err}");
    // Another run's CA is no good either: each start makes a fresh CA.
    let (_other, other_pem) = start_tls(&[], "other-ca");
    assert_ne!(pem, other_pem);
    let err = https_request(&m.addr, "localhost", roots(Some(&other_pem)), "GET", "/v1/models", None)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("UnknownIssuer") || err.to_string().contains("BadSignature"),
        "{err}"
    );
    let s = tls_stats(&m, &pem).await;
    assert_eq!(s["tls_handshake_failures"], 2, "{s}");
    assert_eq!(s["requests"], 0, "nothing reached the API: {s}");
}

#[tokio::test]
async fn tls_name_issues_the_certificate_for_another_name() {
    let (m, pem) = start_tls(&["--tls-name", "gateway.test"], "name");
    for name in ["localhost", "127.0.0.1"] {
        let err = https_request(&m.addr, name, roots(Some(&pem)), "GET", "/v1/models", None)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("not valid for name"), "{name}: {err}");
    }
    let text = https_request(&m.addr, "gateway.test", roots(Some(&pem)), "GET", "/v1/models", None)
        .await
        .unwrap();
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
}

#[tokio::test]
async fn plain_http_to_a_tls_mock_gets_no_answer() {
    let (m, _pem) = start_tls(&[], "plain");
    let mut c = Conn::connect(&m.addr).await.unwrap();
    c.send("GET", "/v1/models", &[], None).await.unwrap();
    assert!(
        c.read_response().await.is_err(),
        "a TLS mock must not answer plain HTTP"
    );
}
