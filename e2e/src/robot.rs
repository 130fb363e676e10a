//! A WeCom group robot on a loopback port, standing in for a store's channel: records each
//! post (its query and JSON body) and answers as WeCom does. The end-to-end tests point a
//! `--config` channel at it and read what a store's group would have read.

use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::wait_until;

/// What the receiver got: each request's query and body.
pub type Seen = Arc<Mutex<Vec<(String, Value)>>>;

/// The query the receiver's URL carries (WeCom's robot key).
pub const QUERY: &str = "key=e2e-wecom-77";

/// Starts the receiver on the current runtime: its channel URL and what it sees.
pub async fn wecom() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let kept = seen.clone();
    let app = axum::Router::new().route(
        "/cgi-bin/webhook/send",
        axum::routing::post(
            move |q: axum::extract::RawQuery, body: axum::body::Bytes| async move {
                let body = serde_json::from_slice(&body).expect("a JSON body");
                kept.lock().unwrap().push((q.0.unwrap_or_default(), body));
                (
                    [("content-type", "application/json")],
                    r#"{"errcode":0,"errmsg":"ok"}"#,
                )
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/cgi-bin/webhook/send?{QUERY}",
        listener.local_addr().unwrap()
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

/// Waits for the post whose markdown contains `needle`; returns its query and body.
pub async fn markdown_with(seen: &Seen, needle: &str) -> (String, Value) {
    wait_until(&format!("the WeCom post saying {needle:?}"), || async {
        let all = seen.lock().unwrap();
        all.iter()
            .find(|(_, b)| {
                b["markdown"]["content"]
                    .as_str()
                    .unwrap_or("")
                    .contains(needle)
            })
            .cloned()
    })
    .await
}

/// The channel file (`--config`) of one WeCom channel `url` for `store`.
pub fn channel_config(url: &str, store: &str) -> String {
    format!("[[channel]]\nname = \"e2e-wecom\"\nkind = \"wecom\"\nurl = \"{url}\"\nstores = [\"{store}\"]\n")
}
