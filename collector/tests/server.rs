//! The `nps-collector` process on the open internet: silent and trickling clients, thousands
//! of idle sockets, a graceful stop, the admin token, and the purge command.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use common::process::{free_port, load_body, start, wait_exit};

fn temp_db(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("nps-server-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("nps.db")
}

fn post(port: u16, id: &str) -> u16 {
    ureq::post(&format!("http://127.0.0.1:{port}/api/responses"))
        .header("content-type", "application/json")
        .send(load_body(id, 7))
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

fn stored(port: u16) -> String {
    ureq::get(&format!("http://127.0.0.1:{port}/api/responses"))
        .header("authorization", "Bearer t0k3n")
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap()
}

/// Regression: a client that opened a socket and said nothing (or trickled its headers)
/// kept it forever.
#[test]
fn silent_and_trickling_connections_are_closed() {
    let port = free_port();
    let mut child = start(&temp_db("silent"), port, &["--header-timeout", "1"]);
    let silent = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut trickle = TcpStream::connect(("127.0.0.1", port)).unwrap();
    trickle
        .write_all(b"POST /api/responses HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    for mut s in [silent, trickle] {
        s.set_read_timeout(Some(Duration::from_secs(8))).unwrap();
        let start = Instant::now();
        let mut buf = [0u8; 512];
        // Closed: a read ends (0 bytes or a reset), well before the 8 s timeout.
        let closed = loop {
            match s.read(&mut buf) {
                Ok(0) | Err(_) if start.elapsed() < Duration::from_secs(7) => break true,
                Ok(_) => continue,
                _ => break false,
            }
        };
        assert!(closed, "the connection was kept open");
    }
    let _ = child.kill();
}

/// 2,000 idle sockets, then a normal post: it is answered within 5 s.
#[test]
fn two_thousand_idle_sockets_do_not_keep_a_post_out() {
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let port = free_port();
    let mut child = start(&temp_db("idle"), port, &[]);
    let idle: Vec<TcpStream> = (0..2000)
        .map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap())
        .collect();
    let started = Instant::now();
    assert_eq!(post(port, "7d8e9f00-1a2b-4c3d-8e4f-5a6b7c8d9e0f"), 201);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    drop(idle);
    let _ = child.kill();
}

/// Regression: SIGTERM killed the process at once (only Ctrl-C stopped it gracefully).
/// A stop lets answered work stay committed, does not wait for a trickling client past the
/// grace period, and exits cleanly.
#[cfg(unix)]
#[test]
fn sigterm_stops_gracefully_even_with_a_trickling_client() {
    let db = temp_db("term");
    let port = free_port();
    let mut child = start(&db, port, &["--grace", "2", "--header-timeout", "60"]);
    let mut trickle = TcpStream::connect(("127.0.0.1", port)).unwrap();
    trickle
        .write_all(b"POST /api/responses HTTP/1.1\r\n")
        .unwrap();
    let keep = std::thread::spawn(move || {
        for _ in 0..100 {
            if trickle.write_all(b"X").is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    let id = "8e9f0a1b-2c3d-4e5f-8a6b-7c8d9e0f1a2b";
    assert_eq!(post(port, id), 201);
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = wait_exit(&mut child, Duration::from_secs(10)).expect("stopped within 10 s");
    assert!(status.success(), "{status:?}");
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert!(out.contains("nps-collector stopped"), "{out}");
    let _ = keep.join();
    let port = free_port();
    let mut again = start(&db, port, &[]);
    assert!(stored(port).contains(id));
    let _ = again.kill();
}

/// Regression: an empty NPS_ADMIN_TOKEN silently became a random token.
#[test]
fn an_empty_admin_token_is_an_error_and_a_file_can_hold_it() {
    let db = temp_db("token");
    let out = Command::new(env!("CARGO_BIN_EXE_nps-collector"))
        .args(["--port", &free_port().to_string(), "--db"])
        .arg(&db)
        .env("NPS_ADMIN_TOKEN", "")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is empty"));
    let file = db.with_file_name("token");
    std::fs::write(&file, "from-a-file\n").unwrap();
    let port = free_port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_nps-collector"))
        .args(["--port", &port.to_string(), "--admin-token-file"])
        .arg(&file)
        .arg("--db")
        .arg(&db)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let answer = loop {
        let r = ureq::get(&format!("http://127.0.0.1:{port}/api/responses"))
            .header("authorization", "Bearer from-a-file")
            .call();
        match r {
            Ok(r) => break r.status().as_u16(),
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => panic!("{e}"),
        }
    };
    assert_eq!(answer, 200);
    let _ = child.kill();
}

/// `nps-collector purge` removes the phones whose retention has ended.
#[test]
fn the_purge_command_removes_expired_phones() {
    let db = temp_db("purge");
    let body = serde_json::json!({"schema":1,"id":"9f0a1b2c-3d4e-4f60-8b7c-8d9e0f1a2b3c","survey":"s",
        "stage":"completed","score":1,"category":"detractor","reasons":[],"comment":null,
        "contact":{"phone":"13812345678","consent":true,"retention_days":1},"context":{},
        "locale":"zh-CN","page":null,"created_at":"2026-11-20T08:00:00.000Z","updated_at":"2026-11-20T08:01:00.000Z",
        "write_key":common::KEY});
    let response = nps_widget::payload::Response::parse(&body).unwrap();
    let two_days_ago = time::OffsetDateTime::now_utc() - time::Duration::days(2);
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = nps_collector::Store::open(&db).unwrap();
        store
            .upsert(response, nps_collector::Now::from_time(two_days_ago), None)
            .await
            .unwrap();
    });
    let out = Command::new(env!("CARGO_BIN_EXE_nps-collector"))
        .arg("purge")
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "purged the phone numbers of 1 responses"
    );
    let port = free_port();
    let mut child = start(&db, port, &[]);
    let rows = stored(port);
    assert!(
        rows.contains("\"contact\":null") && !rows.contains("13812345678"),
        "{rows}"
    );
    let _ = child.kill();
}
