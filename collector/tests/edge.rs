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
