//! The filters bar (with the org's region and city when it has regions), the segment table
//! by a dimension, a region or a city (worst first, each against the rest in words that say
//! so, coloured against its target; small segments greyed, without a colour, an interval or
//! a verdict), and the latest comments (of one category, one reason, some words).

use std::rc::Rc;

use nps_core::contract::context::Dimension;
use nps_core::scoring::score::Category;
use nps_core::words::{Locale, PRESETS};
use yew::prelude::*;

use super::app::View;
use super::charts::{interval_bar, scale_of};
use crate::filters::{By, Filters};
use crate::format::{change, int, iso_date, moment, parse_iso_date, points};
use crate::places::region_name;
use crate::plain;
use crate::report::targets::{self, against};
use crate::report::DEFAULT_DAYS;
use crate::words::{self, dimension, Word};

/// How a control changes the view, given its value.
type Change = Rc<dyn Fn(&mut Filters, String)>;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub view: Rc<View>,
    pub on_view: Callback<Filters>,
}

/// Where an answer came from, as the manager knows it: "store · advisor".
pub(crate) fn where_from(v: &View, r: &crate::data::Record) -> String {
    let [store, advisor] = [Dimension::Store, Dimension::Advisor].map(|d| v.label(d, r.dim(d)));
    format!("{store} · {advisor}")
}

/// A segment's code as the manager knows it: a dimension's name for it, a region's name in
/// the org (else its code), a city as its stores name it.
pub(crate) fn segment_label(v: &View, by: By, code: &str) -> String {
    match by {
        By::Dim(d) => v.label(d, code),
        _ if code.is_empty() => v.t(Word::Unnamed).to_owned(),
        By::Region => v
            .names
            .org()
            .map_or(code, |org| region_name(org, code))
            .to_owned(),
        By::City => code.to_owned(),
    }
}

/// A reason's words: the preset's label in the locale, else its id.
pub fn reason_label(id: &str, locale: Locale) -> String {
    PRESETS
        .iter()
        .flat_map(|(_, reasons)| reasons.iter())
        .find(|r| r.id == id)
        .map_or_else(|| id.to_owned(), |r| r.label(locale).to_owned())
}

fn select_value(e: &Event) -> String {
    e.target_dyn_into::<web_sys::HtmlSelectElement>()
        .map(|s| s.value())
        .unwrap_or_default()
}

fn input_value(e: &Event) -> String {
    e.target_dyn_into::<web_sys::HtmlInputElement>()
        .map(|s| s.value())
        .unwrap_or_default()
}

#[component]
pub fn FiltersBar(props: &Props) -> Html {
    let v = &props.view;
    let f = &v.filters;
    let r = &v.report;
    // The latest day with an answer: where the default range ends.
    let latest = r.options.latest_day.unwrap_or(r.to);
    let emit = |change: Change| {
        let (f, on_view) = (f.clone(), props.on_view.clone());
        move |value: String| {
            let mut next = f.clone();
            change(&mut next, value);
            on_view.emit(next);
        }
    };
    // The range chips: the last 30, 90 or 365 days up to the latest answer, or all of them.
    let first = r.options.first_day;
    let chip = |days: Option<i64>, word: Word| {
        let set = emit(Rc::new(move |f: &mut Filters, _| {
            f.to = None;
            f.from = match days {
                Some(d) => (d != DEFAULT_DAYS).then(|| latest - (d - 1)),
                None => first,
            };
        }));
        let on = f.to.is_none()
            && match days {
                Some(d) => r.to - r.from + 1 == d && r.to == latest,
                None => f.from.is_some() && f.from == first,
            };
        html! { <button type="button" class="chip" aria-pressed={on.to_string()} onclick={move |_: MouseEvent| set(String::new())}>{ v.t(word) }</button> }
    };
    let date_input = |label: Word, day: i64, is_from: bool| {
        let set = emit(Rc::new(move |f: &mut Filters, s: String| {
            let d = parse_iso_date(&s);
            if is_from {
                f.from = d
            } else {
                f.to = d
            }
        }));
        html! {
            <label class="field">{ v.t(label) }
                <input type="date" value={iso_date(day)} onchange={move |e: Event| set(input_value(&e))} />
            </label>
        }
    };
    let choice = |label: String,
                  current: Option<&String>,
                  options: &[String],
                  shown: &dyn Fn(&str) -> String,
                  apply: Change| {
        let set = emit(apply);
        html! {
            <label class="field">{ label }
                <select onchange={move |e: Event| set(select_value(&e))}>
                    <option value="" selected={current.is_none()}>{ v.t(Word::Anyone) }</option>
                    { for options.iter().map(|o| html! {
                        <option value={o.clone()} selected={current == Some(o)}>{ shown(o) }</option>
                    }) }
                </select>
            </label>
        }
    };
    // The region and the city, when the org has regions (or a link picked one).
    let places = [
        (By::Region, f.region.as_ref(), &r.options.regions),
        (By::City, f.city.as_ref(), &r.options.cities),
    ];
    let places = places
        .into_iter()
        .filter(|(_, current, options)| current.is_some() || !options.is_empty())
        .map(|(by, current, options)| {
            choice(
                v.t(words::by(by)).to_owned(),
                current,
                options,
                &|code| segment_label(v, by, code),
                Rc::new(move |f: &mut Filters, s: String| {
                    let picked = (!s.is_empty()).then_some(s);
                    match by {
                        // Another region's cities are not offered: the city picked goes.
                        By::Region => (f.region, f.city) = (picked, None),
                        _ => f.city = picked,
                    }
                }),
            )
        });
    let dims = [Dimension::Store, Dimension::Advisor, Dimension::Touchpoint].map(|d| {
        choice(
            v.t(dimension(d)).to_owned(),
            f.only[d.index()].as_ref(),
            &r.options.codes[d.index()],
            &|code| v.label(d, code),
            Rc::new(move |f: &mut Filters, s: String| {
                f.only[d.index()] = (!s.is_empty()).then_some(s)
            }),
        )
    });
    // A survey to pick only when there are several (or one is picked).
    let survey = (r.options.surveys.get(1).is_some() || f.survey.is_some()).then(|| {
        choice(
            v.t(Word::Survey).to_owned(),
            f.survey.as_ref(),
            &r.options.surveys,
            &|s| s.to_owned(),
            Rc::new(|f: &mut Filters, s: String| f.survey = (!s.is_empty()).then_some(s)),
        )
    });
    html! {
        <section class="filters" aria-label={v.t(Word::Range)}>
            <div class="chips" role="group" aria-label={v.t(Word::Range)}>
                { chip(Some(30), Word::Last30) }
                { chip(Some(90), Word::Last90) }
                { chip(Some(365), Word::Last365) }
                { chip(None, Word::All) }
            </div>
            <div class="fields">
                { date_input(Word::From, r.from, true) }
                { date_input(Word::To, r.to, false) }
                { for survey }
                { for places }
                { for dims }
            </div>
            if !r.problems.is_empty() {
                <p class="status error" role="alert">{ r.problems.join("；") }</p>
            }
        </section>
    }
}

#[component]
pub fn Segments(props: &Props) -> Html {
    let v = &props.view;
    let by = v.filters.by;
    // The org's levels only when it has regions (a names file has none).
    let has_regions = !v.report.options.regions.is_empty();
    let offered = By::ALL
        .into_iter()
        .filter(|b| has_regions || !b.is_org_level() || *b == by);
    let tabs = offered.map(|b| {
        let (f, on_view) = (v.filters.clone(), props.on_view.clone());
        let onclick = Callback::from(move |_: MouseEvent| on_view.emit(Filters { by: b, ..f.clone() }));
        html! { <button type="button" role="tab" class="seg" aria-selected={(b == by).to_string()} {onclick}>{ v.t(words::by(b)) }</button> }
    });
    let scale = scale_of(
        v.report
            .segments
            .iter()
            .filter(|s| s.enough)
            .filter_map(|s| s.tally.nps())
            .collect::<Vec<_>>()
            .iter(),
    );
    let org = v.names.org();
    let rows = v.report.segments.iter().map(|s| {
        let name = segment_label(v, by, &s.name);
        // Only where there are enough answers: an interval, a verdict, a colour.
        let nps = s.tally.nps();
        let shown = nps.filter(|_| s.enough);
        let vs = s.vs_rest.filter(|_| s.enough).map(|d| {
            html! { <><span class="delta">{ change(d.points) }</span><span class={plain::verdict_class(d.verdict)}>{ plain::vs_rest(d.verdict, by, v.locale) }</span></> }
        });
        let target = org.and_then(|o| targets::of_segment(o, by, &s.name));
        let on = target.and_then(|t| {
            against(nps.map(|n| n.score), s.enough, Some(t)).map(|on| plain::on_target(on, t, v.locale))
        });
        let (colour, target_words) = match (on, target) {
            (Some((class, words)), _) => (class, Some(words)),
            (None, Some(t)) => ("", Some(plain::target(t, v.locale))),
            (None, None) => ("", None),
        };
        html! {
            <tr class={classes!((!s.enough).then_some("thin"), (!colour.is_empty()).then_some(colour))} data-segment={s.name.clone()}>
                <th scope="row" title={s.name.clone()}>{ name }
                    if !s.enough { <span class="badge thin">{ plain::not_enough(s.tally.n(), v.locale) }</span> }
                    { for target_words.map(|w| html! { <span class="target small">{ w }</span> }) }
                </th>
                <td class="num nps">{ nps.map(|n| points(n.score)).unwrap_or_default() }
                    <span class="range">{ shown.map(|n| format!("{} … {}", points(n.ci95.0), points(n.ci95.1))).unwrap_or_default() }</span>
                </td>
                <td class="ci-cell">{ for shown.as_ref().map(|n| interval_bar(n, scale)) }</td>
                <td class="num">{ int(s.tally.n()) }</td>
                <td class="vs">{ for vs }</td>
            </tr>
        }
    });
    html! {
        <section class="card segments" style="grid-area: segments" aria-labelledby="segments-h">
            <h2 id="segments-h">{ v.t(Word::WhereBad) }</h2>
            <p class="muted small">{ v.t(Word::WhereBadHint) }</p>
            { super::glance::what_it_means(v, None) }
            <div class="tabs" role="tablist">{ for tabs }</div>
            <div class="scroll" tabindex="0" role="region" aria-labelledby="segments-h">
                <table>
                    <caption class="sr-only">{ v.fill(Word::TableOf, &[("dim", v.t(words::by(by)))]) }</caption>
                    <thead><tr>
                        <th scope="col">{ v.t(words::by(by)) }</th>
                        <th scope="col" class="num">{ v.t(Word::Score) }</th>
                        <th scope="col" class="ci-cell"><span class="sr-only">{ "95%" }</span></th>
                        <th scope="col" class="num">{ v.t(Word::Count) }</th>
                        <th scope="col">{ v.t(Word::VsRest) }</th>
                    </tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
pub fn Comments(props: &Props) -> Html {
    let v = &props.view;
    let f = &v.filters;
    let filter = |c: Option<Category>, word: Word| {
        let pressed = (f.comments == c).to_string();
        let (f, on_view) = (f.clone(), props.on_view.clone());
        let onclick = Callback::from(move |_: MouseEvent| {
            on_view.emit(Filters {
                comments: c,
                ..f.clone()
            })
        });
        html! { <button type="button" class="chip" aria-pressed={pressed} {onclick}>{ v.t(word) }</button> }
    };
    let onchange = {
        let (f, on_view) = (f.clone(), props.on_view.clone());
        Callback::from(move |e: Event| {
            on_view.emit(Filters {
                search: input_value(&e).trim().to_owned(),
                ..f.clone()
            })
        })
    };
    // The reason a driver's row picked: said, and one tap to drop it.
    let reason = f.reason.as_ref().map(|id| {
        let (f, on_view) = (f.clone(), props.on_view.clone());
        let onclick = Callback::from(move |_: MouseEvent| {
            on_view.emit(Filters {
                reason: None,
                ..f.clone()
            })
        });
        html! {
            <p class="reason-picked">
                <span>{ v.fill(Word::OfReason, &[("reason", &reason_label(id, v.locale))]) }</span>
                <button type="button" class="chip" data-act="any-reason" {onclick}>{ v.t(Word::AnyReason) }</button>
            </p>
        }
    });
    let items = v.report.comments.iter().map(|&i| {
        let r = &v.answers.records()[i];
        let class = r.category().map_or("", |c| c.as_str());
        html! {
            <li>
                <span class={classes!("pill", class)}>{ r.score.map(|s| s.to_string()).unwrap_or_default() }</span>
                <div>
                    <p class="text">{ r.comment.clone().unwrap_or_default() }</p>
                    <p class="muted small">{ format!("{} · ", where_from(v, r)) }<span class="when">{ moment(r.created, v.cx.offset, v.locale) }</span></p>
                </div>
            </li>
        }
    });
    html! {
        <section class="card comments" style="grid-area: comments" aria-labelledby="comments-h">
            <h2 id="comments-h">{ v.t(Word::Comments) }</h2>
            <div class="chips" role="group">
                { filter(None, Word::All) }
                { filter(Some(Category::Detractor), Word::Detractors) }
                { filter(Some(Category::Passive), Word::Passives) }
                { filter(Some(Category::Promoter), Word::Promoters) }
            </div>
            { for reason }
            <input type="search" class="search" placeholder={v.t(Word::Search)} aria-label={v.t(Word::Search)} value={f.search.clone()} {onchange} />
            if v.me.is_some() {
                <super::comments::ServerComments view={props.view.clone()} />
            } else if v.report.comments.is_empty() {
                <p class="empty">{ v.t(Word::NoComments) }</p>
            } else {
                <ul class="list" tabindex="0" aria-labelledby="comments-h">{ for items }</ul>
            }
        </section>
    }
}
