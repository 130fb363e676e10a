//! A masked phone and "show number": one tap asks the collector for the full number (of a
//! case's answer, `POST /api/responses/{id}/reveal`, or of a friend's booking, `POST
//! /api/referrals/bookings/{id}/reveal`; each writes it to the audit trail) and turns it into
//! a link to call.

use std::rc::Rc;

use yew::prelude::*;

use crate::web::app::View;
use crate::words::Word;

#[derive(Properties, PartialEq)]
pub struct RevealProps {
    pub view: Rc<View>,
    /// What the number is of, under the API: `responses` (a case's answer, the default) or
    /// `referrals/bookings` (a friend's booking).
    #[prop_or(AttrValue::Static("responses"))]
    pub of: AttrValue,
    /// The response's (or booking's) id.
    pub id: AttrValue,
    /// The phone as the case gives it: masked (`138****3788`).
    pub masked: AttrValue,
}

#[component]
pub fn Reveal(props: &RevealProps) -> Html {
    let v = &props.view;
    let shown = use_state(|| None::<Result<String, String>>);
    // Asked and not answered yet: a second tap does not ask (and log) again.
    let asking = use_state(|| false);
    let onclick = {
        let (shown, asking, api, id) = (
            shown.clone(),
            asking.clone(),
            format!("{}/{}", v.api, props.of),
            props.id.to_string(),
        );
        Callback::from(move |_: MouseEvent| {
            if *asking {
                return;
            }
            asking.set(true);
            let (shown, asking, api, id) = (shown.clone(), asking.clone(), api.clone(), id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let id_path: String = form_urlencoded::byte_serialize(id.as_bytes()).collect();
                let url = format!("{api}/{id_path}/reveal");
                let got = match crate::web::fetch("POST", &url).await {
                    Ok((200, text)) => serde_json::from_str::<serde_json::Value>(&text)
                        .ok()
                        .and_then(|v| v["phone"].as_str().map(str::to_owned))
                        // Empty: the collector answered without a number (said in words below).
                        .ok_or_else(String::new),
                    Ok((s, text)) => Err(crate::web::why(s, &text)),
                    Err(e) => Err(e),
                };
                shown.set(Some(got));
                asking.set(false);
            });
        })
    };
    match &*shown {
        Some(Ok(phone)) => html! {
            <a class="phone" href={format!("tel:{phone}")}>{ phone.clone() }</a>
        },
        other => html! {
            <span class="phone">
                { props.masked.clone() }
                <button type="button" class="ghost small reveal" data-act="reveal" disabled={*asking} {onclick} title={v.t(Word::RevealHint)}>
                    { v.t(Word::Reveal) }
                </button>
                if let Some(Err(why)) = other {
                    <span class="status error small" role="alert">{ v.fill(Word::RevealFailed, &[("why", if why.is_empty() { v.t(Word::NoPhoneBack) } else { why })]) }</span>
                }
            </span>
        },
    }
}
