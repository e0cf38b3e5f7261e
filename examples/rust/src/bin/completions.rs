//! Legacy text completions (`POST /completions`): one answer, then the same streamed
//! (each event carries a piece of `choices[0].text`).
use std::io::Write;

use routerkit::{Client, CompletionRequest, RequestOptions};

#[tokio::main]
async fn main() -> Result<(), routerkit::Error> {
    let client = Client::from_env()?;
    let opts = RequestOptions::default();
    let mut request = CompletionRequest::new("openai/gpt-3.5-turbo-instruct", "Write a haiku about routers.");
    request.max_tokens = Some(64);
    let completion = client.completions(&request, &opts).await?.data;
    if let Some(choice) = completion.choices.first() {
        println!("{}", choice.text);
        let finish = choice.finish_reason.as_deref().unwrap_or("-");
        let tokens = completion.usage.as_ref().map_or(0, |u| u.total_tokens);
        println!("[finish: {finish}, {tokens} tokens]");
    }

    let request = CompletionRequest::new("openai/gpt-3.5-turbo-instruct", "Count to five.");
    let mut stream = client.completions_stream(&request, &opts).await?;
    let mut out = std::io::stdout();
    while let Some(event) = stream.next().await? {
        if let Some(choice) = event.choices.first() {
            let _ = out.write_all(choice.text.as_bytes());
            let _ = out.flush();
        }
    }
    println!();
    Ok(())
}
