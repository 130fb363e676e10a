//! The outbox: what to send when, and what to keep. Pure: time, randomness and HTTP
//! results are passed in; the shell persists entries and does the I/O.
//!
//! ```text
//!  put ──▶ Pending(next_at = now) ──due──▶ InFlight(version)
//!             ▲      ▲                        │
//!             │      └── retryable: backoff ──┤  408 409 425 429 5xx, network error, timeout
//!             │                               │
//!             └── newer version was put ◀─────┤  2xx for an older version
//!                                             ├─ 2xx for the current version ──▶ removed (delivered)
//!                                             ├─ 400 413 422 ──▶ Dead (kept, reported, never retried)
//!                                             └─ older than 7 days ──▶ removed (given up, reported)
//! ```
//!
//! Invariants: an entry is removed only by a 2xx for its current version, or by giving up
//! after 7 days (reported). A put of a lower stage rank than the stored one changes nothing.
//! A beacon never removes anything.

use std::collections::BTreeMap;

use serde_json::Value;

/// Largest body kept, in bytes.
pub const MAX_ENTRY_BYTES: usize = 32 * 1024;
/// Most entries kept at once.
pub const MAX_ENTRIES: usize = 50;
/// After this long an entry is given up (and reported).
pub const GIVE_UP_MS: u64 = 7 * 24 * 3600 * 1000;
/// A post with no answer by then counts as a timeout.
pub const TIMEOUT_MS: u64 = 15_000;
/// Longest wait between tries.
pub const MAX_BACKOFF_MS: u64 = 60_000;
/// Longest `Retry-After` honoured.
pub const MAX_RETRY_AFTER_MS: u64 = 300_000;

/// Where a response goes: the endpoint and the extra headers from config.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Target {
    pub endpoint: String,
    pub headers: Vec<(String, String)>,
}

/// One response waiting to be acknowledged. Stored as JSON by `to_json` / `from_json`
/// (written by hand: serde's derived deserializer costs the wasm more than it earns).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub target: Target,
    /// The JSON body to post.
    pub body: String,
    /// Stage rank of the body (see `payload::Stage::rank`).
    pub rank: u8,
    /// Bumped on every put; a 2xx removes the entry only for the current version.
    pub version: u64,
    /// Failed tries since the last put.
    pub attempts: u32,
    /// Earliest time of the next try (ms since the epoch).
    pub next_at: u64,
    /// When the entry was first put.
    pub first_at: u64,
    /// Why the endpoint refused it for good (400, 413, 422).
    pub dead: Option<String>,
    /// The version on the wire, if any (not persisted: reset on load).
    pub in_flight: Option<u64>,
}

impl Entry {
    /// The stored form.
    pub fn to_json(&self) -> String {
        let headers: Vec<Value> = self
            .target
            .headers
            .iter()
            .map(|(k, v)| Value::from(vec![k.as_str(), v.as_str()]))
            .collect();
        crate::obj! {
            "id" => self.id.clone(), "endpoint" => self.target.endpoint.clone(), "headers" => headers,
            "body" => self.body.clone(), "rank" => self.rank, "version" => self.version,
            "attempts" => self.attempts, "next_at" => self.next_at, "first_at" => self.first_at,
            "dead" => self.dead.clone(),
        }
        .to_string()
    }

    /// Reads the stored form; `None` if it is not one.
    pub fn from_json(text: &str) -> Option<Entry> {
        Entry::from_value(&serde_json::from_str(text).ok()?)
    }

    /// Reads the stored form, already parsed.
    pub fn from_value(v: &Value) -> Option<Entry> {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        let n = |k: &str| v.get(k).and_then(Value::as_u64);
        let headers = match v.get("headers") {
            Some(Value::Array(items)) => items
                .iter()
                .map(|h| {
                    Some((
                        h.get(0)?.as_str()?.to_owned(),
                        h.get(1)?.as_str()?.to_owned(),
                    ))
                })
                .collect::<Option<Vec<_>>>()?,
            _ => Vec::new(),
        };
        Some(Entry {
            id: s("id")?,
            target: Target {
                endpoint: s("endpoint")?,
                headers,
            },
            body: s("body")?,
            rank: u8::try_from(n("rank")?).ok()?,
            version: n("version")?,
            attempts: u32::try_from(n("attempts")?).ok()?,
            next_at: n("next_at")?,
            first_at: n("first_at")?,
            dead: s("dead"),
            in_flight: None,
        })
    }
}

/// How long a flusher lease lasts without renewal (the fallback where Web Locks are missing).
pub const LEASE_MS: u64 = 15_000;

/// The lease fallback for "one flusher at a time": `stored` is the lease in storage
/// (`"owner|expires_ms"`), `me` this tab's token. Returns the lease to write when this tab
/// may flush now (taking or renewing it), `None` while another tab holds it.
pub fn lease(stored: Option<&str>, me: &str, now: u64) -> Option<String> {
    let held_by_other = stored
        .and_then(|s| s.split_once('|'))
        .and_then(|(owner, until)| Some((owner, until.parse::<u64>().ok()?)))
        .is_some_and(|(owner, until)| owner != me && until > now);
    (!held_by_other).then(|| format!("{me}|{}", now + LEASE_MS))
}

/// What to do with the stored copy of a response after this tab changed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StorageAction {
    /// Write this tab's entry.
    Write,
    /// Delete the stored entry: it is the one this tab just removed.
    Delete,
    /// Leave storage alone: it holds another tab's content, or nothing.
    Keep,
}

/// Decides the storage write for one id, so that two tabs never undo each other. `stored`
/// is what storage holds now, `mine` this tab's entry (if it still has one), `removed_body`
/// the body this tab just removed (delivered, or given up after 7 days), and `owner` is true
/// in the tab that created the response.
///
/// Only the owner writes new content. Any other tab (a second tab, or a later page that
/// restored the entry) may only update its bookkeeping over an identical stored body, or
/// delete the stored body it just delivered. Version numbers cannot order two tabs' writes:
/// they start again at 1 when a delivered response is put again.
pub fn storage_action(
    stored: Option<&Entry>,
    mine: Option<&Entry>,
    removed_body: Option<&str>,
    owner: bool,
) -> StorageAction {
    match (mine, stored) {
        (Some(_), _) if owner => StorageAction::Write,
        (Some(m), Some(s)) if s.body == m.body => StorageAction::Write,
        (None, Some(s)) if removed_body == Some(s.body.as_str()) => StorageAction::Delete,
        _ => StorageAction::Keep,
    }
}

/// Why a put was refused. Nothing is evicted to make room.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PutError {
    /// The body is over `MAX_ENTRY_BYTES`.
    TooLarge { bytes: usize },
    /// `MAX_ENTRIES` are waiting already.
    Full,
}

/// What a put did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Put {
    /// Stored; persist the entry and send it.
    Stored,
    /// A later stage is stored already; nothing changed.
    Stale,
}

/// What came back from one try.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// An HTTP status, with `Retry-After` in seconds if the response had one.
    Status {
        code: u16,
        retry_after_s: Option<u64>,
    },
    /// The request failed before a response (offline, DNS, reset, CORS).
    NetworkError,
    /// No answer within `TIMEOUT_MS`.
    Timeout,
}

/// What a settle did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Settled {
    /// Acknowledged: the entry is removed; delete it from storage.
    Delivered,
    /// Acknowledged an older version; the newer one goes out next.
    Superseded,
    /// Will try again at `next_at`.
    Retry { next_at: u64 },
    /// Refused for good; kept as a dead letter.
    Dead { reason: String },
    /// Older than 7 days: removed and reported.
    GaveUp,
    /// No such entry or version in flight (e.g. reloaded meanwhile); nothing changed.
    Unknown,
}

/// One post to make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Send {
    pub id: String,
    pub target: Target,
    pub version: u64,
    pub body: String,
}

/// Wait before the next try after `attempts` failures: 1, 2, 4 … 60 s, ±20 % jitter.
/// `unit` is a random number in [0, 1).
pub fn backoff_ms(attempts: u32, unit: f64) -> u64 {
    let base = 1000u64
        .saturating_mul(1 << attempts.saturating_sub(1).min(16))
        .min(MAX_BACKOFF_MS);
    let factor = 0.8 + 0.4 * unit.clamp(0.0, 1.0);
    (base as f64 * factor) as u64
}

/// How a status is handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Success,
    Retry,
    Dead,
}

/// 2xx done; 400, 413, 422 dead; everything else (408, 409, 425, 429, 5xx, other 4xx) retried.
pub fn classify(code: u16) -> Class {
    match code {
        200..=299 => Class::Success,
        400 | 413 | 422 => Class::Dead,
        _ => Class::Retry,
    }
}

/// The entries of one browser profile and origin.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outbox {
    entries: BTreeMap<String, Entry>,
}

impl Outbox {
    pub fn new() -> Outbox {
        Outbox::default()
    }

    /// Restores entries read from storage (e.g. on page load); nothing is in flight, and
    /// everything is due at once. An entry already held is replaced only by a later stage.
    pub fn load(&mut self, stored: impl IntoIterator<Item = Entry>, now: u64) {
        for mut e in stored {
            e.in_flight = None;
            e.next_at = e.next_at.min(now);
            // What this tab holds wins, unless storage has reached a later stage (stage
            // ranks only grow; version numbers restart and cannot be compared across tabs).
            match self.entries.get(&e.id) {
                Some(have) if have.rank >= e.rank => {}
                _ => {
                    self.entries.insert(e.id.clone(), e);
                }
            }
        }
    }

    /// Stores (or updates) a response before its first send. The caller persists
    /// `entry(id)` on `Stored` before sending anything.
    pub fn put(
        &mut self,
        id: &str,
        target: &Target,
        body: String,
        rank: u8,
        now: u64,
    ) -> Result<Put, PutError> {
        if body.len() > MAX_ENTRY_BYTES {
            return Err(PutError::TooLarge { bytes: body.len() });
        }
        let count = self.entries.len();
        match self.entries.get_mut(id) {
            Some(e) if e.rank > rank => Ok(Put::Stale),
            Some(e) => {
                e.body = body;
                e.target = target.clone();
                e.rank = rank;
                e.version += 1;
                e.attempts = 0;
                e.next_at = now;
                e.dead = None;
                Ok(Put::Stored)
            }
            None if count >= MAX_ENTRIES => Err(PutError::Full),
            None => {
                self.entries.insert(
                    id.to_owned(),
                    Entry {
                        id: id.to_owned(),
                        target: target.clone(),
                        body,
                        rank,
                        version: 1,
                        attempts: 0,
                        next_at: now,
                        first_at: now,
                        dead: None,
                        in_flight: None,
                    },
                );
                Ok(Put::Stored)
            }
        }
    }

    /// The posts due now; each is marked in flight until settled.
    pub fn due(&mut self, now: u64) -> Vec<Send> {
        self.due_where(now, |_| true)
    }

    /// The posts due now among the entries `mine` accepts (a tab that is not the flusher
    /// sends only the responses it created); each is marked in flight until settled.
    pub fn due_where(&mut self, now: u64, mine: impl Fn(&str) -> bool) -> Vec<Send> {
        let mut out = Vec::new();
        for e in self.entries.values_mut() {
            if e.dead.is_none() && e.in_flight.is_none() && e.next_at <= now && mine(&e.id) {
                e.in_flight = Some(e.version);
                out.push(Send {
                    id: e.id.clone(),
                    target: e.target.clone(),
                    version: e.version,
                    body: e.body.clone(),
                });
            }
        }
        out
    }

    /// When the next entry that `mine` accepts falls due.
    pub fn next_wake_where(&self, mine: impl Fn(&str) -> bool) -> Option<u64> {
        self.entries
            .values()
            .filter(|e| e.dead.is_none() && e.in_flight.is_none() && mine(&e.id))
            .map(|e| e.next_at)
            .min()
    }

    /// When the next entry falls due, if any is waiting and not in flight.
    pub fn next_wake(&self) -> Option<u64> {
        self.next_wake_where(|_| true)
    }

    /// Records the outcome of a try. `unit` is a random number in [0, 1) for jitter.
    pub fn settle(
        &mut self,
        id: &str,
        version: u64,
        outcome: Outcome,
        now: u64,
        unit: f64,
    ) -> Settled {
        let Some(e) = self.entries.get_mut(id) else {
            return Settled::Unknown;
        };
        if e.in_flight != Some(version) {
            // A reply to a send from before a reload or a resume; only a success counts.
            if let Outcome::Status { code, .. } = outcome {
                if classify(code) == Class::Success && e.version == version {
                    self.entries.remove(id);
                    return Settled::Delivered;
                }
            }
            return Settled::Unknown;
        }
        e.in_flight = None;
        let (code, retry_after_s) = match outcome {
            Outcome::Status {
                code,
                retry_after_s,
            } => (Some(code), retry_after_s),
            _ => (None, None),
        };
        match code.map(classify) {
            Some(Class::Success) if e.version == version => {
                self.entries.remove(id);
                Settled::Delivered
            }
            Some(Class::Success) => {
                e.next_at = now;
                Settled::Superseded
            }
            Some(Class::Dead) => {
                let reason = format!(
                    "the endpoint answered {} and will not accept this response",
                    code.unwrap_or(0)
                );
                e.dead = Some(reason.clone());
                Settled::Dead { reason }
            }
            _ => {
                if now.saturating_sub(e.first_at) >= GIVE_UP_MS {
                    self.entries.remove(id);
                    return Settled::GaveUp;
                }
                e.attempts += 1;
                let wait = match (code, retry_after_s) {
                    (Some(429 | 503), Some(s)) => s.saturating_mul(1000).min(MAX_RETRY_AFTER_MS),
                    _ => backoff_ms(e.attempts, unit),
                };
                e.next_at = now + wait;
                Settled::Retry { next_at: e.next_at }
            }
        }
    }

    /// Makes every waiting entry due now (on `online`, or the page becoming visible).
    pub fn resume(&mut self, now: u64) {
        for e in self.entries.values_mut() {
            if e.dead.is_none() {
                e.next_at = e.next_at.min(now);
            }
        }
    }

    /// Forgets in-flight marks (the page is being hidden or reloaded; replies may never come).
    pub fn abandon_in_flight(&mut self) {
        for e in self.entries.values_mut() {
            e.in_flight = None;
        }
    }

    /// Entries to hand to `sendBeacon` on page hide. Removes nothing: a beacon has no reply.
    pub fn beacon_entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values().filter(|e| e.dead.is_none())
    }

    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.entries.get(id)
    }

    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> Target {
        Target {
            endpoint: "/api/responses".into(),
            headers: vec![],
        }
    }

    fn status(code: u16) -> Outcome {
        Outcome::Status {
            code,
            retry_after_s: None,
        }
    }

    #[test]
    fn backoff_doubles_to_a_cap_with_jitter() {
        let mid: Vec<u64> = (1..=9).map(|a| backoff_ms(a, 0.5)).collect();
        assert_eq!(
            mid,
            [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]
        );
        assert_eq!(backoff_ms(1, 0.0), 800);
        assert_eq!(backoff_ms(1, 0.999_999), 1199);
        assert_eq!(backoff_ms(u32::MAX, 0.5), 60000);
    }

    #[test]
    fn status_classes() {
        let check = |code: u16, want: Class| assert_eq!(classify(code), want, "{code}");
        for c in [200, 201, 204] {
            check(c, Class::Success);
        }
        for c in [400, 413, 422] {
            check(c, Class::Dead);
        }
        for c in [408, 409, 425, 429, 500, 502, 503, 504, 404] {
            check(c, Class::Retry);
        }
    }

    #[test]
    fn a_response_is_sent_at_once_and_removed_on_2xx() {
        let mut o = Outbox::new();
        assert_eq!(o.put("a", &t(), "{}".into(), 0, 100), Ok(Put::Stored));
        let sends = o.due(100);
        assert_eq!(sends.len(), 1);
        assert!(o.due(100).is_empty(), "in flight is not sent twice");
        assert_eq!(o.settle("a", 1, status(201), 150, 0.5), Settled::Delivered);
        assert!(o.is_empty());
    }

    #[test]
    fn failures_back_off_and_honour_retry_after() {
        let mut o = Outbox::new();
        o.put("a", &t(), "{}".into(), 0, 0).unwrap();
        o.due(0);
        assert_eq!(
            o.settle("a", 1, Outcome::NetworkError, 10, 0.5),
            Settled::Retry { next_at: 1010 }
        );
        assert!(o.due(1009).is_empty());
        assert_eq!(o.due(1010).len(), 1);
        assert_eq!(
            o.settle("a", 1, status(500), 1010, 0.5),
            Settled::Retry { next_at: 3010 }
        );
        o.due(3010);
        let ra = Outcome::Status {
            code: 429,
            retry_after_s: Some(30),
        };
        assert_eq!(
            o.settle("a", 1, ra, 3010, 0.5),
            Settled::Retry { next_at: 33010 }
        );
        o.due(33010);
        let huge = Outcome::Status {
            code: 503,
            retry_after_s: Some(99_999),
        };
        assert_eq!(
            o.settle("a", 1, huge, 33010, 0.5),
            Settled::Retry {
                next_at: 33010 + 300_000
            }
        );
        o.resume(40_000);
        assert_eq!(o.next_wake(), Some(40_000));
    }

    #[test]
    fn a_later_stage_survives_the_ack_of_an_earlier_one() {
        let mut o = Outbox::new();
        o.put("a", &t(), "scored".into(), 0, 0).unwrap();
        let s = o.due(0);
        assert_eq!(s[0].version, 1);
        o.put("a", &t(), "completed".into(), 2, 5).unwrap();
        assert!(o.due(5).is_empty(), "one send per id at a time");
        assert_eq!(o.settle("a", 1, status(201), 6, 0.5), Settled::Superseded);
        let s = o.due(6);
        assert_eq!((s[0].version, s[0].body.as_str()), (2, "completed"));
        assert_eq!(o.settle("a", 2, status(200), 7, 0.5), Settled::Delivered);
    }

    #[test]
    fn an_earlier_stage_never_overwrites_a_later_one() {
        let mut o = Outbox::new();
        o.put("a", &t(), "completed".into(), 2, 0).unwrap();
        assert_eq!(o.put("a", &t(), "scored".into(), 0, 1), Ok(Put::Stale));
        assert_eq!(o.entry("a").unwrap().body, "completed");
    }

    #[test]
    fn refused_bodies_become_dead_letters_and_are_never_retried() {
        let mut o = Outbox::new();
        o.put("a", &t(), "{}".into(), 0, 0).unwrap();
        o.due(0);
        assert!(matches!(
            o.settle("a", 1, status(422), 1, 0.5),
            Settled::Dead { .. }
        ));
        o.resume(10);
        assert!(o.due(1_000_000).is_empty());
        assert_eq!(o.len(), 1, "kept, not dropped");
        assert_eq!(o.beacon_entries().count(), 0);
    }

    #[test]
    fn caps_refuse_without_evicting() {
        let mut o = Outbox::new();
        assert_eq!(
            o.put("big", &t(), "x".repeat(MAX_ENTRY_BYTES + 1), 0, 0),
            Err(PutError::TooLarge {
                bytes: MAX_ENTRY_BYTES + 1
            })
        );
        for i in 0..MAX_ENTRIES {
            o.put(&i.to_string(), &t(), "{}".into(), 0, 0).unwrap();
        }
        assert_eq!(
            o.put("one-more", &t(), "{}".into(), 0, 0),
            Err(PutError::Full)
        );
        assert_eq!(
            o.put("3", &t(), "{}".into(), 2, 0),
            Ok(Put::Stored),
            "updating an existing entry still works"
        );
        assert_eq!(o.len(), MAX_ENTRIES);
    }

    #[test]
    fn gives_up_after_seven_days_and_says_so() {
        let mut o = Outbox::new();
        o.put("a", &t(), "{}".into(), 0, 0).unwrap();
        o.due(0);
        assert!(matches!(
            o.settle("a", 1, status(503), GIVE_UP_MS - 1, 0.5),
            Settled::Retry { .. }
        ));
        o.resume(GIVE_UP_MS);
        o.due(GIVE_UP_MS);
        assert_eq!(
            o.settle("a", 1, Outcome::Timeout, GIVE_UP_MS, 0.5),
            Settled::GaveUp
        );
        assert!(o.is_empty());
    }

    #[test]
    fn reload_restores_entries_due_at_once() {
        let mut o = Outbox::new();
        o.put("a", &t(), "{}".into(), 0, 0).unwrap();
        o.due(0);
        o.settle("a", 1, status(500), 0, 0.5);
        let stored: Vec<String> = o.entries().map(Entry::to_json).collect();
        let mut fresh = Outbox::new();
        fresh.load(stored.iter().map(|s| Entry::from_json(s).unwrap()), 500);
        assert_eq!(fresh.due(500).len(), 1);
        assert_eq!(fresh.entry("a").unwrap().attempts, 1);
    }

    #[test]
    fn entries_round_trip_and_junk_is_refused() {
        let mut o = Outbox::new();
        let target = Target {
            endpoint: "https://x.example/api".into(),
            headers: vec![("X-Key".into(), "k".into())],
        };
        o.put("a", &target, "{\"a\":1}".into(), 2, 7).unwrap();
        let e = o.entry("a").unwrap();
        assert_eq!(Entry::from_json(&e.to_json()).as_ref(), Some(e));
        for junk in ["", "[]", "{}", "{\"id\":\"a\"}", "not json"] {
            assert_eq!(Entry::from_json(junk), None, "{junk}");
        }
    }

    #[test]
    fn tabs_never_undo_each_other_in_storage() {
        let mut a = Outbox::new();
        a.put("x", &t(), "v1".into(), 0, 0).unwrap();
        let v1 = a.entry("x").unwrap().clone();
        a.put("x", &t(), "v2".into(), 2, 1).unwrap();
        let v2 = a.entry("x").unwrap().clone();
        // Delivered, then put again: the version number starts over at 1.
        let mut b = Outbox::new();
        b.put("x", &t(), "v3".into(), 0, 2).unwrap();
        let v3 = b.entry("x").unwrap().clone();
        assert_eq!(v3.version, v1.version);
        let mut retried = v1.clone();
        retried.attempts = 3;
        use StorageAction::*;
        let check =
            |stored: Option<&Entry>,
             mine: Option<&Entry>,
             removed: Option<&str>,
             owner: bool,
             want| { assert_eq!(storage_action(stored, mine, removed, owner), want) };
        check(Some(&v2), Some(&v1), None, false, Keep); // a stale tab does not overwrite
        check(Some(&v3), Some(&v1), None, false, Keep); // not even at the same version number
        check(Some(&v1), Some(&retried), None, false, Write); // bookkeeping over the same body
        check(None, Some(&v1), None, false, Keep); // delivered elsewhere: not brought back
        check(Some(&v1), Some(&v2), None, true, Write); // the owner writes its content
        check(Some(&v2), Some(&v3), None, true, Write);
        check(None, Some(&v1), None, true, Write);
        check(Some(&v2), None, Some("v1"), false, Keep); // a stale tab's 2xx does not delete the newer one
        check(Some(&v2), None, Some("v2"), false, Delete);
        check(None, None, Some("v2"), true, Keep);
    }

    #[test]
    fn one_lease_holder_at_a_time() {
        assert_eq!(lease(None, "a", 100).as_deref(), Some("a|15100"));
        assert_eq!(
            lease(Some("a|15100"), "a", 5000).as_deref(),
            Some("a|20000"),
            "renewed by its holder"
        );
        assert_eq!(
            lease(Some("a|15100"), "b", 5000),
            None,
            "held by another tab"
        );
        assert_eq!(
            lease(Some("a|15100"), "b", 15100).as_deref(),
            Some("b|30100"),
            "taken once expired"
        );
        assert_eq!(lease(Some("garbage"), "b", 1).as_deref(), Some("b|15001"));
    }

    #[test]
    fn a_tab_that_is_not_the_flusher_sends_only_its_own() {
        let mut o = Outbox::new();
        o.put("mine", &t(), "{}".into(), 0, 0).unwrap();
        o.put("restored", &t(), "{}".into(), 0, 0).unwrap();
        let sent: Vec<String> = o
            .due_where(0, |id| id == "mine")
            .into_iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(sent, ["mine"]);
        assert_eq!(o.due(0).len(), 1, "the other is still waiting");
    }

    #[test]
    fn a_late_success_for_the_current_version_still_counts() {
        let mut o = Outbox::new();
        o.put("a", &t(), "{}".into(), 0, 0).unwrap();
        o.due(0);
        o.abandon_in_flight();
        assert_eq!(o.settle("a", 1, status(200), 5, 0.5), Settled::Delivered);
        assert_eq!(o.settle("zzz", 1, status(200), 5, 0.5), Settled::Unknown);
    }
}
