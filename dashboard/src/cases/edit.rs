//! Working a case: the form's choice (reached them, or resolved) with its note and root
//! cause turned into the body of `PATCH /api/cases/{id}` (resolving needs a root cause:
//! "请选择根本原因" before anything is sent), and a refusal of the collector in words.

use nps_core::words::{fill, Locale};
use serde_json::{json, Map, Value};

use crate::words::Word;

/// The most characters a note may have in the form (the contract's, which the collector checks).
pub use nps_core::contract::rules::MAX_NOTE as NOTE_MAX;

/// What the manager marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Act {
    /// Reached the customer (`contacted`).
    Contact,
    /// Put it right (`resolved`; a root cause is needed).
    Resolve,
    /// The customer is unhappy again, or the fix did not hold (`open` again).
    Reopen,
    /// Hand the case to a colleague (`owner`, an email the collector checks is in scope).
    Assign,
}

impl Act {
    /// The `status` the `PATCH` asks for (`None`: the state stays).
    pub fn status(self) -> Option<&'static str> {
        match self {
            Act::Contact => Some("contacted"),
            Act::Resolve => Some("resolved"),
            Act::Reopen => Some("open"),
            Act::Assign => None,
        }
    }

    /// The button's `data-act`.
    pub fn key(self) -> &'static str {
        match self {
            Act::Contact => "contact",
            Act::Resolve => "resolve",
            Act::Reopen => "reopen",
            Act::Assign => "assign",
        }
    }

    /// The button that opens the form.
    pub fn word(self) -> Word {
        match self {
            Act::Contact => Word::ActContact,
            Act::Resolve => Word::ActResolve,
            Act::Reopen => Word::ActReopen,
            Act::Assign => Word::ActAssign,
        }
    }

    /// The form's submit button.
    pub fn submit(self) -> Word {
        match self {
            Act::Contact => Word::MarkContacted,
            Act::Resolve => Word::MarkResolved,
            Act::Reopen => Word::ActReopen,
            Act::Assign => Word::ActAssign,
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
    /// The colleague to hand the case to (`Assign`); empty: none.
    pub owner: String,
}

/// Why the form is not sent yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invalid {
    /// Resolving without a root cause (`select[name=root_cause]`).
    RootCauseNeeded,
    /// Handing over without a colleague's email (`input[name=owner]`).
    OwnerNeeded,
}

impl Invalid {
    pub fn word(self) -> Word {
        match self {
            Invalid::RootCauseNeeded => Word::RootCauseNeeded,
            Invalid::OwnerNeeded => Word::OwnerNeeded,
        }
    }

    /// The form field it is about.
    pub fn field(self) -> &'static str {
        match self {
            Invalid::RootCauseNeeded => "root_cause",
            Invalid::OwnerNeeded => "owner",
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
    let owner = form.owner.trim();
    if form.act == Act::Assign && !owner.contains('@') {
        return Err(Invalid::OwnerNeeded);
    }
    let mut out = Map::new();
    match form.act.status() {
        Some(status) => out.insert("status".into(), json!(status)),
        None => out.insert("owner".into(), json!(owner)),
    };
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
