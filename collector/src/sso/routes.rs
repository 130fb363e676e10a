//! The two routes of single sign-on:
//!
//! - `GET /signin/oidc?next=/dashboard.html` — a 302 to the provider (`flow::Provider::begin`);
//!   what the callback needs (state, nonce, PKCE verifier, `next`, the language) goes in the
//!   cookie `nps_oidc`: `HttpOnly`, `Path=/signin/oidc`, ten minutes, `Secure` behind TLS, and
//!   `SameSite=Lax` — the provider sends the browser back with a top-level navigation from
//!   its own site, on which a `Strict` cookie is not sent, while a `Lax` one is (and a page of
//!   another site cannot post with it or read it).
//! - `GET /signin/oidc/callback?code&state` — the cookie's state must be the query's (compared
//!   in constant time), then `finish` exchanges the code and checks the ID token, the file's
//!   rules give the role and scope (`Sso::decide`), the account is created on a first sign-in
//!   or its role and scope set from the claims (`user_add`, `user_role` in the audit trail; a
//!   disabled account stays out), a session starts (`session::start`), and a 303 goes to
//!   `next`. Every answer clears `nps_oidc`, so a callback works once: a replay finds no
//!   sign-in under way. A refusal is a page (`pages`) and a `signin_failed` line with `why`,
//!   but only for a sign-in under way in that browser: a callback without one (a replay, a
//!   bookmark, anyone calling the address) gets the page and no line, so nobody fills the
//!   audit trail by calling it.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use nps_core::access::{Role, Scope};
use nps_core::words::Locale;
use serde_json::json;

use super::flow::{Failure, Pending};
use super::pages::{page, Trouble};
use crate::auth::cookie;
use crate::signin::DEFAULT_NEXT;
use crate::storage::StoreError;
use crate::{net, session, Now, Shared};

/// The cookie that carries a sign-in under way.
pub const COOKIE: &str = "nps_oidc";
/// How long a sign-in may take at the provider.
pub const PENDING_SECONDS: u64 = 600;
/// The most characters of a provider's error code the audit trail keeps.
const MAX_WHY: usize = 80;
/// `next` when it is a path on this collector (`signin::local_next`, the one rule), else
/// the dashboard: never an open redirect.
pub fn local_next(next: Option<&str>) -> String {
    next.and_then(crate::signin::local_next)
        .unwrap_or(crate::signin::DEFAULT_NEXT)
        .to_owned()
}

/// A query parameter.
fn param(query: Option<&str>, name: &str) -> Option<String> {
    form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The person's language: `?lang=`, then the browser's, then zh-CN.
fn locale_of(query: Option<&str>, headers: &HeaderMap) -> Locale {
    param(query, "lang")
        .and_then(|l| Locale::parse(&l))
        .or_else(|| crate::landing::accept_language(headers).and_then(|t| Locale::negotiate(&t)))
        .unwrap_or(Locale::ZhCn)
}

/// The cookie's value: `locale.state.nonce.verifier.next` (the first four are URL-safe
/// base64 or a tag; `next` is encoded so).
fn encode(pending: &Pending, locale: Locale) -> String {
    let next = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&pending.next);
    format!(
        "{}.{}.{}.{}.{next}",
        locale.tag(),
        pending.state,
        pending.nonce,
        pending.verifier
    )
}

fn decode(text: &str) -> Option<(Pending, Locale)> {
    let mut parts = text.split('.');
    let mut part = || parts.next().map(str::to_owned);
    let locale = Locale::parse(&part()?)?;
    let (state, nonce, verifier) = (part()?, part()?, part()?);
    let next = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part()?)
        .ok()?;
    let next = local_next(Some(std::str::from_utf8(&next).ok()?));
    let pending = Pending {
        state,
        nonce,
        verifier,
        next,
    };
    (parts.next().is_none()).then_some((pending, locale))
}

/// The `Set-Cookie` of a sign-in under way (`value`), or the one that clears it (`None`).
fn pending_cookie(state: &Shared, value: Option<&str>) -> HeaderValue {
    let secure = match state.settings.behind_tls() {
        true => "; Secure",
        false => "",
    };
    let (value, age) = value.map_or(("", 0), |v| (v, PENDING_SECONDS));
    HeaderValue::from_str(&format!(
        "{COOKIE}={value}; Path={}; Max-Age={age}; HttpOnly; SameSite=Lax{secure}",
        super::START
    ))
    .expect("base64, dots and a tag make a header value")
}

/// `GET /signin/oidc`: on to the provider.
pub(crate) async fn start(State(state): State<Shared>, req: Request) -> Response {
    let query = req.uri().query();
    let next = local_next(param(query, "next").as_deref());
    let locale = locale_of(query, req.headers());
    let Some(provider) = state.oidc.as_ref() else {
        return page(Trouble::NotSetUp, locale, &next, None);
    };
    match provider.begin(&next).await {
        Ok((url, pending)) => {
            let mut resp = StatusCode::FOUND.into_response();
            let h = resp.headers_mut();
            if let Ok(to) = HeaderValue::from_str(&url) {
                h.insert(header::LOCATION, to);
            }
            h.insert(
                header::SET_COOKIE,
                pending_cookie(&state, Some(&encode(&pending, locale))),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            resp
        }
        Err(e) => {
            tracing::warn!(error = %e, "single sign-on: the provider cannot be reached");
            page(Trouble::Unreachable, locale, &next, None)
        }
    }
}

/// `GET /signin/oidc/callback`: the provider's answer, checked, and a session.
pub(crate) async fn callback(State(state): State<Shared>, req: Request) -> Response {
    let query = req.uri().query().map(str::to_owned);
    let query = query.as_deref();
    let headers = req.headers();
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let client = match peer {
        Some(ip) => {
            let s = &state.settings;
            let ip = net::client_addr(ip, headers, &s.trusted_proxies, s.proxy_header);
            format!("client:{ip}")
        }
        None => "client:unknown".to_owned(),
    };
    let started = cookie(headers, COOKIE).and_then(decode);
    let under_way = started.is_some();
    let locale = started
        .as_ref()
        .map_or_else(|| locale_of(query, headers), |(_, l)| *l);
    let now = Now::system();
    // A sign-in under way in this browser whose state is the one the provider sent back.
    let given = param(query, "state");
    let started = started.filter(|(p, _)| given.as_deref().is_some_and(|s| equal(s, &p.state)));
    let mut resp = match (state.oidc.as_ref(), started) {
        (None, _) => page(Trouble::NotSetUp, locale, DEFAULT_NEXT, None),
        // No sign-in under way here: nothing to audit (anyone can call this address).
        (Some(_), None) if !under_way => page(Trouble::Expired, locale, DEFAULT_NEXT, None),
        (Some(_), None) => {
            let (why, trouble) = ("state", Trouble::Expired);
            refuse(&state, &now, &client, why, trouble, locale, DEFAULT_NEXT).await
        }
        (Some(provider), Some((pending, _))) => {
            let (code, error) = (param(query, "code"), param(query, "error"));
            let next = pending.next.clone();
            match (code, error) {
                (Some(code), None) => match provider.finish(&code, &pending).await {
                    Ok(claims) => sign_in(&state, &now, &client, &claims, locale, &next).await,
                    Err(e) => {
                        tracing::warn!(error = %e, "single sign-on: the provider's answer failed");
                        let trouble = match e {
                            Failure::Unreachable(_) => Trouble::Unreachable,
                            _ => Trouble::Failed,
                        };
                        refuse(&state, &now, &client, e.key(), trouble, locale, &next).await
                    }
                },
                (_, error) => {
                    let why = format!("provider:{}", error.as_deref().unwrap_or("no_code"));
                    let why: String = why.chars().take(MAX_WHY).collect();
                    refuse(&state, &now, &client, &why, Trouble::Refused, locale, &next).await
                }
            }
        }
    };
    resp.headers_mut()
        .append(header::SET_COOKIE, pending_cookie(&state, None));
    resp
}

/// Two secrets compared in constant time.
fn equal(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A refusal: audited as `signin_failed` with `why`, answered with its page.
async fn refuse(
    state: &Shared,
    now: &Now,
    who: &str,
    why: &str,
    trouble: Trouble,
    locale: Locale,
    next: &str,
) -> Response {
    let detail = json!({"via": "oidc", "why": why});
    if let Err(e) = state
        .store
        .audit_append(now, who, "signin_failed", &detail)
        .await
    {
        tracing::error!(error = %e, "writing the audit trail failed");
    }
    let email = who.strip_prefix("user:");
    page(trouble, locale, next, email)
}

/// Verified claims to a session: the file's rules, the account, the audit trail.
async fn sign_in(
    state: &Shared,
    now: &Now,
    client: &str,
    claims: &super::Claims,
    locale: Locale,
    next: &str,
) -> Response {
    let sso = state.oidc.as_ref().expect("a sign-in has a provider").sso();
    let names = state.names();
    let (email, role, scope) = match sso.decide(claims, names.org()) {
        Ok(found) => found,
        Err(refusal) => {
            let who = match (&claims.email, refusal) {
                (Some(e), super::Refusal::NoRule) => {
                    format!("user:{}", crate::storage::email_key(e))
                }
                _ => client.to_owned(),
            };
            let trouble = match refusal {
                super::Refusal::NoRule => Trouble::NoRule,
                _ => Trouble::NoEmail,
            };
            return refuse(state, now, &who, refusal.key(), trouble, locale, next).await;
        }
    };
    let who = format!("user:{email}");
    let done = async {
        let Some(user) = account(state, now, &email, role, &scope).await? else {
            return Ok(None);
        };
        let cookie = session::start(&state.store, &state.settings, user, now).await?;
        let detail = json!({"via": "oidc"});
        state
            .store
            .audit_append(now, &who, "signin", &detail)
            .await?;
        Ok::<_, StoreError>(Some(cookie))
    };
    match done.await {
        Ok(Some(cookie)) => {
            let mut resp = StatusCode::SEE_OTHER.into_response();
            let h = resp.headers_mut();
            if let Ok(to) = HeaderValue::from_str(next) {
                h.insert(header::LOCATION, to);
            }
            h.insert(header::SET_COOKIE, cookie);
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            resp
        }
        Ok(None) => {
            refuse(
                state,
                now,
                &who,
                "disabled",
                Trouble::Disabled,
                locale,
                next,
            )
            .await
        }
        Err(e) => {
            tracing::error!(error = %e, "single sign-on: the store failed");
            page(Trouble::Failed, locale, next, None)
        }
    }
}

/// The account of a signed-in email with the role and scope of the claims: created on the
/// first sign-in, its role and scope set when they changed (both audited by `oidc`). `None`
/// for a disabled account.
async fn account(
    state: &Shared,
    now: &Now,
    email: &str,
    role: Role,
    scope: &Scope,
) -> Result<Option<i64>, StoreError> {
    let store = &state.store;
    let user = match store.user_by_email(email).await? {
        Some(u) => u,
        None => match store.user_add(email, role, scope, now).await? {
            Some(u) => {
                let detail =
                    json!({"email": u.email, "role": role.key(), "scope": scope, "via": "oidc"});
                store.audit_append(now, "oidc", "user_add", &detail).await?;
                u
            }
            // Added by a sign-in at the same moment.
            None => store
                .user_by_email(email)
                .await?
                .ok_or_else(|| StoreError::Sql {
                    message: "an account added at once is gone".into(),
                })?,
        },
    };
    if user.disabled_at.is_some() {
        return Ok(None);
    }
    if (user.role, &user.scope) != (role, scope) {
        store.user_set_role(user.id, role, scope).await?;
        let detail = json!({
            "email": user.email,
            "from": {"role": user.role.key(), "scope": user.scope},
            "to": {"role": role.key(), "scope": scope},
            "via": "oidc",
        });
        store
            .audit_append(now, "oidc", "user_role", &detail)
            .await?;
    }
    Ok(Some(user.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_a_local_path_or_the_dashboard() {
        let check = |given: Option<&str>, want: &str| {
            assert_eq!(local_next(given), want, "{given:?}");
        };
        check(Some("/dashboard.html?view=x#y"), "/dashboard.html?view=x#y");
        check(Some("/"), "/");
        for bad in [
            "//evil.example/",
            "/\\evil.example",
            "https://evil.example/",
            "dashboard.html",
            "/a\nb",
            "",
        ] {
            check(Some(bad), DEFAULT_NEXT);
        }
        check(None, DEFAULT_NEXT);
    }

    #[test]
    fn a_sign_in_under_way_reads_back_from_its_cookie() {
        let pending = Pending {
            state: "st-AZ_09".into(),
            nonce: "no_nce".into(),
            verifier: "ver-ifier".into(),
            next: "/dashboard.html?a=1.2".into(),
        };
        let text = encode(&pending, Locale::ZhTw);
        assert_eq!(decode(&text), Some((pending.clone(), Locale::ZhTw)));
        for bad in ["", "zh-TW.a.b.c", "xx.a.b.c.L2E", &format!("{text}.more")] {
            assert_eq!(decode(bad), None, "{bad}");
        }
        // A forged cookie cannot make `next` leave the collector.
        let away = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("//evil.example");
        let (forged, _) = decode(&format!("en.a.b.c.{away}")).unwrap();
        assert_eq!(forged.next, DEFAULT_NEXT);
    }
}
