//! Three collectors on one PostgreSQL behind a real nginx, configured as docs/DEPLOY.md
//! says (its `upstream` and `server` blocks, read from the document): round robin, and a
//! post that fails on one collector retried on the next (`proxy_next_upstream … non_idempotent`),
//! which is safe because a post is idempotent by its id. The collectors share the database,
//! the visit secret and the admin token, and nothing else.
//!
//! Shown here: one id posted 1,000 times over the three is one row at its last stage;
//! answers for one visit racing on the three store one and refuse the rest (410); a collector
//! killed with SIGKILL under load loses no acknowledged answer, and once restarted serves
//! again through the balancer; the landing pages and signed visits work through it.
//!
//! Needs PostgreSQL (`common::postgres`) and nginx (`common::nginx`; `cargo xtask test`
//! installs both).

mod common;

use std::process::Child;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

use common::nginx::{self, Nginx};
use common::process::{connect_from, free_port, http, post_request, start_with, status_of};
use serde_json::{json, Value};

const TOKEN: &str = "t0k3n";
const SECRET: &str = "the visit secret every collector shares";

/// One fleet at a time: each is three collectors, and the machine may have two cores.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Three collectors on one database behind nginx on `front`.
struct Fleet {
    db: String,
    front: u16,
    ports: [u16; 3],
    collectors: Vec<Option<Child>>,
    nginx: Nginx,
}

impl Fleet {
    fn start(tag: &str) -> Option<Fleet> {
        let binary = nginx::binary()?;
        let db = common::postgres::shared().database();
        let front = free_port();
        let ports = [free_port(), free_port(), free_port()];
        let mut fleet_collectors = Vec::new();
        for port in ports {
            fleet_collectors.push(Some(start_collector(&db, port, front)));
        }
        let http = deployed_config(front, &ports);
        let nginx = Nginx::start_http(&binary, tag, &http, &[front]);
        Some(Fleet {
            db,
            front,
            ports,
            collectors: fleet_collectors,
            nginx,
        })
    }

    /// A POST through the balancer, from a client of its own (127.0.0.1); status and answer.
    fn post(&self, path: &str, content_type: &str, headers: &str, body: &str) -> (u16, String) {
        http(
            connect_from("127.0.0.1", self.front),
            &post_request(path, content_type, headers, body),
        )
    }

    /// A GET through the balancer with these extra header lines.
    fn get(&self, path: &str, headers: &str) -> (u16, String) {
        http(
            connect_from("127.0.0.1", self.front),
            &format!(
                "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n{headers}\r\n",
                self.front
            ),
        )
    }

    /// Every stored response, read through the export of the collector on `port`.
    fn export(&self, port: u16) -> Vec<Value> {
        let text = ureq::get(&format!("http://127.0.0.1:{port}/api/responses"))
            .header("Authorization", &format!("Bearer {TOKEN}"))
            .call()
            .expect("the export answers")
            .body_mut()
            .read_to_string()
            .unwrap();
        serde_json::from_str::<Value>(&text)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    }

    fn kill(&mut self, n: usize) {
        let mut c = self.collectors[n].take().expect("running");
        c.kill().unwrap(); // SIGKILL
        let _ = c.wait();
    }

    fn restart(&mut self, n: usize) {
        assert!(self.collectors[n].is_none());
        self.collectors[n] = Some(start_collector(&self.db, self.ports[n], self.front));
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        for c in self.collectors.iter_mut().flatten() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A collector of the fleet: what every collector must share (database, admin token, visit
/// secret) and the deployment's proxy flags; `--min-fill-ms 0` so that a test's quick
/// answers count (a flagged answer never takes a visit).
fn start_collector(db: &str, port: u16, front: u16) -> Child {
    let public = format!("http://127.0.0.1:{front}");
    start_with(
        db,
        port,
        &[
            "--rate-limit",
            "0",
            "--admin-token",
            TOKEN,
            "--visit-secret",
            SECRET,
            "--trusted-proxy",
            "127.0.0.2/32",
            "--public-origin",
            &public,
            "--min-fill-ms",
            "0",
        ],
    )
}

/// DEPLOY.md's nginx config for several collectors, on a loopback port without TLS: its
/// `upstream` pointing at `ports`, its `server` listening on `front`.
fn deployed_config(front: u16, ports: &[u16; 3]) -> String {
    let block = nginx::doc_block("DEPLOY.md", "upstream nps_collectors");
    let (upstream, server) = block
        .split_once("}\nserver {\n")
        .expect("DEPLOY.md's fleet block: an upstream, then a server");
    let mut upstream = format!("{upstream}}}\n");
    for (n, port) in ports.iter().enumerate() {
        let documented = format!("10.0.0.1{}:8080", n + 1);
        assert!(upstream.contains(&documented), "{upstream}");
        upstream = upstream.replace(&documented, &format!("127.0.0.1:{port}"));
    }
    let body = server
        .trim_end()
        .strip_suffix('}')
        .expect("the server's end");
    format!(
        "{upstream}server {{\n listen 127.0.0.1:{front};\n{}}}\n",
        nginx::without_tls(body)
    )
}

/// A completed or scored response `id` of survey `load`, with these context values.
fn response(id: &str, stage: &str, score: u8, updated_ms: u64, context: Value) -> String {
    let category = nps_core::scoring::score::category(score as i64)
        .unwrap()
        .as_str();
    let updated = time::OffsetDateTime::from_unix_timestamp_nanos(
        (1_795_420_800_000 + updated_ms as i128) * 1_000_000,
    )
    .unwrap()
    .format(&time::format_description::well_known::Rfc3339)
    .unwrap();
    json!({"schema": 1, "id": id, "survey": "load", "stage": stage, "score": score,
        "category": category, "reasons": [], "comment": null, "contact": null,
        "context": context, "locale": "en", "page": null,
        "created_at": "2026-11-23T07:00:00.000Z", "updated_at": updated,
        "write_key": common::KEY})
    .to_string()
}

fn id(n: u64) -> String {
    format!("f1ee7000-0000-4000-8000-{n:012}")
}

#[test]
fn one_id_posted_a_thousand_times_over_three_collectors_is_one_row_at_its_last_stage() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let Some(fleet) = Fleet::start("same-id") else {
        return;
    };
    // Post i is scored (even i) or completed (odd i), updated i ms after the first; they go
    // out from 8 threads at once, so they reach the collectors in any order. The last stage
    // is completed, and its last update is post 999 (score 999 % 11 = 9).
    let fleet = Arc::new(fleet);
    let statuses = Arc::new(Mutex::new(Vec::new()));
    let threads: Vec<_> = (0..8u64)
        .map(|t| {
            let (fleet, statuses) = (fleet.clone(), statuses.clone());
            std::thread::spawn(move || {
                for i in (t..1000).step_by(8) {
                    let stage = if i % 2 == 1 { "completed" } else { "scored" };
                    let body = response(&id(1), stage, (i % 11) as u8, i, json!({}));
                    let (status, answer) =
                        fleet.post("/api/responses", "application/json", "", &body);
                    statuses.lock().unwrap().push((status, answer));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let statuses = statuses.lock().unwrap();
    assert_eq!(statuses.len(), 1000);
    let created = statuses.iter().filter(|(s, _)| *s == 201).count();
    let others: Vec<_> = statuses
        .iter()
        .filter(|(s, _)| *s != 201 && *s != 200)
        .collect();
    assert!(
        others.is_empty(),
        "every post is taken: {:?}",
        others.first()
    );
    assert_eq!(created, 1, "one post created the row, the others found it");
    for port in fleet.ports {
        let rows = fleet.export(port);
        assert_eq!(rows.len(), 1, "one row, read on the collector at {port}");
        assert_eq!(
            (&rows[0]["id"], &rows[0]["stage"], &rows[0]["score"]),
            (&json!(id(1)), &json!("completed"), &json!(9)),
            "the last stage, at its last update"
        );
    }
    assert_eq!(
        common::postgres::shared().psql(db_name(&fleet.db), "SELECT count(*) FROM responses"),
        "1"
    );
}

/// A database's name from its URL.
fn db_name(url: &str) -> &str {
    url.rsplit('/').next().unwrap()
}

/// A signed visit's token, from the collector's own `sign-visit` (any collector's secret is
/// the same).
fn signed_link(front: u16, visit: &str) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nps-collector"))
        .args(["--visit-secret", SECRET, "sign-visit", "--base"])
        .arg(format!("http://127.0.0.1:{front}"))
        .args([
            "--survey",
            "after-sales",
            "--store",
            "SZ-FT",
            "--visit",
            visit,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// The query of a link as context values (`t` included).
fn link_context(link: &str) -> Value {
    let url = url::Url::parse(link).unwrap();
    Value::Object(
        url.query_pairs()
            .map(|(k, v)| (k.into_owned(), json!(v.into_owned())))
            .collect(),
    )
}

#[test]
fn racing_answers_for_one_visit_on_three_collectors_store_one_and_refuse_the_rest_with_410() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let Some(fleet) = Fleet::start("visit-race") else {
        return;
    };
    // For each of 10 visits, 9 answers under 9 ids, 3 straight to each collector, let go
    // together.
    const RACERS: usize = 9;
    let mut won = Vec::new();
    for v in 0..10u64 {
        let visit = format!("RO-RACE-{v}");
        let context = link_context(&signed_link(fleet.front, &visit));
        let barrier = Arc::new(Barrier::new(RACERS));
        let racers: Vec<_> = (0..RACERS)
            .map(|r| {
                let port = fleet.ports[r % 3];
                let mut body: Value = serde_json::from_str(&response(
                    &id(100 * v + r as u64),
                    "scored",
                    9,
                    1,
                    context.clone(),
                ))
                .unwrap();
                body["survey"] = json!("after-sales");
                let request =
                    post_request("/api/responses", "application/json", "", &body.to_string());
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    let stream = connect_from("127.0.0.1", port);
                    barrier.wait();
                    http(stream, &request)
                })
            })
            .collect();
        let answers: Vec<(u16, String)> = racers.into_iter().map(|t| t.join().unwrap()).collect();
        let winners: Vec<usize> = (0..RACERS).filter(|&r| answers[r].0 == 201).collect();
        assert_eq!(winners.len(), 1, "{visit}: one answer stored: {answers:?}");
        for (r, (status, answer)) in answers.iter().enumerate() {
            if r != winners[0] {
                assert_eq!(*status, 410, "{visit}: the others are refused: {answer}");
                assert!(answer.contains("\"field\":\"context.visit\""), "{answer}");
            }
        }
        won.push((visit, id(100 * v + winners[0] as u64)));
    }
    let rows = fleet.export(fleet.ports[0]);
    assert_eq!(rows.len(), won.len(), "only the winners are stored");
    for (visit, winner) in won {
        let row = rows
            .iter()
            .find(|r| r["context"]["visit"] == visit)
            .unwrap();
        assert_eq!(row["id"], json!(winner), "{visit}");
    }
}

/// Posts new responses through the balancer from `threads` threads until `stop`; the ids
/// acknowledged (2xx) and the statuses of the others.
fn load(
    fleet: &Arc<Fleet>,
    threads: u64,
    first: u64,
    stop: &Arc<AtomicBool>,
) -> (Vec<String>, Vec<u16>) {
    let workers: Vec<_> = (0..threads)
        .map(|t| {
            let (fleet, stop) = (fleet.clone(), stop.clone());
            std::thread::spawn(move || {
                let (mut acked, mut refused) = (Vec::new(), Vec::new());
                let mut n = first + t * 1_000_000;
                while !stop.load(Ordering::Relaxed) {
                    let body = response(&id(n), "completed", (n % 11) as u8, 1, json!({}));
                    let (status, _) = fleet.post("/api/responses", "application/json", "", &body);
                    match status {
                        200 | 201 => acked.push(id(n)),
                        s => refused.push(s),
                    }
                    n += 1;
                }
                (acked, refused)
            })
        })
        .collect();
    let (mut acked, mut refused) = (Vec::new(), Vec::new());
    for w in workers {
        let (a, r) = w.join().unwrap();
        acked.extend(a);
        refused.extend(r);
    }
    (acked, refused)
}

/// The ids of `acked` missing from `rows`.
fn missing(acked: &[String], rows: &[Value]) -> Vec<String> {
    let stored: std::collections::HashSet<&str> =
        rows.iter().filter_map(|r| r["id"].as_str()).collect();
    acked
        .iter()
        .filter(|id| !stored.contains(id.as_str()))
        .cloned()
        .collect()
}

#[test]
fn a_collector_killed_under_load_loses_no_acknowledged_answer_and_serves_again_once_restarted() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let Some(fleet) = Fleet::start("kill") else {
        return;
    };
    let fleet = Arc::new(fleet);
    // Load from 8 threads; after a second, collector 1 is killed (SIGKILL) mid-stream; the
    // load goes on for another second.
    let stop = Arc::new(AtomicBool::new(false));
    let loader = {
        let (fleet, stop) = (fleet.clone(), stop.clone());
        std::thread::spawn(move || load(&fleet, 8, 0, &stop))
    };
    std::thread::sleep(Duration::from_secs(1));
    let pid = fleet.collectors[1].as_ref().unwrap().id();
    // SAFETY: kill only signals the collector this test started.
    unsafe {
        libc::kill(pid as i32, libc::SIGKILL);
    }
    std::thread::sleep(Duration::from_secs(1));
    stop.store(true, Ordering::Relaxed);
    let (acked, refused) = loader.join().unwrap();
    let mut fleet = Arc::try_unwrap(fleet).ok().expect("the loader is done");
    fleet.kill(1); // reaps the killed process
    assert!(
        acked.len() > 200,
        "a real load: {} acknowledged",
        acked.len()
    );
    let rows = fleet.export(fleet.ports[0]);
    let lost = missing(&acked, &rows);
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged answers are not stored (first {:?}); refused: {refused:?}",
        lost.len(),
        acked.len(),
        lost.first()
    );
    // nginx moved the posts the dead collector failed to the next one: a client saw no error.
    assert!(
        refused.is_empty(),
        "posts refused: {refused:?}\n{}",
        fleet.nginx.log()
    );

    // Restarted on its port, it has everything, and once nginx tries it again (after its
    // fail_timeout, 2 s in DEPLOY.md) it answers posts through the balancer.
    fleet.restart(1);
    let rows = fleet.export(fleet.ports[1]);
    assert!(missing(&acked, &rows).is_empty(), "nothing lost");
    std::thread::sleep(Duration::from_millis(2100));
    let seen = fleet.nginx.access_log().len();
    let stop = Arc::new(AtomicBool::new(false));
    let fleet = Arc::new(fleet);
    let loader = {
        let (fleet, stop) = (fleet.clone(), stop.clone());
        std::thread::spawn(move || load(&fleet, 4, 50_000_000, &stop))
    };
    std::thread::sleep(Duration::from_secs(1));
    stop.store(true, Ordering::Relaxed);
    let (after, refused) = loader.join().unwrap();
    assert!(!after.is_empty() && refused.is_empty(), "{refused:?}");
    let restarted = format!("127.0.0.1:{} 20", fleet.ports[1]);
    let log = fleet.nginx.access_log();
    let served = log[seen..]
        .lines()
        .filter(|l| l.starts_with(&restarted))
        .count();
    assert!(
        served * 5 > after.len(),
        "the restarted collector takes its share: {served} of {}",
        after.len()
    );
    let rows = fleet.export(fleet.ports[1]);
    assert!(missing(&acked, &rows).is_empty() && missing(&after, &rows).is_empty());
    assert_eq!(rows.len(), acked.len() + after.len(), "each post once");
}

/// The value of `name="…" value="…"` in a page.
fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name}: {page}"));
    let rest = &page[at + marker.len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

/// A header's value in an answer's text.
fn header<'a>(answer: &'a str, name: &str) -> &'a str {
    answer
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim())
        })
        .unwrap_or_else(|| panic!("no {name}: {answer}"))
}

#[test]
fn landing_pages_and_signed_visits_work_through_the_balancer() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let Some(fleet) = Fleet::start("landing") else {
        return;
    };
    // Each request below goes to the next collector (round robin): the page, the tap, the
    // follow-up and the visit seen again are answered by different collectors.
    let link = signed_link(fleet.front, "RO-LANDING");
    let path = &link[link.find("/s/").unwrap()..];
    let (status, page) = fleet.get(path, "Accept-Language: en\r\n");
    assert_eq!(status, 200, "{page}");
    let id = hidden(&page, "id");
    let origin = format!(
        "Origin: http://127.0.0.1:{}\r\nAccept-Language: en\r\n",
        fleet.front
    );
    let (status, tap) = fleet.post(
        path,
        "application/x-www-form-urlencoded",
        &origin,
        &format!("score=3&id={id}&created_at=2026-11-23T08%3A00%3A00.000Z"),
    );
    assert_eq!(status, 303, "{tap}");
    let follow = header(&tap, "location").to_owned();
    assert_eq!(follow, format!("/s/after-sales/{id}"));
    let cookie = header(&tap, "set-cookie").split(';').next().unwrap();
    let with_cookie = format!("{origin}Cookie: {cookie}\r\n");
    let (status, page) = fleet.get(&follow, &with_cookie);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("name=\"reason\""), "the follow-up: {page}");
    let (status, answer) = fleet.post(
        &follow,
        "application/x-www-form-urlencoded",
        &with_cookie,
        "reason=wait_time&comment=slow&action=submit",
    );
    assert_eq!(status, 303, "{answer}");
    let rows = fleet.export(fleet.ports[2]);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (&rows[0]["id"], &rows[0]["stage"], &rows[0]["score"]),
        (&json!(id), &json!("completed"), &json!(3))
    );
    assert_eq!(rows[0]["context"]["visit"], "RO-LANDING");
    assert_eq!(rows[0]["comment"], "slow");
    // The same visit again, on whichever collector: already answered.
    for _ in 0..3 {
        let (status, again) = fleet.post(
            path,
            "application/x-www-form-urlencoded",
            &origin,
            "score=10",
        );
        assert_eq!(status_of(&again), status);
        assert!(
            again.contains("already"),
            "answered once, on every collector: {again}"
        );
    }
    assert_eq!(fleet.export(fleet.ports[0]).len(), 1);
}

/// DEPLOY.md's single collector is proxied by the `location` that SECURITY.md explains and
/// `proxy.rs` runs, line for line.
#[test]
fn the_single_collector_location_is_the_one_security_md_tests() {
    let location = |block: String| {
        let at = block.find("    location / {").expect("a location");
        block[at..block[at..].find("\n    }\n").unwrap() + at].to_owned()
    };
    assert_eq!(
        location(nginx::doc_block(
            "DEPLOY.md",
            "proxy_pass http://127.0.0.1:8080;"
        )),
        location(nginx::doc_block(
            "SECURITY.md",
            "proxy_pass http://127.0.0.1:8080;"
        ))
    );
}
