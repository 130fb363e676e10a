//! The page: where the answers come from (the collector, as the person signed in to it, or a
//! dropped export), the filters, and the sections in the order a manager reads them. All state is one
//! `Model` changed by `Action`s; the report is recomputed only when the data or the view
//! changes.

use std::rc::Rc;

use nps_core::scoring::analysis::{Names, DEFAULT_MIN_N};
use nps_core::words::{fill, Locale};
use yew::prelude::*;

pub use super::load::Me;
use super::load::{self, Loaded};
pub use super::view::View;
use super::{actions, cases, charts, drill, drivers, funnel, glance, show, start, tables, themes};
use crate::compact::Index;
use crate::data::{self, Answers, Record};
use crate::filters::{Filters, Read, Section};
use crate::report::{self, Context};
use crate::words::Word;

/// The performance marks the benchmark reads: the export received, its columns read, and
/// the first render with the answers scored.
pub const FETCHED_MARK: &str = "nps-dashboard-fetched";
pub const PARSED_MARK: &str = "nps-dashboard-parsed";
pub const READY_MARK: &str = "nps-dashboard-ready";

#[derive(Properties, PartialEq)]
pub struct AppProps {
    /// Where the collector's API is (`/api`).
    pub api: AttrValue,
    /// The collector's sign-in page (`/signin`).
    #[prop_or(AttrValue::Static("/signin"))]
    pub signin: AttrValue,
    /// Answers and their names (and org) to show at once, without loading (the browser tests).
    #[prop_or_default]
    pub preload: Option<Rc<(Vec<Record>, Names)>>,
    /// Fewer answers than this: "not enough data" (`data-min-n` on the page).
    #[prop_or(DEFAULT_MIN_N)]
    pub min_n: u64,
}

#[derive(Clone, Debug, PartialEq)]
enum Status {
    Idle,
    Loading,
    Ready,
    Failed(String),
    /// The collector wants a sign-in (no session, or it ended).
    SignedOut,
}

#[derive(Clone, PartialEq)]
struct Model {
    answers: Rc<Answers>,
    /// Bumped whenever `answers` change (cheaper to compare than the answers).
    version: u32,
    names: Rc<Names>,
    filters: Filters,
    problems: Vec<String>,
    status: Status,
    /// The what-if sliders, once moved (shares in %).
    levers: Option<[f64; 3]>,
    /// Who is signed in (`None` for a dropped file).
    me: Option<Rc<Me>>,
    /// The page was opened with an old link's token (dropped unread).
    old_link: bool,
    /// The case a link points at (`#case=ID`), shown on top of the queue.
    focus: Option<AttrValue>,
    /// The section a link opens at (`#show=referrals`).
    show: Option<Section>,
}

enum Action {
    Loading,
    Loaded(Answers, Names, Option<Me>),
    Failed(String),
    SignedOut,
    View(Filters),
    Fragment(Read),
    Lever(usize, f64, [f64; 3]),
}

impl Reducible for Model {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut m = (*self).clone();
        match action {
            Action::Loading => m.status = Status::Loading,
            Action::Loaded(answers, names, me) => {
                m.me = me.map(Rc::new);
                m.status = Status::Ready;
                m.answers = Rc::new(answers);
                m.names = Rc::new(names);
                m.version += 1;
                m.levers = None;
            }
            Action::Failed(why) => m.status = Status::Failed(why),
            Action::SignedOut => m.status = Status::SignedOut,
            Action::View(f) => {
                m.levers = m.levers.filter(|_| f.same_answers(&m.filters));
                m.filters = f;
            }
            Action::Fragment(read) => {
                m.filters = read.filters;
                m.problems = read.problems;
                m.focus = read.case.map(AttrValue::from);
                m.show = read.show;
            }
            Action::Lever(i, v, mut all) => {
                all[i] = v;
                m.levers = Some(all);
            }
        }
        Rc::new(m)
    }
}

#[component]
pub fn App(props: &AppProps) -> Html {
    let model = use_reducer(|| {
        // An old link's token leaves the address at once (the entry is replaced) and is never
        // used: the manager signs in.
        let read = Filters::from_fragment(&super::fragment());
        super::set_fragment(&read.filters.to_fragment());
        Model {
            answers: Rc::default(),
            version: 0,
            names: Rc::new(Names::default()),
            filters: read.filters,
            problems: read.problems,
            status: Status::Idle,
            levers: None,
            me: None,
            old_link: read.old_token,
            focus: read.case.map(AttrValue::from),
            show: read.show,
        }
    });

    let load = {
        let model = model.dispatcher();
        let api = props.api.to_string();
        Callback::from(move |()| {
            let (model, api) = (model.clone(), api.clone());
            model.dispatch(Action::Loading);
            wasm_bindgen_futures::spawn_local(async move {
                match load::from_collector(&api).await {
                    Loaded::Answers(answers, names, me) => {
                        model.dispatch(Action::Loaded(answers, names, Some(me)))
                    }
                    Loaded::SignedOut => model.dispatch(Action::SignedOut),
                    Loaded::Failed(why) => model.dispatch(Action::Failed(why)),
                }
            });
        })
    };
    let load_file = {
        let model = model.dispatcher();
        Callback::from(move |file: web_sys::File| {
            let model = model.clone();
            model.dispatch(Action::Loading);
            wasm_bindgen_futures::spawn_local(async move {
                let parsed = super::file_text(&file).await.and_then(|text| {
                    data::from_text(&text).map_err(|e| format!("{}: {e}", file.name()))
                });
                match parsed {
                    Ok(records) => model.dispatch(Action::Loaded(
                        Answers::Records(records),
                        Names::default(),
                        None,
                    )),
                    Err(why) => model.dispatch(Action::Failed(why)),
                }
            });
        })
    };

    {
        // On start: the preloaded answers, or the collector as whoever is signed in.
        let (model, load, preload) = (model.dispatcher(), load.clone(), props.preload.clone());
        use_effect_with((), move |_| match preload.as_deref().cloned() {
            Some((records, names)) => {
                model.dispatch(Action::Loaded(Answers::Records(records), names, None))
            }
            None => load.emit(()),
        });
    }
    // A link's section, brought into view once drawn.
    use_effect_with(model.show, |s| {
        s.map(show::bring_into_view).unwrap_or_default()
    });
    {
        // A link pasted into this tab applies its view.
        let model = model.dispatcher();
        use_effect_with((), move |_| {
            let listener = gloo_events::EventListener::new(
                &web_sys::window().expect("a window"),
                "hashchange",
                move |_| {
                    let read = Filters::from_fragment(&super::fragment());
                    super::set_fragment(&read.filters.to_fragment());
                    model.dispatch(Action::Fragment(read));
                },
            );
            move || drop(listener)
        });
    }

    let locale = model
        .filters
        .lang
        .or_else(|| Locale::negotiate(&super::browser_language()))
        .unwrap_or(Locale::ZhCn);
    let cx = Context {
        now: super::now_minutes(),
        offset: super::offset_minutes(),
        min_n: props.min_n,
    };
    // What the answers alone decide (the filters' surveys and codes, the first and last days;
    // the compact index the report and the places table read, its stores placed in the org)
    // and the org (its names come with the answers): once per set of answers.
    let names = model.names.clone();
    let org = use_memo(model.version, move |_| names.hierarchy());
    let answers = {
        let (answers, org) = (model.answers.clone(), org.clone());
        use_memo((model.version, cx.offset), move |(_, at)| {
            let index = Rc::new(Index::of(&answers, &org, *at));
            (index.options(), index)
        })
    };
    let report = {
        let (all, answers) = (model.answers.clone(), answers.clone());
        let f = model.filters.for_report();
        use_memo((model.version, cx.offset, f), move |(_, _, f)| {
            let (options, index) = &*answers;
            report::build_with(all.records(), index, options, &org, f, cx)
        })
    };
    // The address keeps the view: written whenever it changes (never a credential).
    use_effect_with(model.filters.clone(), |f| {
        super::set_fragment(&f.to_fragment())
    });
    {
        // "Usable": the first render with answers, marked for the benchmark
        // (`performance.getEntriesByName("nps-dashboard-ready")`).
        let ready = matches!(model.status, Status::Ready);
        use_effect_with((model.version, ready), |(_, ready)| {
            if *ready {
                super::mark(READY_MARK);
            }
        });
    }
    let on_view = {
        let model = model.dispatcher();
        Callback::from(move |f: Filters| model.dispatch(Action::View(f)))
    };
    let on_lever = {
        let model = model.dispatcher();
        Callback::from(move |(i, v, all): (usize, f64, [f64; 3])| {
            model.dispatch(Action::Lever(i, v, all))
        })
    };
    let w = |word: Word| word.in_(locale);

    let status = match &model.status {
        Status::Idle => html! {},
        Status::Loading => html! { <p class="status" role="status">{ w(Word::Loading) }</p> },
        // The headline says how many answers count and how many were left out, and why.
        Status::Ready => html! {},
        Status::Failed(why) => {
            html! { <p class="status error" role="alert">{ fill(w(Word::LoadFailed), &[("why", why)]) }</p> }
        }
        Status::SignedOut => html! {},
    };
    let problems = (!model.problems.is_empty() || model.old_link).then(|| {
        let old = model.old_link.then(|| w(Word::OldLink).to_owned());
        let all: Vec<String> = old
            .into_iter()
            .chain(model.problems.iter().cloned())
            .collect();
        html! {
            <p class="status error" role="alert">{ all.join("；") }</p>
        }
    });
    let header = html! {
        <start::Header {locale} filters={model.filters.clone()} on_view={on_view.clone()}
            ready={matches!(model.status, Status::Ready)} me={model.me.clone()}
            api={props.api.clone()} signin={props.signin.clone()} />
    };

    if !matches!(model.status, Status::Ready) {
        return html! {
            <div class="dash" lang={locale.tag()}>
                { header }
                <start::Start {locale} {load_file} signin={props.signin.clone()}
                    signed_out={model.status == Status::SignedOut} />
                { status }
                { for problems }
            </div>
        };
    }

    let levers = model.levers.unwrap_or_else(|| {
        report::default_levers(&report.tally).map(|l| match l {
            nps_core::scoring::analysis::Lever::DetractorsTo(x)
            | nps_core::scoring::analysis::Lever::PromotersTo(x)
            | nps_core::scoring::analysis::Lever::ConvertPassives(x) => x,
        })
    });
    let view = Rc::new(View {
        report: report.clone(),
        api: props.api.clone(),
        me: model.me.clone(),
        answers: model.answers.clone(),
        index: answers.1.clone(),
        names: model.names.clone(),
        filters: model.filters.clone(),
        locale,
        cx,
        levers: Some(levers),
    });
    html! {
        <div class="dash" lang={locale.tag()}>
            { header }
            <tables::FiltersBar view={view.clone()} on_view={on_view.clone()} />
            { status }
            { for problems }
            <div class="grid">
                <glance::Glance view={view.clone()} />
                if model.me.is_some() {
                    <cases::Queue view={view.clone()} focus={model.focus.clone()} />
                    <cases::CaseStats view={view.clone()} />
                    <funnel::Funnel view={view.clone()} />
                } else {
                    <section class="card cases" style="grid-area: queue">
                        <h2>{ w(Word::Cases) }</h2>
                        <p class="muted small">{ w(Word::CasesSignIn) }</p>
                    </section>
                    <section class="card funnel" style="grid-area: funnel">
                        <h2>{ w(Word::Funnel) }</h2>
                        <p class="muted small">{ w(Word::FunnelSignIn) }</p>
                    </section>
                }
                <tables::Segments view={view.clone()} on_view={on_view.clone()} />
                <drill::Places view={view.clone()} on_view={on_view.clone()} />
                <actions::WhatIf view={view.clone()} {on_lever} />
                <charts::Trend view={view.clone()} on_view={on_view.clone()} />
                <drivers::Drivers view={view.clone()} on_view={on_view.clone()} />
                if model.me.is_some() {
                    <themes::Themes view={view.clone()} on_view={on_view.clone()} />
                }
                <tables::Comments view={view.clone()} {on_view} />
            </div>
            if model.me.as_ref().is_some_and(|m| m.is_admin()) {
                <super::audit::Audit view={view.clone()} />
            }
        </div>
    }
}
