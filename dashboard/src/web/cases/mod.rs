//! The case queue: the collector's cases (`GET /api/cases`, one tab each for to call,
//! overdue, contacted and resolved), the promise that runs out first on top, each case a
//! card that is worked in place (`card`), and the figures per store and per advisor
//! (`stats`). What is ordered and said is `crate::cases`; this only fetches and draws.
//!
//! A link to one case (an alert's `dashboard.html#case=ID`, `Read::case`) shows that case on
//! top of whichever tab is chosen (`GET /api/cases/{id}`: it may be contacted or resolved by
//! now), highlighted (`li.case.focus`) and scrolled into view.
//!
//! The DOM the end-to-end test drives: `section.cases`, the tabs `.case-tabs
//! button[data-show]`, each case `li.case[data-id][data-state]`, its buttons
//! `[data-act=contact|resolve|reopen|assign|history|recovery|reveal|copy]`, `input[name=owner]`, the form's
//! `select[name=root_cause]` and `textarea[name=note]`, and `section.case-stats`.

mod card;
mod panels;
pub(crate) mod reveal;
mod stats;

use std::rc::Rc;

use yew::prelude::*;

use super::app::View;
use crate::cases::{self, edit, Case, Show};
use crate::words::Word;

pub use card::CaseCard;
pub use stats::CaseStats;

/// What a tab's loading came to.
#[derive(Clone, PartialEq)]
struct List {
    show: Show,
    cases: Option<Result<Vec<Case>, String>>,
}

enum Change {
    /// A tab was chosen, or reloaded: its cases are on their way.
    Loading(Show),
    Loaded(Show, Result<Vec<Case>, String>),
    /// A case as the collector answered a `PATCH` (it stays where it is until a reload).
    Saved(Box<Case>),
}

impl Reducible for List {
    type Action = Change;
    fn reduce(self: Rc<Self>, change: Change) -> Rc<Self> {
        let mut l = (*self).clone();
        match change {
            Change::Loading(show) => {
                l.show = show;
                l.cases = None;
            }
            // A late answer for a tab no longer shown is dropped.
            Change::Loaded(show, got) if show == l.show => {
                l.cases = Some(got.map(|mut list| {
                    cases::sort(&mut list);
                    list
                }))
            }
            Change::Loaded(..) => {}
            Change::Saved(case) => {
                if let Some(Ok(list)) = &mut l.cases {
                    if let Some(c) = list.iter_mut().find(|c| c.id == case.id) {
                        *c = *case;
                    }
                }
            }
        }
        Rc::new(l)
    }
}

/// `GET url`'s body, or why not in words (a 401: "sign in again").
pub(crate) async fn get(url: &str, locale: nps_core::words::Locale) -> Result<String, String> {
    match super::fetch("GET", url).await {
        Ok((200, text)) => Ok(text),
        Ok((401, _)) => Err(Word::SignedOut.in_(locale).to_owned()),
        Ok((s, text)) => Err(nps_core::words::fill(
            Word::LoadFailed.in_(locale),
            &[("why", &super::why(s, &text))],
        )),
        Err(why) => Err(nps_core::words::fill(
            Word::LoadFailed.in_(locale),
            &[("why", &why)],
        )),
    }
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub view: Rc<View>,
    /// The case a link points at (`#case=ID`): shown on top, highlighted.
    #[prop_or_default]
    pub focus: Option<AttrValue>,
}

/// The case a link points at, as the collector answered for it.
#[derive(Clone, PartialEq)]
enum Pinned {
    None,
    Case(Box<Case>),
    /// Not found, or out of the caller's scope (the collector answers both alike), or why not.
    Missing(String),
}

/// The cards in the order shown: the linked case first (once), then the tab's.
fn shown<'a>(pinned: &'a Pinned, list: &'a [Case]) -> Vec<(&'a Case, bool)> {
    let first = match pinned {
        Pinned::Case(c) => Some(c.as_ref()),
        _ => None,
    };
    let rest = list
        .iter()
        .filter(|c| first.is_none_or(|f| f.id != c.id))
        .map(|c| (c, false));
    first.map(|c| (c, true)).into_iter().chain(rest).collect()
}

#[component]
pub fn Queue(props: &Props) -> Html {
    let v = &props.view;
    let list = use_reducer(|| List {
        show: Show::Open,
        cases: None,
    });
    // Bumped by "reload": the same tab asked again.
    let asked = use_state(|| 0u32);
    let causes = use_state(|| Rc::new(Vec::<String>::new()));
    let pinned = use_state(|| Pinned::None);
    {
        // The linked case, whatever its state.
        let (pinned, api, locale) = (pinned.clone(), v.api.to_string(), v.locale);
        use_effect_with(props.focus.clone(), move |focus| {
            pinned.set(Pinned::None);
            if let Some(id) = focus.as_ref().map(AttrValue::to_string) {
                wasm_bindgen_futures::spawn_local(async move {
                    let id: String = form_urlencoded::byte_serialize(id.as_bytes()).collect();
                    pinned.set(
                        match super::fetch("GET", &format!("{api}/cases/{id}")).await {
                            Ok((200, text)) => match Case::from_json(&text) {
                                Ok(c) => Pinned::Case(Box::new(c)),
                                Err(why) => Pinned::Missing(why),
                            },
                            Ok((401, _)) => Pinned::Missing(Word::SignedOut.in_(locale).to_owned()),
                            Ok(_) => Pinned::Missing(Word::CaseNotFound.in_(locale).to_owned()),
                            Err(why) => Pinned::Missing(nps_core::words::fill(
                                Word::LoadFailed.in_(locale),
                                &[("why", &why)],
                            )),
                        },
                    );
                });
            }
        });
    }
    {
        // Once it is drawn, the linked case is brought into view.
        let drawn = matches!(*pinned, Pinned::Case(_)) && list.cases.is_some();
        use_effect_with(drawn, |drawn| {
            if *drawn {
                let card = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.query_selector("li.case.focus").ok().flatten());
                if let Some(card) = card {
                    card.scroll_into_view();
                }
            }
        });
    }
    {
        let (dispatch, api, locale) = (list.dispatcher(), v.api.to_string(), v.locale);
        use_effect_with((list.show, *asked), move |(show, _)| {
            let show = *show;
            dispatch.dispatch(Change::Loading(show));
            wasm_bindgen_futures::spawn_local(async move {
                let url = format!("{api}/cases?{}", show.query());
                let got = get(&url, locale)
                    .await
                    .and_then(|t| Case::list_from_json(&t));
                dispatch.dispatch(Change::Loaded(show, got));
            });
        });
    }
    {
        // The brand's root causes, once (a resolve needs one of them).
        let (causes, api) = (causes.clone(), v.api.to_string());
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok((200, text)) =
                    super::fetch("GET", &format!("{api}/cases/root-causes")).await
                {
                    if let Ok(got) = edit::root_causes(&text) {
                        causes.set(Rc::new(got));
                    }
                }
            });
        });
    }
    let tabs = Show::ALL.map(|show| {
        let (dispatch, asked) = (list.dispatcher(), asked.clone());
        let onclick = Callback::from(move |_: MouseEvent| {
            dispatch.dispatch(Change::Loading(show));
            asked.set(*asked + 1);
        });
        html! {
            <button type="button" class="seg" data-show={show.key()}
                aria-pressed={(list.show == show).to_string()} {onclick}>
                { v.t(show.word()) }
            </button>
        }
    });
    let reload = {
        let asked = asked.clone();
        Callback::from(move |_: MouseEvent| asked.set(*asked + 1))
    };
    let on_saved = {
        let (list, pinned) = (list.dispatcher(), pinned.clone());
        Callback::from(move |c: Case| {
            if matches!(&*pinned, Pinned::Case(p) if p.id == c.id) {
                pinned.set(Pinned::Case(Box::new(c.clone())));
            }
            list.dispatch(Change::Saved(Box::new(c)))
        })
    };
    let body = match &list.cases {
        None => html! { <p class="status" role="status">{ v.t(Word::Loading) }</p> },
        Some(Err(why)) => html! { <p class="status error" role="alert">{ why.clone() }</p> },
        Some(Ok(all)) if all.is_empty() && !matches!(*pinned, Pinned::Case(_)) => {
            html! { <p class="empty">{ v.t(Word::NoCases) }</p> }
        }
        Some(Ok(all)) => html! {
            <ul class="case-list" aria-labelledby="cases-h">
                { for shown(&pinned, all).into_iter().map(|(c, focus)| html! {
                    <card::CaseCard key={c.id.clone()} view={v.clone()} case={Rc::new(c.clone())}
                        {focus} causes={(*causes).clone()} on_saved={on_saved.clone()} />
                }) }
            </ul>
        },
    };
    let missing = match &*pinned {
        Pinned::Missing(why) => html! { <p class="status error" role="alert">{ why.clone() }</p> },
        _ => html! {},
    };
    let count = list
        .cases
        .as_ref()
        .and_then(|r| r.as_ref().ok())
        .map(Vec::len);
    html! {
        <section class="card cases" style="grid-area: queue" aria-labelledby="cases-h">
            <div class="head">
                <h2 id="cases-h">{ v.t(Word::Cases) }
                    if let Some(n) = count { <span class="count">{ n }</span> }</h2>
                <button type="button" class="ghost small" data-act="reload" onclick={reload}>{ v.t(Word::Reload) }</button>
            </div>
            <p class="muted small">{ v.t(Word::CasesHint) }</p>
            <div class="segs case-tabs" role="group" aria-label={v.t(Word::Cases)}>{ for tabs }</div>
            { missing }
            { body }
            if count == Some(cases::PAGE) {
                <p class="muted small">{ v.fill(Word::CasesCut, &[("n", &cases::PAGE.to_string())]) }</p>
            }
        </section>
    }
}
