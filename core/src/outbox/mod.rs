//! The outbox: what to send when, and what to keep. Pure: time, randomness and HTTP
//! results are passed in. `Outbox` is the state machine of the entries; `driver::Driver`
//! wraps it with the tab's view of storage and other tabs (sans-IO: inputs in, commands
//! out), and the browser shell (`web/sender.rs`) only carries out its commands.
//!
//! - `entry.rs`: `Entry`, `Target`, `Post` and the stored form;
//! - `policy.rs`: backoff, status classes, the flusher lease, the storage decision table;
//! - `driver.rs`: the sans-IO driver;
//! - `update.rs`: each try's method and URL (`update: "patch"`: POST, then PATCH `{endpoint}/{id}`).
//!
//! ```text
//!  put ──▶ Pending(next_at = now) ──due──▶ InFlight(version)
//!             ▲      ▲                        │
//!             │      └── retryable: backoff ──┤  408 409 425 429 5xx, network error, timeout
//!             │                               │
//!             └── newer version was put ◀─────┤  2xx for an older version
//!                                             ├─ 2xx for the current version ──▶ removed (delivered)
//!                                             ├─ 410 ──▶ removed (the visit has another answer)
//!                                             ├─ 400 401 403 413 422 ──▶ Dead (reported, never retried)
//!                                             └─ waited 7 days ──▶ removed (given up, reported)
//!  Dead ── 24 h, or more than 10 dead ──▶ removed (reported)
//! ```
//!
//! Time is the caller's monotonic clock (`performance.now()` in a page): retry times are
//! relative to it, and each entry counts the time it has waited (`waited_ms`) only while a
//! page holds it, so no change of the wall clock can stall a retry or make an answer look
//! old. A dead letter keeps no body (no phone stays on the device), and does not count
//! toward `MAX_ENTRIES`, so refusals never block a new answer.
//!
//! Invariants: an entry is removed only by a 2xx for its current version, a 410 (the visit is
//! answered by another response: final), or by giving up after 7 days of waiting (reported). A put of a lower stage rank than the stored one
//! changes nothing. A beacon never removes anything.

mod driver;
mod entry;
mod policy;
pub mod update;

use std::collections::BTreeMap;
use std::fmt;

pub use driver::{
    entry_key, Command, Delay, Driver, Env, Flusher, Input, Status, CREATED_KEY, ENTRY_PREFIX,
    LEASE_KEY, LOCK_NAME,
};
pub use entry::{Entry, Post, Request, Target};
pub use policy::{
    backoff_ms, classify, lease, storage_action, Class, StorageAction, LEASE_MS, MAX_BACKOFF_MS,
};
pub use update::Method;

/// Largest body kept, in bytes.
pub const MAX_ENTRY_BYTES: usize = 32 * 1024;
/// Most entries waiting to be sent at once (dead letters are not counted).
pub const MAX_ENTRIES: usize = 50;
/// After waiting this long an entry is given up (and reported).
pub const GIVE_UP_MS: u64 = 7 * 24 * 3600 * 1000;
/// A dead letter is removed after this long (it was reported when it died).
pub const DEAD_TTL_MS: u64 = 24 * 3600 * 1000;
/// Most dead letters kept; the oldest go first.
pub const MAX_DEAD: usize = 10;
/// A post with no answer by then counts as a timeout.
pub const TIMEOUT_MS: u64 = 15_000;
/// Longest `Retry-After` honoured.
pub const MAX_RETRY_AFTER_MS: u64 = 300_000;

/// Why a put was refused. Nothing is evicted to make room.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PutError {
    /// The body is over `MAX_ENTRY_BYTES`.
    TooLarge { bytes: usize },
    /// `MAX_ENTRIES` are waiting already.
    Full,
}

impl fmt::Display for PutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PutError::TooLarge { bytes } => write!(
                f,
                "the response is {bytes} bytes; at most {MAX_ENTRY_BYTES} are kept"
            ),
            PutError::Full => write!(
                f,
                "{MAX_ENTRIES} responses are waiting to be sent already; this one was not queued"
            ),
        }
    }
}

impl std::error::Error for PutError {}

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
pub enum Reply {
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
    /// The endpoint keeps another answer for this visit (410): removed, never retried.
    Answered,
    /// Waited 7 days: removed and reported.
    GaveUp,
    /// No such entry or version in flight (e.g. reloaded meanwhile); nothing changed.
    Unknown,
}

/// The entries of one browser profile and origin.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outbox {
    entries: BTreeMap<String, Entry>,
    /// The monotonic time last seen by `advance`.
    seen: Option<u64>,
    /// Responses delivered while the endpoint held them (`Entry::created`), newest last: a
    /// later stage of one is a PATCH from its first try.
    created: Vec<String>,
}

impl Outbox {
    pub fn new() -> Outbox {
        Outbox::default()
    }

    /// Counts the time since the last call as waited by every entry (time runs only while
    /// a page holds the entries; `now` is monotonic).
    pub fn advance(&mut self, now: u64) {
        let elapsed = self.seen.map_or(0, |s| now.saturating_sub(s));
        self.seen = Some(now);
        for e in self.entries.values_mut() {
            e.waited_ms = e.waited_ms.saturating_add(elapsed);
        }
    }

    /// Restores entries read from storage (e.g. on page load); nothing is in flight, and
    /// everything is due at once (a stored retry time belongs to another page's clock). An
    /// entry already held is replaced only by a later stage.
    pub fn load(&mut self, stored: impl IntoIterator<Item = Entry>, now: u64) {
        for mut e in stored {
            e.in_flight = None;
            e.next_at = now;
            // What this tab holds wins, unless storage has reached a later stage (stage
            // ranks only grow; version numbers restart and cannot be compared across tabs),
            // or holds a live version of what this tab has only as a dead letter (another
            // tab put it again).
            match self.entries.get(&e.id) {
                Some(have) if have.rank >= e.rank && (have.dead.is_none() || e.dead.is_some()) => {}
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
        let count = self.entries.values().filter(|e| e.dead.is_none()).count();
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
            // A dead letter is made live again by a later stage of its response.
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
                        waited_ms: 0,
                        dead: None,
                        in_flight: None,
                        created: self.created.iter().any(|c| c == id),
                    },
                );
                Ok(Put::Stored)
            }
        }
    }

    /// The posts due now; each is marked in flight until settled.
    pub fn due(&mut self, now: u64) -> Vec<Post> {
        self.due_where(now, |_| true)
    }

    /// The posts due now among the entries `mine` accepts (a tab that is not the flusher
    /// sends only the responses it created); each is marked in flight until settled.
    pub fn due_where(&mut self, now: u64, mine: impl Fn(&str) -> bool) -> Vec<Post> {
        let mut out = Vec::new();
        for e in self.entries.values_mut() {
            if e.dead.is_none() && e.in_flight.is_none() && e.next_at <= now && mine(&e.id) {
                e.in_flight = Some(e.version);
                out.push(e.post());
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
    pub fn settle(&mut self, id: &str, version: u64, reply: Reply, now: u64, unit: f64) -> Settled {
        let Some(e) = self.entries.get_mut(id) else {
            return Settled::Unknown;
        };
        // Whatever version it carried, the reply tells whether the endpoint holds the response
        // (one try is on the wire at a time, so it went as the entry's state says).
        let sent = Method::of(e.target.update, e.created);
        e.created = update::created_after(e.target.update, sent, e.created, reply);
        let delivered =
            matches!(reply, Reply::Status { code, .. } if classify(code) == Class::Success);
        if delivered && e.version == version {
            if e.created {
                update::remember(&mut self.created, id);
            }
            // A reply to a send from before a reload or a resume counts too.
            self.entries.remove(id);
            return Settled::Delivered;
        }
        if e.in_flight != Some(version) {
            return Settled::Unknown;
        }
        e.in_flight = None;
        // Any answer for an older version: the newer one goes out now and is judged on its
        // own (a refusal, a failure or a week of waiting of the old body says nothing of it).
        if e.version != version {
            e.next_at = now;
            return Settled::Superseded;
        }
        let (code, retry_after_s) = match reply {
            Reply::Status {
                code,
                retry_after_s,
            } => (Some(code), retry_after_s),
            _ => (None, None),
        };
        match code.map(classify) {
            Some(Class::Answered) => {
                self.entries.remove(id);
                Settled::Answered
            }
            Some(Class::Dead) => {
                let reason = format!(
                    "the endpoint answered {} and will not accept this response",
                    code.unwrap_or(0)
                );
                // Nothing to send again, so nothing personal is kept: no body, no headers.
                e.dead = Some(reason.clone());
                e.body.clear();
                e.target.headers.clear();
                e.waited_ms = 0;
                Settled::Dead { reason }
            }
            _ => {
                if e.waited_ms >= GIVE_UP_MS {
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

    /// Removes dead letters past `DEAD_TTL_MS`, and the oldest beyond `MAX_DEAD`; returns
    /// their ids.
    pub fn expire_dead(&mut self) -> Vec<String> {
        let mut gone = Vec::new();
        loop {
            // The oldest dead letter, and how many there are (no sort: it costs the wasm).
            let (mut count, mut oldest) = (0, None::<&Entry>);
            for e in self.entries.values().filter(|e| e.dead.is_some()) {
                count += 1;
                if oldest.is_none_or(|o| e.waited_ms > o.waited_ms) {
                    oldest = Some(e);
                }
            }
            match oldest {
                Some(e) if count > MAX_DEAD || e.waited_ms >= DEAD_TTL_MS => {
                    let id = e.id.clone();
                    self.entries.remove(&id);
                    gone.push(id);
                }
                _ => return gone,
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
mod tests;
