//! `cargo xtask bench-dashboard`: how soon a manager can use the dashboard on a large store.
//! The collector holds `--responses` answers (default 100,000, the demo set over twelve
//! months); headless Chromium at 1280 px (cache off, no throttling: this machine) opens
//! `dashboard.html` signed in as an admin and we read:
//!
//! - **usable**: from navigation to the first render with the answers scored (the page's
//!   `nps-dashboard-ready` performance mark);
//! - **answers**: the bytes of `GET /api/responses?format=columns` (the compact columns the
//!   signed-in page reads) on the wire and decoded, and its time in the page;
//! - **a tab** (segments by advisor) and **a filter** (one store): from the click to the next
//!   frame after the re-render;
//! - **every section in**: from navigation to the last answer of the requests the page made
//!   before those clicks (the case queue, comments, themes, funnel…).
//!
//! Medians of `--runs` (default 5) loads, each in a fresh tab (each run's usable time is
//! printed too). A run ends when the page has been quiet for two seconds (no request of its
//! own still coming in), as when a manager reads the page before opening it again: the next
//! load is not measured behind the previous one's requests.

use nps_e2e::bench::{arg, median};
use nps_e2e::{Browser, Options, Server};
use serde_json::{json, Value};

const READ: &str = "const at = (n) => (performance.getEntriesByName(n)[0] || {}).startTime; \
    const ready = at('nps-dashboard-ready'); \
    const api = performance.getEntriesByType('resource').find(e => e.name.includes('/api/responses?format=columns')); \
    return ready ? [ready, api ? api.transferSize : 0, api ? api.encodedBodySize : 0, \
                    api ? api.decodedBodySize : 0, api ? api.responseEnd - api.requestStart : 0, \
                    at('nps-dashboard-fetched'), at('nps-dashboard-parsed'), api ? api.startTime : 0] : null;";

/// The requests to the collector so far, and the last answer of those asked before the first
/// click (`window.npsClicked`).
const API: &str =
    "const api = performance.getEntriesByType('resource').filter(e => e.name.includes('/api/')); \
    const before = api.filter(e => e.startTime < (window.npsClicked || Infinity)); \
    return [api.length, Math.max(0, ...before.map(e => e.responseEnd))];";

/// Clicks (a script's `act`) and answers the time to the frame after the re-render.
fn timed(act: &str) -> String {
    format!(
        "const done = arguments[0]; const t0 = performance.now(); \
         window.npsClicked = window.npsClicked || t0; {act}; \
         requestAnimationFrame(() => setTimeout(() => done(performance.now() - t0), 0));"
    )
}

#[tokio::main]
async fn main() {
    let (responses, runs) = (arg("--responses", 100_000), arg("--runs", 5));
    let server = Server::start_with(|s| s.names = nps_collector::demo::names()).await;
    let seeded = std::time::Instant::now();
    nps_collector::demo::seed(&server.db, responses, 12, 7).expect("seed the demo set");
    println!(
        "{responses} answers seeded in {:.1} s",
        seeded.elapsed().as_secs_f64()
    );
    let b = Browser::start(Options::default()).await;
    b.cdp("Network.enable", json!({})).await;
    b.cdp("Network.setCacheDisabled", json!({"cacheDisabled": true}))
        .await;
    let (mut usable, mut export, mut tab, mut filter) = (vec![], vec![], vec![], vec![]);
    let mut complete = vec![];
    let (mut start, mut text, mut parse, mut render) = (vec![], vec![], vec![], vec![]);
    let mut wire: Vec<Value> = vec![];
    b.sign_in_as(
        &server,
        nps_core::access::Role::Admin,
        nps_core::access::Scope::All,
    )
    .await;
    for run in 0..runs {
        // Each load in a fresh tab, the previous one closed: as a manager opens the page, not
        // behind the teardown of a tab holding a million answers.
        if run > 0 {
            let fresh = b.client.new_window(true).await.expect("a new tab");
            b.client
                .close_window()
                .await
                .expect("close the previous tab");
            b.client
                .switch_to_window(fresh.handle)
                .await
                .expect("switch to the new tab");
            b.cdp("Network.enable", json!({})).await;
            b.cdp("Network.setCacheDisabled", json!({"cacheDisabled": true}))
                .await;
        }
        b.goto(&format!("{}/dashboard.html", server.base)).await;
        let read = nps_e2e::wait_until("the dashboard's ready mark", || async {
            Some(b.js(READ).await).filter(|v| !v.is_null())
        })
        .await;
        let at = |i: usize| read[i].as_f64().unwrap_or(0.0);
        println!(
            "run {}: usable {:.0} ms (asked at {:.0} ms, columns {:.0} ms)",
            run + 1,
            at(0),
            at(7),
            at(5) - at(7)
        );
        usable.push(at(0));
        export.push(at(4));
        start.push(at(7));
        text.push(at(5) - at(7));
        parse.push(at(6) - at(5));
        render.push(at(0) - at(6));
        wire = read.as_array().unwrap().clone();
        let t = b
            .client
            .execute_async(
                &timed("[...document.querySelectorAll('.segments .seg')][1].click()"),
                vec![],
            )
            .await
            .unwrap();
        tab.push(t.as_f64().unwrap());
        let t = b
            .client
            .execute_async(
                &timed("const s = document.querySelectorAll('.filters select')[0]; s.value = s.options[1].value; s.dispatchEvent(new Event('change', {bubbles: true}))"),
                vec![],
            )
            .await
            .unwrap();
        filter.push(t.as_f64().unwrap());
        // Quiet: the number of requests unchanged for two seconds (at most two minutes).
        let (mut last, mut same, mut seen) = (-1.0, 0, Value::Null);
        for _ in 0..240 {
            seen = b.js(API).await;
            let count = seen[0].as_f64().unwrap_or(0.0);
            same = if count == last { same + 1 } else { 0 };
            last = count;
            if same >= 4 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
        complete.push(seen[1].as_f64().unwrap_or(f64::NAN));
        println!(
            "run {}: every section in at {:.0} ms",
            run + 1,
            complete[run]
        );
    }
    println!("\n| {responses} answers, 1280 px, this machine | median of {runs} |");
    println!("|---|---:|");
    println!(
        "| usable (navigation → first render with the answers scored) | {:.0} ms |",
        median(usable)
    );
    for (what, v) in [
        (
            "… the page and its wasm (navigation → the answers asked)",
            start,
        ),
        ("… the columns (asked → their bytes in the page)", text),
        ("… of which the request (asked → last byte)", export),
        ("… the columns read (checked, in wasm)", parse),
        ("… indexed, scored and drawn (→ first render)", render),
    ] {
        println!("| {what} | {:.0} ms |", median(v));
    }
    println!(
        "| columns on the wire (brotli) / decoded | {:.1} MB / {:.1} MB |",
        wire[1].as_f64().unwrap_or(0.0) / 1e6,
        wire[3].as_f64().unwrap_or(0.0) / 1e6
    );
    println!(
        "| every section in (navigation → the last of the page's first requests) | {:.0} ms |",
        median(complete)
    );
    println!(
        "| segments by advisor (click → next frame) | {:.0} ms |",
        median(tab)
    );
    println!(
        "| one store's view (change → next frame) | {:.0} ms |",
        median(filter)
    );
    b.close().await;
}
