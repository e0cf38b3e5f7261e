//! Shared by the fuzz targets: the header-block input format.
#![allow(dead_code)] // each target uses part of it

/// Header lines `name: value` (split on `\n`; a line without `:` is skipped).
/// Names are lower-cased, values trimmed, as the client's `header_pairs` gives them.
pub fn header_lines(text: &[u8]) -> Vec<(String, String)> {
    text.split(|&b| b == b'\n')
        .filter_map(|line| {
            let line = String::from_utf8_lossy(line);
            let (name, value) = line.split_once(':')?;
            Some((name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        })
        .collect()
}

/// Splits `data` at the first blank line (`\n\n`): header block, then body.
/// Without a blank line it is all header block.
pub fn split_head(data: &[u8]) -> (&[u8], &[u8]) {
    match data.windows(2).position(|w| w == b"\n\n") {
        Some(i) => (&data[..i], &data[i + 2..]),
        None => (data, &[]),
    }
}
