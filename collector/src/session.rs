//! Server-side sessions as a cookie: `start` keeps a new session in the store (by the hash of
//! its id, with its idle and absolute ends from `Settings`) and gives the `Set-Cookie` that
//! carries the id; `end` revokes it and gives the cookie that clears it. The cookie is
//! `HttpOnly` (no script reads it), `SameSite=Strict` (no other site's page sends it),
//! `Path=/`, `Max-Age` its absolute end, and `Secure` when people reach the collector over
//! TLS (`Settings::behind_tls`). Password sign-in and OpenID Connect both end here.

use axum::http::{HeaderMap, HeaderValue};

use crate::auth::{cookie, nanos, COOKIE};
use crate::storage::StoreError;
use crate::{write_key, Now, Settings, Store};

/// A new session for an account; the `Set-Cookie` value that carries it.
pub async fn start(
    store: &Store,
    settings: &Settings,
    user_id: i64,
    now: &Now,
) -> Result<HeaderValue, StoreError> {
    let id = write_key::secret();
    let absolute = settings.session_absolute();
    store
        .session_add(
            &write_key::hash(&id),
            user_id,
            now,
            nanos(settings.session_idle()),
            nanos(absolute),
        )
        .await?;
    Ok(set_cookie(settings, &id, absolute.as_secs()))
}

/// Ends the session a request carries (if any); the `Set-Cookie` value that clears it.
pub async fn end(
    store: &Store,
    settings: &Settings,
    headers: &HeaderMap,
    now: &Now,
) -> Result<HeaderValue, StoreError> {
    if let Some(id) = cookie(headers, COOKIE) {
        store.session_revoke(&write_key::hash(id), now).await?;
    }
    Ok(set_cookie(settings, "", 0))
}

fn set_cookie(settings: &Settings, value: &str, max_age: u64) -> HeaderValue {
    let secure = if settings.behind_tls() {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{COOKIE}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}"
    ))
    .expect("a cookie of hex digits is a header value")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_http_only_strict_and_secure_behind_tls() {
        let mut settings = Settings::default();
        let plain = set_cookie(&settings, "abc", 60);
        assert_eq!(
            plain,
            "nps_session=abc; Path=/; Max-Age=60; HttpOnly; SameSite=Strict"
        );
        settings.public_origins = vec!["https://nps.brand.example".into()];
        let tls = set_cookie(&settings, "abc", 60);
        assert!(tls.to_str().unwrap().ends_with("; Secure"), "{tls:?}");
    }
}
