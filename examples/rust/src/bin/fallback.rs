//! A fallback chain and a hedged stream. `fallback_models` are tried in order when a call fails
//! before any output with a retryable error (after that model's own retries), a
//! model-availability error, or a status of `fallback_on_status`; never after output.
//! `hedge_after` starts the same stream on the chain's next model when no first token has come
//! by then, keeps whichever answers first and closes the other. The receipt says what happened.
use std::time::Duration;

use routerkit::{ChatCompletionRequest, ChatMessage, Client, RequestOptions};

#[tokio::main]
async fn main() -> Result<(), routerkit::Error> {
    let client = Client::builder()
        .from_env()
        .max_retries(2)
        .fallback_models(["anthropic/claude-sonnet-4.5", "google/gemini-2.5-flash"])
        // e.g. a context-length error that another model may take
        .fallback_on_status([400])
        .build()?;

    let request = ChatCompletionRequest::new("openai/gpt-4.1", vec![ChatMessage::user("One sentence on merge sort.")]);
    match client.chat(&request, &RequestOptions::default()).await {
        Ok(reply) => {
            let r = &reply.receipt;
            println!(
                "[{}] {} (attempts: {}, fallback fired: {})",
                r.model.as_deref().unwrap_or("?"),
                reply.choices[0].message.content.as_deref().unwrap_or(""),
                r.attempts.len(),
                r.fallback.fired
            );
        }
        // Every model of the chain failed: the gateway's own verdict on the last one.
        Err(e) => eprintln!(
            "failed: {:?} retryable={:?} type={:?} availability={:?}",
            e.status(),
            e.retryable(),
            e.gateway_error_type(),
            e.availability_code()
        ),
    }

    // A stream hedged after 2 s, on this call's own chain (it replaces the client's).
    let opts = RequestOptions {
        fallback_models: Some(vec!["anthropic/claude-sonnet-4.5".to_owned()]),
        hedge_after: Some(Duration::from_secs(2)),
        ..Default::default()
    };
    let request = ChatCompletionRequest::new("openai/gpt-4.1", vec![ChatMessage::user("Count to five.")]);
    let mut stream = client.chat_stream(&request, &opts).await?;
    while let Some(chunk) = stream.next().await? {
        for choice in &chunk.choices {
            print!("{}", choice.delta.content.as_deref().unwrap_or(""));
        }
    }
    let hedge = stream.receipt().hedge;
    println!("\n(hedge fired: {}, the hedge won: {})", hedge.fired, hedge.hedge_won);
    Ok(())
}
