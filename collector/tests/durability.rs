//! Durability: the real `nps-collector` binary under concurrent load is killed with SIGKILL;
//! after a restart on the same database, every response it acknowledged is there, and every
//! acknowledged detractor has its case and its `opened` alert (they commit with the answer).

mod common;

use common::process::{free_port, load_body as body, start};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[test]
fn every_acknowledged_response_survives_kill_9() {
    let dir = std::env::temp_dir().join(format!("nps-kill9-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("nps.db");
    let port = free_port();
    let mut collector = start(&db, port, &[]);

    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..8)
        .map(|w| {
            let (acked, stop) = (acked.clone(), stop.clone());
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .timeout_global(Some(Duration::from_secs(5)))
                    .build()
                    .into();
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    let id = format!("{:08x}-0000-4000-8000-{:012x}", w, n);
                    let sent = agent
                        .post(&format!("http://127.0.0.1:{port}/api/responses"))
                        .header("Content-Type", "application/json")
                        .send(body(&id, n));
                    if matches!(&sent, Ok(r) if r.status().is_success()) {
                        acked.lock().unwrap().push(id);
                    }
                    n += 1;
                }
            })
        })
        .collect();

    // Kill it mid-load, once it has acknowledged a good number of posts.
    let deadline = Instant::now() + Duration::from_secs(30);
    while acked.lock().unwrap().len() < 500 {
        assert!(Instant::now() < deadline, "too few posts acknowledged");
        std::thread::sleep(Duration::from_millis(5));
    }
    collector.kill().unwrap(); // SIGKILL
    collector.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();

    let mut again = start(&db, port, &[]);
    let text = ureq::get(&format!("http://127.0.0.1:{port}/api/responses"))
        .header("Authorization", "Bearer t0k3n")
        .call()
        .unwrap()
        .into_body()
        .read_to_string()
        .unwrap();
    again.kill().unwrap();
    let _ = again.wait();
    let stored: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    let ids: std::collections::HashSet<&str> =
        stored.iter().filter_map(|r| r["id"].as_str()).collect();
    let lost: Vec<&String> = acked
        .iter()
        .filter(|id| !ids.contains(id.as_str()))
        .collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged responses lost after kill -9: {:?}",
        lost.len(),
        acked.len(),
        &lost[..lost.len().min(5)]
    );
    cases_and_alerts_of_every_acknowledged_detractor(&db, &acked);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Each acknowledged detractor (`load_body`'s score is `n % 11`) has one case and its opened
/// alert; nothing else has a case.
fn cases_and_alerts_of_every_acknowledged_detractor(db: &std::path::Path, acked: &[String]) {
    use nps_collector::storage::{CaseFilter, Store};
    let rt = tokio::runtime::Runtime::new().unwrap();
    let s = Store::open(db).unwrap();
    let cases = rt.block_on(s.case_list(&CaseFilter::default())).unwrap();
    let by_response: std::collections::HashMap<&str, &str> = cases
        .iter()
        .map(|c| (c.response_id.as_str(), c.id.as_str()))
        .collect();
    assert_eq!(by_response.len(), cases.len(), "one case per response");
    let detractors: Vec<&String> = acked
        .iter()
        .filter(|id| {
            let n = usize::from_str_radix(id.rsplit('-').next().unwrap(), 16).unwrap();
            n % 11 <= 6
        })
        .collect();
    assert!(detractors.len() > 100, "{} detractors", detractors.len());
    for id in &detractors {
        let case = by_response
            .get(id.as_str())
            .unwrap_or_else(|| panic!("the acknowledged detractor {id} has no case"));
        // Fanned out by the collector's worker or not yet: the alert is stored either way.
        let key = format!("case:{case}:opened");
        assert!(
            rt.block_on(s.alert_exists(&key)).unwrap(),
            "the case of {id} has no opened alert"
        );
    }
    assert!(
        cases.iter().all(|c| c.category == "detractor"),
        "only detractors open cases by default"
    );
}
