//! At a glance: the NPS in its grade's colour with its interval and n, "not enough data"
//! where n is small, the change against the previous period with its verdict, and the
//! promoter/passive/detractor bar.

use std::rc::Rc;

use nps_core::scoring::analysis::Verdict;
use yew::prelude::*;

use super::app::View;
use super::charts::StackedBar;
use crate::format::{change, date, int, points};
use crate::report::{grade, Grade};
use crate::words::Word;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub view: Rc<View>,
}

/// The class and the word of a verdict.
pub fn verdict(v: Verdict) -> (&'static str, Word) {
    match v {
        Verdict::Better => ("verdict better", Word::Better),
        Verdict::Worse => ("verdict worse", Word::Worse),
        Verdict::Noise => ("verdict noise", Word::Noise),
    }
}

#[component]
pub fn Glance(props: &Props) -> Html {
    let v = &props.view;
    let r = &v.report;
    let range = format!("{} – {}", date(r.from, v.locale), date(r.to, v.locale));
    let Some(nps) = r.nps else {
        return html! {
            <section class="card glance" style="grid-area: glance">
                <h2>{ v.t(Word::Nps) }<span class="muted small range">{ range }</span></h2>
                <p class="empty">{ v.t(Word::NoData) }</p>
            </section>
        };
    };
    let (class, word) = match grade(nps.score) {
        Grade::Good => ("good", Word::Good),
        Grade::Fair => ("fair", Word::Fair),
        Grade::Poor => ("poor", Word::Poor),
    };
    let interval = v.fill(
        Word::Interval,
        &[("lo", &points(nps.ci95.0)), ("hi", &points(nps.ci95.1))],
    );
    let period = v.fill(
        Word::VsPrevious,
        &[
            ("from", &date(r.previous_from, v.locale)),
            ("to", &date(r.previous_to, v.locale)),
        ],
    );
    let compared = match r.change {
        Some(d) => {
            let (vclass, vword) = verdict(d.verdict);
            html! {
                <div class="change">
                    <p><span class="delta">{ change(d.points) }</span>
                       <span class={vclass}>{ v.t(vword) }</span></p>
                    <p class="muted small">{ period }</p>
                    <p class="muted small">{ v.fill(Word::DiffInterval, &[("lo", &change(d.ci95.0)), ("hi", &change(d.ci95.1))]) }</p>
                </div>
            }
        }
        None => html! {
            <div class="change"><p class="muted small">{ v.t(Word::NoPrevious) }</p></div>
        },
    };
    html! {
        <section class="card glance" style="grid-area: glance" aria-labelledby="glance-h">
            <h2 id="glance-h">{ v.t(Word::Nps) }<span class="muted small range">{ range }</span></h2>
            <div class="headline">
                <div class={classes!("score", class)}>
                    <span class="big">{ points(nps.score) }</span>
                    <span class="grade">{ v.t(word) }</span>
                </div>
                <div class="facts">
                    <p class="interval">{ interval }</p>
                    <p class="n">{ v.fill(Word::Responses, &[("n", &int(r.tally.n()))]) }</p>
                    if !r.enough {
                        <p class="badge thin" title={v.fill(Word::NotEnoughWhy, &[("n", &r.min_n.to_string())])}>{ v.t(Word::NotEnough) }</p>
                    }
                </div>
                { compared }
            </div>
            <StackedBar view={props.view.clone()} />
            if r.flagged > 0 {
                <p class="muted small">{ v.fill(Word::Flagged, &[("n", &int(r.flagged as u64))]) }</p>
            }
        </section>
    }
}
