//! The promoter's own page, `GET /s/{survey}/{id}/refer`: only for a stored promoter answer
//! of that survey (the response id is the capability, as for `/s/{survey}/{id}`) that can be
//! trusted (`trusted`): a survey the landing file names, an answer with no flag, a signed visit
//! where the survey or the collector's visit secret asks for one. The first visit of the
//! promoter's browser with the answer's write key (the landing page's cookie; or the key the
//! widget's link `#k=` gave the page, which its script posts as `claim`) issues the answer's
//! one code with the answer's store, advisor and visit and the promoter's device
//! marks (never a phone), and gives the promoter's browser its referral cookie; later visits
//! only read it. Only a person opening the page issues it (`device::a_person_opens`): a chat
//! app's link preview or a crawler gets the "preparing" page, and no code, no device bound. The page shows the poster, the link with a share button, the QR code and the
//! optional name. An answer the widget is still sending gets a page that refreshes itself
//! every 2 s, for 60 s, then "not found". Changing the name (`POST`) takes the answer's write
//! key (`write_key`: the landing page's cookie, or the form's field the widget's link fills).

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use nps_core::contract::payload;
use nps_core::contract::rules::{self, VISIT};
use nps_core::scoring::score::Category;
use serde_json::Value;
use subtle::ConstantTimeEq;

use super::{code, device, origin, page, unavailable, Peer};
use crate::landing;
use crate::landing::masthead::Masthead;
use crate::state::{AppState, Shared};
use crate::storage::{NewReferral, Now, Referral};

/// How long the page waits for an answer still being sent.
pub const WAIT_S: i64 = 60;
/// The longest name a promoter may give, in characters.
pub const MAX_NAME: usize = 20;

/// A stored answer as a referral weighs it.
struct Stored {
    answer: payload::Response,
    flagged: bool,
    key_hash: Option<String>,
}

/// The stored answer `id` of `survey`, if it is stored.
async fn answer(state: &AppState, survey: &str, id: &str) -> Result<Option<Stored>, Response> {
    let row = state.store.referral_answer(id).await.map_err(unavailable)?;
    Ok(row.and_then(|(body, flag, key_hash)| {
        let answer = serde_json::from_str::<Value>(&body)
            .ok()
            .and_then(|v| payload::Response::parse(&v).ok())
            .filter(|r| r.survey == survey)?;
        Some(Stored {
            answer,
            flagged: flag.is_some(),
            key_hash,
        })
    }))
}

/// Whether a promoter's answer may have a referral code: its survey is one the landing file
/// names (not any id a post made up), it carries no flag (a honeypot, too fast, a re-survey's),
/// and its visit was signed where the survey (`require_visit`) or the collector's visit
/// secret asks for signed visits (a store's own context typed into a post proves nothing).
fn trusted(state: &AppState, survey: &str, s: &Stored) -> bool {
    let settings = &state.settings;
    let wants_visit = settings.landing.policy(survey).require_visit || settings.visit_key.is_some();
    let ctx = &s.answer.context;
    let signed = ctx.contains_key(VISIT) && ctx.contains_key(crate::visit::TOKEN_KEY);
    settings.landing.lists(survey)
        && !s.flagged
        && s.answer.category() == Some(Category::Promoter)
        && (signed || !wants_visit)
}

/// What `issue` found: the referral, and the promoter's new referral cookie when it was made
/// now.
type Issued = (Referral, Option<header::HeaderValue>);

/// The answer's referral: read when it has one (no write), else issued now for a stored,
/// trusted promoter answer when a `person` asks (the promoter's browser, not a link preview)
/// holding the answer's write key (one of `keys`: the landing page's cookie, or the key the
/// widget's link gave the page, posted by its script); or the page instead: "preparing" while
/// the answer may still come or the key be posted, for `WAIT_S`.
async fn issue(
    state: &AppState,
    survey: &str,
    id: &str,
    q: &Option<String>,
    (peer, person, keys): (Option<SocketAddr>, bool, &[String]),
    headers: &HeaderMap,
) -> Result<Issued, Response> {
    let id = id.to_ascii_lowercase();
    if uuid::Uuid::parse_str(&id).is_err() || !rules::is_id(survey) {
        return Err(landing::not_found(state, survey, headers));
    }
    match state.store.referral_of(&id).await {
        Ok(Some(r)) if r.survey == survey => return Ok((r, None)),
        Ok(Some(_)) => return Err(landing::not_found(state, survey, headers)),
        Ok(None) => {}
        Err(e) => return Err(unavailable(e)),
    }
    let a = landing::ask_or_default(state, survey, headers);
    // "Preparing…" for `WAIT_S` from the first ask, then "not found".
    let wait = || {
        let now_s = Now::system().ns / 1_000_000_000;
        let since = q
            .as_deref()
            .and_then(|q| q.strip_prefix("since="))
            .and_then(|s| s.parse::<i64>().ok())
            .filter(|s| (now_s - WAIT_S..=now_s).contains(s));
        let first = q.as_deref().is_none_or(|q| !q.starts_with("since="));
        let m = Masthead::of(state, survey);
        match (since, first) {
            (Some(since), _) => page::preparing(&a.cfg, &m, since),
            (None, true) => page::preparing(&a.cfg, &m, now_s),
            (None, false) => landing::not_found(state, survey, headers),
        }
    };
    let Some(stored) = answer(state, survey, &id).await? else {
        // Not stored yet (the widget's outbox may still be sending it): wait a little.
        return Err(wait());
    };
    if !trusted(state, survey, &stored) {
        return Err(landing::not_found(state, survey, headers));
    }
    if !person || !holds_key(stored.key_hash.as_deref(), keys) {
        // A preview bot or a crawler, or a browser without the answer's key (its page's script
        // posts the key the widget's link gave it): the invitation is made when the promoter
        // opens it, and their device is never anyone else's.
        return Err(wait());
    }
    let r = &stored.answer;
    let keys = state.keys().await.map_err(unavailable)?;
    let code = code::make(keys);
    let dev = device(state, keys, peer, headers);
    let new = NewReferral {
        code: &code,
        response_id: &id,
        survey,
        store: r.context.get("store").map(String::as_str),
        advisor: r.context.get("advisor").map(String::as_str),
        visit: r.context.get(VISIT).map(String::as_str),
        device: Some(&dev.mark),
        device_fallback: Some(&dev.fallback),
    };
    let made = state
        .store
        .referral_issue(&new, &Now::system())
        .await
        .map_err(unavailable)?;
    // The promoter's browser keeps the cookie its code names as theirs.
    let cookie = (made.code == code)
        .then(|| dev.set_cookie(state, headers))
        .flatten();
    Ok((made, cookie))
}

/// `GET /s/{survey}/{id}/refer`.
pub(crate) async fn refer_page(
    State(state): State<Shared>,
    Path((survey, id)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    Peer(peer): Peer,
    headers: HeaderMap,
) -> Response {
    let person = device::a_person_opens(&headers);
    let keys = landing::key_cookies(&headers);
    let (r, cookie) = match issue(&state, &survey, &id, &q, (peer, person, &keys), &headers).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let a = landing::ask_or_default(&state, &survey, &headers);
    let link = format!("{}/r/{}", origin(&state, &headers), r.code);
    let mut resp = match page::refer(&a.cfg, &Masthead::of(&state, &survey), &r, &link) {
        Ok(html) => landing::html(StatusCode::OK, html),
        Err(e) => return unavailable(e),
    };
    // The page's address names the answer: no link on it tells another site.
    resp.headers_mut().insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("no-referrer"),
    );
    if let Some(c) = cookie {
        resp.headers_mut().insert(header::SET_COOKIE, c);
    }
    resp
}

/// The name a promoter typed: trimmed, at most `MAX_NAME` characters, no control characters;
/// empty is none.
/// A name with a run of `MASKED_NUMERALS` numerals of any script is none at all.
/// Only letters (Chinese characters included) and the marks names use (a space, `·`, `.`,
/// `-`, `'`) are kept: no digits (a phone in any script: `138`, `①③⑧`, `𝟏𝟑𝟖`), no `:` or `/`
/// (a link), no invisible format characters; a name printed on a poster and said in a chat
/// robot's thank-you can carry nothing else.
pub fn clean_name(raw: &str) -> Option<String> {
    // A phone spelt in numerals of any script (`一三八〇〇…`: Chinese numerals are letters)
    // is no name.
    let numerals = crate::alerts::message::longest_numeral_run;
    if numerals(raw) >= crate::alerts::message::MASKED_NUMERALS {
        return None;
    }
    let name: String = raw
        .chars()
        .filter(|c| c.is_alphabetic() || matches!(c, ' ' | '·' | '.' | '-' | '\''))
        .take(MAX_NAME)
        .collect();
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    Some(name).filter(|n| n.chars().any(char::is_alphabetic))
}

/// Whether one of `keys` is the answer's write key (its hash compared in constant time); an
/// answer stored without a key has no one who can prove it is theirs.
fn holds_key(key_hash: Option<&str>, keys: &[String]) -> bool {
    let Some(held) = key_hash else {
        return false;
    };
    keys.iter().any(|k| {
        let hash = crate::write_key::hash(k);
        bool::from(hash.as_bytes().ct_eq(held.as_bytes()))
    })
}

/// `POST /s/{survey}/{id}/refer`: the promoter's name (a form field `name`), then the page.
/// Only the answer's write key may change it: the landing page's cookie (scoped to the
/// answer's path) or the form's `write_key` (which the widget's link gives the page).
pub(crate) async fn refer_name(
    State(state): State<Shared>,
    Path((survey, id)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    Peer(peer): Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let field = |name: &str| {
        form_urlencoded::parse(&body)
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let mut keys = landing::key_cookies(&headers);
    keys.extend(field(rules::WRITE_KEY).filter(|k| rules::is_write_key(k)));
    let id = id.to_ascii_lowercase();
    let stored = match uuid::Uuid::parse_str(&id) {
        Ok(_) => match answer(&state, &survey, &id).await {
            Ok(s) => s,
            Err(page) => return page,
        },
        Err(_) => None,
    };
    // `claim`: the page's script posting the key to have the code made, the name untouched.
    let claim = field("claim").is_some();
    let Some(stored) = stored else {
        if claim {
            // Still being sent: the page waits, as its GET does.
            return match issue(&state, &survey, &id, &q, (peer, true, &keys), &headers).await {
                Ok(_) => Redirect::to(&format!("/s/{survey}/{id}/refer")).into_response(),
                Err(page) => page,
            };
        }
        return landing::not_found(&state, &survey, &headers);
    };
    if !holds_key(stored.key_hash.as_deref(), &keys) {
        let a = landing::ask_or_default(&state, &survey, &headers);
        let m = Masthead::of(&state, &survey);
        return page::respond(
            StatusCode::FORBIDDEN,
            page::notice(&a.cfg, &m, page::Said::NotYours, None),
        );
    }
    // The answer's write key: the promoter.
    let (r, cookie) = match issue(&state, &survey, &id, &q, (peer, true, &keys), &headers).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    if !claim {
        let name = field("name").and_then(|v| clean_name(&v));
        if let Err(e) = state.store.referral_name(&r.code, name.as_deref()).await {
            return unavailable(e);
        }
    }
    let mut resp = Redirect::to(&format!("/s/{survey}/{id}/refer")).into_response();
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    if let Some(c) = cookie {
        resp.headers_mut().insert(header::SET_COOKIE, c);
    }
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
        assert_eq!(clean_name("王138").as_deref(), Some("王"));
        assert_eq!(clean_name("王①③⑧").as_deref(), Some("王"));
        assert_eq!(clean_name("王13812345678"), None);
        assert_eq!(clean_name("王①③⑧𝟏𝟑𝟖１３８"), None);
        assert_eq!(
            clean_name("t.cn/xx 加微信").as_deref(),
            Some("t.cnxx 加微信")
        );
        assert_eq!(
            clean_name("王\u{202e}\u{200b}先生").as_deref(),
            Some("王先生")
        );
        assert_eq!(clean_name("138 0013"), None);
        for phone in [
            "一三八\u{200b}〇〇一三\u{200b}三七八八",
            "王幺三八洞洞拐拐勾勾",
            "一三八〇〇一三三七八八",
            "王幺三八 零零一三 三七八八",
            "壹叁捌零零壹叁叁柒捌捌",
            "王1三8一二三四五",
        ] {
            assert_eq!(clean_name(phone), None, "{phone}");
        }
        assert_eq!(clean_name("王二小").as_deref(), Some("王二小"));
        assert_eq!(clean_name("   "), None);
        assert_eq!(
            clean_name(&"王".repeat(50)).map(|n| n.chars().count()),
            Some(super::MAX_NAME)
        );
    }
}
