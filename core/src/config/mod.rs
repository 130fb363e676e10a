//! Config: validation of what a page gives the widget, from a JSON/JS object or `data-*` attributes.
//!
//! `keys` is the table of every key (kind, bounds, default, doc); `read` reads one key by its
//! row; `attributes` turns `data-*` attributes into a config object; `look` is how the
//! survey reads and looks (the question for a context, the card's colours). `endpoint` is the one
//! required key. Every error is a `FieldError` naming the field, the bad value and what is
//! accepted; an unknown key suggests the closest known one; all errors are reported at once,
//! so a broken embed is fixed in one pass.

mod attributes;
pub mod keys;
mod look;
mod read;

use std::collections::BTreeMap;

use serde_json::{Map, Value};

pub use attributes::{object_from_attributes, object_from_attributes_with};
pub use keys::DEFAULT_CONTEXT_PARAMS;
pub use look::{shows_details, text_on, Question};

use crate::contract::error::{shown, ErrorKind, FieldError};
use crate::contract::rules::{context_value, MAX_CONTEXT};
use crate::words::{Locale, Text};
use keys::*;
use read::Reader;

/// An enum whose values have config names: `NAMES` (in order), `name()`, and the variant at
/// an index of `NAMES`.
macro_rules! named {
    ($(#[$doc:meta])* $ty:ident { $($(#[$vdoc:meta])* $variant:ident $name:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $ty { $($(#[$vdoc])* $variant),* }

        impl $ty {
            /// Every config name, in order.
            pub const NAMES: &'static [&'static str] = &[$($name),*];
            const ALL: &'static [$ty] = &[$($ty::$variant),*];

            /// The config name.
            pub fn name(self) -> &'static str {
                match self { $($ty::$variant => $name),* }
            }

            fn at(i: usize) -> $ty {
                Self::ALL[i.min(Self::ALL.len() - 1)]
            }
        }
    };
}

named! {
    /// How the widget sits on the page.
    Mode {
        /// Fills its container.
        Inline "inline",
        /// Centred over a dimmed backdrop.
        Modal "modal",
        /// A card 16 px from a corner.
        SlideIn "slide-in",
    }
}

named! {
    /// Which corner a slide-in uses.
    Position { BottomRight "bottom-right", BottomLeft "bottom-left" }
}

named! {
    /// Light, dark, or follow `prefers-color-scheme`.
    Theme { Auto "auto", Light "light", Dark "dark" }
}

named! {
    /// When a survey shows.
    Trigger {
        /// As soon as it is mounted.
        Load "load",
        /// `delay_ms` after it is mounted.
        Delay "delay",
        /// When the reader has scrolled `scroll_percent` of the page.
        Scroll "scroll",
        /// When a desktop pointer leaves the page through its top edge.
        Exit "exit",
        /// On a click of an element matching `click_selector`.
        Click "click",
        /// Only when the page calls `NpsWidget.show()`.
        Manual "manual",
    }
}

named! {
    /// How later posts of a response reach the endpoint (`outbox::update`).
    Update {
        /// Every post goes to `endpoint` as a `POST` (the collector upserts by id).
        Post "post",
        /// The first as a `POST` to `endpoint`, later ones as `PATCH {endpoint}/{id}`.
        Patch "patch",
    }
}

/// A reason chip as the survey shows it: the payload id and the label in the chosen locale.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    pub id: String,
    pub label: String,
}

/// A validated configuration; each field is documented in its key's row (`keys.rs`).
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub endpoint: String,
    pub survey: String,
    /// `None` reads "us".
    pub brand: Option<String>,
    pub locale: Locale,
    pub mode: Mode,
    pub position: Position,
    pub theme: Theme,
    pub accent: Option<String>,
    pub radius: u8,
    pub reasons: Vec<Reason>,
    pub callback: bool,
    pub callback_hours: u32,
    pub retention_days: u32,
    pub referral_url: Option<String>,
    pub review_url: Option<String>,
    pub context: BTreeMap<String, String>,
    pub context_params: Vec<String>,
    pub headers: Vec<(String, String)>,
    pub update: Update,
    pub text: Vec<(Text, String)>,
    pub once: bool,
    pub trigger: Trigger,
    pub delay_ms: u32,
    pub scroll_percent: u8,
    pub click_selector: Option<String>,
    pub throttle_answered_days: u32,
    pub throttle_dismissed_days: u32,
    pub sample_rate: f64,
    pub force: bool,
    pub kiosk_reset_s: u32,
    pub debug: bool,
}

impl Config {
    /// Validates a config object. `browser_language` (e.g. `navigator.language`) picks the
    /// locale when the config has none; without a match the locale is zh-CN.
    pub fn from_object(
        obj: &Map<String, Value>,
        browser_language: Option<&str>,
    ) -> Result<Config, Vec<FieldError>> {
        let mut r = Reader {
            obj,
            errors: Vec::new(),
        };
        r.unknown_keys(NAMES);
        if r.given(&ENDPOINT).is_none() {
            r.errors.push(FieldError::new(
                ENDPOINT.name,
                ErrorKind::Missing {
                    hint: format!(
                        "set {} (or the endpoint key) to the URL that receives responses, e.g. \"/api/responses\"",
                        ENDPOINT.attribute()
                    ),
                },
            ));
        }
        let endpoint = r.string_or_default(&ENDPOINT);
        let survey = r.string_or_default(&SURVEY);
        let brand = r.string(&BRAND).filter(|s| !s.is_empty());
        let locale = r
            .locale(&LOCALE)
            .or_else(|| browser_language.and_then(Locale::negotiate))
            .unwrap_or(Locale::ZhCn);
        let mode = Mode::at(r.choice(&MODE));
        let position = Position::at(r.choice(&POSITION));
        let theme = Theme::at(r.choice(&THEME));
        let accent = r.string(&ACCENT);
        let radius = r.int(&RADIUS) as u8;
        let reasons = r.reasons(&REASONS, &survey, locale);
        let callback = r.boolean(&CALLBACK);
        let callback_hours = r.int(&CALLBACK_HOURS);
        let retention_days = r.int(&RETENTION_DAYS);
        let referral_url = r.string(&REFERRAL_URL);
        let review_url = r.string(&REVIEW_URL);
        let context = r.context(&CONTEXT);
        let context_params = r.keys(&CONTEXT_PARAMS);
        check_context_count(&mut r, &context, &context_params);
        let headers = r.headers(&HEADERS);
        let update = Update::at(r.choice(&UPDATE));
        let text = r.texts(&TEXT);
        let once = r.boolean(&ONCE);
        let delay_ms = r.int(&DELAY_MS);
        let trigger = match r.given(&TRIGGER) {
            Some(_) => Trigger::at(r.choice(&TRIGGER)),
            None if delay_ms > 0 => Trigger::Delay,
            None => Trigger::Load,
        };
        let scroll_percent = r.int(&SCROLL_PERCENT) as u8;
        let click_selector = r.string(&CLICK_SELECTOR).filter(|s| !s.is_empty());
        if trigger == Trigger::Click
            && click_selector.is_none()
            && r.given(&CLICK_SELECTOR).is_none()
        {
            r.errors.push(FieldError::new(
                CLICK_SELECTOR.name,
                ErrorKind::Missing {
                    hint: format!(
                        "trigger \"click\" needs {} (or the click_selector key): the CSS selector of what opens the survey, e.g. \"#feedback\"",
                        CLICK_SELECTOR.attribute()
                    ),
                },
            ));
        }
        let throttle_answered_days = r.int(&THROTTLE_ANSWERED_DAYS);
        let throttle_dismissed_days = r.int(&THROTTLE_DISMISSED_DAYS);
        let sample_rate = r.fraction(&SAMPLE_RATE);
        let force = r.boolean(&FORCE);
        let kiosk_reset_s = r.int(&KIOSK_RESET_S);
        let debug = r.boolean(&DEBUG);

        if !r.errors.is_empty() {
            return Err(r.errors);
        }
        Ok(Config {
            endpoint,
            survey,
            brand,
            locale,
            mode,
            position,
            theme,
            accent,
            radius,
            reasons,
            callback,
            callback_hours,
            retention_days,
            referral_url,
            review_url,
            context,
            context_params,
            headers,
            update,
            text,
            once,
            trigger,
            delay_ms,
            scroll_percent,
            click_selector,
            throttle_answered_days,
            throttle_dismissed_days,
            sample_rate,
            force,
            kiosk_reset_s,
            debug,
        })
    }

    /// Validates a JSON text holding a config object; a key given twice is an error.
    pub fn from_json(
        json: &str,
        browser_language: Option<&str>,
    ) -> Result<Config, Vec<FieldError>> {
        match crate::contract::json::parse_strict(json, "config").map_err(|e| vec![e])? {
            Value::Object(obj) => Config::from_object(&obj, browser_language),
            other => Err(vec![FieldError::invalid(
                "config",
                shown(&other),
                "an object like {\"endpoint\": \"/api/responses\"}",
            )]),
        }
    }

    /// The text for a key: the override if any, else the locale's default.
    pub fn text(&self, t: Text) -> &str {
        self.text
            .iter()
            .find(|(k, _)| *k == t)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| t.default_in(self.locale))
    }

    /// The consent text next to the call-back's tick box: the brand and the retention period
    /// filled in. What the customer agrees to; its fingerprint travels with a phone.
    pub fn consent_text(&self) -> String {
        crate::words::fill(
            self.text(Text::Consent),
            &[
                ("brand", self.brand_in_sentence()),
                ("days", &self.retention_days.to_string()),
            ],
        )
    }

    /// The brand as it reads inside a sentence.
    pub fn brand_in_sentence(&self) -> &str {
        self.brand
            .as_deref()
            .unwrap_or_else(|| self.text(Text::BrandFallback))
    }

    /// The response context: the fixed context plus the configured query-string keys (fixed
    /// values win; the first of a repeated key wins). Values go through `rules::context_value`.
    pub fn context_with_query(&self, query: &[(String, String)]) -> BTreeMap<String, String> {
        let mut ctx = self.context.clone();
        for (k, v) in query {
            let v = context_value(v);
            if self.context_params.iter().any(|p| p == k)
                && !v.is_empty()
                && !ctx.contains_key(k)
                && ctx.len() < MAX_CONTEXT
            {
                ctx.insert(k.clone(), v);
            }
        }
        ctx
    }
}

/// A response carries at most `MAX_CONTEXT` keys: the fixed context plus every query-string
/// key it may copy must fit, or some page's answers would all be refused by the collector.
fn check_context_count(r: &mut Reader, context: &BTreeMap<String, String>, params: &[String]) {
    // A list, not a set: a set's collect would bring a sort into the wasm.
    let mut extra: Vec<&String> = Vec::new();
    for p in params {
        if !context.contains_key(p) && !extra.contains(&p) {
            extra.push(p);
        }
    }
    if context.len() + extra.len() <= MAX_CONTEXT {
        return;
    }
    let (key, value) = match r.given(&CONTEXT_PARAMS) {
        Some(v) => (CONTEXT_PARAMS.name, shown(v)),
        None => (
            CONTEXT.name,
            shown(r.given(&CONTEXT).unwrap_or(&Value::Null)),
        ),
    };
    r.errors.push(FieldError::invalid(
        key,
        value,
        format!(
            "at most {MAX_CONTEXT} context keys in all: context has {} and context_params adds {} from the query string; set context_params to the keys the page needs",
            context.len(),
            extra.len()
        ),
    ));
}

#[cfg(test)]
mod tests;
