//! The collector's booking form, for a brand without a booking page of its own:
//! `GET /r/{code}/book` shows it, `POST /r/{code}/book` takes the friend's name (称呼), phone
//! (the contract's phone rules, with a consent box naming the survey's retention) and preferred
//! date, and stores a `booked` event (`via` `form`, the date in its own column) with the
//! store's thank-you alert naming the friend and the date. The phone is kept for the survey's
//! `retention_days`, then removed (`Store::purge`); it is never in an alert: the store reads it
//! masked in `GET /api/referrals/bookings` and in full through a logged reveal (`bookings`).
//!
//! A booking is taken only from a browser that opened the code (its referral cookie, set on
//! `/r/{code}`), never from the promoter's own device; a code takes
//! `FORM_BOOKINGS_PER_DAY` a local day, counted in the booking's own transaction, then the
//! friend is told honestly to contact the store (nothing stored, no alert); past a store's
//! `STORE_THANKS_PER_DAY` the booking is stored and listed and the store gets one note for the
//! rest of the day instead of an alert each (`Store::referral_form_booking`).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use nps_core::config::Config;
use nps_core::contract::phone;
use nps_core::growth::referral::EventKind;
pub use nps_core::growth::referral::{FORM_BOOKINGS_PER_DAY, STORE_THANKS_PER_DAY};

use super::page::{self, Filled, Said};
use super::promoter::clean_name;
use super::{device, load, unavailable, Peer};
use crate::delivery::say::{held_body, thanks_body};
use crate::landing::masthead::Masthead;
use crate::state::{AppState, Shared};
use crate::storage::{FormBooked, NewEvent, Now, Referral};

/// A preferred date as the form's date input sends it (`YYYY-MM-DD`, a real day), or none.
fn date(raw: &str) -> Option<&str> {
    let raw = raw.trim();
    let shaped = raw.len() == 10
        && raw.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    let num = |r: std::ops::Range<usize>| raw.get(r).and_then(|p| p.parse::<u8>().ok());
    let real = shaped
        && raw[..4].parse::<i32>().is_ok_and(|year| {
            let month = num(5..7).and_then(|m| time::Month::try_from(m).ok());
            match (month, num(8..10)) {
                (Some(m), Some(d)) => time::Date::from_calendar_date(year, m, d).is_ok(),
                _ => false,
            }
        });
    real.then_some(raw)
}

/// Why this browser may not book on `r`'s form, if it may not: it never opened the code
/// (no referral cookie, or one that did not open it), or it is the promoter's own device.
async fn refusal(
    state: &AppState,
    r: &Referral,
    peer: Option<std::net::SocketAddr>,
    headers: &HeaderMap,
) -> Result<Option<Said>, Response> {
    let keys = state.keys().await.map_err(unavailable)?;
    let dev = device(state, keys, peer, headers);
    if dev.owns(r) {
        return Ok(Some(Said::Own));
    }
    if dev.new_cookie {
        return Ok(Some(Said::OpenFirst));
    }
    match state.store.referral_opened(&r.code, &dev.mark).await {
        Ok(None) => Ok(Some(Said::OpenFirst)),
        Ok(Some(true)) => Ok(Some(Said::Own)),
        Ok(Some(false)) => Ok(None),
        Err(e) => Err(unavailable(e)),
    }
}

/// The honest page of a refusal.
fn refused(state: &AppState, cfg: &Config, r: &Referral, said: Said) -> Response {
    let m = Masthead::of(state, &r.survey);
    let (status, detail) = match said {
        Said::Full => {
            let names = state.names();
            let store = r
                .store
                .as_deref()
                .map(|id| names.get("store", id).unwrap_or(id).to_owned());
            return page::respond(
                StatusCode::TOO_MANY_REQUESTS,
                page::notice(cfg, &m, said, store.as_deref()),
            );
        }
        Said::OpenFirst => (StatusCode::FORBIDDEN, Some(r.code.as_str())),
        Said::Own | Said::NotYours => (StatusCode::FORBIDDEN, None),
    };
    page::respond(status, page::notice(cfg, &m, said, detail))
}

/// `GET /r/{code}/book`.
pub(crate) async fn form(
    State(state): State<Shared>,
    Path(code): Path<String>,
    Peer(peer): Peer,
    headers: HeaderMap,
) -> Response {
    let (r, a) = match load(&state, &code, &headers).await {
        Ok(found) => found,
        Err(p) => return p,
    };
    match refusal(&state, &r, peer, &headers).await {
        Ok(None) => {}
        Ok(Some(said)) => return refused(&state, &a.cfg, &r, said),
        Err(p) => return p,
    }
    page::respond(
        StatusCode::OK,
        page::book(
            &a.cfg,
            &Masthead::of(&state, &r.survey),
            &code,
            &Filled::default(),
        ),
    )
}

/// `POST /r/{code}/book`.
pub(crate) async fn take(
    State(state): State<Shared>,
    Path(code): Path<String>,
    Peer(peer): Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (r, a) = match load(&state, &code, &headers).await {
        Ok(found) => found,
        Err(p) => return p,
    };
    match refusal(&state, &r, peer, &headers).await {
        Ok(None) => {}
        Ok(Some(said)) => return refused(&state, &a.cfg, &r, said),
        Err(p) => return p,
    }
    let m = Masthead::of(&state, &r.survey);
    let field = |name: &str| {
        form_urlencoded::parse(&body)
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    let (name_raw, phone_raw, date_raw) = (field("name"), field("phone"), field("date"));
    let name = clean_name(&name_raw);
    let phone = phone::normalize(&phone_raw);
    let consent = field("consent") == "1";
    let (Some(name), Some(phone), true) = (name, phone, consent) else {
        let filled = Filled {
            name: &name_raw,
            phone: &phone_raw,
            date: date(&date_raw).unwrap_or_default(),
            problem: true,
        };
        return page::respond(
            StatusCode::UNPROCESSABLE_ENTITY,
            page::book(&a.cfg, &m, &code, &filled),
        );
    };
    let now = Now::system();
    let retention_ns = i64::from(a.cfg.retention_days) * 86_400 * 1_000_000_000;
    // One booking per friend's phone and code: a reload or a second post of the form is the
    // same booking (its alert is made once), not another friend. The key is an HMAC of the
    // code and phone (never the phone's plain hash), cleared with the phone at its retention.
    let keys = match state.keys().await {
        Ok(k) => k,
        Err(e) => return unavailable(e),
    };
    let tag = keys.referral_tag(format!("booking\0{code}\0{phone}").as_bytes());
    let reference: String = tag[..8].iter().map(|b| format!("{b:02x}")).collect();
    let reference = format!("form:{reference}");
    let new = NewEvent {
        code: &code,
        kind: EventKind::Booked,
        reference: Some(&reference),
        via: "form",
        at_ns: now.ns,
        friend_name: Some(&name),
        friend_phone: Some(&phone),
        preferred_date: date(&date_raw),
        purge_after_ns: Some(now.ns.saturating_add(retention_ns)),
    };
    let label = state.settings.landing.booking_label(&r.survey);
    let bodies = (thanks_body(&r, &new, &label), held_body(&r, &label));
    let (day, _) = super::local_day(&state, &now);
    let booked = state
        .store
        .referral_form_booking(&new, r.store.as_deref(), day, (&bodies.0, &bodies.1), &now)
        .await;
    match booked {
        Ok(FormBooked::New { held: true }) => {
            tracing::warn!(store = ?r.store, "a store's referral thank-yous passed the day's limit: later bookings are one note");
            page::respond(StatusCode::OK, page::booked(&a.cfg, &m))
        }
        Ok(FormBooked::New { .. } | FormBooked::Duplicate) => {
            page::respond(StatusCode::OK, page::booked(&a.cfg, &m))
        }
        Ok(FormBooked::Full) => {
            tracing::warn!(code = %&code[..6], "a referral code's form bookings passed the day's limit");
            refused(&state, &a.cfg, &r, Said::Full)
        }
        Err(e) => unavailable(e),
    }
}
