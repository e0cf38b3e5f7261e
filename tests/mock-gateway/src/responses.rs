//! `POST /v1/responses`: the Responses API's answer, plain (a `response` object)
//! and streamed (typed `event:` lines ended by `response.completed`), both made
//! from the same output items so that a stream adds up to the plain answer.

use serde_json::{json, Map, Value};

use crate::api::{content_text, word_count, ChatCtx, CREATED};
use crate::sse::split_text;
use crate::step::{Pieces, StreamSpec, ToolCallSpec};

/// What a Responses request asks of the answer, beyond the chat context.
#[derive(Debug, Clone, Default)]
pub struct Want {
    /// A function call the request forces (`tool_choice` `"required"` or a named function).
    pub function_call: Option<ToolCallSpec>,
    /// The request has `reasoning`: a reasoning item comes first.
    pub reasoning: bool,
    /// The user's text the default answer echoes.
    pub user_text: String,
    /// `max_output_tokens`, echoed.
    pub max_output_tokens: Option<u64>,
}

/// The chat context of a Responses request: the text of `input` (a string, or the last
/// user message item's text) stands for the last user message.
pub fn ctx_from_request(body: &Value, n: usize) -> ChatCtx {
    let items = body.get("input").and_then(Value::as_array);
    let user_text = match body.get("input") {
        Some(Value::String(s)) => s.clone(),
        _ => items
            .and_then(|items| {
                items.iter().rev().find(|i| {
                    i.get("role").and_then(Value::as_str) == Some("user")
                        && i.get("type").and_then(Value::as_str).is_none_or(|t| t == "message")
                })
            })
            .map(|m| content_text(m.get("content").unwrap_or(&Value::Null)))
            .unwrap_or_default(),
    };
    let prompt_tokens = match body.get("input") {
        Some(Value::String(s)) => word_count(s),
        _ => items
            .map(|i| {
                i.iter()
                    .map(|m| word_count(&content_text(m.get("content").unwrap_or(&Value::Null))))
                    .sum()
            })
            .unwrap_or(0),
    } + body
        .get("instructions")
        .and_then(Value::as_str)
        .map(word_count)
        .unwrap_or(0);
    let want = Want {
        function_call: forced_call(body, &user_text),
        reasoning: body.get("reasoning").is_some_and(|r| !r.is_null()),
        user_text: user_text.clone(),
        max_output_tokens: body.get("max_output_tokens").and_then(Value::as_u64),
    };
    let mut ctx = ChatCtx::from_request(&Value::Null, n);
    ctx.id = format!("resp_mock_{n}");
    ctx.model = body
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or("routerkit-mock")
        .to_string();
    ctx.default_content = format!("Hello from routerkit-mock! You said: {user_text}");
    ctx.prompt_tokens = prompt_tokens;
    ctx.responses = Some(Box::new(want));
    ctx
}

/// The function call a request forces: `tool_choice: "required"` calls the first function
/// tool, `{"type": "function", "name": N}` calls N. Its arguments fill the tool's required
/// parameters (strings with the user's text, numbers 1, booleans true), so they are
/// deterministic and valid for the schema.
fn forced_call(body: &Value, user_text: &str) -> Option<ToolCallSpec> {
    let tools = body.get("tools")?.as_array()?;
    let functions: Vec<&Value> = tools
        .iter()
        .filter(|t| t.get("type").and_then(Value::as_str) == Some("function"))
        .collect();
    let tool = match body.get("tool_choice") {
        Some(Value::String(s)) if s == "required" => functions.first().copied(),
        Some(choice @ Value::Object(_)) => {
            let name = choice.get("name").and_then(Value::as_str)?;
            functions
                .into_iter()
                .find(|t| t.get("name").and_then(Value::as_str) == Some(name))
        }
        _ => None,
    }?;
    let name = tool.get("name").and_then(Value::as_str)?.to_string();
    let mut args = Map::new();
    let props = tool.pointer("/parameters/properties").and_then(Value::as_object);
    for key in tool
        .pointer("/parameters/required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        let kind = props
            .and_then(|p| p.get(key))
            .and_then(|p| p.get("type"))
            .and_then(Value::as_str);
        let value = match kind {
            Some("number") | Some("integer") => json!(1),
            Some("boolean") => json!(true),
            Some("array") => json!([]),
            Some("object") => json!({}),
            _ => json!(user_text),
        };
        args.insert(key.to_string(), value);
    }
    Some(ToolCallSpec {
        id: None,
        name,
        arguments: Value::Object(args).to_string(),
        pieces: None,
    })
}

/// One output item with the pieces its stream sends.
enum Item {
    Reasoning {
        id: String,
        summary: String,
    },
    Message {
        id: String,
        pieces: Vec<String>,
        /// `repeat`: this many deltas taking `pieces` in turn, instead of one delta per piece.
        repeat: Option<usize>,
    },
    Call {
        id: String,
        call_id: String,
        name: String,
        pieces: Vec<String>,
    },
}

impl Item {
    /// A message's whole text: its deltas joined.
    fn text(pieces: &[String], repeat: Option<usize>) -> String {
        match repeat {
            Some(n) => pieces.iter().cycle().take(n).map(String::as_str).collect(),
            None => pieces.concat(),
        }
    }

    fn done(&self) -> Value {
        match self {
            Item::Reasoning { id, summary } => json!({
                "type": "reasoning", "id": id,
                "summary": [{"type": "summary_text", "text": summary}],
                "encrypted_content": format!("mock-encrypted-{id}"),
            }),
            Item::Message { id, pieces, repeat } => json!({
                "type": "message", "id": id, "status": "completed", "role": "assistant",
                "content": [{"type": "output_text", "text": Item::text(pieces, *repeat), "annotations": []}],
            }),
            Item::Call {
                id,
                call_id,
                name,
                pieces,
            } => json!({
                "type": "function_call", "id": id, "status": "completed",
                "call_id": call_id, "name": name, "arguments": pieces.concat(),
            }),
        }
    }

    fn added(&self) -> Value {
        match self {
            Item::Reasoning { id, .. } => json!({"type": "reasoning", "id": id, "summary": []}),
            Item::Message { id, .. } => {
                json!({"type": "message", "id": id, "status": "in_progress", "role": "assistant", "content": []})
            }
            Item::Call { id, call_id, name, .. } => json!({
                "type": "function_call", "id": id, "status": "in_progress",
                "call_id": call_id, "name": name, "arguments": "",
            }),
        }
    }
}

/// The items of an answer: a reasoning item (asked for by the request or the step), the
/// message (unless the answer is only function calls), then the function calls.
fn items(spec: &StreamSpec, ctx: &ChatCtx, want: &Want) -> Vec<Item> {
    let mut out = Vec::new();
    let reasoning = match (&spec.reasoning, want.reasoning) {
        (Some(r), _) => Some(r.clone()),
        (None, true) => Some(format!("Thinking about: {}", want.user_text)),
        (None, false) => None,
    };
    if let Some(summary) = reasoning {
        out.push(Item::Reasoning {
            id: format!("rs_mock_{}", out.len()),
            summary,
        });
    }
    let calls: Vec<ToolCallSpec> = match (&spec.tool_calls, &want.function_call) {
        (Some(calls), _) => calls.clone(),
        (None, Some(call)) if spec.content.is_none() => vec![call.clone()],
        _ => Vec::new(),
    };
    let content = match &spec.content {
        Some(c) => Some(c.clone()),
        None if calls.is_empty() => Some(ctx.default_content.clone()),
        None => None,
    };
    if let Some(content) = content {
        // `repeat` (benchmarks), as in chat: the deltas take a `pieces` list in turn, else the content whole.
        let pieces = match (spec.repeat, &spec.pieces) {
            (Some(_), Some(Pieces::Exact(list))) if !list.is_empty() => list.clone(),
            (Some(_), _) => vec![content],
            (None, pieces) => split_text(&content, pieces.as_ref()),
        };
        out.push(Item::Message {
            id: format!("msg_mock_{}", out.len()),
            pieces,
            repeat: spec.repeat,
        });
    }
    for (i, call) in calls.iter().enumerate() {
        let pieces = if call.arguments.is_empty() {
            Vec::new()
        } else {
            split_text(&call.arguments, Some(&Pieces::Count(call.pieces.unwrap_or(3))))
        };
        out.push(Item::Call {
            id: format!("fc_mock_{}", out.len()),
            call_id: call.id.clone().unwrap_or_else(|| format!("call_{}", i + 1)),
            name: call.name.clone(),
            pieces,
        });
    }
    out
}

/// The `response` object with `status` and `output`.
fn response(ctx: &ChatCtx, want: &Want, spec: &StreamSpec, status: &str, output: Vec<Value>, end: bool) -> Value {
    let mut r = json!({
        "id": ctx.id, "object": "response", "created_at": CREATED, "status": status,
        "model": ctx.model, "output": output, "error": null, "incomplete_details": null,
        "max_output_tokens": want.max_output_tokens,
    });
    if end {
        let text: String = output_words(&r);
        let reasoning = r["output"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|i| i["type"] == "reasoning")
            .map(|i| word_count(i["summary"][0]["text"].as_str().unwrap_or("")))
            .sum::<u64>();
        let output_tokens = word_count(&text) + reasoning;
        r["usage"] = match &spec.usage {
            Some(Some(u)) if u.is_object() => u.clone(),
            Some(_) => Value::Null,
            None => json!({
                "input_tokens": ctx.prompt_tokens,
                "input_tokens_details": {"cached_tokens": 0},
                "output_tokens": output_tokens,
                "output_tokens_details": {"reasoning_tokens": reasoning},
                "total_tokens": ctx.prompt_tokens + output_tokens,
            }),
        };
    } else {
        r["usage"] = Value::Null;
    }
    r
}

/// The words the usage counts: message text and function-call arguments.
fn output_words(r: &Value) -> String {
    let mut text = String::new();
    for item in r["output"].as_array().into_iter().flatten() {
        if let Some(parts) = item["content"].as_array() {
            for p in parts {
                text.push_str(p["text"].as_str().unwrap_or(""));
                text.push(' ');
            }
        }
        if let Some(a) = item["arguments"].as_str() {
            text.push_str(a);
            text.push(' ');
        }
    }
    text
}

/// How the stream (or the plain answer) ends: `finish_reason` `"incomplete"` or `"failed"`
/// picks `response.incomplete` / `response.failed`; anything else `response.completed`.
fn terminal(spec: &StreamSpec) -> (&'static str, &'static str) {
    match spec.finish_reason.as_ref().and_then(|f| f.as_deref()) {
        Some("incomplete") => ("response.incomplete", "incomplete"),
        Some("failed") => ("response.failed", "failed"),
        _ => ("response.completed", "completed"),
    }
}

fn finish_response(mut r: Value, status: &str) -> Value {
    match status {
        "incomplete" => r["incomplete_details"] = json!({"reason": "max_output_tokens"}),
        "failed" => {
            r["error"] = json!({"code": "server_error", "message": "routerkit-mock: the response failed"});
        }
        _ => {}
    }
    r
}

/// The plain answer of `POST /v1/responses`.
pub fn response_for(ctx: &ChatCtx, content: Option<&str>) -> Value {
    let want = ctx.responses.as_deref().cloned().unwrap_or_default();
    let spec = StreamSpec {
        content: content.map(str::to_owned),
        ..Default::default()
    };
    let output = items(&spec, ctx, &want).iter().map(Item::done).collect();
    response(ctx, &want, &spec, "completed", output, true)
}

/// One event of a Responses stream, or (`repeat`) a run of text deltas the producer renders once.
pub enum Event {
    One(Value),
    /// `count` `response.output_text.delta` events taking `templates` in turn (each without its
    /// `sequence_number`), numbered from `first_seq` on.
    Deltas {
        templates: Vec<Value>,
        count: usize,
        first_seq: usize,
    },
}

/// The events of a streamed answer, each carrying its `type` (the producer writes it as the
/// `event:` line) and a `sequence_number`. `done: false` leaves the terminal event out (a truncated stream).
pub fn stream_events(spec: &StreamSpec, ctx: &ChatCtx, want: &Want) -> Vec<Event> {
    let items = items(spec, ctx, want);
    let mut out: Vec<Event> = Vec::new();
    out.push(Event::One(
        json!({"type": "response.created", "response": response(ctx, want, spec, "in_progress", vec![], false)}),
    ));
    out.push(Event::One(
        json!({"type": "response.in_progress", "response": response(ctx, want, spec, "in_progress", vec![], false)}),
    ));
    for (index, item) in items.iter().enumerate() {
        out.push(Event::One(
            json!({"type": "response.output_item.added", "output_index": index, "item": item.added()}),
        ));
        match item {
            Item::Reasoning { id, summary } => {
                let part = json!({"type": "summary_text", "text": ""});
                out.push(Event::One(json!({"type": "response.reasoning_summary_part.added", "item_id": id, "output_index": index, "summary_index": 0, "part": part})));
                for piece in split_text(summary, None) {
                    out.push(Event::One(json!({"type": "response.reasoning_summary_text.delta", "item_id": id, "output_index": index, "summary_index": 0, "delta": piece})));
                }
                out.push(Event::One(json!({"type": "response.reasoning_summary_text.done", "item_id": id, "output_index": index, "summary_index": 0, "text": summary})));
                out.push(Event::One(json!({"type": "response.reasoning_summary_part.done", "item_id": id, "output_index": index, "summary_index": 0, "part": {"type": "summary_text", "text": summary}})));
            }
            Item::Message { id, pieces, repeat } => {
                let at = |v: Value| {
                    let mut v = v;
                    v["item_id"] = json!(id);
                    v["output_index"] = json!(index);
                    v["content_index"] = json!(0);
                    v
                };
                out.push(Event::One(at(
                    json!({"type": "response.content_part.added", "part": {"type": "output_text", "text": "", "annotations": []}}),
                )));
                let delta =
                    |piece: &String| at(json!({"type": "response.output_text.delta", "delta": piece, "logprobs": []}));
                match repeat {
                    Some(count) => out.push(Event::Deltas {
                        templates: pieces.iter().map(delta).collect(),
                        count: *count,
                        first_seq: 0,
                    }),
                    None => out.extend(pieces.iter().map(|p| Event::One(delta(p)))),
                }
                let text = Item::text(pieces, *repeat);
                out.push(Event::One(at(
                    json!({"type": "response.output_text.done", "text": text, "logprobs": []}),
                )));
                out.push(Event::One(at(
                    json!({"type": "response.content_part.done", "part": {"type": "output_text", "text": text, "annotations": []}}),
                )));
            }
            Item::Call { id, pieces, .. } => {
                for piece in pieces {
                    out.push(Event::One(json!({"type": "response.function_call_arguments.delta", "item_id": id, "output_index": index, "delta": piece})));
                }
                out.push(Event::One(json!({"type": "response.function_call_arguments.done", "item_id": id, "output_index": index, "arguments": pieces.concat()})));
            }
        }
        out.push(Event::One(
            json!({"type": "response.output_item.done", "output_index": index, "item": item.done()}),
        ));
    }
    if spec.done.unwrap_or(true) {
        let (kind, status) = terminal(spec);
        let output = items.iter().map(Item::done).collect();
        let r = finish_response(response(ctx, want, spec, status, output, true), status);
        out.push(Event::One(json!({"type": kind, "response": r})));
    }
    let mut seq = 0;
    for ev in &mut out {
        match ev {
            Event::One(v) => {
                v["sequence_number"] = json!(seq);
                seq += 1;
            }
            Event::Deltas { count, first_seq, .. } => {
                *first_seq = seq;
                seq += *count;
            }
        }
    }
    out
}

/// The default `error` event of `error_after` in a Responses stream.
pub fn error_event(seq: usize) -> Value {
    json!({"type": "error", "code": "server_error", "message": "routerkit-mock: stream error", "param": null, "sequence_number": seq})
}
