//! The landing pages' cookies: a response's write key (`nps_wk`, scoped to the response's
//! path) and the `Secure` attribute every collector cookie takes over TLS.

use axum::http::{header, HeaderMap};
use nps_core::contract::rules;

/// The cookie that holds a landing response's write key (`rules::WRITE_KEY`).
const KEY_COOKIE: &str = "nps_wk";
/// How long a landing page's browser may go on changing its answer: a week.
const KEY_COOKIE_MAX_AGE_S: u32 = 7 * 24 * 3600;

/// The `Set-Cookie` of a response's write key: sent back only to the response's own pages
/// (`Path`), never readable by a script (`HttpOnly`), not sent by other sites' requests
/// (`SameSite=Lax`), and only over TLS when the page came over TLS (`Secure`).
pub(super) fn key_cookie(path: &str, key: &str, headers: &HeaderMap) -> String {
    let secure = secure_attr(headers);
    format!("{KEY_COOKIE}={key}; Path={path}; Max-Age={KEY_COOKIE_MAX_AGE_S}; HttpOnly; SameSite=Lax{secure}")
}

/// A cookie's `; Secure` when the page came over TLS (its `Origin` or the proxy's
/// `X-Forwarded-Proto` says `https`), else nothing.
pub(crate) fn secure_attr(headers: &HeaderMap) -> &'static str {
    let tls = |name| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().to_ascii_lowercase().starts_with("https"))
    };
    if tls(header::ORIGIN) || tls(header::HeaderName::from_static("x-forwarded-proto")) {
        "; Secure"
    } else {
        ""
    }
}

/// The write keys a request's cookies carry for a response's pages (the path keeps others'
/// away; more than one is tried in turn).
pub(crate) fn key_cookies(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .filter(|(name, value)| *name == KEY_COOKIE && rules::is_write_key(value))
        .map(|(_, value)| value.to_owned())
        .collect()
}
