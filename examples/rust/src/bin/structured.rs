//! Structured outputs: a JSON Schema in `response_format`, the answer checked by the engine
//! (finish reason, JSON, the schema) and deserialised into a Rust type.
use routerkit::{ChatCompletionRequest, ChatMessage, Client, ErrorKind, RequestOptions};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize)]
struct Step {
    explanation: String,
    output: String,
}

#[derive(Debug, Deserialize)]
struct MathReasoning {
    steps: Vec<Step>,
    final_answer: String,
}

#[tokio::main]
async fn main() -> Result<(), routerkit::Error> {
    let client = Client::from_env()?;
    let mut request = ChatCompletionRequest::new(
        "openai/gpt-4.1",
        vec![
            ChatMessage::system("You are a helpful math tutor. Guide the user through the solution step by step."),
            ChatMessage::user("how can I solve 8x + 7 = -23"),
        ],
    );
    let step = json!({"type": "object", "properties": {"explanation": {"type": "string"}, "output": {"type": "string"}},
        "required": ["explanation", "output"], "additionalProperties": false});
    request.response_format = Some(
        json!({"type": "json_schema", "json_schema": {"name": "math_reasoning", "strict": true,
        "schema": {"type": "object", "properties": {"steps": {"type": "array", "items": step}, "final_answer": {"type": "string"}},
            "required": ["steps", "final_answer"], "additionalProperties": false}}}),
    );
    match client
        .chat_parse::<MathReasoning>(&request, &RequestOptions::default())
        .await
    {
        Ok(response) => match response.data.first() {
            Some(answer) => {
                for step in &answer.steps {
                    println!("- {} => {}", step.explanation, step.output);
                }
                println!("answer: {}", answer.final_answer);
            }
            None => println!("refused: {:?}", response.data.value.choices[0].message.refusal),
        },
        Err(e) if e.kind() == ErrorKind::LengthFinishReason => println!("the answer was cut off by the token limit"),
        Err(e) if e.kind() == ErrorKind::OutputValidation => {
            println!(
                "the answer does not match the schema at {:?}: {}",
                e.param(),
                e.message()
            )
        }
        Err(e) => return Err(e),
    }
    Ok(())
}
