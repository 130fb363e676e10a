//! The dashboard's two reads of large data: `GET /api/responses?format=columns` (the compact
//! columns, read back with the core's codec) and `GET /api/comments` (the comments, newest
//! first, a page at a time, by reason, store, category and words), each in the caller's scope
//! (an analyst of one store sees only its rows and comments), never a phone, a bad query key
//! named, each read in the audit trail.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use common::db_path;
use http_body_util::BodyExt;
use nps_collector::{app, write_key, Admission, Now, Settings, Store};
use nps_core::access::{Role, Scope};
use nps_core::contract::columns::{self, COMMENT, FLAGGED, PHONE, TOO_FAST};
use nps_core::contract::context::Dimension;
use nps_core::contract::payload::Response;
use nps_core::scoring::analysis::Names;
use serde_json::{json, Value};
use tower::ServiceExt;

const ORG: &str = include_str!("../../docs/org.toml");
const DAY: i64 = 86_400_000_000_000;
/// 2026-11-01T02:00:00Z.
const NOV_1: i64 = 1_793_498_400_000_000_000;
const PHONE_NUMBER: &str = "+8613800138000";

fn at(ns: i64) -> Now {
    Now::from_time(time::OffsetDateTime::from_unix_timestamp_nanos(ns as i128).unwrap())
}

fn answer(n: usize, store: &str, score: u8, reasons: &[&str], comment: &str, ns: i64) -> Response {
    let t = at(ns).at;
    let contact = match n {
        1 => json!({"phone": PHONE_NUMBER, "consent": true, "callback_hours": 24}),
        _ => Value::Null,
    };
    Response::parse(
        &json!({"schema": 1, "id": format!("50000000-0000-4000-8000-{n:012}"),
        "survey": "after-sales", "stage": "completed", "score": score,
        "category": nps_core::scoring::score::category(score as i64).unwrap().as_str(),
        "reasons": reasons, "comment": comment, "contact": contact,
        "context": {"store": store, "advisor": "wang", "touchpoint": "qr",
            "model": if store == "BJ-CY" { "suv" } else { "sedan" }}, "locale": "zh-CN",
        "page": null, "created_at": t, "updated_at": t}),
    )
    .unwrap()
}

/// A comment with a phone typed in it.
const PRICED: &str = "收费太贵，请回电13800138000";

/// SZ-FT: four detractors waiting (the first left a phone), a promoter with no comment, a
/// flagged one; BJ-CY: two detractors charged too much (one typed a phone in its comment).
async fn world() -> Router {
    let store = Store::open(db_path()).unwrap();
    let now = Now::system();
    for (who, role, scope) in [
        ("admin", Role::Admin, Scope::All),
        ("ft", Role::Analyst, Scope::Stores(vec!["SZ-FT".into()])),
    ] {
        store
            .token_add(&write_key::hash(who), who, role, &scope, &now)
            .await
            .unwrap();
    }
    let mut posts = Vec::new();
    let mut n = 0;
    let mut add = |store: &str, score: u8, reasons: &[&str], comment: &str, d: i64, flag| {
        n += 1;
        let ns = NOV_1 + d * DAY;
        posts.push((
            answer(n, store, score, reasons, comment, ns),
            at(ns),
            flag,
            Admission::operator(),
        ));
    };
    for d in 0..4 {
        add("SZ-FT", 3, &["wait_time"], "等待太久 Slow", d, None);
    }
    add("SZ-FT", 10, &[], "", 4, None);
    add("SZ-FT", 2, &["wait_time"], "等待", 5, Some("too_fast"));
    add("BJ-CY", 4, &["price"], PRICED, 6, None);
    add("BJ-CY", 1, &["price", "wait_time"], "太慢也太贵", 7, None);
    store.upsert_batch(posts).await.unwrap();
    app(
        store,
        Settings {
            admin_token: "the-admin-token".into(),
            rate_limit: 0,
            names: Names::default().with_org(nps_collector::org_file::read(ORG).unwrap()),
            ..Settings::default()
        },
    )
}

async fn get(app: &Router, bearer: &str, uri: &str) -> (StatusCode, Vec<u8>) {
    let r = app
        .clone()
        .oneshot(
            Request::get(uri)
                .header(header::AUTHORIZATION, format!("Bearer {bearer}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let status = r.status();
    (
        status,
        r.into_body().collect().await.unwrap().to_bytes().to_vec(),
    )
}

async fn json_of(app: &Router, bearer: &str, uri: &str) -> (StatusCode, Value) {
    let (status, bytes) = get(app, bearer, uri).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn the_columns_hold_each_answer_of_the_scope_and_never_a_comment_or_phone() {
    let app = world().await;
    let (status, body) = get(&app, "admin", "/api/responses?format=columns").await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8_lossy(&body);
    assert!(!text.contains("8613800138000") && !text.contains("等待"));
    let c = columns::read(&body).unwrap();
    assert_eq!(c.len(), 8);
    let scores: Vec<Option<u8>> = c.score.iter().map(|s| s.map(|s| s.get())).collect();
    assert_eq!(
        scores,
        [3, 3, 3, 3, 10, 2, 4, 1].map(Some).to_vec(),
        "oldest first"
    );
    assert_eq!(c.marks[0], COMMENT | PHONE);
    assert_eq!((c.marks[4], c.marks[5]), (0, FLAGGED | TOO_FAST | COMMENT));
    assert_eq!(c.code(Dimension::Store, 7), "BJ-CY");
    assert_eq!(c.code(Dimension::Advisor, 7), "wang");
    assert_eq!(c.reasons_of(7).collect::<Vec<_>>(), ["price", "wait_time"]);
    assert_eq!(c.created[1] - c.created[0], 1440, "a day in minutes");
    assert_eq!(c.surveys, ["after-sales"]);

    // An analyst of one store: its rows only; the time selection as the export's.
    let (_, body) = get(&app, "ft", "/api/responses?format=columns").await;
    let c = columns::read(&body).unwrap();
    assert_eq!(c.len(), 6);
    assert_eq!(c.codes[Dimension::Store.index()], ["SZ-FT"]);
    let (_, body) = get(
        &app,
        "admin",
        "/api/responses?format=columns&since=2026-11-07",
    )
    .await;
    assert_eq!(columns::read(&body).unwrap().len(), 2);
    let (status, v) = json_of(&app, "admin", "/api/responses?format=xml").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(v["error"].as_str().unwrap().contains("\"columns\""), "{v}");
}

#[tokio::test]
async fn the_comments_are_read_newest_first_by_reason_store_and_words_in_the_scope() {
    let app = world().await;
    // A phone in a comment shows masked, and the words are found in what is shown: the
    // hidden digits cannot be told one search at a time.
    let priced = nps_collector::alerts::message::customer_words(PRICED);
    assert!(priced.starts_with("收费太贵") && !priced.contains("13800138000"));
    for (q, found) in [("138", 1), ("8000", 1), ("1380013", 0), ("13800138000", 0)] {
        let (_, v) = json_of(&app, "admin", &format!("/api/comments?q={q}")).await;
        assert_eq!(v["comments"].as_array().unwrap().len(), found, "{q}: {v}");
    }
    let (status, v) = json_of(&app, "admin", "/api/comments").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let said = |v: &Value| -> Vec<String> {
        v["comments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["comment"].as_str().unwrap().to_owned())
            .collect()
    };
    // Newest first; not the flagged one, not the promoter without a comment.
    assert_eq!(
        said(&v),
        [
            "太慢也太贵",
            priced.as_str(),
            "等待太久 Slow",
            "等待太久 Slow",
            "等待太久 Slow",
            "等待太久 Slow"
        ]
    );
    assert!(!v.to_string().contains("8613800138000"), "never a phone");
    let first = &v["comments"][0];
    assert_eq!(
        (&first["score"], &first["category"], &first["store"]),
        (&json!(1), &json!("detractor"), &json!("BJ-CY"))
    );
    assert_eq!(v["next"], Value::Null, "one page holds them all");

    let (_, v) = json_of(&app, "admin", "/api/comments?reason=price").await;
    assert_eq!(said(&v), ["太慢也太贵", priced.as_str()]);
    let (_, v) = json_of(&app, "admin", "/api/comments?reason=wait_time&store=BJ-CY").await;
    assert_eq!(said(&v), ["太慢也太贵"]);
    let (_, v) = json_of(&app, "admin", "/api/comments?q=slow&category=detractor").await;
    assert_eq!(said(&v).len(), 4);
    let (_, v) = json_of(&app, "admin", "/api/comments?region=north").await;
    assert_eq!(said(&v), ["太慢也太贵", priced.as_str()]);
    // The view's other segments: a model, a touchpoint.
    let (_, v) = json_of(&app, "admin", "/api/comments?model=suv").await;
    assert_eq!(said(&v), ["太慢也太贵", priced.as_str()]);
    let (_, v) = json_of(&app, "admin", "/api/comments?touchpoint=qr&model=sedan").await;
    assert_eq!(said(&v).len(), 4);
    let (_, v) = json_of(&app, "admin", "/api/comments?touchpoint=web").await;
    assert_eq!(said(&v).len(), 0);
    let (_, v) = json_of(&app, "admin", "/api/comments?service_type=repair").await;
    assert_eq!(said(&v).len(), 0);

    // Pages: two at a time, each `next` the cursor of the one after.
    let (_, p1) = json_of(&app, "admin", "/api/comments?limit=4").await;
    let next = p1["next"].as_str().unwrap().to_owned();
    let (_, p2) = json_of(
        &app,
        "admin",
        &format!(
            "/api/comments?limit=4&before={}",
            next.replace('+', "%2B").replace('|', "%7C")
        ),
    )
    .await;
    assert_eq!(said(&p1).len() + said(&p2).len(), 6, "{p1} {p2}");
    let ids = |v: &Value| -> Vec<String> {
        v["comments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].to_string())
            .collect()
    };
    assert!(ids(&p2).iter().all(|id| !ids(&p1).contains(id)));

    // The analyst of SZ-FT: its comments only, even when asking for another store's.
    let (_, v) = json_of(&app, "ft", "/api/comments").await;
    assert_eq!(said(&v).len(), 4);
    assert!(v["comments"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["store"] == "SZ-FT"));
    let (_, v) = json_of(&app, "ft", "/api/comments?store=BJ-CY").await;
    assert_eq!(said(&v).len(), 0);

    // Every read is in the audit trail.
    let (_, audit) = json_of(&app, "admin", "/api/audit?action=comments_read").await;
    assert!(audit.as_array().unwrap().len() >= 9, "{audit}");
}

#[tokio::test]
async fn a_comments_query_it_cannot_read_is_named_and_a_stranger_is_refused() {
    let app = world().await;
    for (q, field) in [
        ("?limit=500", "limit"),
        ("?category=angry", "category"),
        ("?before=x", "before"),
        ("?phone=1", "phone"),
    ] {
        let (status, v) = json_of(&app, "admin", &format!("/api/comments{q}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q}");
        assert_eq!(v["field"], field, "{q}: {v}");
    }
    let (status, _) = json_of(&app, "nobody", "/api/comments").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// Pages of comments, many within one minute and some across minutes, with a word and a
/// store asked: each comment once, in exact newest-first order, whatever the page's size
/// (the facts pick candidates by the minute; the bodies decide within it).
#[tokio::test]
async fn pages_read_every_comment_once_in_order_within_and_across_minutes() {
    let store = Store::open(db_path()).unwrap();
    let mut posts = Vec::new();
    let mut want: Vec<(i64, String, String)> = Vec::new();
    for n in 1..=23usize {
        // Seven seconds apart, out of order: several comments in each minute.
        let ns = NOV_1 + ((n * 17) % 23) as i64 * 7_000_000_000;
        let (shop, words) = match n % 3 {
            0 => ("BJ-CY", format!("慢 {n}")),
            _ => ("SZ-FT", format!("等待 slow {n}")),
        };
        let r = answer(n, shop, 2, &["wait_time"], &words, ns);
        if shop == "SZ-FT" {
            want.push((ns, r.id.clone(), words));
        }
        posts.push((r, at(ns), None, Admission::operator()));
    }
    store.upsert_batch(posts).await.unwrap();
    want.sort_by(|a, b| (b.0, &b.1).cmp(&(a.0, &a.1)));
    let want: Vec<String> = want.into_iter().map(|w| w.2).collect();
    let app = app(
        store,
        Settings {
            admin_token: "the-admin-token".into(),
            rate_limit: 0,
            ..Settings::default()
        },
    );
    for limit in [1, 2, 5, 50] {
        let mut got: Vec<String> = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let mut uri = format!("/api/comments?q=SLOW&store=SZ-FT&limit={limit}");
            if let Some(n) = &next {
                uri += &format!("&before={}", n.replace('+', "%2B").replace('|', "%7C"));
            }
            let (status, v) = json_of(&app, "the-admin-token", &uri).await;
            assert_eq!(status, StatusCode::OK, "{v}");
            got.extend(
                v["comments"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["comment"].as_str().unwrap().to_owned()),
            );
            match v["next"].as_str() {
                Some(n) => next = Some(n.to_owned()),
                None => break,
            }
        }
        assert_eq!(got, want, "pages of {limit}");
    }
}
