//! Chaos: many surveys through a proxy that resets, fails, delays and cuts connections,
//! with pages reloaded mid-send, closed right after submitting, and the browser taken
//! offline. When the network heals, the collector must hold exactly one row per response,
//! at its final stage. `NPS_CHAOS_SURVEYS` sets the count (`cargo xtask chaos`: 200).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use nps_e2e::chaos::Proxy;
use nps_e2e::{wait_until, Browser, Options, Server};

#[derive(Debug, Clone, PartialEq)]
struct Expect {
    stage: &'static str,
    score: u64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_is_stored_once_at_its_final_stage() {
    let surveys: usize = std::env::var("NPS_CHAOS_SURVEYS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50);
    let seed: u64 = std::env::var("NPS_CHAOS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261123);
    let server = Server::start().await;
    let proxy = Proxy::start(server.addr.to_string(), seed).await;
    let b = Browser::start(Options::default()).await;
    let mut rng = fastrand::Rng::with_seed(seed ^ 0x5eed);
    let mut expect: BTreeMap<String, Expect> = BTreeMap::new();
    let (mut reloads, mut closes, mut offline) = (0, 0, 0);
    let started = Instant::now();
    let page = |i: usize| {
        format!(
            "{}/chaos.html?endpoint={}/api/responses&visit=C-{i}&store=S{}",
            server.base,
            proxy.base,
            i % 3
        )
    };

    for i in 0..surveys {
        b.open(&page(i)).await;
        b.find("#survey >> [data-score='0']").await;
        let id = b
            .js("return window.__handle.id")
            .await
            .as_str()
            .unwrap()
            .to_owned();
        let score = rng.u64(0..=10);
        let go_offline = rng.u32(0..100) < 10;
        if go_offline {
            offline += 1;
            b.set_offline(true).await;
        }
        b.click(&format!("#survey >> [data-score='{score}']")).await;
        if !go_offline && rng.u32(0..100) < 15 {
            // Reload while the score may still be on the wire: the next page load resumes it.
            reloads += 1;
            expect.insert(
                id,
                Expect {
                    stage: "scored",
                    score,
                },
            );
            continue;
        }
        b.click("#survey >> .nps-chip").await;
        b.click("#survey >> .nps-submit").await;
        b.find("#survey >> .nps-outcome").await;
        expect.insert(
            id,
            Expect {
                stage: "completed",
                score,
            },
        );
        if go_offline {
            wait_until("the offline notice", || async {
                let t = b.text("#survey >> .nps-status").await;
                t.contains("offline").then_some(())
            })
            .await;
            b.set_offline(false).await;
        } else if rng.u32(0..100) < 20 {
            // Close the page right after submitting: pagehide hands it to sendBeacon, and
            // the stored copy is sent again by the next page.
            closes += 1;
            b.client.goto("about:blank").await.unwrap();
        }
    }

    // The network heals; one more page load flushes whatever is still waiting.
    proxy.heal();
    b.open(&page(surveys)).await;
    let deadline = Instant::now() + Duration::from_secs(120);
    let rows = loop {
        let rows = server.rows();
        let done = expect.iter().all(|(id, e)| {
            rows.iter().any(|(rid, stage, body)| {
                rid == id && stage == e.stage && body["score"].as_u64() == Some(e.score)
            })
        });
        if done || Instant::now() > deadline {
            break rows;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let counts = &proxy.counts;
    println!(
        "chaos: {surveys} surveys in {:.0?}; {reloads} reloads mid-send, {closes} pages closed after submit, {offline} offline; \
         connections: {} passed, {} delayed, {} reset, {} answered 500, {} cut after forwarding",
        started.elapsed(),
        counts.passed.load(std::sync::atomic::Ordering::Relaxed),
        counts.delayed.load(std::sync::atomic::Ordering::Relaxed),
        counts.reset.load(std::sync::atomic::Ordering::Relaxed),
        counts.error_500.load(std::sync::atomic::Ordering::Relaxed),
        counts.cut_after_forward.load(std::sync::atomic::Ordering::Relaxed),
    );
    let missing: Vec<_> = expect
        .iter()
        .filter(|(id, e)| {
            !rows.iter().any(|(rid, stage, body)| {
                rid == *id && stage == e.stage && body["score"].as_u64() == Some(e.score)
            })
        })
        .collect();
    assert!(
        missing.is_empty(),
        "not stored at their final stage: {missing:?}\nstored: {:?}",
        rows.iter().map(|r| (&r.0, &r.1)).collect::<Vec<_>>()
    );
    assert_eq!(
        rows.len(),
        expect.len(),
        "one row per response, nothing extra"
    );
    b.close().await;
}
