//! The Responses protocol: typed events (`event: response.output_text.delta`,
//! each data object carrying the same `type`), ended by `response.completed` or
//! `response.incomplete`. `response.failed` and `error` are errors the gateway
//! reported; a body that ends before one of them is truncated. There is no
//! `[DONE]` and no finish reason. The events add up in a [`ResponseAccumulator`].

use crate::accumulate::StreamEvent;
use crate::response_types::{ContentPart, OutputItem, ResponseObject, ResponseStreamEvent};
use crate::sse::SseEvent;
use crate::types::Usage;

use super::chat::not_a_chunk;
use super::{stream_error, Protocol, Step, Stream};

/// The Responses stream protocol; its state is the accumulator.
#[derive(Debug, Default)]
pub struct Responses(ResponseAccumulator);

/// A streaming response. Dropping it closes the connection.
pub type ResponseStream = Stream<Responses>;

/// Builds the final [`ResponseObject`] from the events of a Responses stream: the
/// response of `response.created`, items as `response.output_item.added` opens
/// them, text and arguments from their deltas, each item replaced by its
/// `response.output_item.done`, and at the end the `response` object of
/// `response.completed` (or `.incomplete`), whose output wins when it has one.
#[derive(Debug, Clone, Default)]
pub struct ResponseAccumulator {
    response: ResponseObject,
}

impl ResponseAccumulator {
    /// Merges one event.
    pub fn push(&mut self, event: &ResponseStreamEvent) {
        let output = &mut self.response.output;
        match event.kind.as_str() {
            "response.created"
            | "response.in_progress"
            | "response.completed"
            | "response.incomplete"
            | "response.failed" => {
                if let Some(response) = &event.response {
                    let built = std::mem::take(output);
                    self.response = response.clone();
                    // A gateway may end with the response's fields but not its output again.
                    if self.response.output.is_empty() {
                        self.response.output = built;
                    }
                }
            }
            "response.output_item.added" | "response.output_item.done" => {
                if let Some(item) = &event.item {
                    let at = event.output_index.unwrap_or(output.len());
                    if at < output.len() {
                        output[at] = item.clone();
                    } else {
                        output.resize_with(at, OutputItem::default);
                        output.push(item.clone());
                    }
                }
            }
            "response.content_part.added" | "response.content_part.done" => {
                if let (Some(item), Some(part)) = (item_at(output, event), &event.part) {
                    let parts = item.content.get_or_insert_with(Vec::new);
                    let at = event.content_index.unwrap_or(parts.len());
                    if at < parts.len() {
                        parts[at] = part.clone();
                    } else {
                        parts.resize_with(at, ContentPart::default);
                        parts.push(part.clone());
                    }
                }
            }
            "response.output_text.delta" | "response.output_text.done" => {
                let done = event.kind.ends_with(".done");
                if let Some(item) = item_at(output, event) {
                    let parts = item.content.get_or_insert_with(Vec::new);
                    let at = event.content_index.unwrap_or(0);
                    if at >= parts.len() {
                        parts.resize_with(at + 1, || ContentPart {
                            kind: "output_text".to_owned(),
                            ..Default::default()
                        });
                    }
                    let text = parts[at].text.get_or_insert_with(String::new);
                    match (done, &event.text, &event.delta) {
                        (true, Some(whole), _) => whole.clone_into(text),
                        (false, _, Some(delta)) => text.push_str(delta),
                        _ => {}
                    }
                }
            }
            "response.function_call_arguments.delta" | "response.function_call_arguments.done" => {
                let done = event.kind.ends_with(".done");
                if let Some(item) = item_at(output, event) {
                    let arguments = item.arguments.get_or_insert_with(String::new);
                    match (done, &event.arguments, &event.delta) {
                        (true, Some(whole), _) => whole.clone_into(arguments),
                        (false, _, Some(delta)) => arguments.push_str(delta),
                        _ => {}
                    }
                }
            }
            // Reasoning summaries and other events: their items arrive whole in `output_item.done`.
            _ => {}
        }
    }

    /// The response as built so far.
    pub fn snapshot(&self) -> ResponseObject {
        self.response.clone()
    }

    /// The final response.
    pub fn finish(self) -> ResponseObject {
        self.response
    }

    /// The response's status so far.
    pub fn status(&self) -> Option<&str> {
        self.response.status.as_deref()
    }
}

/// The item an event is about: by `output_index`, else by `item_id`.
fn item_at<'a>(output: &'a mut [OutputItem], event: &ResponseStreamEvent) -> Option<&'a mut OutputItem> {
    match event.output_index {
        Some(i) if i < output.len() => output.get_mut(i),
        _ => {
            let id = event.item_id.as_deref()?;
            output.iter_mut().find(|item| item.id.as_deref() == Some(id))
        }
    }
}

/// The error object of an `error` event or a failed response, as the engine's errors read it.
fn error_of(event: &ResponseStreamEvent, data: &str) -> serde_json::Value {
    if event.kind == "response.failed" {
        let error = event.response.as_ref().and_then(|r| r.error.clone());
        let error = error.unwrap_or_else(|| serde_json::json!({ "message": "the response failed" }));
        return serde_json::json!({ "error": error });
    }
    if let Some(inner) = event.extra.get("error").filter(|e| e.is_object()) {
        return serde_json::json!({ "error": inner });
    }
    let mut error = event.extra.clone();
    if error.is_empty() {
        return serde_json::Value::String(data.to_owned());
    }
    error.remove("sequence_number");
    serde_json::json!({ "error": error })
}

impl Protocol for Responses {
    type Chunk = ResponseStreamEvent;
    type Final = ResponseObject;

    fn event(
        &mut self,
        event: &SseEvent,
        place: &mut ResponseStreamEvent,
        _events: Option<&mut Vec<StreamEvent>>,
    ) -> Step {
        *place = match serde_json::from_str(&event.data) {
            Ok(parsed) => parsed,
            // An `error` event whose data is not JSON is still the gateway's error.
            Err(_) if event.event.as_deref() == Some("error") => {
                return Step::Fail(stream_error(serde_json::Value::String(event.data.clone())))
            }
            Err(e) => return Step::Fail(not_a_chunk(&event.data, e)),
        };
        // The data's `type` names the event; the `event:` line is the fallback.
        if place.kind.is_empty() {
            if let Some(name) = &event.event {
                place.kind.clone_from(name);
            }
        }
        // An untyped `{"error": {…}}` event is a gateway's error too (OpenRouter writes them in chat streams).
        let untyped_error = place.kind.is_empty() && place.extra.get("error").is_some_and(|e| e.is_object());
        if place.kind == "error" || event.event.as_deref() == Some("error") || untyped_error {
            return Step::Fail(stream_error(error_of(place, &event.data)));
        }
        self.0.push(place);
        match place.kind.as_str() {
            "response.completed" | "response.incomplete" => Step::Last,
            "response.failed" => Step::Fail(stream_error(error_of(place, &event.data))),
            _ => Step::Chunk,
        }
    }

    fn only_usage(_chunk: &ResponseStreamEvent) -> bool {
        false
    }

    fn finish_reason_seen(&self) -> bool {
        // Only `response.completed` / `.incomplete` make a Responses stream whole.
        false
    }

    fn truncation_message(&self) -> &'static str {
        "the stream ended without response.completed, response.incomplete or response.failed: the answer may be truncated"
    }

    fn served(&self) -> crate::receipt::Served {
        let r = &self.0.response;
        crate::receipt::Served::new(
            &r.id,
            &r.model,
            r.extra.get("provider"),
            r.usage.as_ref().and_then(|u| serde_json::to_value(u).ok()),
        )
    }

    fn usage(&self) -> Option<&Usage> {
        // Responses count tokens in their own shape: see `snapshot().usage`.
        None
    }

    fn snapshot(&self) -> ResponseObject {
        self.0.snapshot()
    }

    fn finish(self) -> ResponseObject {
        self.0.finish()
    }
}

impl Responses {
    /// The accumulator.
    pub fn accumulator(&self) -> &ResponseAccumulator {
        &self.0
    }
}

impl Stream<Responses> {
    /// The accumulator, for cheap looks at its state.
    pub fn accumulator(&self) -> &ResponseAccumulator {
        self.protocol().accumulator()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn push_all(lines: &[&str]) -> ResponseAccumulator {
        let mut acc = ResponseAccumulator::default();
        for line in lines {
            acc.push(&serde_json::from_str(line).unwrap());
        }
        acc
    }

    #[test]
    fn text_and_function_call_arguments_add_up_by_item() {
        let acc = push_all(&[
            r#"{"type":"response.created","response":{"id":"resp_1","object":"response","created_at":5,"status":"in_progress","model":"m","output":[]}}"#,
            r#"{"type":"response.output_item.added","output_index":0,"item":{"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"xyz"}}"#,
            r#"{"type":"response.output_item.added","output_index":1,"item":{"type":"message","id":"msg_1","role":"assistant","status":"in_progress","content":[]}}"#,
            r#"{"type":"response.content_part.added","output_index":1,"content_index":0,"item_id":"msg_1","part":{"type":"output_text","text":"","annotations":[]}}"#,
            r#"{"type":"response.output_text.delta","output_index":1,"content_index":0,"item_id":"msg_1","delta":"Hel"}"#,
            r#"{"type":"response.output_text.delta","item_id":"msg_1","content_index":0,"delta":"lo"}"#,
            r#"{"type":"response.output_item.added","output_index":2,"item":{"type":"function_call","id":"fc_1","call_id":"call_1","name":"f","arguments":""}}"#,
            r#"{"type":"response.function_call_arguments.delta","output_index":2,"item_id":"fc_1","delta":"{\"a\":"}"#,
            r#"{"type":"response.function_call_arguments.delta","output_index":2,"item_id":"fc_1","delta":"1}"}"#,
        ]);
        let r = acc.snapshot();
        assert_eq!((r.id.as_str(), r.status.as_deref()), ("resp_1", Some("in_progress")));
        assert_eq!(r.output_text(), "Hello");
        assert_eq!(r.output[0].extra["encrypted_content"], "xyz");
        assert_eq!(
            r.output[1].content.as_ref().unwrap()[0].extra["annotations"],
            serde_json::json!([])
        );
        let call = r.function_calls().next().unwrap();
        assert_eq!(
            (call.name.as_deref(), call.arguments.as_deref()),
            (Some("f"), Some(r#"{"a":1}"#))
        );
    }

    fn step(name: Option<&str>, data: &str) -> Step {
        let event = SseEvent {
            event: name.map(str::to_owned),
            data: data.to_owned(),
            id: None,
            retry: None,
        };
        Responses::default().event(&event, &mut ResponseStreamEvent::default(), None)
    }

    #[test]
    fn completed_and_incomplete_end_errors_and_failed_fail() {
        assert!(matches!(
            step(
                Some("response.completed"),
                r#"{"type":"response.completed","response":{}}"#
            ),
            Step::Last
        ));
        assert!(matches!(
            step(None, r#"{"type":"response.incomplete","response":{}}"#),
            Step::Last
        ));
        assert!(matches!(
            step(None, r#"{"type":"response.output_text.delta","delta":"x"}"#),
            Step::Chunk
        ));
        // The `event:` line names an event whose data has no `type`.
        assert!(matches!(
            step(Some("response.completed"), r#"{"response":{}}"#),
            Step::Last
        ));
        let code = |s: Step| match s {
            Step::Fail(e) => (e.kind(), e.code().map(str::to_owned), e.message().to_owned()),
            other => panic!("{other:?}"),
        };
        let (kind, c, m) = code(step(
            Some("error"),
            r#"{"type":"error","code":"rate_limit","message":"slow down","param":null,"sequence_number":3}"#,
        ));
        assert_eq!(
            (kind, c.as_deref(), m.as_str()),
            (ErrorKind::Stream, Some("rate_limit"), "slow down")
        );
        let (_, c, m) = code(step(
            None,
            r#"{"type":"response.failed","response":{"status":"failed","error":{"code":"server_error","message":"boom"}}}"#,
        ));
        assert_eq!((c.as_deref(), m.as_str()), (Some("server_error"), "boom"));
        let (_, c, _) = code(step(
            None,
            r#"{"error":{"code":502,"message":"Provider returned error"}}"#,
        ));
        assert_eq!(c.as_deref(), Some("502"));
        assert_eq!(code(step(Some("error"), "not json")).0, ErrorKind::Stream);
        assert_eq!(code(step(None, "{not json")).0, ErrorKind::Decode);
    }

    #[test]
    fn the_completed_response_wins_and_keeps_built_output_when_it_has_none() {
        let mut acc = push_all(&[
            r#"{"type":"response.created","response":{"id":"resp_1","status":"in_progress","output":[]}}"#,
            r#"{"type":"response.output_item.added","output_index":0,"item":{"type":"message","id":"m","content":[]}}"#,
            r#"{"type":"response.output_text.delta","output_index":0,"content_index":0,"delta":"Hi"}"#,
        ]);
        let mut with_output = acc.clone();
        acc.push(&serde_json::from_str(r#"{"type":"response.completed","response":{"id":"resp_1","status":"completed","usage":{"input_tokens":2,"output_tokens":1,"total_tokens":3,"output_tokens_details":{"reasoning_tokens":0}}}}"#).unwrap());
        let done = acc.finish();
        assert_eq!(done.status.as_deref(), Some("completed"));
        assert_eq!(done.output_text(), "Hi");
        assert_eq!(done.usage.unwrap().total_tokens, 3);
        with_output.push(&serde_json::from_str(r#"{"type":"response.completed","response":{"id":"resp_1","status":"completed","output":[{"type":"message","content":[{"type":"output_text","text":"Final"}]}]}}"#).unwrap());
        assert_eq!(with_output.finish().output_text(), "Final");
    }
}
