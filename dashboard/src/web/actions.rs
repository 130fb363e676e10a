//! What if: the panel for the three levers side by side (the customers to call back are the
//! case queue, `cases`); below the page's minimum of answers, only "样本不足…".

use std::rc::Rc;

use nps_core::scoring::analysis::{what_if, Lever};
use yew::prelude::*;

use super::app::View;
use crate::format::{change, points};
use crate::words::Word;

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
    if t.n() < v.cx.min_n {
        // Too few answers to reckon with: no lever moves a figure that means nothing yet.
        return html! {
            <section class="card whatif" style="grid-area: whatif" aria-labelledby="whatif-h">
                <h2 id="whatif-h">{ v.t(Word::WhatIf) }</h2>
                <p class="muted thin">{ crate::plain::not_enough(t.n(), v.locale) }</p>
            </section>
        };
    }
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
