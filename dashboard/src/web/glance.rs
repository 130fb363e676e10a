//! At a glance: the NPS with its interval and its count of answers, coloured against its
//! target (else by its grade) only where there are enough answers ("样本不足（5 条），暂不评级"
//! otherwise), the change against the previous period in words that say so, a "what does
//! this mean" in plain words, the answers left out and why, and the category bar.

use std::rc::Rc;

use yew::prelude::*;

use super::app::View;
use super::charts::StackedBar;
use crate::format::{change, date, int, points};
use crate::plain;
use crate::report::targets::against;
use crate::report::{grade, Grade};
use crate::words::Word;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub view: Rc<View>,
}

/// "这是什么意思？" opening the plain words on intervals and verdicts.
pub fn what_it_means(v: &View, extra: Option<String>) -> Html {
    html! {
        <details class="means">
            <summary>{ v.t(Word::WhatMeans) }</summary>
            <p>{ v.t(Word::IntervalMeans) }</p>
            <p>{ v.t(Word::VerdictMeans) }</p>
            { for extra.map(|e| html! { <p>{ e }</p> }) }
        </details>
    }
}

#[component]
pub fn Glance(props: &Props) -> Html {
    let v = &props.view;
    let r = &v.report;
    let range = format!("{} – {}", date(r.from, v.locale), date(r.to, v.locale));
    let left_out = plain::left_out(&r.left_out, v.locale)
        .map(|s| html! { <p class="left-out muted small">{ s }</p> });
    let Some(nps) = r.nps else {
        // Answers left out are not "no answers": the line below says how many and why.
        let none = match left_out.is_some() {
            true => Word::NothingCounted,
            false => Word::NoData,
        };
        return html! {
            <section class="card glance" style="grid-area: glance">
                <h2>{ v.t(Word::Nps) }<span class="muted small range">{ range }</span></h2>
                <p class="empty">{ v.t(none) }</p>
                { for left_out }
            </section>
        };
    };
    // Colour: against the target where there is one, else the grade; never below min_n.
    let judged = match (against(Some(nps.score), r.enough, r.target), r.target) {
        (Some(on), Some(t)) => Some(plain::on_target(on, t, v.locale)),
        _ if r.enough => Some(match grade(nps.score) {
            Grade::Good => ("good", v.t(Word::Good).to_owned()),
            Grade::Fair => ("fair", v.t(Word::Fair).to_owned()),
            Grade::Poor => ("poor", v.t(Word::Poor).to_owned()),
        }),
        _ => None,
    };
    let (class, judgement) = match judged {
        Some((class, words)) => (class, html! { <span class="grade">{ words }</span> }),
        None => (
            "unjudged",
            html! {
                <span class="badge thin" title={v.fill(Word::NotEnoughWhy, &[("n", &r.min_n.to_string())])}>
                    { plain::not_enough(r.tally.n(), v.locale) }
                </span>
            },
        ),
    };
    let target = r
        .target
        .filter(|_| !r.enough)
        .map(|t| html! { <p class="muted small">{ plain::target(t, v.locale) }</p> });
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
    // A change and its verdict only where both periods have enough answers.
    let previous_enough = r.previous.n() >= r.min_n;
    let change_range = r.change.filter(|_| r.enough && previous_enough).map(|d| {
        v.fill(
            Word::ChangeRange,
            &[("lo", &change(d.ci95.0)), ("hi", &change(d.ci95.1))],
        )
    });
    let compared = match r.change {
        Some(d) if r.enough && previous_enough => html! {
            <div class="change">
                <p><span class="delta">{ change(d.points) }</span>
                   <span class={plain::verdict_class(d.verdict)}>{ v.t(plain::vs_last(d.verdict)) }</span></p>
                <p class="muted small">{ period }</p>
            </div>
        },
        Some(d) => html! {
            <div class="change">
                <p><span class="delta">{ change(d.points) }</span></p>
                <p class="muted small">{ period }</p>
                <p class="muted small">{ plain::not_enough(r.tally.n().min(r.previous.n()), v.locale) }</p>
            </div>
        },
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
                    { judgement }
                </div>
                <div class="facts">
                    if r.enough {
                        <p class="interval">{ interval }</p>
                    }
                    <p class="n">{ v.fill(Word::Responses, &[("n", &int(r.tally.n()))]) }</p>
                    { for target }
                </div>
                { compared }
            </div>
            <StackedBar view={props.view.clone()} />
            { for left_out }
            { what_it_means(v, change_range) }
        </section>
    }
}
