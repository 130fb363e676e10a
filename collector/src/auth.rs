//! The admin token as an extractor: a handler that takes `Admin` runs only for a request
//! whose `Authorization: Bearer <token>` is the admin token (the scheme's name in any case, as
//! HTTP says; compared in constant time). Every route that reads or deletes answers takes
//! it, so a route without it has no way to them; anything else gets a 401 no cache keeps.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::{ApiError, Shared};

/// Proof that the request carries the admin token.
#[derive(Clone, Copy, Debug)]
pub struct Admin(());

impl FromRequestParts<Shared> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Response> {
        if authorised(&parts.headers, &state.settings.admin_token) {
            Ok(Admin(()))
        } else {
            Err(unauthorised())
        }
    }
}

/// Whether `headers` carry `token` as a bearer token (never for an empty token).
pub fn authorised(headers: &HeaderMap, token: &str) -> bool {
    use subtle::ConstantTimeEq;
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim())
        .unwrap_or("");
    !token.is_empty()
        && given.len() == token.len()
        && bool::from(given.as_bytes().ct_eq(token.as_bytes()))
}

/// A 401: never kept by a cache, like everything the admin token opens.
fn unauthorised() -> Response {
    private(
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "authorization",
            "missing or wrong admin token: send Authorization: Bearer <token> (printed by nps-collector on start)",
        )
        .into_response(),
    )
}

/// An answer no cache (a browser's, a proxy's) may keep: the export, the names, a 401.
pub(crate) fn private(mut resp: Response) -> Response {
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_admin_token_as_a_bearer_is_authorised() {
        let check = |value: Option<&str>, token: &str, want: bool| {
            let mut h = HeaderMap::new();
            if let Some(v) = value {
                h.insert(header::AUTHORIZATION, HeaderValue::from_str(v).unwrap());
            }
            assert_eq!(authorised(&h, token), want, "{value:?} for {token:?}");
        };
        check(Some("Bearer s3cret"), "s3cret", true);
        check(Some("bearer s3cret"), "s3cret", true);
        check(Some("Bearer s3cre"), "s3cret", false);
        check(Some("Basic s3cret"), "s3cret", false);
        check(Some("s3cret"), "s3cret", false);
        check(None, "s3cret", false);
        check(Some("Bearer "), "", false);
    }
}
