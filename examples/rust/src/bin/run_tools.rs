//! The tool runner (openai-node's `runTools`): the model calls Rust functions until it can answer.
//!
//! The key and base URL come from `THEROUTER_API_KEY` / `THEROUTER_BASE_URL` (or a `.env` file).
use routerkit::{ChatCompletionRequest, ChatMessage, Client, MessageContent, RunToolsOptions, RunnableTool, ToolError};
use serde_json::{json, Value};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::from_env()?;
    let weather = RunnableTool::new(
        "get_weather",
        "The weather forecast for a city",
        json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
        |arguments: String| async move {
            // A parse error goes back to the model, which may try again; ToolError::Failed ends the run.
            let args: Value = serde_json::from_str(&arguments).map_err(|e| ToolError::Parse(e.to_string()))?;
            Ok(json!({"city": args["city"], "forecast": "sunny, 24 °C"}))
        },
    );
    let request = ChatCompletionRequest::new(
        "openai/gpt-4.1",
        vec![ChatMessage::user("Should I take an umbrella in Paris today?")],
    );
    let options = RunToolsOptions {
        max_chat_completions: Some(5),
        ..Default::default()
    };
    let run = client.run_tools(&request, &[weather], &options).await?;
    for m in run.messages.iter().filter(|m| m.role == "tool") {
        if let Some(MessageContent::Text(text)) = &m.content {
            println!("<- {text}");
        }
    }
    println!("{}", run.final_results.content.unwrap_or_default());
    println!("[{} completions]", run.chat_completions.len());
    Ok(())
}
