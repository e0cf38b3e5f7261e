//! Property tests for the SSE decoder: however the body is cut into reads,
//! the events are the same as when it arrives in one piece.

use proptest::prelude::*;
use routerkit::sse::{SseDecoder, SseError, SseEvent};

/// Streams that exercise every framing rule; each is also tested with its
/// line ends rewritten to CRLF and to lone CR.
const CORPUS: &[&str] = &[
    // OpenAI-shaped stream with a usage chunk and the sentinel.
    "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n\
     data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"}}]}\n\n\
     data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":1}}\n\n\
     data: [DONE]\n\n",
    // OpenRouter keepalives.
    ": OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\ndata: {\"a\":1}\n\n: OPENROUTER PROCESSING\n\ndata: [DONE]\n\n",
    // Comments between fields and multi-line data.
    "data: line one\n: interleaved comment\ndata: line two\ndata:\ndata:no-space\ndata:  two-spaces\n\n",
    // BOM at the very start.
    "\u{FEFF}data: after bom\n\nevent: message\ndata: x\n\n",
    // Chinese and emoji content, split points inside characters.
    "data: {\"content\":\"你好，世界\"}\n\ndata: {\"content\":\"😀🎉👩‍👩‍👧\"}\n\ndata: 中文 🚀 mixed\n\n",
    // Control-only events, which must not dispatch.
    "retry: 3000\n\nid: 42\n\nevent: ping\n\nevent: keepalive\n\ndata: real\n\nid\n\ndata: after id reset\n\n",
    // Event names, ids, retry values that travel with data.
    "event: error\nid: e1\nretry: 10\ndata: {\"error\":{\"message\":\"boom\"}}\n\nfield-without-colon\ndata\n\n",
    // Field names without a value, unknown fields, colons inside values.
    "data\ndata\n\nfoo: bar\ndata: {\"k\": \"a:b:c\"}\n\n",
    // No final blank line: finish() dispatches it.
    "data: first\n\ndata: [DONE]",
    // Blank lines galore.
    "\n\n\n\ndata: a\n\n\n\n\ndata: b\n\n",
    // Invalid UTF-8 is written separately below; here U+2028/U+0085 must not split lines.
    "data: a\u{2028}b\u{85}c\u{2029}d\n\n",
];

/// Byte streams that are not valid UTF-8 text or mix line-end styles.
fn raw_corpus() -> Vec<Vec<u8>> {
    let mut all: Vec<Vec<u8>> = Vec::new();
    for s in CORPUS {
        all.push(s.as_bytes().to_vec());
        all.push(s.replace('\n', "\r\n").into_bytes());
        all.push(s.replace('\n', "\r").into_bytes());
    }
    all.push(b"data: a\r\ndata: b\rdata: c\n\r\n\rdata: d\r\r\ndata: e\n\n".to_vec());
    all.push(b"data: a\r\r\n\r\ndata: b\n\r\r\n".to_vec());
    all.push(b"data: bad \xFF\xFE byte\n\ndata: \xF0\x9F\x98\n\n".to_vec());
    all.push(b"\xEF\xBB\xBF\xEF\xBB\xBFdata: double bom\n\ndata: ok\n\n".to_vec());
    all.push(b"\xEF\xBBdata: partial bom\n\ndata: ok\r\n\r\n".to_vec());
    all.push(b"id: x\0y\ndata: nul id ignored\n\n".to_vec());
    all
}

fn decode(pieces: &[&[u8]]) -> Vec<SseEvent> {
    let mut dec = SseDecoder::new();
    let mut out = Vec::new();
    for p in pieces {
        dec.feed(p, &mut out).unwrap();
    }
    dec.finish(&mut out).unwrap();
    out
}

/// Cuts `bytes` at the given (unsorted, possibly repeated) positions.
fn split_at<'a>(bytes: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    cuts.sort_unstable();
    let mut pieces = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    for c in cuts {
        pieces.push(&bytes[start..c]);
        start = c;
    }
    pieces.push(&bytes[start..]);
    pieces
}

#[test]
fn corpus_decodes_as_expected() {
    // A sanity anchor, so the split properties do not compare garbage with garbage.
    let out = decode(&[CORPUS[1].as_bytes()]);
    let data: Vec<_> = out.iter().map(|e| e.data.as_str()).collect();
    assert_eq!(data, vec!["{\"a\":1}", "[DONE]"]);

    let out = decode(&[CORPUS[5].as_bytes()]);
    assert_eq!(out.len(), 2);
    assert_eq!(
        out[0],
        SseEvent {
            event: None,
            data: "real".into(),
            id: Some("42".into()),
            retry: Some(3000)
        }
    );
    assert_eq!(out[1].id, None);

    let out = decode(&[CORPUS[4].replace('\n', "\r").as_bytes()]);
    assert_eq!(out[1].data, "{\"content\":\"😀🎉👩‍👩‍👧\"}");

    let out = decode(&[CORPUS[3].as_bytes()]);
    assert_eq!(out[0].data, "after bom");
}

#[test]
fn every_single_cut_point() {
    for body in raw_corpus() {
        let whole = decode(&[&body]);
        for i in 0..=body.len() {
            assert_eq!(
                decode(&[&body[..i], &body[i..]]),
                whole,
                "cut at {i} of {:?}",
                String::from_utf8_lossy(&body)
            );
        }
    }
}

#[test]
fn one_byte_pieces() {
    for body in raw_corpus() {
        let pieces: Vec<&[u8]> = body.chunks(1).collect();
        assert_eq!(decode(&pieces), decode(&[&body]));
    }
}

#[test]
fn empty_feeds_change_nothing() {
    for body in raw_corpus() {
        let mut pieces: Vec<&[u8]> = Vec::new();
        for b in body.chunks(1) {
            pieces.push(b"");
            pieces.push(b);
        }
        pieces.push(b"");
        assert_eq!(decode(&pieces), decode(&[&body]));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_split_yields_the_same_events(
        which in 0usize..1000,
        cuts in proptest::collection::vec(any::<usize>(), 0..40),
    ) {
        let corpus = raw_corpus();
        let body = &corpus[which % corpus.len()];
        let pieces = split_at(body, &cuts);
        prop_assert_eq!(decode(&pieces), decode(&[body]));
    }

    #[test]
    fn concatenated_streams_split_anywhere(
        picks in proptest::collection::vec(0usize..1000, 1..6),
        cuts in proptest::collection::vec(any::<usize>(), 0..60),
    ) {
        let corpus = raw_corpus();
        let mut body = Vec::new();
        for p in picks {
            body.extend_from_slice(&corpus[p % corpus.len()]);
            body.extend_from_slice(b"\n\n");
        }
        let pieces = split_at(&body, &cuts);
        prop_assert_eq!(decode(&pieces), decode(&[&body]));
    }

    #[test]
    fn generated_events_round_trip(
        events in proptest::collection::vec(
            (proptest::option::of("[a-z]{1,8}"), proptest::collection::vec("[^\r\n]{0,12}", 1..4)),
            0..8,
        ),
        eol in prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
        cuts in proptest::collection::vec(any::<usize>(), 0..30),
    ) {
        let mut body = String::new();
        for (name, lines) in &events {
            if let Some(name) = name {
                body.push_str(&format!("event: {name}{eol}"));
            }
            body.push_str(&format!(": comment{eol}"));
            for l in lines {
                body.push_str(&format!("data: {l}{eol}"));
            }
            body.push_str(eol);
        }
        let pieces = split_at(body.as_bytes(), &cuts);
        let got = decode(&pieces);
        let want: Vec<SseEvent> = events
            .iter()
            .map(|(name, lines)| SseEvent { event: name.clone(), data: lines.join("\n"), id: None, retry: None })
            .collect();
        prop_assert_eq!(got, want);
    }
}

#[test]
fn newline_free_body_errors_with_bounded_memory() {
    const FEED: usize = 64 * 1024;
    let limit = SseDecoder::DEFAULT_MAX_EVENT_BYTES;
    let piece = vec![b'x'; FEED];
    let mut dec = SseDecoder::new();
    let mut out = Vec::new();
    let mut fed = 0usize;
    let mut err = None;
    while fed < 20 * 1024 * 1024 {
        match dec.feed(&piece, &mut out) {
            Ok(()) => {}
            Err(e) => {
                err = Some(e);
                break;
            }
        }
        fed += FEED;
        assert!(
            dec.buffered_len() <= limit + FEED,
            "buffered {} after {fed}",
            dec.buffered_len()
        );
    }
    assert_eq!(err, Some(SseError::EventTooLarge { limit }));
    assert!(fed <= limit + FEED, "error came late, after {fed} bytes");
    assert!(out.is_empty());
    assert_eq!(dec.buffered_len(), 0, "memory released after the error");
}

#[test]
fn newline_free_body_in_one_feed_errors() {
    let body = vec![b'y'; 20 * 1024 * 1024];
    let mut dec = SseDecoder::new();
    let mut out = Vec::new();
    let err = dec.feed(&body, &mut out).unwrap_err();
    assert_eq!(
        err,
        SseError::EventTooLarge {
            limit: SseDecoder::DEFAULT_MAX_EVENT_BYTES
        }
    );
    assert_eq!(dec.buffered_len(), 0);
}

#[test]
fn many_data_lines_exceeding_limit_error() {
    let mut dec = SseDecoder::with_max_event_bytes(1024);
    let mut out = Vec::new();
    let line = b"data: 0123456789012345678901234567890123456789\n";
    let mut failed = false;
    for _ in 0..100 {
        if dec.feed(line, &mut out).is_err() {
            failed = true;
            break;
        }
        assert!(dec.buffered_len() <= 1024);
    }
    assert!(failed);
}
