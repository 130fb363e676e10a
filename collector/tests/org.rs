//! The org file as a brand deploys it: the collector started with `--org` serves the
//! hierarchy in `GET /api/names`, which the dashboard's names reader still reads; a bad org
//! file (`NPS_ORG`) stops the start with its line, key and what is accepted; a file changed
//! under a running collector is served without a restart, a broken one logged and not served.

mod common;

use std::process::Command;

use common::process::{admin_get, free_port, start};
use nps_core::scoring::analysis::Names;
use serde_json::Value;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/org.toml");

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("nps-org-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_names_served_carry_the_org_and_the_dashboard_reads_them() {
    let dir = temp_dir("serve");
    let names = dir.join("names.json");
    std::fs::write(
        &names,
        r#"{"store": {"SZ-FT": "福田老店"}, "model": {"X5": "星辰X5"}}"#,
    )
    .unwrap();
    let port = free_port();
    let db = dir.join("nps.db");
    let mut child = start(
        &db,
        port,
        &["--org", EXAMPLE, "--names", names.to_str().unwrap()],
    );
    let text = admin_get(port, "/api/names");
    let _ = child.kill();
    let _ = child.wait();
    let v: Value = serde_json::from_str(&text).unwrap();
    // The names file's shape, as before: the org's names win, the others stay.
    assert_eq!(v["store"]["SZ-FT"], "深圳福田店", "{v}");
    assert_eq!(v["advisor"]["ma"], "马超");
    assert_eq!(v["model"]["X5"], "星辰X5");
    // The hierarchy, without the owners' addresses.
    let org = &v["org"];
    let ids = |key: &str, field: &str| -> Vec<String> {
        org[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e[field].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids("regions", "id"), ["south", "north"]);
    assert_eq!(ids("cities", "name"), ["深圳", "广州", "北京"]);
    assert_eq!(
        ids("stores", "region"),
        ["south", "south", "south", "north"]
    );
    assert_eq!(
        ids("advisors", "store"),
        ["SZ-FT", "SZ-FT", "SZ-NS", "GZ-TH", "BJ-CY"]
    );
    assert!(!text.contains("@brand.example"), "{text}");
    // What the dashboard does with it (`Names::from_json`).
    let read = Names::from_json(&text).unwrap();
    assert_eq!(read.get("store", "GZ-TH"), Some("广州天河店"));
    let hierarchy = read.hierarchy();
    assert_eq!(hierarchy.region_of_store("BJ-CY").unwrap().name, "华北大区");
    assert_eq!(hierarchy.stores_of_region("south").count(), 3);
}

#[test]
fn a_bad_org_file_stops_the_start_with_its_line_and_what_is_accepted() {
    let dir = temp_dir("bad");
    let org = dir.join("org.toml");
    let example = std::fs::read_to_string(EXAMPLE).unwrap();
    std::fs::write(
        &org,
        example.replacen("region = \"north\"\ncity", "region = \"nrth\"\ncity", 1),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_nps-collector"))
        .args(["--port", &free_port().to_string(), "--db"])
        .arg(dir.join("nps.db"))
        .env("NPS_ORG", &org)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let says = format!(
        "--org {}: line 38: [[store]] region is \"nrth\": expected one of the declared regions: \"south\", \"north\"",
        org.display()
    );
    assert!(err.contains(&says), "{err}");
}

/// docs/ORG.md shows docs/org.toml (the file the tests read) and the errors as they are.
#[test]
fn the_documented_org_file_and_errors_are_the_real_ones() {
    let file = std::fs::read_to_string(EXAMPLE).unwrap();
    let shown = common::doc_block("ORG.md", "toml", "[[region]]");
    assert_eq!(file.split_once("\n\n").unwrap().1, shown);
    let errors = common::doc_block("ORG.md", "text", "--org org.toml");
    let bad = file
        .replacen("region = \"north\"\ncity", "region = \"nrth\"\ncity", 1)
        .replacen("store = \"BJ-CY\"", "store = \"BJ-XX\"", 1);
    let read = nps_collector::org_file::read(&bad).unwrap_err();
    assert_eq!(errors, format!("--org org.toml: {read}\n"));
}

/// The names served now, as the admin reads them: the regions' names.
fn region_names(port: u16) -> Vec<String> {
    let v: Value = serde_json::from_str(&admin_get(port, "/api/names")).unwrap();
    v["org"]["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect()
}

/// Waits (20 s at most) until `done` says yes.
fn until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !done() {
        assert!(std::time::Instant::now() < deadline, "{what}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// The org file changed under a running collector is served without a restart (seen by its
/// modification time, or on SIGHUP); a broken one is logged with its line and the org in force
/// is kept.
#[test]
fn a_changed_org_file_is_served_without_a_restart_and_a_broken_one_keeps_the_old() {
    let dir = temp_dir("reload");
    let org = dir.join("org.toml");
    let example = std::fs::read_to_string(EXAMPLE).unwrap();
    std::fs::write(&org, &example).unwrap();
    let log = dir.join("stderr.log");
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_nps-collector"))
        .args(["--port", &port.to_string(), "--rate-limit", "0"])
        .args(["--admin-token", "t0k3n", "--org"])
        .arg(&org)
        .arg("--db")
        .arg(dir.join("nps.db"))
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    until("the collector comes up", || {
        ureq::get(&format!("http://127.0.0.1:{port}/healthz"))
            .call()
            .is_ok()
    });
    assert_eq!(region_names(port), ["华南大区", "华北大区"]);
    // Renamed: served once the modification time moves.
    std::fs::write(&org, example.replace("华北大区", "北方大区")).unwrap();
    until("the renamed region is served", || {
        region_names(port) == ["华南大区", "北方大区"]
    });
    // On SIGHUP, even when the modification time says nothing changed.
    let before = std::fs::metadata(&org).unwrap().modified().unwrap();
    std::fs::write(&org, example.replace("华北大区", "华北区")).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&org)
        .unwrap()
        .set_modified(before)
        .unwrap();
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert_eq!(
        region_names(port),
        ["华南大区", "北方大区"],
        "no change seen"
    );
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGHUP) }, 0);
    until("the file is read on SIGHUP", || {
        region_names(port) == ["华南大区", "华北区"]
    });
    // Broken: logged with its line, and the org in force is kept.
    std::fs::write(
        &org,
        example.replacen("region = \"north\"\ncity", "region = \"nrth\"\ncity", 1),
    )
    .unwrap();
    until("the broken file is logged", || {
        std::fs::read_to_string(&log)
            .unwrap()
            .contains("line 38: [[store]] region is \"nrth\": expected one of")
    });
    assert_eq!(region_names(port), ["华南大区", "华北区"]);
    let _ = child.kill();
    let _ = child.wait();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("the org in force is kept"), "{text}");
}
