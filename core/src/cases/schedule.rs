//! When the collector tells someone without being asked: the escalation of a case nobody has
//! called (`escalation`) and the daily digest (`digest_due`). Pure: the worker passes the
//! time and the stored facts, and inserts the alert each answer names under its key (a key
//! already stored is not inserted again, so several collectors, or one asking every few
//! seconds, make each alert once).
//!
//! | row | case                                              | escalation           |
//! |-----|---------------------------------------------------|----------------------|
//! | 1   | not `Open` (contacted or resolved)                | none                 |
//! | 2   | `Open`, deadline passed                           | `Breach` (region)    |
//! | 3   | `Open`, `remind` > 0, `remind` or less left       | `Reminder` (store)   |
//! | 4   | `Open`, more than `remind` left (or `remind` = 0) | none                 |
//!
//! A case found past its deadline gets the breach only (a reminder then would come too late to
//! help). Keys carry the case's reopen count, so a reopened case is escalated again.
//!
//! The digest of a local day is due at the configured local time of the next day
//! (`at_minutes` after local midnight, at a fixed `utc_offset_minutes`: China keeps no summer
//! time). `digest_due` names the latest digest whose time has come: a collector that was down
//! at 08:30 sends that day's digest when it starts, once, and never an older one.

use super::State;

pub use super::HOUR_NS;

/// How late an alert may still go: a reminder, breach or new case older than this is left to
/// the digest (a collector down for a weekend, or started on old data, never floods a group).
pub const STALE_NS: i64 = 24 * HOUR_NS;

const MINUTE_NS: i64 = 60_000_000_000;
const DAY_NS: i64 = 24 * HOUR_NS;

/// An alert the schedule says is due.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Escalation {
    /// A reminder to the store's channels: the deadline is near.
    Reminder,
    /// The deadline passed with nobody reached: the region's channels are told.
    Breach,
}

impl Escalation {
    /// The alert kind's stored name.
    pub fn kind(&self) -> &'static str {
        match self {
            Escalation::Reminder => "reminder",
            Escalation::Breach => "breach",
        }
    }

    /// The alert's key: one per case, kind and reopening.
    pub fn key(&self, case_id: &str, reopens: u32) -> String {
        format!("case:{case_id}:{}:{reopens}", self.kind())
    }
}

/// The module doc's table. `remind_hours_left` 0 sends no reminder.
pub fn escalation(
    state: State,
    deadline_ns: i64,
    now_ns: i64,
    remind_hours_left: u32,
) -> Option<Escalation> {
    if state != State::Open {
        return None;
    }
    if now_ns >= deadline_ns {
        return Some(Escalation::Breach);
    }
    let remind_ns = i64::from(remind_hours_left).saturating_mul(HOUR_NS);
    (remind_hours_left > 0 && deadline_ns - now_ns <= remind_ns).then_some(Escalation::Reminder)
}

/// A digest whose time has come: the local day it reports on, and that day's bounds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigestDue {
    /// The local date reported on, `YYYY-MM-DD`.
    pub day: String,
    /// The day's first nanosecond (local midnight, as ns since the epoch).
    pub since_ns: i64,
    /// The next day's first nanosecond.
    pub until_ns: i64,
    /// When it was due.
    pub due_ns: i64,
}

impl DigestDue {
    /// The alert's key: one digest per reported day.
    pub fn key(&self) -> String {
        format!("digest:{}", self.day)
    }
}

/// The latest digest due at `now_ns`: the day before the latest local `at_minutes` that has
/// passed.
pub fn digest_due(now_ns: i64, at_minutes: u32, utc_offset_minutes: i32) -> DigestDue {
    let offset_ns = i64::from(utc_offset_minutes) * MINUTE_NS;
    let at_ns = i64::from(at_minutes) * MINUTE_NS;
    let local = now_ns + offset_ns;
    let local_midnight = local.div_euclid(DAY_NS) * DAY_NS;
    // Today's send time if it has passed, else yesterday's.
    let send_local = if local >= local_midnight + at_ns {
        local_midnight + at_ns
    } else {
        local_midnight - DAY_NS + at_ns
    };
    let reported_local = send_local.div_euclid(DAY_NS) * DAY_NS - DAY_NS;
    DigestDue {
        day: civil_date(reported_local.div_euclid(DAY_NS)),
        since_ns: reported_local - offset_ns,
        until_ns: reported_local + DAY_NS - offset_ns,
        due_ns: send_local - offset_ns,
    }
}

/// `YYYY-MM-DD` of a count of days since 1970-01-01.
fn civil_date(days: i64) -> String {
    let (year, month, day) = crate::contract::time::civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = HOUR_NS;
    /// 2026-12-03T00:00:00Z.
    const DEC_3: i64 = 1_796_256_000 * 1_000_000_000;

    #[test]
    fn escalation_follows_the_table() {
        let deadline = 100 * H;
        // Row 1: a contacted or resolved case is never escalated, even long overdue.
        for state in [State::Contacted, State::Resolved] {
            assert_eq!(escalation(state, deadline, deadline + 50 * H, 4), None);
        }
        // Row 2: at the deadline and after: the breach, whatever the reminder setting.
        assert_eq!(
            escalation(State::Open, deadline, deadline, 4),
            Some(Escalation::Breach)
        );
        assert_eq!(
            escalation(State::Open, deadline, deadline + 1, 0),
            Some(Escalation::Breach)
        );
        // Row 3: four hours left, and less.
        assert_eq!(
            escalation(State::Open, deadline, deadline - 4 * H, 4),
            Some(Escalation::Reminder)
        );
        assert_eq!(
            escalation(State::Open, deadline, deadline - 1, 4),
            Some(Escalation::Reminder)
        );
        // Row 4: more than four hours left, or no reminder configured.
        assert_eq!(
            escalation(State::Open, deadline, deadline - 4 * H - 1, 4),
            None
        );
        assert_eq!(escalation(State::Open, deadline, deadline - 1, 0), None);
    }

    #[test]
    fn keys_are_per_case_kind_and_reopening() {
        assert_eq!(Escalation::Breach.key("c1", 0), "case:c1:breach:0");
        assert_eq!(Escalation::Reminder.key("c1", 2), "case:c1:reminder:2");
    }

    #[test]
    fn the_digest_reports_the_local_day_before_its_send_time() {
        // 08:30 at +08:00 is 00:30Z. At 00:29Z on 3 Dec it is 08:29 local: the latest digest due
        // is 2 Dec's send (reporting 1 Dec).
        let d = digest_due(DEC_3 + 29 * 60_000_000_000, 8 * 60 + 30, 480);
        assert_eq!(d.day, "2026-12-01");
        assert_eq!(d.due_ns, DEC_3 - 24 * H + 30 * 60_000_000_000);
        // A minute later the 3 Dec send is due, reporting 2 Dec, local midnight to midnight.
        let d = digest_due(DEC_3 + 30 * 60_000_000_000, 8 * 60 + 30, 480);
        assert_eq!(d.day, "2026-12-02");
        assert_eq!(d.key(), "digest:2026-12-02");
        assert_eq!(d.due_ns, DEC_3 + 30 * 60_000_000_000);
        // 2 Dec 00:00 at +08:00 is 1 Dec 16:00Z.
        assert_eq!(d.since_ns, DEC_3 - 32 * H);
        assert_eq!(d.until_ns, DEC_3 - 8 * H);
        // Late in the local day it is still that morning's digest.
        let d = digest_due(DEC_3 + 15 * H, 8 * 60 + 30, 480);
        assert_eq!(d.day, "2026-12-02");
        // West of Greenwich, at UTC midnight sends.
        let d = digest_due(DEC_3 + 5 * H, 0, -300);
        assert_eq!(d.day, "2026-12-02");
        assert_eq!(d.due_ns, DEC_3 + 5 * H);
        assert_eq!(d.since_ns, DEC_3 - 19 * H);
    }

    #[test]
    fn civil_dates_cross_months_years_and_leap_days() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(DEC_3 / DAY_NS), "2026-12-03");
        assert_eq!(civil_date(11_016), "2000-02-29");
        assert_eq!(civil_date(11_017), "2000-03-01");
        assert_eq!(civil_date(-1), "1969-12-31");
    }
}
