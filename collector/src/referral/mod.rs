//! Referrals: a promoter's personal page, the link, QR code and poster they share, a friend's
//! open counted once per device, and what the referral brought, with the store's thank-you.
//!
//! ```text
//! GET  /s/{survey}/{id}/refer      the promoter's page (a stored promoter answer: its id is
//!                                  the capability); issues the answer's one code
//! POST /s/{survey}/{id}/refer      the promoter's name for the poster (optional) ──303──▶ GET
//! GET  /r/{code}                   a friend's open, recorded ──303──▶ the survey's
//!                                  referral_url with `code`, else /r/{code}/book
//! POST /r/{code}/shared            the promoter shared (first time kept; no auth, idempotent)
//! GET  /r/{code}/poster.svg|png    the poster (`?save=1`: a download, which counts as shared;
//!                                  inside WeChat a 303 to the next)
//! GET  /r/{code}/poster            the poster alone, "press and hold to save" (`poster_http`)
//! GET|POST /r/{code}/book          the collector's booking form (a `booked` event, `form`)
//! POST /api/referrals/{code}/events  the brand reports `booked`/`purchased` (a caller with
//!                                  `ReportReferrals` in the code's store's scope)
//! GET  /api/referrals/bookings     the friends' bookings of the caller's scope, phone masked
//! POST /api/referrals/bookings/{id}/reveal  a friend's phone in full, logged (`bookings`)
//! ```
//!
//! A code is verified (`code::verify`, its tag in constant time) before any database read; a
//! bad or unknown one is the "not found" page, never a redirect. The redirect's target is the
//! landing file's `referral_url` alone (nothing from the request: no open redirect).
//!
//! A device is its first-party cookie `nps_rd` (`DEVICE_COOKIE`: a random value, `Path=/r`,
//! `HttpOnly`, `SameSite=Lax`; nothing personal, nothing shared with another site, so no
//! banner), set on a friend's first open and on the promoter's page when it issues the code
//! (so the promoter's own opens are "own"). A browser without it is known by its cookie-less
//! mark: its network (/24, /64) and its browser's name without WeChat's `NetType/…` and
//! `Language/…`. An open stores the code, the marks (`Keys`: HMACs, never the address), when,
//! and how it counts (`growth::referral::open`: own, repeat, past its network's day, counted).
//! The booking form takes a booking only from a browser that opened the code, never the
//! promoter's own. Every `/r/` request and the promoter's page are under the per-client rate
//! limiter (`lib::rate_limit`).

pub mod book;
pub mod bookings;
pub mod code;
mod device;
pub mod events;
mod origin;
mod page;
pub mod poster;
mod poster_http;
mod promoter;
pub mod renders;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use nps_core::growth::referral::Open;

use device::a_person_opens;
pub use device::DEVICE_COOKIE;
pub(crate) use device::{device, local_day, Peer};
pub(crate) use origin::origin;
pub use origin::own_origin;
pub(crate) use poster_http::route as poster;
pub(crate) use promoter::{refer_name, refer_page};

use crate::landing::{self, Ask};
use crate::state::{AppState, Shared};
use crate::storage::{Now, Referral};

/// What a promoter's referral needs from the deployment, said at start (none stops it): a
/// visit secret where the landing file has surveys (`unsigned_codes`: else a code's store is
/// whatever an unsigned link named), a public origin for the links, posters and QR codes (else the address each request's
/// connection reached, over http: `origin`), and a CJK font for the posters' words (looked for
/// on a thread of its own, which also reads the fonts before the first poster).
pub fn warn_at_start(public_origins: &[String], unsigned_codes: bool) {
    if unsigned_codes {
        tracing::warn!(
            "no --visit-secret: promoters of the landing file's surveys get referral codes for the store their link names, and an unsigned link can name any store; sign visit links (--visit-secret) where referrals count"
        );
    }
    if public_origins.is_empty() {
        tracing::warn!(
            "no --public-origin: referral links, posters and QR codes name the address the collector was reached at, over http (never a request's Host); set --public-origin to the address people reach it by"
        );
    }
    std::thread::spawn(|| {
        if poster::cjk_family().is_none() {
            tracing::warn!(
                "no CJK font found (Debian: apt install fonts-noto-cjk): a referral poster's Chinese words will not show"
            );
        }
    });
}

/// A verified code's referral and its survey's page settings (in the browser's language), or
/// the "not found" page. The tag is checked before the store is read.
pub(crate) async fn load(
    state: &AppState,
    code: &str,
    headers: &HeaderMap,
) -> Result<(Referral, Ask), Response> {
    let missing = || landing::not_found(state, "", headers);
    let keys = match state.keys().await {
        Ok(k) => k,
        Err(e) => return Err(unavailable(e)),
    };
    if !code::verify(keys, code) {
        return Err(missing());
    }
    let r = match state.store.referral(code).await {
        Ok(Some(r)) => r,
        Ok(None) => return Err(missing()),
        Err(e) => return Err(unavailable(e)),
    };
    let a = landing::ask_or_default(state, &r.survey, headers);
    Ok((r, a))
}

pub(crate) fn unavailable(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "a referral page could not reach the store");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CACHE_CONTROL, "no-store")],
        "the database does not answer",
    )
        .into_response()
}

/// Where a friend goes after an open: the survey's `referral_url` with `code` added (its own
/// query kept), else the collector's booking form.
fn onward(a: &Ask, code: &str) -> String {
    let to = a
        .cfg
        .referral_url
        .as_deref()
        .and_then(|u| url::Url::parse(u).ok())
        .filter(|u| matches!(u.scheme(), "https" | "http"));
    match to {
        Some(mut u) => {
            u.query_pairs_mut().append_pair("code", code);
            u.into()
        }
        None => format!("/r/{code}/book"),
    }
}

/// `GET /r/{code}`: a friend's open, counted once per device (never the promoter's own, a
/// network a few times a day), then on; a browser without the referral cookie gets it.
pub(crate) async fn open(
    State(state): State<Shared>,
    Path(code): Path<String>,
    Peer(peer): Peer,
    method: axum::http::Method,
    headers: HeaderMap,
) -> Response {
    let (r, a) = match load(&state, &code, &headers).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let mut cookie = None;
    if method == axum::http::Method::GET && a_person_opens(&headers) {
        let keys = match state.keys().await {
            Ok(k) => k,
            Err(e) => return unavailable(e),
        };
        let dev = device(&state, keys, peer, &headers);
        let now = Now::system();
        let (_, day_start) = local_day(&state, &now);
        match state
            .store
            .referral_open_marked(&code, &dev.marks(), dev.owns(&r), day_start, &now)
            .await
        {
            Ok(Open::Counted | Open::Repeat | Open::Own | Open::Capped) => {}
            Err(e) => return unavailable(e),
        }
        if dev.new_cookie {
            cookie = dev.set_cookie(&state, &headers);
        }
    }
    let to = onward(&a, &code);
    match HeaderValue::from_str(&to) {
        Ok(to) => {
            let mut resp = (
                StatusCode::SEE_OTHER,
                [
                    (header::LOCATION, to),
                    (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                    (
                        header::REFERRER_POLICY,
                        HeaderValue::from_static("no-referrer"),
                    ),
                ],
            )
                .into_response();
            if let Some(c) = cookie {
                resp.headers_mut().insert(header::SET_COOKIE, c);
            }
            resp
        }
        Err(_) => landing::not_found(&state, &r.survey, &headers),
    }
}

/// `POST /r/{code}/shared`: the promoter shared (the first time is kept).
pub(crate) async fn shared(
    State(state): State<Shared>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(page) = load(&state, &code, &headers).await {
        return page;
    }
    match state.store.referral_shared(&code, &Now::system()).await {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => unavailable(e),
    }
}
