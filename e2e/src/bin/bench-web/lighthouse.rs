//! Lighthouse (npm, `NPS_LIGHTHOUSE`, run with `node`) against the same Chromium
//! (`CHROME_PATH`), with its defaults: a mobile phone, simulated slow 4G and 4× CPU; the
//! median of a few runs by performance score. Reports
//! the performance, accessibility and best-practices scores against their targets, and for a
//! category under its target, each audit in it that did not pass. `NPS_LIGHTHOUSE_KEEP=DIR`
//! keeps each run's JSON report there (`{page}-{run}.json`).

use serde_json::Value;

/// The categories, each with its target score (0–100).
const TARGETS: [(&str, &str, f64); 3] = [
    ("performance", "performance", 95.0),
    ("accessibility", "accessibility", 100.0),
    ("best-practices", "best practices", 95.0),
];

/// One page's scores (`None`: no score) and the audits that kept a category under target.
pub struct Report {
    pub page: String,
    pub scores: Vec<Option<f64>>,
    pub failing: Vec<String>,
}

/// Runs Lighthouse `runs` times on `url` (its scores move by several points between runs on
/// a busy machine): the run of the median performance score. `None` if none could run.
pub async fn median_of(page: &str, url: &str, runs: usize) -> Option<Report> {
    let mut reports = Vec::new();
    for n in 0..runs {
        reports.extend(run(page, url, n).await);
    }
    reports.sort_by(|a, b| {
        a.scores[0]
            .unwrap_or(-1.0)
            .total_cmp(&b.scores[0].unwrap_or(-1.0))
    });
    let middle = reports.len() / 2;
    (!reports.is_empty()).then(|| reports.swap_remove(middle))
}

/// Runs Lighthouse on `url` once; `None` (with the reason printed) if it could not run.
async fn run(page: &str, url: &str, n: usize) -> Option<Report> {
    let cli = std::env::var_os("NPS_LIGHTHOUSE")?;
    let out = nps_e2e::temp_dir("lighthouse").join("report.json");
    let start = std::time::Instant::now();
    let status = tokio::process::Command::new("node")
        .arg(cli)
        .arg(url)
        .args([
            "--output=json",
            "--quiet",
            "--only-categories=performance,accessibility,best-practices",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage",
        ])
        .arg(format!("--output-path={}", out.display()))
        .env("CHROME_PATH", std::env::var_os("CHROMIUM")?)
        .status()
        .await;
    eprintln!(
        "lighthouse on {url}: {:.0} s",
        start.elapsed().as_secs_f64()
    );
    let text = std::fs::read_to_string(&out);
    if let Some(keep) = std::env::var_os("NPS_LIGHTHOUSE_KEEP") {
        let name: String = page.chars().filter(char::is_ascii_alphanumeric).collect();
        let _ = std::fs::copy(
            &out,
            std::path::Path::new(&keep).join(format!("{name}-{n}.json")),
        );
    }
    let _ = std::fs::remove_dir_all(out.parent().unwrap());
    let json: Value = match (status, text) {
        (Ok(s), Ok(t)) if s.success() => serde_json::from_str(&t).ok()?,
        (s, _) => {
            eprintln!("lighthouse on {url} did not run: {s:?}");
            return None;
        }
    };
    if let Some(e) = json["runtimeError"]["message"].as_str() {
        eprintln!("lighthouse on {url}: {e}");
    }
    let mut scores = Vec::new();
    let mut failing = Vec::new();
    for (key, name, target) in TARGETS {
        let category = &json["categories"][key];
        let score = category["score"].as_f64().map(|s| (s * 100.0).round());
        scores.push(score);
        if score.is_some_and(|s| s >= target) {
            continue;
        }
        for r in category["auditRefs"].as_array().into_iter().flatten() {
            let audit = &json["audits"][r["id"].as_str().unwrap_or_default()];
            let mode = audit["scoreDisplayMode"].as_str().unwrap_or_default();
            let weight = r["weight"].as_f64().unwrap_or(0.0);
            let passed = audit["score"].as_f64().is_none_or(|s| s >= 0.9);
            if passed || matches!(mode, "informative" | "notApplicable" | "manual") {
                continue;
            }
            failing.push(format!(
                "{name}: `{}` {} (score {:.2}, weight {weight}){}",
                r["id"].as_str().unwrap_or_default(),
                audit["title"].as_str().unwrap_or_default(),
                audit["score"].as_f64().unwrap_or(0.0),
                audit["displayValue"]
                    .as_str()
                    .map(|v| format!(": {v}"))
                    .unwrap_or_default()
            ));
        }
    }
    Some(Report {
        page: page.to_owned(),
        scores,
        failing,
    })
}

/// The table of scores, then each page's audits under target.
pub fn print(reports: &[Report], runs: usize) {
    println!("\n| Lighthouse (mobile, its defaults; median of {runs}) | performance (≥ 95) | accessibility (100) | best practices (≥ 95) |");
    println!("|---|---:|---:|---:|");
    for r in reports {
        let cells: Vec<String> = r
            .scores
            .iter()
            .zip(TARGETS)
            .map(|(s, (_, _, target))| match s {
                Some(s) if *s >= target => format!("{s:.0}"),
                Some(s) => format!("**{s:.0}** (under)"),
                None => "—".into(),
            })
            .collect();
        println!("| {} | {} |", r.page, cells.join(" | "));
    }
    for r in reports.iter().filter(|r| !r.failing.is_empty()) {
        println!("\nUnder target on {}:", r.page);
        for f in &r.failing {
            println!("- {f}");
        }
    }
}
