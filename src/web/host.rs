//! The host page: reading config from `data-*` attributes and JS objects, the page's query
//! string and language, the stylesheet (through the CSSOM, so a page's CSP needs no
//! `'unsafe-inline'`), dispatching the events `crate::contract::events` builds, and showing a broken
//! embed.

use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CssStyleSheet, CustomEvent, CustomEventInit, Element, HtmlElement, ShadowRoot};

use crate::config::keys::{DEBUG, LOCALE};
use crate::config::{object_from_attributes_with, Config};
use crate::contract::error::FieldError;
use crate::contract::payload::Stage;
use crate::words::{Locale, Text};
use crate::{survey::gate, survey::marks};

/// The tag of the element that holds a survey's shadow root, inside the host element. Not
/// a `div`: a host page's rules for `div` do not reach it either.
pub const SHELL_TAG: &str = "nps-root";

fn window() -> web_sys::Window {
    web_sys::window().expect("a browser window")
}

pub fn document() -> web_sys::Document {
    window().document().expect("a document")
}

/// A survey's own DOM: a `<nps-root>` element with an open shadow root that holds the
/// stylesheet and the element a survey renders into. The host page's CSS cannot reach inside
/// (the stylesheet starts `.nps` with `all: initial`, so not even inherited properties get
/// in), and the widget's CSS never leaves it. `look` (`Config::card_style`) is set on the
/// element to render into. Returns (the shell, the element to render into); the caller puts
/// the shell into the host element.
pub fn shadow_root(look: &str) -> Result<(Element, Element), JsValue> {
    let doc = document();
    let shell = doc.create_element(SHELL_TAG)?;
    // An unknown element is inline by default.
    set_style(&shell, "display:block");
    let shadow =
        shell.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))?;
    add_stylesheet(&shadow)?;
    let root = doc.create_element("div")?;
    set_style(&root, look);
    shadow.append_child(&root)?;
    Ok((shell, root))
}

/// Sets an (HTML) element's style through the CSSOM (`style.cssText`), which a page's CSP
/// allows where it blocks a `style` attribute (no `'unsafe-inline'` in `style-src`).
fn set_style(el: &Element, declarations: &str) {
    el.unchecked_ref::<HtmlElement>()
        .style()
        .set_css_text(declarations);
}

#[wasm_bindgen]
extern "C" {
    /// `www/loader.js`: the nonce of the widget's own `<script nonce>`, or "". It is defined
    /// in the function the bindgen glue shares with the loader (an error without the loader).
    #[wasm_bindgen(catch, js_name = npsStyleNonce)]
    fn style_nonce() -> Result<String, JsValue>;
}

/// Puts the stylesheet in a shadow root: adopted (constructable stylesheets are CSSOM, which
/// no CSP blocks), else a `<style>` element carrying the page's nonce, if it gave one.
fn add_stylesheet(shadow: &ShadowRoot) -> Result<(), JsValue> {
    // Browsers got the constructor and `adoptedStyleSheets` together (iOS 16.4); before, the
    // constructor throws.
    if let Ok(sheet) = CssStyleSheet::new() {
        sheet.replace_sync(crate::STYLESHEET)?;
        shadow.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));
        return Ok(());
    }
    let style = document().create_element("style")?;
    if let Some(nonce) = style_nonce().ok().filter(|n| !n.is_empty()) {
        style.set_attribute("nonce", &nonce)?;
    }
    style.set_text_content(Some(crate::STYLESHEET));
    shadow.append_child(&style)?;
    Ok(())
}

/// The `data-*` attributes of an element, names without `data-`.
fn data_attributes(el: &Element) -> Vec<(String, String)> {
    let attrs = el.attributes();
    (0..attrs.length())
        .filter_map(|i| attrs.item(i))
        .filter_map(|a| {
            a.name()
                .strip_prefix("data-")
                .map(|n| (n.to_owned(), a.value()))
        })
        .collect()
}

/// Reads a config: the element's `data-*` attributes, then the JS object's keys on top.
pub fn read_config(el: &Element, js: Option<&JsValue>) -> Result<Config, Vec<FieldError>> {
    let attrs = data_attributes(el);
    let mut obj = object_from_attributes_with(
        attrs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        parse_json,
    )?;
    if let Some(js) = js.filter(|v| !v.is_undefined() && !v.is_null()) {
        let from_js = js_object(js)?;
        obj.extend(from_js);
    }
    let lang = window().navigator().language();
    Config::from_object(&obj, lang.as_deref())
}

fn js_object(js: &JsValue) -> Result<Map<String, Value>, Vec<FieldError>> {
    match to_value(js) {
        Value::Object(m) => Ok(m),
        other => Err(vec![FieldError::invalid(
            "config",
            crate::contract::error::shown(&other),
            "an object like {endpoint: \"/api/responses\"}",
        )]),
    }
}

/// JSON text to a value with the browser's own parser.
pub fn parse_json(text: &str) -> Result<Value, String> {
    js_sys::JSON::parse(text)
        .map(|v| to_value(&v))
        .map_err(|e| js_sys::Error::from(e).message().into())
}

/// A JS value as JSON would see it: functions and `undefined` members are left out.
pub fn to_value(v: &JsValue) -> Value {
    if let Some(b) = v.as_bool() {
        Value::Bool(b)
    } else if let Some(n) = v.as_f64() {
        if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
            Value::from(n as i64)
        } else {
            serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
        }
    } else if let Some(s) = v.as_string() {
        Value::String(s)
    } else if js_sys::Array::is_array(v) {
        Value::Array(
            js_sys::Array::from(v)
                .iter()
                .map(|i| to_value(&i))
                .collect(),
        )
    } else if v.is_object() && !v.is_function() {
        let obj: &js_sys::Object = v.unchecked_ref();
        let mut m = Map::new();
        for key in js_sys::Object::keys(obj).iter() {
            let val = js_sys::Reflect::get(obj, &key).unwrap_or(JsValue::UNDEFINED);
            if let (Some(k), false) = (key.as_string(), val.is_undefined() || val.is_function()) {
                m.insert(k, to_value(&val));
            }
        }
        Value::Object(m)
    } else {
        Value::Null
    }
}

/// The page's query string as pairs.
pub fn query_pairs() -> Vec<(String, String)> {
    let search = window().location().search().unwrap_or_default();
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else {
        return Vec::new();
    };
    let entries = js_sys::try_iter(&params).ok().flatten();
    let mut out = Vec::new();
    for pair in entries.into_iter().flatten().flatten() {
        let pair: js_sys::Array = pair.unchecked_into();
        if let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
            out.push((k, v));
        }
    }
    out
}

/// The page's URL (a response carries it through `rules::page_url`).
pub fn href() -> Option<String> {
    window().location().href().ok()
}

/// The page's path, for the scope of a survey on a page without a visit.
pub fn path() -> String {
    window().location().pathname().unwrap_or_default()
}

/// The current time, RFC 3339 in UTC.
pub fn now_rfc3339() -> String {
    js_sys::Date::new_0().to_iso_string().into()
}

/// A fresh write key for a response: 32 hex digits from the browser's cryptographic random
/// numbers (a v4 UUID's 122 random bits, without its dashes).
pub fn new_write_key() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Dispatches a bubbling `CustomEvent` with a JSON detail.
pub fn dispatch(target: &web_sys::EventTarget, name: &str, detail: &Value) {
    let detail = js_sys::JSON::parse(&detail.to_string()).unwrap_or(JsValue::NULL);
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_detail(&detail);
    if let Ok(ev) = CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = target.dispatch_event(&ev);
    }
}

/// Dispatches an event whose detail carries a `message` the page's developer must read, and
/// writes that message to the console.
pub fn report(target: &web_sys::EventTarget, name: &str, detail: &Value) {
    if let Some(m) = detail.get("message").and_then(Value::as_str) {
        web_sys::console::error_1(&m.into());
    }
    dispatch(target, name, detail);
}

/// Shows why an embed is broken. The page's developer always gets the details, in the console
/// and an `nps:error` event, and in the element when `details` (a `debug` embed, or a page on
/// the developer's own machine); a customer sees one neutral line in `locale`, never developer
/// English. Returns the details.
pub fn show_config_errors(
    el: &Element,
    errors: &[FieldError],
    details: bool,
    locale: Locale,
) -> String {
    let text = crate::contract::events::config_message(errors);
    el.set_text_content(None);
    if let Ok((shell, root)) = shadow_root("") {
        root.set_class_name("nps");
        let _ = root.set_attribute("data-theme", "auto");
        let _ = root.set_attribute("lang", locale.tag());
        if let Ok(line) = document().create_element("p") {
            if details {
                line.set_class_name("nps-embed-error");
                line.set_text_content(Some(&text));
            } else {
                line.set_class_name("nps-unavailable");
                line.set_text_content(Some(Text::Unavailable.default_in(locale)));
            }
            let _ = line.set_attribute("role", "alert");
            let _ = root.append_child(&line);
        }
        let _ = el.append_child(&shell);
    }
    report(
        el.as_ref(),
        crate::contract::events::ERROR,
        &crate::contract::events::config_error(errors),
    );
    text
}

/// What a broken embed still says about itself: whether it asked for `debug`, and its locale
/// (else the browser's, else zh-CN).
pub fn embed_hints(el: &Element, js: Option<&JsValue>) -> (bool, Locale) {
    let from_js = |key: &str| {
        js.filter(|v| v.is_object())
            .and_then(|v| js_sys::Reflect::get(v, &key.into()).ok())
            .filter(|v| !v.is_undefined())
    };
    let debug = match from_js(DEBUG.name) {
        Some(v) => v.as_bool() == Some(true),
        None => el
            .get_attribute(&DEBUG.attribute())
            .is_some_and(|v| v != "false"),
    };
    let locale = from_js(LOCALE.name)
        .and_then(|v| v.as_string())
        .or_else(|| el.get_attribute(&LOCALE.attribute()))
        .and_then(|t| Locale::parse(&t))
        .or_else(|| {
            window()
                .navigator()
                .language()
                .and_then(|l| Locale::negotiate(&l))
        })
        .unwrap_or(Locale::ZhCn);
    (debug, locale)
}

/// The page's host name (a developer's machine shows a broken embed's details).
pub fn hostname() -> String {
    window().location().hostname().unwrap_or_default()
}

fn local_storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// Wall-clock milliseconds.
pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

fn read(s: &web_sys::Storage, key: &str) -> Option<String> {
    s.get_item(key).ok().flatten()
}

/// What this browser remembers about a survey (`marks`), for `gate::decide`. The sample draw
/// is made here the first time, and kept unless `keep` is false (kiosk, `force`).
pub fn memory(keys: &marks::Keys, keep: bool) -> gate::Memory {
    let now = now_ms();
    let fresh_draw = || (js_sys::Math::random() * marks::DRAW_SCALE as f64) as u32;
    let Some(s) = local_storage() else {
        return gate::Memory {
            visit: keys.visit.is_some(),
            draw: fresh_draw(),
            ..gate::Memory::default()
        };
    };
    let mark = |key: &str| read(&s, key).and_then(|v| marks::Mark::from_text(&v));
    let draw = match read(&s, &keys.sample).and_then(|v| marks::draw(&v, now)) {
        Some(d) => d,
        None => {
            let d = fresh_draw();
            if keep {
                let _ = s.set_item(&keys.sample, &marks::draw_text(d, now));
            }
            d
        }
    };
    gate::Memory {
        visit: keys.visit.is_some(),
        visit_answered: keys
            .visit
            .as_deref()
            .and_then(|k| read(&s, k))
            .is_some_and(|v| marks::answered(&v, now)),
        answered: mark(&keys.answered),
        dismissed: mark(&keys.dismissed),
        draw,
    }
}

/// Keeps what a post leaves behind (`marks::after_post`).
pub fn keep_marks(keys: &marks::Keys, cfg: &Config, stage: Stage, draft: Option<marks::Draft>) {
    let Some(s) = local_storage() else { return };
    for w in marks::after_post(keys, cfg, stage, draft, now_ms()) {
        let _ = match w {
            marks::Write::Set(k, v) => s.set_item(&k, &v),
            marks::Write::Remove(k) => s.remove_item(&k),
        };
    }
}

/// The response in progress for a scope, if it is fresh.
pub fn read_draft(key: &str) -> Option<marks::Draft> {
    let text = local_storage()?.get_item(key).ok()??;
    marks::Draft::from_text(&text).filter(|d| d.fresh(now_ms()))
}

/// A survey on this page already carries this response id.
pub fn in_use(id: &str) -> bool {
    document()
        .query_selector(&format!("[data-nps-id=\"{id}\"]"))
        .ok()
        .flatten()
        .is_some()
}

/// Removes expired marks and drafts, and those of an earlier format (which held visit ids).
pub fn prune_marks() {
    let Some(s) = local_storage() else { return };
    let now = now_ms();
    let n = s.length().unwrap_or(0);
    let stale: Vec<String> = (0..n)
        .filter_map(|i| s.key(i).ok().flatten())
        .filter(|k| {
            let v = s.get_item(k).ok().flatten().unwrap_or_default();
            marks::stale(k, &v, now)
        })
        .collect();
    for k in stale {
        let _ = s.remove_item(&k);
    }
}
