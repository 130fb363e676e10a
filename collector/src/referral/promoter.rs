//! The promoter's own page, `GET /s/{survey}/{id}/refer`: only for a stored promoter answer
//! of that survey (the response id is the capability, as for `/s/{survey}/{id}`). It issues
//! the answer's one code (or reads it again) with the answer's store, advisor and visit and
//! the promoter's device mark (never a phone), and shows the poster, the link with a share
//! button, the QR code and the optional name. An answer the widget is still sending gets a
//! page that refreshes itself every 2 s, for 60 s, then "not found".

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use nps_core::contract::payload;
use nps_core::scoring::score::Category;
use serde_json::Value;

use super::{code, device, origin, page, unavailable, Peer};
use crate::landing;
use crate::landing::masthead::Masthead;
use crate::state::{AppState, Shared};
use crate::storage::{NewReferral, Now, Referral};

/// How long the page waits for an answer still being sent.
pub const WAIT_S: i64 = 60;
/// The longest name a promoter may give, in characters.
pub const MAX_NAME: usize = 20;

/// The stored answer `id` of `survey`, if it is stored.
async fn answer(
    state: &AppState,
    survey: &str,
    id: &str,
) -> Result<Option<payload::Response>, Response> {
    let body = match state.store.body(id).await {
        Ok(b) => b,
        Err(e) => return Err(unavailable(e)),
    };
    Ok(body
        .and_then(|b| serde_json::from_str::<Value>(&b).ok())
        .and_then(|v| payload::Response::parse(&v).ok())
        .filter(|r| r.survey == survey))
}

/// The referral of a stored promoter answer (issued now if it has none), or the page instead.
async fn issue(
    state: &AppState,
    survey: &str,
    id: &str,
    q: &Option<String>,
    peer: Option<SocketAddr>,
    headers: &HeaderMap,
) -> Result<Referral, Response> {
    let id = id.to_ascii_lowercase();
    if uuid::Uuid::parse_str(&id).is_err() {
        return Err(landing::not_found(state, survey, headers));
    }
    if !nps_core::contract::rules::is_id(survey) {
        return Err(landing::not_found(state, survey, headers));
    }
    let a = landing::ask_or_default(state, survey, headers);
    let Some(r) = answer(state, survey, &id).await? else {
        // Not stored yet (the widget's outbox may still be sending it): wait a little.
        let now_s = Now::system().ns / 1_000_000_000;
        let since = q
            .as_deref()
            .and_then(|q| q.strip_prefix("since="))
            .and_then(|s| s.parse::<i64>().ok())
            .filter(|s| (now_s - WAIT_S..=now_s).contains(s));
        let first = q.as_deref().is_none_or(|q| !q.starts_with("since="));
        let m = Masthead::of(state, survey);
        return Err(match (since, first) {
            (Some(since), _) => page::preparing(&a.cfg, &m, since),
            (None, true) => page::preparing(&a.cfg, &m, now_s),
            (None, false) => landing::not_found(state, survey, headers),
        });
    };
    if r.category() != Some(Category::Promoter) {
        return Err(landing::not_found(state, survey, headers));
    }
    let keys = state.keys().await.map_err(unavailable)?;
    let code = code::make(keys);
    let device = device(state, keys, peer, headers);
    let new = NewReferral {
        code: &code,
        response_id: &id,
        survey,
        store: r.context.get("store").map(String::as_str),
        advisor: r.context.get("advisor").map(String::as_str),
        visit: r
            .context
            .get(nps_core::contract::rules::VISIT)
            .map(String::as_str),
        device: Some(&device),
    };
    state
        .store
        .referral_issue(&new, &Now::system())
        .await
        .map_err(unavailable)
}

/// `GET /s/{survey}/{id}/refer`.
pub(crate) async fn refer_page(
    State(state): State<Shared>,
    Path((survey, id)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    Peer(peer): Peer,
    headers: HeaderMap,
) -> Response {
    let r = match issue(&state, &survey, &id, &q, peer, &headers).await {
        Ok(r) => r,
        Err(page) => return page,
    };
    let a = landing::ask_or_default(&state, &survey, &headers);
    let link = format!("{}/r/{}", origin(&state, &headers), r.code);
    match page::refer(&a.cfg, &Masthead::of(&state, &survey), &r, &link) {
        Ok(html) => landing::html(StatusCode::OK, html),
        Err(e) => unavailable(e),
    }
}

/// The name a promoter typed: trimmed, at most `MAX_NAME` characters, no control characters;
/// empty is none.
/// Only letters (Chinese characters included) and the marks names use (a space, `·`, `.`,
/// `-`, `'`) are kept: no digits (a phone in any script: `138`, `①③⑧`, `𝟏𝟑𝟖`), no `:` or `/`
/// (a link), no invisible format characters; a name printed on a poster and said in a chat
/// robot's thank-you can carry nothing else.
pub fn clean_name(raw: &str) -> Option<String> {
    let name: String = raw
        .chars()
        .filter(|c| c.is_alphabetic() || matches!(c, ' ' | '·' | '.' | '-' | '\''))
        .take(MAX_NAME)
        .collect();
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    Some(name).filter(|n| n.chars().any(char::is_alphabetic))
}

/// `POST /s/{survey}/{id}/refer`: the promoter's name (a form field `name`), then the page.
pub(crate) async fn refer_name(
    State(state): State<Shared>,
    Path((survey, id)): Path<(String, String)>,
    Peer(peer): Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let r = match issue(&state, &survey, &id, &None, peer, &headers).await {
        Ok(r) => r,
        Err(page) => return page,
    };
    let name = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "name")
        .and_then(|(_, v)| clean_name(&v));
    if let Err(e) = state.store.referral_name(&r.code, name.as_deref()).await {
        return unavailable(e);
    }
    let mut resp =
        Redirect::to(&format!("/s/{survey}/{}/refer", id.to_ascii_lowercase())).into_response();
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::clean_name;

    #[test]
    fn a_name_keeps_letters_and_never_a_number_a_link_or_an_invisible_mark() {
        assert_eq!(clean_name(" 王先生 ").as_deref(), Some("王先生"));
        assert_eq!(
            clean_name("Mr.  O'Neil-Li").as_deref(),
            Some("Mr. O'Neil-Li")
        );
        assert_eq!(clean_name("张·伟").as_deref(), Some("张·伟"));
        assert_eq!(clean_name("王13812345678").as_deref(), Some("王"));
        assert_eq!(clean_name("王①③⑧𝟏𝟑𝟖１３８").as_deref(), Some("王"));
        assert_eq!(
            clean_name("t.cn/xx 加微信").as_deref(),
            Some("t.cnxx 加微信")
        );
        assert_eq!(
            clean_name("王\u{202e}\u{200b}先生").as_deref(),
            Some("王先生")
        );
        assert_eq!(clean_name("138 0013"), None);
        assert_eq!(clean_name("   "), None);
        assert_eq!(
            clean_name(&"王".repeat(50)).map(|n| n.chars().count()),
            Some(super::MAX_NAME)
        );
    }
}
