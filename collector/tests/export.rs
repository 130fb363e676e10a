//! The export as a dashboard and a spreadsheet read it: streamed in pieces, selected by
//! survey and by the time each response was stored, the same rows in JSON and in CSV.

mod common;

use common::*;
use nps_collector::{app, Now, Settings, Store};
use serde_json::{json, Value};

/// `n` responses of two surveys, one stored each hour from 2026-10-01T00:00Z.
async fn seeded(n: usize) -> axum::Router {
    let store = Store::open(db_path()).unwrap();
    let start = time::macros::datetime!(2026-10-01 00:00 UTC);
    for i in 0..n {
        let mut b = body(
            "completed",
            Some((i % 11) as u8),
            "2026-10-01T00:00:00.000Z",
        );
        b["id"] = json!(uuid::Uuid::new_v4().to_string());
        b["survey"] = json!(if i % 2 == 0 { "after-sales" } else { "sales" });
        b["comment"] = json!(format!("评论 {i}, with \"quotes\"\nand a new line"));
        let at = start + time::Duration::hours(i as i64);
        b["created_at"] = json!(Now::from_time(at).at);
        b["updated_at"] = json!(Now::from_time(at).at);
        let r = nps_core::contract::payload::Response::parse(&b).unwrap();
        store.upsert(r, Now::from_time(at), None).await.unwrap();
    }
    app(
        store,
        Settings {
            admin_token: "secret".into(),
            rate_limit: 0,
            ..Settings::default()
        },
    )
}

fn csv_rows(text: &str) -> Vec<csv::StringRecord> {
    let text = text.strip_prefix('\u{feff}').expect("a BOM first");
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect()
}

#[tokio::test]
async fn a_large_export_streams_whole_in_json_and_csv() {
    // Enough rows for many pieces of the body.
    let app = seeded(1500).await;
    let r = list(&app, "", Some("secret")).await;
    assert_eq!(r.status, 200);
    let items = r.json();
    let items = items.as_array().unwrap();
    assert_eq!(items.len(), 1500);
    assert!(items
        .iter()
        .all(|i| i["received_at"].is_string() && i["flag"].is_null()));
    assert_eq!(
        items[7]["comment"],
        json!("评论 7, with \"quotes\"\nand a new line")
    );
    let received: Vec<&str> = items
        .iter()
        .map(|i| i["received_at"].as_str().unwrap())
        .collect();
    assert!(received.windows(2).all(|w| w[0] <= w[1]), "oldest first");

    let r = list(&app, "?format=csv", Some("secret")).await;
    assert_eq!(r.status, 200);
    let rows = csv_rows(&r.text);
    assert_eq!(rows.len(), 1500);
    assert_eq!(&rows[7][6], "评论 7, with \"quotes\"\nand a new line");
}

#[tokio::test]
async fn the_server_selects_by_survey_and_time() {
    let app = seeded(96).await; // four days, hourly
    let count = |q: &'static str| {
        let app = app.clone();
        async move {
            let r = list(&app, q, Some("secret")).await;
            assert_eq!(r.status, 200, "{q}: {}", r.text);
            r.json().as_array().unwrap().len()
        }
    };
    assert_eq!(count("?survey=sales").await, 48);
    assert_eq!(count("?since=2026-10-03").await, 48);
    assert_eq!(
        count("?until=2026-10-01").await,
        24,
        "a date as until takes the whole day"
    );
    assert_eq!(
        count("?since=2026-10-02&until=2026-10-02&survey=after-sales").await,
        12
    );
    assert_eq!(
        count("?since=2026-10-02T12:00:00Z&until=2026-10-02T13:00:00Z").await,
        1
    );
    assert_eq!(count("?since=2027-01-01").await, 0);
    let r = list(
        &app,
        "?survey=sales&format=csv&since=2026-10-04",
        Some("secret"),
    )
    .await;
    let rows = csv_rows(&r.text);
    assert_eq!(rows.len(), 12);
    assert!(rows.iter().all(|r| &r[1] == "sales"));
}

#[tokio::test]
async fn a_bad_export_query_is_named_and_nothing_is_sent() {
    let app = seeded(3).await;
    for (q, field) in [
        ("?since=last-week", "since"),
        ("?format=xlsx", "format"),
        ("?store=SZ-FT", "store"),
    ] {
        let r = list(&app, q, Some("secret")).await;
        assert_eq!(r.status, 400, "{q}");
        let v: Value = r.json();
        assert_eq!(v["field"], field, "{q}: {v}");
    }
    assert_eq!(list(&app, "?since=2026-10-01", None).await.status, 401);
}

#[tokio::test]
async fn the_names_file_is_served_to_the_admin() {
    let names =
        nps_core::scoring::analysis::Names::from_json(r#"{"store": {"SZ-FT": "深圳福田店"}}"#)
            .unwrap();
    let app = router_with(Settings {
        admin_token: "secret".into(),
        names,
        ..Settings::default()
    });
    let get = |token: Option<&'static str>| {
        let app = app.clone();
        async move {
            let mut b = axum::http::Request::builder().uri("/api/names");
            if let Some(t) = token {
                b = b.header("authorization", format!("Bearer {t}"));
            }
            send(&app, b.body(axum::body::Body::empty()).unwrap()).await
        }
    };
    assert_eq!(get(None).await.status, 401);
    assert_eq!(
        get(Some("secret")).await.json(),
        json!({"store": {"SZ-FT": "深圳福田店"}})
    );
}

/// Regression: the compressed export panicked at its end (its stream was polled once more).
#[tokio::test]
async fn a_compressed_export_streams_to_its_end() {
    let app = seeded(700).await;
    for encoding in ["br", "gzip"] {
        let req = axum::http::Request::builder()
            .uri("/api/responses")
            .header("authorization", "Bearer secret")
            .header("accept-encoding", encoding)
            .body(axum::body::Body::empty())
            .unwrap();
        let r = send(&app, req).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.headers["content-encoding"], encoding);
        assert!(!r.text.is_empty());
    }
}

/// What the collector exports as CSV, the dashboard reads back as the same answers as from the
/// JSON export: every column the dashboard reads, cell for cell, formula-looking cells included
/// (the CSV's shape and its defusing are `nps_core::contract::csv`'s, on both sides).
#[tokio::test]
async fn the_dashboard_reads_the_csv_export_back_as_the_json_export() {
    let store = Store::open(db_path()).unwrap();
    let at = time::macros::datetime!(2026-11-23 08:31 UTC);
    let cells = [
        "=1+1", "+86 138", "-3", "@x", "'=1", "''", "|x", "%x", "plain",
    ];
    for (i, cell) in cells.iter().enumerate() {
        let mut b = body("completed", Some(i as u8), "2026-11-23T08:31:00.000Z");
        b["id"] = json!(uuid::Uuid::new_v4().to_string());
        b["comment"] = json!(cell);
        b["reasons"] = json!(["wait_time", "price"]);
        b["context"] = json!({"store": cell, "advisor": cell, "model": cell,
            "service_type": cell, "touchpoint": cell, "lane": cell});
        if i % 2 == 0 {
            b["contact"] =
                json!({"phone": "+8613800138000", "consent": true, "callback_hours": 40 + i});
        }
        let r = nps_core::contract::payload::Response::parse(&b).unwrap();
        let flag = (i == 3).then_some("too_fast");
        store.upsert(r, Now::from_time(at), flag).await.unwrap();
    }
    let app = app(
        store,
        Settings {
            admin_token: "secret".into(),
            rate_limit: 0,
            ..Settings::default()
        },
    );
    let json = list(&app, "", Some("secret")).await.text;
    let csv = list(&app, "?format=csv", Some("secret")).await.text;
    let from_json = nps_dashboard::data::from_json(&json).unwrap();
    let from_csv = nps_dashboard::data::from_csv(&csv).unwrap();
    assert_eq!(from_csv.len(), cells.len());
    assert_eq!(from_csv, from_json);
    for cell in cells {
        let r = from_csv
            .iter()
            .find(|r| r.comment.as_deref() == Some(cell))
            .unwrap_or_else(|| panic!("{cell:?} read back"));
        assert!(r.dims.iter().all(|d| d == cell), "{cell:?}: {:?}", r.dims);
    }
    assert!(from_csv.iter().any(|r| r.flagged.is_some()));
    // The export shows a phone masked; the full number only through a reveal.
    assert!(from_csv
        .iter()
        .any(|r| r.phone.as_deref() == Some("138****8000")));
    assert!(!json.contains("13800138000") && !csv.contains("13800138000"));
}
