//! "朋友的预约" in a real headless Chromium, as the collector's `GET /api/referrals/bookings`
//! gives it: each friend's name (称呼), the day they would like to come, the store and advisor,
//! who referred them, the phone masked with "显示号码" that asks
//! `POST /api/referrals/bookings/{id}/reveal` and turns into a number to call, a phone removed
//! at its retention said in words, no phone and no button for an analyst, the three languages,
//! and a refusal said in words. Run by `cargo xtask test`.
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use common::{all, mount, one, text, until};
use nps_core::words::Locale;
use nps_dashboard::funnel::{bookings, Ask};
use nps_dashboard::web::{BookingList, Bookings, View};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

mod common;

wasm_bindgen_test_configure!(run_in_browser);

/// A booking from the form (masked phone), a brand's report (no name, no date, no phone), and
/// one whose phone was removed at its retention; as the collector sends an analyst, the last
/// row has no `phone` key.
const ROWS: &str = r#"{"rows": [
  {"id": "b-2", "store": "SZ-FT", "advisor": "wang", "promoter_name": "王先生",
   "friend_name": "李女士", "preferred_date": "2026-12-10", "phone": "138****3788",
   "via": "form", "booked_at": "2026-12-03T08:00:00.000Z"},
  {"id": "b-1", "store": "SZ-FT", "advisor": null, "promoter_name": null,
   "friend_name": null, "preferred_date": null, "phone": null, "via": "api",
   "booked_at": "2026-12-01T08:00:00.000Z"},
  {"id": "b-0", "store": "SZ-FT", "advisor": null, "promoter_name": null,
   "friend_name": "张先生", "preferred_date": null, "phone": null, "via": "form",
   "booked_at": "2026-08-01T08:00:00.000Z"}
]}"#;

const ANALYST_ROWS: &str = r#"{"rows": [
  {"id": "b-2", "store": "SZ-FT", "advisor": "wang", "promoter_name": "王先生",
   "friend_name": "李女士", "preferred_date": "2026-12-10", "via": "form",
   "booked_at": "2026-12-03T08:00:00.000Z"}
]}"#;

#[derive(Properties, PartialEq)]
struct Props {
    view: Rc<View>,
    json: &'static str,
}

#[component]
fn List(props: &Props) -> Html {
    let rows = Rc::new(bookings::from_json(props.json).unwrap());
    html! { <section class="funnel"><BookingList view={props.view.clone()} {rows} /></section> }
}

async fn render(role: &str, locale: Locale, json: &'static str) -> Element {
    let root = mount();
    let props = Props {
        view: common::view(role, locale),
        json,
    };
    yew::Renderer::<List>::with_root_and_props(root.clone(), props).render();
    yew::scheduler::flush().await;
    root
}

/// The browser's `fetch` answers a reveal with the full number and notes what was asked;
/// anything else goes to the real `fetch`.
fn fake_reveal() {
    js_sys::eval(
        "window.npsAsked = []; window.npsFetch = window.npsFetch || window.fetch;
         window.fetch = function (req) {
           if (req.url.indexOf('/reveal') < 0) return window.npsFetch(req);
           window.npsAsked.push(req.method + ' ' + new URL(req.url).pathname);
           return Promise.resolve(new Response('{\"id\":\"b-2\",\"phone\":\"+8613812343788\"}',
             {status: 200, headers: {'content-type': 'application/json'}}));
         };",
    )
    .unwrap();
}

fn asked() -> Vec<String> {
    let list = js_sys::eval("window.fetch = window.npsFetch; window.npsAsked").unwrap();
    js_sys::Array::from(&list)
        .iter()
        .map(|v| v.as_string().unwrap())
        .collect()
}

#[wasm_bindgen_test]
async fn a_store_manager_sees_each_friend_and_reveals_the_number_to_call() {
    let root = render("store", Locale::ZhCn, ROWS).await;
    let ids: Vec<String> = all(&root, "ul.bookings li")
        .iter()
        .map(|li| li.get_attribute("data-id").unwrap())
        .collect();
    assert_eq!(
        ids,
        ["b-2", "b-1", "b-0"],
        "the collector's order, newest first"
    );
    let li = "ul.bookings li[data-id=b-2]";
    assert_eq!(
        text(&root, &format!("{li} .friend")),
        "李女士 · 希望12月10日到店"
    );
    assert_eq!(
        text(&root, &format!("{li} .muted.small")),
        "SZ-FT · wang · 推荐人：王先生"
    );
    assert!(text(&root, &format!("{li} .phone")).starts_with("138****3788"));
    assert_eq!(text(&root, &format!("{li} [data-act=reveal]")), "显示号码");
    // A brand's report: no name, no date; no number to call.
    let api = "ul.bookings li[data-id=b-1]";
    assert_eq!(
        text(&root, &format!("{api} .friend")),
        "朋友（未留称呼） · 未选日期"
    );
    assert_eq!(
        text(&root, &format!("{api} .via")),
        "由品牌系统报告，联系方式在品牌系统中"
    );
    assert!(one(&root, &format!("{api} [data-act=reveal]")).is_none());
    // A form's booking whose number was removed at its retention.
    let old = "ul.bookings li[data-id=b-0]";
    assert_eq!(text(&root, &format!("{old} .gone")), "号码已按保留期限删除");
    // "显示号码": the booking's reveal is asked, and the number becomes a link to call.
    fake_reveal();
    one(&root, &format!("{li} [data-act=reveal]"))
        .unwrap()
        .unchecked_into::<HtmlElement>()
        .click();
    let call = until(&root, &format!("{li} a.phone")).await;
    assert_eq!(
        asked(),
        ["POST /no-collector/referrals/bookings/b-2/reveal"]
    );
    assert_eq!(call.text_content().unwrap(), "+8613812343788");
    assert_eq!(
        call.get_attribute("href").as_deref(),
        Some("tel:+8613812343788")
    );
    root.remove();
}

#[wasm_bindgen_test]
async fn an_analyst_sees_the_bookings_without_any_number() {
    let root = render("analyst", Locale::ZhCn, ANALYST_ROWS).await;
    assert_eq!(
        text(&root, "ul.bookings li[data-id=b-2] .friend"),
        "李女士 · 希望12月10日到店"
    );
    assert!(one(&root, ".phone").is_none());
    assert!(one(&root, "[data-act=reveal]").is_none());
    assert!(one(&root, ".gone").is_none());
    root.remove();
}

#[wasm_bindgen_test]
async fn the_bookings_speak_traditional_chinese_and_english() {
    let root = render("region", Locale::ZhTw, ROWS).await;
    assert_eq!(
        text(&root, "li[data-id=b-2] .muted.small"),
        "SZ-FT · wang · 推薦人：王先生"
    );
    assert_eq!(text(&root, "li[data-id=b-2] [data-act=reveal]"), "顯示號碼");
    assert_eq!(
        text(&root, "li[data-id=b-1] .friend"),
        "朋友（未留稱呼） · 未選日期"
    );
    root.remove();
    let root = render("region", Locale::En, ROWS).await;
    assert_eq!(
        text(&root, "li[data-id=b-2] .friend"),
        "李女士 · Would like to come on 10 Dec"
    );
    assert_eq!(
        text(&root, "li[data-id=b-2] .muted.small"),
        "SZ-FT · wang · Referred by 王先生"
    );
    assert_eq!(
        text(&root, "li[data-id=b-2] [data-act=reveal]"),
        "Show number"
    );
    root.remove();
    let root = render("store", Locale::ZhCn, r#"{"rows": []}"#).await;
    assert_eq!(text(&root, ".empty"), "还没有朋友预约。");
    root.remove();
}

#[derive(Properties, PartialEq)]
struct AskProps {
    view: Rc<View>,
}

#[component]
fn Asked(props: &AskProps) -> Html {
    let ask = Ask {
        from: 20_400,
        to: 20_430,
        offset: 480,
        survey: None,
        store: Some("SZ-FT".into()),
    };
    html! { <Bookings view={props.view.clone()} {ask} /> }
}

#[wasm_bindgen_test]
async fn the_bookings_are_asked_of_the_collector_and_a_refusal_is_said() {
    let root = mount();
    let props = AskProps {
        view: common::view("store", Locale::ZhCn),
    };
    yew::Renderer::<Asked>::with_root_and_props(root.clone(), props).render();
    yew::scheduler::flush().await;
    assert_eq!(text(&root, ".friend-bookings h3"), "朋友的预约");
    assert!(text(&root, ".friend-bookings p.muted").contains("审计日志"));
    // Nothing answers here: said in words, not a blank.
    let why = until(&root, ".friend-bookings .status.error").await;
    assert!(why.text_content().unwrap().starts_with("无法载入："));
    root.remove();
}

/// 23 bookings: the newest 10 first, then 10 more, then the last 3, each on a tap.
#[wasm_bindgen_test]
async fn many_bookings_are_listed_ten_at_a_time() {
    let rows: Vec<String> = (0..23)
        .map(|i| {
            format!(
                r#"{{"id": "b-{i}", "store": "SZ-FT", "advisor": null, "promoter_name": null,
                   "friend_name": "朋友{i}", "preferred_date": null, "phone": "138****00{i:02}",
                   "via": "form", "booked_at": "2026-12-03T08:00:00.000Z"}}"#
            )
        })
        .collect();
    let json: &'static str =
        Box::leak(format!(r#"{{"rows": [{}]}}"#, rows.join(",")).into_boxed_str());
    let root = render("store", Locale::ZhCn, json).await;
    assert_eq!(all(&root, "ul.bookings li").len(), 10);
    assert_eq!(text(&root, "button.more"), "再显示 10 条（还有 13 条）");
    let tap = |root: &Element| {
        one(root, "button.more")
            .unwrap()
            .unchecked_into::<HtmlElement>()
            .click()
    };
    tap(&root);
    until(&root, "ul.bookings li:nth-child(20)").await;
    assert_eq!(all(&root, "ul.bookings li").len(), 20);
    assert_eq!(text(&root, "button.more"), "再显示 3 条（还有 3 条）");
    tap(&root);
    until(&root, "ul.bookings li:nth-child(23)").await;
    assert!(one(&root, "button.more").is_none());
    root.remove();
}
