//! The case queue as 深圳福田店's manager works it, at 375 and 1280 px in zh-CN, on the demo
//! set (its cases worked as a team would have: `demo::cases`) and two more detractors who
//! asked to be called (one 30 hours ago, overdue; one at the number on the order). Each tab,
//! a case's history and re-survey link, and the figures per store and per advisor; with
//! `NPS_SCREENSHOTS=DIR` (`cargo xtask screenshots`) a PNG of each. Checks what a manager on
//! a phone needs: nothing wider than the screen, every button at least 44 px tall with its
//! words on one line, overdue in red words, and the figures filled in.

use nps_collector::{demo, write_key, Now, Store};
use nps_core::access::{Role, Scope};
use nps_e2e::{wait_until, Browser, Options, Server};
use serde_json::{json, Value};

/// A detractor of 深圳福田店 stored `hours` ago, asking for a call-back: at a typed phone, or
/// at the number on the order (`phone_tail`).
async fn detractor(server: &Server, hours: i64, visit: &str, on_file: bool) {
    let store = Store::open(&server.db).unwrap();
    let at = time::OffsetDateTime::now_utc() - time::Duration::hours(hours);
    let now = Now::from_time(at);
    let id = nps_e2e::response_id();
    let (contact, context) = if on_file {
        (
            json!({"on_file": true, "consent": true, "callback_hours": 24}),
            json!({"store": "SZ-FT", "advisor": "wang", "visit": visit, "phone_tail": "3788"}),
        )
    } else {
        (
            json!({"phone": "+8613912346688", "consent": true, "callback_hours": 24}),
            json!({"store": "SZ-FT", "advisor": "chen", "visit": visit}),
        )
    };
    let body = json!({"schema": 1, "id": id, "survey": "after-sales", "stage": "completed",
        "score": 3, "category": "detractor", "reasons": ["wait_time", "progress_updates"],
        "comment": "等了三个多小时，没人告诉我进度。", "contact": contact, "context": context,
        "locale": "zh-CN", "page": "https://brand.example/qr", "created_at": now.at,
        "updated_at": now.at, "write_key": write_key::fresh()});
    let response = nps_core::contract::payload::Response::parse(&body).expect("a valid answer");
    let admission = nps_collector::Admission::operator();
    store
        .upsert_batch(vec![(response, now, None, admission)])
        .await
        .unwrap();
    store.flush().await.unwrap();
}

async fn shot(b: &Browser, name: &str) {
    b.at_rest().await;
    b.screenshot(name).await;
}

/// What a phone must not do: scroll sideways, or offer a button under 44 px.
async fn fits(b: &Browser, width: u32, what: &str) {
    let wide = b
        .js("return document.scrollingElement.scrollWidth - innerWidth")
        .await;
    assert_eq!(
        wide,
        json!(0),
        "{what} at {width} px: nothing wider than the screen"
    );
    let small = b
        .js(
            "return [...document.querySelectorAll('.cases button, .case-stats button')]
                .filter(e => e.offsetParent && e.getBoundingClientRect().height < 44)
                .map(e => e.textContent)",
        )
        .await;
    assert_eq!(
        small,
        json!([]),
        "{what} at {width} px: buttons under 44 px"
    );
    let wrapped = b
        .js("return [...document.querySelectorAll('.cases button, .case-stats button')]
                .filter(e => e.offsetParent && e.firstChild && e.firstChild.nodeType === 3)
                .filter(e => { const r = document.createRange(); r.selectNodeContents(e.firstChild);
                               return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size > 1; })
                .map(e => e.textContent)")
        .await;
    assert_eq!(
        wrapped,
        json!([]),
        "{what} at {width} px: a button's words broken in two"
    );
}

/// Chooses a tab of the queue and waits for its cases (or its empty line).
async fn tab(b: &Browser, show: &str) {
    b.click(&format!(".case-tabs button[data-show={show}]"))
        .await;
    b.wait_attr(
        &format!(".case-tabs button[data-show={show}]"),
        "aria-pressed",
        "true",
    )
    .await;
    wait_until(&format!("the {show} cases"), || async {
        let v = b
            .js("return !!document.querySelector('.cases .case-list, .cases .empty')")
            .await;
        (v == json!(true)).then_some(())
    })
    .await;
}

async fn top(b: &Browser, css: &str) {
    b.js(&format!(
        "document.querySelector({css:?}).scrollIntoView({{block: 'start'}})"
    ))
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_managers_case_queue_at_phone_and_desktop_width() {
    let org = nps_collector::org_file::read(include_str!("../../www/demo-org.toml")).unwrap();
    let server = Server::start_with(|s| s.names = demo::names().with_org(org)).await;
    demo::seed(&server.db, 4000, 6, 7).unwrap();
    detractor(&server, 30, "RO-88231", false).await;
    detractor(&server, 2, "RO-88240", true).await;
    for (width, height) in [(375, 667), (1280, 800)] {
        let b = Browser::start(Options {
            width,
            height,
            lang: "zh-CN",
            ..Options::default()
        })
        .await;
        b.beijing_time().await;
        b.sign_in_as(&server, Role::Store, Scope::Stores(vec!["SZ-FT".into()]))
            .await;
        b.goto(&format!("{}/dashboard.html", server.base)).await;
        b.find(".cases li.case[data-id]").await;
        let name = |what: &str| format!("cases-{width}-zh-cn-{what}");

        // To call: the most urgent on top, overdue in red words.
        top(&b, ".cases").await;
        let first = b.text(".cases li.case .case-head").await;
        assert!(first.contains("已超时"), "the overdue case on top: {first}");
        let red = b
            .js(
                "const e = document.querySelector('.cases li.case .due.overdue'); \
                 return e && getComputedStyle(e).color",
            )
            .await;
        assert!(red.as_str().is_some_and(|c| c != "rgb(0, 0, 0)"), "{red}");
        fits(&b, width, "the queue").await;
        shot(&b, &name("open")).await;
        let on_file = b
            .js("return [...document.querySelectorAll('.cases li.case')].map(l => l.textContent).join('|')")
            .await;
        assert!(on_file.as_str().unwrap().contains("尾号 3788"), "{on_file}");

        tab(&b, "overdue").await;
        top(&b, ".cases").await;
        shot(&b, &name("overdue")).await;
        tab(&b, "contacted").await;
        top(&b, ".cases").await;
        fits(&b, width, "contacted").await;
        shot(&b, &name("contacted")).await;

        // Resolved: the newest first, its history and its re-survey link opened.
        tab(&b, "resolved").await;
        b.click(".cases li.case [data-act=history]").await;
        b.find(".cases li.case .history li").await;
        let history = b.text(".cases li.case .history").await;
        assert!(history.contains("根本原因"), "{history}");
        top(&b, ".cases li.case").await;
        fits(&b, width, "a resolved case's history").await;
        shot(&b, &name("resolved-history")).await;

        // The figures: every store row filled in, a recovery rate among them.
        top(&b, ".case-stats").await;
        b.find(".case-stats tr[data-key='SZ-FT']").await;
        let row: Value = b
            .js("return [...document.querySelectorAll(\".case-stats tr[data-key='SZ-FT'] td\")].map(td => td.textContent)")
            .await;
        let cells: Vec<&str> = row
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(cells.len(), 6, "{row}");
        assert!(cells[5].contains('%'), "a recovery rate: {row}");
        fits(&b, width, "the figures").await;
        shot(&b, &name("stats")).await;
        b.click(".case-stats button[data-by=advisor]").await;
        b.find(".case-stats tr[data-key='wang']").await;
        shot(&b, &name("stats-advisor")).await;
        b.close().await;
    }
}
