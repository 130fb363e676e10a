//! Landing pages: the page a QR code opens, served by the collector and answerable before any
//! script runs, with no JavaScript or WebAssembly at all.
//!
//! ```text
//! GET  /s/{survey}?store=…&visit=…[&t=…]   the question: a form of eleven buttons named score
//! POST /s/{survey}?…                      stores the score (stage scored) ──303──▶
//! GET  /s/{survey}/{id}                    the follow-up (reasons, comment, call-back), or the
//!                                          outcome once completed
//! POST /s/{survey}/{id}                    stores the answers (stage completed) ──303──▶ GET
//! GET  /s/{survey}/invite                  what a promoter shares: ──303──▶ the referral
//! GET  /s/{survey}/logo                    the brand's logo (`masthead`)
//! ```
//!
//! The survey flow is the core's (`flow::Survey`), the words its `words`, the payload its
//! `payload::Response`, stored through the same intake as `POST /api/responses` (`intake::take`). When the widget's
//! wasm arrives first it takes the page over in place (`takeover`), with the same id.
//!
//! Which surveys exist and how they read is `--landing FILE`: a JSON object of survey ids to
//! widget configs (`{"after-sales": {"brand": "星辰汽车", "locale": "zh-CN"}}`), checked at
//! start like any embed. Without it, any survey id gets the defaults.

mod answers;
mod cookie;
pub(crate) mod invite;
pub(crate) mod masthead;
mod outcome;
pub(crate) mod page;
mod surveys;
use cookie::key_cookie;
pub(crate) use cookie::{key_cookies, secure_attr};

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use nps_core::config::{keys, Config};
use nps_core::contract::payload;
use nps_core::contract::rules;
use nps_core::scoring::score::Score;
use nps_core::survey::flow::{Event, Meta, Survey, Terms};
use nps_core::survey::takeover::Takeover;
use nps_core::words::{Locale, Text};
use serde_json::{Map, Value};

pub(crate) use answers::{answers, response};
pub(crate) use invite::invite;
pub(crate) use masthead::logo;
use masthead::Masthead;
pub use page::Chrome;
pub use surveys::{BookingLabel, Landing, BOOKING_LABEL, REQUIRE_VISIT};

use crate::intake::{self, form::field, Sender, Signals, Via};
use crate::state::{AppState, Shared};
use crate::storage::Now;
use crate::visit::TokenError;
use crate::write_key;

/// A survey's page settings for one request: its config in the customer's language (`locale`
/// from the query string, else the config's, else the browser's `Accept-Language`).
pub(crate) struct Ask {
    pub(crate) cfg: Config,
    raw: Map<String, Value>,
}

/// A survey's page settings as `ask` reads them, or, for a survey the landing file does not
/// name (a widget on the brand's own page posting here), the defaults in the browser's
/// language: the pages that follow an answer the collector stored (a promoter's referral,
/// a friend's open and booking) work for every survey.
pub(crate) fn ask_or_default(state: &AppState, survey: &str, headers: &HeaderMap) -> Ask {
    ask(state, survey, None, headers).unwrap_or_else(|| {
        let locale = accept_language(headers)
            .and_then(|t| Locale::negotiate(&t))
            .unwrap_or(Locale::ZhCn);
        let mut raw = Map::new();
        raw.insert(keys::SURVEY.name.into(), Value::String(survey.into()));
        raw.insert(
            keys::ENDPOINT.name.into(),
            Value::String(surveys::ENDPOINT.into()),
        );
        raw.insert(keys::LOCALE.name.into(), Value::String(locale.tag().into()));
        let cfg = Config::from_object(&raw, None).unwrap_or_else(|_| page::fallback_config(locale));
        Ask { cfg, raw }
    })
}

pub(crate) fn accept_language(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::ACCEPT_LANGUAGE)?
        .to_str()
        .ok()?
        .split(',')
        .map(|t| t.split(';').next().unwrap_or_default().trim())
        .find(|t| Locale::negotiate(t).is_some())
        .map(str::to_owned)
}

pub(crate) fn ask(
    state: &AppState,
    survey: &str,
    locale: Option<&str>,
    headers: &HeaderMap,
) -> Option<Ask> {
    let mut raw = state.settings.landing.raw(survey)?;
    if let Some(l) = locale.and_then(Locale::parse) {
        raw.insert(keys::LOCALE.name.into(), Value::String(l.tag().into()));
    }
    let cfg = Config::from_object(&raw, accept_language(headers).as_deref()).ok()?;
    Some(Ask { cfg, raw })
}

fn query_pairs(q: &Option<String>) -> Vec<(String, String)> {
    form_urlencoded::parse(q.as_deref().unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

pub(crate) fn html(status: StatusCode, body: String) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], Html(body)).into_response()
}

/// A one-line page in the best language known.
pub(crate) fn notice(
    state: &AppState,
    survey: &str,
    headers: &HeaderMap,
    status: StatusCode,
    text: Text,
) -> Response {
    let cfg = match ask(state, survey, None, headers) {
        Some(a) => a.cfg,
        None => page::fallback_config(
            accept_language(headers)
                .and_then(|t| Locale::negotiate(&t))
                .unwrap_or(Locale::ZhCn),
        ),
    };
    html(status, page::notice(&cfg, text))
}

/// The page for a survey or response that does not exist.
pub(crate) fn not_found(state: &AppState, survey: &str, headers: &HeaderMap) -> Response {
    notice(
        state,
        survey,
        headers,
        StatusCode::NOT_FOUND,
        Text::LinkInvalid,
    )
}

/// The `locale` the link asks for.
fn locale_of(query: &[(String, String)]) -> Option<&str> {
    query
        .iter()
        .find(|(k, _)| k == keys::LOCALE.name)
        .map(|(_, v)| v.as_str())
}

/// The page's chrome for a response with `context`: a re-survey's page has no widget (it
/// shows a line the widget does not); the masthead names the visit's store, advisor and date.
async fn chrome<'a>(
    state: &'a AppState,
    cfg: &Config,
    context: &BTreeMap<String, String>,
) -> Chrome<'a> {
    Chrome {
        widget: state
            .widget_script
            .as_deref()
            .filter(|_| !crate::recovery::is_recovery(context)),
        masthead: Masthead::for_visit(state, &cfg.survey, cfg.locale, context).await,
    }
}

/// Why a visit's page is not shown: its link is not valid (now), or the survey takes only
/// signed visits (`intake::admit`, the admission every post goes through).
fn visit_gate(
    state: &AppState,
    survey: &str,
    context: &BTreeMap<String, String>,
    now_s: i64,
) -> Result<(), (StatusCode, Text)> {
    match intake::admit(&state.settings, survey, context, now_s) {
        Err(TokenError::Required) => Err((StatusCode::FORBIDDEN, Text::VisitRequired)),
        Err(_) => Err((StatusCode::FORBIDDEN, Text::LinkInvalid)),
        Ok(a)
            if a.new_until_ns
                .is_some_and(|until| now_s > until / 1_000_000_000) =>
        {
            Err((StatusCode::FORBIDDEN, Text::LinkExpired))
        }
        Ok(_) => Ok(()),
    }
}

/// A link's query pairs and its survey's page settings in the language it asks for, or the
/// "not found" page.
fn link(
    state: &AppState,
    survey: &str,
    q: &Option<String>,
    headers: &HeaderMap,
) -> Result<(Vec<(String, String)>, Ask), Response> {
    let query = query_pairs(q);
    match ask(state, survey, locale_of(&query), headers) {
        Some(a) => Ok((query, a)),
        None => Err(not_found(state, survey, headers)),
    }
}

/// `GET /s/{survey}`: the question.
pub(crate) async fn question(
    State(state): State<Shared>,
    Path(survey): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let (query, a) = match link(&state, &survey, &q, &headers) {
        Ok(found) => found,
        Err(page) => return page,
    };
    let context = a.cfg.context_with_query(&query);
    let now = Now::system();
    // The link first: whether a visit is answered is told only to a link that may ask it
    // (else any repair order number could be probed).
    if let Err((status, text)) = visit_gate(&state, &survey, &context, now.ns / 1_000_000_000) {
        return html(status, page::notice(&a.cfg, text));
    }
    if let Some(visit) = context.get(rules::VISIT) {
        match state.store.visit_answered(&survey, visit).await {
            Ok(true) => return html(StatusCode::OK, page::notice(&a.cfg, Text::AlreadyAnswered)),
            Ok(false) => {}
            Err(e) => tracing::error!(error = %e, "a landing page could not ask the store"),
        }
        // An invited visit's first open (the funnel's "opened"); an unknown visit adds nothing.
        if let Err(e) = state.store.visit_opened(&survey, visit, &now).await {
            tracing::error!(error = %e, "a landing page could not record its open");
        }
    }
    // The page is served to this browser alone (`no-store`): its write key travels in the
    // form's body and the widget's attribute, never in a URL.
    let t = Takeover {
        id: uuid::Uuid::new_v4().to_string(),
        created_at: now.at,
        score: None,
        write_key: Some(write_key::fresh()),
    };
    let action = landing_path(&survey, &q);
    html(
        StatusCode::OK,
        page::question(
            &a.cfg,
            &a.raw,
            &context,
            &action,
            &t,
            &chrome(&state, &a.cfg, &context).await,
        ),
    )
}

fn landing_path(survey: &str, q: &Option<String>) -> String {
    match q.as_deref().filter(|q| !q.is_empty()) {
        Some(q) => format!("/s/{survey}?{q}"),
        None => format!("/s/{survey}"),
    }
}

fn form(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

/// Stores a response from a landing page through the one intake path; a refusal becomes the
/// customer's page (`Refusal::page`). `timed`: the response's `created_at` is when its
/// question was shown (a page of the collector's), so a quick answer is flagged; a page
/// without it (a static page written by `nps-collector landing`) gives no time to judge by.
async fn keep(
    state: &AppState,
    cfg: &Config,
    r: payload::Response,
    (honeypot, timed): (bool, bool),
    sender: &Sender,
) -> Result<(), Response> {
    let signals = Signals::of(&r).honeypot(honeypot);
    let signals = if timed {
        signals
    } else {
        signals.shown_at(None)
    };
    match intake::take(state, r, signals, sender).await {
        Ok(_) => Ok(()),
        Err(refusal) => {
            let (status, text) = refusal.page(Via::Landing);
            Err(html(
                status,
                page::notice(cfg, text.unwrap_or(Text::LinkInvalid)),
            ))
        }
    }
}

/// `POST /s/{survey}`: a score from the question's form. Stored, then the follow-up.
pub(crate) async fn score(
    State(state): State<Shared>,
    Path(survey): Path<String>,
    RawQuery(q): RawQuery,
    sender: Sender,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (query, a) = match link(&state, &survey, &q, &headers) {
        Ok(found) => found,
        Err(page) => return page,
    };
    let pairs = form(&body);
    let Some(score) = field(&pairs, "score").and_then(Score::parse) else {
        return html(
            StatusCode::UNPROCESSABLE_ENTITY,
            page::notice(&a.cfg, Text::LinkInvalid),
        );
    };
    let id = field(&pairs, "id")
        .filter(|i| rules::is_uuid_v4(i))
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_ascii_lowercase);
    // The question page's key (a form without one, say an old cached page, gets a fresh one).
    let write_key = field(&pairs, rules::WRITE_KEY)
        .filter(|k| rules::is_write_key(k))
        .map_or_else(write_key::fresh, str::to_owned);
    let now = Now::system();
    let given_at = field(&pairs, "created_at").filter(|t| rules::is_rfc3339(t));
    let timed = given_at.is_some();
    let created_at = given_at.map_or_else(|| now.at.clone(), str::to_owned);
    let context = a.cfg.context_with_query(&query);
    let path = landing_path(&survey, &q);
    let meta = Meta {
        id: id.clone(),
        survey: survey.clone(),
        terms: Terms::for_survey(&a.cfg),
        page: Some(rules::page_url(&path, |k| context.contains_key(k))),
        context,
        locale: a.cfg.locale.tag().to_owned(),
        created_at,
        write_key: write_key.clone(),
    };
    let mut s = Survey::new(false);
    let Some(stage) = s.apply(Event::Choose(score)) else {
        return html(
            StatusCode::UNPROCESSABLE_ENTITY,
            page::notice(&a.cfg, Text::LinkInvalid),
        );
    };
    let r = s.response(stage, &meta, &now.at);
    let honeypot = intake::form::honeypot(&pairs);
    if let Err(page) = keep(&state, &a.cfg, r, (honeypot, timed), &sender).await {
        return page;
    }
    let path = format!("/s/{survey}/{id}");
    let cookie = key_cookie(&path, &write_key, &headers);
    ([(header::SET_COOKIE, cookie)], Redirect::to(&path)).into_response()
}
