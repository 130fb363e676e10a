//! A one-time invite (`nps-collector user add` / `user reset` print its URL): `GET
//! /invite/{token}` shows the set-password page of the account it is for; `POST
//! /invite/{token}` takes a password that meets `password::check`, uses the invite up
//! (`Store::invite_accept`), starts a session and goes on (303) to the dashboard. An expired,
//! used or unknown invite gets a page that says so and what to do (410). The token is kept
//! only as its hash; it travels in the path, which the page's `<meta name="referrer"
//! content="same-origin">` keeps from the sites its links lead to (`no-referrer` would make
//! the browser send `Origin: null` with the form, which the origin check refuses).

use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::DEFAULT_NEXT;
use super::{cross_origin, from_own_pages, get, html, locale, page, pairs, see_other};
use crate::{password, session, write_key, Now, Shared, BODY_LIMIT};

/// How long an invite holds, in hours.
pub const INVITE_HOURS: i64 = 72;

/// A fresh invite for an account (`user add`, `user reset`): its URL under `base`, valid
/// `INVITE_HOURS`; only the token's hash is stored, and an earlier invite stops working.
pub async fn issue(
    store: &crate::Store,
    user_id: i64,
    base: &str,
    now: &Now,
) -> Result<String, crate::storage::StoreError> {
    let token = write_key::secret();
    let expires = now.ns.saturating_add(INVITE_HOURS * 3600 * 1_000_000_000);
    store
        .invite(user_id, &write_key::hash(&token), expires, now)
        .await?;
    Ok(format!("{base}/invite/{token}"))
}

fn gone(l: nps_core::words::Locale) -> Response {
    html(StatusCode::GONE, page::invite_gone(l, INVITE_HOURS))
}

fn unavailable(e: crate::storage::StoreError) -> Response {
    tracing::error!(error = %e, "an invite could not be read or used");
    crate::auth::private(crate::ApiError::storage().into_response())
}

/// `GET /invite/{token}`: the set-password page, or why the link no longer works.
pub(crate) async fn invite_page(
    State(state): State<Shared>,
    Path(token): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let query = pairs(q.unwrap_or_default().as_bytes());
    let l = locale(get(&query, "lang"), &headers);
    let now = Now::system();
    match state
        .store
        .invite_user(&write_key::hash(&token), &now)
        .await
    {
        Ok(Some(user)) => html(
            StatusCode::OK,
            page::set_password(l, &format!("/invite/{token}"), &user.email, None),
        ),
        Ok(None) => gone(l),
        Err(e) => unavailable(e),
    }
}

/// `POST /invite/{token}`: the new password; on to the dashboard, signed in.
pub(crate) async fn accept(
    State(state): State<Shared>,
    Path(token): Path<String>,
    req: Request,
) -> Response {
    if !from_own_pages(&state, req.headers()) {
        return cross_origin();
    }
    let headers = req.headers().clone();
    let Ok(body) = axum::body::to_bytes(req.into_body(), BODY_LIMIT).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let form = pairs(&body);
    let l = locale(get(&form, "lang"), &headers);
    let now = Now::system();
    let hash = write_key::hash(&token);
    let store = &state.store;
    let user = match store.invite_user(&hash, &now).await {
        Ok(Some(u)) => u,
        Ok(None) => return gone(l),
        Err(e) => return unavailable(e),
    };
    let pw = get(&form, "password").unwrap_or_default().to_owned();
    let again = get(&form, "again").unwrap_or_default();
    if let Err(p) = password::check(&pw, again, &user.email) {
        let action = format!("/invite/{token}");
        let trouble = page::password_problem(l, p);
        return html(
            StatusCode::UNPROCESSABLE_ENTITY,
            page::set_password(l, &action, &user.email, Some(&trouble)),
        );
    }
    let hashed = match state.password_slots.run(move || password::hash(&pw)).await {
        Ok(h) => h,
        Err(password::Busy) => {
            let action = format!("/invite/{token}");
            let trouble = page::busy_words(l);
            let again = page::set_password(l, &action, &user.email, Some(&trouble));
            return super::busy(html(StatusCode::SERVICE_UNAVAILABLE, again));
        }
    };
    let Ok(hashed) = hashed else {
        tracing::error!("a new password could not be hashed");
        return crate::auth::private(StatusCode::INTERNAL_SERVER_ERROR.into_response());
    };
    let user = match store.invite_accept(&hash, &hashed, &now).await {
        Ok(Some(u)) => u,
        // Used or expired while the password was hashed.
        Ok(None) => return gone(l),
        Err(e) => return unavailable(e),
    };
    let who = format!("user:{}", user.email);
    let started = async {
        let cookie = session::start(store, &state.settings, user.id, &now).await?;
        store
            .audit_append(&now, &who, "invite_accepted", &json!({}))
            .await?;
        Ok::<_, crate::storage::StoreError>(cookie)
    };
    match started.await {
        Ok(cookie) => see_other(DEFAULT_NEXT, Some(cookie)),
        Err(e) => unavailable(e),
    }
}
