//! What an alert says, as plain data: `Alert` (a case opened, a call-back asked, a reminder,
//! a breach), `Digest` (a scope's yesterday), `Thanks` (a friend a promoter brought) and
//! `Weekly` (a place's week, with its image), together `Message`. The robots
//! (`alerts::robot`) put it in their shapes and `alerts::text` in words. There is no phone
//! field anywhere here, and the customer's own words (comment, reasons) are `customer_words`
//! before they reach a robot: a phone number typed in a comment shows masked (`138****3788`),
//! in any script's numerals too (`一三八〇〇一三…`, `壹叁捌…`: `MASKED_NUMERALS` or more
//! in a run are stars), and the characters that make markdown links, headings or HTML show as
//! harmless lookalikes.

use nps_core::scoring::score::Category;

/// What an alert is about (the core's: the store writes it, the routing and words read it).
pub use nps_core::cases::opening::AlertKind;

/// A code with the name people know it by (a store: `SZ-FT`, `深圳福田店`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    pub id: String,
    pub name: String,
}

/// One case's alert: what the group reads. No phone: who calls the customer opens the case.
#[derive(Clone, Debug, PartialEq)]
pub struct Alert {
    /// `Opened`, `Callback`, `Reminder` or `Breach` (a `Digest` is a `Digest`).
    pub kind: AlertKind,
    pub case_id: String,
    pub survey: String,
    pub score: u8,
    pub category: Category,
    pub reasons: Vec<String>,
    pub comment: Option<String>,
    pub store: Option<Named>,
    /// The advisor's name (or code, when the org names none).
    pub advisor: Option<String>,
    pub visit: Option<String>,
    /// The customer asked for a call-back (a phone with consent, or the order's number).
    pub callback: bool,
    /// When the promise ends, ns since the epoch.
    pub deadline_ns: i64,
    /// The offset the deadline is shown in, minutes east of UTC (the `[digest]` offset).
    pub utc_offset_minutes: i32,
    /// Whole hours left at the time of the alert (negative: overdue), `cases::hours_left`.
    pub hours_left: i64,
    /// The case in the dashboard.
    pub link: String,
}

/// A scope's day, for the daily digest; the numbers come computed.
#[derive(Clone, Debug, PartialEq)]
pub struct Digest {
    /// The scope's name: a store's, a region's, or the brand's.
    pub scope: String,
    /// The day it reports on, `YYYY-MM-DD` (local).
    pub day: String,
    /// Answers that day.
    pub n: u32,
    /// That day's NPS and its 95% interval; `None` without answers.
    pub nps: Option<f64>,
    pub ci95: Option<(f64, f64)>,
    pub new_detractors: u32,
    /// Cases open now, and of them overdue.
    pub open: u32,
    pub overdue: u32,
    /// The dashboard's case queue.
    pub link: String,
}

/// A promoter's friend booked or bought: the store thanks the promoter. No phone: neither
/// the promoter's nor the friend's.
#[derive(Clone, Debug, PartialEq)]
pub struct Thanks {
    /// `booked` or `purchased`.
    pub event: nps_core::growth::referral::EventKind,
    /// The name the promoter gave for the poster (王先生), if any.
    pub promoter: Option<String>,
    /// The friend's name (称呼) from the booking form, if any.
    pub friend: Option<String>,
    /// The friend's preferred date (`YYYY-MM-DD`), if given.
    pub date: Option<String>,
    pub store: Option<Named>,
    pub advisor: Option<String>,
    /// The promoter's visit (their order number).
    pub visit: Option<String>,
    pub survey: String,
    /// What the friend booked, in each language of `Locale::ALL` (the survey's
    /// `booking_label`; empty: not said, the words stay neutral).
    pub booking: [String; 3],
    /// The store's one note for the rest of a day past its thank-yous (`growth::referral::
    /// STORE_THANKS_PER_DAY`): no names, the bookings are in the dashboard.
    pub held: bool,
    /// The referral funnel in the dashboard.
    pub link: String,
}

/// A place's weekly report (`crate::report`): its frozen figures, the signed link to its
/// image, and the image itself for a robot that takes one in the message (WeCom).
#[derive(Clone, Debug, PartialEq)]
pub struct Weekly {
    pub report: crate::report::Report,
    /// `GET /report/{alert}.png?…`, signed, expiring (`report::link`).
    pub image_link: String,
    /// The PNG, drawn for a WeCom channel only.
    pub png: Option<std::sync::Arc<Vec<u8>>>,
}

/// What one job sends.
#[derive(Clone, Debug, PartialEq)]
pub enum Message {
    Alert(Alert),
    Digest(Digest),
    Referral(Thanks),
    Report(Box<Weekly>),
}

impl Message {
    pub fn kind(&self) -> AlertKind {
        match self {
            Message::Alert(a) => a.kind,
            Message::Digest(_) => AlertKind::Digest,
            Message::Referral(_) => AlertKind::Referral,
            Message::Report(_) => AlertKind::Report,
        }
    }

    pub fn link(&self) -> &str {
        match self {
            Message::Alert(a) => &a.link,
            Message::Digest(d) => &d.link,
            Message::Referral(r) => &r.link,
            Message::Report(r) => &r.image_link,
        }
    }
}

impl Alert {
    /// The deadline in RFC 3339, in the alert's offset (`2026-12-04T18:07:00+08:00`).
    pub fn deadline_rfc3339(&self) -> String {
        local(self.deadline_ns, self.utc_offset_minutes)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    }

    /// The deadline's local date and time, `12-04 18:07`.
    pub fn deadline_local(&self) -> String {
        let t = local(self.deadline_ns, self.utc_offset_minutes);
        format!(
            "{:02}-{:02} {:02}:{:02}",
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute()
        )
    }
}

fn local(ns: i64, offset_minutes: i32) -> time::OffsetDateTime {
    let offset =
        time::UtcOffset::from_whole_seconds(offset_minutes * 60).unwrap_or(time::UtcOffset::UTC);
    let secs = ns.div_euclid(1_000_000_000);
    time::OffsetDateTime::from_unix_timestamp(secs)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .to_offset(offset)
}

/// The fewest digits in a run that is masked as a phone number.
pub const PHONE_DIGITS: usize = 11;

/// The fewest numerals of any script in a run that a customer's words show as stars (a
/// phone number spelt `一三八…`, `壹叁捌…`, `１３８…`; a short one or an extension too).
pub const MASKED_NUMERALS: usize = 7;

/// A customer's words as a robot may show them: on one line, every run of
/// `PHONE_DIGITS` or more digits, ASCII or full-width (spaces, dashes, dots, slashes,
/// brackets and one leading `+` allowed between them) masked as `contract::phone::mask` masks
/// a phone, every run of `MASKED_NUMERALS` or more numerals of any script (`numeral`) in stars,
/// and the characters of markdown and HTML syntax (`* _ [ ] < > # \` ~ |`) replaced by their
/// full-width forms, so no one's comment becomes a link, a heading or a mention in a group chat.
pub fn customer_words(text: &str) -> String {
    clean(text, true)
}

/// A code or a name from the brand (a store, an advisor, a visit) as a robot may show it:
/// markdown and HTML syntax replaced like `customer_words`, a run of ASCII digits masked only
/// where it reads as a phone number (`RO-20261203-001` stays as it is), a run of
/// `MASKED_NUMERALS` other numerals in stars.
pub fn code_words(text: &str) -> String {
    clean(text, false)
}

/// A full-width digit (Chinese keyboards type them) as its ASCII digit; anything else as is.
fn fold_digit(c: char) -> char {
    match c {
        '\u{FF10}'..='\u{FF19}' => char::from_u32(c as u32 - 0xFF10 + u32::from(b'0')).unwrap_or(c),
        c => c,
    }
}

/// The Chinese numerals a number can be written in (daily and financial forms, 〇 and 零,
/// 幺, 两, 洞 (0), 拐 (7) and 勾 (9) as said on the phone).
const CHINESE_NUMERALS: &str = "〇一二三四五六七八九十零幺两兩壹贰貳叁參肆伍陆陸柒捌玖拾洞拐勾";

/// Whether `c` is a numeral of any script: a digit (ASCII, full-width, any script's), a
/// number form (`①`, `Ⅷ`, `〇`) or a Chinese numeral.
pub fn numeral(c: char) -> bool {
    c.is_numeric() || CHINESE_NUMERALS.contains(c)
}

/// What may stand between the digits of one phone number: any space (no-break and thin ones
/// too), dashes (the hyphens and dashes U+2010–2015, the minus sign), dots (`.`, `．`, `·`,
/// `・`), slashes and brackets, ASCII or full-width, and the invisible marks a copied number
/// carries (`invisible`).
fn separator(c: char) -> bool {
    c.is_whitespace()
        || invisible(c)
        || matches!(
            c,
            '-' | '\u{FF0D}' | '\u{2010}'
                ..='\u{2015}'
                    | '\u{2212}'
                    | '.'
                    | '\u{FF0E}'
                    | '\u{00B7}'
                    | '\u{30FB}'
                    | '\u{FF65}'
                    | '/'
                    | '\u{FF0F}'
                    | '('
                    | ')'
                    | '\u{FF08}'
                    | '\u{FF09}'
        )
}

/// An invisible format mark: zero-width spaces and joiners, direction marks and isolates, the
/// word joiner, a soft hyphen, a byte-order mark. Dropped from what a robot is sent.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// The most numerals in one run of `text` (separators allowed between them).
pub fn longest_numeral_run(text: &str) -> usize {
    let (mut best, mut run) = (0, 0);
    for c in text.chars() {
        if numeral(c) {
            run += 1;
            best = best.max(run);
        } else if !separator(c) {
            run = 0;
        }
    }
    best
}

fn clean(text: &str, strict: bool) -> String {
    let chars: Vec<char> = text
        .chars()
        .filter(|c| !invisible(*c))
        .map(fold_digit)
        .collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if numeral(c) || (c == '+' && chars.get(i + 1).is_some_and(|d| numeral(*d))) {
            // The longest run of numerals and separators from here, ending on a numeral.
            let (mut end, mut last, mut count, mut ascii) = (i, i, 0, true);
            while end < chars.len() {
                let d = chars[end];
                if numeral(d) {
                    count += 1;
                    last = end;
                    ascii &= d.is_ascii_digit();
                } else if !(separator(d) || (d == '+' && end == i)) {
                    break;
                }
                end += 1;
            }
            // Any space as a plain one, any dash as `-`: the phone's own reading of the run.
            let run: String = chars[i..=last]
                .iter()
                .map(|&c| match c {
                    c if c.is_whitespace() => ' ',
                    '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FF0D}' => '-',
                    c => c,
                })
                .collect();
            let phone = ascii && nps_core::contract::phone::normalize(&run).is_some();
            if ascii && ((strict && count >= PHONE_DIGITS) || phone) {
                out.push_str(&masked(&run));
            } else if count >= MASKED_NUMERALS && (strict || !ascii) {
                out.push_str(&"*".repeat(count));
            } else {
                out.push_str(&run);
            }
            i = last + 1;
            continue;
        }
        out.push(match c {
            '\n' | '\r' | '\t' => ' ',
            '*' | '_' | '[' | ']' | '<' | '>' | '#' | '`' | '~' | '|' => {
                char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap_or(' ')
            }
            c => c,
        });
        i += 1;
    }
    out
}

/// A digit run as a phone shows unrevealed: the core's mask where it is a phone number,
/// else stars and its last 4 digits.
fn masked(run: &str) -> String {
    if nps_core::contract::phone::normalize(run).is_some() {
        return nps_core::contract::phone::mask(run);
    }
    let digits: Vec<char> = run.chars().filter(char::is_ascii_digit).collect();
    let tail: String = digits[digits.len() - 4..].iter().collect();
    format!("{}{tail}", "*".repeat(digits.len() - 4))
}
