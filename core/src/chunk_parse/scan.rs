//! The fast path of chunk parsing: a scanner for the chunks gateways send
//! nearly always, which hands everything else to serde.
//!
//! Every stream event is parsed as a typed chunk, so that a chunk with a wrong
//! field type fails the same way in every language. serde_json's parse took about 4,400
//! instructions on a typical 190-byte chunk (its visitor calls per key and value), the largest
//! single cost of a streamed chunk. This scanner takes about 2,900, and runs about as fast as
//! serde_json merely skipping the same text (`IgnoredAny`). It only ever *accepts* input that serde accepts and
//! then leaves exactly what serde would leave: the keys it knows with the
//! types they must have, strings without escapes, plain integers, `null`. Anything
//! else (an escape, an unknown key, a float, a repeated key, usage, tool calls, an
//! error…) makes it decline, and [`parse_chunk_into`](super::parse_chunk_into)
//! parses the event with serde, which decides. The two are compared on every
//! input by the `chunk_accumulator` fuzz target and by the tests below.

use crate::types::{ChatCompletionChunk, ChunkChoice, ChunkDelta};

/// Parses `text` into `place` when it is a chunk this scanner reads; `false` leaves the
/// parse to serde (and `place` possibly half-written, which serde's parse overwrites whole).
pub(crate) fn scan_chunk_into(text: &str, place: &mut ChatCompletionChunk) -> bool {
    let mut scan = Scanner {
        text,
        bytes: text.as_bytes(),
        at: 0,
    };
    scan.chunk(place).is_some() && scan.at_end()
}

/// Declines with `None` at the first thing it does not read.
struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

/// What a key's value may be: the chunk types' fields as serde parses them.
enum Slot<'p> {
    Text(&'p mut String),
    OptionalText(&'p mut Option<String>),
    /// `Option<…>` of something this scanner does not build: only `null` is read.
    OnlyNull,
}

impl<'a> Scanner<'a> {
    fn skip_whitespace(&mut self) {
        // JSON's four whitespace bytes, as serde_json skips them.
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    fn at_end(&mut self) -> bool {
        self.skip_whitespace();
        self.at == self.bytes.len()
    }

    /// The next byte after whitespace, not consumed.
    fn peek(&mut self) -> Option<u8> {
        self.skip_whitespace();
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        self.skip_whitespace();
        self.bytes[self.at..].starts_with(word).then(|| self.at += word.len())
    }

    /// A string without escapes or control characters (serde rejects the latter; the former it reads, and so must decide).
    fn string(&mut self) -> Option<&'a str> {
        let (start, end) = self.string_span()?;
        // Cut at ASCII quotes, so at character boundaries.
        self.text.get(start..end)
    }

    /// A key, as [`string`](Self::string) reads it, as bytes: matched against the known keys
    /// without being made a `str` first (nine keys a chunk).
    fn key(&mut self) -> Option<&'a [u8]> {
        let (start, end) = self.string_span()?;
        self.bytes.get(start..end)
    }

    /// Where the string at the cursor starts and ends, its quotes consumed.
    fn string_span(&mut self) -> Option<(usize, usize)> {
        self.eat(b'"')?;
        let start = self.at;
        // Eight bytes at a time while none of them ends the string or is refused (as serde_json skips).
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGHS: u64 = 0x8080_8080_8080_8080;
        while let Some(word) = self.bytes.get(self.at..self.at + 8) {
            let word = u64::from_le_bytes(word.try_into().ok()?);
            let quote = word ^ (ONES * u64::from(b'"'));
            let backslash = word ^ (ONES * u64::from(b'\\'));
            // A byte is flagged when it is zero (after the xor) or below 0x20; only the first flag is exact.
            let flags = ((quote.wrapping_sub(ONES) & !quote)
                | (backslash.wrapping_sub(ONES) & !backslash)
                | word.wrapping_sub(ONES * 0x20))
                & !word
                & HIGHS;
            if flags != 0 {
                self.at += flags.trailing_zeros() as usize / 8;
                break;
            }
            self.at += 8;
        }
        loop {
            match *self.bytes.get(self.at)? {
                b'"' => break,
                b'\\' | 0..=0x1f => return None,
                _ => self.at += 1,
            }
        }
        let end = self.at;
        self.at += 1;
        Some((start, end))
    }

    /// An integer in JSON's plain form (no sign, fraction or exponent; no leading zero), below 10^18.
    fn unsigned(&mut self) -> Option<u64> {
        self.skip_whitespace();
        let start = self.at;
        let mut value: u64 = 0;
        while let Some(&digit @ b'0'..=b'9') = self.bytes.get(self.at) {
            // Wrapping: more than 18 digits are declined below, whatever they summed to.
            value = value.wrapping_mul(10).wrapping_add(u64::from(digit - b'0'));
            self.at += 1;
        }
        let digits = self.at - start;
        let leading_zero = digits > 1 && self.bytes[start] == b'0';
        let continues = matches!(self.bytes.get(self.at), Some(b'.' | b'e' | b'E' | b'-' | b'+'));
        (digits > 0 && digits <= 18 && !leading_zero && !continues).then_some(value)
    }

    fn signed(&mut self) -> Option<i64> {
        if self.peek()? == b'-' {
            self.at += 1;
            // `-0` and its like are left to serde.
            let value = self.unsigned().filter(|&v| v != 0)?;
            return Some(-(value as i64));
        }
        Some(self.unsigned()? as i64)
    }

    /// An object's members: calls `member` with each key, which reads its value and returns the
    /// key's bit. Declines a repeated key; returns the bits of the keys seen.
    fn object(&mut self, mut member: impl FnMut(&mut Self, &'a [u8]) -> Option<u32>) -> Option<u32> {
        self.eat(b'{')?;
        if self.eat(b'}').is_some() {
            return Some(0);
        }
        let mut seen = 0u32;
        loop {
            let key = self.key()?;
            self.eat(b':')?;
            let bit = member(self, key)?;
            if seen & bit != 0 {
                return None;
            }
            seen |= bit;
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    return Some(seen);
                }
                _ => return None,
            }
        }
    }

    fn value(&mut self, slot: Slot<'_>) -> Option<()> {
        match slot {
            Slot::Text(place) => {
                let text = self.string()?;
                place.clear();
                place.push_str(text);
            }
            Slot::OptionalText(place) => {
                if self.peek()? == b'n' {
                    self.literal(b"null")?;
                    *place = None;
                } else {
                    let text = self.string()?;
                    match place {
                        Some(held) => {
                            held.clear();
                            held.push_str(text);
                        }
                        None => *place = Some(text.to_owned()),
                    }
                }
            }
            Slot::OnlyNull => self.literal(b"null")?,
        }
        Some(())
    }

    fn chunk(&mut self, chunk: &mut ChatCompletionChunk) -> Option<()> {
        let seen = self.object(|scan, key| {
            Some(match key {
                b"id" => scan.value(Slot::Text(&mut chunk.id)).map(|()| 1)?,
                b"object" => scan.value(Slot::Text(&mut chunk.object)).map(|()| 2)?,
                b"created" => {
                    chunk.created = scan.signed()?;
                    4
                }
                b"model" => scan.value(Slot::Text(&mut chunk.model)).map(|()| 8)?,
                b"choices" => {
                    scan.choices(&mut chunk.choices)?;
                    16
                }
                b"usage" => {
                    scan.value(Slot::OnlyNull)?;
                    chunk.usage = None;
                    32
                }
                b"system_fingerprint" => scan
                    .value(Slot::OptionalText(&mut chunk.system_fingerprint))
                    .map(|()| 64)?,
                _ => return None,
            })
        })?;
        // As serde's parse: what the object leaves out takes its default.
        if seen & 1 == 0 {
            chunk.id.clear();
        }
        if seen & 2 == 0 {
            chunk.object.clear();
        }
        if seen & 4 == 0 {
            chunk.created = 0;
        }
        if seen & 8 == 0 {
            chunk.model.clear();
        }
        if seen & 16 == 0 {
            chunk.choices.clear();
        }
        if seen & 32 == 0 {
            chunk.usage = None;
        }
        if seen & 64 == 0 {
            chunk.system_fingerprint = None;
        }
        if !chunk.extra.is_empty() {
            chunk.extra.clear();
        }
        Some(())
    }

    /// The choices, each read into the one already at its place (keeping its strings), as serde's in-place parse does.
    fn choices(&mut self, choices: &mut Vec<ChunkChoice>) -> Option<()> {
        self.eat(b'[')?;
        let mut n = 0;
        if self.eat(b']').is_none() {
            loop {
                if n == choices.len() {
                    choices.push(ChunkChoice::default());
                }
                self.choice(&mut choices[n])?;
                n += 1;
                match self.peek()? {
                    b',' => self.at += 1,
                    b']' => {
                        self.at += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        choices.truncate(n);
        Some(())
    }

    fn choice(&mut self, choice: &mut ChunkChoice) -> Option<()> {
        let seen = self.object(|scan, key| {
            Some(match key {
                b"index" => {
                    choice.index = u32::try_from(scan.unsigned()?).ok()?;
                    1
                }
                b"delta" => {
                    scan.delta(&mut choice.delta)?;
                    2
                }
                b"finish_reason" => scan.value(Slot::OptionalText(&mut choice.finish_reason)).map(|()| 4)?,
                b"logprobs" => {
                    scan.value(Slot::OnlyNull)?;
                    choice.logprobs = None;
                    8
                }
                _ => return None,
            })
        })?;
        if seen & 1 == 0 {
            choice.index = 0;
        }
        if seen & 2 == 0 {
            choice.delta = ChunkDelta::default();
        }
        if seen & 4 == 0 {
            choice.finish_reason = None;
        }
        if seen & 8 == 0 {
            choice.logprobs = None;
        }
        if !choice.extra.is_empty() {
            choice.extra.clear();
        }
        Some(())
    }

    fn delta(&mut self, delta: &mut ChunkDelta) -> Option<()> {
        let seen = self.object(|scan, key| {
            Some(match key {
                b"role" => scan.value(Slot::OptionalText(&mut delta.role)).map(|()| 1)?,
                b"content" => scan.value(Slot::OptionalText(&mut delta.content)).map(|()| 2)?,
                b"refusal" => scan.value(Slot::OptionalText(&mut delta.refusal)).map(|()| 4)?,
                b"tool_calls" => {
                    scan.value(Slot::OnlyNull)?;
                    delta.tool_calls = None;
                    8
                }
                b"reasoning_content" => scan
                    .value(Slot::OptionalText(&mut delta.reasoning_content))
                    .map(|()| 16)?,
                b"reasoning" => scan.value(Slot::OptionalText(&mut delta.reasoning)).map(|()| 32)?,
                b"reasoning_details" => {
                    scan.value(Slot::OnlyNull)?;
                    delta.reasoning_details = None;
                    64
                }
                _ => return None,
            })
        })?;
        if seen & 1 == 0 {
            delta.role = None;
        }
        if seen & 2 == 0 {
            delta.content = None;
        }
        if seen & 4 == 0 {
            delta.refusal = None;
        }
        if seen & 8 == 0 {
            delta.tool_calls = None;
        }
        if seen & 16 == 0 {
            delta.reasoning_content = None;
        }
        if seen & 32 == 0 {
            delta.reasoning = None;
        }
        if seen & 64 == 0 {
            delta.reasoning_details = None;
        }
        if !delta.extra.is_empty() {
            delta.extra.clear();
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serde_parse(text: &str) -> Result<ChatCompletionChunk, String> {
        serde_json::from_str::<ChatCompletionChunk>(text).map_err(|e| e.to_string())
    }

    /// What the scanner makes of `text` over `scratch`, checked against serde's fresh parse when it accepts.
    fn scan_agrees(text: &str, scratch: &mut ChatCompletionChunk) -> bool {
        if !scan_chunk_into(text, scratch) {
            return false;
        }
        match serde_parse(text) {
            Ok(fresh) => assert_eq!(&fresh, scratch, "{text}"),
            Err(e) => panic!("the scanner accepted what serde refuses ({e}): {text}"),
        }
        true
    }

    const COMMON: &[&str] = &[
        r#"{"choices":[{"delta":{"content":"The","role":"assistant"},"finish_reason":null,"index":0}],"created":1700000000,"id":"chatcmpl-mock-123","model":"m","object":"chat.completion.chunk"}"#,
        r#"{"choices":[{"delta":{},"finish_reason":"stop","index":0}],"created":1700000000,"id":"chatcmpl-mock-123","model":"m","object":"chat.completion.chunk"}"#,
        r#"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"openai/gpt-4.1","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}"#,
        r#"{"id":"gen-1","provider":"p","model":"m","object":"chat.completion.chunk","created":2,"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}"#,
        r#" { "id" : "a" ,	"choices" : [ { "index" : 1 , "delta" : { "content" : "héllo – 日本" } } , { "index" : 2 , "delta" : { "reasoning" : "r" , "reasoning_content" : null } } ] }
"#,
        r#"{"id":"d","choices":[{"index":0,"delta":{"reasoning_content":"think","tool_calls":null,"reasoning_details":null},"finish_reason":null}],"system_fingerprint":null,"created":-5}"#,
        r#"{}"#,
    ];

    #[test]
    fn reads_the_chunks_gateways_send_as_serde_does() {
        let mut scratch = ChatCompletionChunk::default();
        // Each after the others, so that what one leaves in the scratch chunk must be overwritten.
        for text in COMMON.iter().chain(COMMON.iter().rev()) {
            let accepted = scan_agrees(text, &mut scratch);
            // The usage chunk has an unknown key and an object the scanner leaves to serde.
            assert_eq!(accepted, !text.contains("provider"), "{text}");
        }
    }

    #[test]
    fn declines_whatever_serde_must_decide() {
        let declined = [
            r#"{"id":"a\"b"}"#,
            r#"{"choices":[{"delta":{"content":"line\nbreak"}}]}"#,
            r#"{"\u0069d":"e","choices":[]}"#,
            "{\"id\":\"tab\tinside\"}",
            r#"{"id":null}"#,
            r#"{"id":1}"#,
            r#"{"created":1.5}"#,
            r#"{"created":1e3}"#,
            r#"{"created":-0}"#,
            r#"{"created":012}"#,
            r#"{"created":1234567890123456789}"#,
            r#"{"created":179999999999999999999999999999999999999999999999999999999990000080}"#,
            r#"{"created":"1"}"#,
            r#"{"choices":[{"index":-1}]}"#,
            r#"{"choices":[{"index":4294967296}]}"#,
            r#"{"choices":{}}"#,
            r#"{"choices":[{"delta":{"content":1}}]}"#,
            r#"{"choices":[{"delta":{"tool_calls":[]}}]}"#,
            r#"{"choices":[{"logprobs":{"content":[]}}]}"#,
            r#"{"choices":[{"delta":{"x":1}}]}"#,
            r#"{"id":"a","id":"b"}"#,
            r#"{"choices":[{"index":0,"index":1}]}"#,
            r#"{"usage":{"total_tokens":1}}"#,
            r#"{"error":{"message":"m"}}"#,
            r#"{"id":"a",}"#,
            r#"{"choices":[{},]}"#,
            r#"{"id":"a"} x"#,
            r#"{"id":"a"}{}"#,
            r#"{"id":"a""#,
            r#"{"id":"a"#,
            "[]",
            "",
            r#"{"model":nul}"#,
            r#"{"system_fingerprint":nullx}"#,
        ];
        let mut scratch = ChatCompletionChunk::default();
        for text in declined {
            assert!(!scan_chunk_into(text, &mut scratch), "{text}");
            // And the parse the stream makes still gives serde's answer, value or error.
            let mut reused = ChatCompletionChunk::default();
            match (
                serde_parse(text),
                crate::chunk_parse::parse_chunk_into(text, &mut reused),
            ) {
                (Ok(fresh), Ok(())) => assert_eq!(fresh, reused, "{text}"),
                (Err(fresh), Err(e)) => assert_eq!(fresh, e.to_string(), "{text}"),
                (fresh, reused) => panic!("{text}: serde {fresh:?}, stream {reused:?}"),
            }
        }
    }

    #[test]
    fn never_accepts_what_serde_reads_otherwise_on_mutated_chunks() {
        // Random edits of real chunks, biased to JSON's own bytes; whatever the scanner accepts
        // must be what serde parses, into a scratch chunk left over from the previous input.
        const BYTES: &[u8] = b"{}[]:,\" 0123456789-+.eEnulltruefasidxcho\t\n\\u\x01";
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let mut scratch = ChatCompletionChunk::default();
        let (mut tried, mut accepted) = (0, 0);
        for _ in 0..20_000 {
            let mut bytes = COMMON[next(COMMON.len())].as_bytes().to_vec();
            for _ in 0..1 + next(3) {
                let at = next(bytes.len() + 1);
                match next(3) {
                    0 if at < bytes.len() => bytes[at] = BYTES[next(BYTES.len())],
                    1 if at < bytes.len() => {
                        bytes.remove(at);
                    }
                    _ => bytes.insert(at, BYTES[next(BYTES.len())]),
                }
            }
            let Ok(text) = String::from_utf8(bytes) else { continue };
            tried += 1;
            if scan_agrees(&text, &mut scratch) {
                accepted += 1;
            }
        }
        // Enough of both for the comparison to mean something.
        assert!(
            accepted > tried / 50 && accepted < tried / 2,
            "{accepted} of {tried} accepted"
        );
    }
}
