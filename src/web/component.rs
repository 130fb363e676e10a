//! The survey as a yew component, for a yew app that depends on this crate:
//!
//! ```ignore
//! use nps_widget::config::{keys, Mode};
//! use nps_widget::web::{Survey, SurveyConfig};
//!
//! let config = SurveyConfig::new("/api/responses")
//!     .survey("after-sales")
//!     .mode(Mode::Inline)
//!     .set(keys::BRAND, "星辰汽车");
//! html! { <Survey {config} on_error={Callback::from(|e: String| log(&e))} /> }
//! ```
//!
//! It mounts exactly as `NpsWidget.mount` does (the same gate, takeover, shadow root, outbox
//! and events), into an element it renders, and unmounts when it leaves the page or its
//! config changes. Keys are the config table's (`config::keys`), so a misspelt key does not
//! compile; a bad value shows its error in the element and reaches `on_error`.

use serde_json::{Map, Value};
use wasm_bindgen::JsValue;
use yew::prelude::*;

use crate::config::keys::{self, Key};
use crate::config::{Mode, Trigger};
use crate::words::Locale;

/// A survey's config, built from the keys of `config::keys`.
#[derive(Clone, Debug, PartialEq)]
pub struct SurveyConfig(Map<String, Value>);

impl SurveyConfig {
    /// A config posting to `endpoint` (an http(s) URL, or a path on the page's site).
    pub fn new(endpoint: &str) -> SurveyConfig {
        SurveyConfig(Map::new()).set(keys::ENDPOINT, endpoint)
    }

    /// Sets any key of the table; its value is checked when the survey mounts.
    pub fn set(mut self, key: Key, value: impl Into<Value>) -> SurveyConfig {
        self.0.insert(key.name.to_owned(), value.into());
        self
    }

    /// The survey id each response carries.
    pub fn survey(self, id: &str) -> SurveyConfig {
        self.set(keys::SURVEY, id)
    }

    /// The language of every word the survey shows.
    pub fn locale(self, locale: Locale) -> SurveyConfig {
        self.set(keys::LOCALE, locale.tag())
    }

    /// Inline, modal or slide-in.
    pub fn mode(self, mode: Mode) -> SurveyConfig {
        self.set(keys::MODE, mode.name())
    }

    /// When the survey shows.
    pub fn trigger(self, trigger: Trigger) -> SurveyConfig {
        self.set(keys::TRIGGER, trigger.name())
    }

    /// One fixed context value every response carries (store, advisor, touchpoint, …).
    pub fn context(mut self, key: &str, value: &str) -> SurveyConfig {
        let entry = self
            .0
            .entry(keys::CONTEXT.name)
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = entry {
            m.insert(key.to_owned(), value.into());
        }
        self
    }

    fn to_js(&self) -> JsValue {
        js_sys::JSON::parse(&Value::Object(self.0.clone()).to_string()).unwrap_or(JsValue::NULL)
    }
}

#[derive(Properties, Clone, PartialEq)]
pub struct SurveyProps {
    pub config: SurveyConfig,
    /// The element's class (the survey itself renders in its own shadow root).
    #[prop_or_default]
    pub class: Classes,
    /// A refused config: the message the element shows, every bad field named.
    #[prop_or_default]
    pub on_error: Callback<String>,
}

/// The survey, mounted into the element this component renders.
#[function_component]
pub fn Survey(props: &SurveyProps) -> Html {
    let host = use_node_ref();
    {
        let (host, on_error) = (host.clone(), props.on_error.clone());
        use_effect_with(props.config.clone(), move |config| {
            super::start();
            let mounted = host.cast::<web_sys::Element>().and_then(|el| {
                match super::mount_into(el, Some(&config.to_js())) {
                    Ok(handle) => Some(handle),
                    Err(e) => {
                        let e: js_sys::Error = wasm_bindgen::JsCast::unchecked_into(e);
                        on_error.emit(String::from(e.message()));
                        None
                    }
                }
            });
            move || {
                if let Some(mut h) = mounted {
                    h.destroy();
                }
            }
        });
    }
    html! { <div ref={host} class={props.class.clone()}></div> }
}
