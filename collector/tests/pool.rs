//! PostgreSQL's connections are shared by posts and exports: exports whose clients read
//! slowly (a dashboard on a bad line) hold a connection and a transaction each for as long
//! as they take, and must never hold them all, or every post waits and `/healthz` still says
//! ok.

mod common;

use std::time::Duration;

use nps_collector::storage::{Admission, Selection, Store, Target, Upsert};
use nps_collector::Now;
use nps_core::contract::payload::Response;
use serde_json::json;

fn resp(n: u32) -> Response {
    let now = Now::system().at;
    Response::parse(
        &json!({"schema": 1, "id": format!("00000000-0000-4000-8000-{n:012}"),
        "survey": "after-sales", "stage": "scored", "score": 9, "category": "promoter",
        "reasons": [], "comment": null, "contact": null, "context": {"store": "SZ-FT"},
        "locale": "zh-CN", "page": null, "created_at": now, "updated_at": now,
        "write_key": common::KEY}),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_read_slowly_never_hold_every_connection() {
    let store = Store::connect(&Target::Postgres(common::postgres::shared().database()))
        .await
        .unwrap();
    // More rows than an export reads ahead: a stream nobody reads holds its connection.
    let posts = (0..2_000)
        .map(|n| (resp(n), Now::system(), None, Admission::operator()))
        .collect();
    store.upsert_batch(posts).await.unwrap();
    // Twice as many stalled exports as the pool has connections.
    let stalled: Vec<_> = (0..32)
        .map(|_| store.stream(Selection::default()))
        .collect();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let post = tokio::time::timeout(
        Duration::from_secs(5),
        store.upsert_admitted(resp(5_000), Now::system(), None, Admission::operator()),
    )
    .await;
    assert_eq!(
        post.map(|r| r.ok()),
        Ok(Some(Upsert::Created)),
        "a post waits for the stalled exports"
    );
    drop(stalled);
}
