//! What every language binding needs and no Rust user does (the `bridge` feature):
//! one options schema ([`options`]) and one wire form for errors and stream events
//! ([`wire`]). A binding deserializes the first and serializes the second; it
//! restates no default, no option rule, no error field and no event name.

pub mod helpers;
pub mod options;
pub mod wire;
