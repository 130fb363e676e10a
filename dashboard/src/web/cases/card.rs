//! One case, worked in place: score, store, advisor, order, reasons, comment, owner, the
//! masked phone with "show number" (logged) or the order's number to call, the hours left;
//! one tap marks it contacted or resolved with the note and root cause beside the buttons
//! (`PATCH /api/cases/{id}`; the root cause is asked for once the customer was reached, and
//! resolving without one says so, offering the choice, before sending); its
//! history on a tap (`GET /api/cases/{id}`); a resolved case's re-survey link to copy.

use std::rc::Rc;

use nps_core::scoring::analysis::minutes_of;
use yew::prelude::*;

use super::panels::{history_list, recovery};
use super::reveal::Reveal;
use crate::cases::edit::{self, Act, Form, NOTE_MAX};
use crate::cases::{self, Case, State};
use crate::format::moment;
use crate::web::app::View;
use crate::web::tables::reason_label;
use crate::words::Word;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub view: Rc<View>,
    pub case: Rc<Case>,
    /// The case a link points at (`#case=ID`): highlighted.
    #[prop_or_default]
    pub focus: bool,
    /// The brand's root causes.
    pub causes: Rc<Vec<String>>,
    /// The case as the collector answered a `PATCH`.
    pub on_saved: Callback<Case>,
}

/// What the card says under its buttons.
#[derive(Clone, PartialEq)]
enum Said {
    Nothing,
    Saving,
    Refused(String),
    /// The form is not sent: the field to fix and why.
    Invalid(&'static str, Word),
}

/// `/api/cases/{id}`.
fn case_url(api: &str, id: &str) -> String {
    let id: String = form_urlencoded::byte_serialize(id.as_bytes()).collect();
    format!("{api}/cases/{id}")
}

#[component]
pub fn CaseCard(props: &Props) -> Html {
    let v = &props.view;
    let c = &props.case;
    let note = use_state(String::new);
    let cause = use_state(String::new);
    let hand_to = use_state(String::new);
    let said = use_state(|| Said::Nothing);
    let history_open = use_state(|| false);
    let recovery_open = use_state(|| false);
    let copied = use_state(|| false);
    // The case with its history and link (`GET /api/cases/{id}`), once asked for.
    let detail = use_state(|| None::<Result<Case, String>>);
    let state = c.state();
    let works = v.me.as_ref().is_some_and(|m| m.may_work_cases());

    let act = |act: Act| {
        let (note, cause, hand_to, said, on_saved) = (
            note.clone(),
            cause.clone(),
            hand_to.clone(),
            said.clone(),
            props.on_saved.clone(),
        );
        let (url, locale) = (case_url(&v.api, &c.id), v.locale);
        Callback::from(move |_: MouseEvent| {
            let form = Form {
                act,
                note: (*note).clone(),
                root_cause: (*cause).clone(),
                owner: (*hand_to).clone(),
            };
            let body = match edit::body(&form) {
                Ok(body) => body,
                Err(invalid) => return said.set(Said::Invalid(invalid.field(), invalid.word())),
            };
            said.set(Said::Saving);
            let (note, cause, hand_to, said, on_saved, url) = (
                note.clone(),
                cause.clone(),
                hand_to.clone(),
                said.clone(),
                on_saved.clone(),
                url.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                let answer = crate::web::send_json("PATCH", &url, &body).await;
                let outcome = match answer {
                    Ok((200, text)) => Case::from_json(&text).map_err(|e| edit::failed(&e, locale)),
                    Ok((s, text)) => Err(edit::refusal(s, &text, locale)),
                    Err(why) => Err(edit::failed(&why, locale)),
                };
                match outcome {
                    Ok(case) => {
                        note.set(String::new());
                        cause.set(String::new());
                        hand_to.set(String::new());
                        said.set(Said::Nothing);
                        on_saved.emit(case);
                    }
                    Err(why) => said.set(Said::Refused(why)),
                }
            });
        })
    };
    // The case's detail, fetched once for the history or the re-survey link.
    let fetch_detail = {
        let (detail, url, locale) = (detail.clone(), case_url(&v.api, &c.id), v.locale);
        move || {
            if detail.is_some() {
                return;
            }
            let (detail, url) = (detail.clone(), url.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let got = super::get(&url, locale)
                    .await
                    .and_then(|t| Case::from_json(&t));
                detail.set(Some(got));
            });
        }
    };
    let on_history = {
        let (open, fetch_detail, has) = (
            history_open.clone(),
            fetch_detail.clone(),
            !c.history.is_empty(),
        );
        Callback::from(move |_: MouseEvent| {
            if !*open && !has {
                fetch_detail();
            }
            open.set(!*open);
        })
    };
    // The newest known: the case's own (a PATCH's answer) or the detail fetched.
    let fetched = detail.as_ref().and_then(|d| d.as_ref().ok());
    let history = if c.history.is_empty() {
        fetched.map_or(&[][..], |d| &d.history[..])
    } else {
        &c.history[..]
    };
    let recovery_url = c
        .recovery_url
        .clone()
        .or_else(|| fetched.and_then(|d| d.recovery_url.clone()));
    // The re-survey link, taken (`POST /api/cases/{id}/recovery`: the case counts as
    // re-surveyed) when first asked for.
    let take_recovery = {
        let url = format!("{}/recovery", case_url(&v.api, &c.id));
        let (detail, locale) = (detail.clone(), v.locale);
        move || {
            let (detail, url) = (detail.clone(), url.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let got = match crate::web::send_json("POST", &url, "{}").await {
                    Ok((200, text)) => Case::from_json(&text).map_err(|e| edit::failed(&e, locale)),
                    Ok((s, text)) => Err(edit::refusal(s, &text, locale)),
                    Err(why) => Err(edit::failed(&why, locale)),
                };
                detail.set(Some(got));
            });
        }
    };
    let on_recovery = {
        let (open, copied, url) = (recovery_open.clone(), copied.clone(), recovery_url.clone());
        Callback::from(move |_: MouseEvent| {
            match &url {
                // Copied within the tap (a browser lets a page write the clipboard then).
                Some(url) => {
                    crate::web::copy_text(url);
                    copied.set(true);
                }
                None => take_recovery(),
            }
            open.set(true);
        })
    };
    let on_copy = {
        let (copied, url) = (copied.clone(), recovery_url.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(url) = &url {
                crate::web::copy_text(url);
                copied.set(true);
            }
        })
    };
    let on_note = {
        let note = note.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(t) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
                note.set(t.value());
            }
        })
    };
    let on_owner = {
        let hand_to = hand_to.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(t) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                hand_to.set(t.value());
            }
        })
    };
    let on_cause = {
        let (cause, said) = (cause.clone(), said.clone());
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                cause.set(s.value());
                if matches!(*said, Said::Invalid(..)) {
                    said.set(Said::Nothing);
                }
            }
        })
    };

    let when = |at: &str| minutes_of(at).map(|m| moment(m, v.cx.offset, v.locale));
    let sep = if v.locale == nps_core::words::Locale::En {
        ", "
    } else {
        "、"
    };
    let reasons: Vec<String> = c
        .reasons
        .iter()
        .map(|r| reason_label(r, v.locale))
        .collect();
    let mut place: Vec<String> = Vec::new();
    if let Some(s) = c.store_name.clone().or_else(|| c.store.clone()) {
        place.push(s);
    }
    if let Some(a) = c.advisor_name.clone().or_else(|| c.advisor.clone()) {
        place.push(format!("{} {a}", v.t(Word::Advisor)));
    }
    let mut facts: Vec<String> = Vec::new();
    if let Some(visit) = c.visit.as_deref().filter(|s| !s.is_empty()) {
        facts.push(v.fill(Word::Visit, &[("visit", visit)]));
    }
    facts.extend(when(&c.opened_at));
    let owner = c.owner.as_deref().unwrap_or(v.t(Word::StoreOwner));
    let badge = match cases::due(c, v.locale) {
        Some((class, words)) => html! { <span class={class}>{ words }</span> },
        None => html! { <span class="badge state">{ v.t(cases::state_word(state)) }</span> },
    };
    let phone = match (&c.phone, v.me.as_ref().is_some_and(|m| m.may_reveal())) {
        (Some(p), true) => {
            html! { <Reveal view={v.clone()} id={c.response_id.clone()} masked={p.clone()} /> }
        }
        (Some(p), false) => html! { <span class="phone">{ p.clone() }</span> },
        (None, _) => html! {},
    };
    let busy = *said == Said::Saving;
    let invalid_cause = matches!(*said, Said::Invalid("root_cause", _));
    let form_id = format!("case-{}", c.id);
    let options = props.causes.iter().map(|k| {
        html! { <option value={k.clone()} selected={*cause == *k}>{ k.clone() }</option> }
    });
    // The root cause is asked for when resolving is near: once the customer was reached, or
    // when 已解决 was tapped without one (a phone's card stays short while calls wait).
    let asks_cause = state == State::Contacted || invalid_cause || !cause.is_empty();
    let form = (works && state != State::Resolved).then(|| html! {
        <>
        <div class="case-form">
            if asks_cause {
            <label class="field">{ v.t(Word::RootCause) }
                <select name="root_cause" id={format!("{form_id}-cause")} onchange={on_cause}
                    aria-invalid={invalid_cause.to_string()}>
                    <option value="" selected={cause.is_empty()}>{ v.t(Word::ChooseRootCause) }</option>
                    { for options }
                </select>
            </label>
            }
            <label class="field">{ v.t(Word::Note) }
                <textarea name="note" rows="2" maxlength={NOTE_MAX.to_string()} value={(*note).clone()}
                    placeholder={v.t(Word::NoteHint)} oninput={on_note} />
            </label>
        </div>
        <details class="assign">
                <summary>{ v.t(Word::AssignTo) }</summary>
                <div class="copy-row">
                    <input type="email" name="owner" autocomplete="email" value={(*hand_to).clone()}
                        aria-label={v.t(Word::AssignTo)} aria-invalid={matches!(*said, Said::Invalid("owner", _)).to_string()}
                        oninput={on_owner} />
                    <button type="button" class="ghost" data-act={Act::Assign.key()} disabled={busy} onclick={act(Act::Assign)}>{ v.t(Act::Assign.word()) }</button>
                </div>
        </details>
        </>
    });
    let message = match &*said {
        Said::Nothing => html! {},
        Said::Saving => html! { <p class="status" role="status">{ v.t(Word::Saving) }</p> },
        Said::Refused(why) => html! { <p class="status error" role="alert">{ why.clone() }</p> },
        Said::Invalid(_, w) => html! { <p class="status error" role="alert">{ v.t(*w) }</p> },
    };
    let category = if c.category == "passive" {
        "passive"
    } else {
        "detractor"
    };
    html! {
        <li class={classes!("case", c.overdue.then_some("overdue"), props.focus.then_some("focus"))} data-id={c.id.clone()} data-state={c.status.clone()}>
            <div class="case-head">
                <span class={classes!("pill", category)}>{ c.score.map(|s| s.to_string()).unwrap_or_default() }</span>
                <div class="case-where">
                    <p class="store">{ place.join(" · ") }</p>
                    <p class="muted small">{ facts.join(" · ") }</p>
                </div>
                { badge }
            </div>
            if !reasons.is_empty() { <p class="reasons small">{ reasons.join(sep) }</p> }
            if let Some(text) = &c.comment { <p class="text">{ text.clone() }</p> }
            <div class="contact">
                { phone }
                if let Some(line) = cases::on_file(c, v.locale) { <p class="on-file">{ line }</p> }
            </div>
            <p class="muted small owner">{ v.fill(Word::OwnedBy, &[("who", owner)]) }</p>
            if let Some(cause) = &c.root_cause { <p class="small">{ v.fill(Word::RootCauseWas, &[("cause", cause)]) }</p> }
            if let Some(score) = c.recovery_score {
                <p class="small recovery-score">{ v.fill(Word::RecoveryScore, &[("score", &score.to_string())]) }</p>
            }
            { for form }
            { message }
            <div class="case-acts">
                if works && state == State::Open {
                    <button type="button" class="primary" data-act={Act::Contact.key()} disabled={busy} onclick={act(Act::Contact)}>{ v.t(Act::Contact.word()) }</button>
                }
                if works && state != State::Resolved {
                    <button type="button" class={if state == State::Open { "ghost" } else { "primary" }} data-act={Act::Resolve.key()} disabled={busy} onclick={act(Act::Resolve)}>{ v.t(Act::Resolve.word()) }</button>
                }
                if works && state == State::Resolved {
                    <button type="button" class="ghost" data-act={Act::Reopen.key()} disabled={busy} onclick={act(Act::Reopen)}>{ v.t(Act::Reopen.word()) }</button>
                }
                if works && state == State::Resolved {
                    <button type="button" class="ghost" data-act="recovery" onclick={on_recovery}>{ v.t(Word::ActRecovery) }</button>
                }
                <button type="button" class="ghost" data-act="history" aria-expanded={history_open.to_string()} onclick={on_history}>{ v.t(Word::ActHistory) }</button>
            </div>
            if *recovery_open {
                <div class="recovery">
                    <p class="muted small">{ v.t(Word::RecoveryHint) }</p>
                    { recovery(v, recovery_url.as_deref(), detail.as_ref(), *copied, on_copy) }
                </div>
            }
            if *history_open {
                { history_list(v, history, c.history.is_empty().then_some(&*detail).and_then(Option::as_ref)) }
            }
        </li>
    }
}
