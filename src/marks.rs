//! What the widget keeps in this browser about a survey, apart from the outbox: the mark
//! that a visit was answered (so it is asked once), and the draft of a response in progress
//! (so a reload continues it instead of starting a second one). Keys hold a fingerprint of
//! the survey and the visit (or page), never a visit id; marks expire after
//! `ANSWERED_TTL_MS`, drafts after `DRAFT_TTL_MS`. Times are wall-clock ms, passed in.

/// Storage keys of answered marks: this prefix and a scope fingerprint.
pub const ANSWERED_PREFIX: &str = "nps:v1:answered:";
/// Storage keys of drafts: this prefix and a scope fingerprint.
pub const DRAFT_PREFIX: &str = "nps:v1:draft:";
/// A visit is asked once for this long.
pub const ANSWERED_TTL_MS: u64 = 90 * 24 * 3600 * 1000;
/// A response in progress is continued after a reload for this long.
pub const DRAFT_TTL_MS: u64 = 24 * 3600 * 1000;

/// A short fingerprint of a text (FNV-1a, 64 bits, in hex): stable, not a secret.
pub fn fingerprint(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// The scope of a survey in this browser: the visit when the page has one, else the page.
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

/// True when an answered mark written at `value` (ms) still holds at `now`.
pub fn answered(value: &str, now: u64) -> bool {
    value
        .parse::<u64>()
        .is_ok_and(|at| now.saturating_sub(at) < ANSWERED_TTL_MS)
}

/// Whether a stored key of this module is to be removed at `now`: an expired mark or
/// draft, or one of an earlier format (those held the visit id in the key).
pub fn stale(key: &str, value: &str, now: u64) -> bool {
    if let Some(rest) = key.strip_prefix(ANSWERED_PREFIX) {
        return !is_fingerprint(rest) || !answered(value, now);
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

/// A response in progress: continued by the next page of the same scope. Stored as one
/// line, `id|created_at|score|at` (no JSON parser needed to read it back).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    pub id: String,
    /// The response's `created_at`.
    pub created_at: String,
    /// The score chosen so far.
    pub score: u8,
    /// When it was written (wall-clock ms).
    pub at: u64,
}

impl Draft {
    /// The stored form.
    pub fn to_text(&self) -> String {
        format!("{}|{}|{}|{}", self.id, self.created_at, self.score, self.at)
    }

    /// Reads the stored form; `None` if it is not one.
    pub fn from_text(text: &str) -> Option<Draft> {
        let mut parts = text.split('|');
        let (id, created_at) = (parts.next()?, parts.next()?);
        let score: u8 = parts.next()?.parse().ok()?;
        let at: u64 = parts.next()?.parse().ok()?;
        // The widget wrote it: a shape check is enough (and keeps the UUID and date parsers
        // out of the wasm); a collector still checks the id and the time of every post.
        let valid = crate::rules::looks_like_id(id)
            && crate::rules::looks_like_time(created_at)
            && score <= crate::rules::MAX_SCORE
            && parts.next().is_none();
        valid.then(|| Draft {
            id: id.to_owned(),
            created_at: created_at.to_owned(),
            score,
            at,
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
            score: 3,
            at: now,
        };
        assert_eq!(Draft::from_text(&d.to_text()), Some(d.clone()));
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
}
