//! The benchmarks besides the collector's (`bench`): in a browser (`cargo xtask bench-web`,
//! `bench-dashboard`, `e2e/src/bin/`), the scorer beside pandas (`cargo xtask bench-score`) and
//! the weekly report's image (`cargo xtask bench-report`).

use std::process::Command;

use crate::{cargo, dist, npm, root, run, step, tools, Result};

/// A benchmark in a browser (`e2e/src/bin/<bin>.rs`: `bench-web`, `bench-dashboard`), with
/// its flags passed on: a release build. `cargo xtask test` runs a short version of each in a
/// debug build, so that they keep working; its figures are not judged there.
pub fn browser(
    bin: &str,
    args: &[String],
    ready: Option<(&tools::Browser, &std::path::Path)>,
) -> Result {
    let owned;
    let (t, dist, release) = match ready {
        Some((t, dist)) => (t, dist.to_owned(), false),
        None => {
            owned = tools::for_browser_tests()?;
            (&owned, dist::dist()?.0, true)
        }
    };
    let mut cmd = cargo();
    if bin == "bench-web" {
        // The same survey in SurveyJS and Formbricks, and Lighthouse (npm, pinned).
        let side = npm::ensure_side_by_side()?;
        cmd.env("NPS_BENCH_MODULES", &side.modules)
            .env("NPS_LIGHTHOUSE", &side.lighthouse);
    }
    step(&format!("{bin} {}", args.join(" ")));
    cmd.args(["run", "-q", "-p", "nps-e2e", "--bin", bin]);
    if release {
        cmd.arg("--release");
    }
    run(cmd
        .arg("--")
        .args(args)
        .env("NPS_DIST", &dist)
        .env("CHROMEDRIVER", &t.chromedriver)
        .env("CHROMIUM", &t.chromium))
}

/// The scorer on a million responses, three segmentations (`core/benches/score.rs`), then pandas
/// grouping the same data (`bench/score_pandas.py`) in the same run.
/// `bench-report`: one weekly report drawn (SVG, then PNG by resvg), natively in release.
pub fn report() -> Result {
    step("the weekly report's image, natively (release): median of 11 draws per locale");
    run(cargo().args(["bench", "-q", "-p", "nps-collector", "--bench", "report"]))
}

pub fn score() -> Result {
    let python = tools::ensure_pandas()?;
    let csv = std::env::temp_dir().join(format!("nps-score-{}.csv", std::process::id()));
    step("the scorer, natively (release): median of 21 runs per segmentation");
    run(cargo()
        .args(["bench", "-q", "-p", "nps-core", "--bench", "score", "--"])
        .arg(&csv))?;
    step("pandas on the same data: median of 21 runs per group-by");
    let result = run(Command::new(python)
        .arg(root().join("bench/score_pandas.py"))
        .arg(&csv));
    let _ = std::fs::remove_file(&csv);
    result
}
