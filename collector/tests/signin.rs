//! Signing in and out as a person and a script would: the sign-in page and `/api/session`, the
//! session cookie's attributes, idle and absolute expiry, sign-out, a disabled account, the
//! invite's set-password page, the throttle's growing delays, login CSRF, and machine tokens
//! made by the real binary.

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use common::{send, Reply};
use nps_collector::storage::{Store, User};
use nps_collector::{app, password, session, write_key, Now, Settings};
use nps_core::access::{Role, Scope};

const HOST: &str = "127.0.0.1:8080";
const OWN: &str = "http://127.0.0.1:8080";
const PASSWORD: &str = "correct horse battery";

fn settings() -> Settings {
    Settings {
        allow_origins: vec!["https://brand.example".into()],
        admin_token: "secret".into(),
        ..Settings::default()
    }
}

fn setup(settings: Settings) -> (Router, Store, std::path::PathBuf) {
    let db = common::db_path();
    let store = Store::open(&db).unwrap();
    (app(store.clone(), settings), store, db)
}

/// An account with a password (set through an invite, as a person would).
async fn account(store: &Store, email: &str, role: Role, scope: Scope) -> User {
    let now = Now::system();
    let user = store
        .user_add(email, role, &scope, &now)
        .await
        .unwrap()
        .unwrap();
    let t = write_key::secret();
    assert!(store
        .invite(
            user.id,
            &write_key::hash(&t),
            now.ns + 3_600_000_000_000,
            &now
        )
        .await
        .unwrap());
    let hash = password::hash(PASSWORD).unwrap();
    store
        .invite_accept(&write_key::hash(&t), &hash, &now)
        .await
        .unwrap()
        .unwrap()
}

fn stores(codes: &[&str]) -> Scope {
    Scope::Stores(codes.iter().map(|c| c.to_string()).collect())
}

/// A request from this collector's own page, from client `peer`.
fn request(method: Method, path: &str, body: &str, kind: &str, peer: &str) -> Request<Body> {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, HOST)
        .header(header::ORIGIN, OWN)
        .header(header::CONTENT_TYPE, kind)
        .body(Body::from(body.to_owned()))
        .unwrap();
    let addr: SocketAddr = format!("{peer}:40000").parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(addr));
    req
}

fn form_body(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

async fn form(app: &Router, email: &str, password: &str, peer: &str) -> Reply {
    let body = form_body(&[
        ("email", email),
        ("password", password),
        ("next", "/dashboard.html?survey=after-sales"),
        ("lang", "zh-CN"),
    ]);
    let kind = "application/x-www-form-urlencoded";
    send(app, request(Method::POST, "/signin", &body, kind, peer)).await
}

async fn api(app: &Router, email: &str, password: &str) -> Reply {
    let body = serde_json::json!({"email": email, "password": password}).to_string();
    let req = request(
        Method::POST,
        "/api/session",
        &body,
        "application/json",
        "192.0.2.1",
    );
    send(app, req).await
}

/// The `name=value` of a `Set-Cookie`, to send back.
fn cookie_of(r: &Reply) -> String {
    let set = r.headers[header::SET_COOKIE].to_str().unwrap();
    set.split(';').next().unwrap().to_owned()
}

async fn whoami(app: &Router, cookie: &str) -> Reply {
    let req = Request::builder()
        .uri("/api/session")
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    send(app, req).await
}

/// A page's text after its stylesheet, for a failure's message.
fn page_text(r: &Reply) -> &str {
    r.text.split("</style>").last().unwrap_or(&r.text)
}

fn actions(audit: &[nps_collector::storage::AuditEntry]) -> Vec<(String, String)> {
    audit
        .iter()
        .map(|a| (a.who.clone(), a.action.clone()))
        .collect()
}

#[tokio::test]
async fn the_right_password_signs_in_and_a_wrong_one_or_an_unknown_email_look_the_same() {
    let (app, store, _) = setup(settings());
    account(
        &store,
        "li.na@brand.example",
        Role::Store,
        stores(&["SZ-FT"]),
    )
    .await;
    let r = form(&app, "Li.Na@brand.example", PASSWORD, "192.0.2.1").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", page_text(&r));
    assert_eq!(
        r.headers[header::LOCATION],
        "/dashboard.html?survey=after-sales"
    );
    let me = whoami(&app, &cookie_of(&r)).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
    assert_eq!(
        me.json(),
        serde_json::json!({"who": "user:li.na@brand.example", "email": "li.na@brand.example",
                           "role": "store", "scope": {"stores": ["SZ-FT"]}})
    );
    // A wrong password and an unknown email: the same page, the same status, no cookie.
    let wrong = form(&app, "li.na@brand.example", "not the password", "192.0.2.2").await;
    let unknown = form(
        &app,
        "nobody@brand.example",
        "not the password",
        "192.0.2.2",
    )
    .await;
    for r in [&wrong, &unknown] {
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.headers.get(header::SET_COOKIE).is_none());
        assert!(r.text.contains("邮箱或密码不正确。"), "{}", page_text(r));
    }
    assert_eq!(
        wrong.text.replace("li.na@brand.example", "E"),
        unknown.text.replace("nobody@brand.example", "E")
    );
    // The same for a script.
    let ok = api(&app, "li.na@brand.example", PASSWORD).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    assert_eq!(
        ok.json(),
        serde_json::json!({"email": "li.na@brand.example", "role": "store", "scope": {"stores": ["SZ-FT"]}})
    );
    assert!(ok.headers.get(header::SET_COOKIE).is_some());
    for (email, pw) in [
        ("li.na@brand.example", "nope nope nope"),
        ("x@brand.example", PASSWORD),
    ] {
        let r = api(&app, email, pw).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{email}");
        assert_eq!(r.json()["field"], "password");
    }
    let audit = store.audit().await.unwrap();
    let lines = actions(&audit);
    assert_eq!(
        lines.iter().filter(|(_, a)| a == "signin").count(),
        2,
        "{lines:?}"
    );
    let failed: Vec<_> = audit
        .iter()
        .filter(|a| a.action == "signin_failed")
        .collect();
    assert_eq!(failed.len(), 4, "{lines:?}");
    assert_eq!(failed[0].who, "client:192.0.2.2");
    assert_eq!(
        failed[1].detail,
        serde_json::json!({"email": "nobody@brand.example"})
    );
}

/// A password typed into the email field never reaches the audit trail (nor its CSV): a
/// failure records what was typed only when it is an email.
#[tokio::test]
async fn a_failed_sign_in_records_the_email_only_when_it_is_one() {
    let (app, store, _) = setup(settings());
    for typed in [
        " Wang@Brand.example ",
        "Tr0ub4dor&3 secret",
        "hunter2hunter2",
        "",
    ] {
        let r = form(&app, typed, "whatever", "192.0.2.3").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{typed:?}");
    }
    let emails: Vec<_> = store
        .audit()
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.action == "signin_failed")
        .map(|a| a.detail["email"].clone())
        .collect();
    let not = nps_collector::signin::NOT_AN_EMAIL;
    assert_eq!(
        emails,
        [
            serde_json::json!("Wang@Brand.example"),
            serde_json::json!(not),
            serde_json::json!(not),
            serde_json::json!(not)
        ]
    );
}

/// A sibling subdomain can plant a `Domain=` cookie named `nps_session` beside the
/// collector's own; a request carrying two is refused, whichever comes first.
#[tokio::test]
async fn a_request_with_two_session_cookies_is_refused() {
    let (app, store, _) = setup(settings());
    account(&store, "li@brand.example", Role::Admin, Scope::All).await;
    let mine = cookie_of(&form(&app, "li@brand.example", PASSWORD, "192.0.2.1").await);
    let planted = cookie_of(&form(&app, "li@brand.example", PASSWORD, "192.0.2.1").await);
    assert_eq!(whoami(&app, &mine).await.status, StatusCode::OK);
    for both in [
        format!("{mine}; {planted}"),
        format!("{planted}; {mine}"),
        format!("{mine}; nps_session=forged"),
    ] {
        let r = whoami(&app, &both).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{both}");
        assert_eq!(r.json()["field"], "authorization");
    }
}

#[tokio::test]
async fn next_never_leads_off_the_collector() {
    let (app, store, _) = setup(settings());
    account(&store, "li@brand.example", Role::Admin, Scope::All).await;
    for next in [
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "http:evil.example",
    ] {
        let body = form_body(&[
            ("email", "li@brand.example"),
            ("password", PASSWORD),
            ("next", next),
        ]);
        let kind = "application/x-www-form-urlencoded";
        let r = send(
            &app,
            request(Method::POST, "/signin", &body, kind, "192.0.2.1"),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{next}");
        assert_eq!(r.headers[header::LOCATION], "/dashboard.html", "{next}");
    }
    // The page does not carry it either.
    let req = Request::builder()
        .uri("/signin?next=%2F%2Fevil.example&lang=en")
        .body(Body::empty())
        .unwrap();
    let page = send(&app, req).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text.contains("value=\"/dashboard.html\""),
        "{}",
        page_text(&page)
    );
    assert!(page.text.contains("<html lang=\"en\">") && page.text.contains(">Sign in</button>"));
}

#[tokio::test]
async fn the_sign_in_page_speaks_the_browsers_language() {
    let (app, _, _) = setup(settings());
    for (lang, title) in [
        ("zh-CN,zh;q=0.9", "登录 NPS 看板"),
        ("zh-TW", "登入 NPS 看板"),
        ("en-GB,en", "Sign in to the NPS dashboard"),
        ("fr", "登录 NPS 看板"),
    ] {
        let req = Request::builder()
            .uri("/signin")
            .header(header::ACCEPT_LANGUAGE, lang)
            .body(Body::empty())
            .unwrap();
        let r = send(&app, req).await;
        assert!(
            r.text.contains(&format!("<title>{title}</title>")),
            "{lang}"
        );
        assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");
    }
}

#[tokio::test]
async fn the_cookie_is_http_only_strict_for_the_whole_site_and_secure_only_behind_https() {
    let check = |behind_tls: bool| async move {
        let mut s = settings();
        if behind_tls {
            s.public_origins = vec!["https://nps.brand.example".into()];
        }
        let (app, store, _) = setup(s);
        account(&store, "li@brand.example", Role::Admin, Scope::All).await;
        let body = form_body(&[("email", "li@brand.example"), ("password", PASSWORD)]);
        let kind = "application/x-www-form-urlencoded";
        let mut req = request(Method::POST, "/signin", &body, kind, "192.0.2.1");
        if behind_tls {
            // Behind TLS the page is the public origin's: an http one is not the collector's.
            let origin = "https://nps.brand.example".parse().unwrap();
            req.headers_mut().insert(header::ORIGIN, origin);
        }
        let r = send(&app, req).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", page_text(&r));
        let set = r.headers[header::SET_COOKIE].to_str().unwrap().to_owned();
        let attrs: Vec<&str> = set.split("; ").collect();
        for a in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=604800"] {
            assert!(attrs.contains(&a), "{a} in {set}");
        }
        assert_eq!(attrs.contains(&"Secure"), behind_tls, "{set}");
        assert!(
            attrs[0].starts_with("nps_session=") && attrs[0].len() == "nps_session=".len() + 64
        );
    };
    check(false).await;
    check(true).await;
}

#[tokio::test]
async fn a_session_ends_after_its_idle_time_and_after_its_absolute_time() {
    let mut s = settings();
    s.session_idle = Some(Duration::from_secs(8 * 3600));
    s.session_absolute = Some(Duration::from_secs(7 * 24 * 3600));
    let (app, store, _) = setup(s.clone());
    let user = account(&store, "li@brand.example", Role::Admin, Scope::All).await;
    let ago = |secs: i64| {
        let t = time::OffsetDateTime::now_utc() - time::Duration::seconds(secs);
        Now::from_time(t)
    };
    let started = |secs: i64, s: Settings| {
        let store = store.clone();
        async move {
            let set = session::start(&store, &s, user.id, &ago(secs))
                .await
                .unwrap();
            set.to_str().unwrap().split(';').next().unwrap().to_owned()
        }
    };
    // Idle: 7 hours since its last use lives, 9 hours does not.
    let c = started(7 * 3600, s.clone()).await;
    assert_eq!(whoami(&app, &c).await.status, StatusCode::OK);
    let c = started(9 * 3600, s.clone()).await;
    assert_eq!(whoami(&app, &c).await.status, StatusCode::UNAUTHORIZED);
    // Absolute: with an idle time longer than a week, a session used a moment ago still
    // ends a week after sign-in.
    let mut long_idle = s.clone();
    long_idle.session_idle = Some(Duration::from_secs(30 * 24 * 3600));
    let app = nps_collector::app(store.clone(), long_idle.clone());
    let c = started(7 * 24 * 3600 - 3600, long_idle.clone()).await;
    assert_eq!(whoami(&app, &c).await.status, StatusCode::OK);
    let c = started(7 * 24 * 3600 + 60, long_idle).await;
    assert_eq!(whoami(&app, &c).await.status, StatusCode::UNAUTHORIZED);
}

async fn sign_out(app: &Router, cookie: &str, origin: &str) -> Reply {
    let req = Request::builder()
        .method(Method::DELETE)
        .uri("/api/session")
        .header(header::HOST, HOST)
        .header(header::ORIGIN, origin)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    send(app, req).await
}

#[tokio::test]
async fn signing_out_revokes_the_session_in_the_store_and_clears_the_cookie() {
    let (app, store, _) = setup(settings());
    account(&store, "li@brand.example", Role::Admin, Scope::All).await;
    let c = cookie_of(&form(&app, "li@brand.example", PASSWORD, "192.0.2.1").await);
    // Not from another site's page.
    let r = sign_out(&app, &c, "https://brand.example").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(whoami(&app, &c).await.status, StatusCode::OK);
    let r = sign_out(&app, &c, OWN).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let set = r.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(
        set.starts_with("nps_session=;") && set.contains("Max-Age=0"),
        "{set}"
    );
    // The old cookie, kept by someone, opens nothing.
    assert_eq!(whoami(&app, &c).await.status, StatusCode::UNAUTHORIZED);
    let lines = actions(&store.audit().await.unwrap());
    assert!(
        lines.contains(&("user:li@brand.example".into(), "signout".into())),
        "{lines:?}"
    );
    // Signing out again clears the cookie again.
    assert_eq!(sign_out(&app, &c, OWN).await.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_disabled_accounts_live_session_stops_working_and_it_cannot_sign_in() {
    let (app, store, _) = setup(settings());
    let user = account(&store, "li@brand.example", Role::Store, stores(&["SZ-FT"])).await;
    let c = cookie_of(&form(&app, "li@brand.example", PASSWORD, "192.0.2.1").await);
    assert_eq!(whoami(&app, &c).await.status, StatusCode::OK);
    assert!(store
        .user_set_disabled(user.id, true, &Now::system())
        .await
        .unwrap());
    assert_eq!(whoami(&app, &c).await.status, StatusCode::UNAUTHORIZED);
    let r = form(&app, "li@brand.example", PASSWORD, "192.0.2.1").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_sign_in_from_another_sites_page_is_refused_even_from_an_allowed_origin() {
    let (app, store, _) = setup(settings());
    account(&store, "li@brand.example", Role::Admin, Scope::All).await;
    // https://brand.example may post answers (--allow-origin), never sign a browser in.
    for (path, kind, body) in [
        (
            "/signin",
            "application/x-www-form-urlencoded",
            form_body(&[("email", "li@brand.example"), ("password", PASSWORD)]),
        ),
        (
            "/api/session",
            "application/json",
            serde_json::json!({"email": "li@brand.example", "password": PASSWORD}).to_string(),
        ),
    ] {
        for origin in ["https://brand.example", "https://evil.example", "null"] {
            let mut req = request(Method::POST, path, &body, kind, "192.0.2.1");
            req.headers_mut()
                .insert(header::ORIGIN, origin.parse().unwrap());
            let r = send(&app, req).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path} from {origin}");
            assert!(r.headers.get(header::SET_COOKIE).is_none());
        }
        // A browser that sends no Origin but says the request is cross-site.
        let mut req = request(Method::POST, path, &body, kind, "192.0.2.1");
        req.headers_mut().remove(header::ORIGIN);
        req.headers_mut()
            .insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert_eq!(
            send(&app, req).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    assert!(store.audit().await.unwrap().is_empty());
}

/// An invite for `email` (as `user add` makes one), valid until `expires_ns`; its token.
async fn invited(store: &Store, email: &str, expires_ns: i64) -> String {
    let now = Now::system();
    let user = store
        .user_add(email, Role::Store, &stores(&["SZ-FT"]), &now)
        .await
        .unwrap()
        .unwrap();
    let t = write_key::secret();
    assert!(store
        .invite(user.id, &write_key::hash(&t), expires_ns, &now)
        .await
        .unwrap());
    t
}

async fn set_password(app: &Router, token: &str, pw: &str, again: &str) -> Reply {
    let body = form_body(&[("password", pw), ("again", again), ("lang", "en")]);
    let kind = "application/x-www-form-urlencoded";
    let path = format!("/invite/{token}");
    send(app, request(Method::POST, &path, &body, kind, "192.0.2.1")).await
}

async fn get(app: &Router, path: &str) -> Reply {
    let req = Request::builder().uri(path).body(Body::empty()).unwrap();
    send(app, req).await
}

#[tokio::test]
async fn an_invite_sets_a_password_once_and_a_used_or_expired_one_says_what_to_do() {
    let (app, store, _) = setup(settings());
    let hour = 3_600_000_000_000;
    let t = invited(&store, "li@brand.example", Now::system().ns + hour).await;
    let page = get(&app, &format!("/invite/{t}?lang=zh-TW")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text.contains("為 li@brand.example 設定登入密碼。"),
        "{}",
        page_text(&page)
    );
    assert!(page.text.contains("至少 10 個字元"), "{}", page_text(&page));
    // Each rule, with its own words; the invite still holds after each.
    for (pw, again, says) in [
        ("short", "short", "at least 10 characters"),
        ("correct horse", "correct hors", "not the same"),
        (
            "li@brand.example",
            "li@brand.example",
            "cannot be your email",
        ),
    ] {
        let r = set_password(&app, &t, pw, again).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{pw}");
        assert!(r.text.contains(says), "{pw}: {}", r.text);
        assert!(r.headers.get(header::SET_COOKIE).is_none());
    }
    let long = "x".repeat(257);
    let r = set_password(&app, &t, &long, &long).await;
    assert!(
        r.text.contains("at most 256 characters"),
        "{}",
        page_text(&r)
    );
    // Accepted: signed in, on to the dashboard.
    let r = set_password(&app, &t, PASSWORD, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", page_text(&r));
    assert_eq!(r.headers[header::LOCATION], "/dashboard.html");
    assert_eq!(whoami(&app, &cookie_of(&r)).await.status, StatusCode::OK);
    assert_eq!(
        api(&app, "li@brand.example", PASSWORD).await.status,
        StatusCode::OK
    );
    // Used: a page that says so and what to do, and the password stays.
    for r in [
        get(&app, &format!("/invite/{t}")).await,
        set_password(&app, &t, "another password", "another password").await,
    ] {
        assert_eq!(r.status, StatusCode::GONE);
        assert!(
            // What to do, in the page's language (the form posts its own).
            r.text.contains("请联系管理员为您发送新的邀请链接")
                || r.text
                    .contains("Ask your administrator for a new invite link"),
            "{}",
            page_text(&r)
        );
    }
    let r = get(&app, &format!("/invite/{t}")).await;
    assert!(
        r.text
            .contains("此链接已过期（有效期 72 小时）或已使用过。"),
        "{}",
        page_text(&r)
    );
    assert_eq!(
        api(&app, "li@brand.example", PASSWORD).await.status,
        StatusCode::OK
    );
    // Expired.
    let old = invited(&store, "wang@brand.example", Now::system().ns - 1).await;
    let r = set_password(&app, &old, PASSWORD, PASSWORD).await;
    assert_eq!(r.status, StatusCode::GONE);
    assert!(
        r.text.contains("has expired") && r.text.contains("Ask your administrator"),
        "{}",
        page_text(&r)
    );
    assert_eq!(
        get(&app, &format!("/invite/{old}")).await.status,
        StatusCode::GONE
    );
    assert_eq!(
        get(&app, "/invite/not-a-token").await.status,
        StatusCode::GONE
    );
    let lines = actions(&store.audit().await.unwrap());
    assert_eq!(
        lines
            .iter()
            .filter(|(_, a)| a == "invite_accepted")
            .collect::<Vec<_>>(),
        [&(
            "user:li@brand.example".to_owned(),
            "invite_accepted".to_owned()
        )]
    );
}

#[tokio::test]
async fn failed_sign_ins_meet_growing_delays_and_a_right_password_recovers() {
    let (app, store, _) = setup(settings());
    account(&store, "li@brand.example", Role::Admin, Scope::All).await;
    // Five failures of an account from one client are free, and a sixth is still tried.
    const CLIENT: &str = "192.0.2.1";
    for i in 0..6 {
        let r = form(&app, "li@brand.example", "wrong", CLIENT).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "failure {i}");
    }
    // Then a wait, told in the header and in words; the right password waits too.
    let r = form(&app, "li@brand.example", PASSWORD, CLIENT).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers[header::RETRY_AFTER], "1");
    assert!(
        r.text.contains("尝试次数过多，请 1 秒后再试。"),
        "{}",
        page_text(&r)
    );
    let j = api(&app, "LI@brand.example", PASSWORD).await;
    assert_eq!(
        j.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the account, however typed"
    );
    assert_eq!(j.headers[header::RETRY_AFTER], "1");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    // The delay doubles.
    assert_eq!(
        form(&app, "li@brand.example", "wrong", CLIENT).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = form(&app, "li@brand.example", "wrong", CLIENT).await;
    assert_eq!(r.headers[header::RETRY_AFTER], "2");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    // Recovery: the right password signs in and the account starts afresh.
    let r = form(&app, "li@brand.example", PASSWORD, CLIENT).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    for i in 0..5 {
        let r = form(&app, "li@brand.example", "wrong", CLIENT).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "afresh, failure {i}");
    }
    // A throttled attempt is not audited as a failure (it was not tried).
    let failed = actions(&store.audit().await.unwrap())
        .into_iter()
        .filter(|(_, a)| a == "signin_failed")
        .count();
    assert_eq!(failed, 6 + 1 + 5);
}

/// No attacker can lock an account's owner out: the long delays fall on the guessing client;
/// the account alone waits half a minute at the most (`throttle::ACCOUNT`).
#[tokio::test]
async fn an_attacker_hammering_an_account_does_not_keep_its_owner_out() {
    let (app, store, _) = setup(settings());
    account(&store, "li@brand.example", Role::Admin, Scope::All).await;
    let mut throttled = 0;
    for _ in 0..40 {
        let r = form(&app, "li@brand.example", "guess", "198.51.100.7").await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            throttled += 1;
        }
    }
    assert_eq!(throttled, 40 - 6, "the attacker waits after six guesses");
    // The owner, from another client, signs in right away.
    let r = form(&app, "li@brand.example", PASSWORD, "192.0.2.7").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", page_text(&r));
    // Guesses from many clients slow the account for everyone, but briefly.
    for n in 0..21 {
        let r = form(&app, "li@brand.example", "guess", &format!("203.0.113.{n}")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "guess {n}");
    }
    let r = form(&app, "li@brand.example", PASSWORD, "192.0.2.8").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = r.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&wait), "{wait} s");
    tokio::time::sleep(Duration::from_secs(wait) + Duration::from_millis(100)).await;
    let r = form(&app, "li@brand.example", PASSWORD, "192.0.2.8").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", page_text(&r));
}

/// Password checks and hashes (19 MiB each) run in a bounded number of slots; when none comes
/// free in time the collector says it is busy and when to try again, on the page and in JSON.
#[tokio::test]
async fn with_every_password_slot_busy_a_sign_in_is_told_to_retry() {
    let mut s = settings();
    s.password_slots = Some(0);
    let (app, store, _) = setup(s);
    account(&store, "li@brand.example", Role::Admin, Scope::All).await;
    let r = form(&app, "li@brand.example", PASSWORD, "192.0.2.1").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.headers[header::RETRY_AFTER], "2");
    assert!(r.headers.get(header::SET_COOKIE).is_none());
    assert!(
        r.text.contains("当前登录人数较多，请 2 秒后再试。"),
        "{}",
        page_text(&r)
    );
    let j = api(&app, "li@brand.example", PASSWORD).await;
    assert_eq!(j.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(j.headers[header::RETRY_AFTER], "2");
    assert_eq!(j.json()["field"], "password");
    // An invite's new password waits for a slot too, and the invite is not used up.
    let token = invited(
        &store,
        "wang@brand.example",
        Now::system().ns + 3_600_000_000_000,
    )
    .await;
    let r = set_password(&app, &token, PASSWORD, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.headers[header::RETRY_AFTER], "2");
    assert_eq!(
        get(&app, &format!("/invite/{token}")).await.status,
        StatusCode::OK
    );
    // Nothing was tried, so nothing is audited as a failure.
    let lines = actions(&store.audit().await.unwrap());
    assert!(lines.iter().all(|(_, a)| a != "signin_failed"), "{lines:?}");
}

/// The single sign-on callback answers anyone, but writes `signin_failed` only for a sign-in
/// under way in that browser (its `nps_oidc` cookie): calling the address does not fill the
/// audit trail. The provider is never reached here (discovery waits for a sign-in).
#[tokio::test]
async fn a_single_sign_on_callback_without_a_sign_in_under_way_is_not_audited() {
    let org = nps_collector::org_file::read(include_str!("../../docs/org.toml")).unwrap();
    let file = nps_collector::sso::file::read(include_str!("../../docs/sso.toml"), &org).unwrap();
    let mut s = settings();
    s.sso = Some(std::sync::Arc::new(
        file.settle(Some("s3cret".into()), &[]).unwrap(),
    ));
    let (app, store, _) = setup(s);
    let callback = |cookie: Option<&str>| {
        let mut req = request(
            Method::GET,
            "/signin/oidc/callback?code=c0de&state=st4te",
            "",
            "text/plain",
            "192.0.2.9",
        );
        if let Some(c) = cookie {
            req.headers_mut().insert(header::COOKIE, c.parse().unwrap());
        }
        req
    };
    for _ in 0..3 {
        let r = send(&app, callback(None)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", page_text(&r));
        let r = send(&app, callback(Some("nps_oidc=not-a-sign-in"))).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", page_text(&r));
    }
    assert_eq!(store.audit().await.unwrap(), vec![]);
    // A sign-in under way whose state is not the provider's: refused and audited.
    let r = send(&app, callback(Some("nps_oidc=en.other.n0nce.ver1fier.Lw"))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", page_text(&r));
    let audit = store.audit().await.unwrap();
    assert_eq!(
        actions(&audit),
        [("client:192.0.2.9".into(), "signin_failed".into())]
    );
    assert_eq!(
        audit[0].detail,
        serde_json::json!({"via": "oidc", "why": "state"})
    );
}

#[tokio::test]
async fn one_client_guessing_many_accounts_is_slowed_and_a_proxy_names_the_client() {
    let mut s = settings();
    s.trusted_proxies = vec!["10.0.0.0/8".parse().unwrap()];
    let (app, _, _) = setup(s);
    let from_proxy = |n: usize, client: &str| {
        let body = form_body(&[
            ("email", &format!("guess{n}@brand.example")),
            ("password", "wrong"),
        ]);
        let kind = "application/x-www-form-urlencoded";
        let mut req = request(Method::POST, "/signin", &body, kind, "10.0.0.2");
        req.headers_mut()
            .insert("x-forwarded-for", client.parse().unwrap());
        req
    };
    // Twenty failures from one client are free (an office signs in for many people)…
    for n in 0..21 {
        let r = send(&app, from_proxy(n, "198.51.100.7")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "guess {n}");
    }
    // …then that client waits, whichever account it names.
    let r = send(&app, from_proxy(99, "198.51.100.7")).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers[header::RETRY_AFTER], "1");
    // Another client behind the same proxy does not.
    let r = send(&app, from_proxy(100, "198.51.100.8")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

fn cli(db: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_nps-collector"))
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .unwrap()
}

fn bearer(path: &str, token: &str) -> Request<Body> {
    Request::builder()
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn a_machine_token_is_shown_once_listed_revoked_and_its_use_audited_hourly() {
    let (app, store, db) = setup(settings());
    let out = cli(
        &db,
        &[
            "token",
            "create",
            "--label",
            "DMS visits",
            "--role",
            "store",
            "--store",
            "SZ-FT",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let secret = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(
        secret.len() == 64 && secret.chars().all(|c| c.is_ascii_hexdigit()),
        "{secret}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("shown this once"));
    // The same rules as user add: a store manager's token needs a store.
    let out = cli(
        &db,
        &["token", "create", "--label", "BI", "--role", "store"],
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--store"),
        "{:?}",
        out
    );
    let out = cli(
        &db,
        &["token", "create", "--label", " ", "--role", "analyst"],
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--label"),
        "{:?}",
        out
    );
    // Only the hash is kept.
    let listed = store.tokens().await.unwrap();
    assert_eq!(listed.len(), 1);
    let raw = std::fs::read(&db).unwrap();
    assert!(!raw.windows(64).any(|w| w == secret.as_bytes()));
    // It is a caller with its role and scope; its first use is audited, the next not.
    for _ in 0..2 {
        let me = send(&app, bearer("/api/session", &secret)).await;
        assert_eq!(me.status, StatusCode::OK, "{}", me.text);
        assert_eq!(
            me.json(),
            serde_json::json!({"who": "token:1", "email": null, "role": "store", "scope": {"stores": ["SZ-FT"]}})
        );
    }
    let uses = |audit: &[nps_collector::storage::AuditEntry]| {
        audit.iter().filter(|a| a.action == "token_use").count()
    };
    assert_eq!(uses(&store.audit().await.unwrap()), 1);
    // An hour and more since its last use: audited again.
    let earlier = Now::from_time(time::OffsetDateTime::now_utc() - time::Duration::minutes(61));
    store
        .token_use(&write_key::hash(&secret), &earlier)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        send(&app, bearer("/api/session", &secret)).await.status,
        StatusCode::OK
    );
    let audit = store.audit().await.unwrap();
    assert_eq!(uses(&audit), 2);
    let line = audit.iter().find(|a| a.action == "token_use").unwrap();
    assert_eq!(
        (line.who.as_str(), &line.detail),
        ("token:1", &serde_json::json!({"label": "DMS visits"}))
    );
    // Listed with its last use; revoked, it opens nothing.
    let list = String::from_utf8(cli(&db, &["token", "list"]).stdout).unwrap();
    assert!(list.starts_with("id\tlabel\trole\tscope\t"), "{list}");
    let row = list.lines().nth(1).unwrap().to_owned();
    let cells: Vec<&str> = row.split('\t').collect();
    assert_eq!(
        &cells[..4],
        ["1", "DMS visits", "store", "stores: SZ-FT"],
        "{list}"
    );
    assert!(cells[5] != "-" && cells[6] == "-", "{row}");
    let out = cli(&db, &["token", "revoke", "--id", "1"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = send(&app, bearer("/api/session", &secret)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        send(&app, bearer("/api/responses", &secret)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let out = cli(&db, &["token", "revoke", "--id", "1"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--id 1: no such live token"));
    let list = String::from_utf8(cli(&db, &["token", "list"]).stdout).unwrap();
    assert!(
        list.lines().nth(1).unwrap().split('\t').nth(6) != Some("-"),
        "{list}"
    );
    let lines = actions(&store.audit().await.unwrap());
    for action in ["token_create", "token_revoke"] {
        assert!(lines.contains(&("cli".into(), action.into())), "{lines:?}");
    }
}
