//! What the dashboard's browser tests share: a `View` with nothing loaded, signed in with a
//! role, and an API where nothing is served (a request that goes out is refused in words); a
//! fresh element to mount into; reading the DOM; waiting for a fetch's answer.
#![allow(dead_code)]

use std::rc::Rc;

use nps_core::scoring::analysis::{Names, DEFAULT_MIN_N};
use nps_core::words::Locale;
use nps_dashboard::compact::Index;
use nps_dashboard::filters::Filters;
use nps_dashboard::report::{self, Context};
use nps_dashboard::web::{now_minutes, Me, View};
use wasm_bindgen::JsCast;
use web_sys::Element;

/// A view of no answers in `locale`, for li@brand.example signed in as `role`, in Beijing.
pub fn view(role: &str, locale: Locale) -> Rc<View> {
    let cx = Context {
        now: now_minutes(),
        offset: 480,
        min_n: DEFAULT_MIN_N,
    };
    let filters = Filters::default();
    Rc::new(View {
        report: Rc::new(report::build(&[], &Default::default(), &filters, cx)),
        // Nothing is served here: a request that went out would be refused in words.
        api: "/no-collector".into(),
        me: Some(Rc::new(Me {
            who: "user:li@brand.example".into(),
            email: Some("li@brand.example".into()),
            role: role.into(),
        })),
        answers: Rc::default(),
        index: Rc::new(Index::new(&[], &Default::default(), cx.offset)),
        names: Rc::new(Names::default()),
        filters,
        locale,
        cx,
        levers: None,
    })
}

/// A fresh element in the page's body.
pub fn mount() -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    root
}

pub fn one(root: &Element, sel: &str) -> Option<Element> {
    root.query_selector(sel).unwrap()
}

pub fn all(root: &Element, sel: &str) -> Vec<Element> {
    let list = root.query_selector_all(sel).unwrap();
    (0..list.length())
        .map(|i| list.item(i).unwrap().unchecked_into())
        .collect()
}

pub fn text(root: &Element, sel: &str) -> String {
    one(root, sel)
        .unwrap_or_else(|| panic!("no {sel}"))
        .text_content()
        .unwrap_or_default()
}

/// Waits, up to 10 s, until `sel` is in `root` (a fetch's answer), without a fixed sleep.
pub async fn until(root: &Element, sel: &str) -> Element {
    let deadline = js_sys::Date::now() + 10_000.0;
    loop {
        yew::scheduler::flush().await;
        if let Some(e) = one(root, sel) {
            return e;
        }
        assert!(js_sys::Date::now() < deadline, "no {sel} within 10 s");
        tick().await;
    }
}

/// 20 ms later.
pub async fn tick() {
    let tick = js_sys::Promise::new(&mut |done, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&done, 20)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(tick).await.unwrap();
}
