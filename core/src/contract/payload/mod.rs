//! The response payload, schema 1: what the widget posts and what a collector accepts.
//!
//! The widget builds a `Response` and serialises it; a collector calls `Response::parse`
//! (`parse.rs`), which checks every field against `rules` and names the first bad one. `id`
//! is the idempotency key: every post of one response carries the same id, and `Stage::rank`
//! orders the posts so a late-arriving earlier stage never overwrites a later one.

mod contact;
mod parse;

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::contract::rules::SCHEMA;
use crate::scoring::score::{Category, Score};

/// How far a response has got.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    /// A score was chosen; posted at once.
    Scored,
    /// Closed before finishing (with or without a score).
    Dismissed,
    /// Reasons, comment and contact given, or skipped.
    Completed,
}

impl Stage {
    /// The payload names, in rank order.
    pub const NAMES: &'static [&'static str] = &["scored", "dismissed", "completed"];

    pub fn as_str(self) -> &'static str {
        Stage::NAMES[self.rank() as usize]
    }

    pub fn parse(s: &str) -> Option<Stage> {
        match s {
            "scored" => Some(Stage::Scored),
            "dismissed" => Some(Stage::Dismissed),
            "completed" => Some(Stage::Completed),
            _ => None,
        }
    }

    /// Order of precedence: a post of a lower rank never replaces a higher one.
    pub fn rank(self) -> u8 {
        match self {
            Stage::Scored => 0,
            Stage::Dismissed => 1,
            Stage::Completed => 2,
        }
    }
}

/// A call-back asked for, with the customer's consent and its terms: at a phone number left
/// here, or at the number on the visit's order (`on_file`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact {
    /// E.164; `None` exactly when `on_file`.
    pub phone: Option<String>,
    /// "Call me at the number on my order": the brand already has the phone, and the signed
    /// visit link carries its last digits (`rules::PHONE_TAIL`, which a response with this
    /// contact must carry); no phone travels or is stored.
    pub on_file: bool,
    /// Always true: a phone is never sent without consent.
    pub consent: bool,
    /// The days after which the phone is deleted, as the consent text said.
    pub retention_days: Option<u32>,
    /// Which consent text was ticked: its locale and a fingerprint of its words.
    pub consent_version: Option<String>,
    /// The call-back promised, in hours (the survey's `callback_hours`); `None` from a widget
    /// that predates it: read it with `promised_hours`.
    pub callback_hours: Option<u32>,
}

impl Contact {
    /// "Call me at the number on my order", before its terms are added: no phone.
    pub const ON_FILE: Contact = Contact {
        phone: None,
        on_file: true,
        consent: true,
        retention_days: None,
        consent_version: None,
        callback_hours: None,
    };

    /// The hours of the call-back promised to this customer (`promised_hours`).
    pub fn promised_hours(&self) -> u32 {
        promised_hours(self.callback_hours)
    }
}

/// The hours of a call-back promised: the ones a contact carried, else the default of the
/// config key `callback_hours` (what widgets that did not carry them promised). The one place
/// that default is read downstream (the dashboard's call-back list too).
pub fn promised_hours(carried: Option<u32>) -> u32 {
    carried.unwrap_or_else(|| crate::config::keys::CALLBACK_HOURS.default_int())
}

/// One response, schema 1 (`rules::SCHEMA`, the one owner of the number: a `Response` is
/// always of it, so it holds no field for it). Its category is its score's, never stored apart.
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    pub id: String,
    pub survey: String,
    pub stage: Stage,
    pub score: Option<Score>,
    pub reasons: Vec<String>,
    pub comment: Option<String>,
    pub contact: Option<Contact>,
    pub context: BTreeMap<String, String>,
    pub locale: String,
    pub page: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// The response's write key (`rules::WRITE_KEY`): sent with every post, never stored in
    /// the clear by a collector, so `None` in what a collector keeps and lists.
    pub write_key: Option<String>,
}

/// The fields of schema 1, in the order the payload lists them.
pub const FIELDS: &[&str] = &[
    "schema",
    "id",
    "survey",
    "stage",
    "score",
    "category",
    "reasons",
    "comment",
    "contact",
    "context",
    "locale",
    "page",
    "created_at",
    "updated_at",
    crate::contract::rules::WRITE_KEY,
];

impl Response {
    /// Whether this response answers its survey (and so uses up its visit): it has a score,
    /// whatever its stage. A customer who taps 3 and then closes the follow-up has answered;
    /// one who closes the survey before a score has not. The one rule the collector's visit
    /// check, its landing pages, the widget's marks and the dashboard's counts follow.
    pub fn answers(&self) -> bool {
        self.score.is_some()
    }

    /// The category, when there is a score.
    pub fn category(&self) -> Option<Category> {
        self.score.map(Score::category)
    }

    /// The canonical JSON text (keys in a fixed order: the same response gives the same text).
    pub fn to_json(&self) -> String {
        Value::Object(self.to_value()).to_string()
    }

    /// The canonical JSON object.
    pub fn to_value(&self) -> Map<String, Value> {
        let contact = self.contact.as_ref().map(|c| {
            let mut v = match &c.phone {
                Some(p) => crate::obj! {"phone" => p.clone(), "consent" => c.consent},
                None => crate::obj! {"on_file" => c.on_file, "consent" => c.consent},
            };
            if let Some(m) = v.as_object_mut() {
                if let Some(d) = c.retention_days {
                    m.insert("retention_days".into(), Value::from(d));
                }
                if let Some(version) = &c.consent_version {
                    m.insert("consent_version".into(), Value::from(version.as_str()));
                }
                if let Some(h) = c.callback_hours {
                    m.insert("callback_hours".into(), Value::from(h));
                }
            }
            v
        });
        let mut context = Map::new();
        for (k, v) in &self.context {
            context.insert(k.clone(), Value::from(v.as_str()));
        }
        let v = crate::obj! {
            "schema" => SCHEMA,
            "id" => self.id.clone(),
            "survey" => self.survey.clone(),
            "stage" => self.stage.as_str(),
            "score" => self.score,
            "category" => self.category().map(Category::as_str),
            "reasons" => self.reasons.clone(),
            "comment" => self.comment.clone(),
            "contact" => contact,
            "context" => Value::Object(context),
            "locale" => self.locale.clone(),
            "page" => self.page.clone(),
            "created_at" => self.created_at.clone(),
            "updated_at" => self.updated_at.clone(),
        };
        match v {
            Value::Object(mut m) => {
                if let Some(k) = &self.write_key {
                    m.insert(
                        crate::contract::rules::WRITE_KEY.into(),
                        Value::from(k.as_str()),
                    );
                }
                m
            }
            _ => Map::new(),
        }
    }
}

#[cfg(test)]
mod tests;
