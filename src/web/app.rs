//! The widget: one survey in one host element — question, scale, follow-up, outcome —
//! with the posts the flow asks for handed to the outbox and the contract's DOM events.

use std::rc::Rc;

use yew::prelude::*;

use super::follow_up::FollowUp;
use super::host;
use super::outcome::Outcome;
use super::scale::Scale;
use super::sender;
use super::state::{Action, State};
use crate::config::{Config, Mode, Position};
use crate::flow::{Event, Meta, Screen};
use crate::i18n::Text;
use crate::outbox::{Delay, Status, Target};
use crate::outcome::Reach;
use crate::payload::Stage;
use crate::{events, marks};

#[derive(Properties, PartialEq)]
pub struct WidgetProps {
    pub config: Rc<Config>,
    pub meta: Rc<Meta>,
    /// Where DOM events are dispatched.
    pub host: web_sys::Element,
    /// `Some(key)` when the survey asks once: the storage key that marks it answered.
    pub answered_key: Option<AttrValue>,
    /// The storage key of this survey's response in progress (`marks::draft_key`).
    pub draft_key: AttrValue,
    pub already_answered: bool,
    /// The score of a response continued after a reload.
    pub resumed: Option<u8>,
}

#[component]
pub fn Widget(props: &WidgetProps) -> Html {
    let cfg = props.config.clone();
    let overlay = cfg.mode != Mode::Inline;
    let state = use_reducer({
        let (already, open) = (props.already_answered, !overlay || cfg.delay_ms == 0);
        let resumed = props.resumed;
        move || State::new(already, open, resumed)
    });

    // Once per widget: a delayed modal or slide-in opens after `delay_ms`; on unmount the
    // timer is cleared and the outbox stops reporting to this widget (sending goes on).
    {
        let dispatcher = state.dispatcher();
        let delay = cfg.delay_ms;
        let id = props.meta.id.clone();
        use_effect_with((), move |_| {
            let mut handle = None;
            if delay > 0 {
                let cb = wasm_bindgen::closure::Closure::once_into_js(move || {
                    dispatcher.dispatch(Action::Open)
                });
                handle = web_sys::window().and_then(|w| {
                    w.set_timeout_with_callback_and_timeout_and_arguments_0(
                        wasm_bindgen::JsCast::unchecked_ref(&cb),
                        delay as i32,
                    )
                    .ok()
                });
            }
            move || {
                if let (Some(h), Some(w)) = (handle, web_sys::window()) {
                    w.clear_timeout_with_handle(h);
                }
                sender::forget(&id);
            }
        });
    }

    // Every post the flow asks for goes to the outbox, with its DOM event.
    {
        let (cfg, meta, host_el) = (cfg.clone(), props.meta.clone(), props.host.clone());
        let answered_key = props.answered_key.clone();
        let draft_key = props.draft_key.clone();
        let dispatcher = state.dispatcher();
        let survey = state.survey.clone();
        let stage = state.stage;
        use_effect_with(state.posts, move |posts| {
            if let (true, Some(stage)) = (*posts > 0, stage) {
                let response = survey.response(stage, &meta, &host::now_rfc3339());
                let (name, detail) = events::posted(&response);
                host::dispatch(host_el.as_ref(), name, &detail);
                // A scored response is continued by a reload of the page; a finished one is
                // not, and its visit is marked answered.
                let draft = response
                    .score
                    .filter(|_| stage == Stage::Scored)
                    .map(|score| marks::Draft {
                        id: meta.id.clone(),
                        created_at: meta.created_at.clone(),
                        score,
                        at: 0,
                    });
                host::write_draft(&draft_key, draft);
                if stage != Stage::Scored {
                    if let Some(key) = &answered_key {
                        host::mark_answered(key);
                    }
                }
                let target = Target {
                    endpoint: cfg.endpoint.clone(),
                    headers: cfg.headers.clone(),
                };
                let listener = {
                    let (host_el, id, dispatcher) =
                        (host_el.clone(), meta.id.clone(), dispatcher.clone());
                    Rc::new(move |status: Status| {
                        report(&host_el, &id, stage, &status);
                        dispatcher.dispatch(Action::Net(status));
                    })
                };
                sender::submit(
                    &meta.id,
                    &target,
                    response.to_json(),
                    stage.rank(),
                    listener,
                );
            }
        });
    }

    // A modal takes focus when it shows (the scale's first stop) and gives it back to
    // whatever had it when it closes.
    let card_ref = use_node_ref();
    {
        let card_ref = card_ref.clone();
        let screen = state.survey.screen;
        let showing = cfg.mode == Mode::Modal
            && state.open
            && screen != Screen::Dismissed
            && screen != Screen::AlreadyAnswered;
        use_effect_with(showing, move |showing| {
            let mut previous = None;
            if *showing {
                previous = host::document().active_element();
                let first = card_ref
                    .cast::<web_sys::Element>()
                    .and_then(|c| c.query_selector("[tabindex='0']").ok().flatten());
                if let Some(el) = first
                    .and_then(|f| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(f).ok())
                {
                    let _ = el.focus();
                }
            }
            move || {
                if let Some(el) = previous
                    .and_then(|p| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(p).ok())
                {
                    let _ = el.focus();
                }
            }
        });
    }

    let on_event = {
        let dispatcher = state.dispatcher();
        Callback::from(move |e: Event| dispatcher.dispatch(Action::Flow(e)))
    };
    let uid = format!("nps-{}", &props.meta.id[..8]);
    let question_id = format!("{uid}-q");
    let s = &state.survey;

    // A modal or slide-in never pops up just to say "already answered".
    if s.screen == Screen::Dismissed
        || !state.open
        || (overlay && s.screen == Screen::AlreadyAnswered)
    {
        return html! {};
    }

    let question = cfg.question(&props.meta.context);
    let body = match s.screen {
        Screen::Asking | Screen::FollowUp => html! {
            <>
                <h2 id={question_id.clone()} class="nps-question">
                    { &question.before }
                    if !question.brand.is_empty() {
                        <span class="nps-brand">{ &question.brand }</span>
                    }
                    { &question.after }
                </h2>
                <Scale config={cfg.clone()} chosen={s.score} labelled_by={question_id.clone()}
                    on_choose={on_event.reform(Event::Choose)} />
                if s.screen == Screen::FollowUp {
                    <FollowUp config={cfg.clone()} survey={s.clone()} on_event={on_event.clone()} uid={uid.clone()} />
                }
            </>
        },
        Screen::Done => match s.category() {
            Some(c) => {
                let reach = Reach::of(
                    s.contact.is_some(),
                    props.meta.context.contains_key(crate::rules::VISIT),
                );
                html! { <Outcome config={cfg.clone()} category={c} {reach} /> }
            }
            None => html! {},
        },
        Screen::AlreadyAnswered => html! {
            <div class="nps-outcome" role="status"><p class="nps-outcome-title">{ cfg.text(Text::AlreadyAnswered) }</p></div>
        },
        Screen::Dismissed => html! {},
    };

    // After the submit, where the answer is: on its way, sent, or saved and waiting (for the
    // network, or for a busy server), the last one as a state of its own, not a footnote.
    let (status, pending) = match (&state.net, s.screen) {
        (Some(Status::Waiting(Delay::Offline)), Screen::Done) => {
            (cfg.text(Text::SavedOffline), true)
        }
        (Some(Status::Waiting(Delay::Busy)), Screen::Done) => {
            (cfg.text(Text::SendingDelayed), true)
        }
        (Some(Status::Sending), Screen::Done) => (cfg.text(Text::Sending), false),
        (Some(Status::Delivered), Screen::Done) if state.stage == Some(Stage::Completed) => {
            (cfg.text(Text::Sent), false)
        }
        _ => ("", false),
    };

    let close = overlay.then(|| {
        html! {
            <button type="button" class="nps-close" aria-label={cfg.text(Text::Close).to_owned()}
                onclick={on_event.reform(|_: MouseEvent| Event::Dismiss)}>{ "×" }</button>
        }
    });
    let onkeydown = {
        let on_event = on_event.clone();
        let card_ref = card_ref.clone();
        let modal = cfg.mode == Mode::Modal;
        Callback::from(move |e: KeyboardEvent| {
            if overlay && e.key() == "Escape" {
                on_event.emit(Event::Dismiss);
            } else if modal && e.key() == "Tab" {
                trap_focus(&card_ref, &e);
            }
        })
    };
    let style = cfg.card_style();
    let mode_class = format!("nps--{}", cfg.mode.name());
    let card = html! {
        <section ref={card_ref} class="nps-card" role={overlay.then_some("dialog")} aria-modal={(cfg.mode == Mode::Modal).then_some("true")}
            aria-labelledby={question_id.clone()} {onkeydown}>
            { for close }
            { body }
            <p class={classes!("nps-status", pending.then_some("nps-status--pending"))} role="status" aria-live="polite">{ status }</p>
        </section>
    };
    html! {
        <div class={classes!("nps", mode_class, (cfg.position == Position::BottomLeft).then_some("nps--left"))}
            data-theme={cfg.theme.name()} lang={cfg.locale.tag()} {style} data-screen={s.screen.name()}>
            if cfg.mode == Mode::Modal {
                <div class="nps-backdrop">{ card }</div>
            } else {
                { card }
            }
        </div>
    }
}

/// Keeps Tab and Shift+Tab inside a modal card: from its last stop to its first, and back.
fn trap_focus(card_ref: &NodeRef, e: &KeyboardEvent) {
    let Some(card) = card_ref.cast::<web_sys::Element>() else {
        return;
    };
    let Ok(stops) = card.query_selector_all(
        "button:not([tabindex='-1']):not([disabled]), a[href], input, textarea",
    ) else {
        return;
    };
    let n = stops.length();
    if n == 0 {
        return;
    }
    let focused: Option<web_sys::Element> = e.target_dyn_into();
    let at = |i: u32| {
        stops
            .item(i)
            .and_then(|s| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(s).ok())
    };
    let (first, last) = (at(0), at(n - 1));
    let wrap_to = match (e.shift_key(), &focused) {
        (true, f) if *f == first => last,
        (false, f) if *f == last => first,
        _ => None,
    };
    if let Some(el) =
        wrap_to.and_then(|el| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el).ok())
    {
        e.prevent_default();
        let _ = el.focus();
    }
}

/// The contract's delivery events; what the page's developer must fix also goes to the console.
fn report(host_el: &web_sys::Element, id: &str, stage: Stage, status: &Status) {
    if *status == Status::Delivered {
        host::dispatch(
            host_el.as_ref(),
            events::DELIVERED,
            &events::delivered(id, stage),
        );
    } else if let Some(detail) = events::delivery_error(id, Some(stage), status) {
        host::report(host_el.as_ref(), events::ERROR, &detail);
    }
}
