//! One answer per visit, and a response changed only by whoever started it, against someone
//! trying: scored dismissals, a visit moved or dropped, a rewritten answer, a flagged answer
//! that would lock a visit, "already answered" as an oracle, a stored page as a form action.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use common::*;
use nps_collector::landing::Landing;
use nps_collector::visit::VisitKey;
use nps_collector::Settings;
use serde_json::{json, Value};

const SECRET: &str = "a landing secret of some length";
const LANDING: &str = r#"{"after-sales": {"brand": "星辰汽车", "locale": "zh-CN"}}"#;
const IDS: [&str; 5] = [
    "7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6",
    "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
    "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e",
    "3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f",
    "4d5e6f7a-8b9c-4d0e-9f1a-3b4c5d6e7f8a",
];
const OTHER_KEY: &str = "ffffffffffffffffffffffffffffffff";

struct Options {
    secret: bool,
    min_fill_ms: i64,
    keyless_until_ns: Option<i64>,
}

const PLAIN: Options = Options {
    secret: false,
    min_fill_ms: 0,
    keyless_until_ns: None,
};

fn app_with(o: Options) -> Router {
    router_with(Settings {
        allow_origins: vec!["https://brand.example".into()],
        admin_token: "secret".into(),
        rate_limit: 0,
        min_fill_ms: Some(o.min_fill_ms),
        keyless_until_ns: o.keyless_until_ns,
        visit_key: o.secret.then(|| VisitKey::new(SECRET).unwrap()),
        landing: Landing::from_json(LANDING).unwrap(),
        ..Settings::default()
    })
}

/// A scored answer for a visit under an id, posted by the widget (`body`'s write key).
fn answer(id: &str, stage: &str, score: Option<u8>, visit: &str) -> Value {
    let mut b = body(stage, score, "2026-11-23T08:30:05.000Z");
    b["id"] = json!(id);
    b["context"] = json!({"store": "SZ-FT", "visit": visit});
    b
}

async fn page(app: &Router, uri: &str, cookie: Option<&str>) -> Reply {
    let mut req = Request::get(uri);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    send(app, req.body(Body::empty()).unwrap()).await
}

async fn form(app: &Router, uri: &str, form: &str, cookie: Option<&str>) -> Reply {
    let mut req = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    send(app, req.body(Body::from(form.to_owned())).unwrap()).await
}

fn scores(rows: &[Value]) -> Vec<(String, Value)> {
    rows.iter()
        .map(|r| (r["id"].as_str().unwrap().to_owned(), r["score"].clone()))
        .collect()
}

#[tokio::test]
async fn a_scored_dismissal_answers_the_visit() {
    let app = app_with(PLAIN);
    // Five "closed after tapping 0" posts under fresh ids: the first answers the visit.
    for (n, id) in IDS.iter().enumerate() {
        let r = post(&app, &answer(id, "dismissed", Some(0), "RO-88231")).await;
        let want = if n == 0 {
            StatusCode::CREATED
        } else {
            StatusCode::GONE
        };
        assert_eq!(r.status, want, "post {n}: {}", r.text);
    }
    assert_eq!(stored(&app).await.len(), 1, "one detractor, not five");
    // The QR link for the same visit, opened later on another phone: already answered.
    let again = page(&app, "/s/after-sales?store=SZ-FT&visit=RO-88231", None).await;
    assert!(again.text.contains("您已完成本次评价"), "{}", again.text);
    // A close before any score is no answer: the visit stays open.
    let closed = answer(IDS[0], "dismissed", None, "RO-88232");
    let mut closed = closed;
    closed["category"] = Value::Null;
    closed["id"] = json!("5e6f7a8b-9c0d-4e1f-8a2b-4c5d6e7f8a9b");
    assert_eq!(post(&app, &closed).await.status, StatusCode::CREATED);
    let r = post(&app, &answer(IDS[1], "scored", Some(9), "RO-88232")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}

#[tokio::test]
async fn a_stored_responses_visit_cannot_change() {
    let app = app_with(PLAIN);
    let first = answer(IDS[0], "scored", Some(10), "RO-88231");
    assert_eq!(post(&app, &first).await.status, StatusCode::CREATED);
    // Dropped, moved, or added where there was none: refused, naming the field, final (422).
    let mut dropped = first.clone();
    dropped["stage"] = json!("completed");
    dropped["updated_at"] = json!("2026-11-23T08:40:00.000Z");
    dropped["context"] = json!({"store": "SZ-FT"});
    let mut moved = dropped.clone();
    moved["context"] = json!({"store": "SZ-FT", "visit": "RO-99999"});
    for later in [dropped, moved] {
        let r = post(&app, &later).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert_eq!(r.json()["field"], "context.visit");
    }
    let rows = stored(&app).await;
    assert_eq!(rows[0]["context"]["visit"], "RO-88231");
    assert_eq!(rows[0]["stage"], "scored");
    // The visit is still answered: a second id for it is refused.
    let r = post(&app, &answer(IDS[1], "scored", Some(10), "RO-88231")).await;
    assert_eq!(r.status, StatusCode::GONE);
    let mut none = answer(IDS[2], "scored", Some(7), "x");
    none["context"] = json!({"store": "SZ-FT"});
    assert_eq!(post(&app, &none).await.status, StatusCode::CREATED);
    let mut added = none.clone();
    added["updated_at"] = json!("2026-11-23T08:40:00.000Z");
    added["context"] = json!({"store": "SZ-FT", "visit": "RO-1"});
    let r = post(&app, &added).await;
    assert_eq!(r.json()["field"], "context.visit", "{}", r.text);
}

#[tokio::test]
async fn only_whoever_started_a_response_may_change_it() {
    let app = app_with(PLAIN);
    let first = answer(IDS[0], "scored", Some(10), "RO-1");
    assert_eq!(post(&app, &first).await.status, StatusCode::CREATED);
    let mut rewrite = first.clone();
    rewrite["stage"] = json!("completed");
    rewrite["score"] = json!(0);
    rewrite["category"] = json!("detractor");
    rewrite["updated_at"] = json!("2026-11-23T08:50:00.000Z");
    // Another key, or none: refused (403, final for a sender), the promoter's 10 stays.
    for key in [json!(OTHER_KEY), Value::Null] {
        rewrite["write_key"] = key.clone();
        let r = post(&app, &rewrite).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{key}: {}", r.text);
        assert_eq!(r.json()["field"], "write_key");
    }
    // A key that is not one is named with what is accepted.
    rewrite["write_key"] = json!("short");
    let r = post(&app, &rewrite).await;
    assert_eq!(r.json()["field"], "write_key");
    assert!(r.json()["error"].as_str().unwrap().contains("16–64"));
    assert_eq!(scores(&stored(&app).await), [(IDS[0].into(), json!(10))]);
    // Whoever holds the key moves it on.
    rewrite["write_key"] = json!(KEY);
    assert_eq!(post(&app, &rewrite).await.status, StatusCode::OK);
    // Neither the key nor its hash is ever listed.
    for format in ["", "?format=csv"] {
        let req = Request::get(format!("/api/responses{format}"))
            .header(header::AUTHORIZATION, "Bearer secret")
            .body(Body::empty())
            .unwrap();
        let text = send(&app, req).await.text;
        assert!(!text.contains(KEY) && !text.contains("write_key") && !text.contains("key_hash"));
        assert!(!text.contains(&nps_collector::write_key::hash(KEY)));
    }
}

#[tokio::test]
async fn posts_without_a_key_are_taken_only_until_the_operators_date() {
    let keyless = |b: &Value| {
        let mut b = b.clone();
        b.as_object_mut().unwrap().remove("write_key");
        b
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp_nanos() as i64;
    // By default never: a widget from before write keys is told which field is missing.
    let app = app_with(PLAIN);
    let r = post(&app, &keyless(&answer(IDS[0], "scored", Some(8), "RO-1"))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.json()["field"], "write_key");
    // Before --keyless-until: taken, and changed without a key, until a keyed post binds it.
    let app = app_with(Options {
        keyless_until_ns: Some(now + 3_600_000_000_000),
        ..PLAIN
    });
    let old = keyless(&answer(IDS[0], "scored", Some(8), "RO-1"));
    assert_eq!(post(&app, &old).await.status, StatusCode::CREATED);
    let mut later = old.clone();
    later["stage"] = json!("completed");
    later["updated_at"] = json!("2026-11-23T08:31:00.000Z");
    assert_eq!(post(&app, &later).await.status, StatusCode::OK);
    let mut bound = later.clone();
    bound["updated_at"] = json!("2026-11-23T08:32:00.000Z");
    bound["write_key"] = json!(KEY);
    assert_eq!(post(&app, &bound).await.status, StatusCode::OK);
    later["updated_at"] = json!("2026-11-23T08:33:00.000Z");
    assert_eq!(post(&app, &later).await.status, StatusCode::FORBIDDEN);
    // After it: a response stored without a key can no longer change.
    let app = app_with(Options {
        keyless_until_ns: Some(now + 3_600_000_000_000),
        ..PLAIN
    });
    assert_eq!(post(&app, &old).await.status, StatusCode::CREATED);
    let closed = app_with(Options {
        keyless_until_ns: Some(now - 1),
        ..PLAIN
    });
    assert_eq!(
        post(&closed, &old).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn a_landing_answer_is_changed_and_shown_only_with_its_cookie() {
    let app = app_with(PLAIN);
    let q = "/s/after-sales?store=SZ-FT&visit=RO-7";
    let question = page(&app, q, None).await;
    let key_at = question.text.find("name=\"write_key\" value=\"").unwrap() + 24;
    let key = &question.text[key_at..key_at + 32];
    let id_at = question.text.find("name=\"id\" value=\"").unwrap() + 17;
    let id = &question.text[id_at..id_at + 36];
    let r = form(&app, q, &format!("score=10&id={id}&write_key={key}"), None).await;
    let outcome = format!("/s/after-sales/{id}");
    assert_eq!(r.headers[header::LOCATION], outcome.as_str());
    let cookie = format!("nps_wk={key}");
    assert!(r.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .starts_with(&format!("{cookie}; Path={outcome};")));
    // Someone with only the shared address: neither the page nor a change.
    let stranger = page(&app, &outcome, None).await;
    assert_eq!(stranger.status, StatusCode::FORBIDDEN);
    assert!(
        stranger.text.contains("只能在作答时使用的浏览器中"),
        "{}",
        stranger.text
    );
    assert!(!stranger.text.contains("<form"));
    let r = form(
        &app,
        &outcome,
        "comment=bad&action=submit",
        Some("nps_wk=0000000000000000000000000000ffff"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The question's form replayed with the id and a score of 0: refused, nothing changed.
    let r = form(&app, q, &format!("score=0&id={id}"), None).await;
    assert_ne!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let r = post(&app, &{
        let mut b = answer(id, "completed", Some(0), "RO-7");
        b["write_key"] = Value::Null;
        b
    })
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(scores(&stored(&app).await), [(id.to_owned(), json!(10))]);
    // The customer, with the cookie their browser keeps: the follow-up, and it moves on.
    let mine = page(&app, &outcome, Some(&cookie)).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(
        mine.text.contains(&format!("{id}|")) && mine.text.contains(key),
        "the widget takes over with the key"
    );
    let r = form(&app, &outcome, "comment=great&action=submit", Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(stored(&app).await[0]["stage"], "completed");
}

#[tokio::test]
async fn a_flagged_answer_never_locks_a_visit() {
    let app = app_with(Options {
        min_fill_ms: 1000,
        ..PLAIN
    });
    // A bot's instant answer for someone's repair order: kept, flagged, and the visit open.
    let mut bot = answer(IDS[0], "scored", Some(0), "RO-88232");
    bot["created_at"] = bot["updated_at"].clone();
    assert_eq!(post(&app, &bot).await.status, StatusCode::CREATED);
    let open = page(&app, "/s/after-sales?visit=RO-88232", None).await;
    assert!(!open.text.contains("您已完成本次评价"), "{}", open.text);
    // A honeypot form for another order: the same.
    let r = form(
        &app,
        "/s/after-sales?visit=RO-88233",
        "score=0&website=x",
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // The real customers answer both.
    let real = answer(IDS[1], "scored", Some(9), "RO-88232");
    assert_eq!(post(&app, &real).await.status, StatusCode::CREATED);
    let real = answer(IDS[2], "scored", Some(9), "RO-88233");
    assert_eq!(post(&app, &real).await.status, StatusCode::CREATED);
    let flags: Vec<Value> = stored(&app)
        .await
        .iter()
        .map(|r| r["flag"].clone())
        .collect();
    assert_eq!(flags.iter().filter(|f| f.is_null()).count(), 2, "{flags:?}");
    // Now the visit is answered.
    let done = page(&app, "/s/after-sales?visit=RO-88232", None).await;
    assert!(done.text.contains("您已完成本次评价"));
}

#[tokio::test]
async fn already_answered_is_told_only_to_a_link_that_may_ask() {
    let app = app_with(Options {
        secret: true,
        ..PLAIN
    });
    let key = VisitKey::new(SECRET).unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let carried = [("visit".to_owned(), "RO-88231".to_owned())].into();
    let good = key.sign("after-sales", &carried, now + 3600);
    let mut b = answer(IDS[0], "scored", Some(9), "RO-88231");
    b["context"] = json!({"visit": "RO-88231", "t": good});
    assert_eq!(post(&app, &b).await.status, StatusCode::CREATED);
    // Answered and never answered read the same without a valid token.
    for visit in ["RO-88231", "RO-00000"] {
        for t in ["", "&t=1.AAAA"] {
            let r = page(&app, &format!("/s/after-sales?visit={visit}{t}"), None).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{visit}{t}");
            assert!(!r.text.contains("您已完成本次评价"), "{visit}{t}");
        }
    }
    let r = page(
        &app,
        &format!("/s/after-sales?visit=RO-88231&t={good}"),
        None,
    )
    .await;
    assert!(r.text.contains("您已完成本次评价"));
}

#[tokio::test]
async fn a_stored_page_never_becomes_a_forms_action() {
    let app = app_with(PLAIN);
    let mut b = answer(IDS[0], "scored", Some(6), "RO-5");
    b["page"] = json!("https://evil.example/collect");
    assert_eq!(post(&app, &b).await.status, StatusCode::CREATED);
    let r = page(
        &app,
        &format!("/s/after-sales/{}", IDS[0]),
        Some(&format!("nps_wk={KEY}")),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(!r.text.contains("evil.example"), "{}", r.text);
    assert!(r
        .text
        .contains("<form method=\"post\" action=\"/s/after-sales?store=SZ-FT&amp;visit=RO-5\">"));
}

/// Regression: a page written by `nps-collector landing` carries no `created_at`, so every
/// answer from it was stored as given in 0 ms and flagged `too_fast`: none of them counted.
#[tokio::test]
async fn an_answer_from_a_page_with_no_time_is_not_called_too_fast() {
    let app = app_with(Options {
        min_fill_ms: 1000,
        ..PLAIN
    });
    let r = form(&app, "/s/after-sales?store=SZ-FT", "score=9", None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    // The collector's own page gives its time: a tap within a second of it is flagged.
    let page = page(&app, "/s/after-sales?store=SZ-FT", None).await;
    let at = page.text.find("name=\"created_at\" value=\"").unwrap() + 25;
    let created = &page.text[at..at + 24];
    let r = form(
        &app,
        "/s/after-sales?store=SZ-FT",
        &format!("score=8&created_at={created}"),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let mut flags: Vec<(Value, Value)> = stored(&app)
        .await
        .iter()
        .map(|r| (r["score"].clone(), r["flag"].clone()))
        .collect();
    flags.sort_by_key(|(s, _)| s.as_u64());
    assert_eq!(
        flags,
        [(json!(8), json!("too_fast")), (json!(9), Value::Null)]
    );
}
