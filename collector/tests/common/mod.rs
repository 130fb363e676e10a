//! Helpers shared by the collector's API tests: a fresh database, the router, requests.
#![allow(dead_code)]

pub mod nginx;
pub mod postgres;
pub mod process;
pub mod robots;

use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use nps_collector::{app, Settings, Store};
use serde_json::{json, Value};
use tower::ServiceExt;

static N: AtomicUsize = AtomicUsize::new(0);

pub fn db_path() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "nps-api-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    // A folder left by an earlier run whose process had the same id holds its rows: start empty.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("nps.db")
}

pub fn router_with(settings: Settings) -> Router {
    app(Store::open(db_path()).unwrap(), settings)
}

pub fn router() -> Router {
    router_with(Settings {
        allow_origins: vec!["https://brand.example".into()],
        admin_token: "secret".into(),
        rate_limit: 0,
        static_dir: None,
        ..Settings::default()
    })
}

pub const ID: &str = "0b6c2a8e-5d1f-4c3b-9a7e-2f4d6b8c0e1a";
/// The write key `body` carries: every post of a response repeats its first post's key.
pub const KEY: &str = "5f0c6b1e9d8a4c2b8e7f6a5d4c3b2a19";

pub fn body(stage: &str, score: Option<u8>, updated_at: &str) -> Value {
    let category = score.map(|s| {
        nps_core::scoring::score::category(s as i64)
            .unwrap()
            .as_str()
    });
    json!({"schema":1,"id":ID,"survey":"after-sales","stage":stage,"score":score,"category":category,
           "reasons":[],"comment":null,"contact":null,"context":{"store":"SZ-FT"},"locale":"zh-CN",
           "page":"https://brand.example/qr","created_at":"2026-11-23T08:30:00.000Z","updated_at":updated_at,"write_key":KEY})
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|_| panic!("not JSON: {}", self.text))
    }
}

pub async fn send(app: &Router, req: Request<Body>) -> Reply {
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

pub fn post_raw(content_type: &str, bytes: Vec<u8>) -> Request<Body> {
    Request::builder()
        .method(Method::POST)
        .uri("/api/responses")
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ORIGIN, "https://brand.example")
        .body(Body::from(bytes))
        .unwrap()
}

pub async fn post(app: &Router, v: &Value) -> Reply {
    send(
        app,
        post_raw("application/json", v.to_string().into_bytes()),
    )
    .await
}

pub async fn list(app: &Router, query: &str, token: Option<&str>) -> Reply {
    let mut b = Request::builder().uri(format!("/api/responses{query}"));
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    send(app, b.body(Body::empty()).unwrap()).await
}

/// Every stored response, as the admin reads them.
pub async fn stored(app: &Router) -> Vec<Value> {
    list(app, "", Some("secret"))
        .await
        .json()
        .as_array()
        .unwrap()
        .clone()
}

/// The first fenced block in language `lang` (```sh, ```nginx) of a document in `docs/` that
/// contains `needle`, without its fences: the tests run what the docs say.
pub fn doc_block(doc: &str, lang: &str, needle: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../docs")
        .join(doc);
    let text = std::fs::read_to_string(path).unwrap();
    text.split(&format!("```{lang}\n"))
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .find(|block| block.contains(needle))
        .unwrap_or_else(|| panic!("docs/{doc} has no {lang} block with {needle}"))
        .to_owned()
}
