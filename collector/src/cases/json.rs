//! The case JSON of the API (docs/issue 16's "Case JSON"): a stored case as a caller sees it
//! (its phone masked, or none for an analyst; names and region from the org in force; the
//! owner the store's in the org file until someone assigns it), its history, and the list's
//! query (`Query`), every key and value checked with an error naming it.

use axum::http::StatusCode;
use nps_core::access::{self, Action, Place};
use nps_core::cases::stats::overdue;
use nps_core::cases::{hours_left, State};
use nps_core::scoring::analysis::Names;
use serde_json::{json, Value};

use crate::auth::Caller;
use crate::storage::{CaseEvent, CaseFilter, CaseRow, Now};
use crate::ApiError;

/// The list's query keys.
pub const PARAMS: &[&str] = &["state", "store", "overdue", "owner", "limit", "by"];
/// The most cases one list gives (and the default).
pub const LIMIT: usize = 1000;

/// A time in ns as the API writes it (RFC 3339, UTC, milliseconds).
pub fn rfc3339(ns: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ns.into())
        .map(|t| Now::from_time(t).at)
        .unwrap_or_default()
}

/// The place of a case: its store and that store's region in the org.
pub fn place(names: &Names, case: &CaseRow) -> Place {
    access::place_of(names.org(), case.store.as_deref())
}

/// Who owns a case: whoever it was assigned to, else its store's owner in the org file.
pub fn owner(names: &Names, case: &CaseRow) -> Option<String> {
    case.owner.clone().or_else(|| {
        let store = case.store.as_deref()?;
        let org = names.org()?;
        org.stores().iter().find(|s| s.id == store)?.owner.clone()
    })
}

/// A case as `caller` sees it at `now_ns`.
pub fn case(caller: &Caller, names: &Names, c: &CaseRow, now_ns: i64) -> Value {
    let body: Value = c
        .body
        .as_deref()
        .and_then(|b| serde_json::from_str(b).ok())
        .unwrap_or(Value::Null);
    let place = place(names, c);
    let phones = caller.may(Action::ReadMaskedPhone, &place);
    let phone = body
        .pointer("/contact/phone")
        .and_then(Value::as_str)
        .filter(|_| phones)
        .map(nps_core::contract::phone::mask);
    let phone_on_file = body
        .pointer("/context/phone_tail")
        .and_then(Value::as_str)
        .filter(|_| phones);
    let region = match &place {
        Place::Row { region, .. } => region.clone(),
        Place::Org => None,
    };
    let name = |dim: &str, code: &Option<String>| {
        code.as_deref()
            .and_then(|k| names.get(dim, k))
            .map(str::to_owned)
    };
    json!({
        "id": c.id,
        "response_id": c.response_id,
        "survey": c.survey,
        "store": c.store,
        "store_name": name("store", &c.store),
        "advisor": c.advisor,
        "advisor_name": name("advisor", &c.advisor),
        "region": region,
        "visit": c.visit,
        "status": c.state.name(),
        "category": c.category,
        "score": c.score,
        "reasons": body.get("reasons").cloned().unwrap_or_else(|| json!([])),
        "comment": body.get("comment").cloned().unwrap_or(Value::Null),
        "callback": c.callback,
        "phone": phone,
        "phone_on_file": phone_on_file,
        "opened_at": rfc3339(c.received_ns),
        "deadline": rfc3339(c.deadline_ns),
        "hours_left": hours_left(c.deadline_ns, now_ns),
        "overdue": overdue(c.state, c.deadline_ns, now_ns),
        "owner": owner(names, c),
        "root_cause": c.root_cause,
        "reopens": c.reopens,
        "first_contact_at": c.first_contact_ns.map(rfc3339),
        "resolved_at": c.resolved_ns.map(rfc3339),
        "recovery_score": c.recovery_score,
    })
}

/// A case with its history (oldest first); its re-survey link is `null` here, set by the
/// routes that may sign it (`resurvey`).
pub fn case_with_history(
    caller: &Caller,
    names: &Names,
    c: &CaseRow,
    history: &[CaseEvent],
    now_ns: i64,
) -> Value {
    let mut v = case(caller, names, c, now_ns);
    v["history"] = history
        .iter()
        .map(|h| {
            json!({"at": rfc3339(h.at_ns), "who": h.who, "what": h.what, "note": h.note,
                "root_cause": h.root_cause, "owner": h.owner, "score": h.score})
        })
        .collect();
    v["recovery_url"] = Value::Null;
    v
}

fn bad(field: &str, message: String) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, field, message)
}

/// What a list (or the figures) asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    pub filter: CaseFilter,
    pub overdue: bool,
    pub owner: Option<String>,
    pub limit: Option<usize>,
    /// The figures' grouping: `store` (default) or `advisor`.
    pub by_advisor: bool,
}

impl Query {
    /// Reads the query string at `now`; an unknown key or a bad value is an error naming it
    /// and what is accepted.
    pub fn parse(q: &[(String, String)], now_ns: i64) -> Result<Query, ApiError> {
        let mut out = Query::default();
        for (k, v) in q {
            match k.as_str() {
                "state" => {
                    out.filter.state = Some(State::parse(v).ok_or_else(|| {
                        bad(
                            "state",
                            format!("state is {v:?}: expected one of open, contacted, resolved"),
                        )
                    })?)
                }
                "store" => out.filter.store = Some(v.clone()),
                "overdue" => match v.as_str() {
                    "true" => out.overdue = true,
                    "false" => out.overdue = false,
                    _ => {
                        return Err(bad(
                            "overdue",
                            format!("overdue is {v:?}: expected true or false"),
                        ))
                    }
                },
                "owner" => out.owner = Some(crate::storage::email_key(v)),
                "limit" => {
                    out.limit = Some(
                        v.parse()
                            .ok()
                            .filter(|n| (1..=LIMIT).contains(n))
                            .ok_or_else(|| {
                                bad("limit", format!("limit is {v:?}: expected 1 to {LIMIT}"))
                            })?,
                    )
                }
                "by" => match v.as_str() {
                    "store" => out.by_advisor = false,
                    "advisor" => out.by_advisor = true,
                    _ => return Err(bad("by", format!("by is {v:?}: expected store or advisor"))),
                },
                other => return Err(ApiError::unknown_key(other, PARAMS)),
            }
        }
        if out.overdue {
            out.filter.overdue_at_ns = Some(now_ns);
        }
        Ok(out)
    }

    /// Whether a listed case passes the filters the store does not apply (its owner).
    pub fn keeps(&self, names: &Names, c: &CaseRow) -> bool {
        match &self.owner {
            Some(o) => owner(names, c).is_some_and(|x| crate::storage::email_key(&x) == *o),
            None => true,
        }
    }
}
