//! The real `nps-collector` binary on a free port, for tests that need a process; raw
//! HTTP/1.1 from a chosen loopback address (each one a client of its own).

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::KEY;

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts the collector on `db` and `port` (rate limit off, admin token `t0k3n`, plus
/// `extra` flags) and waits until `/healthz` answers.
pub fn start(db: impl AsRef<OsStr>, port: u16, extra: &[&str]) -> Child {
    let mut flags = vec!["--rate-limit", "0", "--admin-token", "t0k3n"];
    flags.extend(extra);
    start_with(db, port, &flags)
}

/// The body of `GET path` on the collector at `port`, with `start`'s admin token.
pub fn admin_get(port: u16, path: &str) -> String {
    ureq::get(&format!("http://127.0.0.1:{port}{path}"))
        .header("authorization", "Bearer t0k3n")
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap()
}

/// Starts the collector on `db` (a SQLite file or a `postgres://` URL) and `port` with these
/// flags only, and waits until `/healthz` answers.
pub fn start_with(db: impl AsRef<OsStr>, port: u16, flags: &[&str]) -> Child {
    start_env(db, port, flags, &[])
}

/// `start_with` with these environment variables set for the process.
pub fn start_env(db: impl AsRef<OsStr>, port: u16, flags: &[&str], env: &[(&str, &str)]) -> Child {
    let child = Command::new(env!("CARGO_BIN_EXE_nps-collector"))
        .envs(env.iter().copied())
        .args(["--port", &port.to_string()])
        .args(flags)
        .arg("--db")
        .arg(db.as_ref())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start nps-collector");
    let deadline = Instant::now() + Duration::from_secs(20);
    while ureq::get(&format!("http://127.0.0.1:{port}/healthz"))
        .call()
        .is_err()
    {
        assert!(Instant::now() < deadline, "the collector did not come up");
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

/// A valid completed response body with this id.
pub fn load_body(id: &str, n: usize) -> String {
    format!(
        r#"{{"schema":1,"id":"{id}","survey":"load","stage":"completed","score":{},"category":"{}","reasons":[],"comment":null,"contact":null,"context":{{}},"locale":"en","page":null,"created_at":"2026-11-23T08:00:00.000Z","updated_at":"2026-11-23T08:00:01.000Z","write_key":"{KEY}"}}"#,
        n % 11,
        nps_core::scoring::score::category((n % 11) as i64)
            .unwrap()
            .as_str()
    )
}

/// Waits at most `limit` for the process to end; its exit status.
pub fn wait_exit(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

/// A connection to `port` on 127.0.0.1 from the loopback address `from` (127.0.0.2, …): to
/// the collector, another client.
pub fn connect_from(from: &str, port: u16) -> TcpStream {
    connect_with(from, port, None)
}

/// `connect_from` with a receive buffer of `recv` bytes (a client that reads a little at a
/// time lets the server send only as much).
pub fn connect_with(from: &str, port: u16, recv: Option<u32>) -> TcpStream {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    let rt = RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_io()
            .build()
            .unwrap()
    });
    let stream = rt.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        if let Some(n) = recv {
            socket.set_recv_buffer_size(n).unwrap();
        }
        socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
        socket.connect(([127, 0, 0, 1], port).into()).await.unwrap()
    });
    let stream = stream.into_std().unwrap();
    stream.set_nonblocking(false).unwrap();
    stream
}

/// One request on its own connection (`Connection: close`); the status and the whole
/// answer as text (headers and body).
pub fn http(mut stream: TcpStream, request: &str) -> (u16, String) {
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    (status_of(&text), text)
}

/// The status of an answer's text (`HTTP/1.1 408 …`); 0 for none.
pub fn status_of(answer: &str) -> u16 {
    answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// A POST of `body` to `path` with these extra header lines (each ending in `\r\n`).
pub fn post_request(path: &str, content_type: &str, headers: &str, body: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n{headers}\r\n{body}",
        body.len()
    )
}
