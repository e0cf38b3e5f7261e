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
//!
//! One concern per file: [`connect`] (TCP and the bound on a whole set-up),
//! [`proxy`], [`tls`], [`redirect`], [`driven`] (the HTTP/1 pool streams drive)
//! and [`body`] (bodies and their decompression); this file puts them together.

use std::error::Error as StdError;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::HeaderMap;
use http::{Request, Uri};
use http_body_util::Full;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tower_http::decompression::Decompression;
use tower_service::Service;

use crate::config::ClientConfig;
use crate::error::{Error, ErrorKind};
use crate::request::PreparedRequest;

mod body;
mod connect;
mod driven;
mod proxy;
mod redirect;
#[cfg(test)]
mod testing;
mod tls;

pub(crate) use body::{exact_length, next_data};
pub use body::{Body, EngineBody, HttpResponse};

use connect::{ConnectFailed, ConnectTimeout, TcpConnection};
use driven::DrivenPool;
use proxy::ProxyConnector;

type BoxError = Box<dyn StdError + Send + Sync>;
type Connector = ConnectTimeout<hyper_rustls::HttpsConnector<ProxyConnector>>;
type Pool = hyper_util::client::legacy::Client<Connector, Full<Bytes>>;
type Io = hyper_rustls::MaybeHttpsStream<TcpConnection>;
type SendRequest = hyper::client::conn::http1::SendRequest<Full<Bytes>>;
type Http1Connection = hyper::client::conn::http1::Connection<Io, Full<Bytes>>;

/// How long a connection may wait unused in either pool.
const POOL_IDLE: Duration = Duration::from_secs(90);

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
        Transport::with_proxies(config, proxy::proxies_from_env())
    }

    /// A transport through `proxies` (the environment's, or a test's) rather than read from the environment.
    fn with_proxies(config: &ClientConfig, proxies: Option<Matcher>) -> Result<Transport, Error> {
        let proxies = proxies.map(Arc::new);
        let tls = tls::https_connector(
            config,
            ProxyConnector {
                http: connect::http_connector(config.connect_timeout),
                proxies: proxies.clone(),
            },
        )?;
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
        for _ in 0..=redirect::MAX_REDIRECTS {
            let mut request = Request::new(Full::new(body.clone().unwrap_or_default()));
            *request.method_mut() = method.clone();
            *request.uri_mut() = uri.clone();
            *request.headers_mut() = redirected_headers.as_ref().unwrap_or(&prepared.headers).clone();
            proxy::add_proxy_auth(self.proxies.as_deref(), &mut request);
            let route = Route {
                transport: self,
                driven: prepared.stream && self.may_drive(&uri),
            };
            let response = Decompression::new(route).call(request).await.map_err(transport_error)?;
            let Some(location) = redirect::location(&response) else {
                return Ok(response);
            };
            // Only here is the URL parsed: to resolve a relative location and compare origins.
            let from = url.take().unwrap_or_else(|| prepared.url.clone());
            let headers = redirected_headers.get_or_insert_with(|| prepared.headers.clone());
            let (to, next) = redirect::follow(response.status(), &location, &from, &mut method, &mut body, headers)?;
            uri = next;
            url = Some(to);
        }
        Err(redirect::too_many())
    }

    /// Whether a stream to `uri` may drive a connection of its own: not through a proxy
    /// (those keep to the pool, which knows their forms), not to an origin that chose HTTP/2.
    fn may_drive(&self, uri: &Uri) -> bool {
        self.proxies.as_ref().is_none_or(|p| p.intercept(uri).is_none()) && !self.driven.speaks_h2(uri)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// An error that wraps another, as hyper's and hyper-util's do.
    #[derive(Debug)]
    struct Wrapping(&'static str, io::Error);

    impl std::fmt::Display for Wrapping {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl StdError for Wrapping {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            Some(&self.1)
        }
    }

    #[test]
    fn a_timed_out_cause_anywhere_in_the_chain_makes_a_timeout() {
        let e = transport_error(Wrapping(
            "client error",
            io::Error::new(io::ErrorKind::TimedOut, "deep"),
        ));
        assert_eq!(e.kind(), ErrorKind::Timeout);
        assert_eq!(e.message(), "connection error: client error: deep");
    }

    #[test]
    fn other_failures_are_connection_errors_with_every_cause() {
        let e = transport_error("the gateway closed the connection");
        assert_eq!(e.kind(), ErrorKind::Connection);
        assert_eq!(e.message(), "connection error: the gateway closed the connection");
    }

    #[test]
    fn a_refused_certificate_is_named_first() {
        let e = transport_error(ConnectFailed::boxed("invalid peer certificate: UnknownIssuer".into()));
        assert_eq!(e.kind(), ErrorKind::Connection);
        assert!(
            e.message().starts_with("TLS certificate verification failed")
                && e.message()
                    .ends_with("(connection failed: client error (Connect): invalid peer certificate: UnknownIssuer)"),
            "{}",
            e.message()
        );
    }
}
