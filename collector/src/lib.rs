//! The reference collector: receives nps-widget responses and stores them in SQLite.
//!
//! Routes:
//! - `POST /api/responses` — a response as JSON (`application/json`, or `text/plain` from
//!   `sendBeacon`), or an HTML form post from the no-script fallback. Upsert by `id`:
//!   201 created, 200 updated / `{"duplicate": true}` / `{"stale": true}`.
//! - `GET /api/responses` — every stored response, one per id, with `received_at`; JSON, or
//!   CSV with `?format=csv`. Needs `Authorization: Bearer <admin token>`.
//! - `GET /healthz` — `{"ok": true}` when the database answers.
//! - anything else — the static files of `--static DIR`, if given.
//!
//! Errors are JSON `{"error": "...", "field": "..."}` with a 4xx (5xx only when the disk
//! fails). CORS headers go on every response, errors included.
//!
//! Run: `nps-collector --port 8080 --db nps.db --static dist`.

pub mod export;
pub mod limit;
pub mod store;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use nps_widget::payload::{self, PayloadError};
use serde_json::{json, Value};
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;

pub use limit::RateLimiter;
pub use store::{Store, Upsert};

/// Largest body accepted.
pub const BODY_LIMIT: usize = 64 * 1024;

/// How the app is set up.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Origins allowed to post cross-origin; `*` allows any.
    pub allow_origins: Vec<String>,
    /// Bearer token for `GET /api/responses`.
    pub admin_token: String,
    /// Posts per minute per client address; 0 turns limiting off.
    pub rate_limit: u32,
    /// Folder served for every other path.
    pub static_dir: Option<PathBuf>,
}

struct AppState {
    store: Store,
    settings: Settings,
    limiter: RateLimiter,
}

type Shared = Arc<AppState>;

/// A JSON error with a 4xx/5xx status.
pub struct ApiError {
    status: StatusCode,
    field: String,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, field: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

impl From<PayloadError> for ApiError {
    fn from(e: PayloadError) -> Self {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, &e.field, e.message)
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

/// The router, apart from `main` so tests can drive it directly.
pub fn app(store: Store, settings: Settings) -> Router {
    let limiter = RateLimiter::new(settings.rate_limit);
    let static_dir = settings.static_dir.clone();
    let cors = cors(&settings.allow_origins);
    let state: Shared = Arc::new(AppState {
        store,
        settings,
        limiter,
    });
    let mut router = Router::new()
        .route("/api/responses", get(list).post(post_response))
        .route("/healthz", get(healthz))
        .layer(middleware::from_fn_with_state(state.clone(), rate_limit))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state);
    if let Some(dir) = static_dir {
        // `name.br` / `name.gz` beside a file are sent to browsers that accept them.
        router = router.fallback_service(
            ServeDir::new(dir)
                .append_index_html_on_directories(true)
                .precompressed_br()
                .precompressed_gzip(),
        );
    }
    router.layer(cors)
}

fn cors(origins: &[String]) -> CorsLayer {
    let layer = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers([header::RETRY_AFTER])
        .max_age(std::time::Duration::from_secs(600));
    if origins.iter().any(|o| o == "*") {
        layer.allow_origin(AllowOrigin::any())
    } else {
        let list: Vec<HeaderValue> = origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok())
            .collect();
        layer.allow_origin(AllowOrigin::list(list))
    }
}

async fn rate_limit(State(state): State<Shared>, req: Request, next: Next) -> Response {
    if req.method() == Method::POST {
        let ip = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        if let Some(ip) = ip {
            if let Err(wait_s) = state.limiter.check(ip, std::time::Instant::now()) {
                let mut resp = ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limit",
                    format!(
                        "more than {} posts a minute from this address; retry in {wait_s} s",
                        state.settings.rate_limit
                    ),
                )
                .into_response();
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(wait_s));
                return resp;
            }
        }
    }
    next.run(req).await
}

fn now_rfc3339() -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    time::OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_default()
}

async fn healthz(State(state): State<Shared>) -> Response {
    if state.store.healthy().await {
        Json(json!({"ok": true})).into_response()
    } else {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "db",
            "the database does not answer",
        )
        .into_response()
    }
}

async fn post_response(
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
        Err(e) => {
            return ApiError::new(
                StatusCode::BAD_REQUEST,
                "body",
                format!("could not read the body: {e}"),
            )
            .into_response()
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
    let value: Value = serde_json::from_str(text).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "body",
            format!("body is not valid JSON: {e}"),
        )
    })?;
    let response = payload::Response::parse(&value)?;
    let id = response.id.clone();
    let stage = response.stage.as_str();
    let outcome = store(state, response).await?;
    let (status, extra) = match outcome {
        Upsert::Created => (StatusCode::CREATED, json!({"created": true})),
        Upsert::Updated => (StatusCode::OK, json!({"updated": true})),
        Upsert::Duplicate => (StatusCode::OK, json!({"duplicate": true})),
        Upsert::Stale => (StatusCode::OK, json!({"stale": true})),
    };
    let mut out = json!({"id": id, "stage": stage});
    if let (Some(o), Some(e)) = (out.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    Ok((status, Json(out)).into_response())
}

async fn store(state: &AppState, response: payload::Response) -> Result<Upsert, ApiError> {
    state
        .store
        .upsert(response, now_rfc3339())
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
    let value = export::form_to_payload(
        &pairs,
        &now_rfc3339(),
        headers.get(header::REFERER).and_then(|v| v.to_str().ok()),
    );
    let locale = value
        .get("locale")
        .and_then(Value::as_str)
        .unwrap_or("zh-CN")
        .to_owned();
    let zh = locale.starts_with("zh");
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("/")
        .to_owned();
    let page = |status: StatusCode, title: &str, text: &str| {
        let html = format!(
            "<!doctype html><html lang=\"{}\"><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{}</title><body style=\"font-family:system-ui,sans-serif;max-width:560px;margin:40px auto;padding:0 20px\"><h1 style=\"font-size:20px\">{}</h1><p>{}</p><p><a href=\"{}\">{}</a></p></body></html>",
            export::escape_html(&locale),
            export::escape_html(title),
            export::escape_html(title),
            export::escape_html(text),
            export::escape_html(&back),
            if zh { "返回" } else { "Back" }
        );
        (status, Html(html)).into_response()
    };
    match payload::Response::parse(&value) {
        Ok(r) => match store(state, r).await {
            Ok(_) => page(
                StatusCode::CREATED,
                if zh {
                    "谢谢您的评价!"
                } else {
                    "Thank you!"
                },
                if zh {
                    "我们已收到您的反馈。"
                } else {
                    "We have your answer."
                },
            ),
            Err(e) => page(
                e.status,
                if zh { "提交失败" } else { "Not sent" },
                &e.message,
            ),
        },
        Err(e) => page(
            StatusCode::UNPROCESSABLE_ENTITY,
            if zh {
                "请检查后重试"
            } else {
                "Please check and try again"
            },
            &e.message,
        ),
    }
}

fn authorised(headers: &HeaderMap, token: &str) -> bool {
    use subtle::ConstantTimeEq;
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    !token.is_empty()
        && given.len() == token.len()
        && bool::from(given.as_bytes().ct_eq(token.as_bytes()))
}

async fn list(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    if !authorised(&headers, &state.settings.admin_token) {
        return ApiError::new(
            StatusCode::UNAUTHORIZED,
            "authorization",
            "missing or wrong admin token: send Authorization: Bearer <token> (printed by nps-collector on start)",
        )
        .into_response();
    }
    let format = q
        .iter()
        .find(|(k, _)| k == "format")
        .map(|(_, v)| v.as_str())
        .unwrap_or("json");
    let rows = match state.store.all().await {
        Ok(r) => r,
        Err(e) => {
            return ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "db",
                format!("could not read responses: {e}"),
            )
            .into_response()
        }
    };
    match format {
        "json" => {
            let items: Vec<Value> = rows
                .into_iter()
                .filter_map(|(body, received_at)| {
                    let mut v: Value = serde_json::from_str(&body).ok()?;
                    v.as_object_mut()?
                        .insert("received_at".into(), Value::String(received_at));
                    Some(v)
                })
                .collect();
            Json(items).into_response()
        }
        "csv" => match export::csv(&rows) {
            Ok(text) => (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"nps-responses.csv\"",
                    ),
                ],
                text,
            )
                .into_response(),
            Err(e) => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "format", e).into_response(),
        },
        other => ApiError::new(
            StatusCode::BAD_REQUEST,
            "format",
            format!("format is {other:?}: expected \"json\" or \"csv\""),
        )
        .into_response(),
    }
}
