//! The case routes: the promise made to each detractor, worked by the people whose scope holds
//! its store. Every route takes a `Caller` and asks `access::may` on the server: `CaseRead`
//! to list, read and count (every role, in scope), `CaseWork` to change (not analysts). A case
//! out of scope answers as an unknown one (404), so no one learns it exists.
//!
//! - `GET /api/cases` — the caller's cases, most urgent first (`json::Query`'s filters).
//! - `GET /api/cases/{id}` — one case with its history.
//! - `PATCH /api/cases/{id}` — `{"status", "note", "root_cause", "owner"}`, any of them, applied
//!   as `storage::Edits` in one transaction; audited (`case_update`) before it is made.
//! - `GET /api/cases/stats?by=store|advisor` — `cases::stats` per store or advisor.
//! - `GET /api/cases/root-causes` — the brand's root causes (`Settings::root_causes`).
//! - `POST /api/cases/{id}/recovery` — a resolved case's re-survey link (`resurvey`).

pub mod json;
pub mod resurvey;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use nps_core::access::Action;
use nps_core::cases::stats::{stats as figures, Facts};
use nps_core::cases::{Refusal, State as CaseState};
use serde_json::{json, Map, Value};

use crate::auth::{private, Caller, Who};
use crate::scope::unavailable;
use crate::storage::{CaseRow, Edits, NotApplied, Now, StoreError};
use crate::{audit, ApiError, Shared};

/// The keys a `PATCH` body may hold.
pub const PATCH_KEYS: &[&str] = &["status", "note", "root_cause", "owner"];
/// The most characters a note may have (the contract's, the dashboard's form's too).
pub use nps_core::contract::rules::MAX_NOTE as NOTE_MAX;
/// The statuses a `PATCH` may set.
pub const STATUSES: &[&str] = &["contacted", "resolved", "open"];

fn failed(e: StoreError) -> Response {
    tracing::error!(error = %e, "reading or writing cases");
    unavailable()
}

fn error(status: StatusCode, field: &str, message: String) -> Response {
    private(ApiError::new(status, field, message).into_response())
}

/// The one answer for a case the caller may not see: unknown, or out of their scope.
fn hidden(id: &str) -> Response {
    let shown: String = id.chars().take(nps_core::contract::rules::ID_LEN).collect();
    error(
        StatusCode::NOT_FOUND,
        "id",
        format!("no case {shown} in your scope"),
    )
}

/// How the history names the caller: their email, `token:LABEL`, or `admin token`.
fn who(caller: &Caller) -> String {
    match &caller.who {
        Who::User { email, .. } => email.clone(),
        Who::Token { label, .. } => format!("token:{label}"),
        Who::AdminToken => "admin token".to_owned(),
    }
}

/// The cases of the caller's scope that `q` selects: to list (most urgent first, with the
/// answers' bodies) or, `counted`, to count (`Store::case_figures`: no order, no body).
async fn selected(
    state: &Shared,
    caller: &Caller,
    q: &json::Query,
    counted: bool,
) -> Result<Vec<CaseRow>, Response> {
    let names = state.names();
    // A caller of one store (most store managers) reads only its cases from the database;
    // every other scope is applied to the rows read, below.
    let mut filter = q.filter.clone();
    if let (None, nps_core::access::Scope::Stores(stores)) = (&filter.store, &caller.scope) {
        if let [only] = &stores[..] {
            filter.store = Some(only.clone());
        }
    }
    let rows = match counted {
        false => state.store.case_list(&filter).await,
        true => state.store.case_figures(&filter).await,
    }
    .map_err(failed)?;
    Ok(rows
        .into_iter()
        .filter(|c| caller.may(Action::CaseRead, &json::place(&names, c)))
        .filter(|c| q.keeps(&names, c))
        .collect())
}

/// A list's or the figures' first steps: may the caller read cases, what the query asks, and
/// the cases of their scope it selects.
async fn listed(
    state: &Shared,
    caller: &Caller,
    q: &[(String, String)],
    now: &Now,
    counted: bool,
) -> Result<(json::Query, Vec<CaseRow>), Response> {
    caller.require(Action::CaseRead)?;
    let q = json::Query::parse(q, now.ns).map_err(|e| private(e.into_response()))?;
    let rows = selected(state, caller, &q, counted).await?;
    Ok((q, rows))
}

/// `GET /api/cases`.
pub(crate) async fn list(
    caller: Caller,
    State(state): State<Shared>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let now = Now::system();
    let (q, rows) = match listed(&state, &caller, &q, &now, false).await {
        Ok(found) => found,
        Err(no) => return no,
    };
    let names = state.names();
    let out: Vec<Value> = rows
        .iter()
        .take(q.limit.unwrap_or(json::LIMIT))
        .map(|c| json::case(&caller, &names, c, now.ns))
        .collect();
    private(Json(out).into_response())
}

/// One case in the caller's scope for `action`, with its history.
async fn one(
    state: &Shared,
    caller: &Caller,
    id: &str,
    action: Action,
) -> Result<(CaseRow, Vec<crate::storage::CaseEvent>), Response> {
    caller.require(action)?;
    let Some((case, history)) = state.store.case_get(id).await.map_err(failed)? else {
        return Err(hidden(id));
    };
    if !caller.may(action, &json::place(&state.names(), &case)) {
        return Err(hidden(id));
    }
    Ok((case, history))
}

/// `GET /api/cases/{id}`.
pub(crate) async fn get(
    caller: Caller,
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> Response {
    match one(&state, &caller, &id, Action::CaseRead).await {
        Ok((case, history)) => {
            let now = Now::system();
            let mut v = json::case_with_history(&caller, &state.names(), &case, &history, now.ns);
            // A link already taken stays at hand (signed afresh; the case is counted once).
            let works = caller.may(Action::CaseWork, &json::place(&state.names(), &case));
            if works && case.state == CaseState::Resolved && case.recovery_sent {
                if let Ok(url) = resurvey::link(&state, &case, now.ns / 1_000_000_000) {
                    v["recovery_url"] = Value::from(url);
                }
            }
            private(Json(v).into_response())
        }
        Err(no) => no,
    }
}

/// A `PATCH` body as `Edits`; an unknown key, a bad status or a root cause not in the brand's
/// list is an error naming the field and what it accepts.
pub fn edits(body: &Value, root_causes: &[String]) -> Result<Edits, ApiError> {
    let bad = |field: &str, m: String| ApiError::new(StatusCode::BAD_REQUEST, field, m);
    let Some(map) = body.as_object() else {
        return Err(bad(
            "body",
            format!(
                "expected a JSON object with any of {}",
                PATCH_KEYS.join(", ")
            ),
        ));
    };
    let text = |map: &Map<String, Value>, k: &str| match map.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(bad(k, format!("{k} must be a string"))),
    };
    if let Some(k) = map.keys().find(|k| !PATCH_KEYS.contains(&k.as_str())) {
        return Err(bad(
            k,
            format!(
                "unknown key {k:?}: expected any of {}",
                PATCH_KEYS.join(", ")
            ),
        ));
    }
    let status = match text(map, "status")? {
        None => None,
        Some(s) => Some(CaseState::parse(&s).ok_or_else(|| {
            bad(
                "status",
                format!("status is {s:?}: expected one of {}", STATUSES.join(", ")),
            )
        })?),
    };
    let root_cause = text(map, "root_cause")?;
    if status == Some(CaseState::Resolved)
        && root_cause.as_deref().is_none_or(|c| c.trim().is_empty())
    {
        return Err(bad(
            "root_cause",
            format!(
                "root_cause is needed to resolve a case: expected one of {}",
                root_causes.join(", ")
            ),
        ));
    }
    if let Some(cause) = &root_cause {
        if status != Some(CaseState::Resolved) {
            return Err(bad(
                "root_cause",
                "root_cause goes with status \"resolved\"".to_owned(),
            ));
        }
        if !root_causes.iter().any(|c| c == cause.trim()) {
            return Err(bad(
                "root_cause",
                format!(
                    "root_cause is {cause:?}: expected one of {}",
                    root_causes.join(", ")
                ),
            ));
        }
    }
    let note = text(map, "note")?;
    if let Some(n) = note.as_deref().filter(|n| n.chars().count() > NOTE_MAX) {
        return Err(bad(
            "note",
            format!(
                "note has {} characters: expected at most {NOTE_MAX}",
                n.chars().count()
            ),
        ));
    }
    let edits = Edits {
        status,
        root_cause: root_cause.map(|c| c.trim().to_owned()),
        note,
        owner: text(map, "owner")?.map(|o| crate::storage::email_key(&o)),
    };
    if edits == Edits::default() {
        return Err(bad(
            "body",
            format!("nothing to change: send any of {}", PATCH_KEYS.join(", ")),
        ));
    }
    Ok(edits)
}

/// Whether `owner` may own `case`: an account whose role and scope may work it, or the store's
/// owner in the org file.
async fn may_own(state: &Shared, case: &CaseRow, owner: &str) -> Result<bool, Response> {
    let names = state.names();
    let unassigned = CaseRow {
        owner: None,
        ..case.clone()
    };
    if json::owner(&names, &unassigned).is_some_and(|o| crate::storage::email_key(&o) == owner) {
        return Ok(true);
    }
    let user = state.store.user_by_email(owner).await.map_err(failed)?;
    Ok(user.is_some_and(|u| {
        u.disabled_at.is_none()
            && nps_core::access::may(
                u.role,
                &u.scope,
                Action::CaseWork,
                &json::place(&names, case),
            )
    }))
}

/// `PATCH /api/cases/{id}`.
pub(crate) async fn patch(
    caller: Caller,
    State(state): State<Shared>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    if let Err(no) = caller.require(Action::CaseWork) {
        return no;
    }
    let edits = match serde_json::from_slice::<Value>(&body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "body", format!("not JSON: {e}")))
        .and_then(|v| edits(&v, &state.settings.root_causes()))
    {
        Ok(e) => e,
        Err(e) => return private(e.into_response()),
    };
    let (case, _) = match one(&state, &caller, &id, Action::CaseWork).await {
        Ok(found) => found,
        Err(no) => return no,
    };
    if let Some(owner) = &edits.owner {
        match may_own(&state, &case, owner).await {
            Ok(true) => {}
            Ok(false) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "owner",
                    format!("owner is {owner:?}: expected the email of someone who may work this case (an account in its scope, or the store's owner)"),
                )
            }
            Err(no) => return no,
        }
    }
    let detail = json!({"id": case.id, "store": case.store,
        "status": edits.status.map(CaseState::name), "root_cause": edits.root_cause,
        "owner": edits.owner, "note": edits.note.is_some()});
    if let Err(no) = audit::record(&state, &caller, "case_update", detail).await {
        return no;
    }
    let now = Now::system();
    match state
        .store
        .case_apply(&case.id, &who(&caller), &edits, &now)
        .await
    {
        Err(e) => return failed(e),
        Ok(Err(NotApplied::Unknown)) => return hidden(&id),
        Ok(Err(NotApplied::Refused(r @ Refusal::NotNow { .. }))) => {
            return error(StatusCode::CONFLICT, "status", r.to_string())
        }
        Ok(Err(NotApplied::Refused(r))) => {
            let field = match &r {
                Refusal::Empty { field } => field,
                _ => "status",
            };
            return error(StatusCode::BAD_REQUEST, field, r.to_string());
        }
        Ok(Ok(())) => {}
    }
    get(caller, State(state), Path(case.id)).await
}

/// `GET /api/cases/root-causes`.
pub(crate) async fn root_causes(caller: Caller, State(state): State<Shared>) -> Response {
    if let Err(no) = caller.require(Action::CaseRead) {
        return no;
    }
    private(Json(state.settings.root_causes()).into_response())
}

/// `GET /api/cases/stats`.
pub(crate) async fn stats(
    caller: Caller,
    State(state): State<Shared>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let now = Now::system();
    let (q, rows) = match listed(&state, &caller, &q, &now, true).await {
        Ok(found) => found,
        Err(no) => return no,
    };
    let names = state.names();
    let dim = if q.by_advisor { "advisor" } else { "store" };
    let facts: Vec<Facts> = rows
        .iter()
        .map(|c| Facts {
            key: if q.by_advisor {
                c.advisor.clone()
            } else {
                c.store.clone()
            },
            state: c.state,
            received_ns: c.received_ns,
            deadline_ns: c.deadline_ns,
            first_contact_ns: c.first_contact_ns,
            resolved_ns: c.resolved_ns,
            recovery_sent: c.recovery_sent,
            recovery_score: c.recovery_score,
        })
        .collect();
    let out: Vec<Value> = figures(&facts, now.ns)
        .into_iter()
        .map(|f| {
            let name = f.key.as_deref().and_then(|k| names.get(dim, k));
            json!({"key": f.key, "name": name, "cases": f.cases, "open": f.open,
                "overdue": f.overdue, "contacted_in_time": f.contacted_in_time,
                "in_time_share": f.in_time_share,
                "median_hours_to_contact": f.median_hours_to_contact,
                "recovery_sent": f.recovery_sent, "recovery_answered": f.recovery_answered,
                "recovered": f.recovered, "recovery_rate": f.recovery_rate})
        })
        .collect();
    private(Json(out).into_response())
}
