//! # routerkit
//!
//! One engine for OpenAI-compatible AI gateways (TheRouter, OpenRouter,
//! LiteLLM proxy, …): request building, streaming, retries and errors,
//! shared by the Python, Node.js and Go bindings.
//!
//! ```no_run
//! # async fn demo() -> Result<(), routerkit::Error> {
//! use routerkit::{Client, ChatCompletionRequest, ChatMessage};
//!
//! let client = Client::builder()
//!     .api_key("sk-your-key-here")
//!     .base_url("https://api.therouter.ai/v1")
//!     .build()?;
//! let request = ChatCompletionRequest::new(
//!     "anthropic/claude-opus-4-5",
//!     vec![ChatMessage::user("Write quicksort in Rust")],
//! );
//! let response = client.chat(&request, &Default::default()).await?;
//! println!("{}", response.choices[0].message.content.as_deref().unwrap_or(""));
//! # Ok(()) }
//! ```
//!
//! ## Logging
//!
//! Set `ROUTERKIT_LOG=debug` (or `info`, `warn`, `error`; `OPENAI_LOG` is read
//! when it is unset) to get one line per request, response, retry decision,
//! stream end and error on standard error, in every language. The key never
//! appears: `Authorization` shows at most its first 8 characters, and never more than half of it. See [`log`].
#![warn(missing_docs)]

pub mod accumulate;
#[cfg(feature = "bridge")]
pub mod bridge;
mod call;
mod chunk_parse;
pub mod client;
pub mod config;
#[cfg(feature = "bridge")]
pub mod delivery;
pub mod error;
pub mod fallback;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod limits;
pub mod log;
pub mod ops;
pub mod receipt;
pub mod request;
pub mod response_types;
pub mod retry;
pub mod secret;
pub mod sse;
pub mod stream;
pub mod structured;
mod surrogate;
pub mod tool_runner;
mod transport;
pub mod types;
mod wire_de;

pub use accumulate::ChatAccumulator;
pub use call::Response;
pub use client::{Client, Parsed};
pub use config::{ClientBuilder, ClientConfig, RequestOptions};
pub use error::{Error, ErrorKind};
/// HTTP methods, for [`Client::send`].
pub use http::Method;
pub use ops::{IntoOp, Op};
pub use receipt::{Attempt, CallReceipt, DelayReason, Fallback, Hedge, Receipt, ReceiptHandle, ReceiptHook};
pub use request::OpBody;
pub use response_types::{
    ContentPart, InputTokensDetails, OutputItem, OutputTokensDetails, ResponseObject, ResponseRequest,
    ResponseStreamEvent, ResponseUsage,
};
pub use retry::RetryPolicy;
pub use secret::ApiKey;
pub use sse::{SseDecoder, SseEvent};
pub use stream::{AnyStream, CancelHandle, ChatStream, CompletionStream, ResponseStream, StreamItem};
pub use tool_runner::{RunToolsError, RunToolsOptions, RunnableTool, ToolError, ToolRun, ToolRunner};
pub use types::*;
