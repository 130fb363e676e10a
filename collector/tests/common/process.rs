//! The real `nps-collector` binary on a free port, for tests that need a process.

use std::net::TcpListener;
use std::path::Path;
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
pub fn start(db: &Path, port: u16, extra: &[&str]) -> Child {
    let child = Command::new(env!("CARGO_BIN_EXE_nps-collector"))
        .args([
            "--port",
            &port.to_string(),
            "--rate-limit",
            "0",
            "--admin-token",
            "t0k3n",
        ])
        .args(extra)
        .arg("--db")
        .arg(db)
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
        nps_widget::score::category((n % 11) as i64)
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
