//! The weekly report's image behind a signed link that expires, for the robots that cannot
//! take an image in a message (DingTalk's markdown shows it from the link, Feishu's card and a
//! webhook link to it):
//!
//! ```text
//! GET /report/{alert}.png?l={locale}&until={unix s}&sig={tag}   the PNG   (200, image/png)
//!     a tag that is not the collector's                         403
//!     a link past its `until`                                   410
//!     no such report (deleted, or not a report)                 404
//! ```
//!
//! The tag is HMAC-SHA256 under the server key `report` (`Store::server_key`, shared by every
//! collector of the database) over the alert, the locale and `until`, in URL-safe base64:
//! whoever has the link sees that one report, in that language, for
//! `rules::REPORT_LINK_DAYS`. No sign-in: a group's members open it on their phones. The
//! report holds no person's data (no phone, no comment, no name but the place's).

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use nps_core::cases::opening::AlertKind;
use nps_core::contract::rules::REPORT_LINK_DAYS;
use nps_core::words::Locale;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::Report;
use crate::state::Shared;
use crate::storage::{Now, Store, StoreError};

/// The server key's name.
pub const KEY: &str = "report";
/// How long a link opens, in seconds.
pub const LINK_SECS: i64 = REPORT_LINK_DAYS * 24 * 3600;

/// The tag of `alert` in `locale` until `until_s`.
pub fn tag(key: &[u8], alert: &str, locale: Locale, until_s: i64) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("any key length");
    for part in [alert, locale.tag(), &until_s.to_string()] {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part.as_bytes());
    }
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// The link to `alert`'s image in `locale`, opening for `LINK_SECS` from `now_s`.
pub fn url(base: &str, key: &[u8], alert: &str, locale: Locale, now_s: i64) -> String {
    let until = now_s + LINK_SECS;
    let sig = tag(key, alert, locale, until);
    format!(
        "{base}/report/{alert}.png?l={}&until={until}&sig={sig}",
        locale.tag()
    )
}

/// Why a link does not open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// Not the collector's tag (or a changed alert, locale or time).
    Forged,
    /// Past its `until`.
    Expired,
}

/// Checks a link's parts at `now_s` (the tag compared in constant time).
pub fn check(
    key: &[u8],
    alert: &str,
    locale: Locale,
    until_s: i64,
    sig: &str,
    now_s: i64,
) -> Result<(), Refused> {
    let expected = tag(key, alert, locale, until_s);
    if !bool::from(expected.as_bytes().ct_eq(sig.as_bytes())) {
        return Err(Refused::Forged);
    }
    match now_s < until_s {
        true => Ok(()),
        false => Err(Refused::Expired),
    }
}

/// The frozen report of `alert`, if it is one.
pub async fn report_of(store: &Store, alert: &str) -> Result<Option<Report>, StoreError> {
    let Some(row) = store.alert(alert).await? else {
        return Ok(None);
    };
    if AlertKind::parse(&row.kind) != Some(AlertKind::Report) {
        return Ok(None);
    }
    Ok(row
        .body
        .as_deref()
        .and_then(|b| serde_json::from_str::<Report>(b).ok()))
}

#[derive(serde::Deserialize)]
pub(crate) struct LinkQuery {
    l: String,
    until: i64,
    sig: String,
}

fn plain(status: StatusCode, words: &'static str) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], words).into_response()
}

/// `GET /report/{alert}.png`.
pub(crate) async fn image(
    State(state): State<Shared>,
    Path(file): Path<String>,
    Query(q): Query<LinkQuery>,
) -> Response {
    let (Some(alert), Some(locale)) = (file.strip_suffix(".png"), Locale::parse(&q.l)) else {
        return plain(StatusCode::NOT_FOUND, "no such report");
    };
    let now = Now::system();
    let key = match state.store.server_key(KEY, &now).await {
        Ok(k) => k,
        Err(e) => {
            tracing::error!(error = %e, "reading the report key");
            return plain(StatusCode::SERVICE_UNAVAILABLE, "try again later");
        }
    };
    match check(&key, alert, locale, q.until, &q.sig, now.ns / 1_000_000_000) {
        Err(Refused::Forged) => return plain(StatusCode::FORBIDDEN, "this link is not valid"),
        Err(Refused::Expired) => {
            return plain(
                StatusCode::GONE,
                "this link has expired: open the dashboard",
            )
        }
        Ok(()) => {}
    }
    let report = match report_of(&state.store, alert).await {
        Ok(Some(r)) => r,
        Ok(None) => return plain(StatusCode::NOT_FOUND, "no such report"),
        Err(e) => {
            tracing::error!(error = %e, "reading a report");
            return plain(StatusCode::SERVICE_UNAVAILABLE, "try again later");
        }
    };
    match super::image::png(&report, locale, alert).await {
        Ok(png) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "image/png"),
                (header::CACHE_CONTROL, "private, max-age=3600"),
            ],
            png.as_ref().clone(),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "drawing a report");
            plain(StatusCode::SERVICE_UNAVAILABLE, "try again later")
        }
    }
}
