//! The collector behind a real nginx: the `location` block of docs/SECURITY.md, read from
//! the document itself, in front of the real binary. nginx reaches the collector from
//! 127.0.0.2 (`proxy_bind`), the only trusted proxy; clients come from 127.0.0.1 and
//! 127.0.0.3, so each is a client of its own (`common::nginx`).

mod common;

use std::path::PathBuf;

use common::nginx::{self, Nginx};
use common::process::{connect_from, free_port, http, load_body, post_request, start_with};

/// The documented nginx config's lines inside `server { … }` that are not about TLS or
/// the name: the body limit and the `location` block, proxying to the collector on `port`.
fn documented_location(port: u16) -> String {
    let block = nginx::doc_block("SECURITY.md", "location / {");
    assert!(
        block.contains("proxy_pass http://127.0.0.1:8080;"),
        "the documented proxy points at the documented collector: {block}"
    );
    let lines: Vec<&str> = block.lines().collect();
    nginx::without_tls(&lines[1..lines.len() - 1].join("\n"))
        .replace("127.0.0.1:8080", &format!("127.0.0.1:{port}"))
}

fn temp_db(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nps-proxy-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("nps.db")
}

/// Regression: behind the documented nginx, a client's own `Forwarded: for=…` won over the
/// proxy's `X-Forwarded-For`, so one host chose a fresh rate-limit key for every post (20 of
/// 20 accepted at a limit of 2) and could fill the limiter's table. The collector reads only
/// `--proxy-header`, so the limit holds with the documented config and with one that forgets
/// to drop what a client wrote in the other headers.
#[test]
fn behind_the_documented_nginx_a_client_cannot_choose_its_rate_limit_key() {
    let Some(binary) = nginx::binary() else {
        return;
    };
    for (tag, forgetful) in [("doc", false), ("forgetful", true)] {
        let port = free_port();
        let mut collector = start_with(
            &temp_db(tag),
            port,
            &["--rate-limit", "2", "--trusted-proxy", "127.0.0.2/32"],
        );
        let mut location = documented_location(port);
        if forgetful {
            location = location
                .lines()
                .filter(|l| !l.contains("Forwarded \"\"") && !l.contains("X-Real-IP \"\""))
                .map(|l| format!("{l}\n"))
                .collect();
        }
        let front = free_port();
        let nginx = Nginx::start(&binary, tag, &[(front, location)]);
        let mut accepted = 0;
        for i in 0..20 {
            let forged = format!(
                "Forwarded: for=198.51.100.{i}\r\nX-Forwarded-For: 203.0.113.{i}\r\nX-Real-IP: 192.0.2.{i}\r\n"
            );
            let id = format!("5a4b3c2d-1e0f-4a9b-8c7d-{i:012}");
            let (status, answer) = http(
                connect_from("127.0.0.1", front),
                &post_request(
                    "/api/responses",
                    "application/json",
                    &forged,
                    &load_body(&id, i),
                ),
            );
            match status {
                200 | 201 => accepted += 1,
                429 => {}
                _ => panic!("{tag} post {i}: {answer}\n{}", nginx.log()),
            }
        }
        assert_eq!(
            accepted, 2,
            "{tag}: the limit of 2 a minute holds for one client"
        );
        // Another client through the same proxy has its own quota: the key is the client's
        // address as nginx saw it, not the proxy's.
        let (status, answer) = http(
            connect_from("127.0.0.3", front),
            &post_request(
                "/api/responses",
                "application/json",
                "",
                &load_body("5a4b3c2d-1e0f-4a9b-8c7d-0000000000ff", 9),
            ),
        );
        assert_eq!(status, 201, "{tag}: {answer}");
        let _ = collector.kill();
        let _ = collector.wait();
    }
}

/// Regression: behind a proxy that does not pass `Host` on, a landing page's form post
/// (whose `Origin` is the public address) was refused as a foreign origin, with raw JSON.
/// With `--public-origin` it is the collector's own; without, the customer reads a page.
#[test]
fn behind_a_proxy_that_does_not_pass_host_the_public_origin_may_post_forms() {
    let Some(binary) = nginx::binary() else {
        return;
    };
    let (with, without, front_with, front_without) =
        (free_port(), free_port(), free_port(), free_port());
    let public = format!("http://127.0.0.1:{front_with}");
    let mut a = start_with(
        &temp_db("host-a"),
        with,
        &["--rate-limit", "0", "--public-origin", &public],
    );
    let mut b = start_with(&temp_db("host-b"), without, &["--rate-limit", "0"]);
    // The plainest proxy: nginx then sends `Host: 127.0.0.1:<collector's port>`.
    let plain = |port: u16| format!(" location / {{ proxy_pass http://127.0.0.1:{port}; }}\n");
    let _nginx = Nginx::start(
        &binary,
        "host",
        &[(front_with, plain(with)), (front_without, plain(without))],
    );
    let tap = |front: u16| {
        let origin = format!("Origin: http://127.0.0.1:{front}\r\nAccept-Language: en\r\n");
        http(
            connect_from("127.0.0.1", front),
            &post_request(
                "/s/after-sales?store=SZ-FT",
                "application/x-www-form-urlencoded",
                &origin,
                "score=9",
            ),
        )
    };
    let (status, answer) = tap(front_with);
    assert_eq!(status, 303, "{answer}");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("location: /s/after-sales/"),
        "{answer}"
    );
    let (status, answer) = tap(front_without);
    assert_eq!(status, 403, "{answer}");
    assert!(
        answer.contains("text/html")
            && answer.contains("<h1 style=\"font-size:20px\">Your answer was not sent</h1>"),
        "a page, not JSON: {answer}"
    );
    for c in [&mut a, &mut b] {
        let _ = c.kill();
        let _ = c.wait();
    }
}
