//! The 0–10 scale: a radio group of 11 buttons with labelled ends.
//!
//! Neutral until a choice; then the chosen button takes its category colour and the
//! others fade. Arrow keys, Home and End move focus; Enter or Space chooses.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::config::Config;
use crate::scoring::score::Score;
use crate::words::{fill, Text};

#[derive(Properties, PartialEq)]
pub struct ScaleProps {
    pub config: Rc<Config>,
    pub chosen: Option<Score>,
    pub labelled_by: AttrValue,
    pub on_choose: Callback<Score>,
}

#[component]
pub fn Scale(props: &ScaleProps) -> Html {
    let group = use_node_ref();
    let cfg = &props.config;

    let onkeydown = {
        let group = group.clone();
        Callback::from(move |e: KeyboardEvent| {
            let Some(el) = group.cast::<web_sys::Element>() else {
                return;
            };
            let buttons = el.children();
            let n = buttons.length();
            // The key goes to the focused button (`document.activeElement` is the shadow host).
            let focused: Option<web_sys::Element> = e.target_dyn_into();
            let current = (0..n).find(|i| buttons.item(*i) == focused);
            let target = match (e.key().as_str(), current) {
                ("ArrowRight" | "ArrowDown", Some(i)) => Some((i + 1).min(n - 1)),
                ("ArrowLeft" | "ArrowUp", Some(i)) => Some(i.saturating_sub(1)),
                ("Home", _) => Some(0),
                ("End", _) => Some(n - 1),
                _ => None,
            };
            if let Some(t) = target {
                e.prevent_default();
                if let Some(b) = buttons
                    .item(t)
                    .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = b.focus();
                }
            }
        })
    };

    let buttons = Score::all().map(|s| {
        let checked = props.chosen == Some(s);
        let category = s.category().as_str();
        let focusable = checked || (props.chosen.is_none() && s == Score::MIN);
        let label = match s {
            Score::MIN => format!("0 – {}", cfg.text(Text::ScaleLow)),
            Score::MAX => format!("10 – {}", cfg.text(Text::ScaleHigh)),
            _ => fill(cfg.text(Text::ScoreLabel), &[("score", &s.to_string())]),
        };
        let onclick = props.on_choose.reform(move |_: MouseEvent| s);
        html! {
            <button type="button" role="radio"
                class={classes!("nps-score", format!("nps-{category}"))}
                aria-checked={if checked { "true" } else { "false" }}
                aria-label={label}
                tabindex={if focusable { "0" } else { "-1" }}
                data-score={s.to_string()}
                {onclick}>
                { s.get() }
            </button>
        }
    });

    html! {
        <>
            <div ref={group} role="radiogroup" aria-labelledby={props.labelled_by.clone()}
                class={classes!("nps-scale", props.chosen.map(|_| "nps-scale--chosen"))}
                {onkeydown}>
                { for buttons }
            </div>
            <div class="nps-ends" aria-hidden="true">
                <span>{ cfg.text(Text::ScaleLow) }</span>
                <span>{ cfg.text(Text::ScaleHigh) }</span>
            </div>
        </>
    }
}
