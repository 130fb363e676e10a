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
        "created_at": "2026-11-23T08:30:00.000Z", "updated_at": "2026-11-23T08:31:00.000Z",
        "write_key": "5f0c6b1e9d8a4c2b8e7f6a5d4c3b2a19"
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

/// Regression: a reload mid-survey started a second response, so one customer's 3 counted
/// as two detractors. The reload continues the same response.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_mid_survey_continues_the_same_response() {
    let server = Server::start().await;
    let b = Browser::start(Options::phone("zh-CN")).await;
    let url = format!("{}/qr.html?store=SZ-FT&visit=RO-70001", server.base);
    b.open(&url).await;
    b.click("[data-score='3']").await;
    let rows = server.wait_rows("the scored row", |r| r.len() == 1).await;
    let id = rows[0].0.clone();
    b.open(&url).await;
    // The follow-up is back, with the 3 chosen before.
    b.wait_attr("[data-score='3']", "aria-checked", "true")
        .await;
    b.click("[data-score='3']").await;
    b.click("[data-reason='wait_time']").await;
    b.click(".nps-submit").await;
    let rows = server
        .wait_rows("the completed row", |r| {
            r.iter().any(|(_, s, _)| s == "completed")
        })
        .await;
    assert_eq!(rows.len(), 1, "one response carries the score: {rows:?}");
    assert_eq!(rows[0].0, id);
    assert_eq!(rows[0].2["score"], 3);
    // Finished: the next load of the visit says so, and starts nothing.
    b.open(&url).await;
    assert_eq!(
        b.text(".nps-outcome-title").await,
        "您已完成本次评价，谢谢！"
    );
    b.js("localStorage.clear(); return 0;").await;
    b.close().await;
}

/// Regression: a widget on an origin the collector does not allow had its `text/plain` post
/// stored, could not read the answer, and retried for a week. Now the collector refuses the
/// write in an answer the page can read, and the widget stops at once and says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_origin_is_learned_at_once_and_reported() {
    let page = Server::start().await;
    let collector =
        Server::start_with(|s| s.allow_origins = vec!["https://brand.example".into()]).await;
    let b = Browser::start(Options::phone("en-US")).await;
    let endpoint = format!("{}/api/responses", collector.base);
    b.open(&format!(
        "{}/chaos.html?endpoint={endpoint}&visit=refused",
        page.base
    ))
    .await;
    b.js("window.__errors = []; document.addEventListener('nps:error', e => window.__errors.push(e.detail)); return 0;")
        .await;
    b.click("[data-score='9']").await;
    let error = nps_e2e::wait_until("an nps:error", || async {
        let errors = b.js("return window.__errors;").await;
        errors.as_array().and_then(|a| a.first().cloned())
    })
    .await;
    assert_eq!(error["kind"], "delivery", "{error}");
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("403"), "{message}");
    // Stopped: a dead letter, no body kept, nothing stored, nothing retried.
    let entry = b
        .js("for (const k of Object.keys(localStorage)) if (k.startsWith('nps:v1:outbox:')) return JSON.parse(localStorage.getItem(k)); return null;")
        .await;
    assert!(entry["dead"].is_string(), "{entry}");
    assert_eq!(entry["body"], "");
    assert!(collector.rows().is_empty());
    b.js("localStorage.clear(); return 0;").await;
    b.close().await;
}
