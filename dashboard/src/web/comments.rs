//! The comments of a signed-in manager's view: `GET /api/comments` with the view's range,
//! places, category and words (`crate::comments::query`), the newest `LATEST_COMMENTS` drawn
//! as the comments of a dropped file are (`li` with its score's `.pill` and the `.text`).
//! The answers the page holds carry no comment's text: the collector finds them in the
//! caller's scope.

use yew::prelude::*;

use super::app::View;
use super::funnel::{ask, loaded, use_asked};
use crate::comments::{self, Page};
use crate::format::moment;
use crate::words::Word;
use nps_core::contract::context::Dimension;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub view: std::rc::Rc<View>,
}

#[component]
pub fn ServerComments(props: &Props) -> Html {
    let v = &props.view;
    let query = comments::query(&ask(v), &v.filters);
    let got = use_asked(v, format!("comments?{query}"), Page::from_json);
    let draw = |page: std::rc::Rc<Page>| {
        if page.comments.is_empty() {
            return html! { <p class="empty">{ v.t(Word::NoComments) }</p> };
        }
        let items = page.comments.iter().map(|c| {
            let class = c.category().map_or("", |c| c.as_str());
            let [store, advisor] = [
                (Dimension::Store, &c.store),
                (Dimension::Advisor, &c.advisor),
            ]
            .map(|(d, code)| v.label(d, code.as_deref().unwrap_or("")));
            let when = c
                .minutes()
                .map(|m| moment(m, v.cx.offset, v.locale))
                .unwrap_or_default();
            html! {
                <li key={c.id.clone()}>
                    <span class={classes!("pill", class)}>{ c.score().map(|s| s.to_string()).unwrap_or_default() }</span>
                    <div>
                        <p class="text">{ c.comment.clone() }</p>
                        <p class="muted small">{ format!("{store} · {advisor} · {when}") }</p>
                    </div>
                </li>
            }
        });
        html! { <ul class="list" tabindex="0" aria-labelledby="comments-h">{ for items }</ul> }
    };
    loaded(v, &got, draw)
}
