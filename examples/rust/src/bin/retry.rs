//! Error handling: the engine retries 429/5xx and network errors itself
//! (`max_retries`); the caller decides what to do with what is left, by kind.
use std::time::Duration;

use routerkit::{ChatCompletionRequest, ChatMessage, Client, ErrorKind, RequestOptions};

async fn chat_with_retry(
    client: &Client,
    model: &str,
    prompt: &str,
    max_attempts: u32,
) -> Result<String, routerkit::Error> {
    let mut request = ChatCompletionRequest::new(model, vec![ChatMessage::user(prompt)]);
    request.max_tokens = Some(1024);
    let mut attempt = 0;
    loop {
        match client.chat(&request, &RequestOptions::default()).await {
            Ok(response) => {
                return Ok(response
                    .choices
                    .first()
                    .and_then(|c| c.message.content.clone())
                    .unwrap_or_default());
            }
            Err(e) if e.status() == Some(429) && attempt + 1 < max_attempts => {
                // The server's own delay when it gave one, else exponential backoff: 1 s, 2 s, 4 s.
                let wait = e.retry_after().unwrap_or(Duration::from_secs(1 << attempt));
                eprintln!("rate limited, retrying in {wait:?}…");
                tokio::time::sleep(wait).await;
            }
            Err(e) if e.kind() == ErrorKind::Timeout => {
                eprintln!("timed out (attempt {})", attempt + 1);
                if attempt + 1 >= max_attempts {
                    return Err(e);
                }
            }
            Err(e) if e.kind() == ErrorKind::Connection => {
                eprintln!("connection error: {e}");
                return Err(e);
            }
            Err(e) => return Err(e),
        }
        attempt += 1;
    }
}

#[tokio::main]
async fn main() {
    let client = match Client::builder()
        .from_env()
        .timeout(Duration::from_secs(60))
        .max_retries(3)
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("configuration error: {e}");
            std::process::exit(2);
        }
    };
    match chat_with_retry(&client, "deepseek/deepseek-r1", "1+1=?", 3).await {
        Ok(text) => println!("{text}"),
        Err(e) => {
            eprintln!("request failed: {e}");
            std::process::exit(1);
        }
    }
}
