//! Builds the final [`ChatCompletion`] from the chunks of a stream, and
//! derives the helper events that openai-python's and openai-node's chat
//! stream helpers emit (`content.delta`, `tool_calls.function.arguments.done`, …).
//!
//! Lenient where the peers are strict: chunks without `role`, `id` or
//! `finish_reason`, tool-call fragments without `index`, `choices: []` usage
//! chunks and gateway fields (`provider`, `reasoning`, `reasoning_details`,
//! `native_finish_reason`, …) are all accepted and kept.

use serde_json::Value;

use crate::types::{
    ChatCompletion, ChatCompletionChunk, Choice, ChunkChoice, Extra, FunctionCall, ResponseMessage, ToolCall,
    ToolCallDelta, Usage,
};

/// A derived event, for callers who want text as it arrives rather than
/// raw chunks. Events come only from [`ChatAccumulator::push_with_events`].
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    /// A non-empty piece of a choice's content.
    ContentDelta {
        /// Choice index.
        choice: u32,
        /// The new text.
        delta: String,
    },
    /// The choice got its `finish_reason`; the whole content.
    ContentDone {
        /// Choice index.
        choice: u32,
        /// The whole content.
        content: String,
    },
    /// A non-empty piece of a choice's refusal.
    RefusalDelta {
        /// Choice index.
        choice: u32,
        /// The new text.
        delta: String,
    },
    /// The choice got its `finish_reason`; the whole refusal.
    RefusalDone {
        /// Choice index.
        choice: u32,
        /// The whole refusal.
        refusal: String,
    },
    /// A non-empty piece of reasoning, from `reasoning_content` or `reasoning`.
    ReasoningDelta {
        /// Choice index.
        choice: u32,
        /// The new text.
        delta: String,
    },
    /// A non-empty piece of a tool call's arguments.
    ToolCallArgumentsDelta {
        /// Choice index.
        choice: u32,
        /// Tool-call index within the choice.
        index: u32,
        /// The function name (known from the call's first fragment).
        name: String,
        /// The new piece of the JSON arguments.
        arguments_delta: String,
    },
    /// The next call started or the choice finished; the call's whole arguments.
    ToolCallArgumentsDone {
        /// Choice index.
        choice: u32,
        /// Tool-call index within the choice.
        index: u32,
        /// The function name.
        name: String,
        /// The whole arguments, as received (`""` stays `""` here).
        arguments: String,
    },
}

impl StreamEvent {
    /// The event's name, as openai-python's and openai-node's stream helpers call it.
    pub fn name(&self) -> &'static str {
        match self {
            StreamEvent::ContentDelta { .. } => "content.delta",
            StreamEvent::ContentDone { .. } => "content.done",
            StreamEvent::RefusalDelta { .. } => "refusal.delta",
            StreamEvent::RefusalDone { .. } => "refusal.done",
            StreamEvent::ReasoningDelta { .. } => "reasoning.delta",
            StreamEvent::ToolCallArgumentsDelta { .. } => "tool_calls.function.arguments.delta",
            StreamEvent::ToolCallArgumentsDone { .. } => "tool_calls.function.arguments.done",
        }
    }
}

/// Event bookkeeping for one tool call, parallel to the message's `tool_calls`.
#[derive(Debug, Clone)]
struct CallState {
    /// Wire index (or the one given to a fragment that had none).
    index: u32,
    /// Whether `type` came from the wire; until then the default `function` stands.
    has_type: bool,
    done: bool,
}

#[derive(Debug, Clone)]
struct ChoiceState {
    choice: Choice,
    calls: Vec<CallState>,
    /// Position (in `calls`) of the call the last fragment extended.
    current_call: Option<usize>,
    content_done: bool,
    refusal_done: bool,
}

impl ChoiceState {
    fn new(index: u32) -> Self {
        Self {
            choice: Choice {
                index,
                message: ResponseMessage {
                    role: "assistant".to_owned(),
                    ..Default::default()
                },
                ..Default::default()
            },
            calls: Vec::new(),
            current_call: None,
            content_done: false,
            refusal_done: false,
        }
    }
}

/// Merges stream chunks into a [`ChatCompletion`].
///
/// ```
/// use routerkit::accumulate::ChatAccumulator;
/// use routerkit::ChatCompletionChunk;
///
/// let mut acc = ChatAccumulator::new();
/// for line in [
///     r#"{"id":"c1","model":"m","choices":[{"index":0,"delta":{"content":"Hel"}}]}"#,
///     r#"{"id":"c1","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}"#,
///     r#"{"id":"c1","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}"#,
/// ] {
///     let chunk: ChatCompletionChunk = serde_json::from_str(line).unwrap();
///     acc.push(&chunk);
/// }
/// let done = acc.finish();
/// assert_eq!(done.choices[0].message.content.as_deref(), Some("Hello"));
/// assert_eq!(done.usage.unwrap().total_tokens, 5);
/// ```
#[derive(Debug, Clone, Default)]
pub struct ChatAccumulator {
    /// Completion-level fields; `choices` stays empty and lives in `choices` below.
    base: ChatCompletion,
    /// Sorted by choice index.
    choices: Vec<ChoiceState>,
    chunk_count: usize,
    finish_reason_seen: bool,
}

impl ChatAccumulator {
    /// An empty accumulator.
    pub fn new() -> Self {
        Self::default()
    }

    /// The completion-level fields merged so far (id, model, usage, `provider`…), without choices.
    pub(crate) fn base(&self) -> &ChatCompletion {
        &self.base
    }

    /// Merge one chunk. Never indexes `choices[0]` unguarded: a `choices: []`
    /// usage chunk only updates usage.
    pub fn push(&mut self, chunk: &ChatCompletionChunk) {
        self.merge(chunk, None);
    }

    /// Same as [`push`](Self::push), and appends the derived helper events
    /// (what openai-python/openai-node stream helpers emit) to `out`.
    ///
    /// Per choice the order is: reasoning, content and refusal deltas, tool-call
    /// events, then — when the chunk carries the choice's first
    /// `finish_reason` — `ContentDone`, `RefusalDone` and the remaining
    /// `ToolCallArgumentsDone`s in index order.
    pub fn push_with_events(&mut self, chunk: &ChatCompletionChunk, out: &mut Vec<StreamEvent>) {
        self.merge(chunk, Some(out));
    }

    /// The completion as built so far (`object` = `"chat.completion"`), for
    /// snapshots. Arguments are as received (`""` is not yet `"{}"`).
    pub fn snapshot(&self) -> ChatCompletion {
        let mut completion = self.base.clone();
        completion.object = "chat.completion".to_owned();
        completion.choices = self.choices.iter().map(|c| c.choice.clone()).collect();
        completion
    }

    /// Final completion; tool-call `arguments` that are `""` become `"{}"`
    /// (a call without parameters, which strict servers reject when sent back
    /// as `""`).
    pub fn finish(self) -> ChatCompletion {
        let mut completion = self.base;
        completion.object = "chat.completion".to_owned();
        completion.choices = self
            .choices
            .into_iter()
            .map(|state| {
                let mut choice = state.choice;
                for call in choice.message.tool_calls.iter_mut().flatten() {
                    if call.function.arguments.is_empty() {
                        call.function.arguments.push_str("{}");
                    }
                }
                choice
            })
            .collect();
        completion
    }

    /// The last non-null usage seen, from any chunk.
    pub fn usage(&self) -> Option<&Usage> {
        self.base.usage.as_ref()
    }

    /// Whether any choice got a non-null `finish_reason`; a stream that ends
    /// without one (nor `[DONE]`) was cut short.
    pub fn finish_reason_seen(&self) -> bool {
        self.finish_reason_seen
    }

    /// How many chunks were pushed.
    pub fn chunk_count(&self) -> usize {
        self.chunk_count
    }

    /// Choices held, and the most tool calls held by one of them: what a stream's bounds
    /// ([`limits::MAX_CHOICES`](crate::limits::MAX_CHOICES), [`limits::MAX_TOOL_CALLS`](crate::limits::MAX_TOOL_CALLS)) are checked against.
    pub fn sizes(&self) -> (usize, usize) {
        let calls = self.choices.iter().map(|c| c.calls.len()).max().unwrap_or(0);
        (self.choices.len(), calls)
    }

    fn merge(&mut self, chunk: &ChatCompletionChunk, mut out: Option<&mut Vec<StreamEvent>>) {
        self.chunk_count += 1;
        let base = &mut self.base;
        if base.id.is_empty() && !chunk.id.is_empty() {
            base.id.clone_from(&chunk.id);
        }
        if base.model.is_empty() && !chunk.model.is_empty() {
            base.model.clone_from(&chunk.model);
        }
        if base.created == 0 && chunk.created != 0 {
            base.created = chunk.created;
        }
        if base.system_fingerprint.is_none() {
            if let Some(fp) = chunk.system_fingerprint.as_ref().filter(|fp| !fp.is_empty()) {
                base.system_fingerprint = Some(fp.clone());
            }
        }
        if let Some(usage) = &chunk.usage {
            base.usage = Some(usage.clone());
        }
        // `obfuscation` is random padding that differs on every chunk; like
        // openai-python's helper, do not carry it into the completion.
        merge_extra(&mut base.extra, &chunk.extra, &["obfuscation"]);

        for delta in &chunk.choices {
            let pos = match self.choices.binary_search_by_key(&delta.index, |c| c.choice.index) {
                Ok(pos) => pos,
                Err(pos) => {
                    self.choices.insert(pos, ChoiceState::new(delta.index));
                    pos
                }
            };
            let state = &mut self.choices[pos];
            merge_choice(state, delta, out.as_deref_mut());
            if delta.finish_reason.is_some() {
                self.finish_reason_seen = true;
            }
        }
    }
}

/// Later values win, except that a `null` does not erase a value: gateways
/// repeat nullable fields as `null` on chunks that do not carry them.
fn merge_extra<'a>(into: &mut Extra, from: impl IntoIterator<Item = (&'a String, &'a Value)>, skip: &[&str]) {
    for (key, value) in from {
        if skip.contains(&key.as_str()) {
            continue;
        }
        if value.is_null() && into.get(key).is_some_and(|v| !v.is_null()) {
            continue;
        }
        into.insert(key.clone(), value.clone());
    }
}

fn append(into: &mut Option<String>, piece: &str) {
    match into {
        Some(s) => s.push_str(piece),
        None => *into = Some(piece.to_owned()),
    }
}

fn merge_choice(state: &mut ChoiceState, chunk_choice: &ChunkChoice, mut out: Option<&mut Vec<StreamEvent>>) {
    let index = chunk_choice.index;
    let delta = &chunk_choice.delta;
    let msg = &mut state.choice.message;

    if let Some(role) = delta.role.as_ref().filter(|r| !r.is_empty()) {
        if msg.role != *role {
            msg.role.clone_from(role);
        }
    }

    if let Some(piece) = &delta.reasoning_content {
        append(&mut msg.reasoning_content, piece);
    }
    if let Some(piece) = &delta.reasoning {
        append(&mut msg.reasoning, piece);
    }
    if let Some(out) = out.as_deref_mut() {
        let rc = delta.reasoning_content.as_deref().unwrap_or("");
        let r = delta.reasoning.as_deref().unwrap_or("");
        if !rc.is_empty() {
            out.push(StreamEvent::ReasoningDelta {
                choice: index,
                delta: rc.to_owned(),
            });
        }
        // Some gateways send the same text under both names; one event is enough.
        if !r.is_empty() && r != rc {
            out.push(StreamEvent::ReasoningDelta {
                choice: index,
                delta: r.to_owned(),
            });
        }
    }
    if let Some(details) = &delta.reasoning_details {
        msg.reasoning_details
            .get_or_insert_with(Vec::new)
            .extend(details.iter().cloned());
    }

    if let Some(piece) = &delta.content {
        append(&mut msg.content, piece);
        if let Some(out) = out.as_deref_mut().filter(|_| !piece.is_empty()) {
            out.push(StreamEvent::ContentDelta {
                choice: index,
                delta: piece.clone(),
            });
        }
    }
    if let Some(piece) = &delta.refusal {
        append(&mut msg.refusal, piece);
        if let Some(out) = out.as_deref_mut().filter(|_| !piece.is_empty()) {
            out.push(StreamEvent::RefusalDelta {
                choice: index,
                delta: piece.clone(),
            });
        }
    }

    for fragment in delta.tool_calls.iter().flatten() {
        merge_tool_call(state, index, fragment, out.as_deref_mut());
    }

    let msg = &mut state.choice.message;
    merge_extra(&mut msg.extra, &delta.extra, &[]);
    merge_extra(&mut state.choice.extra, &chunk_choice.extra, &[]);
    if let Some(logprobs) = &chunk_choice.logprobs {
        merge_logprobs(&mut state.choice.logprobs, logprobs);
    }

    if let Some(reason) = &chunk_choice.finish_reason {
        let first = state.choice.finish_reason.is_none();
        state.choice.finish_reason = Some(reason.clone());
        if let (true, Some(out)) = (first, out) {
            finish_events(state, index, out);
        }
    }
}

fn finish_events(state: &mut ChoiceState, choice: u32, out: &mut Vec<StreamEvent>) {
    let msg = &state.choice.message;
    if !state.content_done {
        if let Some(content) = msg.content.as_ref().filter(|c| !c.is_empty()) {
            state.content_done = true;
            out.push(StreamEvent::ContentDone {
                choice,
                content: content.clone(),
            });
        }
    }
    if !state.refusal_done {
        if let Some(refusal) = msg.refusal.as_ref().filter(|r| !r.is_empty()) {
            state.refusal_done = true;
            out.push(StreamEvent::RefusalDone {
                choice,
                refusal: refusal.clone(),
            });
        }
    }
    let calls = msg.tool_calls.as_deref().unwrap_or(&[]);
    for (call, meta) in calls.iter().zip(state.calls.iter_mut()) {
        if !meta.done {
            meta.done = true;
            out.push(done_event(choice, meta.index, call));
        }
    }
}

fn done_event(choice: u32, index: u32, call: &ToolCall) -> StreamEvent {
    StreamEvent::ToolCallArgumentsDone {
        choice,
        index,
        name: call.function.name.clone(),
        arguments: call.function.arguments.clone(),
    }
}

fn merge_tool_call(state: &mut ChoiceState, choice: u32, fragment: &ToolCallDelta, out: Option<&mut Vec<StreamEvent>>) {
    let calls = state.choice.message.tool_calls.get_or_insert_with(Vec::new);
    let frag_id = fragment.id.as_deref().filter(|id| !id.is_empty());

    let existing = match fragment.index {
        Some(index) => state.calls.iter().position(|c| c.index == index),
        // No index: continue the last call, unless the fragment names another call.
        None => state.current_call.filter(|&pos| match frag_id {
            Some(id) => calls[pos].id.is_empty() || calls[pos].id == id,
            None => true,
        }),
    };
    let (pos, started) = match existing {
        Some(pos) => (pos, false),
        None => {
            // Saturating: a call at index u32::MAX must not make the next one overflow.
            let index = fragment
                .index
                .unwrap_or_else(|| state.calls.iter().map(|c| c.index.saturating_add(1)).max().unwrap_or(0));
            let pos = state.calls.partition_point(|c| c.index < index);
            state.calls.insert(
                pos,
                CallState {
                    index,
                    has_type: false,
                    done: false,
                },
            );
            calls.insert(
                pos,
                ToolCall {
                    id: String::new(),
                    kind: "function".to_owned(),
                    function: FunctionCall::default(),
                    extra: Extra::new(),
                },
            );
            // The inserted call may shift the position of the current one.
            if let Some(cur) = state.current_call.as_mut().filter(|cur| **cur >= pos) {
                *cur += 1;
            }
            (pos, true)
        }
    };

    let mut out = out;
    if started {
        // The previous call is complete once the next one starts (as in the
        // peers' helpers); remaining ones complete at finish_reason.
        if let (Some(prev), Some(out)) = (state.current_call, out.as_deref_mut()) {
            let meta = &mut state.calls[prev];
            if !meta.done {
                meta.done = true;
                out.push(done_event(choice, meta.index, &calls[prev]));
            }
        }
    }
    state.current_call = Some(pos);

    let call = &mut calls[pos];
    let meta = &mut state.calls[pos];
    if let Some(id) = frag_id {
        if call.id.is_empty() {
            call.id = id.to_owned();
        }
    }
    if let Some(kind) = fragment.kind.as_deref().filter(|k| !k.is_empty()) {
        if !meta.has_type {
            meta.has_type = true;
            if call.kind != kind {
                call.kind = kind.to_owned();
            }
        }
    }
    if let Some(function) = &fragment.function {
        if let Some(name) = function.name.as_deref().filter(|n| !n.is_empty()) {
            if call.function.name.is_empty() {
                call.function.name = name.to_owned();
            }
        }
        if let Some(args) = function.arguments.as_deref().filter(|a| !a.is_empty()) {
            call.function.arguments.push_str(args);
            if let Some(out) = out {
                out.push(StreamEvent::ToolCallArgumentsDelta {
                    choice,
                    index: meta.index,
                    name: call.function.name.clone(),
                    arguments_delta: args.to_owned(),
                });
            }
        }
    }
}

/// Appends the token arrays (`content`, `refusal`) when both sides have
/// them; anything else is replaced by the newer non-null value.
fn merge_logprobs(into: &mut Option<Value>, new: &Value) {
    if new.is_null() {
        return;
    }
    match (into.as_mut(), new) {
        (Some(Value::Object(old)), Value::Object(new)) => {
            for (key, value) in new {
                match (old.get_mut(key), value) {
                    (Some(Value::Array(old_items)), Value::Array(new_items))
                        if key == "content" || key == "refusal" =>
                    {
                        old_items.extend(new_items.iter().cloned());
                    }
                    (Some(old_value), Value::Null) if !old_value.is_null() => {}
                    _ => {
                        old.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        _ => *into = Some(new.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chunk(v: Value) -> ChatCompletionChunk {
        serde_json::from_value(v).unwrap()
    }

    fn run(chunks: &[Value]) -> (ChatAccumulator, Vec<StreamEvent>) {
        let mut acc = ChatAccumulator::new();
        let mut events = Vec::new();
        for c in chunks {
            acc.push_with_events(&chunk(c.clone()), &mut events);
        }
        (acc, events)
    }

    fn text(choice: u32, delta: Value) -> Value {
        json!({"id": "c1", "object": "chat.completion.chunk", "created": 7, "model": "m",
               "choices": [{"index": choice, "delta": delta, "finish_reason": null}]})
    }

    fn fin(choice: u32, reason: &str) -> Value {
        json!({"id": "c1", "choices": [{"index": choice, "delta": {}, "finish_reason": reason}]})
    }

    #[test]
    fn content_concatenated_with_metadata_from_first_chunk() {
        let (acc, _) = run(&[
            json!({"id": "", "model": "", "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]}),
            json!({"id": "c1", "created": 5, "model": "openai/gpt-4o", "system_fingerprint": "fp1",
                   "choices": [{"index": 0, "delta": {"content": "Hel"}}]}),
            json!({"id": "c2", "created": 9, "model": "other", "system_fingerprint": "fp2",
                   "choices": [{"index": 0, "delta": {"content": "lo"}}]}),
            fin(0, "stop"),
        ]);
        assert!(acc.finish_reason_seen());
        assert_eq!(acc.chunk_count(), 4);
        let done = acc.finish();
        assert_eq!(done.object, "chat.completion");
        assert_eq!(
            (done.id.as_str(), done.model.as_str(), done.created),
            ("c1", "openai/gpt-4o", 5)
        );
        assert_eq!(done.system_fingerprint.as_deref(), Some("fp1"));
        let choice = &done.choices[0];
        assert_eq!(choice.message.role, "assistant");
        assert_eq!(choice.message.content.as_deref(), Some("Hello"));
        assert_eq!(choice.finish_reason.as_deref(), Some("stop"));
        assert_eq!(done.usage, None);
    }

    #[test]
    fn gateway_omissions_tolerated() {
        // No role, no id, no finish_reason, no object.
        let (acc, _) = run(&[json!({"choices": [{"delta": {"content": "x"}}]})]);
        assert!(!acc.finish_reason_seen());
        let done = acc.finish();
        assert_eq!(done.choices[0].message.role, "assistant");
        assert_eq!(done.choices[0].message.content.as_deref(), Some("x"));
        assert_eq!(done.choices[0].finish_reason, None);
        assert_eq!(done.id, "");
    }

    #[test]
    fn content_none_when_no_content_delta() {
        let (acc, _) = run(&[text(0, json!({"role": "assistant", "content": null})), fin(0, "stop")]);
        assert_eq!(acc.finish().choices[0].message.content, None);
    }

    #[test]
    fn usage_chunk_with_empty_choices() {
        let mut acc = ChatAccumulator::new();
        acc.push(&chunk(text(0, json!({"content": "hi"}))));
        acc.push(&chunk(fin(0, "stop")));
        acc.push(&chunk(json!({"id": "c1", "choices": [],
            "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4, "cost": 0.01}})));
        assert_eq!(acc.usage().unwrap().total_tokens, 4);
        let done = acc.finish();
        assert_eq!(done.choices.len(), 1);
        assert_eq!(done.usage.as_ref().unwrap().extra["cost"], json!(0.01));
    }

    #[test]
    fn usage_only_stream_has_no_choices() {
        let (acc, events) = run(&[json!({"choices": [], "usage": {"total_tokens": 1}})]);
        assert!(events.is_empty());
        assert!(acc.finish().choices.is_empty());
    }

    #[test]
    fn usage_on_content_chunk_survives_later_nulls() {
        let (acc, _) = run(&[
            json!({"choices": [{"index": 0, "delta": {"content": "a"}}], "usage": {"total_tokens": 9}}),
            json!({"choices": [{"index": 0, "delta": {"content": "b"}}], "usage": null}),
            json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}),
        ]);
        assert_eq!(acc.usage().map(|u| u.total_tokens), Some(9));
        assert_eq!(acc.snapshot().usage.unwrap().total_tokens, 9);
    }

    #[test]
    fn last_non_null_usage_wins() {
        let (acc, _) = run(&[
            json!({"choices": [], "usage": {"total_tokens": 1}}),
            json!({"choices": [], "usage": {"total_tokens": 2}}),
            json!({"choices": []}),
        ]);
        assert_eq!(acc.usage().unwrap().total_tokens, 2);
    }

    #[test]
    fn sequential_tool_calls_and_events() {
        let (acc, events) = run(&[
            text(
                0,
                json!({"role": "assistant", "content": null, "tool_calls": [
                {"index": 0, "id": "call_a", "type": "function", "function": {"name": "get_weather", "arguments": ""}}]}),
            ),
            text(
                0,
                json!({"tool_calls": [{"index": 0, "function": {"arguments": "{\"city\":"}}]}),
            ),
            text(
                0,
                json!({"tool_calls": [{"index": 0, "function": {"arguments": "\"Paris\"}"}}]}),
            ),
            text(
                0,
                json!({"tool_calls": [
                {"index": 1, "id": "call_b", "type": "function", "function": {"name": "get_time", "arguments": "{}"}}]}),
            ),
            fin(0, "tool_calls"),
        ]);
        let ev = |index, name: &str, d: &str| StreamEvent::ToolCallArgumentsDelta {
            choice: 0,
            index,
            name: name.into(),
            arguments_delta: d.into(),
        };
        let done = |index, name: &str, a: &str| StreamEvent::ToolCallArgumentsDone {
            choice: 0,
            index,
            name: name.into(),
            arguments: a.into(),
        };
        assert_eq!(
            events,
            vec![
                ev(0, "get_weather", "{\"city\":"),
                ev(0, "get_weather", "\"Paris\"}"),
                done(0, "get_weather", "{\"city\":\"Paris\"}"),
                ev(1, "get_time", "{}"),
                done(1, "get_time", "{}"),
            ]
        );
        let done = acc.finish();
        let calls = done.choices[0].message.tool_calls.as_ref().unwrap();
        assert_eq!(calls.len(), 2);
        assert_eq!((calls[0].id.as_str(), calls[0].kind.as_str()), ("call_a", "function"));
        assert_eq!(calls[0].function.arguments, "{\"city\":\"Paris\"}");
        assert_eq!(calls[1].function.name, "get_time");
        assert_eq!(done.choices[0].message.content, None);
    }

    #[test]
    fn parallel_tool_calls_interleaved_by_index() {
        let (acc, events) = run(&[
            text(
                0,
                json!({"tool_calls": [
                {"index": 0, "id": "a", "type": "function", "function": {"name": "f", "arguments": "{\"x\""}},
                {"index": 1, "id": "b", "type": "function", "function": {"name": "g", "arguments": "{\"y\""}}]}),
            ),
            text(
                0,
                json!({"tool_calls": [{"index": 1, "function": {"arguments": ":2}"}}]}),
            ),
            text(
                0,
                json!({"tool_calls": [{"index": 0, "function": {"arguments": ":1}"}}]}),
            ),
            fin(0, "tool_calls"),
        ]);
        let done = acc.finish();
        let calls = done.choices[0].message.tool_calls.as_ref().unwrap();
        assert_eq!(calls[0].function.arguments, "{\"x\":1}");
        assert_eq!(calls[1].function.arguments, "{\"y\":2}");
        assert_eq!((calls[0].id.as_str(), calls[1].id.as_str()), ("a", "b"));
        // Every call gets exactly one done event.
        let dones: Vec<u32> = events
            .iter()
            .filter_map(|e| match e {
                StreamEvent::ToolCallArgumentsDone { index, .. } => Some(*index),
                _ => None,
            })
            .collect();
        assert_eq!(dones, vec![0, 1]);
    }

    #[test]
    fn calls_sorted_by_index_even_if_higher_index_first() {
        let (acc, _) = run(&[
            text(
                0,
                json!({"tool_calls": [{"index": 1, "id": "b", "function": {"name": "g", "arguments": "{}"}}]}),
            ),
            text(
                0,
                json!({"tool_calls": [{"index": 0, "id": "a", "function": {"name": "f", "arguments": "{}"}}]}),
            ),
            text(0, json!({"tool_calls": [{"index": 1, "function": {"arguments": " "}}]})),
        ]);
        let calls = acc.finish().choices[0].message.tool_calls.clone().unwrap();
        assert_eq!(calls.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), vec!["a", "b"]);
        assert_eq!(calls[1].function.arguments, "{} ");
    }

    #[test]
    fn missing_index_continues_last_call_or_starts_new_on_new_id() {
        let (acc, events) = run(&[
            text(
                0,
                json!({"tool_calls": [{"id": "a", "type": "function", "function": {"name": "f", "arguments": "{\"q\":"}}]}),
            ),
            text(0, json!({"tool_calls": [{"function": {"arguments": "1}"}}]})),
            text(0, json!({"tool_calls": [{"id": "a", "function": {"arguments": ""}}]})),
            text(
                0,
                json!({"tool_calls": [{"id": "b", "type": "function", "function": {"name": "g", "arguments": "{}"}}]}),
            ),
            fin(0, "tool_calls"),
        ]);
        let calls = acc.finish().choices[0].message.tool_calls.clone().unwrap();
        assert_eq!(calls.len(), 2);
        assert_eq!(
            (calls[0].id.as_str(), calls[0].function.arguments.as_str()),
            ("a", "{\"q\":1}")
        );
        assert_eq!((calls[1].id.as_str(), calls[1].function.name.as_str()), ("b", "g"));
        assert!(events.contains(&StreamEvent::ToolCallArgumentsDone {
            choice: 0,
            index: 1,
            name: "g".into(),
            arguments: "{}".into()
        }));
    }

    #[test]
    fn first_fragment_fields_win() {
        let (acc, _) = run(&[
            text(
                0,
                json!({"tool_calls": [{"index": 0, "id": "a", "type": "function", "function": {"name": "f"}}]}),
            ),
            text(
                0,
                json!({"tool_calls": [{"index": 0, "id": "zzz", "type": "other", "function": {"name": "h", "arguments": "{}"}}]}),
            ),
        ]);
        let call = acc.finish().choices[0].message.tool_calls.clone().unwrap().remove(0);
        assert_eq!(
            (call.id.as_str(), call.kind.as_str(), call.function.name.as_str()),
            ("a", "function", "f")
        );
    }

    #[test]
    fn type_defaults_to_function_and_id_may_come_later() {
        let (acc, _) = run(&[
            text(0, json!({"tool_calls": [{"index": 0, "function": {"name": "f"}}]})),
            text(
                0,
                json!({"tool_calls": [{"index": 0, "id": "late", "function": {"arguments": "{}"}}]}),
            ),
        ]);
        let call = acc.finish().choices[0].message.tool_calls.clone().unwrap().remove(0);
        assert_eq!((call.id.as_str(), call.kind.as_str()), ("late", "function"));
    }

    #[test]
    fn empty_arguments_become_empty_object_on_finish_only() {
        let (acc, events) = run(&[
            text(
                0,
                json!({"tool_calls": [{"index": 0, "id": "a", "type": "function", "function": {"name": "now", "arguments": ""}}]}),
            ),
            fin(0, "tool_calls"),
        ]);
        assert_eq!(
            events,
            vec![StreamEvent::ToolCallArgumentsDone {
                choice: 0,
                index: 0,
                name: "now".into(),
                arguments: "".into()
            }]
        );
        let snap = acc.snapshot();
        assert_eq!(
            snap.choices[0].message.tool_calls.as_ref().unwrap()[0]
                .function
                .arguments,
            ""
        );
        let done = acc.finish();
        assert_eq!(
            done.choices[0].message.tool_calls.as_ref().unwrap()[0]
                .function
                .arguments,
            "{}"
        );
    }

    #[test]
    fn reasoning_both_names_and_details() {
        let (acc, events) = run(&[
            text(
                0,
                json!({"reasoning_content": "think ", "reasoning_details": [{"type": "reasoning.text", "text": "a"}]}),
            ),
            text(
                0,
                json!({"reasoning": "hard", "reasoning_details": [{"type": "reasoning.encrypted", "data": "xyz"}]}),
            ),
            text(0, json!({"reasoning_content": "er", "reasoning": "er"})),
            text(0, json!({"content": "42"})),
        ]);
        let msg = acc.finish().choices.remove(0).message;
        assert_eq!(msg.reasoning_content.as_deref(), Some("think er"));
        assert_eq!(msg.reasoning.as_deref(), Some("harder"));
        assert_eq!(
            msg.reasoning_details.unwrap(),
            vec![
                json!({"type": "reasoning.text", "text": "a"}),
                json!({"type": "reasoning.encrypted", "data": "xyz"}),
            ]
        );
        let r = |d: &str| StreamEvent::ReasoningDelta {
            choice: 0,
            delta: d.into(),
        };
        assert_eq!(
            events,
            vec![
                r("think "),
                r("hard"),
                r("er"),
                StreamEvent::ContentDelta {
                    choice: 0,
                    delta: "42".into()
                }
            ]
        );
    }

    #[test]
    fn multiple_choices() {
        let (acc, events) = run(&[
            json!({"choices": [
                {"index": 1, "delta": {"role": "assistant", "content": "B"}},
                {"index": 0, "delta": {"role": "assistant", "content": "A"}}]}),
            text(0, json!({"content": "a"})),
            text(1, json!({"content": "b"})),
            fin(1, "length"),
            fin(0, "stop"),
        ]);
        let done = acc.finish();
        assert_eq!(done.choices.len(), 2);
        assert_eq!(done.choices[0].index, 0);
        assert_eq!(done.choices[0].message.content.as_deref(), Some("Aa"));
        assert_eq!(done.choices[1].message.content.as_deref(), Some("Bb"));
        assert_eq!(done.choices[1].finish_reason.as_deref(), Some("length"));
        let dones: Vec<_> = events
            .iter()
            .filter(|e| matches!(e, StreamEvent::ContentDone { .. }))
            .collect();
        assert_eq!(
            dones,
            vec![
                &StreamEvent::ContentDone {
                    choice: 1,
                    content: "Bb".into()
                },
                &StreamEvent::ContentDone {
                    choice: 0,
                    content: "Aa".into()
                },
            ]
        );
    }

    #[test]
    fn unknown_fields_preserved() {
        let (acc, _) = run(&[
            json!({"id": "c", "provider": "OpenAI", "obfuscation": "abc",
                   "choices": [{"index": 0, "delta": {"content": "x", "annotations": [1]}, "native_finish_reason": null}]}),
            json!({"provider": "Azure", "obfuscation": "def",
                   "choices": [{"index": 0, "delta": {"annotations": null, "audio": {"id": "a"}},
                                "finish_reason": "stop", "native_finish_reason": "end_turn"}]}),
        ]);
        let done = acc.finish();
        assert_eq!(done.extra.get("provider"), Some(&json!("Azure")));
        assert!(!done.extra.contains_key("obfuscation"));
        let choice = &done.choices[0];
        assert_eq!(choice.extra["native_finish_reason"], json!("end_turn"));
        assert_eq!(choice.message.extra["annotations"], json!([1]));
        assert_eq!(choice.message.extra["audio"], json!({"id": "a"}));
        // Survives serialization too.
        let v = serde_json::to_value(&done).unwrap();
        assert_eq!(v["provider"], json!("Azure"));
        assert_eq!(v["choices"][0]["native_finish_reason"], json!("end_turn"));
    }

    #[test]
    fn refusal_accumulated_with_events() {
        let (acc, events) = run(&[
            text(0, json!({"refusal": "I can't"})),
            text(0, json!({"refusal": " help."})),
            fin(0, "stop"),
        ]);
        assert_eq!(
            events,
            vec![
                StreamEvent::RefusalDelta {
                    choice: 0,
                    delta: "I can't".into()
                },
                StreamEvent::RefusalDelta {
                    choice: 0,
                    delta: " help.".into()
                },
                StreamEvent::RefusalDone {
                    choice: 0,
                    refusal: "I can't help.".into()
                },
            ]
        );
        assert_eq!(
            acc.finish().choices[0].message.refusal.as_deref(),
            Some("I can't help.")
        );
    }

    #[test]
    fn logprobs_content_appended() {
        let (acc, _) = run(&[
            json!({"choices": [{"index": 0, "delta": {"content": "a"}, "logprobs": {"content": [{"token": "a"}], "refusal": null}}]}),
            json!({"choices": [{"index": 0, "delta": {"content": "b"}, "logprobs": {"content": [{"token": "b"}], "refusal": null}}]}),
            json!({"choices": [{"index": 0, "delta": {}, "logprobs": null, "finish_reason": "stop"}]}),
        ]);
        let done = acc.finish();
        assert_eq!(
            done.choices[0].logprobs,
            Some(json!({"content": [{"token": "a"}, {"token": "b"}], "refusal": null}))
        );
    }

    #[test]
    fn logprobs_last_wins_when_not_arrays() {
        let (acc, _) = run(&[
            json!({"choices": [{"index": 0, "delta": {}, "logprobs": [1]}]}),
            json!({"choices": [{"index": 0, "delta": {}, "logprobs": {"tokens": ["x"]}}]}),
        ]);
        assert_eq!(acc.finish().choices[0].logprobs, Some(json!({"tokens": ["x"]})));
    }

    #[test]
    fn events_order_within_a_stream() {
        let (_, events) = run(&[
            text(0, json!({"role": "assistant", "content": ""})),
            text(0, json!({"reasoning": "hmm"})),
            text(0, json!({"content": "Hi"})),
            text(
                0,
                json!({"content": "!", "tool_calls": [{"index": 0, "id": "a", "function": {"name": "f", "arguments": "{}"}}]}),
            ),
            json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}], "usage": {"total_tokens": 3}}),
            fin(0, "tool_calls"),
        ]);
        assert_eq!(
            events,
            vec![
                StreamEvent::ReasoningDelta {
                    choice: 0,
                    delta: "hmm".into()
                },
                StreamEvent::ContentDelta {
                    choice: 0,
                    delta: "Hi".into()
                },
                StreamEvent::ContentDelta {
                    choice: 0,
                    delta: "!".into()
                },
                StreamEvent::ToolCallArgumentsDelta {
                    choice: 0,
                    index: 0,
                    name: "f".into(),
                    arguments_delta: "{}".into()
                },
                StreamEvent::ContentDone {
                    choice: 0,
                    content: "Hi!".into()
                },
                StreamEvent::ToolCallArgumentsDone {
                    choice: 0,
                    index: 0,
                    name: "f".into(),
                    arguments: "{}".into()
                },
            ]
        );
    }

    #[test]
    fn push_emits_nothing_and_matches_push_with_events() {
        let chunks = [
            text(
                0,
                json!({"content": "a", "tool_calls": [{"index": 0, "function": {"name": "f", "arguments": "1"}}]}),
            ),
            fin(0, "stop"),
        ];
        let (with_events, _) = run(&chunks);
        let mut plain = ChatAccumulator::new();
        for c in &chunks {
            plain.push(&chunk(c.clone()));
        }
        assert_eq!(plain.snapshot(), with_events.snapshot());
    }

    #[test]
    fn snapshot_is_incremental() {
        let mut acc = ChatAccumulator::new();
        acc.push(&chunk(text(0, json!({"content": "a"}))));
        assert_eq!(acc.snapshot().choices[0].message.content.as_deref(), Some("a"));
        acc.push(&chunk(text(0, json!({"content": "b"}))));
        let snap = acc.snapshot();
        assert_eq!(snap.object, "chat.completion");
        assert_eq!(snap.choices[0].message.content.as_deref(), Some("ab"));
        assert_eq!(acc.clone().finish(), {
            let mut s = snap;
            s.choices[0].message.tool_calls = None;
            s
        });
    }

    #[test]
    fn error_chunk_fields_kept() {
        let (acc, _) = run(&[json!({"error": {"code": 502, "message": "upstream"},
            "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}]})]);
        assert!(acc.finish_reason_seen());
        let done = acc.finish();
        assert_eq!(done.extra["error"]["code"], json!(502));
        assert_eq!(done.choices[0].finish_reason.as_deref(), Some("error"));
    }
}
