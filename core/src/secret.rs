//! The API key as a secret type, and the one masking rule every place that
//! shows a secret uses (Debug/Display, logs, error redaction).

use std::fmt;

/// An API key. Its `Debug` and `Display` never show it whole (see [`mask`]).
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey {
    key: String,
    /// [`mask`] of the key, and the byte length of its [`shortest_masked_run`], worked out
    /// once: every call's receipt masks with them.
    masked: String,
    run_len: usize,
}

impl ApiKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Self {
        let key = key.into();
        let masked = mask(&key);
        let run_len = shortest_masked_run(&key, &masked).len();
        ApiKey { key, masked, run_len }
    }
    /// The whole key, for the `Authorization` header. Do not log it.
    pub fn expose(&self) -> &str {
        &self.key
    }
    /// The key's [`shortest_masked_run`].
    pub(crate) fn masked_run(&self) -> &str {
        &self.key[..self.run_len]
    }
    /// [`mask_secret`] of `text` with this key.
    pub(crate) fn mask_in(&self, text: &str) -> Option<String> {
        mask_runs(text, &self.key, &self.masked, self.masked_run())
    }
}

/// `sk-your-…`: the first `min(8, n/2)` of the secret's `n` characters and an ellipsis.
/// Half at most, so that no key is ever shown whole, however short (a key of 8 characters
/// or fewer would otherwise be printed in full by a rule of "the first 8").
pub fn mask(secret: &str) -> String {
    let shown = (secret.chars().count() / 2).min(8);
    let end = secret.char_indices().nth(shown).map_or(secret.len(), |(i, _)| i);
    // Pushed rather than format!ted: every receipt masks twice (a few hundred instructions each, not 1,500).
    let mut masked = String::with_capacity(end + '…'.len_utf8());
    masked.push_str(&secret[..end]);
    masked.push('…');
    masked
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({:?})", self.masked)
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked)
    }
}

/// The shortest start of `secret` that [`mask_secret`] replaces: its first characters, one
/// more than `masked` shows, or the whole secret when that is no longer. A text without it is
/// left as it is.
pub(crate) fn shortest_masked_run<'a>(secret: &'a str, masked: &str) -> &'a str {
    let shown = masked.chars().count().saturating_sub(1); // the mask is its prefix plus '…'
    if secret.chars().count() <= shown {
        return secret;
    }
    &secret[..secret.char_indices().nth(shown + 1).map_or(secret.len(), |(i, _)| i)]
}

/// `text` with every run that matches the start of `secret` for more characters than
/// `masked` shows replaced by `masked`: the whole secret, and any prefix of it longer than
/// the mask's (what is left of it where a quote was cut). `None` when there is none.
pub(crate) fn mask_secret(text: &str, secret: &str, masked: &str) -> Option<String> {
    mask_runs(text, secret, masked, shortest_masked_run(secret, masked))
}

/// [`mask_secret`] with the secret's [`shortest_masked_run`] given (`probe`).
fn mask_runs(text: &str, secret: &str, masked: &str, probe: &str) -> Option<String> {
    if probe.len() == secret.len() {
        // No run of it shows more than the mask: only whole occurrences are masked.
        return text.contains(secret).then(|| text.replace(secret, masked));
    }
    if !text.contains(probe) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(probe) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let mut n = tail.bytes().zip(secret.bytes()).take_while(|(a, b)| a == b).count();
        while !secret.is_char_boundary(n) {
            n -= 1;
        }
        out.push_str(masked);
        rest = &tail[n..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_never_shows_a_key_whole() {
        assert_eq!(mask("sk-your-key-here-1234567890"), "sk-your-…");
        // 16 characters: 8 shown; 15: 7; the rule is min(8, len/2).
        assert_eq!(mask("sk-0123456789abc"), "sk-01234…");
        assert_eq!(mask("sk-0123456789ab"), "sk-0123…");
        assert_eq!(mask("12345678"), "1234…");
        assert_eq!(mask("sk-1"), "sk…");
        assert_eq!(mask("a"), "…");
        assert_eq!(mask(""), "…");
        assert_eq!(mask("clé-sé"), "clé…");
        for n in 0..40 {
            let key: String = (0..n).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
            let shown = mask(&key);
            assert!(n == 0 || !shown.contains(&key), "{n}: {shown}");
            assert!(
                shown.chars().count() - 1 <= 8 && (shown.chars().count() - 1) * 2 <= n,
                "{n}: {shown}"
            );
        }
        let k = ApiKey::new("short");
        assert_eq!(
            (format!("{k}"), format!("{k:?}")),
            ("sh…".to_owned(), "ApiKey(\"sh…\")".to_owned())
        );
    }

    #[test]
    fn mask_secret_masks_whole_and_cut_occurrences() {
        let key = "sk-hard-SECRET-TAIL-0123456789abcdef";
        let masked = mask(key);
        assert_eq!(masked, "sk-hard-…");
        assert_eq!(mask_secret("no key here", key, &masked), None);
        // Eight characters are what the mask shows anyway: left alone.
        assert_eq!(mask_secret("prefix sk-hard-", key, &masked), None);
        assert_eq!(
            mask_secret(&format!("a {key} b {key}"), key, &masked).unwrap(),
            "a sk-hard-… b sk-hard-…"
        );
        // A quote cut inside the key, then more text: only the key's part is masked.
        assert_eq!(
            mask_secret("…xxsk-hard-SECRET-\"", key, &masked).unwrap(),
            "…xxsk-hard-…\""
        );
        // A run that leaves the key after nine characters keeps what follows.
        assert_eq!(mask_secret("sk-hard-Sother", key, &masked).unwrap(), "sk-hard-…other");
        // Non-ASCII around and inside.
        let k2 = "clé-sécrète-123456";
        let m2 = mask(k2);
        assert_eq!(
            mask_secret(&format!("é{}x", &k2[..k2.len() - 3]), k2, &m2).unwrap(),
            format!("é{m2}x")
        );
    }
}
