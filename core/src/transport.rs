//! The engine's HTTP: hyper's connection pool (HTTP/1.1, or HTTP/2 when TLS
//! negotiates it) over rustls, through the proxy the environment names, with
//! gzip bodies decoded and redirects followed by the engine's rules.
//!
//! Streams over HTTP/1 take another way: each drives its own connection (hyper's
//! `client::conn::http1`) from the task that reads it, and hands it to a small pool
//! of its own between streams ([`DrivenPool`]). Through the shared pool, every event
//! of a stream crossed from the connection's task to the reader's (a one-slot
//! channel, two task wake-ups); driven by its reader, a stream reads every event
//! already received in one go. That cut Node's CPU per streamed chunk by about a fifth
//! (alternating runs against openai-node, 6 rounds: 0.229× → 0.185× of its CPU per chunk).
//! HTTP/2 (chosen by TLS) and requests through a proxy keep to the shared pool.
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
type Connector = ConnectTimeout<hyper_rustls::HttpsConnector<ProxyConnector>>;
type Pool = hyper_util::client::legacy::Client<Connector, Full<Bytes>>;
type Io = hyper_rustls::MaybeHttpsStream<TcpConnection>;
type SendRequest = hyper::client::conn::http1::SendRequest<Full<Bytes>>;
type Http1Connection = hyper::client::conn::http1::Connection<Io, Full<Bytes>>;

/// A response body: as received, or gunzipped when the gateway sent `content-encoding: gzip`.
pub type Body = DecompressionBody<EngineBody>;
/// A response with its body still to read.
pub type HttpResponse = http::Response<Body>;

/// Redirects followed per attempt (reqwest's and browsers' limit).
const MAX_REDIRECTS: usize = 10;
/// How long a connection may wait unused in either pool.
const POOL_IDLE: Duration = Duration::from_secs(90);
/// Stream connections kept idle at most, over all origins.
const MAX_IDLE_DRIVEN: usize = 64;

/// One connection pool and how to reach the gateway. Cheap to clone; clones share the pool.
#[derive(Clone)]
pub(crate) struct Transport {
    pool: Pool,
    /// Makes the connections streams drive themselves (the same set-up as the pool's).
    connector: Connector,
    driven: Arc<DrivenPool>,
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
            .wrap_connector(ProxyConnector {
                http,
                proxies: proxies.clone(),
            });
        let connector = ConnectTimeout {
            inner: tls,
            timeout: config.connect_timeout,
        };
        let pool = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            .pool_idle_timeout(POOL_IDLE)
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .build(connector.clone());
        Ok(Transport {
            pool,
            connector,
            driven: Arc::default(),
            proxies,
        })
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
            let route = Route {
                transport: self,
                driven: prepared.stream && self.may_drive(&uri),
            };
            let response = Decompression::new(route).call(request).await.map_err(transport_error)?;
            let Some(location) = redirect_location(&response) else {
                return Ok(response);
            };
            // Only here is the URL parsed: to resolve a relative location and compare origins.
            let from = url.take().unwrap_or_else(|| prepared.url.clone());
            let to = from
                .join(&location)
                .map_err(|e| redirect_error(format!("its location {location:?} does not parse: {e}")))?;
            if !matches!(to.scheme(), "http" | "https") {
                return Err(redirect_error(format!("to {:?}, which is not HTTP", to.scheme())));
            }
            let headers = redirected_headers.get_or_insert_with(|| prepared.headers.clone());
            if from.origin() != to.origin() {
                // The key (and anything like it) never goes to another origin.
                for name in [
                    header::AUTHORIZATION,
                    header::COOKIE,
                    header::PROXY_AUTHORIZATION,
                    header::WWW_AUTHENTICATE,
                ] {
                    headers.remove(name);
                }
            }
            let status = response.status();
            if status == StatusCode::SEE_OTHER
                || (matches!(status, StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND) && method == Method::POST)
            {
                // As browsers (and reqwest) do: the next request is a GET without the body.
                method = Method::GET;
                body = None;
                for name in [
                    header::CONTENT_TYPE,
                    header::CONTENT_LENGTH,
                    header::CONTENT_ENCODING,
                    header::TRANSFER_ENCODING,
                ] {
                    headers.remove(name);
                }
            }
            uri = Uri::try_from(to.as_str()).map_err(|e| redirect_error(format!("to {:?}: {e}", to.as_str())))?;
            url = Some(to);
        }
        Err(redirect_error(format!("more than {MAX_REDIRECTS} in a row")))
    }

    /// Whether a stream to `uri` may drive a connection of its own: not through a proxy
    /// (those keep to the pool, which knows their forms), not to an origin that chose HTTP/2.
    fn may_drive(&self, uri: &Uri) -> bool {
        self.proxies.as_ref().is_none_or(|p| p.intercept(uri).is_none()) && !self.driven.speaks_h2(uri)
    }

    /// Sends a stream's request over a connection it will drive: an idle one, or a new one.
    async fn send_driven(&self, mut request: Request<Full<Bytes>>) -> Result<http::Response<EngineBody>, BoxError> {
        let uri = request.uri().clone();
        let origin = Origin::of(&uri).ok_or("a request without scheme or host")?;
        // What the pool would do for HTTP/1: the path alone on the request line, the host in `Host`.
        let added_host = !request.headers().contains_key(header::HOST);
        if added_host {
            request.headers_mut().insert(header::HOST, host_header(&uri)?);
        }
        *request.uri_mut() = uri.path_and_query().map_or("/", |p| p.as_str()).parse()?;
        if let Some(idle) = self.driven.checkout(&origin).await {
            match send_over(idle, request, &self.driven, &origin).await {
                Ok(response) => return Ok(response),
                // Closed by the gateway while idle, before it took the request: a new connection.
                Err(Unsent::Returned(back)) => request = *back,
                Err(Unsent::Failed(e)) => return Err(e),
            }
        }
        let mut connector = self.connector.clone();
        std::future::poll_fn(|cx| connector.poll_ready(cx))
            .await
            .map_err(ConnectFailed::boxed)?;
        let io = connector.call(uri.clone()).await.map_err(ConnectFailed::boxed)?;
        if io.connected().is_negotiated_h2() {
            // HTTP/2 multiplexes: the pool's connection serves this origin's streams from now on.
            self.driven.mark_h2(origin);
            *request.uri_mut() = uri;
            if added_host {
                request.headers_mut().remove(header::HOST);
            }
            return Ok(self.pool.request(request).await?.map(EngineBody::Pooled));
        }
        let (sender, connection) = hyper::client::conn::http1::handshake(io).await?;
        match send_over(DrivenConnection { sender, connection }, request, &self.driven, &origin).await {
            Ok(response) => Ok(response),
            Err(Unsent::Returned(_)) => Err("the connection closed before the request was sent".into()),
            Err(Unsent::Failed(e)) => Err(e),
        }
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

/// The pool, or a connection of the request's own: the service that decompression wraps.
struct Route<'t> {
    transport: &'t Transport,
    driven: bool,
}

impl<'t> Service<Request<Full<Bytes>>> for Route<'t> {
    type Response = http::Response<EngineBody>;
    type Error = BoxError;
    type Future = RouteFuture<'t>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Full<Bytes>>) -> RouteFuture<'t> {
        if self.driven {
            RouteFuture::Driven(Box::pin(self.transport.send_driven(request)))
        } else {
            RouteFuture::Pooled(self.transport.pool.request(request))
        }
    }
}

/// A response on its way: the pool's future as it is (a call costs nothing more than
/// through the pool alone), or a stream's own connection being set up.
enum RouteFuture<'t> {
    Pooled(hyper_util::client::legacy::ResponseFuture),
    Driven(Pin<Box<dyn Future<Output = Result<http::Response<EngineBody>, BoxError>> + Send + 't>>),
}

impl Future for RouteFuture<'_> {
    type Output = Result<http::Response<EngineBody>, BoxError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.get_mut() {
            RouteFuture::Pooled(response) => Pin::new(response).poll(cx).map(|r| Ok(r?.map(EngineBody::Pooled))),
            RouteFuture::Driven(response) => response.as_mut().poll(cx),
        }
    }
}

/// Where a connection goes: scheme and authority.
#[derive(Clone, PartialEq, Eq)]
struct Origin(Scheme, http::uri::Authority);

impl Origin {
    fn of(uri: &Uri) -> Option<Origin> {
        Some(Origin(uri.scheme()?.clone(), uri.authority()?.clone()))
    }
}

/// `Host` as the pool writes it: the port only when it is not the scheme's own.
fn host_header(uri: &Uri) -> Result<http::HeaderValue, BoxError> {
    let host = uri.host().ok_or("a request without host")?;
    let value = match (uri.port_u16(), uri.scheme_str()) {
        (None, _) | (Some(80), Some("http")) | (Some(443), Some("https")) => http::HeaderValue::from_str(host)?,
        (Some(port), _) => http::HeaderValue::from_str(&format!("{host}:{port}"))?,
    };
    Ok(value)
}

/// An HTTP/1 connection and the handle that sends requests over it.
struct DrivenConnection {
    sender: SendRequest,
    connection: Http1Connection,
}

/// The stream connections that are idle: each driven meanwhile by a task of its own
/// (which notices when the gateway closes it), and handed back by it when a stream
/// to the same origin starts.
#[derive(Default)]
pub(crate) struct DrivenPool {
    idle: std::sync::Mutex<Vec<IdleConnection>>,
    /// Origins whose TLS chose HTTP/2: their streams go through the shared pool.
    h2: std::sync::Mutex<Vec<Origin>>,
}

struct IdleConnection {
    origin: Origin,
    /// Asks the connection's idle task for it; the task answers on the sender given.
    reclaim: tokio::sync::oneshot::Sender<tokio::sync::oneshot::Sender<DrivenConnection>>,
}

impl DrivenPool {
    fn lock<T>(list: &std::sync::Mutex<Vec<T>>) -> std::sync::MutexGuard<'_, Vec<T>> {
        list.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn speaks_h2(&self, uri: &Uri) -> bool {
        let h2 = Self::lock(&self.h2);
        !h2.is_empty() && Origin::of(uri).is_some_and(|origin| h2.contains(&origin))
    }

    fn mark_h2(&self, origin: Origin) {
        let mut h2 = Self::lock(&self.h2);
        if !h2.contains(&origin) {
            h2.push(origin);
        }
    }

    /// The most recently idle connection to `origin` that is still open.
    async fn checkout(&self, origin: &Origin) -> Option<DrivenConnection> {
        loop {
            let idle = {
                let mut idle = Self::lock(&self.idle);
                let at = idle.iter().rposition(|c| &c.origin == origin)?;
                idle.remove(at)
            };
            let (back, returned) = tokio::sync::oneshot::channel();
            if idle.reclaim.send(back).is_ok() {
                if let Ok(connection) = returned.await {
                    return Some(connection);
                }
            }
            // Its task had ended (closed by the gateway, or idle too long): the next one.
        }
    }

    /// Keeps `connection` for the next stream to `origin`, if there is room and a runtime to drive it.
    fn check_in(self: &Arc<Self>, origin: Origin, mut connection: DrivenConnection) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let mut idle = Self::lock(&self.idle);
        // Entries whose task has ended (closed by the gateway, or idle too long) would otherwise
        // stay until a stream to their origin looks, and count against the limit meanwhile.
        idle.retain(|c| !c.reclaim.is_closed());
        if idle.len() >= MAX_IDLE_DRIVEN || connection.sender.is_closed() {
            return;
        }
        let (reclaim, asked) = tokio::sync::oneshot::channel::<tokio::sync::oneshot::Sender<DrivenConnection>>();
        idle.push(IdleConnection { origin, reclaim });
        drop(idle);
        runtime.spawn(async move {
            let mut asked = asked;
            let mut expiry = Box::pin(tokio::time::sleep(POOL_IDLE));
            let handed = std::future::poll_fn(|cx| {
                if let Poll::Ready(asked) = Pin::new(&mut asked).poll(cx) {
                    return Poll::Ready(asked.ok());
                }
                // Closed or failed while idle, or idle too long: dropped (its entry goes at the next check-in or checkout).
                if Pin::new(&mut connection.connection).poll(cx).is_ready() || expiry.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(None);
                }
                Poll::Pending
            })
            .await;
            if let Some(back) = handed {
                let _ = back.send(connection);
            }
        });
    }
}

/// Why a request did not go out over a connection.
enum Unsent {
    /// The connection closed before taking it: the request, to send over another
    /// (boxed: this is the rare path, and it keeps the `Result` of every send small).
    Returned(Box<Request<Full<Bytes>>>),
    Failed(BoxError),
}

/// Polls `connection` if it is still open; it is done when it returns.
fn drive(connection: &mut Option<Http1Connection>, cx: &mut Context<'_>) -> Result<(), hyper::Error> {
    if let Some(open) = connection.as_mut() {
        if let Poll::Ready(done) = Pin::new(open).poll(cx) {
            *connection = None;
            done?;
        }
    }
    Ok(())
}

/// Sends `request` over `connection`, driving it, and returns the response with the connection inside its body.
async fn send_over(
    connection: DrivenConnection,
    request: Request<Full<Bytes>>,
    pool: &Arc<DrivenPool>,
    origin: &Origin,
) -> Result<http::Response<EngineBody>, Unsent> {
    let DrivenConnection { mut sender, connection } = connection;
    let mut connection = Some(connection);
    let ready = std::future::poll_fn(|cx| {
        drive(&mut connection, cx)?;
        sender.poll_ready(cx)
    })
    .await;
    if ready.is_err() {
        return Err(Unsent::Returned(Box::new(request)));
    }
    let mut sending = Box::pin(sender.try_send_request(request));
    let sent = std::future::poll_fn(|cx| {
        // A failed connection fails the response future too, which tells whether the request had gone.
        let _ = drive(&mut connection, cx);
        sending.as_mut().poll(cx)
    })
    .await;
    match sent {
        Ok(response) => Ok(response.map(|body| {
            EngineBody::Driven(Box::new(DrivenBody {
                body,
                connection,
                sender: Some(sender),
                pool: pool.clone(),
                origin: origin.clone(),
            }))
        })),
        Err(mut e) => match e.take_message() {
            Some(request) => Err(Unsent::Returned(Box::new(request))),
            None => Err(Unsent::Failed(e.into_error().into())),
        },
    }
}

/// A response body: from the shared pool, or with the connection it comes over.
pub enum EngineBody {
    /// Over a connection of the shared pool, driven by a task of its own.
    Pooled(Incoming),
    /// Over a connection that reading the body drives (boxed: its connection state is
    /// about 1.9 KB, which every move of a pooled body would otherwise copy; one allocation per response).
    Driven(Box<DrivenBody>),
}

/// A body and its HTTP/1 connection, polled by whoever reads the body: what has
/// arrived is read in one go, with no hand-over between tasks per event. At the
/// body's end the connection goes back to the [`DrivenPool`]; dropped before, it closes.
pub struct DrivenBody {
    body: Incoming,
    connection: Option<Http1Connection>,
    sender: Option<SendRequest>,
    pool: Arc<DrivenPool>,
    origin: Origin,
}

impl DrivenBody {
    fn poll_frame(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<http_body::Frame<Bytes>, hyper::Error>>> {
        loop {
            if let Poll::Ready(frame) = Pin::new(&mut self.body).poll_frame(cx) {
                if frame.is_none() {
                    self.release();
                }
                return Poll::Ready(frame);
            }
            let Some(connection) = self.connection.as_mut() else {
                return Poll::Pending;
            };
            match Pin::new(connection).poll(cx) {
                // It may have handed over the next frame, or be waiting for bytes (with this waker).
                Poll::Pending => {
                    return match Pin::new(&mut self.body).poll_frame(cx) {
                        Poll::Ready(None) => {
                            self.release();
                            Poll::Ready(None)
                        }
                        other => other,
                    }
                }
                Poll::Ready(Ok(())) => self.connection = None,
                Poll::Ready(Err(e)) => {
                    self.connection = None;
                    return Poll::Ready(Some(Err(e)));
                }
            }
        }
    }

    /// The body is read to its end: its connection can carry the next stream.
    fn release(&mut self) {
        if let (Some(connection), Some(sender)) = (self.connection.take(), self.sender.take()) {
            self.pool
                .check_in(self.origin.clone(), DrivenConnection { sender, connection });
        }
    }
}

impl http_body::Body for EngineBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, hyper::Error>>> {
        match self.get_mut() {
            EngineBody::Pooled(body) => Pin::new(body).poll_frame(cx),
            EngineBody::Driven(driven) => driven.poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            EngineBody::Pooled(body) => body.is_end_stream(),
            EngineBody::Driven(driven) => driven.body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> http_body::SizeHint {
        match self {
            EngineBody::Pooled(body) => body.size_hint(),
            EngineBody::Driven(driven) => driven.body.size_hint(),
        }
    }
}

/// A failure to set up a stream's own connection, named as the pool names its own
/// (`client error (Connect)`), so that both read alike in errors.
#[derive(Debug)]
struct ConnectFailed(BoxError);

impl ConnectFailed {
    fn boxed(e: BoxError) -> BoxError {
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
        StatusCode::MOVED_PERMANENTLY
            | StatusCode::FOUND
            | StatusCode::SEE_OTHER
            | StatusCode::TEMPORARY_REDIRECT
            | StatusCode::PERMANENT_REDIRECT
    ) {
        return None;
    }
    response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn redirect_error(what: String) -> Error {
    Error::new(ErrorKind::Connection, format!("redirect not followed: {what}"))
}

/// Maps a transport failure to a kind, keeping its causes in the message.
pub(crate) fn transport_error(e: impl Into<BoxError>) -> Error {
    let e: BoxError = e.into();
    let connect = e
        .downcast_ref::<hyper_util::client::legacy::Error>()
        .is_some_and(|e| e.is_connect())
        || e.is::<ConnectFailed>();
    let mut timed_out = false;
    let mut message = if connect {
        "connection failed".to_owned()
    } else {
        "connection error".to_owned()
    };
    let mut source: Option<&(dyn StdError + 'static)> = Some(&*e);
    while let Some(s) = source {
        timed_out |= s
            .downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::TimedOut);
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    if let Some(tls) = crate::config::describe_certificate_failure(&message) {
        message = format!("{tls} ({message})");
    }
    Error::new(
        if timed_out {
            ErrorKind::Timeout
        } else {
            ErrorKind::Connection
        },
        message,
    )
}

/// The built-in (webpki) roots plus the configured extra CAs; ring, as the mock gateway uses.
fn tls_config(config: &ClientConfig) -> Result<rustls::ClientConfig, Error> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
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
                Err(_) => Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("no connection within the connect timeout ({timeout:?})"),
                )
                .into()),
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
