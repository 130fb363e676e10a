//! Local receivers standing in for the four robots (WeCom, DingTalk, Feishu, Standard
//! Webhooks): each checks the exact body shape and the signature as the vendor does, computed
//! here independently of `alerts::robot` (DingTalk's `sign` in the query, Feishu's in the
//! body, Standard Webhooks' verification with its 5-minute tolerance), records what it got,
//! and answers like the vendor: success, its rate-limit code inside a 200, a bad signature, a
//! 429 with `Retry-After`, a 500, a redirect, an error code. The receivers' clock is the
//! system clock moved by `ahead_s` (a test driving the worker's clock forward moves theirs
//! with it, as a vendor's clock would be the real one).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicI64, Ordering};
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
use nps_collector::alerts::Kind;
use serde_json::{json, Value};
use sha2::Sha256;

pub const DING_SECRET: &str = "SEC2b8f0a1c9d";
pub const FEISHU_SECRET: &str = "lark-4f9e2c";
pub const HOOK_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
pub const WRONG_HOOK_SECRET: &str = "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// How the receiver answers a request (after checking it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mode {
    Ok,
    RateLimited,
    TooMany(u64),
    Broken,
    Moved,
    /// The robot's error code inside a 200 (WeCom 93000: the robot's URL is not valid).
    Code(i64),
    /// Every `every`-th request a 429 with `Retry-After: retry_after`, the others as `Ok`.
    Flaky {
        every: usize,
        retry_after: u64,
    },
}

/// One request as received: its path, query, headers, body, and the receiver's clock (s).
pub type Seen = (String, String, HeaderMap, String);

/// What one receiver saw, and how it answers: the `script` first, one mode a request, then
/// `mode`.
#[derive(Clone)]
pub struct Receiver {
    pub kind: Kind,
    pub mode: Arc<Mutex<Mode>>,
    pub script: Arc<Mutex<VecDeque<Mode>>>,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    /// The receiver's clock (s) at each request, in `seen`'s order.
    pub at: Arc<Mutex<Vec<i64>>>,
    /// How far the receiver's clock is ahead of the system clock, in seconds.
    pub ahead_s: Arc<AtomicI64>,
    /// The bodies it answered with success (what a group would read).
    pub delivered: Arc<Mutex<Vec<String>>>,
    /// How long it takes to answer a message it delivered, in milliseconds (a sender killed
    /// meanwhile has sent it and never hears so).
    pub slow_ms: Arc<std::sync::atomic::AtomicU64>,
}

impl Receiver {
    pub fn set(&self, m: Mode) {
        *self.mode.lock().unwrap() = m;
    }

    /// The next answers, in order, before `mode` again.
    pub fn then(&self, modes: &[Mode]) {
        self.script.lock().unwrap().extend(modes.iter().copied());
    }

    pub fn now_secs(&self) -> i64 {
        now_secs() + self.ahead_s.load(Ordering::SeqCst)
    }

    /// The bodies received, parsed.
    pub fn bodies(&self) -> Vec<Value> {
        let seen = self.seen.lock().unwrap();
        seen.iter()
            .map(|s| serde_json::from_str(&s.3).unwrap())
            .collect()
    }

    /// Every request as text: path, query, headers and body (what must never hold a phone).
    pub fn all_text(&self) -> String {
        let seen = self.seen.lock().unwrap();
        seen.iter()
            .map(|(p, q, h, b)| format!("{p}?{q}\n{h:?}\n{b}\n"))
            .collect()
    }

    pub fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    pub fn clear(&self) {
        self.seen.lock().unwrap().clear();
        self.at.lock().unwrap().clear();
    }
}

pub fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

pub fn hmac_b64(key: &[u8], message: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap();
    mac.update(message);
    STANDARD.encode(mac.finalize().into_bytes())
}

/// The vendor's check of a request at its clock `now` (s); `Err` is the vendor's answer to a
/// bad signature.
#[allow(clippy::result_large_err)] // a test's answer, made once per request
pub fn verify(
    kind: Kind,
    now: i64,
    query: &str,
    headers: &HeaderMap,
    body: &str,
) -> Result<(), Response> {
    let v: Value = serde_json::from_str(body).expect("a JSON body");
    match kind {
        // WeCom's image message: the image as base64, at most 2 MB, and its MD5 (hex).
        Kind::Wecom if v["msgtype"] == "image" => {
            let image = STANDARD
                .decode(v["image"]["base64"].as_str().unwrap())
                .expect("base64");
            assert!(image.len() <= 2 * 1024 * 1024, "{}", image.len());
            let md5: String = <md5::Md5 as md5::Digest>::digest(&image)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            match v["image"]["md5"] == md5.as_str() {
                true => Ok(()),
                false => Err(
                    axum::Json(json!({"errcode": 40009, "errmsg": "invalid image size"}))
                        .into_response(),
                ),
            }
        }
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
                (ts / 1000 - now).abs() < 3600,
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
            assert!((ts.parse::<i64>().unwrap() - now).abs() < 3600);
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
            if (now - ts_n).abs() > 5 * 60 {
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
            assert!(
                v["type"].as_str().unwrap().starts_with("case.")
                    || v["type"] == "digest"
                    || v["type"] == "report"
            );
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
    let n = {
        let mut seen = r.seen.lock().unwrap();
        seen.push((
            uri.path().to_owned(),
            query.clone(),
            headers.clone(),
            body.clone(),
        ));
        r.at.lock().unwrap().push(r.now_secs());
        seen.len()
    };
    if let Err(refused) = verify(r.kind, r.now_secs(), &query, &headers, &body) {
        return refused;
    }
    let scripted = r.script.lock().unwrap().pop_front();
    let mode = scripted.unwrap_or_else(|| *r.mode.lock().unwrap());
    let answer = answer(r.kind, mode, n);
    if matches!(mode, Mode::Ok | Mode::Flaky { .. }) && answer.status().is_success() {
        r.delivered.lock().unwrap().push(body);
        let slow = r.slow_ms.load(Ordering::SeqCst);
        tokio::time::sleep(std::time::Duration::from_millis(slow)).await;
    }
    answer
}

/// The answer of a robot of `kind` in `mode` to its `n`-th request.
fn answer(kind: Kind, mode: Mode, n: usize) -> Response {
    let ok = match kind {
        Kind::Feishu => json!({"code": 0, "msg": "success", "data": {}}),
        _ => json!({"errcode": 0, "errmsg": "ok"}),
    };
    match mode {
        Mode::Flaky { every, retry_after } if n.is_multiple_of(every) => too_many(retry_after),
        Mode::Ok | Mode::Flaky { .. } if kind == Kind::Webhook => {
            StatusCode::NO_CONTENT.into_response()
        }
        Mode::Ok | Mode::Flaky { .. } => axum::Json(ok).into_response(),
        Mode::RateLimited => limited(kind),
        Mode::TooMany(s) => too_many(s),
        Mode::Broken => (StatusCode::INTERNAL_SERVER_ERROR, "oops").into_response(),
        Mode::Moved => (
            StatusCode::FOUND,
            [("location", "http://127.0.0.1:9/elsewhere")],
        )
            .into_response(),
        Mode::Code(code) => {
            axum::Json(json!({"errcode": code, "errmsg": "invalid webhook url, hint: [1733]"}))
                .into_response()
        }
    }
}

fn too_many(retry_after: u64) -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        [("retry-after", retry_after.to_string())],
        "slow down",
    )
        .into_response()
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

/// A receiver of `kind` on a free loopback port, served on the current runtime.
pub async fn start(kind: Kind) -> (Receiver, std::net::SocketAddr) {
    let r = Receiver {
        kind,
        mode: Arc::new(Mutex::new(Mode::Ok)),
        script: Arc::default(),
        seen: Arc::default(),
        at: Arc::default(),
        ahead_s: Arc::default(),
        delivered: Arc::default(),
        slow_ms: Arc::default(),
    };
    let app = Router::new().fallback(receive).with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (r, addr)
}

/// The channel URL of a robot at `addr`: each carries its credential as the vendor's does.
pub fn url(kind: Kind, addr: std::net::SocketAddr) -> String {
    match kind {
        Kind::Wecom => format!("http://{addr}/cgi-bin/webhook/send?key=wecom-key-77"),
        Kind::Dingtalk => format!("http://{addr}/robot/send?access_token=ding-token"),
        Kind::Feishu => format!("http://{addr}/open-apis/bot/v2/hook/feishu-hook-55"),
        Kind::Webhook => format!("http://{addr}/hooks/nps"),
    }
}

/// The secrets and keys that must never be in a reason, a log or an API answer.
pub const NEVER: [&str; 6] = [
    "wecom-key-77",
    "ding-token",
    "feishu-hook-55",
    "SEC2b8f0a1c9d",
    "lark-4f9e2c",
    "MfKQ9r8",
];
