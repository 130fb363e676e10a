//! Whether an answer opens a case, updates its case, or records a recovery: one pure table
//! (`decide`) over the case already stored for the response (if any), the answer, and the
//! survey's rule (`CaseRule`). The collector calls it inside the transaction that stores the
//! answer and writes what it says there, so a case and its first alerts commit with the answer
//! that caused them, or not at all.
//!
//! | row | when (first that holds)                                       | decision                       |
//! |-----|---------------------------------------------------------------|--------------------------------|
//! | 1   | a re-survey (`recovery_of`) with a score, not flagged (a bot) | `Recovery { score }`           |
//! | 2   | a re-survey without a score, or flagged                       | `Nothing`                      |
//! | 3   | the answer is flagged (kept, not counted: a bot, a second one)| `Nothing`                      |
//! | 4   | a case is stored, the answer newly asks a call-back           | `Update`, a `callback` alert   |
//! | 5   | a case is stored, the carried hours move its deadline         | `Update`, no alert             |
//! | 6   | a case is stored, otherwise                                   | `Nothing` (never a second case)|
//! | 7   | a detractor                                                   | `Open`                         |
//! | 8   | a passive, and the rule takes passives                        | `Open`                         |
//! | 9   | otherwise (a promoter, a passive by default, no score)        | `Nothing`                      |
//!
//! `Open` carries the deadline (`deadline_ns`: received + the hours the answer carried, else
//! the rule's `default_hours`) and one alert: `callback`, due at once, when the answer asks a
//! call-back already (`asks_callback`: the louder alert says all `opened` would); else
//! `opened`, due `GRACE` after it was received so the reasons and comment of the next post can
//! join it, or at once when the answer is already at its last stage. A call-back asked by a
//! later post of the same response is an `Update` with its `callback` alert. An update never
//! opens a second case and never re-sends `opened`.

use crate::contract::payload::{promised_hours, Response, Stage};
use crate::scoring::score::Category;

use super::asks_callback;

/// How long an `opened` alert waits for the rest of the answer (reasons, comment, contact).
pub const GRACE_NS: i64 = 2 * 60 * 1_000_000_000;

/// Which answers of a survey open a case, and the hours promised when an answer carries none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CaseRule {
    /// Passives open cases too (detractors always do).
    pub passives: bool,
    /// The deadline of an answer that carries no `callback_hours`.
    pub default_hours: u32,
}

impl Default for CaseRule {
    /// Detractors only, with the widget's own default promise.
    fn default() -> CaseRule {
        CaseRule {
            passives: false,
            default_hours: promised_hours(None),
        }
    }
}

/// The case stored for this response, as the table reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stored {
    /// Whether a call-back was already asked.
    pub callback: bool,
    pub deadline_ns: i64,
}

/// The answer as the table reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answer {
    pub category: Option<Category>,
    pub score: Option<u8>,
    /// `asks_callback`.
    pub callback: bool,
    /// The call-back hours the answer carried (`Contact::callback_hours`).
    pub hours: Option<u32>,
    pub stage: Stage,
    /// Kept but not counted (a flag).
    pub flagged: bool,
    /// A re-survey answer (`Admission::recovery_of` is set).
    pub recovery: bool,
    /// When the collector first received the response (ns).
    pub received_ns: i64,
}

impl Answer {
    /// The table's view of a response received at `received_ns`.
    pub fn of(r: &Response, received_ns: i64, flagged: bool, recovery: bool) -> Answer {
        Answer {
            category: r.category(),
            score: r.score.map(|s| s.get()),
            callback: asks_callback(r),
            hours: r.contact.as_ref().and_then(|c| c.callback_hours),
            stage: r.stage,
            flagged,
            recovery,
            received_ns,
        }
    }
}

/// An alert the decision asks for: its kind and when it is due (ns).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlertAt {
    pub kind: AlertKind,
    pub due_ns: i64,
}

/// What an alert is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlertKind {
    Opened,
    Callback,
    Reminder,
    Breach,
    Digest,
    /// A promoter's friend booked or bought: the store thanks the promoter (`growth::referral`).
    Referral,
    /// A place's weekly report (`cases::weekly`): an image of its week.
    Report,
}

impl AlertKind {
    pub const ALL: [AlertKind; 7] = [
        AlertKind::Opened,
        AlertKind::Callback,
        AlertKind::Reminder,
        AlertKind::Breach,
        AlertKind::Digest,
        AlertKind::Referral,
        AlertKind::Report,
    ];

    /// The kind a stored name names.
    pub fn parse(s: &str) -> Option<AlertKind> {
        AlertKind::ALL.into_iter().find(|k| k.name() == s)
    }

    /// A generic webhook's event `type`: `case.opened`, …, `digest`.
    pub fn event_type(self) -> &'static str {
        match self {
            AlertKind::Opened => "case.opened",
            AlertKind::Callback => "case.callback",
            AlertKind::Reminder => "case.reminder",
            AlertKind::Breach => "case.breach",
            AlertKind::Digest => "digest",
            AlertKind::Referral => "referral",
            AlertKind::Report => "report",
        }
    }

    /// Whether the message calls everyone (DingTalk's `isAtAll`) and shows red (Feishu): a
    /// call-back asked for, a promise broken. A friend a promoter brought is good news told at
    /// once, never an alarm: anyone holding a public referral code can book, so it must not
    /// be able to ring a whole store group.
    pub fn loud(self) -> bool {
        matches!(self, AlertKind::Callback | AlertKind::Breach)
    }

    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            AlertKind::Opened => "opened",
            AlertKind::Callback => "callback",
            AlertKind::Reminder => "reminder",
            AlertKind::Breach => "breach",
            AlertKind::Digest => "digest",
            AlertKind::Referral => "referral",
            AlertKind::Report => "report",
        }
    }
}

/// What to write with the answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Opening {
    /// A new case (category, score and call-back from the answer) with these alerts.
    Open {
        category: Category,
        score: u8,
        callback: bool,
        deadline_ns: i64,
        alerts: Vec<AlertAt>,
    },
    /// The stored case takes the answer's call-back and deadline, with these alerts.
    Update {
        callback: bool,
        deadline_ns: i64,
        alerts: Vec<AlertAt>,
    },
    /// The score of a re-survey, recorded on the case it answers.
    Recovery {
        score: u8,
    },
    Nothing,
}

/// The module doc's table; `now_ns` is the server's clock (when alerts due at once are due).
pub fn decide(stored: Option<Stored>, answer: &Answer, rule: CaseRule, now_ns: i64) -> Opening {
    let deadline = super::deadline_ns(
        answer.received_ns,
        Some(answer.hours.unwrap_or(rule.default_hours)),
    );
    let callback_alert = AlertAt {
        kind: AlertKind::Callback,
        due_ns: now_ns,
    };
    if answer.recovery {
        return match (answer.flagged, answer.score) {
            (false, Some(score)) => Opening::Recovery { score },
            _ => Opening::Nothing,
        };
    }
    if answer.flagged {
        return Opening::Nothing;
    }
    if let Some(case) = stored {
        let newly_asked = answer.callback && !case.callback;
        let moved = answer.hours.is_some() && deadline != case.deadline_ns;
        return if newly_asked || moved {
            Opening::Update {
                callback: case.callback || answer.callback,
                deadline_ns: if answer.hours.is_some() {
                    deadline
                } else {
                    case.deadline_ns
                },
                alerts: if newly_asked {
                    vec![callback_alert]
                } else {
                    vec![]
                },
            }
        } else {
            Opening::Nothing
        };
    }
    let opens = match answer.category {
        Some(Category::Detractor) => true,
        Some(Category::Passive) => rule.passives,
        _ => false,
    };
    let (true, Some(category), Some(score)) = (opens, answer.category, answer.score) else {
        return Opening::Nothing;
    };
    // One alert for a new case: the louder `callback` when the answer asks one already (it
    // says all `opened` would), else `opened`.
    let last_stage = answer.stage == Stage::Completed;
    let alerts = if answer.callback {
        vec![callback_alert]
    } else {
        vec![AlertAt {
            kind: AlertKind::Opened,
            due_ns: if last_stage {
                now_ns
            } else {
                answer.received_ns.saturating_add(GRACE_NS)
            },
        }]
    };
    Opening::Open {
        category,
        score,
        callback: answer.callback,
        deadline_ns: deadline,
        alerts,
    }
}

#[cfg(test)]
mod tests;
