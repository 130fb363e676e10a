//! A promoter's referral, as pure rules: the code's shape (`looks_like_code`), whether a
//! friend's open counts (`open`), what the brand reports a referral brought (`Event::parse`,
//! `EventKind`), and the referral rate as the seed defines it (`referral_rate`).
//!
//! | open of a code                                         | `Open`    | counted |
//! |--------------------------------------------------------|-----------|---------|
//! | from the promoter's own device                         | `Own`     | 0       |
//! | from a device that opened it before                    | `Repeat`  | 0       |
//! | a new device on a network that opened it `NET_OPENS_PER_DAY` times today | `Capped` | 0 |
//! | otherwise (a new device)                               | `Counted` | 1       |
//!
//! A device is its first-party cookie (the collector's mark of a random value); a browser
//! without one is matched by its network and steady browser name (`steady_agent`). A link
//! preview or a crawler (`is_crawler`) is sent on, never counted.
//!
//! A booking on the collector's form (`form_booking`): a code takes `FORM_BOOKINGS_PER_DAY`
//! a day (then the friend is told, honestly, and nothing is stored); a store's thank-you
//! alerts stop at `STORE_THANKS_PER_DAY` a day (later bookings are stored and listed, and
//! the store gets one note for the rest of the day instead of an alert each).
//!
//! The referral rate (转介绍率): promoters whose code brought at least one purchase ÷
//! promoters (the seed: 150 promoters, 12 of whose friends bought: 8 %).
//!
//! Every event the brand's system reports carries its own `id` (a booking's, an order's):
//! the same id for a code and kind is one event, so a repeated report (a retry, or someone
//! posting the same purchase again) never counts twice.

use serde_json::Value;

use crate::contract::error::FieldError;
use crate::contract::time::Time;

/// A code's length: 18 bytes (12 random, 6 of their tag) in URL-safe base64, no padding.
pub const CODE_LEN: usize = 24;

/// The longest brand reference (`id`) an event may carry, in characters.
pub const MAX_REF: usize = 64;

/// Whether `s` has a code's shape (24 URL-safe base64 characters). A shape check only: the
/// collector verifies the tag before any read.
pub fn looks_like_code(s: &str) -> bool {
    s.len() == CODE_LEN
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// How a friend's open of a code is counted (the module doc's table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Open {
    Counted,
    Repeat,
    Own,
    /// A new device, but its network already opened the code `NET_OPENS_PER_DAY` times today.
    Capped,
}

/// The counted opens of one code from one network (an IPv4 /24, an IPv6 /64) in a day: more
/// is one person trying it, or one office passing it round.
pub const NET_OPENS_PER_DAY: u64 = 5;

/// The table: the promoter's own device first, then a device seen before, then the network's
/// day (`net_opens_today`: the counted opens of the code from its network today).
pub fn open(own_device: bool, seen_before: bool, net_opens_today: u64) -> Open {
    match (own_device, seen_before) {
        (true, _) => Open::Own,
        (false, true) => Open::Repeat,
        (false, false) if net_opens_today >= NET_OPENS_PER_DAY => Open::Capped,
        (false, false) => Open::Counted,
    }
}

/// The bookings one code may make on the collector's form in a day.
pub const FORM_BOOKINGS_PER_DAY: u64 = 3;
/// The thank-you alerts a store gets for form bookings in a day; later ones are one note.
pub const STORE_THANKS_PER_DAY: u64 = 20;

/// What becomes of a new form booking, given how many the code (`code_n`) and the store
/// (`store_n`) have made today, this one included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormBooking {
    /// Stored, with its thank-you alert.
    Alert,
    /// Stored and listed; the store's alert for the day's rest is one note (`held`).
    Held,
    /// The code's day is full: nothing stored, the friend is told to call the store.
    Full,
}

/// The form booking table (the module doc).
pub fn form_booking(code_n: u64, store_n: u64) -> FormBooking {
    match (
        code_n > FORM_BOOKINGS_PER_DAY,
        store_n > STORE_THANKS_PER_DAY,
    ) {
        (true, _) => FormBooking::Full,
        (false, true) => FormBooking::Held,
        (false, false) => FormBooking::Alert,
    }
}

/// A browser's name as a device mark may use it: the parts that change with the network or
/// the language (WeChat's `NetType/WIFI`, `NetType/4G`, `Language/zh_CN`) left out.
pub fn steady_agent(user_agent: &str) -> String {
    user_agent
        .split_whitespace()
        .filter(|part| {
            let name = part.split('/').next().unwrap_or_default();
            !name.eq_ignore_ascii_case("nettype") && !name.eq_ignore_ascii_case("language")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Link previews and crawlers known by name (lower case, matched anywhere).
const PREVIEWS: [&str; 14] = [
    "whatsapp",
    "telegrambot",
    "slackbot",
    "facebookexternalhit",
    "twitterbot",
    "discordbot",
    "linkedinbot",
    "skypeuripreview",
    "bingpreview",
    "spider",
    "crawler",
    "curl/",
    "wget/",
    "python-requests/",
];

/// Whether a `User-Agent` is a chat app's link preview or a crawler, by whole words: a
/// known preview's name, a product named `…bot/…` (`Googlebot/2.1`), a word `…Bot`
/// (`TelegramBot`), or the word `bot`, never a phone whose model has the letters (`CUBOT`).
pub fn is_crawler(user_agent: &str) -> bool {
    let lower = user_agent.to_ascii_lowercase();
    if PREVIEWS.iter().any(|p| lower.contains(p)) {
        return true;
    }
    let words = user_agent.split(|c: char| c.is_whitespace() || ";(),+".contains(c));
    words.filter(|w| !w.is_empty()).any(|word| {
        let (name, versioned) = match word.split_once('/') {
            Some((name, _)) => (name, true),
            None => (word, false),
        };
        let lname = name.to_ascii_lowercase();
        lname == "bot"
            || (versioned && lname.ends_with("bot"))
            || name.match_indices("Bot").any(|(i, _)| {
                let before = name[..i].chars().next_back();
                let after = name[i + 3..].chars().next();
                before.is_none_or(|c| c.is_ascii_lowercase())
                    && after.is_none_or(|c| !c.is_ascii_lowercase())
            })
    })
}

/// What a referral brought.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Booked,
    Purchased,
}

impl EventKind {
    pub const ALL: [EventKind; 2] = [EventKind::Booked, EventKind::Purchased];
    /// The accepted values of `type`, in `ALL`'s order (the stored names).
    pub const KEYS: [&'static str; 2] = ["booked", "purchased"];

    pub fn name(self) -> &'static str {
        EventKind::KEYS[self as usize]
    }

    /// A `type` value; the error names the field and the accepted values.
    pub fn parse(v: &Value) -> Result<EventKind, FieldError> {
        EventKind::ALL
            .into_iter()
            .find(|k| v.as_str() == Some(k.name()))
            .ok_or_else(|| FieldError::not_one_of("type", v, &EventKind::KEYS))
    }
}

/// An event as the brand's system reports it: `{"type", "id", "at"?}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub kind: EventKind,
    /// The brand's own id of what happened (a booking's, an order's): the same id twice is
    /// one event.
    pub reference: String,
    /// When it happened (ns); `None`: when it was reported.
    pub at_ns: Option<i64>,
}

impl Event {
    /// The body of `POST /api/referrals/{code}/events`; the first wrong field is named.
    pub fn parse(body: &Value) -> Result<Event, FieldError> {
        let Some(obj) = body.as_object() else {
            return Err(FieldError::invalid(
                "body",
                crate::contract::error::shown(body),
                "a JSON object with \"type\", \"id\" and optionally \"at\"",
            ));
        };
        const KNOWN: [&str; 3] = ["type", "id", "at"];
        if let Some(k) = obj.keys().find(|k| !KNOWN.contains(&k.as_str())) {
            return Err(FieldError::new(
                k.as_str(),
                crate::contract::error::ErrorKind::Unknown {
                    suggestion: None,
                    known: KNOWN.to_vec(),
                },
            ));
        }
        let kind = EventKind::parse(obj.get("type").unwrap_or(&Value::Null))?;
        let reference = match obj.get("id") {
            None | Some(Value::Null) => {
                return Err(FieldError::new(
                    "id",
                    crate::contract::error::ErrorKind::Missing {
                        hint: format!(
                            "the brand's own id of the {} (1 to {MAX_REF} characters): the \
                             same id twice is one event",
                            match kind {
                                EventKind::Booked => "booking",
                                EventKind::Purchased => "order",
                            }
                        ),
                    },
                ))
            }
            Some(Value::String(s))
                if !s.trim().is_empty()
                    && s.chars().count() <= MAX_REF
                    && !s.chars().any(char::is_control) =>
            {
                s.trim().to_owned()
            }
            Some(v) => {
                return Err(FieldError::invalid(
                    "id",
                    crate::contract::error::shown(v),
                    format!("a string of 1 to {MAX_REF} characters (the brand's own id)"),
                ))
            }
        };
        let at_ns = match obj.get("at") {
            None | Some(Value::Null) => None,
            Some(v) => {
                let t = v.as_str().and_then(Time::parse).ok_or_else(|| {
                    FieldError::invalid(
                        "at",
                        crate::contract::error::shown(v),
                        "an RFC 3339 time such as \"2026-11-28T15:04:05+08:00\"",
                    )
                })?;
                Some(i64::try_from(t.unix_ns()).unwrap_or(i64::MAX))
            }
        };
        Ok(Event {
            kind,
            reference,
            at_ns,
        })
    }
}

/// Whether a promoter counts in the referral rate's numerator: their code brought at least
/// one purchase (a friend who bought twice is one referral that worked).
pub fn brought_a_buyer(purchases: u64) -> bool {
    purchases > 0
}

/// The seed's referral rate (转介绍率): promoters whose code brought at least one purchase, of
/// promoters. `purchases` has one entry per promoter: how many purchases their code brought.
pub fn referral_rate(purchases: &[u64]) -> super::Rate {
    let num = purchases.iter().filter(|&&n| brought_a_buyer(n)).count() as u64;
    super::Rate::new(num, purchases.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_open_table() {
        let full = NET_OPENS_PER_DAY;
        for (own, seen, net, want) in [
            (true, false, 0, Open::Own),
            (true, true, 0, Open::Own),
            (true, false, full, Open::Own),
            (false, true, 0, Open::Repeat),
            (false, true, full, Open::Repeat),
            (false, false, 0, Open::Counted),
            (false, false, full - 1, Open::Counted),
            (false, false, full, Open::Capped),
        ] {
            assert_eq!(open(own, seen, net), want, "{own} {seen} {net}");
        }
    }

    #[test]
    fn the_form_booking_table() {
        let (code, store) = (FORM_BOOKINGS_PER_DAY, STORE_THANKS_PER_DAY);
        for (c, s, want) in [
            (1, 1, FormBooking::Alert),
            (code, store, FormBooking::Alert),
            (code, store + 1, FormBooking::Held),
            (code + 1, 1, FormBooking::Full),
            (code + 1, store + 1, FormBooking::Full),
        ] {
            assert_eq!(form_booking(c, s), want, "{c} {s}");
        }
    }

    #[test]
    fn a_wechat_browser_keeps_its_name_across_networks_and_languages() {
        let wifi = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN";
        let g4 = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0.47(0x18002f2c) NetType/4G Language/en";
        assert_eq!(steady_agent(wifi), steady_agent(g4));
        assert!(!steady_agent(wifi).contains("NetType"));
        assert!(steady_agent(wifi).contains("MicroMessenger/8.0.47"));
        assert_ne!(steady_agent(wifi), steady_agent("Mozilla/5.0 (Android)"));
    }

    #[test]
    fn crawlers_are_told_by_whole_words_and_phones_are_not_crawlers() {
        for ua in [
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 (compatible; bingbot/2.0)",
            "WhatsApp/2.23.20.0 A",
            "TelegramBot (like TwitterBot)",
            "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
            "facebookexternalhit/1.1",
            "Twitterbot/1.0",
            "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
            "Mozilla/5.0 (compatible; YandexBot/3.0)",
            "SomeBot",
            "a bot",
            "curl/8.0",
        ] {
            assert!(is_crawler(ua), "{ua}");
        }
        for ua in [
            "Mozilla/5.0 (Linux; Android 10; CUBOT P30) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36",
            "Mozilla/5.0 (Linux; Android 12; CUBOT_KINGKONG_7) AppleWebKit/537.36",
            "Mozilla/5.0 (Linux; Android 11; Cubot Note 20) AppleWebKit/537.36",
            "Mozilla/5.0 (iPhone) MicroMessenger/8.0 NetType/WIFI Language/zh_CN",
            "Mozilla/5.0 (Linux; Android 13; Bottle X1)",
        ] {
            assert!(!is_crawler(ua), "{ua}");
        }
    }

    #[test]
    fn a_code_has_one_shape() {
        assert!(looks_like_code("AAAAAAAAAAAAAAAAAAAAAA-_"));
        assert!(!looks_like_code("AAAAAAAAAAAAAAAAAAAAAAA"));
        assert!(!looks_like_code("AAAAAAAAAAAAAAAAAAAAAAAAA"));
        assert!(!looks_like_code("AAAAAAAAAAAAAAAAAAAAAA+/"));
        assert!(!looks_like_code("AAAAAAAAAAAAAAAAAAAAAA%2"));
        assert!(!looks_like_code("ＡAAAAAAAAAAAAAAAAAAAAA"));
    }

    #[test]
    fn the_seeds_referral_rate_is_eight_percent() {
        // 150 promoters, 12 of whose friends bought (one of them twice).
        let mut p = vec![0u64; 150];
        p[..12].fill(1);
        p[3] = 2;
        let rate = referral_rate(&p);
        assert_eq!((rate.num, rate.den), (12, 150));
        assert!((rate.share().unwrap() - 0.08).abs() < 1e-12);
        assert_eq!(referral_rate(&[]).share(), None);
    }

    #[test]
    fn an_event_names_the_wrong_field_and_the_accepted_values() {
        let e = Event::parse(&json!({"type": "booked", "id": "BK-1"})).unwrap();
        assert_eq!(e.kind, EventKind::Booked);
        assert_eq!((e.reference.as_str(), e.at_ns), ("BK-1", None));
        // Without its id an event could be posted again and again, each a new purchase.
        for kind in EventKind::KEYS {
            for body in [json!({"type": kind}), json!({"type": kind, "id": null})] {
                let err = Event::parse(&body).unwrap_err();
                assert_eq!(err.field, "id", "{body}");
                assert!(err.to_string().contains("own id"), "{err}");
            }
        }
        let e =
            Event::parse(&json!({"type": "purchased", "id": "SO-1", "at": "1970-01-01T00:00:01Z"}))
                .unwrap();
        assert_eq!(e.kind, EventKind::Purchased);
        assert_eq!(e.reference, "SO-1");
        assert_eq!(e.at_ns, Some(1_000_000_000));
        let err = Event::parse(&json!({"type": "sold"})).unwrap_err();
        assert_eq!(err.field, "type");
        assert_eq!(
            err.to_string(),
            "type is \"sold\": expected one of \"booked\", \"purchased\""
        );
        assert_eq!(Event::parse(&json!({})).unwrap_err().field, "type");
        assert_eq!(
            Event::parse(&json!({"type": "booked", "id": 7}))
                .unwrap_err()
                .field,
            "id"
        );
        let long = "x".repeat(MAX_REF + 1);
        assert_eq!(
            Event::parse(&json!({"type": "booked", "id": long}))
                .unwrap_err()
                .field,
            "id"
        );
        assert_eq!(
            Event::parse(&json!({"type": "booked", "id": "B", "at": "yesterday"}))
                .unwrap_err()
                .field,
            "at"
        );
        assert_eq!(
            Event::parse(&json!({"type": "booked", "id": "B", "phone": "1"}))
                .unwrap_err()
                .field,
            "phone"
        );
        assert_eq!(Event::parse(&json!([1])).unwrap_err().field, "body");
    }
}
