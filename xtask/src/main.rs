//! Build automation: `cargo xtask dist | demo | test | chaos | screenshots | bench | docs`.
//!
//! - `dist` (`dist.rs`): builds the wasm, binds and shrinks it, assembles `dist/`, prints
//!   each shipped file's size (raw, gzip, brotli) against the budget in `size-budget.txt`.
//! - `size [--top N]` (`size.rs`): what the widget's wasm is made of, by twiggy.
//! - `demo [--port N] [--public-origin URL]`: `dist`, then serves it with the collector on
//!   http://127.0.0.1:8080 (or on the network, at the address phones use).
//! - `test`: every test — format, native (the tidy checks of `tidy.rs` among them), wasm in
//!   headless Chromium, end to end — and the size budget.
//! - `chaos [--surveys N]`: the long end-to-end run against a faulty network (200 surveys).
//! - `screenshots`: every screen at phone and desktop width into `docs/screenshots`.
//! - `bench [--db sqlite|postgres] [--collectors N]` (`bench.rs`, `pg.rs`): collectors under
//!   load with wrk, on SQLite or a temporary PostgreSQL server, several behind nginx.
//! - `docs` (`docs.rs`): rewrites the generated references in `docs/`.
//! - `fuzz [--seconds N]` (`fuzz.rs`): the parsers under libFuzzer; crashes become kept inputs.
//!
//! On a machine with only rustup, missing tools are installed (the wasm32 target, the
//! wasm-bindgen CLI pinned to Cargo.lock, wasm-opt from npm's binaryen, and — as root on
//! Debian — Chromium, ChromeDriver and nginx); elsewhere the xtask says exactly what to install.

mod bench;
mod benches;
mod dashboard;
mod demo;
mod dist;
mod docs;
mod fuzz;
mod minify;
mod npm;
mod package;
mod pg;
mod pinned;
mod size;
#[cfg(test)]
mod tidy;
mod tools;
mod types;

use std::env;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("dist") => dist::dist().map(|_| ()),
        Some("package") => package::command(&args[1..]),
        Some("size") => size::size(&args[1..]),
        Some("demo") => demo::demo(&args[1..]),
        Some("test") => test(&args[1..]),
        Some("chaos") => chaos(&args[1..]),
        Some("screenshots") => screenshots(),
        Some("bench") => bench::bench(&args[1..]),
        Some(bin @ ("bench-web" | "bench-dashboard")) => benches::browser(bin, &args[1..], None),
        Some("bench-score") => benches::score(),
        Some("bench-report") => benches::report(),
        Some("docs") => docs::write_all(),
        Some("fuzz") => fuzz::fuzz(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <task>\n\n\
                 tasks:\n  dist               build dist/ and print the size of each shipped file\n  \
                 package [--check]  build the npm package into dist/npm/ (npm pack; nothing is published); --check: install it into a scratch TypeScript project, tsc, esbuild\n  \
                 size [--top N]     what the widget's wasm is made of (twiggy: top, dominators, monos, by crate)\n  \
                 demo [--port N] [--public-origin URL]  build, then serve the demo and the API (default port 8080, or NPS_PORT; URL: where phones reach it)\n  \
                 test               run every test: native, wasm in headless Chromium, end to end\n  \
                 chaos [--surveys N] the long end-to-end run against injected network faults (default 200)\n  \
                 screenshots        save every screen at phone and desktop width into docs/screenshots\n  \
                 bench [--db sqlite|postgres] [--collectors N] [--nginx] [--seconds N] [--connections N]  load collectors with wrk: durable answers/s, latency, bytes an answer\n  \
                 bench-web [--runs N] [--lighthouse N]  slow phone: our pages beside SurveyJS and Formbricks, and Lighthouse\n  \
                 bench-score        the scorer on 1,000,000 responses natively, beside pandas on the same data\n  \
                 bench-report       the time to draw one weekly report's image (SVG, then PNG by resvg)\n  \
                 bench-dashboard [--responses N] [--runs N]  the dashboard on 100,000 stored answers: time to usable\n  \
                 docs               rewrite the generated references in docs/ (config keys, DOM events)\n  \
                 fuzz [--seconds N] each fuzz target under libFuzzer for N seconds (default 300)"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace")
        .to_path_buf()
}

/// Cargo's target folder: `CARGO_TARGET_DIR` when set (relative to the workspace root),
/// else `target/` in the workspace root.
pub fn target_dir() -> PathBuf {
    match env::var_os("CARGO_TARGET_DIR") {
        Some(d) if !d.is_empty() => root().join(d),
        _ => root().join("target"),
    }
}

/// Runs a command in the workspace root, failing with its command line.
pub fn run(cmd: &mut Command) -> Result {
    run_in(&root(), cmd)
}

/// Runs `cmd` in `dir`; an error names the command and its status.
pub fn run_in(dir: &Path, cmd: &mut Command) -> Result {
    cmd.current_dir(dir);
    let shown = format!("{cmd:?}");
    let status = cmd
        .status()
        .map_err(|e| format!("could not start {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

/// Runs `cargo test …`, passing its output through and adding up its "test result" lines.
fn run_tests(cmd: &mut Command, totals: &mut (u64, u64)) -> Result {
    use std::io::{BufRead, BufReader};
    cmd.current_dir(root()).stdout(std::process::Stdio::piped());
    let shown = format!("{cmd:?}");
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("could not start {shown}: {e}"))?;
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out)
            .lines()
            .map_while(std::result::Result::ok)
        {
            println!("{line}");
            if let Some(rest) = line.strip_prefix("test result: ") {
                let num = |word: &str| {
                    rest.split(';')
                        .find_map(|part| {
                            part.trim()
                                .trim_start_matches("ok. ")
                                .trim_start_matches("FAILED. ")
                                .strip_suffix(word)
                        })
                        .and_then(|n| n.trim().parse::<u64>().ok())
                        .unwrap_or(0)
                };
                totals.0 += num(" passed");
                totals.1 += num(" failed");
            }
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

pub fn cargo() -> Command {
    Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

pub fn step(title: &str) {
    println!("\n== {title}");
    let _ = std::io::stdout().flush();
}

pub fn flag_value(args: &[String], flag: &str) -> Option<String> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn test(args: &[String]) -> Result {
    let quick_chaos = flag_value(args, "--surveys").unwrap_or_else(|| "50".into());
    step("format");
    tools::ensure_rustfmt()?;
    run(cargo().args(["fmt", "--all", "--", "--check"]))
        .map_err(|e| format!("{e}\n  run `cargo fmt --all` to fix the formatting"))?;
    let mut totals = (0, 0);
    step("native tests: core, collector (behind a real nginx, on SQLite and PostgreSQL), xtask");
    let nginx = tools::ensure_nginx()?;
    let postgres = tools::ensure_postgres()?;
    let sqlite3 = tools::ensure_sqlite3()?;
    run_tests(
        cargo()
            .args(["test", "--workspace", "--exclude", "nps-e2e"])
            .env("NPS_NGINX", nginx)
            .env("NPS_PG_BIN", postgres)
            .env("NPS_SQLITE3", sqlite3),
        &mut totals,
    )?;
    fuzz::replay()?;
    fuzz::run_targets(fuzz::SHORT_SECONDS)?;
    let t = tools::for_browser_tests()?;
    // The widget and the dashboard are separate wasm programs: one cargo run each (together,
    // the core would be built with the widget's shell into the dashboard's tests).
    for (step_name, package) in [
        ("wasm tests in headless Chromium: the widget", "nps-widget"),
        (
            "wasm tests in headless Chromium: the dashboard",
            "nps-dashboard",
        ),
    ] {
        step(step_name);
        run_tests(
            cargo()
                .args(["test", "-p", package, "--target", "wasm32-unknown-unknown"])
                .env(
                    "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                    &t.build.test_runner,
                )
                .env("CHROMEDRIVER", &t.chromedriver)
                .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
            &mut totals,
        )?;
    }
    let (dist, weight) = dist::dist()?;
    step("size budgets");
    dist::check_budget(&weight)?;
    let package_site = package::check(&package::package(&dist)?)?;
    let yew_site = package::yew_host(&t.build)?;
    step("end-to-end tests: the demo pages in headless Chromium against the collector");
    run_tests(
        cargo()
            .args(["test", "-p", "nps-e2e", "--", "--test-threads=1"])
            .env("NPS_DIST", &dist)
            .env("CHROMEDRIVER", &t.chromedriver)
            .env("CHROMIUM", &t.chromium)
            .env("NPS_AXE", &t.axe)
            .env("NPS_JSON_SERVER", &t.json_server)
            .env("NPS_OIDC_PROVIDER", &t.oidc_provider)
            .env("NPS_CHAOS_SURVEYS", quick_chaos)
            .env("NPS_PACKAGE_SITE", &package_site)
            .env("NPS_YEW_SITE", &yew_site),
        &mut totals,
    )?;
    let short = |flags: &[&str]| flags.iter().map(|f| f.to_string()).collect::<Vec<_>>();
    // Lighthouse on one page (about 15 s); the side-by-side pages once each.
    benches::browser(
        "bench-web",
        &short(&["--runs", "1", "--lighthouse", "1"]),
        Some((&t, &dist)),
    )?;
    benches::browser(
        "bench-dashboard",
        &short(&["--responses", "10000", "--runs", "1"]),
        Some((&t, &dist)),
    )?;
    println!("\ntotal: {} passed, {} failed", totals.0, totals.1);
    Ok(())
}

fn screenshots() -> Result {
    let t = tools::for_browser_tests()?;
    let (dist, _) = dist::dist()?;
    let out = root().join("docs/screenshots");
    step(&format!("screenshots into {}", out.display()));
    run(cargo()
        .args([
            "test",
            "-p",
            "nps-e2e",
            "--test",
            "screens",
            "--test",
            "case_screens",
            "--test",
            "growth_screens",
            "--test",
            "drill_screens",
        ])
        .env("NPS_DIST", &dist)
        .env("CHROMEDRIVER", &t.chromedriver)
        .env("CHROMIUM", &t.chromium)
        .env("NPS_SCREENSHOTS", &out))
}

fn chaos(args: &[String]) -> Result {
    let surveys = flag_value(args, "--surveys").unwrap_or_else(|| "200".into());
    let t = tools::for_browser_tests()?;
    let (dist, _) = dist::dist()?;
    step(&format!("chaos: {surveys} surveys against injected faults"));
    run(cargo()
        .args([
            "test",
            "-p",
            "nps-e2e",
            "--test",
            "chaos",
            "--",
            "--nocapture",
        ])
        .env("NPS_DIST", &dist)
        .env("CHROMEDRIVER", &t.chromedriver)
        .env("CHROMIUM", &t.chromium)
        .env("NPS_CHAOS_SURVEYS", surveys))
}
