//! When a survey shows, in a real headless Chromium: each trigger, `NpsWidget.show()`,
//! throttling after an answer or a dismissal, sampling, `force`, and a kiosk's reset. Every
//! test uses its own survey id: marks are per survey, and the tests share one browser.
#![cfg(target_arch = "wasm32")]

use nps_widget::web;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

mod common;
use common::{document, error_message, host, settle, view};

async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
    settle().await;
}

fn mount(json: &str) -> (Element, web::Handle) {
    let el = host();
    let h = web::mount(el.clone().into(), js_sys::JSON::parse(json).unwrap()).unwrap();
    (el, h)
}

/// The survey's card, if it shows.
fn card(el: &Element) -> Option<web_sys::HtmlElement> {
    el.query_selector("nps-root")
        .unwrap()
        .and_then(|_| view(el).query_selector(".nps-card").unwrap())
        .map(|c| c.dyn_into().unwrap())
}

async fn click_in(el: &Element, sel: &str) {
    let root = el
        .query_selector("nps-root")
        .unwrap()
        .unwrap()
        .shadow_root()
        .unwrap();
    let b: web_sys::HtmlElement = root
        .query_selector(sel)
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    b.click();
    settle().await;
}

#[wasm_bindgen_test]
async fn a_delay_shows_the_survey_after_its_milliseconds() {
    let (el, _h) =
        mount(r#"{"endpoint": "/x", "survey": "t-delay", "mode": "slide-in", "delay_ms": 300}"#);
    settle().await;
    assert!(card(&el).is_none(), "not before its delay");
    sleep(450).await;
    assert!(card(&el).is_some(), "shown after its delay");
}

#[wasm_bindgen_test]
async fn a_click_on_the_selector_shows_it_and_reopens_a_closed_survey() {
    let button: web_sys::HtmlElement = document()
        .create_element("button")
        .unwrap()
        .dyn_into()
        .unwrap();
    button.set_class_name("open-feedback");
    let inner = document().create_element("span").unwrap();
    button.append_child(&inner).unwrap();
    document().body().unwrap().append_child(&button).unwrap();
    let (el, h) = mount(
        r#"{"endpoint": "/x", "survey": "t-click", "mode": "modal", "trigger": "click", "click_selector": ".open-feedback"}"#,
    );
    settle().await;
    assert!(card(&el).is_none(), "waits for the click");
    let inner: web_sys::HtmlElement = inner.dyn_into().unwrap();
    inner.click();
    settle().await;
    assert!(
        card(&el).is_some(),
        "a click inside the selector's element opens it"
    );
    let first = h.id().unwrap();
    click_in(&el, ".nps-close").await;
    assert!(card(&el).is_none());
    button.click();
    settle().await;
    assert!(
        card(&el).is_some(),
        "a closed survey reopens on the next click"
    );
    assert_ne!(h.id().unwrap(), first, "as a fresh response");
}

#[wasm_bindgen_test]
async fn a_selector_the_browser_cannot_read_is_an_embed_error() {
    let el = host();
    let err = web::mount(
        el.clone().into(),
        js_sys::JSON::parse(r#"{"endpoint": "/x", "survey": "t-bad", "trigger": "click", "click_selector": "[[nope"}"#).unwrap(),
    )
    .err()
    .unwrap();
    let message = error_message(err);
    assert!(message.contains("click_selector"), "{message}");
}

#[wasm_bindgen_test]
async fn manual_surveys_wait_for_show() {
    let (el, _h) = mount(r#"{"endpoint": "/x", "survey": "t-manual", "trigger": "manual"}"#);
    settle().await;
    assert!(card(&el).is_none());
    let other = host();
    assert!(
        !web::show(other.into()).unwrap(),
        "no survey in that element"
    );
    assert!(web::show(el.clone().into()).unwrap());
    settle().await;
    assert!(card(&el).is_some());
    let err = web::show(JsValue::from_str("#no-such-element"))
        .err()
        .unwrap();
    let message = error_message(err);
    assert!(
        message.starts_with("NpsWidget.show: no element matches"),
        "{message}"
    );
}

#[wasm_bindgen_test]
async fn a_dismissed_slide_in_stays_away_for_its_days_unless_forced() {
    let cfg = r#"{"endpoint": "/x", "survey": "t-throttle", "mode": "slide-in"}"#;
    let (el, _h) = mount(cfg);
    settle().await;
    click_in(&el, ".nps-close").await;
    let (again, _h2) = mount(cfg);
    settle().await;
    assert!(
        card(&again).is_none(),
        "closed unanswered: not asked again for 30 days"
    );
    assert!(
        !web::show(again.clone().into()).unwrap(),
        "show() respects the throttling"
    );
    let (forced, _h3) =
        mount(r#"{"endpoint": "/x", "survey": "t-throttle", "mode": "slide-in", "force": true}"#);
    settle().await;
    assert!(card(&forced).is_some(), "force shows it");
    let (zero, _h4) = mount(
        r#"{"endpoint": "/x", "survey": "t-throttle", "mode": "slide-in", "throttle_dismissed_days": 0}"#,
    );
    settle().await;
    assert!(card(&zero).is_some(), "0 days: asked again at once");
}

#[wasm_bindgen_test]
async fn an_answered_survey_is_not_asked_again_for_its_days() {
    let cfg = r#"{"endpoint": "/x", "survey": "t-answered", "mode": "slide-in", "locale": "en"}"#;
    let (el, _h) = mount(cfg);
    settle().await;
    click_in(&el, "[data-score='9']").await;
    click_in(&el, ".nps-submit").await;
    let (again, _h2) = mount(cfg);
    settle().await;
    assert!(card(&again).is_none(), "a slide-in stays away");
    let (inline, _h3) = mount(r#"{"endpoint": "/x", "survey": "t-answered", "locale": "en"}"#);
    settle().await;
    assert_eq!(
        card(&inline).unwrap().text_content().unwrap(),
        "You've already answered — thank you!",
        "an inline survey says so"
    );
}

#[wasm_bindgen_test]
async fn sampling_keeps_a_browser_out_and_force_brings_it_back() {
    let (el, h) = mount(r#"{"endpoint": "/x", "survey": "t-sample", "sample_rate": 0}"#);
    settle().await;
    assert!(card(&el).is_none(), "rate 0: nobody is asked");
    assert_eq!(h.id(), None);
    let (all, _h2) = mount(r#"{"endpoint": "/x", "survey": "t-sample", "sample_rate": 1}"#);
    settle().await;
    assert!(card(&all).is_some(), "rate 1: everybody");
    let (forced, _h3) =
        mount(r#"{"endpoint": "/x", "survey": "t-sample", "sample_rate": 0, "force": true}"#);
    settle().await;
    assert!(card(&forced).is_some(), "force: asked whatever the sample");
}

#[wasm_bindgen_test]
async fn a_kiosk_starts_afresh_for_the_next_customer_and_keeps_nothing() {
    let (el, h) =
        mount(r#"{"endpoint": "/x", "survey": "t-kiosk", "kiosk_reset_s": 1, "locale": "en"}"#);
    settle().await;
    let first = h.id().unwrap();
    click_in(&el, "[data-score='2']").await;
    click_in(&el, ".nps-skip").await;
    assert!(card(&el)
        .unwrap()
        .text_content()
        .unwrap()
        .contains("Thank you"));
    sleep(1400).await;
    let fresh = card(&el).unwrap();
    assert!(
        fresh.query_selector(".nps-scale").unwrap().is_some(),
        "the question again"
    );
    assert!(
        fresh
            .query_selector("[aria-checked='true']")
            .unwrap()
            .is_none(),
        "no score carried over"
    );
    assert_ne!(h.id().unwrap(), first, "a new response");
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let path = web_sys::window().unwrap().location().pathname().unwrap();
    let keys = nps_widget::survey::marks::Keys::new("t-kiosk", None, &path);
    for key in [&keys.answered, &keys.dismissed, &keys.sample, &keys.draft] {
        assert_eq!(
            storage.get_item(key).unwrap(),
            None,
            "a kiosk keeps no {key}"
        );
    }
    // A second kiosk on the same survey is asked at once: the first left no marks.
    let (next, _h2) = mount(
        r#"{"endpoint": "/x", "survey": "t-kiosk", "kiosk_reset_s": 1, "locale": "en", "mode": "slide-in"}"#,
    );
    settle().await;
    assert!(card(&next).is_some());
}

#[wasm_bindgen_test]
async fn a_scroll_depth_shows_the_survey_when_the_reader_gets_there() {
    let tall: web_sys::HtmlElement = document()
        .create_element("div")
        .unwrap()
        .dyn_into()
        .unwrap();
    tall.style().set_property("height", "5000px").unwrap();
    document().body().unwrap().append_child(&tall).unwrap();
    let window = web_sys::window().unwrap();
    window.scroll_to_with_x_and_y(0.0, 0.0);
    let (el, _h) = mount(
        r#"{"endpoint": "/x", "survey": "t-scroll", "mode": "slide-in", "trigger": "scroll", "scroll_percent": 80}"#,
    );
    settle().await;
    assert!(card(&el).is_none(), "not at the top of a long page");
    let height = document().document_element().unwrap().scroll_height() as f64;
    window.scroll_to_with_x_and_y(0.0, height * 0.4);
    sleep(100).await;
    assert!(card(&el).is_none(), "not at 40%");
    window.scroll_to_with_x_and_y(0.0, height);
    sleep(100).await;
    assert!(card(&el).is_some(), "shown at the bottom");
    tall.remove();
}
