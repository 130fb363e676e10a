//! When a survey shows: its trigger's listeners (a timer, the page's scroll, a desktop
//! pointer leaving through the top edge, a click on `click_selector`), the surveys
//! `NpsWidget.show()` can open, and keeping the follow-up above the on-screen keyboard.
//! Listeners are removed when their guard is dropped (the widget unmounts).

use std::cell::RefCell;
use std::rc::Rc;

use gloo_events::{EventListener, EventListenerOptions};
use gloo_timers::callback::Timeout;
use wasm_bindgen::JsCast;
use web_sys::Element;

use crate::config::{Config, Trigger};

/// The armed trigger of one survey: dropping it removes its listeners and timer (held only
/// for that).
#[allow(dead_code)]
pub enum Armed {
    None,
    Timer(Timeout),
    Listener(EventListener),
}

/// Arms `cfg.trigger`; `show` runs when it fires (it may run more than once: a click
/// trigger reopens the survey). `Load` and `Manual` arm nothing.
pub fn arm(cfg: &Config, show: Rc<dyn Fn()>) -> Armed {
    let window = web_sys::window().expect("a window");
    match cfg.trigger {
        Trigger::Load | Trigger::Manual => Armed::None,
        Trigger::Delay => Armed::Timer(Timeout::new(cfg.delay_ms, move || show())),
        Trigger::Scroll => {
            let percent = cfg.scroll_percent as f64;
            let reached = move || {
                let Some(w) = web_sys::window() else {
                    return false;
                };
                let Some(doc) = w.document().and_then(|d| d.document_element()) else {
                    return false;
                };
                let seen = w.scroll_y().unwrap_or(0.0)
                    + w.inner_height()
                        .ok()
                        .and_then(|h| h.as_f64())
                        .unwrap_or(0.0);
                let total = doc.scroll_height() as f64;
                total <= 0.0 || seen * 100.0 >= total * percent
            };
            if reached() {
                // A page too short to scroll that far: the reader sees all of it already.
                return Armed::Timer(Timeout::new(0, move || show()));
            }
            Armed::Listener(EventListener::new(&window, "scroll", move |_| {
                if reached() {
                    show();
                }
            }))
        }
        Trigger::Exit => {
            let fine = window
                .match_media("(pointer: fine)")
                .ok()
                .flatten()
                .is_some_and(|m| m.matches());
            if !fine {
                // No exit intent on a touch screen: a phone has no pointer to leave the page.
                return Armed::None;
            }
            let doc = window.document().expect("a document");
            Armed::Listener(EventListener::new(&doc, "mouseout", move |e| {
                let Some(e) = e.dyn_ref::<web_sys::MouseEvent>() else {
                    return;
                };
                if e.related_target().is_none() && e.client_y() <= 0 {
                    show();
                }
            }))
        }
        Trigger::Click => {
            let selector = cfg.click_selector.clone().unwrap_or_default();
            let doc = window.document().expect("a document");
            Armed::Listener(EventListener::new_with_options(
                &doc,
                "click",
                EventListenerOptions::run_in_capture_phase(),
                move |e| {
                    let hit = e
                        .target()
                        .and_then(|t| t.dyn_into::<Element>().ok())
                        .and_then(|t| t.closest(&selector).ok().flatten());
                    if hit.is_some() {
                        show();
                    }
                },
            ))
        }
    }
}

/// A click trigger's selector must be one the browser understands; the error names the key.
pub fn check_selector(cfg: &Config) -> Result<(), String> {
    let (Trigger::Click, Some(sel)) = (cfg.trigger, &cfg.click_selector) else {
        return Ok(());
    };
    crate::web::host::document()
        .query_selector(sel)
        .map(|_| ())
        .map_err(|_| {
            format!(
                "click_selector is {}: not a CSS selector this browser understands (e.g. \"#feedback\" or \".nps-open\")",
                crate::contract::error::quoted(sel)
            )
        })
}

thread_local! {
    /// The mounted surveys `NpsWidget.show()` can open: host element and its opener.
    static SHOWABLE: RefCell<Vec<(Element, Rc<dyn Fn()>)>> = const { RefCell::new(Vec::new()) };
}

/// Lets `NpsWidget.show()` open the survey of `host` until the guard is dropped.
pub struct Showable(Element);

impl Showable {
    pub fn new(host: Element, show: Rc<dyn Fn()>) -> Showable {
        SHOWABLE.with(|s| s.borrow_mut().push((host.clone(), show)));
        Showable(host)
    }
}

impl Drop for Showable {
    fn drop(&mut self) {
        SHOWABLE.with(|s| s.borrow_mut().retain(|(h, _)| *h != self.0));
    }
}

/// Opens the survey of `host`, or every survey of the page; how many it opened.
pub fn show(host: Option<&Element>) -> u32 {
    let openers: Vec<Rc<dyn Fn()>> = SHOWABLE.with(|s| {
        s.borrow()
            .iter()
            .filter(|(h, _)| host.is_none_or(|t| t == h))
            .map(|(_, f)| f.clone())
            .collect()
    });
    for f in &openers {
        f();
    }
    openers.len() as u32
}

/// While a field of the follow-up has focus on a phone, keeps the card above the on-screen
/// keyboard: the keyboard's height goes to `--nps-keyboard` on `root` (a modal or slide-in
/// moves up by it), and the focused field and the submit button are scrolled into view.
pub fn follow_keyboard(root: Element) -> Option<[EventListener; 2]> {
    let vv = web_sys::window()?.visual_viewport()?;
    let update = {
        let vv = vv.clone();
        move || {
            let Some(w) = web_sys::window() else { return };
            let inner = w
                .inner_height()
                .ok()
                .and_then(|h| h.as_f64())
                .unwrap_or(0.0);
            // Whole pixels: formatting a float would bring float printing into the wasm.
            let hidden = (inner - vv.height() - vv.offset_top()).max(0.0) as i32;
            if let Some(el) = root.dyn_ref::<web_sys::HtmlElement>() {
                let _ = el
                    .style()
                    .set_property("--nps-keyboard", &format!("{hidden}px"));
            }
            let Some(shadow) = root.get_root_node().dyn_into::<web_sys::ShadowRoot>().ok() else {
                return;
            };
            let Some(focused) = shadow.active_element() else {
                return;
            };
            if hidden > 0 {
                let nearest = web_sys::ScrollIntoViewOptions::new();
                nearest.set_block(web_sys::ScrollLogicalPosition::Nearest);
                if let Ok(Some(submit)) = root.query_selector(".nps-actions") {
                    submit.scroll_into_view_with_scroll_into_view_options(&nearest);
                }
                focused.scroll_into_view_with_scroll_into_view_options(&nearest);
            }
        }
    };
    let update = Rc::new(update);
    let (a, b) = (update.clone(), update);
    Some([
        EventListener::new(&vv, "resize", move |_| a()),
        EventListener::new(&vv, "scroll", move |_| b()),
    ])
}
