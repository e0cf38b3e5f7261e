//! SSE bodies: turning a `StreamSpec` into events, and the producer task that
//! writes them with the requested framing, timing and faults.

use std::io::Write;
use std::time::Duration;

use bytes::Bytes;
use flate2::write::GzEncoder;
use flate2::Compression;
use serde_json::{json, Map, Value};
use tokio::sync::mpsc;

use crate::api::{word_count, ChatCtx, Shape, CREATED};
use crate::body::{Msg, ResetFlag};
use crate::step::{Pieces, Split, StreamSpec};

pub const COMMENT: &str = ": OPENROUTER PROCESSING";

/// One unit the producer counts as an "event" (for `*_after: K`).
enum Ev {
    Json(Value),
    Raw(String),
    /// A pre-rendered event (`repeat`), shared by all its copies.
    Shared(std::sync::Arc<str>),
}

fn base_chunk(ctx: &ChatCtx, choices: Value) -> Value {
    let object = match ctx.shape {
        Shape::Chat => "chat.completion.chunk",
        Shape::Completion => "text_completion",
    };
    json!({
        "id": ctx.id,
        "object": object,
        "created": CREATED,
        "model": ctx.model,
        "choices": choices,
    })
}

/// A chunk carrying `delta`; for legacy completions, its `content` as `choices[].text`
/// (the other delta fields have no place there).
fn delta_chunk(ctx: &ChatCtx, delta: Value) -> Value {
    match ctx.shape {
        Shape::Chat => base_chunk(ctx, json!([{"index": 0, "delta": delta, "finish_reason": null}])),
        Shape::Completion => {
            let text = delta.get("content").and_then(Value::as_str).unwrap_or_default();
            base_chunk(
                ctx,
                json!([{"text": text, "index": 0, "logprobs": null, "finish_reason": null}]),
            )
        }
    }
}

fn finish_chunk(ctx: &ChatCtx, reason: String) -> Value {
    match ctx.shape {
        Shape::Chat => base_chunk(ctx, json!([{"index": 0, "delta": {}, "finish_reason": reason}])),
        Shape::Completion => base_chunk(
            ctx,
            json!([{"text": "", "index": 0, "logprobs": null, "finish_reason": reason}]),
        ),
    }
}

/// Split text into pieces: by words (each piece keeps its trailing spaces) or
/// into `n` pieces of near-equal character counts.
pub fn split_text(text: &str, pieces: Option<&Pieces>) -> Vec<String> {
    match pieces {
        Some(Pieces::Exact(v)) => v.clone(),
        Some(Pieces::Count(n)) => {
            let chars: Vec<char> = text.chars().collect();
            let n = (*n).max(1).min(chars.len().max(1));
            let mut out = Vec::with_capacity(n);
            for i in 0..n {
                let a = chars.len() * i / n;
                let b = chars.len() * (i + 1) / n;
                out.push(chars[a..b].iter().collect());
            }
            out.retain(|s: &String| !s.is_empty());
            out
        }
        None => {
            let mut out: Vec<String> = Vec::new();
            let mut cur = String::new();
            let mut in_space = false;
            for c in text.chars() {
                if c.is_whitespace() {
                    in_space = true;
                } else {
                    if in_space && cur.chars().any(|c| !c.is_whitespace()) {
                        out.push(std::mem::take(&mut cur));
                    }
                    in_space = false;
                }
                cur.push(c);
            }
            if !cur.is_empty() {
                out.push(cur);
            }
            out
        }
    }
}

fn fill_chunk(ctx: &ChatCtx, mut v: Value) -> Value {
    if let Some(m) = v.as_object_mut() {
        m.entry("id").or_insert_with(|| ctx.id.clone().into());
        let object = match ctx.shape {
            Shape::Chat => "chat.completion.chunk",
            Shape::Completion => "text_completion",
        };
        m.entry("object").or_insert_with(|| object.into());
        m.entry("created").or_insert_with(|| CREATED.into());
        m.entry("model").or_insert_with(|| ctx.model.clone().into());
    }
    v
}

fn events(spec: &StreamSpec, ctx: &ChatCtx) -> Vec<Ev> {
    if let Some(raw) = &spec.raw_events {
        return raw.iter().cloned().map(Ev::Raw).collect();
    }
    if let Some(chunks) = &spec.chunks {
        let mut out: Vec<Ev> = chunks
            .iter()
            .map(|c| {
                Ev::Json(if spec.fill {
                    fill_chunk(ctx, c.clone())
                } else {
                    c.clone()
                })
            })
            .collect();
        if let Some(Some(u)) = &spec.usage {
            if u.is_object() {
                out.push(Ev::Json(base_chunk(ctx, json!([])).with("usage", u.clone())));
            }
        }
        return out;
    }

    if let Some(want) = &ctx.responses {
        return crate::responses::stream_events(spec, ctx, want)
            .into_iter()
            .map(Ev::Json)
            .collect();
    }
    let mut out = Vec::new();
    let mut role_sent = false;
    let mut with_role = |mut delta: Map<String, Value>| {
        if !role_sent {
            role_sent = true;
            let mut d = Map::new();
            d.insert("role".into(), "assistant".into());
            d.append(&mut delta);
            d
        } else {
            delta
        }
    };

    let reasoning = spec.reasoning.clone().unwrap_or_default();
    let rfield = spec.reasoning_field.clone().unwrap_or_else(|| "reasoning".into());
    for piece in split_text(&reasoning, None) {
        let mut d = Map::new();
        d.insert("content".into(), Value::Null);
        d.insert(rfield.clone(), piece.into());
        out.push(Ev::Json(delta_chunk(ctx, Value::Object(with_role(d)))));
    }
    if let Some(n) = spec.huge_event_bytes {
        let mut d = Map::new();
        d.insert("content".into(), "a".repeat(n).into());
        out.push(Ev::Json(delta_chunk(ctx, Value::Object(with_role(d)))));
    }
    let content = match (&spec.content, &spec.tool_calls) {
        (Some(c), _) => c.clone(),
        (None, Some(_)) => String::new(),
        (None, None) if spec.huge_event_bytes.is_some() || !reasoning.is_empty() => String::new(),
        (None, None) => ctx.default_content.clone(),
    };
    if let Some(k) = spec.repeat {
        // `pieces` as a list: the deltas take them in turn (a model's tokens differ from one chunk to the next).
        let texts = match &spec.pieces {
            Some(Pieces::Exact(list)) if !list.is_empty() => list.clone(),
            _ => vec![content.clone()],
        };
        let delta = |text: &str| {
            let mut d = Map::new();
            d.insert("content".into(), text.into());
            d
        };
        if k > 0 {
            out.push(Ev::Json(delta_chunk(ctx, Value::Object(with_role(delta(&texts[0]))))));
        }
        let le = spec.line_ending.as_deref().unwrap_or("\n");
        let rendered: Vec<std::sync::Arc<str>> = texts
            .iter()
            .map(|t| {
                format_data(
                    &delta_chunk(ctx, Value::Object(delta(t))),
                    le,
                    spec.multiline_data,
                    None,
                )
                .into()
            })
            .collect();
        out.extend((1..k).map(|i| Ev::Shared(rendered[i % rendered.len()].clone())));
    } else {
        for piece in split_text(&content, spec.pieces.as_ref()) {
            let mut d = Map::new();
            d.insert("content".into(), piece.into());
            out.push(Ev::Json(delta_chunk(ctx, Value::Object(with_role(d)))));
        }
    }

    let tool_calls = spec.tool_calls.clone().unwrap_or_default();
    // Per call: a header fragment then argument fragments.
    let mut per_call: Vec<Vec<Value>> = Vec::new();
    for (i, tc) in tool_calls.iter().enumerate() {
        let id = tc.id.clone().unwrap_or_else(|| format!("call_{}", i + 1));
        let mut frags = Vec::new();
        let mut head = json!({"id": id, "type": "function", "function": {"name": tc.name, "arguments": ""}});
        if !spec.omit_index {
            head["index"] = i.into();
        }
        frags.push(head);
        if !tc.arguments.is_empty() {
            let n = tc.pieces.unwrap_or(3);
            for piece in split_text(&tc.arguments, Some(&Pieces::Count(n))) {
                let mut f = json!({"function": {"arguments": piece}});
                if !spec.omit_index {
                    f["index"] = i.into();
                }
                frags.push(f);
            }
        }
        per_call.push(frags);
    }
    let mut ordered = Vec::new();
    if spec.parallel {
        let longest = per_call.iter().map(Vec::len).max().unwrap_or(0);
        for k in 0..longest {
            for call in &per_call {
                if let Some(f) = call.get(k) {
                    ordered.push(f.clone());
                }
            }
        }
    } else {
        ordered = per_call.into_iter().flatten().collect();
    }
    for frag in ordered {
        let mut d = Map::new();
        d.insert("tool_calls".into(), json!([frag]));
        out.push(Ev::Json(delta_chunk(ctx, Value::Object(with_role(d)))));
    }

    let finish = match &spec.finish_reason {
        Some(f) => f.clone(),
        None if !tool_calls.is_empty() => Some("tool_calls".into()),
        None => Some("stop".into()),
    };
    if let Some(f) = finish {
        out.push(Ev::Json(finish_chunk(ctx, f)));
    }

    let usage = match &spec.usage {
        Some(Some(u)) if u.is_object() => Some(u.clone()),
        Some(_) => None,
        None if ctx.include_usage => {
            let completion = word_count(&content) * spec.repeat.unwrap_or(1) as u64 + word_count(&reasoning);
            Some(json!({
                "prompt_tokens": ctx.prompt_tokens,
                "completion_tokens": completion,
                "total_tokens": ctx.prompt_tokens + completion,
            }))
        }
        None => None,
    };
    if let Some(u) = usage {
        out.push(Ev::Json(base_chunk(ctx, json!([])).with("usage", u)));
    }
    out
}

trait With {
    fn with(self, k: &str, v: Value) -> Value;
}
impl With for Value {
    fn with(mut self, k: &str, v: Value) -> Value {
        self[k] = v;
        self
    }
}

fn format_data(v: &Value, le: &str, multiline: bool, name: Option<&str>) -> String {
    let mut s = String::new();
    if let Some(n) = name {
        s.push_str("event: ");
        s.push_str(n);
        s.push_str(le);
    }
    if multiline {
        let pretty = serde_json::to_string_pretty(v).unwrap();
        for line in pretty.lines() {
            s.push_str("data: ");
            s.push_str(line);
            s.push_str(le);
        }
    } else {
        s.push_str("data: ");
        s.push_str(&v.to_string());
        s.push_str(le);
    }
    s.push_str(le);
    s
}

pub struct Producer {
    pub tx: mpsc::Sender<Msg>,
    pub reset: ResetFlag,
    pub gzip: bool,
    pub split: Split,
}

struct Writer {
    tx: mpsc::Sender<Msg>,
    gz: Option<GzEncoder<Vec<u8>>>,
    split: Split,
}

impl Writer {
    /// Returns false when the client has gone away.
    async fn send_raw(&mut self, data: Vec<u8>) -> bool {
        if data.is_empty() {
            return true;
        }
        let n = match self.split {
            Split::None => data.len(),
            Split::EveryN(n) => n,
        };
        let data = Bytes::from(data);
        let mut i = 0;
        while i < data.len() {
            let j = (i + n).min(data.len());
            if self.tx.send(Msg::Data(data.slice(i..j))).await.is_err() {
                return false;
            }
            i = j;
        }
        true
    }

    async fn write(&mut self, s: &[u8]) -> bool {
        let out = match self.gz.as_mut() {
            Some(gz) => {
                gz.write_all(s).unwrap();
                gz.flush().unwrap();
                std::mem::take(gz.get_mut())
            }
            None => s.to_vec(),
        };
        self.send_raw(out).await
    }

    async fn finish(mut self) {
        if let Some(gz) = self.gz.take() {
            let rest = gz.finish().unwrap_or_default();
            self.send_raw(rest).await;
        }
        // Dropping the sender ends the body.
    }

    /// Sleep, or return false early when the client goes away.
    async fn sleep(&self, ms: u64) -> bool {
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(ms)) => true,
            _ = self.tx.closed() => false,
        }
    }
}

pub async fn produce(p: Producer, spec: StreamSpec, ctx: ChatCtx) {
    let le = spec.line_ending.clone().unwrap_or_else(|| "\n".into());
    let evs = events(&spec, &ctx);
    let responses = ctx.responses.is_some();
    let mut w = Writer {
        tx: p.tx,
        gz: p.gzip.then(|| GzEncoder::new(Vec::new(), Compression::fast())),
        split: p.split,
    };
    if spec.bom && !w.write("\u{feff}".as_bytes()).await {
        return;
    }
    if let Some(ms) = spec.delay_first_ms {
        if !w.sleep(ms).await {
            return;
        }
    }
    let comment = format!("{COMMENT}{le}{le}");
    for i in 0..=evs.len() {
        if spec.stall_after == Some(i) {
            if w.sleep(spec.stall_ms.unwrap_or(60_000)).await {
                w.finish().await;
            }
            return;
        }
        if spec.reset_after == Some(i) {
            p.reset.set();
            let _ = w.tx.send(Msg::Abort).await;
            return;
        }
        if spec.error_after == Some(i) {
            let ev = spec.error_event.clone().unwrap_or_else(|| match responses {
                true => crate::responses::error_event(i),
                false => json!({"error": {"message": "routerkit-mock: stream error", "code": "server_error"}}),
            });
            // A Responses stream names every event, its errors `error`.
            let name = spec.error_event_name.as_deref().or(responses.then_some("error"));
            let mut s = String::new();
            if spec.comments {
                s.push_str(&comment);
            }
            s.push_str(&format_data(&ev, &le, spec.multiline_data, name));
            if spec.done_after_error {
                s.push_str(&format!("data: [DONE]{le}{le}"));
            }
            if w.write(s.as_bytes()).await {
                w.finish().await;
            }
            return;
        }
        let Some(ev) = evs.get(i) else { break };
        if i > 0 {
            if let Some(ms) = spec.delay_ms_between {
                if !w.sleep(ms).await {
                    return;
                }
            }
        }
        let mut s = String::new();
        if spec.comments {
            s.push_str(&comment);
        }
        match ev {
            Ev::Json(v) => {
                let name = v.get("type").and_then(Value::as_str).filter(|_| responses);
                s.push_str(&format_data(v, &le, spec.multiline_data, name))
            }
            Ev::Raw(r) => s.push_str(r),
            Ev::Shared(r) => s.push_str(r),
        }
        if !w.write(s.as_bytes()).await {
            return;
        }
    }
    // A Responses stream ends with its `response.completed` event, never `[DONE]`.
    if spec.done.unwrap_or(true) && !responses {
        let mut s = String::new();
        if spec.comments {
            s.push_str(&comment);
        }
        s.push_str(&format!("data: [DONE]{le}{le}"));
        if !w.write(s.as_bytes()).await {
            return;
        }
    }
    w.finish().await;
}
