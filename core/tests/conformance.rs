//! Runs every scenario in tests/conformance/scenarios through the Rust API
//! against the mock gateway. The Python, Node and Go suites run the same files.
mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::{Session, TEST_KEY};
use routerkit::request::parse_request;
use routerkit::{
    ChatCompletion, ChatCompletionRequest, Client, CompletionRequest, EmbeddingRequest, Error, ModerationRequest, Op,
    Receipt, RequestOptions, ResponseObject, ResponseRequest,
};
use serde_json::{json, Value};

/// What a call produced, in the vocabulary of the scenarios' `expect`.
#[derive(Default, Debug)]
struct Outcome {
    ok: bool,
    content: Option<String>,
    reasoning: Option<String>,
    finish_reason: Option<String>,
    chunk_count: usize,
    usage: Option<Value>,
    tool_calls: Option<Value>,
    model_ids: Vec<String>,
    embedding_count: usize,
    moderation_flagged: Vec<bool>,
    /// The Responses API: the response's status, its output items' types, its function calls.
    status: Option<String>,
    output_types: Option<Vec<String>>,
    function_calls: Option<Value>,
    error: Option<Error>,
    attempts: u32,
    /// The receipt on the response or the stream at its end (for an error: the error's), in
    /// the scenarios' (wire) names; and the stream's after its first chunk.
    receipt: Option<Value>,
    receipt_during: Option<Value>,
    /// What the client's hook received.
    hooked: std::sync::Arc<std::sync::Mutex<Vec<Value>>>,
}

/// A receipt in the scenarios' vocabulary (the names of the core's wire form).
fn receipt_value(r: &Receipt) -> Value {
    let ms = |d: Option<Duration>| d.map(|d| d.as_secs_f64() * 1000.0);
    json!({
        "model_requested": r.model_requested, "model": r.model, "provider": r.provider,
        "request_id": r.request_id, "generation_id": r.generation_id,
        "gateway_headers": r.gateway_headers, "cache_status": r.cache_status,
        "attempts": r.attempts.iter().map(|a| json!({
            "model": a.model, "status": a.status, "error": a.error,
            "delay_ms": a.delay.as_secs_f64() * 1000.0,
            "delay_reason": a.delay_reason.map(|d| d.as_str()), "hedge": a.hedge,
        })).collect::<Vec<_>>(),
        "fallback": {"fired": r.fallback.fired, "model": r.fallback.model},
        "hedge": {"fired": r.hedge.fired, "model": r.hedge.model, "hedge_won": r.hedge.hedge_won},
        "time_to_first_byte_ms": ms(r.time_to_first_byte),
        "time_to_first_token_ms": ms(r.time_to_first_token),
        "total_time_ms": ms(r.total_time),
        "input_tokens": r.input_tokens, "output_tokens": r.output_tokens,
        "usage": r.usage, "cost": r.cost, "cost_details": r.cost_details, "complete": r.complete,
    })
}

fn scenarios() -> Vec<(String, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/conformance/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("scenarios dir")
        .map(|e| e.unwrap().path())
        .collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "json"));
    // CONFORMANCE_ONLY=038 runs the scenarios whose file name contains it (for debugging one).
    if let Ok(only) = std::env::var("CONFORMANCE_ONLY") {
        files.retain(|p| p.file_name().is_some_and(|n| n.to_string_lossy().contains(&only)));
    }
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p.file_name().unwrap().to_string_lossy().into_owned(), v)
        })
        .collect()
}

/// The operations `tests/conformance/runners.json` says this runner runs.
fn supported_ops() -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/conformance/runners.json");
    let all: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    all["rust"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

fn ms(v: &Value) -> Option<Duration> {
    v.as_f64().map(|x| Duration::from_secs_f64(x / 1000.0))
}

fn headers_of(v: &Value) -> Vec<(String, String)> {
    v.as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string()),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn build_client(
    s: &Session,
    cfg: &Value,
    hooked: &std::sync::Arc<std::sync::Mutex<Vec<Value>>>,
) -> Result<Client, Error> {
    let suffix = cfg["base_url_suffix"].as_str();
    let base = match suffix {
        Some(sfx) => format!("{}{}", s.base_url.trim_end_matches("/v1"), sfx),
        None => s.base_url.clone(),
    };
    let keep = hooked.clone();
    let mut b = Client::builder()
        .on_receipt(move |r| keep.lock().unwrap().push(receipt_value(r)))
        .api_key(TEST_KEY)
        .base_url(base)
        .default_header("x-mock-session", &s.id);
    let (initial, max) = (ms(&cfg["initial_retry_delay_ms"]), ms(&cfg["max_retry_delay_ms"]));
    if initial.is_some() || max.is_some() {
        // Explicit delays: exactly those given; the builder's rule resolves the other.
        if let Some(d) = initial {
            b = b.initial_backoff(d);
        }
        if let Some(d) = max {
            b = b.max_backoff(d);
        }
    } else if cfg["backoff"].as_str() != Some("real") {
        b = b.backoff(Duration::from_millis(1), Duration::from_millis(5));
    }
    if let Some(n) = cfg["max_retries"].as_u64() {
        b = b.max_retries(n as u32);
    }
    if let Some(d) = ms(&cfg["timeout_ms"]) {
        b = b.timeout(d);
    }
    if let Some(d) = ms(&cfg["connect_timeout_ms"]) {
        b = b.connect_timeout(d);
    }
    if let Some(d) = ms(&cfg["keepalive_timeout_ms"]) {
        b = b.keepalive_timeout(d);
    }
    if let Some(n) = cfg["max_body_bytes"].as_u64() {
        b = b.max_body_bytes(n as usize);
    }
    if let Some(d) = ms(&cfg["deadline_ms"]) {
        b = b.deadline(d);
    }
    for (k, v) in headers_of(&cfg["default_headers"]) {
        b = b.default_header(k, v);
    }
    b.build()
}

fn options(o: &Value) -> RequestOptions {
    RequestOptions {
        timeout: ms(&o["timeout_ms"]),
        deadline: ms(&o["deadline_ms"]),
        keepalive_timeout: ms(&o["keepalive_timeout_ms"]),
        max_retries: o["max_retries"].as_u64().map(|n| n as u32),
        headers: headers_of(&o["headers"]),
        ..Default::default()
    }
}

fn completion_outcome(c: &ChatCompletion, out: &mut Outcome) {
    if let Some(choice) = c.choices.first() {
        out.content = choice.message.content.clone();
        out.reasoning = choice
            .message
            .reasoning_content
            .clone()
            .or_else(|| choice.message.reasoning.clone());
        out.finish_reason = choice.finish_reason.clone();
        out.tool_calls = choice
            .message
            .tool_calls
            .as_ref()
            .map(|t| serde_json::to_value(t).unwrap());
    }
    out.usage = c.usage.as_ref().map(|u| serde_json::to_value(u).unwrap());
}

/// A response in the scenarios' vocabulary: `content` is `output_text`, `reasoning` the
/// reasoning items' summary texts.
fn response_outcome(r: &ResponseObject, out: &mut Outcome, content: bool) {
    if content {
        out.content = Some(r.output_text());
    }
    out.status = r.status.clone();
    out.output_types = Some(r.output.iter().map(|i| i.kind.clone()).collect());
    let calls: Vec<Value> = r
        .function_calls()
        .map(|c| json!({"call_id": c.call_id, "name": c.name, "arguments": c.arguments}))
        .collect();
    out.function_calls = Some(Value::Array(calls));
    let reasoning: String = r
        .output
        .iter()
        .filter(|i| i.kind == "reasoning")
        .flat_map(|i| {
            i.extra
                .get("summary")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|s| s["text"].as_str().map(str::to_owned))
        .collect();
    out.reasoning = (!reasoning.is_empty()).then_some(reasoning);
    out.usage = r.usage.as_ref().map(|u| serde_json::to_value(u).unwrap());
}

async fn perform(s: &Session, scenario: &Value) -> Outcome {
    let mut out = Outcome::default();
    let client = match build_client(s, &scenario["client"], &out.hooked) {
        Ok(c) => c,
        Err(e) => {
            out.attempts = e.attempts();
            out.error = Some(e);
            return out;
        }
    };
    let call = &scenario["call"];
    let opts = options(&call["options"]);
    let body = call["request"].to_string();
    match call["op"].as_str().unwrap() {
        "chat" => match async {
            client
                .chat(&parse_request::<ChatCompletionRequest>(&body)?, &opts)
                .await
        }
        .await
        {
            Ok(r) => {
                out.ok = true;
                out.attempts = r.attempts;
                out.receipt = Some(receipt_value(&r.receipt));
                completion_outcome(&r.data, &mut out);
            }
            Err(e) => {
                out.attempts = e.attempts();
                out.error = Some(e);
            }
        },
        "chat_stream" => {
            let cancel_after = call["options"]["cancel_after_chunks"].as_u64();
            let mut stream = match async {
                client
                    .chat_stream(&parse_request::<ChatCompletionRequest>(&body)?, &opts)
                    .await
            }
            .await
            {
                Ok(st) => st,
                Err(e) => {
                    out.attempts = e.attempts();
                    out.error = Some(e);
                    return out;
                }
            };
            let mut content = String::new();
            let mut saw_content = false;
            loop {
                let cancelled_here = cancel_after.is_some_and(|n| out.chunk_count as u64 >= n);
                if cancelled_here {
                    stream.cancel();
                }
                match stream.next().await {
                    Err(e) if cancelled_here && e.kind() == routerkit::ErrorKind::Cancelled => {
                        out.ok = true;
                        break;
                    }
                    Ok(Some(chunk)) => {
                        if out.receipt_during.is_none() {
                            out.receipt_during = Some(receipt_value(&stream.receipt()));
                        }
                        if !chunk.choices.is_empty() || chunk.usage.is_some() {
                            out.chunk_count += 1;
                        }
                        if let Some(t) = chunk.choices.first().and_then(|c| c.delta.content.as_deref()) {
                            content.push_str(t);
                            saw_content = true;
                        }
                    }
                    Ok(None) => {
                        out.ok = true;
                        break;
                    }
                    Err(e) => {
                        out.error = Some(e);
                        break;
                    }
                }
            }
            out.attempts = stream.attempts();
            out.receipt = Some(receipt_value(&stream.receipt()));
            let done = stream.into_completion();
            completion_outcome(&done, &mut out);
            out.content = saw_content.then_some(content);
        }
        "models" => match client.list_models(&opts).await {
            Ok(r) => {
                out.ok = true;
                out.attempts = r.attempts;
                out.receipt = Some(receipt_value(&r.receipt));
                out.model_ids = r.data.data.iter().map(|m| m.id.clone()).collect();
            }
            Err(e) => {
                out.attempts = e.attempts();
                out.error = Some(e);
            }
        },
        "embeddings" => match async {
            client
                .embeddings(&parse_request::<EmbeddingRequest>(&body)?, &opts)
                .await
        }
        .await
        {
            Ok(r) => {
                out.ok = true;
                out.attempts = r.attempts;
                out.receipt = Some(receipt_value(&r.receipt));
                out.embedding_count = r.data.data.len();
            }
            Err(e) => {
                out.attempts = e.attempts();
                out.error = Some(e);
            }
        },
        "models.retrieve" => match client
            .retrieve_model(call["request"]["id"].as_str().unwrap_or_default(), &opts)
            .await
        {
            Ok(r) => {
                out.ok = true;
                out.attempts = r.attempts;
                out.receipt = Some(receipt_value(&r.receipt));
                out.model_ids = vec![r.data.id.clone()];
            }
            Err(e) => {
                out.attempts = e.attempts();
                out.error = Some(e);
            }
        },
        "completions" => match async {
            client
                .completions(&parse_request::<CompletionRequest>(&body)?, &opts)
                .await
        }
        .await
        {
            Ok(r) => {
                out.ok = true;
                out.attempts = r.attempts;
                out.receipt = Some(receipt_value(&r.receipt));
                if let Some(choice) = r.data.choices.first() {
                    out.content = Some(choice.text.clone());
                    out.finish_reason = choice.finish_reason.clone();
                }
                out.usage = r.data.usage.as_ref().map(|u| serde_json::to_value(u).unwrap());
            }
            Err(e) => {
                out.attempts = e.attempts();
                out.error = Some(e);
            }
        },
        "completions_stream" => {
            let mut stream = match async {
                client
                    .completions_stream(&parse_request::<CompletionRequest>(&body)?, &opts)
                    .await
            }
            .await
            {
                Ok(st) => st,
                Err(e) => {
                    out.attempts = e.attempts();
                    out.error = Some(e);
                    return out;
                }
            };
            let mut content = String::new();
            loop {
                match stream.next().await {
                    Ok(Some(chunk)) => {
                        if out.receipt_during.is_none() {
                            out.receipt_during = Some(receipt_value(&stream.receipt()));
                        }
                        if !chunk.choices.is_empty() || chunk.usage.is_some() {
                            out.chunk_count += 1;
                        }
                        if let Some(choice) = chunk.choices.first() {
                            content.push_str(&choice.text);
                        }
                    }
                    Ok(None) => {
                        out.ok = true;
                        break;
                    }
                    Err(e) => {
                        out.error = Some(e);
                        break;
                    }
                }
            }
            out.attempts = stream.attempts();
            out.receipt = Some(receipt_value(&stream.receipt()));
            let done = stream.into_completion();
            out.finish_reason = done.choices.first().and_then(|c| c.finish_reason.clone());
            out.usage = done.usage.as_ref().map(|u| serde_json::to_value(u).unwrap());
            out.content = Some(content);
        }
        "moderations" => match async {
            client
                .moderations(&parse_request::<ModerationRequest>(&body)?, &opts)
                .await
        }
        .await
        {
            Ok(r) => {
                out.ok = true;
                out.attempts = r.attempts;
                out.receipt = Some(receipt_value(&r.receipt));
                out.moderation_flagged = r.data.results.iter().map(|r| r.flagged).collect();
            }
            Err(e) => {
                out.attempts = e.attempts();
                out.error = Some(e);
            }
        },
        "responses" => match async { client.responses(&parse_request::<ResponseRequest>(&body)?, &opts).await }.await {
            Ok(r) => {
                out.ok = true;
                out.attempts = r.attempts;
                out.receipt = Some(receipt_value(&r.receipt));
                response_outcome(&r.data, &mut out, true);
            }
            Err(e) => {
                out.attempts = e.attempts();
                out.error = Some(e);
            }
        },
        "responses_stream" => {
            let cancel_after = call["options"]["cancel_after_chunks"].as_u64();
            let mut stream = match async {
                client
                    .responses_stream(&parse_request::<ResponseRequest>(&body)?, &opts)
                    .await
            }
            .await
            {
                Ok(st) => st,
                Err(e) => {
                    out.attempts = e.attempts();
                    out.error = Some(e);
                    return out;
                }
            };
            let mut content = String::new();
            loop {
                let cancelled_here = cancel_after.is_some_and(|n| out.chunk_count as u64 >= n);
                if cancelled_here {
                    stream.cancel();
                }
                match stream.next().await {
                    Err(e) if cancelled_here && e.kind() == routerkit::ErrorKind::Cancelled => {
                        out.ok = true;
                        break;
                    }
                    Ok(Some(event)) => {
                        if out.receipt_during.is_none() {
                            out.receipt_during = Some(receipt_value(&stream.receipt()));
                        }
                        out.chunk_count += 1;
                        if event.kind == "response.output_text.delta" {
                            content.push_str(event.delta.as_deref().unwrap_or(""));
                        }
                    }
                    Ok(None) => {
                        out.ok = true;
                        break;
                    }
                    Err(e) => {
                        out.error = Some(e);
                        break;
                    }
                }
            }
            out.attempts = stream.attempts();
            out.receipt = Some(receipt_value(&stream.receipt()));
            response_outcome(&stream.into_completion(), &mut out, false);
            out.content = Some(content);
        }
        other => panic!("unknown op {other}"),
    }
    out
}

/// The keys of the object at `pointer` in `text`, in the order the text has them
/// (serde_json keeps the order: the core enables `preserve_order`).
fn keys_at(text: &str, pointer: &str) -> Option<Vec<String>> {
    let body: Value = serde_json::from_str(text).ok()?;
    Some(body.pointer(pointer)?.as_object()?.keys().cloned().collect())
}

/// `expected` is contained in `actual` (objects: every key, recursively; else equal).
fn subset(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e.iter().all(|(k, v)| a.get(k).is_some_and(|av| subset(v, av))),
        (Value::Array(e), Value::Array(a)) => e.len() == a.len() && e.iter().zip(a).all(|(e, a)| subset(e, a)),
        (Value::Number(e), Value::Number(a)) => e.as_f64() == a.as_f64(),
        _ => expected == actual,
    }
}

/// `expect.receipt` / `expect.receipt_during` against a receipt (tests/conformance/README.md).
fn check_receipt(what: &str, want: &Value, got: Option<&Value>, fail: &mut dyn FnMut(String)) {
    let Some(got) = got else {
        return fail(format!("{what}: no receipt"));
    };
    for (key, w) in want.as_object().into_iter().flatten() {
        let actual = &got[key.as_str()];
        match key.as_str() {
            "hook_calls" => {}
            "present" => {
                for k in w.as_array().into_iter().flatten().filter_map(Value::as_str) {
                    if got[k].is_null() {
                        fail(format!("{what}.{k}: expected a value, got null"));
                    }
                }
            }
            "min_time_to_first_token_ms" => {
                let t = got["time_to_first_token_ms"].as_f64();
                if t.is_none_or(|t| t < w.as_f64().unwrap_or(0.0)) {
                    fail(format!(
                        "{what}.time_to_first_token_ms: expected at least {w}, got {t:?}"
                    ));
                }
            }
            "gateway_headers" => {
                for (name, value) in w.as_object().into_iter().flatten() {
                    let found = actual
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|pair| pair[0] == name.as_str() && &pair[1] == value);
                    if !found {
                        fail(format!(
                            "{what}.gateway_headers: expected {name}: {value}, got {actual}"
                        ));
                    }
                }
            }
            "attempts" => {
                let (wa, ga) = (
                    w.as_array().cloned().unwrap_or_default(),
                    actual.as_array().cloned().unwrap_or_default(),
                );
                if wa.len() != ga.len() {
                    fail(format!("{what}.attempts: expected {} attempts, got {actual}", wa.len()));
                    continue;
                }
                for (i, (wa, ga)) in wa.iter().zip(&ga).enumerate() {
                    for (k, v) in wa.as_object().into_iter().flatten() {
                        let delay = ga["delay_ms"].as_f64().unwrap_or(-1.0);
                        let ok = match k.as_str() {
                            "min_delay_ms" => delay >= v.as_f64().unwrap_or(0.0),
                            "max_delay_ms" => delay <= v.as_f64().unwrap_or(0.0),
                            _ => subset(v, &ga[k.as_str()]),
                        };
                        if !ok {
                            fail(format!("{what}.attempts[{i}].{k}: expected {v}, got {ga}"));
                        }
                    }
                }
            }
            _ => {
                if !subset(w, actual) {
                    fail(format!("{what}.{key}: expected {w}, got {actual}"));
                }
            }
        }
    }
}

fn check(name: &str, expect: &Value, out: &Outcome, requests: &[Value], elapsed: Duration) -> Vec<String> {
    let mut bad = Vec::new();
    let mut fail = |what: String| bad.push(format!("{name}: {what}"));
    let e = expect.as_object().cloned().unwrap_or_default();
    if let Some(want) = e.get("receipt") {
        let from_error = out.error.as_ref().and_then(|e| e.receipt()).map(receipt_value);
        let got = out.receipt.clone().or(from_error);
        check_receipt("receipt", want, got.as_ref(), &mut fail);
        if let Some(n) = want.get("hook_calls").and_then(Value::as_u64) {
            let hooked = out.hooked.lock().unwrap().clone();
            if hooked.len() as u64 != n {
                fail(format!("receipt.hook_calls: expected {n}, got {}", hooked.len()));
            }
            for h in &hooked {
                check_receipt("hook receipt", want, Some(h), &mut fail);
            }
        }
    }
    if let Some(want) = e.get("receipt_during") {
        check_receipt("receipt_during", want, out.receipt_during.as_ref(), &mut fail);
    }
    if let Some(ok) = e.get("ok").and_then(Value::as_bool) {
        if ok != out.ok {
            fail(format!("ok: expected {ok}, got {} (error: {:?})", out.ok, out.error));
        }
    }
    let str_field = |key: &str, actual: &Option<String>, fail: &mut dyn FnMut(String)| {
        if let Some(v) = e.get(key) {
            let want = v.as_str().map(str::to_owned);
            if &want != actual {
                fail(format!("{key}: expected {want:?}, got {actual:?}"));
            }
        }
    };
    // Content before an error is what the caller saw; on success it is the whole answer.
    str_field("content", &out.content, &mut fail);
    str_field("content_before_error", &out.content, &mut fail);
    str_field("reasoning", &out.reasoning, &mut fail);
    if let Some(n) = e.get("content_length").and_then(Value::as_u64) {
        let len = out.content.as_ref().map_or(0, String::len);
        if n as usize != len {
            fail(format!("content_length: expected {n}, got {len}"));
        }
    }
    str_field("finish_reason", &out.finish_reason, &mut fail);
    str_field("status", &out.status, &mut fail);
    if let Some(t) = e.get("output_types") {
        if Some(t) != out.output_types.as_ref().map(|o| json!(o)).as_ref() {
            fail(format!("output_types: expected {t}, got {:?}", out.output_types));
        }
    }
    if let Some(t) = e.get("function_calls") {
        if Some(t) != out.function_calls.as_ref() {
            fail(format!("function_calls: expected {t}, got {:?}", out.function_calls));
        }
    }
    for key in ["chunk_count", "chunks_before_error"] {
        if let Some(n) = e.get(key).and_then(Value::as_u64) {
            if n as usize != out.chunk_count {
                fail(format!("{key}: expected {n}, got {}", out.chunk_count));
            }
        }
    }
    if let Some(u) = e.get("usage") {
        let matches = match (u, &out.usage) {
            (Value::Null, None) => true,
            (_, Some(a)) => subset(u, a),
            _ => false,
        };
        if !matches {
            fail(format!("usage: expected {u}, got {:?}", out.usage));
        }
    }
    if let Some(t) = e.get("tool_calls") {
        if !out
            .tool_calls
            .as_ref()
            .is_some_and(|a| subset(t, a) && t.as_array().map(Vec::len) == a.as_array().map(Vec::len))
        {
            fail(format!("tool_calls: expected {t}, got {:?}", out.tool_calls));
        }
    }
    if let Some(ids) = e.get("model_ids") {
        if ids != &json!(out.model_ids) {
            fail(format!("model_ids: expected {ids}, got {:?}", out.model_ids));
        }
    }
    if let Some(flags) = e.get("moderation_flagged") {
        if flags != &json!(out.moderation_flagged) {
            fail(format!(
                "moderation_flagged: expected {flags}, got {:?}",
                out.moderation_flagged
            ));
        }
    }
    if let Some(n) = e.get("embedding_count").and_then(Value::as_u64) {
        if n as usize != out.embedding_count {
            fail(format!("embedding_count: expected {n}, got {}", out.embedding_count));
        }
    }
    if let Some(n) = e.get("attempts").and_then(Value::as_u64) {
        if n as u32 != out.attempts {
            fail(format!("attempts: expected {n}, got {}", out.attempts));
        }
    }
    if let Some(want) = e.get("error") {
        match &out.error {
            None => fail(format!("expected error {want}, got success")),
            Some(err) => {
                if let Some(kind) = want["kind"].as_str() {
                    if err.kind().as_str() != kind {
                        fail(format!(
                            "error.kind: expected {kind}, got {} ({err})",
                            err.kind().as_str()
                        ));
                    }
                }
                if let Some(status) = want["status"].as_u64() {
                    if err.status() != Some(status as u16) {
                        fail(format!("error.status: expected {status}, got {:?}", err.status()));
                    }
                }
                if let Some(code) = want.get("code").filter(|c| !c.is_null()) {
                    let code = code.as_str().map(str::to_owned).unwrap_or_else(|| code.to_string());
                    if err.code() != Some(code.as_str()) {
                        fail(format!("error.code: expected {code}, got {:?}", err.code()));
                    }
                }
                for (key, actual) in [("type", err.error_type()), ("param", err.param())] {
                    if let Some(v) = want.get(key).and_then(Value::as_str) {
                        if actual != Some(v) {
                            fail(format!("error.{key}: expected {v}, got {actual:?}"));
                        }
                    }
                }
                if let Some(id) = want["request_id"].as_str() {
                    if err.request_id() != Some(id) {
                        fail(format!("error.request_id: expected {id}, got {:?}", err.request_id()));
                    }
                }
                if let Some(ra) = want["retry_after_ms"].as_f64() {
                    let got = err.retry_after().map(|d| d.as_secs_f64() * 1000.0);
                    if got.is_none_or(|g| (g - ra).abs() > 1.0) {
                        fail(format!("error.retry_after_ms: expected {ra}, got {got:?}"));
                    }
                }
                if let Some(m) = want["message_contains"].as_str() {
                    if !err.message().contains(m) {
                        fail(format!(
                            "error.message: expected to contain {m:?}, got {:?}",
                            err.message()
                        ));
                    }
                }
                if let Some(m) = want["message_not_contains"].as_str() {
                    if err.message().contains(m) || format!("{err:?}").contains(m) {
                        fail(format!(
                            "error.message: expected not to contain {m:?}, got {:?}",
                            err.message()
                        ));
                    }
                }
            }
        }
    }
    if let Some(n) = e.get("request_count").and_then(Value::as_u64) {
        if n as usize != requests.len() {
            fail(format!("request_count: expected {n}, got {}", requests.len()));
        }
    }
    if let Some(want) = e.get("requests").and_then(Value::as_array) {
        for (i, w) in want.iter().enumerate() {
            let Some(got) = requests.get(i) else {
                fail(format!("requests[{i}]: not received"));
                continue;
            };
            for key in ["method", "path", "query"] {
                if let Some(v) = w.get(key) {
                    if got.get(key) != Some(v) {
                        fail(format!("requests[{i}].{key}: expected {v}, got {:?}", got.get(key)));
                    }
                }
            }
            if let Some(Value::Object(hs)) = w.get("headers") {
                for (k, v) in hs {
                    let actual = &got["headers"][k.to_ascii_lowercase()];
                    if actual != v {
                        fail(format!("requests[{i}].headers.{k}: expected {v}, got {actual}"));
                    }
                }
            }
            if let Some(sub) = w.get("body_subset") {
                if !subset(sub, &got["body"]) {
                    fail(format!(
                        "requests[{i}].body: expected to contain {sub}, got {}",
                        got["body"]
                    ));
                }
            }
            if let Some(Value::Object(orders)) = w.get("body_key_order") {
                let text = got["body_text"].as_str().unwrap_or_default();
                for (pointer, want) in orders {
                    let got_keys = keys_at(text, pointer);
                    if got_keys.as_ref().map(|k| json!(k)) != Some(want.clone()) {
                        fail(format!(
                            "requests[{i}].body_key_order {pointer:?}: expected {want}, got {got_keys:?}"
                        ));
                    }
                }
            }
            if let Some(Value::Array(absent)) = w.get("body_absent") {
                for k in absent.iter().filter_map(Value::as_str) {
                    if got["body"].get(k).is_some() {
                        fail(format!("requests[{i}].body: {k} should be absent"));
                    }
                }
            }
        }
    }
    if let Some(v) = e.get("client_disconnected") {
        let last = requests.last().map(|r| &r["client_disconnected"]);
        if last != Some(v) {
            fail(format!("client_disconnected: expected {v}, got {last:?}"));
        }
    }
    if let Some(max) = e.get("max_elapsed_ms").and_then(ms) {
        if elapsed > max {
            fail(format!("took {elapsed:?}, more than {max:?}"));
        }
    }
    if let Some(min) = e.get("min_elapsed_ms").and_then(ms) {
        if elapsed < min {
            fail(format!("took {elapsed:?}, less than {min:?}"));
        }
    }
    bad
}

async fn run_one(name: String, scenario: Value) -> Vec<String> {
    let steps = scenario.get("mock").cloned().unwrap_or_else(|| json!([]));
    let session = tokio::task::spawn_blocking(move || Session::new(steps)).await.unwrap();
    let started = Instant::now();
    let out = perform(&session, &scenario).await;
    let elapsed = started.elapsed();
    let expect = &scenario["expect"];
    let wants_disconnect = expect["client_disconnected"] == true;
    let requests = if wants_disconnect {
        // The close reaches the mock a moment after the client dropped the connection.
        session
            .wait_for(|r| r.last().is_some_and(|r| r["client_disconnected"] == true))
            .await
    } else {
        session.requests().await
    };
    check(&name, expect, &out, &requests, elapsed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_conformance_scenario_passes_through_the_rust_api() {
    let all = scenarios();
    if std::env::var_os("CONFORMANCE_ONLY").is_none() {
        assert!(all.len() >= 40, "expected at least 40 scenarios, found {}", all.len());
    }
    let ops = supported_ops();
    let (run, skipped): (Vec<_>, Vec<_>) = all
        .into_iter()
        .partition(|(_, sc)| ops.iter().any(|op| sc["call"]["op"] == op.as_str()));
    assert!(skipped.is_empty(), "the Rust runner skips no scenario: {skipped:?}");
    let tasks: Vec<_> = run
        .into_iter()
        .map(|(name, sc)| tokio::spawn(run_one(name, sc)))
        .collect();
    let mut failures = Vec::new();
    let total = tasks.len();
    for t in tasks {
        failures.extend(t.await.unwrap());
    }
    assert!(
        failures.is_empty(),
        "{} of {total} scenario checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_rust_runner_lists_every_operation_of_the_table() {
    // The Rust API has every row, so its list in runners.json is the whole table, in its order.
    let names: Vec<String> = Op::ALL.iter().map(|op| op.name().to_owned()).collect();
    assert_eq!(supported_ops(), names);
}
