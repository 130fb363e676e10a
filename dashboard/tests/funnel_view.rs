//! "Response & referrals" in a real headless Chromium, as the collector's `GET /api/funnel`
//! and `GET /api/funnel/flags` give it (issue 17's JSON): the response rate with its interval
//! bar and the NPS beside it, "只收到了少数顾客的评价" marked and explained, the referral funnel
//! and rate, month by month, each flag reason in plain words, a store's flagged answers with
//! their reasons, and a refusal said in words. The DOM the end-to-end test drives is listed in
//! `web::funnel`. Run by `cargo xtask test`.
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use common::{all, mount, one, text, until};
use nps_core::words::Locale;
use nps_dashboard::funnel::{self, flags, By};
use nps_dashboard::web::{FlagReasons, FlaggedList, Funnel, FunnelRows, TrendRows, View};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

mod common;

wasm_bindgen_test_configure!(run_in_browser);

/// The spec's row for 深圳福田店, a store whose NPS is high while few answered, one with no
/// code and nobody invited, and one with answers but no invitations recorded (the native
/// tests read it too).
const ROWS: &str = include_str!("funnel-store.json");

const MONTHS: &str = r#"{"by": "month", "from": null, "to": null, "rows": [
  {"key": "2026-11", "name": null, "invited": 300, "opened": 150, "answered": 90,
   "response_rate": 0.3, "response_interval": [0.25, 0.35], "answers": 120, "nps": 40.0,
   "nps_interval": [28.0, 52.0], "promoters": 60, "shared": 20, "referred_opens": 12,
   "booked": 4, "purchased": 3, "referral_rate": 0.05, "referral_interval": [0.017, 0.137],
   "flagged": 2, "flagged_share": 0.017, "flags": {"at_counter": 2}, "low_response": false},
  {"key": "2026-10", "name": null, "invited": 200, "opened": 90, "answered": 40,
   "response_rate": 0.2, "response_interval": [0.15, 0.26], "answers": 60, "nps": 30.0,
   "nps_interval": [12.0, 48.0], "promoters": 25, "shared": 5, "referred_opens": 2,
   "booked": 1, "purchased": 0, "referral_rate": 0.0, "referral_interval": [0.0, 0.13],
   "flagged": 0, "flagged_share": 0.0, "flags": {}, "low_response": false}
]}"#;

const FLAGGED: &str = include_str!("funnel-flags.json");

#[derive(Properties, PartialEq)]
struct Props {
    view: Rc<View>,
}

#[component]
fn All(props: &Props) -> Html {
    // Read and ordered as the section does.
    let rows = Rc::new(funnel::Funnel::from_json(ROWS).unwrap().sorted());
    let months = Rc::new(funnel::Funnel::from_json(MONTHS).unwrap().sorted());
    let flagged = Rc::new(flags::from_json(FLAGGED).unwrap());
    let v = props.view.clone();
    html! {
        <section class="funnel">
            <FunnelRows view={v.clone()} by={By::Store} funnel={rows} />
            <TrendRows view={v.clone()} funnel={months} />
            <FlagReasons view={v.clone()} />
            <FlaggedList view={v} rows={flagged} />
        </section>
    }
}

/// A region manager's view (the rows are whatever the collector sent).
fn view(locale: Locale) -> Rc<View> {
    common::view("region", locale)
}

async fn render(locale: Locale) -> Element {
    let root = mount();
    yew::Renderer::<All>::with_root_and_props(root.clone(), Props { view: view(locale) }).render();
    yew::scheduler::flush().await;
    root
}

fn texts(root: &Element, sel: &str) -> Vec<String> {
    all(root, sel)
        .iter()
        .map(|e| e.text_content().unwrap_or_default())
        .collect()
}

#[wasm_bindgen_test]
async fn response_rates_with_their_intervals_and_the_stores_few_answered() {
    let root = render(Locale::ZhCn).await;
    // The store whose NPS is high while few answered comes first, marked and explained.
    let keys: Vec<String> = all(&root, "table.response tbody tr")
        .iter()
        .map(|tr| tr.get_attribute("data-key").unwrap())
        .collect();
    assert_eq!(keys, ["GZ-TH", "", "BJ-CY", "SZ-FT"]);
    assert_eq!(
        text(&root, "table.response tr[data-key=GZ-TH] .badge.low"),
        "只收到了少数顾客的评价"
    );
    assert!(one(&root, "table.response tr[data-key=SZ-FT] .badge.low").is_none());
    assert_eq!(
        text(&root, "p.low-why[data-key=GZ-TH]"),
        "只收到了少数顾客的评价广州天河店：净推荐值较高，但受邀的 400 位顾客中只有 48 位回答。如果只有满意的顾客拿到了邀请，这个分数并不代表所有顾客。"
    );
    assert_eq!(all(&root, "p.low-why").len(), 1);
    // invited → opened → answered, the rate with its interval, the NPS beside it.
    let sz = "table.response tr[data-key=SZ-FT]";
    assert_eq!(
        texts(&root, &format!("{sz} td.num:not(.nps)")),
        ["120", "80", "60", "75"]
    );
    assert_eq!(text(&root, &format!("{sz} td.rate .num")), "50%（60/120）");
    assert_eq!(
        text(&root, &format!("{sz} td.rate .rate-range")),
        "41%–59%很可能在 41% 至 59% 之间"
    );
    // The bar on 0–100 %: the interval from 41 to 59, the rate at 50.
    let range = one(&root, &format!("{sz} td.rate svg.ci line.range")).unwrap();
    let mark = one(&root, &format!("{sz} td.rate svg.ci line.mark")).unwrap();
    assert_eq!(
        [
            range.get_attribute("x1"),
            range.get_attribute("x2"),
            mark.get_attribute("x1")
        ],
        [
            Some("41.0".into()),
            Some("59.0".into()),
            Some("50.0".into())
        ]
    );
    assert_eq!(text(&root, &format!("{sz} td.nps")), "4230 … 54");
    // The share flagged, each reason with its count, and the store's answers one tap away.
    assert_eq!(text(&root, &format!("{sz} td.to-check .num")), "9%（7/75）");
    assert_eq!(
        text(&root, &format!("{sz} td.to-check .reasons")),
        "同一设备多次回答 4 · 同一网络集中回答 2 · 在柜台当场回答 3"
    );
    assert!(one(&root, &format!("{sz} [data-act=flagged]")).is_some());
    assert!(one(&root, "tr[data-key=GZ-TH] [data-act=flagged]").is_none());
    // Nobody invited: no rate, no bar, never a 0 %.
    let bj = "table.response tr[data-key=BJ-CY]";
    assert_eq!(text(&root, &format!("{bj} td.rate")), "—");
    assert!(one(&root, &format!("{bj} svg.ci")).is_none());
    assert_eq!(text(&root, &format!("{bj} th")), "BJ-CY");
    // …said in words beside its twelve answers' NPS.
    assert_eq!(
        texts(&root, &format!("{bj} td.num:not(.nps)")),
        ["未记录邀请", "—", "—", "12"]
    );
    // On a phone each figure carries its column's name.
    assert_eq!(
        all(&root, &format!("{sz} td"))
            .iter()
            .map(|td| td.get_attribute("data-label").unwrap_or_default())
            .collect::<Vec<_>>(),
        [
            "邀请",
            "打开",
            "受邀后回答",
            "回复率",
            "回答数",
            "净推荐值",
            "需核实"
        ]
    );
    root.remove();
}

#[wasm_bindgen_test]
async fn the_referral_funnel_and_rate_and_its_trend_by_month() {
    let root = render(Locale::ZhCn).await;
    assert_eq!(
        texts(&root, "table.referral thead th"),
        [
            "门店",
            "推荐者",
            "已分享",
            "朋友打开",
            "已预约",
            "已成交",
            "转介绍率"
        ]
    );
    // The seed's store: 150 promoters, 12 of them brought a friend who bought: 8 %.
    let gz = "table.referral tr[data-key=GZ-TH]";
    assert_eq!(
        texts(&root, &format!("{gz} td.num")),
        ["150", "60", "41", "20", "13"]
    );
    assert_eq!(text(&root, &format!("{gz} td.rate .num")), "8%（12/150）");
    assert!(one(&root, &format!("{gz} td.rate svg.ci")).is_some());
    assert_eq!(
        text(&root, "table.referral tr[data-key=BJ-CY] td.rate .num"),
        "0%（0/5）"
    );
    // Month by month, in time order, each in words.
    assert_eq!(
        texts(&root, "table.trend-rows tbody th"),
        ["2026年10月", "2026年11月"]
    );
    assert_eq!(
        texts(
            &root,
            "table.trend-rows tr[data-key='2026-11'] td.rate .num"
        ),
        ["30%（90/300）", "5%（3/60）"]
    );
    root.remove();
}

#[wasm_bindgen_test]
async fn each_flag_reason_in_plain_words_and_a_flagged_answers_reasons() {
    let root = render(Locale::ZhCn).await;
    assert_eq!(
        texts(&root, ".flag-reasons dt"),
        [
            "同一设备多次回答",
            "同一网络集中回答",
            "在柜台当场回答",
            "集中打 10 分",
            "集中打 9–10 分"
        ]
    );
    assert_eq!(
        text(&root, ".flag-reasons [data-reason=at_counter] dd"),
        "发出评价邀请后一两分钟内就回答了，顾客很可能还在店里。"
    );
    assert!(text(&root, ".flag-reasons").contains("这些回答仍计入净推荐值"));
    let answer = "ul.flagged li[data-id=r-1]";
    assert_eq!(text(&root, &format!("{answer} .pill")), "10");
    assert!(one(&root, &format!("{answer} .pill.promoter")).is_some());
    assert_eq!(
        text(&root, &format!("{answer} .reasons")),
        "同一设备多次回答、在柜台当场回答"
    );
    // 02:01 UTC is 10:01 in Beijing.
    assert_eq!(
        text(&root, &format!("{answer} .muted")),
        "11月28日 10:01 · wang · 工单 RO-88231"
    );
    root.remove();

    let root = render(Locale::En).await;
    assert_eq!(
        text(&root, "tr[data-key=GZ-TH] .badge.low"),
        "Only a few customers answered"
    );
    assert_eq!(
        text(&root, "ul.flagged li[data-id=r-1] .reasons"),
        "One device, many answers, Answered at the counter"
    );
    assert_eq!(
        text(&root, ".flag-reasons [data-reason=ten_burst] dt"),
        "A burst of 10s"
    );
    root.remove();
}

#[wasm_bindgen_test]
async fn a_stores_flagged_answers_are_asked_for_and_a_refusal_is_said() {
    let root = render(Locale::ZhCn).await;
    let button = one(&root, "tr[data-key=SZ-FT] [data-act=flagged]").unwrap();
    assert_eq!(
        button.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    button.unchecked_into::<HtmlElement>().click();
    yew::scheduler::flush().await;
    let button = one(&root, "tr[data-key=SZ-FT] [data-act=flagged]").unwrap();
    assert_eq!(
        button.get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
    assert_eq!(
        text(&root, ".flagged-for[data-store=SZ-FT] h3"),
        "深圳福田店 需要核实的回答"
    );
    // Nothing answers here: said in words, not a blank.
    let why = until(&root, ".flagged-for .status.error").await;
    assert!(why.text_content().unwrap().starts_with("无法载入："));
    // A second tap closes it.
    button.unchecked_into::<HtmlElement>().click();
    yew::scheduler::flush().await;
    assert!(one(&root, ".flagged-for").is_none());
    root.remove();
}

#[wasm_bindgen_test]
async fn the_section_asks_the_collector_and_says_why_not() {
    let root = mount();
    yew::Renderer::<Funnel>::with_root_and_props(
        root.clone(),
        nps_dashboard::web::FunnelProps {
            view: view(Locale::ZhCn),
        },
    )
    .render();
    yew::scheduler::flush().await;
    assert_eq!(text(&root, "section.funnel h2"), "回复率与转介绍");
    assert_eq!(
        texts(&root, ".funnel-tabs button[data-by]"),
        ["门店", "顾问", "触点"]
    );
    until(&root, "section.funnel .status.error").await;
    // The rows and the trend each said why not (the collector is not there).
    until(&root, "section.funnel .status.error ~ .status.error").await;
    // The flags are explained whatever the figures.
    assert_eq!(all(&root, ".flag-reasons dt").len(), 5);
    root.remove();
}
