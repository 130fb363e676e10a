//! The four robots, each stood in for by a local receiver that checks the exact body and the
//! signature as the vendor does, computed here independently of `alerts::robot` (DingTalk's
//! `sign` in the query, Feishu's in the body, Standard Webhooks' verification with its 5-minute
//! tolerance), and answers like the vendor: success, its rate-limit code inside a 200, a bad
//! signature, a 429 with `Retry-After`, a 500, a redirect. `Sender::send` reads each to its
//! `Outcome`, and its reason never holds the URL's key, the secret or the body. A bad
//! `--config` file stops the start with exit code 2, its line and key.

use std::collections::HashMap;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use nps_collector::alerts::{Alert, AlertKind, Channel, Hidden, Kind, Message, Named, Sender};
use nps_core::cases::delivery::Outcome;
use nps_core::scoring::score::Category;
use nps_core::words::Locale;
use serde_json::{json, Value};
use sha2::Sha256;

const DING_SECRET: &str = "SEC2b8f0a1c9d";
const FEISHU_SECRET: &str = "lark-4f9e2c";
const HOOK_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const WRONG_HOOK_SECRET: &str = "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// How the receiver answers the next request (after checking it).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    Ok,
    RateLimited,
    TooMany(u64),
    Broken,
    Moved,
}

/// One request as received: its path, query, headers and body.
type Seen = (String, String, HeaderMap, String);

/// What one receiver saw: each request's path, query, headers and body, and the mode.
#[derive(Clone)]
struct Receiver {
    kind: Kind,
    mode: Arc<Mutex<Mode>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn hmac_b64(key: &[u8], message: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap();
    mac.update(message);
    STANDARD.encode(mac.finalize().into_bytes())
}

/// The vendor's check of a request; `Err` is the vendor's answer to a bad signature.
#[allow(clippy::result_large_err)] // a test's answer, made once per request
fn verify(kind: Kind, query: &str, headers: &HeaderMap, body: &str) -> Result<(), Response> {
    let v: Value = serde_json::from_str(body).expect("a JSON body");
    match kind {
        Kind::Wecom => {
            assert_eq!(v["msgtype"], "markdown", "{v}");
            let content = v["markdown"]["content"].as_str().unwrap();
            assert!(content.len() <= 4096, "{}", content.len());
            assert_eq!(v.as_object().unwrap().len(), 2, "{v}");
            Ok(())
        }
        Kind::Dingtalk => {
            let q: HashMap<String, String> = form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect();
            assert_eq!(q["access_token"], "ding-token");
            let ts: i64 = q["timestamp"].parse().unwrap();
            assert!(
                (ts / 1000 - now_secs()).abs() < 3600,
                "DingTalk takes a timestamp within an hour"
            );
            assert_eq!(v["msgtype"], "markdown");
            assert!(
                v["markdown"]["title"].is_string() && v["markdown"]["text"].is_string(),
                "{v}"
            );
            assert!(v["at"]["isAtAll"].is_boolean(), "{v}");
            let expected = hmac_b64(
                DING_SECRET.as_bytes(),
                format!("{ts}\n{DING_SECRET}").as_bytes(),
            );
            match q["sign"] == expected {
                true => Ok(()),
                false => Err(
                    axum::Json(json!({"errcode": 310000, "errmsg": "sign not match"}))
                        .into_response(),
                ),
            }
        }
        Kind::Feishu => {
            let ts = v["timestamp"]
                .as_str()
                .expect("timestamp is a string of seconds");
            assert!((ts.parse::<i64>().unwrap() - now_secs()).abs() < 3600);
            assert_eq!(v["msg_type"], "interactive");
            let card = &v["card"];
            assert_eq!(card["header"]["title"]["tag"], "plain_text");
            assert_eq!(card["elements"][0]["tag"], "markdown");
            assert_eq!(card["elements"][1]["actions"][0]["tag"], "button");
            let expected = hmac_b64(format!("{ts}\n{FEISHU_SECRET}").as_bytes(), b"");
            match v["sign"] == expected.as_str() {
                true => Ok(()),
                false => Err(axum::Json(json!({"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time", "data": {}})).into_response()),
            }
        }
        Kind::Webhook => {
            // Standard Webhooks' verification, step by step.
            let header = |name: &str| {
                headers
                    .get(name)
                    .and_then(|h| h.to_str().ok())
                    .map(str::to_owned)
            };
            let (Some(id), Some(ts), Some(sigs)) = (
                header("webhook-id"),
                header("webhook-timestamp"),
                header("webhook-signature"),
            ) else {
                return Err(StatusCode::BAD_REQUEST.into_response());
            };
            let ts_n: i64 = ts
                .parse()
                .map_err(|_| StatusCode::BAD_REQUEST.into_response())?;
            if (now_secs() - ts_n).abs() > 5 * 60 {
                return Err(StatusCode::UNAUTHORIZED.into_response());
            }
            let key = STANDARD
                .decode(HOOK_SECRET.strip_prefix("whsec_").unwrap())
                .unwrap();
            let expected = hmac_b64(&key, format!("{id}.{ts}.{body}").as_bytes());
            let matches = sigs
                .split(' ')
                .filter_map(|s| s.strip_prefix("v1,"))
                .any(|s| s == expected);
            assert!(v["type"].as_str().unwrap().starts_with("case.") || v["type"] == "digest");
            assert!(v["timestamp"].is_string() && v["data"].is_object(), "{v}");
            match matches {
                true => Ok(()),
                false => Err(StatusCode::UNAUTHORIZED.into_response()),
            }
        }
    }
}

async fn receive(
    State(r): State<Receiver>,
    uri: Uri,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = String::from_utf8(body.to_vec()).unwrap();
    let query = q.unwrap_or_default();
    r.seen.lock().unwrap().push((
        uri.path().to_owned(),
        query.clone(),
        headers.clone(),
        body.clone(),
    ));
    if let Err(refused) = verify(r.kind, &query, &headers, &body) {
        return refused;
    }
    let ok = match r.kind {
        Kind::Feishu => json!({"code": 0, "msg": "success", "data": {}}),
        _ => json!({"errcode": 0, "errmsg": "ok"}),
    };
    let mode = *r.mode.lock().unwrap();
    match mode {
        Mode::Ok if r.kind == Kind::Webhook => StatusCode::NO_CONTENT.into_response(),
        Mode::Ok => axum::Json(ok).into_response(),
        Mode::RateLimited => limited(r.kind),
        Mode::TooMany(s) => (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", s.to_string())],
            "slow down",
        )
            .into_response(),
        Mode::Broken => (StatusCode::INTERNAL_SERVER_ERROR, "oops").into_response(),
        Mode::Moved => (
            StatusCode::FOUND,
            [("location", "http://127.0.0.1:9/elsewhere")],
        )
            .into_response(),
    }
}

/// The vendor's "too fast": a code inside a 200 for the chat robots, a 429 for a webhook.
fn limited(kind: Kind) -> Response {
    let body = match kind {
        Kind::Wecom => json!({"errcode": 45009, "errmsg": "api freq out of limit"}),
        Kind::Dingtalk => {
            json!({"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"})
        }
        Kind::Feishu => json!({"code": 11232, "msg": "frequency limited"}),
        Kind::Webhook => return StatusCode::TOO_MANY_REQUESTS.into_response(),
    };
    axum::Json(body).into_response()
}

async fn start(kind: Kind) -> (Receiver, std::net::SocketAddr) {
    let r = Receiver {
        kind,
        mode: Arc::new(Mutex::new(Mode::Ok)),
        seen: Arc::default(),
    };
    let app = Router::new().fallback(receive).with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (r, addr)
}

fn channel(kind: Kind, addr: std::net::SocketAddr, secret: Option<&str>) -> Channel {
    let url = match kind {
        Kind::Wecom => format!("http://{addr}/cgi-bin/webhook/send?key=wecom-key-77"),
        Kind::Dingtalk => format!("http://{addr}/robot/send?access_token=ding-token"),
        Kind::Feishu => format!("http://{addr}/open-apis/bot/v2/hook/feishu-hook-55"),
        Kind::Webhook => format!("http://{addr}/hooks/nps"),
    };
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
    "wecom-key-77",
    "ding-token",
    "feishu-hook-55",
    "SEC2b8f0a1c9d",
    "lark-4f9e2c",
    "MfKQ9r8",
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
        let set = |m: Mode| *r.mode.lock().unwrap() = m;
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
