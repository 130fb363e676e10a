//! The one place an alert leaves the collector: `Sender::send` posts `robot::request`'s
//! request over reqwest (rustls, a 10 s timeout, redirects not followed) and reads the answer
//! with `answer::read`. The reason it gives back never holds the URL's path or query, the
//! secret or the body: reqwest's own errors (which carry the URL) are replaced by fixed words
//! with the URL's origin, and a robot's message is scrubbed of the channel's URL and secret.

use std::time::Duration;

use nps_core::cases::delivery::Outcome;

use super::config::Channel;
use super::message::Message;
use super::{answer, robot};

/// How long a robot has to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// The most bytes of an answer read.
pub const MAX_ANSWER_BYTES: usize = 16 * 1024;

/// An HTTP client for the robots, shared by every send.
#[derive(Clone, Debug)]
pub struct Sender {
    client: reqwest::Client,
}

impl Sender {
    pub fn new() -> Sender {
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("nps-collector/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the HTTP client builds (rustls)");
        Sender { client }
    }

    /// Sends `message` to `channel` as job `job_id` at `now_ms` (ms since the epoch): the
    /// outcome, and unless sent, why.
    pub async fn send(
        &self,
        channel: &Channel,
        message: &Message,
        job_id: &str,
        now_ms: i64,
    ) -> (Outcome, Option<String>) {
        let req = robot::request(channel, message, job_id, now_ms);
        let mut post = self
            .client
            .post(req.url.expose())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(req.body);
        for (name, value) in &req.headers {
            post = post.header(*name, value);
        }
        let failed = |why: &str| {
            let reason = format!("{why} ({})", channel.url.shown());
            (Outcome::Failed { retry_after: None }, Some(reason))
        };
        let response = match post.send().await {
            Ok(r) => r,
            Err(e) if e.is_timeout() => {
                return failed(&format!("no answer in {} s", TIMEOUT.as_secs()))
            }
            Err(e) if e.is_connect() => return failed("cannot connect"),
            Err(_) => return failed("the request failed"),
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| retry_after_secs(v, now_ms));
        let body = match read_capped(response).await {
            Ok(b) => b,
            Err(_) if (200..300).contains(&status) => return failed("the answer broke off"),
            Err(_) => String::new(),
        };
        let (outcome, reason) = answer::read(channel.kind, status, retry_after, &body);
        (outcome, reason.map(|r| scrub(&r, channel)))
    }
}

impl Default for Sender {
    fn default() -> Sender {
        Sender::new()
    }
}

/// At most `MAX_ANSWER_BYTES` of the answer's body, as text.
async fn read_capped(mut response: reqwest::Response) -> Result<String, reqwest::Error> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() >= MAX_ANSWER_BYTES {
            bytes.truncate(MAX_ANSWER_BYTES);
            break;
        }
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// `Retry-After` in seconds: a number of seconds, or an HTTP date (then the seconds from
/// `now_ms`, at least 0).
pub fn retry_after_secs(value: &str, now_ms: i64) -> Option<u64> {
    let value = value.trim();
    if let Ok(s) = value.parse::<u64>() {
        return Some(s);
    }
    let date = time::format_description::well_known::Rfc2822;
    let at = time::OffsetDateTime::parse(value, &date).ok()?;
    let secs = at.unix_timestamp() - now_ms.div_euclid(1000);
    Some(secs.max(0) as u64)
}

/// A reason without the channel's URL (whole, path or query) or secret.
fn scrub(reason: &str, channel: &Channel) -> String {
    let url = channel.url.expose();
    let mut parts: Vec<String> = vec![url.to_owned()];
    parts.extend(channel.secret.as_ref().map(|s| s.expose().to_owned()));
    if let Ok(u) = url::Url::parse(url) {
        parts.extend([
            u.path().to_owned(),
            u.query().unwrap_or_default().to_owned(),
        ]);
    }
    parts
        .iter()
        .filter(|p| !p.is_empty() && p.as_str() != "/")
        .fold(reason.to_owned(), |out, p| out.replace(p.as_str(), "…"))
}
