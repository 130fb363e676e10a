//! The reference collector: receives nps-widget responses and stores them in SQLite or
//! PostgreSQL (`storage`).
//!
//! Routes:
//! - `POST /api/responses` — a response as JSON (`application/json`, or `text/plain` from
//!   `sendBeacon`), or an HTML form post from the no-script fallback. Upsert by `id`:
//!   201 created, 200 updated / `{"duplicate": true}` / `{"stale": true}`.
//! - `GET /api/responses` — the stored responses of the caller's scope, one per id, with
//!   `received_at`, phones masked (none for an analyst); JSON, or CSV with `?format=csv`
//!   (`export`), or the dashboard's compact columns with `?format=columns` (`columns`).
//!   Needs a caller (`auth::Caller`: a session cookie, a machine token or the
//!   admin token), like every route that reads or deletes answers.
//! - `POST /api/responses/{id}/reveal` — one phone in full, logged (`scope`);
//!   `DELETE /api/responses/{id}` — a deletion request (an admin); `GET /api/names` — the
//!   names and org of the caller's scope; `GET /api/audit` — the audit trail (an admin).
//! - `GET /api/cases`, `GET|PATCH /api/cases/{id}`, `GET /api/cases/stats`,
//!   `GET /api/cases/root-causes`, `POST /api/cases/{id}/recovery` — the cases of the caller's
//!   scope, worked and counted, and a resolved case's re-survey link (`cases`).
//! - `GET /api/alerts` — the alert queue: each job's channel name, state, tries and reason
//!   (an admin; `alert_queue`).
//! - `GET /report/{alert}.png` — a weekly report's image behind a signed link that expires,
//!   as the robots' messages give it (`report::link`).
//! - `POST /api/visits` — the visits a brand invited (`invited`); `GET /api/funnel`,
//!   `GET /api/funnel/flags` — invited → opened → answered, referrals and coaching flags per
//!   store, advisor, touchpoint or period, of the caller's scope (`funnel`).
//! - `GET /api/themes` — what detractors' (or another category's) comments are about: the
//!   words most of them share, against the range before (`themes`).
//! - `GET /api/comments` — the comments of the caller's scope, newest first, a page at a
//!   time, by survey, time, store, advisor, region, city, reason, category and words
//!   (`comments`).
//! - `GET /healthz` — `{"ok": true}` when the database answers.
//! - `GET|POST /s/{survey}`, `GET|POST /s/{survey}/{id}` — the landing pages a QR code opens
//!   (`landing`): answerable without JavaScript, taken over by the widget when it loads;
//!   `GET /s/{survey}/invite`, what a promoter shares (on to the survey's referral).
//! - `GET|POST /s/{survey}/{id}/refer`, `GET /r/{code}`, `POST /r/{code}/shared`,
//!   `GET /r/{code}/poster.png|svg`, `GET /r/{code}/poster`, `GET|POST /r/{code}/book`,
//!   `POST /api/referrals/{code}/events` — a promoter's referral, a friend's open, the poster,
//!   the booking form, and what the brand reports it brought (`referral`);
//!   `GET /api/referrals/bookings`, `POST /api/referrals/bookings/{id}/reveal` — the friends'
//!   bookings of the caller's scope, to call them back (`referral::bookings`).
//! - `GET|POST /signin`, `GET|POST|DELETE /api/session`, `GET|POST /invite/{token}` — signing
//!   in and out, and setting a password from an invite (`signin`).
//! - `GET /signin/oidc`, `GET /signin/oidc/callback` — single sign-on with OpenID Connect
//!   (`sso`, with `--sso FILE`).
//! - anything else — the static files of `--static DIR`, if given.
//!
//! Errors are JSON `{"error": "...", "field": "..."}` with a 4xx (5xx only when the disk
//! fails), including the ones the framework answers itself (an unknown route, a wrong
//! method); the one exception is the no-script form, whose answer is an HTML page. CORS
//! headers go on every response, errors included. Internal errors are logged, never sent.
//!
//! Run: `nps-collector --port 8080 --db nps.db --static dist`.

pub mod alert_queue;
pub mod alerts;
mod api_error;
pub mod audit;
pub mod auth;
pub mod cases;
mod columns;
mod comments;
mod deadline;
pub mod delivery;
pub mod demo;
pub mod digest;
pub mod export;
pub mod funnel;
pub mod guard;
pub mod html;
pub mod intake;
pub mod invited;
pub mod jobs;
pub mod keys;
pub mod landing;
pub mod limit;
pub mod links;
pub mod net;
pub mod org_file;
pub mod password;
pub mod recovery;
pub mod referral;
mod refused;
pub mod reload;
pub mod report;
mod responses;
pub mod scope;
pub mod serve;
pub mod session;
mod settings;
pub mod signin;
pub mod sso;
mod state;
pub mod storage;
pub mod themes;
pub mod throttle;
pub mod visit;
pub mod write_key;

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::handler::Handler;
use axum::http::{header, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::json;
use tower::Layer;
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;

use api_error::json_errors;
pub use api_error::ApiError;
pub use auth::{Caller, Who};
use responses::{delete_response, post_response};
pub use settings::{
    Settings, BODY_LIMIT, BODY_TIMEOUT, POSTER_BUDGET, SESSION_ABSOLUTE, SESSION_IDLE,
};
use state::{AppState, Shared};

pub use limit::RateLimiter;
pub use storage::{Admission, Now, Store, Target, Upsert};

/// The router, apart from `main` so tests can drive it directly.
pub fn app(store: Store, settings: Settings) -> Router {
    let static_dir = settings.static_dir.clone();
    let cors = cors(&settings.allow_origins);
    let state = AppState::new(store, settings);
    // The landing pages are HTML made per request: compressed (the static files have their
    // own .br and .gz).
    let pages = Router::new()
        .route("/s/{survey}", get(landing::question).post(landing::score))
        .route("/s/{survey}/invite", get(landing::invite))
        .route("/s/{survey}/logo", get(landing::logo))
        .route(
            "/s/{survey}/{id}",
            get(landing::response).post(landing::answers),
        )
        .route(
            "/s/{survey}/{id}/refer",
            get(referral::refer_page).post(referral::refer_name),
        )
        .route("/r/{code}", get(referral::open))
        .route("/r/{code}/shared", post(referral::shared))
        .route(
            "/r/{code}/book",
            get(referral::book::form).post(referral::book::take),
        )
        .route("/r/{code}/{file}", get(referral::poster))
        .layer(tower_http::compression::CompressionLayer::new());
    let mut router = Router::new()
        // The export is compressed as it streams (a 100,000-answer JSON is ~50 MB, ~5 MB in
        // brotli); posts are small and are not.
        .route(
            "/api/responses",
            get(export::list.layer(
                // The fastest level: a large export streams at the speed of the disk.
                tower_http::compression::CompressionLayer::new()
                    .quality(tower_http::CompressionLevel::Fastest),
            ))
            .post(post_response),
        )
        .route("/api/responses/{id}", delete(delete_response))
        .route("/api/responses/{id}/reveal", post(scope::reveal))
        .route("/api/names", get(export::names))
        .route("/api/cases", get(cases::list))
        .route("/api/cases/stats", get(cases::stats))
        .route("/api/cases/root-causes", get(cases::root_causes))
        .route("/api/cases/{id}", get(cases::get).patch(cases::patch))
        .route("/api/cases/{id}/recovery", post(cases::resurvey::take))
        .route("/api/referrals/{code}/events", post(referral::events::post))
        .route("/api/referrals/bookings", get(referral::bookings::list))
        .route(
            "/api/referrals/bookings/{id}/reveal",
            post(referral::bookings::reveal),
        )
        .route(
            "/signin",
            get(signin::signin_page).post(signin::signin_form),
        )
        .route(
            "/api/session",
            get(signin::session_get)
                .post(signin::session_post)
                .delete(signin::session_delete),
        )
        .route(
            "/invite/{token}",
            get(signin::invite_page).post(signin::accept),
        )
        .route(
            "/api/visits",
            post(invited::record).layer(DefaultBodyLimit::max(invited::VISITS_BODY_LIMIT)),
        )
        .route("/api/funnel", get(funnel::funnel))
        .route("/api/funnel/flags", get(funnel::flagged))
        .route("/api/themes", get(themes::themes_route))
        .route("/api/comments", get(comments::list))
        .route("/api/audit", get(audit::list))
        .route("/api/alerts", get(alert_queue::list))
        .route("/report/{file}", get(report::link::image))
        .route("/healthz", get(healthz))
        .route(sso::START, get(sso::routes::start))
        .route(sso::CALLBACK, get(sso::routes::callback))
        .merge(pages)
        .layer(middleware::from_fn_with_state(state.clone(), rate_limit))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            guard::origins,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            deadline::body,
        ))
        .with_state(state.clone());
    if let Some(dir) = static_dir {
        // Only what no route takes reaches the folder, and only through its guard.
        // `name.br` / `name.gz` beside a file are sent to browsers that accept them.
        let files = ServeDir::new(dir)
            .append_index_html_on_directories(true)
            .precompressed_br()
            .precompressed_gzip();
        router = router.fallback_service(
            middleware::from_fn_with_state(state.clone(), guard::static_files).layer(files),
        );
    }
    router
        .layer(middleware::from_fn(json_errors))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            refused::form_pages,
        ))
        .layer(cors)
        .layer(middleware::from_fn_with_state(
            state,
            guard::security_headers,
        ))
}

/// The API's routes, for the messages of a 404 and a 405 (a test checks each one answers).
pub const ROUTES: &[(&str, &str)] = &[
    ("POST", "/api/responses"),
    ("GET", "/api/responses"),
    ("DELETE", "/api/responses/{id}"),
    ("POST", "/api/responses/{id}/reveal"),
    ("GET", "/api/names"),
    ("GET", "/api/audit"),
    ("GET", "/api/alerts"),
    ("GET", "/api/cases"),
    ("GET", "/api/cases/{id}"),
    ("PATCH", "/api/cases/{id}"),
    ("GET", "/api/cases/stats"),
    ("GET", "/api/cases/root-causes"),
    ("POST", "/api/cases/{id}/recovery"),
    ("POST", "/api/visits"),
    ("GET", "/api/funnel"),
    ("GET", "/api/funnel/flags"),
    ("GET", "/api/themes"),
    ("GET", "/api/comments"),
    ("GET", "/healthz"),
    ("GET", "/s/{survey}"),
    ("POST", "/s/{survey}"),
    ("GET", "/s/{survey}/{id}"),
    ("POST", "/s/{survey}/{id}"),
    ("GET", "/s/{survey}/invite"),
    ("GET", "/s/{survey}/{id}/refer"),
    ("POST", "/s/{survey}/{id}/refer"),
    ("GET", "/r/{code}"),
    ("POST", "/r/{code}/shared"),
    ("GET", "/r/{code}/poster.png"),
    ("GET", "/r/{code}/poster.svg"),
    ("GET", "/r/{code}/poster"),
    ("GET", "/r/{code}/book"),
    ("POST", "/r/{code}/book"),
    ("POST", "/api/referrals/{code}/events"),
    ("GET", "/api/referrals/bookings"),
    ("POST", "/api/referrals/bookings/{id}/reveal"),
    ("GET", "/s/{survey}/logo"),
    ("GET", "/signin"),
    ("POST", "/signin"),
    ("GET", "/api/session"),
    ("POST", "/api/session"),
    ("DELETE", "/api/session"),
    ("GET", "/invite/{token}"),
    ("POST", "/invite/{token}"),
    ("GET", sso::START),
    ("GET", sso::CALLBACK),
];

/// Listed origins may read every answer. Any origin's post, and its preflight, get CORS
/// headers too: the post is then refused by `guard::origins` with a 403 its page can read.
fn cors(origins: &[String]) -> CorsLayer {
    let layer = CorsLayer::new()
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers([header::RETRY_AFTER])
        .max_age(std::time::Duration::from_secs(600));
    if origins.iter().any(|o| o == "*") {
        return layer.allow_origin(AllowOrigin::any());
    }
    let list: Vec<String> = origins
        .iter()
        .map(|o| o.trim_end_matches('/').to_owned())
        .collect();
    layer.allow_origin(AllowOrigin::predicate(move |origin, parts| {
        let posting = parts.method == Method::POST
            || (parts.method == Method::OPTIONS
                && parts
                    .headers
                    .get(header::ACCESS_CONTROL_REQUEST_METHOD)
                    .is_some_and(|m| m == "POST"));
        posting || list.iter().any(|l| origin.as_bytes() == l.as_bytes())
    }))
}

/// Every post, every referral request (`/r/…`: a code's opens, poster, form) and every
/// promoter's page (`/s/{survey}/{id}/refer`) is counted against its client's limit.
async fn rate_limit(State(state): State<Shared>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let referral = path.starts_with("/r/") || (path.starts_with("/s/") && path.ends_with("/refer"));
    if req.method() == Method::POST || referral {
        let peer = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        if let Some(key) = limit::client_key(&state.settings, peer, req.headers()) {
            if let Err(wait_s) = state.limiter.check(key, std::time::Instant::now()) {
                return limit::too_many(
                    format!(
                        "more than {} requests a minute from this client; retry in {wait_s} s",
                        state.settings.rate_limit
                    ),
                    wait_s,
                );
            }
        }
    }
    next.run(req).await
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
