//! The demo pages in headless Chromium against the collector, checked in SQLite.
//! With `NPS_SCREENSHOTS=docs/screenshots` the tour also saves what a person sees.

use fantoccini::key::Key;
use nps_e2e::{Browser, Options, Server};
use serde_json::json;

fn completed_rows(rows: &[(String, String, serde_json::Value)]) -> usize {
    rows.iter()
        .filter(|(_, stage, _)| stage == "completed")
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tap_3_pick_a_reason_submit_and_the_row_is_in_sqlite() {
    let server = Server::start().await;
    let b = Browser::start(Options::phone("zh-CN")).await;
    b.open(&format!(
        "{}/qr.html?store=SZ-FT&advisor=wang&visit=RO-88231",
        server.base
    ))
    .await;
    assert_eq!(
        b.text(".nps-question").await,
        "基于本次售后服务体验，您向亲友推荐星辰汽车的可能性有多大？"
    );
    b.click("[data-score='3']").await;
    // The score is stored the moment it is chosen.
    let rows = server.wait_rows("the scored row", |r| r.len() == 1).await;
    assert_eq!(rows[0].1, "scored");
    b.click("[data-reason='wait_time']").await;
    b.click(".nps-submit").await;
    assert_eq!(b.text(".nps-outcome-title").await, "感谢您的坦诚");
    let rows = server
        .wait_rows("the completed row", |r| completed_rows(r) == 1)
        .await;
    assert_eq!(rows.len(), 1, "one row per response");
    let body = &rows[0].2;
    assert_eq!(body["score"], 3);
    assert_eq!(body["category"], "detractor");
    assert_eq!(body["reasons"], json!(["wait_time"]));
    assert_eq!(body["survey"], "after-sales");
    assert_eq!(body["locale"], "zh-CN");
    assert_eq!(
        body["context"],
        json!({"store": "SZ-FT", "advisor": "wang", "visit": "RO-88231", "touchpoint": "after_service", "channel": "qr"})
    );
    // "Sent" only once the collector acknowledged it.
    nps_e2e::wait_until("✓ 已提交", || async {
        (b.text(".nps-status").await == "✓ 已提交").then_some(())
    })
    .await;
    // The same visit again: already answered, nothing new stored.
    b.open(&format!(
        "{}/qr.html?store=SZ-FT&advisor=wang&visit=RO-88231",
        server.base
    ))
    .await;
    assert_eq!(
        b.text(".nps-outcome-title").await,
        "您已完成本次评价，谢谢！"
    );
    assert_eq!(server.rows().len(), 1);
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyboard_only_from_the_first_score_to_the_outcome() {
    let server = Server::start().await;
    let b = Browser::start(Options::default()).await;
    b.open(&format!("{}/embed.html", server.base)).await;
    b.find("#inline-survey >> [data-score='0']").await;
    b.js("nps$(\"#inline-survey >> [data-score='0']\").focus()")
        .await;
    for _ in 0..9 {
        b.keys(&Key::Right.to_string()).await;
    }
    // Focus inside a survey: the page's active element is its shadow host.
    let focused = b
        .js("return document.activeElement.shadowRoot.activeElement.dataset.score")
        .await;
    assert_eq!(focused, "9");
    b.keys(&Key::Enter.to_string()).await;
    b.wait_attr("#inline-survey >> [data-score='9']", "aria-checked", "true")
        .await;
    // Space toggles a reason chip; Enter on submit finishes.
    b.find("#inline-survey >> [data-reason='repair_quality']")
        .await
        .send_keys(" ")
        .await
        .unwrap();
    b.wait_attr(
        "#inline-survey >> [data-reason='repair_quality']",
        "aria-pressed",
        "true",
    )
    .await;
    b.find("#inline-survey >> .nps-submit")
        .await
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
    assert_eq!(
        b.text("#inline-survey >> .nps-outcome-title").await,
        "Thank you!"
    );
    let rows = server
        .wait_rows("the completed row", |r| completed_rows(r) == 1)
        .await;
    assert_eq!(
        (rows[0].2["score"].as_u64(), rows[0].2["reasons"].clone()),
        (Some(9), json!(["repair_quality"]))
    );
    assert_eq!(rows[0].2["context"]["store"], "SZ-FT");
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_score_and_a_skip_leave_one_row_at_its_final_stage() {
    let server = Server::start().await;
    let b = Browser::start(Options::default()).await;
    b.open(&format!("{}/embed.html", server.base)).await;
    b.js("window.__delivered = []; document.addEventListener('nps:delivered', e => window.__delivered.push(e.detail.stage))").await;
    b.click("#inline-survey >> [data-score='10']").await;
    server
        .wait_rows("the first score", |r| {
            r.first().is_some_and(|x| x.2["score"] == 10)
        })
        .await;
    b.click("#inline-survey >> [data-score='6']").await;
    server
        .wait_rows("the changed score", |r| {
            r.first().is_some_and(|x| x.2["score"] == 6)
        })
        .await;
    b.click("#inline-survey >> .nps-skip").await;
    let rows = server
        .wait_rows("completed", |r| completed_rows(r) == 1)
        .await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].2["category"].as_str(), rows[0].2["reasons"].clone()),
        (Some("detractor"), json!([]))
    );
    nps_e2e::wait_until("nps:delivered for completed", || async {
        let v = b.js("return window.__delivered").await;
        v.as_array()
            .filter(|a| a.iter().any(|s| s == "completed"))
            .map(|_| ())
    })
    .await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_scores_what_the_collector_stored() {
    let server = Server::start().await;
    let b = Browser::start(Options::default()).await;
    for (visit, score) in [("V1", 10), ("V2", 9), ("V3", 7), ("V4", 2)] {
        b.open(&format!(
            "{}/qr.html?store=SZ-FT&advisor=wang&visit={visit}",
            server.base
        ))
        .await;
        b.click(&format!("[data-score='{score}']")).await;
        b.click(".nps-skip").await;
        b.find(".nps-outcome").await;
    }
    server
        .wait_rows("four completed rows", |r| completed_rows(r) == 4)
        .await;
    b.load_dashboard(&server).await;
    assert_eq!(b.text(".glance .big").await, "25");
    let table = b.text(".segments tbody").await;
    assert!(table.contains("SZ-FT"), "{table}");
    b.close().await;
}
