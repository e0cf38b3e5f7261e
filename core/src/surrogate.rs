//! UTF-16 surrogate escapes in JSON text, made the same for every language's parser.
//!
//! JSON writes characters outside the BMP as two `\uXXXX` escapes (`\ud83d\ude00` is 😀).
//! JavaScript gateways cut strings by UTF-16 units, so a stream may carry `\ud83d` at the end
//! of one chunk's content and `\ude00` at the start of the next; some send a lone surrogate.
//! serde_json refuses both, JavaScript keeps them as broken strings, Go substitutes U+FFFD. The
//! rule here, applied to the text before any parser sees it (so the engine and the bindings'
//! own parsers read the same thing):
//!
//! - a high surrogate that ends a string of one stream event, followed by a low surrogate that
//!   starts the string at the same place (same keys and array positions) of the next event, is
//!   moved there, which rejoins the pair;
//! - every other lone surrogate escape becomes `\ufffd` (U+FFFD), as a lenient decoder does:
//!   a held high surrogate becomes U+FFFD where the next event's string at its place starts,
//!   or, when the next event has no string there (a finish chunk, `[DONE]`) or the stream
//!   ends, where it was. For that last case the stream holds an event that gave a high
//!   surrogate to carry until the next event, or the end, has decided ([`StreamRepair::holds`],
//!   [`StreamRepair::settle`]); every other event passes straight through.
//!
//! The same pass checks what a response may make a parser allocate (nesting, choices, tool
//! calls, array lengths; see [`crate::limits`]), without allocating itself: a stack of at most
//! [`MAX_JSON_DEPTH`] frames. It is not a validator: text that is not JSON passes on to the
//! parser, which rejects it.

use crate::error::{Error, ErrorKind};
use crate::limits::{MAX_ARRAY_ITEMS, MAX_CHOICES, MAX_JSON_DEPTH, MAX_TOOL_CALLS};

const REPLACEMENT: [u8; 6] = *b"\\ufffd";
/// Split pairs held back at once, at most (one per string being streamed, in practice).
const MAX_CARRIED: usize = 64;
/// Events at least this long are always scanned, for the bounds on arrays; a shorter one
/// cannot hold an array long enough to matter and is scanned only if it has a `\u` escape.
const SCAN_ALWAYS_BYTES: usize = 64 * 1024;

/// Changes to make to a text, in increasing position.
#[derive(Default, Debug)]
pub(crate) struct Repairs {
    edits: Vec<(usize, Edit)>,
}

#[derive(Debug)]
enum Edit {
    /// The 6-byte escape at this position becomes `\ufffd`.
    Replace,
    /// The 6-byte escape at this position is dropped (carried to a later event).
    Remove,
    /// These 6 bytes are inserted at this position.
    Insert([u8; 6]),
}

impl Repairs {
    pub(crate) fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }

    /// Where each removed escape was in the text [`apply`](Self::apply) makes, in order.
    fn removed_at(&self) -> Vec<usize> {
        let mut shift: isize = 0;
        let mut at = Vec::new();
        for (pos, edit) in &self.edits {
            match edit {
                Edit::Replace => {}
                Edit::Remove => {
                    at.push((*pos as isize + shift) as usize);
                    shift -= 6;
                }
                Edit::Insert(_) => shift += 6,
            }
        }
        at
    }

    /// The text with the changes made.
    pub(crate) fn apply(&self, text: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() + 6 * self.edits.len());
        let mut at = 0;
        for (pos, edit) in &self.edits {
            out.extend_from_slice(&text[at..*pos]);
            at = *pos;
            match edit {
                Edit::Replace => {
                    out.extend_from_slice(&REPLACEMENT);
                    at += 6;
                }
                Edit::Remove => at += 6,
                Edit::Insert(bytes) => out.extend_from_slice(bytes),
            }
        }
        out.extend_from_slice(&text[at..]);
        out
    }
}

/// High surrogates held back from the end of a string, by the string's place: those the
/// previous event gave (which this event's strings may take) and those this event gives.
#[derive(Default, Debug)]
pub(crate) struct Carry {
    /// From the previous event: place, the escape, and where it was in that event's repaired text.
    given: Vec<(u64, [u8; 6], usize)>,
    /// From this event: place, the escape, and where it was in this event's text.
    giving: Vec<(u64, [u8; 6], usize)>,
}

/// A stream's surrogate state: what one event left for the next.
#[derive(Default, Debug)]
pub(crate) struct StreamRepair {
    carry: Carry,
    repairs: Repairs,
    /// Where the previous event's highs that the last repaired event did not take were (in the
    /// previous event's repaired text, increasing): they become U+FFFD there ([`Self::settle`]).
    untaken: Vec<usize>,
}

impl StreamRepair {
    /// Repairs one event's data in place (see the module's rule) and checks its bounds. The
    /// previous event, if it was held, is then [settled](Self::settle) before this one goes on.
    pub(crate) fn repair(&mut self, data: &mut String) -> Result<(), Error> {
        if self.carry.given.is_empty() && data.len() < SCAN_ALWAYS_BYTES && !has_unicode_escape(data) {
            return Ok(());
        }
        self.repairs.edits.clear();
        let scanned = scan(data.as_bytes(), Some(&mut self.carry), &mut self.repairs);
        // What the previous event gave and this one did not take goes back where it was.
        self.untaken.extend(self.carry.given.drain(..).map(|(_, _, at)| at));
        if let Err(e) = scanned {
            self.carry.giving.clear();
            return Err(e);
        }
        if !self.repairs.is_empty() {
            let removed_at = self.repairs.removed_at();
            // Only ASCII escapes are removed, replaced or inserted: the text stays UTF-8.
            *data = String::from_utf8(self.repairs.apply(data.as_bytes())).map_err(|_| decode("not UTF-8"))?;
            // The scan gives highs in text order, and each one it gives it removes.
            debug_assert_eq!(removed_at.len(), self.carry.giving.len());
            for ((_, _, at), out_at) in self.carry.giving.iter_mut().zip(removed_at) {
                *at = out_at;
            }
        }
        std::mem::swap(&mut self.carry.given, &mut self.carry.giving);
        Ok(())
    }

    /// Whether the event just repaired gave a high surrogate to carry: the stream holds it until
    /// the next event (or the end) is repaired, then [settles](Self::settle) it.
    pub(crate) fn holds(&self) -> bool {
        !self.carry.given.is_empty()
    }

    /// The held event, once the next event was repaired (or the stream ended, `at_end`): each
    /// high it gave that was not taken becomes `\ufffd` where it was, so that no text is lost.
    pub(crate) fn settle(&mut self, held: &mut String, at_end: bool) {
        if at_end {
            self.untaken.extend(self.carry.given.drain(..).map(|(_, _, at)| at));
        }
        if self.untaken.is_empty() {
            return;
        }
        self.untaken.sort_unstable();
        let mut out = String::with_capacity(held.len() + 6 * self.untaken.len());
        let mut from = 0;
        for &at in &self.untaken {
            out.push_str(&held[from..at]);
            out.push_str("\\ufffd");
            from = at;
        }
        out.push_str(&held[from..]);
        *held = out;
        self.untaken.clear();
    }
}

fn has_unicode_escape(text: &str) -> bool {
    // Every data event of a stream goes through here. memchr over backslashes, which most
    // events have none of, costs a few dozen instructions; std's `contains("\\u")` set up a
    // two-way searcher per call, about 200.
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'\\', bytes).any(|at| bytes.get(at + 1) == Some(&b'u'))
}

fn decode(what: &str) -> Error {
    Error::new(ErrorKind::Decode, format!("the response {what}"))
}

struct Frame {
    object: bool,
    path: u64,
    /// Objects: the hash of the key being read. Arrays: elements so far.
    key: u64,
    count: usize,
    /// Arrays: most elements allowed, and what they are called in the error.
    cap: (usize, &'static str),
    /// Objects: the next string is a key.
    expect_key: bool,
}

fn mix(path: u64, part: u64) -> u64 {
    // FNV-1a step over a 64-bit part: places only need to differ, not to resist attack.
    (path ^ part).wrapping_mul(0x0000_0100_0000_01b3).rotate_left(29)
}

fn key_hash(key: &[u8]) -> u64 {
    key.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn surrogate_at(text: &[u8], at: usize) -> Option<u16> {
    let esc = text.get(at..at + 6)?;
    if esc[0] != b'\\' || esc[1] != b'u' {
        return None;
    }
    let hex = std::str::from_utf8(&esc[2..]).ok()?;
    let unit = u16::from_str_radix(hex, 16).ok()?;
    (0xD800..=0xDFFF).contains(&unit).then_some(unit)
}

fn is_high(unit: u16) -> bool {
    (0xD800..=0xDBFF).contains(&unit)
}

/// Walks `text` once: records the surrogate repairs (carrying split pairs when `carry` is
/// given) and fails on the first bound exceeded.
pub(crate) fn scan(text: &[u8], mut carry: Option<&mut Carry>, repairs: &mut Repairs) -> Result<(), Error> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut next_cap: Option<(usize, &'static str)> = None;
    let mut in_scalar = false;
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | b':' => {
                in_scalar = false;
                i += 1;
            }
            b',' => {
                in_scalar = false;
                if let Some(top) = stack.last_mut() {
                    top.expect_key = top.object;
                }
                i += 1;
            }
            b'{' | b'[' => {
                in_scalar = false;
                let path = value_start(&mut stack)?;
                if stack.len() >= MAX_JSON_DEPTH {
                    return Err(decode(&format!("is nested deeper than {MAX_JSON_DEPTH} levels")));
                }
                let cap = if b == b'[' {
                    next_cap.take().unwrap_or((MAX_ARRAY_ITEMS, "items in one array"))
                } else {
                    (usize::MAX, "")
                };
                next_cap = None;
                stack.push(Frame {
                    object: b == b'{',
                    path,
                    key: 0,
                    count: 0,
                    cap,
                    expect_key: b == b'{',
                });
                i += 1;
            }
            b'}' | b']' => {
                in_scalar = false;
                next_cap = None;
                stack.pop();
                i += 1;
            }
            b'"' => {
                in_scalar = false;
                let is_key = stack.last().is_some_and(|f| f.object && f.expect_key);
                let end = string_end(text, i + 1);
                if is_key {
                    let key = &text[i + 1..end];
                    next_cap = match key {
                        b"choices" if stack.len() == 1 => Some((MAX_CHOICES, "choices")),
                        b"tool_calls" => Some((MAX_TOOL_CALLS, "tool calls in one message")),
                        _ => None,
                    };
                    let top = stack.last_mut().expect("is_key implies a frame");
                    top.key = key_hash(key);
                    top.expect_key = false;
                    string(text, i + 1, end, None, repairs);
                } else {
                    next_cap = None;
                    let path = value_start(&mut stack)?;
                    string(text, i + 1, end, carry.as_deref_mut().map(|c| (c, path)), repairs);
                }
                i = end + 1;
            }
            _ => {
                if !in_scalar {
                    in_scalar = true;
                    next_cap = None;
                    value_start(&mut stack)?;
                }
                i += 1;
            }
        }
    }
    Ok(())
}

/// A value starts in the innermost container: counts it and gives its place.
fn value_start(stack: &mut [Frame]) -> Result<u64, Error> {
    let Some(top) = stack.last_mut() else { return Ok(0) };
    if top.object {
        return Ok(mix(top.path, top.key));
    }
    top.count += 1;
    if top.count > top.cap.0 {
        return Err(decode(&format!("holds more than {} {}", top.cap.0, top.cap.1)));
    }
    Ok(mix(top.path, top.count as u64))
}

/// The position of the quote that ends the string whose text starts at `start` (or the end).
fn string_end(text: &[u8], start: usize) -> usize {
    let mut j = start;
    while j < text.len() {
        match text[j] {
            b'"' => return j,
            b'\\' => j += 2,
            _ => j += 1,
        }
    }
    text.len()
}

/// Records the repairs of one string's surrogate escapes (`text[start..end]`); for a value of
/// a stream event, `carry` and its place.
fn string(text: &[u8], start: usize, end: usize, carry: Option<(&mut Carry, u64)>, repairs: &mut Repairs) {
    let mut paired_low_at = None;
    let mut carry = carry;
    if let Some((held, path)) = carry.as_mut() {
        if let Some(at) = held.given.iter().position(|(p, _, _)| p == path) {
            // `remove`, not `swap_remove`: what is left keeps its text order for `settle`.
            let (_, high, _) = held.given.remove(at);
            if surrogate_at(text, start).is_some_and(|u| !is_high(u)) && start + 6 <= end {
                repairs.edits.push((start, Edit::Insert(high)));
                paired_low_at = Some(start);
            } else {
                repairs.edits.push((start, Edit::Insert(REPLACEMENT)));
            }
        }
    }
    let mut pending_high: Option<usize> = None;
    let mut j = start;
    while j < end {
        if text[j] != b'\\' {
            if let Some(q) = pending_high.take() {
                repairs.edits.push((q, Edit::Replace));
            }
            j += 1;
            continue;
        }
        match surrogate_at(text, j).filter(|_| j + 6 <= end) {
            Some(unit) if is_high(unit) => {
                if let Some(q) = pending_high.replace(j) {
                    repairs.edits.push((q, Edit::Replace));
                }
                j += 6;
            }
            Some(_) => {
                let paired = pending_high.take().is_some_and(|q| q + 6 == j) || paired_low_at == Some(j);
                if !paired {
                    repairs.edits.push((j, Edit::Replace));
                }
                j += 6;
            }
            None => {
                if let Some(q) = pending_high.take() {
                    repairs.edits.push((q, Edit::Replace));
                }
                j += 2;
            }
        }
    }
    if let Some(q) = pending_high {
        match carry {
            Some((held, path)) if held.giving.len() < MAX_CARRIED && q + 6 == end => {
                let mut high = [0u8; 6];
                high.copy_from_slice(&text[q..q + 6]);
                held.giving.push((path, high, q));
                repairs.edits.push((q, Edit::Remove));
            }
            _ => repairs.edits.push((q, Edit::Replace)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The events as a stream hands them over: each repaired, one that gives a high surrogate
    /// held until the next is repaired (or the end), then settled.
    fn stream(events: &[&str]) -> Vec<String> {
        let mut repair = StreamRepair::default();
        let mut out = Vec::new();
        let mut held: Option<String> = None;
        for e in events {
            let mut data = (*e).to_owned();
            repair.repair(&mut data).unwrap();
            if let Some(mut h) = held.take() {
                repair.settle(&mut h, false);
                out.push(h);
            }
            if repair.holds() {
                held = Some(data);
            } else {
                out.push(data);
            }
        }
        if let Some(mut h) = held {
            repair.settle(&mut h, true);
            out.push(h);
        }
        out
    }

    fn content(data: &str) -> String {
        let v: serde_json::Value = serde_json::from_str(data).unwrap();
        v["choices"][0]["delta"]["content"].as_str().unwrap().to_owned()
    }

    #[test]
    fn a_pair_split_across_events_is_rejoined() {
        let out = stream(&[
            r#"{"choices":[{"index":0,"delta":{"content":"hi \ud83d"}}]}"#,
            r#"{"choices":[{"index":0,"delta":{"content":"\ude00 there"}}]}"#,
        ]);
        assert_eq!(content(&out[0]), "hi ");
        assert_eq!(content(&out[1]), "\u{1F600} there");
    }

    #[test]
    fn a_held_high_without_its_low_becomes_a_replacement() {
        let out = stream(&[
            r#"{"choices":[{"index":0,"delta":{"content":"a\ud83d"}}]}"#,
            r#"{"choices":[{"index":0,"delta":{"content":"b"}}]}"#,
        ]);
        assert_eq!(content(&out[0]), "a");
        assert_eq!(content(&out[1]), "\u{fffd}b");
    }

    #[test]
    fn lone_surrogates_in_events_become_replacements() {
        let out = stream(&[r#"{"choices":[{"index":0,"delta":{"content":"x\ud800y\udc00"}}]}"#]);
        assert_eq!(content(&out[0]), "x\u{fffd}y\u{fffd}");
        // An escaped backslash before `u` is not an escape.
        let out = stream(&[r#"{"choices":[{"index":0,"delta":{"content":"\\ud800"}}]}"#]);
        assert_eq!(content(&out[0]), "\\ud800");
    }

    fn escaped(units: &[u16]) -> String {
        units.iter().map(|u| format!("\\u{u:04x}")).collect()
    }

    proptest::proptest! {
        /// Any UTF-16 text, cut into two events anywhere, reads as JavaScript shows it whole
        /// (pairs joined, lone units as U+FFFD): the rule against a reference.
        #[test]
        fn split_anywhere_reads_as_the_lossy_utf16_whole(
            units in proptest::collection::vec(proptest::prop_oneof![
                0xD800u16..0xE000, 0x20u16..0x7F, 0x80u16..0xD800, 0xE000u16..=0xFFFF
            ], 0..12),
            cut in 0usize..13,
        ) {
            let cut = cut.min(units.len());
            let event = |part: &[u16]| {
                format!(r#"{{"choices":[{{"index":0,"delta":{{"content":"{}"}}}}]}}"#, escaped(part))
            };
            // A third, empty content: a high surrogate that ends the second is held for a later one.
            let out = stream(&[&event(&units[..cut]), &event(&units[cut..]), &event(&[])]);
            let joined = content(&out[0]) + &content(&out[1]) + &content(&out[2]);
            proptest::prop_assert_eq!(joined, String::from_utf16_lossy(&units));
            // Without the third: a high that ends the stream's text is U+FFFD, not lost.
            let out = stream(&[&event(&units[..cut]), &event(&units[cut..])]);
            let joined = content(&out[0]) + &content(&out[1]);
            proptest::prop_assert_eq!(joined, String::from_utf16_lossy(&units));
        }
    }

    #[test]
    fn other_places_do_not_take_the_carried_half() {
        let out = stream(&[
            r#"{"choices":[{"index":0,"delta":{"reasoning":"r\ud83d"}}]}"#,
            r#"{"choices":[{"index":0,"delta":{"content":"\ude00"}}]}"#,
        ]);
        let reasoning: serde_json::Value = serde_json::from_str(&out[0]).unwrap();
        assert_eq!(reasoning["choices"][0]["delta"]["reasoning"], "r\u{fffd}");
        assert_eq!(content(&out[1]), "\u{fffd}");
    }

    #[test]
    fn a_high_that_ends_the_last_text_becomes_a_replacement_at_the_end() {
        // The last text event, a finish chunk without content, then `[DONE]`: nothing takes the half.
        let out = stream(&[
            r#"{"choices":[{"index":0,"delta":{"content":"a"}}]}"#,
            r#"{"choices":[{"index":0,"delta":{"content":"b\ud83d"}}]}"#,
            r#"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
            "[DONE]",
        ]);
        assert_eq!(out.len(), 4, "every event is handed over, in order");
        assert_eq!(content(&out[1]), "b\u{fffd}");
        assert!(out[2].contains("finish_reason"));
        assert_eq!(out[3], "[DONE]");
        // Or the body ends right after it.
        let out = stream(&[r#"{"choices":[{"index":0,"delta":{"content":"z\ud83d"},"finish_reason":"stop"}]}"#]);
        assert_eq!(content(&out[0]), "z\u{fffd}");
    }

    #[test]
    fn only_the_halves_the_next_event_does_not_take_go_back() {
        // Two strings end in a high: the next event continues one of them.
        let out = stream(&[
            r#"{"choices":[{"index":0,"delta":{"reasoning":"r\ud83d","content":"c\ud83d"}}]}"#,
            r#"{"choices":[{"index":0,"delta":{"content":"\ude00!"}}]}"#,
        ]);
        let first: serde_json::Value = serde_json::from_str(&out[0]).unwrap();
        assert_eq!(first["choices"][0]["delta"]["reasoning"], "r\u{fffd}");
        assert_eq!(first["choices"][0]["delta"]["content"], "c");
        assert_eq!(content(&out[1]), "\u{1F600}!");
    }

    #[test]
    fn a_held_event_that_is_taken_stays_as_repaired() {
        let out = stream(&[
            r#"{"choices":[{"index":0,"delta":{"content":"x\ud800y\ud83d"}}]}"#,
            r#"{"choices":[{"index":0,"delta":{"content":"\ude00"}}]}"#,
        ]);
        assert_eq!(content(&out[0]), "x\u{fffd}y");
        assert_eq!(content(&out[1]), "\u{1F600}");
    }
}
