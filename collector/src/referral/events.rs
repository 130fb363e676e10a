//! What a referral brought: `POST /api/referrals/{code}/events` (the brand's system: a machine
//! token, or an admin, with `ReportReferrals` in the code's store's scope; never a store or
//! region manager's session) and the booking form (`book`) both go through `record_by`, which
//! stores the event with who reported it and, when it is new, its thank-you alert in one
//! transaction (`Store::referral_event_by`). Every reported event carries the brand's own
//! `id` (`referral::Event`); the same `id` for a code and kind counts once: the first is a
//! 201, a repeat a 200 with `{"duplicate": true}`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use nps_core::access::{self, Action};
use nps_core::growth::referral::Event;
use serde_json::json;

use crate::auth::{private, Caller};
use crate::delivery::say::thanks_body;
use crate::storage::{NewEvent, Now, Recorded, Referral, StoreError};
use crate::{ApiError, Shared};

/// Stores `e` of referral `r` with its thank-you alert, reported by `by` (the caller as the
/// audit trail names them).
pub(crate) async fn record_by(
    state: &crate::state::AppState,
    r: &Referral,
    e: &NewEvent<'_>,
    by: Option<&str>,
) -> Result<Recorded, StoreError> {
    let body = thanks_body(r, e, &state.settings.landing.booking_label(&r.survey));
    state
        .store
        .referral_event_by(e, by, &body, &Now::system())
        .await
}

/// The one 404 for a code that is not valid, not stored, or outside the caller's scope.
fn unknown() -> Response {
    private(
        ApiError::new(
            StatusCode::NOT_FOUND,
            "code",
            "no such referral code in your scope",
        )
        .into_response(),
    )
}

/// `POST /api/referrals/{code}/events`.
pub(crate) async fn post(
    State(state): State<Shared>,
    caller: Caller,
    Path(code): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(resp) = caller.require(Action::ReportReferrals) {
        return resp;
    }
    let keys = match state.keys().await {
        Ok(k) => k,
        Err(_) => return ApiError::storage().into_response(),
    };
    if !super::code::verify(keys, &code) {
        return unknown();
    }
    let r = match state.store.referral(&code).await {
        Ok(Some(r)) => r,
        Ok(None) => return unknown(),
        Err(_) => return ApiError::storage().into_response(),
    };
    let names = state.names();
    let place = access::place_of(names.org(), r.store.as_deref());
    if !caller.may(Action::ReportReferrals, &place) {
        return unknown();
    }
    let event = match std::str::from_utf8(&body)
        .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "body", "body is not valid UTF-8"))
        .and_then(|text| {
            nps_core::contract::json::parse_strict(text, "body").map_err(ApiError::from)
        })
        .and_then(|v| Event::parse(&v).map_err(ApiError::from))
    {
        Ok(e) => e,
        Err(e) => return e.into_response(),
    };
    let now = Now::system();
    // A report of what has happened: a time ahead of the collector's clock (beyond a little
    // drift) would bend the trend.
    if event
        .at_ns
        .is_some_and(|at| at > now.ns + 10 * 60 * 1_000_000_000)
    {
        return ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "at",
            "at is in the future: expected the RFC 3339 time the friend booked or bought",
        )
        .into_response();
    }
    // Nor can a friend have come through the code before it was made.
    if event.at_ns.is_some_and(|at| at < r.created_ns) {
        // The creation time rounded up to the millisecond the answer writes.
        let earliest = r.created_ns.saturating_add(999_999) / 1_000_000 * 1_000_000;
        let earliest = crate::cases::json::rfc3339(earliest);
        return ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "at",
            format!("at is before the referral code was made: expected a time no earlier than {earliest}"),
        )
        .into_response();
    }
    let detail = json!({"code": &code[..6], "type": event.kind.name(), "id": event.reference,
                        "store": r.store});
    if let Err(no) = crate::audit::record(&state, &caller, "referral_event", detail).await {
        return no;
    }
    let new = NewEvent {
        code: &code,
        kind: event.kind,
        reference: Some(&event.reference),
        via: "api",
        at_ns: event.at_ns.unwrap_or(now.ns),
        friend_name: None,
        friend_phone: None,
        preferred_date: None,
        purge_after_ns: None,
    };
    match record_by(&state, &r, &new, Some(&caller.name())).await {
        Ok(Recorded::New) => private(
            (
                StatusCode::CREATED,
                Json(json!({"created": true, "type": event.kind.name()})),
            )
                .into_response(),
        ),
        Ok(Recorded::Duplicate) => private(
            (
                StatusCode::OK,
                Json(json!({"duplicate": true, "type": event.kind.name()})),
            )
                .into_response(),
        ),
        Err(e) => {
            tracing::error!(error = %e, "a referral event could not be stored");
            ApiError::storage().into_response()
        }
    }
}
