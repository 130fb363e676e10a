//! The four robots' requests, pure: `request` lays a message out in its robot's shape and
//! signs it, from the channel, the job's id and the time given; nothing here sends or reads a
//! clock. Their answers are `alerts::answer`.
//!
//! | kind       | where                               | body                                          | signature                                                                                  |
//! |------------|-------------------------------------|-----------------------------------------------|--------------------------------------------------------------------------------------------|
//! | `wecom`    | the URL (its `key` the credential)  | `msgtype: markdown`, `markdown.content`       | none                                                                                       |
//! | `dingtalk` | the URL `&timestamp={ms}&sign={…}`  | `msgtype: markdown`, `markdown.{title,text}`, `at.isAtAll` | urlencode(base64(HMAC-SHA256(key = secret, `{ms}\n{secret}`)))                    |
//! | `feishu`   | the URL                             | `timestamp`, `sign`, `msg_type: interactive`, `card` | base64(HMAC-SHA256(key = `{s}\n{secret}`, empty message)), `{s}` in seconds        |
//! | `webhook`  | the URL                             | `{"type", "timestamp", "data"}`               | `webhook-signature: v1,{base64(HMAC-SHA256(key = base64 after whsec_, `{id}.{s}.{body}`))}` |
//!
//! A weekly report goes to WeCom as an `image` message (`image.base64`, `image.md5` of the PNG,
//! WeCom's documented shape, at most 2 MB), to DingTalk as markdown with the image from its
//! signed link, to Feishu as the card with its button on that link, to a webhook with `image`.
//!
//! A chat robot's text is at most `MAX_TEXT_BYTES`: the longest values (a long comment first)
//! are cut on a character boundary with `…`. Loud alerts (a call-back, a breach) call everyone
//! in DingTalk (`isAtAll`), show red in Feishu and orange (`warning`) in WeCom.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use nps_core::words::Locale;
use serde_json::{json, Value};
use sha2::Sha256;

use super::channel_file::WEBHOOK_SECRET_PREFIX;
use super::config::{Channel, Hidden, Kind};
use super::message::{code_words, customer_words, AlertKind, Message, PHONE_DIGITS};
use super::text::{words, Words};

/// The most bytes of a chat robot's text: WeCom's documented markdown limit, kept for all
/// three (DingTalk's and Feishu's are larger).
pub const MAX_TEXT_BYTES: usize = 4096;

/// One HTTP POST of JSON, ready to go. Its `Debug` hides the URL's path and query.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub url: Hidden,
    /// Besides `content-type: application/json`.
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

/// The request that tells `message` to `channel`, as job `job_id` at `now_ms` (ms since the
/// epoch). A channel that needs a secret and has none (not possible after `alerts::file`)
/// is sent unsigned, and the robot refuses it.
pub fn request(channel: &Channel, message: &Message, job_id: &str, now_ms: i64) -> Request {
    let secret = channel
        .secret
        .as_ref()
        .map(Hidden::expose)
        .unwrap_or_default();
    let w = words(message, channel.locale);
    let loud = message.kind().loud();
    let link = message.link();
    let weekly = match message {
        Message::Report(r) => Some(r.as_ref()),
        _ => None,
    };
    let (url, headers, body) = match channel.kind {
        // A weekly report to WeCom: the image itself (its `image` message: base64 and MD5).
        Kind::Wecom if weekly.is_some_and(|r| r.png.is_some()) => {
            let png = weekly.and_then(|r| r.png.as_deref()).expect("checked");
            let md5: String = <md5::Md5 as md5::Digest>::digest(png)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let body =
                json!({"msgtype": "image", "image": {"base64": STANDARD.encode(png), "md5": md5}});
            (channel.url.clone(), vec![], body.to_string())
        }
        Kind::Wecom => {
            let text = fitted(&w, |w| wecom_text(w, channel.locale, loud, link));
            let body = json!({"msgtype": "markdown", "markdown": {"content": text}});
            (channel.url.clone(), vec![], body.to_string())
        }
        Kind::Dingtalk => {
            let text = fitted(&w, |w| dingtalk_text(w, channel.locale, link));
            // A weekly report shows its image in the markdown, from its signed link.
            let text = match weekly {
                Some(_) => format!("{text}\n\n![{}]({link})", w.title),
                None => text,
            };
            let body = json!({
                "msgtype": "markdown",
                "markdown": {"title": w.title, "text": text},
                "at": {"isAtAll": loud},
            });
            let sign = sign_b64(secret.as_bytes(), format!("{now_ms}\n{secret}").as_bytes());
            let base = channel.url.expose();
            let joint = if base.contains('?') { '&' } else { '?' };
            let sign: String = form_urlencoded::byte_serialize(sign.as_bytes()).collect();
            let url = format!("{base}{joint}timestamp={now_ms}&sign={sign}");
            (Hidden::new(url), vec![], body.to_string())
        }
        Kind::Feishu => {
            let seconds = now_ms.div_euclid(1000);
            let sign = sign_b64(format!("{seconds}\n{secret}").as_bytes(), b"");
            let text = fitted(&w, |w| lines_markdown(w, channel.locale, "\n"));
            let template = match message.kind() {
                k if k.loud() => "red",
                AlertKind::Reminder => "orange",
                _ => "blue",
            };
            let body = json!({
                "timestamp": seconds.to_string(),
                "sign": sign,
                "msg_type": "interactive",
                "card": {
                    "header": {"title": {"tag": "plain_text", "content": w.title}, "template": template},
                    "elements": [
                        {"tag": "markdown", "content": text},
                        {"tag": "action", "actions": [{
                            "tag": "button",
                            "text": {"tag": "plain_text", "content": w.link_label},
                            "type": if loud { "danger" } else { "primary" },
                            "url": link,
                        }]},
                    ],
                },
            });
            (channel.url.clone(), vec![], body.to_string())
        }
        Kind::Webhook => {
            let seconds = now_ms.div_euclid(1000);
            let body = webhook_body(message, &w, channel.locale, now_ms).to_string();
            let key = secret
                .strip_prefix(WEBHOOK_SECRET_PREFIX)
                .and_then(|b| STANDARD.decode(b).ok())
                .unwrap_or_default();
            let signed = format!("{job_id}.{seconds}.{body}");
            let headers = vec![
                ("webhook-id", job_id.to_owned()),
                ("webhook-timestamp", seconds.to_string()),
                (
                    "webhook-signature",
                    format!("v1,{}", sign_b64(&key, signed.as_bytes())),
                ),
            ];
            (channel.url.clone(), headers, body)
        }
    };
    Request { url, headers, body }
}

/// A report's reasons for a webhook: `[id, count]`, the id as given (ids are letters, digits,
/// `-`, `_` and `.`), but masked as a customer's words when it holds a phone's worth of digits.
fn reason_counts(list: &[(String, u64)]) -> Vec<Value> {
    let phone_like = |r: &str| r.chars().filter(char::is_ascii_digit).count() >= PHONE_DIGITS;
    list.iter()
        .map(|(r, n)| match phone_like(r) {
            true => json!([customer_words(r), n]),
            false => json!([r, n]),
        })
        .collect()
}

/// base64(HMAC-SHA256(key, message)).
fn sign_b64(key: &[u8], message: &[u8]) -> String {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(message);
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Between a label and its value.
fn colon(locale: Locale) -> &'static str {
    match locale {
        Locale::En => ": ",
        _ => "：",
    }
}

/// The labelled lines as markdown, `**label**：value`, joined by `sep`.
fn lines_markdown(w: &Words, locale: Locale, sep: &str) -> String {
    let lines: Vec<String> = w
        .lines
        .iter()
        .map(|(label, value)| format!("**{label}**{}{value}", colon(locale)))
        .collect();
    lines.join(sep)
}

fn wecom_text(w: &Words, locale: Locale, loud: bool, link: &str) -> String {
    let title = match loud {
        true => format!("<font color=\"warning\">**{}**</font>", w.title),
        false => format!("**{}**", w.title),
    };
    let lines: Vec<String> = w
        .lines
        .iter()
        .map(|(label, value)| {
            format!(
                "> {label}{}<font color=\"comment\">{value}</font>",
                colon(locale)
            )
        })
        .collect();
    format!("{title}\n{}\n[{}]({link})", lines.join("\n"), w.link_label)
}

fn dingtalk_text(w: &Words, locale: Locale, link: &str) -> String {
    format!(
        "### {}\n\n{}\n\n[{}]({link})",
        w.title,
        lines_markdown(w, locale, "\n\n"),
        w.link_label
    )
}

/// `render(w)` within `MAX_TEXT_BYTES`: the longest value cut (on a char boundary, with
/// `…`) by what is over, again while it is over; at the end the text itself is cut.
fn fitted(w: &Words, render: impl Fn(&Words) -> String) -> String {
    let mut w = w.clone();
    for _ in 0..=w.lines.len() {
        let text = render(&w);
        let over = text.len().saturating_sub(MAX_TEXT_BYTES);
        if over == 0 {
            return text;
        }
        let Some(longest) = w.lines.iter_mut().max_by_key(|(_, v)| v.len()) else {
            break;
        };
        let keep = longest.1.len().saturating_sub(over + '…'.len_utf8());
        longest.1 = format!("{}…", cut(&longest.1, keep));
    }
    cut(&render(&w), MAX_TEXT_BYTES).to_owned()
}

/// The longest prefix of `s` of at most `bytes` bytes that ends on a char boundary.
pub fn cut(s: &str, bytes: usize) -> &str {
    let mut end = bytes.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// A generic webhook's body: `type`, `timestamp` (RFC 3339) and `data` (the fields, the
/// customer's words masked, plus the message in words as `title` and `text`).
fn webhook_body(message: &Message, w: &Words, locale: Locale, now_ms: i64) -> Value {
    let now = time::OffsetDateTime::from_unix_timestamp(now_ms.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let text = lines_markdown(w, locale, "\n");
    let data = match message {
        Message::Alert(a) => json!({
            "case_id": a.case_id,
            "survey": a.survey,
            "score": a.score,
            "category": a.category.as_str(),
            "reasons": a.reasons.iter().map(|r| customer_words(r)).collect::<Vec<_>>(),
            "comment": a.comment.as_deref().map(customer_words),
            "store": a.store.as_ref().map(|s| json!({"id": code_words(&s.id), "name": code_words(&s.name)})),
            "advisor": a.advisor.as_deref().map(code_words),
            "visit": a.visit.as_deref().map(code_words),
            "callback": a.callback,
            "deadline": a.deadline_rfc3339(),
            "hours_left": a.hours_left,
            "link": a.link,
            "title": w.title,
            "text": text,
        }),
        Message::Referral(r) => json!({
            "event": r.event.name(),
            "survey": r.survey,
            "promoter": r.promoter.as_deref().map(customer_words),
            "store": r.store.as_ref().map(|s| json!({"id": code_words(&s.id), "name": code_words(&s.name)})),
            "advisor": r.advisor.as_deref().map(code_words),
            "visit": r.visit.as_deref().map(code_words),
            "link": r.link,
            "title": w.title,
            "text": text,
        }),
        Message::Report(r) => {
            let rep = &r.report;
            let (this, last) = (rep.this_nps(), rep.last_nps());
            json!({
                "place": rep.place,
                "scope": crate::report::words::scope(rep, locale),
                "first_day": rep.first_day,
                "last_day": rep.last_day,
                "n": rep.this_tally().n(),
                "nps": this.map(|n| n.score),
                "ci95": this.map(|n| [n.ci95.0, n.ci95.1]),
                "last_n": rep.last_tally().n(),
                "last_nps": last.map(|n| n.score),
                "target": rep.target,
                "praised": reason_counts(&rep.praised),
                "complained": reason_counts(&rep.complained),
                "open": rep.open,
                "overdue": rep.overdue,
                "invited": rep.invited,
                "answered": rep.answered,
                "image": r.image_link,
                "title": w.title,
                "text": text,
            })
        }
        Message::Digest(d) => json!({
            "scope": d.scope,
            "day": d.day,
            "n": d.n,
            "nps": d.nps,
            "ci95": d.ci95.map(|(lo, hi)| [lo, hi]),
            "new_detractors": d.new_detractors,
            "open": d.open,
            "overdue": d.overdue,
            "link": d.link,
            "title": w.title,
            "text": text,
        }),
    };
    json!({"type": message.kind().event_type(), "timestamp": now, "data": data})
}
