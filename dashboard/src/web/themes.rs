//! "贬损者在说什么": the words detractors' comments share this period (`GET /api/themes`, the
//! collector's count in the caller's scope), each a button that shows the detractors' comments
//! using it (the comments' search and category, so the link keeps it). What is said is
//! `crate::themes`; this only fetches and draws. Shown to someone signed in (a dropped export
//! has no collector to cut its words).
//!
//! The DOM the tests drive: `section.themes`, its `ul.themes li[data-term]` each with a
//! `button`, the change in `.change` (`.up` / `.down`).

use yew::prelude::*;

use super::app::View;
use super::funnel::{ask, loaded, use_asked};
use crate::filters::Filters;
use crate::themes::{self, Themes as Answer};
use crate::words::Word;
use nps_core::scoring::score::Category;
use nps_core::words::fill;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub view: std::rc::Rc<View>,
    pub on_view: Callback<Filters>,
}

#[component]
pub fn Themes(props: &Props) -> Html {
    let v = &props.view;
    let query = themes::query(&ask(v), &v.filters);
    let got = use_asked(v, format!("themes?{query}"), Answer::from_json);
    let draw = |t: std::rc::Rc<Answer>| {
        if t.themes.is_empty() {
            return html! { <p class="empty">{ v.t(Word::NoThemes) }</p> };
        }
        let items = t.themes.iter().map(|theme| {
            let shown = themes::show(theme, v.locale);
            let onclick = {
                let (f, on_view, term) =
                    (v.filters.clone(), props.on_view.clone(), theme.term.clone());
                Callback::from(move |_: MouseEvent| {
                    on_view.emit(Filters {
                        comments: Some(Category::Detractor),
                        search: term.clone(),
                        ..f.clone()
                    })
                })
            };
            let pressed = (v.filters.search == theme.term
                && v.filters.comments == Some(Category::Detractor))
            .to_string();
            html! {
                <li data-term={shown.term.clone()}>
                    <button type="button" class="theme" aria-pressed={pressed}
                        aria-label={shown.label.clone()} {onclick}>
                        <span class="term">{ shown.words.clone() }</span>
                        <span class="theme-n">{ shown.count.clone() }</span>
                        if !shown.change.is_empty() {
                            <span class={classes!("change", shown.trend)}>{ shown.change.clone() }</span>
                        }
                    </button>
                </li>
            }
        });
        html! {
            <>
                <p class="muted small">{ fill(v.t(Word::ThemesOf), &[("n", &t.comments.to_string())]) }</p>
                <ul class="themes">{ for items }</ul>
            </>
        }
    };
    html! {
        <section class="card themes" style="grid-area: themes" aria-labelledby="themes-h">
            <h2 id="themes-h">{ v.t(Word::Themes) }</h2>
            <p class="muted small">{ v.t(Word::ThemesHint) }</p>
            { loaded(v, &got, draw) }
        </section>
    }
}
