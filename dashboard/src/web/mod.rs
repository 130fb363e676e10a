//! The browser shell of the dashboard: mounting, the clock and time zone, the URL fragment,
//! `fetch` of the collector's API (with the session cookie, same origin only; a JSON body for a
//! case's `PATCH`), the clipboard, and reading a dropped file. Nothing here decides what is shown; `report` does.

mod actions;
mod app;
mod audit;
mod cases;
mod charts;
mod comments;
mod drill;
mod drivers;
mod funnel;
mod glance;
mod load;
mod show;
mod start;
mod tables;
mod themes;
mod view;

use nps_core::scoring::analysis::DEFAULT_MIN_N;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

pub use app::{App, AppProps, Me, View};
pub use cases::CaseCard;
pub use funnel::{
    BookingList, Bookings, FlagReasons, FlaggedList, Funnel, FunnelRows, Props as FunnelProps,
    TrendRows,
};

/// The element the dashboard mounts into.
const ROOT_ID: &str = "nps-dashboard";

#[wasm_bindgen(start)]
pub fn start() {
    let Some(root) = document().get_element_by_id(ROOT_ID) else {
        web_sys::console::error_1(
            &format!("nps-dashboard: no element with id=\"{ROOT_ID}\" to mount into").into(),
        );
        return;
    };
    let api = root
        .get_attribute("data-api")
        .unwrap_or_else(|| "/api".to_owned());
    let signin = root
        .get_attribute("data-signin")
        .unwrap_or_else(|| "/signin".to_owned());
    let min_n = match root.get_attribute("data-min-n") {
        None => DEFAULT_MIN_N,
        Some(v) => match crate::report::min_n(&v) {
            Ok(n) => n,
            Err(e) => {
                web_sys::console::error_1(&format!("nps-dashboard: {e}").into());
                DEFAULT_MIN_N
            }
        },
    };
    // The "loading" line goes; the dashboard takes its place.
    root.set_text_content(None);
    yew::Renderer::<App>::with_root_and_props(
        root,
        AppProps {
            api: api.into(),
            signin: signin.into(),
            preload: None,
            min_n,
        },
    )
    .render();
}

fn window() -> web_sys::Window {
    web_sys::window().expect("a window")
}

fn document() -> web_sys::Document {
    window().document().expect("a document")
}

/// Minutes since the epoch, now.
pub fn now_minutes() -> i64 {
    (js_sys::Date::now() / 60_000.0).floor() as i64
}

/// The browser's time zone, minutes east of UTC.
pub fn offset_minutes() -> i32 {
    -(js_sys::Date::new_0().get_timezone_offset() as i32)
}

/// Milliseconds of the page's monotonic clock.
pub fn ms() -> f64 {
    window().performance().map_or(0.0, |p| p.now())
}

/// A performance mark (what the benchmark reads).
pub fn mark(name: &str) {
    if let Some(p) = window().performance() {
        let _ = p.mark(name);
    }
}

/// The browser's language, for the default locale.
pub fn browser_language() -> String {
    window().navigator().language().unwrap_or_default()
}

/// The fragment, without `#`.
pub fn fragment() -> String {
    let hash = window().location().hash().unwrap_or_default();
    hash.strip_prefix('#').unwrap_or(&hash).to_owned()
}

/// Writes the fragment without adding a history entry (a token never goes into it).
pub fn set_fragment(fragment: &str) {
    let loc = window().location();
    let base = format!(
        "{}{}",
        loc.pathname().unwrap_or_default(),
        loc.search().unwrap_or_default()
    );
    let url = if fragment.is_empty() {
        base
    } else {
        format!("{base}#{fragment}")
    };
    if let Ok(h) = window().history() {
        let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

/// The full address of this view (for "copy link").
pub fn href() -> String {
    window().location().href().unwrap_or_default()
}

pub fn copy_text(text: &str) {
    let _ = window().navigator().clipboard().write_text(text);
}

/// Goes to another page (sign-in, after signing out).
pub fn go(url: &str) {
    let _ = window().location().assign(url);
}

/// The page's own path and fragment: where sign-in sends the manager back to.
pub fn here() -> String {
    let loc = window().location();
    format!(
        "{}{}",
        loc.pathname().unwrap_or_default(),
        loc.hash().unwrap_or_default()
    )
}

/// `method url` to the collector, with the session cookie (same origin only: the cookie is
/// `SameSite=Strict` and never sent elsewhere); the status and the body's text. The body
/// comes as bytes into the wasm (a large export is not turned into a JavaScript string and
/// back).
pub async fn fetch(method: &str, url: &str) -> Result<(u16, String), String> {
    send(method, url, None).await
}

/// `method url` with a JSON body (a case's `PATCH`), as `fetch`.
pub async fn send_json(method: &str, url: &str, json: &str) -> Result<(u16, String), String> {
    send(method, url, Some(json)).await
}

/// `GET url` as `fetch`, the body as bytes (the compact columns).
pub async fn fetch_bytes(url: &str) -> Result<(u16, Vec<u8>), String> {
    send_raw("GET", url, None).await
}

async fn send(method: &str, url: &str, json: Option<&str>) -> Result<(u16, String), String> {
    let (status, bytes) = send_raw(method, url, json).await?;
    let text = String::from_utf8(bytes).map_err(|_| format!("{url} did not answer UTF-8 text"))?;
    Ok((status, text))
}

/// The GETs on their way, by address (`send_raw`).
type OnTheirWay = std::cell::RefCell<std::collections::HashMap<String, js_sys::Promise>>;

thread_local! {
    static ON_THEIR_WAY: OnTheirWay = Default::default();
}

async fn send_raw(method: &str, url: &str, json: Option<&str>) -> Result<(u16, Vec<u8>), String> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    if let Some(json) = json {
        let headers = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&headers, &"content-type".into(), &"application/json".into());
        init.set_headers(&headers);
        init.set_body(&json.into());
    }
    let request = web_sys::Request::new_with_str_and_init(url, &init)
        .map_err(|_| format!("{url} is not an address"))?;
    // A GET already on its way is not asked again: the sections of the first screen that
    // read the same figures (the places table and the funnel, by store) share one answer,
    // each reading its own copy of the body. Only while it is on its way: a later GET asks
    // afresh.
    let shared = method == "GET" && json.is_none();
    let on_its_way = shared
        .then(|| ON_THEIR_WAY.with(|m| m.borrow().get(url).cloned()))
        .flatten();
    let promise = on_its_way.unwrap_or_else(|| {
        let promise = window().fetch_with_request(&request);
        if shared {
            ON_THEIR_WAY.with(|m| m.borrow_mut().insert(url.to_owned(), promise.clone()));
        }
        promise
    });
    let answered = JsFuture::from(promise.clone()).await;
    if shared {
        ON_THEIR_WAY.with(|m| {
            let mut m = m.borrow_mut();
            if m.get(url).is_some_and(|p| js_sys::Object::is(p, &promise)) {
                m.remove(url);
            }
        });
    }
    let response: web_sys::Response = answered
        .map_err(|_| "the collector did not answer (offline, or not running)".to_owned())?
        .unchecked_into();
    // The shared response's own body is never read: each reader reads a copy.
    let response = match shared {
        true => response
            .clone()
            .map_err(|_| "the answer broke off".to_owned())?,
        false => response,
    };
    let status = response.status();
    let buffer = JsFuture::from(response.array_buffer().map_err(|_| "no body")?)
        .await
        .map_err(|_| "the answer broke off".to_owned())?;
    Ok((status, js_sys::Uint8Array::new(&buffer).to_vec()))
}

/// The `error` of a JSON error answer, else a plain "answered N".
pub fn why(status: u16, text: &str) -> String {
    crate::cases::edit::server_error(status, text)
}

/// A file's text (a dropped or chosen export).
pub async fn file_text(file: &web_sys::File) -> Result<String, String> {
    JsFuture::from(file.text())
        .await
        .map_err(|_| format!("{} could not be read", file.name()))?
        .as_string()
        .ok_or_else(|| format!("{} is not text", file.name()))
}
