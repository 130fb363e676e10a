//! The widget in a real headless Chromium: mount, tap, reasons, each outcome, keyboard,
//! broken embeds, the JS scoring API. Run by `cargo xtask test` (wasm-bindgen-test-runner).
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use nps_widget::web;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

mod common;
use common::{document, error_message, host, settle, view};

fn config(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

/// Records the `detail` of every `name` event on `el`, as JSON text.
fn record(el: &Element, name: &str) -> Rc<RefCell<Vec<String>>> {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let s = seen.clone();
    let cb = Closure::<dyn Fn(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
        s.borrow_mut().push(
            js_sys::JSON::stringify(&e.detail())
                .unwrap()
                .as_string()
                .unwrap(),
        );
    });
    el.add_event_listener_with_callback(name, cb.as_ref().unchecked_ref())
        .unwrap();
    cb.forget();
    seen
}

fn q(el: &Element, sel: &str) -> HtmlElement {
    view(el)
        .query_selector(sel)
        .unwrap()
        .unwrap_or_else(|| panic!("no {sel}"))
        .dyn_into()
        .unwrap()
}

fn text(el: &Element, sel: &str) -> String {
    q(el, sel).text_content().unwrap_or_default()
}

async fn click(el: &Element, sel: &str) {
    q(el, sel).click();
    settle().await;
}

async fn mount(json: &str) -> (Element, web::Handle) {
    let el = host();
    let h = web::mount(el.clone().into(), config(json)).unwrap();
    settle().await;
    (el, h)
}

fn outbox_body(id: &str) -> Option<serde_json::Value> {
    let s = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let raw = s.get_item(&format!("nps:v1:outbox:{id}")).unwrap()?;
    let entry: serde_json::Value = serde_json::from_str(&raw).unwrap();
    serde_json::from_str(entry["body"].as_str().unwrap()).ok()
}

const EN: &str = r#"{"endpoint": "/nowhere/api", "brand": "Acme", "locale": "en", "once": false, "survey": "after-sales"}"#;

#[wasm_bindgen_test]
async fn mounts_with_the_question_and_a_neutral_scale() {
    let (el, _h) = mount(EN).await;
    assert_eq!(
        text(&el, ".nps-question"),
        "Based on this service visit, how likely are you to recommend Acme to a friend or colleague?"
    );
    let radios = view(&el)
        .query_selector_all("[role=radiogroup] [role=radio]")
        .unwrap();
    assert_eq!(radios.length(), 11);
    assert_eq!(
        q(&el, "[data-score='0']")
            .get_attribute("aria-label")
            .unwrap(),
        "0 – Not at all likely"
    );
    assert_eq!(
        q(&el, "[data-score='10']")
            .get_attribute("aria-label")
            .unwrap(),
        "10 – Extremely likely"
    );
    assert!(
        view(&el)
            .query_selector("[aria-checked=true]")
            .unwrap()
            .is_none(),
        "nothing chosen before a tap"
    );
    assert!(view(&el)
        .query_selector(".nps-follow-up")
        .unwrap()
        .is_none());
    // Roving focus: only the first button is in the tab order before a choice.
    assert_eq!(
        view(&el)
            .query_selector_all("[role=radio][tabindex='0']")
            .unwrap()
            .length(),
        1
    );
    let rect = q(&el, "[data-score='5']").get_bounding_client_rect();
    assert!(
        rect.height() >= 44.0,
        "tap target is {} px high",
        rect.height()
    );
}

#[wasm_bindgen_test]
async fn a_tap_colours_the_score_posts_it_and_asks_why() {
    let (el, h) = mount(EN).await;
    let scored = record(&el, "nps:scored");
    click(&el, "[data-score='9']").await;
    let chosen = q(&el, "[data-score='9']");
    assert_eq!(
        chosen.get_attribute("aria-checked").as_deref(),
        Some("true")
    );
    assert!(chosen.class_list().contains("nps-promoter"));
    assert_eq!(
        text(&el, ".nps-follow-up .nps-prompt"),
        "Thank you! What did you like most?"
    );
    let id = h.id().unwrap();
    assert_eq!(
        scored.borrow().as_slice(),
        [format!(
            r#"{{"category":"promoter","id":"{id}","score":9}}"#
        )]
    );
    // Written ahead to storage before the first send; the endpoint 404s, so it stays.
    let body = outbox_body(&id).expect("the scored response is in the outbox");
    assert_eq!(
        (body["stage"].as_str(), body["score"].as_u64()),
        (Some("scored"), Some(9))
    );
    // The score stays changeable.
    click(&el, "[data-score='7']").await;
    assert_eq!(
        text(&el, ".nps-follow-up .nps-prompt"),
        "What would make it a 10?"
    );
    assert_eq!(outbox_body(&id).unwrap()["score"].as_u64(), Some(7));
}

#[wasm_bindgen_test]
async fn reasons_toggle_and_the_comment_counts() {
    let (el, h) = mount(EN).await;
    click(&el, "[data-score='8']").await;
    let chips = view(&el).query_selector_all(".nps-chip").unwrap();
    assert_eq!(chips.length(), 8, "the after-sales preset");
    click(&el, "[data-reason='wait_time']").await;
    click(&el, "[data-reason='booking']").await;
    click(&el, "[data-reason='booking']").await;
    assert_eq!(
        q(&el, "[data-reason='wait_time']")
            .get_attribute("aria-pressed")
            .as_deref(),
        Some("true")
    );
    assert_eq!(
        q(&el, "[data-reason='booking']")
            .get_attribute("aria-pressed")
            .as_deref(),
        Some("false")
    );
    let area: web_sys::HtmlTextAreaElement = q(&el, ".nps-comment").dyn_into().unwrap();
    area.set_value("Quick");
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    area.dispatch_event(
        &web_sys::InputEvent::new_with_event_init_dict("input", &init.unchecked_into()).unwrap(),
    )
    .unwrap();
    settle().await;
    assert_eq!(text(&el, ".nps-counter"), "5/1000");
    let submitted = record(&el, "nps:submitted");
    click(&el, ".nps-submit").await;
    assert_eq!(submitted.borrow().len(), 1);
    let body = outbox_body(&h.id().unwrap()).unwrap();
    assert_eq!(body["stage"], "completed");
    assert_eq!(body["reasons"], serde_json::json!(["wait_time"]));
    assert_eq!(body["comment"], "Quick");
}

#[wasm_bindgen_test]
async fn each_category_gets_its_own_outcome() {
    let with_visit = r#"{"endpoint": "/nowhere/api", "locale": "en", "once": false, "context": {"visit": "RO-1"}}"#;
    let cases = [
        (
            with_visit,
            "2",
            "Thank you for telling us",
            "We're sorry for the trouble. A service manager will be in touch within 24\u{a0}hours to put this right.",
        ),
        // Nobody to call back: no promise of a call.
        (
            EN,
            "2",
            "Thank you for telling us",
            "We're sorry for the trouble. We'll look into what went wrong and put it right.",
        ),
        (
            EN,
            "7",
            "Thanks for your suggestion",
            "We'll work on it and aim to earn a 10\u{a0}next time.",
        ),
        (EN, "10", "Thank you!", "We'd love it if you told a friend."),
    ];
    for (cfg, score, title, body) in cases {
        let (el, _h) = mount(cfg).await;
        click(&el, &format!("[data-score='{score}']")).await;
        click(&el, ".nps-skip").await;
        assert_eq!(text(&el, ".nps-outcome-title"), title, "score {score}");
        assert_eq!(text(&el, ".nps-outcome-body"), body, "score {score}");
        assert!(
            view(&el).query_selector(".nps-scale").unwrap().is_none(),
            "the outcome replaces the form"
        );
    }
}

#[wasm_bindgen_test]
async fn promoters_get_one_primary_action() {
    let (el, _h) = mount(r#"{"endpoint": "/x", "locale": "zh-CN", "once": false, "referral_url": "https://example.com/r", "review_url": "https://example.com/v"}"#).await;
    click(&el, "[data-score='10']").await;
    click(&el, ".nps-submit").await;
    assert_eq!(
        view(&el)
            .query_selector_all(".nps-primary")
            .unwrap()
            .length(),
        1
    );
    assert_eq!(text(&el, ".nps-primary"), "邀请好友试驾");
    assert_eq!(
        q(&el, ".nps-primary").get_attribute("href").as_deref(),
        Some("https://example.com/r")
    );
    assert_eq!(text(&el, ".nps-link"), "写一条评价");
}

#[wasm_bindgen_test]
async fn a_detractor_call_back_needs_a_valid_phone_and_ticked_consent() {
    let (el, h) = mount(r#"{"endpoint": "/x", "locale": "zh-CN", "brand": "星辰汽车", "once": false, "callback_hours": 12}"#).await;
    click(&el, "[data-score='3']").await;
    assert_eq!(
        text(&el, ".nps-follow-up > .nps-prompt"),
        "非常抱歉没能让您满意。主要是哪些方面？"
    );
    let consent: web_sys::HtmlInputElement = q(&el, ".nps-consent-box").dyn_into().unwrap();
    assert!(!consent.checked(), "consent starts unticked");
    assert!(text(&el, ".nps-consent").contains("我同意星辰汽车仅为处理本次反馈致电联系我"));
    let phone: web_sys::HtmlInputElement = q(&el, ".nps-phone").dyn_into().unwrap();
    let type_phone = |v: &str| {
        phone.set_value(v);
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        phone
            .dispatch_event(
                &web_sys::InputEvent::new_with_event_init_dict("input", &init.unchecked_into())
                    .unwrap(),
            )
            .unwrap();
    };
    type_phone("12345");
    settle().await;
    click(&el, ".nps-submit").await;
    assert!(text(&el, ".nps-problem").starts_with("请输入有效的手机号"));
    type_phone("138 1234 5678");
    settle().await;
    click(&el, ".nps-submit").await;
    assert_eq!(text(&el, ".nps-problem"), "如需回电，请勾选同意。");
    assert_eq!(
        outbox_body(&h.id().unwrap()).unwrap()["contact"],
        serde_json::Value::Null,
        "nothing sent without consent"
    );
    consent.click();
    settle().await;
    click(&el, ".nps-submit").await;
    assert_eq!(
        text(&el, ".nps-outcome-body"),
        "收到您的反馈，非常抱歉给您添麻烦了。12\u{a0}小时内，服务经理会给您回电，把问题解决好。"
    );
    let body = outbox_body(&h.id().unwrap()).unwrap();
    let contact = &body["contact"];
    assert_eq!(
        (
            &contact["phone"],
            &contact["consent"],
            &contact["retention_days"]
        ),
        (
            &serde_json::json!("+8613812345678"),
            &serde_json::json!(true),
            &serde_json::json!(30)
        ),
        "the phone, with the retention its consent text promised"
    );
    assert_eq!(
        contact["callback_hours"],
        serde_json::json!(12),
        "the call-back promised travels with the phone"
    );
    let version = contact["consent_version"].as_str().unwrap();
    assert!(
        version.starts_with("zh-CN-") && version.len() == 14,
        "{version}"
    );
}

#[wasm_bindgen_test]
async fn arrow_keys_move_focus_along_the_scale() {
    let (el, _h) = mount(EN).await;
    q(&el, "[data-score='0']").focus().unwrap();
    let press = |key: &str| {
        let init = web_sys::KeyboardEventInit::new();
        init.set_key(key);
        init.set_bubbles(true);
        let ev =
            web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
        view(&el)
            .active_element()
            .unwrap()
            .dispatch_event(&ev)
            .unwrap();
    };
    let focused = || {
        view(&el)
            .active_element()
            .unwrap()
            .get_attribute("data-score")
    };
    press("ArrowRight");
    press("ArrowRight");
    assert_eq!(focused().as_deref(), Some("2"));
    press("ArrowLeft");
    assert_eq!(focused().as_deref(), Some("1"));
    press("End");
    assert_eq!(focused().as_deref(), Some("10"));
    press("ArrowRight");
    assert_eq!(focused().as_deref(), Some("10"), "stops at the end");
    press("Home");
    assert_eq!(focused().as_deref(), Some("0"));
}

#[wasm_bindgen_test]
async fn a_broken_embed_says_what_is_wrong_in_the_element_and_the_error() {
    let el = host();
    el.set_attribute("data-locale", "fr").unwrap();
    let errors = record(&el, "nps:error");
    let err = web::mount(
        el.clone().into(),
        config(r#"{"mode": "popup", "endpont": "/x"}"#),
    )
    .err()
    .unwrap();
    let message = js_sys::Error::from(err).message().as_string().unwrap();
    for want in [
        "unknown key \"endpont\": did you mean \"endpoint\"?",
        "endpoint is missing",
        "locale is \"fr\": expected one of \"zh-CN\", \"zh-TW\", \"en\"",
        "mode is \"popup\": expected one of \"inline\", \"modal\", \"slide-in\"",
    ] {
        assert!(message.contains(want), "{want} not in {message}");
        assert!(
            view(&el).text_content().unwrap().contains(want),
            "{want} not shown in the element (the test page is on localhost)"
        );
    }
    assert_eq!(
        q(&el, ".nps-embed-error").get_attribute("role").as_deref(),
        Some("alert")
    );
    assert_eq!(errors.borrow().len(), 1);
    assert!(errors.borrow()[0].contains(r#""kind":"config""#));
}

#[wasm_bindgen_test]
async fn text_is_never_html() {
    let (el, _h) = mount(r#"{"endpoint": "/x", "locale": "en", "once": false, "brand": "<img src=x onerror=alert(1)>"}"#).await;
    assert!(view(&el).query_selector("img").unwrap().is_none());
    assert!(text(&el, ".nps-question").contains("<img src=x onerror=alert(1)>"));
}

#[wasm_bindgen_test]
async fn locales_and_overrides() {
    let (el, _h) = mount(r#"{"endpoint": "/x", "locale": "zh-TW", "once": false, "brand": "星辰汽車", "text": {"scale_high": "非常願意"}}"#).await;
    assert_eq!(
        text(&el, ".nps-question"),
        "您有多大可能向親友推薦星辰汽車？"
    );
    assert_eq!(
        q(&el, ".nps").get_attribute("lang").as_deref(),
        Some("zh-TW")
    );
    assert_eq!(text(&el, ".nps-ends span:last-child"), "非常願意");
}

#[wasm_bindgen_test]
async fn destroy_removes_the_survey_and_dismiss_posts_it() {
    let opener: HtmlElement = document()
        .create_element("button")
        .unwrap()
        .dyn_into()
        .unwrap();
    document().body().unwrap().append_child(&opener).unwrap();
    opener.focus().unwrap();
    let (el, mut h) =
        mount(r#"{"endpoint": "/x", "locale": "en", "once": false, "mode": "modal", "survey": "destroy-test"}"#).await;
    assert!(view(&el).query_selector(".nps-backdrop").unwrap().is_some());
    let active = || document().active_element().unwrap();
    assert_eq!(
        view(&el)
            .active_element()
            .unwrap()
            .get_attribute("data-score")
            .as_deref(),
        Some("0"),
        "the modal takes focus"
    );
    let dismissed = record(&el, "nps:dismissed");
    click(&el, ".nps-close").await;
    assert_eq!(dismissed.borrow().len(), 1);
    assert_eq!(
        active(),
        opener.clone().into(),
        "focus goes back to the opener"
    );
    assert!(view(&el).query_selector(".nps-card").unwrap().is_none());
    let body = outbox_body(&h.id().unwrap()).unwrap();
    assert_eq!(
        (body["stage"].as_str(), &body["score"]),
        (Some("dismissed"), &serde_json::Value::Null)
    );
    let again = web::mount(el.clone().into(), config(r#"{"endpoint": "/x"}"#))
        .err()
        .map(|e| js_sys::Error::from(e).message().as_string().unwrap());
    assert_eq!(again.as_deref(), Some("NpsWidget.mount: this element has a survey already; call destroy() on its handle first"));
    h.destroy();
    assert!(el.query_selector("nps-root").unwrap().is_none());
    let remount = web::mount(
        el.clone().into(),
        config(r#"{"endpoint": "/x", "once": false}"#),
    )
    .map(|_| ())
    .map_err(|e| js_sys::Error::from(e).message().as_string().unwrap());
    assert_eq!(remount, Ok(()), "mountable again after destroy");
}

#[wasm_bindgen_test]
async fn answered_once_per_visit() {
    let cfg = r#"{"endpoint": "/x", "locale": "en", "survey": "once-test", "context": {"visit": "RO-1"}}"#;
    let (el, _h) = mount(cfg).await;
    click(&el, "[data-score='9']").await;
    click(&el, ".nps-submit").await;
    let (again, _h2) = mount(cfg).await;
    assert_eq!(
        text(&again, ".nps-outcome-title"),
        "You've already answered — thank you!"
    );
}

fn score_of(v: JsValue) -> Result<serde_json::Value, String> {
    web::score(v)
        .map(|r| {
            serde_json::from_str(&js_sys::JSON::stringify(&r).unwrap().as_string().unwrap())
                .unwrap()
        })
        .map_err(|e| js_sys::Error::from(e).message().as_string().unwrap())
}

#[wasm_bindgen_test]
fn the_js_scoring_api() {
    let r = score_of(js_sys::JSON::parse("[10, 9, 8, 3]").unwrap()).unwrap();
    assert_eq!(
        (
            r["n"].as_u64(),
            r["promoters"].as_u64(),
            r["passives"].as_u64(),
            r["detractors"].as_u64()
        ),
        (Some(4), Some(2), Some(1), Some(1))
    );
    assert_eq!(r["nps"].as_f64(), Some(25.0));
    assert!(r["ci95"][0].as_f64().unwrap() < 25.0 && r["ci95"][1].as_f64().unwrap() > 25.0);
    // A Uint8Array is counted in bulk: the same figures as the Array, and the same error.
    let bytes = js_sys::Uint8Array::from(&[10u8, 9, 8, 0][..]);
    assert_eq!(score_of(bytes.into()).unwrap(), r);
    // A Proxy passes the type check and may lie about its length from one read to the next:
    // the widget reads a copy the engine made, so it cannot write past a buffer. Either
    // answer is fine (an error, or the two scores); the scorer works on afterwards.
    let liar = js_sys::eval(
        "(() => { let reads = 0; return new Proxy(new Uint8Array([10, 9]), { get(t, k) { \
           if (k === 'length') return ++reads > 1 ? 100000 : 0; const v = Reflect.get(t, k); \
           return typeof v === 'function' ? v.bind(t) : v; } }); })()",
    )
    .unwrap();
    if let Ok(r) = score_of(liar) {
        assert_eq!(r["n"].as_u64(), Some(2));
    }
    let defined = js_sys::Uint8Array::from(&[10u8, 10, 0][..]);
    let attributes: js_sys::Object =
        wasm_bindgen::JsCast::unchecked_into(js_sys::JSON::parse(r#"{"value": 100000}"#).unwrap());
    js_sys::Reflect::define_property(&defined, &"length".into(), &attributes).unwrap();
    assert_eq!(score_of(defined.into()).unwrap()["n"].as_u64(), Some(3));
    let off = js_sys::Uint8Array::from(&[10u8, 9, 200, 12][..]);
    assert_eq!(
        score_of(off.into()).unwrap_err(),
        "NpsWidget.score: score at index 2 is 200: expected an integer from 0 to 10"
    );
    let empty = score_of(js_sys::Array::new().into()).unwrap();
    assert_eq!(
        (
            empty["nps"].is_null(),
            empty["ci95"].is_null(),
            empty["n"].as_u64()
        ),
        (true, true, Some(0))
    );
    let check_err = |json: &str, want: &str| {
        assert_eq!(
            score_of(js_sys::JSON::parse(json).unwrap()).unwrap_err(),
            want
        )
    };
    check_err(
        "[9, 11]",
        "NpsWidget.score: score at index 1 is 11: expected an integer from 0 to 10",
    );
    check_err(
        "[9.5]",
        "NpsWidget.score: score at index 0 is 9.5: expected an integer from 0 to 10",
    );
    check_err(
        "[1, 2, \"9\"]",
        "NpsWidget.score: score at index 2 is \"9\": expected an integer from 0 to 10",
    );
    check_err(
        "[-1]",
        "NpsWidget.score: score at index 0 is -1: expected an integer from 0 to 10",
    );
    check_err(
        "{}",
        "NpsWidget.score: scores must be an Array or a Uint8Array of integers from 0 to 10",
    );
}

#[wasm_bindgen_test]
async fn tab_stays_inside_a_modal() {
    let (el, _h) =
        mount(r#"{"endpoint": "/x", "locale": "en", "once": false, "mode": "modal", "survey": "tab-test"}"#).await;
    let press_tab = |shift: bool| {
        let init = web_sys::KeyboardEventInit::new();
        init.set_key("Tab");
        init.set_shift_key(shift);
        init.set_bubbles(true);
        init.set_cancelable(true);
        let ev =
            web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
        let target = view(&el).active_element().unwrap();
        // Not cancelled: the browser would move focus on its own.
        target.dispatch_event(&ev).unwrap()
    };
    let focused = || view(&el).active_element().unwrap();
    // Stops: the close button, then the scale's one roving stop.
    q(&el, "[data-score='0']").focus().unwrap();
    assert!(!press_tab(false), "Tab on the last stop is caught");
    assert_eq!(focused().class_name(), "nps-close");
    assert!(!press_tab(true), "Shift+Tab on the first stop is caught");
    assert_eq!(focused().get_attribute("data-score").as_deref(), Some("0"));
}

#[wasm_bindgen_test]
async fn a_hostile_host_stylesheet_cannot_break_the_survey() {
    let style = document().create_element("style").unwrap();
    style.set_text_content(Some(
        "button { display: none !important } * { font-size: 4px; letter-spacing: 9px; text-transform: uppercase } \
         div { padding: 40px !important; border: 5px solid red } .nps-score { visibility: hidden !important }",
    ));
    document().head().unwrap().append_child(&style).unwrap();
    let (el, _h) = mount(EN).await;
    let button = q(&el, "[data-score='7']");
    let css = web_sys::window()
        .unwrap()
        .get_computed_style(&button)
        .unwrap()
        .unwrap();
    let got = |p: &str| css.get_property_value(p).unwrap();
    let result = (
        got("display"),
        got("visibility"),
        got("font-size"),
        got("letter-spacing"),
        got("text-transform"),
    );
    style.remove();
    assert_eq!(
        result,
        (
            "block".into(),
            "visible".into(),
            "17px".into(),
            "normal".into(),
            "none".into()
        )
    );
    assert!(button.get_bounding_client_rect().height() >= 44.0);
}

#[wasm_bindgen_test]
async fn styles_come_through_the_cssom_never_a_style_element_or_attribute() {
    let themed = r##"{"endpoint": "/nowhere/api", "locale": "en", "once": false, "accent": "#d93025", "radius": 4}"##;
    let (a, _ha) = mount(themed).await;
    let (b, _hb) = mount(EN).await;
    // Adopted, not a <style> element: a page's CSP without 'unsafe-inline' blocks that.
    for el in [&a, &b] {
        assert_eq!(view(el).adopted_style_sheets().length(), 1);
        assert!(view(el).query_selector("style").unwrap().is_none());
    }
    // The card's look is set through the CSSOM on the element the survey renders into.
    let computed = |el: &Element, sel: &str, p: &str| {
        let css = web_sys::window()
            .unwrap()
            .get_computed_style(&q(el, sel))
            .unwrap()
            .unwrap();
        css.get_property_value(p).unwrap()
    };
    assert_eq!(
        (
            computed(&a, ".nps-card", "border-radius"),
            computed(&a, ".nps", "--nps-accent"),
            computed(&a, ".nps", "--nps-accent-fg"),
        ),
        ("4px".into(), "#d93025".into(), "#ffffff".into())
    );
    // Without an accent, the stylesheet's own, whatever the host page sets.
    document()
        .body()
        .unwrap()
        .style()
        .set_property("--nps-brand-accent", "magenta")
        .unwrap();
    let (c, _hc) = mount(EN).await;
    let accent = computed(&c, ".nps", "--nps-accent");
    document()
        .body()
        .unwrap()
        .style()
        .remove_property("--nps-brand-accent")
        .unwrap();
    assert_eq!(accent, "#1a73e8");
    assert_eq!(computed(&b, ".nps-card", "border-radius"), "12px");
}

#[wasm_bindgen_test]
fn the_js_batch_scoring_by_segment() {
    let scores = js_sys::Uint8Array::from(&[10u8, 9, 7, 3, 0, 10, 8][..]);
    let segments = js_sys::Uint32Array::from(&[0u32, 0, 0, 1, 1, 2, 2][..]);
    let v = web::score_segments(scores.clone().into(), segments.into()).unwrap();
    let rows: serde_json::Value =
        serde_json::from_str(&js_sys::JSON::stringify(&v).unwrap().as_string().unwrap()).unwrap();
    let summary: Vec<(u64, u64, Option<f64>)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["segment"].as_u64().unwrap(),
                r["n"].as_u64().unwrap(),
                r["nps"].as_f64().map(|x| (x * 100.0).round() / 100.0),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (0, 3, Some(66.67)),
            (1, 2, Some(-100.0)),
            (2, 2, Some(50.0))
        ]
    );
    assert!(rows[1]["ci95"][0].as_f64().unwrap() >= -100.0);
    // A plain Array of ids works too; a short one is refused with both lengths.
    let ids = js_sys::JSON::parse("[5, 5, 5, 5, 5, 5, 5]").unwrap();
    let one = web::score_segments(scores.clone().into(), ids).unwrap();
    assert_eq!(js_sys::Array::from(&one).length(), 1);
    let err = web::score_segments(scores.into(), js_sys::JSON::parse("[1]").unwrap())
        .err()
        .unwrap();
    let message = error_message(err);
    assert_eq!(
        message,
        "NpsWidget.scoreSegments: segments has 1 ids for 7 scores: give one segment id per score"
    );
}
