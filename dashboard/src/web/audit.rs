//! The audit trail, for an admin: the latest entries on demand (`GET /api/audit`), in local
//! time and plain words, and the latest 10,000 as CSV (`?format=csv`, a plain link: the
//! session cookie goes with it; older lines by `since`/`until`). The
//! collector decides who may read it; this section is drawn only for an admin.

use std::rc::Rc;

use yew::prelude::*;

use nps_core::contract::time::Time;

use super::app::View;
use crate::format::moment;
use crate::words::{audit_action, Word};

/// How many entries the section shows.
const LATEST: usize = 50;

#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
struct Entry {
    at: String,
    who: String,
    action: String,
    #[serde(default)]
    detail: serde_json::Value,
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub view: Rc<View>,
}

#[component]
pub fn Audit(props: &Props) -> Html {
    let v = &props.view;
    let entries = use_state(|| None::<Result<Vec<Entry>, String>>);
    let onclick = {
        let (entries, api) = (entries.clone(), v.api.to_string());
        Callback::from(move |_: MouseEvent| {
            let (entries, api) = (entries.clone(), api.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let got = match super::fetch("GET", &format!("{api}/audit?limit={LATEST}")).await {
                    Ok((200, text)) => serde_json::from_str(&text).map_err(|e| e.to_string()),
                    Ok((s, text)) => Err(super::why(s, &text)),
                    Err(e) => Err(e),
                };
                entries.set(Some(got));
            });
        })
    };
    let body = match &*entries {
        None => html! {},
        Some(Err(why)) => html! { <p class="status error" role="alert">{ why.clone() }</p> },
        Some(Ok(list)) => html! {
            <div class="scroll" tabindex="0">
                <table class="audit">
                    <thead><tr>
                        <th scope="col">{ v.t(Word::When) }</th>
                        <th scope="col">{ v.t(Word::AuditWho) }</th>
                        <th scope="col">{ v.t(Word::AuditWhat) }</th>
                        <th scope="col">{ v.t(Word::AuditDetail) }</th>
                    </tr></thead>
                    <tbody>{ for list.iter().take(LATEST).map(|e| html! {
                        <tr>
                            <td class="small">{ local(v, &e.at) }</td>
                            <td>{ e.who.clone() }</td>
                            <td title={e.action.clone()}>{ audit_action(&e.action).map_or(e.action.as_str(), |w| v.t(w)) }</td>
                            <td class="small muted">{ detail(&e.detail) }</td>
                        </tr>
                    }) }</tbody>
                </table>
            </div>
        },
    };
    html! {
        <section class="card audit" aria-labelledby="audit-h">
            <h2 id="audit-h">{ v.t(Word::Audit) }</h2>
            <p class="muted small">{ v.t(Word::AuditHint) }</p>
            <div class="row">
                <button type="button" class="ghost" {onclick}>{ v.t(Word::AuditLoad) }</button>
                <a class="button ghost" href={format!("{}/audit?format=csv", v.api)} download="nps-audit.csv">{ v.t(Word::AuditCsv) }</a>
            </div>
            { body }
        </section>
    }
}

/// An entry's time in the browser's time zone, as the rest of the page shows times.
fn local(v: &View, at: &str) -> String {
    Time::parse(at).map_or_else(
        || at.to_owned(),
        |t| moment(t.unix_minutes(), v.cx.offset, v.locale),
    )
}

/// An entry's detail in one line: `key: value` pairs, text as it is.
fn detail(d: &serde_json::Value) -> String {
    match d {
        serde_json::Value::Object(m) => m
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}: {s}"),
                other => format!("{k}: {other}"),
            })
            .collect::<Vec<_>>()
            .join(" · "),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}
