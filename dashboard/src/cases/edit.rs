//! Working a case: the form's choice (reached them, or resolved) with its note and root
//! cause turned into the body of `PATCH /api/cases/{id}` (resolving needs a root cause:
//! "请选择根本原因" before anything is sent), and a refusal of the collector in words.

use nps_core::words::{fill, Locale};
use serde_json::{json, Map, Value};

use crate::words::Word;

/// The most characters a note may have in the form (the collector checks its own limit).
pub const NOTE_MAX: usize = 1000;

/// What the manager marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Act {
    /// Reached the customer (`contacted`).
    Contact,
    /// Put it right (`resolved`; a root cause is needed).
    Resolve,
    /// The customer is unhappy again, or the fix did not hold (`open` again).
    Reopen,
}

impl Act {
    /// The `status` the `PATCH` asks for.
    pub fn status(self) -> &'static str {
        match self {
            Act::Contact => "contacted",
            Act::Resolve => "resolved",
            Act::Reopen => "open",
        }
    }

    /// The button's `data-act`.
    pub fn key(self) -> &'static str {
        match self {
            Act::Contact => "contact",
            Act::Resolve => "resolve",
            Act::Reopen => "reopen",
        }
    }

    /// The button that opens the form.
    pub fn word(self) -> Word {
        match self {
            Act::Contact => Word::ActContact,
            Act::Resolve => Word::ActResolve,
            Act::Reopen => Word::ActReopen,
        }
    }

    /// The form's submit button.
    pub fn submit(self) -> Word {
        match self {
            Act::Contact => Word::MarkContacted,
            Act::Resolve => Word::MarkResolved,
            Act::Reopen => Word::ActReopen,
        }
    }
}

/// The form as filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Form {
    pub act: Act,
    pub note: String,
    /// The root cause chosen; empty: none.
    pub root_cause: String,
}

/// Why the form is not sent yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invalid {
    /// Resolving without a root cause (`select[name=root_cause]`).
    RootCauseNeeded,
}

impl Invalid {
    pub fn word(self) -> Word {
        match self {
            Invalid::RootCauseNeeded => Word::RootCauseNeeded,
        }
    }

    /// The form field it is about.
    pub fn field(self) -> &'static str {
        match self {
            Invalid::RootCauseNeeded => "root_cause",
        }
    }
}

/// The JSON body of `PATCH /api/cases/{id}`: the status, the note (trimmed; left out when
/// blank) and, when resolving, the root cause (left out when none is chosen).
pub fn body(form: &Form) -> Result<String, Invalid> {
    let cause = form.root_cause.trim();
    if form.act == Act::Resolve && cause.is_empty() {
        return Err(Invalid::RootCauseNeeded);
    }
    let mut out = Map::new();
    out.insert("status".into(), json!(form.act.status()));
    let note = form.note.trim();
    if !note.is_empty() {
        out.insert("note".into(), json!(note));
    }
    if !cause.is_empty() && form.act == Act::Resolve {
        out.insert("root_cause".into(), json!(cause));
    }
    Ok(Value::Object(out).to_string())
}

/// The root causes of `GET /api/cases/root-causes` (an array of strings).
pub fn root_causes(text: &str) -> Result<Vec<String>, String> {
    serde_json::from_str(text).map_err(|e| format!("root causes the page cannot read: {e}"))
}

/// A refusal of the collector (its status and body) in the manager's words: a stale case
/// (409), one out of reach (404), a role that only reads (403), a session that ended (401);
/// anything else with the collector's own `error` (a 400 names the field and what it takes).
pub fn refusal(status: u16, text: &str, locale: Locale) -> String {
    let field = serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| v["field"].as_str().map(str::to_owned));
    let word = match status {
        401 => Word::SignedOut,
        403 => Word::CaseReadOnly,
        404 => Word::CaseNotFound,
        // The collector cannot sign a re-survey link (its setup, not the case).
        409 if field.as_deref() == Some("recovery") => Word::NoRecoveryUrl,
        409 => Word::CaseNotNow,
        _ => return failed(&server_error(status, text), locale),
    };
    word.in_(locale).to_owned()
}

/// "Not saved: {why}".
pub fn failed(why: &str, locale: Locale) -> String {
    fill(Word::SaveFailed.in_(locale), &[("why", why)])
}

/// The `error` of a JSON error answer, else "the collector answered N".
pub fn server_error(status: u16, text: &str) -> String {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| v["error"].as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("the collector answered {status}"))
}
