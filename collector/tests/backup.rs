//! Backups as docs/DEPLOY.md tells an operator to take and restore them, run from the
//! document itself (its `sh` blocks, with `NPS_DB`, `BACKUP` and `RESTORED` set): a populated
//! database is backed up while its collector runs, restored into a fresh database, and a
//! collector on the restored one answers the same export, byte for byte, in JSON and CSV.
//!
//! SQLite with the `sqlite3` shell (`NPS_SQLITE3`, which `cargo xtask test` installs);
//! PostgreSQL with `pg_dump` and `pg_restore` from the server's folder (`common::postgres`).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use common::process::{free_port, load_body, start};

/// The `sh` block of docs/DEPLOY.md that contains `needle`.
fn doc_commands(needle: &str) -> String {
    common::doc_block("DEPLOY.md", "sh", needle)
}

/// Runs a documented block with `sh -e`, these variables set and `path` first on PATH.
fn run_doc(block: &str, vars: &[(&str, &str)], path: &Path) {
    let search = format!(
        "{}:{}",
        path.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("sh")
        .args(["-e", "-c", block])
        .envs(vars.iter().copied())
        .env("PATH", search)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{block}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The folder of the `sqlite3` shell: `NPS_SQLITE3`'s, else the one on PATH.
fn sqlite3_dir() -> PathBuf {
    let found = std::env::var_os("NPS_SQLITE3")
        .map(PathBuf::from)
        .or_else(|| {
            let path = std::env::var_os("PATH").unwrap_or_default();
            std::env::split_paths(&path)
                .map(|d| d.join("sqlite3"))
                .find(|p| p.is_file())
        });
    let binary = found.unwrap_or_else(|| {
        panic!("the sqlite3 shell is not installed: `cargo xtask test` installs it; or apt-get install sqlite3")
    });
    binary.parent().unwrap().to_path_buf()
}

/// Fills `db` with the demo set and a few posts through a running collector; the collector.
fn populated(db: &str) -> (Child, u16) {
    let out = Command::new(env!("CARGO_BIN_EXE_nps-collector"))
        .args(["--db", db, "seed", "--responses", "2000"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let port = free_port();
    let collector = start(db, port, &[]);
    for n in 0..20 {
        let id = format!("bac0b000-0000-4000-8000-{n:012}");
        let r = ureq::post(&format!("http://127.0.0.1:{port}/api/responses"))
            .header("Content-Type", "application/json")
            .send(load_body(&id, n))
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    (collector, port)
}

/// The export of the collector on `port`, in JSON and in CSV, as bytes.
fn exports(port: u16) -> (Vec<u8>, Vec<u8>) {
    let read = |query: &str| {
        ureq::get(&format!("http://127.0.0.1:{port}/api/responses{query}"))
            .header("Authorization", "Bearer t0k3n")
            .call()
            .unwrap()
            .body_mut()
            .with_config()
            .limit(u64::MAX)
            .read_to_vec()
            .unwrap()
    };
    (read(""), read("?format=csv"))
}

/// Backs up `original` while its collector runs with the documented block that contains
/// `backup_with`, restores into `restored` with the one that contains `restore_with`, and
/// compares the two collectors' exports.
fn check(original: &str, restored: &str, backup: &Path, bin: &Path, with: [&str; 2]) {
    let (mut a, port_a) = populated(original);
    let backup = backup.to_str().unwrap();
    run_doc(
        &doc_commands(with[0]),
        &[("NPS_DB", original), ("BACKUP", backup)],
        bin,
    );
    // A backup holds every answer and phone: its owner's alone (the documented `umask 077`).
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(backup).unwrap().permissions());
    assert_eq!(
        mode & 0o077,
        0,
        "the backup {backup} is readable by others: {mode:o}"
    );
    let (json, csv) = exports(port_a);
    let _ = a.kill();
    let _ = a.wait();
    run_doc(
        &doc_commands(with[1]),
        &[("BACKUP", backup), ("RESTORED", restored)],
        bin,
    );
    let port_b = free_port();
    let mut b = start(restored, port_b, &[]);
    let (json_b, csv_b) = exports(port_b);
    let _ = b.kill();
    let _ = b.wait();
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&json).unwrap();
    // The demo's re-survey answers (flagged `recovery`) are rows of their own.
    let answers = rows.iter().filter(|r| r["flag"] != "recovery").count();
    // 2,000 customers' answers, 广州天河's 18 counter-tablet answers, 20 posts.
    assert_eq!(answers, 2038, "the demo set and the posts");
    assert!(json == json_b, "the restored JSON export is the original's");
    assert!(csv == csv_b, "the restored CSV export is the original's");
}

#[test]
fn a_sqlite_backup_taken_online_restores_into_a_fresh_file_with_the_same_export() {
    let dir = common::db_path().parent().unwrap().to_path_buf();
    let (original, restored) = (dir.join("nps.db"), dir.join("restored/nps.db"));
    std::fs::create_dir_all(restored.parent().unwrap()).unwrap();
    check(
        original.to_str().unwrap(),
        restored.to_str().unwrap(),
        &dir.join("nps-backup.db"),
        &sqlite3_dir(),
        [".backup", "cp \"$BACKUP\""],
    );
}

#[test]
fn a_postgres_dump_restores_into_a_fresh_database_with_the_same_export() {
    let pg = common::postgres::shared();
    let original = pg.database();
    // The documented restore makes this database (`createdb`), on the same server.
    let restored = pg.url("nps_restored");
    let dir = common::db_path().parent().unwrap().to_path_buf();
    check(
        &original,
        &restored,
        &dir.join("nps.dump"),
        &common::postgres::bin_dir(),
        ["pg_dump ", "pg_restore "],
    );
}
