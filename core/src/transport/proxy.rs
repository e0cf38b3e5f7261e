//! Proxies the environment names (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`,
//! `NO_PROXY`, as reqwest and Go's and Python's HTTP stacks read them): HTTPS
//! through a `CONNECT` tunnel, plain HTTP to the proxy in absolute form with its
//! credentials in `Proxy-Authorization`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::header;
use http::uri::Scheme;
use http::{Request, Uri};
use http_body_util::Full;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::proxy::matcher::Matcher;
use tower_service::Service;

use super::connect::TcpConnection;
use super::BoxError;

/// The proxies the environment names, if it names any (`NO_PROXY` applies).
pub(super) fn proxies_from_env() -> Option<Matcher> {
    let named = [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ]
    .iter()
    .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()));
    named.then(Matcher::from_env)
}

/// A plain-HTTP request through a proxy carries the proxy's credentials (a tunnel sends them in its CONNECT).
pub(super) fn add_proxy_auth(proxies: Option<&Matcher>, request: &mut Request<Full<Bytes>>) {
    let Some(proxies) = proxies else { return };
    if request.uri().scheme() == Some(&Scheme::HTTP) {
        if let Some(auth) = proxies.intercept(request.uri()).and_then(|p| p.basic_auth().cloned()) {
            request.headers_mut().insert(header::PROXY_AUTHORIZATION, auth);
        }
    }
}

/// Opens a TCP connection to the origin, or to the proxy for it: a tunnel
/// (`CONNECT`) for HTTPS, the proxy itself for plain HTTP (which then gets
/// requests in absolute form).
#[derive(Clone)]
pub(crate) struct ProxyConnector {
    pub(super) http: HttpConnector,
    pub(super) proxies: Option<Arc<Matcher>>,
}

type Connecting = Pin<Box<dyn Future<Output = Result<TcpConnection, BoxError>> + Send>>;

impl Service<Uri> for ProxyConnector {
    type Response = TcpConnection;
    type Error = BoxError;
    type Future = Connecting;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: Uri) -> Connecting {
        let mut http = self.http.clone();
        match self.proxies.as_ref().and_then(|p| p.intercept(&dst)) {
            None => Box::pin(async move {
                Ok(TcpConnection {
                    io: http.call(dst).await?,
                    proxied: false,
                })
            }),
            Some(proxy) if dst.scheme() == Some(&Scheme::HTTPS) => {
                let mut tunnel = Tunnel::new(proxy.uri().clone(), http);
                if let Some(auth) = proxy.basic_auth() {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                Box::pin(async move {
                    Ok(TcpConnection {
                        io: tunnel.call(dst).await?,
                        proxied: false,
                    })
                })
            }
            Some(proxy) => {
                let proxy = proxy.uri().clone();
                Box::pin(async move {
                    Ok(TcpConnection {
                        io: http.call(proxy).await?,
                        proxied: true,
                    })
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use hyper_util::client::legacy::connect::Connection;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::super::connect::http_connector;
    use super::super::testing::{client_config, get, read_all, serve, Reply};
    use super::super::Transport;
    use super::*;

    fn matcher(proxy: &str, no: &str) -> Matcher {
        Matcher::builder().http(proxy).https(proxy).no(no).build()
    }

    #[test]
    fn the_proxys_credentials_go_on_plain_http_requests_only() {
        let proxies = matcher("http://user:secret@127.0.0.1:9", "");
        let mut plain = Request::new(Full::new(Bytes::new()));
        *plain.uri_mut() = "http://gateway.test/v1/models".parse().unwrap();
        add_proxy_auth(Some(&proxies), &mut plain);
        // base64("user:secret")
        assert_eq!(plain.headers()[header::PROXY_AUTHORIZATION], "Basic dXNlcjpzZWNyZXQ=");

        let mut tls = Request::new(Full::new(Bytes::new()));
        *tls.uri_mut() = "https://gateway.test/v1/models".parse().unwrap();
        add_proxy_auth(Some(&proxies), &mut tls);
        assert!(
            !tls.headers().contains_key(header::PROXY_AUTHORIZATION),
            "a tunnel carries them in CONNECT"
        );

        let mut direct = Request::new(Full::new(Bytes::new()));
        *direct.uri_mut() = "http://gateway.test/v1/models".parse().unwrap();
        add_proxy_auth(None, &mut direct);
        assert!(direct.headers().is_empty());
    }

    #[tokio::test]
    async fn plain_http_connects_to_the_proxy_and_says_so() {
        let proxy = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = proxy.local_addr().unwrap().port();
        let mut connector = ProxyConnector {
            http: http_connector(Duration::from_secs(2)),
            proxies: Some(Arc::new(matcher(&format!("http://127.0.0.1:{port}"), ""))),
        };
        let connection = connector
            .call("http://gateway.test/v1/models".parse().unwrap())
            .await
            .unwrap();
        proxy.accept().await.unwrap();
        // `proxied` makes hyper write the request line in absolute form.
        assert!(connection.connected().is_proxied());
    }

    #[tokio::test]
    async fn https_opens_a_connect_tunnel_with_the_proxys_credentials() {
        let proxy = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = proxy.local_addr().unwrap().port();
        let answering = tokio::spawn(async move {
            let (mut socket, _) = proxy.accept().await.unwrap();
            let mut head = Vec::new();
            while !head.ends_with(b"\r\n\r\n") {
                let mut byte = [0u8; 1];
                socket.read_exact(&mut byte).await.unwrap();
                head.push(byte[0]);
            }
            socket
                .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                .await
                .unwrap();
            String::from_utf8(head).unwrap()
        });
        let mut connector = ProxyConnector {
            http: http_connector(Duration::from_secs(2)),
            proxies: Some(Arc::new(matcher(&format!("http://u:p@127.0.0.1:{port}"), ""))),
        };
        let connection = connector
            .call("https://gateway.test:8443/v1/chat".parse().unwrap())
            .await
            .unwrap();
        let head = answering.await.unwrap();
        assert!(head.starts_with("CONNECT gateway.test:8443 HTTP/1.1\r\n"), "{head}");
        assert!(
            head.to_ascii_lowercase()
                .contains("proxy-authorization: basic dtpw\r\n"),
            "{head}"
        );
        // A tunnel is end to end: hyper writes origin-form requests into it.
        assert!(!connection.connected().is_proxied());
    }

    #[tokio::test]
    async fn no_proxy_hosts_are_reached_directly() {
        let server = serve(|_| Reply::ok("{}")).await;
        let mut connector = ProxyConnector {
            http: http_connector(Duration::from_secs(2)),
            // Nothing listens on port 9: going through the proxy would fail.
            proxies: Some(Arc::new(matcher("http://127.0.0.1:9", "127.0.0.1"))),
        };
        let connection = connector.call(server.url.parse().unwrap()).await.unwrap();
        assert!(!connection.connected().is_proxied());
    }

    #[tokio::test]
    async fn a_request_through_a_plain_http_proxy_is_in_absolute_form_with_credentials() {
        // The proxy is a loopback server that records what it was sent and answers itself.
        let proxy = serve(|_| Reply::ok("{\"via\":\"proxy\"}")).await;
        let port = proxy.url.rsplit(':').next().unwrap().to_owned();
        let config = client_config("http://gateway.test", Duration::from_secs(2));
        let transport =
            Transport::with_proxies(&config, Some(matcher(&format!("http://u:p@127.0.0.1:{port}"), ""))).unwrap();
        // A stream too: through a proxy it keeps to the shared pool, which knows the absolute form.
        for stream in [false, true] {
            let response = transport
                .send(&get("http://gateway.test/v1/models", stream))
                .await
                .unwrap();
            assert_eq!(read_all(response.into_body()).await, b"{\"via\":\"proxy\"}");
        }
        for head in proxy.heads() {
            assert!(
                head.starts_with("GET http://gateway.test/v1/models HTTP/1.1\r\n"),
                "{head}"
            );
            assert!(
                head.to_ascii_lowercase()
                    .contains("proxy-authorization: basic dtpw\r\n"),
                "{head}"
            );
        }
        assert_eq!(proxy.heads().len(), 2);
    }
}
