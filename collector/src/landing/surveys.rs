//! The surveys of the landing pages (`--landing FILE`): survey ids to widget config objects,
//! each checked at start like an embed, and the static-file form of a survey's page.
//!
//! Beside the widget's keys a survey may say `"require_visit": true`: it then takes answers
//! only from signed visit links (`visit::Policy`), which needs `--visit-secret`; and give its
//! page a `logo` (a file) and a `privacy_url` (`masthead`), and say what a friend of its
//! promoters books (`booking_label`: "试驾", "保养"; a string, or one per language), which
//! the poster and the store's thank-you name (without one: "已预约", neutral).

use std::collections::BTreeMap;

use nps_core::config::{keys, Config};
use nps_core::contract::rules;
use nps_core::words::Locale;
use serde_json::{Map, Value};

use super::masthead::Brand;
use super::page;
use crate::visit::{Policy, TOKEN_KEY};

/// The landing file's own key (not a widget config key): answers only from signed visits.
pub const REQUIRE_VISIT: &str = "require_visit";
/// The landing file's own key: what a promoter's friend books (`booking_label`).
pub const BOOKING_LABEL: &str = "booking_label";
/// The longest `booking_label`, in characters.
pub const MAX_BOOKING_LABEL: usize = 20;

/// What a friend books, in each language of `Locale::ALL` (empty: not said).
pub type BookingLabel = [String; 3];

/// A `booking_label` value: a string for every language, or an object of language tags to
/// strings; the error names the field and what it takes.
fn booking_label(survey: &str, v: &Value) -> Result<BookingLabel, String> {
    let bad = |field: String, v: &Value| {
        format!(
            "{survey}.{field} is {v}: expected a string of 1 to {MAX_BOOKING_LABEL} characters (what a friend books: \"试驾\"), or an object of {} to such strings",
            Locale::TAGS.join(", ")
        )
    };
    let one = |field: String, v: &Value| match v.as_str().map(str::trim) {
        Some(s)
            if !s.is_empty()
                && s.chars().count() <= MAX_BOOKING_LABEL
                && !s.chars().any(char::is_control) =>
        {
            Ok(s.to_owned())
        }
        _ => Err(bad(field, v)),
    };
    match v {
        Value::Object(per) => {
            let mut out = BookingLabel::default();
            for (tag, text) in per {
                let Some(i) = Locale::TAGS.iter().position(|t| t == tag) else {
                    return Err(format!(
                        "{survey}.{BOOKING_LABEL}.{tag} is not a language: expected one of {}",
                        Locale::TAGS.join(", ")
                    ));
                };
                out[i] = one(format!("{BOOKING_LABEL}.{tag}"), text)?;
            }
            Ok(out)
        }
        v => one(BOOKING_LABEL.into(), v).map(|s| [s.clone(), s.clone(), s]),
    }
}

/// The surveys the landing pages serve.
#[derive(Clone, Debug, Default)]
pub struct Landing {
    /// `None`: any survey id, with the defaults; else only these, each a checked config object.
    surveys: Option<BTreeMap<String, Map<String, Value>>>,
    /// What the collector knows of each survey's links: `require_visit` and its fixed context.
    policies: BTreeMap<String, Policy>,
    /// Each survey's page keys beside its widget config (`logo`, `privacy_url`).
    brands: BTreeMap<String, Brand>,
    /// What a friend of each survey's promoters books (`booking_label`).
    labels: BTreeMap<String, BookingLabel>,
}

/// Where the landing pages' widget posts (the collector itself).
pub(super) const ENDPOINT: &str = nps_core::survey::outcome::COLLECTOR_ENDPOINT;

impl Landing {
    /// Reads a `--landing` file's text, its files (`logo`) relative to the working folder.
    pub fn from_json(text: &str) -> Result<Landing, String> {
        Landing::from_json_in(text, std::path::Path::new(""))
    }

    /// Reads a `--landing` file: survey ids to widget config objects; a relative `logo` path
    /// is read from `dir` (the landing file's folder). Every error is named
    /// `{survey}.{field}`, all at once.
    pub fn from_json_in(text: &str, dir: &std::path::Path) -> Result<Landing, String> {
        let value =
            nps_core::contract::json::parse_strict(text, "landing").map_err(|e| e.to_string())?;
        let Value::Object(surveys) = value else {
            return Err("the landing file must be a JSON object of survey ids to widget configs, e.g. {\"after-sales\": {\"brand\": \"星辰汽车\"}}".into());
        };
        let mut out = BTreeMap::new();
        let mut policies = BTreeMap::new();
        let mut brands = BTreeMap::new();
        let mut labels = BTreeMap::new();
        let mut errors = Vec::new();
        for (survey, config) in surveys {
            if !rules::is_id(&survey) {
                errors.push(format!("{survey:?}: a survey id is {}", rules::id_shape()));
                continue;
            }
            let Value::Object(mut obj) = config else {
                errors.push(format!("{survey}: expected a widget config object"));
                continue;
            };
            match obj.get(keys::SURVEY.name) {
                Some(Value::String(s)) if *s != survey => {
                    errors.push(format!(
                        "{survey}.survey is {s:?}: leave it out, the key names the survey"
                    ));
                }
                _ => {}
            }
            // A near miss of the collector's own key would read as an unknown widget key.
            let squash = |k: &str| k.to_ascii_lowercase().replace(['_', '-'], "");
            if let Some(k) = obj.keys().find(|k| {
                k.as_str() != REQUIRE_VISIT && squash(k).starts_with(&squash(REQUIRE_VISIT))
            }) {
                errors.push(format!(
                    "{survey}.{k} is not a key: did you mean {REQUIRE_VISIT} (true or false)?"
                ));
                continue;
            }
            let require_visit = match obj.remove(REQUIRE_VISIT) {
                None | Some(Value::Bool(false)) => false,
                Some(Value::Bool(true)) => true,
                Some(other) => {
                    errors.push(format!(
                        "{survey}.{REQUIRE_VISIT} is {other}: expected true or false"
                    ));
                    false
                }
            };
            if let Some(v) = obj.remove(BOOKING_LABEL) {
                match booking_label(&survey, &v) {
                    Ok(l) => {
                        labels.insert(survey.clone(), l);
                    }
                    Err(e) => errors.push(e),
                }
            }
            brands.insert(
                survey.clone(),
                Brand::take(&survey, &mut obj, dir, &mut errors),
            );
            obj.insert(keys::SURVEY.name.into(), Value::String(survey.clone()));
            obj.entry(keys::ENDPOINT.name)
                .or_insert_with(|| Value::String(ENDPOINT.into()));
            match Config::from_object(&obj, None) {
                Ok(cfg) => {
                    let fixed = cfg.context;
                    policies.insert(
                        survey.clone(),
                        Policy {
                            require_visit,
                            fixed,
                        },
                    );
                    out.insert(survey, obj);
                }
                Err(es) => errors.extend(es.iter().map(|e| format!("{survey}.{e}"))),
            }
        }
        if errors.is_empty() {
            Ok(Landing {
                surveys: Some(out),
                policies,
                brands,
                labels,
            })
        } else {
            Err(format!(
                "the landing file has errors:\n  {}",
                errors.join("\n  ")
            ))
        }
    }

    /// The survey's config object, if it has a landing page.
    pub(super) fn raw(&self, survey: &str) -> Option<Map<String, Value>> {
        match &self.surveys {
            Some(list) => list.get(survey).cloned(),
            None => rules::is_id(survey).then(|| {
                let mut obj = Map::new();
                obj.insert(keys::SURVEY.name.into(), Value::String(survey.into()));
                obj.insert(keys::ENDPOINT.name.into(), Value::String(ENDPOINT.into()));
                obj
            }),
        }
    }
}

impl Landing {
    /// What the collector knows of a survey's links (the defaults for a survey not in the file).
    pub fn policy(&self, survey: &str) -> Policy {
        self.policies.get(survey).cloned().unwrap_or_default()
    }

    /// A survey's logo and privacy link (none for a survey not in the file).
    pub(super) fn brand(&self, survey: &str) -> Brand {
        self.brands.get(survey).cloned().unwrap_or_default()
    }

    /// The surveys of the landing file, in order (`None`: no file, any survey id).
    pub fn survey_ids(&self) -> Option<Vec<&str>> {
        self.surveys
            .as_ref()
            .map(|list| list.keys().map(String::as_str).collect())
    }

    /// Whether the landing file names `survey` (a referral code is issued only for those).
    pub fn lists(&self, survey: &str) -> bool {
        self.surveys
            .as_ref()
            .is_some_and(|s| s.contains_key(survey))
    }

    /// What a friend of the survey's promoters books, in each language (empty: not said).
    pub fn booking_label(&self, survey: &str) -> BookingLabel {
        self.labels.get(survey).cloned().unwrap_or_default()
    }

    /// The surveys that take answers only from signed visits.
    pub fn requiring_visits(&self) -> Vec<&str> {
        let required = self.policies.iter().filter(|(_, p)| p.require_visit);
        required.map(|(s, _)| s.as_str()).collect()
    }

    /// The keys a link to the survey's page can set: those its config copies from the query
    /// string (`context_params`), but a fixed one (the fixed value wins) and the token itself.
    pub fn link_keys(&self, survey: &str) -> Vec<String> {
        let cfg = self
            .raw(survey)
            .and_then(|raw| Config::from_object(&raw, None).ok());
        let (params, fixed) = match cfg {
            Some(c) => (c.context_params, c.context),
            None => (
                keys::DEFAULT_CONTEXT_PARAMS
                    .iter()
                    .map(|k| k.to_string())
                    .collect(),
                BTreeMap::new(),
            ),
        };
        params
            .into_iter()
            .filter(|k| k != TOKEN_KEY && !fixed.contains_key(k))
            .collect()
    }

    /// The language of a survey's pages when no customer asks (a printed sheet).
    pub fn locale(&self, survey: &str) -> Locale {
        self.raw(survey)
            .and_then(|raw| Config::from_object(&raw, None).ok())
            .map_or(Locale::ZhCn, |c| c.locale)
    }

    /// A survey's question page as a static file whose form and widget are the collector's
    /// at `base`.
    pub fn static_page(&self, base: &str, survey: &str) -> Result<String, String> {
        let mut raw = self.raw(survey).ok_or_else(|| {
            format!("--survey {survey:?}: not a survey of the landing file (or not an id)")
        })?;
        let url = url::Url::parse(base).map_err(|e| format!("--base {base:?}: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("--base {base:?}: expected an http(s) URL"));
        }
        let base = base.trim_end_matches('/');
        raw.insert(
            keys::ENDPOINT.name.into(),
            Value::String(format!("{base}{ENDPOINT}")),
        );
        let cfg = Config::from_object(&raw, None).map_err(|es| {
            es.iter()
                .map(|e| format!("{survey}.{e}"))
                .collect::<Vec<_>>()
                .join("; ")
        })?;
        Ok(page::static_question(
            &cfg,
            &raw,
            &format!("{base}/s/{survey}"),
            &format!("{base}/nps-widget.js"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_booking_label_is_a_string_or_one_per_language_and_a_mistake_is_named() {
        let l = Landing::from_json(
            r#"{"a": {"booking_label": "试驾"},
                "b": {"booking_label": {"zh-CN": "保养", "en": "a service"}}, "c": {}}"#,
        )
        .unwrap();
        assert_eq!(
            l.booking_label("a"),
            ["试驾", "试驾", "试驾"].map(String::from)
        );
        assert_eq!(
            l.booking_label("b"),
            ["保养", "", "a service"].map(String::from)
        );
        assert_eq!(l.booking_label("c"), BookingLabel::default());
        assert!(l.lists("a") && !l.lists("x"));
        assert!(
            !Landing::default().lists("a"),
            "no landing file: no survey listed"
        );
        for (bad, named) in [
            (
                r#"{"a": {"booking_label": 7}}"#,
                "a.booking_label is 7: expected a string",
            ),
            (r#"{"a": {"booking_label": ""}}"#, "a.booking_label is \"\""),
            (
                r#"{"a": {"booking_label": {"fr": "x"}}}"#,
                "a.booking_label.fr is not a language",
            ),
            (
                r#"{"a": {"booking_label": {"en": 1}}}"#,
                "a.booking_label.en is 1",
            ),
        ] {
            let e = Landing::from_json(bad).unwrap_err();
            assert!(e.contains(named), "{e}");
        }
    }
}
