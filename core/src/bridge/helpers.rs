//! The one generic helper entry point of the native layers: `helper(name, input_json)` →
//! output JSON. A helper is pure (no I/O, no runtime, no handle): its whole input and state
//! cross as JSON text, so adding one adds a row here and nothing to any native layer
//! (Python `_routerkit.helper`, Node `helper`, C `rk_helper`).
//!
//! | name | input | output |
//! |---|---|---|
//! | `tool_runner.start` | `{"params": <chat request, tools as definitions>, "max_chat_completions"?: n}` | a step |
//! | `tool_runner.completion` | `{"state": <state>, "completion": <chat completion>}` | a step |
//! | `tool_runner.results` | `{"state": <state>, "results": [{"tool_call_id", "output", "called"?}]}` | a step |
//!
//! A step is `{"state", "action": "request"|"call_tools"|"done", "body"? (request), "calls"?
//! ([{"id","name","arguments"}], call_tools), "completion"? (the completion as normalized:
//! generated tool call ids), "added": [messages appended], "final"? (done: message, content,
//! function_tool_call, function_tool_call_result, total_usage, max_chat_completions_reached)}`.
//! `state` is the runner's state ([`ToolRunner`]), passed back unchanged; its `messages` is
//! the conversation so far.

use serde_json::{json, Value};

use crate::tool_runner::{Action, Step, ToolResult, ToolRunner};
use crate::{Error, ErrorKind};

/// Runs the helper `name` on `input` (JSON text); the output is JSON text.
pub fn helper(name: &str, input: &str) -> Result<String, Error> {
    let input: Value = serde_json::from_str(input).map_err(|e| Error::invalid("input", format!("is not JSON: {e}")))?;
    let out = match name {
        "tool_runner.start" => {
            let max = match input.get("max_chat_completions") {
                None | Some(Value::Null) => None,
                Some(v) => Some(
                    v.as_u64()
                        .and_then(|n| u32::try_from(n).ok())
                        .ok_or_else(|| Error::invalid("max_chat_completions", "must be a positive integer"))?,
                ),
            };
            let runner = ToolRunner::new(input.get("params").cloned().unwrap_or(Value::Null), max)?;
            let step = runner.start();
            step_json(&runner, step, None)
        }
        "tool_runner.completion" => {
            let mut runner = state(&input)?;
            let mut completion = input.get("completion").cloned().unwrap_or(Value::Null);
            let step = runner.on_completion(&mut completion)?;
            step_json(&runner, step, Some(completion))
        }
        "tool_runner.results" => {
            let mut runner = state(&input)?;
            let results: Vec<ToolResult> = serde_json::from_value(input.get("results").cloned().unwrap_or(json!([])))
                .map_err(|e| Error::invalid("results", e))?;
            let step = runner.on_results(results)?;
            step_json(&runner, step, None)
        }
        other => {
            return Err(Error::new(
                ErrorKind::InvalidRequest,
                format!("no helper named {other:?}"),
            ))
        }
    };
    Ok(out.to_string())
}

fn state(input: &Value) -> Result<ToolRunner, Error> {
    serde_json::from_value(input.get("state").cloned().unwrap_or(Value::Null))
        .map_err(|e| Error::invalid("state", format!("is not a tool runner's state: {e}")))
}

fn step_json(runner: &ToolRunner, step: Step, completion: Option<Value>) -> Value {
    let mut out = json!({"state": runner, "added": step.added});
    match step.action {
        Action::Request(body) => {
            out["action"] = "request".into();
            out["body"] = body;
        }
        Action::CallTools(calls) => {
            out["action"] = "call_tools".into();
            out["calls"] = json!(calls);
        }
        Action::Done => {
            out["action"] = "done".into();
            out["final"] = json!(runner.final_results());
        }
    }
    if let Some(c) = completion {
        out["completion"] = c;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_round_trip_through_json() {
        let start = helper(
            "tool_runner.start",
            r#"{"params": {"model": "m", "messages": [{"role": "user", "content": "hi"}],
                "tools": [{"type": "function", "function": {"name": "echo"}}]}}"#,
        )
        .unwrap();
        let start: Value = serde_json::from_str(&start).unwrap();
        assert_eq!(start["action"], "request");
        let input = json!({"state": start["state"], "completion": {"choices": [{"message":
            {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function",
             "function": {"name": "echo", "arguments": "x"}}]}}]}});
        let step: Value = serde_json::from_str(&helper("tool_runner.completion", &input.to_string()).unwrap()).unwrap();
        assert_eq!(step["action"], "call_tools");
        assert_eq!(step["calls"][0]["arguments"], "x");
        let input = json!({"state": step["state"], "results": [{"tool_call_id": "c1", "output": "x"}]});
        let step: Value = serde_json::from_str(&helper("tool_runner.results", &input.to_string()).unwrap()).unwrap();
        assert_eq!(step["action"], "request");
        assert_eq!(
            step["body"]["messages"][2],
            json!({"role": "tool", "tool_call_id": "c1", "content": "x"})
        );
        assert!(helper("nope", "{}").is_err());
    }
}
