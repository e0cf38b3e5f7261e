//! Request and response types for the gateway API.
//!
//! Every struct keeps the fields it does not know in `extra`, so that what a
//! gateway adds (`provider`, `native_finish_reason`, `reasoning_details`, …)
//! survives a round trip, and what a caller adds (`models`, `transforms`, …)
//! reaches the wire untouched.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Fields a type does not model, kept verbatim.
pub type Extra = Map<String, Value>;

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
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ToolCall {
    /// Call id, echoed by the `tool` message that answers it.
    #[serde(default)]
    pub id: String,
    /// Always `function` today.
    #[serde(rename = "type", default = "function_type")]
    pub kind: String,
    /// The function called.
    pub function: FunctionCall,
    /// Other fields, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

fn function_type() -> String {
    "function".to_owned()
}

/// Name and JSON-encoded arguments of a function call.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct FunctionCall {
    /// Function name.
    #[serde(default)]
    pub name: String,
    /// Arguments as a JSON text (the model's output, not necessarily valid JSON).
    #[serde(default)]
    pub arguments: String,
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
    pub extra: Extra,
}

/// `chat.completion` response.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
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
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
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
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
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
    pub extra: Extra,
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
    pub extra: Extra,
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
    pub extra: Extra,
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
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
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
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
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
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
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
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
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

/// Parsing into a value that already exists, keeping its allocations: a stream
/// that needs each chunk only for its checks and the accumulator parses every
/// chunk into one scratch chunk, so after the first one a chunk's strings and
/// its choice cost no allocation (see [`parse_chunk_into`]).
pub(crate) trait ParseInto<'de> {
    fn parse_into<D: serde::Deserializer<'de>>(deserializer: D, place: &mut Self) -> Result<(), D::Error>;
}

/// The seed that parses a map value or a sequence element into `place`.
struct InPlace<'p, T>(&'p mut T);

impl<'de, T: ParseInto<'de>> serde::de::DeserializeSeed<'de> for InPlace<'_, T> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        T::parse_into(deserializer, self.0)
    }
}

/// Types with nothing to reuse: parsed anew and assigned.
macro_rules! parse_into_by_value {
    ($($ty:ty),* $(,)?) => {
        $(
            impl<'de> ParseInto<'de> for $ty {
                fn parse_into<D: serde::Deserializer<'de>>(deserializer: D, place: &mut Self) -> Result<(), D::Error> {
                    *place = <$ty>::deserialize(deserializer)?;
                    Ok(())
                }
            }
        )*
    };
}

parse_into_by_value!(
    u32,
    u64,
    i64,
    Option<Value>,
    Option<Usage>,
    Option<Vec<ToolCallDelta>>,
    Option<Vec<Value>>
);

impl<'de> ParseInto<'de> for String {
    fn parse_into<D: serde::Deserializer<'de>>(deserializer: D, place: &mut Self) -> Result<(), D::Error> {
        struct StringVisitor<'p>(&'p mut String);
        impl<'de> serde::de::Visitor<'de> for StringVisitor<'_> {
            type Value = ();
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E>(self, v: &str) -> Result<(), E> {
                self.0.clear();
                self.0.push_str(v);
                Ok(())
            }
            fn visit_string<E>(self, v: String) -> Result<(), E> {
                *self.0 = v;
                Ok(())
            }
        }
        deserializer.deserialize_string(StringVisitor(place))
    }
}

impl<'de> ParseInto<'de> for Option<String> {
    fn parse_into<D: serde::Deserializer<'de>>(deserializer: D, place: &mut Self) -> Result<(), D::Error> {
        struct OptionVisitor<'p>(&'p mut Option<String>);
        impl<'de> serde::de::Visitor<'de> for OptionVisitor<'_> {
            type Value = ();
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("option")
            }
            fn visit_none<E>(self) -> Result<(), E> {
                *self.0 = None;
                Ok(())
            }
            fn visit_unit<E>(self) -> Result<(), E> {
                *self.0 = None;
                Ok(())
            }
            fn visit_some<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
                match self.0 {
                    Some(text) => String::parse_into(deserializer, text),
                    None => {
                        *self.0 = Some(String::deserialize(deserializer)?);
                        Ok(())
                    }
                }
            }
        }
        deserializer.deserialize_option(OptionVisitor(place))
    }
}

impl<'de> ParseInto<'de> for Vec<ChunkChoice> {
    fn parse_into<D: serde::Deserializer<'de>>(deserializer: D, place: &mut Self) -> Result<(), D::Error> {
        struct SeqVisitor<'p>(&'p mut Vec<ChunkChoice>);
        impl<'de> serde::de::Visitor<'de> for SeqVisitor<'_> {
            type Value = ();
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
                let mut n = 0;
                loop {
                    let more = match self.0.get_mut(n) {
                        Some(choice) => seq.next_element_seed(InPlace(choice))?.is_some(),
                        None => match seq.next_element::<ChunkChoice>()? {
                            Some(choice) => {
                                self.0.push(choice);
                                true
                            }
                            None => false,
                        },
                    };
                    if !more {
                        break;
                    }
                    n += 1;
                }
                self.0.truncate(n);
                Ok(())
            }
        }
        deserializer.deserialize_seq(SeqVisitor(place))
    }
}

/// Parses a stream event's data into `place`, reusing what `place` holds: the
/// result equals `serde_json::from_str::<ChatCompletionChunk>(text)`, errors included.
pub(crate) fn parse_chunk_into(text: &str, place: &mut ChatCompletionChunk) -> serde_json::Result<()> {
    if crate::chunk_scan::scan_chunk_into(text, place) {
        return Ok(());
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    ChatCompletionChunk::parse_into(&mut deserializer, place)?;
    deserializer.end()
}

/// `Deserialize` (and [`ParseInto`]) for a struct whose every field has a default
/// and whose unknown keys go to `extra`: what `#[serde(default)]` plus
/// `#[serde(flatten)]` would derive, without flatten's detour through a buffered
/// map. A fresh parse is a parse into the default value. Stream chunks are
/// parsed once each, so this halves the engine's CPU per chunk.
macro_rules! deserialize_with_extra {
    ($ty:ident, $expecting:literal, { $($key:literal => $field:ident),* $(,)? }) => {
        impl<'de> ParseInto<'de> for $ty {
            fn parse_into<D: serde::Deserializer<'de>>(deserializer: D, place: &mut Self) -> Result<(), D::Error> {
                struct FieldsVisitor<'p>(&'p mut $ty);
                impl<'de> serde::de::Visitor<'de> for FieldsVisitor<'_> {
                    type Value = ();
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
                        let out = self.0;
                        // Almost always empty: skip clear's tear-down of an empty map.
                        if !out.extra.is_empty() {
                            out.extra.clear();
                        }
                        let mut seen = 0u32;
                        while let Some(FieldKey(key)) = map.next_key::<FieldKey<'de>>()? {
                            let mut bit = 1u32;
                            $(
                                if key == $key {
                                    if seen & bit != 0 {
                                        return Err(serde::de::Error::duplicate_field($key));
                                    }
                                    seen |= bit;
                                    map.next_value_seed(InPlace(&mut out.$field))?;
                                    continue;
                                }
                                bit <<= 1;
                            )*
                            let _ = bit;
                            let value = map.next_value()?;
                            out.extra.insert(key.into_owned(), value);
                        }
                        // What this object leaves out takes its default, as in a fresh parse.
                        let mut bit = 1u32;
                        $(
                            if seen & bit == 0 {
                                out.$field = Default::default();
                            }
                            bit <<= 1;
                        )*
                        let _ = bit;
                        Ok(())
                    }
                }
                deserializer.deserialize_map(FieldsVisitor(place))
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let mut out = $ty::default();
                <$ty as ParseInto<'de>>::parse_into(deserializer, &mut out)?;
                Ok(out)
            }
        }
    };
}

/// A map key, borrowed from the input when it has no escapes.
struct FieldKey<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for FieldKey<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> serde::de::Visitor<'de> for KeyVisitor {
            type Value = FieldKey<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(FieldKey(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(FieldKey(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(FieldKey(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

deserialize_with_extra!(Usage, "token counts (usage)", {
    "prompt_tokens" => prompt_tokens,
    "completion_tokens" => completion_tokens,
    "total_tokens" => total_tokens,
});

deserialize_with_extra!(ChatCompletionChunk, "a chat.completion.chunk object", {
    "id" => id,
    "object" => object,
    "created" => created,
    "model" => model,
    "choices" => choices,
    "usage" => usage,
    "system_fingerprint" => system_fingerprint,
});

deserialize_with_extra!(ChunkChoice, "a chunk choice", {
    "index" => index,
    "delta" => delta,
    "finish_reason" => finish_reason,
    "logprobs" => logprobs,
});

deserialize_with_extra!(ChunkDelta, "a chunk delta", {
    "role" => role,
    "content" => content,
    "refusal" => refusal,
    "tool_calls" => tool_calls,
    "reasoning_content" => reasoning_content,
    "reasoning" => reasoning,
    "reasoning_details" => reasoning_details,
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_fields_and_unknown_keys_at_every_level() {
        let text = r#"{"id":"c1","object":"chat.completion.chunk","created":7,"model":"m","provider":"p",
            "choices":[{"index":1,"delta":{"role":"assistant","content":"hi","reasoning":"r","x-d":[1]},"finish_reason":null,"native_finish_reason":"s"}],
            "usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3,"cost":0.5},"system_fingerprint":null}"#;
        let chunk: ChatCompletionChunk = serde_json::from_str(text).unwrap();
        assert_eq!((chunk.id.as_str(), chunk.created, chunk.model.as_str()), ("c1", 7, "m"));
        assert_eq!(chunk.extra["provider"], "p");
        let choice = &chunk.choices[0];
        assert_eq!((choice.index, choice.finish_reason.as_deref()), (1, None));
        assert_eq!(choice.extra["native_finish_reason"], "s");
        assert_eq!(choice.delta.content.as_deref(), Some("hi"));
        assert_eq!(choice.delta.reasoning.as_deref(), Some("r"));
        assert_eq!(choice.delta.extra["x-d"], serde_json::json!([1]));
        let usage = chunk.usage.as_ref().unwrap();
        assert_eq!(
            (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens),
            (1, 2, 3)
        );
        assert_eq!(usage.extra["cost"], 0.5);
        assert_eq!(chunk.system_fingerprint, None);
        // The same from a Value (owned keys), and back out unchanged.
        let value: Value = serde_json::from_str(text).unwrap();
        let again: ChatCompletionChunk = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(again, chunk);
        assert_eq!(
            serde_json::to_value(&chunk).unwrap()["choices"][0]["native_finish_reason"],
            "s"
        );
        // Escaped keys are still recognised.
        let escaped: ChatCompletionChunk = serde_json::from_str(r#"{"\u0069d":"e","choices":[]}"#).unwrap();
        assert_eq!(escaped.id, "e");
    }

    #[test]
    fn a_chunk_parsed_into_a_reused_one_equals_a_fresh_parse() {
        // Each line leaves something behind the next must not keep: a role, tool calls,
        // two choices then one, a finish reason, usage, unknown keys, a failed parse half-way.
        let lines = [
            r#"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","provider":"p","choices":[{"index":0,"delta":{"role":"assistant","content":"","x":1},"finish_reason":null,"logprobs":{"a":[]}},{"index":1,"delta":{"refusal":"no"},"finish_reason":null}]}"#,
            r#"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hel","tool_calls":[{"index":0,"id":"t","function":{"name":"f","arguments":"{"}}]},"finish_reason":null}]}"#,
            r#"{"id":"c1","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop","native_finish_reason":"end"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3,"cost":0.1},"system_fingerprint":"fp"}"#,
            r#"{"id":"c2","choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}],"created":"not a number"}"#,
            r#"{"id":"c2","object":"o","choices":[{"index":0,"delta":{"content":"é\u00e9\"q"}}]}"#,
            r#"{"choices":[],"usage":null}"#,
            r#"{"id":"c3","choices":[{"index":0,"delta":{"content":"a"}},{"index":1,"delta":{"content":"b"}},{"index":2,"delta":{}}],"model":"m2"}"#,
            r#"{"id":"c3","id":"again","choices":[]}"#,
            r#"{"id":"c3","choices":[{"index":2,"delta":{"content":"c"},"finish_reason":"length"}]}"#,
            r#"{}"#,
        ];
        let mut scratch = ChatCompletionChunk::default();
        for line in lines {
            let fresh = serde_json::from_str::<ChatCompletionChunk>(line);
            let reused = parse_chunk_into(line, &mut scratch);
            match (fresh, reused) {
                (Ok(fresh), Ok(())) => assert_eq!(fresh, scratch, "{line}"),
                (Err(fresh), Err(reused)) => assert_eq!(fresh.to_string(), reused.to_string(), "{line}"),
                (fresh, reused) => panic!("{line}: fresh {fresh:?}, reused {reused:?}"),
            }
        }
    }

    #[test]
    fn chunk_errors_match_the_derived_rules() {
        // Missing fields take their defaults; a null where a string is required, a wrong type or a repeated key fail.
        let empty: ChatCompletionChunk = serde_json::from_str("{}").unwrap();
        assert_eq!(empty, ChatCompletionChunk::default());
        for bad in [
            r#"{"id":null}"#,
            r#"{"choices":{}}"#,
            r#"{"created":"x"}"#,
            r#"{"id":"a","id":"b"}"#,
            "[]",
            r#"{"choices":[{"index":-1}]}"#,
        ] {
            assert!(serde_json::from_str::<ChatCompletionChunk>(bad).is_err(), "{bad}");
        }
    }
}
