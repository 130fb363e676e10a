//! `GET /api/alerts` (admins: `Action::ReadAlerts`): the alert queue, so that a job the
//! collector gave up on is seen with its reason (docs/ALERTS.md, "Where dead jobs show").
//! `?state=pending|sent|dead` narrows it, `?limit=N` (default and most `cases::json::LIMIT`).
//! Each job: its alert, kind and case, the channel's **name**, state, attempts, the last try
//! and its outcome, the next try (a pending job), when sent, and the reason (the receiver's
//! answer, never a secret). A channel's URL, key or secret is never in the answer: the queue
//! does not hold them.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use nps_core::access::Action;
use serde_json::{json, Value};

use crate::auth::{private, Caller};
use crate::cases::json::{rfc3339, LIMIT};
use crate::scope::unavailable;
use crate::storage::QueueLine;
use crate::{ApiError, Shared};

/// The states a job can be in, as `?state=` takes them.
pub const STATES: [&str; 3] = ["pending", "sent", "dead"];

fn bad(field: &str, message: String) -> Response {
    private(ApiError::new(StatusCode::BAD_REQUEST, field, message).into_response())
}

/// One job as the API writes it.
pub fn line_json(l: &QueueLine) -> Value {
    let j = &l.job;
    let outcome = j.job.last.map(|last| match last.outcome {
        nps_core::cases::delivery::Outcome::Sent => "sent",
        nps_core::cases::delivery::Outcome::Failed { .. } => "failed",
        nps_core::cases::delivery::Outcome::Refused => "refused",
    });
    json!({
        "alert": j.alert_id,
        "kind": l.kind,
        "case_id": l.case_id,
        "channel": j.channel,
        "state": j.state,
        "attempts": j.job.attempts,
        "last_try": j.job.last.map(|last| rfc3339(last.at_ns)),
        "last_outcome": outcome,
        "next_try": (j.state == "pending").then(|| rfc3339(j.next_ns)),
        "sent_at": j.sent_ns.map(rfc3339),
        "reason": j.reason,
    })
}

/// `GET /api/alerts`.
pub(crate) async fn list(
    caller: Caller,
    State(state): State<Shared>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    if let Err(no) = caller.require(Action::ReadAlerts) {
        return no;
    }
    let (mut wanted, mut limit) = (None, LIMIT);
    for (k, v) in &q {
        match k.as_str() {
            "state" => match STATES.iter().find(|s| **s == v.as_str()) {
                Some(s) => wanted = Some(*s),
                None => {
                    let accepted = STATES.join(", ");
                    return bad("state", format!("{v:?} is not a state: one of {accepted}"));
                }
            },
            "limit" => match v.parse::<usize>() {
                Ok(n) if (1..=LIMIT).contains(&n) => limit = n,
                _ => return bad("limit", format!("{v:?}: a number from 1 to {LIMIT}")),
            },
            _ => {
                return bad(
                    k,
                    format!("{k:?} is not a filter of /api/alerts: state or limit"),
                )
            }
        }
    }
    match state.store.alert_queue(wanted, limit as i64).await {
        Ok(lines) => private(Json(lines.iter().map(line_json).collect::<Vec<_>>()).into_response()),
        Err(e) => {
            tracing::error!(error = %e, "reading the alert queue");
            unavailable()
        }
    }
}
