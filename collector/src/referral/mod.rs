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
//! landing file's `referral_url` alone (nothing from the request: no open redirect). An open
//! stores the code, a device mark (`Keys::device`: an HMAC, not the address), when, and
//! whether it is the promoter's own device: no cookie, nothing personal. Every `/r/` request
//! is under the per-client rate limiter (`lib::rate_limit`).

pub mod book;
pub mod bookings;
pub mod code;
pub mod events;
mod origin;
mod page;
pub mod poster;
mod poster_http;
mod promoter;
pub mod renders;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use nps_core::growth::referral::Open;

pub(crate) use origin::origin;
pub use origin::own_origin;
pub(crate) use poster_http::route as poster;
pub(crate) use promoter::{refer_name, refer_page};

use crate::landing::{self, Ask};
use crate::state::{AppState, Shared};
use crate::storage::{Now, Referral};

/// The connection's peer, when the server gave it (`serve` does; a test's request may not).
pub(crate) struct Peer(pub Option<SocketAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Peer, Self::Rejection> {
        Ok(Peer(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0),
        ))
    }
}

/// The client's device mark: its address (through trusted proxies) and browser.
pub(crate) fn device(
    state: &AppState,
    keys: &crate::keys::Keys,
    peer: Option<SocketAddr>,
    headers: &HeaderMap,
) -> String {
    let peer = peer.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |p| p.ip());
    let s = &state.settings;
    let ip = crate::net::client_addr(peer, headers, &s.trusted_proxies, s.proxy_header);
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    keys.device(ip, ua)
}

/// What a promoter's referral needs from the deployment, said at start (neither stops it):
/// a public origin for the links, posters and QR codes (else the address each request's
/// connection reached, over http: `origin`), and a CJK font for the posters' words (looked for
/// on a thread of its own, which also reads the fonts before the first poster).
pub fn warn_at_start(public_origins: &[String]) {
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

/// Whether a request is a person opening the link in a browser: a page load (a browser that
/// says what it fetches says `document`: never an image, a script or a frame another page
/// embeds), not a chat app's link preview or a crawler.
fn a_person_opens(headers: &HeaderMap) -> bool {
    let text = |h: &str| headers.get(h).and_then(|v| v.to_str().ok()).unwrap_or("");
    let dest = text("sec-fetch-dest");
    let ua = text("user-agent").to_ascii_lowercase();
    let robot = [
        "bot",
        "spider",
        "crawler",
        "preview",
        "facebookexternalhit",
        "slurp",
        "curl/",
        "wget/",
    ]
    .iter()
    .any(|r| ua.contains(r));
    (dest.is_empty() || dest == "document") && !ua.is_empty() && !robot
}

/// `GET /r/{code}`: a friend's open, counted once per device (never the promoter's own),
/// then on.
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
    if method == axum::http::Method::GET && a_person_opens(&headers) {
        let keys = match state.keys().await {
            Ok(k) => k,
            Err(e) => return unavailable(e),
        };
        let device = device(&state, keys, peer, &headers);
        let own = r.device.as_deref() == Some(device.as_str());
        match state
            .store
            .referral_open(&code, &device, own, &Now::system())
            .await
        {
            Ok(Open::Counted | Open::Repeat | Open::Own) => {}
            Err(e) => return unavailable(e),
        }
    }
    let to = onward(&a, &code);
    match HeaderValue::from_str(&to) {
        Ok(to) => (
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
            .into_response(),
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
