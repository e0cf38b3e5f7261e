//! Basic chat: one question, one answer.
//!
//! The key and base URL come from `THEROUTER_API_KEY` / `THEROUTER_BASE_URL`
//! (or a `.env` file), as the seed guide recommends: never hard-coded.
use routerkit::{ChatCompletionRequest, ChatMessage, Client, RequestOptions};

#[tokio::main]
async fn main() -> Result<(), routerkit::Error> {
    let client = Client::from_env()?;
    let mut request = ChatCompletionRequest::new(
        "anthropic/claude-opus-4-5",
        vec![ChatMessage::user("Write quicksort in Rust, with comments")],
    );
    request.max_tokens = Some(1024);
    let response = client.chat(&request, &RequestOptions::default()).await?;
    let text = response
        .choices
        .first()
        .and_then(|c| c.message.content.as_deref())
        .unwrap_or("");
    println!("{text}");
    Ok(())
}
