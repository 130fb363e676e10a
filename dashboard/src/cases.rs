//! The case queue's pure part: a case as the collector's case API gives it (`GET /api/cases`,
//! `GET /api/cases/{id}`), which cases a tab asks for, the order they are worked in (the
//! promise that runs out first on top), the hours left in words, and the words of a case's
//! history. The collector owns every figure (the deadline, the hours left, overdue); this
//! only reads and orders them. `edit` builds a `PATCH` from the form and reads a refusal;
//! `stats` formats the rows per store and per advisor. The browser part is `web::cases`.

use nps_core::scoring::analysis::minutes_of;
use nps_core::words::{fill, Locale};
use serde::Deserialize;

use crate::words::Word;

pub mod edit;
pub mod stats;

/// How many cases one tab asks for.
pub const PAGE: usize = 200;

/// A case, as `GET /api/cases` lists it; `GET /api/cases/{id}` and a `PATCH` add its
/// `history` and `recovery_url`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Case {
    pub id: String,
    /// The answer that opened it (a reveal asks for this response's phone).
    pub response_id: String,
    pub survey: String,
    pub store: Option<String>,
    pub store_name: Option<String>,
    pub advisor: Option<String>,
    pub advisor_name: Option<String>,
    pub visit: Option<String>,
    /// `open`, `contacted` or `resolved`.
    pub status: String,
    /// `detractor` or `passive`.
    pub category: String,
    pub score: Option<u8>,
    pub reasons: Vec<String>,
    pub comment: Option<String>,
    pub callback: bool,
    /// Masked (`138****3788`), or none.
    pub phone: Option<String>,
    /// The last digits of the phone on the customer's order ("call me at that number").
    pub phone_on_file: Option<String>,
    pub opened_at: String,
    pub deadline: String,
    /// Whole hours until the deadline, rounded down; negative once it has passed.
    pub hours_left: i64,
    pub overdue: bool,
    /// Who owns it; none: the store's owner.
    pub owner: Option<String>,
    pub root_cause: Option<String>,
    pub reopens: u32,
    pub first_contact_at: Option<String>,
    pub resolved_at: Option<String>,
    /// The re-survey's score, once the customer answered it.
    pub recovery_score: Option<u8>,
    pub history: Vec<Event>,
    /// The re-survey link of a resolved case, when the collector can sign one.
    pub recovery_url: Option<String>,
}

/// One line of a case's history.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Event {
    pub at: String,
    pub who: String,
    /// `opened`, `callback`, `contacted`, `resolved`, `reopened`, `note`, `assigned`,
    /// `recovery_link`, `recovery_answer`.
    pub what: String,
    pub note: Option<String>,
    pub root_cause: Option<String>,
    pub owner: Option<String>,
    pub score: Option<u8>,
}

/// The case's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum State {
    Open,
    Contacted,
    Resolved,
}

impl State {
    /// The state of `status`; an unknown one reads as open (shown, never hidden).
    pub fn of(status: &str) -> State {
        match status {
            "contacted" => State::Contacted,
            "resolved" => State::Resolved,
            _ => State::Open,
        }
    }
}

impl Case {
    pub fn state(&self) -> State {
        State::of(&self.status)
    }

    /// A case read from the collector's JSON (a list's item, or one case).
    pub fn from_json(text: &str) -> Result<Case, String> {
        serde_json::from_str(text).map_err(|e| format!("a case the page cannot read: {e}"))
    }

    /// A list of cases read from `GET /api/cases`.
    pub fn list_from_json(text: &str) -> Result<Vec<Case>, String> {
        serde_json::from_str(text).map_err(|e| format!("cases the page cannot read: {e}"))
    }
}

/// The tabs of the queue: what each asks the collector for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Show {
    #[default]
    Open,
    Overdue,
    Contacted,
    Resolved,
}

impl Show {
    pub const ALL: [Show; 4] = [Show::Open, Show::Overdue, Show::Contacted, Show::Resolved];

    pub fn word(self) -> Word {
        match self {
            Show::Open => Word::ShowOpen,
            Show::Overdue => Word::ShowOverdue,
            Show::Contacted => Word::ShowContacted,
            Show::Resolved => Word::ShowResolved,
        }
    }

    /// The tab's key (its `data-show`).
    pub fn key(self) -> &'static str {
        match self {
            Show::Open => "open",
            Show::Overdue => "overdue",
            Show::Contacted => "contacted",
            Show::Resolved => "resolved",
        }
    }

    /// The query of `GET /api/cases` for this tab.
    pub fn query(self) -> String {
        let filter = match self {
            Show::Open => "state=open",
            Show::Overdue => "state=open&overdue=true",
            Show::Contacted => "state=contacted",
            Show::Resolved => "state=resolved",
        };
        format!("{filter}&limit={PAGE}")
    }
}

/// The order cases are worked in: open ones first, the least hours left on top (the most
/// overdue first), then contacted ones the same way, then resolved ones latest first; ties
/// by id, so the order never jumps between loads.
pub fn sort(cases: &mut [Case]) {
    cases.sort_by(|a, b| {
        let key = |c: &Case| {
            let resolved = c.resolved_at.as_deref().and_then(minutes_of);
            match c.state() {
                State::Resolved => (State::Resolved, -resolved.unwrap_or(i64::MIN + 1)),
                s => (s, c.hours_left),
            }
        };
        key(a).cmp(&key(b)).then_with(|| a.id.cmp(&b.id))
    });
}

/// The hours left of a case waiting for its first contact, in words, with its class
/// (`due`, or `due overdue` in red); none once the customer was reached.
pub fn due(c: &Case, locale: Locale) -> Option<(&'static str, String)> {
    if c.state() != State::Open {
        return None;
    }
    let h = c.hours_left.unsigned_abs().to_string();
    Some(if c.overdue || c.hours_left < 0 {
        ("due overdue", fill(Word::Overdue.in_(locale), &[("h", &h)]))
    } else {
        ("due", fill(Word::HoursLeft.in_(locale), &[("h", &h)]))
    })
}

/// The word of a state (the badge of a case no longer waiting).
pub fn state_word(s: State) -> Word {
    match s {
        State::Open => Word::ShowOpen,
        State::Contacted => Word::ShowContacted,
        State::Resolved => Word::ShowResolved,
    }
}

/// "Call the number on order RO-88231 (ending 3788)", when the customer ticked it.
pub fn on_file(c: &Case, locale: Locale) -> Option<String> {
    let last4 = c.phone_on_file.as_deref().filter(|t| !t.is_empty())?;
    Some(match c.visit.as_deref().filter(|v| !v.is_empty()) {
        Some(visit) => fill(
            Word::CallOnFile.in_(locale),
            &[("visit", visit), ("last4", last4)],
        ),
        None => fill(Word::CallOnFileNoVisit.in_(locale), &[("last4", last4)]),
    })
}

/// Who a history line names: a person's email or a token's label as given, the collector
/// itself in words.
pub fn who_text(who: &str, locale: Locale) -> String {
    match who {
        "collector" => Word::WhoCollector.in_(locale).to_owned(),
        _ => who.to_owned(),
    }
}

/// What a history line says happened; `None` for one this page does not know (shown by
/// its key).
pub fn event_word(what: &str) -> Option<Word> {
    Some(match what {
        "opened" => Word::EvOpened,
        "callback" => Word::EvCallback,
        "contacted" => Word::EvContacted,
        "resolved" => Word::EvResolved,
        "reopened" => Word::EvReopened,
        "note" => Word::EvNote,
        "assigned" => Word::EvAssigned,
        "recovery_link" => Word::EvRecoveryLink,
        "recovery_answer" => Word::EvRecoveryAnswer,
        _ => return None,
    })
}

/// A history line in words: what happened, then its details (`owner`, root cause, note,
/// the re-survey's score), `：`-joined in Chinese.
pub fn event_text(e: &Event, locale: Locale) -> String {
    let what = event_word(&e.what).map_or(e.what.as_str(), |w| w.in_(locale));
    let mut parts = vec![what.to_owned()];
    if let Some(owner) = e.owner.as_deref().filter(|_| e.what == "assigned") {
        parts.push(owner.to_owned());
    }
    if let Some(cause) = &e.root_cause {
        parts.push(fill(Word::RootCauseWas.in_(locale), &[("cause", cause)]));
    }
    if let Some(score) = e.score {
        // The answer's own score on `opened`; the re-survey's on `recovery_answer`.
        let word = match e.what.as_str() {
            "recovery_answer" => Word::RecoveryScore,
            _ => Word::AnswerScore,
        };
        parts.push(fill(word.in_(locale), &[("score", &score.to_string())]));
    }
    if let Some(note) = e.note.as_deref().filter(|n| !n.trim().is_empty()) {
        parts.push(note.trim().to_owned());
    }
    let sep = if locale == Locale::En { " · " } else { "：" };
    match parts.split_first() {
        Some((head, rest)) if !rest.is_empty() => format!("{head}{sep}{}", rest.join(" · ")),
        _ => parts.concat(),
    }
}

#[cfg(test)]
mod tests;
