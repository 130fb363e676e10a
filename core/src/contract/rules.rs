//! The rules every part checks the same way: the limits and shapes of ids, context, comment,
//! reasons, page URL, phone input and score.
//!
//! One owner: `config`, `payload`, the flow, the UI counters, the collector's form handler,
//! the no-script form and the docs read these constants and predicates, so that whatever the
//! widget accepts the collector accepts too. No other file writes one of these limits as a
//! literal (a tidy test in the xtask keeps it so).

/// The payload schema this code writes and reads.
pub const SCHEMA: u32 = 1;
/// Longest id-like string: survey, reason ids, context keys.
pub const MAX_ID: usize = 64;
/// The longest range, in days, the collector's figures read at once (the funnel, the themes):
/// the dashboard asks them for at most the last this many days of a longer view.
pub const MAX_RANGE_DAYS: i64 = 400;
/// Most context keys one response carries: the fixed ones plus those from the query string.
pub const MAX_CONTEXT: usize = 20;
/// Longest context value, in characters.
pub const MAX_CONTEXT_VALUE: usize = 200;
/// Longest comment, in characters.
pub const MAX_COMMENT: usize = 1000;
/// Longest note on a case, in characters (the collector refuses more; the dashboard's form
/// stops there).
pub const MAX_NOTE: usize = 1000;
/// Most reasons one response (and one survey's list of chips) may carry.
pub const MAX_REASONS: usize = 20;
/// Longest page URL, in characters.
pub const MAX_PAGE: usize = 2048;
/// Longest phone number as typed, in characters.
pub const MAX_PHONE_INPUT: usize = 32;
/// Longest retention period a consent text may promise, in days.
pub const MAX_RETENTION_DAYS: u32 = 365;
/// Longest brand name, in characters.
pub const MAX_BRAND: usize = 60;
/// Longest CSS selector a `click` trigger takes.
pub const MAX_SELECTOR: usize = 200;
/// The most days a survey waits before asking again after an answer or a dismissal.
pub const MAX_THROTTLE_DAYS: u32 = 365;
/// The longest a kiosk shows an outcome before the next customer's survey, in seconds.
pub const MAX_KIOSK_RESET_S: u32 = 3600;
/// Longest locale tag in a payload, in characters.
pub const MAX_LOCALE: usize = 35;
/// Longest RFC 3339 time in a payload, in characters.
pub const MAX_TIME: usize = 40;
/// Length of a hyphenated UUID, the response id.
pub const ID_LEN: usize = 36;
/// The highest score; the lowest is 0.
pub const MAX_SCORE: u8 = 10;
/// An answer given faster than this after the survey showed (ms) is kept but not counted: a
/// person needs longer to read the question.
pub const MIN_FILL_MS: i64 = 1000;
/// The no-script form's hidden field that only a bot fills in (a honeypot).
pub const HONEYPOT_FIELD: &str = "website";
/// The most comments one read of `GET /api/comments` gives (`limit`), and how many when the
/// query does not say.
pub const MAX_COMMENTS_PAGE: usize = 200;
pub const COMMENTS_PAGE: usize = 50;
/// Batch scoring's segment ids are indexes into the caller's list of segments, below this.
pub const MAX_SEGMENTS: u32 = 65_536;
/// The context key of the visit a response is about (a repair order, a QR code's visit): asked
/// once per visit by the widget, answered once per visit at the collector.
pub const VISIT: &str = "visit";
/// The context key of a signed visit link's token (`t` in the landing URL), copied from the
/// query string with the visit so that the collector can check it.
pub const VISIT_TOKEN: &str = "t";
/// The context key of the last digits of the phone on a visit's order (a signed visit link's
/// `phone_tail`, from the brand's DMS): a detractor may ask to be called at that number
/// (`contact.on_file`) instead of typing one. Never a whole number.
pub const PHONE_TAIL: &str = "phone_tail";
/// How many digits `PHONE_TAIL` carries: exactly these, ASCII.
pub const PHONE_TAIL_DIGITS: usize = 4;
/// The context key of a re-survey link's case (a resolved case's id, a UUID): its answer is
/// kept, never counted, and recorded on the case.
pub const RECOVERY: &str = "recovery";
/// The payload key of a response's write key: a random secret the first post creates and every
/// later post of the response repeats, so that only whoever started a response can change it
/// (a collector keeps a hash of it, never the key; the export never shows it).
pub const WRITE_KEY: &str = "write_key";
/// Shortest write key accepted: 16 characters (the widget sends 32 hex digits, 122 random bits).
pub const MIN_WRITE_KEY: usize = 16;
/// Longest write key accepted.
pub const MAX_WRITE_KEY: usize = 64;
/// Largest request body a collector reads, in bytes: above the outbox's largest entry
/// (`outbox::MAX_ENTRY_BYTES`), so every body the widget keeps is one a collector reads.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// How long a weekly report's image link (sent to a chat robot) opens, in days: two weeks, so
/// last week's link still opens beside this week's.
pub const REPORT_LINK_DAYS: i64 = 14;

/// A phone tail: exactly `PHONE_TAIL_DIGITS` ASCII digits.
pub fn is_phone_tail(s: &str) -> bool {
    s.len() == PHONE_TAIL_DIGITS && s.bytes().all(|b| b.is_ascii_digit())
}

/// What `is_phone_tail` accepts, for error messages.
pub fn phone_tail_shape() -> String {
    format!("exactly {PHONE_TAIL_DIGITS} digits 0–9, the last digits of the phone on the order")
}

/// An id of 1–`MAX_ID` ASCII letters, digits, `-`, `_` or `.`.
pub fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_ID
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

/// A write key: `MIN_WRITE_KEY`–`MAX_WRITE_KEY` ASCII letters, digits, `-` or `_` (hex and
/// URL-safe base64 both fit).
pub fn is_write_key(s: &str) -> bool {
    (MIN_WRITE_KEY..=MAX_WRITE_KEY).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// What `is_write_key` accepts, in words.
pub fn write_key_shape() -> String {
    format!("{MIN_WRITE_KEY}–{MAX_WRITE_KEY} letters, digits, '-' or '_' (the widget sends 32 hex digits)")
}

/// What `is_id` accepts, in words.
pub fn id_shape() -> String {
    format!("1–{MAX_ID} letters, digits, '-', '_' or '.'")
}

/// A context value: at most `MAX_CONTEXT_VALUE` characters, none of them a control character.
pub fn is_context_value(s: &str) -> bool {
    s.chars().count() <= MAX_CONTEXT_VALUE && !s.chars().any(char::is_control)
}

/// A value from a query string made into a context value: trimmed, control characters
/// dropped, cut to `MAX_CONTEXT_VALUE` characters.
pub fn context_value(raw: &str) -> String {
    raw.trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_CONTEXT_VALUE)
        .collect()
}

/// The page URL a response carries: without its fragment, and with only the query keys
/// `keep` accepts (the context's: a WeChat OAuth `code`, `openid` or `state`, an ad click id,
/// anything else a page's URL carries, is not stored), cut to `MAX_PAGE` characters.
pub fn page_url(href: &str, keep: impl Fn(&str) -> bool) -> String {
    let no_fragment = href.split('#').next().unwrap_or_default();
    let (base, query) = no_fragment.split_once('?').unwrap_or((no_fragment, ""));
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.is_empty() && keep(pair.split('=').next().unwrap_or_default()))
        .collect();
    let mut out = base.to_owned();
    if !kept.is_empty() {
        out.push('?');
        out.push_str(&kept.join("&"));
    }
    out.chars().take(MAX_PAGE).collect()
}

/// The shape of a response id, for what the widget reads back from storage or a page: 36
/// hex digits and dashes. (`is_uuid_v4` is the full check every post gets; this one keeps
/// the UUID parser out of the wasm.)
pub fn looks_like_id(s: &str) -> bool {
    s.len() == ID_LEN && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

/// The shape of an RFC 3339 time, for what the widget reads back (`is_rfc3339` is the full
/// check every post gets).
pub fn looks_like_time(s: &str) -> bool {
    (20..=MAX_TIME).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b":.-+".contains(&b))
}

/// A comment as the flow keeps it: cut to `MAX_COMMENT` characters.
pub fn comment(text: &str) -> String {
    text.chars().take(MAX_COMMENT).collect()
}

/// A phone number as the flow keeps it while typed: cut to `MAX_PHONE_INPUT` characters.
pub fn phone_input(text: &str) -> String {
    text.chars().take(MAX_PHONE_INPUT).collect()
}

/// A header name a page may set on a post: an HTTP token that the browser does not forbid
/// (`Cookie`, `Host`, `Origin`, `Proxy-*`, `Sec-*`, …) and that the widget does not set
/// itself (`Content-Type`).
pub fn is_header_name(s: &str) -> bool {
    const FORBIDDEN: &[&str] = &[
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "content-length",
        "content-type",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    ];
    let lower = s.to_ascii_lowercase();
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
        && !FORBIDDEN.contains(&lower.as_str())
        && !lower.starts_with("proxy-")
        && !lower.starts_with("sec-")
}

/// A header value the browser can send: Latin-1 characters (tab, printable ASCII and
/// U+0080–U+00FF) without line breaks; anything else makes `fetch` throw, every time.
pub fn is_header_value(s: &str) -> bool {
    s.chars()
        .all(|c| c == '\t' || (' '..='~').contains(&c) || ('\u{80}'..='\u{ff}').contains(&c))
}

/// A hyphenated UUID of version 4 (RFC 4122 variant), lowercase or uppercase: a response id.
pub fn is_uuid_v4(s: &str) -> bool {
    s.len() == ID_LEN
        && uuid::Uuid::try_parse(s)
            .is_ok_and(|u| u.get_version_num() == 4 && u.get_variant() == uuid::Variant::RFC4122)
}

/// A payload time: RFC 3339 (`YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, a day that exists,
/// no leap second) of at most `MAX_TIME` characters. The parser is `time::Time::parse`.
pub fn is_rfc3339(s: &str) -> bool {
    s.len() <= MAX_TIME && crate::contract::time::Time::parse(s).is_some()
}

/// An email address's length at most (RFC 5321's path limit).
pub const MAX_EMAIL: usize = 254;

/// An email address as far as a file can tell (an org file's store `owner`): one `@`,
/// something before it, a dot inside the domain, no spaces, at most `MAX_EMAIL` bytes.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    s.len() <= MAX_EMAIL
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// The widget's pinned files (`cargo xtask dist`): `{stem}-{version}-{hash}.{ext}`, `hash` the
/// first `PINNED_HASH` hex digits of the file's SHA-384, so a name always means the same
/// bytes. A collector serving `dist/` lets browsers keep them for ever.
pub const PINNED_HASH: usize = 10;

/// The stems of the pinned files: the loader and the wasm, and the glue.
pub const PINNED_STEMS: [&str; 2] = ["nps-widget", "nps-widget-glue"];

/// A pinned file's name.
pub fn pinned_name(stem: &str, version: &str, hash: &str, ext: &str) -> String {
    format!(
        "{stem}-{version}-{}.{ext}",
        &hash[..PINNED_HASH.min(hash.len())]
    )
}

/// Whether a file name is a pinned file's: `nps-widget…-1.2.3-0123456789.js` (or `.wasm`).
pub fn is_pinned_name(name: &str) -> bool {
    let Some(base) = name
        .strip_suffix(".js")
        .or_else(|| name.strip_suffix(".wasm"))
    else {
        return false;
    };
    let mut parts = base.rsplitn(3, '-');
    let (Some(hash), Some(version), Some(stem)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let semver = version.split('.').count() == 3
        && version
            .split('.')
            .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    PINNED_STEMS.contains(&stem)
        && semver
        && hash.len() == PINNED_HASH
        && hash
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        let check = |s: &str, want: bool| assert_eq!(is_id(s), want, "{s:?}");
        check("after-sales", true);
        check("RO-88231_a.b", true);
        check(&"a".repeat(MAX_ID), true);
        check(&"a".repeat(MAX_ID + 1), false);
        check("", false);
        check("a b", false);
        check("<b>", false);
        check("门店", false);
        assert_eq!(id_shape(), "1–64 letters, digits, '-', '_' or '.'");
    }

    #[test]
    fn context_values() {
        let check = |s: &str, want: bool| assert_eq!(is_context_value(s), want, "{s:?}");
        check("SZ-FT", true);
        check("", true);
        check(&"字".repeat(MAX_CONTEXT_VALUE), true);
        check(&"字".repeat(MAX_CONTEXT_VALUE + 1), false);
        check("a\u{0}b", false);
        check("a\nb", false);
        let clean = |raw: &str, want: &str| assert_eq!(context_value(raw), want, "{raw:?}");
        clean("  wang ", "wang");
        clean("a\u{0}b\tc", "abc");
        clean(&"x".repeat(500), &"x".repeat(MAX_CONTEXT_VALUE));
        for raw in ["\u{1}\u{2}", " 门店 ", &"é".repeat(999)] {
            assert!(is_context_value(&context_value(raw)), "{raw:?}");
        }
    }

    #[test]
    fn pages_comments_phones_scores() {
        let keep = |k: &str| k == "store" || k == VISIT;
        assert_eq!(
            page_url("https://x.example/qr?store=A#top", keep),
            "https://x.example/qr?store=A"
        );
        assert_eq!(
            page_url(
                "https://x.example/h5?code=0a1&store=A&openid=o7&visit=RO-1&state=s",
                keep
            ),
            "https://x.example/h5?store=A&visit=RO-1"
        );
        assert_eq!(
            page_url("https://x.example/h5?code=0a1", keep),
            "https://x.example/h5"
        );
        assert_eq!(
            page_url("/p?st%6Fre=A", keep),
            "/p",
            "an encoded key is not a kept one"
        );
        assert_eq!(page_url(&"a".repeat(5000), keep).len(), MAX_PAGE);
        assert_eq!(comment(&"字".repeat(1200)).chars().count(), MAX_COMMENT);
        assert_eq!(phone_input(&"1".repeat(40)).len(), MAX_PHONE_INPUT);
    }

    #[test]
    fn a_phone_tail_is_four_ascii_digits() {
        for (s, want) in [
            ("3788", true),
            ("0000", true),
            ("378", false),
            ("37880", false),
            ("37a8", false),
            ("３７８８", false),
            (" 378", false),
            ("", false),
        ] {
            assert_eq!(is_phone_tail(s), want, "{s:?}");
        }
        assert!(phone_tail_shape().contains("exactly 4 digits"));
    }

    #[test]
    fn response_ids() {
        assert!(is_uuid_v4("0b6c2a8e-5d1f-4c3b-9a7e-2f4d6b8c0e1a"));
        assert!(is_uuid_v4("0B6C2A8E-5D1F-4C3B-9A7E-2F4D6B8C0E1A"));
        assert!(!is_uuid_v4("0b6c2a8e-5d1f-1c3b-9a7e-2f4d6b8c0e1a")); // version 1
        assert!(!is_uuid_v4("0b6c2a8e5d1f4c3b9a7e2f4d6b8c0e1a")); // not hyphenated
        assert!(!is_uuid_v4("not-a-uuid"));
    }

    #[test]
    fn a_payload_time_is_an_rfc3339_time_of_at_most_max_time() {
        assert!(is_rfc3339("2026-11-23T08:30:00.123456789+08:00"));
        assert!(!is_rfc3339("2026-11-23T08:30:00Z "));
        assert!(!is_rfc3339(&format!(
            "2026-11-23T08:30:00.{}Z",
            "1".repeat(30)
        )));
    }

    #[test]
    fn headers_the_browser_can_send() {
        for ok in ["X-Api-Key", "Authorization", "x_custom"] {
            assert!(is_header_name(ok), "{ok}");
        }
        for no in [
            "",
            "X Key",
            "Cookie",
            "content-type",
            "Sec-Fetch-Mode",
            "Proxy-Auth",
            "Host",
            "键",
        ] {
            assert!(!is_header_name(no), "{no}");
        }
        for ok in ["abc 123", "Bearer x.y-z", "caf\u{e9}", "a\tb"] {
            assert!(is_header_value(ok), "{ok:?}");
        }
        for no in ["门店", "a\r\nb", "😀", "\u{100}"] {
            assert!(!is_header_value(no), "{no:?}");
        }
    }

    #[test]
    fn pinned_names() {
        let name = pinned_name("nps-widget-glue", "0.1.0", "3f2932a104beef", "js");
        assert_eq!(name, "nps-widget-glue-0.1.0-3f2932a104.js");
        for ok in [
            name.as_str(),
            "nps-widget-0.1.0-c652d0e9a5.wasm",
            "nps-widget-12.0.3-0123456789.js",
        ] {
            assert!(is_pinned_name(ok), "{ok}");
        }
        for no in [
            "nps-widget.js",
            "nps-widget_bg.wasm",
            "nps-widget-0.1.0-c652d0e9a.wasm",
            "nps-widget-0.1-c652d0e9a5.wasm",
            "nps-widget-0.1.0-C652D0E9A5.wasm",
            "nps-widget-0.1.0-c652d0e9a5.css",
            "nps-dashboard-0.1.0-c652d0e9a5.js",
            "nps-widget-0.1.0-c652d0e9a5.js.br",
            "nps-widget-evil-0.1.0-c652d0e9a5.js",
            "nps-widget%2Fx-0.1.0-c652d0e9a5.js",
        ] {
            assert!(!is_pinned_name(no), "{no}");
        }
    }
}
