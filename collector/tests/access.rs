//! What each person sees, tried as an attacker would: every protected route × every kind of
//! caller (a person signed in as admin, region manager, store manager or analyst; a machine
//! token of each role; the admin token; no credential) × a row in their scope, one outside it
//! and one with no store, against the brand of docs/org.toml (two regions, three cities, four
//! stores). Each answer's status is checked, and what its body may hold: no row outside the
//! scope, no full phone but through a reveal, no phone at all for an analyst. Then the
//! credentials that must open nothing: a forged cookie, sessions past their idle or absolute
//! end, a revoked session, a disabled account's session, a revoked machine token; and a
//! signed-in change from another origin, which changes nothing. `GET /api/session` says who
//! each caller is; `DELETE /api/session` signs out only from the collector's own page.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use common::{db_path, send, Reply};
use nps_collector::{app, write_key, Now, Settings, Store};
use nps_core::access::{Role, Scope};
use nps_core::scoring::analysis::Names;
use serde_json::{json, Value};

const ORG: &str = include_str!("../../docs/org.toml");
const HOST: &str = "collector.test";
const ADMIN_TOKEN: &str = "the-admin-token";
const HOUR: i64 = 3_600_000_000_000;

/// A row of SZ-FT (south): in every scope below.
const IN: &str = "10000000-0000-4000-8000-000000000001";
/// A row of BJ-CY (north): in an admin's scope only.
const OUT: &str = "10000000-0000-4000-8000-000000000002";
/// A row with no store: in an all-scope only.
const NO_STORE: &str = "10000000-0000-4000-8000-000000000003";
/// A row of SZ-FT without a phone.
const NO_PHONE: &str = "10000000-0000-4000-8000-000000000004";

/// An id no row has.
const UNKNOWN: &str = "10000000-0000-4000-8000-000000000999";

/// Each row's phone as stored, and the digits a leak would show.
const PHONES: [(&str, &str, &str); 3] = [
    (IN, "+8613812343788", "13812343788"),
    (OUT, "+8613900001111", "13900001111"),
    (NO_STORE, "+8613700002222", "13700002222"),
];

fn phone_of(id: &str) -> &'static str {
    PHONES.iter().find(|p| p.0 == id).unwrap().1
}

/// Who calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Session(Role),
    Token(Role),
    AdminToken,
    Nobody,
}

const KINDS: [Kind; 10] = [
    Kind::Session(Role::Admin),
    Kind::Session(Role::Region),
    Kind::Session(Role::Store),
    Kind::Session(Role::Analyst),
    Kind::Token(Role::Admin),
    Kind::Token(Role::Region),
    Kind::Token(Role::Store),
    Kind::Token(Role::Analyst),
    Kind::AdminToken,
    Kind::Nobody,
];

impl Kind {
    /// The role the caller acts with (`None`: no credential).
    fn role(self) -> Option<Role> {
        match self {
            Kind::Session(r) | Kind::Token(r) => Some(r),
            Kind::AdminToken => Some(Role::Admin),
            Kind::Nobody => None,
        }
    }

    fn sees_all(self) -> bool {
        self.role() == Some(Role::Admin)
    }
}

fn scope_of(role: Role) -> Scope {
    match role {
        Role::Admin => Scope::All,
        Role::Region => Scope::Regions(vec!["south".into()]),
        Role::Store | Role::Analyst => Scope::Stores(vec!["SZ-FT".into()]),
    }
}

/// A collector with the example org, four rows, and a credential for every kind.
struct World {
    app: Router,
    store: Store,
    cookies: Vec<(Role, String)>,
    tokens: Vec<(Role, String)>,
}

fn body(id: &str, store: Option<&str>, phone: Option<&str>) -> Value {
    let mut b = common::body("completed", Some(3), "2026-11-23T08:31:00.000Z");
    b["id"] = json!(id);
    b["context"] = match store {
        Some(s) => json!({"store": s, "advisor": "wang"}),
        None => json!({}),
    };
    if let Some(p) = phone {
        b["contact"] = json!({"phone": p, "consent": true, "callback_hours": 48});
    }
    b
}

async fn world() -> World {
    let store = Store::open(db_path()).unwrap();
    let now = Now::system();
    for (id, at, phone) in [
        (IN, Some("SZ-FT"), Some(phone_of(IN))),
        (OUT, Some("BJ-CY"), Some(phone_of(OUT))),
        (NO_STORE, None, Some(phone_of(NO_STORE))),
        (NO_PHONE, Some("SZ-FT"), None),
    ] {
        let r = nps_core::contract::payload::Response::parse(&body(id, at, phone)).unwrap();
        store.upsert(r, now.clone(), None).await.unwrap();
    }
    let mut cookies = Vec::new();
    let mut tokens = Vec::new();
    for role in Role::ALL {
        let email = format!("{}@brand.example", role.key());
        let user = store
            .user_add(&email, role, &scope_of(role), &now)
            .await
            .unwrap()
            .unwrap();
        cookies.push((role, live_session(&store, user.id, role.key()).await));
        let secret = format!("machine-{}", role.key());
        let hash = write_key::hash(&secret);
        store
            .token_add(&hash, role.key(), role, &scope_of(role), &now)
            .await
            .unwrap();
        tokens.push((role, secret));
    }
    let names = Names::default().with_org(nps_collector::org_file::read(ORG).unwrap());
    let settings = Settings {
        admin_token: ADMIN_TOKEN.into(),
        rate_limit: 0,
        names,
        ..Settings::default()
    };
    World {
        app: app(store.clone(), settings),
        store,
        cookies,
        tokens,
    }
}

/// A session started `ago_ns` before now, ending `idle_ns` after its last use and
/// `absolute_ns` after it started; its cookie value.
async fn session(store: &Store, user: i64, tag: &str, ago_ns: i64, idle: i64, abs: i64) -> String {
    let id = format!("session-{tag}-{}", uuid::Uuid::new_v4());
    let t = time::OffsetDateTime::now_utc() - time::Duration::nanoseconds(ago_ns);
    store
        .session_add(&write_key::hash(&id), user, &Now::from_time(t), idle, abs)
        .await
        .unwrap();
    id
}

async fn live_session(store: &Store, user: i64, tag: &str) -> String {
    session(store, user, tag, 0, 8 * HOUR, 7 * 24 * HOUR).await
}

/// A request as `kind` sends it; a signed-in write comes from the collector's own page.
fn request(w: &World, kind: Kind, method: Method, uri: &str) -> Request<Body> {
    let mut b = Request::builder()
        .method(method.clone())
        .uri(uri)
        .header(header::HOST, HOST);
    let find = |list: &[(Role, String)], r: Role| list.iter().find(|c| c.0 == r).unwrap().1.clone();
    match kind {
        Kind::Session(r) => {
            b = b.header(
                header::COOKIE,
                format!("nps_session={}", find(&w.cookies, r)),
            );
            if method != Method::GET {
                b = b.header(header::ORIGIN, format!("http://{HOST}"));
            }
        }
        Kind::Token(r) => {
            b = b.header(
                header::AUTHORIZATION,
                format!("Bearer {}", find(&w.tokens, r)),
            )
        }
        Kind::AdminToken => b = b.header(header::AUTHORIZATION, format!("Bearer {ADMIN_TOKEN}")),
        Kind::Nobody => {}
    }
    b.body(Body::empty()).unwrap()
}

async fn call(w: &World, kind: Kind, method: Method, uri: &str) -> Reply {
    send(&w.app, request(w, kind, method, uri)).await
}

/// No full phone of any row in a body that is not a reveal's.
fn no_full_phone(what: &str, text: &str) {
    for (_, _, digits) in PHONES {
        assert!(!text.contains(digits), "{what}: a full phone in {text}");
    }
}

/// The rows a kind's export must hold: all for an admin, the in-scope rows for the rest.
fn rows_seen(kind: Kind) -> Vec<&'static str> {
    match kind.sees_all() {
        true => vec![IN, OUT, NO_STORE, NO_PHONE],
        false => vec![IN, NO_PHONE],
    }
}

#[tokio::test]
async fn the_export_holds_the_callers_scope_with_phones_masked_or_left_out() {
    let w = world().await;
    for kind in KINDS {
        for format in ["json", "csv"] {
            let r = call(
                &w,
                kind,
                Method::GET,
                &format!("/api/responses?format={format}"),
            )
            .await;
            let what = format!("{kind:?} {format}");
            let Some(role) = kind.role() else {
                assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{what}");
                assert!(!r.text.contains(IN), "{what}");
                continue;
            };
            assert_eq!(r.status, StatusCode::OK, "{what}: {}", r.text);
            assert_eq!(r.headers[header::CACHE_CONTROL], "no-store", "{what}");
            no_full_phone(&what, &r.text);
            let rows = match format {
                "json" => nps_dashboard::data::from_json(&r.text),
                _ => nps_dashboard::data::from_csv(&r.text),
            }
            .unwrap();
            let mut ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
            ids.sort();
            let mut want = rows_seen(kind);
            want.sort();
            assert_eq!(ids, want, "{what}");
            let phone_of_in = rows.iter().find(|r| r.id == IN).unwrap().phone.clone();
            if role == Role::Analyst {
                assert_eq!(phone_of_in, None, "{what}");
                assert!(!r.text.contains("****"), "{what}: {}", r.text);
                if format == "json" {
                    assert!(!r.text.contains("\"phone\""), "{what}: {}", r.text);
                }
            } else {
                assert_eq!(phone_of_in.as_deref(), Some("138****3788"), "{what}");
            }
        }
    }
    // Every export is in the audit trail, with its filters and the caller's scope.
    let exports: Vec<_> = w
        .store
        .audit()
        .await
        .unwrap()
        .into_iter()
        .filter(|l| l.action == "export")
        .collect();
    assert_eq!(exports.len(), 2 * (KINDS.len() - 1));
    let store_line = exports
        .iter()
        .find(|l| l.who == "user:store@brand.example")
        .unwrap();
    assert_eq!(store_line.detail["scope"], json!({"stores": ["SZ-FT"]}));
    assert_eq!(store_line.detail["format"], "json");
    // The CSV keeps its columns whoever asks: an analyst's phone cell is there, empty.
    let admin_csv = call(
        &w,
        Kind::AdminToken,
        Method::GET,
        "/api/responses?format=csv",
    )
    .await;
    let analyst_csv = call(
        &w,
        Kind::Session(Role::Analyst),
        Method::GET,
        "/api/responses?format=csv",
    )
    .await;
    let header_line = |t: &str| t.lines().next().unwrap().to_owned();
    assert_eq!(header_line(&admin_csv.text), header_line(&analyst_csv.text));
}

#[tokio::test]
async fn the_names_are_the_callers_scope() {
    let w = world().await;
    for kind in KINDS {
        let r = call(&w, kind, Method::GET, "/api/names").await;
        let Some(role) = kind.role() else {
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{kind:?}");
            continue;
        };
        assert_eq!(r.status, StatusCode::OK, "{kind:?}");
        let v = r.json();
        let stores: Vec<&str> = v["org"]["stores"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap())
            .collect();
        let want: &[&str] = match role {
            Role::Admin => &["SZ-FT", "SZ-NS", "GZ-TH", "BJ-CY"],
            Role::Region => &["SZ-FT", "SZ-NS", "GZ-TH"],
            Role::Store | Role::Analyst => &["SZ-FT"],
        };
        assert_eq!(stores, want, "{kind:?}");
        assert_eq!(
            v["store"].as_object().unwrap().len(),
            want.len(),
            "{kind:?}"
        );
        // Nothing of the north outside an admin's scope: its store, city, advisor, region.
        let north = ["BJ-CY", "北京", "马超", "华北大区"];
        let shows_north = north.iter().any(|n| r.text.contains(n));
        assert_eq!(shows_north, role == Role::Admin, "{kind:?}: {}", r.text);
        assert!(!r.text.contains("@brand.example"), "{kind:?}");
    }
}

#[tokio::test]
async fn a_reveal_gives_one_phone_in_scope_and_is_logged() {
    let w = world().await;
    let nowhere = call(
        &w,
        Kind::AdminToken,
        Method::POST,
        &format!("/api/responses/{UNKNOWN}/reveal"),
    )
    .await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    let not_found = nowhere.json()["error"]
        .as_str()
        .unwrap()
        .replace(UNKNOWN, "ID");
    for kind in KINDS {
        for id in [IN, OUT, NO_STORE, NO_PHONE] {
            let r = call(
                &w,
                kind,
                Method::POST,
                &format!("/api/responses/{id}/reveal"),
            )
            .await;
            let what = format!("{kind:?} {id}");
            let in_scope = kind.sees_all() || id == IN || id == NO_PHONE;
            let want = match kind.role() {
                None => StatusCode::UNAUTHORIZED,
                Some(Role::Analyst) => StatusCode::FORBIDDEN,
                Some(_) if in_scope && id != NO_PHONE => StatusCode::OK,
                Some(_) => StatusCode::NOT_FOUND,
            };
            assert_eq!(r.status, want, "{what}: {}", r.text);
            match want {
                StatusCode::OK => {
                    assert_eq!(r.json(), json!({"id": id, "phone": phone_of(id)}), "{what}")
                }
                StatusCode::NOT_FOUND => {
                    // The same words as an unknown id: nothing says a row is there.
                    let said = r.json()["error"].as_str().unwrap().replace(id, "ID");
                    assert_eq!(said, not_found, "{what}");
                    no_full_phone(&what, &r.text);
                }
                _ => no_full_phone(&what, &r.text),
            }
        }
    }
    let reveals: Vec<_> = w
        .store
        .audit()
        .await
        .unwrap()
        .into_iter()
        .filter(|l| l.action == "reveal")
        .collect();
    // An admin of each kind reveals 3 rows; a region and a store manager of each kind 1.
    assert_eq!(reveals.len(), 3 * 3 + 4);
    let line = reveals
        .iter()
        .find(|l| l.who == "user:store@brand.example")
        .unwrap();
    assert_eq!(line.detail, json!({"id": IN, "store": "SZ-FT"}));
    no_full_phone(
        "the audit trail",
        &serde_json::to_string(&line.detail).unwrap(),
    );
}

#[tokio::test]
async fn only_an_admin_deletes_and_only_in_scope() {
    for kind in KINDS {
        for id in [IN, OUT, NO_STORE] {
            let w = world().await;
            let r = call(&w, kind, Method::DELETE, &format!("/api/responses/{id}")).await;
            let what = format!("{kind:?} {id}");
            let want = match kind.role() {
                None => StatusCode::UNAUTHORIZED,
                Some(Role::Admin) => StatusCode::NO_CONTENT,
                Some(_) => StatusCode::FORBIDDEN,
            };
            assert_eq!(r.status, want, "{what}: {}", r.text);
            let kept = w.store.body(id).await.unwrap().is_some();
            assert_eq!(kept, want != StatusCode::NO_CONTENT, "{what}");
            let deletes = w
                .store
                .audit()
                .await
                .unwrap()
                .into_iter()
                .filter(|l| l.action == "delete")
                .count();
            assert_eq!(deletes, usize::from(!kept), "{what}");
        }
    }
    // An admin's unknown id is a 404.
    let w = world().await;
    let r = call(
        &w,
        Kind::AdminToken,
        Method::DELETE,
        &format!("/api/responses/{UNKNOWN}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_audit_trail_is_for_admins_and_reading_it_is_logged() {
    let w = world().await;
    for kind in KINDS {
        for query in ["", "?format=csv", "?action=export"] {
            let r = call(&w, kind, Method::GET, &format!("/api/audit{query}")).await;
            let want = match kind.role() {
                None => StatusCode::UNAUTHORIZED,
                Some(Role::Admin) => StatusCode::OK,
                Some(_) => StatusCode::FORBIDDEN,
            };
            assert_eq!(r.status, want, "{kind:?} {query}: {}", r.text);
        }
    }
    let r = call(&w, Kind::AdminToken, Method::GET, "/api/audit").await;
    let lines = r.json();
    let lines = lines.as_array().unwrap();
    // Newest first: this read itself, then the earlier admins' reads.
    assert_eq!(lines[0]["action"], "audit_read");
    assert_eq!(lines[0]["who"], "admin-token");
    let ids: Vec<i64> = lines.iter().map(|l| l["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|p| p[0] > p[1]), "{ids:?}");
    // (Beside them: a machine token's first use, `token_use`.)
    let reads = lines.iter().filter(|l| l["action"] == "audit_read").count();
    assert_eq!(
        reads,
        3 * 3 + 1,
        "the reads of the three admins, and this one"
    );
    let csv = call(
        &w,
        Kind::AdminToken,
        Method::GET,
        "/api/audit?format=csv&who=admin-token",
    )
    .await;
    assert_eq!(csv.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert!(csv
        .text
        .trim_start_matches('\u{feff}')
        .starts_with("id,at,who,action,detail\n"));
    let bad = call(&w, Kind::AdminToken, Method::GET, "/api/audit?action=peek").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json()["field"], "action");
}

/// What must open nothing: each credential on the export, which would otherwise answer 200.
#[tokio::test]
async fn dead_forged_and_revoked_credentials_open_nothing() {
    let w = world().await;
    let store = &w.store;
    let now = Now::system();
    let user = store
        .user_add("late@brand.example", Role::Admin, &Scope::All, &now)
        .await
        .unwrap()
        .unwrap();
    let day = 24 * HOUR;
    let idle_ended = session(store, user.id, "idle", 10 * HOUR, 8 * HOUR, 7 * day).await;
    let absolute_ended = session(store, user.id, "abs", 8 * day, 30 * day, 7 * day).await;
    let revoked = live_session(store, user.id, "revoked").await;
    assert!(store
        .session_revoke(&write_key::hash(&revoked), &now)
        .await
        .unwrap());
    let live = live_session(store, user.id, "live").await;
    let ok = |cookie: &str| {
        Request::builder()
            .uri("/api/responses")
            .header(header::COOKIE, format!("nps_session={cookie}"))
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(
        send(&w.app, ok(&live)).await.status,
        StatusCode::OK,
        "a live session opens"
    );
    // A disabled account: its session ends, and a session made after the disable opens nothing.
    let victim = store
        .user_add("gone@brand.example", Role::Admin, &Scope::All, &now)
        .await
        .unwrap()
        .unwrap();
    let before = live_session(store, victim.id, "before").await;
    assert!(store
        .user_set_disabled(victim.id, true, &now)
        .await
        .unwrap());
    let after = live_session(store, victim.id, "after").await;
    let forged = uuid::Uuid::new_v4().to_string();
    for (what, cookie) in [
        ("forged", forged.as_str()),
        ("idle end passed", &idle_ended),
        ("absolute end passed", &absolute_ended),
        ("revoked", &revoked),
        ("disabled, before", &before),
        ("disabled, after", &after),
    ] {
        let r = send(&w.app, ok(cookie)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{what}");
        assert!(!r.text.contains(IN), "{what}");
        let who = Request::builder()
            .uri("/api/session")
            .header(header::COOKIE, format!("nps_session={cookie}"))
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            send(&w.app, who).await.status,
            StatusCode::UNAUTHORIZED,
            "{what}: who am I"
        );
    }
    // A revoked machine token.
    let hash = write_key::hash("machine-admin");
    let token = store
        .tokens()
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.label == "admin")
        .unwrap();
    assert!(store.token_revoke(token.id, &now).await.unwrap());
    let r = call(&w, Kind::Token(Role::Admin), Method::GET, "/api/responses").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(store.token_use(&hash, &now).await.unwrap().is_none());
}

/// A page elsewhere cannot act with a signed-in admin's cookie: a delete and a reveal from
/// another origin (or saying none) are refused, and nothing changes or is revealed.
#[tokio::test]
async fn a_signed_in_change_from_another_origin_changes_nothing() {
    let w = world().await;
    let admin = w
        .cookies
        .iter()
        .find(|c| c.0 == Role::Admin)
        .unwrap()
        .1
        .clone();
    for origin in [Some("https://evil.example"), Some("null"), None] {
        for (method, uri) in [
            (Method::DELETE, format!("/api/responses/{IN}")),
            (Method::POST, format!("/api/responses/{IN}/reveal")),
        ] {
            let mut b = Request::builder()
                .method(method.clone())
                .uri(&uri)
                .header(header::HOST, HOST)
                .header(header::COOKIE, format!("nps_session={admin}"));
            if let Some(o) = origin {
                b = b.header(header::ORIGIN, o);
            }
            let r = send(&w.app, b.body(Body::empty()).unwrap()).await;
            assert_eq!(
                r.status,
                StatusCode::FORBIDDEN,
                "{method} {origin:?}: {}",
                r.text
            );
            no_full_phone("a refused reveal", &r.text);
        }
    }
    assert!(w.store.body(IN).await.unwrap().is_some(), "nothing deleted");
    let acted = w
        .store
        .audit()
        .await
        .unwrap()
        .into_iter()
        .filter(|l| l.action == "reveal" || l.action == "delete")
        .count();
    assert_eq!(acted, 0, "nothing revealed or deleted");
}

/// `GET /api/session` says who is calling, with the role and scope they act with;
/// `DELETE /api/session` signs a person out from the collector's own page only.
#[tokio::test]
async fn the_session_route_says_who_calls_and_signs_out_only_from_here() {
    let w = world().await;
    for kind in KINDS {
        let r = call(&w, kind, Method::GET, "/api/session").await;
        let Some(role) = kind.role() else {
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{kind:?}");
            continue;
        };
        assert_eq!(r.status, StatusCode::OK, "{kind:?}: {}", r.text);
        let v = r.json();
        assert_eq!(v["role"], role.key(), "{kind:?}");
        assert_eq!(
            v["scope"],
            serde_json::to_value(scope_of(role)).unwrap(),
            "{kind:?}"
        );
        let who = v["who"].as_str().unwrap();
        let want = match kind {
            Kind::Session(_) => format!("user:{}@brand.example", role.key()),
            Kind::Token(_) => "token:".to_owned(),
            _ => "admin-token".to_owned(),
        };
        assert!(who.starts_with(&want), "{kind:?}: {who}");
    }
    // From another site's page, a signed-in sign-out is refused and the session lives on.
    let store_cookie = w
        .cookies
        .iter()
        .find(|c| c.0 == Role::Store)
        .unwrap()
        .1
        .clone();
    let evil = Request::builder()
        .method(Method::DELETE)
        .uri("/api/session")
        .header(header::HOST, HOST)
        .header(header::ORIGIN, "https://evil.example")
        .header(header::COOKIE, format!("nps_session={store_cookie}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&w.app, evil).await.status, StatusCode::FORBIDDEN);
    let me = call(&w, Kind::Session(Role::Store), Method::GET, "/api/session").await;
    assert_eq!(me.status, StatusCode::OK, "still signed in");
    // From the collector's own page it ends, and the cookie opens nothing after.
    let out = call(
        &w,
        Kind::Session(Role::Store),
        Method::DELETE,
        "/api/session",
    )
    .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{}", out.text);
    for path in ["/api/session", "/api/responses", "/api/names"] {
        let r = call(&w, Kind::Session(Role::Store), Method::GET, path).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path} after sign-out");
    }
    assert_eq!(
        call(&w, Kind::Nobody, Method::DELETE, "/api/session")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

/// A post of `body` as `kind` sends it.
async fn post_json(w: &World, kind: Kind, uri: &str, body: Value) -> Reply {
    let (mut parts, _) = request(w, kind, Method::POST, uri).into_parts();
    parts.headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    send(
        &w.app,
        Request::from_parts(parts, Body::from(body.to_string())),
    )
    .await
}

#[tokio::test]
async fn visits_and_referral_events_are_reported_by_machine_tokens_and_admins_only() {
    // The inputs of a store's response and referral rates: a store or region manager signed
    // in writes none (they could invent purchases for their own codes, or claim visits); the
    // brand's systems (machine tokens of their scope) and an admin do.
    let w = world().await;
    for (n, kind) in KINDS.into_iter().enumerate() {
        let allowed = match kind {
            Kind::Nobody => None,
            Kind::Session(r) => Some(r == Role::Admin),
            Kind::Token(r) => Some(r != Role::Analyst),
            Kind::AdminToken => Some(true),
        };
        let visits =
            json!([{"survey": "after-sales", "visit": format!("A-{n}"), "store": "SZ-FT"}]);
        let r = post_json(&w, kind, "/api/visits", visits).await;
        let want = match allowed {
            None => StatusCode::UNAUTHORIZED,
            Some(true) => StatusCode::OK,
            Some(false) => StatusCode::FORBIDDEN,
        };
        assert_eq!(r.status, want, "{kind:?} visits: {}", r.text);
        // A code that is none: a caller allowed to report is told it is unknown (404), one
        // that is not is refused before any code is looked at.
        let event = json!({"type": "purchased", "id": "SO-1"});
        let r = post_json(
            &w,
            kind,
            "/api/referrals/AAAAAAAAAAAAAAAAAAAAAAAA/events",
            event,
        )
        .await;
        let want = match allowed {
            None => StatusCode::UNAUTHORIZED,
            Some(true) => StatusCode::NOT_FOUND,
            Some(false) => StatusCode::FORBIDDEN,
        };
        assert_eq!(r.status, want, "{kind:?} events: {}", r.text);
        if want == StatusCode::FORBIDDEN {
            assert!(r.text.contains("machine token"), "{kind:?}: {}", r.text);
        }
    }
}
