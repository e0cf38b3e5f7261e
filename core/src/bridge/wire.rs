//! The wire forms a binding hands its host language: one for errors
//! ([`ErrorWire`]), one for stream events ([`EventWire`]).
//!
//! **Errors.** Every field of [`Error`], under one name each, as a JSON object:
//! `kind`, `message`, `status`, `code`, `type`, `param`, `field`, `body`,
//! `headers` (`[[name, value], …]`), `request_id`, `retry_after_ms`, `attempts`.
//! One `message` rule: `message` is [`Error::message`], the gateway's message where it
//! sent one, never decorated with the status or code (a host that shows
//! `"Error code: 429 - …"` or `"… (code x)"`, as its peer does, builds that from the
//! fields). `body` is the parsed error body (the `error` object when the body wraps
//! one), or the raw text as a JSON string.
//!
//! **Receipts.** [`ReceiptWire`]: the route receipt as one JSON object, durations in
//! milliseconds (`*_ms`, fractional), headers as `[[name, value], …]`; on a response, a
//! stream, and as the `receipt` field of an error (`null` when nothing was sent).
//!
//! **Stream events.** One order, `[name, choice, text, index, tool_name]`: `text` is
//! the delta, or the whole value for a `*.done` event; `index` and `tool_name` are
//! `null` except for tool-call events.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

use crate::accumulate::StreamEvent;
use crate::error::{Error, ErrorKind};
use crate::receipt::{Attempt, Fallback, Hedge, Receipt};

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
    /// The call's route receipt.
    pub receipt: Option<ReceiptWire<'a>>,
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
            receipt: e.receipt().map(ReceiptWire::of),
        }
    }

    /// As a JSON object.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| format!("{{\"kind\":\"{}\",\"message\":\"\"}}", self.kind))
    }
}

fn ms(d: Option<std::time::Duration>) -> Option<f64> {
    d.map(|d| d.as_secs_f64() * 1000.0)
}

/// A route receipt's fields, borrowed from it: one name each, durations in milliseconds.
#[derive(Serialize, Debug)]
pub struct ReceiptWire<'a> {
    /// [`Receipt::model_requested`].
    pub model_requested: Option<&'a str>,
    /// [`Receipt::model`].
    pub model: Option<&'a str>,
    /// [`Receipt::provider`].
    pub provider: Option<&'a str>,
    /// [`Receipt::request_id`].
    pub request_id: Option<&'a str>,
    /// [`Receipt::generation_id`].
    pub generation_id: Option<&'a str>,
    /// [`Receipt::gateway_headers`].
    pub gateway_headers: &'a [(String, String)],
    /// [`Receipt::cache_status`].
    pub cache_status: Option<&'a str>,
    /// [`Receipt::attempts`].
    pub attempts: Vec<AttemptWire<'a>>,
    /// [`Receipt::fallback`].
    pub fallback: FallbackWire<'a>,
    /// [`Receipt::hedge`].
    pub hedge: HedgeWire<'a>,
    /// [`Receipt::time_to_first_byte`].
    pub time_to_first_byte_ms: Option<f64>,
    /// [`Receipt::time_to_first_token`].
    pub time_to_first_token_ms: Option<f64>,
    /// [`Receipt::total_time`].
    pub total_time_ms: Option<f64>,
    /// [`Receipt::input_tokens`].
    pub input_tokens: Option<u64>,
    /// [`Receipt::output_tokens`].
    pub output_tokens: Option<u64>,
    /// [`Receipt::usage`].
    pub usage: Option<&'a Value>,
    /// [`Receipt::cost`].
    pub cost: Option<f64>,
    /// [`Receipt::cost_details`].
    pub cost_details: Option<&'a Value>,
    /// [`Receipt::complete`].
    pub complete: bool,
}

/// An [`Attempt`]'s fields.
#[derive(Serialize, Debug)]
pub struct AttemptWire<'a> {
    /// [`Attempt::model`].
    pub model: Option<&'a str>,
    /// [`Attempt::status`].
    pub status: Option<u16>,
    /// [`Attempt::error`].
    pub error: Option<&'static str>,
    /// [`Attempt::delay`], in milliseconds.
    pub delay_ms: f64,
    /// [`Attempt::delay_reason`]: `retry_after`, `backoff`, `gateway_hint`.
    pub delay_reason: Option<&'static str>,
    /// [`Attempt::hedge`].
    pub hedge: bool,
}

/// A [`Fallback`]'s fields.
#[derive(Serialize, Debug)]
pub struct FallbackWire<'a> {
    /// [`Fallback::fired`].
    pub fired: bool,
    /// [`Fallback::model`].
    pub model: Option<&'a str>,
}

/// A [`Hedge`]'s fields.
#[derive(Serialize, Debug)]
pub struct HedgeWire<'a> {
    /// [`Hedge::fired`].
    pub fired: bool,
    /// [`Hedge::model`].
    pub model: Option<&'a str>,
    /// [`Hedge::hedge_won`].
    pub hedge_won: bool,
}

impl<'a> ReceiptWire<'a> {
    /// The wire form of `r`.
    pub fn of(r: &'a Receipt) -> Self {
        let attempt = |a: &'a Attempt| AttemptWire {
            model: a.model.as_deref(),
            status: a.status,
            error: a.error,
            delay_ms: a.delay.as_secs_f64() * 1000.0,
            delay_reason: a.delay_reason.map(|d| d.as_str()),
            hedge: a.hedge,
        };
        let Fallback { fired, model } = &r.fallback;
        let Hedge {
            fired: hedge_fired,
            model: hedge_model,
            hedge_won,
        } = &r.hedge;
        ReceiptWire {
            model_requested: r.model_requested.as_deref(),
            model: r.model.as_deref(),
            provider: r.provider.as_deref(),
            request_id: r.request_id.as_deref(),
            generation_id: r.generation_id.as_deref(),
            gateway_headers: &r.gateway_headers,
            cache_status: r.cache_status.as_deref(),
            attempts: r.attempts.iter().map(attempt).collect(),
            fallback: FallbackWire {
                fired: *fired,
                model: model.as_deref(),
            },
            hedge: HedgeWire {
                fired: *hedge_fired,
                model: hedge_model.as_deref(),
                hedge_won: *hedge_won,
            },
            time_to_first_byte_ms: ms(r.time_to_first_byte),
            time_to_first_token_ms: ms(r.time_to_first_token),
            total_time_ms: ms(r.total_time),
            input_tokens: r.input_tokens,
            output_tokens: r.output_tokens,
            usage: r.usage.as_ref(),
            cost: r.cost,
            cost_details: r.cost_details.as_ref(),
            complete: r.complete,
        }
    }

    /// As a JSON object.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }
}

/// The JSON form of `r` ([`ReceiptWire`]).
pub fn receipt_json(r: &Receipt) -> String {
    ReceiptWire::of(r).to_json()
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
            "receipt",
        ] {
            assert!(v.get(key).is_some(), "{key}");
        }
        assert_eq!(error_kinds().len(), ErrorKind::ALL.len());
    }

    #[test]
    fn receipt_wire_names_every_field_in_milliseconds() {
        let r = Receipt {
            model_requested: Some("a/b".into()),
            attempts: vec![Attempt {
                status: Some(200),
                delay: std::time::Duration::from_millis(1500),
                delay_reason: Some(crate::receipt::DelayReason::Backoff),
                ..Default::default()
            }],
            total_time: Some(std::time::Duration::from_millis(20)),
            ..Default::default()
        };
        let v: Value = serde_json::from_str(&receipt_json(&r)).unwrap();
        assert_eq!(v["model_requested"], "a/b");
        assert_eq!(v["attempts"][0]["delay_ms"], 1500.0);
        assert_eq!(v["attempts"][0]["delay_reason"], "backoff");
        assert_eq!(v["total_time_ms"], 20.0);
        assert_eq!(v["fallback"]["fired"], false);
        assert_eq!(v["hedge"]["hedge_won"], false);
        for key in [
            "model",
            "provider",
            "request_id",
            "generation_id",
            "gateway_headers",
            "cache_status",
            "time_to_first_byte_ms",
            "time_to_first_token_ms",
            "input_tokens",
            "output_tokens",
            "usage",
            "cost",
            "cost_details",
            "complete",
        ] {
            assert!(v.get(key).is_some(), "{key}");
        }
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
