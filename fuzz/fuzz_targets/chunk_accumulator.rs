//! The chunk accumulator over arbitrary sequences of valid and invalid chunk JSON.
//!
//! Input: chunk JSON texts, one per line (as the `data:` of a stream's events).
//! A line that is not a chunk is skipped, as a decode error would stop the
//! stream layer before the accumulator; everything else is pushed.
//!
//! Checks: no panic; `push` and `push_with_events` build the same completion;
//! each choice's content and refusal are exactly the concatenation of its
//! delta events; a `*Done` event comes at most once per choice; `finish()`
//! leaves no tool call with `""` arguments and serialises to JSON that reads
//! back as the same completion. Parsing every line into one reused chunk (what
//! a stream does for bindings that read the event text) gives what a fresh
//! parse gives, value or error, whatever the lines before it left behind (that parse
//! goes through the scanner of `chunk_parse/scan.rs` first, so this compares it with serde).
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use routerkit::accumulate::{ChatAccumulator, StreamEvent};
use routerkit::{ChatCompletion, ChatCompletionChunk};

fuzz_target!(|data: &[u8]| {
    let mut plain = ChatAccumulator::new();
    let mut with_events = ChatAccumulator::new();
    let mut events = Vec::new();
    let mut pushed = 0;
    let mut scratch = ChatCompletionChunk::default();
    for line in data.split(|&b| b == b'\n') {
        if let Ok(text) = std::str::from_utf8(line) {
            match (
                serde_json::from_str::<ChatCompletionChunk>(text),
                routerkit::fuzzing::parse_chunk_into(text, &mut scratch),
            ) {
                (Ok(fresh), Ok(())) => assert_eq!(fresh, scratch, "parsed into a reused chunk"),
                (Err(fresh), Err(reused)) => assert_eq!(fresh.to_string(), reused.to_string()),
                (fresh, reused) => panic!("fresh {fresh:?} vs reused {reused:?}"),
            }
        }
        let Ok(chunk) = serde_json::from_slice::<ChatCompletionChunk>(line) else {
            continue;
        };
        plain.push(&chunk);
        with_events.push_with_events(&chunk, &mut events);
        pushed += 1;
        let _ = with_events.usage();
    }
    assert_eq!(plain.chunk_count(), pushed);
    let snapshot = with_events.snapshot();
    assert_eq!(plain.snapshot(), snapshot, "push vs push_with_events");

    let mut content: BTreeMap<u32, String> = BTreeMap::new();
    let mut refusal: BTreeMap<u32, String> = BTreeMap::new();
    let mut content_done: BTreeMap<u32, usize> = BTreeMap::new();
    let mut refusal_done: BTreeMap<u32, usize> = BTreeMap::new();
    for event in &events {
        match event {
            StreamEvent::ContentDelta { choice, delta } => content.entry(*choice).or_default().push_str(delta),
            StreamEvent::RefusalDelta { choice, delta } => refusal.entry(*choice).or_default().push_str(delta),
            StreamEvent::ContentDone { choice, .. } => *content_done.entry(*choice).or_default() += 1,
            StreamEvent::RefusalDone { choice, .. } => *refusal_done.entry(*choice).or_default() += 1,
            _ => {}
        }
    }
    for choice in &snapshot.choices {
        let i = choice.index;
        let msg = &choice.message;
        assert_eq!(
            content.remove(&i).unwrap_or_default(),
            msg.content.clone().unwrap_or_default(),
            "content of choice {i}"
        );
        assert_eq!(
            refusal.remove(&i).unwrap_or_default(),
            msg.refusal.clone().unwrap_or_default(),
            "refusal of choice {i}"
        );
        assert!(content_done.get(&i).copied().unwrap_or(0) <= 1);
        assert!(refusal_done.get(&i).copied().unwrap_or(0) <= 1);
    }
    assert!(
        content.is_empty() && refusal.is_empty(),
        "events for a choice the completion lacks"
    );
    assert!(
        snapshot.choices.windows(2).all(|w| w[0].index < w[1].index),
        "choices sorted, unique"
    );

    let done = with_events.finish();
    for choice in &done.choices {
        for call in choice.message.tool_calls.iter().flatten() {
            assert!(!call.function.arguments.is_empty());
        }
    }
    let json = serde_json::to_string(&done).expect("a completion serialises");
    let back: ChatCompletion = serde_json::from_str(&json).expect("and reads back");
    assert_eq!(
        serde_json::to_value(&back).unwrap(),
        serde_json::to_value(&done).unwrap()
    );
});
