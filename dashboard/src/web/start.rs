//! The page's header (title, language, "copy link" for a view), and before there is anything
//! to show: the admin token (typed once, kept in this tab), or an exported JSON/CSV file
//! dropped or chosen.

use nps_core::words::Locale;
use yew::prelude::*;

use crate::filters::Filters;
use crate::words::Word;

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    pub locale: Locale,
    pub filters: Filters,
    pub on_view: Callback<Filters>,
    /// Answers are shown (a view can be shared).
    pub ready: bool,
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
            </div>
        </header>
    }
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub locale: Locale,
    /// Loads from the collector with this token.
    pub load: Callback<String>,
    /// Reads an exported file.
    pub load_file: Callback<web_sys::File>,
}

#[component]
pub fn Start(props: &Props) -> Html {
    let w = |word: Word| word.in_(props.locale);
    let token_input = use_node_ref();
    let onsubmit = {
        let (input, load) = (token_input.clone(), props.load.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(i) = input.cast::<web_sys::HtmlInputElement>() {
                let t = i.value().trim().to_owned();
                if !t.is_empty() {
                    load.emit(t);
                }
            }
        })
    };
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
            <form class="token" {onsubmit}>
                <label for="nps-token">{ w(Word::TokenLabel) }</label>
                <div class="row">
                    <input id="nps-token" ref={token_input} type="password" autocomplete="off" spellcheck="false" />
                    <button type="submit" class="primary">{ w(Word::Load) }</button>
                </div>
                <p class="muted small">{ w(Word::TokenHint) }</p>
            </form>
            <div class="drop">
                <span>{ w(Word::DropFile) }</span>
                <label class="ghost file">{ w(Word::ChooseFile) }
                    <input type="file" accept=".json,.csv,application/json,text/csv" onchange={on_choose} class="sr-only" />
                </label>
            </div>
        </section>
    }
}
