//! The binary chunk layout of [`rk_stream_next_batch_bin`](crate::rk_stream_next_batch_bin):
//! the engine already parsed each chunk, so the common shape crosses as
//! length-prefixed fields the caller copies out without a JSON parser, and any
//! other chunk crosses as its JSON text. Nothing is dropped: a chunk with any
//! field the fast record does not carry is always sent as JSON.
//!
//! The layout is documented on `rk_stream_next_batch_bin` (and so in the C header).

use engine::types::{ChatCompletionChunk, ChunkChoice, ChunkDelta, Usage};

/// Tag of a record in the fast layout.
const TAG_FAST: u8 = crate::RK_CHUNK_FAST;
/// Tag of a record carrying the chunk's JSON text.
const TAG_JSON: u8 = crate::RK_CHUNK_JSON;
/// `ostr` length meaning "absent".
const ABSENT: u32 = crate::RK_CHUNK_ABSENT;

const MAX_INT: u64 = i32::MAX as u64;

/// Appends one record for a chunk: `'F'` when it was parsed, [`fits_fast`] and not
/// `json_only`, otherwise `'J'` with `data`. Fails only for a chunk of 4 GiB or more.
pub(crate) fn encode(
    out: &mut Vec<u8>,
    data: &str,
    chunk: Option<&ChatCompletionChunk>,
    json_only: bool,
) -> Result<(), String> {
    if let Some(chunk) = chunk.filter(|c| !json_only && fits_fast(c)) {
        encode_fast(out, chunk);
        return Ok(());
    }
    let len = u32::try_from(data.len())
        .ok()
        .filter(|&n| n != ABSENT)
        .ok_or_else(|| format!("a chunk of {} bytes is too large", data.len()))?;
    out.push(TAG_JSON);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(data.as_bytes());
    Ok(())
}

/// Whether the fast record carries everything `chunk` holds.
///
/// Every chunk type is destructured without `..`: a field added to
/// [`ChatCompletionChunk`], [`ChunkChoice`], [`ChunkDelta`] or [`Usage`] fails to
/// compile here until it is either carried by the record or made to send its
/// chunk as JSON, so no field can vanish from Go's fast path unnoticed.
pub(crate) fn fits_fast(chunk: &ChatCompletionChunk) -> bool {
    let ChatCompletionChunk {
        id,
        object,
        created: _, // an i64 in the record: any value fits
        model,
        choices,
        usage,
        system_fingerprint,
        extra,
    } = chunk;
    extra.is_empty()
        && !choices.is_empty()
        && small(id)
        && small(object)
        && small(model)
        && small_opt(system_fingerprint)
        && usage.as_ref().is_none_or(usage_fits)
        && choices.iter().all(choice_fits)
}

/// A string the record's `u32` length can carry (its maximum means "absent").
fn small(s: &str) -> bool {
    s.len() < ABSENT as usize
}

fn small_opt(s: &Option<String>) -> bool {
    s.as_deref().is_none_or(small)
}

fn usage_fits(u: &Usage) -> bool {
    let Usage {
        prompt_tokens,
        completion_tokens,
        total_tokens,
        extra,
    } = u;
    extra.is_empty() && *prompt_tokens <= MAX_INT && *completion_tokens <= MAX_INT && *total_tokens <= MAX_INT
}

fn choice_fits(c: &ChunkChoice) -> bool {
    let ChunkChoice {
        index,
        delta,
        finish_reason,
        logprobs,
        extra,
    } = c;
    let ChunkDelta {
        role,
        content,
        refusal,
        tool_calls,
        reasoning_content,
        reasoning,
        reasoning_details,
        extra: delta_extra,
    } = delta;
    // Carried by the record: index, finish_reason, role, content, reasoning_content, reasoning.
    // Not carried, so the chunk goes as JSON when they are present: the rest.
    u64::from(*index) <= MAX_INT
        && small_opt(finish_reason)
        && small_opt(role)
        && small_opt(content)
        && small_opt(reasoning_content)
        && small_opt(reasoning)
        && extra.is_empty()
        && logprobs.is_none()
        && delta_extra.is_empty()
        && refusal.is_none()
        && tool_calls.is_none()
        && reasoning_details.is_none()
}

fn put_u32(out: &mut Vec<u8>, n: u32) {
    out.extend_from_slice(&n.to_le_bytes());
}

/// `str`; the caller checked the length fits (see [`fits_fast`]).
fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u32(out, s.len() as u32);
    out.extend_from_slice(s.as_bytes());
}

fn put_ostr(out: &mut Vec<u8>, s: &Option<String>) {
    match s {
        Some(s) => put_str(out, s),
        None => put_u32(out, ABSENT),
    }
}

/// Writes the record. Destructured without `..` as [`fits_fast`] is, so that a new
/// field is decided in both places; what is not written here was checked absent there.
fn encode_fast(out: &mut Vec<u8>, c: &ChatCompletionChunk) {
    let ChatCompletionChunk {
        id,
        object,
        created,
        model,
        choices,
        usage,
        system_fingerprint,
        extra: _,
    } = c;
    out.push(TAG_FAST);
    put_str(out, id);
    put_str(out, object);
    out.extend_from_slice(&created.to_le_bytes());
    put_str(out, model);
    put_ostr(out, system_fingerprint);
    match usage {
        Some(Usage {
            prompt_tokens,
            completion_tokens,
            total_tokens,
            extra: _,
        }) => {
            out.push(1);
            // fits_fast checked each count <= 2^31 - 1.
            put_u32(out, *prompt_tokens as u32);
            put_u32(out, *completion_tokens as u32);
            put_u32(out, *total_tokens as u32);
        }
        None => out.push(0),
    }
    put_u32(out, choices.len() as u32);
    for choice in choices {
        let ChunkChoice {
            index,
            delta,
            finish_reason,
            logprobs: _,
            extra: _,
        } = choice;
        let ChunkDelta {
            role,
            content,
            refusal: _,
            tool_calls: _,
            reasoning_content,
            reasoning,
            reasoning_details: _,
            extra: _,
        } = delta;
        put_u32(out, *index);
        put_ostr(out, role);
        put_ostr(out, content);
        put_ostr(out, reasoning_content);
        put_ostr(out, reasoning);
        put_ostr(out, finish_reason);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader of the layout, as a caller would write it.
    struct Reader<'a>(&'a [u8]);

    impl<'a> Reader<'a> {
        fn take(&mut self, n: usize) -> &'a [u8] {
            let (head, rest) = self.0.split_at(n);
            self.0 = rest;
            head
        }
        fn u8(&mut self) -> u8 {
            self.take(1)[0]
        }
        fn u32(&mut self) -> u32 {
            u32::from_le_bytes(self.take(4).try_into().unwrap())
        }
        fn i64(&mut self) -> i64 {
            i64::from_le_bytes(self.take(8).try_into().unwrap())
        }
        fn str(&mut self) -> String {
            let n = self.u32() as usize;
            String::from_utf8(self.take(n).to_vec()).unwrap()
        }
        fn ostr(&mut self) -> Option<String> {
            let n = self.u32();
            if n == ABSENT {
                return None;
            }
            Some(String::from_utf8(self.take(n as usize).to_vec()).unwrap())
        }
        /// Decodes one record back into a chunk (`'J'` through serde).
        fn chunk(&mut self) -> (u8, ChatCompletionChunk) {
            let tag = self.u8();
            if tag == TAG_JSON {
                let n = self.u32() as usize;
                return (tag, serde_json::from_slice(self.take(n)).unwrap());
            }
            assert_eq!(tag, TAG_FAST);
            let mut c = ChatCompletionChunk {
                id: self.str(),
                object: self.str(),
                created: self.i64(),
                model: self.str(),
                ..Default::default()
            };
            c.system_fingerprint = self.ostr();
            if self.u8() == 1 {
                c.usage = Some(Usage {
                    prompt_tokens: self.u32().into(),
                    completion_tokens: self.u32().into(),
                    total_tokens: self.u32().into(),
                    ..Default::default()
                });
            }
            for _ in 0..self.u32() {
                let mut ch = ChunkChoice {
                    index: self.u32(),
                    ..Default::default()
                };
                ch.delta.role = self.ostr();
                ch.delta.content = self.ostr();
                ch.delta.reasoning_content = self.ostr();
                ch.delta.reasoning = self.ostr();
                ch.finish_reason = self.ostr();
                c.choices.push(ch);
            }
            (tag, c)
        }
    }

    fn roundtrip(json: &str) -> (u8, ChatCompletionChunk, ChatCompletionChunk) {
        let chunk: ChatCompletionChunk = serde_json::from_str(json).unwrap();
        let mut out = Vec::new();
        encode(&mut out, json, Some(&chunk), false).unwrap();
        let mut r = Reader(&out);
        let (tag, back) = r.chunk();
        assert!(r.0.is_empty(), "trailing bytes after {json}");
        (tag, chunk, back)
    }

    #[test]
    fn common_chunks_are_fast_and_lossless() {
        for json in [
            r#"{"id":"c1","object":"chat.completion.chunk","created":1700000000,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"#,
            r#"{"id":"c1","object":"chat.completion.chunk","created":-5,"model":"m","system_fingerprint":"fp","choices":[{"index":0,"delta":{"content":"héllo \n \u0000 \"q\""},"finish_reason":null,"logprobs":null}]}"#,
            r#"{"id":"","object":"","created":0,"model":"","choices":[{"index":3,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}"#,
            r#"{"id":"c","choices":[{"delta":{"reasoning_content":"think","reasoning":""}},{"index":1,"delta":{"content":null,"role":null}}],"usage":null,"system_fingerprint":null}"#,
        ] {
            let (tag, chunk, back) = roundtrip(json);
            assert_eq!(tag, TAG_FAST, "{json}");
            assert_eq!(chunk, back, "{json}");
        }
    }

    #[test]
    fn other_chunks_are_json_verbatim() {
        for json in [
            // usage chunk: no choices
            r#"{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}"#,
            r#"{"id":"c","created":1,"model":"m"}"#,
            r#"{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"t","type":"function","function":{"name":"f","arguments":""}}]}}]}"#,
            r#"{"id":"c","choices":[{"index":0,"delta":{"refusal":"no"}}]}"#,
            r#"{"id":"c","choices":[{"index":0,"delta":{"content":"a"},"logprobs":{"content":[]}}]}"#,
            r#"{"id":"c","choices":[{"index":0,"delta":{"reasoning_details":[]}}]}"#,
            r#"{"id":"c","provider":"p","choices":[{"index":0,"delta":{"content":"a"}}]}"#,
            r#"{"id":"c","choices":[{"index":0,"native_finish_reason":"x","delta":{"content":"a"}}]}"#,
            r#"{"id":"c","choices":[{"index":0,"delta":{"content":"a","function_call":{"name":"f"}}}]}"#,
            r#"{"id":"c","choices":[{"index":0,"delta":{"content":"a"}}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3,"cost":0.5}}"#,
            r#"{"id":"c","choices":[{"index":0,"delta":{"content":"a"}}],"usage":{"prompt_tokens":3000000000,"completion_tokens":2,"total_tokens":3}}"#,
            r#"{"id":"c","choices":[{"index":3000000000,"delta":{"content":"a"}}]}"#,
            // a key differing only in case (Go's encoding/json would match it to a field)
            r#"{"id":"c","Model":"x","choices":[{"index":0,"delta":{"Content":"a"}}]}"#,
        ] {
            let chunk: ChatCompletionChunk = serde_json::from_str(json).unwrap();
            let mut out = Vec::new();
            encode(&mut out, json, Some(&chunk), false).unwrap();
            assert_eq!(out[0], TAG_JSON, "{json}");
            assert_eq!(&out[1..5], &(json.len() as u32).to_le_bytes());
            assert_eq!(&out[5..], json.as_bytes());
        }
    }

    #[test]
    fn an_unknown_field_at_any_level_takes_the_json_path() {
        // The same common chunk, then with one field the record does not know at each level:
        // the chunk, a choice, its delta, the usage. (serde's parse; the stream's in-place parse
        // leaves exactly what it leaves, as core/src/chunk_parse's tests pin.)
        let fast = r#"{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}"#;
        let (tag, _, _) = roundtrip(fast);
        assert_eq!(tag, TAG_FAST);
        for (at, with_unknown) in [
            ("chunk", fast.replacen(r#""model":"m""#, r#""model":"m","x_new":1"#, 1)),
            (
                "choice",
                fast.replacen(r#""index":0"#, r#""index":0,"x_new":{"deep":[1]}"#, 1),
            ),
            (
                "delta",
                fast.replacen(r#""content":"a""#, r#""content":"a","x_new":"t""#, 1),
            ),
            (
                "usage",
                fast.replacen(r#""total_tokens":3"#, r#""total_tokens":3,"x_new":null"#, 1),
            ),
        ] {
            assert_ne!(with_unknown, fast, "{at}: the edit applied");
            let chunk: ChatCompletionChunk = serde_json::from_str(&with_unknown).unwrap();
            let mut out = Vec::new();
            encode(&mut out, &with_unknown, Some(&chunk), false).unwrap();
            assert_eq!(out[0], TAG_JSON, "{at}: {with_unknown}");
            // The JSON record is the text as the gateway sent it, the unknown field in it.
            assert_eq!(&out[5..], with_unknown.as_bytes(), "{at}");
        }
    }

    #[test]
    fn json_only_sends_every_chunk_as_json() {
        let json = r#"{"id":"c","choices":[{"index":0,"delta":{"content":"a"}}]}"#;
        let chunk: ChatCompletionChunk = serde_json::from_str(json).unwrap();
        let mut out = Vec::new();
        encode(&mut out, json, Some(&chunk), true).unwrap();
        assert_eq!(out[0], TAG_JSON);
        let mut fast = Vec::new();
        encode(&mut fast, json, Some(&chunk), false).unwrap();
        assert_eq!(fast[0], TAG_FAST);
        // A stream that kept no parsed chunk (data only) sends the JSON.
        let mut unparsed = Vec::new();
        encode(&mut unparsed, json, None, false).unwrap();
        assert_eq!(unparsed, out);
    }

    #[test]
    fn duplicate_keys_are_not_read_differently() {
        // encoding/json keeps the last duplicate; if serde accepts the text, it must agree.
        let json = r#"{"id":"a","id":"b","choices":[{"index":0,"delta":{"content":"x","content":"y"}}]}"#;
        // (Today serde rejects it, so the engine fails the stream with a decode error.)
        if let Ok(chunk) = serde_json::from_str::<ChatCompletionChunk>(json) {
            assert_eq!(chunk.id, "b");
            assert_eq!(chunk.choices[0].delta.content.as_deref(), Some("y"));
        }
    }
}
