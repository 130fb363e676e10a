//! `cargo xtask bench-web`: how soon a customer on a slow phone can answer, and what a page
//! pays for the survey, side by side with SurveyJS and Formbricks. Headless Chromium at
//! 375 px with the CPU slowed 4× and the cache off, under Lighthouse's "slow 4G" (150 ms
//! latency, 1.6 Mbit/s down, 750 kbit/s up), opens:
//!
//! - a plain HTML form with eleven buttons (the floor);
//! - the collector's QR landing page (`/s/after-sales?…`);
//! - the same survey mounted by the widget on a page of its own (`qr.html`);
//! - a brand's page with our script and an inline embed (`e2e/pages/brand.html`);
//! - the same brand page with the same survey in SurveyJS (`surveyjs.html`) and in
//!   Formbricks' renderer (`formbricks.html`), their files from npm (`NPS_BENCH_MODULES`,
//!   served beside ours with brotli and gzip copies, as ours are).
//!
//! The first three again under Chrome DevTools' Slow 4G preset (562.5 ms, 1.44 Mbit/s,
//! 675 kbit/s). Then Lighthouse (`lighthouse.rs`) on the landing, brand and WeChat pages
//! (`--lighthouse N`: the first N of them, default 3; `--lighthouse-runs N` each, default
//! the smaller of `--runs` and 3), and the scorer in the widget's wasm.
//! What each load measures is in `probe.rs`. Medians of `--runs` (default 5) loads; the
//! tables print as Markdown, ready for `docs/PERFORMANCE.md`.

mod lighthouse;
mod probe;

use std::path::Path;

use nps_e2e::bench::{arg, median};
use nps_e2e::{Browser, Options, Server};
use probe::Sample;
use serde_json::json;

/// A page of the benchmark: its name in the tables, its path (given the run's number),
/// whether it has a survey to tap (the floor's form leaves the page), and whether it needs
/// the npm files of another survey tool.
struct Page {
    name: &'static str,
    path: fn(usize) -> String,
    tap: bool,
    theirs: bool,
}

const PAGES: [Page; 6] = [
    Page {
        name: "plain HTML form (floor)",
        path: |_| "/plain-form.html".into(),
        tap: false,
        theirs: false,
    },
    Page {
        name: "QR landing page `/s/after-sales`",
        path: |i| format!("/s/after-sales?store=SZ-FT&visit=BENCH-{i}"),
        tap: true,
        theirs: false,
    },
    Page {
        name: "widget on its own page `qr.html`",
        path: |i| format!("/qr.html?store=SZ-FT&visit=BENCH-W-{i}"),
        tap: true,
        theirs: false,
    },
    Page {
        name: "brand page, our script + embed",
        path: |_| "/brand.html".into(),
        tap: true,
        theirs: false,
    },
    Page {
        name: "brand page, SurveyJS 2.5.38",
        path: |_| "/surveyjs.html".into(),
        tap: true,
        theirs: true,
    },
    Page {
        name: "brand page, Formbricks surveys 1.99.0",
        path: |_| "/formbricks.html".into(),
        tap: true,
        theirs: true,
    },
];

/// The npm files the other tools' pages load: (under `node_modules`, served as).
const THEIR_FILES: [(&str, &str); 4] = [
    ("survey-core/survey.core.min.js", "survey.core.min.js"),
    ("survey-js-ui/survey-js-ui.min.js", "survey-js-ui.min.js"),
    (
        "survey-core/survey-core.fontless.min.css",
        "survey-core.fontless.min.css",
    ),
    (
        "@formbricks/surveys/dist/index.umd.js",
        "formbricks-surveys.umd.js",
    ),
];

#[tokio::main]
async fn main() {
    let runs = arg("--runs", 5);
    let server = Server::start().await;
    let theirs = match std::env::var_os("NPS_BENCH_MODULES") {
        Some(modules) => serve_theirs(Path::new(&modules), &server),
        None => {
            eprintln!("NPS_BENCH_MODULES is not set: SurveyJS and Formbricks are left out (cargo xtask bench-web sets it)");
            false
        }
    };
    let b = Browser::start(Options::phone("zh-CN")).await;
    b.cdp("Network.enable", json!({})).await;
    b.cdp("Network.setCacheDisabled", json!({"cacheDisabled": true}))
        .await;
    b.cdp("Emulation.setCPUThrottlingRate", json!({"rate": 4}))
        .await;
    probe::install(&b).await;
    let networks = [
        (
            "Lighthouse slow 4G",
            json!({"offline": false, "latency": 150, "downloadThroughput": 204_800, "uploadThroughput": 93_750}),
            PAGES.len(),
        ),
        (
            "DevTools Slow 4G",
            json!({"offline": false, "latency": 562.5, "downloadThroughput": 180_000, "uploadThroughput": 84_375}),
            3,
        ),
    ];
    let mut side_by_side = Vec::new();
    for (k, (network, conditions, count)) in networks.into_iter().enumerate() {
        b.cdp("Network.emulateNetworkConditions", conditions).await;
        println!("\n{network}, 375 px, 4× CPU, cache off: medians of {runs} loads\n");
        println!("| page | bytes up front | bytes in all | first score tappable | first paint | total blocking time | layout shift | tap → request | release → request |");
        println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for page in PAGES.iter().take(count).filter(|p| theirs || !p.theirs) {
            let mut samples = Vec::new();
            for i in 0..runs {
                // A visit of its own each load: a visit answered is not asked again.
                let url = format!("{}{}", server.base, (page.path)(k * 1000 + i));
                samples.push(probe::load(&b, &url, page.tap).await);
            }
            let m = medians(&samples);
            row(page.name, &m);
            side_by_side.push((page.name, m));
        }
        if network.starts_with("Lighthouse") {
            ratios(&side_by_side);
        }
    }
    let lighthouse_pages = [
        (
            "QR landing page `/s/after-sales`",
            "/s/after-sales?store=SZ-FT&visit=LH",
        ),
        ("brand page, our script + embed", "/brand.html"),
        ("WeChat page `wechat.html`", "/wechat.html"),
    ];
    let mut reports = Vec::new();
    let lighthouse_runs = arg("--lighthouse-runs", runs.min(3));
    for (name, path) in lighthouse_pages.iter().take(arg("--lighthouse", 3)) {
        let url = format!("{}{path}", server.base);
        reports.extend(lighthouse::median_of(name, &url, lighthouse_runs).await);
    }
    if !reports.is_empty() {
        lighthouse::print(&reports, lighthouse_runs);
    }
    scorer(&b, &server).await;
    b.close().await;
}

/// The median of each figure over the loads.
fn medians(samples: &[Sample]) -> Sample {
    let m = |f: fn(&Sample) -> f64| median(samples.iter().map(f).collect());
    Sample {
        answerable: m(|s| s.answerable),
        fcp: m(|s| s.fcp),
        up_front: m(|s| s.up_front),
        all: m(|s| s.all),
        tbt: m(|s| s.tbt),
        cls: m(|s| s.cls),
        tap: m(|s| s.tap),
        release: m(|s| s.release),
    }
}

fn ms(v: f64) -> String {
    if v.is_nan() {
        "—".into()
    } else {
        format!("{v:.0} ms")
    }
}

fn row(name: &str, m: &Sample) {
    println!(
        "| {name} | {:.1} KB | {:.1} KB | **{}** | {} | {} | {:.3} | {} | {} |",
        m.up_front / 1000.0,
        m.all / 1000.0,
        ms(m.answerable),
        ms(m.fcp),
        ms(m.tbt),
        m.cls,
        ms(m.tap),
        ms(m.release)
    );
}

/// Theirs over ours: each other tool's figures divided by our brand page's and by our landing
/// page's (a ratio over a zero is left out, with the two figures instead).
fn ratios(rows: &[(&str, Sample)]) {
    let find = |prefix: &str| rows.iter().find(|(n, _)| n.starts_with(prefix));
    let ours = [
        ("our brand page", find("brand page, our")),
        ("our landing page", find("QR landing")),
    ];
    let others: Vec<_> = rows
        .iter()
        .filter(|(n, _)| n.contains("SurveyJS") || n.contains("Formbricks"))
        .collect();
    if others.is_empty() {
        return;
    }
    println!("\n| theirs ÷ ours | bytes up front | bytes in all | first score tappable | total blocking time | layout shift | tap → request |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (their_name, t) in others {
        for (our_name, o) in ours.iter().filter_map(|(n, o)| o.map(|o| (n, o.1))) {
            let r = |a: f64, b: f64, unit: &str| {
                if a.is_nan() || b.is_nan() {
                    "—".into()
                } else if b > 0.0 {
                    format!("{:.1}×", a / b)
                } else if unit.is_empty() {
                    format!("{a:.3} vs {b:.3}")
                } else {
                    format!("{a:.0} vs {b:.0} {unit}")
                }
            };
            println!(
                "| {} ÷ {our_name} | {} | {} | {} | {} | {} | {} |",
                their_name.trim_start_matches("brand page, "),
                r(t.up_front, o.up_front, "B"),
                r(t.all, o.all, "B"),
                r(t.answerable, o.answerable, "ms"),
                r(t.tbt, o.tbt, "ms"),
                r(t.cls, o.cls, ""),
                r(t.tap, o.tap, "ms")
            );
        }
    }
}

/// Copies the other tools' npm files into the server's static folder with brotli and gzip
/// copies made by `node`'s zlib (what a brand's server or CDN would send); whether it could.
fn serve_theirs(modules: &Path, server: &Server) -> bool {
    let site = server.db.parent().unwrap().join("site");
    let mut names = Vec::new();
    for (from, to) in THEIR_FILES {
        if let Err(e) = std::fs::copy(modules.join(from), site.join(to)) {
            eprintln!("{from} is not in {}: {e}", modules.display());
            return false;
        }
        names.push(site.join(to));
    }
    let compress = "const z = require('zlib'), fs = require('fs'); \
        for (const f of process.argv.slice(1)) { const b = fs.readFileSync(f); \
        fs.writeFileSync(f + '.br', z.brotliCompressSync(b, {params: {[z.constants.BROTLI_PARAM_QUALITY]: 11}})); \
        fs.writeFileSync(f + '.gz', z.gzipSync(b, {level: 9})); }";
    let ok = std::process::Command::new("node")
        .args(["-e", compress])
        .args(&names)
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("node could not compress the other tools' files");
    }
    ok
}

/// The scorer in the widget's wasm, unthrottled: 1,000,000 responses, the tally
/// (`NpsWidget.score` on a `Uint8Array`) and three segmentations (as `cargo xtask bench-score`
/// natively, `NpsWidget.scoreSegments`), each and all four together, medians of 11.
async fn scorer(b: &Browser, server: &Server) {
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
             const median = f => { const t = []; for (let k = 0; k < 11; k++) { const s = performance.now(); f(); t.push(performance.now() - s); } \
               t.sort((a, b) => a - b); return t[5]; }; \
             const out = { tally: median(() => NpsWidget.score(scores)) }; \
             for (const [name, ids] of [['store', store], ['advisor', advisor], ['month', month]]) out[name] = median(() => NpsWidget.scoreSegments(scores, ids)); \
             out.all = median(() => { NpsWidget.score(scores); NpsWidget.scoreSegments(scores, store); NpsWidget.scoreSegments(scores, advisor); NpsWidget.scoreSegments(scores, month); }); \
             return out;")
        .await;
    println!();
    println!(
        "| scorer in the widget's wasm (Chromium, 1,000,000 responses, median of 11) | tally (`score`) | by store | by advisor | by month | tally + the three |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    let ms = |k: &str| timing[k].as_f64().unwrap_or(f64::NAN);
    println!(
        "| `NpsWidget.score` on a `Uint8Array`, `NpsWidget.scoreSegments` | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms | **{:.1} ms** |",
        ms("tally"),
        ms("store"),
        ms("advisor"),
        ms("month"),
        ms("all")
    );
}
