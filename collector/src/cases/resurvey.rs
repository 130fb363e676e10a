//! `POST /api/cases/{id}/recovery`: the re-survey link of a resolved case, for the store to
//! send as it prefers (a message, a text, a QR code at the next visit). Taking the link is
//! recorded in the case's history (`recovery_link`: the case counts as re-surveyed in the
//! figures) and audited; the customer's answer comes back through the landing page
//! (`crate::recovery`) and its score is recorded on the case.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use nps_core::access::Action;
use nps_core::cases::State as CaseState;
use serde_json::json as value;

use super::{error, failed, hidden, json, one, who};
use crate::auth::{private, Caller};
use crate::recovery::{recovery_url, Resolved};
use crate::storage::{CaseRow, Now};
use crate::{audit, Shared};

/// The field a refusal names.
const FIELD: &str = "recovery";

/// The case's re-survey link signed now, or why there can be none (a setting the operator
/// must give, a case the landing page cannot carry).
pub(super) fn link(state: &Shared, case: &CaseRow, now_s: i64) -> Result<String, Response> {
    let settings = &state.settings;
    let Some(key) = settings.visit_key.as_ref() else {
        return Err(error(
            StatusCode::CONFLICT,
            FIELD,
            "a re-survey link is signed with the visit secret: start the collector with \
             --visit-secret (or NPS_VISIT_SECRET)"
                .into(),
        ));
    };
    let Some(base) = settings.link_base() else {
        return Err(error(
            StatusCode::CONFLICT,
            FIELD,
            "a re-survey link needs the collector's public address: give --public-origin \
             (or link_base in [cases] of the config file)"
                .into(),
        ));
    };
    let Ok(case_id) = uuid::Uuid::parse_str(&case.id) else {
        return Err(hidden(&case.id));
    };
    let resolved = Resolved {
        case: case_id,
        survey: &case.survey,
        store: case.store.as_deref(),
        advisor: case.advisor.as_deref(),
    };
    recovery_url(key, &settings.landing, &base, &resolved, now_s)
        .map_err(|why| error(StatusCode::CONFLICT, FIELD, why))
}

/// `POST /api/cases/{id}/recovery` → the case with its history and `recovery_url`.
pub(crate) async fn take(
    caller: Caller,
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> Response {
    let (case, _) = match one(&state, &caller, &id, Action::CaseWork).await {
        Ok(found) => found,
        Err(no) => return no,
    };
    if case.state != CaseState::Resolved {
        return error(
            StatusCode::CONFLICT,
            "status",
            format!(
                "a case that is {} has no re-survey yet: resolve it first",
                case.state.name()
            ),
        );
    }
    let now = Now::system();
    let url = match link(&state, &case, now.ns / 1_000_000_000) {
        Ok(url) => url,
        Err(no) => return no,
    };
    let detail = value!({"id": case.id, "store": case.store, "recovery_link": true});
    if let Err(no) = audit::record(&state, &caller, "case_update", detail).await {
        return no;
    }
    match state
        .store
        .case_recovery_sent(&case.id, &who(&caller), &now)
        .await
    {
        Err(e) => return failed(e),
        Ok(false) => return hidden(&id),
        Ok(true) => {}
    }
    let Some((case, history)) = state.store.case_get(&case.id).await.ok().flatten() else {
        return hidden(&id);
    };
    let mut v = json::case_with_history(&caller, &state.names(), &case, &history, now.ns);
    v["recovery_url"] = value!(url);
    private(Json(v).into_response())
}
