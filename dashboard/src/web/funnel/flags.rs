//! The coaching flags on the page: what each reason means in plain words (always shown under
//! the figures), and a store's flagged answers (`GET /api/funnel/flags?store=…`, asked when
//! the manager opens them): score, when, advisor, order and the reasons in words. Never a
//! phone or a device mark: the collector sends neither.

use std::rc::Rc;

use nps_core::contract::context::Dimension;
use nps_core::scoring::score::Score;
use yew::prelude::*;

use crate::format::moment;
use crate::funnel::flags::{self, Flagged, Reason, Words};
use crate::funnel::Ask;
use crate::web::app::View;
use crate::words::Word;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub view: Rc<View>,
}

/// Each reason's name and what it means.
#[component]
pub fn FlagReasons(props: &Props) -> Html {
    let v = &props.view;
    html! {
        <div class="flag-reasons">
            <h3>{ v.t(Word::Flags) }</h3>
            <p class="muted small">{ v.t(Word::FlagsHint) }</p>
            <dl>
                { for Reason::ALL.iter().map(|r| html! {
                    <div data-reason={r.key()}><dt>{ v.t(r.word()) }</dt><dd>{ v.t(r.why()) }</dd></div>
                }) }
            </dl>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct ListProps {
    pub view: Rc<View>,
    pub rows: Rc<Vec<Flagged>>,
}

/// The flagged answers as listed.
#[component]
pub fn FlaggedList(props: &ListProps) -> Html {
    let v = &props.view;
    if props.rows.is_empty() {
        return html! { <p class="empty">{ v.t(Word::NoFlagged) }</p> };
    }
    let items = props.rows.iter().map(|f| {
        let class = f
            .score
            .and_then(Score::new)
            .map_or("", |s| s.category().as_str());
        let mut about: Vec<String> = Vec::new();
        about.extend(f.minutes().map(|m| moment(m, v.cx.offset, v.locale)));
        about.extend(f.advisor.as_deref().map(|a| v.label(Dimension::Advisor, a)));
        about.extend(
            f.visit
                .as_deref()
                .filter(|s| !s.is_empty())
                .map(|visit| v.fill(Word::Visit, &[("visit", visit)])),
        );
        html! {
            <li data-id={f.id.clone()}>
                <span class={classes!("pill", class)}>{ f.score.map(|s| s.to_string()).unwrap_or_default() }</span>
                <div>
                    <p class="reasons">{ flags::labels(&f.reasons, v.locale) }</p>
                    // Each fact kept whole on a narrow screen ("工单 RO-700005" never split).
                    <p class="muted small about">{ for about.iter().enumerate().map(|(i, a)| html! {
                        <>{ if i > 0 { " · " } else { "" } }<span>{ a.clone() }</span></>
                    }) }</p>
                </div>
            </li>
        }
    });
    html! { <ul class="list flagged">{ for items }</ul> }
}

#[derive(Properties, PartialEq)]
pub struct ForProps {
    pub view: Rc<View>,
    pub ask: Ask,
    /// The store's code, and its name as shown.
    pub store: AttrValue,
    pub name: AttrValue,
}

/// One store's flagged answers, asked for when shown.
#[component]
pub fn FlaggedFor(props: &ForProps) -> Html {
    let v = &props.view;
    let query = props.ask.flags(&props.store, &super::narrow(v));
    let path = format!("funnel/flags?{query}");
    let rows = super::use_asked(v, path, flags::from_json);
    let body = super::loaded(
        v,
        &rows,
        |list| html! { <FlaggedList view={v.clone()} rows={list} /> },
    );
    html! {
        <div class="flagged-for" data-store={props.store.clone()}>
            <h3>{ v.fill(Word::FlaggedAt, &[("name", &props.name)]) }</h3>
            { body }
        </div>
    }
}
