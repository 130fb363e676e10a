//! The collector's logs (stderr, through `tracing`) say what went wrong and never carry a
//! secret: not the admin token, not a write key, not a phone — at the most verbose level.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::process::free_port;
use common::*;
use serde_json::json;

const ADMIN: &str = "adm1n-t0k3n-never-logged";
const PHONE: &str = "13812345678";

#[test]
fn the_logs_carry_no_token_write_key_or_phone() {
    let db = db_path();
    let log = db.with_file_name("stderr.log");
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_nps-collector"))
        .args(["--port", &port.to_string(), "--rate-limit", "0"])
        .args(["--admin-token", ADMIN, "--db"])
        .arg(&db)
        .env("RUST_LOG", "trace")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while ureq::get(&format!("{base}/healthz")).call().is_err() {
        assert!(Instant::now() < deadline, "the collector did not come up");
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut b = body("completed", Some(2), "2026-11-23T08:30:20.000Z");
    b["contact"] = json!({"phone": PHONE, "consent": true});
    let post = |text: String, kind: &str| {
        let _ = ureq::post(&format!("{base}/api/responses"))
            .header("content-type", kind)
            .send(text);
    };
    post(b.to_string(), "application/json");
    // Someone else's key for the same response: refused.
    b["write_key"] = json!("0123456789abcdef0123456789abcdef");
    post(b.to_string(), "application/json");
    // A no-script form that breaks a rule: refused, and logged for whoever set it up.
    post(
        format!("score=11&survey=after-sales&context.phone={PHONE}"),
        "application/x-www-form-urlencoded",
    );
    for token in [ADMIN, "wr0ng-t0k3n"] {
        let _ = ureq::get(&format!("{base}/api/responses"))
            .header("authorization", &format!("Bearer {token}"))
            .call();
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("a no-script form was refused"),
        "the refusal is logged: {text}"
    );
    // Started without --public-origin: the start says what referral links will name.
    assert!(
        text.contains("no --public-origin: referral links"),
        "the missing public origin is said: {text}"
    );
    for secret in [
        ADMIN,
        "wr0ng-t0k3n",
        KEY,
        "0123456789abcdef0123456789abcdef",
        PHONE,
    ] {
        assert!(!text.contains(secret), "{secret} in the logs:\n{text}");
    }
}

/// A PostgreSQL URL's password is never printed: not when the URL is mistyped (clap would
/// repeat the value), not when the database cannot be reached, not when the password is a
/// query parameter (libpq's `?password=`).
#[test]
fn a_database_password_is_never_printed() {
    const PASSWORD: &str = "Pg-Pa55word-never-printed";
    for db in [
        format!("postgres://nps:{PASSWORD}@db:port/nps"),
        format!("postgres://nps:{PASSWORD}@[::1:1/nps"),
        format!("postgres://nps:{PASSWORD}@127.0.0.1:1/nps?connect_timeout=2"),
        format!("postgres://nps@127.0.0.1:1/nps?password={PASSWORD}&connect_timeout=2"),
    ] {
        for (flag, env) in [(true, false), (false, true)] {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_nps-collector"));
            cmd.args(["--port", "0"]).env_remove("NPS_DB");
            if flag {
                cmd.args(["--db", &db]);
            }
            if env {
                cmd.env("NPS_DB", &db);
            }
            let out = cmd.env("RUST_LOG", "trace").output().unwrap();
            assert!(!out.status.success(), "{db} should not start");
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                text.contains("--db") || text.contains("the database"),
                "the error names the database: {text}"
            );
            assert!(!text.contains(PASSWORD), "the password is printed:\n{text}");
        }
    }
}
