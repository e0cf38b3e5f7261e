//! The legacy completions protocol: `text_completion` events whose choices carry
//! `text`, ended by `[DONE]` (or a finish reason), errors as for chat; the text,
//! finish reasons and usage add up in a [`CompletionAccumulator`].

use crate::accumulate::StreamEvent;
use crate::sse::SseEvent;
use crate::types::{Completion, CompletionChoice, CompletionChunk, Usage};

use super::chat::{end_or_error, not_a_chunk};
use super::{stream_error, Protocol, Step, Stream};

/// The completions stream protocol; its state is the accumulator.
#[derive(Debug, Default)]
pub struct Completions(CompletionAccumulator);

/// A streaming legacy completion. Dropping it closes the connection.
pub type CompletionStream = Stream<Completions>;

/// Builds the final [`Completion`] from the events of a completions stream: each
/// choice's text concatenated, its finish reason, and usage from whichever event has it.
#[derive(Debug, Clone, Default)]
pub struct CompletionAccumulator {
    /// Completion-level fields; choices sorted by index.
    base: Completion,
    finish_reason_seen: bool,
}

impl CompletionAccumulator {
    /// Merges one event. A `choices: []` event (usage) only updates usage.
    pub fn push(&mut self, chunk: &CompletionChunk) {
        let base = &mut self.base;
        if base.id.is_empty() {
            base.id.clone_from(&chunk.id);
        }
        if base.model.is_empty() {
            base.model.clone_from(&chunk.model);
        }
        if base.created == 0 {
            base.created = chunk.created;
        }
        if base.system_fingerprint.is_none() {
            base.system_fingerprint.clone_from(&chunk.system_fingerprint);
        }
        if chunk.usage.is_some() {
            base.usage.clone_from(&chunk.usage);
        }
        for (k, v) in &chunk.extra {
            if !base.extra.contains_key(k) {
                base.extra.insert(k.clone(), v.clone());
            }
        }
        for piece in &chunk.choices {
            let at = match base.choices.binary_search_by_key(&piece.index, |c| c.index) {
                Ok(at) => at,
                Err(at) => {
                    let choice = CompletionChoice {
                        index: piece.index,
                        ..Default::default()
                    };
                    base.choices.insert(at, choice);
                    at
                }
            };
            let choice = &mut base.choices[at];
            choice.text.push_str(&piece.text);
            if piece.finish_reason.is_some() {
                choice.finish_reason.clone_from(&piece.finish_reason);
                self.finish_reason_seen = true;
            }
            if piece.logprobs.is_some() {
                choice.logprobs.clone_from(&piece.logprobs);
            }
            for (k, v) in &piece.extra {
                choice.extra.insert(k.clone(), v.clone());
            }
        }
    }

    /// The completion as built so far.
    pub fn snapshot(&self) -> Completion {
        let mut completion = self.base.clone();
        completion.object = "text_completion".to_owned();
        completion
    }

    /// The final completion.
    pub fn finish(self) -> Completion {
        let mut completion = self.base;
        completion.object = "text_completion".to_owned();
        completion
    }

    /// The last non-null usage seen.
    pub fn usage(&self) -> Option<&Usage> {
        self.base.usage.as_ref()
    }

    /// Whether any choice got a non-null `finish_reason`.
    pub fn finish_reason_seen(&self) -> bool {
        self.finish_reason_seen
    }
}

impl Protocol for Completions {
    type Chunk = CompletionChunk;
    type Final = Completion;

    fn event(&mut self, event: &SseEvent, place: &mut CompletionChunk, _events: Option<&mut Vec<StreamEvent>>) -> Step {
        if let Some(step) = end_or_error(event) {
            return step;
        }
        *place = match serde_json::from_str(&event.data) {
            Ok(chunk) => chunk,
            Err(e) => return Step::Fail(not_a_chunk(&event.data, e)),
        };
        if let Some(error) = place.extra.get("error").filter(|e| !e.is_null()) {
            return Step::Fail(stream_error(serde_json::json!({ "error": error })));
        }
        self.0.push(place);
        Step::Chunk
    }

    fn only_usage(chunk: &CompletionChunk) -> bool {
        chunk.choices.is_empty() && chunk.usage.is_some()
    }

    fn finish_reason_seen(&self) -> bool {
        self.0.finish_reason_seen()
    }

    fn served(&self) -> crate::receipt::Served {
        let base = &self.0.base;
        crate::receipt::Served::new(
            &base.id,
            &base.model,
            base.extra.get("provider"),
            base.usage.as_ref().and_then(|u| serde_json::to_value(u).ok()),
        )
    }

    fn usage(&self) -> Option<&Usage> {
        self.0.usage()
    }

    fn snapshot(&self) -> Completion {
        self.0.snapshot()
    }

    fn finish(self) -> Completion {
        self.0.finish()
    }
}

impl Completions {
    /// The accumulator.
    pub fn accumulator(&self) -> &CompletionAccumulator {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_finish_reason_and_usage_add_up_by_choice() {
        let mut acc = CompletionAccumulator::default();
        for line in [
            r#"{"id":"c","object":"text_completion","created":3,"model":"m","choices":[{"text":"Hel","index":0,"finish_reason":null}]}"#,
            r#"{"id":"c","choices":[{"text":"b","index":1,"finish_reason":null},{"text":"lo","index":0,"finish_reason":"stop"}]}"#,
            r#"{"id":"c","choices":[{"text":"!","index":1,"finish_reason":"length"}],"provider":"p"}"#,
            r#"{"id":"c","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":3,"total_tokens":4}}"#,
        ] {
            acc.push(&serde_json::from_str(line).unwrap());
        }
        assert!(acc.finish_reason_seen());
        let done = acc.finish();
        assert_eq!((done.id.as_str(), done.model.as_str(), done.created), ("c", "m", 3));
        assert_eq!(done.object, "text_completion");
        let texts: Vec<_> = done
            .choices
            .iter()
            .map(|c| (c.index, c.text.as_str(), c.finish_reason.as_deref()))
            .collect();
        assert_eq!(texts, [(0, "Hello", Some("stop")), (1, "b!", Some("length"))]);
        assert_eq!(done.usage.unwrap().total_tokens, 4);
        assert_eq!(done.extra["provider"], "p");
    }
}
