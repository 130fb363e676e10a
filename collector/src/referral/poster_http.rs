//! The poster's routes: `GET /r/{code}/poster.svg`, `/r/{code}/poster.png` and the page that
//! shows it alone, `/r/{code}/poster`.
//!
//! - The poster names the link of `origin` (never the request's own choice of `Host`), so a
//!   code's poster is one SVG, one tag (its hash) and one PNG, whoever asks and however.
//! - The PNG is drawn by `renders` (the render slots, one render per tag, the last 64 kept);
//!   a request that would start a new render spends one of its client's
//!   `Settings::poster_budget` a minute first, and past it gets a 429 that says so.
//! - `?save=1` (the promoter's "save the poster") counts as shared. Outside WeChat it is the
//!   PNG as a download (`Content-Disposition: attachment`). WeChat's browser downloads no
//!   file: there the page's script shows the poster on the page full size under "press and
//!   hold the picture to save or send it" (`page::refer`), and without the script the
//!   request (a `MicroMessenger` user agent) gets a 303 to `/r/{code}/poster`, the poster
//!   alone as a plain image under the same words. Otherwise the PNG is `inline`.

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::{load, origin, page, poster, renders, unavailable, Peer};
use crate::landing::{self, masthead::Masthead};
use crate::state::{AppState, Shared};
use crate::storage::Now;

#[derive(Clone, Copy, PartialEq, Eq)]
enum File {
    Png,
    Svg,
    /// The page showing the PNG alone.
    View,
}

/// Whether a request comes from WeChat's in-app browser.
pub(crate) fn in_wechat(headers: &HeaderMap) -> bool {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ua| ua.to_ascii_lowercase().contains("micromessenger"))
}

/// The budget of a new render for this request's client (`Settings::poster_budget`).
fn budget(
    state: &AppState,
    peer: Option<std::net::SocketAddr>,
    headers: &HeaderMap,
) -> Result<(), u64> {
    match crate::limit::client_key(&state.settings, peer.map(|p| p.ip()), headers) {
        Some(key) => state.poster_budget.check(key, std::time::Instant::now()),
        None => Ok(()),
    }
}

/// `GET /r/{code}/poster.svg`, `/r/{code}/poster.png` and `/r/{code}/poster`.
pub(crate) async fn route(
    State(state): State<Shared>,
    Path((code, file)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    Peer(peer): Peer,
    headers: HeaderMap,
) -> Response {
    let file = match file.as_str() {
        "poster.png" => File::Png,
        "poster.svg" => File::Svg,
        "poster" => File::View,
        _ => return landing::not_found(&state, "", &headers),
    };
    let (r, a) = match load(&state, &code, &headers).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    if file == File::View {
        let html = page::poster_view(&a.cfg, &Masthead::of(&state, &r.survey), &code);
        return landing::html(StatusCode::OK, html);
    }
    let save = q
        .as_deref()
        .is_some_and(|q| q.split('&').any(|p| p == "save=1"));
    if save {
        if let Err(e) = state.store.referral_shared(&code, &Now::system()).await {
            return unavailable(e);
        }
        if in_wechat(&headers) {
            return (
                StatusCode::SEE_OTHER,
                [
                    (header::LOCATION, format!("/r/{code}/poster")),
                    (header::CACHE_CONTROL, "no-store".into()),
                    (header::VARY, "User-Agent".into()),
                ],
            )
                .into_response();
        }
    }
    let link = format!("{}/r/{code}", origin(&state, &headers));
    // What a friend books, from the survey's `booking_label`, in the poster's words.
    let cfg = page::with_booking(&a.cfg, &state.settings.landing.booking_label(&r.survey));
    let svg = match poster::svg(&poster::Poster {
        cfg: &cfg,
        name: r.name.as_deref(),
        link: &link,
    }) {
        Ok(svg) => svg,
        Err(e) => return unavailable(e),
    };
    let etag = format!(
        "\"{}{}\"",
        &crate::write_key::hash(&svg)[..16],
        if file == File::Png { "p" } else { "s" }
    );
    let cache = [
        (header::CACHE_CONTROL, "private, no-cache".to_owned()),
        (header::ETAG, etag.clone()),
    ];
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag);
    if fresh && !save {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    let (body, kind, name) = if file == File::Png {
        let job = move || poster::png(&svg);
        match renders::draw(&etag, || budget(&state, peer, &headers), job).await {
            renders::Drawn::Done(Ok(bytes)) => (bytes.as_ref().clone(), "image/png", "poster.png"),
            renders::Drawn::Done(Err(e)) => return unavailable(e),
            renders::Drawn::Busy => {
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [(header::RETRY_AFTER, "5")],
                    "posters are being drawn: try again in a few seconds",
                )
                    .into_response()
            }
            renders::Drawn::OverBudget(wait_s) => {
                let n = state.settings.poster_budget.unwrap_or(crate::POSTER_BUDGET);
                return crate::limit::too_many(
                    format!(
                        "more than {n} new posters a minute from this client; retry in {wait_s} s"
                    ),
                    wait_s,
                );
            }
        }
    } else {
        (svg.into_bytes(), "image/svg+xml", "poster.svg")
    };
    let mut resp = (StatusCode::OK, cache, body).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    let how = if save { "attachment" } else { "inline" };
    if let Ok(v) = HeaderValue::from_str(&format!("{how}; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if save {
        h.insert(header::VARY, HeaderValue::from_static("User-Agent"));
    }
    resp
}
