//! Delivery strategies: how a binding takes a stream's chunks across its FFI, as named
//! strategies a binding picks instead of writing its own (part of the binding kit, behind
//! the `bridge` feature).
//!
//! - **Caller-driven**: [`AnyStream::next_batch`] on the caller's thread, everything already
//!   received up to a maximum (the C ABI and Go: the calling thread drives its own connection).
//! - **Paced** ([`Paced`]): a batch is handed over at once when the previous one left at least
//!   `linger` ago, and chunks arriving faster are gathered for at most `linger`, so the host wakes
//!   once per burst ([`AnyStream::next_batch_paced`]). `linger` is fixed ([`Linger::Fixed`],
//!   Python: 64 chunks, 2 ms) or grows with the streams being read in the process
//!   ([`Linger::ByLoad`], Node's stream helper), because then the host thread is what limits
//!   throughput and every crossing is paid per batch.
//! - **Read-ahead** ([`ReadAhead`]): a task reads the stream into a bounded buffer, encoding each
//!   chunk as it goes, and the host takes everything buffered when it asks, waiting only when
//!   the buffer is empty (Node's raw streams). The batch is cut when the host gets to it, not
//!   when the data arrived; the bound holds the gateway back (the socket fills) while the host
//!   is behind.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Notify;

use crate::error::Error;
use crate::stream::{AnyStream, StreamItem};

/// How long a paced stream gathers a burst.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Linger {
    /// Always this long.
    Fixed(Duration),
    /// `per_reader` × the paced streams being read in this process now, within `[min, max]`.
    ByLoad {
        /// The least linger.
        min: Duration,
        /// Added per stream being read.
        per_reader: Duration,
        /// The most linger.
        max: Duration,
    },
}

/// Paced batches (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paced {
    /// Most chunks per batch.
    pub max: usize,
    /// How long a burst is gathered.
    pub linger: Linger,
}

/// Paced `next` calls in flight in this process, for [`Linger::ByLoad`].
static READING: AtomicUsize = AtomicUsize::new(0);

struct Reading;

impl Reading {
    fn enter() -> Reading {
        READING.fetch_add(1, Ordering::Relaxed);
        Reading
    }
}

impl Drop for Reading {
    fn drop(&mut self) {
        READING.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Paced {
    /// The next batch of `stream` (empty at its clean end).
    pub async fn next(&self, stream: &mut AnyStream) -> Result<Vec<StreamItem>, Error> {
        let _reading = Reading::enter();
        stream.next_batch_paced(self.max, self.current_linger()).await
    }

    /// The linger a batch asked for now would use.
    pub fn current_linger(&self) -> Duration {
        match self.linger {
            Linger::Fixed(d) => d,
            Linger::ByLoad { min, per_reader, max } => {
                let reading = u32::try_from(READING.load(Ordering::Relaxed)).unwrap_or(u32::MAX);
                per_reader.saturating_mul(reading).clamp(min, max)
            }
        }
    }
}

/// What a binding does inside a [`ReadAhead`] task: encode each chunk for its host, and
/// learn what the stream told (a retry before the first event replaces the attempt).
pub trait ReadAheadHooks: Send + 'static {
    /// Appends chunk `data` (its JSON text) to `out`, where `elements` chunks of this read are
    /// already; returns the new count. The buffer joins reads with `,` inside `[` … `]`.
    fn encode(&mut self, data: &str, out: &mut String, elements: usize) -> usize;
    /// After each read of the stream, before its chunks are published.
    fn after_read(&mut self, _stream: &AnyStream) {}
    /// When the stream ended (cleanly or not), before the host can see the end.
    fn at_end(&mut self, _stream: &AnyStream) {}
}

/// Read-ahead delivery (see the module docs). Created by [`ReadAhead::spawn`]; the host calls
/// [`take`](Self::take), and [`wait`](Self::wait) when it got [`Taken::Nothing`].
pub struct ReadAhead {
    buffer: Mutex<Buffered>,
    /// Reader → host: there is something to take.
    readable: Notify,
    /// Host → reader: the buffer was emptied.
    room: Notify,
    bound: usize,
    publish_every: usize,
}

struct Buffered {
    /// `[` + the encoded chunks joined by `,`.
    text: String,
    chunks: usize,
    end: Option<End>,
}

enum End {
    Clean,
    /// The error, until the host has taken it.
    Failed(Option<Error>),
}

/// What [`ReadAhead::take`] found.
#[derive(Debug)]
pub enum Taken<R> {
    /// Chunks: what the host's function made of the buffer's text, `[…]`.
    Batch(R),
    /// Nothing yet: [`ReadAhead::wait`], then take again.
    Nothing,
    /// The stream ended cleanly (and every chunk was taken).
    End,
    /// The stream failed (after every chunk before the failure was taken).
    Failed(Error),
}

impl ReadAhead {
    /// Starts reading `stream` ahead on the current tokio runtime: at most `publish_every`
    /// chunks per read, and no read while `bound` chunks wait for the host.
    pub fn spawn(stream: AnyStream, bound: usize, publish_every: usize, hooks: impl ReadAheadHooks) -> Arc<ReadAhead> {
        let read_ahead = Arc::new(ReadAhead {
            buffer: Mutex::new(Buffered {
                text: String::from("["),
                chunks: 0,
                end: None,
            }),
            readable: Notify::new(),
            room: Notify::new(),
            bound: bound.max(1),
            publish_every: publish_every.max(1),
        });
        tokio::spawn(read_ahead.clone().run(stream, hooks));
        read_ahead
    }

    fn lock(&self) -> MutexGuard<'_, Buffered> {
        self.buffer.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Reads `stream` to its end, a failure or a cancel; stops while `bound` chunks wait.
    async fn run(self: Arc<Self>, mut stream: AnyStream, mut hooks: impl ReadAheadHooks) {
        let cancelled = stream.cancel_handle().token();
        let mut encoded = String::new();
        // Known from the last append (under its lock), so that a batch of one chunk takes the lock once.
        let mut full = false;
        loop {
            while full && self.lock().chunks >= self.bound && !cancelled.is_cancelled() {
                tokio::select! {
                    _ = self.room.notified() => {}
                    _ = cancelled.cancelled() => {}
                }
            }
            let batch = stream.next_batch(self.publish_every).await;
            hooks.after_read(&stream);
            // Encoded before taking the lock, which the host thread may be waiting for.
            encoded.clear();
            let mut elements = 0;
            for item in batch.iter().flatten() {
                elements = hooks.encode(&item.data, &mut encoded, elements);
            }
            let mut buffered = self.lock();
            if buffered.end.is_some() {
                return; // closed by the host
            }
            match batch {
                Ok(batch) if batch.is_empty() => buffered.end = Some(End::Clean),
                Ok(batch) => {
                    if buffered.chunks > 0 {
                        buffered.text.push(',');
                    }
                    buffered.text.push_str(&encoded);
                    buffered.chunks += batch.len();
                }
                Err(e) => buffered.end = Some(End::Failed(Some(e))),
            }
            let ended = buffered.end.is_some();
            full = buffered.chunks >= self.bound;
            if ended {
                hooks.at_end(&stream);
            }
            drop(buffered);
            self.readable.notify_one();
            if ended {
                return; // drops the stream: its connection goes back to the pool or closes
            }
        }
    }

    /// Everything buffered, handed to `f` as the text `[…]` (the buffer keeps its capacity);
    /// else whether the stream ended or failed, or that nothing is there yet.
    pub fn take<R>(&self, f: impl FnOnce(&str) -> R) -> Taken<R> {
        let mut buffered = self.lock();
        if buffered.chunks > 0 {
            buffered.text.push(']');
            let out = f(&buffered.text);
            buffered.text.truncate(1);
            buffered.chunks = 0;
            drop(buffered);
            self.room.notify_one();
            return Taken::Batch(out);
        }
        match &mut buffered.end {
            None => Taken::Nothing,
            Some(End::Clean) => Taken::End,
            Some(End::Failed(error)) => Taken::Failed(
                error
                    .take()
                    .unwrap_or_else(|| Error::new(crate::ErrorKind::Stream, "the stream already failed")),
            ),
        }
    }

    /// Resolves when [`take`](Self::take) has something to return. One waiter (the host), so
    /// `notify_one`'s stored permit cannot be lost or stolen.
    pub async fn wait(&self) {
        while !self.takeable() {
            self.readable.notified().await;
        }
    }

    fn takeable(&self) -> bool {
        let buffered = self.lock();
        buffered.chunks > 0 || buffered.end.is_some()
    }

    /// Drops what was read ahead (as the core drops what it had decoded) and ends the stream
    /// as cancelled for the host; the stream itself must be cancelled through its handle.
    pub fn close(&self) {
        let mut buffered = self.lock();
        buffered.text.truncate(1);
        buffered.chunks = 0;
        if buffered.end.is_none() {
            buffered.end = Some(End::Failed(Some(Error::cancelled())));
        }
        drop(buffered);
        self.readable.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linger_by_load_stays_in_its_bounds() {
        let p = Paced {
            max: 8192,
            linger: Linger::ByLoad {
                min: Duration::from_millis(5),
                per_reader: Duration::from_micros(250),
                max: Duration::from_millis(20),
            },
        };
        assert_eq!(p.current_linger(), Duration::from_millis(5));
        let guards: Vec<Reading> = (0..40).map(|_| Reading::enter()).collect();
        assert_eq!(p.current_linger(), Duration::from_millis(10));
        let more: Vec<Reading> = (0..100).map(|_| Reading::enter()).collect();
        assert_eq!(p.current_linger(), Duration::from_millis(20));
        drop((guards, more));
        let fixed = Paced {
            max: 64,
            linger: Linger::Fixed(Duration::from_millis(2)),
        };
        assert_eq!(fixed.current_linger(), Duration::from_millis(2));
    }
}
