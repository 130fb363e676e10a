//! The widget: one survey in one host element — question, scale, follow-up, outcome —
//! with the posts the flow asks for handed to the outbox and the contract's DOM events.

use std::rc::Rc;

use yew::prelude::*;

use super::follow_up::FollowUp;
use super::host;
use super::outcome::Outcome;
use super::scale::Scale;
use super::sender::{self, Status};
use super::state::{Action, State};
use crate::config::{Config, Mode, Position, Theme};
use crate::flow::{Event, Meta, Step};
use crate::i18n::{fill, Text};
use crate::outbox::Target;
use crate::payload::Stage;

#[derive(Properties, PartialEq)]
pub struct WidgetProps {
    pub config: Rc<Config>,
    pub meta: Rc<Meta>,
    /// Where DOM events are dispatched.
    pub host: web_sys::Element,
    /// `Some(key)` when the survey asks once: the storage key that marks it answered.
    pub answered_key: Option<AttrValue>,
    pub already_answered: bool,
}

#[component]
pub fn Widget(props: &WidgetProps) -> Html {
    let cfg = props.config.clone();
    let overlay = cfg.mode != Mode::Inline;
    let state = use_reducer({
        let (already, open) = (props.already_answered, !overlay || cfg.delay_ms == 0);
        move || State::new(already, open)
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
        let dispatcher = state.dispatcher();
        let survey = state.survey.clone();
        let stage = state.stage;
        use_effect_with(state.posts, move |posts| {
            if let (true, Some(stage)) = (*posts > 0, stage) {
                let response = survey.response(stage, &meta, &host::now_rfc3339());
                let detail = match stage {
                    Stage::Scored => {
                        crate::obj! {"id" => meta.id.clone(), "score" => response.score, "category" => response.category}
                    }
                    Stage::Completed => {
                        crate::obj! {"id" => meta.id.clone(), "stage" => "completed", "response" => response.to_value()}
                    }
                    Stage::Dismissed => {
                        crate::obj! {"id" => meta.id.clone(), "stage" => "dismissed", "score" => response.score}
                    }
                };
                let name = match stage {
                    Stage::Scored => "nps:scored",
                    Stage::Completed => "nps:submitted",
                    Stage::Dismissed => "nps:dismissed",
                };
                host::dispatch(host_el.as_ref(), name, &detail);
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
                if let Err(message) = sender::submit(
                    &meta.id,
                    &target,
                    response.to_json(),
                    stage.rank(),
                    listener,
                ) {
                    report(&host_el, &meta.id, stage, &Status::Refused(message.clone()));
                    dispatcher.dispatch(Action::Net(Status::Refused(message)));
                }
            }
        });
    }

    // A modal takes focus when it shows (the scale's first stop) and gives it back to
    // whatever had it when it closes.
    let card_ref = use_node_ref();
    {
        let card_ref = card_ref.clone();
        let step = state.survey.step;
        let showing = cfg.mode == Mode::Modal
            && state.open
            && step != Step::Dismissed
            && step != Step::AlreadyAnswered;
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
    if s.step == Step::Dismissed || !state.open || (overlay && s.step == Step::AlreadyAnswered) {
        return html! {};
    }

    let body = match s.step {
        Step::Asking | Step::FollowUp => html! {
            <>
                <h2 id={question_id.clone()} class="nps-question">
                    { fill(cfg.text(Text::Question), &[("brand", cfg.brand_in_sentence())]) }
                </h2>
                <Scale config={cfg.clone()} chosen={s.score} labelled_by={question_id.clone()}
                    on_choose={on_event.reform(Event::Choose)} />
                if s.step == Step::FollowUp {
                    <FollowUp config={cfg.clone()} survey={s.clone()} on_event={on_event.clone()} uid={uid.clone()} />
                }
            </>
        },
        Step::Done => match s.category() {
            Some(c) => {
                let contactable = s.contact.is_some() || props.meta.context.contains_key("visit");
                html! { <Outcome config={cfg.clone()} category={c} {contactable} /> }
            }
            None => html! {},
        },
        Step::AlreadyAnswered => html! {
            <div class="nps-outcome" role="status"><p class="nps-outcome-title">{ cfg.text(Text::AlreadyAnswered) }</p></div>
        },
        Step::Dismissed => html! {},
    };

    // Quiet status: offline at any step; sending and sent once the form is done.
    let status = match (&state.net, s.step) {
        (Some(Status::Waiting), _) => cfg.text(Text::SavedOffline),
        (Some(Status::Sending), Step::Done) => cfg.text(Text::Sending),
        (Some(Status::Delivered), Step::Done) if state.stage == Some(Stage::Completed) => {
            cfg.text(Text::Sent)
        }
        _ => "",
    };

    let close = overlay.then(|| {
        html! {
            <button type="button" class="nps-close" aria-label={cfg.text(Text::Close).to_owned()}
                onclick={on_event.reform(|_: MouseEvent| Event::Dismiss)}>{ "×" }</button>
        }
    });
    let onkeydown = {
        let on_event = on_event.clone();
        Callback::from(move |e: KeyboardEvent| {
            if overlay && e.key() == "Escape" {
                on_event.emit(Event::Dismiss);
            }
        })
    };
    let mut style = format!("--nps-radius:{}px;", cfg.radius);
    if let Some(a) = &cfg.accent {
        style.push_str(&format!("--nps-accent:{a};"));
    }
    let theme = match cfg.theme {
        Theme::Auto => "auto",
        Theme::Light => "light",
        Theme::Dark => "dark",
    };
    let mode_class = match cfg.mode {
        Mode::Inline => "nps--inline",
        Mode::Modal => "nps--modal",
        Mode::SlideIn => "nps--slide-in",
    };
    let card = html! {
        <section ref={card_ref} class="nps-card" role={overlay.then_some("dialog")} aria-modal={(cfg.mode == Mode::Modal).then_some("true")}
            aria-labelledby={question_id.clone()} {onkeydown}>
            { for close }
            { body }
            <p class="nps-status" role="status" aria-live="polite">{ status }</p>
        </section>
    };
    html! {
        <div class={classes!("nps", mode_class, (cfg.position == Position::BottomLeft).then_some("nps--left"))}
            data-theme={theme} lang={cfg.locale.tag()} {style} data-step={step_name(s.step)}>
            if cfg.mode == Mode::Modal {
                <div class="nps-backdrop">{ card }</div>
            } else {
                { card }
            }
        </div>
    }
}

fn step_name(step: Step) -> &'static str {
    match step {
        Step::Asking => "asking",
        Step::FollowUp => "follow-up",
        Step::Done => "done",
        Step::Dismissed => "dismissed",
        Step::AlreadyAnswered => "already-answered",
    }
}

/// The contract's delivery events, and a console line for what the page's developer must fix.
fn report(host_el: &web_sys::Element, id: &str, stage: Stage, status: &Status) {
    match status {
        Status::Delivered => host::dispatch(
            host_el.as_ref(),
            "nps:delivered",
            &crate::obj! {"id" => id, "stage" => stage.as_str()},
        ),
        Status::Dead(reason) | Status::Refused(reason) => {
            let message = format!(
                "nps-widget: response {id} ({}) was not accepted: {reason}",
                stage.as_str()
            );
            web_sys::console::error_1(&message.clone().into());
            host::dispatch(
                host_el.as_ref(),
                "nps:error",
                &host::error_detail("delivery", &message, None, Some(id)),
            );
        }
        Status::GaveUp => {
            let message = format!(
                "nps-widget: response {id} could not be delivered within 7 days and was dropped"
            );
            web_sys::console::error_1(&message.clone().into());
            host::dispatch(
                host_el.as_ref(),
                "nps:error",
                &host::error_detail("gave_up", &message, None, Some(id)),
            );
        }
        Status::Sending | Status::Waiting => {}
    }
}
