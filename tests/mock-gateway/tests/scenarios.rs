//! Checks the conformance scenarios against the mock:
//! 1. every file parses, has the required keys and only known keys
//!    (the mock itself rejects unknown step fields when the script is posted);
//! 2. the mock answers the scenario's first request as its first step says
//!    (status, SSE content type, reset, slow headers);
//! 3. a small reference client replays the step that serves the last attempt
//!    and checks the scenario's expectations about content, chunks, usage,
//!    tool calls, stream errors — so the expectations match what the mock sends.
//!
//! The client-side behaviour (retries, timeouts, attempts) is the core's tests' job.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use common::{sse_events, Conn, Mock, Response};
use serde_json::{json, Value};

const KEY: &str = "sk-test-conformance-key";

const TOP: &[&str] = &["name", "description", "client", "call", "mock", "expect"];
const CLIENT: &[&str] = &[
    "max_retries",
    "timeout_ms",
    "connect_timeout_ms",
    "deadline_ms",
    "keepalive_timeout_ms",
    "max_body_bytes",
    "default_headers",
    "backoff",
    "initial_retry_delay_ms",
    "max_retry_delay_ms",
    "base_url_suffix",
];
const CALL: &[&str] = &["op", "request", "options"];
const OPTIONS: &[&str] = &[
    "timeout_ms",
    "max_retries",
    "deadline_ms",
    "keepalive_timeout_ms",
    "headers",
    "cancel_after_chunks",
];
/// The operations of the core's table (core/src/ops.rs), by name.
const OPS: &[&str] = &[
    "chat",
    "chat_stream",
    "models",
    "models.retrieve",
    "embeddings",
    "completions",
    "completions_stream",
    "moderations",
    "responses",
    "responses_stream",
];
/// The runners of tests/conformance/runners.json.
const RUNNERS: &[&str] = &["rust", "python", "node", "go"];
const EXPECT: &[&str] = &[
    "ok",
    "content",
    "content_length",
    "reasoning",
    "finish_reason",
    "chunk_count",
    "usage",
    "tool_calls",
    "model_ids",
    "moderation_flagged",
    "embedding_count",
    "status",
    "output_types",
    "function_calls",
    "error",
    "chunks_before_error",
    "content_before_error",
    "attempts",
    "requests",
    "request_count",
    "max_elapsed_ms",
    "min_elapsed_ms",
    "client_disconnected",
    "receipt",
    "receipt_during",
];
/// `expect.receipt` / `expect.receipt_during`: the receipt's wire names and the checks'.
const RECEIPT: &[&str] = &[
    "model_requested",
    "model",
    "provider",
    "request_id",
    "generation_id",
    "gateway_headers",
    "cache_status",
    "attempts",
    "fallback",
    "hedge",
    "input_tokens",
    "output_tokens",
    "usage",
    "cost",
    "cost_details",
    "complete",
    "present",
    "min_time_to_first_token_ms",
    "hook_calls",
];
const RECEIPT_ATTEMPT: &[&str] = &[
    "model",
    "status",
    "error",
    "delay_reason",
    "hedge",
    "min_delay_ms",
    "max_delay_ms",
];
const ERROR: &[&str] = &[
    "kind",
    "status",
    "code",
    "type",
    "param",
    "message_contains",
    "message_not_contains",
    "request_id",
    "retry_after_ms",
];
const KINDS: &[&str] = &[
    "status",
    "connection",
    "timeout",
    "stream",
    "invalid_request",
    "cancelled",
    "decode",
];
const REQ: &[&str] = &[
    "method",
    "path",
    "query",
    "headers",
    "body_subset",
    "body_absent",
    "body_key_order",
];

fn scenario_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../conformance/scenarios")
}

fn check_keys(what: &str, v: &Value, allowed: &[&str], errs: &mut Vec<String>) {
    match v.as_object() {
        Some(m) => {
            for k in m.keys() {
                if !allowed.contains(&k.as_str()) {
                    errs.push(format!("{what}: unknown key {k:?} (known: {allowed:?})"));
                }
            }
        }
        None if v.is_null() => {}
        None => errs.push(format!("{what}: must be an object")),
    }
}

fn validate(file: &str, s: &Value) -> Vec<String> {
    let mut e = Vec::new();
    check_keys("scenario", s, TOP, &mut e);
    for k in ["name", "description", "call", "mock", "expect"] {
        if s.get(k).is_none() {
            e.push(format!("missing {k:?}"));
        }
    }
    let stem = file.trim_end_matches(".json");
    let (num, rest) = stem.split_once('_').unwrap_or(("", stem));
    if num.len() != 3 || !num.chars().all(|c| c.is_ascii_digit()) {
        e.push("file name must be NNN_name.json".into());
    }
    if s["name"].as_str() != Some(rest) {
        e.push(format!("name {:?} must match the file name ({rest:?})", s["name"]));
    }
    if s["description"].as_str().is_none_or(|d| d.len() <= 10) {
        e.push("description must say why the scenario matters".into());
    }
    check_keys("client", &s["client"], CLIENT, &mut e);
    if let Some(b) = s.pointer("/client/backoff") {
        if b != "real" && b != "fast" {
            e.push("client.backoff must be \"real\" or \"fast\"".into());
        }
    }
    check_keys("call", &s["call"], CALL, &mut e);
    check_keys("call.options", &s["call"]["options"], OPTIONS, &mut e);
    let op = s["call"]["op"].as_str().unwrap_or("");
    if !OPS.contains(&op) {
        e.push(format!("call.op {op:?} must be one of {OPS:?}"));
    }
    if matches!(
        op,
        "chat"
            | "chat_stream"
            | "embeddings"
            | "completions"
            | "completions_stream"
            | "moderations"
            | "responses"
            | "responses_stream"
    ) && !s["call"]["request"].is_object()
    {
        e.push("call.request must be an object for this op".into());
    }
    if op == "models.retrieve" && !s.pointer("/call/request/id").is_some_and(Value::is_string) {
        e.push("call.request must be {\"id\": \"<model id>\"} for models.retrieve".into());
    }
    if !s["mock"].is_array() {
        e.push("mock must be an array of steps".into());
    }
    let x = &s["expect"];
    check_keys("expect", x, EXPECT, &mut e);
    if !x["ok"].is_boolean() {
        e.push("expect.ok is required (true or false)".into());
    }
    if x["ok"] == false {
        check_keys("expect.error", &x["error"], ERROR, &mut e);
        let kind = x.pointer("/error/kind").and_then(Value::as_str).unwrap_or("");
        if !KINDS.contains(&kind) {
            e.push(format!("expect.error.kind {kind:?} must be one of {KINDS:?}"));
        }
        if let Some(c) = x.pointer("/error/code") {
            if !c.is_string() {
                e.push("expect.error.code is compared as a string: write \"502\", not 502".into());
            }
        }
    } else if x.get("error").is_some() {
        e.push("expect.error only goes with ok: false".into());
    }
    for key in ["receipt", "receipt_during"] {
        check_keys(&format!("expect.{key}"), &x[key], RECEIPT, &mut e);
        for (i, a) in x[key]["attempts"].as_array().into_iter().flatten().enumerate() {
            check_keys(&format!("expect.{key}.attempts[{i}]"), a, RECEIPT_ATTEMPT, &mut e);
        }
    }
    if x.pointer("/receipt_during/hook_calls").is_some() {
        e.push("expect.receipt_during.hook_calls: the hook runs at the end; count it in expect.receipt".into());
    }
    if let Some(reqs) = x["requests"].as_array() {
        for (i, r) in reqs.iter().enumerate() {
            check_keys(&format!("expect.requests[{i}]"), r, REQ, &mut e);
            for (pointer, keys) in r["body_key_order"].as_object().into_iter().flatten() {
                let body = s["call"]["request"].pointer(pointer);
                if !(pointer.is_empty() || pointer.starts_with('/')) || !body.is_some_and(Value::is_object) {
                    e.push(format!(
                        "expect.requests[{i}].body_key_order: {pointer:?} is not an object of call.request"
                    ));
                }
                if !keys.as_array().is_some_and(|k| k.iter().all(Value::is_string)) {
                    e.push(format!(
                        "expect.requests[{i}].body_key_order[{pointer:?}] must be a list of keys"
                    ));
                }
            }
        }
    }
    e
}

/// What the engine would send for this scenario's call (the parts the mock cares about).
fn build_request(s: &Value, sid: &str) -> (String, String, Vec<(String, String)>, Option<Value>) {
    let op = s["call"]["op"].as_str().unwrap();
    let mut headers = vec![
        ("authorization".to_string(), format!("Bearer {KEY}")),
        ("x-mock-session".to_string(), sid.to_string()),
        ("accept-encoding".to_string(), "gzip".to_string()),
    ];
    let mut add = |h: &Value| {
        for (k, v) in h.as_object().into_iter().flatten() {
            let v = v.as_str().unwrap_or_default().to_string();
            headers.retain(|(n, _)| !n.eq_ignore_ascii_case(k));
            headers.push((k.clone(), v));
        }
    };
    add(&s["client"]["default_headers"]);
    add(&s["call"]["options"]["headers"]);
    let mut body = s["call"].get("request").cloned();
    let stream = |body: &mut Option<Value>| {
        let b = body.as_mut().unwrap();
        b["stream"] = true.into();
        if b.get("stream_options").is_none() {
            b["stream_options"] = json!({"include_usage": true});
        }
    };
    let (method, path) = match op {
        "chat" => ("POST", "/v1/chat/completions".to_string()),
        "chat_stream" => {
            stream(&mut body);
            ("POST", "/v1/chat/completions".to_string())
        }
        "completions" => ("POST", "/v1/completions".to_string()),
        "completions_stream" => {
            stream(&mut body);
            ("POST", "/v1/completions".to_string())
        }
        "moderations" => ("POST", "/v1/moderations".to_string()),
        "responses" => ("POST", "/v1/responses".to_string()),
        "responses_stream" => {
            // A Responses stream asks for no usage: it comes in response.completed.
            body.as_mut().unwrap()["stream"] = true.into();
            ("POST", "/v1/responses".to_string())
        }
        "models" => {
            body = None;
            ("GET", "/v1/models".to_string())
        }
        "models.retrieve" => {
            let id = body
                .take()
                .and_then(|b| b["id"].as_str().map(str::to_owned))
                .unwrap_or_default();
            ("GET", format!("/v1/models/{id}"))
        }
        _ => ("POST", "/v1/embeddings".to_string()),
    };
    (method.into(), path, headers, body)
}

enum End {
    Complete,
    Broken(String),
    Idle,
}

/// Send the request and read what comes, stopping after `idle_ms` of silence.
async fn fetch(m: &Mock, s: &Value, sid: &str, idle_ms: u64) -> Result<(Response, End), String> {
    let (method, path, headers, body) = build_request(s, sid);
    let mut c = Conn::connect(&m.addr).await.map_err(|e| e.to_string())?;
    let h: Vec<(&str, &str)> = headers.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let b = body.map(|b| b.to_string());
    c.send(&method, &path, &h, b.as_deref().map(str::as_bytes))
        .await
        .map_err(|e| e.to_string())?;
    let mut resp = match tokio::time::timeout(Duration::from_millis(idle_ms), c.read_head()).await {
        Err(_) => return Err("idle before headers".into()),
        Ok(Err(e)) => return Err(format!("connection: {e}")),
        Ok(Ok(r)) => r,
    };
    // Endless streams, keep-alives and trickles never go idle: a whole reading takes 5 s at most.
    let until = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        if tokio::time::Instant::now() >= until {
            return Ok((resp, End::Idle));
        }
        match tokio::time::timeout(Duration::from_millis(idle_ms), c.read_piece()).await {
            Err(_) => return Ok((resp, End::Idle)),
            Ok(Err(e)) => return Ok((resp, End::Broken(e.to_string()))),
            Ok(Ok(None)) => return Ok((resp, End::Complete)),
            Ok(Ok(Some(p))) => resp.body.extend_from_slice(&p),
        }
    }
}

#[derive(Default, Debug)]
struct Acc {
    chunks: u64,
    content: String,
    reasoning: String,
    finish: Option<String>,
    usage: Option<Value>,
    tool_calls: Vec<Value>,
    done: bool,
    /// (kind, code, message)
    error: Option<(String, Option<String>, String)>,
}

fn code_str(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A reference reading of an SSE chat stream, as the conformance README defines it.
/// `hide_added_usage`: the engine asked for usage on the caller's behalf (the request has no
/// `stream_options`), so the caller is not handed the `choices: []` usage chunk (it still counts
/// for `usage`).
fn accumulate(body: &[u8], cancel_after: Option<u64>, hide_added_usage: bool) -> Acc {
    let mut a = Acc::default();
    for (event, data) in sse_events(body) {
        if data == "[DONE]" {
            a.done = true;
            break;
        }
        let v: Value = match serde_json::from_str(&mask_surrogates(&data)) {
            Ok(v) => v,
            Err(e) => {
                a.error = Some(("decode".into(), None, e.to_string()));
                break;
            }
        };
        if event.as_deref() == Some("error") || v.get("error").is_some_and(|e| !e.is_null()) {
            let err = v.get("error").unwrap_or(&v);
            let msg = match &err["message"] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            a.error = Some(("stream".into(), code_str(&err["code"]), msg));
            break;
        }
        let has_choices = v["choices"].as_array().is_some_and(|c| !c.is_empty());
        let has_usage = v.get("usage").is_some_and(|u| !u.is_null());
        // As the core's rule: usage on `choices: []`, or on choices that bring nothing else
        // (LiteLLM's `[{index: 0, delta: {}}]`).
        let empty_choice = |c: &Value| {
            c.as_object().is_some_and(|m| {
                m.iter().all(|(k, v)| match k.as_str() {
                    "index" => true,
                    "delta" => v.as_object().is_some_and(|d| d.values().all(Value::is_null)),
                    "finish_reason" | "logprobs" => v.is_null(),
                    _ => false,
                })
            })
        };
        let only_usage = has_usage && v["choices"].as_array().is_some_and(|c| c.iter().all(empty_choice));
        if (has_choices || has_usage) && !(hide_added_usage && only_usage) {
            a.chunks += 1;
        }
        if let Some(u) = v.get("usage").filter(|u| !u.is_null()) {
            a.usage = Some(u.clone());
        }
        if let Some(ch) = v["choices"].as_array().and_then(|c| c.first()) {
            let d = &ch["delta"];
            if let Some(t) = d["content"].as_str() {
                a.content.push_str(t);
            }
            // Legacy completions: the first choice's text.
            if let Some(t) = ch["text"].as_str() {
                a.content.push_str(t);
            }
            for f in ["reasoning", "reasoning_content"] {
                if let Some(t) = d[f].as_str() {
                    a.reasoning.push_str(t);
                }
            }
            for tc in d["tool_calls"].as_array().into_iter().flatten() {
                let slot = match tc["index"].as_u64() {
                    Some(i) => {
                        while a.tool_calls.len() <= i as usize {
                            a.tool_calls.push(
                                json!({"id": null, "type": "function", "function": {"name": "", "arguments": ""}}),
                            );
                        }
                        i as usize
                    }
                    None => {
                        if tc["id"].is_string() || a.tool_calls.is_empty() {
                            a.tool_calls.push(
                                json!({"id": null, "type": "function", "function": {"name": "", "arguments": ""}}),
                            );
                        }
                        a.tool_calls.len() - 1
                    }
                };
                let t = &mut a.tool_calls[slot];
                if let Some(id) = tc["id"].as_str() {
                    t["id"] = id.into();
                }
                if let Some(n) = tc.pointer("/function/name").and_then(Value::as_str) {
                    let name = t["function"]["name"].as_str().unwrap().to_string() + n;
                    t["function"]["name"] = name.into();
                }
                if let Some(x) = tc.pointer("/function/arguments").and_then(Value::as_str) {
                    let args = t["function"]["arguments"].as_str().unwrap().to_string() + x;
                    t["function"]["arguments"] = args.into();
                }
            }
            if let Some(f) = ch["finish_reason"].as_str() {
                a.finish = Some(f.to_string());
            }
        }
        if cancel_after.is_some_and(|n| a.chunks >= n) {
            break;
        }
    }
    for t in &mut a.tool_calls {
        if t["function"]["arguments"] == "" {
            t["function"]["arguments"] = "{}".into();
        }
    }
    a.content = unmask_surrogates(&a.content);
    a.reasoning = unmask_surrogates(&a.reasoning);
    a
}

/// Surrogate escapes (`\ud83d`) as private-use characters U+F0000 + (unit − 0xD800), so that
/// serde reads text with lone or split surrogates; [`unmask_surrogates`] turns the joined text
/// back into UTF-16 units and decodes them as JavaScript would show them (a pair, even one split
/// across events, is its character; a lone unit is U+FFFD): the reference for the engine's rule.
fn mask_surrogates(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut plain = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            let unit = text
                .get(i + 2..i + 6)
                .filter(|_| b.get(i + 1) == Some(&b'u'))
                .and_then(|h| u16::from_str_radix(h, 16).ok())
                .filter(|u| (0xD800..=0xDFFF).contains(u));
            if let Some(u) = unit {
                out.push_str(&text[plain..i]);
                out.push(char::from_u32(0xF0000 + (u as u32 - 0xD800)).unwrap());
                i += 6;
                plain = i;
                continue;
            }
            i += 2;
            continue;
        }
        i += 1;
    }
    out.push_str(&text[plain.min(text.len())..]);
    out
}

fn unmask_surrogates(text: &str) -> String {
    let mut units: Vec<u16> = Vec::with_capacity(text.len());
    for c in text.chars() {
        match c as u32 {
            m @ 0xF0000..=0xF07FF => units.push((m - 0xF0000 + 0xD800) as u16),
            _ => units.extend(c.encode_utf16(&mut [0; 2]).iter()),
        }
    }
    String::from_utf16_lossy(&units)
}

/// A reference reading of a Responses stream, as the conformance README defines it: every
/// event counts; `error` and `response.failed` are errors; `response.completed` /
/// `response.incomplete` end it and carry the final response. Returns the reading and that response.
fn accumulate_responses(body: &[u8], cancel_after: Option<u64>) -> (Acc, Value) {
    let mut a = Acc::default();
    let mut last = Value::Null;
    for (event, data) in sse_events(body) {
        let v: Value = match serde_json::from_str(&data) {
            Ok(v) => v,
            Err(e) => {
                a.error = Some(("decode".into(), None, e.to_string()));
                break;
            }
        };
        let kind = v["type"].as_str().map(str::to_owned).or(event).unwrap_or_default();
        if kind == "error" || kind == "response.failed" {
            let err = if kind == "error" {
                v.clone()
            } else {
                v["response"]["error"].clone()
            };
            let msg = err["message"].as_str().unwrap_or_default().to_string();
            a.error = Some(("stream".into(), code_str(&err["code"]), msg));
            break;
        }
        a.chunks += 1;
        if kind == "response.output_text.delta" {
            a.content.push_str(v["delta"].as_str().unwrap_or(""));
        }
        if kind == "response.completed" || kind == "response.incomplete" {
            a.done = true;
            last = v["response"].clone();
            break;
        }
        if cancel_after.is_some_and(|n| a.chunks >= n) {
            break;
        }
    }
    (a, last)
}

/// The Responses fields of `expect` from a response object.
fn response_fields(r: &Value, fields: &mut BTreeMap<&str, Value>) {
    let output = r["output"].as_array().cloned().unwrap_or_default();
    fields.insert("status", r["status"].clone());
    fields.insert("output_types", output.iter().map(|i| i["type"].clone()).collect());
    let calls: Vec<Value> = output
        .iter()
        .filter(|i| i["type"] == "function_call")
        .map(|c| json!({"call_id": c["call_id"], "name": c["name"], "arguments": c["arguments"]}))
        .collect();
    fields.insert("function_calls", Value::Array(calls));
    let reasoning: String = output
        .iter()
        .filter(|i| i["type"] == "reasoning")
        .flat_map(|i| i["summary"].as_array().cloned().unwrap_or_default())
        .filter_map(|s| s["text"].as_str().map(str::to_owned))
        .collect();
    fields.insert("reasoning", reasoning.into());
    fields.insert("usage", r["usage"].clone());
}

fn num_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| num_eq(v, w)))
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(v, w)| num_eq(v, w)),
        _ => a == b,
    }
}

/// Recursive subset: every key of `want` is in `got` with a matching value;
/// arrays must have equal length with element-wise subset match.
fn subset(want: &Value, got: &Value) -> bool {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => w.iter().all(|(k, v)| g.get(k).is_some_and(|gv| subset(v, gv))),
        (Value::Array(w), Value::Array(g)) => w.len() == g.len() && w.iter().zip(g).all(|(a, b)| subset(a, b)),
        _ => num_eq(want, got),
    }
}

async fn post_script(m: &Mock, sid: &str, steps: &Value) -> Result<(), String> {
    let r = m.post_script(sid, steps).await;
    if r.status != 200 {
        return Err(format!("the mock rejected the script: {}", r.text()));
    }
    Ok(())
}

async fn check_scenario(m: Arc<Mock>, file: String, s: Value) -> Vec<String> {
    let mut errs = Vec::new();
    let x = &s["expect"];
    let steps = s["mock"].as_array().cloned().unwrap_or_default();
    let sid = format!("check-{}", file.trim_end_matches(".json"));
    if let Err(e) = post_script(&m, &sid, &s["mock"]).await {
        return vec![e];
    }
    let cancel = s.pointer("/call/options/cancel_after_chunks").and_then(Value::as_u64);
    let sends_nothing = x["request_count"] == 0;

    // The request log must be a JSON array in any case.
    if sends_nothing {
        return errs;
    }

    // (2) The first request is answered as the first step says.
    let first = steps.first().cloned().unwrap_or(json!({}));
    let delay = first["delay_headers_ms"].as_u64().unwrap_or(0);
    let idle = if delay >= 1500 { 1000 } else { 2500 };
    let got = fetch(&m, &s, &sid, idle).await;
    match (&got, first["reset"].as_bool().unwrap_or(false)) {
        (Err(e), true) if e.starts_with("connection") => {}
        (r, true) => errs.push(format!(
            "step 1 resets: expected a connection error, got {:?}",
            r.as_ref().map(|r| r.0.status)
        )),
        (Err(e), false) if delay >= 1500 && e == "idle before headers" => {}
        (Err(e), false) => errs.push(format!("step 1: no response: {e}")),
        (Ok(_), false) if delay >= 1500 => errs.push("step 1: headers came before delay_headers_ms".into()),
        (Ok((r, _)), false) => {
            // A default step answers with the mock's own status: 200, or the error status a
            // scenario expects from the mock's default (an unknown model id is a 404).
            let default_status = match x.pointer("/error/status").and_then(Value::as_u64) {
                Some(status) if first.as_object().is_some_and(|m| m.is_empty()) => status,
                _ => 200,
            };
            let want = first["status"].as_u64().unwrap_or(default_status) as u16;
            if r.status != want {
                errs.push(format!("step 1: status {} != {want}", r.status));
            }
            let ct = r.header("content-type").unwrap_or("");
            let sse_expected = first.get("stream").is_some()
                || (s["call"]["op"].as_str().is_some_and(|op| op.ends_with("_stream"))
                    && want < 400
                    && first.get("body").is_none()
                    && first.get("body_raw").is_none());
            if sse_expected != ct.starts_with("text/event-stream") {
                errs.push(format!("step 1: content-type {ct:?} (SSE expected: {sse_expected})"));
            }
        }
    }

    // (3) Reference reading of the step that serves the last attempt.
    let op = s["call"]["op"].as_str().unwrap();
    let attempts = x["attempts"].as_u64().unwrap_or(1).max(1) as usize;
    let ok = x["ok"] == true;
    let idx = if ok { attempts - 1 } else { 0 };
    let step = steps.get(idx).cloned().unwrap_or(json!({}));
    let checks_stream_error = !ok && x.get("chunks_before_error").is_some();
    if !(ok || checks_stream_error) {
        return errs;
    }
    let sid2 = format!("{sid}-ref");
    if let Err(e) = post_script(&m, &sid2, &json!([step])).await {
        errs.push(e);
        return errs;
    }
    let idle = s
        .pointer("/client/timeout_ms")
        .and_then(Value::as_u64)
        .unwrap_or(2000)
        .min(2000);
    let (resp, end) = match fetch(&m, &s, &sid2, idle).await {
        Ok(v) => v,
        Err(e) => {
            errs.push(format!("reference request failed: {e}"));
            return errs;
        }
    };
    let body = resp.decoded_lossy();
    let is_sse = resp
        .header("content-type")
        .unwrap_or("")
        .starts_with("text/event-stream");
    if ok && !op.ends_with("_stream") && !matches!(end, End::Complete) {
        errs.push("reference response did not complete".into());
    }
    let mut fields: BTreeMap<&str, Value> = BTreeMap::new();
    match op {
        "responses_stream" | "responses" if is_sse => {
            let (a, last) = accumulate_responses(&body, cancel);
            let mut err = a.error.clone();
            if err.is_none() && cancel.is_none() && !a.done {
                err = Some(match &end {
                    End::Broken(e) => ("connection".into(), None, e.clone()),
                    End::Idle => ("timeout".into(), None, "idle".into()),
                    End::Complete => ("stream".into(), None, "ended without response.completed".into()),
                });
            }
            if ok {
                if let Some(e) = &err {
                    errs.push(format!("reference stream failed: {e:?}"));
                }
                if !last.is_null() {
                    response_fields(&last, &mut fields);
                }
                fields.insert("content", a.content.clone().into());
                fields.insert("chunk_count", a.chunks.into());
            } else {
                fields.insert("chunks_before_error", a.chunks.into());
                fields.insert("content_before_error", a.content.clone().into());
                match &err {
                    None => errs.push("reference stream did not fail".into()),
                    Some((kind, code, _)) => {
                        let want = x.pointer("/error/kind").and_then(Value::as_str).unwrap_or("");
                        if kind != want {
                            errs.push(format!("error kind: reference {kind:?} != expected {want:?}"));
                        }
                        if let Some(c) = x.pointer("/error/code").and_then(Value::as_str) {
                            if code.as_deref() != Some(c) {
                                errs.push(format!("error code: reference {code:?} != expected {c:?}"));
                            }
                        }
                    }
                }
            }
        }
        "responses" => {
            let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            response_fields(&v, &mut fields);
            let text: String = v["output"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|i| i["type"] == "message")
                .flat_map(|i| i["content"].as_array().cloned().unwrap_or_default())
                .filter(|p| p["type"] == "output_text")
                .filter_map(|p| p["text"].as_str().map(str::to_owned))
                .collect();
            fields.insert("content", text.into());
        }
        "chat_stream" | "chat" | "completions_stream" | "completions" if is_sse => {
            let hide = op.ends_with("_stream") && s.pointer("/call/request/stream_options").is_none();
            let a = accumulate(&body, cancel, hide);
            let mut err = a.error.clone();
            if err.is_none() && cancel.is_none() && !a.done {
                err = Some(match &end {
                    End::Broken(e) => ("connection".into(), None, e.clone()),
                    End::Idle => ("timeout".into(), None, "idle".into()),
                    End::Complete if a.finish.is_none() => {
                        ("stream".into(), None, "ended without [DONE] or finish_reason".into())
                    }
                    End::Complete => ("".into(), None, String::new()),
                });
                if err.as_ref().unwrap().0.is_empty() {
                    err = None;
                }
            }
            if ok {
                if let Some(e) = &err {
                    errs.push(format!("reference stream failed: {e:?}"));
                }
                fields.insert("content", a.content.clone().into());
                fields.insert("content_length", (a.content.len() as u64).into());
                fields.insert("reasoning", a.reasoning.clone().into());
                fields.insert("finish_reason", a.finish.clone().map_or(Value::Null, Value::from));
                fields.insert("chunk_count", a.chunks.into());
                fields.insert("usage", a.usage.clone().unwrap_or(Value::Null));
                fields.insert("tool_calls", Value::Array(a.tool_calls.clone()));
            } else {
                fields.insert("chunks_before_error", a.chunks.into());
                fields.insert("content_before_error", a.content.clone().into());
                match &err {
                    None => errs.push("reference stream did not fail".into()),
                    Some((kind, code, msg)) => {
                        let want = x.pointer("/error/kind").and_then(Value::as_str).unwrap_or("");
                        if kind != want {
                            errs.push(format!("error kind: reference {kind:?} != expected {want:?} ({msg})"));
                        }
                        if let Some(c) = x.pointer("/error/code").and_then(Value::as_str) {
                            if code.as_deref() != Some(c) {
                                errs.push(format!("error code: reference {code:?} != expected {c:?}"));
                            }
                        }
                        if let Some(c) = x.pointer("/error/message_contains").and_then(Value::as_str) {
                            if !msg.contains(c) {
                                errs.push(format!("error message {msg:?} does not contain {c:?}"));
                            }
                        }
                        if let Some(c) = x.pointer("/error/message_not_contains").and_then(Value::as_str) {
                            if msg.contains(c) {
                                errs.push(format!("error message {msg:?} contains {c:?}"));
                            }
                        }
                    }
                }
            }
        }
        "chat" => {
            let text = mask_surrogates(&String::from_utf8_lossy(&body));
            let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            let ch = v.pointer("/choices/0").cloned().unwrap_or(Value::Null);
            let content = unmask_surrogates(ch.pointer("/message/content").and_then(Value::as_str).unwrap_or(""));
            fields.insert("content_length", (content.len() as u64).into());
            fields.insert("content", content.into());
            let r = ch
                .pointer("/message/reasoning")
                .or(ch.pointer("/message/reasoning_content"));
            fields.insert("reasoning", r.cloned().unwrap_or(Value::Null));
            fields.insert("finish_reason", ch["finish_reason"].clone());
            fields.insert("usage", v["usage"].clone());
            fields.insert(
                "tool_calls",
                ch.pointer("/message/tool_calls").cloned().unwrap_or(json!([])),
            );
        }
        "completions" => {
            let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let ch = v.pointer("/choices/0").cloned().unwrap_or(Value::Null);
            let text = ch["text"].as_str().unwrap_or("").to_string();
            fields.insert("content_length", (text.len() as u64).into());
            fields.insert("content", text.into());
            fields.insert("finish_reason", ch["finish_reason"].clone());
            fields.insert("usage", v["usage"].clone());
        }
        "models.retrieve" => {
            let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            fields.insert("model_ids", json!([v["id"]]));
        }
        "moderations" => {
            let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let flags: Vec<Value> = v["results"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| r["flagged"].clone())
                .collect();
            fields.insert("moderation_flagged", Value::Array(flags));
        }
        "models" => {
            let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let ids: Vec<Value> = v["data"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|m| m["id"].clone())
                .collect();
            fields.insert("model_ids", Value::Array(ids));
        }
        _ => {
            let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            fields.insert(
                "embedding_count",
                (v["data"].as_array().map_or(0, Vec::len) as u64).into(),
            );
        }
    }
    for (k, got) in &fields {
        if let Some(want) = x.get(*k) {
            if !num_eq(want, got) {
                let g = got.to_string();
                let g = if g.len() > 300 { format!("{}…", &g[..300]) } else { g };
                errs.push(format!("expect.{k}: scenario says {want}, the mock gives {g}"));
            }
        }
    }
    // body_subset of the first expected request against what the reference sent.
    if let Some(r0) = x.pointer("/requests/0") {
        let log = m.requests(&sid2).await;
        if let (Some(want), Some(got)) = (r0.get("body_subset"), log.first()) {
            if !subset(want, &got["body"]) {
                errs.push(format!(
                    "requests[0].body_subset does not match what is sent: {}",
                    got["body"]
                ));
            }
        }
    }
    errs
}

trait Lossy {
    fn decoded_lossy(&self) -> Vec<u8>;
}
impl Lossy for Response {
    /// Gunzip what can be decoded (a broken gzip stream yields its prefix).
    fn decoded_lossy(&self) -> Vec<u8> {
        use std::io::Read;
        if self.header("content-encoding") == Some("gzip") {
            let mut d = flate2::read::GzDecoder::new(&self.body[..]);
            let mut out = Vec::new();
            let mut buf = [0u8; 4096];
            while let Ok(n) = d.read(&mut buf) {
                if n == 0 {
                    break;
                }
                out.extend_from_slice(&buf[..n]);
            }
            out
        } else {
            self.body.clone()
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn conformance_scenarios_match_the_mock() {
    let dir = scenario_dir();
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".json"))
        .collect();
    files.sort();
    assert!(files.len() >= 45, "only {} scenarios", files.len());

    let mut failures: Vec<String> = Vec::new();
    let mut parsed = Vec::new();
    let mut numbers = std::collections::HashSet::new();
    for f in &files {
        let text = std::fs::read_to_string(dir.join(f)).unwrap();
        let s: Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{f}: not JSON: {e}"));
                continue;
            }
        };
        if !numbers.insert(f[..3].to_string()) {
            failures.push(format!("{f}: duplicate number"));
        }
        for e in validate(f, &s) {
            failures.push(format!("{f}: {e}"));
        }
        parsed.push((f.clone(), s));
    }

    let m = Arc::new(Mock::start());
    let mut set = tokio::task::JoinSet::new();
    for (f, s) in parsed {
        let m = m.clone();
        set.spawn(async move {
            let errs = check_scenario(m, f.clone(), s).await;
            errs.into_iter().map(|e| format!("{f}: {e}")).collect::<Vec<_>>()
        });
    }
    while let Some(r) = set.join_next().await {
        failures.extend(r.unwrap());
    }
    failures.sort();
    assert!(
        failures.is_empty(),
        "{} problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The runners' operation lists: `runners.json` and the README's table agree, every
/// operation listed is one of the table's, and the Rust runner runs every operation a
/// scenario uses (the other runners skip, by their list, what their binding lacks yet).
#[test]
fn runner_operation_lists_are_explicit_and_agree() {
    let dir = scenario_dir().join("..");
    let lists: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("runners.json")).unwrap()).unwrap();
    let lists = lists.as_object().expect("runners.json is an object");
    let mut names: Vec<&str> = lists.keys().map(String::as_str).collect();
    let mut want = RUNNERS.to_vec();
    names.sort_unstable();
    want.sort_unstable();
    assert_eq!(names, want, "runners.json names the four runners");
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    for (runner, ops) in lists {
        let ops: Vec<&str> = ops.as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        for op in &ops {
            assert!(OPS.contains(op), "{runner}: {op:?} is not an operation of the table");
        }
        let row = format!("| {runner} | {} |", ops.join(", "));
        assert!(readme.contains(&row), "the README's table must have the row {row:?}");
    }
    let rust: Vec<&str> = lists["rust"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for entry in std::fs::read_dir(scenario_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let s: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let op = s["call"]["op"].as_str().unwrap_or("");
            assert!(
                rust.contains(&op),
                "{}: the Rust runner must run {op:?}",
                path.display()
            );
        }
    }
}
