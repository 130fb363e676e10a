//! An invited visit as pure rules: how its invitation reached the customer (`Channel`),
//! what a report of a visit already on record does (`claim`), and whether a stored answer
//! is the answer of a recorded visit (`answers`).
//!
//! A visit is keyed by survey and visit id; the store it was first recorded with is its
//! store. `claim`'s table (`every_store`: the caller's scope is the whole organisation):
//!
//! | on record          | the report names          | `Claim`                                  |
//! |--------------------|---------------------------|------------------------------------------|
//! | nothing            | anything                  | `New`                                    |
//! | store S            | store S, or no store      | `Known` (fills an advisor, touchpoint it lacked) |
//! | store S            | store T ≠ S               | `Taken { store: Some(S) }`               |
//! | no store           | no store                  | `Known`                                  |
//! | no store           | store T, `every_store`    | `Known` (its store becomes T)            |
//! | no store           | store T, a scoped caller  | `Taken { store: None }`                  |
//!
//! A taken visit is never written and never silently "known": the caller is told which rows
//! and which store is on record (`POST /api/visits` answers 409). A store's system cannot
//! claim another store's visits, nor a visit recorded without a store (a link printed by an
//! operator), so the response rate a store is judged by is of its own invitations.

/// How a visit's invitation reached the customer: the at-counter flag applies to `Counter`
/// visits only (an SMS answered a minute after it was sent is an honest answer).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Channel {
    /// A QR code or link handed to the customer at the store (`sign-visit`, `qr`, `qr --csv`).
    Counter,
    /// A message the brand's system sent (SMS, a WeChat message) after the visit.
    Message,
}

impl Channel {
    pub const ALL: [Channel; 2] = [Channel::Counter, Channel::Message];
    /// The accepted values (the stored form), in `ALL`'s order.
    pub const KEYS: [&'static str; 2] = ["counter", "message"];
    /// A visit reported by a brand's system without a channel (`POST /api/visits`).
    pub const DEFAULT: Channel = Channel::Message;

    pub fn key(self) -> &'static str {
        Channel::KEYS[self as usize]
    }

    /// A channel's exact key; `None` for any other text.
    pub fn of(key: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.key() == key)
    }
}

/// What a report of one visit does (the module doc's table).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// Not on record: recorded now.
    New,
    /// On record and this report may write on it: a store, advisor or touchpoint it lacked
    /// is filled in; its first issue time, channel and reporter stay.
    Known,
    /// On record for another store (`Some`), or without a store for a scoped caller (`None`):
    /// nothing is written.
    Taken { store: Option<String> },
}

/// The table: `on_record` is `None` for a visit not recorded, else the store it has.
pub fn claim(on_record: Option<Option<&str>>, given: Option<&str>, every_store: bool) -> Claim {
    match (on_record, given) {
        (None, _) => Claim::New,
        (Some(_), None) => Claim::Known,
        (Some(Some(s)), Some(t)) if s == t => Claim::Known,
        (Some(Some(s)), Some(_)) => Claim::Taken {
            store: Some(s.to_owned()),
        },
        (Some(None), Some(_)) if every_store => Claim::Known,
        (Some(None), Some(_)) => Claim::Taken { store: None },
    }
}

/// Whether an answer of `answer_store` is the answer of a visit recorded for `visit_store`:
/// the same store, or a visit recorded without one. An answer of another store (or of none)
/// for a store's visit id does not answer it: not in its response rate, not its issue time.
pub fn answers(visit_store: Option<&str>, answer_store: Option<&str>) -> bool {
    visit_store.is_none_or(|s| answer_store == Some(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_claim_table() {
        let taken = |s: Option<&str>| Claim::Taken {
            store: s.map(str::to_owned),
        };
        // (on record, given, every store, claim)
        let table: &[(Option<Option<&str>>, Option<&str>, bool, Claim)] = &[
            (None, Some("SZ-FT"), false, Claim::New),
            (None, None, true, Claim::New),
            (Some(Some("SZ-FT")), Some("SZ-FT"), false, Claim::Known),
            (Some(Some("SZ-FT")), None, true, Claim::Known),
            (
                Some(Some("SZ-FT")),
                Some("SZ-NS"),
                false,
                taken(Some("SZ-FT")),
            ),
            (
                Some(Some("SZ-FT")),
                Some("SZ-NS"),
                true,
                taken(Some("SZ-FT")),
            ),
            (Some(None), None, false, Claim::Known),
            (Some(None), Some("SZ-NS"), true, Claim::Known),
            (Some(None), Some("SZ-NS"), false, taken(None)),
        ];
        for (on_record, given, every, want) in table {
            assert_eq!(
                &claim(*on_record, *given, *every),
                want,
                "{on_record:?} {given:?} every store: {every}"
            );
        }
    }

    #[test]
    fn an_answer_of_another_store_does_not_answer_a_stores_visit() {
        assert!(answers(Some("SZ-FT"), Some("SZ-FT")));
        assert!(!answers(Some("SZ-FT"), Some("SZ-NS")));
        assert!(!answers(Some("SZ-FT"), None));
        assert!(answers(None, Some("SZ-NS")));
        assert!(answers(None, None));
    }

    #[test]
    fn channels_have_keys() {
        for (c, k) in Channel::ALL.into_iter().zip(Channel::KEYS) {
            assert_eq!((c.key(), Channel::of(k)), (k, Some(c)));
        }
        assert_eq!(Channel::of("sms"), None);
        assert_eq!(Channel::of("Counter"), None);
        assert_eq!(Channel::DEFAULT, Channel::Message);
    }
}
