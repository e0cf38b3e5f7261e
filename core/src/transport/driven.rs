//! The driven HTTP/1 pool for streams: each stream over HTTP/1 drives its own
//! connection (hyper's `client::conn::http1`) from the task that reads it, so
//! every event already received is read in one go with no hand-over between
//! tasks, and hands the connection to a small pool of its own between streams
//! ([`DrivenPool`]), where a task per idle connection notices the gateway closing it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::header;
use http::uri::Scheme;
use http::{Request, Uri};
use http_body::Body as _;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::client::legacy::connect::Connection;
use tower_service::Service;

use super::body::EngineBody;
use super::connect::ConnectFailed;
use super::{BoxError, Http1Connection, SendRequest, Transport, POOL_IDLE};

/// Stream connections kept idle at most, over all origins.
const MAX_IDLE_DRIVEN: usize = 64;

impl Transport {
    /// Sends a stream's request over a connection it will drive: an idle one, or a new one.
    pub(super) async fn send_driven(
        &self,
        mut request: Request<Full<Bytes>>,
    ) -> Result<http::Response<EngineBody>, BoxError> {
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

    pub(super) fn speaks_h2(&self, uri: &Uri) -> bool {
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

/// A body and its HTTP/1 connection, polled by whoever reads the body: what has
/// arrived is read in one go, with no hand-over between tasks per event. At the
/// body's end the connection goes back to the [`DrivenPool`]; dropped before, it closes.
pub struct DrivenBody {
    pub(super) body: Incoming,
    connection: Option<Http1Connection>,
    sender: Option<SendRequest>,
    pool: Arc<DrivenPool>,
    origin: Origin,
}

impl DrivenBody {
    pub(super) fn poll_frame(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, hyper::Error>>> {
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::testing::{client_config, get, read_all, serve, Reply};
    use super::*;

    const EVENTS: [&str; 2] = ["data: {\"n\":1}\n\n", "data: [DONE]\n\n"];

    #[test]
    fn host_is_written_as_the_pool_writes_it() {
        let host = |uri: &str| host_header(&uri.parse().unwrap()).unwrap();
        assert_eq!(host("http://gw.test/v1"), "gw.test");
        assert_eq!(host("http://gw.test:80/v1"), "gw.test");
        assert_eq!(host("https://gw.test:443/v1"), "gw.test");
        assert_eq!(host("http://gw.test:443/v1"), "gw.test:443");
        assert_eq!(host("https://127.0.0.1:8443/v1"), "127.0.0.1:8443");
    }

    #[tokio::test]
    async fn streams_in_turn_share_one_driven_connection_in_origin_form() {
        let server = serve(|_| Reply::events(&EVENTS)).await;
        let transport = Transport::new(&client_config(&server.url, Duration::from_secs(2))).unwrap();
        let url = format!("{}/v1/chat/completions", server.url);
        for _ in 0..3 {
            let response = transport.send(&get(&url, true)).await.unwrap();
            assert!(
                matches!(response.body().get_ref(), EngineBody::Driven(_)),
                "a stream drives its connection"
            );
            assert_eq!(read_all(response.into_body()).await, EVENTS.concat().as_bytes());
        }
        assert_eq!(
            server.connections(),
            1,
            "each stream read to its end gave the connection back"
        );
        let port = server.url.rsplit(':').next().unwrap();
        for head in server.heads() {
            assert!(head.starts_with("GET /v1/chat/completions HTTP/1.1\r\n"), "{head}");
            assert!(
                head.to_ascii_lowercase()
                    .contains(&format!("host: 127.0.0.1:{port}\r\n")),
                "{head}"
            );
        }
    }

    #[tokio::test]
    async fn a_call_that_is_not_a_stream_keeps_to_the_shared_pool() {
        let server = serve(|_| Reply::ok("{}")).await;
        let transport = Transport::new(&client_config(&server.url, Duration::from_secs(2))).unwrap();
        let response = transport
            .send(&get(&format!("{}/v1/models", server.url), false))
            .await
            .unwrap();
        assert!(matches!(response.body().get_ref(), EngineBody::Pooled(_)));
    }

    #[tokio::test]
    async fn a_stream_dropped_before_its_end_closes_its_connection() {
        let server = serve(|_| Reply::events(&EVENTS)).await;
        let transport = Transport::new(&client_config(&server.url, Duration::from_secs(2))).unwrap();
        let url = format!("{}/v1/chat/completions", server.url);
        drop(transport.send(&get(&url, true)).await.unwrap());
        let response = transport.send(&get(&url, true)).await.unwrap();
        read_all(response.into_body()).await;
        assert_eq!(server.connections(), 2, "a half-read connection is never reused");
    }

    #[tokio::test]
    async fn a_connection_the_gateway_closed_while_idle_is_replaced() {
        // Each answer says it closes: the idle task sees the close, the next stream connects anew.
        let server = serve(|_| {
            let mut reply = Reply::events(&EVENTS);
            reply.bytes = String::from_utf8(reply.bytes)
                .unwrap()
                .replacen("\r\n\r\n", "\r\nconnection: close\r\n\r\n", 1)
                .into_bytes();
            reply.then_close()
        })
        .await;
        let transport = Transport::new(&client_config(&server.url, Duration::from_secs(2))).unwrap();
        let url = format!("{}/v1/chat/completions", server.url);
        for _ in 0..3 {
            let response = transport.send(&get(&url, true)).await.unwrap();
            assert_eq!(read_all(response.into_body()).await, EVENTS.concat().as_bytes());
        }
        assert_eq!(server.connections(), 3);
        let idle = DrivenPool::lock(&transport.driven.idle)
            .iter()
            .filter(|c| !c.reclaim.is_closed())
            .count();
        assert_eq!(idle, 0, "a closed connection is not kept");
    }

    #[tokio::test]
    async fn a_stale_idle_connection_is_skipped_before_the_request_goes() {
        // The server closes after each stream without saying so: the next checkout finds the
        // idle connection gone (or the send hands the request back) and connects again.
        let server = serve(|_| Reply::events(&EVENTS).then_close()).await;
        let transport = Transport::new(&client_config(&server.url, Duration::from_secs(2))).unwrap();
        let url = format!("{}/v1/chat/completions", server.url);
        for _ in 0..3 {
            let response = transport.send(&get(&url, true)).await.unwrap();
            assert_eq!(read_all(response.into_body()).await, EVENTS.concat().as_bytes());
            // Lets the idle task notice the close, as time between two calls does.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(server.connections(), 3);
        assert_eq!(server.heads().len(), 3, "no request was lost on a closed connection");
    }
}
