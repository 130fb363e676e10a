//! A refused form post as the page its customer reads. A browser shows a form post's answer
//! as the next page, so a refusal that would be JSON for a script (a foreign origin, the rate
//! limit, a body too slow or too large) is, for a landing page's form (`POST /s/…`) or the
//! no-script form (`application/x-www-form-urlencoded`), a small HTML page with the same
//! status, in the customer's language: the link's `locale`, else the browser's, else the
//! survey's, else zh-CN.
//!
//! These few words are the collector's alone (the widget never shows them), so they live
//! here and not in the core's `words`, whose every row is in the widget's wasm.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use nps_core::words::Locale;

use crate::{html, Shared};

/// A word in zh-CN, zh-TW and en (the order of `Locale`): the collector's own words, here and
/// in `signin::words`.
pub(crate) type Words = [&'static str; 3];

pub(crate) const NOT_SENT: Words = ["评价未能提交", "評價未能送出", "Your answer was not sent"];
const FOREIGN_PAGE: Words = [
    "此页面无法提交评价，请通过商家提供的链接或二维码重新打开问卷。",
    "此頁面無法送出評價，請透過商家提供的連結或 QR 碼重新開啟問卷。",
    "This page can't send your answer. Please open the survey again from the brand's link or QR code.",
];
/// The no-script form's answer when it is stored.
pub(crate) const THANKS: Words = ["谢谢您的评价！", "謝謝您的評價！", "Thank you!"];
pub(crate) const RECEIVED: Words = [
    "我们已收到您的反馈。",
    "我們已收到您的回饋。",
    "We have your answer.",
];
const TOO_MANY: Words = [
    "提交过于频繁，请稍后再试。",
    "送出過於頻繁，請稍後再試。",
    "Too many answers from this network just now. Please try again in a minute.",
];
pub(crate) const TRY_AGAIN: Words = [
    "提交没有成功，请返回后重试。",
    "送出沒有成功，請返回後重試。",
    "Your answer couldn't be sent. Please go back and try again.",
];
const BACK: Words = ["返回", "返回", "Back"];

pub(crate) fn say(words: Words, locale: Locale) -> &'static str {
    words[locale as usize]
}

/// A small page: a title, a line, and a way back (the `Referer`). A developer's words (which
/// field, which flag) are for the JSON a script gets and the log, never for the customer.
pub(crate) fn page(
    status: StatusCode,
    locale: Locale,
    title: &str,
    text: &str,
    headers: &HeaderMap,
) -> Response {
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("/");
    linked_page(status, locale, title, text, back, say(BACK, locale))
}

/// A small page: a title, a line, and one link (`href`, its words). Not kept by a cache.
pub(crate) fn linked_page(
    status: StatusCode,
    locale: Locale,
    title: &str,
    text: &str,
    href: &str,
    link: &str,
) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"{}\"><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{}</title><body style=\"font-family:system-ui,sans-serif;max-width:560px;margin:40px auto;padding:0 20px\"><h1 style=\"font-size:20px\">{}</h1><p>{}</p><p><a href=\"{}\">{}</a></p></body></html>",
        locale.tag(),
        html::escape_html(title),
        html::escape_html(title),
        html::escape_html(text),
        html::escape_html(href),
        html::escape_html(link)
    );
    (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

/// A post a browser sends from a form: to a landing page, or form-encoded (the no-script
/// form posts to `/api/responses`; the API's other routes are for machines and people's
/// scripts, whose mistaken content type gets the JSON error naming it, never a customer page).
fn is_form_post(req: &Request) -> bool {
    let path = req.uri().path();
    if path.starts_with("/api/") && path != "/api/responses" {
        return false;
    }
    let form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| {
            let t = t.split(';').next().unwrap_or("").trim();
            t.eq_ignore_ascii_case("application/x-www-form-urlencoded")
                || t.eq_ignore_ascii_case("multipart/form-data")
        });
    req.method() == Method::POST && (form || req.uri().path().starts_with("/s/"))
}

/// The customer's language for a refusal: the link's `locale`, the browser's, the survey's.
fn locale_of(state: &Shared, req: &Request) -> Locale {
    let query = req.uri().query().unwrap_or("");
    let asked = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "locale")
        .and_then(|(_, v)| Locale::parse(&v));
    let survey = req
        .uri()
        .path()
        .strip_prefix("/s/")
        .and_then(|rest| rest.split('/').next());
    asked
        .or_else(|| {
            crate::landing::accept_language(req.headers()).and_then(|t| Locale::negotiate(&t))
        })
        .or_else(|| survey.map(|s| state.settings.landing.locale(s)))
        .unwrap_or(Locale::ZhCn)
}

/// Turns the JSON refusals of a form post into the page its customer reads; everything else
/// (a script's post, the handlers' own pages) passes through unchanged.
pub(crate) async fn form_pages(State(state): State<Shared>, req: Request, next: Next) -> Response {
    if !is_form_post(&req) {
        return next.run(req).await;
    }
    let locale = locale_of(&state, &req);
    let headers = req.headers().clone();
    let resp = next.run(req).await;
    let status = resp.status();
    let json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"application/json"));
    if !json || !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let kept: Vec<(header::HeaderName, HeaderValue)> = [header::RETRY_AFTER, header::CONNECTION]
        .into_iter()
        .filter_map(|h| resp.headers().get(&h).map(|v| (h, v.clone())))
        .collect();
    let text = match status {
        StatusCode::FORBIDDEN => FOREIGN_PAGE,
        StatusCode::TOO_MANY_REQUESTS => TOO_MANY,
        _ => TRY_AGAIN,
    };
    let mut out = page(
        status,
        locale,
        say(NOT_SENT, locale),
        say(text, locale),
        &headers,
    );
    out.headers_mut().extend(kept);
    out
}
