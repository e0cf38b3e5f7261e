//! The wire forms a binding hands its host language: one for errors
//! ([`ErrorWire`]), one for stream events ([`EventWire`]).
//!
//! **Errors.** Every field of [`Error`], under one name each, as a JSON object:
//! `kind`, `message`, `status`, `code`, `type`, `param`, `field`, `body`,
//! `headers` (`[[name, value], …]`), `request_id`, `retry_after_ms`, `attempts`, and what the
//! gateway's typed body says: `retryable`, `error_type` (OpenRouter's `metadata.error_type`, not
//! the body's `type`), `availability_code`, `fallback_models` (`[]` when none).
//! One `message` rule: `message` is [`Error::message`], the gateway's message where it
//! sent one, never decorated with the status or code (a host that shows
//! `"Error code: 429 - …"` or `"… (code x)"`, as its peer does, builds that from the
//! fields). `body` is the parsed error body (the `error` object when the body wraps
//! one), or the raw text as a JSON string.
//!
//! **Stream events.** One order, `[name, choice, text, index, tool_name]`: `text` is
//! the delta, or the whole value for a `*.done` event; `index` and `tool_name` are
//! `null` except for tool-call events.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

use crate::accumulate::StreamEvent;
use crate::error::{Error, ErrorKind};

/// The names of every [`ErrorKind`], for a binding's exhaustiveness test.
pub fn error_kinds() -> Vec<&'static str> {
    ErrorKind::ALL.iter().map(|k| k.as_str()).collect()
}

/// An error's fields, borrowed from it.
#[derive(Serialize, Debug)]
pub struct ErrorWire<'a> {
    /// [`ErrorKind::as_str`].
    pub kind: &'static str,
    /// [`Error::message`].
    pub message: &'a str,
    /// HTTP status, for kind `status`.
    pub status: Option<u16>,
    /// The error body's `code`, as text.
    pub code: Option<&'a str>,
    /// The error body's `type`.
    #[serde(rename = "type")]
    pub error_type: Option<&'a str>,
    /// The error body's `param`.
    pub param: Option<&'a str>,
    /// For kind `invalid_request`: the option or parameter at fault.
    pub field: Option<&'static str>,
    /// The parsed error body.
    pub body: Option<&'a Value>,
    /// Response headers, lower-case names, in arrival order.
    pub headers: &'a [(String, String)],
    /// The gateway's request id.
    pub request_id: Option<&'a str>,
    /// The delay the server asked for, in milliseconds.
    pub retry_after_ms: Option<f64>,
    /// Attempts made (0 when nothing was sent).
    pub attempts: u32,
    /// [`Error::retryable`]: the gateway's own verdict, `null` when it gave none.
    pub retryable: Option<bool>,
    /// [`Error::gateway_error_type`].
    #[serde(rename = "error_type")]
    pub gateway_error_type: Option<&'a str>,
    /// [`Error::availability_code`].
    pub availability_code: Option<&'a str>,
    /// [`Error::fallback_models`].
    pub fallback_models: &'a [String],
}

impl<'a> ErrorWire<'a> {
    /// The wire form of `e`.
    pub fn of(e: &'a Error) -> Self {
        ErrorWire {
            kind: e.kind().as_str(),
            message: e.message(),
            status: e.status(),
            code: e.code(),
            error_type: e.error_type(),
            param: e.param(),
            field: e.field(),
            body: e.body(),
            headers: e.headers(),
            request_id: e.request_id(),
            retry_after_ms: e.retry_after().map(|d| d.as_secs_f64() * 1000.0),
            attempts: e.attempts(),
            retryable: e.retryable(),
            gateway_error_type: e.gateway_error_type(),
            availability_code: e.availability_code(),
            fallback_models: e.fallback_models(),
        }
    }

    /// As a JSON object.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| format!("{{\"kind\":\"{}\",\"message\":\"\"}}", self.kind))
    }
}

/// A stream event's fields, in the wire order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventWire<'a> {
    /// [`StreamEvent::name`].
    pub name: &'static str,
    /// Choice index.
    pub choice: u32,
    /// The delta, or the whole value for a `*.done` event.
    pub text: &'a str,
    /// Tool-call index, for tool-call events.
    pub index: Option<u32>,
    /// Function name, for tool-call events.
    pub tool_name: Option<&'a str>,
}

impl<'a> EventWire<'a> {
    /// The wire form of `e`.
    pub fn of(e: &'a StreamEvent) -> Self {
        let name = e.name();
        let (choice, text, index, tool_name) = match e {
            StreamEvent::ContentDelta { choice, delta }
            | StreamEvent::RefusalDelta { choice, delta }
            | StreamEvent::ReasoningDelta { choice, delta } => (*choice, delta.as_str(), None, None),
            StreamEvent::ContentDone { choice, content } => (*choice, content.as_str(), None, None),
            StreamEvent::RefusalDone { choice, refusal } => (*choice, refusal.as_str(), None, None),
            StreamEvent::ToolCallArgumentsDelta {
                choice,
                index,
                name,
                arguments_delta,
            } => (*choice, arguments_delta.as_str(), Some(*index), Some(name.as_str())),
            StreamEvent::ToolCallArgumentsDone {
                choice,
                index,
                name,
                arguments,
            } => (*choice, arguments.as_str(), Some(*index), Some(name.as_str())),
        };
        EventWire {
            name,
            choice,
            text,
            index,
            tool_name,
        }
    }

    /// Appends the event as a JSON array, `[prefix…, name, choice, text, index, tool_name]`,
    /// where `prefix` is written first when given (Node's batches put the chunk's position there).
    pub fn write_json(&self, out: &mut String, prefix: Option<usize>) {
        out.push('[');
        if let Some(p) = prefix {
            let _ = write!(out, "{p},");
        }
        let _ = write!(out, "\"{}\",{},", self.name, self.choice);
        push_json_str(out, self.text);
        match self.index {
            Some(i) => {
                let _ = write!(out, ",{i},");
            }
            None => out.push_str(",null,"),
        }
        match self.tool_name {
            Some(n) => push_json_str(out, n),
            None => out.push_str("null"),
        }
        out.push(']');
    }
}

fn push_json_str(out: &mut String, s: &str) {
    // serde_json's escaping; a &str always serializes.
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_wire_has_every_field_and_the_plain_message() {
        let e = Error::new(ErrorKind::Stream, "boom")
            .with_error_body(serde_json::json!({"error": {"message": "over capacity", "code": 529}}));
        let v: Value = serde_json::from_str(&ErrorWire::of(&e).to_json()).unwrap();
        assert_eq!(v["kind"], "stream");
        assert_eq!(v["message"], "over capacity");
        assert_eq!(v["code"], "529");
        assert_eq!(v["body"]["message"], "over capacity");
        for key in [
            "status",
            "type",
            "param",
            "field",
            "headers",
            "request_id",
            "retry_after_ms",
            "attempts",
            "retryable",
            "error_type",
            "availability_code",
            "fallback_models",
        ] {
            assert!(v.get(key).is_some(), "{key}");
        }
        assert_eq!(error_kinds().len(), ErrorKind::ALL.len());
    }

    #[test]
    fn events_in_one_order() {
        let mut out = String::new();
        let e = StreamEvent::ContentDelta {
            choice: 0,
            delta: "h\"i".into(),
        };
        EventWire::of(&e).write_json(&mut out, Some(3));
        assert_eq!(out, r#"[3,"content.delta",0,"h\"i",null,null]"#);
        out.clear();
        let e = StreamEvent::ToolCallArgumentsDone {
            choice: 1,
            index: 2,
            name: "f".into(),
            arguments: "{}".into(),
        };
        EventWire::of(&e).write_json(&mut out, None);
        assert_eq!(out, r#"["tool_calls.function.arguments.done",1,"{}",2,"f"]"#);
    }
}
