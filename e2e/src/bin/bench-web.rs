//! `cargo xtask bench-web`: how soon a customer on a slow phone can answer. Headless
//! Chromium at 375 px with the CPU slowed 4× and two "slow 4G" networks — Lighthouse's
//! (150 ms latency, 1.6 Mbit/s down, 750 kbit/s up) and Chrome DevTools' preset (562.5 ms,
//! 1.44 Mbit/s, 675 kbit/s) — cache off, opens three pages:
//!
//! - a plain HTML form with eleven buttons (the floor);
//! - the collector's QR landing page (`/s/after-sales?…`);
//! - the same survey mounted by the widget on a page of its own (`qr.html`).
//!
//! "Answerable" is the first animation frame in which the 10 button is on screen (a script
//! put in the page before its own, through DevTools); the bytes are what crossed the wire
//! up to then, and in all once the page settled. Medians of `--runs` (default 7) loads.

use std::time::Duration;

use nps_e2e::bench::{arg, median};
use nps_e2e::{Browser, Options, Server};
use serde_json::{json, Value};

const PROBE: &str = r#"(function () {
  var sel = "[data-score='10'], button[name=score][value='10']";
  function find() {
    var el = document.querySelector(sel);
    var roots = document.querySelectorAll("nps-root");
    for (var i = 0; !el && i < roots.length; i++) el = roots[i].shadowRoot && roots[i].shadowRoot.querySelector(sel);
    return el;
  }
  function frame() {
    var el = find();
    if (el) {
      var r = el.getBoundingClientRect();
      if (r.width > 0 && r.height > 0 && r.right <= innerWidth) { window.__answerable = performance.now(); return; }
    }
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
})();"#;

const READ: &str = "const nav = performance.getEntriesByType('navigation')[0]; \
    const res = performance.getEntriesByType('resource'); \
    const at = window.__answerable; \
    const fcp = performance.getEntriesByName('first-contentful-paint')[0]; \
    const bytes = (list) => list.reduce((s, e) => s + (e.transferSize || 0), 0); \
    return [at || null, fcp ? fcp.startTime : null, \
            nav.transferSize + bytes(res.filter(e => e.responseEnd <= at)), \
            nav.transferSize + bytes(res)];";

#[tokio::main]
async fn main() {
    let runs = arg("--runs", 7);
    let server = Server::start().await;
    let b = Browser::start(Options::phone("zh-CN")).await;
    b.cdp("Network.enable", json!({})).await;
    b.cdp("Network.setCacheDisabled", json!({"cacheDisabled": true}))
        .await;
    b.cdp("Emulation.setCPUThrottlingRate", json!({"rate": 4}))
        .await;
    b.cdp(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": PROBE }),
    )
    .await;
    let pages: [(&str, &dyn Fn(usize) -> String); 3] = [
        ("plain HTML form (floor)", &|_| {
            "/plain-form.html".to_owned()
        }),
        ("QR landing page `/s/after-sales`", &|i| {
            format!("/s/after-sales?store=SZ-FT&visit=BENCH-{i}")
        }),
        ("widget on its own page `qr.html`", &|i| {
            format!("/qr.html?store=SZ-FT&visit=BENCH-W-{i}")
        }),
    ];
    println!("| network | page | answerable (median) | first paint | first screen on the wire | all on the wire |");
    println!("|---|---|---:|---:|---:|---:|");
    let networks = [
        (
            "Lighthouse slow 4G",
            json!({"offline": false, "latency": 150, "downloadThroughput": 204_800, "uploadThroughput": 93_750}),
        ),
        (
            "DevTools Slow 4G",
            json!({"offline": false, "latency": 562.5, "downloadThroughput": 180_000, "uploadThroughput": 84_375}),
        ),
    ];
    for (network, conditions) in networks {
        b.cdp("Network.emulateNetworkConditions", conditions).await;
        for (name, path) in &pages {
            let (mut at, mut fcp, mut first, mut all) = (vec![], vec![], vec![], vec![]);
            for i in 0..runs {
                b.client
                    .goto(&format!("{}{}", server.base, path(i)))
                    .await
                    .unwrap();
                // Let the page settle (the widget's script and wasm after the landing page).
                let mut v = Value::Null;
                for _ in 0..100 {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    v = b.client.execute(READ, vec![]).await.unwrap();
                    let loaded = b
                    .client
                    .execute("return document.readyState === 'complete' && (!window.NpsWidget || !!document.querySelector('[data-nps-mounted]'))", vec![])
                    .await
                    .unwrap();
                    if !v[0].is_null() && loaded == json!(true) {
                        tokio::time::sleep(Duration::from_millis(500)).await;
                        v = b.client.execute(READ, vec![]).await.unwrap();
                        break;
                    }
                }
                let n = |i: usize| v[i].as_f64().unwrap_or(f64::NAN);
                at.push(n(0));
                fcp.push(n(1));
                first.push(n(2));
                all.push(n(3));
            }
            println!(
                "| {network} | {name} | **{:.0} ms** | {:.0} ms | {:.1} KB | {:.1} KB |",
                median(at),
                median(fcp),
                median(first) / 1000.0,
                median(all) / 1000.0
            );
        }
    }
    // The scorer in the widget's wasm, unthrottled: 1,000,000 responses, three segmentations
    // (as `cargo xtask bench-score` natively), `NpsWidget.scoreSegments`, median of 11.
    b.cdp("Emulation.setCPUThrottlingRate", json!({"rate": 1}))
        .await;
    b.cdp(
        "Network.emulateNetworkConditions",
        json!({"offline": false, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}),
    )
    .await;
    b.open(&format!("{}/qr.html", server.base)).await;
    let timing = b
        .js("const n = 1000000, scores = new Uint8Array(n), store = new Uint32Array(n), advisor = new Uint32Array(n), month = new Uint32Array(n); \
             let x = 20261124; const next = k => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>> 0) % k; }; \
             for (let i = 0; i < n; i++) { const a = next(200); advisor[i] = a; store[i] = Math.floor(a / 10); month[i] = next(12); \
               const r = next(100); scores[i] = r < 45 ? 9 + next(2) : r < 75 ? 7 + next(2) : next(7); } \
             const out = {}; for (const [name, ids] of [['store', store], ['advisor', advisor], ['month', month]]) { \
               const t = []; for (let k = 0; k < 11; k++) { const s = performance.now(); NpsWidget.scoreSegments(scores, ids); t.push(performance.now() - s); } \
               t.sort((a, b) => a - b); out[name] = t[5]; } return out;")
        .await;
    println!();
    println!(
        "| scorer in the widget's wasm (Chromium, 1,000,000 responses) | store | advisor | month |"
    );
    println!("|---|---:|---:|---:|");
    let ms = |k: &str| timing[k].as_f64().unwrap_or(f64::NAN);
    println!(
        "| `NpsWidget.scoreSegments`, median of 11 | {:.1} ms | {:.1} ms | {:.1} ms |",
        ms("store"),
        ms("advisor"),
        ms("month")
    );
    b.close().await;
}
