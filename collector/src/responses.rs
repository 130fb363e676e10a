//! `POST /api/responses` (JSON, `text/plain` beacons, and the no-script form),
//! and `DELETE /api/responses/{id}` (with the admin token); the export is `listing`.
//!
//! Answers faster than a person can give (`Settings::min_fill_ms`, by default
//! `rules::MIN_FILL_MS`, between the survey showing and the answer) and forms whose honeypot field is filled are stored with a `flag` and answered
//! like any other, so a bot learns nothing; the list shows the flag and the dashboard leaves
//! flagged responses out.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use nps_core::contract::payload;
use nps_core::contract::rules::{self, HONEYPOT_FIELD, ID_LEN};
use serde_json::{json, Value};

use crate::rows::{Admission, Flag, Now};
use crate::visit::{self, TokenError};
use crate::write_key::KeyRefusal;
use crate::{export, refused, ApiError, AppState, Shared, Upsert, BODY_LIMIT};

fn ms(t: &str) -> Option<i64> {
    nps_core::contract::time::Time::parse(t).map(|t| t.unix_ms())
}

/// A score given less than `min_ms` after the survey was created.
pub(crate) fn too_fast(r: &payload::Response, min_ms: i64) -> Flag {
    let fast = r.score.is_some()
        && matches!((ms(&r.created_at), ms(&r.updated_at)), (Some(c), Some(u)) if u - c < min_ms);
    fast.then_some("too_fast")
}

pub async fn post_response(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let body = match body {
        Ok(b) => b,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body",
                format!("body is over {BODY_LIMIT} bytes"),
            )
            .into_response()
        }
        // Cut off or too slow (`BODY_TIMEOUT`): a 408, which a sender retries.
        Err(e) => {
            eprintln!("nps-collector: could not read a body: {e}");
            return ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "body",
                "the body could not be read in time; send it again",
            )
            .into_response();
        }
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match content_type.as_str() {
        "application/json" | "text/plain" | "" => match accept_json(&state, &body).await {
            Ok(r) => r,
            Err(e) => e.into_response(),
        },
        "application/x-www-form-urlencoded" => accept_form(&state, &body, &headers).await,
        other => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content-type",
            format!("content-type is {other:?}: expected application/json, text/plain or application/x-www-form-urlencoded"),
        )
        .into_response(),
    }
}

async fn accept_json(state: &AppState, body: &[u8]) -> Result<Response, ApiError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "body", "body is not valid UTF-8"))?;
    let value = nps_core::contract::json::parse_strict(text, "body")?;
    let response = payload::Response::parse(&value)?;
    let id = response.id.clone();
    let stage = response.stage.as_str();
    let flag = too_fast(&response, state.settings.min_fill());
    let admission = admission(state, &response)?;
    let outcome = store(state, response, flag, admission).await?;
    let (status, extra) = match outcome {
        Upsert::Created => (StatusCode::CREATED, json!({"created": true})),
        Upsert::Updated => (StatusCode::OK, json!({"updated": true})),
        Upsert::Duplicate => (StatusCode::OK, json!({"duplicate": true})),
        Upsert::Stale => (StatusCode::OK, json!({"stale": true})),
        refused => {
            return Err(refusal(refused, &id).unwrap_or_else(|| {
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "db",
                    "the response could not be stored; retry later",
                )
            }))
        }
    };
    let mut out = json!({"id": id, "stage": stage});
    if let (Some(o), Some(e)) = (out.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    Ok((status, Json(out)).into_response())
}

/// The error for an upsert that stored nothing because the rules refuse it; `None` for the
/// outcomes that are answered with a 2xx.
pub(crate) fn refusal(outcome: Upsert, id: &str) -> Option<ApiError> {
    Some(match outcome {
        Upsert::Conflict => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "id",
            format!("id {id} is stored for another survey: a response id belongs to one survey"),
        ),
        // Final for a sender: the widget shows "already answered" and stops.
        Upsert::Answered => ApiError::new(
            StatusCode::GONE,
            "context.visit",
            "this visit is already answered: one answer per visit",
        ),
        Upsert::Expired => ApiError::new(
            StatusCode::FORBIDDEN,
            "context.t",
            TokenError::Expired.message(),
        ),
        // 422, final for the outbox: the same body will never be taken.
        Upsert::VisitChanged => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "context.visit",
            format!("response {id} was first stored for another visit (or none): a response's visit is fixed by its first post"),
        ),
        Upsert::Key(KeyRefusal::Missing) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            rules::WRITE_KEY,
            KeyRefusal::Missing.message(),
        ),
        Upsert::Key(k) => ApiError::new(StatusCode::FORBIDDEN, rules::WRITE_KEY, k.message()),
        Upsert::Created | Upsert::Updated | Upsert::Duplicate | Upsert::Stale => return None,
    })
}

/// With a visit secret, a response carrying a token must verify over its signed context, one
/// naming a visit needs a token, and a survey may take only signed visits (`visit::admit`);
/// the token's expiry then closes the response's visit to new ids. Posts without a write key
/// are taken until `--keyless-until`.
pub(crate) fn admission(state: &AppState, r: &payload::Response) -> Result<Admission, ApiError> {
    let policy = state.settings.landing.policy(&r.survey);
    match visit::admit(
        state.settings.visit_key.as_ref(),
        &policy,
        &r.survey,
        &r.context,
        Now::system().ns / 1_000_000_000,
    ) {
        Ok(expires) => Ok(Admission {
            new_until_ns: expires.map(|e| e.saturating_mul(1_000_000_000)),
            keyless_until_ns: state.settings.keyless_until_ns,
        }),
        Err(e) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "context.t",
            e.message(),
        )),
    }
}

pub(crate) async fn store(
    state: &AppState,
    response: payload::Response,
    flag: Flag,
    admission: Admission,
) -> Result<Upsert, ApiError> {
    state
        .store
        .upsert_admitted(response, Now::system(), flag, admission)
        .await
        .map_err(|e| {
            eprintln!("nps-collector: storage error: {e}");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "db",
                "the response could not be stored; retry later",
            )
        })
}

/// The no-script fallback: a plain HTML form. Answers with a small HTML page.
async fn accept_form(state: &AppState, body: &[u8], headers: &HeaderMap) -> Response {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let now = Now::system();
    let value = export::form_to_payload(
        &pairs,
        &now.at,
        headers.get(header::REFERER).and_then(|v| v.to_str().ok()),
    );
    let field = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    // A page that renders the form may stamp `started_at` (ms) in it.
    let started = field("started_at").and_then(|v| v.parse::<i64>().ok());
    let flag = if field(HONEYPOT_FIELD).is_some() {
        Some("honeypot")
    } else if started.is_some_and(|s| now.ns / 1_000_000 - s < state.settings.min_fill()) {
        Some("too_fast")
    } else {
        None
    };
    let locale = value
        .get("locale")
        .and_then(Value::as_str)
        .and_then(nps_core::words::Locale::negotiate)
        .unwrap_or(nps_core::words::Locale::ZhCn);
    // The customer reads what happened in their words; the field and the rule are logged for
    // whoever set the form up (a broken form, not the customer, is what fails here).
    let page = |status: StatusCode, title, text| {
        refused::page(
            status,
            locale,
            refused::say(title, locale),
            refused::say(text, locale),
            headers,
        )
    };
    let refused = |e: &ApiError| {
        eprintln!(
            "nps-collector: a no-script form was refused ({}): {}",
            e.status, e.message
        );
        use nps_core::words::Text;
        let why = match (e.status, e.field.as_str()) {
            (StatusCode::GONE, _) => Some(Text::AlreadyAnswered),
            (StatusCode::FORBIDDEN, "context.t") if e.message == TokenError::Required.message() => {
                Some(Text::VisitRequired)
            }
            (StatusCode::FORBIDDEN, "context.t") => Some(Text::LinkInvalid),
            _ => None,
        };
        match why {
            Some(t) => refused::page(
                e.status,
                locale,
                refused::say(refused::NOT_SENT, locale),
                t.default_in(locale),
                headers,
            ),
            None => page(e.status, refused::NOT_SENT, refused::TRY_AGAIN),
        }
    };
    match payload::Response::parse(&value) {
        Ok(r) => match async {
            let admission = admission(state, &r)?;
            let id = r.id.clone();
            let outcome = store(state, r, flag, admission).await?;
            refusal(outcome, &id).map_or(Ok(()), Err)
        }
        .await
        {
            Ok(()) => page(StatusCode::CREATED, refused::THANKS, refused::RECEIVED),
            Err(e) => refused(&e),
        },
        Err(e) => refused(&ApiError::from(e)),
    }
}

/// The `Authorization: Bearer <token>` header carries the admin token (the scheme's name in
/// any case, as HTTP says); compared in constant time.
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
pub(crate) fn unauthorised() -> Response {
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
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    resp
}

pub(crate) fn unavailable(what: &str, e: crate::store::StoreError) -> Response {
    eprintln!("nps-collector: {what}: {e}");
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "db",
        format!("{what} failed; retry later"),
    )
    .into_response()
}

/// `DELETE /api/responses/{id}`: a customer's request to delete their response.
pub async fn delete_response(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if !authorised(&headers, &state.settings.admin_token) {
        return unauthorised();
    }
    match state.store.delete(&id).await {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => ApiError::new(
            StatusCode::NOT_FOUND,
            "id",
            format!(
                "no response with id {}",
                id.chars().take(ID_LEN).collect::<String>()
            ),
        )
        .into_response(),
        Err(e) => unavailable("deleting the response", e),
    }
}
