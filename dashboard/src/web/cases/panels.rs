//! A case card's panels: its re-survey link (with the copy button, or why there is none) and
//! its history (oldest first, in local time, who in words).

use nps_core::scoring::analysis::minutes_of;
use yew::prelude::*;

use crate::cases::{self, Case};
use crate::format::moment;
use crate::web::app::View;
use crate::words::Word;

/// The re-survey link with its copy button, or why there is none.
pub(super) fn recovery(
    v: &View,
    url: Option<&str>,
    asked: Option<&Result<Case, String>>,
    copied: bool,
    on_copy: Callback<MouseEvent>,
) -> Html {
    if let (None, Some(Err(why))) = (url, asked) {
        return html! { <p class="status error" role="alert">{ why.clone() }</p> };
    }
    let fetched = asked.is_some();
    match url {
        Some(url) => html! {
            <div class="copy-row">
                <input class="recovery-url" readonly=true value={url.to_owned()} aria-label={v.t(Word::ActRecovery)} />
                <button type="button" class="ghost" data-act="copy" onclick={on_copy}>{ v.t(Word::Copy) }</button>
                if copied { <span class="small" role="status">{ v.t(Word::Copied) }</span> }
            </div>
        },
        None if fetched => html! { <p class="small">{ v.t(Word::NoRecoveryUrl) }</p> },
        None => html! { <p class="status" role="status">{ v.t(Word::Loading) }</p> },
    }
}

/// The case's history, oldest first, in local time; `asked`: how fetching it went, when the
/// case came without it.
pub(super) fn history_list(
    v: &View,
    history: &[cases::Event],
    asked: Option<&Result<Case, String>>,
) -> Html {
    if let Some(Err(why)) = asked {
        return html! { <p class="status error" role="alert">{ why.clone() }</p> };
    }
    if history.is_empty() && asked.is_none() {
        return html! { <p class="status" role="status">{ v.t(Word::Loading) }</p> };
    }
    html! {
        <ol class="history">
            { for history.iter().map(|e| html! {
                <li>
                    <span class="muted">{ minutes_of(&e.at).map(|m| moment(m, v.cx.offset, v.locale)).unwrap_or_else(|| e.at.clone()) }</span>
                    { " " }<span class="who">{ cases::who_text(&e.who, v.locale) }</span>
                    <span class="what">{ cases::event_text(e, v.locale) }</span>
                </li>
            }) }
        </ol>
    }
}
