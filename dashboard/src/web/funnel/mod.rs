//! "Response & referrals": the collector's figures per store, advisor or touchpoint (`GET
//! /api/funnel`, a tab each) and month by month (`by=month`, the 12 months up to the range's
//! end), for the dashboard's range, survey, store, advisor, region, city and touchpoint (the
//! collector applies each); shown only to someone signed in (a
//! dropped export has no invitations). What is said is `crate::funnel`; this only fetches and
//! draws (`rows`: the tables; `bookings`: the friends' bookings to call back, "朋友的预约";
//! `flags`: the flags explained and a store's flagged answers).
//! The collector answers only the caller's scope: nothing here filters what it was sent.
//!
//! The DOM the end-to-end test drives: `section.funnel`, its tabs `.funnel-tabs
//! button[data-by]`, the rows `table.response tr[data-key]` and `table.referral
//! tr[data-key]` (the rate in `td.rate`), `.badge.low` and `p.low-why[data-key]`,
//! `[data-act=flagged]` and `ul.flagged li[data-id]`, the trend's `table.trend-rows`, and the
//! bookings' `.friend-bookings ul.bookings li[data-id]` with `[data-act=reveal]`.

mod bookings;
mod flags;
mod rows;

use std::rc::Rc;

use nps_core::contract::context::Dimension;
use nps_core::contract::rules::MAX_RANGE_DAYS;
use yew::prelude::*;

use super::app::View;
use crate::funnel::{self, Ask, By, Narrow};
use crate::words::Word;

pub use bookings::{BookingList, Bookings};
pub use flags::{FlagReasons, FlaggedList};
pub use rows::{FunnelRows, TrendRows};

/// What a request came to: none while it is on its way.
pub(super) type Asked<T> = Option<Result<Rc<T>, String>>;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub view: Rc<View>,
}

/// The view's range, time zone, survey and store.
pub(super) fn ask(v: &View) -> Ask {
    Ask {
        // At most the collector's longest range: the last days of a longer view (said under
        // the section's title, `Word::FunnelRange`).
        from: funnel::first_day(v.report.from, v.report.to),
        to: v.report.to,
        offset: v.cx.offset,
        survey: v.filters.survey.clone(),
        store: v.filters.only[Dimension::Store.index()].clone(),
    }
}

/// The view's advisor, region, city and touchpoint, which the funnel's routes also read.
pub(super) fn narrow(v: &View) -> Narrow {
    let only = |d: Dimension| v.filters.only[d.index()].clone();
    Narrow {
        advisor: only(Dimension::Advisor),
        region: v.filters.region.clone(),
        city: v.filters.city.clone(),
        touchpoint: only(Dimension::Touchpoint),
    }
}

/// Asks the collector for `{api}/{path}` whenever `path` changes, read by `parse`.
#[hook]
pub(super) fn use_asked<T: 'static>(
    v: &View,
    path: String,
    parse: fn(&str) -> Result<T, String>,
) -> Asked<T> {
    let got = use_state(|| None);
    {
        let (got, api, locale) = (got.clone(), v.api.to_string(), v.locale);
        use_effect_with(path, move |path| {
            got.set(None);
            let url = format!("{api}/{path}");
            wasm_bindgen_futures::spawn_local(async move {
                let read = super::cases::get(&url, locale)
                    .await
                    .and_then(|t| parse(&t))
                    .map(Rc::new);
                got.set(Some(read));
            });
        });
    }
    (*got).clone()
}

/// Loading, why not, or what came.
pub(super) fn loaded<T>(v: &View, got: &Asked<T>, draw: impl FnOnce(Rc<T>) -> Html) -> Html {
    match got {
        None => html! { <p class="status" role="status">{ v.t(Word::Loading) }</p> },
        Some(Err(why)) => html! { <p class="status error" role="alert">{ why.clone() }</p> },
        Some(Ok(got)) => draw(got.clone()),
    }
}

/// `GET /api/funnel?{query}`, its rows in the page's order.
#[hook]
fn use_funnel(v: &View, query: String) -> Asked<funnel::Funnel> {
    use_asked(v, format!("funnel?{query}"), |t| {
        funnel::Funnel::from_json(t).map(funnel::Funnel::sorted)
    })
}

/// Loading, why not, nothing yet, or the figures.
fn body(
    v: &View,
    got: &Asked<funnel::Funnel>,
    draw: impl FnOnce(Rc<funnel::Funnel>) -> Html,
) -> Html {
    match got {
        Some(Ok(f)) if f.rows.is_empty() => html! { <p class="empty">{ v.t(Word::NoFunnel) }</p> },
        other => loaded(v, other, draw),
    }
}

#[component]
pub fn Funnel(props: &Props) -> Html {
    let v = &props.view;
    let by = use_state(By::default);
    let ask = ask(v);
    let trend_ask = ask.twelve_months();
    let narrow = narrow(v);
    let rows = use_funnel(v, ask.funnel_in(*by, &narrow));
    let trend = use_funnel(v, trend_ask.funnel_in(By::Month, &narrow));
    let tabs = By::TABS.map(|b| {
        let by = by.clone();
        html! {
            <button type="button" class="seg" data-by={b.key()} aria-pressed={(*by == b).to_string()}
                onclick={Callback::from(move |_: MouseEvent| by.set(b))}>{ v.t(b.word()) }</button>
        }
    });
    let by = *by;
    html! {
        <section class="card funnel" style="grid-area: funnel" aria-labelledby="funnel-h">
            <h2 id="funnel-h">{ v.t(Word::Funnel) }</h2>
            <p class="muted small">{ v.t(Word::FunnelHint) }</p>
            if ask.from > v.report.from {
                <p class="muted small funnel-range">{ v.fill(Word::FunnelRange, &[
                    ("days", &MAX_RANGE_DAYS.to_string()),
                    ("from", &crate::format::date(ask.from, v.locale)),
                ]) }</p>
            }
            <div class="segs funnel-tabs" role="group" aria-label={v.t(Word::Funnel)}>{ for tabs }</div>
            { body(v, &rows, |f| html! { <FunnelRows view={v.clone()} {by} funnel={f} ask={ask.clone()} /> }) }
            <h3 id="funnel-trend-h">{ v.t(Word::FunnelTrend) }</h3>
            <p class="muted small">{ v.t(Word::FunnelTrendHint) }</p>
            { body(v, &trend, |f| html! { <TrendRows view={v.clone()} funnel={f} /> }) }
            <Bookings view={v.clone()} ask={ask.clone()} />
            <FlagReasons view={v.clone()} />
        </section>
    }
}
