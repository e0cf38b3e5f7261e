//! Chunks as shapes and values, so that JavaScript builds each chunk with an object
//! literal instead of `JSON.parse` reading every key of every chunk again.
//!
//! A chunk's *shape* is its JSON text with whitespace dropped and every string or
//! number value replaced by `v[k]`: its keys, nesting, `true`/`false`/`null` and
//! order stay. Since JSON keys are JavaScript string literals, the shape is a
//! JavaScript expression that `new Function("v", "return " + shape)` turns into a
//! builder giving what `JSON.parse` gives (same keys in the same order, same values,
//! fresh objects each call). A stream's chunks share a handful of shapes, and most
//! values (`id`, `model`, `created`…) repeat from one chunk to the next, so a chunk
//! crosses as its shape and mask in one number, then its changed values: a few bytes instead
//! of the whole text.
//!
//! The batch text is a JSON array whose elements are, in stream order:
//! - a string: a new shape, numbered from 0 in the order defined for this stream;
//! - a number `s + 32 × mask` (`s` below [`MAX_SHAPES`], 32), then one value per bit set in
//!   `mask` (bit k: slot k changed since this shape's previous chunk; all bits the first
//!   time): a chunk. One number, not two: each element costs JavaScript's `JSON.parse` more
//!   than the arithmetic that splits it;
//! - an object: a chunk sent whole, when its shape is not worth a builder or could
//!   not be one (a key with an escape or `__proto__`, too deep, too many values,
//!   too many shapes in this stream), and every chunk with shapes off (`"json"` format).
//!
//! The input is a chunk's `data`, which the core has already parsed as JSON; even
//! so, anything the scanner does not expect sends the chunk whole, and a shape can
//! only hold `{}[],:`, escape-free keys, `true`/`false`/`null` and `v[k]`.

/// Values per shape: `s + 32 × mask` must stay an exact integer in JavaScript (below 2^35),
/// and the mask a 32-bit one for its bit operations.
const MAX_SLOTS: usize = 30;
/// Nesting of a shape (a chunk is three or four levels deep).
const MAX_DEPTH: usize = 32;
/// Shape text length: longer chunks (logprobs, big tool calls) cross whole.
const MAX_SHAPE_LEN: usize = 1024;
/// Shapes per stream: each costs a compile in JavaScript the first time it is seen in the process.
/// Also the factor of the mask in a chunk's number (streaming.js's `SHAPES`).
const MAX_SHAPES: usize = 32;
/// Where a value goes in a shape while scanning (JSON text outside strings never holds it);
/// it becomes `v[k]` when the shape is sent.
const SLOT: u8 = 0x01;

struct Shape {
    /// The shape as scanned, with [`SLOT`] bytes.
    scanned: Vec<u8>,
    /// `scanned` between its slots: what a chunk of this shape holds verbatim around its values.
    between: Vec<(usize, usize)>,
    /// The value tokens of this shape's previous chunk.
    last: Vec<String>,
}

/// One stream's shapes and the encoder that appends its chunks to a batch.
pub struct ShapeEncoder {
    /// Off where JavaScript cannot compile shapes: every chunk then crosses whole, as JSON.
    enabled: bool,
    shapes: Vec<Shape>,
    /// The shape the previous chunk used: usually the next one's too.
    recent: usize,
    scanned: Vec<u8>,
    slots: Vec<(usize, usize)>,
}

impl ShapeEncoder {
    /// An encoder for one stream; with `shapes` off it writes each chunk's JSON as it is.
    pub fn new(shapes: bool) -> ShapeEncoder {
        ShapeEncoder {
            enabled: shapes,
            shapes: Vec::new(),
            recent: 0,
            scanned: Vec::new(),
            slots: Vec::new(),
        }
    }

    /// Appends `json` (one chunk) to `out`, the body of a JSON array with `elements` elements so far;
    /// returns the new element count.
    pub fn push(&mut self, json: &str, out: &mut String, mut elements: usize) -> usize {
        let mut sep = |out: &mut String| {
            if elements > 0 {
                out.push(',');
            }
            elements += 1;
        };
        let Some(index) = self.shape_of(json) else {
            sep(out);
            out.push_str(json);
            return elements;
        };
        if index == self.shapes.len() {
            sep(out);
            out.push('"');
            let mut k = 0;
            for &byte in &self.scanned {
                match byte {
                    SLOT => {
                        out.push_str("v[");
                        push_int(out, k);
                        out.push(']');
                        k += 1;
                    }
                    // Keys hold no backslash (see `split`): escaping the quotes is all JSON needs.
                    b'"' => out.push_str("\\\""),
                    _ => out.push(byte as char),
                }
            }
            out.push('"');
            // `last` starts empty, which no token is: the first chunk sends every value.
            let scanned = std::mem::take(&mut self.scanned);
            let mut between = Vec::with_capacity(self.slots.len() + 1);
            let mut from = 0;
            for (at, _) in scanned.iter().enumerate().filter(|(_, &byte)| byte == SLOT) {
                between.push((from, at));
                from = at + 1;
            }
            between.push((from, scanned.len()));
            self.shapes.push(Shape {
                scanned,
                between,
                last: vec![String::new(); self.slots.len()],
            });
        }
        self.recent = index;
        let shape = &mut self.shapes[index];
        let mut mask = 0usize;
        for (k, &(start, end)) in self.slots.iter().enumerate() {
            let token = &json[start..end];
            if shape.last[k] != token {
                mask |= 1 << k;
                shape.last[k].clear();
                shape.last[k].push_str(token);
            }
        }
        sep(out);
        push_int(out, index + MAX_SHAPES * mask);
        for (k, &(start, end)) in self.slots.iter().enumerate() {
            if mask & (1 << k) != 0 {
                out.push(',');
                out.push_str(&json[start..end]);
            }
        }
        elements
    }

    /// The index of `json`'s shape (`shapes.len()` for a new one, left in `self.scanned`), or `None` to send it whole.
    fn shape_of(&mut self, json: &str) -> Option<usize> {
        if !self.enabled {
            return None;
        }
        if self
            .shapes
            .get(self.recent)
            .is_some_and(|shape| shape.matches(json.as_bytes(), &mut self.slots))
        {
            return Some(self.recent);
        }
        if !split(json, &mut self.scanned, &mut self.slots) {
            return None;
        }
        if let Some(index) = self.shapes.iter().position(|s| s.scanned == self.scanned) {
            return Some(index);
        }
        (self.shapes.len() < MAX_SHAPES).then_some(self.shapes.len())
    }
}

impl Shape {
    /// Whether `json` is exactly this shape with no whitespace (what a gateway sends chunk after
    /// chunk), finding its values on the way: a few comparisons instead of a scan token by token.
    fn matches(&self, json: &[u8], slots: &mut Vec<(usize, usize)>) -> bool {
        slots.clear();
        let mut i = 0;
        for (k, &(from, to)) in self.between.iter().enumerate() {
            let fixed = &self.scanned[from..to];
            if !json[i..].starts_with(fixed) {
                return false;
            }
            i += fixed.len();
            if k + 1 == self.between.len() {
                break;
            }
            let start = i;
            match json.get(i) {
                Some(b'"') => match string_end(json, i) {
                    Some((end, _)) => i = end,
                    None => return false,
                },
                Some(b'-' | b'0'..=b'9') => i = number_end(json, i),
                _ => return false,
            }
            slots.push((start, i));
        }
        i == json.len()
    }
}

/// Once per chunk (its shape and mask), and for each slot of a new shape.
fn push_int(out: &mut String, n: usize) {
    out.push_str(itoa::Buffer::new().format(n));
}

/// Splits `json` into its shape (in `scanned`, values as [`SLOT`]) and the byte ranges
/// of its value tokens; `false` when it cannot be a shape.
fn split(json: &str, scanned: &mut Vec<u8>, slots: &mut Vec<(usize, usize)>) -> bool {
    scanned.clear();
    slots.clear();
    let b = json.as_bytes();
    let mut i = 0;
    // Bit d set: the container at depth d is an object.
    let mut objects: u64 = 0;
    let mut depth = 0usize;
    let mut expect_key = false;
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'{' | b'[' => {
                if depth == MAX_DEPTH || (depth == 0 && (c != b'{' || !scanned.is_empty())) {
                    return false;
                }
                if c == b'{' {
                    objects |= 1 << depth;
                } else {
                    objects &= !(1 << depth);
                }
                depth += 1;
                expect_key = c == b'{';
                scanned.push(c);
                i += 1;
            }
            b'}' | b']' => {
                if depth == 0 || ((objects >> (depth - 1)) & 1 == 1) != (c == b'}') {
                    return false;
                }
                depth -= 1;
                expect_key = false;
                scanned.push(c);
                i += 1;
            }
            b',' | b':' => {
                if depth == 0 {
                    return false;
                }
                expect_key = c == b',' && (objects >> (depth - 1)) & 1 == 1;
                scanned.push(c);
                i += 1;
            }
            b'"' => {
                if depth == 0 {
                    return false;
                }
                let start = i;
                let Some((end, escaped)) = string_end(b, i) else {
                    return false;
                };
                i = end;
                let token = &b[start..i];
                if expect_key {
                    // A raw control character is not JSON; an escape could spell anything in JavaScript.
                    if escaped || token == b"\"__proto__\"" || token.iter().any(|&x| x < 0x20) {
                        return false;
                    }
                    scanned.extend_from_slice(token);
                    expect_key = false;
                } else if !slot(scanned, slots, start, i) {
                    return false;
                }
            }
            b'-' | b'0'..=b'9' => {
                if depth == 0 || expect_key {
                    return false;
                }
                let start = i;
                i = number_end(b, i);
                if !slot(scanned, slots, start, i) {
                    return false;
                }
            }
            _ => {
                let literal: Option<&[u8]> = [&b"true"[..], b"false", b"null"]
                    .into_iter()
                    .find(|l| b[i..].starts_with(l));
                match literal {
                    Some(l) if depth > 0 && !expect_key => {
                        scanned.extend_from_slice(l);
                        i += l.len();
                    }
                    _ => return false,
                }
            }
        }
        if scanned.len() > MAX_SHAPE_LEN {
            return false;
        }
        if depth == 0 {
            // The chunk's object is closed: only whitespace may follow.
            return b[i..].iter().all(|x| matches!(x, b' ' | b'\t' | b'\n' | b'\r'));
        }
    }
    false
}

/// The end of the JSON string token starting at `json[start]` (a quote), and whether it holds an escape.
fn string_end(json: &[u8], start: usize) -> Option<(usize, bool)> {
    let mut i = start + 1;
    let mut escaped = false;
    loop {
        i += memchr::memchr2(b'"', b'\\', json.get(i..)?)?;
        if json[i] == b'"' {
            return Some((i + 1, escaped));
        }
        escaped = true;
        i += 2;
    }
}

/// The end of the JSON number token starting at `json[start]`.
fn number_end(json: &[u8], start: usize) -> usize {
    let mut i = start;
    while i < json.len() && matches!(json[i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') {
        i += 1;
    }
    i
}

fn slot(scanned: &mut Vec<u8>, slots: &mut Vec<(usize, usize)>, start: usize, end: usize) -> bool {
    if slots.len() == MAX_SLOTS {
        return false;
    }
    scanned.push(SLOT);
    slots.push((start, end));
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(chunks: &[&str]) -> String {
        let mut enc = ShapeEncoder::new(true);
        let mut out = String::new();
        let mut n = 0;
        for c in chunks {
            n = enc.push(c, &mut out, n);
        }
        out
    }

    #[test]
    fn a_chunk_becomes_a_shape_then_only_its_changed_values() {
        let a = r#"{"id":"c1","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}],"created":17}"#;
        let b = r#"{"id":"c1","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":null}],"created":17}"#;
        assert_eq!(
            encode(&[a, b]),
            r#""{\"id\":v[0],\"choices\":[{\"index\":v[1],\"delta\":{\"content\":v[2]},\"finish_reason\":null}],\"created\":v[3]}",480,"c1",0,"Hel",17,128,"lo""#
        );
    }

    #[test]
    fn whitespace_is_dropped_and_literals_stay_in_the_shape() {
        assert_eq!(
            encode(&[" { \"a\" : [ true , false , null , -1.5e3 , \"x\\\"y\" ] }\n"]),
            r#""{\"a\":[true,false,null,v[0],v[1]]}",96,-1.5e3,"x\"y""#
        );
    }

    #[test]
    fn chunks_that_cannot_be_shapes_cross_whole() {
        for json in [
            r#"{"__proto__":{"x":1}}"#,
            r#"{"a\u0062":1}"#,
            r#"[1,2]"#,
            r#"{"a":1} {"b":2}"#,
            r#"{"a":1"#,
            r#"{"a":bogus}"#,
        ] {
            assert_eq!(encode(&[json]), json, "{json}");
        }
        let many: Vec<String> = (0..=MAX_SLOTS).map(|k| format!("\"k{k}\":{k}")).collect();
        let wide = format!("{{{}}}", many.join(","));
        assert_eq!(encode(&[&wide]), wide);
        let deep = format!("{}{}", "{\"a\":".repeat(MAX_DEPTH + 1), "}".repeat(MAX_DEPTH + 1));
        assert_eq!(encode(&[&deep]), deep);
    }

    #[test]
    fn a_known_shape_is_found_with_whitespace_or_a_value_of_another_type() {
        let a = r#"{"a":"x","b":1}"#;
        let spaced = r#"{ "a": "y", "b": 1 }"#;
        let typed = r#"{"a":2,"b":"\"q\\"}"#;
        let cut = r#"{"a":"x\"#;
        assert_eq!(
            encode(&[a, spaced, typed, cut]),
            format!(r#""{{\"a\":v[0],\"b\":v[1]}}",96,"x",1,32,"y",96,2,"\"q\\",{cut}"#)
        );
    }

    #[test]
    fn with_shapes_off_chunks_cross_whole() {
        let a = r#"{"a":"x","b":1}"#;
        let mut enc = ShapeEncoder::new(false);
        let mut out = String::new();
        let n = enc.push(a, &mut out, 0);
        let n = enc.push(a, &mut out, n);
        assert_eq!((n, out), (2, format!("{a},{a}")));
    }

    #[test]
    fn shapes_per_stream_are_capped() {
        let chunks: Vec<String> = (0..=MAX_SHAPES).map(|k| format!("{{\"k{k}\":1}}")).collect();
        let refs: Vec<&str> = chunks.iter().map(String::as_str).collect();
        let out = encode(&refs);
        assert!(out.ends_with(&format!(",{}", chunks[MAX_SHAPES])), "{out}");
        assert!(out.contains(&format!(
            "\"{{\\\"k{}\\\":v[0]}}\",{},1",
            MAX_SHAPES - 1,
            MAX_SHAPES - 1 + MAX_SHAPES
        )));
    }
}
