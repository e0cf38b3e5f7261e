//! The SSE decoder on arbitrary bytes cut into arbitrary feeds.
//!
//! Input: one control byte, then the body. The control byte picks the cuts
//! (pseudo-random sizes seeded by it) and, with its top bit set, a small event
//! limit so that the `EventTooLarge` path runs too.
//!
//! Checks: no panic; the body fed whole, fed in the chosen pieces and fed one
//! byte at a time gives the same events and the same error; what the decoder
//! holds never exceeds its limit; and without a limit the events equal those of
//! a plain reference decoder written from the WHATWG rules below.
#![no_main]

use libfuzzer_sys::fuzz_target;
use routerkit::sse::{SseDecoder, SseError, SseEvent};

type Outcome = (Vec<SseEvent>, Option<SseError>);

fuzz_target!(|data: &[u8]| {
    let Some((&ctrl, body)) = data.split_first() else {
        return;
    };
    let limited = ctrl & 0x80 != 0;
    let limit = if limited {
        1 + usize::from(ctrl & 0x3f) * 4
    } else {
        SseDecoder::DEFAULT_MAX_EVENT_BYTES
    };

    let whole = run(body, &[body.len()], limit);
    let pieces = run(body, &cuts(ctrl, body.len()), limit);
    assert_eq!(whole, pieces, "fed whole vs in pieces");
    let bytes = run(body, &vec![1; body.len()], limit);
    assert_eq!(whole, bytes, "fed whole vs byte by byte");
    if !limited {
        assert_eq!(whole.1, None);
        assert_eq!(whole.0, reference(body), "decoder vs reference");
    }
});

/// Piece sizes from a xorshift seeded by `ctrl`: 1..=64 bytes, often 1-3.
fn cuts(ctrl: u8, len: usize) -> Vec<usize> {
    let mut x = u32::from(ctrl).wrapping_mul(2_654_435_761) | 1;
    let mut sizes = Vec::new();
    let mut total = 0;
    while total < len {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        let n = if x & 3 == 0 {
            1 + (x >> 8) as usize % 64
        } else {
            1 + (x >> 8) as usize % 3
        };
        sizes.push(n);
        total += n;
    }
    sizes
}

fn run(body: &[u8], sizes: &[usize], limit: usize) -> Outcome {
    let mut dec = SseDecoder::with_max_event_bytes(limit);
    let mut out = Vec::new();
    let mut rest = body;
    for &n in sizes {
        let (piece, tail) = rest.split_at(n.min(rest.len()));
        rest = tail;
        if let Err(e) = dec.feed(piece, &mut out) {
            // A failed decoder stays failed.
            assert_eq!(dec.feed(b"data: x\n\n", &mut out), Err(e.clone()));
            return (out, Some(e));
        }
        assert!(
            dec.buffered_len() <= limit,
            "holds {} bytes, limit {limit}",
            dec.buffered_len()
        );
    }
    assert!(rest.is_empty());
    match dec.finish(&mut out) {
        Ok(()) => (out, None),
        Err(e) => (out, Some(e)),
    }
}

/// Straight from the WHATWG event-stream rules (plus the decoder's documented
/// leniency: at end of body a pending event with data is dispatched).
fn reference(body: &[u8]) -> Vec<SseEvent> {
    let body = body.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(body);
    let mut lines: Vec<&[u8]> = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < body.len() {
        match body[i] {
            b'\n' => {
                lines.push(&body[start..i]);
                i += 1;
                start = i;
            }
            b'\r' => {
                lines.push(&body[start..i]);
                i += 1;
                if body.get(i) == Some(&b'\n') {
                    i += 1;
                }
                start = i;
            }
            _ => i += 1,
        }
    }
    if start < body.len() {
        lines.push(&body[start..]);
    }
    lines.push(b"");

    let mut events = Vec::new();
    let (mut data, mut event, mut id, mut retry) = (String::new(), None::<String>, None::<String>, None::<u64>);
    for line in lines {
        if line.is_empty() {
            if data.is_empty() {
                event = None;
            } else {
                data.pop();
                events.push(SseEvent {
                    event: event.take(),
                    data: std::mem::take(&mut data),
                    id: id.clone(),
                    retry,
                });
            }
            continue;
        }
        if line[0] == b':' {
            continue;
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(c) => (&line[..c], line[c + 1..].strip_prefix(b" ").unwrap_or(&line[c + 1..])),
            None => (line, &b""[..]),
        };
        let text = String::from_utf8_lossy(value).into_owned();
        match field {
            b"data" => {
                data.push_str(&text);
                data.push('\n');
            }
            b"event" => event = Some(text),
            b"id" if !value.contains(&0) => id = (!text.is_empty()).then_some(text),
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                if let Ok(ms) = text.parse() {
                    retry = Some(ms);
                }
            }
            _ => {}
        }
    }
    events
}
