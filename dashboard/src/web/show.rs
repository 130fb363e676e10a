//! A section a link opens at (`#show=referrals`, a thank-you alert's link): brought into view
//! once its heading is drawn. The sections load on their own after the answers, so the page
//! looks for the heading a few times a second, for a few seconds, then gives up quietly.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::filters::Section;

/// How many times the heading is looked for, and how far apart (ms).
const TRIES: u32 = 40;
const EVERY_MS: i32 = 250;

/// Scrolls `section`'s heading into view as soon as it is in the page.
pub fn bring_into_view(section: Section) {
    look(section.heading(), TRIES);
}

fn look(id: &'static str, left: u32) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Some(heading) = window.document().and_then(|d| d.get_element_by_id(id)) {
        heading.scroll_into_view();
        return;
    }
    if left == 0 {
        return;
    }
    let again = Closure::once_into_js(move || look(id, left - 1));
    let _ = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(again.unchecked_ref(), EVERY_MS);
}
