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
    /// For non-stream chat responses: the message asks for these tool calls
    /// (`content: null`, `finish_reason: "tool_calls"`), as a model does before a tool runner's next round.
    pub tool_calls: Option<Vec<ToolCallSpec>>,
    /// For non-stream chat responses: an extra field `deep` nested this many arrays deep.
    pub deep_json: Option<usize>,
    /// In `body_raw`, `\xHH` stands for the byte HH (to send invalid UTF-8).
    #[serde(default)]
    pub hex_escapes: bool,
    /// An SSE response body (sent whether or not the request asked to stream).
    pub stream: Option<StreamSpec>,
    /// OpenRouter's typed reason, sent as `error.metadata.error_type` in the default error body
    /// (status >= 400) and in the default error chunk of a stream's `error_after`.
    pub error_type: Option<String>,
    /// Fields merged into `error.metadata` there (TheRouter's `{"retryable": true}`, a `provider`).
    pub metadata: Option<Map<String, Value>>,
    /// OpenRouter's `error.availability` object there (`code`, `retryable`, `retry_after`,
    /// `fallback_models`, …), sent as given.
    pub availability: Option<Value>,
    /// A slow first token for some models: the request's first event (a stream) or its status
    /// line (not a stream) waits `ms` when its `model` is listed, on a `fraction` of those calls
    /// picked by a counter seeded with `seed` (per session, deterministic).
    pub slow_first: Option<SlowFirst>,
    /// What a route receipt reads (OpenRouter's shapes): the chat/completion body and every
    /// chunk get `"provider": <this>`.
    pub provider: Option<String>,
    /// `usage.cost` and `usage.cost_details.upstream_inference_cost` (this value) on the body and
    /// on a stream's usage chunk.
    pub cost: Option<f64>,
    /// The `x-generation-id` header, and the body's and chunks' `id`.
    pub generation_id: Option<String>,
}

/// See [`Step::slow_first`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlowFirst {
    /// Models whose calls may be slow (every model when empty).
    #[serde(default)]
    pub models: Vec<String>,
    /// The wait, in milliseconds.
    pub ms: u64,
    /// Share of those calls that wait (default 1: every one).
    pub fraction: Option<f64>,
    /// Seed of the counter that picks them (default 0).
    #[serde(default)]
    pub seed: u64,
}

impl SlowFirst {
    /// Whether the `n`-th (0-based) listed call of a session is slow: a hash of (seed, n)
    /// against the fraction, so that a run is the same every time.
    pub fn picks(&self, n: u64) -> bool {
        let fraction = self.fraction.unwrap_or(1.0);
        if fraction >= 1.0 {
            return true;
        }
        // splitmix64: a cheap, well-spread hash of the counter.
        let mut z = self.seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z >> 11) as f64 / (1u64 << 53) as f64) < fraction
    }
}

impl Step {
    /// Whether the step types its error (OpenRouter's / TheRouter's error fields).
    pub fn has_typed_error(&self) -> bool {
        self.error_type.is_some() || self.metadata.is_some() || self.availability.is_some()
    }

    /// Adds the typed fields to an error object (`{"message", "code", …}`).
    pub fn type_error(&self, error: &mut Value) {
        let Some(obj) = error.as_object_mut() else { return };
        if self.error_type.is_some() || self.metadata.is_some() {
            let mut metadata = self.metadata.clone().unwrap_or_default();
            if let Some(t) = &self.error_type {
                metadata.insert("error_type".into(), Value::String(t.clone()));
            }
            obj.insert("metadata".into(), Value::Object(metadata));
        }
        if let Some(a) = &self.availability {
            obj.insert("availability".into(), a.clone());
        }
    }
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

#[cfg(test)]
mod tests {
    use super::SlowFirst;

    fn slow(fraction: Option<f64>, seed: u64) -> SlowFirst {
        SlowFirst {
            models: vec![],
            ms: 1000,
            fraction,
            seed,
        }
    }

    #[test]
    fn a_fraction_picks_about_that_share_the_same_calls_every_time() {
        // bench/lib/hedge.py relies on both: ~10 % slow, and the same calls in every run.
        let s = slow(Some(0.1), 19);
        let picked: Vec<u64> = (0..10_000).filter(|&n| s.picks(n)).collect();
        assert!((900..=1100).contains(&picked.len()), "{} of 10,000", picked.len());
        let again: Vec<u64> = (0..10_000).filter(|&n| slow(Some(0.1), 19).picks(n)).collect();
        assert_eq!(picked, again);
        let other: Vec<u64> = (0..10_000).filter(|&n| slow(Some(0.1), 20).picks(n)).collect();
        assert_ne!(picked, other, "another seed picks other calls");
    }

    #[test]
    fn no_fraction_or_one_is_every_call_and_zero_is_none() {
        assert!((0..1000).all(|n| slow(None, 0).picks(n) && slow(Some(1.0), 7).picks(n)));
        assert!(!(0..1000).any(|n| slow(Some(0.0), 7).picks(n)));
    }
}
