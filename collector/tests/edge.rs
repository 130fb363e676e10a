//! The collector at the edge of the open internet, through the router: rate limits behind a
//! proxy, security headers on every answer, a static folder that leaks nothing.

mod common;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use common::*;
use nps_collector::Settings;
use serde_json::Value;

/// A post arriving from `peer`, saying it forwards for `forwarded_for`.
fn from(peer: &str, forwarded_for: Option<&str>, v: &Value) -> Request<Body> {
    let mut req = post_raw("application/json", v.to_string().into_bytes());
    req.extensions_mut()
        .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
    if let Some(f) = forwarded_for {
        req.headers_mut()
            .insert("x-forwarded-for", f.parse().unwrap());
    }
    req
}

/// Regression: behind a reverse proxy every client shared the proxy's address, so one busy
/// client (or an attacker) had everyone else refused with 429.
#[tokio::test]
async fn behind_a_proxy_one_client_never_limits_another() {
    let app = router_with(Settings {
        allow_origins: vec!["https://brand.example".into()],
        rate_limit: 600,
        trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
        ..Settings::default()
    });
    let b = body("scored", Some(4), "2026-11-23T08:30:01.000Z");
    for i in 0..600 {
        let r = send(&app, from("10.0.0.1:5000", Some("203.0.113.5"), &b)).await;
        assert!(r.status.is_success(), "post {i}: {}", r.text);
    }
    let r = send(&app, from("10.0.0.1:5000", Some("203.0.113.5"), &b)).await;
    assert_eq!(
        r.status,
        StatusCode::TOO_MANY_REQUESTS,
        "client A is limited"
    );
    // Client B, through the same proxy, is not.
    let r = send(&app, from("10.0.0.1:5001", Some("203.0.113.9"), &b)).await;
    assert!(r.status.is_success(), "client B: {}", r.text);
    // A client cannot pick its key by writing its own X-Forwarded-For before the proxy's.
    let r = send(
        &app,
        from("10.0.0.1:5000", Some("1.2.3.4, 203.0.113.5"), &b),
    )
    .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn an_untrusted_peer_is_the_client_and_ipv6_counts_per_64() {
    let app = router_with(Settings {
        allow_origins: vec!["https://brand.example".into()],
        rate_limit: 2,
        trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
        ..Settings::default()
    });
    let b = body("scored", Some(4), "2026-11-23T08:30:01.000Z");
    for xff in ["1.1.1.1", "2.2.2.2"] {
        assert!(send(&app, from("198.51.100.7:1", Some(xff), &b))
            .await
            .status
            .is_success());
    }
    let r = send(&app, from("198.51.100.7:1", Some("3.3.3.3"), &b)).await;
    assert_eq!(
        r.status,
        StatusCode::TOO_MANY_REQUESTS,
        "spoofed X-Forwarded-For is ignored"
    );
    for peer in ["[2001:db8:1:2::1]:1", "[2001:db8:1:2::ffff]:1"] {
        assert!(send(&app, from(peer, None, &b)).await.status.is_success());
    }
    let r = send(&app, from("[2001:db8:1:2:abcd::9]:1", None, &b)).await;
    assert_eq!(
        r.status,
        StatusCode::TOO_MANY_REQUESTS,
        "one /64, one quota"
    );
    let r = send(&app, from("[2001:db8:1:3::1]:1", None, &b)).await;
    assert!(r.status.is_success(), "another /64");
}

fn get(path: &str) -> Request<Body> {
    Request::builder()
        .method(Method::GET)
        .uri(path)
        .body(Body::empty())
        .unwrap()
}

/// Every answer, an error or a page or JSON, carries the security headers.
#[tokio::test]
async fn every_answer_carries_security_headers() {
    let dir = db_path().parent().unwrap().join("site");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><p>hi</p>").unwrap();
    let app = router_with(Settings {
        static_dir: Some(dir),
        frame_ancestors: vec!["https://brand.example".into()],
        ..Settings::default()
    });
    for path in ["/healthz", "/index.html", "/nowhere", "/api/responses"] {
        let r = send(&app, get(path)).await;
        let h = |name: header::HeaderName| {
            r.headers
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_else(|| panic!("{path}: no header"))
        };
        assert_eq!(h(header::X_CONTENT_TYPE_OPTIONS), "nosniff", "{path}");
        assert_eq!(
            h(header::REFERRER_POLICY),
            "strict-origin-when-cross-origin"
        );
        let csp = h(header::CONTENT_SECURITY_POLICY);
        assert!(
            csp.contains("frame-ancestors https://brand.example"),
            "{csp}"
        );
        assert!(csp.contains("default-src 'self'") && csp.contains("object-src 'none'"));
    }
    let r = send(&router(), get("/healthz")).await;
    let csp = r.headers.get(header::CONTENT_SECURITY_POLICY).unwrap();
    assert!(
        csp.to_str().unwrap().contains("frame-ancestors 'self'"),
        "{csp:?}"
    );
}

/// The static folder never serves the database, its journals, or what a link inside it
/// points to outside.
#[cfg(unix)]
#[tokio::test]
async fn the_static_folder_leaks_nothing() {
    let base = db_path().parent().unwrap().to_path_buf();
    let dir = base.join("site");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("index.html"), "ok").unwrap();
    std::fs::write(base.join("secret.txt"), "TOP-SECRET-CONTENT").unwrap();
    std::os::unix::fs::symlink(base.join("secret.txt"), dir.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink(&base, dir.join("sub/up")).unwrap();
    let db = dir.join("nps.db");
    for f in ["nps.db", "nps.db-wal", "nps.db-shm"] {
        std::fs::write(dir.join(f), "SQLITE-CONTENT").unwrap();
    }
    let app = router_with(Settings {
        static_dir: Some(dir),
        db_path: Some(db),
        ..Settings::default()
    });
    assert_eq!(send(&app, get("/index.html")).await.status, StatusCode::OK);
    assert_eq!(send(&app, get("/")).await.status, StatusCode::OK);
    for path in [
        "/nps.db",
        "/nps.db-wal",
        "/nps.db-shm",
        "/leak.txt",
        "/sub/up/secret.txt",
        "/%2e%2e/secret.txt",
        "/sub/%2E%2E/%2E%2E/secret.txt",
    ] {
        let r = send(&app, get(path)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.text);
        assert!(
            !r.text.contains("TOP-SECRET-CONTENT") && !r.text.contains("SQLITE-CONTENT"),
            "{path}"
        );
    }
}

/// Regression: the file server opens a path's `.gz` and `.br` copies (even where the plain
/// file does not exist), and the guard looked only at the plain path: a link `data.gz` to the
/// database was served as `/data`.
#[tokio::test]
async fn precompressed_copies_are_guarded_like_the_file() {
    let base = db_path().parent().unwrap().to_path_buf();
    let dir = base.join("site");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("sub/index.html"), "ok").unwrap();
    std::fs::write(dir.join("fine.js"), "ok").unwrap();
    std::fs::write(dir.join("fine.js.br"), "ok").unwrap();
    std::fs::write(base.join("secret.txt"), "TOP-SECRET-CONTENT").unwrap();
    let db = base.join("nps.db");
    std::fs::write(&db, "SQLITE-CONTENT").unwrap();
    std::os::unix::fs::symlink(&db, dir.join("data.gz")).unwrap();
    std::os::unix::fs::symlink(base.join("secret.txt"), dir.join("sub/index.html.br")).unwrap();
    let app = router_with(Settings {
        static_dir: Some(dir),
        db_path: Some(db),
        ..Settings::default()
    });
    let fetch = |path: &str| {
        Request::get(path)
            .header(header::ACCEPT_ENCODING, "gzip, br")
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(send(&app, fetch("/fine.js")).await.status, StatusCode::OK);
    for path in ["/data", "/sub/", "/sub/index.html"] {
        let r = send(&app, fetch(path)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.text);
        assert!(
            !r.text.contains("TOP-SECRET-CONTENT") && !r.text.contains("SQLITE-CONTENT"),
            "{path}"
        );
    }
}

/// Regression: a client's own `Forwarded: for=…` won over the proxy's `X-Forwarded-For`, so
/// one host picked a fresh rate-limit key for every post (20 of 20 accepted at a limit of 2).
/// Only the header the operator names (`--proxy-header`) is read.
#[tokio::test]
async fn only_the_proxy_header_the_operator_names_picks_the_key() {
    use nps_collector::net::ProxyHeader;
    let b = body("scored", Some(4), "2026-11-23T08:30:01.000Z");
    for (header, named, other) in [
        (ProxyHeader::XForwardedFor, "x-forwarded-for", "forwarded"),
        (ProxyHeader::Forwarded, "forwarded", "x-forwarded-for"),
        (ProxyHeader::XRealIp, "x-real-ip", "forwarded"),
    ] {
        let app = router_with(Settings {
            allow_origins: vec!["https://brand.example".into()],
            rate_limit: 2,
            trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
            proxy_header: header,
            ..Settings::default()
        });
        let mut accepted = 0;
        for i in 0..20 {
            let mut req = from("10.0.0.1:5000", None, &b);
            let client = if named == "forwarded" {
                "for=203.0.113.5".to_owned()
            } else {
                "203.0.113.5".to_owned()
            };
            let forged = if other == "forwarded" {
                format!("for=198.51.100.{i}")
            } else {
                format!("198.51.100.{i}")
            };
            req.headers_mut().insert(named, client.parse().unwrap());
            req.headers_mut().insert(other, forged.parse().unwrap());
            if send(&app, req).await.status.is_success() {
                accepted += 1;
            }
        }
        assert_eq!(accepted, 2, "{header:?}: one client, one quota");
    }
}

/// Regression: the static guard let through any path that began like a route, so a folder
/// named `healthz-data` in `--static` served a link to the database. Routes are matched
/// whole; the rest is the folder's, through its guard.
#[cfg(unix)]
#[tokio::test]
async fn the_static_guard_matches_whole_routes() {
    let base = db_path().parent().unwrap().to_path_buf();
    let dir = base.join("site");
    let db = base.join("nps.db");
    std::fs::write(&db, "SQLITE-CONTENT").unwrap();
    for folder in ["healthz-data", "api/responses-old", "api/names.d", "s"] {
        std::fs::create_dir_all(dir.join(folder)).unwrap();
        std::fs::write(dir.join(folder).join("ok.txt"), "FOLDER-CONTENT").unwrap();
        std::os::unix::fs::symlink(&db, dir.join(folder).join("nps.db")).unwrap();
    }
    let app = router_with(Settings {
        static_dir: Some(dir),
        db_path: Some(db),
        ..Settings::default()
    });
    for folder in ["healthz-data", "api/responses-old", "api/names.d"] {
        let r = send(&app, get(&format!("/{folder}/ok.txt"))).await;
        assert_eq!(r.status, StatusCode::OK, "{folder}: a folder, not a route");
        assert_eq!(r.text, "FOLDER-CONTENT");
        let r = send(&app, get(&format!("/{folder}/nps.db"))).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{folder}: {}", r.text);
        assert!(!r.text.contains("SQLITE-CONTENT"), "{folder}");
    }
    // `/s/{survey}` is a route: the landing page, never the folder `s/`.
    let r = send(&app, get("/s/ok.txt")).await;
    assert!(!r.text.contains("FOLDER-CONTENT"), "{}", r.text);
    let r = send(&app, get("/healthz")).await;
    assert_eq!(r.json()["ok"], true);
}

/// The files the collector reads besides the database (`--names`, `--landing`, the secret
/// files) are never served from the static folder, through a link or not (the process
/// refuses to start with one inside it: `main::tests`).
#[cfg(unix)]
#[tokio::test]
async fn the_static_folder_never_serves_the_files_the_collector_reads() {
    let base = db_path().parent().unwrap().to_path_buf();
    let dir = base.join("site");
    std::fs::create_dir_all(&dir).unwrap();
    let names = dir.join("names.json");
    let token = dir.join("admin-token");
    std::fs::write(&names, "{\"store\": {\"SZ-FT\": \"SECRET-NAME\"}}").unwrap();
    std::fs::write(&token, "SECRET-TOKEN").unwrap();
    std::os::unix::fs::symlink(&token, dir.join("t.txt")).unwrap();
    std::fs::write(dir.join("index.html"), "ok").unwrap();
    let app = router_with(Settings {
        static_dir: Some(dir),
        private_files: vec![names, token],
        ..Settings::default()
    });
    assert_eq!(send(&app, get("/index.html")).await.status, StatusCode::OK);
    for path in ["/names.json", "/admin-token", "/t.txt"] {
        let r = send(&app, get(path)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!r.text.contains("SECRET"), "{path}");
    }
}

fn get_with(path: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut b = Request::builder().method(Method::GET).uri(path);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Body::empty()).unwrap()
}

/// Regression: the export (phones included) and the names carried no `Cache-Control`, so a
/// browser or a proxy could keep them. They, and every 401, say `no-store`.
#[tokio::test]
async fn private_answers_are_never_cached() {
    let app = router();
    assert_eq!(
        post(&app, &body("scored", Some(4), "2026-11-23T08:30:01.000Z"))
            .await
            .status,
        StatusCode::CREATED
    );
    let auth = ("authorization", "Bearer secret");
    let mut answers = Vec::new();
    for query in ["", "?format=csv"] {
        for encoding in ["identity", "gzip", "br"] {
            let path = format!("/api/responses{query}");
            let r = send(
                &app,
                get_with(&path, &[auth, ("accept-encoding", encoding)]),
            )
            .await;
            assert_eq!(r.status, StatusCode::OK, "{path} {encoding}");
            answers.push((format!("{path} {encoding}"), r));
        }
    }
    answers.push((
        "names".into(),
        send(&app, get_with("/api/names", &[auth])).await,
    ));
    for (path, method) in [
        ("/api/responses", Method::GET),
        ("/api/names", Method::GET),
        (&format!("/api/responses/{ID}") as &str, Method::DELETE),
    ] {
        let req = Request::builder()
            .method(method.clone())
            .uri(path)
            .header("authorization", "Bearer wrong")
            .body(Body::empty())
            .unwrap();
        let r = send(&app, req).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{method} {path}");
        answers.push((format!("401 {method} {path}"), r));
    }
    for (what, r) in answers {
        assert_eq!(
            r.headers
                .get(header::CACHE_CONTROL)
                .map(|v| v.to_str().unwrap()),
            Some("no-store"),
            "{what}"
        );
    }
}

/// A form post from a landing page or the no-script form.
fn form_post(path: &str, origin: &str, headers: &[(&str, &str)], form: &str) -> Request<Body> {
    let mut b = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, origin)
        .header(header::HOST, "127.0.0.1:8080");
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Body::from(form.to_owned())).unwrap()
}

/// Regression: a refused form post (a foreign origin, the rate limit) answered raw JSON,
/// which the customer's browser showed as the next page. It is a page now, in the
/// customer's language, with the refusal's status; a script's post still gets JSON.
#[tokio::test]
async fn a_refused_form_post_is_a_page_in_the_customers_language() {
    let app = router_with(Settings {
        allow_origins: vec!["https://brand.example".into()],
        rate_limit: 2,
        ..Settings::default()
    });
    let evil = "https://evil.example";
    for (path, headers, words) in [
        ("/s/after-sales", vec![], "此页面无法提交评价"),
        ("/s/after-sales?locale=zh-TW", vec![], "此頁面無法送出評價"),
        (
            "/s/after-sales/0b6c2a8e-5d1f-4c3b-9a7e-2f4d6b8c0e1a",
            vec![("accept-language", "en-GB,en;q=0.8")],
            "This page can&#39;t send your answer",
        ),
        ("/api/responses", vec![], "此页面无法提交评价"),
    ] {
        let r = send(&app, form_post(path, evil, &headers, "score=9")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        let ct = r
            .headers
            .get(header::CONTENT_TYPE)
            .unwrap()
            .to_str()
            .unwrap();
        assert!(ct.starts_with("text/html"), "{path}: {ct}");
        assert!(r.text.contains(words), "{path}: {}", r.text);
        assert!(
            !r.text.contains("--allow-origin"),
            "the developer's reason is not the customer's to read"
        );
    }
    // A script's post is answered JSON, as ever.
    let mut req = post_raw("application/json", b"{}".to_vec());
    req.headers_mut()
        .insert(header::ORIGIN, evil.parse().unwrap());
    let r = send(&app, req).await;
    assert_eq!(
        (r.status, r.json()["field"].as_str()),
        (StatusCode::FORBIDDEN, Some("origin"))
    );
    // The rate limit, for a form: a page that says to wait, with the time to wait.
    let own = "http://127.0.0.1:8080";
    let mut last = None;
    for _ in 0..3 {
        let req = form_post("/s/after-sales", own, &[], "score=9");
        let mut req = req;
        req.extensions_mut()
            .insert(ConnectInfo("198.51.100.7:1".parse::<SocketAddr>().unwrap()));
        last = Some(send(&app, req).await);
    }
    let r = last.unwrap();
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text.contains("提交过于频繁，请稍后再试。"), "{}", r.text);
    assert!(r.headers.contains_key(header::RETRY_AFTER));
}

/// Regression: behind a proxy that does not pass `Host` on, the collector's own landing
/// pages were a foreign origin to it. `--public-origin` names its address as browsers see it.
#[tokio::test]
async fn the_public_origin_is_the_collectors_own() {
    let public = "https://nps.brand.example";
    for (origins, want) in [
        (vec![], StatusCode::FORBIDDEN),
        (vec![public.to_owned()], StatusCode::SEE_OTHER),
    ] {
        let app = router_with(Settings {
            public_origins: origins,
            ..Settings::default()
        });
        let r = send(&app, form_post("/s/after-sales", public, &[], "score=9")).await;
        assert_eq!(r.status, want, "{}", r.text);
    }
}

/// Every route that reads or deletes answers takes the admin token (`auth::Admin`): only
/// posts and the health check are open.
#[tokio::test]
async fn every_route_but_posts_and_health_needs_the_admin_token() {
    let app = router();
    for (method, path) in nps_collector::ROUTES {
        if *method == "POST" || !path.starts_with("/api/") {
            continue;
        }
        let path = path.replace("{id}", ID);
        let req = Request::builder()
            .method(*method)
            .uri(&path)
            .body(Body::empty())
            .unwrap();
        let r = send(&app, req).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{method} {path}");
    }
}
