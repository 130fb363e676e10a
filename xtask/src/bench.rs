//! `cargo xtask bench [--db sqlite|postgres] [--collectors N] [--nginx] [--seconds S]
//! [--connections C]`: the collector under load. Release builds on a fresh database (a SQLite
//! file, or a temporary PostgreSQL server, `pg`), N collectors behind nginx (always when N > 1,
//! with `--nginx` for one; round robin, the upstream of docs/DEPLOY.md), wrk posting a new
//! valid response per request (`bench/responses.lua`), then every stored row read back: an
//! acknowledged response missing from the database fails the run. Prints durable answers per
//! second, the latency percentiles, and what each answer cost the database (its size on disk;
//! on PostgreSQL also WAL bytes and WAL syncs, from `pg_stat_wal`).

use std::fs;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::{cargo, flag_value, pg, root, run, step, target_dir, tools, Result};

/// What runs during a bench, stopped when dropped.
struct Rig {
    collectors: Vec<Child>,
    nginx: Option<Child>,
}

impl Drop for Rig {
    fn drop(&mut self) {
        for c in self.collectors.iter_mut().chain(self.nginx.as_mut()) {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn free_port() -> Result<u16> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

fn wait_port(port: u16) -> bool {
    (0..400).any(|_| {
        std::thread::sleep(Duration::from_millis(25));
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    })
}

/// A release collector on `db` and `port`. wrk is one client with many connections: no rate
/// limit, no per-client connection cap.
fn collector(db: &str, port: u16) -> Result<Child> {
    let child = Command::new(target_dir().join("release/nps-collector"))
        .args(["--port", &port.to_string(), "--rate-limit", "0"])
        .args(["--max-connections-per-client", "100000"])
        .args(["--admin-token", "bench", "--db", db])
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("start the collector: {e}"))?;
    Ok(child)
}

/// nginx on `front` over the collectors on `ports`, its files in `dir`.
fn nginx(dir: &Path, front: u16, ports: &[u16]) -> Result<Child> {
    let binary = tools::ensure_nginx()?;
    let d = dir.display();
    let servers: String = ports
        .iter()
        .map(|p| format!("  server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;\n"))
        .collect();
    let conf = format!(
        "daemon off;\nmaster_process off;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
         events {{ worker_connections 4096; }}\n\
         http {{\n access_log off;\n client_body_temp_path {d}/body;\n proxy_temp_path {d}/proxy;\n \
         fastcgi_temp_path {d}/fastcgi;\n uwsgi_temp_path {d}/uwsgi;\n scgi_temp_path {d}/scgi;\n \
         upstream nps_collectors {{\n{servers}  keepalive 128;\n }}\n \
         server {{\n  listen 127.0.0.1:{front};\n  client_max_body_size 64k;\n  location / {{\n   \
         proxy_pass http://nps_collectors;\n   proxy_http_version 1.1;\n   \
         proxy_set_header Connection \"\";\n   \
         proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n   \
         proxy_next_upstream error timeout http_502 http_503 non_idempotent;\n  }}\n }}\n}}\n"
    );
    fs::write(dir.join("nginx.conf"), conf).map_err(|e| e.to_string())?;
    Command::new(binary)
        .arg("-p")
        .arg(dir)
        .arg("-e")
        .arg(dir.join("error.log"))
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("start nginx: {e}"))
}

/// PostgreSQL's WAL so far: bytes written and syncs (fsyncs) made.
fn wal(server: &pg::Server) -> Result<(f64, f64)> {
    let row = server.psql("postgres", "SELECT wal_bytes, wal_sync FROM pg_stat_wal")?;
    let mut f = row
        .split('|')
        .map(|v| v.trim().parse::<f64>().unwrap_or(0.0));
    Ok((f.next().unwrap_or(0.0), f.next().unwrap_or(0.0)))
}

/// Loads release collectors with wrk (new responses only), then counts what is stored.
pub fn bench(args: &[String]) -> Result {
    let seconds = flag_value(args, "--seconds").unwrap_or_else(|| "15".into());
    let connections = flag_value(args, "--connections").unwrap_or_else(|| "64".into());
    let engine = flag_value(args, "--db").unwrap_or_else(|| "sqlite".into());
    let n: usize = flag_value(args, "--collectors")
        .unwrap_or_else(|| "1".into())
        .parse()
        .ok()
        .filter(|n| (1..=16).contains(n))
        .ok_or("--collectors: expected a whole number from 1 to 16")?;
    let behind_nginx = n > 1 || args.iter().any(|a| a == "--nginx");
    if engine != "sqlite" && engine != "postgres" {
        return Err(format!("--db {engine}: expected sqlite or postgres"));
    }
    if engine == "sqlite" && n > 1 {
        return Err("--collectors: several collectors share a PostgreSQL database (--db postgres); a SQLite file has one".into());
    }
    let wrk = tools::ensure_wrk()?;
    step("build the collector (release)");
    run(cargo().args(["build", "--release", "-p", "nps-collector"]))?;
    let dir = std::env::temp_dir().join(format!("nps-bench-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let server = match engine.as_str() {
        "postgres" => {
            step("a temporary PostgreSQL server");
            let s = pg::Server::start(&dir.join("pg"), free_port()?)?;
            s.psql("postgres", "CREATE DATABASE nps")?;
            Some(s)
        }
        _ => None,
    };
    let db = match &server {
        Some(s) => s.url("nps"),
        None => dir.join("nps.db").display().to_string(),
    };
    let result = load(
        &dir,
        &db,
        server.as_ref(),
        n,
        behind_nginx,
        &wrk,
        [&seconds, &connections],
    );
    drop(server);
    let _ = fs::remove_dir_all(&dir);
    result
}

/// Starts the rig, runs wrk, checks and prints.
fn load(
    dir: &Path,
    db: &str,
    server: Option<&pg::Server>,
    n: usize,
    behind_nginx: bool,
    wrk: &Path,
    [seconds, connections]: [&str; 2],
) -> Result {
    let ports = (0..n).map(|_| free_port()).collect::<Result<Vec<u16>>>()?;
    let mut rig = Rig {
        collectors: Vec::new(),
        nginx: None,
    };
    for p in &ports {
        rig.collectors.push(collector(db, *p)?);
        if !wait_port(*p) {
            return Err("the collector did not start".into());
        }
    }
    let front = if behind_nginx {
        let front = free_port()?;
        rig.nginx = Some(nginx(dir, front, &ports)?);
        if !wait_port(front) {
            return Err("nginx did not start".into());
        }
        front
    } else {
        ports[0]
    };
    let before = server.map(wal).transpose()?;
    let shape = format!(
        "{n} collector{} on {}{}",
        if n > 1 { "s" } else { "" },
        if server.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        if behind_nginx { " behind nginx" } else { "" }
    );
    step(&format!(
        "wrk: {seconds} s, 2 threads, {connections} connections, POST /api/responses, {shape}"
    ));
    let out = Command::new(wrk)
        .args(["-t2", &format!("-c{connections}"), &format!("-d{seconds}s")])
        .args(["--latency", "-s"])
        .arg(root().join("bench/responses.lua"))
        .arg(format!("http://127.0.0.1:{front}/"))
        .output()
        .map_err(|e| format!("run wrk: {e}"))?;
    let after = server.map(wal).transpose()?;
    let rows = count_rows(ports[0])?;
    drop(rig);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    println!("{text}");
    let line = |prefix: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(prefix))
            .map(|l| l.trim().to_owned())
    };
    // "20335 requests in 3.02s, 12.01MB read"
    let (requests, elapsed): (u64, f64) = text
        .lines()
        .find_map(|l| {
            let (n, rest) = l.trim().split_once(" requests in ")?;
            let s = rest.split('s').next()?.parse().ok()?;
            Some((n.trim().parse().unwrap_or(0), s))
        })
        .unwrap_or((0, 1.0));
    let non_2xx: u64 = line("Non-2xx")
        .and_then(|l| l.rsplit(' ').next().and_then(|n| n.parse().ok()))
        .unwrap_or(0);
    let acked = requests.saturating_sub(non_2xx);
    println!("summary: {shape}");
    println!("  requests {requests}, non-2xx {non_2xx}, rows stored after the run {rows}");
    println!(
        "  durable answers/s {:.0} (acknowledged and read back)",
        acked as f64 / elapsed
    );
    for p in ["50%", "90%", "99%"] {
        println!(
            "  latency p{} {}",
            p.trim_end_matches('%'),
            line(p)
                .map(|l| l.split_whitespace().nth(1).unwrap_or("").to_owned())
                .unwrap_or_default()
        );
    }
    match (server, before, after) {
        (Some(s), Some(b), Some(a)) => {
            let size: f64 = s
                .psql("nps", "SELECT pg_total_relation_size('responses')")?
                .parse()
                .unwrap_or(0.0);
            let per = |v: f64| v / rows.max(1) as f64;
            println!(
                "  PostgreSQL: responses table with its indexes {:.1} MB, {:.0} bytes a row",
                size / 1e6,
                per(size)
            );
            println!(
                "  WAL {:.0} bytes and {:.3} syncs an answer (group commit)",
                per(a.0 - b.0),
                per(a.1 - b.1)
            );
        }
        _ => {
            let file = |s: &str| {
                fs::metadata(format!("{db}{s}"))
                    .map(|m| m.len())
                    .unwrap_or(0)
            };
            let size = file("") + file("-wal");
            println!(
                "  SQLite: file and WAL {:.1} MB, {:.0} bytes a row",
                size as f64 / 1e6,
                size as f64 / rows.max(1) as f64
            );
        }
    }
    if rows < acked {
        return Err(format!(
            "{} acknowledged responses are not stored",
            acked - rows
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
    let at = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("the export answered no body")?;
    let head = String::from_utf8_lossy(&raw[..at]).to_ascii_lowercase();
    let body = &raw[at + 4..];
    let body = if head.contains("transfer-encoding: chunked") {
        dechunk(body)
    } else {
        body.to_vec()
    };
    let rows: Vec<serde_json::Value> =
        serde_json::from_slice(&body).map_err(|e| format!("read the stored rows: {e}"))?;
    Ok(rows.len() as u64)
}

/// A chunked body's content (each chunk: its size in hex, CRLF, the bytes, CRLF).
fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
        let size = String::from_utf8_lossy(&rest[..eol]);
        let n = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16).unwrap_or(0);
        let after = &rest[eol + 2..];
        if n == 0 || after.len() < n {
            break;
        }
        out.extend_from_slice(&after[..n]);
        rest = after[n..].strip_prefix(b"\r\n").unwrap_or(&after[n..]);
    }
    out
}
