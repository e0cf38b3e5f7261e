//! The engine's HTTP: hyper's connection pool (HTTP/1.1, or HTTP/2 when TLS
//! negotiates it) over rustls, through the proxy the environment names, with
//! gzip bodies decoded and redirects followed by the engine's rules.
//!
//! hyper-util's client is used directly rather than through reqwest: reqwest's
//! layers (its URL kept as a parsed `Url` and parsed again from the `Uri` twice per
//! request, its redirect and retry services, a header map copied per request)
//! doubled the instructions per request (68k against 35k, callgrind, one
//! request and its body against the mock). What reqwest added that the engine needs
//! is here: proxies from the environment, redirects, gzip, root certificates.

use std::error::Error as StdError;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::{self, HeaderMap};
use http::uri::Scheme;
use http::{Method, Request, StatusCode, Uri};
use http_body::Body as _;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::TcpStream;
use tower_http::decompression::{Decompression, DecompressionBody};
use tower_service::Service;

use crate::config::ClientConfig;
use crate::error::{Error, ErrorKind};
use crate::request::PreparedRequest;

type BoxError = Box<dyn StdError + Send + Sync>;
type Pool = hyper_util::client::legacy::Client<ConnectTimeout<hyper_rustls::HttpsConnector<ProxyConnector>>, Full<Bytes>>;

/// A response body: as received, or gunzipped when the gateway sent `content-encoding: gzip`.
pub type Body = DecompressionBody<Incoming>;
/// A response with its body still to read.
pub type HttpResponse = http::Response<Body>;

/// Redirects followed per attempt (reqwest's and browsers' limit).
const MAX_REDIRECTS: usize = 10;

/// One connection pool and how to reach the gateway. Cheap to clone; clones share the pool.
#[derive(Clone)]
pub(crate) struct Transport {
    pool: Pool,
    /// Set when the environment names a proxy (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`).
    proxies: Option<Arc<Matcher>>,
}

impl Transport {
    pub(crate) fn new(config: &ClientConfig) -> Result<Transport, Error> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(config.connect_timeout));
        http.set_keepalive(Some(Duration::from_secs(15)));
        let proxies = proxies_from_env().map(Arc::new);
        let tls = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls_config(config)?)
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(ProxyConnector { http, proxies: proxies.clone() });
        let connector = ConnectTimeout { inner: tls, timeout: config.connect_timeout };
        let pool = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .build(connector);
        Ok(Transport { pool, proxies })
    }

    /// Sends `prepared` and follows redirects; returns the first response that is not one.
    pub(crate) async fn send(&self, prepared: &PreparedRequest) -> Result<HttpResponse, Error> {
        let mut method = prepared.method.clone();
        let mut uri = prepared.uri.clone();
        let mut body = prepared.body.clone();
        // Copied from `prepared` only when a redirect changes them: a call without redirects copies its headers once.
        let mut redirected_headers: Option<HeaderMap> = None;
        let mut url = None;
        for _ in 0..=MAX_REDIRECTS {
            let mut request = Request::new(Full::new(body.clone().unwrap_or_default()));
            *request.method_mut() = method.clone();
            *request.uri_mut() = uri.clone();
            *request.headers_mut() = redirected_headers.as_ref().unwrap_or(&prepared.headers).clone();
            self.add_proxy_auth(&mut request);
            let response = Decompression::new(&self.pool).call(request).await.map_err(transport_error)?;
            let Some(location) = redirect_location(&response) else {
                return Ok(response);
            };
            // Only here is the URL parsed: to resolve a relative location and compare origins.
            let from = url.take().unwrap_or_else(|| prepared.url.clone());
            let to = from.join(&location).map_err(|e| redirect_error(format!("its location {location:?} does not parse: {e}")))?;
            if !matches!(to.scheme(), "http" | "https") {
                return Err(redirect_error(format!("to {:?}, which is not HTTP", to.scheme())));
            }
            let headers = redirected_headers.get_or_insert_with(|| prepared.headers.clone());
            if from.origin() != to.origin() {
                // The key (and anything like it) never goes to another origin.
                for name in [header::AUTHORIZATION, header::COOKIE, header::PROXY_AUTHORIZATION, header::WWW_AUTHENTICATE] {
                    headers.remove(name);
                }
            }
            let status = response.status();
            if status == StatusCode::SEE_OTHER || (matches!(status, StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND) && method == Method::POST) {
                // As browsers (and reqwest) do: the next request is a GET without the body.
                method = Method::GET;
                body = None;
                for name in [header::CONTENT_TYPE, header::CONTENT_LENGTH, header::CONTENT_ENCODING, header::TRANSFER_ENCODING] {
                    headers.remove(name);
                }
            }
            uri = Uri::try_from(to.as_str()).map_err(|e| redirect_error(format!("to {:?}: {e}", to.as_str())))?;
            url = Some(to);
        }
        Err(redirect_error(format!("more than {MAX_REDIRECTS} in a row")))
    }

    /// A plain-HTTP request through a proxy carries the proxy's credentials (a tunnel sends them in its CONNECT).
    fn add_proxy_auth(&self, request: &mut Request<Full<Bytes>>) {
        let Some(proxies) = &self.proxies else { return };
        if request.uri().scheme() == Some(&Scheme::HTTP) {
            if let Some(auth) = proxies.intercept(request.uri()).and_then(|p| p.basic_auth().cloned()) {
                request.headers_mut().insert(header::PROXY_AUTHORIZATION, auth);
            }
        }
    }
}

/// The next piece of a body (trailers skipped); `None` at its end.
pub(crate) async fn next_data(body: &mut Body) -> Result<Option<Bytes>, Error> {
    loop {
        match body.frame().await {
            None => return Ok(None),
            Some(Err(e)) => return Err(transport_error(e)),
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    return Ok(Some(data));
                }
            }
        }
    }
}

/// The body's length when the response said it (and it is not being decompressed).
pub(crate) fn exact_length(body: &Body) -> Option<u64> {
    body.size_hint().exact()
}

fn redirect_location(response: &HttpResponse) -> Option<String> {
    let status = response.status();
    if !matches!(
        status,
        StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND | StatusCode::SEE_OTHER | StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT
    ) {
        return None;
    }
    response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

fn redirect_error(what: String) -> Error {
    Error::new(ErrorKind::Connection, format!("redirect not followed: {what}"))
}

/// Maps a transport failure to a kind, keeping its causes in the message.
pub(crate) fn transport_error(e: impl Into<BoxError>) -> Error {
    let e: BoxError = e.into();
    let connect = e.downcast_ref::<hyper_util::client::legacy::Error>().is_some_and(|e| e.is_connect());
    let mut timed_out = false;
    let mut message = if connect { "connection failed".to_owned() } else { "connection error".to_owned() };
    let mut source: Option<&(dyn StdError + 'static)> = Some(&*e);
    while let Some(s) = source {
        timed_out |= s.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == io::ErrorKind::TimedOut);
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    if let Some(tls) = crate::config::describe_certificate_failure(&message) {
        message = format!("{tls} ({message})");
    }
    Error::new(if timed_out { ErrorKind::Timeout } else { ErrorKind::Connection }, message)
}

/// The built-in (webpki) roots plus the configured extra CAs; ring, as the mock gateway uses.
fn tls_config(config: &ClientConfig) -> Result<rustls::ClientConfig, Error> {
    let mut roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    for cert in &config.extra_root_certificates {
        roots
            .add(rustls_pki_types::CertificateDer::from(cert.der().to_vec()))
            .map_err(|e| Error::invalid("tls_ca_cert", format!("a CA certificate is not usable: {e}")))?;
    }
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::new(ErrorKind::InvalidRequest, format!("could not set up TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tls)
}

/// The proxies the environment names, if it names any (`NO_PROXY` applies).
fn proxies_from_env() -> Option<Matcher> {
    let named = ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()));
    named.then(Matcher::from_env)
}

/// Bounds a whole connection set-up by the connect timeout: TCP (which
/// `HttpConnector` bounds alone), the proxy's tunnel and the TLS handshake, so a
/// server that accepts and then says nothing cannot hold a call for the idle timeout.
#[derive(Clone)]
pub(crate) struct ConnectTimeout<C> {
    inner: C,
    timeout: Duration,
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
                Err(_) => Err(io::Error::new(io::ErrorKind::TimedOut, format!("no connection within the connect timeout ({timeout:?})")).into()),
            }
        })
    }
}

/// Opens a TCP connection to the origin, or to the proxy for it: a tunnel
/// (`CONNECT`) for HTTPS, the proxy itself for plain HTTP (which then gets
/// requests in absolute form).
#[derive(Clone)]
pub(crate) struct ProxyConnector {
    http: HttpConnector,
    proxies: Option<Arc<Matcher>>,
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
            None => Box::pin(async move { Ok(TcpConnection { io: http.call(dst).await?, proxied: false }) }),
            Some(proxy) if dst.scheme() == Some(&Scheme::HTTPS) => {
                let mut tunnel = Tunnel::new(proxy.uri().clone(), http);
                if let Some(auth) = proxy.basic_auth() {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                Box::pin(async move { Ok(TcpConnection { io: tunnel.call(dst).await?, proxied: false }) })
            }
            Some(proxy) => {
                let proxy = proxy.uri().clone();
                Box::pin(async move { Ok(TcpConnection { io: http.call(proxy).await?, proxied: true }) })
            }
        }
    }
}

/// A TCP connection, and whether it goes to a plain-HTTP proxy.
pub(crate) struct TcpConnection {
    io: TokioIo<TcpStream>,
    proxied: bool,
}

impl Connection for TcpConnection {
    fn connected(&self) -> Connected {
        self.io.connected().proxy(self.proxied)
    }
}

impl hyper::rt::Read for TcpConnection {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: hyper::rt::ReadBufCursor<'_>) -> Poll<io::Result<()>> {
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

    fn poll_write_vectored(mut self: Pin<&mut Self>, cx: &mut Context<'_>, bufs: &[io::IoSlice<'_>]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }
}
