//! `POST /api/responses` (JSON, `text/plain` beacons, and the no-script form), and
//! `DELETE /api/responses/{id}` (`auth::Caller`, an admin whose scope holds the row); the
//! export is `export`.
//!
//! Each post goes through the one intake path (`intake::take`): flagged answers (a filled
//! honeypot, an answer faster than a person gives) are stored with their `flag` and answered
//! like any other, so a bot learns nothing; the export shows the flag and the dashboard
//! leaves flagged responses out. A refusal is JSON for a script and a page for the form.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use nps_core::access::Action;
use nps_core::contract::payload;
use nps_core::words::Locale;
use serde_json::{json, Value};

use crate::auth::Caller;
use crate::intake::{self, form, Refusal, Sender, Signals, Taken, Via};
use crate::state::AppState;
use crate::storage::Now;
use crate::{audit, refused, scope, ApiError, Shared, BODY_LIMIT};

pub async fn post_response(
    State(state): State<Shared>,
    sender: Sender,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let body = match body {
        Ok(b) => b,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body",
                format!("body is over {BODY_LIMIT} bytes"),
            )
            .into_response()
        }
        // Cut off or too slow (`BODY_TIMEOUT`): a 408, which a sender retries.
        Err(e) => {
            tracing::warn!(error = %e, "could not read a body");
            return ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "body",
                "the body could not be read in time; send it again",
            )
            .into_response();
        }
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match content_type.as_str() {
        "application/json" | "text/plain" | "" => match accept_json(&state, &body, &sender).await {
            Ok(r) => r,
            Err(e) => e.into_response(),
        },
        "application/x-www-form-urlencoded" => accept_form(&state, &body, &headers, &sender).await,
        other => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content-type",
            format!("content-type is {other:?}: expected application/json, text/plain or application/x-www-form-urlencoded"),
        )
        .into_response(),
    }
}

async fn accept_json(state: &AppState, body: &[u8], sender: &Sender) -> Result<Response, ApiError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "body", "body is not valid UTF-8"))?;
    let value = nps_core::contract::json::parse_strict(text, "body")?;
    let response = payload::Response::parse(&value)?;
    let id = response.id.clone();
    let stage = response.stage.as_str();
    let signals = Signals::of(&response);
    let outcome = intake::take(state, response, signals, sender)
        .await
        .map_err(|r| r.api_error())?;
    let (status, extra) = match outcome {
        Taken::Created => (StatusCode::CREATED, json!({"created": true})),
        Taken::Updated => (StatusCode::OK, json!({"updated": true})),
        Taken::Duplicate => (StatusCode::OK, json!({"duplicate": true})),
        Taken::Stale => (StatusCode::OK, json!({"stale": true})),
    };
    let mut out = json!({"id": id, "stage": stage});
    if let (Some(o), Some(e)) = (out.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    Ok((status, Json(out)).into_response())
}

/// The no-script fallback: a plain HTML form. Answers with a small HTML page.
async fn accept_form(
    state: &AppState,
    body: &[u8],
    headers: &HeaderMap,
    sender: &Sender,
) -> Response {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let now = Now::system();
    let value = form::to_payload(
        &pairs,
        &now.at,
        headers.get(header::REFERER).and_then(|v| v.to_str().ok()),
    );
    let locale = value
        .get("locale")
        .and_then(Value::as_str)
        .and_then(Locale::negotiate)
        .unwrap_or(Locale::ZhCn);
    let taken = match payload::Response::parse(&value) {
        // Shown when its page says (`started_at`), answered now.
        Ok(r) => {
            let signals = Signals::of(&r)
                .shown_at(form::started_ms(&pairs))
                .honeypot(form::honeypot(&pairs));
            intake::take(state, r, signals, sender).await.map(|_| ())
        }
        Err(e) => Err(Refusal::Invalid(e)),
    };
    match taken {
        Ok(()) => refused::page(
            StatusCode::CREATED,
            locale,
            refused::say(refused::THANKS, locale),
            refused::say(refused::RECEIVED, locale),
            headers,
        ),
        Err(refusal) => {
            // The customer reads what happened in their words; the field and the rule are
            // logged for whoever set the form up (a broken form, not the customer, fails here).
            let e = refusal.api_error();
            tracing::warn!(status = %e.status, field = %e.field, reason = %e.logged_reason(), "a no-script form was refused");
            let (status, text) = refusal.page(Via::Form);
            let text = text.map_or(refused::say(refused::TRY_AGAIN, locale), |t| {
                t.default_in(locale)
            });
            refused::page(
                status,
                locale,
                refused::say(refused::NOT_SENT, locale),
                text,
                headers,
            )
        }
    }
}

/// `DELETE /api/responses/{id}`: a customer's request to delete their response, by an admin
/// whose scope holds it (`Action::Delete` at the row's place); out of scope is the same 404 as
/// unknown. Recorded in the audit trail before the row goes.
pub async fn delete_response(
    caller: Caller,
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> Response {
    const WHAT: &str = "to delete";
    let store = match scope::in_scope(&state, &caller, &id, Action::Delete, WHAT).await {
        Ok((_, store)) => store,
        Err(no) => return no,
    };
    if let Err(no) =
        audit::record(&state, &caller, "delete", json!({"id": id, "store": store})).await
    {
        return no;
    }
    match state.store.delete(&id).await {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        // Deleted by someone else since it was read.
        Ok(false) => scope::hidden(&id, WHAT),
        Err(e) => {
            tracing::error!(error = %e, "deleting a response");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "db",
                "deleting the response failed; retry later",
            )
            .into_response()
        }
    }
}
