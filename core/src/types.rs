//! Request and response types for the gateway API.
//!
//! Every struct keeps the fields it does not know in `extra`, so that what a
//! gateway adds (`provider`, `native_finish_reason`, `reasoning_details`, …)
//! survives a round trip, and what a caller adds (`models`, `transforms`, …)
//! reaches the wire untouched. The response types' `Deserialize` is written in
//! `wire_de` (serde's derive would buffer the unknown fields first).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Fields a type does not model, kept verbatim, in the order they came (serde_json's
/// `preserve_order`): a request's extras leave in the caller's order.
pub type Extra = Map<String, Value>;

/// Fields a stream chunk (and [`Usage`]) does not model, kept verbatim, sorted by key. A
/// stream's chunks are read, never sent back, so their key order does not matter; a sorted map
/// is a third of the size of an ordered one and costs nothing to create, and a chunk is made,
/// moved and dropped for every event of every stream (the ordered map cost the chat stream
/// about 5 % more instructions per chunk).
pub type ChunkExtra = std::collections::BTreeMap<String, Value>;

/// `POST /chat/completions` request body.
///
/// Typed common fields plus [`extra`](Self::extra) for everything else. Fields
/// left `None` are not sent; `Some(0.0)` is sent as `0`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ChatCompletionRequest {
    /// Model id, `brand/model-name` on most gateways.
    pub model: String,
    /// The conversation so far.
    pub messages: Vec<ChatMessage>,
    /// Upper bound on generated tokens (legacy name, still the one most gateways read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u64>,
    /// Upper bound on generated tokens, reasoning included.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_completion_tokens: Option<u64>,
    /// Sampling temperature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// Nucleus sampling mass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    /// Presence penalty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presence_penalty: Option<f64>,
    /// Frequency penalty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frequency_penalty: Option<f64>,
    /// A string or an array of strings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop: Option<Value>,
    /// Number of choices.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<u32>,
    /// Sampling seed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<i64>,
    /// Tool definitions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<Value>>,
    /// `"auto"`, `"none"`, `"required"` or a named tool.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<Value>,
    /// Whether tools may be called in parallel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parallel_tool_calls: Option<bool>,
    /// `{"type": "json_object"}`, a JSON schema, …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_format: Option<Value>,
    /// Set by the client: `true` for [`Client::chat_stream`](crate::Client::chat_stream).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream: Option<bool>,
    /// Stream options; the client asks for usage unless this says otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream_options: Option<StreamOptions>,
    /// End-user id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Token log-probabilities.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logprobs: Option<bool>,
    /// How many top log-probabilities per token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_logprobs: Option<u32>,
    /// Token bias map.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logit_bias: Option<Value>,
    /// Every other field (`provider`, `models`, `reasoning`, `transforms`, …), sent as given.
    #[serde(flatten)]
    pub extra: Extra,
}

impl ChatCompletionRequest {
    /// A request for `model` with `messages` and nothing else set.
    pub fn new(model: impl Into<String>, messages: Vec<ChatMessage>) -> Self {
        Self {
            model: model.into(),
            messages,
            ..Default::default()
        }
    }
}

/// `stream_options` of a chat request.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct StreamOptions {
    /// Ask the gateway for a final usage chunk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_usage: Option<bool>,
    /// Other stream options, sent as given.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One message of a conversation, in a request or a response.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ChatMessage {
    /// `system`, `developer`, `user`, `assistant` or `tool`.
    pub role: String,
    /// Text, or an array of content parts; absent on some assistant messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<MessageContent>,
    /// Participant name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Tool calls made by the assistant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_calls: Option<Vec<ToolCall>>,
    /// The call a `tool` message answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
    /// Other message fields, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

impl ChatMessage {
    /// A message with `role` and text `content`.
    pub fn new(role: impl Into<String>, content: impl Into<String>) -> Self {
        Self {
            role: role.into(),
            content: Some(MessageContent::Text(content.into())),
            ..Default::default()
        }
    }
    /// A `user` message.
    pub fn user(content: impl Into<String>) -> Self {
        Self::new("user", content)
    }
    /// A `system` message.
    pub fn system(content: impl Into<String>) -> Self {
        Self::new("system", content)
    }
    /// An `assistant` message.
    pub fn assistant(content: impl Into<String>) -> Self {
        Self::new("assistant", content)
    }
}

/// Message content: plain text or multi-part (text, images, audio, files…).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum MessageContent {
    /// Plain text.
    Text(String),
    /// Content parts such as `{"type":"text","text":…}` or `{"type":"image_url",…}`, kept verbatim.
    Parts(Vec<Value>),
}

/// A tool call in an assistant message.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ToolCall {
    /// Call id, echoed by the `tool` message that answers it.
    #[serde(default)]
    pub id: String,
    /// Always `function` today.
    #[serde(rename = "type")]
    pub kind: String,
    /// The function called.
    pub function: FunctionCall,
    /// Other fields, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

pub(crate) fn function_type() -> String {
    "function".to_owned()
}

/// Name and JSON-encoded arguments of a function call.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct FunctionCall {
    /// Function name.
    #[serde(default)]
    pub name: String,
    /// Arguments as a JSON text (the model's output, not necessarily valid JSON).
    #[serde(default)]
    pub arguments: String,
    /// Everything else: `parsed_arguments` (structured outputs' strict tools), a gateway's own fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Token counts of a call.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Usage {
    /// Prompt tokens.
    #[serde(default)]
    pub prompt_tokens: u64,
    /// Generated tokens.
    #[serde(default)]
    pub completion_tokens: u64,
    /// Sum of both.
    #[serde(default)]
    pub total_tokens: u64,
    /// `prompt_tokens_details`, `completion_tokens_details`, `cost`, … kept verbatim.
    #[serde(flatten)]
    pub extra: ChunkExtra,
}

/// `chat.completion` response.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ChatCompletion {
    /// Completion id.
    #[serde(default)]
    pub id: String,
    /// `chat.completion`.
    #[serde(default)]
    pub object: String,
    /// Unix seconds.
    #[serde(default)]
    pub created: i64,
    /// The model that actually served the call.
    #[serde(default)]
    pub model: String,
    /// Choices; may be empty.
    #[serde(default)]
    pub choices: Vec<Choice>,
    /// Token counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    /// Backend fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_fingerprint: Option<String>,
    /// `provider` and other gateway fields, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One choice of a [`ChatCompletion`].
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Choice {
    /// Position among the choices.
    #[serde(default)]
    pub index: u32,
    /// The generated message.
    #[serde(default)]
    pub message: ResponseMessage,
    /// `stop`, `length`, `tool_calls`, `content_filter`, `error`, …
    #[serde(default)]
    pub finish_reason: Option<String>,
    /// Log-probabilities, kept verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logprobs: Option<Value>,
    /// Other fields (`native_finish_reason`, …), kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The assistant message of a response.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ResponseMessage {
    /// `assistant`.
    #[serde(default)]
    pub role: String,
    /// Text output; `None` when the model only called tools.
    #[serde(default)]
    pub content: Option<String>,
    /// Refusal text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal: Option<String>,
    /// Tool calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_calls: Option<Vec<ToolCall>>,
    /// Reasoning text as DeepSeek and vLLM name it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_content: Option<String>,
    /// Reasoning text as OpenRouter names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning: Option<String>,
    /// Structured reasoning blocks (OpenRouter), kept verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_details: Option<Vec<Value>>,
    /// Other fields, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `chat.completion.chunk`: one event of a chat stream.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ChatCompletionChunk {
    /// Completion id (the same on every chunk; gateways may omit it).
    #[serde(default)]
    pub id: String,
    /// `chat.completion.chunk`.
    #[serde(default)]
    pub object: String,
    /// Unix seconds.
    #[serde(default)]
    pub created: i64,
    /// The model that serves the stream.
    #[serde(default)]
    pub model: String,
    /// Deltas; empty on the usage chunk.
    #[serde(default)]
    pub choices: Vec<ChunkChoice>,
    /// Present on the usage chunk (and on some gateways' last content chunk).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    /// Backend fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_fingerprint: Option<String>,
    /// Other fields (`provider`, `error`, `obfuscation`, …), kept verbatim.
    #[serde(flatten)]
    pub extra: ChunkExtra,
}

/// One choice of a [`ChatCompletionChunk`].
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ChunkChoice {
    /// Which choice this delta extends.
    #[serde(default)]
    pub index: u32,
    /// What this chunk adds.
    #[serde(default)]
    pub delta: ChunkDelta,
    /// Set on the last chunk of a choice.
    #[serde(default)]
    pub finish_reason: Option<String>,
    /// Log-probabilities, kept verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logprobs: Option<Value>,
    /// Other fields, kept verbatim.
    #[serde(flatten)]
    pub extra: ChunkExtra,
}

/// The part of a message carried by one chunk.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ChunkDelta {
    /// Usually only on the first chunk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Text delta.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Refusal delta.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal: Option<String>,
    /// Tool-call fragments, merged by index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_calls: Option<Vec<ToolCallDelta>>,
    /// Reasoning delta (DeepSeek, vLLM).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_content: Option<String>,
    /// Reasoning delta (OpenRouter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning: Option<String>,
    /// Structured reasoning blocks (OpenRouter), kept verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_details: Option<Vec<Value>>,
    /// Other fields, kept verbatim.
    #[serde(flatten)]
    pub extra: ChunkExtra,
}

/// A fragment of a tool call inside a chunk.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ToolCallDelta {
    /// Which call this fragment extends; some gateways leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u32>,
    /// Call id, on the first fragment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `function`, on the first fragment.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Name (first fragment) and a piece of the arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<FunctionCallDelta>,
}

/// A piece of a function call.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct FunctionCallDelta {
    /// Function name, on the first fragment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A piece of the JSON arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<String>,
}

/// `GET /models` response.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ModelList {
    /// `list`.
    #[serde(default)]
    pub object: String,
    /// The models.
    #[serde(default)]
    pub data: Vec<Model>,
    /// Other fields, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One entry of [`ModelList`].
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Model {
    /// Model id, e.g. `anthropic/claude-opus-4-5`.
    pub id: String,
    /// `model`.
    #[serde(default)]
    pub object: String,
    /// Unix seconds.
    #[serde(default)]
    pub created: i64,
    /// Owner.
    #[serde(default)]
    pub owned_by: String,
    /// Pricing, context length and other gateway fields, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `POST /embeddings` request body.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct EmbeddingRequest {
    /// Model id.
    pub model: String,
    /// A string, an array of strings, or token arrays.
    pub input: Value,
    /// `float` or `base64`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding_format: Option<String>,
    /// Output size, for models that support it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<u32>,
    /// End-user id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Other fields, sent as given.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `POST /embeddings` response.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct EmbeddingResponse {
    /// `list`.
    #[serde(default)]
    pub object: String,
    /// One entry per input.
    #[serde(default)]
    pub data: Vec<Embedding>,
    /// Model that served the call.
    #[serde(default)]
    pub model: String,
    /// Token counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    /// Other fields, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One embedding vector.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Embedding {
    /// `embedding`.
    #[serde(default)]
    pub object: String,
    /// Position of the input it embeds.
    #[serde(default)]
    pub index: u32,
    /// Floats, or a base64 string when asked for.
    pub embedding: Value,
    /// Other fields, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `POST /completions` request body (the legacy text completions).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct CompletionRequest {
    /// Model id.
    pub model: String,
    /// A string, an array of strings, or token arrays.
    #[serde(default)]
    pub prompt: Value,
    /// Text after the insertion point.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
    /// Upper bound on generated tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u64>,
    /// Sampling temperature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// Nucleus sampling mass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    /// Number of choices.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<u32>,
    /// Set by the client: `true` for [`Client::completions_stream`](crate::Client::completions_stream).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream: Option<bool>,
    /// Stream options; the client asks for usage unless this says otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream_options: Option<StreamOptions>,
    /// How many top log-probabilities per token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logprobs: Option<u32>,
    /// Echo the prompt in the answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub echo: Option<bool>,
    /// A string or an array of strings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop: Option<Value>,
    /// Presence penalty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presence_penalty: Option<f64>,
    /// Frequency penalty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frequency_penalty: Option<f64>,
    /// Candidates generated server-side.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub best_of: Option<u32>,
    /// Token bias map.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logit_bias: Option<Value>,
    /// Sampling seed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<i64>,
    /// End-user id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Every other field, sent as given.
    #[serde(flatten)]
    pub extra: Extra,
}

impl CompletionRequest {
    /// A request for `model` with a text `prompt` and nothing else set.
    pub fn new(model: impl Into<String>, prompt: impl Into<String>) -> Self {
        Self {
            model: model.into(),
            prompt: Value::String(prompt.into()),
            ..Default::default()
        }
    }
}

/// `text_completion` response, and each event of a completions stream (the same shape).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Completion {
    /// Completion id.
    #[serde(default)]
    pub id: String,
    /// `text_completion`.
    #[serde(default)]
    pub object: String,
    /// Unix seconds.
    #[serde(default)]
    pub created: i64,
    /// The model that served the call.
    #[serde(default)]
    pub model: String,
    /// Choices; may be empty (the usage event of a stream).
    #[serde(default)]
    pub choices: Vec<CompletionChoice>,
    /// Token counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    /// Backend fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_fingerprint: Option<String>,
    /// Other fields (`provider`, `error`, …), kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One event of a completions stream.
pub type CompletionChunk = Completion;

/// One choice of a [`Completion`].
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct CompletionChoice {
    /// The generated text (in a stream: this event's piece of it).
    #[serde(default)]
    pub text: String,
    /// Position among the choices.
    #[serde(default)]
    pub index: u32,
    /// `stop`, `length`, `content_filter`, …; `None` until the last event of a choice.
    #[serde(default)]
    pub finish_reason: Option<String>,
    /// Log-probabilities, kept verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logprobs: Option<Value>,
    /// Other fields, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `POST /moderations` request body.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ModerationRequest {
    /// A string, an array of strings, or an array of multi-modal input objects.
    #[serde(default)]
    pub input: Value,
    /// Moderation model; the gateway's default when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Every other field, sent as given.
    #[serde(flatten)]
    pub extra: Extra,
}

impl ModerationRequest {
    /// A request to classify `input` with the gateway's default model.
    pub fn new(input: impl Into<String>) -> Self {
        Self {
            input: Value::String(input.into()),
            ..Default::default()
        }
    }
}

/// `POST /moderations` response.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ModerationResponse {
    /// Moderation id.
    #[serde(default)]
    pub id: String,
    /// The model that classified.
    #[serde(default)]
    pub model: String,
    /// One result per input.
    #[serde(default)]
    pub results: Vec<ModerationResult>,
    /// Other fields, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The classification of one input.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ModerationResult {
    /// Whether any category was flagged.
    #[serde(default)]
    pub flagged: bool,
    /// Category name to flagged, kept verbatim.
    #[serde(default)]
    pub categories: Map<String, Value>,
    /// Category name to score, kept verbatim.
    #[serde(default)]
    pub category_scores: Map<String, Value>,
    /// Other fields (`category_applied_input_types`, …), kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}
