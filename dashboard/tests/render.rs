//! The dashboard in a real headless Chromium, rendering a known dataset: the headline and its
//! interval as the scorer computes them, the change's verdict against the last period, the
//! segments worst first against the other stores with the small one greyed and unjudged, the
//! case queue asking for a sign-in (a dropped file has no cases), a view kept in the fragment,
//! and the places table of a dropped file. Run by
//! `cargo xtask test` (wasm-bindgen-test-runner).
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use nps_core::scoring::analysis::Names;
use nps_core::scoring::score::Tally;
use nps_dashboard::data::Record;
use nps_dashboard::format::points;
use nps_dashboard::web::{now_minutes, App, AppProps};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// `count` answers of `store` scoring `score`, `days_ago` days before now.
fn answers(out: &mut Vec<Record>, store: &str, score: u8, count: usize, days_ago: i64) {
    for _ in 0..count {
        let at = now_minutes() - days_ago * 1440;
        out.push(Record {
            survey: "after-sales".into(),
            dims: [
                store.into(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ],
            ..Record::scored(format!("r{}", out.len()), score, at)
        });
    }
}

/// The dataset of `report::tests`, moved to the last days: now 85 answers (NPS 17.6), the
/// previous period 80 (NPS −25).
fn dataset() -> Vec<Record> {
    let mut v = Vec::new();
    answers(&mut v, "A", 10, 30, 2);
    answers(&mut v, "A", 8, 10, 2);
    answers(&mut v, "B", 9, 10, 2);
    answers(&mut v, "B", 7, 10, 2);
    answers(&mut v, "B", 3, 20, 2);
    answers(&mut v, "C", 0, 5, 2);
    answers(&mut v, "A", 10, 20, 100);
    answers(&mut v, "A", 7, 20, 100);
    answers(&mut v, "B", 2, 40, 100);
    v
}

async fn render(fragment: &str) -> Element {
    render_with(fragment, Names::default()).await
}

async fn render_with(fragment: &str, names: Names) -> Element {
    render_records(fragment, dataset(), names).await
}

async fn render_records(fragment: &str, records: Vec<Record>, names: Names) -> Element {
    web_sys::window()
        .unwrap()
        .location()
        .set_hash(fragment)
        .unwrap();
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<App>::with_root_and_props(
        root.clone(),
        AppProps {
            api: "/api".into(),
            signin: "/signin".into(),
            preload: Some(Rc::new((records, names))),
            min_n: nps_core::scoring::analysis::DEFAULT_MIN_N,
        },
    )
    .render();
    for _ in 0..5 {
        yew::scheduler::flush().await;
    }
    root
}

fn all(root: &Element, sel: &str) -> Vec<Element> {
    let list = root.query_selector_all(sel).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into().ok())
        .collect()
}

fn text(root: &Element, sel: &str) -> String {
    root.query_selector(sel)
        .unwrap()
        .unwrap_or_else(|| panic!("no {sel}"))
        .text_content()
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn a_known_dataset_reads_as_the_scorer_says() {
    let root = render("lang=zh-CN").await;
    let nps = Tally {
        promoters: 40,
        passives: 20,
        detractors: 25,
    }
    .nps()
    .unwrap();
    assert_eq!(text(&root, ".glance .big"), points(nps.score));
    assert_eq!(text(&root, ".glance .big"), "18");
    let interval = text(&root, ".glance .interval");
    assert_eq!(
        interval,
        format!(
            "很可能在 {} 至 {} 之间",
            points(nps.ci95.0),
            points(nps.ci95.1)
        )
    );
    assert_eq!(text(&root, ".glance .n"), "85 条回答");
    assert_eq!(text(&root, ".glance .verdict"), "比上期显著提升");
    assert!(text(&root, ".glance .delta").starts_with('+'));
    // Worst first; the store with five answers last, greyed, "not enough data".
    let rows = all(&root, ".segments tbody tr");
    let order: Vec<String> = rows
        .iter()
        .map(|r| r.get_attribute("data-segment").unwrap())
        .collect();
    assert_eq!(order, ["B", "A", "C"]);
    assert!(rows[2].class_list().contains("thin"));
    assert!(rows[2]
        .text_content()
        .unwrap()
        .contains("样本不足（5 条），暂不评级"));
    // The small store has no interval, verdict or colour.
    assert!(rows[2]
        .query_selector(".verdict, svg.ci")
        .unwrap()
        .is_none());
    assert!(rows[0].text_content().unwrap().contains("显著低于其他门店"));
    // A dropped file has no cases: the queue is the collector's, once signed in.
    assert_eq!(text(&root, ".cases p"), "登录后可查看并处理回访。");
    assert!(root.query_selector(".case, .case-stats").unwrap().is_none());
    // Every chart has its words.
    assert!(root
        .query_selector(".trend svg[role=img]")
        .unwrap()
        .is_some());
    assert!(!text(&root, "#trend-alt").is_empty());
    assert!(root
        .query_selector(".stacked svg")
        .unwrap()
        .unwrap()
        .get_attribute("aria-label")
        .unwrap()
        .contains("推荐者 47%"));
    root.remove();
}

#[wasm_bindgen_test]
async fn a_view_is_kept_in_the_fragment_and_the_words_follow_the_language() {
    let root = render("lang=en&token=kept+out%2F").await;
    // An old link's token leaves the address at once, is kept nowhere, and the page says so.
    let hash = web_sys::window().unwrap().location().hash().unwrap();
    assert_eq!(hash, "#lang=en");
    let storage = web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap();
    assert_eq!(storage.length().unwrap(), 0, "nothing kept in this tab");
    assert!(
        text(&root, ".status.error").contains("no longer used"),
        "{}",
        text(&root, ".status.error")
    );
    assert_eq!(text(&root, ".glance .verdict"), "Up on last period");
    let month = all(&root, ".trend .seg")
        .into_iter()
        .find(|b| b.text_content().unwrap() == "By month")
        .unwrap();
    month.unchecked_into::<HtmlElement>().click();
    yew::scheduler::flush().await;
    let hash = web_sys::window().unwrap().location().hash().unwrap();
    assert!(hash.contains("trend=month"), "{hash}");
    let tab = all(&root, ".segments .seg")
        .into_iter()
        .find(|b| b.text_content().unwrap() == "Advisor")
        .unwrap();
    tab.unchecked_into::<HtmlElement>().click();
    yew::scheduler::flush().await;
    assert!(web_sys::window()
        .unwrap()
        .location()
        .hash()
        .unwrap()
        .contains("by=advisor"));
    // No advisor in these answers: one row, "(none given)".
    assert_eq!(text(&root, ".segments tbody th"), "(none given)");
    // Without an org there is no region or city to group by.
    let tabs: Vec<String> = all(&root, ".segments .seg")
        .iter()
        .map(|b| b.text_content().unwrap())
        .collect();
    assert_eq!(
        tabs,
        ["Store", "Advisor", "Model", "Service type", "Touchpoint"]
    );
    root.remove();
}

fn click(root: &Element, sel: &str, label: &str) {
    all(root, sel)
        .into_iter()
        .find(|b| b.text_content().unwrap() == label)
        .unwrap_or_else(|| panic!("no {sel} {label:?}"))
        .unchecked_into::<HtmlElement>()
        .click();
}

fn hash() -> String {
    web_sys::window().unwrap().location().hash().unwrap()
}

#[wasm_bindgen_test]
async fn a_segment_by_region_or_city_is_one_click_and_a_region_narrows_the_view() {
    // A and B in the south (深圳, 广州), C in the north (北京) (`tests/org.json`); served as the collector
    // serves an org file: its names with it (`Names::with_org`).
    let org = Names::from_json(include_str!("org.json")).unwrap();
    let names = Names::default().with_org(org.org().unwrap().clone());
    let root = render_with("lang=zh-CN", names).await;
    let names_of = |root: &Element| -> Vec<String> {
        all(root, ".segments tbody th")
            .iter()
            // The name alone: its badge ("样本不足…") and target follow it.
            .map(|th| th.first_child().unwrap().text_content().unwrap())
            .collect()
    };
    assert_eq!(names_of(&root), ["广州天河店", "深圳福田店", "北京朝阳店"]);
    click(&root, ".segments .seg", "区域");
    yew::scheduler::flush().await;
    assert!(hash().contains("by=region"), "{}", hash());
    // The south is A and B together (NPS 25 of 80), the north C's five answers.
    assert_eq!(names_of(&root), ["华南大区", "华北大区"]);
    let south = &all(&root, ".segments tbody tr")[0];
    assert_eq!(south.get_attribute("data-segment").as_deref(), Some("S"));
    assert!(south.text_content().unwrap().contains("80"));
    click(&root, ".segments .seg", "城市");
    yew::scheduler::flush().await;
    assert!(hash().contains("by=city"), "{}", hash());
    assert_eq!(names_of(&root), ["广州", "深圳", "北京"]);
    // The region picked in the filters bar keeps only its stores' answers.
    let select: web_sys::HtmlSelectElement = all(&root, ".filters select")
        .into_iter()
        .find(|s| {
            s.parent_element()
                .unwrap()
                .text_content()
                .unwrap()
                .starts_with("区域")
        })
        .expect("a region filter")
        .unchecked_into();
    select.set_value("N");
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    yew::scheduler::flush().await;
    assert!(hash().contains("region=N"), "{}", hash());
    assert_eq!(names_of(&root), ["北京"]);
    assert_eq!(text(&root, ".glance .n"), "5 条回答");
    root.remove();
}

#[wasm_bindgen_test]
async fn a_dropped_files_places_table_lists_its_stores_and_opens_one() {
    let root = render("lang=zh-CN").await;
    // No org: the stores, worst first among those with enough answers, C (5) greyed last; no
    // response rate nor open cases without the collector; no target column.
    assert_eq!(
        all(&root, ".drill table").len(),
        1,
        "{}",
        text(&root, ".drill")
    );
    let level = root.query_selector(".drill table").unwrap().unwrap();
    assert_eq!(level.get_attribute("data-level").unwrap(), "store");
    let rows = all(&root, ".drill tbody tr");
    let order: Vec<String> = rows
        .iter()
        .map(|r| r.get_attribute("data-code").unwrap())
        .collect();
    assert_eq!(order, ["B", "A", "C"]);
    assert!(rows[2].class_list().contains("thin"));
    let cells: Vec<String> = all(&rows[0], "td")
        .iter()
        .map(|c| c.text_content().unwrap())
        .collect();
    assert_eq!(cells.len(), 5, "{cells:?}");
    assert_eq!((cells[3].as_str(), cells[4].as_str()), ("—", "—"));
    assert!(root.query_selector(".drill button.more").unwrap().is_none());
    // A's name opens its advisors; the link keeps the store.
    root.query_selector(".drill tbody tr[data-code=A] button.open")
        .unwrap()
        .unwrap()
        .unchecked_into::<HtmlElement>()
        .click();
    for _ in 0..3 {
        yew::scheduler::flush().await;
    }
    let hash = web_sys::window().unwrap().location().hash().unwrap();
    assert!(hash.contains("store=A"), "{hash}");
    let level = root.query_selector(".drill table").unwrap().unwrap();
    assert_eq!(level.get_attribute("data-level").unwrap(), "advisor");
    assert_eq!(text(&root, ".drill tbody th"), "（未填写）");
    assert_eq!(text(&root, ".glance .n"), "40 条回答");
    root.remove();
}

/// The what-if levers move a figure only where there is one: store C's 5 answers get
/// "样本不足（5 条），暂不评级" and no slider, the whole view its three sliders.
/// Answers all left out are not "no answers": the headline says none can be counted, and how
/// many were left out and why, in each language.
#[wasm_bindgen_test]
async fn a_range_of_answers_all_left_out_says_so() {
    let mut records = Vec::new();
    answers(&mut records, "A", 9, 300, 2);
    for r in &mut records {
        r.flagged = Some(nps_dashboard::data::LeftOut::TooFast);
    }
    for (lang, none, why) in [
        ("zh-CN", "所选范围内没有可计入的回答。", "300"),
        ("en", "No response in this range can be counted.", "300"),
    ] {
        let root = render_records(&format!("lang={lang}"), records.clone(), Names::default()).await;
        assert_eq!(text(&root, ".glance .empty"), none);
        assert!(text(&root, ".glance .left-out").contains(why), "{lang}");
        root.remove();
    }
    let root = render("lang=zh-CN&from=2020-01-01&to=2020-01-31").await;
    assert_eq!(text(&root, ".glance .empty"), "所选范围内还没有回答。");
    root.remove();
}

/// A store manager's answers (all of one store) under the region's name in the places table:
/// the table says the figures are that store's only; the whole brand's answers say nothing.
#[wasm_bindgen_test]
async fn one_stores_answers_under_a_regions_name_say_so() {
    let org = || Names::from_json(include_str!("org.json")).unwrap();
    let mut mine = Vec::new();
    answers(&mut mine, "A", 9, 40, 2);
    answers(&mut mine, "A", 3, 10, 2);
    let root = render_records("lang=zh-CN", mine, org()).await;
    let note = root
        .query_selector(".drill .scope-note")
        .unwrap()
        .expect("the note");
    assert_eq!(note.get_attribute("data-store").as_deref(), Some("A"));
    assert_eq!(
        note.text_content().unwrap(),
        "这里的回答都来自深圳福田店：各级（区域、城市）的数字只含这家门店。"
    );
    root.remove();
    let root = render_with("lang=zh-CN", org()).await;
    assert!(root.query_selector(".drill .scope-note").unwrap().is_none());
    root.remove();
}

#[wasm_bindgen_test]
async fn the_what_if_levers_wait_for_enough_answers() {
    let root = render("store=C&lang=zh-CN").await;
    assert_eq!(text(&root, ".whatif .thin"), "样本不足（5 条），暂不评级");
    assert!(all(&root, ".whatif input[type=range]").is_empty());
    root.remove();
    let root = render("lang=zh-CN").await;
    assert_eq!(all(&root, ".whatif input[type=range]").len(), 3);
    root.remove();
}
