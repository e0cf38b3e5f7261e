//! The tool runner (openai-node's `runTools`): the model asks for tool calls, the
//! caller's functions answer them, the answers go back to the model, until it answers
//! without tool calls or `max_chat_completions` requests were made.
//!
//! [`ToolRunner`] is the conversation as a pure state machine: what to send next, which
//! calls to run, the assistant and tool messages appended, the rounds counted, the usage
//! summed, the final results. It does no I/O and calls no function: its driver does, between
//! steps. The Rust driver is [`Client::run_tools`]; the bindings drive the same machine
//! through the one JSON helper entry point (`bridge::helpers`), each calling its own
//! language's functions, so the rules below are written once.
//!
//! The rules are openai-node 7's (`AbstractChatCompletionRunner._runTools`):
//! - every request carries the caller's fields in their order, `tool_choice` (default
//!   `"auto"`), the tools' definitions, and the conversation so far (assistant messages
//!   reduced to the fields a request may carry);
//! - a tool call without an id gets `call_<random>` before anything sees it;
//! - a call of a function that is not among the tools, or not the one `tool_choice` names, is
//!   answered by the runner itself (`Invalid tool_call: …`) without calling anything;
//! - a function's answer is sent as is when it is a string, else as compact JSON;
//! - a failed `parse` of the arguments is answered with the parser's message (the model
//!   can try again); a function that fails ends the run with its error;
//! - calls of one round run together (results in the calls' order), or one after the
//!   other when `parallel_tool_calls` is `false` or `tool_choice` names a function, which
//!   ends the run once it was called;
//! - reaching `max_chat_completions` (default 10) ends the run quietly, as the peer does:
//!   [`Final::max_chat_completions_reached`] tells, and the final content is then `None`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::{ChatCompletion, ChatCompletionChunk, ChatMessage, Client, Error, ErrorKind, RequestOptions};

/// openai-node's `DEFAULT_MAX_CHAT_COMPLETIONS`.
pub const DEFAULT_MAX_CHAT_COMPLETIONS: u32 = 10;

/// The runner's whole state. It crosses to the bindings as JSON and back unchanged;
/// `messages` is the conversation so far (openai-node's `runner.messages`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ToolRunner {
    /// The caller's request in its key order, without `tool_choice` and `stream`.
    params: Map<String, Value>,
    tool_choice: Value,
    /// The function tools' names, in the tools' order (the unknown-tool message lists them).
    names: Vec<String>,
    /// The `strict` function tools: their calls' arguments are parsed (`parsed_arguments`).
    #[serde(default)]
    strict: Vec<String>,
    /// `tool_choice` names this function: calls run one by one, and the run ends once it ran.
    single: Option<String>,
    /// Calls run one after the other (`parallel_tool_calls: false`, or `single`).
    sequential: bool,
    max_chat_completions: u32,
    chat_completions: u32,
    usage: Option<TotalUsage>,
    /// The conversation: the caller's messages, then each assistant and tool message.
    pub messages: Vec<Value>,
    /// The last assistant message's calls not answered yet, in order.
    pending: Vec<Pending>,
    done: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Pending {
    call: ToolCall,
    /// The runner's own answer (an unknown function), or the function's, once known.
    answer: Option<String>,
    /// Handed to the driver to run.
    runs: bool,
}

/// One function call the driver is to run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    /// The call's id (generated when the model sent none).
    pub id: String,
    /// The function's name.
    pub name: String,
    /// The arguments as the model wrote them (JSON text, unchecked).
    pub arguments: String,
}

/// What a function call gave, as the driver reports it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ToolResult {
    /// The call it answers.
    pub tool_call_id: String,
    /// The function's return value: a string is sent as is, anything else as compact JSON.
    /// For a failed `parse`, the parser's error message.
    pub output: Value,
    /// `false` when the arguments did not parse and the function was not called.
    #[serde(default = "yes")]
    pub called: bool,
}

fn yes() -> bool {
    true
}

/// Token usage summed over a run's chat completions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotalUsage {
    /// Sum of `completion_tokens`.
    pub completion_tokens: u64,
    /// Sum of `prompt_tokens`.
    pub prompt_tokens: u64,
    /// Sum of `total_tokens`.
    pub total_tokens: u64,
}

/// What the driver does next.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Send this chat completion request (`stream: false`; a streaming driver sends it with `chat_stream`).
    Request(Value),
    /// Run these calls (together, or the one of a sequential round) and report with
    /// [`ToolRunner::on_results`].
    CallTools(Vec<ToolCall>),
    /// The run is over: [`ToolRunner::final_results`].
    Done,
}

/// What one step did: the messages it appended to the conversation (for the drivers'
/// `message`, `functionToolCall`, `functionToolCallResult` and `content` events) and what next.
#[derive(Clone, Debug)]
pub struct Step {
    /// Messages appended by this step, in order.
    pub added: Vec<Value>,
    /// What the driver does next.
    pub action: Action,
}

/// The results of a finished run (openai-node's `final*()` and `totalUsage()`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Final {
    /// The last assistant message, `content` and `refusal` filled with `null` when absent.
    pub message: Option<Value>,
    /// Its content (`finalContent()`).
    pub content: Option<String>,
    /// The last function call of any assistant message (`{name, arguments}`).
    pub function_tool_call: Option<Value>,
    /// The last tool message's content that answers a function call of the conversation.
    pub function_tool_call_result: Option<String>,
    /// Usage summed over the chat completions; `None` when none had usage (then openai-node
    /// emits no `totalUsage` event, while `totalUsage()` gives zeros).
    pub total_usage: Option<TotalUsage>,
    /// The run stopped because it made `max_chat_completions` requests.
    pub max_chat_completions_reached: bool,
}

fn runner_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidRequest, message)
}

impl ToolRunner {
    /// A runner for `params`: a chat completion request whose `tools` are the definitions
    /// the model sees (`{"type": "function", "function": {"name", "description",
    /// "parameters", "strict"}}`), without the caller's functions.
    pub fn new(params: Value, max_chat_completions: Option<u32>) -> Result<ToolRunner, Error> {
        let Value::Object(mut params) = params else {
            return Err(Error::invalid("body", "the tool runner's parameters must be an object"));
        };
        if params.get("n").and_then(Value::as_u64).is_some_and(|n| n > 1) {
            return Err(runner_error(
                "ChatCompletion convenience helpers only support n=1 at this time. To use n>1, please use chat.completions.create() directly.",
            ));
        }
        let Some(Value::Array(messages)) = params.get("messages").cloned() else {
            return Err(Error::invalid("messages", "must be an array of messages"));
        };
        let Some(Value::Array(tools)) = params.get("tools") else {
            return Err(Error::invalid("tools", "must be an array of tools"));
        };
        let mut names: Vec<String> = Vec::new();
        let mut strict: Vec<String> = Vec::new();
        for tool in tools {
            if tool.get("type").and_then(Value::as_str) == Some("function") {
                let Some(name) = tool.pointer("/function/name").and_then(Value::as_str) else {
                    return Err(Error::invalid("tools", "a function tool has no name"));
                };
                if !names.iter().any(|n| n == name) {
                    names.push(name.to_owned());
                }
                if tool.pointer("/function/strict") == Some(&Value::Bool(true)) {
                    strict.push(name.to_owned());
                }
            }
        }
        let max = max_chat_completions.unwrap_or(DEFAULT_MAX_CHAT_COMPLETIONS);
        if max == 0 {
            return Err(Error::invalid("max_chat_completions", "must be at least 1"));
        }
        params.remove("stream");
        let tool_choice = params.shift_remove("tool_choice").unwrap_or_else(|| json!("auto"));
        let single = match &tool_choice {
            Value::Object(o) if o.get("type").and_then(Value::as_str) == Some("function") => o
                .get("function")
                .and_then(|f| f.get("name"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            _ => None,
        };
        let sequential = single.is_some() || params.get("parallel_tool_calls") == Some(&Value::Bool(false));
        let messages = messages.into_iter().map(with_content).collect();
        Ok(ToolRunner {
            params,
            tool_choice,
            names,
            strict,
            single,
            sequential,
            max_chat_completions: max,
            chat_completions: 0,
            usage: None,
            messages,
            pending: Vec::new(),
            done: false,
        })
    }

    /// The first request.
    pub fn start(&self) -> Step {
        Step {
            added: Vec::new(),
            action: Action::Request(self.request()),
        }
    }

    /// The next request's body: the caller's fields, `tool_choice`, `stream: false`, the conversation.
    pub fn request(&self) -> Value {
        let mut body = self.params.clone();
        body.insert("tool_choice".into(), self.tool_choice.clone());
        // As openai-node sends a round (`{...params, stream: false}`); a streaming driver's
        // `chat_stream` sets it to `true` in place.
        body.insert("stream".into(), Value::Bool(false));
        body.insert(
            "messages".into(),
            Value::Array(self.messages.iter().map(request_message).collect()),
        );
        Value::Object(body)
    }

    /// How many chat completions the run has received.
    pub fn chat_completions(&self) -> u32 {
        self.chat_completions
    }

    /// Whether the run is over.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Takes the answer to the last request. `completion` is updated in place (tool calls
    /// without an id get one), so that what the caller sees and what is sent back agree.
    pub fn on_completion(&mut self, completion: &mut Value) -> Result<Step, Error> {
        if self.done || !self.pending.is_empty() {
            return Err(runner_error("the tool runner is not waiting for a chat completion"));
        }
        normalize_tool_call_ids(completion);
        self.parse_completion(completion)?;
        self.chat_completions += 1;
        if let Some(u) = completion.get("usage").filter(|u| u.is_object()) {
            let total = self.usage.get_or_insert_with(TotalUsage::default);
            let n = |k: &str| u.get(k).and_then(Value::as_u64).unwrap_or(0);
            total.completion_tokens += n("completion_tokens");
            total.prompt_tokens += n("prompt_tokens");
            total.total_tokens += n("total_tokens");
        }
        let Some(message) = completion.pointer("/choices/0/message").filter(|m| m.is_object()) else {
            self.done = true;
            return Err(Error::new(
                ErrorKind::Decode,
                "missing message in ChatCompletion response",
            ));
        };
        let message = with_content(message.clone());
        self.messages.push(message.clone());
        let calls: Vec<&Value> = message
            .get("tool_calls")
            .and_then(Value::as_array)
            .map(|c| c.iter().collect())
            .unwrap_or_default();
        let mut step = Step {
            added: vec![message.clone()],
            action: Action::Done,
        };
        if calls.is_empty() {
            self.done = true;
            return Ok(step);
        }
        for call in calls {
            // Only function calls are answered (a `custom` call gets no tool message).
            if call.get("type").and_then(Value::as_str) != Some("function") {
                continue;
            }
            let text = |k: &str| call.pointer(k).and_then(Value::as_str).unwrap_or("").to_owned();
            let call = ToolCall {
                id: text("/id"),
                name: text("/function/name"),
                arguments: text("/function/arguments"),
            };
            let answer = self.refusal(&call.name);
            self.pending.push(Pending {
                runs: answer.is_none(),
                call,
                answer,
            });
        }
        let next = self.advance();
        step.added.extend(next.added);
        step.action = next.action;
        Ok(step)
    }

    /// What openai-node's `parseChatCompletion` adds to each choice's message: `parsed` (the
    /// content as JSON under a `json_schema` response format, else `null`) and each function
    /// call's `parsed_arguments` (its arguments as JSON for a `strict` tool, else `null`).
    fn parse_completion(&self, completion: &mut Value) -> Result<(), Error> {
        let json_schema = self
            .params
            .get("response_format")
            .and_then(|f| f.get("type"))
            .and_then(Value::as_str)
            == Some("json_schema");
        let invalid = || {
            Error::new(
                ErrorKind::Decode,
                "Error reading response: invalid structured output JSON.",
            )
        };
        let Some(Value::Array(choices)) = completion.get_mut("choices") else {
            return Ok(());
        };
        for choice in choices {
            let Some(Value::Object(message)) = choice.get_mut("message") else {
                continue;
            };
            let has_calls = message
                .get("tool_calls")
                .and_then(Value::as_array)
                .is_some_and(|c| !c.is_empty());
            if let Some(Value::Array(calls)) = message.get_mut("tool_calls") {
                for call in calls {
                    if call.get("type").and_then(Value::as_str) != Some("function") {
                        continue;
                    }
                    let Some(Value::Object(function)) = call.get_mut("function") else {
                        continue;
                    };
                    let name = function.get("name").and_then(Value::as_str).unwrap_or("");
                    let parsed = if self.strict.iter().any(|s| s == name) {
                        let args = function.get("arguments").and_then(Value::as_str).unwrap_or("");
                        serde_json::from_str(args).map_err(|_| invalid())?
                    } else {
                        Value::Null
                    };
                    function.insert("parsed_arguments".into(), parsed);
                }
            }
            let refused = message.get("refusal").is_some_and(|r| !r.is_null() && r != "");
            let parsed = match message.get("content").and_then(Value::as_str) {
                Some(content)
                    if json_schema
                        && !refused
                        && (!content.is_empty()
                            || (!has_calls && message.get("function_call").is_none_or(Value::is_null))) =>
                {
                    serde_json::from_str(content).map_err(|_| invalid())?
                }
                _ => Value::Null,
            };
            message.insert("parsed".into(), parsed);
        }
        Ok(())
    }

    /// The runner's own answer to a call it will not run.
    fn refusal(&self, name: &str) -> Option<String> {
        let quoted = |s: &str| serde_json::to_string(s).unwrap_or_default();
        if !self.names.iter().any(|n| n == name) {
            let options: Vec<String> = self.names.iter().map(|n| quoted(n)).collect();
            return Some(format!(
                "Invalid tool_call: {}. Available options are: {}. Please try again",
                quoted(name),
                options.join(", ")
            ));
        }
        match &self.single {
            Some(single) if single != name => Some(format!(
                "Invalid tool_call: {}. {} requested. Please try again",
                quoted(name),
                quoted(single)
            )),
            _ => None,
        }
    }

    /// Hands out the calls to run, or answers what needs no function and moves on.
    fn advance(&mut self) -> Step {
        let mut added = Vec::new();
        if self.sequential {
            while let Some(first) = self.pending.first() {
                if first.runs {
                    return Step {
                        added,
                        action: Action::CallTools(vec![first.call.clone()]),
                    };
                }
                let p = self.pending.remove(0);
                added.push(self.tool_message(&p.call.id, p.answer.unwrap_or_default()));
            }
        } else {
            let runs: Vec<ToolCall> = self
                .pending
                .iter()
                .filter(|p| p.runs && p.answer.is_none())
                .map(|p| p.call.clone())
                .collect();
            if !runs.is_empty() {
                return Step {
                    added,
                    action: Action::CallTools(runs),
                };
            }
            for p in std::mem::take(&mut self.pending) {
                added.push(self.tool_message(&p.call.id, p.answer.unwrap_or_default()));
            }
        }
        let action = self.after_round();
        Step { added, action }
    }

    fn after_round(&mut self) -> Action {
        if self.chat_completions >= self.max_chat_completions {
            self.done = true;
            Action::Done
        } else {
            Action::Request(self.request())
        }
    }

    fn tool_message(&mut self, id: &str, content: String) -> Value {
        let m = json!({"role": "tool", "tool_call_id": id, "content": content});
        self.messages.push(m.clone());
        m
    }

    /// Takes what the functions handed out by [`Action::CallTools`] gave.
    pub fn on_results(&mut self, results: Vec<ToolResult>) -> Result<Step, Error> {
        let mut called = false;
        for r in results {
            let Some(p) = self
                .pending
                .iter_mut()
                .find(|p| p.runs && p.answer.is_none() && p.call.id == r.tool_call_id)
            else {
                return Err(Error::invalid(
                    "results",
                    format!("no call {:?} is waiting for a result", r.tool_call_id),
                ));
            };
            p.answer = Some(match r.output {
                Value::String(s) => s,
                other => serde_json::to_string(&other).unwrap_or_default(),
            });
            called |= r.called;
        }
        if self.pending.iter().any(|p| p.runs && p.answer.is_none()) && !self.sequential {
            return Err(Error::invalid(
                "results",
                "a result is missing for a call of this round",
            ));
        }
        let mut added = Vec::new();
        if self.sequential {
            let Some(p) = self.pending.first().filter(|p| p.answer.is_some()) else {
                return Err(Error::invalid("results", "the call handed out has no result"));
            };
            let p = p.clone();
            self.pending.remove(0);
            added.push(self.tool_message(&p.call.id, p.answer.unwrap_or_default()));
            if self.single.is_some() && called {
                self.pending.clear();
                self.done = true;
                return Ok(Step {
                    added,
                    action: Action::Done,
                });
            }
        }
        let next = self.advance();
        added.extend(next.added);
        Ok(Step {
            added,
            action: next.action,
        })
    }

    /// The run's results (meaningful once [`Action::Done`] was returned).
    pub fn final_results(&self) -> Final {
        let message = self
            .messages
            .iter()
            .rev()
            .find(|m| role(m) == Some("assistant"))
            .map(|m| {
                let mut m = m.clone();
                for k in ["content", "refusal"] {
                    if m.get(k).is_none() {
                        m[k] = Value::Null;
                    }
                }
                m
            });
        let content = message
            .as_ref()
            .and_then(|m| m.get("content"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let function_tool_call = self
            .messages
            .iter()
            .rev()
            .filter(|m| role(m) == Some("assistant"))
            .find_map(|m| {
                m.get("tool_calls")?
                    .as_array()?
                    .iter()
                    .rev()
                    .find(|c| c.get("type").and_then(Value::as_str) == Some("function"))
                    .and_then(|c| c.get("function").cloned())
            });
        let answers_a_call = |id: &str| {
            self.messages.iter().any(|m| {
                role(m) == Some("assistant")
                    && m.get("tool_calls").and_then(Value::as_array).is_some_and(|calls| {
                        calls.iter().any(|c| {
                            c.get("type").and_then(Value::as_str) == Some("function")
                                && c.get("id").and_then(Value::as_str) == Some(id)
                        })
                    })
            })
        };
        let function_tool_call_result = self
            .messages
            .iter()
            .rev()
            .filter(|m| role(m) == Some("tool"))
            .find(|m| answers_a_call(m.get("tool_call_id").and_then(Value::as_str).unwrap_or("")))
            .and_then(|m| m.get("content").and_then(Value::as_str).map(str::to_owned));
        let reached = self.chat_completions >= self.max_chat_completions
            && self
                .messages
                .last()
                .is_some_and(|m| role(m) == Some("tool") || m.get("tool_calls").is_some());
        Final {
            message,
            content,
            function_tool_call,
            function_tool_call_result,
            total_usage: self.usage,
            max_chat_completions_reached: reached,
        }
    }
}

fn role(m: &Value) -> Option<&str> {
    m.get("role").and_then(Value::as_str)
}

/// A message without `content` gets `content: null`, as openai-node's `_addMessage` does.
fn with_content(mut m: Value) -> Value {
    if let Value::Object(o) = &mut m {
        o.entry("content").or_insert(Value::Null);
    }
    m
}

/// An assistant message reduced to the fields a request may carry (openai-node's
/// `toRequestMessage`): a gateway's own fields (`reasoning`, `annotations`, …) are not replayed.
fn request_message(m: &Value) -> Value {
    if role(m) != Some("assistant") {
        return m.clone();
    }
    let mut out = Map::new();
    out.insert("role".into(), "assistant".into());
    if let Some(id) = m.pointer("/audio/id") {
        out.insert("audio".into(), json!({"id": id}));
    }
    for k in ["content", "function_call", "name", "refusal"] {
        match m.get(k) {
            Some(Value::Null) if k != "content" => {}
            Some(v) => {
                out.insert(k.into(), v.clone());
            }
            None => {}
        }
    }
    if let Some(Value::Array(calls)) = m.get("tool_calls") {
        let calls = calls
            .iter()
            .map(|c| {
                if c.get("type").and_then(Value::as_str) == Some("custom") {
                    json!({"id": c.get("id"), "type": "custom", "custom": {
                        "input": c.pointer("/custom/input"), "name": c.pointer("/custom/name")}})
                } else {
                    json!({"id": c.get("id"), "type": c.get("type"), "function": {
                        "arguments": c.pointer("/function/arguments"), "name": c.pointer("/function/name")}})
                }
            })
            .collect();
        out.insert("tool_calls".into(), Value::Array(calls));
    }
    Value::Object(out)
}

/// Tool calls without an id (some gateways send none, or `""`) get `call_<32 hex digits>`,
/// so that the assistant's call and the tool's answer name the same id.
fn normalize_tool_call_ids(completion: &mut Value) {
    let Some(Value::Array(choices)) = completion.get_mut("choices") else {
        return;
    };
    for choice in choices {
        if let Some(Value::Array(calls)) = choice.pointer_mut("/message/tool_calls") {
            for call in calls {
                let missing = call.get("id").and_then(Value::as_str).is_none_or(str::is_empty);
                if missing && call.is_object() {
                    call["id"] = format!("call_{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..)).into();
                }
            }
        }
    }
}

// ---- the Rust driver ----

/// What a tool function returns: its answer (a string is sent as is, anything else as
/// JSON), or why it did not give one.
pub type ToolFuture = Pin<Box<dyn Future<Output = Result<Value, ToolError>> + Send>>;

/// Why a tool function gave no answer.
#[derive(Debug)]
pub enum ToolError {
    /// The arguments did not parse: the message is sent to the model, which may try again.
    Parse(String),
    /// The function failed: the run ends with this error ([`RunToolsError::Tool`]).
    Failed(Box<dyn std::error::Error + Send + Sync>),
}

/// A function the model may call: its definition and the function.
#[derive(Clone)]
pub struct RunnableTool {
    /// The tool as the model sees it: `{"type": "function", "function": {"name", "description", "parameters"}}`.
    pub definition: Value,
    /// Called with the arguments text as the model wrote it.
    pub function: Arc<dyn Fn(String) -> ToolFuture + Send + Sync>,
}

impl RunnableTool {
    /// A function tool named `name`.
    pub fn new<F, Fut>(name: &str, description: &str, parameters: Value, function: F) -> RunnableTool
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Value, ToolError>> + Send + 'static,
    {
        RunnableTool {
            definition: json!({"type": "function", "function": {
                "name": name, "description": description, "parameters": parameters}}),
            function: Arc::new(move |args| Box::pin(function(args))),
        }
    }

    fn name(&self) -> &str {
        self.definition
            .pointer("/function/name")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
}

/// Called with each chunk of a streamed round, as it arrives.
pub type ChunkCallback = Arc<dyn Fn(&ChatCompletionChunk) + Send + Sync>;

/// How [`Client::run_tools`] runs.
#[derive(Clone, Default)]
pub struct RunToolsOptions {
    /// Most chat completion requests (default [`DEFAULT_MAX_CHAT_COMPLETIONS`]).
    pub max_chat_completions: Option<u32>,
    /// Stream each chat completion; `on_chunk` sees the chunks.
    pub stream: bool,
    /// With `stream`: called with every chunk of every round, in order.
    pub on_chunk: Option<ChunkCallback>,
    /// Per-request options of every request.
    pub request: RequestOptions,
}

impl std::fmt::Debug for RunToolsOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunToolsOptions")
            .field("max_chat_completions", &self.max_chat_completions)
            .field("stream", &self.stream)
            .field("on_chunk", &self.on_chunk.is_some())
            .field("request", &self.request)
            .finish()
    }
}

/// A finished run.
#[derive(Clone, Debug)]
pub struct ToolRun {
    /// Every chat completion, in order (tool call ids filled in; each message's `parsed` and
    /// each call's `parsed_arguments` in their `extra`, as openai-node adds them).
    pub chat_completions: Vec<ChatCompletion>,
    /// The conversation, the caller's messages first.
    pub messages: Vec<ChatMessage>,
    /// The final results.
    pub final_results: Final,
}

/// Why a run failed.
#[derive(Debug)]
pub enum RunToolsError {
    /// A request failed, or the runner's input was invalid.
    Api(Error),
    /// A tool function failed ([`ToolError::Failed`]).
    Tool(Box<dyn std::error::Error + Send + Sync>),
}

impl std::fmt::Display for RunToolsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunToolsError::Api(e) => e.fmt(f),
            RunToolsError::Tool(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for RunToolsError {}

impl From<Error> for RunToolsError {
    fn from(e: Error) -> Self {
        RunToolsError::Api(e)
    }
}

impl Client {
    /// openai-node's `runTools`: sends `request` (a [`crate::ChatCompletionRequest`] or its
    /// JSON, without `tools`) with `tools`' definitions, runs the functions the model calls and
    /// sends their answers back, until the model answers without calls or
    /// `max_chat_completions` requests were made.
    pub async fn run_tools(
        &self,
        request: &impl Serialize,
        tools: &[RunnableTool],
        options: &RunToolsOptions,
    ) -> Result<ToolRun, RunToolsError> {
        let mut params = serde_json::to_value(request).map_err(|e| Error::invalid("body", e))?;
        if let Value::Object(o) = &mut params {
            o.insert(
                "tools".into(),
                Value::Array(tools.iter().map(|t| t.definition.clone()).collect()),
            );
        }
        let mut runner = ToolRunner::new(params, options.max_chat_completions)?;
        let mut run = ToolRun {
            chat_completions: Vec::new(),
            messages: Vec::new(),
            final_results: Final::default(),
        };
        let mut action = runner.start().action;
        loop {
            action = match action {
                Action::Request(body) => {
                    let mut completion = self.round(&body, options).await?;
                    let step = runner.on_completion(&mut completion)?;
                    run.chat_completions.push(typed(completion)?);
                    step.action
                }
                Action::CallTools(calls) => {
                    let pending = calls.iter().map(|call| {
                        let tool = tools.iter().find(|t| t.name() == call.name);
                        let future = tool.map(|t| (t.function)(call.arguments.clone()));
                        async move {
                            match future {
                                Some(f) => f.await,
                                None => Err(ToolError::Parse(format!("no function {:?}", call.name))),
                            }
                        }
                    });
                    // Every call settles before a failure ends the run (as the peer's allSettled).
                    let outcomes = futures_util::future::join_all(pending).await;
                    let mut results = Vec::with_capacity(calls.len());
                    let mut failure = None;
                    for (call, outcome) in calls.iter().zip(outcomes) {
                        let (output, called) = match outcome {
                            Ok(v) => (v, true),
                            Err(ToolError::Parse(m)) => (Value::String(m), false),
                            Err(ToolError::Failed(e)) => {
                                failure.get_or_insert(e);
                                continue;
                            }
                        };
                        results.push(ToolResult {
                            tool_call_id: call.id.clone(),
                            output,
                            called,
                        });
                    }
                    if let Some(e) = failure {
                        return Err(RunToolsError::Tool(e));
                    }
                    runner.on_results(results)?.action
                }
                Action::Done => break,
            };
        }
        run.final_results = runner.final_results();
        run.messages = runner.messages.into_iter().map(typed).collect::<Result<_, _>>()?;
        Ok(run)
    }

    async fn round(&self, body: &Value, options: &RunToolsOptions) -> Result<Value, Error> {
        let text = body.to_string();
        let decode = |bytes: &[u8]| {
            serde_json::from_slice::<Value>(bytes).map_err(|e| Error::new(ErrorKind::Decode, e.to_string()))
        };
        if !options.stream {
            let response = self.call("chat", Some(&text), &options.request).await?;
            return decode(&response.data);
        }
        let mut stream = self.open("chat_stream", Some(&text), &options.request).await?;
        loop {
            let batch = stream.next_batch(256).await?;
            if batch.is_empty() {
                break;
            }
            if let Some(on_chunk) = &options.on_chunk {
                for item in batch {
                    let chunk: ChatCompletionChunk =
                        serde_json::from_str(&item.data).map_err(|e| Error::new(ErrorKind::Decode, e.to_string()))?;
                    on_chunk(&chunk);
                }
            }
        }
        decode(stream.snapshot_json().as_bytes())
    }
}

fn typed<T: serde::de::DeserializeOwned>(v: Value) -> Result<T, Error> {
    serde_json::from_value(v).map_err(|e| Error::new(ErrorKind::Decode, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> Value {
        json!({"model": "m", "messages": [{"role": "user", "content": "hi"}],
               "tools": [{"type": "function", "function": {"name": "add", "parameters": {}}},
                         {"type": "function", "function": {"name": "echo", "parameters": {}}}]})
    }

    fn asks(calls: Value) -> Value {
        json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": null, "tool_calls": calls}}],
               "usage": {"prompt_tokens": 2, "completion_tokens": 3, "total_tokens": 5}})
    }

    fn call(id: &str, name: &str) -> Value {
        json!({"id": id, "type": "function", "function": {"name": name, "arguments": "{}"}})
    }

    #[test]
    fn first_request_keeps_the_callers_order_and_adds_tool_choice() {
        let r = ToolRunner::new(params(), None).unwrap();
        let Action::Request(body) = r.start().action else {
            panic!()
        };
        let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["model", "messages", "tools", "tool_choice", "stream"]);
        assert_eq!(body["tool_choice"], "auto");
    }

    #[test]
    fn unknown_tools_are_answered_in_call_order_with_the_results() {
        let mut r = ToolRunner::new(params(), None).unwrap();
        let mut c = asks(json!([call("a", "add"), call("b", "nope"), call("c", "echo")]));
        let step = r.on_completion(&mut c).unwrap();
        let Action::CallTools(calls) = step.action else {
            panic!()
        };
        assert_eq!(calls.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["a", "c"]);
        let step = r
            .on_results(vec![
                ToolResult {
                    tool_call_id: "c".into(),
                    output: json!("e"),
                    called: true,
                },
                ToolResult {
                    tool_call_id: "a".into(),
                    output: json!({"sum": 3}),
                    called: true,
                },
            ])
            .unwrap();
        let contents: Vec<&str> = step.added.iter().map(|m| m["content"].as_str().unwrap()).collect();
        assert_eq!(
            contents,
            [
                "{\"sum\":3}",
                "Invalid tool_call: \"nope\". Available options are: \"add\", \"echo\". Please try again",
                "e"
            ]
        );
        assert!(matches!(step.action, Action::Request(_)));
    }

    #[test]
    fn max_chat_completions_ends_quietly() {
        let mut r = ToolRunner::new(params(), Some(1)).unwrap();
        let mut c = asks(json!([call("a", "add")]));
        r.on_completion(&mut c).unwrap();
        let step = r
            .on_results(vec![ToolResult {
                tool_call_id: "a".into(),
                output: json!(1),
                called: true,
            }])
            .unwrap();
        assert_eq!(step.action, Action::Done);
        let f = r.final_results();
        assert!(f.max_chat_completions_reached);
        assert_eq!(f.content, None);
        assert_eq!(f.function_tool_call_result.as_deref(), Some("1"));
    }

    #[test]
    fn missing_ids_are_generated_and_replayed() {
        let mut r = ToolRunner::new(params(), None).unwrap();
        let mut c = asks(json!([call("", "add")]));
        let step = r.on_completion(&mut c).unwrap();
        let id = c["choices"][0]["message"]["tool_calls"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(id.starts_with("call_") && id.len() == 37);
        assert_eq!(
            step.action,
            Action::CallTools(vec![ToolCall {
                id,
                name: "add".into(),
                arguments: "{}".into()
            }])
        );
    }

    #[test]
    fn a_named_tool_choice_runs_one_call_and_ends() {
        let mut p = params();
        p["tool_choice"] = json!({"type": "function", "function": {"name": "add"}});
        let mut r = ToolRunner::new(p, None).unwrap();
        let mut c = asks(json!([call("a", "echo"), call("b", "add"), call("c", "add")]));
        let step = r.on_completion(&mut c).unwrap();
        assert_eq!(step.added.len(), 2, "the assistant message and the refusal of echo");
        let Action::CallTools(calls) = step.action else {
            panic!()
        };
        assert_eq!(calls[0].id, "b");
        let step = r
            .on_results(vec![ToolResult {
                tool_call_id: "b".into(),
                output: json!("x"),
                called: true,
            }])
            .unwrap();
        assert_eq!(step.action, Action::Done);
    }

    #[test]
    fn completions_are_parsed_as_openai_node_parses_them() {
        let mut p = params();
        p["tools"][0]["function"]["strict"] = json!(true);
        let mut r = ToolRunner::new(p, None).unwrap();
        let mut c = asks(json!([call("a", "add"), call("b", "echo")]));
        r.on_completion(&mut c).unwrap();
        let m = &c["choices"][0]["message"];
        assert_eq!(m["parsed"], Value::Null);
        assert_eq!(
            m["tool_calls"][0]["function"]["parsed_arguments"],
            json!({}),
            "strict: parsed"
        );
        assert_eq!(m["tool_calls"][1]["function"]["parsed_arguments"], Value::Null);
        let Action::Request(body) = r.request_after_results_for_test() else {
            panic!()
        };
        assert!(
            body["messages"][1]["tool_calls"][0]["function"]
                .get("parsed_arguments")
                .is_none(),
            "not replayed"
        );
    }

    impl ToolRunner {
        fn request_after_results_for_test(&mut self) -> Action {
            let results = self
                .pending
                .iter()
                .map(|p| ToolResult {
                    tool_call_id: p.call.id.clone(),
                    output: json!("x"),
                    called: true,
                })
                .collect();
            self.on_results(results).unwrap().action
        }
    }

    #[test]
    fn request_messages_drop_response_only_fields() {
        let m = json!({"role": "assistant", "content": "x", "refusal": null, "reasoning": "r", "annotations": []});
        assert_eq!(request_message(&m), json!({"role": "assistant", "content": "x"}));
    }
}
