//! What a robot's answer means for the job (`read`, `outcome`), pure: the HTTP status, the
//! `Retry-After` seconds and the body in, a `cases::delivery::Outcome` and a short reason out.
//! The chat robots answer 200 for most failures and say it inside (`errcode`, `code`):
//!
//! | answer                                                     | outcome                      |
//! |------------------------------------------------------------|------------------------------|
//! | 2xx, and for a robot its code 0                            | `Sent`                       |
//! | 429, 408, 5xx                                              | `Failed` (its `Retry-After`) |
//! | a robot's rate-limit or busy code: WeCom 45009, DingTalk 130101 / 410100, Feishu 9499 / 11232, any -1 | `Failed` |
//! | a 2xx robot answer that is not JSON with its code          | `Failed`                     |
//! | a redirect (redirects are not followed: the URL moved)     | `Refused`                    |
//! | any other 4xx; a robot's other code (WeCom 93000 bad URL, DingTalk 310000 sign / keyword / IP, 300001 / 400101 bad token, 400102 robot off, Feishu 19021 sign, 19022 IP, 19024 keyword) | `Refused` |
//!
//! A refused job is dead at once and shown to admins with the reason; another try would be
//! refused the same way until someone fixes the channel. A failed one is tried again later
//! (`cases::delivery::decide`).

use nps_core::cases::delivery::Outcome;
use serde_json::Value;

use super::config::Kind;
use super::robot::cut;

/// The most bytes of a robot's own message kept in a reason.
pub const MAX_REASON_MESSAGE: usize = 120;

/// The codes that say "again later": too fast, or busy.
fn again_later(kind: Kind, code: i64) -> bool {
    code == -1
        || match kind {
            Kind::Wecom => code == 45009,
            Kind::Dingtalk => matches!(code, 130101 | 410100),
            Kind::Feishu => matches!(code, 9499 | 11232),
            Kind::Webhook => false,
        }
}

/// The outcome of an answer (`read` without its reason).
pub fn outcome(kind: Kind, status: u16, retry_after: Option<u64>, body: &str) -> Outcome {
    read(kind, status, retry_after, body).0
}

/// The outcome of an answer and, unless sent, why: `http 500`, `errcode 93000: invalid
/// webhook url` (the robot's own message, cut to `MAX_REASON_MESSAGE` bytes). A generic
/// webhook's body is never in the reason.
pub fn read(
    kind: Kind,
    status: u16,
    retry_after: Option<u64>,
    body: &str,
) -> (Outcome, Option<String>) {
    let failed = Outcome::Failed { retry_after };
    let code = (kind != Kind::Webhook)
        .then(|| robot_code(kind, body))
        .flatten();
    match status {
        429 | 408 | 500..=599 => (failed, Some(format!("http {status}"))),
        300..=399 => (
            Outcome::Refused,
            Some(format!(
                "http {status}: a redirect (the url moved; redirects are not followed)"
            )),
        ),
        200..=299 if kind == Kind::Webhook => (Outcome::Sent, None),
        200..=299 => match code {
            Some((0, _)) => (Outcome::Sent, None),
            Some((c, msg)) if again_later(kind, c) => (failed, Some(said(c, &msg))),
            Some((c, msg)) => (Outcome::Refused, Some(said(c, &msg))),
            None => (
                failed,
                Some(format!(
                    "http {status}: an answer without its code (not the robot?)"
                )),
            ),
        },
        _ => match code {
            Some((c, msg)) if again_later(kind, c) => (failed, Some(said(c, &msg))),
            Some((c, msg)) if c != 0 => (
                Outcome::Refused,
                Some(format!("http {status}, {}", said(c, &msg))),
            ),
            _ => (Outcome::Refused, Some(format!("http {status}"))),
        },
    }
}

fn said(code: i64, message: &str) -> String {
    let message = message.trim();
    match message.is_empty() {
        true => format!("errcode {code}"),
        false => format!("errcode {code}: {}", cut(message, MAX_REASON_MESSAGE)),
    }
}

/// A robot's code and message: WeCom's and DingTalk's `errcode` / `errmsg`, Feishu's `code` /
/// `msg` (or its older `StatusCode` / `StatusMessage`).
fn robot_code(kind: Kind, body: &str) -> Option<(i64, String)> {
    let v: Value = serde_json::from_str(body).ok()?;
    let pairs: &[(&str, &str)] = match kind {
        Kind::Feishu => &[("code", "msg"), ("StatusCode", "StatusMessage")],
        _ => &[("errcode", "errmsg")],
    };
    pairs.iter().find_map(|(code, msg)| {
        let c = v.get(code)?.as_i64()?;
        let m = v.get(msg).and_then(Value::as_str).unwrap_or_default();
        Some((c, m.to_owned()))
    })
}
