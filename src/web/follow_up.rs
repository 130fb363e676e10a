//! After a score: the category's prompt, reason chips, a comment, and for detractors the
//! call-back offer (phone plus an unticked consent box; where the signed link carries the
//! order's phone tail, first the tick "call me at the number on my order", which hides them).
//! Submit and skip.

use std::rc::Rc;

use yew::prelude::*;

use crate::config::Config;
use crate::contract::rules::{MAX_COMMENT, MAX_PHONE_INPUT};
use crate::survey::flow::{Event, Meta, Problem, Survey};
use crate::survey::follow_up::follow_up;
use crate::words::{fill, Text};

#[derive(Properties, PartialEq)]
pub struct FollowUpProps {
    pub config: Rc<Config>,
    pub survey: Survey,
    /// The response's context (the order's phone tail) is in it.
    pub meta: Rc<Meta>,
    pub on_event: Callback<Event>,
    /// Prefix for element ids, unique per widget.
    pub uid: AttrValue,
}

#[component]
pub fn FollowUp(props: &FollowUpProps) -> Html {
    let cfg = &props.config;
    let s = &props.survey;
    let Some(asked) = follow_up(cfg, s, &props.meta.context) else {
        return html! {};
    };
    let prompt = asked.prompt;
    let ev = |f: fn(String) -> Event| {
        props
            .on_event
            .reform(move |e: InputEvent| f(input_value(&e)))
    };
    let comment_id = format!("{}-comment", props.uid);
    let phone_id = format!("{}-phone", props.uid);
    let prompt_id = format!("{}-prompt", props.uid);
    let count = s.comment.chars().count().to_string();

    let chips = cfg.reasons.iter().map(|r| {
        let pressed = s.reasons.contains(&r.id);
        let id = r.id.clone();
        html! {
            <button type="button" class="nps-chip" aria-pressed={if pressed { "true" } else { "false" }}
                data-reason={r.id.clone()}
                onclick={props.on_event.reform(move |_: MouseEvent| Event::ToggleReason(id.clone()))}>
                { &r.label }
            </button>
        }
    });

    let callback = asked.callback.map(|offer| {
        let consent_text = cfg.consent_text();
        let problem = offer.problem.map(|p| cfg.text(p));
        let tick = |f: fn(bool) -> Event| {
            props.on_event.reform(move |e: yew::Event| {
                f(e.target_dyn_into::<web_sys::HtmlInputElement>().is_some_and(|i| i.checked()))
            })
        };
        let on_file = offer.on_file.map(|words| html! {
            <label class="nps-consent nps-on-file">
                <input type="checkbox" class="nps-on-file-box" checked={s.on_file} onchange={tick(Event::OnFile)} />
                <span>{ words }</span>
            </label>
        });
        html! {
            <div class="nps-callback">
                <p class="nps-prompt">{ cfg.text(offer.offer) }</p>
                { for on_file }
                if !s.on_file {
                <label class="nps-label" for={phone_id.clone()}>{ cfg.text(Text::PhoneLabel) }</label>
                <input id={phone_id.clone()} class="nps-phone" type="tel" inputmode="tel" autocomplete="tel"
                    maxlength={MAX_PHONE_INPUT.to_string()} value={s.phone.clone()}
                    aria-invalid={if s.problem == Some(Problem::PhoneInvalid) { "true" } else { "false" }}
                    oninput={ev(Event::Phone)} />
                <label class="nps-consent">
                    <input type="checkbox" class="nps-consent-box" checked={s.consent} onchange={tick(Event::Consent)} />
                    <span>{ consent_text }</span>
                </label>
                }
                if let Some(p) = problem {
                    <p class="nps-problem" role="alert">{ p }</p>
                }
            </div>
        }
    });

    html! {
        <div class="nps-follow-up" role="group" aria-labelledby={prompt_id.clone()}>
            <p id={prompt_id} class="nps-prompt">{ cfg.text(prompt) }</p>
            <div class="nps-chips">{ for chips }</div>
            <label class="nps-label" for={comment_id.clone()}>{ cfg.text(Text::CommentLabel) }</label>
            <textarea id={comment_id} class="nps-comment" rows="3" maxlength={MAX_COMMENT.to_string()}
                placeholder={cfg.text(Text::CommentPlaceholder).to_owned()}
                value={s.comment.clone()} oninput={ev(Event::Comment)} />
            <p class="nps-counter" aria-live="polite">
                { fill(cfg.text(Text::CommentCounter), &[("count", &count), ("max", &MAX_COMMENT.to_string())]) }
            </p>
            { for callback }
            <div class="nps-actions">
                <button type="button" class="nps-submit" onclick={props.on_event.reform(|_: MouseEvent| Event::Submit)}>
                    { cfg.text(Text::Submit) }
                </button>
                <button type="button" class="nps-text-button nps-skip" onclick={props.on_event.reform(|_: MouseEvent| Event::Skip)}>
                    { cfg.text(Text::Skip) }
                </button>
            </div>
        </div>
    }
}

fn input_value(e: &InputEvent) -> String {
    if let Some(t) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
        return t.value();
    }
    e.target_dyn_into::<web_sys::HtmlInputElement>()
        .map(|i| i.value())
        .unwrap_or_default()
}
