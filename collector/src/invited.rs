//! `POST /api/visits`: the visits a brand invited (a DMS's batch, a store's own list), so
//! that the funnel can count who answered of whom. A JSON array of at most `MAX_VISITS`
//! `{"survey","visit","store","advisor"?,"touchpoint"?,"issued_at"?}`, by a machine token or
//! a person allowed `Action::ReportVisits` in every row's store. Checked whole before any
//! row is written (an error names `[i].field` and what would be accepted; a store must be
//! one of the org's when an org file is loaded), recorded in one transaction that commits
//! before the answer (`{"recorded": n, "known": m}`; a known visit keeps its first
//! `issued_at`), and written to the audit trail (`visits_record`).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use nps_core::access::{place_of, Action};
use nps_core::contract::rules;
use nps_core::org::Org;
use serde_json::{json, Value};

use crate::auth::{private, Caller};
use crate::storage::{NewVisit, Now};
use crate::{audit, ApiError, Shared};

/// Most visits one post records.
pub const MAX_VISITS: usize = 1000;
/// The largest body of `POST /api/visits` (`MAX_VISITS` rows of a few hundred bytes).
pub const VISITS_BODY_LIMIT: usize = MAX_VISITS * 512;
/// The most store codes an unknown store's error lists.
const STORES_SHOWN: usize = 20;
/// The keys of one row.
pub const KEYS: [&str; 6] = [
    "survey",
    "visit",
    "store",
    "advisor",
    "touchpoint",
    "issued_at",
];

fn bad(field: String, message: String) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        &field,
        format!("{field} {message}"),
    )
}

/// A row's optional text key: a context value (`rules::is_context_value`), not empty.
fn text(
    row: &serde_json::Map<String, Value>,
    i: usize,
    key: &str,
) -> Result<Option<String>, ApiError> {
    match row.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() && rules::is_context_value(s) => {
            Ok(Some(s.clone()))
        }
        Some(v) => Err(bad(
            format!("[{i}].{key}"),
            format!(
                "is {v}: expected a text of 1–{} characters without control characters",
                rules::MAX_CONTEXT_VALUE
            ),
        )),
    }
}

/// The rows of a body, every one checked before any is taken: the first error names its
/// `[i].field`. `org`: the stores a row may name (none loaded: any). `now_ns`: a row
/// without `issued_at` was issued now.
pub fn parse(value: &Value, org: Option<&Org>, now_ns: i64) -> Result<Vec<NewVisit>, ApiError> {
    let Some(rows) = value.as_array() else {
        return Err(bad(
            "body".into(),
            "is not an array: expected [{\"survey\", \"visit\", \"store\", …}]".into(),
        ));
    };
    if rows.is_empty() || rows.len() > MAX_VISITS {
        return Err(bad(
            "body".into(),
            format!("has {} visits: expected 1 to {MAX_VISITS}", rows.len()),
        ));
    }
    let mut out = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let Some(row) = row.as_object() else {
            return Err(bad(
                format!("[{i}]"),
                "is not an object: expected {\"survey\", \"visit\", \"store\", …}".into(),
            ));
        };
        if let Some(k) = row.keys().find(|k| !KEYS.contains(&k.as_str())) {
            return Err(bad(
                format!("[{i}].{k}"),
                format!("is not a key of a visit: expected {}", KEYS.join(", ")),
            ));
        }
        let required = |key: &str| {
            text(row, i, key)?.ok_or_else(|| bad(format!("[{i}].{key}"), "is missing".into()))
        };
        let survey = required("survey")?;
        if !rules::is_id(&survey) {
            return Err(bad(
                format!("[{i}].survey"),
                format!("is {survey:?}: expected {}", rules::id_shape()),
            ));
        }
        let visit = required("visit")?;
        let store = required("store")?;
        if let Some(org) = org {
            if org.store(&store).is_none() {
                let known: Vec<&str> = org
                    .stores()
                    .iter()
                    .map(|s| s.id.as_str())
                    .take(STORES_SHOWN)
                    .collect();
                return Err(bad(
                    format!("[{i}].store"),
                    format!(
                        "is {store:?}, not a store of the org file: expected one of {}",
                        known.join(", ")
                    ),
                ));
            }
        }
        let issued_ns = match row.get("issued_at") {
            None | Some(Value::Null) => now_ns,
            Some(Value::String(t)) if rules::is_rfc3339(t) => {
                let ns = nps_core::contract::time::Time::parse(t)
                    .map(|t| t.unix_ns())
                    .unwrap_or(0);
                let ns = i64::try_from(ns).unwrap_or(0).max(0);
                if ns > now_ns + FUTURE_NS {
                    return Err(bad(
                        format!("[{i}].issued_at"),
                        format!("is {t:?}, in the future: a visit is recorded once it is issued"),
                    ));
                }
                ns
            }
            Some(v) => {
                return Err(bad(
                    format!("[{i}].issued_at"),
                    format!("is {v}: expected an RFC 3339 time (2026-11-28T10:30:00+08:00)"),
                ))
            }
        };
        out.push(NewVisit {
            survey,
            visit,
            store: Some(store),
            advisor: text(row, i, "advisor")?,
            touchpoint: text(row, i, "touchpoint")?,
            issued_ns,
        });
    }
    Ok(out)
}

/// How far ahead of the collector's clock an `issued_at` may be (clocks differ a little).
const FUTURE_NS: i64 = 10 * 60 * 1_000_000_000;

/// `POST /api/visits`.
pub(crate) async fn record(caller: Caller, State(state): State<Shared>, body: Bytes) -> Response {
    if let Err(no) = caller.require(Action::ReportVisits) {
        return no;
    }
    let now = Now::system();
    let names = state.names();
    let visits = match std::str::from_utf8(&body)
        .map_err(|_| bad("body".into(), "is not valid UTF-8".into()))
        .and_then(|text| Ok(nps_core::contract::json::parse_strict(text, "body")?))
        .and_then(|v| parse(&v, names.org(), now.ns))
    {
        Ok(v) => v,
        Err(e) => return private(e.into_response()),
    };
    // Every row in the caller's scope, or none is written.
    for (i, v) in visits.iter().enumerate() {
        if !caller.may(
            Action::ReportVisits,
            &place_of(names.org(), v.store.as_deref()),
        ) {
            return private(
                ApiError::new(
                    StatusCode::FORBIDDEN,
                    &format!("[{i}].store"),
                    format!(
                        "[{i}].store is {:?}: not a store in your scope",
                        v.store.as_deref().unwrap_or("")
                    ),
                )
                .into_response(),
            );
        }
    }
    let detail = json!({"visits": visits.len(), "source": "api"});
    if let Err(no) = audit::record(&state, &caller, "visits_record", detail).await {
        return no;
    }
    match state.store.visits_record(&visits, "api", &now).await {
        Ok((recorded, known)) => private(
            (
                StatusCode::OK,
                Json(json!({"recorded": recorded, "known": known})),
            )
                .into_response(),
        ),
        Err(e) => {
            tracing::error!(error = %e, "recording visits");
            private(ApiError::storage().into_response())
        }
    }
}
