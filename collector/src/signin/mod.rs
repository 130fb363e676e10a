//! Password sign-in and sign-out, for people (the dashboard) and for scripts:
//!
//! ```text
//! GET    /signin?next=/dashboard.html[&lang=en]  the page: a plain form (no script needed)
//! POST   /signin      email, password, next ──303──▶ next, with the session cookie
//!                     (wrong: the page again, 401; throttled: the page with the wait, 429)
//! POST   /api/session {"email","password"} → 200 {"email","role","scope"} + cookie; 401; 429
//! GET    /api/session who am I, for any caller → {"who","email","role","scope"}; 401
//! DELETE /api/session sign out: 204, the session revoked in the store, the cookie cleared
//! GET|POST /invite/{token}   the set-password page of a one-time invite (`invite`)
//! ```
//!
//! A sign-in must come from the collector's own pages (`from_own_pages`), so no other site
//! signs a browser into an account of its choosing (login CSRF), `--allow-origin` or not.
//! `next` is a path on this collector only (`local_next`): never an open redirect. An
//! unknown email, a disabled account, one without a password yet and a wrong password get
//! the same answer after the same work (an Argon2id check against a dummy hash). Failures are
//! throttled per account and per client (`throttle`) and audited (`signin_failed`, by
//! `client:IP`, with the email as typed if it is one); sign-in, sign-out and accepted invites are audited.

mod invite;
pub mod page;
mod words;

use std::net::{IpAddr, SocketAddr};
use std::sync::OnceLock;

use axum::body::to_bytes;
use axum::extract::{ConnectInfo, RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use nps_core::contract::rules::is_email;
use nps_core::words::Locale;
use serde_json::json;

pub(crate) use invite::{accept, invite_page};
pub use invite::{issue as issue_invite, INVITE_HOURS};

use crate::auth::{self, private, Caller, Who};
use crate::refused::say;
use crate::storage::{email_key, User};
use crate::{net, password, session, throttle, ApiError, Now, Shared, BODY_LIMIT};

/// Where a sign-in goes when it names nowhere (or somewhere not allowed).
pub const DEFAULT_NEXT: &str = "/dashboard.html";
/// The longest `next` kept.
const MAX_NEXT: usize = 2000;

/// `next` when it is a path on this collector: it starts with one `/` (not `//` or `/\`,
/// which browsers read as another host), and holds only visible ASCII without `\` (a
/// browser drops tabs and newlines, and reads `\` as `/`).
pub fn local_next(next: &str) -> Option<&str> {
    let b = next.as_bytes();
    let shape = b.first() == Some(&b'/') && !matches!(b.get(1), Some(b'/' | b'\\'));
    let chars = b.iter().all(|c| c.is_ascii_graphic() && *c != b'\\');
    (shape && chars && b.len() <= MAX_NEXT).then_some(next)
}

/// A request's language: `lang` if it names one, else the browser's, else zh-CN.
fn locale(lang: Option<&str>, headers: &HeaderMap) -> Locale {
    lang.and_then(Locale::parse)
        .or_else(|| crate::landing::accept_language(headers).and_then(|t| Locale::negotiate(&t)))
        .unwrap_or(Locale::ZhCn)
}

fn pairs(bytes: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(bytes).into_owned().collect()
}

fn get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// An HTML page no cache keeps.
fn html(status: StatusCode, body: String) -> Response {
    private((status, Html(body)).into_response())
}

/// Whether a sign-in (or an invite's form) comes from the collector's own pages. A browser
/// says where a post comes from (`Origin`, `Sec-Fetch-Site`); a request that says neither
/// is no browser's and can sign nobody's browser in.
fn from_own_pages(state: &Shared, headers: &HeaderMap) -> bool {
    let browser = headers.contains_key(header::ORIGIN) || headers.contains_key("sec-fetch-site");
    !browser || auth::same_origin(headers, &state.settings.public_origins)
}

fn cross_origin() -> Response {
    private(
        ApiError::new(
            StatusCode::FORBIDDEN,
            "origin",
            "a sign-in must come from the collector's own pages (Origin)",
        )
        .into_response(),
    )
}

/// The client's address, as the rate limit reads it (`--trusted-proxy`, `--proxy-header`).
fn client(state: &Shared, req: &Request) -> Option<IpAddr> {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>()?.0.ip();
    let s = &state.settings;
    Some(net::client_addr(
        peer,
        req.headers(),
        &s.trusted_proxies,
        s.proxy_header,
    ))
}

/// The Argon2id hash an unknown account's attempt is checked against, so that it takes as
/// long as a known one's.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        password::hash(&crate::write_key::secret()).expect("hashing a fresh secret")
    })
}

/// What a failed sign-in's audit line says was typed as the email: the email when it is one
/// (`rules::is_email`), else `NOT_AN_EMAIL` — never a password typed in the wrong field.
fn typed_email(typed: &str) -> &str {
    let typed = typed.trim();
    if is_email(typed) {
        typed
    } else {
        NOT_AN_EMAIL
    }
}

/// A failed sign-in's `email` when what was typed is not one.
pub const NOT_AN_EMAIL: &str = "(not an email)";

/// How a password sign-in ended.
enum Outcome {
    /// The right password: the account and its session's `Set-Cookie`.
    Signed(User, HeaderValue),
    /// No such account, or not this password (the same to the caller).
    Wrong,
    /// Too many failures: try again in this many seconds.
    Wait(u64),
    /// Every password slot is busy (`password::Slots`): try again shortly.
    Busy,
    /// The store did not answer.
    Down,
}

/// Tries a password: throttled, checked, audited.
async fn sign_in(state: &Shared, client: Option<IpAddr>, email: &str, pw: String) -> Outcome {
    let now = Now::system();
    let keys = throttle::keys(email_key(email), client.map(net::limit_key));
    if let Err(wait) = state.throttle.attempt(&keys, now.ns) {
        tracing::warn!(wait, "a sign-in was throttled");
        return Outcome::Wait(wait);
    }
    let store = &state.store;
    let user = match store.user_by_email(email).await {
        Ok(u) => u.filter(|u| u.disabled_at.is_none()),
        Err(e) => {
            tracing::error!(error = %e, "a sign-in could not read the account");
            return Outcome::Down;
        }
    };
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let checked = state.password_slots.run(move || {
        let dummy = dummy_hash();
        match stored {
            Some(h) => password::verify(&pw, &h),
            None => {
                std::hint::black_box(password::verify(&pw, dummy));
                false
            }
        }
    });
    let Ok(right) = checked.await else {
        // Not tried, yet still counted: else a flood that keeps the slots busy would be free.
        tracing::warn!("a sign-in found every password slot busy");
        return Outcome::Busy;
    };
    let Some(user) = user.filter(|_| right) else {
        state.throttle.failed(&keys, Now::system().ns);
        let who = format!(
            "client:{}",
            client.map_or("unknown".into(), |c| c.to_string())
        );
        let detail = json!({ "email": typed_email(email) });
        if let Err(e) = store
            .audit_append(&now, &who, "signin_failed", &detail)
            .await
        {
            tracing::error!(error = %e, "a failed sign-in could not be audited");
        }
        return Outcome::Wrong;
    };
    state.throttle.succeeded(&keys);
    let detail = json!({ "via": "password" });
    let who = format!("user:{}", user.email);
    let started = async {
        let cookie = session::start(store, &state.settings, user.id, &now).await?;
        store.audit_append(&now, &who, "signin", &detail).await?;
        Ok::<_, crate::storage::StoreError>(cookie)
    };
    match started.await {
        Ok(cookie) => Outcome::Signed(user, cookie),
        Err(e) => {
            tracing::error!(error = %e, "a session could not be started");
            Outcome::Down
        }
    }
}

/// `GET /signin`: the page.
pub(crate) async fn signin_page(
    State(state): State<Shared>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let query = pairs(q.unwrap_or_default().as_bytes());
    let l = locale(get(&query, "lang"), &headers);
    let next = get(&query, "next")
        .and_then(local_next)
        .unwrap_or(DEFAULT_NEXT);
    let sso = crate::sso::enabled(&state.settings);
    html(StatusCode::OK, page::signin(l, next, "", None, sso))
}

/// `POST /signin`: the form's sign-in.
pub(crate) async fn signin_form(State(state): State<Shared>, req: Request) -> Response {
    if !from_own_pages(&state, req.headers()) {
        return cross_origin();
    }
    let client = client(&state, &req);
    let headers = req.headers().clone();
    let Ok(body) = to_bytes(req.into_body(), BODY_LIMIT).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let form = pairs(&body);
    let l = locale(get(&form, "lang"), &headers);
    let next = get(&form, "next")
        .and_then(local_next)
        .unwrap_or(DEFAULT_NEXT);
    let email = get(&form, "email").unwrap_or_default();
    let pw = get(&form, "password").unwrap_or_default().to_owned();
    let sso = crate::sso::enabled(&state.settings);
    let again =
        |status, trouble: &str| html(status, page::signin(l, next, email, Some(trouble), sso));
    match sign_in(&state, client, email, pw).await {
        Outcome::Signed(_, cookie) => see_other(next, Some(cookie)),
        Outcome::Wrong => again(StatusCode::UNAUTHORIZED, say(words::WRONG, l)),
        Outcome::Wait(s) => retry_after(
            again(StatusCode::TOO_MANY_REQUESTS, &page::wait_words(l, s)),
            s,
        ),
        Outcome::Busy => busy(again(StatusCode::SERVICE_UNAVAILABLE, &page::busy_words(l))),
        Outcome::Down => again(StatusCode::SERVICE_UNAVAILABLE, say(words::UNAVAILABLE, l)),
    }
}

/// A 303 to a local path, with a `Set-Cookie` if given.
fn see_other(to: &str, cookie: Option<HeaderValue>) -> Response {
    let mut resp = private(StatusCode::SEE_OTHER.into_response());
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(to) {
        h.insert(header::LOCATION, v);
    }
    if let Some(c) = cookie {
        h.insert(header::SET_COOKIE, c);
    }
    resp
}

/// A 503 of a busy collector, with when to try again.
fn busy(resp: Response) -> Response {
    retry_after(resp, password::BUSY_RETRY_S)
}

/// The JSON 503 of a busy collector.
fn busy_json() -> Response {
    let s = password::BUSY_RETRY_S;
    let e = ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "password",
        format!("the collector is busy checking passwords; retry in {s} s"),
    );
    private(busy(e.into_response()))
}

fn retry_after(mut resp: Response, wait_s: u64) -> Response {
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(wait_s));
    resp
}

/// `POST /api/session`: a script's sign-in.
pub(crate) async fn session_post(State(state): State<Shared>, req: Request) -> Response {
    if !from_own_pages(&state, req.headers()) {
        return cross_origin();
    }
    let client = client(&state, &req);
    let body = to_bytes(req.into_body(), BODY_LIMIT)
        .await
        .unwrap_or_default();
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let text = |k: &str| v.get(k).and_then(|s| s.as_str()).map(str::to_owned);
    let (Some(email), Some(pw)) = (text("email"), text("password")) else {
        return ApiError::new(
            StatusCode::BAD_REQUEST,
            "body",
            "expected JSON {\"email\": \"…\", \"password\": \"…\"}",
        )
        .into_response();
    };
    let resp = match sign_in(&state, client, &email, pw).await {
        Outcome::Signed(user, cookie) => {
            let body = json!({"email": user.email, "role": user.role.key(), "scope": user.scope});
            ([(header::SET_COOKIE, cookie)], Json(body)).into_response()
        }
        Outcome::Wrong => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "password",
            "the email or password is not right",
        )
        .into_response(),
        Outcome::Wait(s) => retry_after(
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "password",
                format!("too many failed sign-ins for this account or client; retry in {s} s"),
            )
            .into_response(),
            s,
        ),
        Outcome::Busy => busy_json(),
        Outcome::Down => ApiError::storage().into_response(),
    };
    private(resp)
}

/// `GET /api/session`: who is calling.
pub(crate) async fn session_get(caller: Caller) -> Response {
    let email = match &caller.who {
        Who::User { email, .. } => Some(email.clone()),
        Who::AdminToken | Who::Token { .. } => None,
    };
    private(
        Json(json!({
            "who": caller.name(),
            "email": email,
            "role": caller.role.key(),
            "scope": caller.scope,
        }))
        .into_response(),
    )
}

/// `DELETE /api/session`: signs out (an ended session's cookie is cleared too).
pub(crate) async fn session_delete(
    State(state): State<Shared>,
    caller: Result<Caller, Response>,
    headers: HeaderMap,
) -> Response {
    // A cookie's sign-out from another site's page is refused like any cookie's write; a
    // request with no credential at all is a 401 like every other `/api/` route's.
    let caller = match caller {
        Ok(c) => Some(c),
        Err(resp) if resp.status() == StatusCode::FORBIDDEN => return resp,
        Err(resp) if auth::cookie(&headers, auth::COOKIE).is_none() => return resp,
        Err(_) => None,
    };
    let now = Now::system();
    let cleared = match session::end(&state.store, &state.settings, &headers, &now).await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "a session could not be ended");
            return private(ApiError::storage().into_response());
        }
    };
    if let Some(
        c @ Caller {
            who: Who::User { .. },
            ..
        },
    ) = &caller
    {
        if let Err(e) = state
            .store
            .audit_append(&now, &c.name(), "signout", &json!({}))
            .await
        {
            tracing::error!(error = %e, "a sign-out could not be audited");
        }
    }
    private((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cleared)]).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_a_path_on_this_collector_only() {
        let table: &[(&str, bool)] = &[
            ("/dashboard.html", true),
            ("/dashboard.html?survey=after-sales#store=SZ-FT", true),
            ("/", true),
            ("//evil.example", false),
            ("/\\evil.example", false),
            ("/x\\y", false),
            ("\\\\evil.example", false),
            ("https://evil.example", false),
            ("http:evil.example", false),
            ("javascript:alert(1)", false),
            ("dashboard.html", false),
            ("", false),
            ("/\t/evil.example", false),
            ("/ /evil.example", false),
            ("/\n/evil.example", false),
            ("/看板", false),
        ];
        for &(next, ok) in table {
            assert_eq!(local_next(next).is_some(), ok, "{next:?}");
        }
        assert!(local_next(&format!("/{}", "a".repeat(MAX_NEXT))).is_none());
    }
}
