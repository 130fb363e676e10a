//! The widget: one survey in one host element — question, scale, follow-up, outcome —
//! with the posts the flow asks for handed to the outbox and the contract's DOM events.

use std::rc::Rc;

use gloo_timers::callback::Interval;
use yew::prelude::*;

use super::follow_up::FollowUp;
use super::host;
use super::outcome::Outcome;
use super::scale::Scale;
use super::sender;
use super::state::{Action, State};
use super::trigger;
use crate::config::{Config, Mode, Position, Trigger};
use crate::contract::payload::Stage;
use crate::outbox::{Delay, Status, Target};
use crate::survey::flow::{Event, Meta, Screen};
use crate::survey::kiosk;
use crate::survey::outcome::Reach;
use crate::words::Text;
use crate::{contract::events, survey::marks};

#[derive(Properties, PartialEq)]
pub struct WidgetProps {
    pub config: Rc<Config>,
    pub meta: Rc<Meta>,
    /// Where DOM events are dispatched.
    pub host: web_sys::Element,
    /// Where this survey's marks and draft are kept (`marks::Keys`).
    pub keys: Rc<marks::Keys>,
    pub already_answered: bool,
    /// The score of a response continued after a reload.
    pub resumed: Option<crate::scoring::score::Score>,
    /// Showing at once (else when its trigger fires, or `NpsWidget.show()`).
    pub open: bool,
    /// A fresh response in this element: a kiosk's next customer, or a closed survey that a
    /// customer's click reopens.
    pub on_restart: Callback<Restart>,
}

/// How a fresh response starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Restart {
    /// Says "already answered" (the customer answered, closed, then clicked again).
    pub answered: bool,
}

#[component]
pub fn Widget(props: &WidgetProps) -> Html {
    let cfg = props.config.clone();
    let overlay = cfg.mode != Mode::Inline;
    let state = use_reducer({
        let (already, open, resumed) = (props.already_answered, props.open, props.resumed);
        move || State::new(already, open, resumed)
    });

    // Once per widget: its trigger armed and `NpsWidget.show()` able to open it; on unmount
    // both are removed and the outbox stops reporting to this widget (sending goes on).
    {
        let dispatcher = state.dispatcher();
        let (cfg, host_el, id) = (cfg.clone(), props.host.clone(), props.meta.id.clone());
        let open = props.open;
        use_effect_with((), move |_| {
            let show: Rc<dyn Fn()> = Rc::new(move || dispatcher.dispatch(Action::Show));
            let armed = match open && cfg.trigger != Trigger::Click {
                true => trigger::Armed::None,
                false => trigger::arm(&cfg, show.clone()),
            };
            let showable = trigger::Showable::new(host_el, show);
            move || {
                drop((armed, showable));
                sender::forget(&id);
            }
        });
    }

    // A survey closed unanswered and reopened by a click starts a fresh response.
    {
        let on_restart = props.on_restart.clone();
        use_effect_with(state.restart, move |restart| {
            if let Some(answered) = *restart {
                on_restart.emit(Restart { answered });
            }
        });
    }

    // Kiosk: the timers `kiosk::timer` asks for, so nothing of one customer is left for the
    // next.
    let last_touch = use_mut_ref(host::now_ms);
    {
        let (on_restart, last_touch) = (props.on_restart.clone(), last_touch.clone());
        let cfg = cfg.clone();
        use_effect_with(state.survey.screen, move |screen| {
            let t = kiosk::timer(&cfg, *screen);
            let timer = match t {
                kiosk::Timer::None => None,
                kiosk::Timer::ResetAfter { ms } => Some(Interval::new(ms, move || {
                    on_restart.emit(Restart { answered: false })
                })),
                kiosk::Timer::WatchIdle { every_ms, .. } => {
                    Some(Interval::new(every_ms, move || {
                        if t.idle(host::now_ms(), *last_touch.borrow()) {
                            on_restart.emit(Restart { answered: false });
                        }
                    }))
                }
            };
            move || drop(timer)
        });
    }

    // Every post the flow asks for goes to the outbox the moment the event that asked for it
    // happens, before the survey re-renders (the reducer runs within `dispatch`, so the state
    // read after it is the new one): a tap's post is on the wire within the tap's own task.
    // Then its DOM event, so a slow listener of the page does not hold the post back.
    let post = {
        let (cfg, meta, host_el) = (cfg.clone(), props.meta.clone(), props.host.clone());
        let keys = props.keys.clone();
        let dispatcher = state.dispatcher();
        move |state: &State| {
            let Some(stage) = state.stage else { return };
            let response = state.survey.response(stage, &meta, &host::now_rfc3339());
            // A scored response is continued by a reload of the page; a finished one is
            // not, and its visit and survey are marked answered (`marks::after_post`).
            let draft = response.score.map(|score| marks::Draft {
                id: meta.id.clone(),
                created_at: meta.created_at.clone(),
                score,
                at: 0,
                write_key: Some(meta.write_key.clone()),
            });
            let target = Target {
                endpoint: cfg.endpoint.clone(),
                headers: cfg.headers.clone(),
                update: cfg.update,
            };
            let listener = {
                let (host_el, id, dispatcher) =
                    (host_el.clone(), meta.id.clone(), dispatcher.clone());
                Rc::new(move |status: Status| {
                    sender::report_delivery(&host_el, &id, stage, &status);
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
            host::keep_marks(&keys, &cfg, stage, draft);
            let (name, detail) = events::posted(&response);
            host::dispatch(host_el.as_ref(), name, &detail);
        }
    };

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

    // The outcome keeps the height the form had (up to 60% of the window's): the card does
    // not collapse and leave most of a phone blank, nor stand a screen tall around a line.
    let form_height = use_mut_ref(|| 0);
    {
        let (card_ref, form_height) = (card_ref.clone(), form_height.clone());
        use_effect_with(state.survey.screen, move |screen| {
            if let Some(card) = card_ref.cast::<web_sys::HtmlElement>() {
                if *screen == Screen::Done {
                    let room = web_sys::window()
                        .and_then(|w| w.inner_height().ok())
                        .and_then(|h| h.as_f64())
                        .unwrap_or(0.0) as i32
                        * 3
                        / 5;
                    let h = (*form_height.borrow()).min(room);
                    if h > 0 {
                        let _ = card.style().set_property("min-height", &format!("{h}px"));
                    }
                } else {
                    *form_height.borrow_mut() = card.offset_height();
                    let _ = card.style().remove_property("min-height");
                }
            }
        });
    }

    // On a phone, the follow-up's fields stay above the on-screen keyboard.
    let root_ref = use_node_ref();
    {
        let root_ref = root_ref.clone();
        use_effect_with(state.survey.screen == Screen::FollowUp, move |following| {
            let listeners = root_ref
                .cast::<web_sys::Element>()
                .filter(|_| *following)
                .and_then(trigger::follow_keyboard);
            move || drop(listeners)
        });
    }

    let on_event = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let before = state.posts;
            state.dispatch(Action::Flow(e));
            if state.posts != before {
                post(&state);
            }
        })
    };
    let uid = format!("nps-{}", &props.meta.id[..8]);
    let question_id = format!("{uid}-q");
    let s = &state.survey;

    // A modal or slide-in never pops up just to say "already answered", unless the customer
    // clicked for it.
    if s.screen == Screen::Dismissed
        || !state.open
        || (overlay && s.screen == Screen::AlreadyAnswered && cfg.trigger != Trigger::Click)
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
                    <FollowUp config={cfg.clone()} survey={s.clone()} meta={props.meta.clone()} on_event={on_event.clone()} uid={uid.clone()} />
                }
            </>
        },
        Screen::Done => match s.category() {
            Some(c) => {
                let reach = Reach::of(
                    s.contact.is_some(),
                    props
                        .meta
                        .context
                        .contains_key(crate::contract::rules::VISIT),
                );
                html! { <Outcome config={cfg.clone()} id={AttrValue::from(props.meta.id.clone())} category={c} {reach} write_key={AttrValue::from(props.meta.write_key.clone())} /> }
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
    let mode_class = format!("nps--{}", cfg.mode.name());
    let touch = |l: &Rc<std::cell::RefCell<u64>>| {
        let l = l.clone();
        move || *l.borrow_mut() = host::now_ms()
    };
    let (on_type, on_tap) = (touch(&last_touch), touch(&last_touch));
    let oninput = Callback::from(move |_: InputEvent| on_type());
    let onclick = Callback::from(move |_: MouseEvent| on_tap());
    let done = matches!(s.screen, Screen::Done | Screen::AlreadyAnswered);
    let card = html! {
        <section ref={card_ref} class={classes!("nps-card", done.then_some("nps-card--done"))}
            {oninput} {onclick} role={overlay.then_some("dialog")} aria-modal={(cfg.mode == Mode::Modal).then_some("true")}
            aria-labelledby={question_id.clone()} {onkeydown}>
            { for close }
            { body }
            <p class={classes!("nps-status", pending.then_some("nps-status--pending"))} role="status" aria-live="polite">{ status }</p>
        </section>
    };
    html! {
        <div ref={root_ref} class={classes!("nps", mode_class, (cfg.position == Position::BottomLeft).then_some("nps--left"))}
            data-theme={cfg.theme.name()} lang={cfg.locale.tag()} data-screen={s.screen.name()}>
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
