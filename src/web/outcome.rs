//! The outcome: `crate::survey::outcome` in place of the form. A promoter's referral page (on the
//! collector the survey posts to) is a plain link; a survey posting elsewhere shares its
//! `referral_url` through the page's `NpsWidget.share` (`www/share.js`, the same code the
//! landing pages use). The referral page's link carries the response's write key in its
//! fragment (`#k=…`, never sent to a server), which the page puts in its name form: only the
//! answer's own browser may change the promoter's name.

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use yew::prelude::*;

use crate::config::Config;
use crate::scoring::score::Category;
use crate::survey::outcome::{outcome, referral_page, Reach};
use crate::words::Text;

#[wasm_bindgen]
extern "C" {
    /// `www/share.js`: resolves to what happened: "shared", "cancelled", "wechat", "copied" or
    /// "open".
    #[wasm_bindgen(js_namespace = NpsWidget, js_name = share)]
    fn share(url: &str, title: &str) -> js_sys::Promise;
}

#[derive(Properties, PartialEq)]
pub struct OutcomeProps {
    pub config: Rc<Config>,
    /// The response's id: its referral page's capability.
    pub id: AttrValue,
    pub category: Category,
    pub reach: Reach,
    /// The response's write key, for its referral page's name form.
    pub write_key: AttrValue,
}

#[component]
pub fn Outcome(props: &OutcomeProps) -> Html {
    let cfg = &props.config;
    let o = outcome(cfg, &props.id, props.category, props.reach);
    let note = use_state(String::new);
    let own_page = referral_page(cfg, &props.id);
    let primary = o.primary.map(|mut a| {
        if own_page.as_deref() == Some(a.href.as_str()) {
            a.href = format!("{}#k={}", a.href, props.write_key);
        }
        let onclick = a.share.then(|| {
            let (note, url, cfg) = (note.clone(), a.href.clone(), cfg.clone());
            Callback::from(move |e: MouseEvent| {
                e.prevent_default();
                let (note, url, cfg) = (note.clone(), url.clone(), cfg.clone());
                let title = cfg.brand_in_sentence().to_owned();
                wasm_bindgen_futures::spawn_local(async move {
                    let how = wasm_bindgen_futures::JsFuture::from(share(&url, &title))
                        .await
                        .ok()
                        .and_then(|v| v.as_string())
                        .unwrap_or_default();
                    match how.as_str() {
                        "wechat" => note.set(cfg.text(Text::ShareInWeChat).to_owned()),
                        "copied" => note.set(cfg.text(Text::LinkCopied).to_owned()),
                        "shared" | "cancelled" => {}
                        _ => {
                            if let Some(w) = web_sys::window() {
                                let _ = w.open_with_url_and_target(&url, "_blank");
                            }
                        }
                    }
                });
            })
        });
        html! {
            <a class="nps-primary" href={a.href.clone()} target="_blank" rel="noopener noreferrer" {onclick}>{ &a.label }</a>
        }
    });
    let secondary = o.secondary.map(|a| {
        html! { <a class="nps-link" href={a.href.clone()} target="_blank" rel="noopener noreferrer">{ &a.label }</a> }
    });
    html! {
        <div class={classes!("nps-outcome", format!("nps-outcome--{}", props.category))} role="status">
            <div class={classes!("nps-outcome-mark", format!("nps-{}", props.category))} aria-hidden="true">{ o.mark }</div>
            <p class="nps-outcome-title">{ o.title }</p>
            <p class="nps-outcome-body">{ o.body }</p>
            if primary.is_some() || secondary.is_some() {
                <div class="nps-actions nps-actions--outcome">{ for primary }{ for secondary }</div>
            }
            if !note.is_empty() {
                <p class="nps-note" role="status">{ (*note).clone() }</p>
            }
        </div>
    }
}
