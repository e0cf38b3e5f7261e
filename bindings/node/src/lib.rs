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
mod stream;

pub use client::*;
pub use stream::*;
