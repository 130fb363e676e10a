//! A case: the promise made to one detractor, kept by a person. One pure state machine, one
//! transition function (`apply`); the collector stores what it returns, nothing here reads a
//! request, a clock or a database.
//!
//! ```text
//!            Contact                 Resolve { root_cause }
//!   Open ─────────────▶ Contacted ─────────────────────────▶ Resolved
//!    │ ▲                                                      │
//!    │ └──────────────────── Reopen (reopens + 1) ────────────┘
//!    │                 Resolve { root_cause }                  ▲
//!    └─────────────────────────────────────────────────────────┘
//! ```
//!
//! | state       | `Contact`  | `Resolve`  | `Reopen`          | `Note` | `Assign` |
//! |-------------|------------|------------|-------------------|--------|----------|
//! | `Open`      | `Contacted`| `Resolved` | refused           | stays  | stays    |
//! | `Contacted` | refused    | `Resolved` | refused           | stays  | stays    |
//! | `Resolved`  | refused    | refused    | `Open`, reopens+1 | stays  | refused  |
//!
//! An open case may be resolved without a recorded contact (the customer called the store
//! first). A second contact is a note, not a state. A resolved case has no one to own it until
//! it is reopened. A refusal names the case's state and the events it takes
//! (`Refusal::NotNow`); an empty root cause, note or owner names its field (`Refusal::Empty`).
//!
//! The deadline is the promise the customer read: the hours carried with the answer
//! (`promised_hours`, the one owner of the default), from the time the collector received it
//! (`deadline_ns`); `hours_left` is what every screen shows.

use std::fmt;

use crate::contract::payload::promised_hours;

pub mod delivery;
pub mod opening;
pub mod schedule;
pub mod stats;
pub mod weekly;

pub use opening::CaseRule;

/// Where a case is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum State {
    /// Nobody has reached the customer yet (a new or reopened case).
    Open,
    /// Someone reached the customer; the cause is not settled.
    Contacted,
    /// Settled, with a root cause.
    Resolved,
}

impl State {
    /// The stored and API name.
    pub fn name(self) -> &'static str {
        match self {
            State::Open => "open",
            State::Contacted => "contacted",
            State::Resolved => "resolved",
        }
    }

    /// The state of a stored or API name.
    pub fn parse(name: &str) -> Option<State> {
        [State::Open, State::Contacted, State::Resolved]
            .into_iter()
            .find(|s| s.name() == name)
    }

    /// The names of the events this state takes, in the table's order.
    pub fn accepted(self) -> &'static [&'static str] {
        match self {
            State::Open => &["contact", "resolve", "note", "assign"],
            State::Contacted => &["resolve", "note", "assign"],
            State::Resolved => &["reopen", "note"],
        }
    }
}

/// A case's state and how often it was reopened (the rest of a case, its owner, notes and
/// history, is the store's: `apply` says what to record).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Case {
    pub state: State,
    pub reopens: u32,
}

impl Case {
    /// A new case: open, never reopened.
    pub const NEW: Case = Case {
        state: State::Open,
        reopens: 0,
    };
}

/// What a person did to a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// Reached the customer.
    Contact,
    /// Settled it, with a root cause from the brand's list (checked by the caller's config).
    Resolve { root_cause: String },
    /// The customer is unhappy again, or the resolution did not hold.
    Reopen,
    /// A note in the history; the state stays.
    Note(String),
    /// A new owner (someone in scope, checked by the caller with `access`).
    Assign { owner: String },
}

impl Event {
    /// The name a refusal and the API use.
    pub fn name(&self) -> &'static str {
        match self {
            Event::Contact => "contact",
            Event::Resolve { .. } => "resolve",
            Event::Reopen => "reopen",
            Event::Note(_) => "note",
            Event::Assign { .. } => "assign",
        }
    }
}

/// What the history records for an accepted event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    /// The state changed (a reopen is `Resolved` → `Open`).
    Moved { from: State, to: State },
    /// A note, the state unchanged.
    Noted(String),
    /// A new owner.
    Assigned(String),
}

/// An accepted event: the case after it and what to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub case: Case,
    pub record: Record,
    /// The root cause to keep, on `Resolve`.
    pub root_cause: Option<String>,
}

/// Why an event was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// The case's state does not take this event.
    NotNow {
        state: State,
        event: &'static str,
        accepted: &'static [&'static str],
    },
    /// A field that must say something is blank: `root_cause`, `note` or `owner`.
    Empty { field: &'static str },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NotNow {
                state,
                event,
                accepted,
            } => write!(
                f,
                "a case that is {} does not take `{event}`; it takes: {}",
                state.name(),
                accepted.join(", ")
            ),
            Refusal::Empty { field } => write!(f, "`{field}` is empty; say something"),
        }
    }
}

impl std::error::Error for Refusal {}

/// The one transition function: the module doc's table.
pub fn apply(case: Case, event: &Event) -> Result<Step, Refusal> {
    let moved = |to: State, reopens: u32, root_cause: Option<String>| Step {
        case: Case { state: to, reopens },
        record: Record::Moved {
            from: case.state,
            to,
        },
        root_cause,
    };
    let stays = |record: Record| Step {
        case,
        record,
        root_cause: None,
    };
    match (case.state, event) {
        (State::Open, Event::Contact) => Ok(moved(State::Contacted, case.reopens, None)),
        (State::Open | State::Contacted, Event::Resolve { root_cause }) => {
            let root_cause = filled("root_cause", root_cause)?;
            Ok(moved(State::Resolved, case.reopens, Some(root_cause)))
        }
        (State::Resolved, Event::Reopen) => Ok(moved(State::Open, case.reopens + 1, None)),
        (_, Event::Note(text)) => Ok(stays(Record::Noted(filled("note", text)?))),
        (State::Open | State::Contacted, Event::Assign { owner }) => {
            Ok(stays(Record::Assigned(filled("owner", owner)?)))
        }
        (state, event) => Err(Refusal::NotNow {
            state,
            event: event.name(),
            accepted: state.accepted(),
        }),
    }
}

/// The value trimmed, or `Empty` naming the field.
fn filled(field: &'static str, value: &str) -> Result<String, Refusal> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Refusal::Empty { field });
    }
    Ok(value.to_string())
}

/// Nanoseconds in an hour.
pub const HOUR_NS: i64 = 3_600_000_000_000;

/// When the call-back is due: received (ns since the epoch, the collector's clock) plus the
/// hours the answer carried, or the default a widget that carried none promised.
pub fn deadline_ns(received_ns: i64, callback_hours: Option<u32>) -> i64 {
    received_ns.saturating_add(i64::from(promised_hours(callback_hours)).saturating_mul(HOUR_NS))
}

/// Whole hours left until the deadline, rounded down like the dashboard's call-back list:
/// 30 minutes left is 0, 30 minutes overdue is -1 (negative means overdue).
pub fn hours_left(deadline_ns: i64, now_ns: i64) -> i64 {
    deadline_ns.saturating_sub(now_ns).div_euclid(HOUR_NS)
}

/// Whether the customer asked for a call-back (a case's `callback`): a phone left with
/// consent, or the number on the visit's order ticked (`contact.on_file`, consented by the
/// tick, valid only where the signed link carried the order's phone tail).
pub fn asks_callback(r: &crate::contract::payload::Response) -> bool {
    r.contact
        .as_ref()
        .is_some_and(|c| c.consent && (c.phone.is_some() || c.on_file))
}

#[cfg(test)]
mod tests;
