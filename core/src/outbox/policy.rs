//! The outbox's policies, each a pure function with its own table test: how long to wait
//! (`backoff_ms`), what a status means (`classify`), who may flush (`lease`), and what to do
//! with the stored copy of a response (`storage_action`).

use super::Entry;

/// Longest wait between tries.
pub const MAX_BACKOFF_MS: u64 = 60_000;
/// How long a flusher lease lasts without renewal (the fallback where Web Locks are missing).
pub const LEASE_MS: u64 = 15_000;

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
    /// The visit has another answer (410): final like a success, reported as such.
    Answered,
}

/// 2xx done; 410 answered (one answer per visit: the collector keeps the first); 400, 401,
/// 403, 413, 422 dead (the endpoint refuses this body or this page for
/// good); everything else (408, 409, 425, 429, 5xx, other 4xx) retried.
pub fn classify(code: u16) -> Class {
    match code {
        200..=299 => Class::Success,
        400 | 401 | 403 | 413 | 422 => Class::Dead,
        410 => Class::Answered,
        _ => Class::Retry,
    }
}

/// The lease fallback for "one flusher at a time": `stored` is the lease in storage
/// (`"owner|expires_ms"`), `me` this tab's token, `now` the wall clock (tabs share no other).
/// Returns the lease to write when this tab may flush now (taking or renewing it), `None`
/// while another tab holds it. A lease that ends further away than `LEASE_MS` was written
/// before the clock was set back, and counts as expired.
pub fn lease(stored: Option<&str>, me: &str, now: u64) -> Option<String> {
    let held_by_other = stored
        .and_then(|s| s.split_once('|'))
        .and_then(|(owner, until)| Some((owner, until.parse::<u64>().ok()?)))
        .is_some_and(|(owner, until)| owner != me && until > now && until <= now + LEASE_MS);
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
/// the body this tab just removed (delivered, refused, or given up after 7 days), and
/// `owner` is true in the tab that created the response.
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
        // The tab that created the response writes its content, whatever is stored.
        (Some(_), _) if owner => StorageAction::Write,
        // Another tab writes only bookkeeping (attempts, next try) over the same body.
        (Some(m), Some(s)) if s.body == m.body => StorageAction::Write,
        // It was refused exactly what is stored: the dead letter replaces it, body and all.
        (Some(m), Some(s)) if m.dead.is_some() && removed_body == Some(s.body.as_str()) => {
            StorageAction::Write
        }
        // It removed exactly what is stored: delivered (or given up), so delete it.
        (None, Some(s)) if removed_body == Some(s.body.as_str()) => StorageAction::Delete,
        // Anything else is another tab's newer content, or already gone: leave it.
        _ => StorageAction::Keep,
    }
}
