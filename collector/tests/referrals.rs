//! Referrals end to end in process: a promoter's page issues one code per trusted answer (a
//! survey the landing file names, not flagged, signed where a visit secret asks), a friend's
//! open is counted once per device (its cookie, else its network and steady browser name; a
//! network a few times a day) and never from the promoter's own, the booking form takes only
//! a browser that opened the link (a code's and a store's day capped, honestly), the redirect goes only
//! to the survey's configured `referral_url`, forged and guessed codes are "not found", the
//! brand's events count once per id within the caller's scope, the booking form stores a
//! booking, the store's robot gets the thank-you naming the friend and the date (no phone),
//! the store lists its friends' bookings (phone masked, none for an analyst) and reveals one
//! (logged), a deletion removes it all, and `/r/` is under the per-client limiter.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use common::robots::{start, url};
use common::{db_path, send, Reply};
use nps_collector::alerts::{Config, Kind};
use nps_collector::delivery::Worker;
use nps_collector::landing::Landing;
use nps_collector::reload::Live;
use nps_collector::{app, write_key, Now, Settings, Store};
use nps_core::access::{Role, Scope};
use nps_core::scoring::analysis::Names;
use serde_json::{json, Value};

const ORG: &str = include_str!("../../docs/org.toml");
const ADMIN: &str = "the-admin-token";
const LANDING: &str = r#"{
  "after-sales": {"brand": "星辰汽车", "locale": "zh-CN", "retention_days": 30, "booking_label": "试驾"},
  "sales": {"brand": "星辰汽车", "locale": "zh-CN", "referral_url": "https://brand.example/book?src=nps"}
}"#;
const PROMOTER: &str = "20000000-0000-4000-8000-000000000001";
const UA_PROMOTER: &str = "Mozilla/5.0 (iPhone) MicroMessenger/8.0";
const UA_FRIEND: &str = "Mozilla/5.0 (Android) MicroMessenger/8.0";

fn names() -> Names {
    Names::default().with_org(nps_collector::org_file::read(ORG).unwrap())
}

fn settings(rate_limit: u32) -> Settings {
    Settings {
        allow_origins: vec!["https://brand.example".into()],
        admin_token: ADMIN.into(),
        rate_limit,
        landing: Landing::from_json(LANDING).unwrap(),
        names: names(),
        ..Settings::default()
    }
}

/// A browser's cookie: who holds it (address and browser), `name=value`, and its `Path`.
type Cookie = (([u8; 4], String), String, String);

struct World {
    store: Store,
    app: Router,
    path: std::path::PathBuf,
    /// The cookies each device's browser keeps, sent back as a browser would (by path).
    jar: std::sync::Mutex<Vec<Cookie>>,
}

fn world_with(rate_limit: u32) -> World {
    let path = db_path();
    let store = Store::open(&path).unwrap();
    let app = app(store.clone(), settings(rate_limit));
    World {
        store,
        app,
        path,
        jar: Default::default(),
    }
}

impl World {
    /// The `Cookie` header a device's browser sends to `uri`, if any.
    fn cookies(&self, ip: [u8; 4], ua: &str, uri: &str) -> Option<String> {
        let jar = self.jar.lock().unwrap();
        let sent: Vec<&str> = jar
            .iter()
            .filter(|((i, u), _, path)| *i == ip && u == ua && uri.starts_with(path.as_str()))
            .map(|(_, c, _)| c.as_str())
            .collect();
        (!sent.is_empty()).then(|| sent.join("; "))
    }

    /// Keeps the cookies a reply sets for a device's browser.
    fn keep(&self, ip: [u8; 4], ua: &str, r: &Reply) {
        let mut jar = self.jar.lock().unwrap();
        for v in r.headers.get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap();
            let pair = v.split(';').next().unwrap().trim().to_owned();
            let name = pair.split('=').next().unwrap().to_owned();
            let path = v
                .split(';')
                .find_map(|a| a.trim().strip_prefix("Path="))
                .unwrap_or("/")
                .to_owned();
            jar.retain(|((i, u), c, p)| {
                !(*i == ip && u == ua && *p == path && c.starts_with(&format!("{name}=")))
            });
            jar.push(((ip, ua.to_owned()), pair, path));
        }
    }

    /// Forgets a device's cookies (a browser that clears them).
    fn clear(&self, ip: [u8; 4], ua: &str) {
        self.jar
            .lock()
            .unwrap()
            .retain(|((i, u), _, _)| !(*i == ip && u == ua));
    }
}

fn world() -> World {
    world_with(0)
}

/// A request from a device: its address and browser.
fn from(req: axum::http::request::Builder, ip: [u8; 4], ua: &str) -> axum::http::request::Builder {
    req.header(header::USER_AGENT, ua)
        .header(header::HOST, "nps.brand.example")
        .extension(ConnectInfo(SocketAddr::from((ip, 40000))))
}

/// A device's browser: its address and name, and the cookies it keeps for `uri`.
fn browser(
    w: &World,
    req: axum::http::request::Builder,
    uri: &str,
    ip: [u8; 4],
    ua: &str,
) -> axum::http::request::Builder {
    let req = from(req, ip, ua);
    // A promoter's phone (an address ending in .1) answered on the landing page: it holds
    // the answers' write key for their pages (the landing cookie, `Path=/s/{survey}/{id}`).
    let landing = (ip[3] == 1 && uri.starts_with("/s/")).then(|| format!("nps_wk={}", common::KEY));
    let cookies: Vec<String> = w.cookies(ip, ua, uri).into_iter().chain(landing).collect();
    if cookies.is_empty() {
        req
    } else {
        req.header(header::COOKIE, cookies.join("; "))
    }
}

async fn get(w: &World, uri: &str, ip: [u8; 4], ua: &str) -> Reply {
    let req = browser(w, Request::get(uri), uri, ip, ua);
    let r = send(&w.app, req.body(Body::empty()).unwrap()).await;
    w.keep(ip, ua, &r);
    r
}

async fn post_form(w: &World, uri: &str, form: &str, ip: [u8; 4], ua: &str) -> Reply {
    let req = browser(
        w,
        Request::builder().method(Method::POST).uri(uri),
        uri,
        ip,
        ua,
    )
    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
    .body(Body::from(form.to_owned()))
    .unwrap();
    let r = send(&w.app, req).await;
    w.keep(ip, ua, &r);
    r
}

async fn as_promoter(w: &World, uri: &str) -> Reply {
    get(w, uri, [10, 0, 0, 1], UA_PROMOTER).await
}

async fn as_friend(w: &World, uri: &str) -> Reply {
    get(w, uri, [10, 0, 0, 2], UA_FRIEND).await
}

async fn post_as_promoter(w: &World, uri: &str, form: &str) -> Reply {
    post_form(w, uri, form, [10, 0, 0, 1], UA_PROMOTER).await
}

/// The friend posts a form; on a booking form, from a browser that opened the link first.
async fn post_as_friend(w: &World, uri: &str, form: &str) -> Reply {
    if let Some(code) = uri
        .strip_prefix("/r/")
        .and_then(|u| u.strip_suffix("/book"))
    {
        as_friend(w, &format!("/r/{code}")).await;
    }
    post_form(w, uri, form, [10, 0, 0, 2], UA_FRIEND).await
}

async fn event(w: &World, code: &str, token: &str, body: Value) -> Reply {
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/referrals/{code}/events"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    send(&w.app, req).await
}

/// Stores a completed answer `id` of `survey` with `score`.
async fn answer(w: &World, id: &str, survey: &str, score: u8) {
    let mut b = common::body("completed", Some(score), "2026-11-23T08:31:00.000Z");
    b["id"] = json!(id);
    b["survey"] = json!(survey);
    b["category"] = json!(nps_core::scoring::score::category(score.into())
        .unwrap()
        .as_str());
    let visit = if id == PROMOTER {
        "R-88231".to_owned()
    } else {
        format!("R-{}", &id[30..])
    };
    b["context"] = json!({"store": "SZ-FT", "advisor": "wang", "visit": visit});
    let r = common::post(&w.app, &b).await;
    assert!(r.status.is_success(), "{} {}", r.status, r.text);
}

/// The code a promoter's page shows.
fn code_of(page: &str) -> String {
    let at = page.find("/r/").expect("a referral link on the page") + 3;
    page[at..at + 24].to_owned()
}

/// The promoter's page from the promoter's own phone; its code.
async fn promoter_code(w: &World, survey: &str) -> String {
    answer(w, PROMOTER, survey, 10).await;
    let r = get(
        w,
        &format!("/s/{survey}/{PROMOTER}/refer"),
        [10, 0, 0, 1],
        UA_PROMOTER,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    code_of(&r.text)
}

/// The promoter calls themself 王先生 on their page.
async fn name_promoter(w: &World, survey: &str) -> Reply {
    let uri = format!("/s/{survey}/{PROMOTER}/refer");
    let form = format!("name=%E7%8E%8B%E5%85%88%E7%94%9F&write_key={}", common::KEY);
    post_as_promoter(w, &uri, &form).await
}

async fn token(w: &World, role: Role, scope: Scope) -> String {
    let secret = write_key::secret();
    w.store
        .token_add(
            &write_key::hash(&secret),
            "dms",
            role,
            &scope,
            &Now::system(),
        )
        .await
        .unwrap();
    secret
}

#[tokio::test]
async fn a_promoter_gets_one_code_and_a_page_with_the_poster_link_qr_and_name() {
    let w = world();
    let code = promoter_code(&w, "after-sales").await;
    let page = get(
        &w,
        &format!("/s/after-sales/{PROMOTER}/refer"),
        [10, 0, 0, 9],
        UA_FRIEND,
    )
    .await;
    assert_eq!(code_of(&page.text), code, "one code per answer");
    for part in [
        "邀请好友体验星辰汽车",
        &format!("src=\"/r/{code}/poster.png\""),
        &format!("href=\"/r/{code}/poster.png?save=1\""),
        // Never the request's Host (`referral::origin`): no --public-origin, no served address.
        &format!("href=\"http://localhost/r/{code}\" data-share"),
        "data-wechat=\"点击右上角 ··· 即可分享给好友。\"",
        "<svg class=\"nps-refer-qr\"",
        "name=\"name\"",
    ] {
        assert!(page.text.contains(part), "{part} missing:\n{}", page.text);
    }
    assert_eq!(page.headers[header::CACHE_CONTROL], "no-store");
    let r = w.store.referral(&code).await.unwrap().unwrap();
    assert_eq!(
        (r.store.as_deref(), r.advisor.as_deref(), r.visit.as_deref()),
        (Some("SZ-FT"), Some("wang"), Some("R-88231"))
    );
    assert!(r.device.is_some() && r.shared_ns.is_none() && r.name.is_none());
    // The name for the poster (trimmed, cut to 20 characters).
    let named = post_as_promoter(
        &w,
        &format!("/s/after-sales/{PROMOTER}/refer"),
        &format!(
            "name=+%E7%8E%8B%E5%85%88%E7%94%9F+&write_key={}",
            common::KEY
        ),
    )
    .await;
    assert_eq!(named.status, StatusCode::SEE_OTHER);
    assert_eq!(
        w.store
            .referral(&code)
            .await
            .unwrap()
            .unwrap()
            .name
            .as_deref(),
        Some("王先生")
    );
    // A share tap, then another: the first time stays.
    let shared = post_as_promoter(&w, &format!("/r/{code}/shared"), "").await;
    assert_eq!(shared.status, StatusCode::NO_CONTENT);
    let first = w
        .store
        .referral(&code)
        .await
        .unwrap()
        .unwrap()
        .shared_ns
        .unwrap();
    post_as_promoter(&w, &format!("/r/{code}/shared"), "").await;
    assert_eq!(
        w.store.referral(&code).await.unwrap().unwrap().shared_ns,
        Some(first)
    );
}

#[tokio::test]
async fn only_a_stored_promoter_answer_has_a_referral_page_and_one_being_sent_is_waited_for() {
    let w = world();
    let detractor = "20000000-0000-4000-8000-000000000002";
    answer(&w, detractor, "after-sales", 3).await;
    let r = as_promoter(&w, &format!("/s/after-sales/{detractor}/refer")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Another survey's answer, a wrong id.
    answer(&w, PROMOTER, "after-sales", 10).await;
    assert_eq!(
        as_promoter(&w, &format!("/s/sales/{PROMOTER}/refer"))
            .await
            .status,
        StatusCode::OK,
        "not stored for sales: waiting"
    );
    assert_eq!(
        as_promoter(&w, "/s/after-sales/not-an-id/refer")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Not stored yet: the page refreshes itself, for a minute, then "not found".
    let missing = "20000000-0000-4000-8000-000000000003";
    let wait = as_promoter(&w, &format!("/s/after-sales/{missing}/refer")).await;
    assert_eq!(wait.status, StatusCode::OK);
    assert!(wait.text.contains("正在生成您的专属邀请…"), "{}", wait.text);
    let refresh = wait.headers["refresh"].to_str().unwrap().to_owned();
    assert!(refresh.starts_with("2;url=?since="), "{refresh}");
    let since: i64 = refresh.trim_start_matches("2;url=?since=").parse().unwrap();
    let again = as_promoter(&w, &format!("/s/after-sales/{missing}/refer?since={since}")).await;
    assert_eq!(again.status, StatusCode::OK);
    let late = as_promoter(
        &w,
        &format!("/s/after-sales/{missing}/refer?since={}", since - 61),
    )
    .await;
    assert_eq!(late.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn forged_and_guessed_codes_are_not_found_and_never_redirect() {
    let w = world();
    let code = promoter_code(&w, "sales").await;
    let mut forged: Vec<u8> = code.bytes().collect();
    forged[23] = if forged[23] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    for bad in [
        forged.as_str(),
        "AAAAAAAAAAAAAAAAAAAAAAAA",
        &code[..23],
        "..%2F..%2Fetc",
    ] {
        for path in [
            format!("/r/{bad}"),
            format!("/r/{bad}/book"),
            format!("/r/{bad}/poster.png"),
        ] {
            let r = as_friend(&w, &path).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
            assert!(r.headers.get(header::LOCATION).is_none(), "{path}");
        }
        let r = event(&w, bad, ADMIN, json!({"type": "booked"})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{bad}");
    }
    // A code made under another collector's key is not this one's, even stored.
    assert_eq!(w.store.referral_opens(&code).await.unwrap(), (0, 0));
}

#[tokio::test]
async fn opens_count_once_per_device_and_never_the_promoters_own() {
    let w = world();
    let code = promoter_code(&w, "after-sales").await;
    let own = as_promoter(&w, &format!("/r/{code}")).await;
    assert_eq!(own.status, StatusCode::SEE_OTHER);
    assert!(own.headers.get(header::SET_COOKIE).is_none(), "no cookie");
    for _ in 0..3 {
        as_friend(&w, &format!("/r/{code}")).await;
    }
    get(&w, &format!("/r/{code}"), [10, 0, 1, 3], UA_FRIEND).await;
    // (counted, rows): two friends; the promoter's own open is a row counted zero.
    assert_eq!(w.store.referral_opens(&code).await.unwrap(), (2, 3));
}

#[tokio::test]
async fn an_open_goes_to_the_configured_booking_page_with_the_code_and_nowhere_else() {
    let w = world();
    let code = promoter_code(&w, "sales").await;
    let page = as_promoter(&w, &format!("/s/sales/{PROMOTER}/refer")).await;
    assert!(
        !page.text.contains("/s/sales/invite"),
        "the friend's link is shared, not the invite page"
    );
    for query in [
        "",
        "?to=https://evil.example",
        "?referral_url=%2F%2Fevil.example",
        "?code=x&next=//evil",
    ] {
        let r = as_friend(&w, &format!("/r/{code}{query}")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{query}");
        assert_eq!(
            r.headers[header::LOCATION],
            format!("https://brand.example/book?src=nps&code={code}").as_str(),
            "{query}"
        );
    }
    for path in [
        "/r//evil.example",
        "/r/%2F%2Fevil.example",
        "/r/https:%2F%2Fevil.example",
    ] {
        let r = as_friend(&w, path).await;
        assert!(
            r.headers.get(header::LOCATION).is_none(),
            "{path}: {:?}",
            r.headers
        );
    }
    // A survey without a booking page of its own: the collector's form.
    let w = world();
    let code = promoter_code(&w, "after-sales").await;
    let r = as_friend(&w, &format!("/r/{code}")).await;
    assert_eq!(
        r.headers[header::LOCATION],
        format!("/r/{code}/book").as_str()
    );
}

#[tokio::test]
async fn events_count_once_per_id_in_scope_and_name_the_wrong_field() {
    let w = world();
    let code = promoter_code(&w, "sales").await;
    let r = event(&w, &code, ADMIN, json!({"type": "booked", "id": "B-1"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = event(&w, &code, ADMIN, json!({"type": "booked", "id": "B-1"})).await;
    assert_eq!(
        (r.status, r.json()["duplicate"].clone()),
        (StatusCode::OK, json!(true))
    );
    for (body, field) in [
        (json!({"type": "sold"}), "type"),
        (json!({"id": "B-2"}), "type"),
        (json!({"type": "booked", "id": ""}), "id"),
        // Without the brand's id, a purchase posted again would be another purchase.
        (json!({"type": "purchased"}), "id"),
        (json!({"type": "booked", "id": null}), "id"),
        (
            json!({"type": "booked", "id": "B-3", "at": "tomorrow"}),
            "at",
        ),
        (
            json!({"type": "booked", "id": "B-3", "at": "2099-01-01T00:00:00Z"}),
            "at",
        ),
        // Before the code was made: no friend came through it then.
        (
            json!({"type": "booked", "id": "B-3", "at": "2020-01-01T00:00:00Z"}),
            "at",
        ),
        (
            json!({"type": "booked", "id": "B-3", "phone": "13812345678"}),
            "phone",
        ),
    ] {
        let r = event(&w, &code, ADMIN, body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(r.json()["field"], field, "{body}");
    }
    // What was reported is in the audit trail, each once.
    let audit = w.store.audit().await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|a| a.action == "referral_event")
            .count(),
        2,
        "the first report and its duplicate; none of the refused"
    );
    let early = json!({"type": "booked", "id": "B-3", "at": "2020-01-01T00:00:00Z"});
    let r = event(&w, &code, ADMIN, early).await;
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("expected a time no earlier than 20"),
        "{}",
        r.text
    );
    let r = event(&w, &code, ADMIN, json!({"type": "sold"})).await;
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("\"booked\", \"purchased\""),
        "{}",
        r.text
    );
    // Scope: the store's own token may; another store's cannot see the code; an analyst never.
    let own = token(&w, Role::Store, Scope::Stores(vec!["SZ-FT".into()])).await;
    let other = token(&w, Role::Store, Scope::Stores(vec!["BJ-CY".into()])).await;
    let south = token(&w, Role::Region, Scope::Regions(vec!["south".into()])).await;
    let analyst = token(&w, Role::Analyst, Scope::All).await;
    assert_eq!(
        event(&w, &code, &other, json!({"type": "purchased", "id": "S-1"}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        event(
            &w,
            &code,
            &analyst,
            json!({"type": "purchased", "id": "S-1"})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        event(&w, &code, "nope", json!({"type": "purchased"}))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        event(&w, &code, &own, json!({"type": "purchased", "id": "S-1"}))
            .await
            .status,
        StatusCode::CREATED
    );
    assert_eq!(
        event(&w, &code, &south, json!({"type": "purchased", "id": "S-1"}))
            .await
            .status,
        StatusCode::OK
    );
    let kinds: Vec<String> = w
        .store
        .referral_events(&code)
        .await
        .unwrap()
        .into_iter()
        .map(|(k, _, _)| k)
        .collect();
    assert_eq!(kinds, ["booked", "purchased"]);
    // Who reported each is kept with it, as the audit trail names them.
    let by: Vec<(String, String)> = rusqlite::Connection::open(&w.path)
        .unwrap()
        .prepare("SELECT kind, reported_by FROM referral_events ORDER BY at_ns, kind")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let own_id = w
        .store
        .tokens()
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.scope == Scope::Stores(vec!["SZ-FT".into()]))
        .unwrap()
        .id;
    assert_eq!(
        by,
        [
            ("booked".to_owned(), "admin-token".to_owned()),
            ("purchased".to_owned(), format!("token:{own_id}")),
        ]
    );
}

#[tokio::test]
async fn a_booking_tells_the_stores_robot_at_once_with_no_phone_and_a_deletion_removes_it_all() {
    let w = world();
    let (wecom, addr) = start(Kind::Wecom).await;
    let config = format!(
        "[cases]\nlink_base = \"https://nps.brand.example\"\n\n[[channel]]\nname = \"ft-wecom\"\nkind = \"wecom\"\nurl = \"{}\"\nstores = [\"SZ-FT\"]\n",
        url(Kind::Wecom, addr)
    );
    let org = nps_collector::org_file::read(ORG).unwrap();
    let config: Arc<Config> =
        Arc::new(nps_collector::alerts::file::read(&config, &org, &|_| None).unwrap());
    let worker = Worker::new(
        w.store.clone(),
        config,
        Live::new(names()),
        Some("https://nps.brand.example".into()),
    );
    let code = promoter_code(&w, "after-sales").await;
    name_promoter(&w, "after-sales").await;
    // The form: a wrong phone or no consent shows the form again, nothing stored.
    as_friend(&w, &format!("/r/{code}")).await;
    let form = as_friend(&w, &format!("/r/{code}/book")).await;
    assert!(form.text.contains("号码将在 30 天后删除"), "{}", form.text);
    let bad = post_as_friend(
        &w,
        &format!("/r/{code}/book"),
        "name=%E6%9D%8E&phone=123&consent=1",
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad = post_as_friend(
        &w,
        &format!("/r/{code}/book"),
        "name=%E6%9D%8E&phone=13812345678",
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(w.store.referral_events(&code).await.unwrap().is_empty());
    let ok = post_as_friend(
        &w,
        &format!("/r/{code}/book"),
        "name=%E6%9D%8E&phone=138+1234+5678&date=2026-12-06&consent=1",
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    assert!(ok.text.contains("预约已收到"), "{}", ok.text);
    assert_eq!(
        w.store.referral_events(&code).await.unwrap(),
        [("booked".to_owned(), "form".to_owned(), true)]
    );
    let pass = worker.pass(&Now::system()).await.unwrap();
    assert_eq!(pass.sent, 1, "{pass:?}");
    let said = wecom.all_text();
    assert!(
        said.contains("王先生推荐的朋友李已预约 12 月 6 日试驾，请致谢并尽快联系。"),
        "{said}"
    );
    assert!(said.contains("深圳福田店"), "{said}");
    for phone in ["138", "5678", "+86"] {
        assert!(!said.contains(phone), "{phone} in {said}");
    }
    // A purchase reported by the brand: the second thank-you.
    event(&w, &code, ADMIN, json!({"type": "purchased", "id": "S-9"})).await;
    worker.pass(&Now::system()).await.unwrap();
    assert!(wecom
        .all_text()
        .contains("王先生推荐的朋友已成交购车，请致谢。"));
    // The promoter's deletion request removes the referral and all that followed it.
    let del = Request::builder()
        .method(Method::DELETE)
        .uri(format!("/api/responses/{PROMOTER}"))
        .header(header::AUTHORIZATION, format!("Bearer {ADMIN}"))
        .body(Body::empty())
        .unwrap();
    assert!(send(&w.app, del).await.status.is_success());
    assert!(w.store.referral(&code).await.unwrap().is_none());
    assert!(w.store.referral_events(&code).await.unwrap().is_empty());
    assert_eq!(w.store.referral_opens(&code).await.unwrap(), (0, 0));
    let alerts = w.store.alerts_to_fan(&Now::system(), 100).await.unwrap();
    assert!(alerts.is_empty());
    let r = as_friend(&w, &format!("/r/{code}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_friends_phone_goes_at_the_surveys_retention() {
    let w = world();
    let code = promoter_code(&w, "after-sales").await;
    post_as_friend(
        &w,
        &format!("/r/{code}/book"),
        "name=%E6%9D%8E&phone=13812345678&consent=1",
    )
    .await;
    let day = 86_400 * 1_000_000_000i64;
    let later = |days: i64| Now {
        at: String::new(),
        ns: Now::system().ns + days * day,
    };
    w.store.purge(later(29)).await.unwrap();
    assert!(
        w.store.referral_events(&code).await.unwrap()[0].2,
        "kept for 30 days"
    );
    assert_eq!(w.store.purge(later(31)).await.unwrap(), 1);
    assert!(
        !w.store.referral_events(&code).await.unwrap()[0].2,
        "gone after"
    );
}

#[tokio::test]
async fn the_poster_is_an_image_saving_it_counts_as_shared_and_it_is_cached_by_its_tag() {
    let w = world();
    let code = promoter_code(&w, "after-sales").await;
    let svg = as_promoter(&w, &format!("/r/{code}/poster.svg")).await;
    assert_eq!(svg.headers[header::CONTENT_TYPE], "image/svg+xml");
    assert!(
        svg.text.contains("星辰汽车") && svg.text.contains("扫码预约试驾"),
        "{}",
        svg.text
    );
    let started = std::time::Instant::now();
    let png = send(
        &w.app,
        from(
            Request::get(format!("/r/{code}/poster.png")),
            [10, 0, 0, 1],
            UA_PROMOTER,
        )
        .body(Body::empty())
        .unwrap(),
    )
    .await;
    let took = started.elapsed();
    assert_eq!(png.status, StatusCode::OK);
    assert_eq!(png.headers[header::CONTENT_TYPE], "image/png");
    let len: usize = png
        .headers
        .get(header::CONTENT_LENGTH)
        .map_or(png.text.len(), |v| v.to_str().unwrap().parse().unwrap());
    println!(
        "poster: svg {} bytes, png about {len} bytes, rendered in {took:?}",
        svg.text.len()
    );
    assert!(
        w.store
            .referral(&code)
            .await
            .unwrap()
            .unwrap()
            .shared_ns
            .is_none(),
        "showing it is no share"
    );
    let etag = png.headers[header::ETAG].to_str().unwrap().to_owned();
    let again = send(
        &w.app,
        from(
            Request::get(format!("/r/{code}/poster.png")),
            [10, 0, 0, 1],
            UA_PROMOTER,
        )
        .header(header::IF_NONE_MATCH, &etag)
        .body(Body::empty())
        .unwrap(),
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    // Outside WeChat a download (inside it, tests/poster.rs).
    let saved = get(
        &w,
        &format!("/r/{code}/poster.png?save=1"),
        [10, 0, 0, 1],
        "Mozilla/5.0 (iPhone) Safari/604.1",
    )
    .await;
    assert!(saved.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert!(w
        .store
        .referral(&code)
        .await
        .unwrap()
        .unwrap()
        .shared_ns
        .is_some());
    // A name changes the poster, so its tag.
    name_promoter(&w, "after-sales").await;
    let started = std::time::Instant::now();
    let png = as_promoter(&w, &format!("/r/{code}/poster.png")).await;
    println!(
        "poster again (fonts loaded): png rendered in {:?}",
        started.elapsed()
    );
    assert_eq!(png.status, StatusCode::OK);
    let named = as_promoter(&w, &format!("/r/{code}/poster.svg")).await;
    assert!(named.text.contains("王先生推荐"), "{}", named.text);
}

#[tokio::test]
async fn referral_requests_are_under_the_per_client_limit() {
    let w = world_with(3);
    let code = promoter_code(&w, "after-sales").await; // a post: one of the three
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(as_promoter(&w, &format!("/r/{code}")).await.status);
    }
    assert!(
        statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    // Another client is not held up.
    assert_eq!(
        get(&w, &format!("/r/{code}"), [10, 0, 0, 7], UA_FRIEND)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

/// The same friend posting the booking form again (a reload, a double tap) is one booking;
/// another friend's phone is another.
#[tokio::test]
async fn a_booking_posted_again_by_the_same_friend_counts_once() {
    let w = world();
    let code = promoter_code(&w, "after-sales").await;
    for phone in ["13812345678", "138 1234 5678", "13987654321"] {
        let ok = post_as_friend(
            &w,
            &format!("/r/{code}/book"),
            &format!("name=%E6%9D%8E&phone={}&consent=1", phone.replace(' ', "+")),
        )
        .await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    }
    let events = w.store.referral_events(&code).await.unwrap();
    assert_eq!(
        events.len(),
        2,
        "two friends, one of them twice: {events:?}"
    );
    let alerts = w.store.alerts_to_fan(&Now::system(), 100).await.unwrap();
    assert_eq!(alerts.len(), 2, "one thank-you per booking");
}

/// A survey the landing file does not name (any id a post makes up: `"x"`) gets no referral
/// code: its promoter's page is "not found", so nobody can mint codes for a store with a
/// made-up answer.
#[tokio::test]
async fn a_survey_the_landing_file_does_not_name_gets_no_referral_code() {
    let w = world();
    for (survey, id) in [
        ("owner-stories", PROMOTER),
        ("x", "20000000-0000-4000-8000-000000000002"),
    ] {
        answer(&w, id, survey, 10).await;
        let r = as_promoter(&w, &format!("/s/{survey}/{id}/refer")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{survey}: {}", r.text);
        assert!(!r.text.contains("/r/"), "{}", r.text);
        assert!(r.headers.get(header::SET_COOKIE).is_none());
    }
    assert!(w.store.referral_of(PROMOTER).await.unwrap().is_none());
    // A survey id that is not one is still not found.
    let r = get(
        &w,
        &format!("/s/not%20a%20survey/{PROMOTER}/refer"),
        [10, 0, 0, 1],
        UA_PROMOTER,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

/// A public code cannot ring a store without end: the form takes a few friends a day through
/// one code, then says so honestly (naming the store), records nothing more and tells no
/// robot.
#[tokio::test]
async fn a_code_takes_a_few_form_bookings_a_day_and_no_more() {
    let w = world();
    let code = promoter_code(&w, "after-sales").await;
    let limit = nps_collector::referral::book::FORM_BOOKINGS_PER_DAY as usize;
    for n in 0..limit + 2 {
        let r = post_as_friend(
            &w,
            &format!("/r/{code}/book"),
            &format!("name=%E6%9D%8E&phone=1391234{n:04}&consent=1"),
        )
        .await;
        if n < limit {
            assert_eq!(r.status, StatusCode::OK, "booking {n}: {}", r.text);
            assert!(r.text.contains("预约已收到"), "{}", r.text);
        } else {
            assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "booking {n}");
            assert!(
                r.text
                    .contains("今天通过这个邀请的预约已满，请直接联系深圳福田店。"),
                "{}",
                r.text
            );
            assert!(
                !r.text.contains("预约已收到"),
                "never the thank-you: {}",
                r.text
            );
        }
    }
    assert_eq!(w.store.referral_events(&code).await.unwrap().len(), limit);
    let alerts = w.store.alerts_to_fan(&Now::system(), 100).await.unwrap();
    assert_eq!(alerts.len(), limit);
}

/// Friends posting at the same moment cannot pass the code's day together: the count is
/// raised in each booking's own transaction.
#[tokio::test]
async fn bookings_at_the_same_moment_keep_the_codes_day() {
    let w = Arc::new(world());
    let code = promoter_code(&w, "after-sales").await;
    let limit = nps_collector::referral::book::FORM_BOOKINGS_PER_DAY as usize;
    let uas: Vec<String> = (0..limit + 4)
        .map(|n| format!("{UA_FRIEND} friend-{n}"))
        .collect();
    for ua in &uas {
        get(&w, &format!("/r/{code}"), [10, 0, 9, 1], ua).await;
    }
    let posts = uas.iter().enumerate().map(|(n, ua)| {
        let (w, code, ua) = (w.clone(), code.clone(), ua.clone());
        tokio::spawn(async move {
            let form = format!("name=%E6%9D%8E&phone=1391234{n:04}&consent=1");
            post_form(&w, &format!("/r/{code}/book"), &form, [10, 0, 9, 1], &ua)
                .await
                .status
        })
    });
    let mut statuses = Vec::new();
    for p in posts.collect::<Vec<_>>() {
        statuses.push(p.await.unwrap());
    }
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(ok, limit, "{statuses:?}");
    assert_eq!(w.store.referral_events(&code).await.unwrap().len(), limit);
}

/// A store's day of thank-yous has an end too: past it, every booking is still stored (and
/// listed), and the store gets one note for the rest of the day instead of an alert each.
#[tokio::test]
async fn past_a_stores_day_of_thank_yous_bookings_are_kept_and_the_alerts_are_one_note() {
    let w = world();
    let per_code = nps_collector::referral::book::FORM_BOOKINGS_PER_DAY as usize;
    let store_day = nps_collector::referral::book::STORE_THANKS_PER_DAY as usize;
    let mut booked = 0;
    let mut promoter = 0u32;
    while booked < store_day + 4 {
        promoter += 1;
        let id = format!("20000000-0000-4000-8000-{promoter:012}");
        answer(&w, &id, "after-sales", 10).await;
        let page = get(
            &w,
            &format!("/s/after-sales/{id}/refer"),
            [10, 1, 0, 1],
            &id,
        )
        .await;
        let code = code_of(&page.text);
        for f in 0..per_code {
            let ua = format!("{UA_FRIEND} {promoter}-{f}");
            let ip = [10, 2, promoter as u8, f as u8];
            get(&w, &format!("/r/{code}"), ip, &ua).await;
            let form = format!("name=%E6%9D%8E&phone=139{promoter:04}{f:04}&consent=1");
            let r = post_form(&w, &format!("/r/{code}/book"), &form, ip, &ua).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
            booked += 1;
        }
    }
    let list = w
        .store
        .referral_bookings(&Default::default(), Some("SZ-FT"))
        .await
        .unwrap();
    assert_eq!(list.len(), booked, "every booking kept");
    let alerts = w.store.alerts_to_fan(&Now::system(), 1000).await.unwrap();
    assert_eq!(
        alerts.len(),
        store_day + 1,
        "the day's thank-yous, then one note"
    );
    let notes: Vec<_> = alerts
        .iter()
        .filter(|a| {
            a.body
                .as_deref()
                .is_some_and(|b| b.contains("\"held\":true"))
        })
        .collect();
    assert_eq!(notes.len(), 1);
    assert!(
        !notes[0].body.as_deref().unwrap().contains("李"),
        "no names"
    );
}

/// The form takes a booking only from a browser that opened the link (its cookie), and never
/// from the promoter's own device: each is told why, honestly, and nothing is stored.
#[tokio::test]
async fn only_a_browser_that_opened_the_link_books_and_never_the_promoters_own() {
    let w = world();
    let code = promoter_code(&w, "after-sales").await;
    let uri = format!("/r/{code}/book");
    let form = "name=%E6%9D%8E&phone=13812345678&consent=1";
    // Straight to the form, no open: told to open the link, with the link.
    let cold = post_form(&w, &uri, form, [10, 3, 0, 1], UA_FRIEND).await;
    assert_eq!(cold.status, StatusCode::FORBIDDEN);
    assert!(
        cold.text
            .contains("请先在这个浏览器中打开朋友发给您的邀请链接"),
        "{}",
        cold.text
    );
    assert!(
        cold.text.contains(&format!("href=\"/r/{code}\"")),
        "{}",
        cold.text
    );
    let shown = get(&w, &uri, [10, 3, 0, 1], UA_FRIEND).await;
    assert_eq!(shown.status, StatusCode::FORBIDDEN);
    // The promoter, on their own link.
    as_promoter(&w, &format!("/r/{code}")).await;
    let own = post_as_promoter(&w, &uri, form).await;
    assert_eq!(own.status, StatusCode::FORBIDDEN);
    assert!(own.text.contains("这是您自己的邀请链接"), "{}", own.text);
    // The promoter's phone with its cookies cleared, on another network's address in the
    // same /24: still theirs.
    w.clear([10, 0, 0, 1], UA_PROMOTER);
    get(&w, &format!("/r/{code}"), [10, 0, 0, 77], UA_PROMOTER).await;
    let again = post_form(&w, &uri, form, [10, 0, 0, 77], UA_PROMOTER).await;
    assert_eq!(again.status, StatusCode::FORBIDDEN, "{}", again.text);
    assert!(w.store.referral_events(&code).await.unwrap().is_empty());
    assert_eq!(w.store.referral_opens(&code).await.unwrap().0, 0);
    // A friend who opened it books.
    let ok = post_as_friend(&w, &uri, form).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
}

/// A device is its cookie, else its network and steady browser name: WeChat moving from
/// Wi-Fi to 4G is the same phone, a CUBOT phone is a person, and one network counts a few
/// new devices a day at most.
#[tokio::test]
async fn a_device_is_its_cookie_else_its_network_and_one_network_counts_a_few() {
    let w = world();
    let code = promoter_code(&w, "after-sales").await;
    let uri = format!("/r/{code}");
    let wifi = "Mozilla/5.0 (iPhone) MicroMessenger/8.0.47 NetType/WIFI Language/zh_CN";
    let g4 = "Mozilla/5.0 (iPhone) MicroMessenger/8.0.47 NetType/4G Language/en";
    let first = get(&w, &uri, [10, 4, 0, 1], wifi).await;
    let set = first.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    for part in ["nps_rd=", "Path=/r", "HttpOnly", "SameSite=Lax"] {
        assert!(set.contains(part), "{part}: {set}");
    }
    get(&w, &uri, [10, 4, 0, 1], wifi).await; // the cookie: a repeat
    get(&w, &uri, [10, 4, 0, 9], g4).await; // no cookie, same phone: a repeat
    assert_eq!(w.store.referral_opens(&code).await.unwrap().0, 1);
    let cubot = "Mozilla/5.0 (Linux; Android 10; CUBOT P30) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36";
    get(&w, &uri, [10, 5, 0, 1], cubot).await;
    assert_eq!(
        w.store.referral_opens(&code).await.unwrap().0,
        2,
        "a phone, not a bot"
    );
    // One office's network: a few counted a day, every browser still able to book.
    let cap = nps_core::growth::referral::NET_OPENS_PER_DAY as usize;
    for n in 0..cap + 3 {
        get(
            &w,
            &uri,
            [10, 6, 0, n as u8],
            &format!("{UA_FRIEND} desk-{n}"),
        )
        .await;
    }
    assert_eq!(
        w.store.referral_opens(&code).await.unwrap().0,
        2 + cap as i64
    );
    let late = format!("{UA_FRIEND} desk-{}", cap + 2);
    let form = "name=%E6%9D%8E&phone=13812345678&consent=1";
    let ok = post_form(
        &w,
        &format!("{uri}/book"),
        form,
        [10, 6, 0, cap as u8 + 2],
        &late,
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
}

/// Only the answer's own browser has its code made: someone who opens the promoter's page by
/// its address alone (a colleague who saw the id) waits on "preparing" and gets no code and
/// no device bound; the page's script posting the key the widget's link gave it (`claim`)
/// has the code made, the name untouched, and the promoter's cookie set.
#[tokio::test]
async fn a_promoters_code_is_made_only_for_the_browser_holding_the_answers_key() {
    let w = world();
    answer(&w, PROMOTER, "after-sales", 10).await;
    let uri = format!("/s/after-sales/{PROMOTER}/refer");
    let stranger = get(&w, &uri, [10, 7, 0, 9], UA_FRIEND).await;
    assert_eq!(stranger.status, StatusCode::OK);
    assert!(
        stranger.text.contains("正在生成您的专属邀请"),
        "{}",
        stranger.text
    );
    assert!(stranger.headers.get(header::SET_COOKIE).is_none());
    assert!(w.store.referral_of(PROMOTER).await.unwrap().is_none());
    // A wrong key's claim: refused, nothing made.
    let bad = "claim=1&write_key=00000000000000000000000000000000";
    let r = post_form(&w, &uri, bad, [10, 7, 0, 9], UA_FRIEND).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert!(w.store.referral_of(PROMOTER).await.unwrap().is_none());
    // The promoter's page posts the key its link carried: the code is made for them.
    let claim = format!("claim=1&write_key={}", common::KEY);
    let r = post_form(&w, &uri, &claim, [10, 0, 0, 9], UA_PROMOTER).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert!(
        r.headers.get(header::SET_COOKIE).is_some(),
        "the promoter's cookie"
    );
    let made = w
        .store
        .referral_of(PROMOTER)
        .await
        .unwrap()
        .expect("a code");
    assert_eq!(made.name, None);
    // Anyone may then read the page the code is on; the stranger's open of the friend's link
    // is a friend's, the promoter's is their own.
    let page = get(&w, &uri, [10, 7, 0, 9], UA_FRIEND).await;
    assert_eq!(code_of(&page.text), made.code);
}

/// The promoter's name changes only with the answer's write key; the page itself only reads
/// once the code is made (no new cookie) and is under the per-client limit.
#[tokio::test]
async fn the_promoters_name_takes_the_answers_write_key() {
    let w = world();
    let code = promoter_code(&w, "after-sales").await;
    let uri = format!("/s/after-sales/{PROMOTER}/refer");
    let page = get(&w, &uri, [10, 7, 0, 9], UA_FRIEND).await;
    assert_eq!(code_of(&page.text), code);
    assert!(
        page.headers.get(header::SET_COOKIE).is_none(),
        "a read only"
    );
    assert!(page.text.contains("name=\"write_key\""), "{}", page.text);
    for form in [
        "name=%E9%AA%97%E5%AD%90".to_owned(),
        "name=%E9%AA%97%E5%AD%90&write_key=00000000000000000000000000000000".to_owned(),
    ] {
        let r = post_form(&w, &uri, &form, [10, 7, 0, 9], UA_FRIEND).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{form}");
        assert!(
            r.text.contains("只有填写这份问卷的浏览器才能修改"),
            "{}",
            r.text
        );
    }
    assert_eq!(w.store.referral(&code).await.unwrap().unwrap().name, None);
    let ok = name_promoter(&w, "after-sales").await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text);
    assert_eq!(
        w.store
            .referral(&code)
            .await
            .unwrap()
            .unwrap()
            .name
            .as_deref(),
        Some("王先生")
    );
    // The page is rate limited like every public route.
    let w = world_with(2);
    answer(&w, PROMOTER, "after-sales", 10).await;
    let statuses = [
        as_promoter(&w, &uri).await.status,
        as_promoter(&w, &uri).await.status,
        as_promoter(&w, &uri).await.status,
    ];
    assert!(
        statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
}

/// A phone spelt in Chinese numerals is no name: the friend's form refuses it, the promoter's
/// name drops it, and no robot's thank-you carries a run of numerals.
#[tokio::test]
async fn a_phone_in_chinese_numerals_never_reaches_the_stores_robot() {
    let w = world();
    let (wecom, addr) = start(Kind::Wecom).await;
    let config = format!(
        "[[channel]]\nname = \"ft-wecom\"\nkind = \"wecom\"\nurl = \"{}\"\nstores = [\"SZ-FT\"]\n",
        url(Kind::Wecom, addr)
    );
    let org = nps_collector::org_file::read(ORG).unwrap();
    let config: Arc<Config> =
        Arc::new(nps_collector::alerts::file::read(&config, &org, &|_| None).unwrap());
    let worker = Worker::new(w.store.clone(), config, Live::new(names()), None);
    let code = promoter_code(&w, "after-sales").await;
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let uri = format!("/s/after-sales/{PROMOTER}/refer");
    let form = format!(
        "name={}&write_key={}",
        enc("王幺三八〇〇一三三七八八"),
        common::KEY
    );
    post_as_promoter(&w, &uri, &form).await;
    assert_eq!(w.store.referral(&code).await.unwrap().unwrap().name, None);
    let book = format!("/r/{code}/book");
    for name in ["一三八〇〇一三三七八八", "李壹叁捌-零零壹叁-叁柒捌捌"] {
        let form = format!("name={}&phone=13812345678&consent=1", enc(name));
        let r = post_as_friend(&w, &book, &form).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
    }
    assert!(w.store.referral_events(&code).await.unwrap().is_empty());
    let form = format!("name={}&phone=13812345678&consent=1", enc("李二"));
    let ok = post_as_friend(&w, &book, &form).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    worker.pass(&Now::system()).await.unwrap();
    let said = wecom.all_text();
    assert!(said.contains("李二"), "{said}");
    let run = nps_collector::alerts::message::longest_numeral_run(&said);
    assert!(
        run < nps_collector::alerts::message::MASKED_NUMERALS,
        "{run}: {said}"
    );
}

/// Only a person opening the link counts: an image another page embeds (`<img src=/r/…>`), a
/// chat app's link preview, a crawler and a `HEAD` are sent on like anyone, but never counted.
#[tokio::test]
async fn embeds_previews_and_heads_are_not_counted_as_friends() {
    let w = world();
    let code = promoter_code(&w, "after-sales").await;
    let uri = format!("/r/{code}");
    let embedded = from(Request::get(&uri), [10, 0, 0, 7], UA_FRIEND)
        .header("sec-fetch-dest", "image")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&w.app, embedded).await.status, StatusCode::SEE_OTHER);
    for (n, ua) in [
        "WhatsApp/2.0 (link preview)",
        "Mozilla/5.0 (compatible; Googlebot/2.1)",
        "",
    ]
    .into_iter()
    .enumerate()
    {
        get(&w, &uri, [10, 0, 1, n as u8], ua).await;
    }
    let head = from(
        Request::builder().method(Method::HEAD).uri(&uri),
        [10, 0, 0, 8],
        UA_FRIEND,
    )
    .body(Body::empty())
    .unwrap();
    send(&w.app, head).await;
    assert_eq!(w.store.referral_opens(&code).await.unwrap(), (0, 0));
    // A page load in a browser counts.
    let page = from(Request::get(&uri), [10, 0, 0, 9], UA_FRIEND)
        .header("sec-fetch-dest", "document")
        .body(Body::empty())
        .unwrap();
    send(&w.app, page).await;
    assert_eq!(w.store.referral_opens(&code).await.unwrap(), (1, 1));
}

/// The referral cookie a reply sets (`nps_rd=…`).
fn device_cookie(r: &Reply) -> String {
    let set = r.headers[header::SET_COOKIE].to_str().unwrap();
    let pair = set.split(';').next().unwrap().to_owned();
    assert!(pair.starts_with("nps_rd="), "{set}");
    pair
}

/// A cookie the collector did not sign (made up: any 32 hex digits, the shape cookies had
/// before they were signed) is no cookie: a new made-up cookie each time is not a new friend,
/// and the browser is given a signed one.
#[tokio::test]
async fn a_made_up_cookie_is_no_cookie_and_not_a_new_friend() {
    let w = world();
    let code = promoter_code(&w, "after-sales").await;
    let uri = format!("/r/{code}");
    let first = get(&w, &uri, [10, 8, 0, 1], UA_FRIEND).await;
    let signed = device_cookie(&first);
    for n in 0..3u128 {
        let forged = format!("nps_rd={:032x}", 0xabc0 + n);
        let req = from(Request::get(&uri), [10, 8, 0, 1], UA_FRIEND)
            .header(header::COOKIE, &forged)
            .body(Body::empty())
            .unwrap();
        let r = send(&w.app, req).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let given = device_cookie(&r);
        assert!(given != forged && given != signed, "{given}");
    }
    assert_eq!(w.store.referral_opens(&code).await.unwrap().0, 1);
}

/// A friend whose browser carries a cookie of its own is never the promoter, even on the
/// promoter's office Wi-Fi with the same phone and browser.
#[tokio::test]
async fn a_friend_with_a_cookie_on_the_promoters_network_and_phone_is_not_the_promoter() {
    let w = world();
    let code = promoter_code(&w, "after-sales").await;
    let uri = format!("/r/{code}");
    // At home: counted, and given the friend's own cookie.
    let home = get(&w, &uri, [10, 9, 0, 1], UA_PROMOTER).await;
    let cookie = device_cookie(&home);
    assert_eq!(w.store.referral_opens(&code).await.unwrap().0, 1);
    // At the promoter's office (the promoter's /24), the same phone model: books.
    let req = from(
        Request::builder()
            .method(Method::POST)
            .uri(format!("{uri}/book")),
        [10, 0, 0, 50],
        UA_PROMOTER,
    )
    .header(header::COOKIE, &cookie)
    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
    .body(Body::from("name=%E6%9D%8E&phone=13812345678&consent=1"))
    .unwrap();
    let booked = send(&w.app, req).await;
    assert_eq!(booked.status, StatusCode::OK, "{}", booked.text);
    assert!(!booked.text.contains("这是您自己的邀请链接"));
}

/// A chat app's link preview or a crawler fetching the promoter's page issues no code and
/// binds no device: the promoter's own browser issues it later, and is theirs.
#[tokio::test]
async fn a_link_preview_of_the_promoters_page_issues_nothing() {
    let w = world();
    answer(&w, PROMOTER, "after-sales", 10).await;
    let uri = format!("/s/after-sales/{PROMOTER}/refer");
    for ua in [
        "WhatsApp/2.0 (link preview)",
        "Mozilla/5.0 (compatible; Googlebot/2.1)",
        "",
    ] {
        let r = get(&w, &uri, [10, 0, 0, 1], ua).await;
        assert_eq!(r.status, StatusCode::OK, "{ua}");
        assert!(r.text.contains("正在生成"), "{ua}: {}", r.text);
        assert!(!r.text.contains("/r/"), "{ua}: {}", r.text);
        assert!(r.headers.get(header::SET_COOKIE).is_none(), "{ua}");
    }
    let framed = from(Request::get(&uri), [10, 0, 0, 1], UA_PROMOTER)
        .header("sec-fetch-dest", "iframe")
        .body(Body::empty())
        .unwrap();
    assert!(!send(&w.app, framed).await.text.contains("/r/"));
    assert_eq!(w.store.referral_of(PROMOTER).await.unwrap(), None);
    // The promoter opens it: the code, and their own opens are not counted.
    let page = as_promoter(&w, &uri).await;
    let code = code_of(&page.text);
    as_promoter(&w, &format!("/r/{code}")).await;
    assert_eq!(w.store.referral_opens(&code).await.unwrap(), (0, 1));
}

async fn with_token(w: &World, method: Method, uri: &str, token: &str) -> Reply {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    send(&w.app, req).await
}

/// The bookings a caller lists: each row's friend's name and phone (`None`: no key).
async fn bookings(w: &World, query: &str, token: &str) -> Vec<(String, Option<Value>)> {
    let r = with_token(
        w,
        Method::GET,
        &format!("/api/referrals/bookings{query}"),
        token,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");
    r.json()["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let name = row["friend_name"].as_str().unwrap_or("-").to_owned();
            (name, row.get("phone").cloned())
        })
        .collect()
}

#[tokio::test]
async fn the_store_lists_its_friends_bookings_masked_and_reveals_one_logged() {
    let w = world();
    let code = promoter_code(&w, "after-sales").await;
    name_promoter(&w, "after-sales").await;
    let ok = post_as_friend(
        &w,
        &format!("/r/{code}/book"),
        "name=%E6%9D%8E%E5%A5%B3%E5%A3%AB&phone=13812343788&date=2026-12-10&consent=1",
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    // Another store's promoter, whose friend booked later with no real date.
    let other = nps_collector::storage::NewReferral {
        code: "CCCCCCCCCCCCCCCCCCCCCCCC",
        response_id: "20000000-0000-4000-8000-000000000099",
        survey: "after-sales",
        store: Some("BJ-CY"),
        advisor: Some("zhao"),
        visit: Some("R-7"),
        device: None,
        device_fallback: None,
    };
    let other = w
        .store
        .referral_issue(&other, &Now::system())
        .await
        .unwrap();
    let booked = nps_collector::storage::NewEvent {
        code: &other.code,
        kind: nps_core::growth::referral::EventKind::Booked,
        reference: None,
        via: "form",
        at_ns: Now::system().ns + 1_000_000_000,
        friend_name: Some("赵先生"),
        friend_phone: Some("+8613900001111"),
        preferred_date: None,
        purge_after_ns: None,
    };
    w.store
        .referral_event(&booked, "{}", &Now::system())
        .await
        .unwrap();
    // The admin: both, newest first, masked; the stored row carries all the contract's fields.
    let all = bookings(&w, "", ADMIN).await;
    assert_eq!(
        all,
        [
            ("赵先生".to_owned(), Some(json!("139****1111"))),
            ("李女士".to_owned(), Some(json!("138****3788"))),
        ]
    );
    let r = with_token(
        &w,
        Method::GET,
        "/api/referrals/bookings?store=SZ-FT",
        ADMIN,
    )
    .await;
    let row = &r.json()["rows"][0];
    for (key, want) in [
        ("store", json!("SZ-FT")),
        ("advisor", json!("wang")),
        ("promoter_name", json!("王先生")),
        ("friend_name", json!("李女士")),
        ("preferred_date", json!("2026-12-10")),
        ("phone", json!("138****3788")),
        ("via", json!("form")),
    ] {
        assert_eq!(row[key], want, "{key}: {row}");
    }
    assert!(row["booked_at"].as_str().unwrap().ends_with('Z'), "{row}");
    let id = row["id"].as_str().unwrap().to_owned();
    assert!(!r.text.contains("13812343788"), "{}", r.text);
    // A store's token: its own store only; another store's sees nothing of it.
    let own = token(&w, Role::Store, Scope::Stores(vec!["SZ-FT".into()])).await;
    let beijing = token(&w, Role::Store, Scope::Stores(vec!["BJ-CY".into()])).await;
    let analyst = token(&w, Role::Analyst, Scope::All).await;
    assert_eq!(
        bookings(&w, "", &own).await,
        [("李女士".to_owned(), Some(json!("138****3788")))]
    );
    assert_eq!(
        bookings(&w, "?store=SZ-FT", &beijing).await,
        [],
        "asking for another store gives nothing"
    );
    assert_eq!(bookings(&w, "", &beijing).await.len(), 1);
    // An analyst: the rows without any phone.
    assert_eq!(
        bookings(&w, "", &analyst).await,
        [("赵先生".to_owned(), None), ("李女士".to_owned(), None)]
    );
    assert!(bookings(&w, "?from=2099-01-01", ADMIN).await.is_empty());
    let bad = with_token(&w, Method::GET, "/api/referrals/bookings?by=store", ADMIN).await;
    assert_eq!(
        (bad.status, bad.json()["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("by"))
    );
    // The reveal: in scope only, the phone in full, recorded first.
    let reveal = format!("/api/referrals/bookings/{id}/reveal");
    for (who, want) in [
        (&beijing, StatusCode::NOT_FOUND),
        (&analyst, StatusCode::FORBIDDEN),
        (&"nope".to_owned(), StatusCode::UNAUTHORIZED),
    ] {
        let r = with_token(&w, Method::POST, &reveal, who).await;
        assert_eq!(r.status, want, "{}", r.text);
        assert!(!r.text.contains("3788"), "{}", r.text);
    }
    let unknown = with_token(&w, Method::POST, "/api/referrals/bookings/x/reveal", &own).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(w
        .store
        .audit()
        .await
        .unwrap()
        .iter()
        .all(|e| e.action != "reveal"));
    let r = with_token(&w, Method::POST, &reveal, &own).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");
    assert!(r.json()["phone"].as_str().unwrap().ends_with("13812343788"));
    let logged: Vec<_> = w
        .store
        .audit()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "reveal")
        .collect();
    assert_eq!(logged.len(), 1);
    assert!(logged[0].who.starts_with("token:"), "{}", logged[0].who);
    assert_eq!(logged[0].detail, json!({"booking": id, "store": "SZ-FT"}));
    // Once the phone's retention has passed, nothing is left to reveal.
    let later = Now {
        at: String::new(),
        ns: Now::system().ns + 31 * 86_400 * 1_000_000_000,
    };
    w.store.purge(later).await.unwrap();
    assert_eq!(
        with_token(&w, Method::POST, &reveal, &own).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        bookings(&w, "?store=SZ-FT", ADMIN).await,
        [("李女士".to_owned(), Some(Value::Null))]
    );
}

#[tokio::test]
async fn a_booking_keeps_only_a_real_preferred_date() {
    let w = world();
    let code = promoter_code(&w, "after-sales").await;
    for (n, date) in ["2026-02-30", "2026-12-1x", "2026-12-10"]
        .iter()
        .enumerate()
    {
        post_as_friend(
            &w,
            &format!("/r/{code}/book"),
            &format!("name=%E6%9D%8E&phone=1381234378{n}&date={date}&consent=1"),
        )
        .await;
    }
    let r = with_token(&w, Method::GET, "/api/referrals/bookings", ADMIN).await;
    let dates: Vec<Value> = r.json()["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["preferred_date"].clone())
        .collect();
    assert_eq!(dates, [json!("2026-12-10"), Value::Null, Value::Null]);
}

/// A referral code is issued only for an answer the collector can trust: not flagged (here:
/// answered too fast), and, with a visit secret, from a signed visit (a store typed into a
/// post proves nothing).
#[tokio::test]
async fn a_flagged_or_unsigned_answer_gets_no_referral_code() {
    let key = nps_collector::visit::VisitKey::new("a visit secret of some length").unwrap();
    let path = db_path();
    let store = Store::open(&path).unwrap();
    let mut s = settings(0);
    s.min_fill_ms = Some(2_000);
    s.visit_key =
        Some(nps_collector::visit::VisitKey::new("a visit secret of some length").unwrap());
    let w = World {
        app: app(store.clone(), s),
        store,
        path,
        jar: Default::default(),
    };
    let post = |id: &str, context: Value, updated_at: &str| {
        let mut b = common::body("completed", Some(10), updated_at);
        b["id"] = json!(id);
        b["context"] = context;
        b
    };
    let refer = |id: &str| format!("/s/after-sales/{id}/refer");
    // Answered half a second after it was shown: flagged, no code.
    let fast = "20000000-0000-4000-8000-000000000011";
    let r = common::post(
        &w.app,
        &post(fast, json!({"store": "SZ-FT"}), "2026-11-23T08:30:00.500Z"),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text);
    assert_eq!(
        as_promoter(&w, &refer(fast)).await.status,
        StatusCode::NOT_FOUND
    );
    // A store typed into a post, no signed visit: no code.
    let typed = "20000000-0000-4000-8000-000000000012";
    let r = common::post(
        &w.app,
        &post(typed, json!({"store": "SZ-FT"}), "2026-11-23T08:31:00.000Z"),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text);
    assert_eq!(
        as_promoter(&w, &refer(typed)).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(w.store.referral_of(typed).await.unwrap().is_none());
    // A signed visit: its promoter's page.
    let signed = "20000000-0000-4000-8000-000000000013";
    let carried: std::collections::BTreeMap<String, String> =
        [("store", "SZ-FT"), ("visit", "R-SIGNED")]
            .map(|(k, v)| (k.into(), v.into()))
            .into();
    let t = key.sign("after-sales", &carried, 4_102_444_800);
    let ctx = json!({"store": "SZ-FT", "visit": "R-SIGNED", "t": t});
    let r = common::post(&w.app, &post(signed, ctx, "2026-11-23T08:31:00.000Z")).await;
    assert!(r.status.is_success(), "{}", r.text);
    let page = as_promoter(&w, &refer(signed)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
}
