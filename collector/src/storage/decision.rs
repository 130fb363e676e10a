//! The upsert decision: one pure table over the stored row (if any), the incoming response,
//! whether another response already answered its visit, and the admission. Each engine reads
//! the rows `decide` needs, calls it, and applies what it says; no rule lives in SQL.
//!
//! | row | when (first that holds)                                          | decision      |
//! |-----|------------------------------------------------------------------|---------------|
//! | 1   | the id is stored for another survey                              | Conflict      |
//! | 2   | the id is new and its link expired (`Admission::new_until_ns`)   | Expired       |
//! | 3   | the write key may not write it (`write_key::decide`)             | Key(refusal)  |
//! | 4   | the id is stored with another visit, or the post drops its visit | VisitChanged  |
//! | 5   | the post answers (a score) and another id answered its visit     | Answered      |
//! | 6   | the id is new                                                    | Insert        |
//! | 7   | the same body and key hash as stored                             | Duplicate     |
//! | 8   | a lower stage, or the same stage and an `updated_at` not later   | Stale         |
//! | 9   | otherwise                                                        | Update        |
//!
//! A client's `updated_at` is bounded by the server's clock (`Incoming::new`), so a time far
//! in the future cannot freeze a response. A flag, once given, stays: a bot's later post does
//! not clear it. A flagged row never answers a visit (`ANSWERS`), so a bot cannot lock one.

use nps_core::config::keys::RETENTION_DAYS;
use nps_core::contract::payload::Response;

use super::{Admission, Flag, Now, Upsert};
use crate::write_key::{self, Held, KeyRefusal};

/// One day in nanoseconds.
const DAY_NS: i64 = 86_400_000_000_000;

/// The stored form of `Response::answers` for rows that count (a score, no flag), with a
/// visit: the condition of the partial unique index that keeps one answer per visit on every
/// engine, and of the "already answered" read.
pub const ANSWERS: &str = "score IS NOT NULL AND flag IS NULL AND visit IS NOT NULL";

/// A stored response, as the rules read it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stored {
    pub survey: String,
    pub rank: i64,
    pub updated_ns: i64,
    pub body: String,
    pub received_ns: i64,
    pub flag: Option<String>,
    pub visit: Option<String>,
    pub key_hash: Option<String>,
}

/// A post, ready for the rules: the response without its write key (never stored), its
/// canonical body, and the columns the rules compare.
#[derive(Clone, Debug)]
pub struct Incoming {
    pub response: Response,
    pub body: String,
    /// The write key the post carried.
    pub key: Option<String>,
    pub visit: Option<String>,
    pub rank: i64,
    /// `updated_at` in ns, bounded by the server's clock.
    pub updated_ns: i64,
    pub flag: Flag,
    /// The sender's marks (`Admission::marks`), stored texts: (device, net).
    pub marks: (Option<String>, Option<String>),
    /// What the columns read, stored beside the body (`facts`).
    pub facts: super::facts::Facts,
}

impl Incoming {
    /// With the sender's marks (`Admission::marks`).
    pub fn marked(self, marks: Option<super::Marks>) -> Incoming {
        Incoming {
            marks: super::Marks::texts(marks),
            ..self
        }
    }

    pub fn new(r: &Response, now: &Now, flag: Flag) -> Incoming {
        let response = Response {
            write_key: None,
            ..r.clone()
        };
        let updated_ns = nps_core::contract::time::Time::parse(&r.updated_at)
            .map(|t| t.unix_ns().clamp(0, i64::MAX as i128) as i64)
            .unwrap_or(0)
            .min(now.ns);
        Incoming {
            body: response.to_json(),
            key: r.write_key.clone(),
            visit: r.context.get(nps_core::contract::rules::VISIT).cloned(),
            rank: r.stage.rank() as i64,
            updated_ns,
            flag,
            response,
            marks: (None, None),
            facts: super::facts::Facts::of(r),
        }
    }

    /// The visit whose "already answered" the rules need: this post answers one.
    pub fn answered_visit(&self) -> Option<&str> {
        self.visit.as_deref().filter(|_| self.response.answers())
    }
}

/// What to write besides the response's own columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Write {
    pub flag: Option<String>,
    pub key_hash: Option<String>,
    /// When the phone must go (`purge_after`).
    pub purge_after_ns: Option<i64>,
}

/// The decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Insert(Write),
    Update(Write),
    Duplicate,
    Stale,
    Conflict,
    Answered,
    Expired,
    VisitChanged,
    Key(KeyRefusal),
}

impl Decision {
    /// What the upsert answers once the decision is applied.
    pub fn outcome(&self) -> Upsert {
        match self {
            Decision::Insert(_) => Upsert::Created,
            Decision::Update(_) => Upsert::Updated,
            Decision::Duplicate => Upsert::Duplicate,
            Decision::Stale => Upsert::Stale,
            Decision::Conflict => Upsert::Conflict,
            Decision::Answered => Upsert::Answered,
            Decision::Expired => Upsert::Expired,
            Decision::VisitChanged => Upsert::VisitChanged,
            Decision::Key(k) => Upsert::Key(*k),
        }
    }
}

/// When a response's phone must be deleted: first received plus the retention its consent
/// text promised (the widget's default where the body does not say).
pub fn purge_after(r: &Response, received_ns: i64) -> Option<i64> {
    let days = r
        .contact
        .as_ref()?
        .retention_days
        .unwrap_or_else(|| RETENTION_DAYS.default_int());
    Some(received_ns.saturating_add(days as i64 * DAY_NS))
}

/// The table above. `visit_answered`: another id answered `incoming`'s visit (read only when
/// `Incoming::answered_visit` names one; ignored otherwise).
pub fn decide(
    existing: Option<&Stored>,
    incoming: &Incoming,
    visit_answered: bool,
    admission: Admission,
    now: &Now,
) -> Decision {
    let held = match existing {
        Some(e) if e.survey != incoming.response.survey => return Decision::Conflict,
        Some(e) => e.key_hash.as_deref().map_or(Held::Keyless, Held::Hash),
        None if admission.new_until_ns.is_some_and(|until| now.ns > until) => {
            return Decision::Expired
        }
        None => Held::New,
    };
    let keyless_open = admission
        .keyless_until_ns
        .is_some_and(|until| now.ns < until);
    let key_hash = match write_key::decide(held, incoming.key.as_deref(), keyless_open) {
        Ok(h) => h,
        Err(refusal) => return Decision::Key(refusal),
    };
    if existing.is_some_and(|e| e.visit != incoming.visit) {
        return Decision::VisitChanged;
    }
    if visit_answered && incoming.answered_visit().is_some() {
        return Decision::Answered;
    }
    let r = &incoming.response;
    let Some(e) = existing else {
        return Decision::Insert(Write {
            flag: incoming.flag.map(str::to_owned),
            key_hash,
            purge_after_ns: purge_after(r, now.ns),
        });
    };
    if e.body == incoming.body && e.key_hash == key_hash {
        return Decision::Duplicate;
    }
    if incoming.rank < e.rank || (incoming.rank == e.rank && incoming.updated_ns <= e.updated_ns) {
        return Decision::Stale;
    }
    Decision::Update(Write {
        flag: e.flag.clone().or(incoming.flag.map(str::to_owned)),
        key_hash,
        purge_after_ns: purge_after(r, e.received_ns),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use KeyRefusal::*;

    const KEY: &str = "5f0c6b1e9d8a4c2b8e7f6a5d4c3b2a19";
    const OTHER: &str = "0000000000000000000000000000ffff";
    const NOW_NS: i64 = 1_800_000_000_000_000_000;

    fn now() -> Now {
        Now {
            at: "2027-01-15T08:00:00.000Z".into(),
            ns: NOW_NS,
        }
    }

    /// A post: stage, score, visit, `updated_at`, write key.
    fn post(
        stage: &str,
        score: Option<u8>,
        visit: Option<&str>,
        at: &str,
        key: Option<&str>,
    ) -> Incoming {
        let category = score.map(|s| {
            nps_core::scoring::score::category(s as i64)
                .unwrap()
                .as_str()
        });
        let mut context = json!({"store": "SZ-FT"});
        if let Some(v) = visit {
            context["visit"] = json!(v);
        }
        let v = json!({"schema": 1, "id": "0b6c2a8e-5d1f-4c3b-9a7e-2f4d6b8c0e1a",
            "survey": "after-sales", "stage": stage, "score": score, "category": category,
            "reasons": [], "comment": null,
            "contact": {"phone": "+8613800000000", "consent": true, "retention_days": 30},
            "context": context, "locale": "zh-CN", "page": null,
            "created_at": "2026-11-23T08:30:00.000Z", "updated_at": at, "write_key": key});
        Incoming::new(&Response::parse(&v).unwrap(), &now(), None)
    }

    /// The stored row a post would have made, received at 1000 ns.
    fn stored(i: &Incoming, key: Option<&str>) -> Stored {
        Stored {
            survey: i.response.survey.clone(),
            rank: i.rank,
            updated_ns: i.updated_ns,
            body: i.body.clone(),
            received_ns: 1000,
            flag: None,
            visit: i.visit.clone(),
            key_hash: key.map(write_key::hash),
        }
    }

    #[test]
    fn the_table() {
        const T0: &str = "2026-11-23T08:31:00.000Z";
        const T1: &str = "2026-11-23T08:32:00.000Z";
        const FUTURE: &str = "2099-01-01T00:00:00.000Z";
        let k = Some(KEY);
        let scored = post("scored", Some(9), Some("RO-1"), T0, k);
        let later = post("completed", Some(9), Some("RO-1"), T1, k);
        let base = stored(&scored, k);
        let completed = stored(&post("completed", Some(9), Some("RO-1"), T0, k), k);
        let future = stored(&post("scored", Some(9), Some("RO-1"), FUTURE, k), k);
        let other_survey = Stored {
            survey: "sales".into(),
            ..base.clone()
        };
        let keyless = Stored {
            key_hash: None,
            ..base.clone()
        };
        let flagged = Stored {
            flag: Some("too_fast".into()),
            ..base.clone()
        };
        let none = Admission::default();
        let open = Admission::operator();
        let expired = Admission {
            new_until_ns: Some(NOW_NS - 1),
            keyless_until_ns: None,
            ..Admission::default()
        };
        let last_moment = Admission {
            new_until_ns: Some(NOW_NS),
            keyless_until_ns: None,
            ..Admission::default()
        };
        let write = |flag: Option<&str>, received: i64| Write {
            flag: flag.map(str::to_owned),
            key_hash: Some(write_key::hash(KEY)),
            purge_after_ns: Some(received + 30 * DAY_NS),
        };
        let (insert, update) = (
            Decision::Insert(write(None, NOW_NS)),
            Decision::Update(write(None, 1000)),
        );
        type Case<'a> = (
            &'a str,
            Option<&'a Stored>,
            Incoming,
            bool,
            Admission,
            Decision,
        );
        #[rustfmt::skip]
        let rows: Vec<Case> = vec![
            ("1 another survey's id", Some(&other_survey), scored.clone(), false, none, Decision::Conflict),
            ("1 a conflict before an expired link", Some(&other_survey), scored.clone(), false, expired, Decision::Conflict),
            ("2 a new id after its link expired", None, scored.clone(), false, expired, Decision::Expired),
            ("2 a started id after its link expired", Some(&base), later.clone(), false, expired, update.clone()),
            ("2 a new id at its link's last moment", None, scored.clone(), false, last_moment, insert.clone()),
            ("3 a new id without a key", None, post("scored", Some(9), Some("RO-1"), T0, None), false, none, Decision::Key(Missing)),
            ("3 another key", Some(&base), post("completed", Some(9), Some("RO-1"), T1, Some(OTHER)), false, none, Decision::Key(NotYours)),
            ("3 keyless, closed", Some(&keyless), later.clone(), false, none, Decision::Key(Frozen)),
            ("3 keyless, open: the key binds", Some(&keyless), later.clone(), false, open, update.clone()),
            ("3 a key refusal before a changed visit", Some(&base), post("completed", Some(9), Some("RO-2"), T1, Some(OTHER)), false, none, Decision::Key(NotYours)),
            ("4 another visit", Some(&base), post("completed", Some(9), Some("RO-2"), T1, k), false, none, Decision::VisitChanged),
            ("4 the visit dropped", Some(&base), post("completed", Some(9), None, T1, k), false, none, Decision::VisitChanged),
            ("4 a changed visit before answered", Some(&base), post("completed", Some(9), Some("RO-2"), T1, k), true, none, Decision::VisitChanged),
            ("5 a new answer for an answered visit", None, scored.clone(), true, none, Decision::Answered),
            ("5 a stored id's answer for an answered visit", Some(&base), later.clone(), true, none, Decision::Answered),
            ("5 no score: not an answer", None, post("dismissed", None, Some("RO-1"), T0, k), true, none, insert.clone()),
            ("5 no visit: nothing to answer", None, post("scored", Some(9), None, T0, k), true, none, insert.clone()),
            ("6 a new id", None, scored.clone(), false, none, insert.clone()),
            ("7 the same body again", Some(&base), scored.clone(), false, none, Decision::Duplicate),
            ("7 the same body, a key bound now: stale, not a duplicate", Some(&keyless), scored.clone(), false, open, Decision::Stale),
            ("8 a lower stage", Some(&completed), post("scored", Some(8), Some("RO-1"), T1, k), false, none, Decision::Stale),
            ("8 the same stage, not later", Some(&base), post("scored", Some(8), Some("RO-1"), T0, k), false, none, Decision::Stale),
            ("8 a time in the future is bounded by the clock", Some(&future), post("scored", Some(8), Some("RO-1"), "2099-06-01T00:00:00.000Z", k), false, none, Decision::Stale),
            ("9 the same stage, later", Some(&base), post("scored", Some(8), Some("RO-1"), T1, k), false, none, update.clone()),
            ("9 a higher stage, earlier", Some(&base), post("completed", Some(9), Some("RO-1"), "2026-11-23T08:30:30.000Z", k), false, none, update.clone()),
            ("9 a flag stays", Some(&flagged), later.clone(), false, none, Decision::Update(write(Some("too_fast"), 1000))),
        ];
        for (name, existing, incoming, answered, admission, want) in rows {
            assert_eq!(
                decide(existing, &incoming, answered, admission, &now()),
                want,
                "{name}"
            );
        }
    }

    #[test]
    fn a_flag_given_now_is_kept_and_the_key_is_never_in_the_body() {
        let mut i = post(
            "scored",
            Some(3),
            None,
            "2026-11-23T08:31:00.000Z",
            Some(KEY),
        );
        assert!(!i.body.contains(KEY));
        i.flag = Some("too_fast");
        let Decision::Insert(w) = decide(None, &i, false, Admission::default(), &now()) else {
            panic!("a new id is inserted");
        };
        assert_eq!(w.flag.as_deref(), Some("too_fast"));
        for d in [
            Decision::Duplicate,
            Decision::Key(Missing),
            Decision::Answered,
        ] {
            assert!(!matches!(d.outcome(), Upsert::Created | Upsert::Updated));
        }
    }
}
