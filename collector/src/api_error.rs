//! Errors as the API answers them: `ApiError` is the `{"error", "field"}` JSON with its
//! status, and `json_errors` gives the framework's own errors (an unknown route, a wrong
//! method) the same shape.

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use nps_core::contract::error::{ErrorKind, FieldError};
use serde_json::json;

use crate::ROUTES;

/// A route pattern (`/api/responses/{id}`) matches a path segment by segment.
fn route_matches(pattern: &str, path: &str) -> bool {
    let (p, q): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    p.len() == q.len()
        && p.iter()
            .zip(&q)
            .all(|(a, b)| a == b || (a.starts_with('{') && !b.is_empty()))
}

/// The longest request path an error message repeats, in characters.
const PATH_SHOWN: usize = 200;

/// A JSON error with a 4xx/5xx status.
#[derive(Debug)]
pub struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) field: String,
    pub(crate) message: String,
}

impl ApiError {
    /// A 503 for a store that did not answer (what failed is logged, never sent).
    pub fn storage() -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "db",
            "the database did not answer; retry later",
        )
    }

    /// A 400 for a query key the route does not read, naming the keys it does.
    pub fn unknown_key(key: &str, accepted: &[&str]) -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            key,
            format!(
                "unknown query key {key:?}: expected one of {}",
                accepted.join(", ")
            ),
        )
    }

    pub fn new(status: StatusCode, field: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            field: field.to_owned(),
            message: message.into(),
        }
    }

    /// The message as a log may carry it: a phone field's names the field only, since it
    /// quotes the phone as typed (logs never carry a phone).
    pub fn logged_reason(&self) -> &str {
        if self.field.rsplit('.').next() == Some("phone") {
            "(not logged: it quotes a phone)"
        } else {
            &self.message
        }
    }
}

impl From<FieldError> for ApiError {
    /// JSON text that does not parse, or gives a key twice, is a bad request (400); a body
    /// that parses but breaks a rule is unprocessable (422).
    fn from(e: FieldError) -> Self {
        let status = match e.kind {
            ErrorKind::Syntax { .. } | ErrorKind::Duplicate => StatusCode::BAD_REQUEST,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        ApiError::new(status, &e.field, e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({"error": self.message, "field": self.field})),
        )
            .into_response()
    }
}

fn routes_shown() -> String {
    let list: Vec<String> = ROUTES.iter().map(|(m, p)| format!("{m} {p}")).collect();
    list.join(", ")
}

/// Errors the framework answers itself (an unknown route or file, a wrong method, a body it
/// would not read) get the JSON error shape too. Handlers' JSON errors and the no-script
/// form's HTML pages pass through unchanged.
pub async fn json_errors(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path: String = req.uri().path().chars().take(PATH_SHOWN).collect();
    let resp = next.run(req).await;
    let status = resp.status();
    let typed = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json") || t.starts_with("text/html"));
    if !(status.is_client_error() || status.is_server_error()) || typed {
        return resp;
    }
    let allowed: Vec<&str> = ROUTES
        .iter()
        .filter(|(_, p)| route_matches(p, &path))
        .map(|(m, _)| *m)
        .collect();
    let (field, message) = match status {
        StatusCode::NOT_FOUND => (
            "path",
            format!("nothing at {method} {path}: the API is {}", routes_shown()),
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method",
            format!(
                "{method} is not allowed on {path}: expected {}",
                allowed.join(" or ")
            ),
        ),
        _ => (
            "request",
            format!(
                "{method} {path}: {}",
                status.canonical_reason().unwrap_or("refused")
            ),
        ),
    };
    let mut out = ApiError::new(status, field, message).into_response();
    if status == StatusCode::METHOD_NOT_ALLOWED {
        if let Ok(v) = HeaderValue::from_str(&allowed.join(", ")) {
            out.headers_mut().insert(header::ALLOW, v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_never_quotes_a_phone_as_typed() {
        let mut body = serde_json::json!({
            "schema": 1, "id": "9b2f3c4e-1d2a-4b5c-8d9e-0f1a2b3c4d5e", "survey": "after-sales",
            "stage": "completed", "score": 3, "category": "detractor", "reasons": [],
            "comment": null, "contact": {"phone": "1381234567x", "consent": true},
            "context": {}, "locale": "zh-CN", "page": null,
            "created_at": "2026-11-23T08:00:00.000Z", "updated_at": "2026-11-23T08:00:00.000Z"
        });
        let e = ApiError::from(nps_core::contract::payload::Response::parse(&body).unwrap_err());
        assert_eq!(e.field, "contact.phone");
        assert!(e.message.contains("1381234567x"), "{}", e.message);
        assert!(
            !e.logged_reason().contains("1381234567"),
            "{}",
            e.logged_reason()
        );
        // Any other field's reason is logged as it is.
        body["score"] = serde_json::json!(11);
        let e = ApiError::from(nps_core::contract::payload::Response::parse(&body).unwrap_err());
        assert_eq!(
            (e.field.as_str(), e.logged_reason()),
            ("score", e.message.as_str())
        );
    }
}
