//! Incremental Server-Sent-Events decoder: bytes in, events out.
//!
//! Follows the WHATWG event-stream rules, with two deliberate choices for
//! gateway traffic:
//!
//! * lines are split on bytes first and each complete line is then decoded as
//!   UTF-8, so a character split across reads never turns into U+FFFD (CR and
//!   LF never occur inside a multi-byte sequence);
//! * [`SseDecoder::finish`] dispatches a pending event that has data even
//!   without the final blank line, because servers that close early must not
//!   lose `[DONE]` or the last chunk.
//!
//! `[DONE]` is not special here; the stream layer decides what it means.

use std::fmt;

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SseEvent {
    /// The `event:` field of this event, if it had one (not carried over to
    /// the next event).
    pub event: Option<String>,
    /// The `data:` lines of the event joined with `\n`.
    pub data: String,
    /// The last event id in effect: as WHATWG specifies, an `id:` line sticks
    /// until another `id:` line changes it, and an empty `id:` clears it.
    pub id: Option<String>,
    /// The last `retry:` value (milliseconds) the stream sent, if any; like
    /// the id it is stream state, so a `retry:`-only event is not lost.
    pub retry: Option<u64>,
}

/// Why the decoder gave up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SseError {
    /// The bytes held for one event (its data so far plus the pending line)
    /// would exceed `limit`.
    EventTooLarge {
        /// The configured bound in bytes.
        limit: usize,
    },
}

impl fmt::Display for SseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SseError::EventTooLarge { limit } => {
                write!(f, "server-sent event larger than the limit of {limit} bytes")
            }
        }
    }
}

impl std::error::Error for SseError {}

const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// Position of the first `\n` or `\r`.
///
/// Chat chunks are a few hundred bytes with one line end each, so the scan
/// dominates decoding; testing eight bytes per step (SWAR) makes it several
/// times faster than a byte loop, without a dependency.
#[inline]
fn find_line_end(bytes: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    // Exact zero-byte test (no false positives), so the first flagged byte is the answer.
    #[inline]
    fn zero_bytes(x: u64) -> u64 {
        !(((x & !HI).wrapping_add(!HI)) | x | !HI)
    }
    let mut i = 0;
    while i + 8 <= bytes.len() {
        let word = u64::from_le_bytes(bytes[i..i + 8].try_into().unwrap());
        let hits = zero_bytes(word ^ (LO * u64::from(b'\n'))) | zero_bytes(word ^ (LO * u64::from(b'\r')));
        if hits != 0 {
            return Some(i + (hits.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    bytes[i..].iter().position(|&b| b == b'\n' || b == b'\r').map(|p| i + p)
}

/// Per-event field state, kept apart from the line buffer so that a buffered
/// line can be handed to it without copying.
#[derive(Debug, Default)]
struct EventState {
    data: String,
    event: Option<String>,
    last_event_id: Option<String>,
    retry: Option<u64>,
}

impl EventState {
    fn process_line(&mut self, line: &[u8], out: &mut Vec<SseEvent>) {
        if line.is_empty() {
            self.dispatch(out);
            return;
        }
        if line[0] == b':' {
            return;
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(colon) => {
                let value = &line[colon + 1..];
                let value = value.strip_prefix(b" ").unwrap_or(value);
                (&line[..colon], value)
            }
            None => (line, &b""[..]),
        };
        match field {
            b"data" => {
                // `from_utf8` checks ASCII a word at a time; the lossy path only for bad bytes.
                let value = match std::str::from_utf8(value) {
                    Ok(text) => std::borrow::Cow::Borrowed(text),
                    Err(_) => String::from_utf8_lossy(value),
                };
                // One reservation covers the value and its `\n`, so a
                // single-line event costs exactly one allocation.
                self.data.reserve(value.len() + 1);
                self.data.push_str(&value);
                self.data.push('\n');
            }
            b"event" => self.event = Some(String::from_utf8_lossy(value).into_owned()),
            // WHATWG ignores an id containing NUL, which no header could carry back.
            b"id" if !value.contains(&0) => {
                self.last_event_id = if value.is_empty() {
                    None
                } else {
                    Some(String::from_utf8_lossy(value).into_owned())
                };
            }
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                // Overlong digit strings cannot be a sensible delay; ignore them.
                if let Some(ms) = std::str::from_utf8(value).ok().and_then(|s| s.parse().ok()) {
                    self.retry = Some(ms);
                }
            }
            _ => {}
        }
    }

    fn dispatch(&mut self, out: &mut Vec<SseEvent>) {
        if self.data.is_empty() {
            // WHATWG: no data, no event. Dispatching it would feed `""` to a
            // JSON parser (openai-python #2722).
            self.event = None;
            return;
        }
        let mut data = std::mem::take(&mut self.data);
        data.pop();
        out.push(SseEvent {
            event: self.event.take(),
            data,
            id: self.last_event_id.clone(),
            retry: self.retry,
        });
    }
}

/// Incremental SSE decoder.
///
/// Feed it the body as it arrives with [`feed`](Self::feed), then call
/// [`finish`](Self::finish) at end of body. It copies a line only when the
/// line spans two feeds, and allocates only the data of each event.
#[derive(Debug)]
pub struct SseDecoder {
    /// Start of a line whose end has not arrived yet.
    line: Vec<u8>,
    state: EventState,
    max_event_bytes: usize,
    /// The previous feed ended in `\r`: a `\n` starting the next one belongs
    /// to the same line end.
    skip_lf: bool,
    /// How many bytes of a leading BOM have been matched; `None` once the
    /// start of the stream is past.
    bom_matched: Option<usize>,
    failed: bool,
}

impl Default for SseDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl SseDecoder {
    /// Default bound on one event: big enough for image payloads (> 8 MiB,
    /// openai-node #2433), small enough to stop a runaway body.
    pub const DEFAULT_MAX_EVENT_BYTES: usize = 16 * 1024 * 1024;

    /// A decoder with [`DEFAULT_MAX_EVENT_BYTES`](Self::DEFAULT_MAX_EVENT_BYTES).
    pub fn new() -> Self {
        Self::with_max_event_bytes(Self::DEFAULT_MAX_EVENT_BYTES)
    }

    /// A decoder that fails with [`SseError::EventTooLarge`] once one event
    /// needs more than `limit` bytes.
    pub fn with_max_event_bytes(limit: usize) -> Self {
        Self {
            line: Vec::new(),
            state: EventState::default(),
            max_event_bytes: limit,
            skip_lf: false,
            bom_matched: Some(0),
            failed: false,
        }
    }

    /// Bytes currently held for the pending event (partial line plus data),
    /// never more than the limit.
    pub fn buffered_len(&self) -> usize {
        self.line.len() + self.state.data.len()
    }

    /// The last event id the stream set, for a reconnect's `Last-Event-ID`.
    pub fn last_event_id(&self) -> Option<&str> {
        self.state.last_event_id.as_deref()
    }

    /// The last `retry:` value (milliseconds) the stream sent.
    pub fn retry(&self) -> Option<u64> {
        self.state.retry
    }

    /// Feed the next bytes of the body; complete events are appended to `out`.
    ///
    /// After an error the decoder stays failed: every later call returns the
    /// same error, because the event boundary is lost.
    pub fn feed(&mut self, bytes: &[u8], out: &mut Vec<SseEvent>) -> Result<(), SseError> {
        if self.failed {
            return Err(self.too_large());
        }
        let mut bytes = bytes;
        if self.bom_matched.is_some() {
            bytes = self.skip_bom(bytes);
        }
        if bytes.is_empty() {
            return Ok(());
        }
        if self.skip_lf {
            self.skip_lf = false;
            if bytes[0] == b'\n' {
                bytes = &bytes[1..];
            }
        }
        while let Some(end) = find_line_end(bytes) {
            self.check(self.line.len() + end)?;
            if self.line.is_empty() {
                self.state.process_line(&bytes[..end], out);
            } else {
                self.line.extend_from_slice(&bytes[..end]);
                self.state.process_line(&self.line, out);
                self.line.clear();
            }
            // Decoded data can outgrow its line: each invalid UTF-8 byte becomes a 3-byte U+FFFD.
            self.check(0)?;
            let mut next = end + 1;
            if bytes[end] == b'\r' {
                match bytes.get(next) {
                    Some(b'\n') => next += 1,
                    Some(_) => {}
                    None => self.skip_lf = true,
                }
            }
            bytes = &bytes[next..];
        }
        if !bytes.is_empty() {
            // Checked before copying, so a newline-free body never makes the
            // buffer outgrow the limit.
            self.check(self.line.len() + bytes.len())?;
            self.line.extend_from_slice(bytes);
        }
        Ok(())
    }

    /// End of body: a last line without a line end is processed, and a
    /// pending event that has data is dispatched (lenient: servers that close
    /// without the final blank line must not lose `[DONE]` or the last chunk).
    ///
    /// The decoder is then ready for a new stream (same limit).
    pub fn finish(&mut self, out: &mut Vec<SseEvent>) -> Result<(), SseError> {
        if self.failed {
            return Err(self.too_large());
        }
        if let Some(n) = self.bom_matched.take() {
            // A body that is only the start of a BOM: those bytes were text.
            self.line.extend_from_slice(&BOM[..n]);
        }
        if !self.line.is_empty() {
            self.check(self.line.len())?;
            self.state.process_line(&self.line, out);
            self.check(0)?;
        }
        self.state.dispatch(out);
        *self = Self::with_max_event_bytes(self.max_event_bytes);
        Ok(())
    }

    /// Consumes a leading BOM, even split across feeds; returns what is left.
    fn skip_bom<'a>(&mut self, bytes: &'a [u8]) -> &'a [u8] {
        let Some(mut matched) = self.bom_matched else {
            return bytes;
        };
        let mut rest = bytes;
        while let Some((&b, tail)) = rest.split_first() {
            if b != BOM[matched] {
                // Not a BOM after all: the bytes taken so far start the first line.
                self.line.extend_from_slice(&BOM[..matched]);
                self.bom_matched = None;
                return rest;
            }
            matched += 1;
            rest = tail;
            if matched == BOM.len() {
                self.bom_matched = None;
                return rest;
            }
        }
        self.bom_matched = Some(matched);
        rest
    }

    /// Fails if `line_len` more bytes on top of the event's data would
    /// exceed the limit.
    fn check(&mut self, line_len: usize) -> Result<(), SseError> {
        if self.state.data.len().saturating_add(line_len) > self.max_event_bytes {
            self.failed = true;
            // Give the memory back now; the stream is unusable anyway.
            self.line = Vec::new();
            self.state.data = String::new();
            return Err(self.too_large());
        }
        Ok(())
    }

    fn too_large(&self) -> SseError {
        SseError::EventTooLarge {
            limit: self.max_event_bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(pieces: &[&[u8]]) -> Vec<SseEvent> {
        let mut dec = SseDecoder::new();
        let mut out = Vec::new();
        for p in pieces {
            dec.feed(p, &mut out).unwrap();
        }
        dec.finish(&mut out).unwrap();
        out
    }

    fn data(events: &[SseEvent]) -> Vec<&str> {
        events.iter().map(|e| e.data.as_str()).collect()
    }

    fn ev(data: &str) -> SseEvent {
        SseEvent {
            data: data.to_owned(),
            ..Default::default()
        }
    }

    #[test]
    fn find_line_end_matches_a_byte_loop() {
        let naive = |b: &[u8]| b.iter().position(|&c| c == b'\n' || c == b'\r');
        let mut buf = vec![b'a'; 40];
        assert_eq!(find_line_end(&buf), None);
        for len in 0..buf.len() {
            for at in 0..len {
                for eol in [b'\n', b'\r'] {
                    // Neighbours that differ from CR/LF by one bit or are high bytes.
                    for filler in [b'a', 0x0B, 0x0C, 0x8A, 0x8D, 0xFF, 0x00] {
                        buf.iter_mut().for_each(|c| *c = filler);
                        buf[at] = eol;
                        assert_eq!(find_line_end(&buf[..len]), naive(&buf[..len]), "len {len} at {at}");
                        if at + 1 < len {
                            buf[at + 1] = b'\n';
                            assert_eq!(find_line_end(&buf[..len]), Some(at));
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn lf_line_ends() {
        assert_eq!(decode_all(&[b"data: a\n\ndata: b\n\n"]), vec![ev("a"), ev("b")]);
    }

    #[test]
    fn crlf_line_ends() {
        assert_eq!(decode_all(&[b"data: a\r\n\r\ndata: b\r\n\r\n"]), vec![ev("a"), ev("b")]);
    }

    #[test]
    fn lone_cr_line_ends() {
        assert_eq!(decode_all(&[b"data: a\r\rdata: b\r\r"]), vec![ev("a"), ev("b")]);
    }

    #[test]
    fn cr_then_lf_across_feeds_is_one_line_end() {
        // Were the `\n` a second line end, `a` and `b` would be two events.
        let out = decode_all(&[b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"]);
        assert_eq!(out, vec![ev("a\nb")]);
    }

    #[test]
    fn cr_at_end_of_feed_then_other_byte() {
        let out = decode_all(&[b"data: a\r", b"\r"]);
        assert_eq!(out, vec![ev("a")]);
    }

    #[test]
    fn mixed_line_ends() {
        let out = decode_all(&[b"data: a\r\ndata: b\rdata: c\n\r\ndata: d\n\n"]);
        assert_eq!(out, vec![ev("a\nb\nc"), ev("d")]);
    }

    #[test]
    fn bom_skipped() {
        assert_eq!(decode_all(&[b"\xEF\xBB\xBFdata: a\n\n"]), vec![ev("a")]);
    }

    #[test]
    fn bom_split_across_feeds() {
        assert_eq!(decode_all(&[b"\xEF", b"\xBB", b"\xBFdata: a\n\n"]), vec![ev("a")]);
        assert_eq!(decode_all(&[b"\xEF\xBB", b"\xBF", b"data: a\n\n"]), vec![ev("a")]);
    }

    #[test]
    fn only_one_bom_and_only_at_start() {
        // A second BOM is part of the first field name, which is then unknown.
        assert_eq!(
            decode_all(&[b"\xEF\xBB\xBF\xEF\xBB\xBFdata: a\n\ndata: b\n\n"]),
            vec![ev("b")]
        );
        let out = decode_all(&[b"data: \xEF\xBB\xBFx\n\n"]);
        assert_eq!(out, vec![ev("\u{FEFF}x")]);
    }

    #[test]
    fn partial_bom_prefix_is_text() {
        // 0xEF 0xBB then `d`: not a BOM; the bytes stay in the (now unknown) field name.
        let out = decode_all(&[b"\xEF\xBB", b"data: a\n\ndata: b\n\n"]);
        assert_eq!(out, vec![ev("b")]);
        // Start of a BOM, then `\n`, ends the first line: the blank line that follows dispatches nothing.
        assert_eq!(decode_all(&[b"\xEF", b"\ndata: c\n\n"]), vec![ev("c")]);
    }

    #[test]
    fn comments_ignored() {
        let out = decode_all(&[b": OPENROUTER PROCESSING\n\n: x\ndata: a\n: y\n\n"]);
        assert_eq!(out, vec![ev("a")]);
    }

    #[test]
    fn one_leading_space_stripped() {
        let out = decode_all(&[b"data:a\n\ndata: b\n\ndata:  c\n\n"]);
        assert_eq!(data(&out), vec!["a", "b", " c"]);
    }

    #[test]
    fn field_without_colon_is_empty_value() {
        // `data` alone appends an empty line.
        let out = decode_all(&[b"data\ndata\n\ndata: x\ndata\n\n"]);
        assert_eq!(data(&out), vec!["\n", "x\n"]);
    }

    #[test]
    fn multi_line_data_joined_with_lf() {
        let out = decode_all(&[b"data: {\"a\":\ndata: 1}\n\n"]);
        assert_eq!(data(&out), vec!["{\"a\":\n1}"]);
    }

    #[test]
    fn value_keeps_later_colons() {
        let out = decode_all(&[b"data: {\"a\": \"b:c\"}\n\n"]);
        assert_eq!(data(&out), vec!["{\"a\": \"b:c\"}"]);
    }

    #[test]
    fn event_field_is_per_event() {
        let out = decode_all(&[b"event: error\ndata: x\n\ndata: y\n\n"]);
        assert_eq!(out[0].event.as_deref(), Some("error"));
        assert_eq!(out[1].event, None);
    }

    #[test]
    fn id_sticks_and_nul_ids_ignored() {
        let out = decode_all(&[b"id: 1\ndata: a\n\ndata: b\n\nid: 2\0x\ndata: c\n\nid\ndata: d\n\n"]);
        let ids: Vec<_> = out.iter().map(|e| e.id.as_deref()).collect();
        assert_eq!(ids, vec![Some("1"), Some("1"), Some("1"), None]);
    }

    #[test]
    fn retry_digits_only() {
        let mut dec = SseDecoder::new();
        let mut out = Vec::new();
        dec.feed(b"retry: 1500\n\n", &mut out).unwrap();
        assert!(out.is_empty());
        assert_eq!(dec.retry(), Some(1500));
        dec.feed(
            b"retry: 15x\nretry: -1\nretry:\nretry: 99999999999999999999999\ndata: a\n\n",
            &mut out,
        )
        .unwrap();
        assert_eq!(
            out,
            vec![SseEvent {
                data: "a".into(),
                retry: Some(1500),
                ..Default::default()
            }]
        );
        dec.feed(b"retry: 20\ndata: b\n\n", &mut out).unwrap();
        assert_eq!(out[1].retry, Some(20));
    }

    #[test]
    fn unknown_fields_ignored() {
        let out = decode_all(&[b"foo: bar\ndata: a\nDATA: no\n\n"]);
        assert_eq!(out, vec![ev("a")]);
    }

    #[test]
    fn events_without_data_not_dispatched_but_reset() {
        let mut dec = SseDecoder::new();
        let mut out = Vec::new();
        dec.feed(b"event: ping\n\nid: 7\n\nretry: 10\n\n: c\n\n\n\ndata: a\n\n", &mut out)
            .unwrap();
        // `event: ping` was reset by its blank line; id and retry are stream state.
        assert_eq!(
            out,
            vec![SseEvent {
                event: None,
                data: "a".into(),
                id: Some("7".into()),
                retry: Some(10)
            }]
        );
        assert_eq!(dec.last_event_id(), Some("7"));
    }

    #[test]
    fn empty_data_line_is_dispatched() {
        // `data:` with an empty value still makes the data buffer non-empty ("\n").
        let out = decode_all(&[b"data:\n\n"]);
        assert_eq!(out, vec![ev("")]);
    }

    #[test]
    fn done_is_not_special() {
        let out = decode_all(&[b"data: [DONE]\n\ndata: after\n\n"]);
        assert_eq!(data(&out), vec!["[DONE]", "after"]);
    }

    #[test]
    fn finish_dispatches_pending_event_and_last_line() {
        assert_eq!(decode_all(&[b"data: a\n\ndata: [DONE]"]), vec![ev("a"), ev("[DONE]")]);
        assert_eq!(decode_all(&[b"data: a\n"]), vec![ev("a")]);
        assert_eq!(decode_all(&[b"data: a\r"]), vec![ev("a")]);
        assert_eq!(decode_all(&[b"event: x\n"]), vec![]);
        assert_eq!(decode_all(&[b": only a comment"]), vec![]);
    }

    #[test]
    fn finish_resets_decoder() {
        let mut dec = SseDecoder::new();
        let mut out = Vec::new();
        dec.feed(b"id: 1\ndata: a", &mut out).unwrap();
        dec.finish(&mut out).unwrap();
        dec.feed(b"\xEF\xBB\xBFdata: b\n\n", &mut out).unwrap();
        assert_eq!(out[1], ev("b"));
    }

    #[test]
    fn utf8_split_inside_character() {
        let body = "data: 你好😀\n\n".as_bytes();
        for i in 0..body.len() {
            let out = decode_all(&[&body[..i], &body[i..]]);
            assert_eq!(out, vec![ev("你好😀")], "split at {i}");
        }
        let one_by_one: Vec<&[u8]> = body.chunks(1).collect();
        assert_eq!(decode_all(&one_by_one), vec![ev("你好😀")]);
    }

    #[test]
    fn invalid_utf8_is_lossy() {
        assert_eq!(decode_all(&[b"data: a\xFFb\n\n"]), vec![ev("a\u{FFFD}b")]);
    }

    #[test]
    fn unicode_line_separators_are_not_line_ends() {
        let out = decode_all(&["data: a\u{2028}b\u{85}c\u{2029}d\n\n".as_bytes()]);
        assert_eq!(out, vec![ev("a\u{2028}b\u{85}c\u{2029}d")]);
    }

    #[test]
    fn event_too_large_without_newline() {
        let mut dec = SseDecoder::with_max_event_bytes(100);
        let mut out = Vec::new();
        let piece = [b'x'; 30];
        let mut result = Ok(());
        for _ in 0..10 {
            result = dec.feed(&piece, &mut out);
            assert!(dec.line.len() <= 100);
            if result.is_err() {
                break;
            }
        }
        assert_eq!(result, Err(SseError::EventTooLarge { limit: 100 }));
        assert_eq!(dec.line.capacity(), 0, "memory released");
        // Stays failed.
        assert!(dec.feed(b"\n\n", &mut out).is_err());
        assert!(dec.finish(&mut out).is_err());
    }

    #[test]
    fn event_too_large_across_data_lines() {
        let mut dec = SseDecoder::with_max_event_bytes(20);
        let mut out = Vec::new();
        dec.feed(b"data: 0123456789\n", &mut out).unwrap();
        let err = dec.feed(b"data: 0123456789\n", &mut out).unwrap_err();
        assert_eq!(err.to_string(), "server-sent event larger than the limit of 20 bytes");
    }

    /// Found by fuzz/sse_decoder: the limit was checked on raw line bytes only, so
    /// invalid UTF-8 (each byte decoded to a 3-byte U+FFFD) let the held data
    /// reach three times the limit.
    #[test]
    fn event_too_large_after_lossy_decoding() {
        let line = [b"data: ".as_slice(), &[0xFF; 60], b"\n"].concat();
        for pieces in [vec![&line[..]], line.chunks(7).collect::<Vec<_>>()] {
            let mut dec = SseDecoder::with_max_event_bytes(100);
            let mut out = Vec::new();
            let err = pieces.iter().try_for_each(|p| dec.feed(p, &mut out)).unwrap_err();
            assert_eq!(err, SseError::EventTooLarge { limit: 100 });
            assert!(dec.buffered_len() <= 100);
        }
        // At end of body too.
        let mut dec = SseDecoder::with_max_event_bytes(100);
        let mut out = Vec::new();
        dec.feed(&line[..line.len() - 1], &mut out).unwrap();
        assert!(dec.finish(&mut out).is_err());
        assert!(out.is_empty());
        // Valid text up to the limit is unaffected.
        let mut dec = SseDecoder::with_max_event_bytes(100);
        let text = format!("data: {}\n\n", "\u{20ac}".repeat(31));
        dec.feed(text.as_bytes(), &mut out).unwrap();
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn limit_counts_per_event() {
        let mut dec = SseDecoder::with_max_event_bytes(20);
        let mut out = Vec::new();
        for _ in 0..100 {
            dec.feed(b"data: 0123456789\n\n", &mut out).unwrap();
        }
        assert_eq!(out.len(), 100);
    }

    #[test]
    fn long_lines_across_feeds_under_limit() {
        let payload = "y".repeat(100_000);
        let body = format!("data: {payload}\n\n");
        let pieces: Vec<&[u8]> = body.as_bytes().chunks(4096).collect();
        assert_eq!(decode_all(&pieces), vec![ev(&payload)]);
    }
}
