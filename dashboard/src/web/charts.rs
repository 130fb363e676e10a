//! The charts, as inline SVG drawn by yew (no chart library), each with a text alternative:
//! the promoter/passive/detractor bar, an interval on the −100…100 scale for a table row (and
//! a rate's on 0–100 %), and
//! the trend by week or month with its interval band, the answers per point and the target
//! as a dashed line, drawn at the width it is shown (`fit`: a phone keeps the latest periods).

use std::rc::Rc;

use nps_core::scoring::analysis::Period;
use nps_core::scoring::score::{Nps, Tally};
use yew::prelude::*;

use super::app::View;
use crate::filters::Filters;
use crate::fit;
use crate::format::{int, month, pct, points, short_date};
use crate::words::Word;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub view: Rc<View>,
}

/// The shares of a tally: (promoters, passives, detractors), each 0–1.
fn shares(t: &Tally) -> (f64, f64, f64) {
    let n = t.n().max(1) as f64;
    (
        t.promoters as f64 / n,
        t.passives as f64 / n,
        t.detractors as f64 / n,
    )
}

#[component]
pub fn StackedBar(props: &Props) -> Html {
    let v = &props.view;
    let (p, q, d) = shares(&v.report.tally);
    let alt = v.fill(
        Word::BarAlt,
        &[("p", &pct(p)), ("q", &pct(q)), ("d", &pct(d))],
    );
    let rect = |x: f64, w: f64, class: &'static str| {
        html! { <rect class={class} x={format!("{:.2}", x * 100.0)} y="0" width={format!("{:.2}", w * 100.0)} height="10" /> }
    };
    html! {
        <div class="stacked">
            <svg viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label={alt.clone()}>
                <title>{ alt }</title>
                { rect(0.0, p, "promoter") }
                { rect(p, q, "passive") }
                { rect(p + q, d, "detractor") }
            </svg>
            <ul class="legend">
                <li><i class="dot promoter"></i>{ v.t(Word::Promoters) }<b>{ pct(p) }</b></li>
                <li><i class="dot passive"></i>{ v.t(Word::Passives) }<b>{ pct(q) }</b></li>
                <li><i class="dot detractor"></i>{ v.t(Word::Detractors) }<b>{ pct(d) }</b></li>
            </ul>
        </div>
    }
}

/// The scale a table's interval bars share: from the lowest interval end to the highest,
/// widened to steps of 10 and holding 0.
pub fn scale_of<'a>(all: impl Iterator<Item = &'a Nps>) -> (f64, f64) {
    let (lo, hi) = all.fold((0.0_f64, 0.0_f64), |(lo, hi), n| {
        (lo.min(n.ci95.0), hi.max(n.ci95.1))
    });
    (
        (lo / 10.0).floor() * 10.0,
        ((hi / 10.0).ceil() * 10.0).max(lo + 10.0),
    )
}

/// An NPS and its interval on a table's shared scale, with 0 marked (the row says it in
/// words).
pub fn interval_bar(nps: &Nps, scale: (f64, f64)) -> Html {
    range_bar(nps.score, nps.ci95, scale)
}

/// A rate (0–1) and its interval on 0–100 % (the row says it in words).
pub fn rate_bar(b: &crate::funnel::Bar) -> Html {
    range_bar(b.rate, (b.lo, b.hi), (0.0, 1.0))
}

/// A value and its interval on a scale, with 0 marked.
fn range_bar(mark: f64, (from, to): (f64, f64), (lo, hi): (f64, f64)) -> Html {
    let x = |s: f64| format!("{:.1}", 100.0 * (s - lo) / (hi - lo));
    html! {
        <svg class="ci" viewBox="0 0 100 12" preserveAspectRatio="none" aria-hidden="true">
            <line class="axis" x1={x(0.0)} y1="0" x2={x(0.0)} y2="12" />
            <line class="range" x1={x(from)} y1="6" x2={x(to)} y2="6" />
            <line class="mark" x1={x(mark)} y1="1" x2={x(mark)} y2="11" />
        </svg>
    }
}

/// Stretches of consecutive periods.
fn runs_of<'a>(points: impl Iterator<Item = (usize, &'a Nps)>) -> Vec<Vec<(usize, &'a Nps)>> {
    let mut runs: Vec<Vec<(usize, &Nps)>> = Vec::new();
    for (i, n) in points {
        match runs.last_mut() {
            Some(run) if run.last().is_some_and(|(j, _)| j + 1 == i) => run.push((i, n)),
            _ => runs.push(vec![(i, n)]),
        }
    }
    runs
}

/// The label of a trend point.
fn period_label(v: &View, start: i64, period: Period) -> String {
    match period {
        Period::Month => month(start, v.locale),
        _ => v.fill(Word::WeekOf, &[("date", &short_date(start, v.locale))]),
    }
}

#[derive(Properties, PartialEq)]
pub struct TrendProps {
    pub view: Rc<View>,
    pub on_view: Callback<Filters>,
}

#[component]
pub fn Trend(props: &TrendProps) -> Html {
    let v = &props.view;
    let period = v.filters.trend;
    // The width the trend is shown at: measured, and again when the window changes.
    let scroll = use_node_ref();
    let px = use_state(|| {
        web_sys::window()
            .and_then(|w| w.inner_width().ok())
            .and_then(|w| w.as_f64())
            .map_or(fit::MAX_WIDTH, |w| w - 48.0)
    });
    {
        let (scroll, px) = (scroll.clone(), px.clone());
        use_effect_with((), move |_| {
            let measure = move || {
                if let Some(el) = scroll.cast::<web_sys::Element>() {
                    let w = el.client_width() as f64;
                    if w > 0.0 {
                        px.set(w);
                    }
                }
            };
            measure();
            let listener = gloo_events::EventListener::new(
                &web_sys::window().expect("a window"),
                "resize",
                move |_| measure(),
            );
            move || drop(listener)
        });
    }
    let all = &v.report.trend;
    let fit = fit::trend(all.len(), *px);
    let trend = &all[fit.first..];
    let toggle = |p: Period, word: Word| {
        let (f, on_view) = (v.filters.clone(), props.on_view.clone());
        let onclick = Callback::from(move |_: MouseEvent| {
            on_view.emit(Filters {
                trend: p,
                ..f.clone()
            })
        });
        html! { <button type="button" class="seg" aria-pressed={(period == p).to_string()} {onclick}>{ v.t(word) }</button> }
    };
    // Geometry: the plot's box inside a view as wide as it is shown, 250 high.
    let (w, h, left, right, top, bottom) = (fit.width, 250.0, fit::LEFT, fit::RIGHT, 12.0, 46.0);
    let target = v.report.target;
    let with_nps: Vec<(usize, &Nps)> = trend
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.nps.as_ref().map(|n| (i, n)))
        .collect();
    let aim = target.map(|t| t.nps as f64);
    let lo = with_nps
        .iter()
        .map(|(_, n)| n.ci95.0)
        .chain(aim)
        .fold(0.0_f64, f64::min);
    let hi = with_nps
        .iter()
        .map(|(_, n)| n.ci95.1)
        .chain(aim)
        .fold(0.0_f64, f64::max);
    let (lo, hi) = (
        ((lo / 25.0).floor() * 25.0).max(-100.0),
        ((hi / 25.0).ceil() * 25.0).min(100.0).max(lo + 25.0),
    );
    let step = (w - left - right) / trend.len().max(1) as f64;
    let x = |i: usize| left + step * (i as f64 + 0.5);
    let y = |s: f64| top + (hi - s) / (hi - lo) * (h - top - bottom);
    // The line, one run per stretch of periods that have answers; the band only over those
    // with enough answers for an interval to mean something.
    let runs = runs_of(with_nps.iter().copied());
    let banded = runs_of(with_nps.iter().copied().filter(|(i, _)| trend[*i].enough));
    let band = banded.iter().map(|run| {
        let upper = run
            .iter()
            .map(|(i, n)| format!("{:.1},{:.1}", x(*i), y(n.ci95.1)));
        let lower = run
            .iter()
            .rev()
            .map(|(i, n)| format!("{:.1},{:.1}", x(*i), y(n.ci95.0)));
        let pts: Vec<String> = upper.chain(lower).collect();
        html! { <polygon class="band" points={pts.join(" ")} /> }
    });
    let lines = runs.iter().map(|run| {
        let pts: Vec<String> = run
            .iter()
            .map(|(i, n)| format!("{:.1},{:.1}", x(*i), y(n.score)))
            .collect();
        html! { <polyline class="line" points={pts.join(" ")} /> }
    });
    let ticks = [-100.0, -75.0, -50.0, -25.0, 0.0, 25.0, 50.0, 75.0, 100.0]
        .into_iter()
        .filter(|t| (lo..=hi).contains(t))
        .map(|t| html! {
            <g class={if t == 0.0 { "tick zero" } else { "tick" }}>
                <line x1={left.to_string()} x2={(w - right).to_string()} y1={format!("{:.1}", y(t))} y2={format!("{:.1}", y(t))} />
                <text x={(left - 6.0).to_string()} y={format!("{:.1}", y(t) + 4.0)} text-anchor="end">{ points(t) }</text>
            </g>
        });
    // Labels counted from the latest, so the newest period always has its own.
    let every = fit.label_every;
    let last = trend.len().saturating_sub(1);
    let target_line = target.map(|t| {
        let at = format!("{:.1}", y(t.nps as f64));
        html! {
            <g class="target">
                <line x1={left.to_string()} x2={(w - right).to_string()} y1={at.clone()} y2={at.clone()} />
                <text x={(left + 4.0).to_string()} y={format!("{:.1}", y(t.nps as f64) - 4.0)} text-anchor="start">{ v.fill(Word::TargetLine, &[("t", &t.nps.to_string())]) }</text>
            </g>
        }
    });
    let marks = trend.iter().enumerate().map(|(i, p)| {
        let label = ((last - i) % every == 0).then(|| html! {
            <text class="label" x={format!("{:.1}", x(i))} y={(h - bottom + 18.0).to_string()} text-anchor="middle">{ period_label(v, p.start, period) }</text>
        });
        let dot = p.nps.as_ref().map(|n| html! {
            <circle class={if p.enough { "pt" } else { "pt thin" }} cx={format!("{:.1}", x(i))} cy={format!("{:.1}", y(n.score))} r="4" />
        });
        html! {
            <g>
                { for dot }
                { for label }
                <text class="n" x={format!("{:.1}", x(i))} y={(h - bottom + 34.0).to_string()} text-anchor="middle">{ v.fill(Word::TrendN, &[("n", &int(p.tally.n()))]) }</text>
            </g>
        }
    });
    let rows = all.iter().map(|p| {
        let label = period_label(v, p.start, period);
        let text = match &p.nps {
            Some(n) if !p.enough => v.fill(
                Word::TrendAltThin,
                &[
                    ("period", &label),
                    ("nps", &points(n.score)),
                    ("n", &int(p.tally.n())),
                ],
            ),
            Some(n) => v.fill(
                Word::TrendAlt,
                &[
                    ("period", &label),
                    ("nps", &points(n.score)),
                    ("lo", &points(n.ci95.0)),
                    ("hi", &points(n.ci95.1)),
                    ("n", &int(p.tally.n())),
                ],
            ),
            None => format!("{label}: –"),
        };
        html! { <li>{ text }</li> }
    });
    html! {
        <section class="card trend" style="grid-area: trend" aria-labelledby="trend-h">
            <div class="head">
                <h2 id="trend-h">{ v.t(Word::Trend) }</h2>
                <div class="segs" role="group">{ toggle(Period::Week, Word::ByWeek) }{ toggle(Period::Month, Word::ByMonth) }</div>
            </div>
            <div class="scroll" ref={scroll} tabindex="0" role="region" aria-labelledby="trend-h">
                <svg viewBox={format!("0 0 {w} {h}")} width={w.to_string()} role="img" aria-labelledby="trend-h" aria-describedby="trend-alt">
                    { for ticks }
                    { for target_line }
                    { for band }
                    { for lines }
                    { for marks }
                </svg>
            </div>
            if fit.first > 0 {
                <p class="muted small">{ v.fill(Word::TrendLatest, &[("n", &trend.len().to_string()), ("all", &all.len().to_string())]) }</p>
            }
            <ul id="trend-alt" class="sr-only">{ for rows }</ul>
        </section>
    }
}
