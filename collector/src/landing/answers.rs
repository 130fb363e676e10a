//! The follow-up pages of a landing response: `GET /s/{survey}/{id}` shows where a stored
//! response is (the question again if it was closed before a score, the follow-up, or the
//! outcome), and `POST /s/{survey}/{id}` applies the form's answers through the widget's flow.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use nps_core::config::Config;
use nps_core::contract::payload::{self, Stage};
use nps_core::contract::rules;
use nps_core::survey::flow::{Event, Meta, Survey, Terms};
use nps_core::survey::outcome::Reach;
use nps_core::survey::takeover::Takeover;
use nps_core::words::Text;
use serde_json::Value;

use super::{
    ask, chrome, field, form, html, keep, key_cookie, key_cookies, landing_path, not_found, page,
    Ask,
};
use crate::state::{AppState, Shared};
use crate::storage::Now;
use crate::write_key::{self, Held};

/// A stored response of this survey, and the hash of its write key.
async fn stored(
    state: &AppState,
    survey: &str,
    id: &str,
) -> Option<(payload::Response, Option<String>)> {
    let (body, key_hash) = state.store.keyed_body(id).await.ok()??;
    let value: Value = serde_json::from_str(&body).ok()?;
    payload::Response::parse(&value)
        .ok()
        .filter(|r| r.survey == survey)
        .map(|r| (r, key_hash))
}

/// A response's pages as this browser may see them.
struct Found {
    r: payload::Response,
    a: Ask,
    /// The write key this browser holds for it (its cookie); `None` for a response stored
    /// without one (before write keys), which the browser may still go on with.
    key: Option<String>,
}

/// A stored response of this survey, the survey's page settings in its language, and the
/// write key this browser holds for it; or the page to show instead: "not found", or "this
/// answer is someone else's" to a browser without its key (a shared link, say).
async fn load(
    state: &AppState,
    survey: &str,
    id: &str,
    headers: &HeaderMap,
) -> Result<Found, Response> {
    let found = stored(state, survey, id).await;
    let a = found
        .as_ref()
        .and_then(|(r, _)| ask(state, survey, Some(&r.locale), headers));
    let ((r, key_hash), a) = match (found, a) {
        (Some(found), Some(a)) => (found, a),
        _ => return Err(not_found(state, survey, headers)),
    };
    let Some(hash) = key_hash else {
        return Ok(Found { r, a, key: None });
    };
    let held = key_cookies(headers)
        .into_iter()
        .find(|k| write_key::decide(Held::Hash(&hash), Some(k), false).is_ok());
    match held {
        Some(key) => Ok(Found {
            r,
            a,
            key: Some(key),
        }),
        None => Err(html(
            StatusCode::FORBIDDEN,
            page::notice(&a.cfg, Text::AnswerPrivate),
        )),
    }
}

/// The question's form action for a stored response: its survey's page with the response's
/// own context as the query (never the stored `page`, which a post could have set to
/// anything).
fn question_action(r: &payload::Response) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(r.context.iter())
        .finish();
    landing_path(&r.survey, &Some(query))
}

fn meta_of(r: &payload::Response, cfg: &Config, write_key: String) -> Meta {
    Meta {
        id: r.id.clone(),
        survey: r.survey.clone(),
        context: r.context.clone(),
        locale: r.locale.clone(),
        page: r.page.clone(),
        created_at: r.created_at.clone(),
        terms: Terms::for_survey(cfg),
        write_key,
    }
}

/// The page a stored response is at: the follow-up (with `survey`'s entries) or the outcome.
async fn at(state: &AppState, f: &Found, survey: &Survey, status: StatusCode) -> Response {
    let (a, r) = (&f.a, &f.r);
    let t = Takeover {
        id: r.id.clone(),
        created_at: r.created_at.clone(),
        score: r.score,
        write_key: f.key.clone(),
    };
    let scale_action = question_action(r);
    let chrome = chrome(state, &a.cfg, &r.context).await;
    match (r.stage, survey.category()) {
        (Stage::Completed, Some(c)) => {
            let reach = Reach::of(r.contact.is_some(), r.context.contains_key(rules::VISIT));
            html(
                status,
                page::outcome_page(&a.cfg, &chrome.masthead, &r.id, c, reach),
            )
        }
        _ => html(
            status,
            page::follow_up(
                &a.cfg,
                &a.raw,
                &r.context,
                &scale_action,
                &format!("/s/{}/{}", r.survey, r.id),
                &t,
                survey,
                &chrome,
            ),
        ),
    }
}

/// `GET /s/{survey}/{id}`: the follow-up, or the outcome once completed.
pub(crate) async fn response(
    State(state): State<Shared>,
    Path((survey, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let f = match load(&state, &survey, &id, &headers).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let Some(score) = f.r.score else {
        // Closed before a score (a widget's dismissal): the question again, same response.
        let t = Takeover {
            id: f.r.id.clone(),
            created_at: f.r.created_at.clone(),
            score: None,
            write_key: f.key.clone(),
        };
        let action = question_action(&f.r);
        let page = page::question(
            &f.a.cfg,
            &f.a.raw,
            &f.r.context,
            &action,
            &t,
            &chrome(&state, &f.a.cfg, &f.r.context).await,
        );
        return html(StatusCode::OK, page);
    };
    at(&state, &f, &Survey::resume(score), StatusCode::OK).await
}

/// `POST /s/{survey}/{id}`: the follow-up's answers; stored, then the outcome.
pub(crate) async fn answers(
    State(state): State<Shared>,
    Path((survey, id)): Path<(String, String)>,
    sender: crate::intake::Sender,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let f = match load(&state, &survey, &id, &headers).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let (Stage::Scored, Some(score)) = (f.r.stage, f.r.score) else {
        // Finished (or dismissed) already: show where it is.
        return Redirect::to(&format!("/s/{survey}/{}", f.r.id)).into_response();
    };
    let pairs = form(&body);
    let mut s = Survey::resume(score);
    for (k, v) in &pairs {
        if k == "reason" && f.a.cfg.reasons.iter().any(|c| c.id == *v) && !s.reasons.contains(v) {
            s.apply(Event::ToggleReason(v.clone()));
        }
    }
    s.apply(Event::Comment(
        field(&pairs, "comment").unwrap_or_default().to_owned(),
    ));
    s.apply(Event::Phone(
        field(&pairs, "phone").unwrap_or_default().to_owned(),
    ));
    s.apply(Event::Consent(field(&pairs, "consent").is_some()));
    s.apply(Event::OnFile(field(&pairs, "on_file").is_some()));
    let action = if field(&pairs, "action") == Some("skip") {
        Event::Skip
    } else {
        Event::Submit
    };
    let Some(stage) = s.apply(action) else {
        // A phone that is not one, or no consent: the same page, saying what to fix.
        return at(&state, &f, &s, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let now = Now::system();
    // A response stored without a key gets one now (bound while keyless posts are taken).
    let key = f.key.clone().unwrap_or_else(write_key::fresh);
    let done = s.response(stage, &meta_of(&f.r, &f.a.cfg, key.clone()), &now.at);
    if let Err(page) = keep(
        &state,
        &f.a.cfg,
        done,
        (crate::intake::form::honeypot(&pairs), true),
        &sender,
    )
    .await
    {
        return page;
    }
    let path = format!("/s/{survey}/{}", f.r.id);
    let cookie = key_cookie(&path, &key, &headers);
    ([(header::SET_COOKIE, cookie)], Redirect::to(&path)).into_response()
}
