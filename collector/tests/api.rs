//! The collector's API, driven in-process with `oneshot`: upsert by id, strict validation
//! with named fields, CORS on every response, the admin token, CSV, the no-script form.

mod common;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use common::*;
use nps_collector::{app, Settings, Store};
use serde_json::{json, Value};

#[tokio::test]
async fn upsert_by_id_later_stage_wins_and_repeats_are_not_counted() {
    let app = router();
    let scored = body("scored", Some(9), "2026-11-23T08:30:01.000Z");
    let completed = body("completed", Some(9), "2026-11-23T08:30:20.000Z");
    let r = post(&app, &scored).await;
    assert_eq!(
        (r.status, r.json()["created"].as_bool()),
        (StatusCode::CREATED, Some(true))
    );
    let r = post(&app, &scored).await;
    assert_eq!(
        (r.status, r.json()["duplicate"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    let r = post(&app, &completed).await;
    assert_eq!(
        (r.status, r.json()["updated"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    // A late-arriving earlier stage: 2xx so the sender stops, but nothing changes.
    let r = post(&app, &scored).await;
    assert_eq!(
        (r.status, r.json()["stale"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    let rows = list(&app, "", Some("secret")).await.json();
    assert_eq!(rows.as_array().unwrap().len(), 1);
    assert_eq!(rows[0]["stage"], "completed");
    assert!(rows[0]["received_at"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn a_changed_score_at_the_same_stage_takes_the_newer_post() {
    let app = router();
    post(&app, &body("scored", Some(10), "2026-11-23T08:30:01.000Z")).await;
    post(&app, &body("scored", Some(6), "2026-11-23T08:30:05.000Z")).await;
    let r = post(&app, &body("scored", Some(10), "2026-11-23T08:30:01.000Z")).await;
    assert_eq!(
        r.json()["stale"],
        true,
        "the older post arriving late is stale"
    );
    assert_eq!(list(&app, "", Some("secret")).await.json()[0]["score"], 6);
}

#[tokio::test]
async fn bad_bodies_get_a_4xx_naming_the_field() {
    let app = router();
    let with = |k: &str, v: Value| {
        let mut b = body("completed", Some(9), "2026-11-23T08:30:20.000Z");
        b[k] = v;
        b
    };
    let json_cases: Vec<(Vec<u8>, StatusCode, &str)> = vec![
        (b"{".to_vec(), StatusCode::BAD_REQUEST, "body"),
        (
            br#"{"schema":1,"id":"#.to_vec(),
            StatusCode::BAD_REQUEST,
            "body",
        ),
        (b"\xff\xfe{}".to_vec(), StatusCode::BAD_REQUEST, "body"),
        (b"[]".to_vec(), StatusCode::UNPROCESSABLE_ENTITY, "body"),
        (
            with("score", json!(11)).to_string().into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "score",
        ),
        (
            with("score", json!(-1)).to_string().into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "score",
        ),
        (
            with("score", json!(9.5)).to_string().into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "score",
        ),
        (
            with("score", json!("9")).to_string().into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "score",
        ),
        (
            with("category", json!("passive")).to_string().into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "category",
        ),
        (
            with("stage", json!("finished")).to_string().into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "stage",
        ),
        (
            with("surprise", json!(1)).to_string().into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "surprise",
        ),
        (
            with("id", json!("123")).to_string().into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "id",
        ),
        (
            with("id", Value::Null).to_string().into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "id",
        ),
        (
            with("schema", json!(2)).to_string().into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "schema",
        ),
        (
            with("contact", json!({"phone": "13812345678", "consent": false}))
                .to_string()
                .into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "contact.consent",
        ),
        (
            with(
                "contact",
                json!({"phone": "13812345678", "consent": true, "callback_hours": 721}),
            )
            .to_string()
            .into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "contact.callback_hours",
        ),
        (
            with("comment", json!("x".repeat(1001)))
                .to_string()
                .into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "comment",
        ),
        (
            vec![b' '; 64 * 1024 + 1],
            StatusCode::PAYLOAD_TOO_LARGE,
            "body",
        ),
    ];
    for (bytes, status, field) in json_cases {
        let shown = String::from_utf8_lossy(&bytes[..bytes.len().min(60)]).into_owned();
        let r = send(&app, post_raw("application/json", bytes)).await;
        assert_eq!(r.status, status, "{shown}: {}", r.text);
        let j = r.json();
        assert_eq!(j["field"], field, "{shown}: {}", r.text);
        assert!(!j["error"].as_str().unwrap().is_empty());
        // CORS headers on errors too, or the browser would keep retrying blind.
        assert_eq!(
            r.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).unwrap(),
            "https://brand.example",
            "{shown}"
        );
    }
    let r = send(&app, post_raw("application/xml", b"<x/>".to_vec())).await;
    assert_eq!(
        (r.status, r.json()["field"].as_str()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("content-type"))
    );
    assert_eq!(
        list(&app, "", Some("secret")).await.json(),
        json!([]),
        "nothing bad was stored"
    );
}

#[tokio::test]
async fn beacons_arrive_as_text_plain() {
    let app = router();
    let r = send(
        &app,
        post_raw(
            "text/plain;charset=UTF-8",
            body("scored", Some(4), "2026-11-23T08:30:01.000Z")
                .to_string()
                .into_bytes(),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
}

#[tokio::test]
async fn cors_allows_only_listed_origins_and_answers_preflight() {
    let app = router();
    let pre = Request::builder()
        .method(Method::OPTIONS)
        .uri("/api/responses")
        .header(header::ORIGIN, "https://brand.example")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type")
        .body(Body::empty())
        .unwrap();
    let r = send(&app, pre).await;
    assert!(r.status.is_success());
    assert_eq!(
        r.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).unwrap(),
        "https://brand.example"
    );
    let mut other = post_raw(
        "application/json",
        body("scored", Some(4), "2026-11-23T08:30:01.000Z")
            .to_string()
            .into_bytes(),
    );
    other
        .headers_mut()
        .insert(header::ORIGIN, "https://evil.example".parse().unwrap());
    // A post from an origin nobody listed is refused, in an answer its page can read.
    let r = send(&app, other).await;
    assert_eq!(
        (r.status, r.json()["field"].as_str()),
        (StatusCode::FORBIDDEN, Some("origin"))
    );
    assert_eq!(
        r.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).unwrap(),
        "https://evil.example"
    );
    assert_eq!(list(&app, "", Some("secret")).await.json(), json!([]));
    // Reading stays with the listed origins.
    let read = Request::builder()
        .uri("/api/responses")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::AUTHORIZATION, "Bearer secret")
        .body(Body::empty())
        .unwrap();
    assert!(send(&app, read)
        .await
        .headers
        .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        .is_none());
    let any = router_with(Settings {
        allow_origins: vec!["*".into()],
        admin_token: "t".into(),
        rate_limit: 0,
        static_dir: None,
        ..Settings::default()
    });
    let r = post(&any, &body("scored", Some(4), "2026-11-23T08:30:01.000Z")).await;
    assert_eq!(
        r.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).unwrap(),
        "*"
    );
}

#[tokio::test]
async fn reading_needs_the_admin_token() {
    let app = router();
    for token in [None, Some("wrong"), Some("secre"), Some("")] {
        let r = list(&app, "", token).await;
        assert_eq!(
            (r.status, r.json()["field"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("authorization")),
            "{token:?}"
        );
    }
    assert_eq!(list(&app, "", Some("secret")).await.status, StatusCode::OK);
    let r = list(&app, "?format=xml", Some("secret")).await;
    assert_eq!(
        (r.status, r.json()["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("format"))
    );
}

#[tokio::test]
async fn csv_cells_cannot_run_as_formulas() {
    let app = router();
    let mut b = body("completed", Some(2), "2026-11-23T08:30:20.000Z");
    b["comment"] = json!("=HYPERLINK(\"http://evil.example\",\"click\")");
    b["context"] = json!({"store": "+SZ-FT", "advisor": "@wang", "visit": "-1+2"});
    assert_eq!(post(&app, &b).await.status, StatusCode::CREATED);
    let r = list(&app, "?format=csv", Some("secret")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r
        .headers
        .get(header::CONTENT_TYPE)
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let mut reader = csv::Reader::from_reader(r.text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().clone();
    let row = reader.records().next().unwrap().unwrap();
    let get = |name: &str| {
        row.get(headers.iter().position(|h| h == name).unwrap())
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        get("comment"),
        "'=HYPERLINK(\"http://evil.example\",\"click\")"
    );
    assert_eq!(get("store"), "'+SZ-FT");
    assert_eq!(get("advisor"), "'@wang");
    assert_eq!(get("visit"), "'-1+2");
    assert_eq!(get("score"), "2");
}

#[tokio::test]
async fn the_no_script_form_is_stored_and_answered_in_html() {
    let app = router();
    let form = "score=4&reasons=wait_time&reasons=booking&comment=%E5%A4%AA%E6%85%A2&survey=after-sales&locale=zh-CN&context.store=SZ-FT";
    let r = send(
        &app,
        post_raw(
            "application/x-www-form-urlencoded",
            form.as_bytes().to_vec(),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert!(r.text.contains("谢谢您的评价"));
    let rows = list(&app, "", Some("secret")).await.json();
    assert_eq!(
        (rows[0]["score"].as_u64(), rows[0]["comment"].as_str()),
        (Some(4), Some("太慢"))
    );
    assert_eq!(rows[0]["reasons"], json!(["wait_time", "booking"]));
    let r = send(
        &app,
        post_raw(
            "application/x-www-form-urlencoded",
            b"score=12&locale=en".to_vec(),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The customer reads what happened in their words, never the developer's field and rule.
    assert!(
        r.text.contains("Please go back and try again"),
        "{}",
        r.text
    );
    assert!(!r.text.contains("score is 12"), "{}", r.text);
    assert!(!r.text.contains("<script"), "no markup from the input");
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let app = router_with(Settings {
        allow_origins: vec!["https://brand.example".into()],
        admin_token: "t".into(),
        rate_limit: 2,
        static_dir: None,
        ..Settings::default()
    });
    let from = |v: &Value| {
        let mut req = post_raw("application/json", v.to_string().into_bytes());
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([10, 0, 0, 7], 5000))));
        req
    };
    let b = body("scored", Some(4), "2026-11-23T08:30:01.000Z");
    assert!(send(&app, from(&b)).await.status.is_success());
    assert!(send(&app, from(&b)).await.status.is_success());
    let r = send(&app, from(&b)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.json()["field"], "rate_limit");
    let wait: u64 = r
        .headers
        .get(header::RETRY_AFTER)
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait));
}

#[tokio::test]
async fn healthz() {
    let r = send(
        &router(),
        Request::builder()
            .uri("/healthz")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!((r.status, r.json()), (StatusCode::OK, json!({"ok": true})));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_identical_posts_make_one_row() {
    let app = router();
    let b = body("completed", Some(8), "2026-11-23T08:30:20.000Z");
    let tasks: Vec<_> = (0..1000)
        .map(|_| {
            let (app, b) = (app.clone(), b.clone());
            tokio::spawn(async move { post(&app, &b).await.status })
        })
        .collect();
    let mut created = 0;
    for t in tasks {
        let s = t.await.unwrap();
        assert!(s.is_success(), "{s}");
        created += (s == StatusCode::CREATED) as u32;
    }
    assert_eq!(created, 1, "exactly one post creates the row");
    assert_eq!(
        list(&app, "", Some("secret"))
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn static_files_go_out_precompressed_when_the_browser_accepts_it() {
    let dir = db_path().parent().unwrap().join("static");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("w.wasm"), b"raw wasm").unwrap();
    std::fs::write(dir.join("w.wasm.br"), b"brotli wasm").unwrap();
    std::fs::write(dir.join("index.html"), b"<!doctype html>hub").unwrap();
    let app = router_with(Settings {
        allow_origins: vec![],
        admin_token: "t".into(),
        rate_limit: 0,
        static_dir: Some(dir),
        ..Settings::default()
    });
    let get = |path: &str, enc: Option<&str>| {
        let mut b = Request::builder().uri(path);
        if let Some(e) = enc {
            b = b.header(header::ACCEPT_ENCODING, e);
        }
        b.body(Body::empty()).unwrap()
    };
    let r = send(&app, get("/w.wasm", Some("gzip, deflate, br"))).await;
    assert_eq!((r.status, r.text.as_str()), (StatusCode::OK, "brotli wasm"));
    assert_eq!(r.headers.get(header::CONTENT_ENCODING).unwrap(), "br");
    assert_eq!(
        r.headers.get(header::CONTENT_TYPE).unwrap(),
        "application/wasm"
    );
    let r = send(&app, get("/w.wasm", None)).await;
    assert_eq!(r.text, "raw wasm");
    assert_eq!(send(&app, get("/", None)).await.text, "<!doctype html>hub");
    assert_eq!(
        send(&app, get("/missing.js", None)).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn pinned_files_are_kept_for_ever_and_the_loader_is_asked_again() {
    let dir = db_path().parent().unwrap().join("pinned");
    std::fs::create_dir_all(&dir).unwrap();
    for name in [
        "nps-widget.js",
        "nps-widget-0.1.0-c652d0e9a5.wasm",
        "nps-widget-glue-0.1.0-3f2932a104.js",
        "other.js",
    ] {
        std::fs::write(dir.join(name), b"x").unwrap();
    }
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("sub/nps-widget-0.1.0-c652d0e9a5.wasm"), b"x").unwrap();
    let app = router_with(Settings {
        allow_origins: vec![],
        admin_token: "t".into(),
        rate_limit: 0,
        static_dir: Some(dir),
        ..Settings::default()
    });
    let cache = |path: &'static str| {
        let app = app.clone();
        async move {
            let req = Request::builder().uri(path).body(Body::empty()).unwrap();
            let r = send(&app, req).await;
            r.headers
                .get(header::CACHE_CONTROL)
                .map(|v| v.to_str().unwrap().to_owned())
        }
    };
    let forever = Some("public, max-age=31536000, immutable".to_owned());
    assert_eq!(cache("/nps-widget-0.1.0-c652d0e9a5.wasm").await, forever);
    assert_eq!(cache("/nps-widget-glue-0.1.0-3f2932a104.js").await, forever);
    assert_eq!(cache("/nps-widget.js").await, Some("no-cache".to_owned()));
    assert_eq!(cache("/other.js").await, None);
    // Only a plain name at the folder's root: not in a subfolder, not encoded.
    assert_eq!(cache("/sub/nps-widget-0.1.0-c652d0e9a5.wasm").await, None);
    assert_eq!(cache("/sub%2Fnps-widget-0.1.0-c652d0e9a5.wasm").await, None);
    // A pinned name that is not there is a plain 404, not cached.
    assert_eq!(cache("/nps-widget-0.1.0-0000000000.wasm").await, None);
}

/// Regression: `{"score": 3, "score": 9}` was stored as a 9 (the last key won); a reader
/// taking the first would see a 3.
#[tokio::test]
async fn a_key_given_twice_is_refused_naming_it() {
    let app = router();
    let good = body("completed", Some(9), "2026-11-23T08:30:20.000Z").to_string();
    let cases = [
        (
            good.replace("\"score\":9", "\"score\":3,\"score\":9"),
            "score",
        ),
        (
            good.replace(
                "\"store\":\"SZ-FT\"",
                "\"store\":\"SZ-FT\",\"store\":\"GZ\"",
            ),
            "context.store",
        ),
        (
            good.replace("\"schema\":1", "\"schema\":1,\"\\u0073chema\":1"),
            "schema",
        ),
    ];
    for (text, field) in cases {
        assert_ne!(text, good);
        for content_type in ["application/json", "text/plain;charset=UTF-8"] {
            let r = send(&app, post_raw(content_type, text.clone().into_bytes())).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{text}: {}", r.text);
            assert_eq!(r.json()["field"], field, "{}", r.text);
            assert!(r.json()["error"].as_str().unwrap().contains("twice"));
        }
    }
    assert_eq!(list(&app, "", Some("secret")).await.json(), json!([]));
}

/// Regression: unknown routes and wrong methods answered with the framework's empty 404/405.
#[tokio::test]
async fn every_error_is_json_with_cors() {
    let app = router();
    let req = |method: Method, uri: &str| {
        Request::builder()
            .method(method)
            .uri(uri)
            .header(header::ORIGIN, "https://brand.example")
            .body(Body::empty())
            .unwrap()
    };
    let cases = [
        (req(Method::GET, "/nowhere"), StatusCode::NOT_FOUND, "path"),
        (
            req(Method::POST, "/api/response"),
            StatusCode::NOT_FOUND,
            "path",
        ),
        (
            req(Method::DELETE, "/api/responses"),
            StatusCode::METHOD_NOT_ALLOWED,
            "method",
        ),
        (
            req(Method::PUT, "/healthz"),
            StatusCode::METHOD_NOT_ALLOWED,
            "method",
        ),
    ];
    for (request, status, field) in cases {
        let shown = format!("{} {}", request.method(), request.uri());
        let r = send(&app, request).await;
        assert_eq!(r.status, status, "{shown}");
        assert_eq!(
            r.headers.get(header::CONTENT_TYPE).unwrap(),
            "application/json",
            "{shown}"
        );
        assert_eq!(r.json()["field"], field, "{shown}: {}", r.text);
        assert!(!r.json()["error"].as_str().unwrap().is_empty());
        assert_eq!(
            r.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).unwrap(),
            "https://brand.example",
            "{shown}"
        );
    }
    let r = send(&app, req(Method::DELETE, "/api/responses")).await;
    assert!(
        r.json()["error"].as_str().unwrap().contains("POST or GET"),
        "{}",
        r.text
    );
    assert_eq!(r.headers.get(header::ALLOW).unwrap(), "POST, GET");
    // Every route the messages name is one the app answers (a landing page's 404 for an
    // unknown survey or response is its own page, not the API's).
    for (method, path) in nps_collector::ROUTES {
        let r = send(&app, req(method.parse().unwrap(), path)).await;
        let page = r
            .headers
            .get(header::CONTENT_TYPE)
            .is_some_and(|t| t.to_str().unwrap().starts_with("text/html"));
        assert!(
            (r.status != StatusCode::NOT_FOUND || page)
                && r.status != StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}: {}",
            r.status
        );
    }
    // With a static folder, a missing file is a JSON 404 too.
    let dir = db_path().parent().unwrap().join("site");
    std::fs::create_dir_all(&dir).unwrap();
    let site = router_with(Settings {
        allow_origins: vec![],
        admin_token: "t".into(),
        rate_limit: 0,
        static_dir: Some(dir),
        ..Settings::default()
    });
    let r = send(&site, req(Method::GET, "/missing.html")).await;
    assert_eq!(
        (r.status, r.json()["field"].as_str()),
        (StatusCode::NOT_FOUND, Some("path"))
    );
}

/// Regression: a failed read sent the database's own error text to the client.
#[tokio::test]
async fn internal_errors_are_logged_not_sent() {
    let path = db_path();
    let app = app(
        Store::open(&path).unwrap(),
        Settings {
            allow_origins: vec![],
            admin_token: "secret".into(),
            rate_limit: 0,
            static_dir: None,
            ..Settings::default()
        },
    );
    // The file goes away under the running collector: reads open an empty database.
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let r = list(&app, "", Some("secret")).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text);
    let error = r.json()["error"].as_str().unwrap().to_owned();
    for leak in ["no such table", "SQL", "nps.db", "nps-api"] {
        assert!(!error.contains(leak), "leaks {leak:?}: {error}");
    }
}

/// Whatever the widget accepts, the collector accepts: the widest context a config allows.
#[tokio::test]
async fn the_widest_context_the_widget_sends_is_stored() {
    let app = router();
    let mut b = body("scored", Some(3), "2026-11-23T08:30:20.000Z");
    let ctx: serde_json::Map<String, Value> = (0..nps_core::contract::rules::MAX_CONTEXT)
        .map(|i| {
            (
                format!("key_{i}"),
                json!("字".repeat(nps_core::contract::rules::MAX_CONTEXT_VALUE)),
            )
        })
        .collect();
    b["context"] = Value::Object(ctx);
    let r = post(&app, &b).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}
