//! "逐级查看": the places table (`crate::drill`) drawn: the crumbs back up, a tab per level, the
//! search and the order (each kept in the link), then a row per place (its name a button
//! that opens the level below) with NPS and interval, a sparkline, n, the response rate,
//! the open cases and the target, `PAGE` rows at a time. Someone signed in gets the
//! collector's response rates and open cases (`GET /api/funnel`, `GET /api/cases/stats`, by
//! store or advisor: `Fetched`); a dropped export has neither ("—").
//!
//! The DOM the end-to-end test drives: `section.drill`, `.drill nav.crumbs button[data-level]`,
//! `.drill .levels button[data-level]`, `.drill input.find`, `.drill select.sort`, the rows
//! `.drill tbody tr[data-code]` (their `button.open`), `.drill button.more`, the section's
//! `aria-busy` (the collector's figures on their way) and the table's
//! `data-level`.

use std::rc::Rc;

use yew::prelude::*;

use super::app::View;
use super::funnel::{ask, use_asked};
use crate::cases::stats::{self, NONE};
use crate::drill::{self, spark_points, Level, Reach, Row, Sort, PAGE};
use crate::filters::Filters;
use crate::format::{change, int, pct, points};
use crate::funnel;
use crate::places::region_name;
use crate::words::{self, Word};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub view: Rc<View>,
    pub on_view: Callback<Filters>,
}

/// The places table: with the collector's figures for someone signed in, without for a
/// dropped export.
#[component]
pub fn Places(props: &Props) -> Html {
    let (view, on_view) = (props.view.clone(), props.on_view.clone());
    match props.view.me.is_some() {
        true => html! { <Fetched {view} {on_view} /> },
        false => html! { <Table {view} {on_view} /> },
    }
}

/// The table with the collector's figures for the level shown (someone signed in).
#[component]
pub fn Fetched(props: &Props) -> Html {
    let v = &props.view;
    let org = v.names.hierarchy();
    let level = drill::level_of(&v.filters, !org.regions().is_empty());
    let (fb, cb) = match level {
        Level::Advisor => (funnel::By::Advisor, stats::By::Advisor),
        _ => (funnel::By::Store, stats::By::Store),
    };
    let rates = use_asked(v, format!("funnel?{}", ask(v).funnel(fb)), |t| {
        funnel::Funnel::from_json(t)
    });
    let cases = use_asked(v, format!("cases/stats?by={}", cb.key()), stats::from_json);
    let reach = {
        let f = rates.clone().and_then(Result::ok);
        let c = cases.clone().and_then(Result::ok);
        let rows = f.as_ref().map(|f| f.rows.as_slice());
        Rc::new(Reach::of(rows, c.as_deref().map(Vec::as_slice)))
    };
    // A figure the collector would not give is said, under the table.
    let why = [
        rates.as_ref().and_then(|r| r.as_ref().err()),
        cases.as_ref().and_then(|r| r.as_ref().err()),
    ];
    let note = why
        .into_iter()
        .flatten()
        .map(|w| html! { <p class="status error" role="alert">{ w.clone() }</p> })
        .collect::<Html>();
    let busy = rates.is_none() || cases.is_none();
    html! {
        <Table view={v.clone()} on_view={props.on_view.clone()} {reach} {note} {busy} />
    }
}

#[derive(Properties, PartialEq)]
pub struct TableProps {
    pub view: Rc<View>,
    pub on_view: Callback<Filters>,
    #[prop_or_default]
    pub reach: Rc<Reach>,
    /// Shown under the table (why a figure is missing).
    #[prop_or_default]
    pub note: Html,
    /// The collector's figures are on their way (`aria-busy`).
    #[prop_or_default]
    pub busy: bool,
}

/// The view's answers as the table reads them (its own keys aside): the rows are built again
/// only when these, the level or the collector's figures change.
fn answers_view(f: &Filters) -> Filters {
    Filters {
        find: String::new(),
        sort: Sort::default(),
        lang: None,
        ..f.clone()
    }
}

#[component]
pub fn Table(props: &TableProps) -> Html {
    let v = &props.view;
    let f = &v.filters;
    let org = {
        let names = v.names.clone();
        use_memo(Rc::as_ptr(&v.names) as usize, move |_| names.hierarchy())
    };
    let every = {
        let (index, org, reach) = (v.index.clone(), org.clone(), props.reach.clone());
        let (range, cx) = ((v.report.from, v.report.to), v.cx);
        let key = (
            Rc::as_ptr(&v.index) as usize,
            Rc::as_ptr(&org) as usize,
            answers_view(f),
            range,
            props.reach.clone(),
        );
        use_memo(key, move |(_, _, f, _, _)| {
            drill::every_row(&index, &org, f, cx, range, &reach)
        })
    };
    let table = {
        let every = every.clone();
        use_memo(
            (every.clone(), f.find.clone(), f.sort),
            move |(_, find, sort)| every.found(find, *sort),
        )
    };
    let shown = use_state(|| PAGE);
    {
        let shown = shown.clone();
        use_effect_with((answers_view(f), f.find.clone()), move |_| shown.set(PAGE));
    }
    let has_regions = !org.regions().is_empty();
    let emit = |next: Filters| {
        let on_view = props.on_view.clone();
        Callback::from(move |_: MouseEvent| on_view.emit(next.clone()))
    };
    let level = table.level;

    // The crumbs: the whole brand, then each place picked.
    let store = f.only[nps_core::contract::context::Dimension::Store.index()].as_deref();
    let picked = [
        (
            Level::Region,
            f.region.as_deref().map(|r| region_name(&org, r).to_owned()),
        ),
        (Level::City, f.city.clone()),
        (
            Level::Store,
            store.map(|s| org.store(s).map_or(s, |x| x.name.as_str()).to_owned()),
        ),
    ];
    let crumbs = picked.into_iter().filter_map(|(l, name)| name.map(|n| (l, n))).map(|(l, name)| {
        html! { <><span aria-hidden="true">{ "›" }</span>
            <button type="button" class="link" data-level={l.key()} onclick={emit(drill::up_to(f, Some(l)))}>{ name }</button></> }
    });
    let tabs = Level::ALL
        .into_iter()
        .filter(|l| has_regions || matches!(l, Level::Store | Level::Advisor))
        .map(|l| {
            let next = Filters { level: Some(l), ..f.clone() };
            html! { <button type="button" class="seg" data-level={l.key()} aria-pressed={(l == level).to_string()}
                onclick={emit(next)}>{ v.t(words::level(l)) }</button> }
        });
    let find = {
        let (f, on_view) = (f.clone(), props.on_view.clone());
        Callback::from(move |e: InputEvent| {
            let value = e
                .target_dyn_into::<web_sys::HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default();
            on_view.emit(Filters {
                find: value.trim().to_owned(),
                ..f.clone()
            })
        })
    };
    let sort = {
        let (f, on_view) = (f.clone(), props.on_view.clone());
        Callback::from(move |e: Event| {
            let value = e
                .target_dyn_into::<web_sys::HtmlSelectElement>()
                .map(|s| s.value())
                .unwrap_or_default();
            if let Some(sort) = Sort::from_key(&value) {
                on_view.emit(Filters { sort, ..f.clone() })
            }
        })
    };
    let sorts = Sort::ALL.map(|s| {
        html! {
            <option value={s.key()} selected={s == f.sort}>{ v.t(words::sort(s)) }</option>
        }
    });
    // Targets are the org's, for regions and stores: a column only where a row has one.
    let targets = table.rows.iter().any(|r| r.target.is_some());
    let level_word = v.t(words::level(level));
    let rows = table.rows.iter().take(*shown).map(|r| {
        row(
            v,
            r,
            level,
            targets,
            emit(drill::drill_into(f, &org, level, &r.code)),
        )
    });
    let left = table.rows.len().saturating_sub(*shown);
    let more = (left > 0).then(|| {
        let shown = shown.clone();
        let k = left.min(PAGE);
        let onclick = Callback::from(move |_: MouseEvent| shown.set(*shown + PAGE));
        html! { <button type="button" class="more" {onclick}>{ v.fill(Word::DrillMore, &[("k", &int(k as u64)), ("left", &int(left as u64))]) }</button> }
    });
    let heads = [
        Word::ColTrend,
        Word::Count,
        Word::ColRate,
        Word::ColOpen,
        Word::ColTarget,
    ];
    let heads = &heads[..heads.len() - usize::from(!targets)];
    html! {
        <section class="card drill" style="grid-area: drill" aria-labelledby="drill-h" aria-busy={props.busy.to_string()}>
            <h2 id="drill-h">{ v.t(Word::DrillTitle) }</h2>
            <p class="muted small">{ v.fill(Word::DrillHint, &[("n", &int(v.cx.min_n))]) }</p>
            // One store's answers under a region's or a city's name: said, so no one takes
            // them for the region's.
            if let Some(only) = v.index.sole_store().filter(|_| matches!(level, Level::Region | Level::City)) {
                <p class="scope-note small" data-store={only.to_owned()}>{ v.fill(Word::DrillOneStore, &[
                    ("store", org.store(only).map_or(only, |s| s.name.as_str())),
                ]) }</p>
            }
            <nav class="crumbs" aria-label={v.t(Word::DrillTitle)}>
                <button type="button" class="link" data-level="" onclick={emit(drill::up_to(f, None))}>{ v.t(Word::DrillWhole) }</button>
                { for crumbs }
            </nav>
            <div class="segs levels" role="group" aria-label={v.t(Word::DrillTitle)}>{ for tabs }</div>
            <div class="drill-tools">
                <input type="search" class="find" placeholder={v.t(Word::DrillFind)} aria-label={v.t(Word::DrillFind)}
                    value={f.find.clone()} oninput={find} />
                <label class="field">{ v.t(Word::DrillSort) }
                    <select class="sort" onchange={sort}>{ for sorts }</select>
                </label>
            </div>
            if !f.find.is_empty() {
                <p class="muted small found" role="status">{ v.fill(Word::DrillFound, &[("k", &int(table.rows.len() as u64)), ("n", &int(table.total as u64))]) }</p>
            }
            if table.rows.is_empty() && !f.find.is_empty() {
                <p class="empty">{ v.fill(Word::DrillNone, &[("q", &f.find), ("level", level_word)]) }</p>
            } else {
                <table data-level={level.key()}>
                    <caption class="sr-only">{ v.fill(Word::TableOf, &[("dim", level_word)]) }</caption>
                    <thead><tr>
                        <th scope="col">{ level_word }</th>
                        <th scope="col" class="num">{ v.t(Word::Score) }</th>
                        { for heads.iter().map(|&w| html! { <th scope="col" class={if w == Word::ColTrend { "spark" } else { "num" }}>{ v.t(w) }</th> }) }
                    </tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            }
            { for more }
            { props.note.clone() }
        </section>
    }
}

/// One place's row; its name opens the level below (an advisor's picks the advisor).
fn row(v: &View, r: &Row, level: Level, targets: bool, open: Callback<MouseEvent>) -> Html {
    let name = match (r.name.as_str(), r.code.as_str()) {
        (_, "") => v.t(Word::Unnamed).to_owned(),
        ("", code) => code.to_owned(),
        (name, _) => name.to_owned(),
    };
    let below = level
        .below()
        .map_or(v.t(Word::Advisor), |l| v.t(words::level(l)));
    let label = v.fill(Word::DrillOpenRow, &[("name", &name), ("level", below)]);
    let spark_alt = r
        .spark
        .iter()
        .map(|s| s.map_or_else(|| NONE.to_owned(), points))
        .collect::<Vec<_>>()
        .join(" · ");
    let nps = r.nps;
    let dash = || NONE.to_owned();
    html! {
        <tr class={if r.enough { "" } else { "thin" }} data-code={r.code.clone()}>
            <th scope="row">
                if r.code.is_empty() { { name } } else {
                    <button type="button" class="link open" aria-label={label} onclick={open}>{ name }</button>
                }
                if !r.name.is_empty() && matches!(level, Level::Store | Level::Advisor) { <span class="code">{ r.code.clone() }</span> }
                if !r.enough { <span class="badge thin">{ crate::plain::not_enough(r.tally.n(), v.locale) }</span> }
            </th>
            <td class="num nps" data-label={v.t(Word::Score)}>{ nps.map(|n| points(n.score)).unwrap_or_else(dash) }
                <span class="range">{ nps.filter(|_| r.enough).map(|n| format!("{} … {}", points(n.ci95.0), points(n.ci95.1))).unwrap_or_default() }</span>
            </td>
            <td class="spark" data-label={v.t(Word::ColTrend)}>
                <svg viewBox="0 0 80 24" role="img" aria-label={v.fill(Word::SparkAlt, &[("points", &spark_alt)])}>
                    <line x1="0" x2="80" y1="12" y2="12" class="zero" />
                    <polyline points={spark_points(&r.spark, 80.0, 24.0)} />
                </svg>
            </td>
            <td class="num" data-label={v.t(Word::Count)}>{ int(r.tally.n()) }</td>
            <td class="num" data-label={v.t(Word::ColRate)}>{ r.rate.map_or_else(dash, pct) }</td>
            <td class="num" data-label={v.t(Word::ColOpen)}>{ r.open.map_or_else(dash, int) }</td>
            if targets { <td class="num" data-label={v.t(Word::ColTarget)}>{ r.target.map_or_else(dash, |t| t.to_string()) }
                if let Some(d) = r.vs_target { <span class="range">{ v.fill(Word::VsTarget, &[("points", &change(d))]) }</span> }
            </td> }
        </tr>
    }
}
