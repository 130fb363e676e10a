//! The words of a message in zh-CN, zh-TW and en (Chinese with full-width punctuation):
//! `words` gives a title, labelled lines and the link's label, which each robot lays out in
//! its markdown or card (`alerts::robot`). A customer's words pass through
//! `message::customer_words`, a code or a name through `message::code_words`; the link is the
//! only URL.

use nps_core::scoring::score::Category;
use nps_core::words::{Locale, PRESETS};

use super::message::{code_words, customer_words, Alert, AlertKind, Digest, Message};
use super::thanks::{thanks, thanks_title};

/// One text in the three locales, in `Locale::ALL`'s order.
pub(super) type Three = [&'static str; 3];

/// A message in words.
#[derive(Clone, Debug, PartialEq)]
pub struct Words {
    /// The first line: what happened, where.
    pub title: String,
    /// Label and value, in order.
    pub lines: Vec<(&'static str, String)>,
    /// The link's label (`查看回访`).
    pub link_label: &'static str,
}

/// A reason as the customer read it: a preset chip's label in `locale` (`wait_time` →
/// 等待时长), else as given (a brand's own reason words).
pub(crate) fn reason_label(id: &str, locale: Locale) -> &str {
    PRESETS
        .iter()
        .flat_map(|(_, reasons)| reasons.iter())
        .find(|r| r.id == id)
        .map_or(id, |r| r.label(locale))
}

pub(super) fn pick(three: Three, locale: Locale) -> &'static str {
    three[locale as usize]
}

fn category(c: Category) -> Three {
    match c {
        Category::Detractor => ["贬损者", "貶損者", "detractor"],
        Category::Passive => ["中立者", "中立者", "passive"],
        Category::Promoter => ["推荐者", "推薦者", "promoter"],
    }
}

/// The title's pattern: `{score}`, `{category}`, `{hours}`, `{scope}`, `{day}` filled.
fn title(kind: AlertKind) -> Three {
    match kind {
        AlertKind::Opened => [
            "新回访：{category}，{score} 分",
            "新回訪：{category}，{score} 分",
            "New case: a {category}, score {score}",
        ],
        AlertKind::Callback => [
            "【需回电】客户要求回电：{score} 分",
            "【需回電】客戶要求回電：{score} 分",
            "[CALL BACK] The customer asked for a call: score {score}",
        ],
        AlertKind::Reminder => [
            "【提醒】回访还剩 {hours} 小时",
            "【提醒】回訪還剩 {hours} 小時",
            "[Reminder] {hours} h left on a case",
        ],
        AlertKind::Breach => [
            "【已超时】回访超过了承诺时限",
            "【已逾時】回訪超過了承諾時限",
            "[Overdue] A case passed its promised time",
        ],
        AlertKind::Digest => [
            "每日 NPS 简报：{scope}（{day}）",
            "每日 NPS 簡報：{scope}（{day}）",
            "Daily NPS: {scope} ({day})",
        ],
        AlertKind::Referral => thanks_title(nps_core::growth::referral::EventKind::Booked),
        // Its words are `report::words`'.
        AlertKind::Report => ["NPS 周报", "NPS 週報", "Weekly NPS"],
    }
}

const SCORE: Three = ["分数", "分數", "Score"];
const REASONS: Three = ["原因", "原因", "Reasons"];
const COMMENT: Three = ["客户留言", "客戶留言", "Comment"];
const STORE: Three = ["门店", "門市", "Store"];
const ADVISOR: Three = ["顾问", "顧問", "Advisor"];
const VISIT: Three = ["工单号", "工單號", "Order"];
const CALLBACK: Three = ["回电", "回電", "Call-back"];
const CALLBACK_ASKED: Three = [
    "客户要求回电，号码请在回访队列中查看",
    "客戶要求回電，號碼請在回訪佇列中查看",
    "asked for: the number is in the case queue",
];
const DEADLINE: Three = ["截止", "截止", "Deadline"];
const LEFT: Three = ["剩 {hours} 小时", "剩 {hours} 小時", "{hours} h left"];
const OVERDUE: Three = [
    "已超时 {hours} 小时",
    "已逾時 {hours} 小時",
    "overdue by {hours} h",
];
const OPEN_CASE: Three = ["查看回访", "查看回訪", "Open the case"];
const ANSWERS: Three = ["昨日答卷", "昨日答卷", "Answers"];
const NPS: Three = ["NPS", "NPS", "NPS"];
const INTERVAL: Three = [
    "{nps}（95% 区间 {lo} 至 {hi}）",
    "{nps}（95% 區間 {lo} 至 {hi}）",
    "{nps} (95% interval {lo} to {hi})",
];
const NO_ANSWERS: Three = ["无答卷", "無答卷", "no answers"];
const NEW_DETRACTORS: Three = ["新增贬损者", "新增貶損者", "New detractors"];
const OPEN: Three = ["未结回访", "未結回訪", "Open cases"];
const OPEN_COUNT: Three = [
    "{open}（其中超时 {overdue}）",
    "{open}（其中逾時 {overdue}）",
    "{open} ({overdue} overdue)",
];
const QUEUE: Three = ["打开回访队列", "打開回訪佇列", "Open the case queue"];
const BRAND: Three = ["全部门店", "全部門市", "All stores"];

/// A digest's scope when its channel covers the whole brand.
pub fn brand_words(locale: Locale) -> &'static str {
    pick(BRAND, locale)
}
const LIST: Three = ["、", "、", ", "];
const NAMED: Three = ["{name}（{id}）", "{name}（{id}）", "{name} ({id})"];
pub(super) const TITLE_AT: Three = ["{title}｜{store}", "{title}｜{store}", "{title} · {store}"];

pub(super) fn fill(pattern: &str, pairs: &[(&str, String)]) -> String {
    pairs.iter().fold(pattern.to_owned(), |s, (k, v)| {
        s.replace(&format!("{{{k}}}"), v)
    })
}

/// The message in words of `locale`.
pub fn words(message: &Message, locale: Locale) -> Words {
    match message {
        Message::Alert(a) => alert(a, locale),
        Message::Digest(d) => digest(d, locale),
        Message::Referral(r) => thanks(r, locale),
        Message::Report(r) => crate::report::words::words(&r.report, locale),
    }
}

/// The store (name and code), advisor and order lines of a message.
pub(super) fn place_lines(
    lines: &mut Vec<(&'static str, String)>,
    locale: Locale,
    store: &Option<super::message::Named>,
    advisor: &Option<String>,
    visit: &Option<String>,
) {
    let t = |three: Three| pick(three, locale);
    if let Some(s) = store {
        let named = fill(
            t(NAMED),
            &[("name", code_words(&s.name)), ("id", code_words(&s.id))],
        );
        lines.push((t(STORE), named));
    }
    if let Some(adv) = advisor {
        lines.push((t(ADVISOR), code_words(adv)));
    }
    if let Some(v) = visit {
        lines.push((t(VISIT), code_words(v)));
    }
}

fn alert(a: &Alert, locale: Locale) -> Words {
    let t = |three: Three| pick(three, locale);
    let cat = t(category(a.category));
    let mut head = fill(
        t(title(a.kind)),
        &[
            ("score", a.score.to_string()),
            ("category", cat.into()),
            ("hours", a.hours_left.max(0).to_string()),
        ],
    );
    if let Some(store) = &a.store {
        head = fill(
            t(TITLE_AT),
            &[("title", head), ("store", code_words(&store.name))],
        );
    }
    let mut lines = vec![(t(SCORE), format!("{}/10（{cat}）", a.score))];
    if locale == Locale::En {
        lines[0].1 = format!("{}/10 ({cat})", a.score);
    }
    if !a.reasons.is_empty() {
        let reasons: Vec<String> = a
            .reasons
            .iter()
            .map(|r| customer_words(reason_label(r, locale)))
            .collect();
        lines.push((t(REASONS), reasons.join(t(LIST))));
    }
    if let Some(c) = a
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        lines.push((t(COMMENT), customer_words(c)));
    }
    place_lines(&mut lines, locale, &a.store, &a.advisor, &a.visit);
    if a.callback {
        lines.push((t(CALLBACK), t(CALLBACK_ASKED).into()));
    }
    let left = match a.hours_left {
        h if h < 0 => fill(t(OVERDUE), &[("hours", (-h).to_string())]),
        h => fill(t(LEFT), &[("hours", h.to_string())]),
    };
    let deadline = match locale {
        Locale::En => format!("{} ({left})", a.deadline_local()),
        _ => format!("{}（{left}）", a.deadline_local()),
    };
    lines.push((t(DEADLINE), deadline));
    Words {
        title: head,
        lines,
        link_label: t(OPEN_CASE),
    }
}

/// An NPS or a bound as shown: a whole number, with its sign when negative.
fn whole(x: f64) -> String {
    format!("{:.0}", x.round() + 0.0)
}

fn digest(d: &Digest, locale: Locale) -> Words {
    let t = |three: Three| pick(three, locale);
    let head = fill(
        t(title(AlertKind::Digest)),
        &[("scope", code_words(&d.scope)), ("day", d.day.clone())],
    );
    let nps = match (d.nps, d.ci95) {
        (Some(nps), Some((lo, hi))) => fill(
            t(INTERVAL),
            &[("nps", whole(nps)), ("lo", whole(lo)), ("hi", whole(hi))],
        ),
        (Some(nps), None) => whole(nps),
        (None, _) => t(NO_ANSWERS).into(),
    };
    let lines = vec![
        (t(ANSWERS), d.n.to_string()),
        (t(NPS), nps),
        (t(NEW_DETRACTORS), d.new_detractors.to_string()),
        (
            t(OPEN),
            fill(
                t(OPEN_COUNT),
                &[
                    ("open", d.open.to_string()),
                    ("overdue", d.overdue.to_string()),
                ],
            ),
        ),
    ];
    Words {
        title: head,
        lines,
        link_label: t(QUEUE),
    }
}
