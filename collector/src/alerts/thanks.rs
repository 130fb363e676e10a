//! A referral's thank-you in words (`alerts::text`'s part for `Message::Referral`): who
//! referred whom, what was booked (the survey's `booking_label`, else nothing: "已预约"), the
//! preferred date, and the store's one note for a day past its thank-yous (`Thanks::held`).

use nps_core::growth::referral::EventKind;
use nps_core::words::Locale;

use super::message::{code_words, customer_words, Thanks};
use super::text::{fill, pick, place_lines, Three, Words, TITLE_AT};

/// A thank-you's title: `{who}` is the promoter's name, else `WHO_VISIT` or `WHO_SOMEONE`;
/// `{friend}`, `{date}` and `{call}` are `FRIEND`, `DATE` and `CALL` when the booking form
/// gave them, else nothing; `{what}` is what was booked (`WHAT`, the survey's
/// `booking_label`), else nothing: "已预约" alone, never a test drive nobody booked.
pub(super) fn thanks_title(event: EventKind) -> Three {
    match event {
        EventKind::Booked => [
            "{who}推荐的朋友{friend}已预约{date}{what}，请致谢{call}。",
            "{who}推薦的朋友{friend}已預約{date}{what}，請致謝{call}。",
            "{who} referred a friend{friend} who booked{what}{date}: please say thank you{call}.",
        ],
        EventKind::Purchased => [
            "{who}推荐的朋友{friend}已成交购车，请致谢{call}。",
            "{who}推薦的朋友{friend}已成交購車，請致謝{call}。",
            "{who} referred a friend{friend} who bought: please say thank you{call}.",
        ],
    }
}
const WHO_VISIT: Three = [
    "工单 {visit} 的顾客",
    "工單 {visit} 的顧客",
    "The customer of order {visit}",
];
const WHO_SOMEONE: Three = ["一位推荐者", "一位推薦者", "A promoter"];
const FRIEND: Three = ["{friend}", "{friend}", " {friend}"];
const DATE: Three = [
    " {month} 月 {day} 日",
    " {month} 月 {day} 日",
    " on {day} {month}",
];
const CALL: Three = ["并尽快联系", "並盡快聯絡", " and call them soon"];
const WHAT: Three = ["{what}", "{what}", " {what}"];
/// The store's one note for the rest of a day past its thank-yous (no names).
const HELD: Three = [
    "今天通过推荐预约{what}的朋友较多，之后的预约都已记录，请在看板的“朋友的预约”中查看并联系",
    "今天透過推薦預約{what}的朋友較多，之後的預約都已記錄，請在看板的「朋友的預約」中查看並聯絡",
    "Many friends booked{what} through referrals today: the later bookings are all recorded under Friends' bookings in the dashboard; please call them",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const CONTACT: Three = ["联系朋友", "聯絡朋友", "Call the friend"];
const CONTACT_WHERE: Three = [
    "号码请在看板的“朋友的预约”中查看",
    "號碼請在看板的「朋友的預約」中查看",
    "the number is under Friends' bookings in the dashboard",
];
const FUNNEL: Three = ["查看推荐", "查看推薦", "Open the referrals"];

/// A preferred date (`YYYY-MM-DD`) as `DATE` says it, or nothing for another text.
fn date_words(date: &str, locale: Locale) -> Option<String> {
    let mut parts = date.split('-').skip(1).map(str::parse::<usize>);
    let (Some(Ok(month @ 1..=12)), Some(Ok(day @ 1..=31))) = (parts.next(), parts.next()) else {
        return None;
    };
    let month = match locale {
        Locale::En => MONTHS[month - 1].to_owned(),
        _ => month.to_string(),
    };
    Some(fill(
        pick(DATE, locale),
        &[("month", month), ("day", day.to_string())],
    ))
}

pub(super) fn thanks(r: &Thanks, locale: Locale) -> Words {
    let t = |three: Three| pick(three, locale);
    let given = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
    };
    let who = match (given(&r.promoter), &r.visit) {
        (Some(n), _) => customer_words(&n),
        (None, Some(v)) => fill(t(WHO_VISIT), &[("visit", code_words(v))]),
        (None, None) => t(WHO_SOMEONE).into(),
    };
    // The friend's name as the customer typed it: a number typed as one shows masked.
    let friend = given(&r.friend).map(|f| customer_words(&f));
    let date = given(&r.date).and_then(|d| date_words(&d, locale));
    let label = &r.booking[Locale::ALL.iter().position(|l| *l == locale).unwrap_or(0)];
    let what = match label.trim() {
        "" => String::new(),
        l => fill(t(WHAT), &[("what", code_words(l))]),
    };
    let pattern = match r.held {
        true => t(HELD),
        false => t(thanks_title(r.event)),
    };
    let mut head = fill(
        pattern,
        &[
            ("what", what),
            ("who", who),
            (
                "friend",
                friend
                    .as_ref()
                    .map(|f| fill(t(FRIEND), &[("friend", f.clone())]))
                    .unwrap_or_default(),
            ),
            ("date", date.unwrap_or_default()),
            (
                "call",
                friend
                    .as_ref()
                    .map(|_| t(CALL).to_owned())
                    .unwrap_or_default(),
            ),
        ],
    );
    if let Some(s) = &r.store {
        head = fill(
            t(TITLE_AT),
            &[("title", head), ("store", code_words(&s.name))],
        );
    }
    let mut lines = Vec::new();
    place_lines(&mut lines, locale, &r.store, &r.advisor, &r.visit);
    if friend.is_some() {
        lines.push((t(CONTACT), t(CONTACT_WHERE).into()));
    }
    Words {
        title: head,
        lines,
        link_label: t(FUNNEL),
    }
}
