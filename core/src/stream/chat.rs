//! The chat protocol: `chat.completion.chunk` events, ended by `[DONE]` (or, for
//! gateways that close without it, a finish reason), with errors as `event: error`
//! or as a chunk's `error` object (OpenRouter); chunks add up in a [`ChatAccumulator`].

use crate::accumulate::{ChatAccumulator, StreamEvent};
use crate::chunk_parse::parse_chunk_into;
use crate::error::{Error, ErrorKind};
use crate::sse::SseEvent;
use crate::types::{ChatCompletion, ChatCompletionChunk, ChunkDelta, Usage};

use super::{stream_error, Protocol, Step, Stream};

/// The chat completions stream protocol; its state is the accumulator.
#[derive(Debug, Default)]
pub struct Chat(ChatAccumulator);

/// A streaming chat completion. Dropping it closes the connection.
pub type ChatStream = Stream<Chat>;

impl Protocol for Chat {
    type Chunk = ChatCompletionChunk;
    type Final = ChatCompletion;

    #[inline]
    fn event(
        &mut self,
        event: &SseEvent,
        place: &mut ChatCompletionChunk,
        events: Option<&mut Vec<StreamEvent>>,
    ) -> Step {
        if let Some(step) = end_or_error(event) {
            return step;
        }
        if let Err(e) = parse_chunk_into(&event.data, place) {
            return Step::Fail(not_a_chunk(&event.data, e));
        }
        if let Some(error) = place.extra.get("error").filter(|e| !e.is_null()) {
            return Step::Fail(stream_error(serde_json::json!({ "error": error })));
        }
        match events {
            Some(out) => self.0.push_with_events(place, out),
            None => self.0.push(place),
        }
        if place
            .choices
            .iter()
            .any(|c| c.index != 0 || c.delta.tool_calls.is_some())
        {
            if let Some(e) = over_bounds(&self.0) {
                return Step::Fail(e);
            }
        }
        Step::Chunk
    }

    /// `choices: []` (OpenAI), or choices whose deltas are empty and that neither finish nor
    /// carry anything else: LiteLLM sends the usage it was asked for on
    /// `choices: [{"index": 0, "delta": {}}]` (scenario 085).
    fn only_usage(chunk: &ChatCompletionChunk) -> bool {
        chunk.usage.is_some()
            && chunk.choices.iter().all(|c| {
                c.delta == ChunkDelta::default()
                    && c.finish_reason.is_none()
                    && c.logprobs.is_none()
                    && c.extra.is_empty()
            })
    }

    fn finish_reason_seen(&self) -> bool {
        self.0.finish_reason_seen()
    }

    fn usage(&self) -> Option<&Usage> {
        self.0.usage()
    }

    fn served(&self) -> crate::receipt::Served {
        let base = self.0.base();
        crate::receipt::Served::new(
            &base.id,
            &base.model,
            base.extra.get("provider"),
            base.usage.as_ref().and_then(|u| serde_json::to_value(u).ok()),
        )
    }

    fn snapshot(&self) -> ChatCompletion {
        self.0.snapshot()
    }

    fn finish(self) -> ChatCompletion {
        self.0.finish()
    }
}

/// What the accumulator holds, against the bounds on choices and tool calls: a stream of
/// distinct indexes must not grow the client's memory without end.
fn over_bounds(accumulator: &ChatAccumulator) -> Option<Error> {
    use crate::limits::{MAX_CHOICES, MAX_TOOL_CALLS};
    let (choices, calls) = accumulator.sizes();
    let what = if choices > MAX_CHOICES {
        format!("more than {MAX_CHOICES} choices")
    } else if calls > MAX_TOOL_CALLS {
        format!("more than {MAX_TOOL_CALLS} tool calls in one choice")
    } else {
        return None;
    };
    Some(Error::new(ErrorKind::Decode, format!("the stream holds {what}")))
}

impl Chat {
    /// The accumulator.
    pub fn accumulator(&self) -> &ChatAccumulator {
        &self.0
    }
}

impl Stream<Chat> {
    /// The accumulator, for cheap looks at its state.
    pub fn accumulator(&self) -> &ChatAccumulator {
        self.protocol().accumulator()
    }
}

/// `[DONE]` and `event: error`, which the OpenAI-shaped protocols (chat, completions) share.
#[inline]
pub(super) fn end_or_error(event: &SseEvent) -> Option<Step> {
    if event.data == "[DONE]" {
        return Some(Step::Done);
    }
    if event.event.as_deref() == Some("error") {
        let body = serde_json::from_str(&event.data).unwrap_or_else(|_| serde_json::Value::String(event.data.clone()));
        return Some(Step::Fail(stream_error(body)));
    }
    None
}

#[cold]
pub(super) fn not_a_chunk(data: &str, e: serde_json::Error) -> Error {
    let head: String = data.chars().take(120).collect();
    Error::new(
        ErrorKind::Decode,
        format!("a stream event is not a valid chunk ({e}): {head:?}"),
    )
}
