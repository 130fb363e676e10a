//! What to do: the detractors waiting for a call-back (soonest deadline first, the hours
//! left or overdue), and the what-if panel for the three levers side by side.

use std::rc::Rc;

use nps_core::scoring::analysis::{what_if, Lever};
use yew::prelude::*;

use super::app::View;
use crate::format::{change, moment, points};
use crate::words::Word;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub view: Rc<View>,
}

#[component]
pub fn Callbacks(props: &Props) -> Html {
    let v = &props.view;
    let rows = v.report.callbacks.iter().map(|c| {
        let r = &v.records[c.index];
        let (class, left) = if c.hours_left < 0 {
            ("due overdue", v.fill(Word::Overdue, &[("h", &(-c.hours_left).to_string())]))
        } else {
            ("due", v.fill(Word::HoursLeft, &[("h", &c.hours_left.to_string())]))
        };
        let phone = r.phone.clone().unwrap_or_default();
        let reveal = v.me.as_ref().is_some_and(|m| m.may_reveal());
        html! {
            <li>
                <span class="pill detractor">{ r.score.map(|s| s.to_string()).unwrap_or_default() }</span>
                <div class="who">
                    if reveal {
                        <Reveal view={v.clone()} id={r.id.clone()} masked={phone.clone()} />
                    } else if phone.contains('*') {
                        <span class="phone">{ phone.clone() }</span>
                    } else {
                        <a class="phone" href={format!("tel:{phone}")}>{ phone.clone() }</a>
                    }
                    <p class="muted small">{ format!("{} · {}", super::tables::where_from(v, r), moment(r.received, v.cx.offset, v.locale)) }</p>
                    if let Some(text) = &r.comment { <p class="text small">{ text.clone() }</p> }
                </div>
                <span class={class}>{ left }</span>
            </li>
        }
    });
    html! {
        <section class="card callbacks" style="grid-area: callbacks" aria-labelledby="callbacks-h">
            <h2 id="callbacks-h">{ v.t(Word::Callbacks) }
                <span class="count">{ v.report.callbacks.len() }</span></h2>
            <p class="muted small">{ v.t(Word::CallbacksHint) }</p>
            if v.me.as_ref().is_some_and(|m| m.may_reveal()) && !v.report.callbacks.is_empty() {
                <p class="muted small">{ v.t(Word::RevealHint) }</p>
            }
            if v.report.callbacks.is_empty() {
                <p class="empty">{ v.t(Word::NoCallbacks) }</p>
            } else {
                <ul class="list" tabindex="0" aria-labelledby="callbacks-h">{ for rows }</ul>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct RevealProps {
    pub view: Rc<View>,
    /// The response's id.
    pub id: AttrValue,
    /// The phone as the export gives it: masked (`138****3788`).
    pub masked: AttrValue,
}

/// A masked phone and "show number": one tap asks the collector for the full number (which
/// writes it to the audit trail) and turns it into a link to call.
#[component]
pub fn Reveal(props: &RevealProps) -> Html {
    let v = &props.view;
    let shown = use_state(|| None::<Result<String, String>>);
    let onclick = {
        let (shown, api, id) = (shown.clone(), v.api.to_string(), props.id.to_string());
        Callback::from(move |_: MouseEvent| {
            let (shown, api, id) = (shown.clone(), api.clone(), id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let id_path: String = form_urlencoded::byte_serialize(id.as_bytes()).collect();
                let url = format!("{api}/responses/{id_path}/reveal");
                let got = match super::fetch("POST", &url).await {
                    Ok((200, text)) => serde_json::from_str::<serde_json::Value>(&text)
                        .ok()
                        .and_then(|v| v["phone"].as_str().map(str::to_owned))
                        // Empty: the collector answered without a number (said in words below).
                        .ok_or_else(String::new),
                    Ok((s, text)) => Err(super::why(s, &text)),
                    Err(e) => Err(e),
                };
                shown.set(Some(got));
            });
        })
    };
    match &*shown {
        Some(Ok(phone)) => html! {
            <a class="phone" href={format!("tel:{phone}")}>{ phone.clone() }</a>
        },
        other => html! {
            <span class="phone">
                { props.masked.clone() }
                <button type="button" class="ghost small reveal" {onclick} title={v.t(Word::RevealHint)}>
                    { v.t(Word::Reveal) }
                </button>
                if let Some(Err(why)) = other {
                    <span class="status error small" role="alert">{ v.fill(Word::RevealFailed, &[("why", if why.is_empty() { v.t(Word::NoPhoneBack) } else { why })]) }</span>
                }
            </span>
        },
    }
}

/// A lever's share at its end: all of them, in %.
const ALL_OF_THEM: &str = "100";

#[derive(Properties, PartialEq)]
pub struct WhatIfProps {
    pub view: Rc<View>,
    /// (which lever, its new value, all three values).
    pub on_lever: Callback<(usize, f64, [f64; 3])>,
}

#[component]
pub fn WhatIf(props: &WhatIfProps) -> Html {
    let v = &props.view;
    let t = &v.report.tally;
    let values = v.levers.unwrap_or([0.0; 3]);
    let now = t.nps().map(|n| n.score);
    let rows = [
        (Word::LeverDetractors, Lever::DetractorsTo(values[0])),
        (Word::LeverPromoters, Lever::PromotersTo(values[1])),
        (Word::LeverPassives, Lever::ConvertPassives(values[2])),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (word, lever))| {
        let value = values[i];
        let id = format!("lever-{i}");
        let on_lever = props.on_lever.clone();
        let oninput = Callback::from(move |e: InputEvent| {
            let x = e
                .target_dyn_into::<web_sys::HtmlInputElement>()
                .and_then(|i| i.value().parse::<f64>().ok())
                .unwrap_or(value);
            on_lever.emit((i, x, values));
        });
        let result = match (what_if(t, lever), now) {
            (Some(after), Some(before)) => v.fill(Word::LeverResult, &[("nps", &points(after)), ("delta", &change(after - before))]),
            _ => String::new(),
        };
        html! {
            <div class="lever">
                <label for={id.clone()}>{ v.fill(word, &[("x", &format!("{value:.0}%"))]) }</label>
                <input id={id} type="range" min="0" max={ALL_OF_THEM} step="1" value={format!("{value:.0}")} {oninput} />
                <output class="result" for={format!("lever-{i}")}>{ result }</output>
            </div>
        }
    });
    html! {
        <section class="card whatif" style="grid-area: whatif" aria-labelledby="whatif-h">
            <h2 id="whatif-h">{ v.t(Word::WhatIf) }</h2>
            { for rows }
        </section>
    }
}
