//! Build automation: `cargo xtask dist | demo | test | chaos | bench`.
//!
//! - `dist`: builds the wasm, binds and shrinks it, assembles `dist/`, prints each shipped
//!   file's size (raw, gzip, brotli).
//! - `demo [--port N]`: `dist`, then serves it with the collector on http://127.0.0.1:8080.
//! - `test`: every test — native, wasm in headless Chromium, end to end.
//! - `chaos [--surveys N]`: the long end-to-end run against a faulty network (200 surveys).
//!
//! On a machine with only rustup, missing tools are installed (the wasm32 target, the
//! wasm-bindgen CLI pinned to Cargo.lock, wasm-opt from npm's binaryen, and — as root on
//! Debian — Chromium and ChromeDriver); elsewhere the xtask says exactly what to install.

mod tools;

use std::env;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("dist") => dist().map(|_| ()),
        Some("demo") => demo(&args[1..]),
        Some("test") => test(&args[1..]),
        Some("chaos") => chaos(&args[1..]),
        Some("screenshots") => screenshots(),
        Some("bench") => bench(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <task>\n\n\
                 tasks:\n  dist               build dist/ and print the size of each shipped file\n  \
                 demo [--port N]    build, then serve the demo and the API (default port 8080, or NPS_PORT)\n  \
                 test               run every test: native, wasm in headless Chromium, end to end\n  \
                 chaos [--surveys N] the long end-to-end run against injected network faults (default 200)\n  \
                 screenshots        save every screen at phone and desktop width into docs/screenshots\n  \
                 bench [--seconds N] [--connections N]  load the collector with wrk: durable responses/s and latency"
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

/// Runs a command in the workspace root, failing with its command line.
pub fn run(cmd: &mut Command) -> Result {
    cmd.current_dir(root());
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

fn cargo() -> Command {
    Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn step(title: &str) {
    println!("\n== {title}");
    let _ = std::io::stdout().flush();
}

/// Builds `dist/`: the widget script, its wasm, and the demo pages.
fn dist() -> Result<PathBuf> {
    let t = tools::for_build()?;
    let root = root();
    step("build the widget (wasm32, size profile)");
    run(cargo().args([
        "build",
        "-p",
        "nps-widget",
        "--lib",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "wasm",
    ]))?;
    let wasm = root.join("target/wasm32-unknown-unknown/wasm/nps_widget.wasm");
    let bind = root.join("target/bindgen");
    let _ = fs::remove_dir_all(&bind);
    run(Command::new(&t.wasm_bindgen)
        .args(["--target", "no-modules", "--no-typescript", "--out-dir"])
        .arg(&bind)
        .arg(&wasm))?;
    let dist = root.join("dist");
    let _ = fs::remove_dir_all(&dist);
    fs::create_dir_all(&dist).map_err(|e| format!("create {}: {e}", dist.display()))?;
    run(Command::new(&t.wasm_opt)
        .args([
            "-Oz",
            "--converge",
            "--low-memory-unused",
            "--zero-filled-memory",
            "--strip-debug",
            "--strip-producers",
        ])
        .arg(bind.join("nps_widget_bg.wasm"))
        .arg("-o")
        .arg(dist.join("nps-widget_bg.wasm")))?;

    // One classic script: the bindgen glue (no modules) plus the loader that defines
    // window.NpsWidget. It finds its wasm next to itself.
    let glue = strip_js(&read(&bind.join("nps_widget.js"))?);
    let loader = strip_js(&read(&root.join("www/loader.js"))?);
    write(
        &dist.join("nps-widget.js"),
        &format!("/*! nps-widget */\n(function () {{\n{glue}\n{loader}\n}})();\n"),
    )?;

    for entry in fs::read_dir(root.join("www")).map_err(|e| e.to_string())? {
        let p = entry.map_err(|e| e.to_string())?.path();
        let name = p
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if name.ends_with(".html")
            || name.ends_with(".svg")
            || name == "demo.css"
            || name == "dashboard.js"
        {
            fs::copy(&p, dist.join(&name)).map_err(|e| format!("copy {name}: {e}"))?;
        }
    }
    sizes(&dist)?;
    Ok(dist)
}

/// Drops whole-line block comments and indentation from generated or hand-written JS.
/// Only lines that start a comment are touched, so strings and code stay as written.
fn strip_js(js: &str) -> String {
    let mut out = String::with_capacity(js.len());
    let mut in_comment = false;
    for line in js.lines() {
        let t = line.trim();
        if in_comment {
            in_comment = !t.contains("*/");
            continue;
        }
        if t.starts_with("/*") && !t.starts_with("/*!") {
            in_comment = !t.contains("*/");
            continue;
        }
        if t.is_empty() || t.starts_with("//") {
            continue;
        }
        out.push_str(t);
        out.push('\n');
    }
    out
}

fn read(p: &Path) -> Result<String> {
    fs::read_to_string(p).map_err(|e| format!("read {}: {e}", p.display()))
}

fn write(p: &Path, s: &str) -> Result {
    fs::write(p, s).map_err(|e| format!("write {}: {e}", p.display()))
}

/// Prints raw, gzip and brotli sizes of the shipped files (the widget script and wasm).
fn sizes(dist: &Path) -> Result {
    println!(
        "\n{:<24} {:>10} {:>10} {:>10}",
        "shipped file", "raw", "gzip", "brotli"
    );
    let mut total = (0, 0, 0);
    for name in ["nps-widget.js", "nps-widget_bg.wasm"] {
        let bytes = fs::read(dist.join(name)).map_err(|e| format!("read {name}: {e}"))?;
        // Precompressed copies beside each file: what a server (the collector, a CDN) sends.
        let (gz, br) = (gzip(&bytes), brotli(&bytes));
        fs::write(dist.join(format!("{name}.gz")), &gz).map_err(|e| e.to_string())?;
        fs::write(dist.join(format!("{name}.br")), &br).map_err(|e| e.to_string())?;
        let (r, g, b) = (bytes.len(), gz.len(), br.len());
        total = (total.0 + r, total.1 + g, total.2 + b);
        println!("{name:<24} {:>10} {:>10} {:>10}", kb(r), kb(g), kb(b));
    }
    println!(
        "{:<24} {:>10} {:>10} {:>10}",
        "total (CSS is inside)",
        kb(total.0),
        kb(total.1),
        kb(total.2)
    );
    Ok(())
}

fn kb(n: usize) -> String {
    format!("{:.1} KB", n as f64 / 1000.0)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    let _ = brotli::BrotliCompress(&mut &bytes[..], &mut out, &params);
    out
}

fn flag_value(args: &[String], flag: &str) -> Option<String> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn demo(args: &[String]) -> Result {
    let port = flag_value(args, "--port")
        .or_else(|| env::var("NPS_PORT").ok())
        .unwrap_or_else(|| "8080".into());
    let dist = dist()?;
    step("build the collector");
    run(cargo().args(["build", "--release", "-p", "nps-collector"]))?;
    step(&format!(
        "serve the demo on http://127.0.0.1:{port}/ (Ctrl-C to stop)"
    ));
    println!("   brand site:   http://127.0.0.1:{port}/embed.html");
    println!(
        "   QR landing:   http://127.0.0.1:{port}/qr.html?store=SZ-FT&advisor=wang&visit=RO-88231"
    );
    println!("   WeChat H5:    http://127.0.0.1:{port}/wechat.html");
    println!("   dashboard:    http://127.0.0.1:{port}/dashboard.html (the admin token is printed below)");
    run(Command::new(root().join("target/release/nps-collector"))
        .args(["--port", &port, "--db", "nps.db", "--static"])
        .arg(&dist))
}

fn test(args: &[String]) -> Result {
    let quick_chaos = flag_value(args, "--surveys").unwrap_or_else(|| "50".into());
    step("format");
    tools::ensure_rustfmt()?;
    run(cargo().args(["fmt", "--all", "--", "--check"]))
        .map_err(|e| format!("{e}\n  run `cargo fmt --all` to fix the formatting"))?;
    let mut totals = (0, 0);
    step("native tests: core, collector, xtask");
    run_tests(
        cargo().args(["test", "--workspace", "--exclude", "nps-e2e"]),
        &mut totals,
    )?;
    let t = tools::for_browser_tests()?;
    step("wasm tests in headless Chromium");
    run_tests(
        cargo()
            .args([
                "test",
                "-p",
                "nps-widget",
                "--target",
                "wasm32-unknown-unknown",
            ])
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                &t.build.test_runner,
            )
            .env("CHROMEDRIVER", &t.chromedriver)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
        &mut totals,
    )?;
    let dist = dist()?;
    step("end-to-end tests: the demo pages in headless Chromium against the collector");
    run_tests(
        cargo()
            .args(["test", "-p", "nps-e2e", "--", "--test-threads=1"])
            .env("NPS_DIST", &dist)
            .env("CHROMEDRIVER", &t.chromedriver)
            .env("CHROMIUM", &t.chromium)
            .env("NPS_CHAOS_SURVEYS", quick_chaos),
        &mut totals,
    )?;
    println!("\ntotal: {} passed, {} failed", totals.0, totals.1);
    Ok(())
}

fn screenshots() -> Result {
    let t = tools::for_browser_tests()?;
    let dist = dist()?;
    let out = root().join("docs/screenshots");
    step(&format!("screenshots into {}", out.display()));
    run(cargo()
        .args(["test", "-p", "nps-e2e", "--test", "screens"])
        .env("NPS_DIST", &dist)
        .env("CHROMEDRIVER", &t.chromedriver)
        .env("CHROMIUM", &t.chromium)
        .env("NPS_SCREENSHOTS", &out))
}

/// Loads a release collector with wrk (new responses only), then counts what is on disk.
fn bench(args: &[String]) -> Result {
    let seconds = flag_value(args, "--seconds").unwrap_or_else(|| "15".into());
    let connections = flag_value(args, "--connections").unwrap_or_else(|| "64".into());
    let wrk = tools::ensure_wrk()?;
    step("build the collector (release)");
    run(cargo().args(["build", "--release", "-p", "nps-collector"]))?;
    let dir = std::env::temp_dir().join(format!("nps-bench-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let mut server = Command::new(root().join("target/release/nps-collector"))
        .args([
            "--port",
            &port.to_string(),
            "--rate-limit",
            "0",
            "--admin-token",
            "bench",
            "--db",
        ])
        .arg(dir.join("nps.db"))
        .stdout(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("start the collector: {e}"))?;
    let up = (0..200).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(25));
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    if !up {
        let _ = server.kill();
        return Err("the collector did not start".into());
    }
    step(&format!(
        "wrk: {seconds} s, 2 threads, {connections} connections, POST /api/responses"
    ));
    let out = Command::new(&wrk)
        .args([
            "-t2",
            &format!("-c{connections}"),
            &format!("-d{seconds}s"),
            "--latency",
            "-s",
        ])
        .arg(root().join("bench/responses.lua"))
        .arg(format!("http://127.0.0.1:{port}/"))
        .output()
        .map_err(|e| format!("run wrk: {e}"));
    let rows = count_rows(port);
    let _ = server.kill();
    let _ = server.wait();
    let _ = fs::remove_dir_all(&dir);
    let out = out?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    println!("{text}");
    let line = |prefix: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(prefix))
            .map(|l| l.trim().to_owned())
    };
    let requests: u64 = text
        .lines()
        .find_map(|l| {
            l.trim()
                .split_once(" requests in ")
                .map(|(n, _)| n.trim().parse().unwrap_or(0))
        })
        .unwrap_or(0);
    let non_2xx: u64 = line("Non-2xx")
        .and_then(|l| l.rsplit(' ').next().and_then(|n| n.parse().ok()))
        .unwrap_or(0);
    let rows = rows?;
    println!("summary:");
    println!("  requests {requests}, non-2xx {non_2xx}, rows on disk after the run {rows}");
    println!("  {}", line("Requests/sec:").unwrap_or_default());
    for p in ["50%", "90%", "99%"] {
        println!(
            "  latency p{} {}",
            p.trim_end_matches('%'),
            line(p)
                .map(|l| l.split_whitespace().nth(1).unwrap_or("").to_owned())
                .unwrap_or_default()
        );
    }
    if rows < requests.saturating_sub(non_2xx) {
        return Err(format!(
            "{} acknowledged responses are not on disk",
            requests - non_2xx - rows
        ));
    }
    Ok(())
}

fn count_rows(port: u16) -> Result<u64> {
    use std::io::{Read, Write as _};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    write!(s, "GET /api/responses HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer bench\r\nConnection: close\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&raw);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    let rows: Vec<serde_json::Value> =
        serde_json::from_str(body).map_err(|e| format!("read the stored rows: {e}"))?;
    Ok(rows.len() as u64)
}

fn chaos(args: &[String]) -> Result {
    let surveys = flag_value(args, "--surveys").unwrap_or_else(|| "200".into());
    let t = tools::for_browser_tests()?;
    let dist = dist()?;
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
