//! The one intake path: every answer — a JSON post (`responses`), the no-script form (`form`),
//! a landing page's form (`landing`) — is admitted, flagged and stored here, and refused with
//! one type (`Refusal`), which the caller renders as JSON or as a page.
//!
//! ```text
//! post ──▶ Response ──▶ flag(Signals)      honeypot, re-survey, too fast: kept, not counted
//!                  └──▶ admit(context)     signed visit, require_visit, link expiry, keyless,
//!                                          signed phone tail, signed re-survey → its case
//!                  └──▶ store.upsert ──▶ Created │ Updated │ Duplicate │ Stale
//!                                     └─▶ Refusal: Conflict │ Answered │ Expired │ VisitChanged │ Key
//! ```
//!
//! The flag rules are one pure function, `flag`: a filled honeypot, a re-survey's answer (a
//! context carrying `recovery`: it measures a case, not the service), or an answer (a score)
//! given less than `min_fill_ms` after the survey was shown. "Shown" and "answered" are the
//! response's own `created_at` and `updated_at`; the no-script form has neither, so it is
//! shown at the `started_at` its page stamped and answered when the collector receives it
//! (its `updated_at`). A page that gives no time (a static page written by
//! `nps-collector landing`) is never too fast.

pub mod form;
mod refusal;
mod sender;

use std::collections::BTreeMap;

use nps_core::contract::payload::Response;
use nps_core::contract::rules;

use crate::state::AppState;
use crate::storage::{Admission, Flag, Now};
use crate::visit::{self, TokenError};
use crate::Settings;

pub use refusal::{Refusal, Taken, Via};
pub use sender::Sender;

/// The flag of a form whose honeypot field is filled.
pub const HONEYPOT: &str = "honeypot";
/// The flag of an answer given faster than a person can.
pub const TOO_FAST: &str = "too_fast";
/// The flag of a re-survey's answer (a signed recovery link): recorded on its case
/// (`Admission::recovery_of`), never counted in the NPS.
pub const RECOVERY: &str = "recovery";

/// What the flag rules read of a post.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Signals {
    /// The form's hidden honeypot field is filled (only a bot fills it).
    pub honeypot: bool,
    /// The post answers: it has a score (`Response::answers`).
    pub scored: bool,
    /// The post answers a re-survey: its context carries `recovery`.
    pub recovery: bool,
    /// When the survey was shown (ms since the epoch), if the post says.
    pub shown_ms: Option<i64>,
    /// When it was answered (ms since the epoch), if the post says.
    pub answered_ms: Option<i64>,
}

fn ms(t: &str) -> Option<i64> {
    nps_core::contract::time::Time::parse(t).map(|t| t.unix_ms())
}

impl Signals {
    /// A response's own signals: shown at its `created_at`, answered at its `updated_at`.
    pub fn of(r: &Response) -> Signals {
        Signals {
            honeypot: false,
            scored: r.answers(),
            recovery: r.context.contains_key(rules::RECOVERY),
            shown_ms: ms(&r.created_at),
            answered_ms: ms(&r.updated_at),
        }
    }

    /// Shown at `shown_ms` instead (`None`: no time to judge by).
    pub fn shown_at(self, shown_ms: Option<i64>) -> Signals {
        Signals { shown_ms, ..self }
    }

    /// With the form's honeypot field filled or not.
    pub fn honeypot(self, filled: bool) -> Signals {
        Signals {
            honeypot: filled,
            ..self
        }
    }
}

/// Why a response is kept but not counted: a filled honeypot first, then a re-survey's
/// answer, then an answer (a score) given less than `min_fill_ms` after the survey showed.
/// `min_fill_ms` 0 (or less) turns the time rule off; a post without both times is not
/// judged by it.
pub fn flag(s: &Signals, min_fill_ms: i64) -> Flag {
    if s.honeypot {
        return Some(HONEYPOT);
    }
    if s.recovery {
        return Some(RECOVERY);
    }
    match (s.shown_ms, s.answered_ms) {
        (Some(shown), Some(answered))
            if s.scored && min_fill_ms > 0 && answered - shown < min_fill_ms =>
        {
            Some(TOO_FAST)
        }
        _ => None,
    }
}

/// What may be stored for a response of `survey` with `context`, at `now_s` (seconds): with
/// a visit secret, a token must verify over its signed context, one naming a visit needs a
/// token, and a survey may take only signed visits (`visit::admit`); the token's expiry then
/// closes the visit to new ids. Posts without a write key are taken until `--keyless-until`.
/// A signed re-survey (`recovery`, a case's UUID) is admitted as that case's (`recovery_of`).
pub fn admit(
    settings: &Settings,
    survey: &str,
    context: &BTreeMap<String, String>,
    now_s: i64,
) -> Result<Admission, TokenError> {
    let policy = settings.landing.policy(survey);
    let expires = visit::admit(settings.visit_key.as_ref(), &policy, survey, context, now_s)?;
    let recovery_of = match context.get(rules::RECOVERY) {
        None => None,
        Some(case) => Some(
            uuid::Uuid::parse_str(case)
                .ok()
                .filter(|_| rules::is_uuid_v4(case))
                .ok_or(TokenError::NotACase)?,
        ),
    };
    Ok(Admission {
        new_until_ns: expires.map(|e| e.saturating_mul(1_000_000_000)),
        keyless_until_ns: settings.keyless_until_ns,
        cases: settings.config().rule(survey),
        recovery_of,
        marks: None,
    })
}

/// Flags, admits and stores a response with its sender's marks: the outcomes a sender is
/// answered 2xx for, or why nothing was stored.
pub(crate) async fn take(
    state: &AppState,
    r: Response,
    signals: Signals,
    sender: &Sender,
) -> Result<Taken, Refusal> {
    let flag = flag(&signals, state.settings.min_fill());
    let now = Now::system();
    let admission = admit(
        &state.settings,
        &r.survey,
        &r.context,
        now.ns / 1_000_000_000,
    )
    .map_err(Refusal::Link)?;
    let admission = Admission {
        marks: sender.marks(state).await,
        ..admission
    };
    let id = r.id.clone();
    match state.store.upsert_admitted(r, now, flag, admission).await {
        Ok(outcome) => Refusal::of(outcome, &id),
        Err(e) => {
            tracing::error!(error = %e, "a response could not be stored");
            Err(Refusal::Unavailable)
        }
    }
}

#[cfg(test)]
mod tests;
