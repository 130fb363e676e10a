//! Helpers shared by the wasm tests in headless Chromium: a host element in the page, the
//! survey's shadow root, letting yew render.
#![allow(dead_code)]

use web_sys::Element;

pub fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A fresh host element in the page.
pub fn host() -> Element {
    let el = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&el).unwrap();
    el
}

/// Lets yew render what is scheduled.
pub async fn settle() {
    yew::scheduler::flush().await;
}

/// The survey's shadow root inside a host element.
pub fn view(el: &Element) -> web_sys::ShadowRoot {
    el.query_selector("nps-root")
        .unwrap()
        .and_then(|shell| shell.shadow_root())
        .expect("a survey renders into a shadow root of an <nps-root> in its host")
}

/// The message of a JavaScript `Error` a call threw.
pub fn error_message(e: wasm_bindgen::JsValue) -> String {
    use wasm_bindgen::JsCast;
    e.dyn_into::<js_sys::Error>()
        .unwrap()
        .message()
        .as_string()
        .unwrap()
}
