//! The API key as a secret type, and the one masking rule every place that
//! shows a secret uses (Debug/Display, logs, error redaction).

use std::fmt;

/// An API key. Its `Debug` and `Display` never show it whole (see [`mask`]). Shared: a clone
/// (one per call, for its receipt) copies a pointer, not the key, its mask and its searcher.
#[derive(Clone)]
pub struct ApiKey(std::sync::Arc<KeyParts>);

struct KeyParts {
    key: String,
    /// [`mask`] of the key, and the byte length of its [`shortest_masked_run`], worked out
    /// once: every call's receipt masks with them.
    masked: String,
    run_len: usize,
    /// A searcher for that run, built once too: a receipt looks for it in a handful of short
    /// strings, where `str::contains` spent most of its time setting its search up.
    run_finder: memchr::memmem::Finder<'static>,
}

impl PartialEq for ApiKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.key == other.0.key
    }
}

impl Eq for ApiKey {}

impl ApiKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Self {
        let key = key.into();
        let masked = mask(&key);
        let run_len = shortest_masked_run(&key, &masked).len();
        let run_finder = memchr::memmem::Finder::new(&key[..run_len]).into_owned();
        ApiKey(std::sync::Arc::new(KeyParts {
            key,
            masked,
            run_len,
            run_finder,
        }))
    }
    /// The whole key, for the `Authorization` header. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0.key
    }
    /// Whether texts are searched for the key at all: one shorter than 8 characters is not (so
    /// short a "key" would mask ordinary words in errors and receipts).
    pub(crate) fn masked_in_texts(&self) -> bool {
        self.0.key.len() >= 8
    }
    /// The key's [`shortest_masked_run`].
    pub(crate) fn masked_run(&self) -> &str {
        &self.0.key[..self.0.run_len]
    }
    /// Where `text` first holds the [`masked_run`](Self::masked_run).
    pub(crate) fn find_masked_run(&self, text: &str) -> Option<usize> {
        self.0.run_finder.find(text.as_bytes())
    }
    /// `text` with every run that matches the start of the key for more characters than its
    /// mask shows replaced by the mask: the whole key, and any prefix of it longer than the
    /// mask's (what is left of it where a quote was cut). `None` when there is none.
    pub(crate) fn mask_in(&self, text: &str) -> Option<String> {
        let (secret, masked, probe) = (self.0.key.as_str(), self.0.masked.as_str(), self.masked_run());
        if probe.len() == secret.len() {
            // No run of it shows more than the mask: only whole occurrences are masked.
            return self.find_masked_run(text).map(|_| text.replace(secret, masked));
        }
        let mut found = Some(self.find_masked_run(text)?);
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = found {
            out.push_str(&rest[..at]);
            let tail = &rest[at..];
            let mut n = tail.bytes().zip(secret.bytes()).take_while(|(a, b)| a == b).count();
            while !secret.is_char_boundary(n) {
                n -= 1;
            }
            out.push_str(masked);
            rest = &tail[n..];
            found = self.find_masked_run(rest);
        }
        out.push_str(rest);
        Some(out)
    }
}

/// `sk-your-…`: the first `min(8, n/2)` of the secret's `n` characters and an ellipsis.
/// Half at most, so that no key is ever shown whole, however short (a key of 8 characters
/// or fewer would otherwise be printed in full by a rule of "the first 8").
pub fn mask(secret: &str) -> String {
    let shown = (secret.chars().count() / 2).min(8);
    let end = secret.char_indices().nth(shown).map_or(secret.len(), |(i, _)| i);
    // Pushed rather than format!ted (a few hundred instructions, not 1,500): the logs mask each
    // credential header they print.
    let mut masked = String::with_capacity(end + '…'.len_utf8());
    masked.push_str(&secret[..end]);
    masked.push('…');
    masked
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({:?})", self.0.masked)
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.masked)
    }
}

/// The shortest start of `secret` that [`ApiKey::mask_in`] replaces: its first characters, one
/// more than `masked` shows, or the whole secret when that is no longer. A text without it is
/// left as it is.
fn shortest_masked_run<'a>(secret: &'a str, masked: &str) -> &'a str {
    let shown = masked.chars().count().saturating_sub(1); // the mask is its prefix plus '…'
    if secret.chars().count() <= shown {
        return secret;
    }
    &secret[..secret.char_indices().nth(shown + 1).map_or(secret.len(), |(i, _)| i)]
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
    fn mask_in_masks_whole_and_cut_occurrences() {
        let key = "sk-hard-SECRET-TAIL-0123456789abcdef";
        assert_eq!(mask(key), "sk-hard-…");
        let mask_in = |text: &str| ApiKey::new(key).mask_in(text);
        assert_eq!(mask_in("no key here"), None);
        // Eight characters are what the mask shows anyway: left alone.
        assert_eq!(mask_in("prefix sk-hard-"), None);
        assert_eq!(mask_in(&format!("a {key} b {key}")).unwrap(), "a sk-hard-… b sk-hard-…");
        // A quote cut inside the key, then more text: only the key's part is masked.
        assert_eq!(mask_in("…xxsk-hard-SECRET-\"").unwrap(), "…xxsk-hard-…\"");
        // A run that leaves the key after nine characters keeps what follows.
        assert_eq!(mask_in("sk-hard-Sother").unwrap(), "sk-hard-…other");
        // Non-ASCII around and inside.
        let k2 = "clé-sécrète-123456";
        let m2 = mask(k2);
        assert_eq!(
            ApiKey::new(k2).mask_in(&format!("é{}x", &k2[..k2.len() - 3])).unwrap(),
            format!("é{m2}x")
        );
    }
}
