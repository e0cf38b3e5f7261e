//! Wire types of the Responses API (`POST /responses`): the request, the response
//! with its output items, and the typed events of its stream.
//!
//! As in [`crate::types`], every struct keeps the fields it does not model in
//! `extra`, so a reasoning item's `encrypted_content`, a gateway's `provider` or a
//! caller's `prompt` survive a round trip untouched.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::types::Extra;

/// `POST /responses` request body.
///
/// Typed common fields plus [`extra`](Self::extra) for everything else. Fields left
/// `None` are not sent.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ResponseRequest {
    /// Model id.
    pub model: String,
    /// A string, or an array of input items (messages, `function_call_output`, reasoning items…).
    #[serde(default)]
    pub input: Value,
    /// A system (developer) message put first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    /// Tool definitions: `{"type": "function", "name", "parameters", "strict"}`, built-in tools, …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<Value>>,
    /// `"auto"`, `"none"`, `"required"` or `{"type": "function", "name": …}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<Value>,
    /// Whether tools may be called in parallel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parallel_tool_calls: Option<bool>,
    /// Text output settings: `{"format": {"type": "json_schema", …}}`, `verbosity`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<Value>,
    /// Reasoning settings: `{"effort": "low", "summary": "auto"}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning: Option<Value>,
    /// Upper bound on generated tokens, reasoning included.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_output_tokens: Option<u64>,
    /// Sampling temperature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// Nucleus sampling mass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    /// The response this one continues (stateful gateways only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_response_id: Option<String>,
    /// Whether the gateway stores the response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store: Option<bool>,
    /// Key-value pairs attached to the response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// Set by the client: `true` for [`Client::responses_stream`](crate::Client::responses_stream).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream: Option<bool>,
    /// End-user id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Every other field, sent as given.
    #[serde(flatten)]
    pub extra: Extra,
}

impl ResponseRequest {
    /// A request for `model` with `input` as a plain string.
    pub fn new(model: impl Into<String>, input: impl Into<String>) -> Self {
        Self {
            model: model.into(),
            input: Value::String(input.into()),
            ..Default::default()
        }
    }

    /// A function tool as the Responses API spells it (flat: no nested `function` object).
    pub fn function_tool(name: &str, description: Option<&str>, parameters: Value) -> Value {
        let mut tool = serde_json::json!({ "type": "function", "name": name });
        if let Some(d) = description {
            tool["description"] = Value::String(d.to_owned());
        }
        tool["parameters"] = parameters;
        tool
    }
}

/// A `response` object: what `POST /responses` answers and what its stream's
/// `response.*` events carry.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ResponseObject {
    /// Response id (`resp_…`).
    #[serde(default)]
    pub id: String,
    /// `response`.
    #[serde(default)]
    pub object: String,
    /// Unix seconds.
    #[serde(default)]
    pub created_at: i64,
    /// `completed`, `in_progress`, `incomplete`, `failed`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The model that served the call.
    #[serde(default)]
    pub model: String,
    /// Output items in order: messages, function calls, reasoning items, …
    #[serde(default)]
    pub output: Vec<OutputItem>,
    /// Token counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<ResponseUsage>,
    /// The error of a failed response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Value>,
    /// Why a response is incomplete (`{"reason": "max_output_tokens"}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incomplete_details: Option<Value>,
    /// `instructions`, `tools`, `text`, `provider`, … kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

impl ResponseObject {
    /// The text of every `output_text` part of every message item, joined: what the
    /// peers' `output_text` property gives.
    pub fn output_text(&self) -> String {
        let mut out = String::new();
        for item in self.output.iter().filter(|i| i.kind == "message") {
            for part in item.content.iter().flatten().filter(|p| p.kind == "output_text") {
                out.push_str(part.text.as_deref().unwrap_or(""));
            }
        }
        out
    }

    /// The function calls the model asked for, in order.
    pub fn function_calls(&self) -> impl Iterator<Item = &OutputItem> {
        self.output.iter().filter(|i| i.kind == "function_call")
    }
}

/// One output item. Its `type` says which fields it has: `message` (`role`,
/// `content`), `function_call` (`call_id`, `name`, `arguments`), `reasoning`
/// (`summary`, `encrypted_content` and `content` kept as sent), or any other,
/// kept verbatim.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct OutputItem {
    /// `message`, `function_call`, `reasoning`, …
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Item id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `in_progress`, `completed`, `incomplete`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `assistant` for a message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// A message's content parts (`output_text`, `refusal`), a reasoning item's texts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Vec<ContentPart>>,
    /// A function call's id, which its `function_call_output` names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_id: Option<String>,
    /// A function call's function name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A function call's arguments, JSON text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<String>,
    /// `summary`, `encrypted_content`, … kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One content part of an output item.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ContentPart {
    /// `output_text`, `refusal`, `reasoning_text`, …
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The text of `output_text` and `reasoning_text`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// A refusal's text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal: Option<String>,
    /// `annotations`, `logprobs`, … kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Token counts of a response.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ResponseUsage {
    /// Input tokens.
    #[serde(default)]
    pub input_tokens: u64,
    /// Generated tokens, reasoning included.
    #[serde(default)]
    pub output_tokens: u64,
    /// Sum of both.
    #[serde(default)]
    pub total_tokens: u64,
    /// `{"cached_tokens": …}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_tokens_details: Option<InputTokensDetails>,
    /// `{"reasoning_tokens": …}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_tokens_details: Option<OutputTokensDetails>,
    /// `cost` and other gateway fields, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Details of [`ResponseUsage::input_tokens`].
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct InputTokensDetails {
    /// Tokens read from the prompt cache.
    #[serde(default)]
    pub cached_tokens: u64,
    /// Other fields, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Details of [`ResponseUsage::output_tokens`].
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct OutputTokensDetails {
    /// Tokens spent reasoning.
    #[serde(default)]
    pub reasoning_tokens: u64,
    /// Other fields, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One event of a Responses stream. Its `type` (`response.created`,
/// `response.output_text.delta`, `response.completed`, `error`, …) says which
/// fields it has; every field it does not model is kept in `extra`.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ResponseStreamEvent {
    /// The event's type, as in its `event:` line.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The event's place in the stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence_number: Option<u64>,
    /// The response, on `response.created`, `.in_progress`, `.completed`, `.failed`, `.incomplete`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<ResponseObject>,
    /// The item, on `response.output_item.added` / `.done`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<OutputItem>,
    /// Which output item the event is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_index: Option<usize>,
    /// Which content part of the item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_index: Option<usize>,
    /// The item's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_id: Option<String>,
    /// The part, on `response.content_part.added` / `.done`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<ContentPart>,
    /// The text or arguments added, on `*.delta`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta: Option<String>,
    /// The whole text, on `response.output_text.done`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The whole arguments, on `response.function_call_arguments.done`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<String>,
    /// `code`, `message`, `param` of an `error` event, and anything else, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}
