//! The collector's booking form, for a brand without a booking page of its own:
//! `GET /r/{code}/book` shows it, `POST /r/{code}/book` takes the friend's name (称呼), phone
//! (the contract's phone rules, with a consent box naming the survey's retention) and preferred
//! date, and stores a `booked` event (`via` `form`, the date in its own column) with the
//! store's thank-you alert naming the friend and the date. The phone is kept for the survey's
//! `retention_days`, then removed (`Store::purge`); it is never in an alert: the store reads it
//! masked in `GET /api/referrals/bookings` and in full through a logged reveal (`bookings`).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use nps_core::contract::phone;
use nps_core::growth::referral::EventKind;

use super::page::{self, Filled};
use super::promoter::clean_name;
use super::{load, unavailable};
use crate::landing::masthead::Masthead;
use crate::state::Shared;
use crate::storage::{NewEvent, Now};

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

/// `GET /r/{code}/book`.
pub(crate) async fn form(
    State(state): State<Shared>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    match load(&state, &code, &headers).await {
        Ok((r, a)) => page::respond(
            StatusCode::OK,
            page::book(
                &a.cfg,
                &Masthead::of(&state, &r.survey),
                &code,
                &Filled::default(),
            ),
        ),
        Err(p) => p,
    }
}

/// The form bookings one code may make in a day.
pub const FORM_BOOKINGS_PER_DAY: i64 = 3;

/// `POST /r/{code}/book`.
pub(crate) async fn take(
    State(state): State<Shared>,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (r, a) = match load(&state, &code, &headers).await {
        Ok(found) => found,
        Err(p) => return p,
    };
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
    // A public code may not ring a store more than `FORM_BOOKINGS_PER_DAY` times a day: more
    // friends than that on one day through one code is someone trying it.
    let day_ago = now.ns - 86_400 * 1_000_000_000;
    match state
        .store
        .referral_form_bookings_since(&code, day_ago)
        .await
    {
        Ok(n) if n >= FORM_BOOKINGS_PER_DAY => {
            tracing::warn!(code = %&code[..6], "a referral code's form bookings passed the day's limit");
            return page::respond(StatusCode::TOO_MANY_REQUESTS, page::booked(&a.cfg, &m));
        }
        Ok(_) => {}
        Err(e) => return unavailable(e),
    }
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
    match super::events::record(&state, &r, &new).await {
        Ok(_) => page::respond(StatusCode::OK, page::booked(&a.cfg, &m)),
        Err(e) => unavailable(e),
    }
}
