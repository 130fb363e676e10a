//! The browser shell: the JS API (`mount`, `score`), auto-mount of `[data-nps-survey]`,
//! and the yew components. The only code that touches the DOM, `fetch`, storage and timers.

mod app;
mod component;
mod follow_up;
mod host;
mod outcome;
mod scale;
mod sender;
mod session;
mod state;
mod trigger;
mod wire;

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Element;

pub use app::{Widget, WidgetProps};
pub use component::{Survey, SurveyConfig, SurveyProps};
pub use session::{Session, SessionProps};

// Single-threaded wasm: talc is smaller than the default dlmalloc (see Cargo.toml).
#[cfg(all(not(target_feature = "atomics"), feature = "shipped"))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

use crate::config::Trigger;
use crate::scoring::score::{Score, Tally};
use crate::survey::flow::{Meta, Terms};
use crate::survey::gate::{self, Gate};
use crate::survey::takeover::{self, Takeover};
use crate::{contract::rules, survey::marks};

/// A mounted survey; `destroy()` removes it.
#[wasm_bindgen]
pub struct Handle {
    app: Option<yew::AppHandle<Session>>,
    host: Element,
    root: Option<Element>,
}

#[wasm_bindgen]
impl Handle {
    /// Unmounts the survey and removes its element. Posts already queued are still delivered.
    pub fn destroy(&mut self) {
        if let Some(app) = self.app.take() {
            app.destroy();
        }
        if let Some(root) = self.root.take() {
            root.remove();
        }
        let _ = self.host.remove_attribute("data-nps-mounted");
        let _ = self.host.remove_attribute("data-nps-id");
    }

    /// The response id of this survey.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> Option<String> {
        self.app
            .as_ref()
            .map(|_| self.host.get_attribute("data-nps-id").unwrap_or_default())
    }
}

fn js_error(message: &str) -> JsValue {
    js_sys::Error::new(message).into()
}

fn resolve_target(target: &JsValue, call: &str) -> Result<Element, JsValue> {
    if let Some(sel) = target.as_string() {
        return host::document()
            .query_selector(&sel)
            .ok()
            .flatten()
            .ok_or_else(|| {
                js_error(&format!(
                    "{call}: no element matches the selector {}",
                    crate::contract::error::quoted(&sel)
                ))
            });
    }
    target.clone().dyn_into::<Element>().map_err(|_| {
        js_error(&format!(
            "{call}: the first argument must be an element or a CSS selector"
        ))
    })
}

/// Mounts a survey into an element (or the first match of a selector). `config` keys
/// override the element's `data-*` attributes. Throws an `Error` naming every bad field;
/// the element shows the same message.
#[wasm_bindgen]
pub fn mount(target: JsValue, config: JsValue) -> Result<Handle, JsValue> {
    let el = resolve_target(&target, "NpsWidget.mount")?;
    if el.has_attribute("data-nps-mounted") {
        return Err(js_error("NpsWidget.mount: this element has a survey already; call destroy() on its handle first"));
    }
    mount_into(el, Some(&config))
}

fn mount_into(el: Element, config: Option<&JsValue>) -> Result<Handle, JsValue> {
    let cfg = match host::read_config(&el, config) {
        Ok(c) => Rc::new(c),
        Err(errors) => {
            let (debug, locale) = host::embed_hints(&el, config);
            let details = crate::config::shows_details(debug, &host::hostname());
            return Err(js_error(&host::show_config_errors(
                &el, &errors, details, locale,
            )));
        }
    };
    if let Err(message) = trigger::check_selector(&cfg) {
        let (debug, locale) = host::embed_hints(&el, config);
        let details = crate::config::shows_details(debug, &host::hostname());
        let error = crate::contract::error::FieldError::invalid(
            crate::config::keys::CLICK_SELECTOR.name,
            cfg.click_selector.clone().unwrap_or_default(),
            message,
        );
        return Err(js_error(&host::show_config_errors(
            &el,
            &[error],
            details,
            locale,
        )));
    }
    let context = cfg.context_with_query(&host::query_pairs());
    let keys = marks::Keys::new(
        &cfg.survey,
        context
            .get(crate::contract::rules::VISIT)
            .map(String::as_str),
        &host::path(),
    );
    // Throttling, sampling and once-per-visit (`gate`); a survey that is not asked is not
    // rendered at all, and says why in the console when `debug` is on.
    let kept = marks::kept(&cfg);
    let gate = gate::decide(&cfg, &host::memory(&keys, kept), host::now_ms());
    if cfg.debug {
        web_sys::console::info_1(&JsValue::from_str(&format!(
            "nps-widget: survey {}: {}",
            cfg.survey,
            gate.why()
        )));
    }
    if !matches!(gate, Gate::Ask | Gate::AlreadyAnswered) {
        let _ = el.set_attribute("data-nps-mounted", "");
        return Ok(Handle {
            app: None,
            host: el,
            root: None,
        });
    }
    let already_answered = gate == Gate::AlreadyAnswered;
    // A page the collector rendered names its response (the widget takes it over in place);
    // else a reload continues the response in progress (`takeover::starting` decides).
    let takeover = Takeover::read(
        el.get_attribute(takeover::RESPONSE_ATTR).as_deref(),
        el.get_attribute(takeover::SCORE_ATTR).as_deref(),
    );
    let draft = host::read_draft(&keys.draft);
    let start = takeover::starting(&cfg, takeover, draft, already_answered, host::in_use);
    let (id, created_at, resumed, write_key) = match start {
        Some(t) => (t.id, t.created_at, t.score, t.write_key),
        None => (
            uuid::Uuid::new_v4().to_string(),
            host::now_rfc3339(),
            None,
            None,
        ),
    };
    // A response an earlier version started has no key: a new one is bound to it by the
    // collector while it still takes posts without one (`--keyless-until`).
    let write_key = write_key.unwrap_or_else(host::new_write_key);
    let page = host::href().map(|h| rules::page_url(&h, |k| context.contains_key(k)));
    let meta = Rc::new(Meta {
        id: id.clone(),
        survey: cfg.survey.clone(),
        terms: Terms::for_survey(&cfg),
        context,
        locale: cfg.locale.tag().to_owned(),
        page,
        created_at,
        write_key,
    });
    // The survey renders into its own shadow root, in place of any fallback content.
    let (shell, root) = host::shadow_root(&cfg.card_style())?;
    el.set_text_content(None);
    el.append_child(&shell)?;
    let _ = el.set_attribute("data-nps-mounted", "");
    let _ = el.set_attribute("data-nps-id", &id);
    let open = cfg.trigger == Trigger::Load || resumed.is_some();
    let props = SessionProps {
        config: cfg,
        meta,
        host: el.clone(),
        keys: Rc::new(keys),
        already_answered,
        resumed,
        open,
    };
    let app = yew::Renderer::<Session>::with_root_and_props(root, props).render();
    Ok(Handle {
        app: Some(app),
        host: el,
        root: Some(shell),
    })
}

/// Opens a survey waiting for its trigger (or one that was closed: a fresh response), that of
/// an element or selector, or every survey of the page; returns whether any opened. A survey
/// that throttling or sampling keeps away is not opened (`force` to test; `debug` says why).
#[wasm_bindgen]
pub fn show(target: JsValue) -> Result<bool, JsValue> {
    if target.is_null() || target.is_undefined() {
        return Ok(trigger::show(None) > 0);
    }
    let el = resolve_target(&target, "NpsWidget.show")?;
    Ok(trigger::show(Some(&el)) > 0)
}

/// Mounts every `[data-nps-survey]` not mounted yet; returns the handles.
#[wasm_bindgen(js_name = mountAll)]
pub fn mount_all() -> js_sys::Array {
    let out = js_sys::Array::new();
    let Ok(list) = host::document().query_selector_all("[data-nps-survey]:not([data-nps-mounted])")
    else {
        return out;
    };
    for i in 0..list.length() {
        if let Some(el) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
            // A broken embed shows its error in place and in the console; the others still mount.
            if let Ok(h) = mount_into(el, None) {
                out.push(&JsValue::from(h));
            }
        }
    }
    out
}

/// Scores an Array or Uint8Array of integers 0–10:
/// `{n, promoters, passives, detractors, nps, ci95: [lo, hi]}`, `nps: null` when n is 0.
#[wasm_bindgen]
pub fn score(scores: JsValue) -> Result<JsValue, JsValue> {
    // A typed array is read in bulk and counted in one pass (1,000,000 scores in a few ms).
    if let Some(bytes) = scores.dyn_ref::<js_sys::Uint8Array>() {
        let tally = crate::scoring::analysis::tally_bytes(&own_bytes(bytes))
            .map_err(|e| js_error(&format!("NpsWidget.score: {e}")))?;
        return js_sys::JSON::parse(&scored(&tally).to_string());
    }
    let values: Vec<JsValue> = if js_sys::Array::is_array(&scores) {
        js_sys::Array::from(&scores).iter().collect()
    } else {
        return Err(js_error(
            "NpsWidget.score: scores must be an Array or a Uint8Array of integers from 0 to 10",
        ));
    };
    let mut checked = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        match v.as_f64().and_then(Score::of_f64) {
            Some(s) => checked.push(s),
            _ => {
                // JavaScript shows the value as the page's developer wrote it (and wasm
                // stays free of Rust's float formatting).
                let shown = match v.as_f64() {
                    Some(f) => js_sys::Number::from(f)
                        .to_string_with_radix(10)
                        .ok()
                        .map(String::from),
                    None if v.is_undefined() => Some("undefined".into()),
                    None => js_sys::JSON::stringify(v).ok().and_then(|s| s.as_string()),
                };
                let shown = shown.unwrap_or_else(|| "not a number".into());
                return Err(js_error(&format!(
                    "NpsWidget.score: score at index {i} is {shown}: expected an integer from 0 to 10"
                )));
            }
        }
    }
    let tally = Tally::of(checked);
    js_sys::JSON::parse(&scored(&tally).to_string())
}

/// The bytes of a `Uint8Array` the page gave, read in bulk from a copy the engine made: what
/// passed the type check may be a Proxy whose `length` changes between reads, and the copy
/// into wasm memory must not trust it.
fn own_bytes(a: &js_sys::Uint8Array) -> Vec<u8> {
    js_sys::Uint8Array::new(a).to_vec()
}

/// A tally as the JS API gives it: `{n, promoters, passives, detractors, nps, ci95}`.
fn scored(t: &Tally) -> serde_json::Value {
    let nps = t.nps();
    crate::obj! {
        "n" => t.n(),
        "promoters" => t.promoters,
        "passives" => t.passives,
        "detractors" => t.detractors,
        "nps" => nps.map(|x| x.score),
        "ci95" => nps.map(|x| vec![x.ci95.0, x.ci95.1]),
    }
}

/// Scores a batch by segment: a `Uint8Array` of scores 0–10 and a parallel array (or
/// `Uint32Array`) of integer segment ids → `[{segment, n, promoters, passives, detractors,
/// nps, ci95}]`, in segment order.
#[wasm_bindgen(js_name = scoreSegments)]
pub fn score_segments(scores: JsValue, segments: JsValue) -> Result<JsValue, JsValue> {
    let scores = scores
        .dyn_ref::<js_sys::Uint8Array>()
        .map(own_bytes)
        .ok_or_else(|| {
            js_error(
                "NpsWidget.scoreSegments: scores must be a Uint8Array of integers from 0 to 10",
            )
        })?;
    let ids: Vec<u32> = if let Some(a) = segments.dyn_ref::<js_sys::Uint32Array>() {
        // A copy made by the engine, whose length cannot change under the copy into wasm
        // (a Proxy passes the type check and may answer `length` differently each time).
        js_sys::Uint32Array::new(a).to_vec()
    } else if js_sys::Array::is_array(&segments) {
        let mut ids = Vec::with_capacity(scores.len());
        for (i, v) in js_sys::Array::from(&segments).iter().enumerate() {
            match v.as_f64().filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= u32::MAX as f64) {
                Some(f) => ids.push(f as u32),
                None => {
                    return Err(js_error(&format!(
                        "NpsWidget.scoreSegments: segment at index {i} is not an integer id from 0 to 4294967295"
                    )))
                }
            }
        }
        ids
    } else {
        return Err(js_error(
            "NpsWidget.scoreSegments: segments must be an Array or a Uint32Array of integer ids, one per score",
        ));
    };
    let tallies = crate::scoring::analysis::tally_segments(&scores, &ids)
        .map_err(|e| js_error(&format!("NpsWidget.scoreSegments: {e}")))?;
    let out = js_sys::Array::new();
    for (segment, t) in tallies {
        let mut row = scored(&t);
        if let serde_json::Value::Object(fields) = &mut row {
            fields.insert("segment".into(), segment.into());
        }
        out.push(&js_sys::JSON::parse(&row.to_string())?);
    }
    Ok(out.into())
}

/// Runs on load: restores the outbox and sends what earlier pages left. The loader then
/// mounts the page's surveys once the document is parsed. In a yew app that depends on this
/// crate (without the `shipped` feature), the `Survey` component runs it at its first mount.
#[cfg_attr(feature = "shipped", wasm_bindgen(start))]
pub fn start() {
    thread_local!(static STARTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });
    if !STARTED.with(|s| s.replace(true)) {
        host::prune_marks();
        sender::resume_from_storage();
    }
}
