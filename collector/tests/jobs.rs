//! The background jobs live and die with the server: the purge runs while it serves (at
//! start and then every period) and stops when it stops.

mod common;

use std::time::Duration;

use common::*;
use nps_collector::serve::{run, Limits};
use nps_collector::{Now, Settings, Store};
use serde_json::json;

/// A response with a phone whose retention (1 day) ended a year ago.
async fn expired_phone(store: &Store, id: &str) {
    let mut b = body("completed", Some(2), "2025-11-23T08:30:20.000Z");
    b["id"] = json!(id);
    b["created_at"] = json!("2025-11-23T08:30:00.000Z");
    b["contact"] = json!({"phone": "13812345678", "consent": true, "retention_days": 1});
    let r = nps_core::contract::payload::Response::parse(&b).unwrap();
    let long_ago = time::OffsetDateTime::now_utc() - time::Duration::days(365);
    store
        .upsert(r, Now::from_time(long_ago), None)
        .await
        .unwrap();
}

/// How many stored responses still hold a phone.
async fn phones(store: &Store) -> usize {
    store
        .all()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.body.contains("13812345678"))
        .count()
}

async fn until_no_phones(store: &Store) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while phones(store).await > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the purge job did not run"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn the_purge_job_runs_while_the_server_serves_and_stops_with_it() {
    let store = Store::open(db_path()).unwrap();
    expired_phone(&store, "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a41").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let every = Duration::from_millis(20);
    let server = tokio::spawn(run(
        listener,
        store.clone(),
        Settings::default(),
        Limits::default(),
        every,
        async {
            let _ = stop_rx.await;
        },
    ));
    // At start, and again while it serves.
    until_no_phones(&store).await;
    expired_phone(&store, "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a42").await;
    until_no_phones(&store).await;
    // The server stops: `run` returns only once the job has stopped…
    stop_tx.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(20), server)
        .await
        .expect("the server stops with its jobs")
        .unwrap()
        .unwrap();
    // …and nothing purges any more.
    expired_phone(&store, "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a43").await;
    tokio::time::sleep(every * 10).await;
    assert_eq!(phones(&store).await, 1, "purged after the server stopped");
}
