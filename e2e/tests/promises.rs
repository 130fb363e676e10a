//! The promises of the README under accident and attack, in headless Chromium against the
//! collector: nothing lost when storage is full, one response per reload, a refused origin
//! learned at once.

use nps_e2e::{Browser, Options, Server};

/// A completed response as an earlier page left it in the outbox.
fn stored_entry(id: &str) -> String {
    let body = serde_json::json!({
        "schema": 1, "id": id, "survey": "after-sales", "stage": "completed", "score": 6,
        "category": "detractor", "reasons": ["wait_time"], "comment": "left by an earlier page",
        "contact": null, "context": {"store": "SZ-FT"}, "locale": "zh-CN", "page": null,
        "created_at": "2026-11-23T08:30:00.000Z", "updated_at": "2026-11-23T08:31:00.000Z"
    });
    serde_json::json!({
        "id": id, "endpoint": "/api/responses", "headers": [], "body": body.to_string(),
        "rank": 2, "version": 1, "attempts": 3, "waited": 60000, "dead": null
    })
    .to_string()
}

/// Regression: with localStorage full, the storage probe (a write) failed and the widget
/// read nothing, though reading needs no space: earlier pages' answers were never sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_storage_still_sends_what_earlier_pages_left() {
    let server = Server::start().await;
    let b = Browser::start(Options::phone("zh-CN")).await;
    b.client
        .goto(&format!("{}/blank.html", server.base))
        .await
        .unwrap();
    let id = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b";
    let filled = b
        .js(&format!(
            "localStorage.clear();
             localStorage.setItem('nps:v1:outbox:{id}', {entry});
             let i = 0;
             for (const size of [100000, 1000, 10, 1]) {{
               const chunk = 'x'.repeat(size);
               try {{ for (;;) localStorage.setItem('junk' + i++, chunk); }} catch (e) {{}}
             }}
             try {{ localStorage.setItem('nps:v1:probe', '1'); return 'not full'; }}
             catch (e) {{ return 'full'; }}",
            entry = serde_json::to_string(&stored_entry(id)).unwrap()
        ))
        .await;
    assert_eq!(filled, "full", "the test needs a full storage");
    b.open(&format!("{}/qr.html?store=SZ-FT", server.base))
        .await;
    let rows = server
        .wait_rows("the earlier page's answer", |r| {
            r.iter().any(|(i, ..)| i == id)
        })
        .await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].2["comment"], "left by an earlier page");
    b.js("localStorage.clear(); return 0;").await;
    b.close().await;
}
