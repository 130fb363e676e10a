//! The weekly report in words of zh-CN, zh-TW and en (Chinese with full-width punctuation): a
//! title and labelled lines (`words`), which the chat robots show beside the image's link and
//! the image itself draws (`report::image`). Verdicts say what they compare, and there is none
//! on fewer answers than the report's minimum: "样本不足（12 条），暂不评级".

use nps_core::scoring::analysis::{compare, Verdict as Change};
use nps_core::scoring::score::Nps;
use nps_core::words::Locale;

use super::{Report, Verdict};
use crate::alerts::message::{code_words, customer_words};
use crate::alerts::text::{reason_label, Words};

/// One text in the three locales, in `Locale::ALL`'s order.
type Three = [&'static str; 3];

const TITLE: Three = [
    "NPS 周报：{scope}（{first} 至 {last}）",
    "NPS 週報：{scope}（{first} 至 {last}）",
    "Weekly NPS: {scope} ({first} to {last})",
];
const BRAND: Three = ["全部门店", "全部門市", "All stores"];
const THIS_WEEK: Three = ["本周 NPS", "本週 NPS", "NPS this week"];
const LAST_WEEK: Three = ["上周 NPS", "上週 NPS", "NPS last week"];
const SCORE: Three = [
    "{nps}（95% 区间 {lo} 至 {hi}，{n} 条答卷）",
    "{nps}（95% 區間 {lo} 至 {hi}，{n} 則答卷）",
    "{nps} (95% interval {lo} to {hi}, {n} answers)",
];
/// Below the minimum of answers: the score and its count, no interval (it would say little).
const SCORE_THIN: Three = [
    "{nps}（仅 {n} 条答卷，样本不足）",
    "{nps}（僅 {n} 則答卷，樣本不足）",
    "{nps} (only {n} answers: too few to judge)",
];
const NO_ANSWERS: Three = ["无答卷", "無答卷", "no answers"];
const CHANGE: Three = ["与上周相比", "與上週相比", "Against last week"];
const UP: Three = ["比上期显著提升", "比上期顯著提升", "Up on last period"];
const DOWN: Three = ["比上期显著下降", "比上期顯著下降", "Down on last period"];
const SAME: Three = [
    "与上期相比在误差范围内",
    "與上期相比在誤差範圍內",
    "Within the margin of last period",
];
const TOO_FEW: Three = [
    "样本不足（{n} 条），暂不评级",
    "樣本不足（{n} 則），暫不評級",
    "Too few answers ({n}) to judge",
];
const TARGET: Three = ["目标", "目標", "Target"];
const NO_TARGET: Three = ["未设目标", "未設目標", "no target set"];
const AGAINST: Three = [
    "{verdict}（{target}）",
    "{verdict}（{target}）",
    "{verdict} ({target})",
];
const ABOVE: Three = ["高于目标", "高於目標", "Above target"];
const BELOW: Three = ["低于目标", "低於目標", "Below target"];
const NEAR: Three = [
    "与目标相比在误差范围内",
    "與目標相比在誤差範圍內",
    "Within the margin of the target",
];
const PRAISED: Three = ["好评原因", "好評原因", "Reasons praised"];
const COMPLAINED: Three = ["差评原因", "差評原因", "Reasons complained of"];
const NONE: Three = ["无", "無", "none"];
const LIST: Three = ["、", "、", ", "];
const OPEN: Three = ["未结回访", "未結回訪", "Open cases"];
const OPEN_COUNT: Three = [
    "{open}（其中超时 {overdue}）",
    "{open}（其中逾時 {overdue}）",
    "{open} ({overdue} overdue)",
];
const RATE: Three = ["回复率", "回覆率", "Response rate"];
const RATE_OF: Three = [
    "{rate}%（邀请 {invited} 位，{answered} 位作答）",
    "{rate}%（邀請 {invited} 位，{answered} 位作答）",
    "{rate}% ({answered} of {invited} invited answered)",
];
const NO_INVITES: Three = ["无邀请记录", "無邀請紀錄", "no invitations recorded"];
const LINK: Three = ["查看周报图片", "查看週報圖片", "Open the report image"];

fn pick(three: Three, locale: Locale) -> &'static str {
    three[locale as usize]
}

fn fill(pattern: &str, pairs: &[(&str, String)]) -> String {
    pairs.iter().fold(pattern.to_owned(), |s, (k, v)| {
        s.replace(&format!("{{{k}}}"), v)
    })
}

/// A score or a bound as shown: a whole number, with its sign when negative.
pub fn whole(x: f64) -> String {
    format!("{:.0}", x.round() + 0.0)
}

/// The scope's name in `locale` (the brand's words for the brand).
pub fn scope(r: &Report, locale: Locale) -> String {
    match r.name.is_empty() {
        true => pick(BRAND, locale).to_owned(),
        false => code_words(&r.name),
    }
}

pub fn title(r: &Report, locale: Locale) -> String {
    fill(
        pick(TITLE, locale),
        &[
            ("scope", scope(r, locale)),
            ("first", r.first_day.clone()),
            ("last", r.last_day.clone()),
        ],
    )
}

/// A week's NPS, its interval and n, or "no answers".
pub fn score(nps: Option<Nps>, n: u64, min_n: u64, locale: Locale) -> String {
    match nps {
        Some(s) if n < min_n.max(1) => fill(
            pick(SCORE_THIN, locale),
            &[("nps", whole(s.score)), ("n", n.to_string())],
        ),
        Some(s) => fill(
            pick(SCORE, locale),
            &[
                ("nps", whole(s.score)),
                ("lo", whole(s.ci95.0)),
                ("hi", whole(s.ci95.1)),
                ("n", n.to_string()),
            ],
        ),
        None => pick(NO_ANSWERS, locale).into(),
    }
}

/// This week against last: a verdict only when both rest on the minimum.
pub fn change(r: &Report, locale: Locale) -> String {
    let (this, last) = (r.this_tally(), r.last_tally());
    let fewest = this.n().min(last.n());
    if fewest < r.min_n.max(1) {
        return fill(pick(TOO_FEW, locale), &[("n", fewest.to_string())]);
    }
    match compare(&this, &last).map(|d| d.verdict) {
        Some(Change::Better) => pick(UP, locale).into(),
        Some(Change::Worse) => pick(DOWN, locale).into(),
        _ => pick(SAME, locale).into(),
    }
}

/// The target and how the week stands against it.
pub fn target(r: &Report, locale: Locale) -> String {
    let Some(t) = r.target else {
        return pick(NO_TARGET, locale).into();
    };
    let verdict = match r.verdict() {
        Verdict::TooFew => fill(
            pick(TOO_FEW, locale),
            &[("n", r.this_tally().n().to_string())],
        ),
        Verdict::Above => pick(ABOVE, locale).into(),
        Verdict::Below => pick(BELOW, locale).into(),
        Verdict::Near | Verdict::NoTarget => pick(NEAR, locale).into(),
    };
    fill(
        pick(AGAINST, locale),
        &[("target", t.to_string()), ("verdict", verdict)],
    )
}

/// Reasons with their counts, `准时交车 12、服务态度 8`, or "none".
pub fn reasons(list: &[(String, u64)], locale: Locale) -> String {
    if list.is_empty() {
        return pick(NONE, locale).into();
    }
    let items: Vec<String> = list
        .iter()
        .map(|(r, n)| format!("{} {n}", customer_words(reason_label(r, locale))))
        .collect();
    items.join(pick(LIST, locale))
}

/// The response rate of the visits invited, or that none were recorded.
pub fn rate(r: &Report, locale: Locale) -> String {
    if r.invited == 0 {
        return pick(NO_INVITES, locale).into();
    }
    let rate = 100.0 * r.answered as f64 / r.invited as f64;
    fill(
        pick(RATE_OF, locale),
        &[
            ("rate", whole(rate)),
            ("invited", r.invited.to_string()),
            ("answered", r.answered.to_string()),
        ],
    )
}

/// The labels of the report's lines, in order (the image draws them too).
pub fn labels(locale: Locale) -> [&'static str; 8] {
    [
        THIS_WEEK, LAST_WEEK, CHANGE, TARGET, PRAISED, COMPLAINED, OPEN, RATE,
    ]
    .map(|t| pick(t, locale))
}

/// The report in words of `locale`.
pub fn words(r: &Report, locale: Locale) -> Words {
    let [this, last, change_l, target_l, praised, complained, open, rate_l] = labels(locale);
    let open_count = fill(
        pick(OPEN_COUNT, locale),
        &[
            ("open", r.open.to_string()),
            ("overdue", r.overdue.to_string()),
        ],
    );
    Words {
        title: title(r, locale),
        lines: vec![
            (
                this,
                score(r.this_nps(), r.this_tally().n(), r.min_n, locale),
            ),
            (
                last,
                score(r.last_nps(), r.last_tally().n(), r.min_n, locale),
            ),
            (change_l, change(r, locale)),
            (target_l, target(r, locale)),
            (praised, reasons(&r.praised, locale)),
            (complained, reasons(&r.complained, locale)),
            (open, open_count),
            (rate_l, rate(r, locale)),
        ],
        link_label: pick(LINK, locale),
    }
}
