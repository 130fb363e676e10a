//! Who is asking: the `Caller` extractor every route that reads, reveals or deletes answers
//! takes, so a route without it has no way to them. A caller is one of
//!
//! | credential                                   | who          | role and scope            |
//! |----------------------------------------------|--------------|---------------------------|
//! | `Authorization: Bearer <--admin-token>`      | `AdminToken` | admin, everything         |
//! | `Authorization: Bearer <machine token>`      | `Token`      | the token's (`token create`) |
//! | cookie `nps_session` of a live session       | `User`       | the account's             |
//!
//! A request that carries `nps_session` twice is a 401 (`cookie`).
//!
//! An `Authorization` header that is none of these is a 401 (a cookie beside it is not
//! tried). Tokens are compared by their SHA-256 (machine tokens, sessions) or in constant time
//! (the admin token). A request authenticated by its cookie that writes (any method but
//! `GET`, `HEAD`, `OPTIONS`) must come from the collector's own origin (`same_origin`): a
//! page elsewhere cannot act with a signed-in person's cookie. What a caller may then do is
//! `nps_core::access::may`, asked by each route with the place it touches. A machine token's
//! use is written to the audit trail (`token_use`) at most once an hour per token.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use nps_core::access::{self, Action, Credential, Place, Role, Scope};

use crate::storage::StoreError;
use crate::{write_key, ApiError, Now, Shared};

/// The session cookie's name.
pub const COOKIE: &str = "nps_session";

/// Who made a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Who {
    /// The `--admin-token`: the owner's bootstrap credential.
    AdminToken,
    /// A person signed in (a session of their account).
    User { id: i64, email: String },
    /// A machine token (an integration).
    Token { id: i64, label: String },
}

/// An authenticated request: who, and the role and scope they act with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub who: Who,
    pub role: Role,
    pub scope: Scope,
}

impl Caller {
    /// A person (a session) or a brand's system (a machine token, the admin token).
    pub fn credential(&self) -> Credential {
        match self.who {
            Who::User { .. } => Credential::Person,
            Who::AdminToken | Who::Token { .. } => Credential::Machine,
        }
    }

    /// The access table for this caller.
    pub fn may(&self, action: Action, place: &Place) -> bool {
        access::may_by(self.credential(), self.role, &self.scope, action, place)
    }

    /// A 403 naming the action unless this caller may take it somewhere
    /// (`Place::Org`): a route's first check.
    pub fn require(&self, action: Action) -> Result<(), Response> {
        if self.may(action, &Place::Org) {
            Ok(())
        } else {
            Err(forbidden(self.role, action))
        }
    }

    /// The caller as the audit trail names them: `admin-token`, `user:EMAIL`, `token:ID`.
    pub fn name(&self) -> String {
        match &self.who {
            Who::AdminToken => "admin-token".to_owned(),
            Who::User { email, .. } => format!("user:{email}"),
            Who::Token { id, .. } => format!("token:{id}"),
        }
    }
}

impl FromRequestParts<Shared> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Response> {
        let now = Now::system();
        let failed = |e: StoreError| {
            tracing::error!(error = %e, "reading a credential failed");
            private(ApiError::storage().into_response())
        };
        if let Some(given) = bearer(&parts.headers) {
            if authorised(&parts.headers, &state.settings.admin_token) {
                return Ok(Caller {
                    who: Who::AdminToken,
                    role: Role::Admin,
                    scope: Scope::All,
                });
            }
            let token = state
                .store
                .token_use(&write_key::hash(given), &now)
                .await
                .map_err(failed)?;
            if let Some(t) = token.as_ref().filter(|t| use_audit_due(t, &now)) {
                let who = format!("token:{}", t.id);
                let detail = serde_json::json!({ "label": t.label });
                if let Err(e) = state
                    .store
                    .audit_append(&now, &who, "token_use", &detail)
                    .await
                {
                    tracing::error!(error = %e, "a token's use could not be audited");
                }
            }
            return token
                .map(|t| Caller {
                    who: Who::Token {
                        id: t.id,
                        label: t.label,
                    },
                    role: t.role,
                    scope: t.scope,
                })
                .ok_or_else(unauthorised);
        }
        let Some(id) = cookie(&parts.headers, COOKIE) else {
            return Err(unauthorised());
        };
        if !is_safe(&parts.method) && !same_origin(&parts.headers, &state.settings.public_origins) {
            return Err(private(
                ApiError::new(
                    StatusCode::FORBIDDEN,
                    "origin",
                    "a signed-in change must come from the collector's own pages (Origin)",
                )
                .into_response(),
            ));
        }
        let user = state
            .store
            .session_touch(
                &write_key::hash(id),
                &now,
                nanos(state.settings.session_idle()),
            )
            .await
            .map_err(failed)?
            .ok_or_else(unauthorised)?;
        Ok(Caller {
            who: Who::User {
                id: user.id,
                email: user.email,
            },
            role: user.role,
            scope: user.scope,
        })
    }
}

/// How often a machine token's use is written to the audit trail at most.
pub const TOKEN_USE_AUDIT_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Whether this use of a token is audited: its first, or the first after an hour without
/// one (`t.last_used_at` is the use before this one, `Store::token_use`).
fn use_audit_due(t: &crate::storage::Token, now: &Now) -> bool {
    let fmt = time::format_description::well_known::Rfc3339;
    let before = t.last_used_at.as_deref().and_then(|at| {
        time::OffsetDateTime::parse(at, &fmt)
            .ok()
            .map(|t| t.unix_timestamp_nanos())
    });
    match before {
        None => true,
        Some(ns) => i128::from(now.ns) - ns >= i128::from(nanos(TOKEN_USE_AUDIT_EVERY)),
    }
}

/// A duration in ns, as the store keeps times.
pub(crate) fn nanos(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The bearer token of `Authorization`, when the header is there (the scheme's name in any
/// case, as HTTP says); `Some("")` for a header that is not a bearer token, so that it fails
/// rather than falls back to the cookie.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?;
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim());
    Some(token.unwrap_or(""))
}

/// The value of cookie `name`, if given once and not empty. Given twice, it is none: a
/// sibling subdomain can plant a `Domain=` cookie of the same name beside the collector's
/// own (to fix a session of its choosing), and which one is the collector's cannot be told.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    let mut given = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(k, _)| *k == name)
        .map(|(_, v)| v);
    match (given.next(), given.next()) {
        (Some(v), None) if !v.is_empty() => Some(v),
        _ => None,
    }
}

/// Whether a request comes from the collector's own pages: its `Origin` is the collector's
/// own (`own_origin`); without `Origin`, `Sec-Fetch-Site: same-origin`. A request that says
/// neither is refused.
pub fn same_origin(headers: &HeaderMap, public_origins: &[String]) -> bool {
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    match text(header::ORIGIN) {
        Some(origin) => own_origin(origin, text(header::HOST), public_origins),
        None => headers
            .get("sec-fetch-site")
            .is_some_and(|v| v == "same-origin"),
    }
}

/// Whether `origin` (scheme, host and port) is the collector's own: one of its public
/// origins, or the `Host` the request was sent to under the scheme people reach the
/// collector by (`https` when a public origin is, `settings::tls`; else `http`). Behind TLS,
/// a page served over plain `http` (a network that can rewrite it) is never the collector's.
pub fn own_origin(origin: &str, host: Option<&str>, public_origins: &[String]) -> bool {
    let scheme = if crate::settings::tls(public_origins) {
        "https://"
    } else {
        "http://"
    };
    let by_host = origin
        .strip_prefix(scheme)
        .zip(host)
        .is_some_and(|(authority, host)| authority.eq_ignore_ascii_case(host));
    by_host
        || public_origins
            .iter()
            .any(|p| p.trim_end_matches('/').eq_ignore_ascii_case(origin))
}

/// Whether `headers` carry `token` as a bearer token (never for an empty token).
pub fn authorised(headers: &HeaderMap, token: &str) -> bool {
    use subtle::ConstantTimeEq;
    let given = bearer(headers).unwrap_or("");
    !token.is_empty()
        && given.len() == token.len()
        && bool::from(given.as_bytes().ct_eq(token.as_bytes()))
}

/// A 401: never kept by a cache, like everything a credential opens.
fn unauthorised() -> Response {
    private(
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "authorization",
            "sign in first (/signin), or send Authorization: Bearer <token> (a machine token, or the --admin-token)",
        )
        .into_response(),
    )
}

/// A 403 for an action the caller's role does not allow, in words: the role and the action.
pub fn forbidden(role: Role, action: Action) -> Response {
    let what = match action {
        Action::ReadAnswers => "reading these answers",
        Action::ReadMaskedPhone => "phone numbers",
        Action::Reveal => "showing a phone number",
        Action::Export => "this export",
        Action::Delete => "deleting an answer (administrators only)",
        Action::ManagePeople => "managing people (administrators only)",
        Action::CreateTokens => "machine tokens (administrators only)",
        Action::ReadAudit => "the audit trail (administrators only)",
        Action::CaseRead => "reading cases",
        Action::CaseWork => "working a case (store and region managers, administrators)",
        Action::ReadAlerts => "the alert queue (administrators only)",
        Action::ReportVisits => {
            "recording visits (a brand system's machine token, or an administrator)"
        }
        Action::ReportReferrals => {
            "reporting what a referral brought (a brand system's machine token, or an administrator)"
        }
    };
    private(
        ApiError::new(
            StatusCode::FORBIDDEN,
            "authorization",
            format!("the role {} does not allow {what}", role.key()),
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

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn only_the_admin_token_as_a_bearer_is_authorised() {
        let check = |value: Option<&str>, token: &str, want: bool| {
            let h = headers(
                &value
                    .map(|v| ("authorization", v))
                    .into_iter()
                    .collect::<Vec<_>>(),
            );
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

    #[test]
    fn a_token_use_is_audited_the_first_time_and_then_once_an_hour() {
        let now = Now::from_time(time::macros::datetime!(2026-12-03 15:00 UTC));
        let check = |last: Option<&str>, want: bool| {
            let t = crate::storage::Token {
                id: 1,
                label: "DMS".into(),
                role: Role::Store,
                scope: Scope::All,
                created_at: "2026-12-01T00:00:00.000Z".into(),
                last_used_at: last.map(str::to_owned),
                revoked_at: None,
            };
            assert_eq!(use_audit_due(&t, &now), want, "{last:?}");
        };
        check(None, true);
        check(Some("2026-12-03T14:59:59.999Z"), false);
        check(Some("2026-12-03T14:00:00.001Z"), false);
        check(Some("2026-12-03T14:00:00.000Z"), true);
        check(Some("2026-12-01T09:00:00.000Z"), true);
        // A stored time that does not read is treated as no use yet.
        check(Some("yesterday"), true);
    }

    #[test]
    fn a_cookie_is_read_by_its_exact_name() {
        let h = headers(&[("cookie", "a=1; nps_session=abc; x_nps_session=no")]);
        assert_eq!(cookie(&h, COOKIE), Some("abc"));
        let h = headers(&[("cookie", "nps_session=; other=1")]);
        assert_eq!(cookie(&h, COOKIE), None);
        // Given twice (one planted by a sibling subdomain), it is none, however sent.
        let h = headers(&[("cookie", "nps_session=one"), ("cookie", "nps_session=two")]);
        assert_eq!(cookie(&h, COOKIE), None);
        let h = headers(&[("cookie", "nps_session=one; a=1; nps_session=two")]);
        assert_eq!(cookie(&h, COOKIE), None);
        let h = headers(&[("cookie", "nps_session=one; nps_session=")]);
        assert_eq!(cookie(&h, COOKIE), None);
    }

    #[test]
    fn an_origin_is_the_collectors_own_by_scheme_host_and_port() {
        let tls = ["https://nps.brand.example".to_owned()];
        let plain = ["http://nps.brand.example:8080".to_owned()];
        let host = Some("nps.brand.example");
        // (origin, Host, public origins, own?)
        let table: &[(&str, Option<&str>, &[String], bool)] = &[
            ("https://nps.brand.example", host, &tls, true),
            (
                "https://nps.brand.example",
                Some("10.0.0.2:8080"),
                &tls,
                true,
            ),
            ("https://NPS.brand.example", host, &tls, true),
            // Behind TLS, plain http is not the collector's page, by Host or by name.
            ("http://nps.brand.example", host, &tls, false),
            ("http://nps.brand.example", None, &tls, false),
            ("http://10.0.0.2:8080", Some("10.0.0.2:8080"), &tls, false),
            // Another port or host is another origin.
            ("https://nps.brand.example:8443", host, &tls, false),
            ("https://nps.brand.example.evil", host, &tls, false),
            // Without TLS, the Host under http, or a listed origin exactly.
            ("http://127.0.0.1:8080", Some("127.0.0.1:8080"), &[], true),
            ("https://127.0.0.1:8080", Some("127.0.0.1:8080"), &[], false),
            (
                "http://nps.brand.example:8080",
                Some("10.0.0.2:8080"),
                &plain,
                true,
            ),
            (
                "https://nps.brand.example:8080",
                Some("10.0.0.2:8080"),
                &plain,
                false,
            ),
            ("http://127.0.0.1:8080", None, &[], false),
            ("null", Some("null"), &[], false),
            ("127.0.0.1:8080", Some("127.0.0.1:8080"), &[], false),
        ];
        for &(origin, host, public, want) in table {
            assert_eq!(
                own_origin(origin, host, public),
                want,
                "{origin} {host:?} {public:?}"
            );
        }
    }

    #[test]
    fn a_write_is_same_origin_only_from_the_collectors_own_pages() {
        let public = vec!["https://nps.brand.example".to_owned()];
        let check = |pairs: &[(&str, &str)], want: bool| {
            assert_eq!(same_origin(&headers(pairs), &public), want, "{pairs:?}");
        };
        check(
            &[
                ("origin", "https://127.0.0.1:8080"),
                ("host", "127.0.0.1:8080"),
            ],
            true,
        );
        // Behind TLS, a plain http page at the same address is not the collector's.
        check(
            &[
                ("origin", "http://127.0.0.1:8080"),
                ("host", "127.0.0.1:8080"),
            ],
            false,
        );
        check(
            &[
                ("origin", "https://nps.brand.example"),
                ("host", "10.0.0.2:8080"),
            ],
            true,
        );
        check(
            &[
                ("origin", "https://evil.example"),
                ("host", "127.0.0.1:8080"),
            ],
            false,
        );
        check(&[("origin", "null"), ("host", "127.0.0.1:8080")], false);
        check(
            &[
                ("origin", "http://127.0.0.1:8080.evil.example"),
                ("host", "127.0.0.1:8080"),
            ],
            false,
        );
        check(&[("sec-fetch-site", "same-origin")], true);
        check(&[("sec-fetch-site", "cross-site")], false);
        check(&[("host", "127.0.0.1:8080")], false);
    }
}
