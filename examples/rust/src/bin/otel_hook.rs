//! OpenTelemetry-shaped spans from routerkit's route receipts, with the GenAI semantic conventions.
//!
//! routerkit has no OpenTelemetry dependency: `ClientBuilder::on_receipt` gets each call's receipt
//! when the call ends (a response, an error, a stream's end or drop). This program prints one span
//! per receipt with a tiny exporter of its own, so that the examples build without the
//! `opentelemetry` crates; with them, the closure's body becomes `tracer.span_builder(name)
//! .with_start_time(start).with_attributes(attributes).start(&tracer)` and `span.end_with_timestamp(end)`.
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use routerkit::{ChatCompletionRequest, ChatMessage, ClientBuilder, Receipt, RequestOptions};

/// A span's attributes as `key=value` pairs, GenAI names first.
fn attributes(r: &Receipt) -> Vec<(&'static str, String)> {
    let mut out = vec![
        ("gen_ai.operation.name", "chat".to_owned()),
        // The wire protocol; the provider that served is routerkit.provider.
        ("gen_ai.system", "openai".to_owned()),
    ];
    let mut put = |k: &'static str, v: Option<String>| {
        if let Some(v) = v {
            out.push((k, v));
        }
    };
    put("gen_ai.request.model", r.model_requested.clone());
    put("gen_ai.response.model", r.model.clone());
    put("gen_ai.response.id", r.generation_id.clone());
    put("gen_ai.usage.input_tokens", r.input_tokens.map(|n| n.to_string()));
    put("gen_ai.usage.output_tokens", r.output_tokens.map(|n| n.to_string()));
    put("routerkit.provider", r.provider.clone());
    put("routerkit.request_id", r.request_id.clone());
    put("routerkit.attempts", Some(r.attempts.len().to_string()));
    put("routerkit.fallback", Some(r.fallback.fired.to_string()));
    put(
        "routerkit.time_to_first_token_ms",
        r.time_to_first_token
            .map(|d| format!("{:.1}", d.as_secs_f64() * 1000.0)),
    );
    put("routerkit.cost", r.cost.map(|c| c.to_string()));
    if r.model.is_none() {
        put("error.type", r.attempts.last().and_then(|a| a.error).map(str::to_owned));
    }
    out
}

/// The tiny exporter: one line per span, then its attributes and attempt events.
fn export(r: &Receipt) {
    // The hook runs when the call ended: the span is backdated to the call's start.
    let end = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let start = end.saturating_sub(r.total_time.unwrap_or(Duration::ZERO));
    let name = format!("chat {}", r.model_requested.as_deref().unwrap_or(""));
    println!(
        "span {name:?} kind=client start={:.6} end={:.6}",
        start.as_secs_f64(),
        end.as_secs_f64()
    );
    for (k, v) in attributes(r) {
        println!("  {k}={v}");
    }
    for (i, a) in r.attempts.iter().enumerate() {
        println!(
            "  event attempt n={} status={} delay_ms={:.1} error={}",
            i + 1,
            a.status.unwrap_or(0),
            a.delay.as_secs_f64() * 1000.0,
            a.error.unwrap_or("")
        );
    }
}

#[tokio::main]
async fn main() -> Result<(), routerkit::Error> {
    let client = ClientBuilder::new().from_env().on_receipt(export).build()?;
    let request = ChatCompletionRequest::new("openai/gpt-4.1", vec![ChatMessage::user("Say hi in five words.")]);
    let response = client.chat(&request, &RequestOptions::default()).await?;
    let text = response.choices.first().and_then(|c| c.message.content.as_deref());
    println!("{}", text.unwrap_or(""));

    let request = ChatCompletionRequest::new("anthropic/claude-opus-4-5", vec![ChatMessage::user("Count to three.")]);
    let mut stream = client.chat_stream(&request, &RequestOptions::default()).await?;
    while let Some(chunk) = stream.next().await? {
        if let Some(text) = chunk.choices.first().and_then(|c| c.delta.content.as_deref()) {
            print!("{text}");
        }
    }
    let r = stream.receipt();
    println!(
        "\n[stream: {} tokens, first token after {:?}]",
        r.output_tokens.unwrap_or(0),
        r.time_to_first_token.unwrap_or_default()
    );
    Ok(())
}
