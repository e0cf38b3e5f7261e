//! A *step*: how the mock answers one API request. Every field is optional;
//! `{}` means "the default behaviour". Unknown fields are rejected so that a
//! typo in a scenario fails loudly instead of silently testing nothing.

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// HTTP status (default 200).
    pub status: Option<u16>,
    /// Extra response headers (values: strings, numbers or booleans).
    #[serde(default)]
    pub headers: Map<String, Value>,
    /// Headers whose value is an HTTP date this many seconds from now
    /// (e.g. `{"retry-after": 2}`), computed when the response is sent.
    #[serde(default)]
    pub http_date_headers: Map<String, Value>,
    /// JSON value sent verbatim as the (non-stream) response body.
    pub body: Option<Value>,
    /// String sent verbatim as the response body (malformed JSON, HTML...).
    pub body_raw: Option<String>,
    /// `content-type` for `body_raw` (default `application/json`).
    pub content_type: Option<String>,
    /// Wait this long before sending the status line ("slow headers").
    pub delay_headers_ms: Option<u64>,
    /// Close the connection abruptly (RST) without any response.
    #[serde(default)]
    pub reset: bool,
    /// gzip the (non-stream) body when the request's accept-encoding allows it.
    #[serde(default)]
    pub gzip: bool,
    /// For non-stream chat responses: replace the default message content.
    pub content: Option<String>,
    /// Send the (non-stream) body one byte every this many ms, chunked.
    pub trickle_ms: Option<u64>,
    /// A gzip bomb: a chat answer whose content is this many bytes of `0`, gzipped as it is
    /// sent (about 1,000:1), with `content-encoding: gzip` whatever the request accepts.
    pub gzip_bomb_bytes: Option<u64>,
    /// For non-stream chat responses: this many choices, each with the content.
    pub choices: Option<usize>,
    /// For non-stream chat responses: an extra field `deep` nested this many arrays deep.
    pub deep_json: Option<usize>,
    /// In `body_raw`, `\xHH` stands for the byte HH (to send invalid UTF-8).
    #[serde(default)]
    pub hex_escapes: bool,
    /// An SSE response body (sent whether or not the request asked to stream).
    pub stream: Option<StreamSpec>,
    /// What a route receipt reads (OpenRouter's shapes): the chat/completion body and every
    /// chunk get `"provider": <this>`.
    pub provider: Option<String>,
    /// `usage.cost` and `usage.cost_details.upstream_inference_cost` (this value) on the body and
    /// on a stream's usage chunk.
    pub cost: Option<f64>,
    /// The `x-generation-id` header, and the body's and chunks' `id`.
    pub generation_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamSpec {
    /// Chunks sent as `data:` events, verbatim unless `fill` is true.
    pub chunks: Option<Vec<Value>>,
    /// Fill in missing `id`/`object`/`created`/`model` in `chunks`.
    #[serde(default)]
    pub fill: bool,
    /// Content to split into content deltas.
    pub content: Option<String>,
    /// Number of pieces (by characters) or the exact pieces; default: by words.
    pub pieces: Option<Pieces>,
    /// Reasoning streamed before the content.
    pub reasoning: Option<String>,
    /// Delta field carrying `reasoning`: "reasoning" (default) or "reasoning_content".
    pub reasoning_field: Option<String>,
    /// Tool calls to stream as OpenAI-style deltas.
    pub tool_calls: Option<Vec<ToolCallSpec>>,
    /// Interleave tool calls' fragments.
    #[serde(default)]
    pub parallel: bool,
    /// Leave `index` out of tool-call deltas.
    #[serde(default)]
    pub omit_index: bool,
    /// Finish reason of the final chunk: default "stop" ("tool_calls" when
    /// `tool_calls` is given); `null` sends no finish chunk at all.
    #[serde(default, deserialize_with = "double_option")]
    pub finish_reason: Option<Option<String>>,
    /// `{...}`: always send a final `choices: []` chunk with this usage;
    /// `false`/`null`: never; absent: only when the request asked for it.
    #[serde(default, deserialize_with = "double_option")]
    pub usage: Option<Option<Value>>,
    /// Strings written verbatim, in place of generated chunks.
    pub raw_events: Option<Vec<String>>,
    /// Send `data: [DONE]` at the end (default true).
    pub done: Option<bool>,
    /// `"\n"` (default), `"\r\n"` or `"\r"`.
    pub line_ending: Option<String>,
    /// Send `: OPENROUTER PROCESSING` comment lines before each event.
    #[serde(default)]
    pub comments: bool,
    /// Start the body with a UTF-8 BOM.
    #[serde(default)]
    pub bom: bool,
    /// Write every event's JSON pretty-printed over several `data:` lines.
    #[serde(default)]
    pub multiline_data: bool,
    /// "none" (default), "every_byte", or {"every_n": k}.
    pub split: Option<Split>,
    /// Delay before each event after the first.
    pub delay_ms_between: Option<u64>,
    /// Delay after the headers, before the first event.
    pub delay_first_ms: Option<u64>,
    /// After K events, go silent for `stall_ms` (default 60000) then end the
    /// body without sending anything else (stops early if the client leaves).
    pub stall_after: Option<usize>,
    pub stall_ms: Option<u64>,
    /// After K events, abort the connection (no terminating chunk).
    pub reset_after: Option<usize>,
    /// After K events, send `error_event` and end the stream.
    pub error_after: Option<usize>,
    pub error_event: Option<Value>,
    /// Send the error event under `event: <name>`.
    pub error_event_name: Option<String>,
    /// After the error event, still send `data: [DONE]` (default false).
    #[serde(default)]
    pub done_after_error: bool,
    /// Send one extra content event of this many bytes ('a') before the content.
    pub huge_event_bytes: Option<usize>,
    /// gzip the stream (flushed per event) when accept-encoding allows it.
    #[serde(default)]
    pub gzip: bool,
    /// Send `content` whole as this many identical deltas (instead of
    /// splitting it), or, with `pieces` as a list, this many deltas taking
    /// the pieces in turn: each event is rendered once, so the mock can serve
    /// long benchmark streams cheaply.
    pub repeat: Option<usize>,
    /// Send `: keep-alive` comments every this many ms before the first event...
    pub keepalive_ms: Option<u64>,
    /// ...for this long (absent: forever, until the client leaves).
    pub keepalive_for_ms: Option<u64>,
    /// After the events, send a content delta every `delay_ms_between` (default 500) ms forever.
    #[serde(default)]
    pub endless: bool,
    /// A gzip bomb: one event whose content is this many bytes of `a`, gzipped as it is sent.
    pub gzip_bomb_bytes: Option<u64>,
    /// One extra event, first, with a field `deep` nested this many arrays deep.
    pub deep_json: Option<usize>,
    /// In `raw_events`, `\xHH` stands for the byte HH (to send invalid UTF-8).
    #[serde(default)]
    pub hex_escapes: bool,
    /// Write this many events at a time (one write, one HTTP chunk), as a buffered gateway does.
    pub events_per_write: Option<usize>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Pieces {
    Count(usize),
    Exact(Vec<String>),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolCallSpec {
    pub id: Option<String>,
    pub name: String,
    #[serde(default)]
    pub arguments: String,
    /// Number of argument fragments (default 3).
    pub pieces: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    None,
    EveryN(usize),
}

impl<'de> Deserialize<'de> for Split {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let v = Value::deserialize(d)?;
        match &v {
            Value::String(s) if s == "none" => Ok(Split::None),
            Value::String(s) if s == "every_byte" => Ok(Split::EveryN(1)),
            Value::Object(m) if m.len() == 1 => match m.get("every_n").and_then(Value::as_u64) {
                Some(n) if n > 0 => Ok(Split::EveryN(n as usize)),
                _ => Err(D::Error::custom("split: expected {\"every_n\": k} with k >= 1")),
            },
            _ => Err(D::Error::custom(format!(
                "split: expected \"none\", \"every_byte\" or {{\"every_n\": k}}, got {v}"
            ))),
        }
    }
}

fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Some(Option::<T>::deserialize(d)?))
}

/// `usage: false` is accepted as "never": normalise it to null before parsing.
pub fn parse_step(v: &Value) -> Result<Step, String> {
    let mut v = v.clone();
    if let Some(s) = v.get_mut("stream").and_then(Value::as_object_mut) {
        if s.get("usage") == Some(&Value::Bool(false)) {
            s.insert("usage".into(), Value::Null);
        }
    }
    let step: Step = serde_json::from_value(v).map_err(|e| e.to_string())?;
    if let Some(s) = &step.stream {
        if let Some(le) = &s.line_ending {
            if !matches!(le.as_str(), "\n" | "\r\n" | "\r") {
                return Err(format!(
                    "line_ending must be \"\\n\", \"\\r\\n\" or \"\\r\", got {le:?}"
                ));
            }
        }
        if let Some(f) = &s.reasoning_field {
            if !matches!(f.as_str(), "reasoning" | "reasoning_content") {
                return Err(format!(
                    "reasoning_field must be reasoning or reasoning_content, got {f:?}"
                ));
            }
        }
        if s.chunks.is_some() && s.raw_events.is_some() {
            return Err("stream: give chunks or raw_events, not both".into());
        }
    }
    if step.body.is_some() && step.body_raw.is_some() {
        return Err("give body or body_raw, not both".into());
    }
    Ok(step)
}

pub fn parse_script(v: &Value) -> Result<Vec<Step>, String> {
    let arr = v.as_array().ok_or("script must be a JSON array of steps")?;
    arr.iter()
        .enumerate()
        .map(|(i, s)| parse_step(s).map_err(|e| format!("step {i}: {e}")))
        .collect()
}
