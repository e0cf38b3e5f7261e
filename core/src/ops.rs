//! The operation table: every endpoint the engine calls, as one row each.
//!
//! A row says how an operation is sent (method, path under the base URL, which
//! request body it takes) and, for a stream, which protocol reads it. The
//! generic [`Client::call`](crate::Client::call) and [`Client::open`](crate::Client::open)
//! do validation, request building, retries and errors from the row, so a
//! binding names an operation (`"chat"`, `"models.retrieve"`, …) and needs no
//! code of its own per endpoint. Adding an endpoint is a row here, its body
//! kind's validation in `request.rs`, its types in `types.rs`, and (for a new
//! stream shape) a protocol in `stream/`.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

/// The HTTP method of an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpMethod {
    /// `GET`: no body.
    Get,
    /// `POST` with a JSON body.
    Post,
}

impl HttpMethod {
    /// The method as hyper takes it.
    pub fn as_http(self) -> http::Method {
        match self {
            HttpMethod::Get => http::Method::GET,
            HttpMethod::Post => http::Method::POST,
        }
    }
}

/// The request body an operation takes, and so how it is validated and edited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    /// No body. Path parameters (`{id}`) come from the call's JSON object, which is not sent.
    None,
    /// [`ChatCompletionRequest`](crate::ChatCompletionRequest).
    Chat,
    /// [`CompletionRequest`](crate::CompletionRequest) (legacy completions).
    Completion,
    /// [`EmbeddingRequest`](crate::EmbeddingRequest).
    Embedding,
    /// [`ModerationRequest`](crate::ModerationRequest).
    Moderation,
    /// [`ResponseRequest`](crate::ResponseRequest) (the Responses API).
    Response,
}

impl BodyKind {
    /// Whether the body has the `stream` / `stream_options` fields the engine sets.
    pub fn streams(self) -> bool {
        matches!(self, BodyKind::Chat | BodyKind::Completion | BodyKind::Response)
    }

    /// Whether a stream of this body asks for usage with `stream_options.include_usage`
    /// (a Responses stream carries usage in its `response.completed` without being asked).
    pub fn asks_usage(self) -> bool {
        matches!(self, BodyKind::Chat | BodyKind::Completion)
    }

    /// The typed top-level fields of the body, so that an error can name one
    /// (`invalid \`temperature\``) with a `&'static str`.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            BodyKind::None => &["id"],
            BodyKind::Chat => &[
                "model",
                "messages",
                "max_tokens",
                "max_completion_tokens",
                "temperature",
                "top_p",
                "presence_penalty",
                "frequency_penalty",
                "stop",
                "n",
                "seed",
                "tools",
                "tool_choice",
                "parallel_tool_calls",
                "response_format",
                "stream",
                "stream_options",
                "user",
                "logprobs",
                "top_logprobs",
                "logit_bias",
            ],
            BodyKind::Completion => &[
                "model",
                "prompt",
                "suffix",
                "max_tokens",
                "temperature",
                "top_p",
                "n",
                "stream",
                "stream_options",
                "logprobs",
                "echo",
                "stop",
                "presence_penalty",
                "frequency_penalty",
                "best_of",
                "logit_bias",
                "seed",
                "user",
            ],
            BodyKind::Embedding => &["model", "input", "encoding_format", "dimensions", "user"],
            BodyKind::Moderation => &["input", "model"],
            BodyKind::Response => &[
                "model",
                "input",
                "instructions",
                "tools",
                "tool_choice",
                "parallel_tool_calls",
                "text",
                "reasoning",
                "max_output_tokens",
                "temperature",
                "top_p",
                "previous_response_id",
                "store",
                "metadata",
                "stream",
                "user",
            ],
        }
    }
}

/// How a streaming operation's events are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamProtocol {
    /// `chat.completion.chunk` events, `[DONE]`, `event: error`; [`ChatStream`](crate::ChatStream).
    Chat,
    /// `text_completion` events with `choices[].text`, `[DONE]`; [`CompletionStream`](crate::CompletionStream).
    Completions,
    /// Typed `response.*` events ended by `response.completed`; [`ResponseStream`](crate::ResponseStream).
    Responses,
}

/// One row of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpSpec {
    /// The name bindings use (`"chat"`, `"models.retrieve"`, …).
    pub name: &'static str,
    /// The HTTP method.
    pub method: HttpMethod,
    /// The path under the base URL; `{name}` is a parameter (see [`Op::path`]).
    pub path: &'static str,
    /// The request body.
    pub body: BodyKind,
    /// `Some` for a streaming operation (opened with [`Client::open`](crate::Client::open)).
    pub stream: Option<StreamProtocol>,
    /// What is checked in the answer beyond its JSON shape.
    pub check: Check,
}

/// The answer check of a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// The body kind's shape only.
    Plain,
    /// Structured outputs ([`crate::structured`]): finish reasons, refusals, the content
    /// parsed and checked against the caller's schema, `parsed` added.
    Structured,
}

/// An operation, typed (the Rust API) or by name (bindings: `"chat".parse::<Op>()`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Op {
    /// `POST chat/completions`.
    Chat,
    /// `POST chat/completions` with `stream: true`.
    ChatStream,
    /// `GET models`.
    Models,
    /// `GET models/{id}` (ids contain a slash: `openai/gpt-4.1`).
    ModelsRetrieve,
    /// `POST embeddings`.
    Embeddings,
    /// `POST completions` (legacy).
    Completions,
    /// `POST completions` with `stream: true`.
    CompletionsStream,
    /// `POST moderations`.
    Moderations,
    /// `POST responses` (the Responses API).
    Responses,
    /// `POST responses` with `stream: true`.
    ResponsesStream,
    /// `POST chat/completions`, the answer checked and parsed as structured output.
    ChatParse,
    /// `POST responses`, the answer checked and parsed as structured output.
    ResponsesParse,
    /// `POST chat/completions` with `stream: true`, the whole answer checked as structured
    /// output when the stream ends (the stream helper's `parse`).
    ChatParseStream,
    /// `POST responses` with `stream: true`, the final response checked as structured output
    /// when the stream ends (`responses.stream(text_format=...)`).
    ResponsesParseStream,
}

const fn row(
    name: &'static str,
    method: HttpMethod,
    path: &'static str,
    body: BodyKind,
    stream: Option<StreamProtocol>,
) -> OpSpec {
    OpSpec {
        name,
        method,
        path,
        body,
        stream,
        check: Check::Plain,
    }
}

const fn structured(name: &'static str, path: &'static str, body: BodyKind) -> OpSpec {
    OpSpec {
        check: Check::Structured,
        ..row(name, Post, path, body, None)
    }
}

use BodyKind as B;
use HttpMethod::{Get, Post};
use StreamProtocol as S;

/// The table, in [`Op`]'s order (a slice, so that a new row changes no type).
pub const OPS: &[OpSpec] = &[
    row("chat", Post, "chat/completions", B::Chat, None),
    row("chat_stream", Post, "chat/completions", B::Chat, Some(S::Chat)),
    row("models", Get, "models", B::None, None),
    row("models.retrieve", Get, "models/{id}", B::None, None),
    row("embeddings", Post, "embeddings", B::Embedding, None),
    row("completions", Post, "completions", B::Completion, None),
    row(
        "completions_stream",
        Post,
        "completions",
        B::Completion,
        Some(S::Completions),
    ),
    row("moderations", Post, "moderations", B::Moderation, None),
    row("responses", Post, "responses", B::Response, None),
    row("responses_stream", Post, "responses", B::Response, Some(S::Responses)),
    structured("chat.parse", "chat/completions", B::Chat),
    structured("responses.parse", "responses", B::Response),
    OpSpec {
        check: Check::Structured,
        ..row("chat.parse_stream", Post, "chat/completions", B::Chat, Some(S::Chat))
    },
    OpSpec {
        check: Check::Structured,
        ..row(
            "responses.parse_stream",
            Post,
            "responses",
            B::Response,
            Some(S::Responses),
        )
    },
];

impl Op {
    /// Every operation, in the table's order.
    pub const ALL: &'static [Op] = &[
        Op::Chat,
        Op::ChatStream,
        Op::Models,
        Op::ModelsRetrieve,
        Op::Embeddings,
        Op::Completions,
        Op::CompletionsStream,
        Op::Moderations,
        Op::Responses,
        Op::ResponsesStream,
        Op::ChatParse,
        Op::ResponsesParse,
        Op::ChatParseStream,
        Op::ResponsesParseStream,
    ];

    /// This operation's row.
    pub fn spec(self) -> &'static OpSpec {
        &OPS[self as usize]
    }

    /// The name bindings use.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The operation called `name`.
    pub fn from_name(name: &str) -> Result<Op, Error> {
        Op::ALL.iter().copied().find(|op| op.name() == name).ok_or_else(|| {
            let names: Vec<&str> = OPS.iter().map(|r| r.name).collect();
            Error::invalid(
                "op",
                format!("unknown operation {name:?} (known: {})", names.join(", ")),
            )
        })
    }

    /// Whether the operation is a stream (opened with [`Client::open`](crate::Client::open)).
    pub fn is_stream(self) -> bool {
        self.spec().stream.is_some()
    }

    /// The path under the base URL, parameters filled in by `param(name)`. A parameter
    /// may contain slashes (model ids do: `openai/gpt-4.1` makes `models/openai/gpt-4.1`);
    /// each of its segments is percent-encoded, and an empty, `.` or `..` segment is
    /// refused so that no value can reach another endpoint.
    pub fn path<'a>(self, mut param: impl FnMut(&str) -> Option<&'a str>) -> Result<String, Error> {
        let template = self.spec().path;
        if !template.contains('{') {
            return Ok(template.to_owned());
        }
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = rest[open..].find('}').map(|i| open + i).unwrap_or(rest.len());
            let name = &rest[open + 1..close];
            let field = leak_param(name);
            let value = param(name).ok_or_else(|| Error::invalid(field, "is required"))?;
            if value.is_empty() {
                return Err(Error::invalid(field, "must not be empty"));
            }
            for (i, segment) in value.split('/').enumerate() {
                if matches!(segment, "" | "." | "..") {
                    return Err(Error::invalid(
                        field,
                        format!("{value:?} has an empty, `.` or `..` path segment"),
                    ));
                }
                if i > 0 {
                    out.push('/');
                }
                encode_segment(segment, &mut out);
            }
            rest = &rest[(close + 1).min(rest.len())..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// Parameter names are the table's, so a `&'static str` for errors exists for each.
fn leak_param(name: &str) -> &'static str {
    OPS.iter()
        .flat_map(|r| r.body.fields())
        .find(|f| **f == name)
        .copied()
        .unwrap_or("path")
}

/// Percent-encodes what a path segment may not hold as is (RFC 3986 `pchar`), `%` included,
/// so that an id reaches the gateway as the caller wrote it.
fn encode_segment(segment: &str, out: &mut String) {
    for b in segment.bytes() {
        let plain = b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b);
        if plain {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

impl FromStr for Op {
    type Err = Error;
    fn from_str(name: &str) -> Result<Op, Error> {
        Op::from_name(name)
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An operation given by value or by name: what [`Client::call`](crate::Client::call) and
/// [`Client::open`](crate::Client::open) take.
pub trait IntoOp {
    /// The operation, or an `invalid_request` error naming `op`.
    fn into_op(self) -> Result<Op, Error>;
}

impl IntoOp for Op {
    fn into_op(self) -> Result<Op, Error> {
        Ok(self)
    }
}

impl IntoOp for &str {
    fn into_op(self) -> Result<Op, Error> {
        Op::from_name(self)
    }
}

impl IntoOp for &String {
    fn into_op(self) -> Result<Op, Error> {
        Op::from_name(self)
    }
}

/// The paths without parameters, each once: the URLs a client parses when it is built.
pub fn static_paths() -> impl Iterator<Item = &'static str> {
    OPS.iter()
        .enumerate()
        .filter(|(i, r)| !r.path.contains('{') && !OPS[..*i].iter().any(|e| e.path == r.path))
        .map(|(_, r)| r.path)
}

/// Every typed body field of every row, each once.
pub fn known_fields() -> impl Iterator<Item = &'static str> {
    let all = || OPS.iter().flat_map(|r| r.body.fields().iter().copied());
    all()
        .enumerate()
        .filter(move |(i, f)| !all().take(*i).any(|g| g == *f))
        .map(|(_, f)| f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_in_op_order_and_names_round_trip() {
        assert_eq!(Op::ALL.len(), OPS.len());
        for (i, op) in Op::ALL.iter().copied().enumerate() {
            assert_eq!(op as usize, i);
            assert_eq!(op.name().parse::<Op>().unwrap(), op);
            assert_eq!("chat".into_op().unwrap(), Op::Chat);
        }
        let e = Op::from_name("chat.completions").unwrap_err();
        assert_eq!(e.field(), Some("op"));
        assert!(e.message().contains("models.retrieve"), "{e}");
    }

    #[test]
    fn static_paths_and_known_fields_come_from_the_table() {
        let paths: Vec<_> = static_paths().collect();
        assert_eq!(
            paths,
            [
                "chat/completions",
                "models",
                "embeddings",
                "completions",
                "moderations",
                "responses"
            ]
        );
        let fields: Vec<_> = known_fields().collect();
        for f in ["model", "messages", "prompt", "input", "dimensions", "id", "echo"] {
            assert_eq!(fields.iter().filter(|g| **g == f).count(), 1, "{f}");
        }
    }

    #[test]
    fn ids_with_slashes_become_path_segments() {
        let path = |id: &'static str| Op::ModelsRetrieve.path(|n| (n == "id").then_some(id));
        assert_eq!(path("openai/gpt-4.1").unwrap(), "models/openai/gpt-4.1");
        assert_eq!(path("a b?c#d%e").unwrap(), "models/a%20b%3Fc%23d%25e");
        assert_eq!(path("x:free@v").unwrap(), "models/x:free@v");
        for bad in ["", "a//b", "../chat/completions", "a/./b", "a/"] {
            assert_eq!(path(bad).unwrap_err().field(), Some("id"), "{bad:?}");
        }
        assert_eq!(Op::ModelsRetrieve.path(|_| None).unwrap_err().field(), Some("id"));
        assert_eq!(Op::Chat.path(|_| None).unwrap(), "chat/completions");
    }
}
