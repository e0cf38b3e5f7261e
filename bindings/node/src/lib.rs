//! The native half of the `routerkit` npm package: a translation table between
//! JavaScript values and the routerkit core.
//!
//! - bodies cross as JSON text (`JSON.stringify` in, `JSON.parse` out: V8's
//!   parser is faster than building objects through napi);
//! - every network wait is a future on napi's tokio runtime, so the event loop
//!   never blocks;
//! - a stream hands over everything already decoded in one batch (one promise
//!   per batch, not per chunk);
//! - a failure rejects with an `Error` whose message is a JSON payload that
//!   `errors.js` turns into openai-node's classes.
//!
//! No retry loop, SSE parsing or accumulation happens here: that is the core's.

#![deny(clippy::all)]

mod client;
mod error;
mod shapes;
mod stream;

pub use client::*;
pub use stream::*;

/// One tokio worker thread: a stream's connection task and the task reading it
/// wake each other on the same thread instead of bouncing chunks between cores,
/// and with the JS thread that makes two busy threads, one per core of a small
/// machine. The engine's work per chunk is a few µs, so one worker keeps up with
/// more chunks than JavaScript can take (measured against 2 workers: the same or
/// better CPU per chunk and chunks/s over 200 streams).
#[napi_derive::module_init]
fn init() {
    match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("routerkit")
        .enable_all()
        .build()
    {
        Ok(runtime) => napi::bindgen_prelude::create_custom_tokio_runtime(runtime),
        Err(e) => eprintln!("routerkit: could not build a one-thread runtime ({e}); using napi's default"),
    }
}
