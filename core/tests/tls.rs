//! TLS against the mock gateway run with `--tls`: a trusted extra CA works
//! (chat and stream), an unknown CA and a certificate for the wrong name are
//! refused with a connection error that says it is a certificate problem, and
//! a plain `http://` base URL to a non-loopback host is refused at construction
//! unless allowed.

mod common;

use std::path::PathBuf;
use std::process::Child;

use common::{start_mock, Mock};

use routerkit::{ChatCompletionRequest, ChatMessage, Client, ClientBuilder, ErrorKind, RequestOptions};

const KEY: &str = "sk-test-tls-key-0123456789";

/// A mock started with `--tls --tls-ca-out` (and more arguments); killed on drop.
struct TlsMock {
    /// `https://127.0.0.1:PORT`
    url: String,
    port: u16,
    ca_path: PathBuf,
    ca_pem: String,
    child: Child,
}

impl Drop for TlsMock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.ca_path);
    }
}

fn start_tls_mock(tag: &str, extra: &[&str]) -> TlsMock {
    let ca_path = std::env::temp_dir().join(format!("routerkit-core-tls-{}-{tag}.pem", std::process::id()));
    let mut args = vec!["--tls", "--tls-ca-out", ca_path.to_str().unwrap()];
    args.extend_from_slice(extra);
    let Mock { url, child } = start_mock(&args);
    assert!(url.starts_with("https://127.0.0.1:"), "first line {url:?}");
    let port = url.rsplit(':').next().unwrap().parse().unwrap();
    let ca_pem = std::fs::read_to_string(&ca_path).unwrap();
    TlsMock {
        url,
        port,
        ca_path,
        ca_pem,
        child,
    }
}

fn request(text: &str) -> ChatCompletionRequest {
    ChatCompletionRequest::new("openai/gpt-4.1", vec![ChatMessage::user(text)])
}

fn no_retries() -> RequestOptions {
    RequestOptions {
        max_retries: Some(0),
        ..Default::default()
    }
}

async fn chat_and_stream_work(client: &Client) {
    let r = client
        .chat(&request("over tls"), &RequestOptions::default())
        .await
        .expect("chat over TLS");
    assert_eq!(
        r.choices[0].message.content.as_deref(),
        Some("Hello from routerkit-mock! You said: over tls")
    );
    let mut stream = client
        .chat_stream(&request("stream me"), &RequestOptions::default())
        .await
        .expect("stream over TLS");
    let mut chunks = 0;
    loop {
        let batch = stream.next_batch(64).await.expect("stream chunk");
        if batch.is_empty() {
            break;
        }
        chunks += batch.len();
    }
    assert!(chunks > 3, "{chunks} chunks");
    let done = stream.into_completion();
    assert_eq!(
        done.choices[0].message.content.as_deref(),
        Some("Hello from routerkit-mock! You said: stream me")
    );
}

#[tokio::test]
async fn trusted_ca_file_chat_and_stream_work() {
    let m = start_tls_mock("trusted-file", &[]);
    // The certificate is for localhost, 127.0.0.1 and ::1.
    for base in [format!("https://localhost:{}/v1", m.port), format!("{}/v1", m.url)] {
        let client = ClientBuilder::new()
            .api_key(KEY)
            .base_url(&base)
            .add_root_certificate_file(&m.ca_path)
            .build()
            .unwrap();
        chat_and_stream_work(&client).await;
    }
}

#[tokio::test]
async fn http2_is_used_when_the_gateway_offers_it() {
    let m = start_tls_mock("h2", &["--tls-h2"]);
    let client = ClientBuilder::new()
        .api_key(KEY)
        .base_url(format!("{}/v1", m.url))
        .tls_ca_cert(&m.ca_pem)
        .build()
        .unwrap();
    chat_and_stream_work(&client).await;
    // A stream dropped after its first chunk resets its HTTP/2 stream; the connection serves on.
    let mut stream = client
        .chat_stream(&request("dropped"), &RequestOptions::default())
        .await
        .unwrap();
    assert!(!stream.next_batch(1).await.unwrap().is_empty());
    drop(stream);
    chat_and_stream_work(&client).await;
    let log = client
        .send(
            routerkit::Method::GET,
            "../__mock/sessions/default/requests",
            None,
            &RequestOptions::default(),
        )
        .await
        .unwrap();
    let log: Vec<serde_json::Value> = serde_json::from_slice(&log.data).unwrap();
    assert_eq!(log.len(), 5, "{log:?}");
    assert!(log.iter().all(|r| r["version"] == "HTTP/2.0"), "{log:?}");
}

#[tokio::test]
async fn trusted_ca_pem_and_env_bundle_work() {
    let m = start_tls_mock("trusted-pem", &[]);
    let base = format!("{}/v1", m.url);
    let client = ClientBuilder::new()
        .api_key(KEY)
        .base_url(&base)
        .add_root_certificate_pem(&m.ca_pem)
        .build()
        .unwrap();
    chat_and_stream_work(&client).await;
    // tls_ca_cert: PEM text or a path.
    let client = ClientBuilder::new()
        .api_key(KEY)
        .base_url(&base)
        .tls_ca_cert(&m.ca_pem)
        .build()
        .unwrap();
    chat_and_stream_work(&client).await;
    // ROUTERKIT_CA_BUNDLE, read with the other environment settings by from_env().
    // (No other test in this binary calls from_env, so setting it here is safe.)
    std::env::set_var(routerkit::config::CA_BUNDLE_ENV, &m.ca_path);
    let client = ClientBuilder::new().from_env().api_key(KEY).base_url(&base).build();
    std::env::remove_var(routerkit::config::CA_BUNDLE_ENV);
    let client = client.unwrap();
    assert_eq!(client.config().extra_root_certificates.len(), 1);
    chat_and_stream_work(&client).await;
}

#[tokio::test]
async fn unknown_ca_is_refused_with_a_certificate_error() {
    let m = start_tls_mock("unknown-ca", &[]);
    let client = ClientBuilder::new()
        .api_key(KEY)
        .base_url(format!("{}/v1", m.url))
        .build()
        .unwrap();
    let e = client.chat(&request("hi"), &no_retries()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection, "{e:?}");
    let msg = e.to_string();
    assert!(msg.starts_with("TLS certificate verification failed"), "{msg}");
    assert!(msg.contains("not trusted") && msg.contains("tls_ca_cert"), "{msg}");
    assert!(msg.contains("UnknownIssuer"), "rustls's detail is kept: {msg}");
    assert!(!msg.contains(KEY));
    let e = client.chat_stream(&request("hi"), &no_retries()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection);
    assert!(e.to_string().starts_with("TLS certificate verification failed"), "{e}");

    // A CA that is not the server's (another run's) is no better.
    let other = start_tls_mock("unknown-ca-other", &[]);
    let client = ClientBuilder::new()
        .api_key(KEY)
        .base_url(format!("{}/v1", m.url))
        .add_root_certificate_pem(&other.ca_pem)
        .build()
        .unwrap();
    let e = client.chat(&request("hi"), &no_retries()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection);
    assert!(e.to_string().starts_with("TLS certificate verification failed"), "{e}");
}

#[tokio::test]
async fn certificate_for_another_name_is_refused() {
    let m = start_tls_mock("wrong-name", &["--tls-name", "gateway.test"]);
    for base in [format!("https://localhost:{}/v1", m.port), format!("{}/v1", m.url)] {
        let client = ClientBuilder::new()
            .api_key(KEY)
            .base_url(&base)
            .add_root_certificate_file(&m.ca_path)
            .build()
            .unwrap();
        let e = client.chat(&request("hi"), &no_retries()).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connection, "{e:?}");
        let msg = e.to_string();
        assert!(msg.starts_with("TLS certificate verification failed"), "{msg}");
        assert!(msg.contains("not issued for this host name"), "{msg}");
        let e = client.chat_stream(&request("hi"), &no_retries()).await.unwrap_err();
        assert!(e.to_string().contains("not issued for this host name"), "{e}");
    }
}

#[test]
fn plain_http_to_a_non_loopback_host_is_refused_unless_allowed() {
    for bad in [
        "http://example.invalid/v1",
        "http://192.0.2.10:8080/v1",
        "http://gateway.internal/v1",
    ] {
        let e = ClientBuilder::new().api_key(KEY).base_url(bad).build().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRequest);
        assert_eq!(e.field(), Some("base_url"), "{bad}");
        assert!(e.to_string().contains("allow_insecure_http"), "{e}");
        // Opting in builds the client (no request is sent here).
        ClientBuilder::new()
            .api_key(KEY)
            .base_url(bad)
            .allow_insecure_http(true)
            .build()
            .unwrap();
    }
    for ok in [
        "http://127.0.0.1:1/v1",
        "http://localhost:1/v1",
        "http://[::1]:1/v1",
        "https://example.invalid/v1",
    ] {
        ClientBuilder::new()
            .api_key(KEY)
            .base_url(ok)
            .build()
            .unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
}

#[test]
fn a_bad_ca_option_names_tls_ca_cert() {
    let e = ClientBuilder::new()
        .api_key(KEY)
        .add_root_certificate_file("/nonexistent/ca.pem")
        .build()
        .unwrap_err();
    assert_eq!(e.field(), Some("tls_ca_cert"));
    let e = ClientBuilder::new()
        .api_key(KEY)
        .add_root_certificate_pem("hello")
        .build()
        .unwrap_err();
    assert_eq!(e.field(), Some("tls_ca_cert"));
}

#[tokio::test]
async fn a_tls_handshake_that_never_ends_is_bounded_by_the_connect_timeout() {
    // Accepts the TCP connection, then never answers the ClientHello.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            open.push(socket);
        }
    });
    let client = ClientBuilder::new()
        .api_key(KEY)
        .base_url(format!("https://127.0.0.1:{port}/v1"))
        .connect_timeout(std::time::Duration::from_millis(300))
        .build()
        .unwrap();
    let (req, opts) = (request("hello?"), no_retries());
    let call = client.chat(&req, &opts);
    let e = tokio::time::timeout(std::time::Duration::from_secs(5), call)
        .await
        .expect("the call must end within 5 s")
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(e.to_string().contains("connect timeout"), "{e}");
    held.abort();
}
