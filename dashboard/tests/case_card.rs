//! A case of the queue in a real headless Chromium, as the collector's case API gives it: the
//! DOM the end-to-end test drives (`li.case[data-id][data-state]`, `[data-act=…]`,
//! `select[name=root_cause]`, `textarea[name=note]`), overdue in red words, the order's number
//! to call, "show number" for a store manager and none for an analyst, and resolving without
//! a root cause said in words before anything is sent; a resolved case's re-survey link to copy
//! and its history in words. Run by `cargo xtask test`.
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use common::{mount, one, text, view};
use nps_core::words::Locale;
use nps_dashboard::cases::Case;
use nps_dashboard::web::{CaseCard, View};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

mod common;

wasm_bindgen_test_configure!(run_in_browser);

/// The spec's case: a detractor of 深圳福田店, five hours overdue, who ticked "call me at
/// the number on my order".
const CASE: &str = r#"{"id": "c-88231", "response_id": "r-1", "survey": "after-sales",
 "store": "SZ-FT", "store_name": "深圳福田店", "advisor": "wang", "advisor_name": "王磊",
 "region": "south", "visit": "RO-88231", "status": "open", "category": "detractor", "score": 3,
 "reasons": ["wait_time", "progress_updates"], "comment": "等了三个多小时，没人告诉我进度。",
 "callback": true, "phone": "138****3788", "phone_on_file": "3788",
 "opened_at": "2026-12-03T01:30:00Z", "deadline": "2026-12-04T01:30:00Z", "hours_left": -5,
 "overdue": true, "owner": null, "root_cause": null, "reopens": 0, "first_contact_at": null,
 "resolved_at": null, "recovery_score": null}"#;

#[derive(Properties, PartialEq)]
struct Props {
    view: Rc<View>,
    case: Rc<Case>,
}

#[component]
fn One(props: &Props) -> Html {
    html! {
        <ul class="case-list">
            <CaseCard view={props.view.clone()} case={props.case.clone()}
                causes={Rc::new(vec!["维修质量".to_owned(), "等待时间".to_owned()])}
                on_saved={Callback::from(|_: Case| ())} />
        </ul>
    }
}

async fn render(role: &str) -> Element {
    render_case(role, Case::from_json(CASE).unwrap()).await
}

async fn render_case(role: &str, case: Case) -> Element {
    let root = mount();
    let case = Rc::new(case);
    yew::Renderer::<One>::with_root_and_props(
        root.clone(),
        Props {
            view: view(role, Locale::ZhCn),
            case,
        },
    )
    .render();
    yew::scheduler::flush().await;
    root
}

#[wasm_bindgen_test]
async fn a_store_manager_sees_the_case_and_resolving_needs_a_root_cause() {
    let root = render("store").await;
    let case = one(&root, "li.case[data-id='c-88231'][data-state=open]").expect("the case");
    assert!(case.class_list().contains("overdue"));
    assert_eq!(text(&root, ".case .due.overdue"), "已超时 5 小时");
    assert_eq!(text(&root, ".case .store"), "深圳福田店 · 顾问 王磊");
    assert!(text(&root, ".case .case-where").contains("工单 RO-88231"));
    assert_eq!(text(&root, ".case .reasons"), "等待时长、进度沟通");
    assert_eq!(
        text(&root, ".case .on-file"),
        "按工单 RO-88231 预留号码（尾号 3788）回电"
    );
    assert_eq!(text(&root, ".case .owner"), "负责人：门店负责人");
    assert!(text(&root, ".case .phone").starts_with("138****3788"));
    assert!(one(&root, ".case [data-act=reveal]").is_some());
    for act in ["contact", "resolve", "history"] {
        assert!(
            one(&root, &format!(".case button[data-act={act}]")).is_some(),
            "{act}"
        );
    }
    assert!(
        one(&root, ".case [data-act=recovery]").is_none(),
        "not resolved yet"
    );
    // Waiting for a call, the card asks only for a note; the root cause comes with resolving.
    assert!(one(&root, ".case select[name=root_cause]").is_none());
    assert!(one(&root, ".case textarea[name=note]").is_some());
    // Resolving with no root cause: said at once, the choice offered, nothing sent.
    one(&root, "button[data-act=resolve]")
        .unwrap()
        .unchecked_into::<HtmlElement>()
        .click();
    yew::scheduler::flush().await;
    assert_eq!(text(&root, ".case .status.error"), "请选择根本原因。");
    assert_eq!(
        one(&root, "select[name=root_cause]")
            .unwrap()
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("true")
    );
    // Handing over without a colleague's email: said, the field marked, nothing sent.
    one(&root, "button[data-act=assign]")
        .unwrap()
        .unchecked_into::<HtmlElement>()
        .click();
    yew::scheduler::flush().await;
    assert_eq!(text(&root, ".case .status.error"), "请填写同事的邮箱。");
    assert_eq!(
        one(&root, "input[name=owner]")
            .unwrap()
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("true")
    );
    root.remove();
}

#[wasm_bindgen_test]
async fn an_analyst_reads_the_case_without_acting_or_the_number() {
    let root = render("analyst").await;
    assert!(one(&root, "li.case[data-id]").is_some());
    assert!(one(&root, "[data-act=reveal]").is_none());
    assert!(one(&root, "[data-act=contact]").is_none());
    assert!(one(&root, "[data-act=resolve]").is_none());
    assert!(one(&root, "select[name=root_cause]").is_none());
    assert!(one(&root, "[data-act=assign]").is_none());
    assert!(one(&root, "[data-act=history]").is_some());
    assert_eq!(text(&root, ".case .phone"), "138****3788");
    root.remove();
}

#[wasm_bindgen_test]
async fn a_resolved_case_offers_its_re_survey_link_and_tells_its_history() {
    let with = CASE.trim_end().trim_end_matches('}').to_owned()
        + r#", "history": [
        {"at": "2026-12-03T01:30:00Z", "who": "collector", "what": "opened"},
        {"at": "2026-12-03T09:00:00Z", "who": "li@brand.example", "what": "resolved",
         "root_cause": "等待时间", "note": "已道歉"}],
        "recovery_url": "https://nps.brand.example/r/abc"}"#;
    let case = Case {
        status: "resolved".into(),
        root_cause: Some("等待时间".into()),
        recovery_score: Some(8),
        ..Case::from_json(&with).unwrap()
    };
    let root = render_case("store", case).await;
    assert!(one(&root, "li.case[data-state=resolved]").is_some());
    assert!(one(&root, ".due").is_none(), "no hours left once resolved");
    assert_eq!(text(&root, ".case .badge.state"), "已解决");
    assert_eq!(text(&root, ".case .recovery-score"), "回访问卷评分 8");
    assert!(one(&root, "[data-act=contact]").is_none());
    assert!(one(&root, "[data-act=resolve]").is_none());
    assert!(one(&root, "select[name=root_cause]").is_none());
    for (act, then) in [("recovery", ".recovery-url"), ("history", ".history")] {
        one(&root, &format!("button[data-act={act}]"))
            .unwrap()
            .unchecked_into::<HtmlElement>()
            .click();
        yew::scheduler::flush().await;
        assert!(one(&root, then).is_some(), "{then} after {act}");
    }
    let link = one(&root, ".recovery-url")
        .unwrap()
        .unchecked_into::<web_sys::HtmlInputElement>()
        .value();
    assert_eq!(link, "https://nps.brand.example/r/abc");
    assert!(one(&root, "button[data-act=copy]").is_some());
    assert!(text(&root, ".recovery").contains("已复制。"));
    let lines: Vec<String> = (0..2)
        .map(|i| text(&root, &format!(".history li:nth-child({})", i + 1)))
        .collect();
    assert!(lines[0].contains("创建回访"), "{lines:?}");
    assert!(
        lines[1].contains("li@brand.example")
            && lines[1].contains("已解决：根本原因：等待时间 · 已道歉"),
        "{lines:?}"
    );
    root.remove();
}
