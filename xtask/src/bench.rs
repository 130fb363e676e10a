//! `cargo xtask bench`: the collector under load. A release build on a fresh SQLite file,
//! wrk posting a new valid response per request (`bench/responses.lua`), then every stored
//! row read back: an acknowledged response missing from disk fails the run.

use std::fs;
use std::process::Command;

use crate::{cargo, flag_value, root, run, step, target_dir, tools, Result};

/// Loads a release collector with wrk (new responses only), then counts what is on disk.
pub fn bench(args: &[String]) -> Result {
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
    // wrk is one client with many connections: no rate limit, no per-client connection cap
    // (beyond half of --max-connections).
    let mut server = Command::new(target_dir().join("release/nps-collector"))
        .args([
            "--port",
            &port.to_string(),
            "--rate-limit",
            "0",
            "--max-connections-per-client",
            "100000",
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
