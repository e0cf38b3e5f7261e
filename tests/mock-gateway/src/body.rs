//! The response body: frames come from a producer task over a channel.
//! The body knows whether hyper consumed it to the end (`completed`) or
//! dropped it early because the connection went away (`client_disconnected`).

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::sync::mpsc;

use crate::state::Outcome;

pub enum Msg {
    Data(Bytes),
    /// Abort the connection abruptly (the connection's RST flag is set by the producer).
    Abort,
}

pub struct MockBody {
    rx: mpsc::Receiver<Msg>,
    outcome: Arc<Outcome>,
    ended: bool,
    aborted: bool,
    /// Known length (full bodies): sent with content-length, and the body
    /// counts as completed once hyper has taken all of it.
    remaining: Option<u64>,
    /// Hand hyper one frame at a time, with a Pending in between, so that
    /// hyper flushes every frame as its own write (needed for `split`).
    flush_each: bool,
    yield_next: bool,
}

#[derive(Debug)]
pub struct AbortError;
impl std::fmt::Display for AbortError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("routerkit-mock: connection reset on purpose")
    }
}
impl std::error::Error for AbortError {}

impl MockBody {
    pub fn channel(outcome: Arc<Outcome>, cap: usize) -> (mpsc::Sender<Msg>, MockBody) {
        let (tx, rx) = mpsc::channel(cap);
        (
            tx,
            MockBody {
                rx,
                outcome,
                ended: false,
                aborted: false,
                remaining: None,
                flush_each: false,
                yield_next: false,
            },
        )
    }

    /// A streamed body whose frames are each flushed on their own.
    pub fn streaming(outcome: Arc<Outcome>) -> (mpsc::Sender<Msg>, MockBody) {
        let (tx, mut body) = Self::channel(outcome, 1);
        body.flush_each = true;
        (tx, body)
    }

    /// A body with all its bytes known up front.
    pub fn full(outcome: Arc<Outcome>, data: Bytes) -> MockBody {
        let (tx, mut body) = Self::channel(outcome, 1);
        body.remaining = Some(data.len() as u64);
        if data.is_empty() {
            body.ended = true;
            body.outcome.complete();
        } else {
            let _ = tx.try_send(Msg::Data(data));
        }
        body
    }
}

impl Body for MockBody {
    type Data = Bytes;
    type Error = AbortError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, AbortError>>> {
        if self.ended {
            return Poll::Ready(None);
        }
        if self.yield_next {
            self.yield_next = false;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        match self.rx.poll_recv(cx) {
            Poll::Ready(Some(Msg::Data(b))) => {
                self.yield_next = self.flush_each;
                if let Some(r) = self.remaining.as_mut() {
                    *r = r.saturating_sub(b.len() as u64);
                    if *r == 0 {
                        self.ended = true;
                        self.outcome.complete();
                    }
                }
                Poll::Ready(Some(Ok(Frame::data(b))))
            }
            Poll::Ready(Some(Msg::Abort)) => {
                self.ended = true;
                self.aborted = true;
                Poll::Ready(Some(Err(AbortError)))
            }
            Poll::Ready(None) => {
                self.ended = true;
                self.outcome.complete();
                Poll::Ready(None)
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.ended
    }

    fn size_hint(&self) -> SizeHint {
        match self.remaining {
            Some(n) if !self.ended || n == 0 => SizeHint::with_exact(n),
            _ => SizeHint::default(),
        }
    }
}

impl Drop for MockBody {
    fn drop(&mut self) {
        if !self.ended && !self.aborted {
            self.outcome.disconnected();
        }
    }
}

/// Set on a connection when a step asks for an abrupt reset: the socket is
/// then closed with SO_LINGER 0 (RST) instead of an orderly FIN.
#[derive(Clone, Default)]
pub struct ResetFlag(Arc<AtomicBool>);
impl ResetFlag {
    pub fn set(&self) {
        self.0.store(true, Ordering::SeqCst)
    }
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}
