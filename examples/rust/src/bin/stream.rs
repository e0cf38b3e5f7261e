//! Streaming: print the answer as it arrives, then the token count.
use std::io::Write;

use routerkit::{ChatCompletionRequest, ChatMessage, Client, RequestOptions};

#[tokio::main]
async fn main() -> Result<(), routerkit::Error> {
    let client = Client::from_env()?;
    let mut request = ChatCompletionRequest::new(
        "openai/gpt-4.1",
        vec![ChatMessage::user("Explain Rust's ownership model")],
    );
    request.max_tokens = Some(512);
    let mut stream = client.chat_stream(&request, &RequestOptions::default()).await?;
    let mut out = std::io::stdout();
    while let Some(chunk) = stream.next().await? {
        if let Some(text) = chunk.choices.first().and_then(|c| c.delta.content.as_deref()) {
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        }
    }
    println!();
    if let Some(usage) = stream.usage() {
        println!("[done] total tokens: {}", usage.total_tokens);
    }
    Ok(())
}
