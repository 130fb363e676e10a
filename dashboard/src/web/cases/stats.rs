//! The cases per store and per advisor (`GET /api/cases/stats?by=store|advisor`): a table on
//! a wide screen, a card per row on a phone (each figure with its column's name), the rows
//! as `crate::cases::stats` words them.

use std::rc::Rc;

use yew::prelude::*;

use crate::cases::stats::{self, By, COLUMNS};
use crate::web::app::View;
use crate::words::Word;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub view: Rc<View>,
}

#[component]
pub fn CaseStats(props: &Props) -> Html {
    let v = &props.view;
    let by = use_state(By::default);
    let rows = use_state(|| None::<Result<Vec<stats::Stat>, String>>);
    {
        let (rows, api, locale) = (rows.clone(), v.api.to_string(), v.locale);
        use_effect_with(*by, move |by| {
            let by = *by;
            rows.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                let url = format!("{api}/cases/stats?by={}", by.key());
                let got = super::get(&url, locale)
                    .await
                    .and_then(|t| stats::from_json(&t));
                rows.set(Some(got));
            });
        });
    }
    let tabs = By::ALL.map(|b| {
        let by = by.clone();
        html! {
            <button type="button" class="seg" data-by={b.key()} aria-pressed={(*by == b).to_string()}
                onclick={Callback::from(move |_: MouseEvent| by.set(b))}>{ v.t(b.word()) }</button>
        }
    });
    let heads = COLUMNS.map(|w| html! { <th scope="col" class="num">{ v.t(w) }</th> });
    let body = match &*rows {
        None => html! { <p class="status" role="status">{ v.t(Word::Loading) }</p> },
        Some(Err(why)) => html! { <p class="status error" role="alert">{ why.clone() }</p> },
        Some(Ok(list)) if list.is_empty() => html! { <p class="empty">{ v.t(Word::NoStats) }</p> },
        Some(Ok(list)) => html! {
            <table>
                <thead><tr><th scope="col">{ v.t(by.word()) }</th>{ for heads }</tr></thead>
                <tbody>
                    { for list.iter().map(|s| {
                        let row = stats::row(s, v.locale);
                        html! {
                            <tr data-key={row.key.clone()}>
                                <th scope="row">{ row.name.clone() }</th>
                                { for row.cells.iter().zip(COLUMNS).map(|(cell, w)| {
                                    // The overdue count in red when some case is overdue.
                                    let red = w == Word::StatOverdue && row.overdue;
                                    html! { <td class={classes!("num", red.then_some("overdue"))} data-label={v.t(w)}>{ cell.clone() }</td> }
                                }) }
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        },
    };
    html! {
        <section class="card case-stats" style="grid-area: casestats" aria-labelledby="case-stats-h">
            <h2 id="case-stats-h">{ v.t(Word::CaseStats) }</h2>
            <p class="muted small">{ v.t(Word::CaseStatsHint) }</p>
            <div class="segs" role="group" aria-label={v.t(Word::CaseStats)}>{ for tabs }</div>
            { body }
        </section>
    }
}
