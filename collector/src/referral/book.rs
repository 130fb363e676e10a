//! The collector's booking form, for a brand without a booking page of its own:
//! `GET /r/{code}/book` shows it, `POST /r/{code}/book` takes the friend's name (称呼), phone
//! (the contract's phone rules, with a consent box naming the survey's retention) and preferred
//! date, and stores a `booked` event (`via` `form`) with the store's thank-you alert. The phone
//! is kept for the survey's `retention_days`, then removed (`Store::purge`); it is never in
//! an alert.

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

/// A preferred date as the form's date input sends it (`YYYY-MM-DD`), or none.
fn date(raw: &str) -> Option<&str> {
    let raw = raw.trim();
    let ok = raw.len() == 10
        && raw.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    ok.then_some(raw)
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
    // The preferred date rides with the name the store reads in the dashboard.
    let friend = match date(&date_raw) {
        Some(d) => format!("{name} · {d}"),
        None => name,
    };
    let new = NewEvent {
        code: &code,
        kind: EventKind::Booked,
        reference: None,
        via: "form",
        at_ns: now.ns,
        friend_name: Some(&friend),
        friend_phone: Some(&phone),
        purge_after_ns: Some(now.ns.saturating_add(retention_ns)),
    };
    match super::events::record(&state, &r, &new).await {
        Ok(_) => page::respond(StatusCode::OK, page::booked(&a.cfg, &m)),
        Err(e) => unavailable(e),
    }
}
