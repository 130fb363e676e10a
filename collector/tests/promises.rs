//! The collector keeping its promises under attack and accident: an id belongs to its survey,
//! a client's clock decides nothing beyond the stage rank, dates that cannot be are refused,
//! phones go when their retention ends, a deletion request deletes, bots are flagged.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::*;
use nps_collector::{Now, Store};
use serde_json::{json, Value};

fn at(t: time::OffsetDateTime) -> String {
    Now::from_time(t).at
}

fn now_plus(seconds: i64) -> String {
    at(time::OffsetDateTime::now_utc() + time::Duration::seconds(seconds))
}

/// Regression: a post for survey B reusing survey A's id replaced A's answer.
#[tokio::test]
async fn an_id_belongs_to_its_survey() {
    let app = router();
    let a = body("completed", Some(9), "2026-11-23T08:30:20.000Z");
    assert_eq!(post(&app, &a).await.status, StatusCode::CREATED);
    let mut b = body("completed", Some(0), "2026-11-23T08:40:00.000Z");
    b["survey"] = json!("generic");
    let r = post(&app, &b).await;
    assert_eq!(
        (r.status, r.json()["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("id"))
    );
    let rows = stored(&app).await;
    assert_eq!((rows.len(), &rows[0]["score"]), (1, &json!(9)));
}

/// Regression: an `updated_at` far in the future froze a response (every later post was
/// older, so stale); and the upper- and lower-case forms of one id made two rows.
#[tokio::test]
async fn the_client_clock_decides_nothing_beyond_the_stage() {
    let app = router();
    let mut future = body("completed", Some(2), "2099-01-01T00:00:00.000Z");
    future["id"] = json!(ID.to_ascii_uppercase());
    assert_eq!(post(&app, &future).await.status, StatusCode::CREATED);
    let mut later = body("completed", Some(8), &now_plus(2));
    later["comment"] = json!("changed my mind");
    let r = post(&app, &later).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["updated"], true, "{}", r.text);
    let rows = stored(&app).await;
    assert_eq!(rows.len(), 1, "one id, whatever its case");
    assert_eq!((&rows[0]["id"], &rows[0]["score"]), (&json!(ID), &json!(8)));
    // A post at the same stage and the same (past) time as the stored one changes nothing:
    // a replay with another body is not newer.
    let mut b = body("scored", Some(6), "2026-11-23T08:30:20.000Z");
    b["id"] = json!("6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b");
    post(&app, &b).await;
    b["score"] = json!(3);
    b["category"] = json!("detractor");
    assert_eq!(post(&app, &b).await.json()["stale"], true);
}

/// Regression: February 31 and a 60th second were accepted.
#[tokio::test]
async fn dates_that_cannot_be_are_refused() {
    let app = router();
    for (field, time) in [
        ("created_at", "2026-02-31T08:30:00.000Z"),
        ("updated_at", "2026-11-23T08:30:60.000Z"),
        ("updated_at", "2026-04-31T08:30:00Z"),
    ] {
        let mut b = body("scored", Some(5), "2026-11-23T08:30:20.000Z");
        b[field] = json!(time);
        let r = post(&app, &b).await;
        assert_eq!(
            (r.status, r.json()["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{time}"
        );
    }
}

/// Regression: `received_at` was the time of the latest post of an id, not of its first.
#[tokio::test]
async fn received_at_is_the_first_time_and_changed_at_the_last() {
    let app = router();
    post(&app, &body("scored", Some(4), "2026-11-23T08:30:20.000Z")).await;
    let first = stored(&app).await[0]["received_at"].clone();
    std::thread::sleep(std::time::Duration::from_millis(20));
    post(
        &app,
        &body("completed", Some(4), "2026-11-23T08:31:20.000Z"),
    )
    .await;
    let row = stored(&app).await[0].clone();
    assert_eq!(row["received_at"], first);
    assert!(
        row["changed_at"].as_str().unwrap() > first.as_str().unwrap(),
        "{row}"
    );
    assert_eq!(row["stage"], "completed");
}

fn with_phone(days: Option<u32>) -> Value {
    let mut b = body("completed", Some(2), "2026-11-23T08:30:20.000Z");
    b["contact"] = json!({"phone": "13812345678", "consent": true});
    if let Some(d) = days {
        b["contact"]["retention_days"] = json!(d);
    }
    b
}

/// The consent box promises the phone is deleted after the retention period: it is, and the
/// score stays.
#[tokio::test]
async fn phones_are_purged_when_their_retention_ends() {
    let path = db_path();
    let store = Store::open(&path).unwrap();
    let r = nps_core::contract::payload::Response::parse(&with_phone(Some(30))).unwrap();
    let received = time::OffsetDateTime::now_utc();
    // How many phones a purge removes this many days after `received`.
    let purge_after = |store: &Store, days: i64| {
        let store = store.clone();
        async move {
            store
                .purge(Now::from_time(received + time::Duration::days(days)))
                .await
                .unwrap()
        }
    };
    store
        .upsert(r, Now::from_time(received), None)
        .await
        .unwrap();
    assert_eq!(purge_after(&store, 29).await, 0);
    assert_eq!(purge_after(&store, 31).await, 1);
    let rows = store.all().await.unwrap();
    let v: Value = serde_json::from_str(&rows[0].body).unwrap();
    assert_eq!((&v["contact"], &v["score"]), (&Value::Null, &json!(2)));
    assert!(
        nps_core::contract::payload::Response::parse(&v).is_ok(),
        "still a valid body"
    );
    // A phone without a stated period keeps the widget's default (30 days).
    let mut other = with_phone(None);
    other["id"] = json!("6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b");
    let r = nps_core::contract::payload::Response::parse(&other).unwrap();
    store
        .upsert(r, Now::from_time(received), None)
        .await
        .unwrap();
    assert_eq!(purge_after(&store, 29).await, 0);
    assert_eq!(purge_after(&store, 30).await, 1);
}

#[tokio::test]
async fn a_deletion_request_deletes_with_the_admin_token() {
    let app = router();
    post(&app, &with_phone(Some(30))).await;
    let delete = |token: Option<&str>, id: &str| {
        let mut b = Request::builder()
            .method(Method::DELETE)
            .uri(format!("/api/responses/{id}"));
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        b.body(Body::empty()).unwrap()
    };
    assert_eq!(
        send(&app, delete(None, ID)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(&app, delete(Some("secret"), &ID.to_ascii_uppercase()))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert!(stored(&app).await.is_empty());
    let r = send(&app, delete(Some("secret"), ID)).await;
    assert_eq!(
        (r.status, r.json()["field"].as_str()),
        (StatusCode::NOT_FOUND, Some("id"))
    );
}

/// The scheme of `Authorization` is case-insensitive in HTTP.
#[tokio::test]
async fn bearer_in_any_case() {
    let app = router();
    for header_value in ["Bearer secret", "bearer secret", "BEARER secret"] {
        let r = send(
            &app,
            Request::builder()
                .uri("/api/responses")
                .header(header::AUTHORIZATION, header_value)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{header_value}");
    }
}

/// Faster than a person, or a filled honeypot: stored and answered as usual, flagged, and
/// so left out of the counts.
#[tokio::test]
async fn bots_are_flagged_not_counted() {
    let app = router();
    let mut fast = body("completed", Some(10), "2026-11-23T08:30:00.300Z");
    fast["created_at"] = json!("2026-11-23T08:30:00.000Z");
    assert_eq!(post(&app, &fast).await.status, StatusCode::CREATED);
    let form = |pairs: &str| {
        Request::builder()
            .method(Method::POST)
            .uri("/api/responses")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(pairs.to_owned()))
            .unwrap()
    };
    let r = send(
        &app,
        form("score=9&survey=after-sales&website=http%3A%2F%2Fspam"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "answered like any other");
    let now_ms = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    send(
        &app,
        form(&format!("score=8&survey=after-sales&started_at={now_ms}")),
    )
    .await;
    let human_ms = now_ms - 20_000;
    send(
        &app,
        form(&format!("score=7&survey=after-sales&started_at={human_ms}")),
    )
    .await;
    let rows = stored(&app).await;
    let flag_of = |score: i64| {
        rows.iter()
            .find(|r| r["score"] == score)
            .map(|r| r["flag"].clone())
            .unwrap()
    };
    assert_eq!(flag_of(10), json!("too_fast"));
    assert_eq!(flag_of(9), json!("honeypot"));
    assert_eq!(flag_of(8), json!("too_fast"));
    assert_eq!(flag_of(7), Value::Null);
}
