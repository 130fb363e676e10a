//! The page's header (title, language, "copy link" for a view, who is signed in and "sign
//! out"), and before there is anything to show: "sign in" (the collector's page; the
//! dashboard never takes a credential itself), or an exported JSON/CSV file dropped or chosen.

use std::rc::Rc;

use nps_core::words::Locale;
use yew::prelude::*;

use super::app::Me;
use crate::filters::Filters;
use crate::words::{role, Word};

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    pub locale: Locale,
    pub filters: Filters,
    pub on_view: Callback<Filters>,
    /// Answers are shown (a view can be shared).
    pub ready: bool,
    /// Who is signed in.
    pub me: Option<Rc<Me>>,
    pub api: AttrValue,
    pub signin: AttrValue,
}

#[component]
pub fn Header(props: &HeaderProps) -> Html {
    let (locale, w) = (props.locale, |word: Word| word.in_(props.locale));
    let copied = use_state(|| false);
    let on_lang = {
        let (f, on_view) = (props.filters.clone(), props.on_view.clone());
        Callback::from(move |e: Event| {
            let v = e
                .target_dyn_into::<web_sys::HtmlSelectElement>()
                .map(|s| s.value())
                .unwrap_or_default();
            on_view.emit(Filters {
                lang: Locale::parse(&v),
                ..f.clone()
            });
        })
    };
    let onclick = {
        let copied = copied.clone();
        Callback::from(move |_: MouseEvent| {
            super::copy_text(&super::href());
            copied.set(true);
        })
    };
    let sign_out = {
        let (api, signin) = (props.api.to_string(), props.signin.to_string());
        Callback::from(move |_: MouseEvent| {
            let (api, signin) = (api.clone(), signin.clone());
            wasm_bindgen_futures::spawn_local(async move {
                // Signed out or not (a session already ended), the sign-in page is next.
                let _ = super::fetch("DELETE", &format!("{api}/session")).await;
                super::go(&signin);
            });
        })
    };
    let me = props.me.as_ref().map(|m| {
        let name = m.email.clone().unwrap_or_else(|| m.who.clone());
        html! {
            <span class="me">
                <span class="who-am-i">{ name }</span>
                <span class="muted small">{ role(&m.role).map_or(m.role.as_str(), |r| r.in_(locale)) }</span>
                if m.email.is_some() {
                    <button type="button" class="ghost sign-out" onclick={sign_out}>{ w(Word::SignOut) }</button>
                }
            </span>
        }
    });
    let name = |l: Locale| match l {
        Locale::ZhCn => "简体中文",
        Locale::ZhTw => "繁體中文",
        Locale::En => "English",
    };
    html! {
        <header class="bar">
            <h1>{ w(Word::Title) }</h1>
            <div class="tools">
                <select onchange={on_lang} aria-label={w(Word::Language)}>
                    { for Locale::ALL.iter().map(|l| html! {
                        <option value={l.tag()} selected={*l == locale}>{ name(*l) }</option>
                    }) }
                </select>
                if props.ready {
                    <button type="button" class="ghost" {onclick}>{ w(Word::Share) }</button>
                    if *copied { <span class="muted small" role="status">{ w(Word::Shared) }</span> }
                }
                { for me }
            </div>
        </header>
    }
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub locale: Locale,
    /// Reads an exported file.
    pub load_file: Callback<web_sys::File>,
    /// The collector's sign-in page.
    pub signin: AttrValue,
    /// The collector asked for a sign-in (rather than: not reached yet, or a file's page).
    pub signed_out: bool,
}

#[component]
pub fn Start(props: &Props) -> Html {
    let w = |word: Word| word.in_(props.locale);
    // Back here after signing in, with the view the link asked for.
    let signin = format!(
        "{}?next={}&lang={}",
        props.signin,
        form_urlencoded::byte_serialize(super::here().as_bytes()).collect::<String>(),
        props.locale.tag()
    );
    let on_choose = {
        let load_file = props.load_file.clone();
        Callback::from(move |e: Event| {
            if let Some(f) = e
                .target_dyn_into::<web_sys::HtmlInputElement>()
                .and_then(|i| i.files())
                .and_then(|l| l.get(0))
            {
                load_file.emit(f);
            }
        })
    };
    let ondrop = {
        let load_file = props.load_file.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if let Some(f) = e
                .data_transfer()
                .and_then(|d| d.files())
                .and_then(|l| l.get(0))
            {
                load_file.emit(f);
            }
        })
    };
    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
    html! {
        <section class="start card" {ondrop} {ondragover}>
            <div class="signin">
                if props.signed_out { <p>{ w(Word::SignedOut) }</p> }
                <a class="button primary" href={signin}>{ w(Word::SignIn) }</a>
                <p class="muted small">{ w(Word::SignInHint) }</p>
            </div>
            <div class="drop">
                <span>{ w(Word::DropFile) }</span>
                <label class="ghost file">{ w(Word::ChooseFile) }
                    <input type="file" accept=".json,.csv,application/json,text/csv" onchange={on_choose} class="sr-only" />
                </label>
            </div>
        </section>
    }
}
