//! The friends' bookings, for the store to call them back: `GET /api/referrals/bookings`
//! (every role; only the rows of the caller's scope, by the referral's store, asked
//! `Action::ReadAnswers` on the server for every row) lists each `booked` event newest first
//! (at most `LIMIT`) with the friend's name (称呼), preferred date, the store and advisor, the
//! promoter's name and the friend's phone as the access table's `PhoneView` shows it: masked
//! (`138****3788`) for an admin, region or store manager, absent for an analyst.
//! `POST /api/referrals/bookings/{id}/reveal` gives the phone in full (`Action::Reveal` in
//! scope), recorded in the audit trail before it is sent, as `POST /api/responses/{id}/reveal`.
//! Unknown, out of scope and "no phone" answer the same 404.
//!
//! Query: `store`, `from`, `to` (a date or an RFC 3339 time, of when the friend booked),
//! `survey` — as `GET /api/funnel` reads them (`funnel::Ask`).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use nps_core::access::{self, place_of, Action, PhoneView};
use nps_core::contract::phone;
use nps_core::contract::rules::ID_LEN;
use serde_json::{json, Value};

use crate::auth::{private, Caller};
use crate::cases::json::rfc3339;
use crate::funnel::Ask;
use crate::scope::unavailable;
use crate::storage::Booking;
use crate::{audit, ApiError, Shared};

/// The most bookings one list gives.
pub const LIMIT: usize = 500;

/// A booking as `caller` sees it, or `None` outside their scope.
fn shown(caller: &Caller, names: &nps_core::scoring::analysis::Names, b: Booking) -> Option<Value> {
    let place = place_of(names.org(), b.store.as_deref());
    if !caller.may(Action::ReadAnswers, &place) {
        return None;
    }
    let mut row = json!({
        "id": b.id,
        "store": b.store,
        "advisor": b.advisor,
        "promoter_name": b.promoter_name,
        "friend_name": b.friend_name,
        "preferred_date": b.preferred_date,
        "via": b.via,
        "booked_at": rfc3339(b.at_ns),
    });
    if access::phone_view(caller.role, &caller.scope, &place) == PhoneView::Masked {
        row["phone"] = json!(b.phone.as_deref().map(phone::mask));
    }
    Some(row)
}

/// `GET /api/referrals/bookings`.
pub(crate) async fn list(
    caller: Caller,
    State(state): State<Shared>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    if let Err(no) = caller.require(Action::ReadAnswers) {
        return no;
    }
    let ask = match Ask::parse(&q) {
        Ok(a) if a.by.is_none() => a,
        Ok(_) => {
            let e = ApiError::new(
                StatusCode::BAD_REQUEST,
                "by",
                "bookings are not grouped: expected one of store, from, to, survey",
            );
            return private(e.into_response());
        }
        Err(e) => return private(e.into_response()),
    };
    let bookings = match state
        .store
        .referral_bookings(&ask.window, ask.store.as_deref())
        .await
    {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "reading the bookings");
            return unavailable();
        }
    };
    let names = state.names();
    let rows: Vec<Value> = bookings
        .into_iter()
        .filter_map(|b| shown(&caller, &names, b))
        .take(LIMIT)
        .collect();
    private(Json(json!({"rows": rows})).into_response())
}

/// The one answer for a booking the caller may not reveal: unknown, out of scope, no phone.
fn hidden(id: &str) -> Response {
    private(
        ApiError::new(
            StatusCode::NOT_FOUND,
            "id",
            format!(
                "no booking {} with a phone in your scope",
                id.chars().take(ID_LEN).collect::<String>()
            ),
        )
        .into_response(),
    )
}

/// `POST /api/referrals/bookings/{id}/reveal`: the friend's phone in full; logged.
pub(crate) async fn reveal(
    caller: Caller,
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> Response {
    if let Err(no) = caller.require(Action::Reveal) {
        return no;
    }
    let booking = match state.store.referral_booking(&id).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "reading a booking");
            return unavailable();
        }
    };
    let names = state.names();
    let Some((store, phone)) = booking
        .filter(|b| caller.may(Action::Reveal, &place_of(names.org(), b.store.as_deref())))
        .and_then(|b| Some((b.store, b.phone?)))
    else {
        return hidden(&id);
    };
    let detail = json!({"booking": id, "store": store});
    if let Err(no) = audit::record(&state, &caller, "reveal", detail).await {
        return no;
    }
    private(Json(json!({"id": id, "phone": phone})).into_response())
}
