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
    /// `repeat`: this many events taking the pre-rendered texts in turn (from the second),
    /// made as they are sent, so a stream of millions costs the mock nothing per event.
    Repeat(Vec<std::sync::Arc<str>>, usize),
    /// `repeat` in a Responses stream: this many events taking the pre-rendered texts in turn,
    /// each text split around its `sequence_number`, numbered from the third field on.
    Numbered(Vec<(String, String)>, usize, usize),
}

/// An event as sent.
enum EvView<'a> {
    Json(&'a Value),
    Text(&'a str),
    /// The text before the sequence number, the number, the text after it.
    Numbered(&'a str, usize, &'a str),
}

/// How many events `evs` stands for.
fn ev_count(evs: &[Ev]) -> usize {
    evs.iter()
        .map(|e| match e {
            Ev::Repeat(_, n) | Ev::Numbered(_, n, _) => *n,
            _ => 1,
        })
        .sum()
}

/// The `i`-th event `evs` stands for.
fn ev_at(evs: &[Ev], mut i: usize) -> Option<EvView<'_>> {
    for e in evs {
        match e {
            Ev::Repeat(texts, n) if i < *n => return Some(EvView::Text(&texts[(i + 1) % texts.len()])),
            Ev::Numbered(parts, n, first) if i < *n => {
                let (head, tail) = &parts[i % parts.len()];
                return Some(EvView::Numbered(head, first + i, tail));
            }
            Ev::Repeat(_, n) | Ev::Numbered(_, n, _) => i -= n,
            _ if i == 0 => {
                return Some(match e {
                    Ev::Json(v) => EvView::Json(v),
                    Ev::Raw(r) => EvView::Text(r),
                    Ev::Repeat(..) | Ev::Numbered(..) => unreachable!(),
                })
            }
            _ => i -= 1,
        }
    }
    None
}

/// `\xHH` → the byte HH (`hex_escapes`), so a scenario written in JSON can send invalid UTF-8.
pub fn unescape_hex(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && b.get(i + 1) == Some(&b'x') {
            if let Some(byte) = s.get(i + 2..i + 4).and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(byte);
                i += 4;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// `data:` text of a chunk with a field `deep` nested `depth` arrays deep.
pub fn deep_json(base: &Value, depth: usize) -> String {
    let text = base.to_string();
    let head = text.strip_suffix('}').unwrap_or(&text);
    format!("{head},\"deep\":{}{}}}", "[".repeat(depth), "]".repeat(depth))
}

fn base_chunk(ctx: &ChatCtx, choices: Value) -> Value {
    let object = match ctx.shape {
        Shape::Chat => "chat.completion.chunk",
        Shape::Completion => "text_completion",
    };
    ctx.stamp(json!({
        "id": ctx.id,
        "object": object,
        "created": CREATED,
        "model": ctx.model,
        "choices": choices,
    }))
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
        use crate::responses::Event;
        let le = spec.line_ending.as_deref().unwrap_or("\n");
        return crate::responses::stream_events(spec, ctx, want)
            .into_iter()
            .map(|ev| match ev {
                Event::One(v) => Ev::Json(v),
                Event::Deltas {
                    templates,
                    count,
                    first_seq,
                } => Ev::Numbered(
                    templates
                        .into_iter()
                        .map(|t| render_numbered(t, le, spec.multiline_data))
                        .collect(),
                    count,
                    first_seq,
                ),
            })
            .collect();
    }
    let mut out = Vec::new();
    if let Some(depth) = spec.deep_json {
        let chunk = delta_chunk(ctx, json!({"content": "deep"}));
        out.push(Ev::Raw(format!("data: {}\n\n", deep_json(&chunk, depth))));
    }
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
        if k > 1 {
            out.push(Ev::Repeat(rendered, k - 1));
        }
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
        _ if spec.endless => None,
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
    if let Some(mut u) = usage {
        ctx.stamp_usage(&mut u);
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

/// A Responses event rendered once, split around its `sequence_number` (rendered as a marker
/// no other field holds), so that each copy sent only writes its own number in between.
fn render_numbered(mut event: Value, le: &str, multiline: bool) -> (String, String) {
    const MARK: u64 = u64::MAX;
    event["sequence_number"] = json!(MARK);
    let name = event.get("type").and_then(Value::as_str).map(str::to_owned);
    let text = format_data(&event, le, multiline, name.as_deref());
    let (head, tail) = text
        .split_once(&MARK.to_string())
        .expect("the marker is in the rendered event");
    (head.to_owned(), tail.to_owned())
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

/// Writes `n` bytes of `byte` through the writer (gzipped when it is), 64 KiB at a time;
/// false when the client went away.
async fn bomb(w: &mut Writer, byte: u8, n: u64) -> bool {
    let block = vec![byte; 64 * 1024];
    let mut left = n;
    while left > 0 {
        let k = left.min(block.len() as u64) as usize;
        if !w.write(&block[..k]).await {
            return false;
        }
        left -= k as u64;
    }
    true
}

/// A gzip bomb as a non-stream body: a chat completion whose content is `n` zeros.
pub async fn produce_bomb(tx: mpsc::Sender<Msg>, ctx: ChatCtx, n: u64) {
    let mut w = Writer {
        tx,
        gz: Some(GzEncoder::new(Vec::new(), Compression::default())),
        split: Split::None,
    };
    let head = format!(
        "{{\"id\":\"{}\",\"object\":\"chat.completion\",\"created\":{CREATED},\"model\":\"{}\",\"choices\":[{{\"index\":0,\"message\":{{\"role\":\"assistant\",\"content\":\"",
        ctx.id, ctx.model
    );
    if w.write(head.as_bytes()).await
        && bomb(&mut w, b'0', n).await
        && w.write(b"\"},\"finish_reason\":\"stop\"}]}").await
    {
        w.finish().await;
    }
}

/// A non-stream body sent one byte every `every_ms`.
pub async fn produce_trickle(tx: mpsc::Sender<Msg>, body: Vec<u8>, every_ms: u64) {
    let w = Writer {
        tx,
        gz: None,
        split: Split::None,
    };
    for (i, b) in body.iter().enumerate() {
        if i > 0 && !w.sleep(every_ms).await {
            return;
        }
        if w.tx.send(Msg::Data(Bytes::copy_from_slice(&[*b]))).await.is_err() {
            return;
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
    if let Some(every) = spec.keepalive_ms {
        let until = spec
            .keepalive_for_ms
            .map(|ms| tokio::time::Instant::now() + Duration::from_millis(ms));
        while until.is_none_or(|t| tokio::time::Instant::now() < t) {
            if !w.write(format!(": keep-alive{le}{le}").as_bytes()).await || !w.sleep(every.max(1)).await {
                return;
            }
        }
    }
    if let Some(n) = spec.gzip_bomb_bytes {
        // One event that never fits: its content is `n` bytes of `a`, compressed as it goes.
        let head = format!(
            "data: {{\"id\":\"{}\",\"object\":\"chat.completion.chunk\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"",
            ctx.id
        );
        if w.write(head.as_bytes()).await && bomb(&mut w, b'a', n).await && w.write(b"\"}}]}\n\n").await {
            w.finish().await;
        }
        return;
    }
    let comment = format!("{COMMENT}{le}{le}");
    let count = ev_count(&evs);
    let mut pending = String::new();
    for i in 0..=count {
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
        let Some(ev) = ev_at(&evs, i) else { break };
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
            EvView::Json(v) => {
                let name = v.get("type").and_then(Value::as_str).filter(|_| responses);
                s.push_str(&format_data(v, &le, spec.multiline_data, name))
            }
            EvView::Text(r) => s.push_str(r),
            EvView::Numbered(head, seq, tail) => {
                use std::fmt::Write as _;
                s.push_str(head);
                let _ = write!(s, "{seq}");
                s.push_str(tail);
            }
        }
        if let Some(k) = spec.events_per_write.filter(|&k| k > 1) {
            // Many events per write (and per HTTP chunk), as a busy gateway's buffered writer sends them.
            pending.push_str(&s);
            if (i + 1) % k != 0 && i + 1 < count {
                continue;
            }
            s = std::mem::take(&mut pending);
        }
        let sent = if spec.hex_escapes {
            w.write(&unescape_hex(&s)).await
        } else {
            w.write(s.as_bytes()).await
        };
        if !sent {
            return;
        }
    }
    if spec.endless {
        // A live stream that never ends: a content delta every `delay_ms_between`.
        let tick = format_data(&delta_chunk(&ctx, json!({"content": "more "})), &le, false, None);
        while w.sleep(spec.delay_ms_between.unwrap_or(500)).await {
            if !w.write(tick.as_bytes()).await {
                return;
            }
        }
        return;
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
