//! The follow-up pages of a landing response: `GET /s/{survey}/{id}` shows where a stored
//! response is (the question again if it was closed before a score, the follow-up, or the
//! outcome), and `POST /s/{survey}/{id}` applies the form's answers through the widget's flow.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use nps_widget::config::Config;
use nps_widget::flow::{Event, Meta, Survey, Terms};
use nps_widget::outcome::Reach;
use nps_widget::payload::{self, Stage};
use nps_widget::rules::{self, HONEYPOT_FIELD};
use nps_widget::takeover::Takeover;
use serde_json::Value;

use super::{ask, chrome, field, form, html, keep, not_found, page, Ask};
use crate::rows::Now;
use crate::{AppState, Shared};

/// The stored response of a follow-up page, if it belongs to this survey.
async fn stored(state: &AppState, survey: &str, id: &str) -> Option<payload::Response> {
    let body = state.store.body(id).await.ok()??;
    let value: Value = serde_json::from_str(&body).ok()?;
    payload::Response::parse(&value)
        .ok()
        .filter(|r| r.survey == survey)
}

/// A stored response of this survey and the survey's page settings in its language, or the
/// "not found" page.
async fn load(
    state: &AppState,
    survey: &str,
    id: &str,
    headers: &HeaderMap,
) -> Result<(payload::Response, Ask), Response> {
    let r = stored(state, survey, id).await;
    let a = r
        .as_ref()
        .and_then(|r| ask(state, survey, Some(&r.locale), headers));
    match (r, a) {
        (Some(r), Some(a)) => Ok((r, a)),
        _ => Err(not_found(state, survey, headers)),
    }
}

fn meta_of(r: &payload::Response, cfg: &Config) -> Meta {
    Meta {
        id: r.id.clone(),
        survey: r.survey.clone(),
        context: r.context.clone(),
        locale: r.locale.clone(),
        page: r.page.clone(),
        created_at: r.created_at.clone(),
        terms: Terms::of(&cfg.consent_text(), cfg.locale.tag(), cfg.retention_days),
    }
}

/// The page a stored response is at: the follow-up (with `survey`'s entries) or the outcome.
fn at(
    state: &AppState,
    a: &Ask,
    r: &payload::Response,
    survey: &Survey,
    status: StatusCode,
) -> Response {
    let score = r.score.unwrap_or_default();
    let t = Takeover {
        id: r.id.clone(),
        created_at: r.created_at.clone(),
        score: Some(score),
    };
    let scale_action = r.page.clone().unwrap_or_else(|| format!("/s/{}", r.survey));
    match (r.stage, survey.category()) {
        (Stage::Completed, Some(c)) => {
            let reach = Reach::of(r.contact.is_some(), r.context.contains_key(rules::VISIT));
            html(status, page::outcome_page(&a.cfg, c, reach))
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
                &chrome(state),
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
    let (r, a) = match load(&state, &survey, &id, &headers).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let Some(score) = r.score else {
        // Closed before a score (a widget's dismissal): the question again, same response.
        let t = Takeover {
            id: r.id.clone(),
            created_at: r.created_at.clone(),
            score: None,
        };
        let action = r.page.clone().unwrap_or_else(|| format!("/s/{survey}"));
        let page = page::question(&a.cfg, &a.raw, &r.context, &action, &t, &chrome(&state));
        return html(StatusCode::OK, page);
    };
    at(&state, &a, &r, &Survey::resume(score), StatusCode::OK)
}

/// `POST /s/{survey}/{id}`: the follow-up's answers; stored, then the outcome.
pub(crate) async fn answers(
    State(state): State<Shared>,
    Path((survey, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (r, a) = match load(&state, &survey, &id, &headers).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let (Stage::Scored, Some(score)) = (r.stage, r.score) else {
        // Finished (or dismissed) already: show where it is.
        return Redirect::to(&format!("/s/{survey}/{}", r.id)).into_response();
    };
    let pairs = form(&body);
    let mut s = Survey::resume(score);
    for (k, v) in &pairs {
        if k == "reason" && a.cfg.reasons.iter().any(|c| c.id == *v) && !s.reasons.contains(v) {
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
    let action = if field(&pairs, "action") == Some("skip") {
        Event::Skip
    } else {
        Event::Submit
    };
    let Some(stage) = s.apply(action) else {
        // A phone that is not one, or no consent: the same page, saying what to fix.
        return at(&state, &a, &r, &s, StatusCode::UNPROCESSABLE_ENTITY);
    };
    let now = Now::system();
    let done = s.response(stage, &meta_of(&r, &a.cfg), &now.at);
    if let Err(page) = keep(
        &state,
        &a.cfg,
        done,
        field(&pairs, HONEYPOT_FIELD).is_some(),
    )
    .await
    {
        return page;
    }
    Redirect::to(&format!("/s/{survey}/{}", r.id)).into_response()
}
