//! The poster cannot be turned against the machine or the promoter: its link never takes the
//! request's `Host` (so `Host: a1`, `a2`, … is one poster, one render), a client's new renders
//! have a budget a minute (a 429 that says so), and inside WeChat, whose browser downloads no
//! file, "save the poster" opens it as a plain image to press and hold.

mod common;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use common::{db_path, send, Reply};
use nps_collector::landing::Landing;
use nps_collector::serve::{serve, Limits};
use nps_collector::{app, Settings, Store};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const LANDING: &str = r#"{"after-sales": {"brand": "星辰汽车", "locale": "zh-CN"}}"#;
const PROMOTER: &str = "20000000-0000-4000-8000-000000000001";
const WECHAT: &str = "Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 MicroMessenger/8.0.50";
const SAFARI: &str = "Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 Version/17.0 Safari/604.1";

fn world(poster_budget: u32) -> Router {
    let settings = Settings {
        allow_origins: vec!["https://brand.example".into()],
        landing: Landing::from_json(LANDING).unwrap(),
        poster_budget: Some(poster_budget),
        ..Settings::default()
    };
    app(Store::open(db_path()).unwrap(), settings)
}

async fn get(app: &Router, uri: &str, ip: [u8; 4], ua: &str, host: &str) -> Reply {
    // The promoter's phone holds the answer's write key for its pages (the landing cookie).
    let req = Request::get(uri)
        .header(header::USER_AGENT, ua)
        .header(header::HOST, host)
        .header(header::COOKIE, format!("nps_wk={}", common::KEY))
        .extension(ConnectInfo(SocketAddr::from((ip, 40000))))
        .body(Body::empty())
        .unwrap();
    send(app, req).await
}

/// A promoter's answer and the code its page issues.
async fn promoter_code(app: &Router) -> String {
    let mut b = common::body("completed", Some(10), "2026-11-23T08:31:00.000Z");
    b["id"] = json!(PROMOTER);
    b["category"] = json!("promoter");
    let r = common::post(app, &b).await;
    assert!(r.status.is_success(), "{} {}", r.status, r.text);
    let uri = format!("/s/after-sales/{PROMOTER}/refer");
    let page = get(app, &uri, [10, 0, 0, 1], WECHAT, "nps.brand.example").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let at = page.text.find("/r/").expect("a referral link") + 3;
    page.text[at..at + 24].to_owned()
}

/// The path of a link's QR code, as the poster draws it.
fn qr(link: &str) -> String {
    format!("d=\"{}\"", nps_collector::links::qr_path(link).unwrap().1)
}

async fn name_promoter(app: &Router, name: &str) {
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("/s/after-sales/{PROMOTER}/refer"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .extension(ConnectInfo(SocketAddr::from(([10, 0, 0, 1], 40000))))
        .body(Body::from(format!("name={name}&write_key={}", common::KEY)))
        .unwrap();
    assert_eq!(send(app, req).await.status, StatusCode::SEE_OTHER);
}

/// Many `Host` values, one poster: the same link in it, the same tag, and one render (a
/// budget of one new poster a minute is not spent by the second, third, … host).
#[tokio::test]
async fn hosts_a_client_makes_up_are_one_poster_and_one_render() {
    let app = world(1);
    let code = promoter_code(&app).await;
    let mut tags = Vec::new();
    for host in ["a1", "a2", "evil.example", "nps.brand.example"] {
        let svg = get(
            &app,
            &format!("/r/{code}/poster.svg"),
            [10, 0, 0, 9],
            SAFARI,
            host,
        )
        .await;
        assert!(
            svg.text
                .contains(&qr(&format!("http://localhost/r/{code}"))),
            "{host}"
        );
        let png = get(
            &app,
            &format!("/r/{code}/poster.png"),
            [10, 0, 0, 9],
            SAFARI,
            host,
        )
        .await;
        assert_eq!(png.status, StatusCode::OK, "{host}: {}", png.text);
        tags.push(png.headers[header::ETAG].clone());
    }
    assert!(tags.iter().all(|t| *t == tags[0]), "{tags:?}");
}

/// The budget: a client's second new poster in a minute is refused with a 429 that says why
/// and when to retry; another client is not held up, and a poster drawn already is free.
#[tokio::test]
async fn a_clients_new_posters_have_a_budget_a_minute() {
    let app = world(1);
    let code = promoter_code(&app).await;
    let png = format!("/r/{code}/poster.png");
    let first = get(&app, &png, [10, 0, 0, 5], SAFARI, "x").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    name_promoter(&app, "%E7%8E%8B%E5%85%88%E7%94%9F").await; // a new poster
    let refused = get(&app, &png, [10, 0, 0, 5], SAFARI, "x").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        refused
            .json()
            .to_string()
            .contains("more than 1 new posters a minute from this client; retry in"),
        "{}",
        refused.text
    );
    assert!(refused.headers.contains_key(header::RETRY_AFTER));
    let other = get(&app, &png, [10, 0, 0, 6], SAFARI, "x").await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.text);
    let kept = get(&app, &png, [10, 0, 0, 5], SAFARI, "x").await;
    assert_eq!(kept.status, StatusCode::OK, "drawn already: {}", kept.text);
}

/// Inside WeChat "save the poster" (`?save=1`, counted as shared) opens the poster full size
/// as a plain inline image under "press and hold"; elsewhere it is a download.
#[tokio::test]
async fn inside_wechat_saving_opens_the_poster_to_press_and_hold() {
    let app = world(10);
    let code = promoter_code(&app).await;
    let save = format!("/r/{code}/poster.png?save=1");
    let wechat = get(&app, &save, [10, 0, 0, 1], WECHAT, "x").await;
    assert_eq!(wechat.status, StatusCode::SEE_OTHER);
    assert_eq!(
        wechat.headers[header::LOCATION],
        format!("/r/{code}/poster")
    );
    assert_eq!(wechat.headers[header::VARY], "User-Agent");
    let view = get(
        &app,
        &format!("/r/{code}/poster"),
        [10, 0, 0, 1],
        WECHAT,
        "x",
    )
    .await;
    assert_eq!(view.status, StatusCode::OK);
    for part in [
        "<h1 id=\"nps-q\" class=\"nps-outcome-title\">长按图片保存或发送给朋友</h1>",
        &format!("<img src=\"/r/{code}/poster.png\" width=\"720\" height=\"1080\""),
    ] {
        assert!(view.text.contains(part), "{part} missing:\n{}", view.text);
    }
    assert!(!view.text.contains("download"), "{}", view.text);
    let inline = get(
        &app,
        &format!("/r/{code}/poster.png"),
        [10, 0, 0, 1],
        WECHAT,
        "x",
    )
    .await;
    assert_eq!(inline.headers[header::CONTENT_TYPE], "image/png");
    assert_eq!(
        inline.headers[header::CONTENT_DISPOSITION],
        "inline; filename=\"poster.png\""
    );
    let safari = get(&app, &save, [10, 0, 0, 1], SAFARI, "x").await;
    assert_eq!(safari.status, StatusCode::OK);
    assert_eq!(safari.headers[header::CONTENT_TYPE], "image/png");
    assert_eq!(
        safari.headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"poster.png\""
    );
    assert_eq!(safari.headers[header::VARY], "User-Agent");
    // The promoter's page keeps its one button to both; inside WeChat its script shows the
    // poster full size under the words instead of following it.
    let page = get(
        &app,
        &format!("/s/after-sales/{PROMOTER}/refer"),
        [10, 0, 0, 1],
        WECHAT,
        "x",
    )
    .await;
    for part in [
        &format!("href=\"/r/{code}/poster.png?save=1\" download"),
        "<figcaption class=\"nps-poster-hold\" data-hold hidden tabindex=\"-1\">长按图片保存或发送给朋友</figcaption>",
        "if(wx){s.removeAttribute('download');",
        "f.classList.add('nps-poster--full');h.hidden=false;",
    ] {
        assert!(page.text.contains(part), "{part} missing:\n{}", page.text);
    }
}

/// Served on a socket without `--public-origin`: the link is the address the client reached,
/// its `Host` only when it names that address.
#[tokio::test]
async fn served_the_link_names_the_address_the_client_reached() {
    let app = world(10);
    let code = promoter_code(&app).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, app, Limits::default(), async {
        let _ = stopped.await;
    }));
    let svg_with = |host: String| {
        let code = code.clone();
        async move {
            let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .unwrap();
            let req = format!(
                "GET /r/{code}/poster.svg HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {SAFARI}\r\nConnection: close\r\n\r\n"
            );
            s.write_all(req.as_bytes()).await.unwrap();
            let mut out = Vec::new();
            s.read_to_end(&mut out).await.unwrap();
            String::from_utf8_lossy(&out).into_owned()
        }
    };
    let own = qr(&format!("http://127.0.0.1:{port}/r/{code}"));
    for host in [
        "a1".to_owned(),
        "evil.example".to_owned(),
        format!("127.0.0.1:{port}"),
    ] {
        let svg = svg_with(host.clone()).await;
        assert!(svg.starts_with("HTTP/1.1 200"), "{svg}");
        assert!(svg.contains(&own), "{host}: {svg}");
    }
    let named = svg_with(format!("localhost:{port}")).await;
    assert!(
        named.contains(&qr(&format!("http://localhost:{port}/r/{code}"))),
        "{named}"
    );
    let _ = stop.send(());
    server.await.unwrap();
}
