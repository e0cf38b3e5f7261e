//! Default (deterministic) answers of the API endpoints.

use serde_json::{json, Value};

/// `created` in every generated object (deterministic output).
pub const CREATED: u64 = 1_700_000_000;

pub const MODELS: &[(&str, &str)] = &[
    ("anthropic/claude-opus-4-5", "anthropic"),
    ("openai/gpt-4.1", "openai"),
    ("google/gemini-2.5-pro", "google"),
    ("deepseek/deepseek-r1", "deepseek"),
];

pub fn word_count(s: &str) -> u64 {
    s.split_whitespace().count() as u64
}

/// Text of a message's `content`: a string, or the `text` of its parts joined by " ".
pub fn content_text(c: &Value) -> String {
    match c {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    }
}

/// Which API's objects an answer is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `chat.completion` / `chat.completion.chunk` (`choices[].message`, `choices[].delta`).
    Chat,
    /// `text_completion` (legacy completions: `choices[].text`), plain and streamed.
    Completion,
}

/// What a chat (or legacy completion) answer is derived from.
pub struct ChatCtx {
    pub shape: Shape,
    pub id: String,
    pub model: String,
    pub default_content: String,
    pub prompt_tokens: u64,
    pub include_usage: bool,
    /// A Responses API request (`POST /v1/responses`): what it asks of the answer.
    pub responses: Option<Box<crate::responses::Want>>,
    /// The step's `provider` (on bodies and chunks) and `cost` (on usage).
    pub provider: Option<String>,
    pub cost: Option<f64>,
}

impl ChatCtx {
    /// Adds the step's `provider` to a body or chunk, and its `cost` to the usage in it.
    pub fn stamp(&self, mut v: Value) -> Value {
        if let (Some(p), Some(obj)) = (&self.provider, v.as_object_mut()) {
            obj.insert("provider".into(), Value::from(p.as_str()));
        }
        if let Some(usage) = v.get_mut("usage") {
            self.stamp_usage(usage);
        }
        v
    }

    /// Adds the step's `cost` to a usage object.
    pub fn stamp_usage(&self, usage: &mut Value) {
        if let (Some(cost), Some(obj)) = (self.cost, usage.as_object_mut()) {
            obj.insert("cost".into(), json!(cost));
            obj.insert("cost_details".into(), json!({ "upstream_inference_cost": cost }));
        }
    }
}

impl ChatCtx {
    pub fn from_request(body: &Value, n: usize) -> ChatCtx {
        let messages = body.get("messages").and_then(Value::as_array);
        let last_user = messages
            .and_then(|m| {
                m.iter()
                    .rev()
                    .find(|m| m.get("role").and_then(Value::as_str) == Some("user"))
            })
            .map(|m| content_text(m.get("content").unwrap_or(&Value::Null)))
            .unwrap_or_default();
        let prompt_tokens = messages
            .map(|m| {
                m.iter()
                    .map(|m| word_count(&content_text(m.get("content").unwrap_or(&Value::Null))))
                    .sum()
            })
            .unwrap_or(0);
        ChatCtx {
            shape: Shape::Chat,
            id: format!("chatcmpl-mock-{n}"),
            model: body
                .get("model")
                .and_then(Value::as_str)
                .unwrap_or("routerkit-mock")
                .to_string(),
            default_content: format!("Hello from routerkit-mock! You said: {last_user}"),
            prompt_tokens,
            include_usage: body
                .pointer("/stream_options/include_usage")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            responses: None,
            provider: None,
            cost: None,
        }
    }
}

impl ChatCtx {
    /// A legacy completions request: the prompt (a string, or the strings of an array joined by
    /// one space) stands for the last user message.
    pub fn from_completion_request(body: &Value, n: usize) -> ChatCtx {
        let prompt = match body.get("prompt") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" "),
            _ => String::new(),
        };
        ChatCtx {
            shape: Shape::Completion,
            id: format!("cmpl-mock-{n}"),
            model: body
                .get("model")
                .and_then(Value::as_str)
                .unwrap_or("routerkit-mock")
                .to_string(),
            prompt_tokens: word_count(&prompt),
            default_content: format!("Hello from routerkit-mock! You said: {prompt}"),
            include_usage: body
                .pointer("/stream_options/include_usage")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            responses: None,
            provider: None,
            cost: None,
        }
    }
}

/// The non-stream answer of either shape.
pub fn completion_for(ctx: &ChatCtx, content: &str) -> Value {
    match ctx.shape {
        Shape::Chat => chat_completion(ctx, content),
        Shape::Completion => text_completion(ctx, content),
    }
}

/// A legacy `text_completion`.
pub fn text_completion(ctx: &ChatCtx, content: &str) -> Value {
    let completion = word_count(content);
    ctx.stamp(json!({
        "id": ctx.id,
        "object": "text_completion",
        "created": CREATED,
        "model": ctx.model,
        "choices": [{"text": content, "index": 0, "logprobs": null, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": ctx.prompt_tokens,
            "completion_tokens": completion,
            "total_tokens": ctx.prompt_tokens + completion,
        },
    }))
}

/// `GET /v1/models/{id}`: the model, or `None` for an id the mock does not serve.
pub fn model(id: &str) -> Option<Value> {
    let (id, owner) = MODELS.iter().find(|(m, _)| *m == id)?;
    Some(json!({
        "id": id,
        "object": "model",
        "created": CREATED,
        "owned_by": owner,
        "name": id,
        "context_length": 200000,
    }))
}

/// Moderation categories, in the order the answer lists them, and the words that flag each.
const MODERATION: &[(&str, &[&str])] = &[
    ("harassment", &["idiot", "stupid"]),
    ("hate", &["hate"]),
    ("self-harm", &["self-harm"]),
    ("sexual", &["explicit"]),
    ("violence", &["kill", "attack"]),
];

/// `POST /v1/moderations`: one result per input; a category is flagged (score 0.9, else 0.01)
/// when the input contains one of its words. `Err(message)` for a missing or empty `input`.
pub fn moderations(body: &Value, n: usize) -> Result<Value, String> {
    let inputs: Vec<String> = match body.get("input") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) if !a.is_empty() => a
            .iter()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other
                    .get("text")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
            })
            .collect(),
        _ => return Err("'input' must be a string or a non-empty array".into()),
    };
    let results: Vec<Value> = inputs
        .iter()
        .map(|text| {
            let lower = text.to_lowercase();
            let mut categories = serde_json::Map::new();
            let mut scores = serde_json::Map::new();
            for (name, words) in MODERATION {
                let hit = words.iter().any(|w| lower.contains(w));
                categories.insert((*name).into(), hit.into());
                scores.insert((*name).into(), json!(if hit { 0.9 } else { 0.01 }));
            }
            let flagged = categories.values().any(|v| v == &Value::Bool(true));
            json!({"flagged": flagged, "categories": categories, "category_scores": scores})
        })
        .collect();
    Ok(json!({
        "id": format!("modr-mock-{n}"),
        "model": body.get("model").and_then(Value::as_str).unwrap_or("omni-moderation-latest"),
        "results": results,
    }))
}

pub fn chat_completion(ctx: &ChatCtx, content: &str) -> Value {
    let completion = word_count(content);
    ctx.stamp(json!({
        "id": ctx.id,
        "object": "chat.completion",
        "created": CREATED,
        "model": ctx.model,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content},
            "logprobs": null,
            "finish_reason": "stop",
        }],
        "usage": {
            "prompt_tokens": ctx.prompt_tokens,
            "completion_tokens": completion,
            "total_tokens": ctx.prompt_tokens + completion,
        },
    }))
}

pub fn models() -> Value {
    let data: Vec<Value> = MODELS
        .iter()
        .map(|(id, owner)| {
            json!({
                "id": id,
                "object": "model",
                "created": CREATED,
                "owned_by": owner,
                "name": id,
                "context_length": 200000,
            })
        })
        .collect();
    json!({"object": "list", "data": data})
}

fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// A deterministic unit-ish vector for a text: `dims` floats in [-1, 1).
pub fn embedding_vector(text: &str, dims: usize) -> Vec<f64> {
    let mut x = fnv1a(text) | 1;
    (0..dims)
        .map(|_| {
            // xorshift64*
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            let r = x.wrapping_mul(0x2545F4914F6CDD1D) >> 40; // 24 bits
            let f = (r as f64 / (1u64 << 24) as f64) * 2.0 - 1.0;
            (f * 1e4).round() / 1e4
        })
        .collect()
}

fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if c.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if c.len() > 2 { T[n as usize & 63] as char } else { '=' });
    }
    out
}

/// `Err(message)` for a request the real API would reject with 400.
pub fn embeddings(body: &Value) -> Result<Value, String> {
    let inputs: Vec<String> = match body.get("input") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) if !a.is_empty() => a
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                other => Ok(other.to_string()),
            })
            .collect::<Result<_, String>>()?,
        _ => return Err("'input' must be a string or a non-empty array".into()),
    };
    let dims = body
        .get("dimensions")
        .and_then(Value::as_u64)
        .unwrap_or(8)
        .clamp(1, 4096) as usize;
    let b64 = body.get("encoding_format").and_then(Value::as_str) == Some("base64");
    let model = body
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or("routerkit-mock-embed");
    let mut tokens = 0;
    let data: Vec<Value> = inputs
        .iter()
        .enumerate()
        .map(|(i, t)| {
            tokens += word_count(t);
            let v = embedding_vector(t, dims);
            let emb = if b64 {
                let bytes: Vec<u8> = v.iter().flat_map(|f| (*f as f32).to_le_bytes()).collect();
                Value::String(base64(&bytes))
            } else {
                json!(v)
            };
            json!({"object": "embedding", "index": i, "embedding": emb})
        })
        .collect();
    Ok(json!({
        "object": "list",
        "data": data,
        "model": model,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }))
}

pub fn error_body(status: u16, message: &str, typ: &str, code: Value) -> Value {
    let _ = status;
    json!({"error": {"message": message, "type": typ, "code": code, "param": null}})
}
