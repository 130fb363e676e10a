//! One element's survey over time: the widget for its response, and a fresh response in its
//! place when a kiosk gets its next customer or a customer's click reopens a survey they
//! closed. The widget is keyed by the response id, so nothing of the last one carries over.

use std::rc::Rc;

use yew::prelude::*;

use super::app::{Restart, Widget};
use super::host;
use crate::config::Config;
use crate::survey::flow::Meta;
use crate::survey::marks::Keys;

#[derive(Properties, PartialEq)]
pub struct SessionProps {
    pub config: Rc<Config>,
    /// The first response's meta.
    pub meta: Rc<Meta>,
    pub host: web_sys::Element,
    pub keys: Rc<Keys>,
    pub already_answered: bool,
    pub resumed: Option<crate::scoring::score::Score>,
    pub open: bool,
}

#[derive(Clone, PartialEq)]
struct Current {
    meta: Rc<Meta>,
    already_answered: bool,
    resumed: Option<crate::scoring::score::Score>,
    open: bool,
}

#[component]
pub fn Session(props: &SessionProps) -> Html {
    let current = use_state(|| Current {
        meta: props.meta.clone(),
        already_answered: props.already_answered,
        resumed: props.resumed,
        open: props.open,
    });
    let on_restart = {
        let (current, host_el) = (current.clone(), props.host.clone());
        Callback::from(move |r: Restart| {
            let mut meta = (*current.meta).clone();
            meta.id = uuid::Uuid::new_v4().to_string();
            meta.created_at = host::now_rfc3339();
            meta.write_key = host::new_write_key();
            let _ = host_el.set_attribute("data-nps-id", &meta.id);
            current.set(Current {
                meta: Rc::new(meta),
                already_answered: r.answered,
                resumed: None,
                open: true,
            });
        })
    };
    let c = &*current;
    html! {
        <Widget key={c.meta.id.clone()} config={props.config.clone()} meta={c.meta.clone()}
            host={props.host.clone()} keys={props.keys.clone()}
            already_answered={c.already_answered} resumed={c.resumed} open={c.open} {on_restart} />
    }
}
