//! Parsing a stream chunk in place: serde's in-place deserializer for the chunk
//! types (so that a stream parsing every event into one scratch chunk keeps its
//! allocations), and in `scan` the fast path for the common chunk that declines
//! everything else to it. The two live together because the scanner must leave
//! exactly what this parse leaves.

use serde::Deserialize;
use serde_json::Value;

use crate::types::{ChatCompletionChunk, ChunkChoice, ChunkDelta, ToolCallDelta, Usage};
use crate::wire_de::{deserialize_with_extra, InPlace, ParseInto};

pub(crate) mod scan;

/// Types with nothing to reuse: parsed anew and assigned.
macro_rules! parse_into_by_value {
    ($($ty:ty),* $(,)?) => {
        $(
            impl<'de> ParseInto<'de> for $ty {
                fn parse_into<D: serde::Deserializer<'de>>(deserializer: D, place: &mut Self) -> Result<(), D::Error> {
                    *place = <$ty>::deserialize(deserializer)?;
                    Ok(())
                }
            }
        )*
    };
}

parse_into_by_value!(
    u32,
    u64,
    i64,
    Option<Value>,
    Option<Usage>,
    Option<Vec<ToolCallDelta>>,
    Option<Vec<Value>>
);

impl<'de> ParseInto<'de> for String {
    fn parse_into<D: serde::Deserializer<'de>>(deserializer: D, place: &mut Self) -> Result<(), D::Error> {
        struct StringVisitor<'p>(&'p mut String);
        impl<'de> serde::de::Visitor<'de> for StringVisitor<'_> {
            type Value = ();
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E>(self, v: &str) -> Result<(), E> {
                self.0.clear();
                self.0.push_str(v);
                Ok(())
            }
            fn visit_string<E>(self, v: String) -> Result<(), E> {
                *self.0 = v;
                Ok(())
            }
        }
        deserializer.deserialize_string(StringVisitor(place))
    }
}

impl<'de> ParseInto<'de> for Option<String> {
    fn parse_into<D: serde::Deserializer<'de>>(deserializer: D, place: &mut Self) -> Result<(), D::Error> {
        struct OptionVisitor<'p>(&'p mut Option<String>);
        impl<'de> serde::de::Visitor<'de> for OptionVisitor<'_> {
            type Value = ();
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("option")
            }
            fn visit_none<E>(self) -> Result<(), E> {
                *self.0 = None;
                Ok(())
            }
            fn visit_unit<E>(self) -> Result<(), E> {
                *self.0 = None;
                Ok(())
            }
            fn visit_some<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
                match self.0 {
                    Some(text) => String::parse_into(deserializer, text),
                    None => {
                        *self.0 = Some(String::deserialize(deserializer)?);
                        Ok(())
                    }
                }
            }
        }
        deserializer.deserialize_option(OptionVisitor(place))
    }
}

impl<'de> ParseInto<'de> for Vec<ChunkChoice> {
    fn parse_into<D: serde::Deserializer<'de>>(deserializer: D, place: &mut Self) -> Result<(), D::Error> {
        struct SeqVisitor<'p>(&'p mut Vec<ChunkChoice>);
        impl<'de> serde::de::Visitor<'de> for SeqVisitor<'_> {
            type Value = ();
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
                let mut n = 0;
                loop {
                    let more = match self.0.get_mut(n) {
                        Some(choice) => seq.next_element_seed(InPlace(choice))?.is_some(),
                        None => match seq.next_element::<ChunkChoice>()? {
                            Some(choice) => {
                                self.0.push(choice);
                                true
                            }
                            None => false,
                        },
                    };
                    if !more {
                        break;
                    }
                    n += 1;
                }
                self.0.truncate(n);
                Ok(())
            }
        }
        deserializer.deserialize_seq(SeqVisitor(place))
    }
}

/// Parses a stream event's data into `place`, reusing what `place` holds: the
/// result equals `serde_json::from_str::<ChatCompletionChunk>(text)`, errors included.
pub(crate) fn parse_chunk_into(text: &str, place: &mut ChatCompletionChunk) -> serde_json::Result<()> {
    if scan::scan_chunk_into(text, place) {
        return Ok(());
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    ChatCompletionChunk::parse_into(&mut deserializer, place)?;
    deserializer.end()
}

deserialize_with_extra!(in_place Usage, "token counts (usage)", {
    "prompt_tokens" => prompt_tokens,
    "completion_tokens" => completion_tokens,
    "total_tokens" => total_tokens,
});

deserialize_with_extra!(in_place ChatCompletionChunk, "a chat.completion.chunk object", {
    "id" => id,
    "object" => object,
    "created" => created,
    "model" => model,
    "choices" => choices,
    "usage" => usage,
    "system_fingerprint" => system_fingerprint,
});

deserialize_with_extra!(in_place ChunkChoice, "a chunk choice", {
    "index" => index,
    "delta" => delta,
    "finish_reason" => finish_reason,
    "logprobs" => logprobs,
});

deserialize_with_extra!(in_place ChunkDelta, "a chunk delta", {
    "role" => role,
    "content" => content,
    "refusal" => refusal,
    "tool_calls" => tool_calls,
    "reasoning_content" => reasoning_content,
    "reasoning" => reasoning,
    "reasoning_details" => reasoning_details,
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::ChatCompletionChunk;

    #[test]
    fn chunk_fields_and_unknown_keys_at_every_level() {
        let text = r#"{"id":"c1","object":"chat.completion.chunk","created":7,"model":"m","provider":"p",
            "choices":[{"index":1,"delta":{"role":"assistant","content":"hi","reasoning":"r","x-d":[1]},"finish_reason":null,"native_finish_reason":"s"}],
            "usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3,"cost":0.5},"system_fingerprint":null}"#;
        let chunk: ChatCompletionChunk = serde_json::from_str(text).unwrap();
        assert_eq!((chunk.id.as_str(), chunk.created, chunk.model.as_str()), ("c1", 7, "m"));
        assert_eq!(chunk.extra["provider"], "p");
        let choice = &chunk.choices[0];
        assert_eq!((choice.index, choice.finish_reason.as_deref()), (1, None));
        assert_eq!(choice.extra["native_finish_reason"], "s");
        assert_eq!(choice.delta.content.as_deref(), Some("hi"));
        assert_eq!(choice.delta.reasoning.as_deref(), Some("r"));
        assert_eq!(choice.delta.extra["x-d"], serde_json::json!([1]));
        let usage = chunk.usage.as_ref().unwrap();
        assert_eq!(
            (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens),
            (1, 2, 3)
        );
        assert_eq!(usage.extra["cost"], 0.5);
        assert_eq!(chunk.system_fingerprint, None);
        // The same from a Value (owned keys), and back out unchanged.
        let value: Value = serde_json::from_str(text).unwrap();
        let again: ChatCompletionChunk = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(again, chunk);
        assert_eq!(
            serde_json::to_value(&chunk).unwrap()["choices"][0]["native_finish_reason"],
            "s"
        );
        // Escaped keys are still recognised.
        let escaped: ChatCompletionChunk = serde_json::from_str(r#"{"\u0069d":"e","choices":[]}"#).unwrap();
        assert_eq!(escaped.id, "e");
    }

    #[test]
    fn a_chunk_parsed_into_a_reused_one_equals_a_fresh_parse() {
        // Each line leaves something behind the next must not keep: a role, tool calls,
        // two choices then one, a finish reason, usage, unknown keys, a failed parse half-way.
        let lines = [
            r#"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","provider":"p","choices":[{"index":0,"delta":{"role":"assistant","content":"","x":1},"finish_reason":null,"logprobs":{"a":[]}},{"index":1,"delta":{"refusal":"no"},"finish_reason":null}]}"#,
            r#"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hel","tool_calls":[{"index":0,"id":"t","function":{"name":"f","arguments":"{"}}]},"finish_reason":null}]}"#,
            r#"{"id":"c1","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop","native_finish_reason":"end"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3,"cost":0.1},"system_fingerprint":"fp"}"#,
            r#"{"id":"c2","choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}],"created":"not a number"}"#,
            r#"{"id":"c2","object":"o","choices":[{"index":0,"delta":{"content":"é\u00e9\"q"}}]}"#,
            r#"{"choices":[],"usage":null}"#,
            r#"{"id":"c3","choices":[{"index":0,"delta":{"content":"a"}},{"index":1,"delta":{"content":"b"}},{"index":2,"delta":{}}],"model":"m2"}"#,
            r#"{"id":"c3","id":"again","choices":[]}"#,
            r#"{"id":"c3","choices":[{"index":2,"delta":{"content":"c"},"finish_reason":"length"}]}"#,
            r#"{}"#,
        ];
        let mut scratch = ChatCompletionChunk::default();
        for line in lines {
            let fresh = serde_json::from_str::<ChatCompletionChunk>(line);
            let reused = parse_chunk_into(line, &mut scratch);
            match (fresh, reused) {
                (Ok(fresh), Ok(())) => assert_eq!(fresh, scratch, "{line}"),
                (Err(fresh), Err(reused)) => assert_eq!(fresh.to_string(), reused.to_string(), "{line}"),
                (fresh, reused) => panic!("{line}: fresh {fresh:?}, reused {reused:?}"),
            }
        }
    }

    #[test]
    fn chunk_errors_match_the_derived_rules() {
        // Missing fields take their defaults; a null where a string is required, a wrong type or a repeated key fail.
        let empty: ChatCompletionChunk = serde_json::from_str("{}").unwrap();
        assert_eq!(empty, ChatCompletionChunk::default());
        for bad in [
            r#"{"id":null}"#,
            r#"{"choices":{}}"#,
            r#"{"created":"x"}"#,
            r#"{"id":"a","id":"b"}"#,
            "[]",
            r#"{"choices":[{"index":-1}]}"#,
        ] {
            assert!(serde_json::from_str::<ChatCompletionChunk>(bad).is_err(), "{bad}");
        }
    }
}
