//! Reaching the gateway: the TCP connector's settings, the bound on a whole
//! connection set-up (TCP, proxy tunnel, TLS) and the connection type the
//! proxy layer hands to TLS.

use std::error::Error as StdError;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use http::Uri;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tower_service::Service;

use super::BoxError;

/// TCP keep-alive probes on every connection: a gateway that vanished (a NAT
/// dropped the flow) is noticed by the kernel, not only by the idle timeout.
const TCP_KEEPALIVE: Duration = Duration::from_secs(15);

/// The TCP connector every connection starts from: any scheme (TLS sits above it),
/// no Nagle delay (requests are small and sent whole), TCP's own connect bounded.
pub(super) fn http_connector(connect_timeout: Duration) -> HttpConnector {
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(Some(connect_timeout));
    http.set_keepalive(Some(TCP_KEEPALIVE));
    http
}

/// Bounds a whole connection set-up by the connect timeout: TCP (which
/// `HttpConnector` bounds alone), the proxy's tunnel and the TLS handshake, so a
/// server that accepts and then says nothing cannot hold a call for the idle timeout.
#[derive(Clone)]
pub(crate) struct ConnectTimeout<C> {
    pub(super) inner: C,
    pub(super) timeout: Duration,
}

impl<C> Service<Uri> for ConnectTimeout<C>
where
    C: Service<Uri>,
    C::Error: Into<BoxError>,
    C::Future: Send + 'static,
{
    type Response = C::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<C::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let connecting = self.inner.call(dst);
        let timeout = self.timeout;
        Box::pin(async move {
            match tokio::time::timeout(timeout, connecting).await {
                Ok(connected) => connected.map_err(Into::into),
                Err(_) => Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("no connection within the connect timeout ({timeout:?})"),
                )
                .into()),
            }
        })
    }
}

/// A failure to set up a stream's own connection, named as the pool names its own
/// (`client error (Connect)`), so that both read alike in errors.
#[derive(Debug)]
pub(super) struct ConnectFailed(BoxError);

impl ConnectFailed {
    pub(super) fn boxed(e: BoxError) -> BoxError {
        Box::new(ConnectFailed(e))
    }
}

impl std::fmt::Display for ConnectFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("client error (Connect)")
    }
}

impl StdError for ConnectFailed {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.0)
    }
}

/// A TCP connection, and whether it goes to a plain-HTTP proxy.
pub(crate) struct TcpConnection {
    pub(super) io: TokioIo<TcpStream>,
    pub(super) proxied: bool,
}

impl Connection for TcpConnection {
    fn connected(&self) -> Connected {
        self.io.connected().proxy(self.proxied)
    }
}

impl hyper::rt::Read for TcpConnection {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for TcpConnection {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::super::testing::{client_config, serve, Reply};
    use super::super::{transport_error, Transport};
    use super::*;
    use crate::error::ErrorKind;

    #[tokio::test]
    async fn the_tcp_connector_reaches_a_loopback_listener_with_nodelay() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut http = http_connector(Duration::from_secs(5));
        let uri: Uri = format!("https://127.0.0.1:{port}/").parse().unwrap();
        // `enforce_http(false)`: an https URI is only TCP to this layer.
        let io = http.call(uri).await.unwrap();
        let (mut accepted, _) = listener.accept().await.unwrap();
        assert!(io.inner().nodelay().unwrap());
        let mut tcp = io.into_inner();
        tcp.write_all(b"ping").await.unwrap();
        let mut got = [0u8; 4];
        accepted.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"ping");
    }

    #[tokio::test]
    async fn a_tls_handshake_that_never_answers_ends_at_the_connect_timeout() {
        // Accepts, reads the ClientHello and says nothing: only the whole-set-up bound ends this.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let silent = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut hello = vec![0u8; 4096];
            let n = socket.read(&mut hello).await.unwrap();
            tokio::time::sleep(Duration::from_secs(10)).await;
            n
        });
        let config = client_config(&format!("https://127.0.0.1:{port}"), Duration::from_millis(300));
        let transport = Transport::new(&config).unwrap();
        let started = Instant::now();
        let e = transport
            .send(&super::super::testing::get(
                &format!("https://127.0.0.1:{port}/v1/models"),
                false,
            ))
            .await
            .err()
            .expect("a silent TLS server cannot answer");
        let took = started.elapsed();
        assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
        assert!(e.message().contains("connect timeout"), "{}", e.message());
        assert!(took < Duration::from_secs(5), "took {took:?}");
        silent.abort();
    }

    #[tokio::test]
    async fn a_refused_stream_connection_reads_as_a_connect_failure() {
        // A port with no listener: the driven path names it as the pool does.
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let url = format!("http://127.0.0.1:{port}");
        let transport = Transport::new(&client_config(&url, Duration::from_secs(2))).unwrap();
        for stream in [false, true] {
            let e = transport
                .send(&super::super::testing::get(&format!("{url}/v1/chat"), stream))
                .await
                .err()
                .expect("nothing listens");
            assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
            assert!(
                e.message().starts_with("connection failed: client error (Connect)"),
                "stream {stream}: {}",
                e.message()
            );
        }
    }

    #[test]
    fn connect_failed_keeps_its_cause_in_the_message() {
        let e = transport_error(ConnectFailed::boxed(Box::new(io::Error::new(
            io::ErrorKind::TimedOut,
            "too slow",
        ))));
        assert_eq!(e.kind(), ErrorKind::Timeout);
        assert_eq!(e.message(), "connection failed: client error (Connect): too slow");
    }

    #[tokio::test]
    async fn a_connection_is_reused_for_the_next_call() {
        let server = serve(|_| Reply::ok("{}")).await;
        let transport = Transport::new(&client_config(&server.url, Duration::from_secs(2))).unwrap();
        for _ in 0..3 {
            let response = transport
                .send(&super::super::testing::get(&format!("{}/v1/models", server.url), false))
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            super::super::testing::read_all(response.into_body()).await;
        }
        assert_eq!(server.connections(), 1);
    }
}
