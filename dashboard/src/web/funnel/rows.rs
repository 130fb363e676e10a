//! The tables of "response & referrals": per store, advisor or touchpoint, invited → opened
//! → answered of invited with the response rate and its interval bar, every answer's count
//! with the NPS beside it and the share flagged ("only a few customers answered" marked and explained under the table); the
//! referral funnel promoters → shared → friends opened → booked → bought with the referral
//! rate; and month by month. A table on a wide screen, a card per row on a phone (each figure
//! with its column's name). Every row is drawn as `crate::funnel::show` words it.

use std::rc::Rc;

use yew::prelude::*;

use super::flags::FlaggedFor;
use crate::funnel::{show, Ask, Bar, By, Funnel, Shown, STEPS};
use crate::web::app::View;
use crate::web::charts::rate_bar;
use crate::words::Word;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub view: Rc<View>,
    pub by: By,
    pub funnel: Rc<Funnel>,
    /// The range and filters the rows were asked for (a store's flagged answers use them).
    #[prop_or_default]
    pub ask: Ask,
}

/// A rate with its interval: the figure, the bar, the interval in words.
fn rate_cell(v: &View, column: Word, text: &str, bar: Option<Bar>) -> Html {
    let range = bar.map(|b| {
        let words = v.fill(
            Word::Interval,
            &[
                ("lo", &crate::format::pct(b.lo)),
                ("hi", &crate::format::pct(b.hi)),
            ],
        );
        html! { <>{ rate_bar(&b) }<span class="rate-range" title={words.clone()}>
            <span aria-hidden="true">{ b.range() }</span><span class="sr-only">{ words }</span></span></> }
    });
    html! {
        <td class="rate" data-label={v.t(column)}>
            <span class="num">{ text.to_owned() }</span>
            { for range }
        </td>
    }
}

fn num_cell(v: &View, column: Word, text: &str) -> Html {
    html! { <td class="num" data-label={v.t(column)}>{ text.to_owned() }</td> }
}

/// The column heads, each aligned as its cells are: a count to the right; a rate (its figure
/// over its bar) and what is to check, to the left.
fn heads(v: &View, by: By, columns: &[Word]) -> Html {
    let class = |w: Word| match w {
        Word::ResponseRate | Word::ReferralRate => "rate",
        Word::ToCheck => "to-check",
        _ => "num",
    };
    html! {
        <thead><tr>
            <th scope="col">{ v.t(by.word()) }</th>
            { for columns.iter().map(|w| html! { <th scope="col" class={class(*w)}>{ v.t(*w) }</th> }) }
        </tr></thead>
    }
}

#[component]
pub fn FunnelRows(props: &Props) -> Html {
    let v = &props.view;
    let by = props.by;
    let shown: Vec<(Shown, u64)> = props
        .funnel
        .rows
        .iter()
        .map(|r| (show(r, by, v.locale, v.cx.min_n), r.flagged))
        .collect();
    // The store whose flagged answers are open: its code and name.
    let open = use_state(|| None::<(String, String)>);
    let reach = [Word::Invited, Word::Opened, Word::Answered];
    let response = shown.iter().map(|(s, flagged)| {
        let flagged_button = (by == By::Store && *flagged > 0).then(|| {
            let is_open = open.as_ref().is_some_and(|(k, _)| *k == s.key);
            let (open, key, name) = (open.clone(), s.key.clone(), s.name.clone());
            let onclick = Callback::from(move |_: MouseEvent| {
                open.set((!is_open).then(|| (key.clone(), name.clone())))
            });
            html! {
                <button type="button" class="ghost small" data-act="flagged"
                    aria-expanded={is_open.to_string()} {onclick}>{ v.t(Word::ShowFlagged) }</button>
            }
        });
        html! {
            <tr data-key={s.key.clone()} class={classes!(s.low_response.is_some().then_some("low"))}>
                <th scope="row">{ s.name.clone() }
                    if s.low_response.is_some() { <span class="badge low">{ v.t(Word::LowResponse) }</span> }
                </th>
                { for s.reach.iter().zip(reach).map(|(n, w)| num_cell(v, w, n)) }
                { rate_cell(v, Word::ResponseRate, &s.response, s.response_bar) }
                { num_cell(v, Word::FunnelAnswers, &s.answers) }
                <td class="num nps" data-label={v.t(Word::Nps)}>{ s.nps.clone() }
                    <span class="range">{ s.nps_range.clone() }</span></td>
                <td class="to-check" data-label={v.t(Word::ToCheck)}>
                    <span class="num">{ s.flagged.clone() }</span>
                    if !s.reasons.is_empty() { <span class="reasons">{ s.reasons.join(" · ") }</span> }
                    { for flagged_button }
                </td>
            </tr>
        }
    });
    let why = shown.iter().filter_map(|(s, _)| {
        s.low_response.as_ref().map(|text| {
            html! { <p class="low-why" data-key={s.key.clone()}><span class="badge low">{ v.t(Word::LowResponse) }</span>{ text.clone() }</p> }
        })
    });
    let referral = shown.iter().map(|(s, _)| {
        html! {
            <tr data-key={s.key.clone()}>
                <th scope="row">{ s.name.clone() }</th>
                { for s.steps.iter().map(|(w, n)| num_cell(v, *w, n)) }
                { rate_cell(v, Word::ReferralRate, &s.referral, s.referral_bar) }
            </tr>
        }
    });
    let flagged = (*open).clone().map(|(store, name)| {
        html! { <FlaggedFor view={v.clone()} ask={props.ask.clone()} {store} {name} /> }
    });
    html! {
        <>
            <table class="response">
                <caption class="sr-only">{ v.t(Word::ResponseRate) }</caption>
                { heads(v, by, &[Word::Invited, Word::Opened, Word::Answered, Word::ResponseRate, Word::FunnelAnswers, Word::Nps, Word::ToCheck]) }
                <tbody>{ for response }</tbody>
            </table>
            { for why }
            { for flagged }
            <h3 id="referrals-h">{ v.t(Word::Referrals) }</h3>
            <p class="muted small">{ v.t(Word::ReferralHint) }</p>
            <table class="referral" aria-labelledby="referrals-h">
                { heads(v, by, &[&STEPS[..], &[Word::ReferralRate]].concat()) }
                <tbody>{ for referral }</tbody>
            </table>
        </>
    }
}

#[derive(Properties, PartialEq)]
pub struct TrendProps {
    pub view: Rc<View>,
    /// `by=month`'s rows, in time order.
    pub funnel: Rc<Funnel>,
}

/// Month by month: the response rate, the NPS, the referral rate.
#[component]
pub fn TrendRows(props: &TrendProps) -> Html {
    let v = &props.view;
    let rows = props.funnel.rows.iter().map(|r| {
        let s = show(r, By::Month, v.locale, v.cx.min_n);
        html! {
            <tr data-key={s.key.clone()}>
                <th scope="row">{ s.name.clone() }</th>
                { rate_cell(v, Word::ResponseRate, &s.response, s.response_bar) }
                <td class="num nps" data-label={v.t(Word::Nps)}>{ s.nps.clone() }
                    <span class="range">{ s.nps_range.clone() }</span></td>
                { rate_cell(v, Word::ReferralRate, &s.referral, s.referral_bar) }
            </tr>
        }
    });
    html! {
        <table class="trend-rows" aria-labelledby="funnel-trend-h">
            { heads(v, By::Month, &[Word::ResponseRate, Word::Nps, Word::ReferralRate]) }
            <tbody>{ for rows }</tbody>
        </table>
    }
}
