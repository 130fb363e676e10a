//! Who may change a stored response: whoever holds its write key.
//!
//! The first post of a response carries a random `write_key` (`rules::WRITE_KEY`; the widget
//! makes 32 hex digits, a landing page makes one and keeps it in a cookie scoped to the
//! response's path). The collector stores a SHA-256 hash of it, never the key, and every later
//! post of that id must carry the same key: the id alone, which a shared link or a log may
//! show, no longer lets anyone rewrite an answer.
//!
//! Widgets already in the field post without a key. Until the moment the operator names
//! (`--keyless-until`), a response may be started and changed without one, and the first post
//! with a key binds it; after that moment, a post without a key is refused and a response
//! stored without one can no longer be changed. One table decides (`decide`):
//!
//! | stored          | post carries      | keyless open | decision                          |
//! |-----------------|-------------------|--------------|-----------------------------------|
//! | nothing (new)   | a key             | –            | write; keep its hash              |
//! | nothing (new)   | no key            | yes          | write, keyless                    |
//! | nothing (new)   | no key            | no           | refuse: `Missing`                 |
//! | a hash          | the same key      | –            | write                             |
//! | a hash          | another key, none | –            | refuse: `NotYours`                |
//! | keyless         | a key             | yes          | write; keep its hash (bound now)  |
//! | keyless         | no key            | yes          | write, keyless                    |
//! | keyless         | anything          | no           | refuse: `Frozen`                  |

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// What the store holds about a response's key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Held<'a> {
    /// No response with this id yet.
    New,
    /// Stored without a key (by a widget from before write keys).
    Keyless,
    /// Stored with a key: its hash, in hex.
    Hash(&'a str),
}

/// Why a post may not write a response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyRefusal {
    /// A new response without a key, after `--keyless-until`.
    Missing,
    /// The response was started with another key, or the post carries none.
    NotYours,
    /// Stored without a key, and posts without one are no longer taken.
    Frozen,
}

impl KeyRefusal {
    /// For the API's `error` (the field is `write_key`).
    pub fn message(self) -> &'static str {
        match self {
            KeyRefusal::Missing => "write_key is missing: every post of a response carries the random write key its first post created (16–64 letters, digits, '-' or '_'); a collector upgraded from before write keys takes posts without one until --keyless-until",
            KeyRefusal::NotYours => "write_key does not match: this response was started with another write key, and only whoever started it may change it",
            KeyRefusal::Frozen => "this response was stored without a write key, and the collector no longer takes posts without one (--keyless-until has passed): it can no longer be changed",
        }
    }
}

/// A fresh key, for a response the collector starts itself (a landing page, a no-script
/// form): 32 hex digits, 122 random bits, as the widget makes them.
pub fn fresh() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// A secret a person or a machine holds: a session id, an invite, a machine token. 244
/// random bits (two v4 UUIDs, 64 hex digits); the store keeps only its `hash`.
pub fn secret() -> String {
    format!("{}{}", fresh(), fresh())
}

/// The hash the store keeps of a key: SHA-256, in hex. (A key is 122 random bits, so a fast
/// hash is enough: there is nothing to guess a dictionary of.)
pub fn hash(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether a post carrying `given` may write a response the store holds as `held`; the hash
/// to keep (`None`: keyless) when it may. `keyless_open`: posts without a key are still taken.
pub fn decide(
    held: Held<'_>,
    given: Option<&str>,
    keyless_open: bool,
) -> Result<Option<String>, KeyRefusal> {
    match (held, given) {
        (Held::New, Some(k)) => Ok(Some(hash(k))),
        (Held::New | Held::Keyless, None) if keyless_open => Ok(None),
        (Held::New, None) => Err(KeyRefusal::Missing),
        (Held::Hash(h), Some(k)) if bool::from(hash(k).as_bytes().ct_eq(h.as_bytes())) => {
            Ok(Some(h.to_owned()))
        }
        (Held::Hash(_), _) => Err(KeyRefusal::NotYours),
        (Held::Keyless, Some(k)) if keyless_open => Ok(Some(hash(k))),
        (Held::Keyless, _) => Err(KeyRefusal::Frozen),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINE: &str = "5f0c6b1e9d8a4c2b8e7f6a5d4c3b2a19";
    const OTHER: &str = "0000000000000000000000000000ffff";

    #[test]
    fn the_table() {
        let h = hash(MINE);
        let held = Held::Hash(&h);
        use KeyRefusal::*;
        let rows: &[(Held, Option<&str>, bool, Result<Option<String>, KeyRefusal>)] = &[
            (Held::New, Some(MINE), true, Ok(Some(h.clone()))),
            (Held::New, Some(MINE), false, Ok(Some(h.clone()))),
            (Held::New, None, true, Ok(None)),
            (Held::New, None, false, Err(Missing)),
            (held, Some(MINE), true, Ok(Some(h.clone()))),
            (held, Some(MINE), false, Ok(Some(h.clone()))),
            (held, Some(OTHER), true, Err(NotYours)),
            (held, Some(OTHER), false, Err(NotYours)),
            (held, None, true, Err(NotYours)),
            (held, None, false, Err(NotYours)),
            (Held::Keyless, Some(MINE), true, Ok(Some(h.clone()))),
            (Held::Keyless, None, true, Ok(None)),
            (Held::Keyless, Some(MINE), false, Err(Frozen)),
            (Held::Keyless, None, false, Err(Frozen)),
        ];
        for (held, given, open, want) in rows {
            assert_eq!(
                &decide(*held, *given, *open),
                want,
                "{held:?} {given:?} keyless open: {open}"
            );
        }
    }

    #[test]
    fn the_hash_is_sha256_in_hex_and_never_the_key() {
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_ne!(hash(MINE), MINE);
        for r in [
            KeyRefusal::Missing,
            KeyRefusal::NotYours,
            KeyRefusal::Frozen,
        ] {
            assert!(r.message().contains("write_key") || r.message().contains("write key"));
        }
    }
}
