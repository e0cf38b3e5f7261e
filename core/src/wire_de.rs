//! `Deserialize` for the wire types that keep the fields they do not model in `extra`.
//!
//! What `#[serde(default)]` plus `#[serde(flatten)] extra` would derive, without
//! flatten's detour: serde's derive keeps each unknown entry in its private `Content` form
//! and deserializes those into `extra` afterwards. Here each key is matched as it is read and
//! its value parsed straight into its field, or, unknown, into `extra` as a `Value`. The
//! detour itself was cheap on a chat completion (about 500 instructions); what the macro is
//! for is one mechanism for the stream chunks (in place) and the responses (fresh), and
//! [`WithRaw`]: a typed call's usage text found in the same pass, instead of a second pass
//! over the body for the receipt.
//!
//! Each use lists the struct's fields with their wire names. The expansion destructures the
//! struct without `..`, so a field added to the struct and not to the list fails to
//! compile instead of landing in `extra`.

use std::borrow::Cow;

use serde::Deserialize;

/// Implements `Deserialize` for `$ty` (a struct with `Default` and an `extra` map):
///
/// ```ignore
/// deserialize_with_extra!(fresh Model, "a model object", {
///     "id" => id (required),          // missing: the error a derive gives
///     "type" => kind (default = f()), // missing: this value, not `Default::default()`
///     "object" => object,             // missing: `Default::default()`
/// });
/// ```
///
/// `fresh` parses each field by its own `Deserialize`; `in_place` parses it with
/// [`ParseInto`] into the value already there, and also
/// implements `ParseInto` for `$ty` (the stream chunks: one scratch chunk per stream).
macro_rules! deserialize_with_extra {
    // A type whose `$raw` field a caller may also want as its text, borrowed from the body:
    // `WithRaw<$ty>` decodes the struct and keeps that text, in the same single pass.
    (fresh $ty:ident, $expecting:literal, { $($key:literal => $field:ident $(($($how:tt)*))?),* $(,)? }, raw $raw:literal => $rawfield:ident) => {
        $crate::wire_de::deserialize_with_extra!(fresh $ty, $expecting, { $($key => $field $(($($how)*))?),* });

        impl<'de> serde::Deserialize<'de> for $crate::wire_de::WithRaw<'de, $ty> {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct FieldsVisitor;
                impl<'de> serde::de::Visitor<'de> for FieldsVisitor {
                    type Value = $crate::wire_de::WithRaw<'de, $ty>;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                        let mut out = <$ty>::default();
                        let mut raw: Option<&'de serde_json::value::RawValue> = None;
                        $crate::wire_de::deserialize_with_extra!(@fields fresh, map, out, $ty,
                            { $($key => $field $(($($how)*))?),* }, raw $raw => $rawfield, raw);
                        Ok($crate::wire_de::WithRaw { value: out, raw })
                    }
                }
                deserializer.deserialize_map(FieldsVisitor)
            }
        }
    };

    (fresh $ty:ident, $expecting:literal, { $($key:literal => $field:ident $(($($how:tt)*))?),* $(,)? }) => {
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct FieldsVisitor;
                impl<'de> serde::de::Visitor<'de> for FieldsVisitor {
                    type Value = $ty;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<$ty, A::Error> {
                        let mut out = <$ty>::default();
                        $crate::wire_de::deserialize_with_extra!(@fields fresh, map, out, $ty,
                            { $($key => $field $(($($how)*))?),* });
                        Ok(out)
                    }
                }
                deserializer.deserialize_map(FieldsVisitor)
            }
        }
    };

    (in_place $ty:ident, $expecting:literal, { $($key:literal => $field:ident $(($($how:tt)*))?),* $(,)? }) => {
        impl<'de> $crate::wire_de::ParseInto<'de> for $ty {
            fn parse_into<D: serde::Deserializer<'de>>(deserializer: D, place: &mut Self) -> Result<(), D::Error> {
                struct FieldsVisitor<'p>(&'p mut $ty);
                impl<'de> serde::de::Visitor<'de> for FieldsVisitor<'_> {
                    type Value = ();
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
                        let out = self.0;
                        // Almost always empty: skip clear's tear-down of an empty map.
                        if !out.extra.is_empty() {
                            out.extra.clear();
                        }
                        $crate::wire_de::deserialize_with_extra!(@fields in_place, map, out, $ty,
                            { $($key => $field $(($($how)*))?),* });
                        Ok(())
                    }
                }
                deserializer.deserialize_map(FieldsVisitor(place))
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let mut out = <$ty>::default();
                <$ty as $crate::wire_de::ParseInto<'de>>::parse_into(deserializer, &mut out)?;
                Ok(out)
            }
        }
    };

    // The loop over the keys, then the defaults of the fields the object left out (in a
    // reused value, what the last object left there must not stay).
    (@fields $mode:ident, $map:ident, $out:ident, $ty:ident, { $($key:literal => $field:ident $(($($how:tt)*))?),* }
        $(, raw $raw:literal => $rawfield:ident, $slot:ident)?) => {
        const _: () = {
            #[allow(dead_code)]
            fn every_field_is_listed(value: &$ty) {
                let $ty { $($field: _,)* extra: _ } = value;
            }
            assert!([$($key),*].len() <= 64, "a field's bit in `seen` is a u64's");
        };
        let mut seen = 0u64;
        while let Some($crate::wire_de::FieldKey(key)) = $map.next_key::<$crate::wire_de::FieldKey<'de>>()? {
            $(
                // Only its text is kept here; the field is parsed from it below.
                if key == $raw {
                    if $slot.is_some() {
                        return Err(serde::de::Error::duplicate_field($raw));
                    }
                    $slot = Some($map.next_value::<&'de serde_json::value::RawValue>()?);
                    continue;
                }
            )?
            let mut bit = 1u64;
            $(
                if key == $key {
                    if seen & bit != 0 {
                        return Err(serde::de::Error::duplicate_field($key));
                    }
                    seen |= bit;
                    $crate::wire_de::deserialize_with_extra!(@value $mode, $map, $out.$field);
                    continue;
                }
                bit <<= 1;
            )*
            let _ = bit;
            let value = $map.next_value()?;
            $out.extra.insert(key.into_owned(), value);
        }
        let mut bit = 1u64;
        $(
            if seen & bit == 0 {
                $crate::wire_de::deserialize_with_extra!(@missing $mode, $out.$field, $key $(, $($how)*)?);
            }
            bit <<= 1;
        )*
        let _ = bit;
        $(
            if let Some(text) = $slot {
                $out.$rawfield = serde_json::from_str(text.get()).map_err(serde::de::Error::custom)?;
            }
        )?
    };

    (@value fresh, $map:ident, $place:expr) => {
        $place = $map.next_value()?
    };
    (@value in_place, $map:ident, $place:expr) => {
        $map.next_value_seed($crate::wire_de::InPlace(&mut $place))?
    };

    // A fresh value starts as its type's `Default`: a field it left out already has it.
    (@missing fresh, $place:expr, $key:literal) => {};
    (@missing in_place, $place:expr, $key:literal) => {
        $place = Default::default()
    };
    (@missing $mode:ident, $place:expr, $key:literal, required) => {
        return Err(serde::de::Error::missing_field($key))
    };
    (@missing $mode:ident, $place:expr, $key:literal, default = $value:expr) => {
        $place = $value
    };
}

pub(crate) use deserialize_with_extra;

/// A value decoded by [`deserialize_with_extra!`] with the text of one of its fields (its
/// `usage`, for the receipt, which keeps it as the gateway wrote it) borrowed from the body.
/// Only for a body read from a slice: a `RawValue` cannot be borrowed from anything else.
pub(crate) struct WithRaw<'de, T> {
    pub(crate) value: T,
    pub(crate) raw: Option<&'de serde_json::value::RawValue>,
}

/// Parsing into a value that already exists, keeping its allocations: a stream
/// that needs each chunk only for its checks and the accumulator parses every
/// chunk into one scratch chunk, so after the first one a chunk's strings and
/// its choice cost no allocation (see `chunk_parse::parse_chunk_into`).
pub(crate) trait ParseInto<'de> {
    fn parse_into<D: serde::Deserializer<'de>>(deserializer: D, place: &mut Self) -> Result<(), D::Error>;
}

/// The seed that parses a map value or a sequence element into `place`.
pub(crate) struct InPlace<'p, T>(pub(crate) &'p mut T);

impl<'de, T: ParseInto<'de>> serde::de::DeserializeSeed<'de> for InPlace<'_, T> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        T::parse_into(deserializer, self.0)
    }
}

/// A map key, borrowed from the input when it has no escapes.
pub(crate) struct FieldKey<'de>(pub(crate) Cow<'de, str>);

impl<'de> Deserialize<'de> for FieldKey<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> serde::de::Visitor<'de> for KeyVisitor {
            type Value = FieldKey<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(FieldKey(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(FieldKey(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(FieldKey(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

mod chat {
    use crate::types::{
        ChatCompletion, Choice, Completion, CompletionChoice, Embedding, EmbeddingResponse, FunctionCall, Model,
        ModelList, ModerationResponse, ModerationResult, ResponseMessage, ToolCall,
    };

    deserialize_with_extra!(fresh ChatCompletion, "a chat.completion object", {
        "id" => id,
        "object" => object,
        "created" => created,
        "model" => model,
        "choices" => choices,
        "usage" => usage,
        "system_fingerprint" => system_fingerprint,
    }, raw "usage" => usage);

    deserialize_with_extra!(fresh Choice, "a choice", {
        "index" => index,
        "message" => message,
        "finish_reason" => finish_reason,
        "logprobs" => logprobs,
    });

    deserialize_with_extra!(fresh ResponseMessage, "a message", {
        "role" => role,
        "content" => content,
        "refusal" => refusal,
        "tool_calls" => tool_calls,
        "reasoning_content" => reasoning_content,
        "reasoning" => reasoning,
        "reasoning_details" => reasoning_details,
    });

    deserialize_with_extra!(fresh ToolCall, "a tool call", {
        "id" => id,
        "type" => kind (default = crate::types::function_type()),
        "function" => function (required),
    });

    deserialize_with_extra!(fresh FunctionCall, "a function call", {
        "name" => name,
        "arguments" => arguments,
    });

    deserialize_with_extra!(fresh ModelList, "a model list", {
        "object" => object,
        "data" => data,
    });

    deserialize_with_extra!(fresh Model, "a model", {
        "id" => id (required),
        "object" => object,
        "created" => created,
        "owned_by" => owned_by,
    });

    deserialize_with_extra!(fresh EmbeddingResponse, "an embeddings response", {
        "object" => object,
        "data" => data,
        "model" => model,
        "usage" => usage,
    });

    deserialize_with_extra!(fresh Embedding, "an embedding", {
        "object" => object,
        "index" => index,
        "embedding" => embedding (required),
    });

    deserialize_with_extra!(fresh Completion, "a text_completion object", {
        "id" => id,
        "object" => object,
        "created" => created,
        "model" => model,
        "choices" => choices,
        "usage" => usage,
        "system_fingerprint" => system_fingerprint,
    }, raw "usage" => usage);

    deserialize_with_extra!(fresh CompletionChoice, "a completion choice", {
        "text" => text,
        "index" => index,
        "finish_reason" => finish_reason,
        "logprobs" => logprobs,
    });

    deserialize_with_extra!(fresh ModerationResponse, "a moderation response", {
        "id" => id,
        "model" => model,
        "results" => results,
    });

    deserialize_with_extra!(fresh ModerationResult, "a moderation result", {
        "flagged" => flagged,
        "categories" => categories,
        "category_scores" => category_scores,
    });
}

mod responses {
    use crate::response_types::{
        ContentPart, InputTokensDetails, OutputItem, OutputTokensDetails, ResponseObject, ResponseStreamEvent,
        ResponseUsage,
    };

    deserialize_with_extra!(fresh ResponseObject, "a response object", {
        "id" => id,
        "object" => object,
        "created_at" => created_at,
        "status" => status,
        "model" => model,
        "output" => output,
        "usage" => usage,
        "error" => error,
        "incomplete_details" => incomplete_details,
    }, raw "usage" => usage);

    deserialize_with_extra!(fresh OutputItem, "an output item", {
        "type" => kind,
        "id" => id,
        "status" => status,
        "role" => role,
        "content" => content,
        "call_id" => call_id,
        "name" => name,
        "arguments" => arguments,
    });

    deserialize_with_extra!(fresh ContentPart, "a content part", {
        "type" => kind,
        "text" => text,
        "refusal" => refusal,
    });

    deserialize_with_extra!(fresh ResponseUsage, "a response's usage", {
        "input_tokens" => input_tokens,
        "output_tokens" => output_tokens,
        "total_tokens" => total_tokens,
        "input_tokens_details" => input_tokens_details,
        "output_tokens_details" => output_tokens_details,
    });

    deserialize_with_extra!(fresh InputTokensDetails, "input token details", {
        "cached_tokens" => cached_tokens,
    });

    deserialize_with_extra!(fresh OutputTokensDetails, "output token details", {
        "reasoning_tokens" => reasoning_tokens,
    });

    deserialize_with_extra!(fresh ResponseStreamEvent, "a Responses stream event", {
        "type" => kind,
        "sequence_number" => sequence_number,
        "response" => response,
        "item" => item,
        "output_index" => output_index,
        "content_index" => content_index,
        "item_id" => item_id,
        "part" => part,
        "delta" => delta,
        "text" => text,
        "arguments" => arguments,
    });
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use crate::response_types::ResponseObject;
    use crate::types::{ChatCompletion, Embedding, Model, ModelList, ToolCall};

    #[test]
    fn known_fields_at_every_level_and_the_rest_in_extra() {
        let body = json!({
            "id": "c1", "object": "chat.completion", "created": 7, "model": "m", "provider": "p",
            "choices": [{
                "index": 0, "finish_reason": "tool_calls", "native_finish_reason": "tool_use",
                "message": {
                    "role": "assistant", "content": null, "reasoning": "r", "annotations": [],
                    "tool_calls": [{"id": "t", "type": "function", "x-call": 1,
                                    "function": {"name": "f", "arguments": "{}", "parsed_arguments": {}}}]
                }
            }],
            "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3, "cost": 0.5},
            "system_fingerprint": null
        });
        let text = body.to_string();
        let completion: ChatCompletion = serde_json::from_str(&text).unwrap();
        assert_eq!(
            (completion.id.as_str(), completion.created, completion.model.as_str()),
            ("c1", 7, "m")
        );
        assert_eq!(completion.extra.keys().collect::<Vec<_>>(), ["provider"]);
        let choice = &completion.choices[0];
        assert_eq!(choice.finish_reason.as_deref(), Some("tool_calls"));
        assert_eq!(choice.extra["native_finish_reason"], "tool_use");
        assert_eq!(
            (choice.message.content.as_deref(), choice.message.reasoning.as_deref()),
            (None, Some("r"))
        );
        assert_eq!(choice.message.extra["annotations"], json!([]));
        let call = &choice.message.tool_calls.as_ref().unwrap()[0];
        assert_eq!(
            (call.kind.as_str(), call.extra["x-call"].clone()),
            ("function", json!(1))
        );
        assert_eq!(call.function.extra["parsed_arguments"], json!({}));
        assert_eq!(completion.usage.as_ref().unwrap().extra["cost"], 0.5);
        // From a Value (owned keys) the same, and written back out it is the body again.
        assert_eq!(
            serde_json::from_value::<ChatCompletion>(body.clone()).unwrap(),
            completion
        );
        let mut back = serde_json::to_value(&completion).unwrap();
        back.as_object_mut()
            .unwrap()
            .insert("system_fingerprint".into(), Value::Null);
        assert_eq!(back, body);
        // An escaped key is still the field it spells.
        let escaped: ChatCompletion = serde_json::from_str(r#"{"\u0069d":"e"}"#).unwrap();
        assert_eq!(escaped.id, "e");
    }

    #[test]
    fn missing_fields_take_the_derived_defaults_and_bad_ones_fail() {
        assert_eq!(
            serde_json::from_str::<ChatCompletion>("{}").unwrap(),
            ChatCompletion::default()
        );
        // A tool call without a type is a function's; without its function it is no tool call.
        let call: ToolCall = serde_json::from_str(r#"{"id":"t","function":{"name":"f"}}"#).unwrap();
        assert_eq!((call.kind.as_str(), call.function.arguments.as_str()), ("function", ""));
        let missing = serde_json::from_str::<ToolCall>(r#"{"id":"t"}"#)
            .unwrap_err()
            .to_string();
        assert!(missing.contains("missing field `function`"), "{missing}");
        assert!(serde_json::from_str::<Model>(r#"{"object":"model"}"#).is_err());
        assert!(serde_json::from_str::<Embedding>(r#"{"index":0}"#).is_err());
        let list: ModelList = serde_json::from_str(r#"{"data":[{"id":"openai/gpt-4.1","context_length":8}]}"#).unwrap();
        assert_eq!(
            (list.data[0].id.as_str(), list.data[0].extra["context_length"].clone()),
            ("openai/gpt-4.1", json!(8))
        );
        for bad in [
            r#"{"id":null}"#,
            r#"{"choices":{}}"#,
            r#"{"created":"x"}"#,
            r#"{"id":"a","id":"b"}"#,
            r#"{"choices":[{"message":{"content":1}}]}"#,
            "[]",
        ] {
            assert!(serde_json::from_str::<ChatCompletion>(bad).is_err(), "{bad}");
        }
        let duplicate = serde_json::from_str::<ChatCompletion>(r#"{"id":"a","id":"b"}"#)
            .unwrap_err()
            .to_string();
        assert!(duplicate.contains("duplicate field `id`"), "{duplicate}");
    }

    #[test]
    fn with_raw_keeps_the_usage_text_as_written_and_decodes_the_same() {
        use super::WithRaw;
        let text =
            r#"{"id":"c","usage":{"total_tokens":3, "prompt_tokens":1,"cost":0.5,"completion_tokens":2},"choices":[]}"#;
        let WithRaw { value, raw } = serde_json::from_str::<WithRaw<ChatCompletion>>(text).unwrap();
        assert_eq!(
            raw.map(|r| r.get()),
            Some(r#"{"total_tokens":3, "prompt_tokens":1,"cost":0.5,"completion_tokens":2}"#)
        );
        assert_eq!(value, serde_json::from_str::<ChatCompletion>(text).unwrap());
        assert_eq!(
            value.usage.as_ref().map(|u| (u.prompt_tokens, u.total_tokens)),
            Some((1, 3))
        );
        // Absent, null, repeated or not a usage: as the plain decode has it.
        let WithRaw { value, raw } = serde_json::from_str::<WithRaw<ChatCompletion>>(r#"{"id":"c"}"#).unwrap();
        assert_eq!((value.usage, raw.is_none()), (None, true));
        let WithRaw { value, raw } = serde_json::from_str::<WithRaw<ChatCompletion>>(r#"{"usage":null}"#).unwrap();
        assert_eq!((value.usage, raw.map(|r| r.get())), (None, Some("null")));
        for bad in [
            r#"{"usage":{},"usage":{}}"#,
            r#"{"usage":"x"}"#,
            r#"{"usage":{"prompt_tokens":-1}}"#,
        ] {
            assert!(serde_json::from_str::<WithRaw<ChatCompletion>>(bad).is_err(), "{bad}");
            assert!(serde_json::from_str::<ChatCompletion>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_responses_object_keeps_its_items_unknown_fields() {
        let body = json!({
            "id": "resp_1", "object": "response", "created_at": 1, "status": "completed", "model": "m",
            "output": [
                {"type": "reasoning", "id": "rs_1", "encrypted_content": "gAAA", "summary": []},
                {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "hi", "annotations": []}]}
            ],
            "usage": {"input_tokens": 1, "output_tokens": 2, "total_tokens": 3,
                      "output_tokens_details": {"reasoning_tokens": 1, "x": 2}},
            "parallel_tool_calls": true
        });
        let response: ResponseObject = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(response.output_text(), "hi");
        assert_eq!(response.output[0].extra["encrypted_content"], "gAAA");
        assert_eq!(
            response.output[1].content.as_ref().unwrap()[0].extra["annotations"],
            json!([])
        );
        let details = response.usage.as_ref().unwrap().output_tokens_details.as_ref().unwrap();
        assert_eq!((details.reasoning_tokens, details.extra["x"].clone()), (1, json!(2)));
        assert_eq!(response.extra["parallel_tool_calls"], true);
        assert_eq!(serde_json::to_value(&response).unwrap(), body);
    }
}
