//! "原因": each reason split into praise (the promoters who picked it) and complaints (the
//! passives and detractors who picked it), each side with its count and what it does to the
//! NPS, on bars sharing one scale. A row is a button: it sets the view's `reason` (kept in the
//! link) so the comments show the answers that chose it, and brings the comments into view.

use std::rc::Rc;

use yew::prelude::*;

use super::app::View;
use super::tables::reason_label;
use crate::filters::Filters;
use crate::format::{change, int};
use crate::words::Word;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub view: Rc<View>,
    pub on_view: Callback<Filters>,
}

#[component]
pub fn Drivers(props: &Props) -> Html {
    let v = &props.view;
    let drivers = &v.report.drivers;
    // One scale for both sides: the largest effect either way.
    let widest = drivers
        .iter()
        .map(|d| d.praise_impact.abs().max(d.complaint_impact.abs()))
        .fold(1.0_f64, f64::max);
    let side = |n: u64, impact: f64, class: &'static str| {
        let width = format!("width: {:.0}%", 100.0 * impact.abs() / widest);
        html! {
            <td class={classes!("side", class)}>
                if n > 0 { <span class={classes!("bar", class)} style={width}></span> }
                <span class="num">{ v.fill(Word::SideOf, &[("n", &int(n)), ("impact", &change(impact))]) }</span>
            </td>
        }
    };
    let rows = drivers.iter().map(|d| {
        let (f, on_view) = (v.filters.clone(), props.on_view.clone());
        let id = d.reason.clone();
        let picked = f.reason.as_deref() == Some(id.as_str());
        let onclick = Callback::from(move |_: MouseEvent| {
            on_view.emit(Filters {
                reason: Some(id.clone()),
                comments: None,
                ..f.clone()
            });
            if let Some(c) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id("comments-h"))
            {
                c.scroll_into_view();
            }
        });
        html! {
            <tr data-reason={d.reason.clone()}>
                <th scope="row">
                    <button type="button" class="link" aria-pressed={picked.to_string()} {onclick}>{ reason_label(&d.reason, v.locale) }</button>
                </th>
                { side(d.praised(), d.praise_impact, "pos") }
                { side(d.complained(), d.complaint_impact, "neg") }
            </tr>
        }
    });
    html! {
        <section class="card drivers" style="grid-area: drivers" aria-labelledby="drivers-h">
            <h2 id="drivers-h">{ v.t(Word::Why) }</h2>
            <p class="muted small">{ v.t(Word::DriversHint) }</p>
            if drivers.is_empty() {
                <p class="empty">{ v.t(Word::NoReasons) }</p>
            } else {
                <table>
                    <thead><tr>
                        <th scope="col">{ v.t(Word::Reason) }</th>
                        <th scope="col">{ v.t(Word::Praised) }</th>
                        <th scope="col">{ v.t(Word::Complained) }</th>
                    </tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            }
        </section>
    }
}
