//! The four robots, each stood in for by a local receiver that checks the exact body and the
//! signature as the vendor does, computed here independently of `alerts::robot` (DingTalk's
//! `sign` in the query, Feishu's in the body, Standard Webhooks' verification with its 5-minute
//! tolerance), and answers like the vendor: success, its rate-limit code inside a 200, a bad
//! signature, a 429 with `Retry-After`, a 500, a redirect. `Sender::send` reads each to its
//! `Outcome`, and its reason never holds the URL's key, the secret or the body. A bad
//! `--config` file stops the start with exit code 2, its line and key. The receivers are
//! `common::robots`, shared with `alerts.rs` and `alert_chaos.rs`.

mod common;

use std::process::Command;

use common::robots::{
    now_secs, start, url, Mode, DING_SECRET, FEISHU_SECRET, HOOK_SECRET, WRONG_HOOK_SECRET,
};
use nps_collector::alerts::{Alert, AlertKind, Channel, Hidden, Kind, Message, Named, Sender};
use nps_core::cases::delivery::Outcome;
use nps_core::scoring::score::Category;
use nps_core::words::Locale;
use serde_json::Value;

fn channel(kind: Kind, addr: std::net::SocketAddr, secret: Option<&str>) -> Channel {
    let url = url(kind, addr);
    Channel {
        name: kind.key().into(),
        kind,
        url: Hidden::new(url),
        secret: secret.map(Hidden::new),
        regions: vec![],
        stores: vec![],
        surveys: vec![],
        locale: Locale::ZhCn,
    }
}

fn callback() -> Message {
    Message::Alert(Alert {
        kind: AlertKind::Callback,
        case_id: "6f1c2a7e".into(),
        survey: "after-sales".into(),
        score: 2,
        category: Category::Detractor,
        reasons: vec!["等待时间".into()],
        comment: Some("等了很久，电话 13812343788".into()),
        store: Some(Named {
            id: "SZ-FT".into(),
            name: "深圳福田店".into(),
        }),
        advisor: Some("王磊".into()),
        visit: Some("RO-88231".into()),
        callback: true,
        deadline_ns: (now_secs() + 20 * 3600) * 1_000_000_000,
        utc_offset_minutes: 480,
        hours_left: 20,
        link: "https://nps.brand.example/dashboard/#/cases/6f1c2a7e".into(),
    })
}

fn now_ms() -> i64 {
    now_secs() * 1000
}

/// The secrets and keys that must never be in a reason.
const NEVER: [&str; 7] = [
    common::robots::NEVER[0],
    common::robots::NEVER[1],
    common::robots::NEVER[2],
    common::robots::NEVER[3],
    common::robots::NEVER[4],
    common::robots::NEVER[5],
    "13812343788",
];

async fn send(sender: &Sender, ch: &Channel) -> (Outcome, Option<String>) {
    let (outcome, reason) = sender.send(ch, &callback(), "job-41", now_ms()).await;
    if let Some(r) = &reason {
        for never in NEVER {
            assert!(!r.contains(never), "{never} in the reason {r}");
        }
    }
    (outcome, reason)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_robot_takes_a_signed_message_and_each_answer_has_its_outcome() {
    let sender = Sender::new();
    let secrets = [
        (Kind::Wecom, None, None),
        (Kind::Dingtalk, Some(DING_SECRET), Some("SECwrong")),
        (Kind::Feishu, Some(FEISHU_SECRET), Some("wrong")),
        (Kind::Webhook, Some(HOOK_SECRET), Some(WRONG_HOOK_SECRET)),
    ];
    for (kind, secret, wrong) in secrets {
        let (r, addr) = start(kind).await;
        let ch = channel(kind, addr, secret);
        let set = |m: Mode| r.set(m);
        // Delivered, signed as the vendor checks it.
        assert_eq!(send(&sender, &ch).await, (Outcome::Sent, None), "{kind:?}");
        let (path, query, headers, body) = r.seen.lock().unwrap().last().cloned().unwrap();
        let v: Value = serde_json::from_str(&body).unwrap();
        assert!(
            !body.contains("13812343788") && body.contains("138****3788"),
            "{body}"
        );
        match kind {
            Kind::Wecom => {
                assert_eq!(
                    (path.as_str(), query.as_str()),
                    ("/cgi-bin/webhook/send", "key=wecom-key-77")
                );
                assert!(
                    v["markdown"]["content"]
                        .as_str()
                        .unwrap()
                        .starts_with("<font color=\"warning\">**【需回电】"),
                    "{v}"
                );
            }
            Kind::Dingtalk => {
                assert_eq!(path, "/robot/send");
                assert_eq!(v["at"]["isAtAll"], true, "a call-back calls everyone");
            }
            Kind::Feishu => {
                assert_eq!(path, "/open-apis/bot/v2/hook/feishu-hook-55");
                assert_eq!(v["card"]["header"]["template"], "red");
                assert_eq!(
                    v["card"]["elements"][1]["actions"][0]["url"],
                    "https://nps.brand.example/dashboard/#/cases/6f1c2a7e"
                );
            }
            Kind::Webhook => {
                assert_eq!(path, "/hooks/nps");
                assert_eq!(headers["webhook-id"], "job-41");
                assert_eq!(headers["content-type"], "application/json");
                assert_eq!(v["type"], "case.callback");
                assert_eq!(v["data"]["case_id"], "6f1c2a7e");
                assert_eq!(v["data"]["score"], 2);
            }
        }
        // The same job again carries the same webhook-id (a receiver can drop the duplicate).
        let (outcome, _) = send(&sender, &ch).await;
        assert_eq!(outcome, Outcome::Sent);
        if kind == Kind::Webhook {
            let seen = r.seen.lock().unwrap();
            assert_eq!(seen[0].2["webhook-id"], seen[1].2["webhook-id"]);
        }
        // The robot's rate limit (inside a 200 for the chat robots).
        set(Mode::RateLimited);
        let (outcome, reason) = send(&sender, &ch).await;
        assert_eq!(
            outcome,
            Outcome::Failed { retry_after: None },
            "{kind:?} {reason:?}"
        );
        // A 429 with Retry-After, a 500: again later.
        set(Mode::TooMany(7));
        assert_eq!(
            send(&sender, &ch).await,
            (
                Outcome::Failed {
                    retry_after: Some(7)
                },
                Some("http 429".into())
            ),
            "{kind:?}"
        );
        set(Mode::Broken);
        assert_eq!(
            send(&sender, &ch).await,
            (
                Outcome::Failed { retry_after: None },
                Some("http 500".into())
            ),
            "{kind:?}"
        );
        // A redirect is not followed: refused.
        set(Mode::Moved);
        let before = r.seen.lock().unwrap().len();
        let (outcome, reason) = send(&sender, &ch).await;
        assert_eq!(outcome, Outcome::Refused, "{kind:?}");
        assert!(reason.unwrap().starts_with("http 302"));
        assert_eq!(
            r.seen.lock().unwrap().len(),
            before + 1,
            "the redirect was followed"
        );
        // A wrong secret: refused for good, the reason naming the vendor's code.
        set(Mode::Ok);
        if let Some(wrong) = wrong {
            let (outcome, reason) = send(&sender, &channel(kind, addr, Some(wrong))).await;
            assert_eq!(outcome, Outcome::Refused, "{kind:?}");
            let expected = match kind {
                Kind::Dingtalk => "errcode 310000: sign not match",
                Kind::Feishu => "errcode 19021: sign match fail",
                _ => "http 401",
            };
            assert!(
                reason.as_deref().unwrap().starts_with(expected),
                "{kind:?} {reason:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_robot_that_cannot_be_reached_is_tried_again_and_its_key_is_not_told() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let (outcome, reason) = send(&Sender::new(), &channel(Kind::Wecom, addr, None)).await;
    assert_eq!(outcome, Outcome::Failed { retry_after: None });
    assert_eq!(reason.unwrap(), format!("cannot connect (http://{addr}/…)"));
}

#[test]
fn a_bad_config_file_stops_the_start_with_its_line_and_key() {
    let dir = std::env::temp_dir().join(format!("nps-robots-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("nps.toml");
    std::fs::write(&config, "[[channel]]\nname = \"a\"\nkind = \"wechat\"\nurl = \"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k-1234\"\n").unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = Command::new(env!("CARGO_BIN_EXE_nps-collector"))
        .args(["--port", &port.to_string(), "--db"])
        .arg(dir.join("nps.db"))
        .env("NPS_CONFIG", &config)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let says = format!("--config {}: line 3: [[channel]] kind is \"wechat\": expected one of \"wecom\", \"dingtalk\", \"feishu\", \"webhook\"", config.display());
    assert!(err.contains(&says), "{err}");
    assert!(!err.contains("k-1234"), "{err}");
}

/// The single sign-on file may be named in the config file (`sso = "sso.toml"`, beside it),
/// and only once: with `--sso` as well, the start stops and says so; a broken one is named
/// with where it was named.
#[test]
fn the_config_file_names_the_single_sign_on_file_once() {
    let dir = std::env::temp_dir().join(format!("nps-robots-sso-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("nps.toml");
    std::fs::write(&config, "sso = \"sso.toml\"\n").unwrap();
    std::fs::write(dir.join("sso.toml"), "issuer = 3\n").unwrap();
    let start = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_nps-collector"))
            .args(["--port", "0", "--db"])
            .arg(dir.join("nps.db"))
            .args(extra)
            .env("NPS_CONFIG", &config)
            .env_remove("NPS_SSO")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, err) = start(&[]);
    assert_eq!(code, Some(2), "{err}");
    let at = format!("sso in --config {}: ", dir.join("sso.toml").display());
    assert!(err.contains(&at) && err.contains("issuer"), "{err}");
    let (code, err) = start(&["--sso", dir.join("sso.toml").to_str().unwrap()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("named twice"), "{err}");
}

/// Channels whose alerts would link nowhere stop the start: a config with channels needs
/// `link_base` or `--public-origin`.
#[test]
fn channels_without_an_address_for_their_links_stop_the_start() {
    let dir = std::env::temp_dir().join(format!("nps-robots-base-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("nps.toml");
    std::fs::write(&config, "[[channel]]\nname = \"a\"\nkind = \"wecom\"\nurl = \"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k-1234\"\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_nps-collector"))
        .args(["--port", "0", "--db"])
        .arg(dir.join("nps.db"))
        .env("NPS_CONFIG", &config)
        .env_remove("NPS_PUBLIC_ORIGIN")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("link_base") && err.contains("--public-origin"),
        "{err}"
    );
    assert!(!err.contains("k-1234"), "{err}");
}
