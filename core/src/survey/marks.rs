//! What the widget keeps in this browser about a survey, apart from the outbox, and what it
//! writes after each post (`after_post`, one table):
//!
//! - the *visit mark*: this visit was answered, so it is never asked again (`ANSWERED_TTL_MS`);
//! - the *survey marks*: when this browser last answered or closed the survey unanswered, for
//!   the throttling (`throttle_answered_days`, `throttle_dismissed_days`);
//! - the *sample draw*: this browser's place in the sampling, kept `SAMPLE_TTL_MS` so that a
//!   browser is in or out of a sample for a while, not per page;
//! - the *draft* of a response in progress, so a reload continues it (`DRAFT_TTL_MS`).
//!
//! Keys hold a fingerprint of the survey and the visit (or page), never a visit id. A mark's
//! value is `at|until` (wall-clock ms); `until` is when it may be removed. Kiosk mode keeps
//! nothing. Times are passed in.

use crate::config::Config;
use crate::contract::payload::Stage;
use crate::scoring::score::Score;

/// Storage keys of answered marks (a visit's, or a survey's): this prefix and a fingerprint.
pub const ANSWERED_PREFIX: &str = "nps:v1:answered:";
/// Storage keys of dismissal marks: this prefix and a survey fingerprint.
pub const DISMISSED_PREFIX: &str = "nps:v1:dismissed:";
/// Storage keys of sample draws: this prefix and a survey fingerprint.
pub const SAMPLE_PREFIX: &str = "nps:v1:sample:";
/// Storage keys of drafts: this prefix and a scope fingerprint.
pub const DRAFT_PREFIX: &str = "nps:v1:draft:";
/// A visit is asked once for this long.
pub const ANSWERED_TTL_MS: u64 = 90 * DAY_MS;
/// A browser keeps its sample draw for this long.
pub const SAMPLE_TTL_MS: u64 = 90 * DAY_MS;
/// A response in progress is continued after a reload for this long.
pub const DRAFT_TTL_MS: u64 = DAY_MS;
/// A sample draw is a whole number below this (parts per million: no floats stored).
pub const DRAW_SCALE: u32 = 1_000_000;
const DAY_MS: u64 = 24 * 3600 * 1000;

/// A short fingerprint of a text (FNV-1a, 64 bits, in hex): stable, not a secret.
pub fn fingerprint(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// The scope of a response in progress: the visit when the page has one, else the page.
pub fn scope(survey: &str, visit: Option<&str>, path: &str) -> String {
    match visit {
        Some(v) => fingerprint(&format!("{survey}\u{1f}visit\u{1f}{v}")),
        None => fingerprint(&format!("{survey}\u{1f}page\u{1f}{path}")),
    }
}

/// The answered mark's key for a scope.
pub fn answered_key(scope: &str) -> String {
    format!("{ANSWERED_PREFIX}{scope}")
}

/// The draft's key for a scope.
pub fn draft_key(scope: &str) -> String {
    format!("{DRAFT_PREFIX}{scope}")
}

/// Every key of one survey on one page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keys {
    /// The visit's answered mark, when the page names a visit.
    pub visit: Option<String>,
    /// The survey's answered mark (every page, every visit).
    pub answered: String,
    pub dismissed: String,
    pub sample: String,
    pub draft: String,
}

impl Keys {
    pub fn new(survey: &str, visit: Option<&str>, path: &str) -> Keys {
        let whole = fingerprint(&format!("{survey}\u{1f}survey"));
        Keys {
            visit: visit.map(|v| answered_key(&scope(survey, Some(v), path))),
            answered: answered_key(&whole),
            dismissed: format!("{DISMISSED_PREFIX}{whole}"),
            sample: format!("{SAMPLE_PREFIX}{whole}"),
            draft: draft_key(&scope(survey, visit, path)),
        }
    }
}

/// A mark: when it was written and until when it is kept (wall-clock ms).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    pub at: u64,
    pub until: u64,
}

impl Mark {
    pub fn new(at: u64, ttl_ms: u64) -> Mark {
        Mark {
            at,
            until: at.saturating_add(ttl_ms),
        }
    }

    pub fn to_text(self) -> String {
        format!("{}|{}", self.at, self.until)
    }

    /// Reads `at|until`, or a bare `at` (the earlier format: kept `ANSWERED_TTL_MS`).
    pub fn from_text(text: &str) -> Option<Mark> {
        match text.split_once('|') {
            Some((at, until)) => Some(Mark {
                at: at.parse().ok()?,
                until: until.parse().ok()?,
            }),
            None => Some(Mark::new(text.parse().ok()?, ANSWERED_TTL_MS)),
        }
    }

    /// Written less than `days` before `now`.
    pub fn within_days(self, days: u32, now: u64) -> bool {
        now.saturating_sub(self.at) < days as u64 * DAY_MS
    }
}

/// True when a visit's answered mark written as `value` still holds at `now`.
pub fn answered(value: &str, now: u64) -> bool {
    Mark::from_text(value).is_some_and(|m| now < m.until)
}

/// Whether this browser keeps marks, drafts and its sample draw for a survey: not a kiosk (a
/// shared device keeps nothing of one customer for the next), not `force` (a test page).
pub fn kept(cfg: &Config) -> bool {
    !cfg.force && cfg.kiosk_reset_s == 0
}

/// A sample draw's stored form, `draw|until`, kept `SAMPLE_TTL_MS` from `now` (read back
/// with `draw`).
pub fn draw_text(draw: u32, now: u64) -> String {
    format!("{draw}|{}", now + SAMPLE_TTL_MS)
}

/// A sample draw stored as `draw|until`: the draw, if it is one and still kept at `now`.
pub fn draw(value: &str, now: u64) -> Option<u32> {
    let (draw, until) = value.split_once('|')?;
    let (draw, until): (u32, u64) = (draw.parse().ok()?, until.parse().ok()?);
    (draw < DRAW_SCALE && now < until).then_some(draw)
}

/// Whether a stored key of this module is to be removed at `now`: an expired mark, draw or
/// draft, or one of an earlier format (those held the visit id in the key).
pub fn stale(key: &str, value: &str, now: u64) -> bool {
    for prefix in [ANSWERED_PREFIX, DISMISSED_PREFIX] {
        if let Some(rest) = key.strip_prefix(prefix) {
            return !is_fingerprint(rest) || !answered(value, now);
        }
    }
    if let Some(rest) = key.strip_prefix(SAMPLE_PREFIX) {
        return !is_fingerprint(rest) || draw(value, now).is_none();
    }
    if let Some(rest) = key.strip_prefix(DRAFT_PREFIX) {
        let fresh = Draft::from_text(value).is_some_and(|d| d.fresh(now));
        return !is_fingerprint(rest) || !fresh;
    }
    false
}

fn is_fingerprint(s: &str) -> bool {
    s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A change to storage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Write {
    Set(String, String),
    Remove(String),
}

/// What to keep after a post of `stage` (`draft` is the response with its score, `at` unset).
///
/// | case                              | writes                                                  |
/// |-----------------------------------|---------------------------------------------------------|
/// | kiosk                             | nothing; the draft removed (a shared device keeps nothing) |
/// | scored                            | the draft (a reload continues the same id)              |
/// | completed, or closed with a score | draft removed; with `once`, the visit mark and the survey's answered mark |
/// | closed without a score            | draft removed; the survey's dismissal mark              |
pub fn after_post(
    keys: &Keys,
    cfg: &Config,
    stage: Stage,
    draft: Option<Draft>,
    now: u64,
) -> Vec<Write> {
    let mut out = Vec::new();
    match (stage, draft) {
        (Stage::Scored, Some(mut d)) if cfg.kiosk_reset_s == 0 => {
            d.at = now;
            out.push(Write::Set(keys.draft.clone(), d.to_text()));
            return out;
        }
        (Stage::Scored, _) => {}
        _ if cfg.kiosk_reset_s > 0 => {}
        (_, Some(_)) if cfg.once => {
            if let Some(visit) = &keys.visit {
                out.push(Write::Set(
                    visit.clone(),
                    Mark::new(now, ANSWERED_TTL_MS).to_text(),
                ));
            }
            let ttl = cfg.throttle_answered_days as u64 * DAY_MS;
            out.push(Write::Set(
                keys.answered.clone(),
                Mark::new(now, ttl).to_text(),
            ));
        }
        (_, Some(_)) => {}
        (_, None) => {
            let ttl = cfg.throttle_dismissed_days as u64 * DAY_MS;
            out.push(Write::Set(
                keys.dismissed.clone(),
                Mark::new(now, ttl).to_text(),
            ));
        }
    }
    out.push(Write::Remove(keys.draft.clone()));
    out
}

/// A response in progress: continued by the next page of the same scope. Stored as one
/// line, `id|created_at|score|at|write_key` (no JSON parser needed to read it back; drafts
/// of earlier versions have no write key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    pub id: String,
    /// The response's `created_at`.
    pub created_at: String,
    /// The score chosen so far.
    pub score: Score,
    /// When it was written (wall-clock ms).
    pub at: u64,
    /// The response's write key (`None` in a draft an earlier version wrote).
    pub write_key: Option<String>,
}

impl Draft {
    /// The stored form.
    pub fn to_text(&self) -> String {
        let mut text = format!("{}|{}|{}|{}", self.id, self.created_at, self.score, self.at);
        if let Some(k) = &self.write_key {
            text.push('|');
            text.push_str(k);
        }
        text
    }

    /// Reads the stored form; `None` if it is not one.
    pub fn from_text(text: &str) -> Option<Draft> {
        let mut parts = text.split('|');
        let (id, created_at) = (parts.next()?, parts.next()?);
        let score = Score::parse(parts.next()?)?;
        let at: u64 = parts.next()?.parse().ok()?;
        let write_key = parts.next().map(str::to_owned);
        // The widget wrote it: a shape check is enough (and keeps the UUID and date parsers
        // out of the wasm); a collector still checks the id and the time of every post.
        let valid = crate::contract::rules::looks_like_id(id)
            && crate::contract::rules::looks_like_time(created_at)
            && write_key
                .as_deref()
                .is_none_or(crate::contract::rules::is_write_key)
            && parts.next().is_none();
        valid.then(|| Draft {
            id: id.to_owned(),
            created_at: created_at.to_owned(),
            score,
            at,
            write_key,
        })
    }

    /// Still to be continued at `now`.
    pub fn fresh(&self, now: u64) -> bool {
        now.saturating_sub(self.at) < DRAFT_TTL_MS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_hold_a_fingerprint_not_the_visit() {
        let s = scope("after-sales", Some("RO-88231"), "/qr.html");
        let key = answered_key(&s);
        assert!(
            !key.contains("RO-88231") && key.starts_with(ANSWERED_PREFIX),
            "{key}"
        );
        assert_eq!(s, scope("after-sales", Some("RO-88231"), "/other.html"));
        assert_ne!(s, scope("after-sales", Some("RO-88232"), "/qr.html"));
        assert_ne!(s, scope("generic", Some("RO-88231"), "/qr.html"));
        assert_ne!(
            scope("s", None, "/a"),
            scope("s", None, "/b"),
            "without a visit, the page"
        );
        assert_eq!(fingerprint(""), "cbf29ce484222325");
    }

    #[test]
    fn marks_and_drafts_expire() {
        let now = 1_800_000_000_000;
        assert!(answered(&(now - 1000).to_string(), now));
        assert!(!answered(&(now - ANSWERED_TTL_MS).to_string(), now));
        assert!(
            !answered("2026-11-23T08:30:00.000Z", now),
            "the earlier format"
        );
        let key = answered_key(&scope("s", Some("v"), "/"));
        assert!(!stale(&key, &now.to_string(), now));
        assert!(stale(&key, "0", now));
        assert!(stale("nps:v1:answered:s:visit:RO-1", &now.to_string(), now));
        assert!(!stale("nps:v1:outbox:x", "", now), "not ours");
        let d = Draft {
            id: "0b6c2a8e-5d1f-4c3b-9a7e-2f4d6b8c0e1a".into(),
            created_at: "2026-11-23T08:30:00.000Z".into(),
            score: Score::new(3).unwrap(),
            at: now,
            write_key: Some("5f0c6b1e9d8a4c2b8e7f6a5d4c3b2a19".into()),
        };
        assert_eq!(Draft::from_text(&d.to_text()), Some(d.clone()));
        // A draft an earlier version wrote (no write key) still continues its response.
        let old = Draft {
            write_key: None,
            ..d.clone()
        };
        assert_eq!(Draft::from_text(&old.to_text()), Some(old.clone()));
        assert_eq!(Draft::from_text(&format!("{}|x", old.to_text())), None);
        for junk in [
            "",
            "x|y|3|4",
            "0b6c2a8e-5d1f-4c3b-9a7e-2f4d6b8c0e1a|2026-11-23T08:30:00.000Z|11|4",
        ] {
            assert_eq!(Draft::from_text(junk), None, "{junk}");
        }
        assert!(d.fresh(now + DRAFT_TTL_MS - 1) && !d.fresh(now + DRAFT_TTL_MS));
        let dk = draft_key(&scope("s", None, "/"));
        assert!(!stale(&dk, &d.to_text(), now));
        assert!(stale(&dk, &d.to_text(), now + DRAFT_TTL_MS));
        assert!(stale(&dk, "junk", now));
    }

    #[test]
    fn what_each_post_keeps() {
        let now = 1_800_000_000_000;
        let day = 24 * 3600 * 1000;
        let keys = Keys::new("after-sales", Some("RO-1"), "/qr");
        let cfg = |extra: serde_json::Value| {
            let mut obj = serde_json::json!({"endpoint": "/x"});
            for (k, v) in extra.as_object().unwrap() {
                obj[k] = v.clone();
            }
            Config::from_object(obj.as_object().unwrap(), None).unwrap()
        };
        let d = Draft {
            id: "0b6c2a8e-5d1f-4c3b-9a7e-2f4d6b8c0e1a".into(),
            created_at: "2026-11-23T08:30:00.000Z".into(),
            score: Score::new(3).unwrap(),
            at: 0,
            write_key: None,
        };
        let set = |k: &String, m: Mark| Write::Set(k.clone(), m.to_text());
        let draft_now = Write::Set(
            keys.draft.clone(),
            Draft {
                at: now,
                ..d.clone()
            }
            .to_text(),
        );
        let remove = Write::Remove(keys.draft.clone());
        let visit = keys.visit.clone().unwrap();
        let rows: Vec<(&str, serde_json::Value, Stage, Option<Draft>, Vec<Write>)> = vec![
            (
                "scored",
                serde_json::json!({}),
                Stage::Scored,
                Some(d.clone()),
                vec![draft_now],
            ),
            (
                "kiosk scored",
                serde_json::json!({"kiosk_reset_s": 30}),
                Stage::Scored,
                Some(d.clone()),
                vec![remove.clone()],
            ),
            (
                "kiosk completed",
                serde_json::json!({"kiosk_reset_s": 30}),
                Stage::Completed,
                Some(d.clone()),
                vec![remove.clone()],
            ),
            (
                "completed",
                serde_json::json!({"throttle_answered_days": 60}),
                Stage::Completed,
                Some(d.clone()),
                vec![
                    set(&visit, Mark::new(now, ANSWERED_TTL_MS)),
                    set(&keys.answered, Mark::new(now, 60 * day)),
                    remove.clone(),
                ],
            ),
            (
                "closed after a score",
                serde_json::json!({}),
                Stage::Dismissed,
                Some(d.clone()),
                vec![
                    set(&visit, Mark::new(now, ANSWERED_TTL_MS)),
                    set(&keys.answered, Mark::new(now, 90 * day)),
                    remove.clone(),
                ],
            ),
            (
                "completed, not once",
                serde_json::json!({"once": false}),
                Stage::Completed,
                Some(d.clone()),
                vec![remove.clone()],
            ),
            (
                "closed unanswered",
                serde_json::json!({"throttle_dismissed_days": 14}),
                Stage::Dismissed,
                None,
                vec![
                    set(&keys.dismissed, Mark::new(now, 14 * day)),
                    remove.clone(),
                ],
            ),
        ];
        for (row, extra, stage, draft, want) in rows {
            assert_eq!(
                after_post(&keys, &cfg(extra), stage, draft, now),
                want,
                "{row}"
            );
        }
        // Without a visit, no visit mark; the survey's keys are shared by every page.
        let page = Keys::new("after-sales", None, "/other");
        assert_eq!(page.visit, None);
        assert_eq!(
            (&page.answered, &page.dismissed, &page.sample),
            (&keys.answered, &keys.dismissed, &keys.sample)
        );
        assert_ne!(page.draft, keys.draft);
    }

    #[test]
    fn a_draw_is_stored_for_its_time_and_only_where_marks_are_kept() {
        let now = 1_800_000_000_000;
        let text = draw_text(999_999, now);
        assert_eq!(text, format!("999999|{}", now + SAMPLE_TTL_MS));
        assert_eq!(draw(&text, now + SAMPLE_TTL_MS - 1), Some(999_999));
        assert_eq!(draw(&text, now + SAMPLE_TTL_MS), None);
        let cfg = |extra: &str| {
            Config::from_json(&format!(r#"{{"endpoint": "/x"{extra}}}"#), None).unwrap()
        };
        for (extra, want) in [
            ("", true),
            (r#", "kiosk_reset_s": 30"#, false),
            (r#", "force": true"#, false),
        ] {
            assert_eq!(kept(&cfg(extra)), want, "{extra}");
        }
    }

    #[test]
    fn marks_and_draws_read_back_and_expire() {
        let now = 1_800_000_000_000;
        let m = Mark::new(now, 1000);
        assert_eq!(Mark::from_text(&m.to_text()), Some(m));
        assert!(m.within_days(1, now + 1000) && !m.within_days(0, now));
        assert!(answered(&m.to_text(), now + 999) && !answered(&m.to_text(), now + 1000));
        let dk = format!("{DISMISSED_PREFIX}{}", fingerprint("s"));
        assert!(stale(&dk, &m.to_text(), now + 1000) && !stale(&dk, &m.to_text(), now));
        let sk = format!("{SAMPLE_PREFIX}{}", fingerprint("s"));
        let value = format!("123|{}", now + 5);
        assert_eq!(draw(&value, now), Some(123));
        assert_eq!(draw(&value, now + 5), None);
        assert_eq!(
            draw(&format!("{DRAW_SCALE}|{}", now + 5), now),
            None,
            "out of range"
        );
        assert!(stale(&sk, "x", now) && !stale(&sk, &value, now));
    }
}
