//! Sign-in throttling: growing delays after repeated failures, never a lock an attacker can
//! make permanent. Failures are counted under three keys (`keys`):
//!
//! | key                         | policy    | what it stops                                    |
//! |-----------------------------|-----------|--------------------------------------------------|
//! | an account from one client  | `PAIR`    | one client guessing one account: doubling to 15 min |
//! | a client                    | `CLIENT`  | one client guessing many accounts: doubling to 15 min |
//! | an account, from anywhere   | `ACCOUNT` | many clients guessing one account: loose, 30 s at most |
//!
//! The account alone only ever waits `ACCOUNT.cap_s`, so whoever guesses an account from
//! wherever, its owner signing in from another client gets in within half a minute; the long
//! delays fall on the guessing client (an account is the email as the store keys it, a
//! client `net::limit_key` of the client's address).
//!
//! The decision is one pure function, `decide(policy, seen, now)`:
//!
//! ```text
//! failures ≤ free                          → Allowed
//! failures > free, now − last ≥ wait(n)    → Allowed      wait(n) = min(base · 2^(n−free−1), cap)
//! failures > free, now − last < wait(n)    → Wait(wait(n) − (now − last), rounded up to a second)
//! now − last ≥ forget                      → Allowed, and the failures are forgotten
//! ```
//!
//! `Throttle` keeps the counts in this collector's memory (docs/SCALING.md says what that
//! means for a fleet), `MAX_KEYS` of them at most: when full, what is forgotten is the
//! entries with the fewest failures, failed longest ago, never the ones being decided. An attempt is counted as a
//! failure before the password is checked (`attempt`), so that parallel guesses meet the
//! delay too; a right password takes it back (`succeeded`: the account's counts are cleared,
//! the client's loses the one attempt); a wrong one moves the failure's time to its answer
//! (`failed`), so the delay counts from there.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// How one kind of key is throttled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Failures without any delay.
    pub free: u32,
    /// The first delay, in seconds; each failure after it doubles it.
    pub base_s: u64,
    /// The longest delay, in seconds.
    pub cap_s: u64,
    /// After this many seconds without a failure, the failures are forgotten.
    pub forget_s: u64,
}

/// An account from one client: 5 failures free, then 1 s, 2 s, 4 s, … up to 15 minutes.
pub const PAIR: Policy = Policy {
    free: 5,
    base_s: 1,
    cap_s: 15 * 60,
    forget_s: 3600,
};

/// An account from any client: 20 failures free, then 1 s, 2 s, … up to 30 s, so that
/// guesses from many clients cannot keep its owner out for longer than that.
pub const ACCOUNT: Policy = Policy {
    free: 20,
    base_s: 1,
    cap_s: 30,
    forget_s: 3600,
};

/// A client (an IPv4 address, an IPv6 /64): an office behind one address signs in for many
/// people, so 20 failures free, then the same doubling up to 15 minutes.
pub const CLIENT: Policy = Policy {
    free: 20,
    base_s: 1,
    cap_s: 15 * 60,
    forget_s: 3600,
};

/// The keys an entry is kept under at most, in all: past it, the entries with the fewest
/// failures, failed longest ago, are forgotten (a tenth of them at once, so that a full map
/// is not sorted at every attempt).
pub const MAX_KEYS: usize = 100_000;

/// What a key has done: its failures and when the last one was (ns since the epoch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seen {
    pub failures: u32,
    pub last_ns: i64,
}

/// Whether a sign-in may be tried now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Not before this many seconds (at least 1).
    Wait(u64),
}

/// The delay after `failures` failures (0 while free).
pub fn delay_s(policy: &Policy, failures: u32) -> u64 {
    if failures <= policy.free {
        return 0;
    }
    let doublings = (failures - policy.free - 1).min(63);
    policy
        .base_s
        .saturating_mul(1u64 << doublings)
        .min(policy.cap_s)
}

/// The failures that still count at `now_ns`.
fn counted(policy: &Policy, seen: Option<Seen>, now_ns: i64) -> Option<Seen> {
    seen.filter(|s| elapsed_s(s.last_ns, now_ns) < policy.forget_s)
}

fn elapsed_s(last_ns: i64, now_ns: i64) -> u64 {
    u64::try_from(now_ns.saturating_sub(last_ns).max(0)).unwrap_or(0) / 1_000_000_000
}

/// May a key with this record try now?
pub fn decide(policy: &Policy, seen: Option<Seen>, now_ns: i64) -> Verdict {
    let Some(s) = counted(policy, seen, now_ns) else {
        return Verdict::Allowed;
    };
    let wait_ns = delay_s(policy, s.failures).saturating_mul(1_000_000_000);
    let passed_ns = u64::try_from(now_ns.saturating_sub(s.last_ns).max(0)).unwrap_or(0);
    if passed_ns >= wait_ns {
        Verdict::Allowed
    } else {
        Verdict::Wait((wait_ns - passed_ns).div_ceil(1_000_000_000).max(1))
    }
}

/// The record after one more failure at `now_ns`.
pub fn failed(policy: &Policy, seen: Option<Seen>, now_ns: i64) -> Seen {
    let before = counted(policy, seen, now_ns).map_or(0, |s| s.failures);
    Seen {
        failures: before.saturating_add(1),
        last_ns: now_ns,
    }
}

/// A key the throttle counts under.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    /// An account: the email as the store keys it (`storage::email_key`).
    Account(String),
    /// An account from one client (`None`: a client whose address is not known).
    Pair(String, Option<IpAddr>),
    /// A client: `net::limit_key` of its address.
    Client(IpAddr),
}

impl Key {
    fn policy(&self) -> &'static Policy {
        match self {
            Key::Account(_) => &ACCOUNT,
            Key::Pair(..) => &PAIR,
            Key::Client(_) => &CLIENT,
        }
    }
}

/// The keys a sign-in to `account` (`storage::email_key`) from `client` (`net::limit_key`)
/// is counted under.
pub fn keys(account: String, client: Option<IpAddr>) -> Vec<Key> {
    let mut keys = vec![Key::Pair(account.clone(), client), Key::Account(account)];
    keys.extend(client.map(Key::Client));
    keys
}

/// The counts of this collector, behind one lock (a sign-in is rare; the lock is held for a
/// few map operations, never across the password check).
pub struct Throttle {
    seen: Mutex<HashMap<Key, Seen>>,
    /// The most entries kept (`MAX_KEYS`).
    room: usize,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle::with_room(MAX_KEYS)
    }
}

/// Makes room for `keep` in `seen` (at most `room` entries): first what is forgotten anyway,
/// then the entries with the fewest failures, the ones failed longest ago first, down to nine
/// tenths of `room`, never one of `keep`. A flood of fresh keys (one failure each) evicts
/// itself before a guessed account's record.
fn make_room(seen: &mut HashMap<Key, Seen>, keep: &[Key], room: usize, now_ns: i64) {
    if seen.len() + keep.len() <= room {
        return;
    }
    seen.retain(|k, s| counted(k.policy(), Some(*s), now_ns).is_some());
    let excess = (seen.len() + keep.len()).saturating_sub(room - room / 10);
    if excess == 0 {
        return;
    }
    let mut old: Vec<(u32, i64, Key)> = seen
        .iter()
        .filter(|(k, _)| !keep.contains(k))
        .map(|(k, s)| (s.failures, s.last_ns, k.clone()))
        .collect();
    if excess < old.len() {
        old.select_nth_unstable_by_key(excess, |(failures, last_ns, _)| (*failures, *last_ns));
        old.truncate(excess);
    }
    tracing::warn!(
        keys = seen.len(),
        forgotten = old.len(),
        "the sign-in throttle is full: the entries failed longest ago are forgotten"
    );
    for (_, _, k) in old {
        seen.remove(&k);
    }
}

/// The longest wait any of `keys` has to sit out at `now_ns`, if any.
fn longest_wait(seen: &HashMap<Key, Seen>, keys: &[Key], now_ns: i64) -> Option<u64> {
    keys.iter()
        .filter_map(|k| match decide(k.policy(), seen.get(k).copied(), now_ns) {
            Verdict::Wait(s) => Some(s),
            Verdict::Allowed => None,
        })
        .max()
}

impl Throttle {
    /// A throttle that keeps at most `room` entries.
    pub fn with_room(room: usize) -> Self {
        Throttle {
            seen: Mutex::default(),
            room,
        }
    }

    /// A sign-in attempt by these keys at `now_ns`: allowed (and counted as a failure until
    /// `succeeded` says otherwise), or the longest wait any of them has to sit out.
    pub fn attempt(&self, keys: &[Key], now_ns: i64) -> Result<(), u64> {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = longest_wait(&seen, keys, now_ns) {
            return Err(s);
        }
        make_room(&mut seen, keys, self.room, now_ns);
        for k in keys {
            let next = failed(k.policy(), seen.get(k).copied(), now_ns);
            seen.insert(k.clone(), next);
        }
        Ok(())
    }

    /// The attempt of these keys was a wrong password, answered at `now_ns`: their delay
    /// counts from the answer (the password check takes a while).
    pub fn failed(&self, keys: &[Key], now_ns: i64) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        for k in keys {
            if let Some(s) = seen.get_mut(k) {
                s.last_ns = s.last_ns.max(now_ns);
            }
        }
    }

    /// The attempt of these keys was a right password: the account starts afresh, the client
    /// loses the one failure `attempt` counted.
    pub fn succeeded(&self, keys: &[Key]) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        for k in keys {
            match k {
                Key::Account(_) | Key::Pair(..) => {
                    seen.remove(k);
                }
                Key::Client(_) => {
                    if let Some(s) = seen.get_mut(k) {
                        s.failures = s.failures.saturating_sub(1);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000_000;

    #[test]
    fn the_delay_doubles_after_the_free_failures_up_to_the_cap() {
        let table: &[(u32, u64)] = &[
            (0, 0),
            (5, 0),
            (6, 1),
            (7, 2),
            (8, 4),
            (10, 16),
            (14, 256),
            (15, 512),
            (16, 900),
            (40, 900),
            (u32::MAX, 900),
        ];
        for &(failures, want) in table {
            assert_eq!(delay_s(&PAIR, failures), want, "{failures} failures");
        }
        // The account alone: many free failures, then a short delay that never grows long.
        assert_eq!(delay_s(&ACCOUNT, 20), 0);
        assert_eq!(delay_s(&ACCOUNT, 21), 1);
        assert_eq!(delay_s(&ACCOUNT, 25), 16);
        assert_eq!(delay_s(&ACCOUNT, 26), 30);
        assert_eq!(delay_s(&ACCOUNT, u32::MAX), 30);
        assert_eq!(delay_s(&CLIENT, 20), 0);
        assert_eq!(delay_s(&CLIENT, 21), 1);
        assert_eq!(delay_s(&CLIENT, 40), 900);
    }

    #[test]
    fn a_key_waits_out_its_delay_and_is_forgotten_after_a_quiet_hour() {
        let seen = |failures, ago_s: i64| {
            Some(Seen {
                failures,
                last_ns: 10_000 * S - ago_s * S,
            })
        };
        let now = 10_000 * S;
        // (record, verdict): the wait is counted from the last failure.
        let table: &[(Option<Seen>, Verdict)] = &[
            (None, Verdict::Allowed),
            (seen(5, 0), Verdict::Allowed),
            (seen(6, 0), Verdict::Wait(1)),
            (seen(6, 1), Verdict::Allowed),
            (seen(8, 1), Verdict::Wait(3)),
            (seen(8, 4), Verdict::Allowed),
            (seen(30, 0), Verdict::Wait(900)),
            (seen(30, 899), Verdict::Wait(1)),
            (seen(30, 900), Verdict::Allowed),
            (seen(30, 3599), Verdict::Allowed),
            (seen(1000, 3600), Verdict::Allowed),
        ];
        for &(record, want) in table {
            assert_eq!(decide(&PAIR, record, now), want, "{record:?}");
        }
        // The account alone, however many failures from however many clients: half a minute
        // at the most, counted from the last one.
        let table: &[(Option<Seen>, Verdict)] = &[
            (seen(20, 0), Verdict::Allowed),
            (seen(21, 0), Verdict::Wait(1)),
            (seen(100, 0), Verdict::Wait(30)),
            (seen(100_000, 0), Verdict::Wait(30)),
            (seen(u32::MAX, 29), Verdict::Wait(1)),
            (seen(u32::MAX, 30), Verdict::Allowed),
        ];
        for &(record, want) in table {
            assert_eq!(decide(&ACCOUNT, record, now), want, "{record:?}");
        }
        // A part of a second still to wait is a whole second.
        let half = Some(Seen {
            failures: 6,
            last_ns: now - S / 2,
        });
        assert_eq!(decide(&PAIR, half, now), Verdict::Wait(1));
        // A failure counts on from the record, or from nothing after a quiet hour.
        assert_eq!(failed(&PAIR, seen(7, 10), now).failures, 8);
        assert_eq!(failed(&PAIR, seen(7, 3600), now).failures, 1);
        assert_eq!(failed(&PAIR, None, now).last_ns, now);
    }

    /// An attacker guesses from one client as fast as the throttle lets them, for a day; the
    /// account's owner, from another client, never waits more than `ACCOUNT.cap_s`.
    #[test]
    fn an_attacker_on_one_client_never_locks_the_owner_out() {
        let t = Throttle::default();
        let account = || "li@brand.example".to_owned();
        let attacker = keys(account(), Some("198.51.100.7".parse().unwrap()));
        let owner = keys(account(), Some("192.0.2.7".parse().unwrap()));
        let mut tried = 0;
        let mut longest = 0;
        for second in 0..24 * 3600 {
            let now = second * S;
            if t.attempt(&attacker, now).is_ok() {
                t.failed(&attacker, now);
                tried += 1;
            }
            // What the owner would meet at this moment (not counted: they have not tried).
            let seen = t.seen.lock().unwrap();
            longest = longest.max(longest_wait(&seen, &owner, now).unwrap_or(0));
        }
        assert!(longest <= ACCOUNT.cap_s, "the owner waits {longest} s");
        assert_eq!(t.attempt(&owner, 24 * 3600 * S + S * 30), Ok(()));
        // The attacker, meanwhile, met the long delays: about one guess in 15 minutes.
        assert!(tried < 24 * 4 + 20, "{tried} guesses");
    }

    /// Filling the throttle with fresh keys does not reset a guessed account's delay: the
    /// entries with the fewest failures go first, the ones failed longest ago among them.
    #[test]
    fn a_full_throttle_forgets_fresh_keys_not_a_guessed_account() {
        let t = Throttle::with_room(30);
        let target = keys(
            "li@brand.example".into(),
            Some("198.51.100.7".parse().unwrap()),
        );
        let now = 1_000 * S;
        for _ in 0..=PAIR.free {
            assert_eq!(t.attempt(&target, now), Ok(()));
        }
        assert_eq!(t.attempt(&target, now), Err(1));
        // Another client fills the map with guesses at other accounts, later than the target's.
        for n in 0..100 {
            let filler = keys(format!("guess{n}@brand.example"), None);
            assert_eq!(t.attempt(&filler, now + S / 2), Ok(()));
            assert!(t.seen.lock().unwrap().len() <= 30);
        }
        // The target's record is kept, though older than every filler.
        assert_eq!(t.attempt(&target, now + S / 2), Err(1));
        // Among entries of one failure, the ones failed longest ago go first.
        let later = keys("late@brand.example".into(), None);
        assert_eq!(t.attempt(&later, now + S), Ok(()));
        for n in 0..10 {
            let filler = keys(format!("more{n}@brand.example"), None);
            assert_eq!(t.attempt(&filler, now + 2 * S), Ok(()));
        }
        assert!(t.seen.lock().unwrap().contains_key(&later[0]));
    }

    #[test]
    fn parallel_attempts_meet_the_delay_and_a_right_password_clears_the_account() {
        let t = Throttle::default();
        let keys = keys(
            "li@brand.example".into(),
            Some("192.0.2.7".parse().unwrap()),
        );
        let now = 1_000 * S;
        for _ in 0..PAIR.free {
            assert_eq!(t.attempt(&keys, now), Ok(()));
        }
        // The sixth, at the same moment, is the first to wait: no password was checked.
        assert_eq!(t.attempt(&keys, now), Ok(()));
        assert_eq!(t.attempt(&keys, now), Err(1));
        assert_eq!(t.attempt(&keys, now + S), Ok(()));
        assert_eq!(t.attempt(&keys, now + S), Err(2));
        t.succeeded(&keys);
        assert_eq!(t.attempt(&keys, now + S), Ok(()));
        // Another account from the same client is counted by the client only.
        let other = super::keys(
            "wang@brand.example".into(),
            Some("192.0.2.7".parse().unwrap()),
        );
        assert_eq!(t.attempt(&other, now + S), Ok(()));
    }
}
