//! Config: validation of what a page gives the widget, from a JSON/JS object or `data-*` attributes.
//!
//! `endpoint` is the one required key; every other key has a default. Every error names
//! the field, the bad value and what is accepted; an unknown key suggests the closest known
//! one. All errors are reported at once, so a broken embed is fixed in one pass.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value};

use crate::i18n::{Locale, PresetReason, Text, PRESETS};

/// How the widget sits on the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Fills its container.
    Inline,
    /// Centred over a dimmed backdrop.
    Modal,
    /// A card 16 px from a corner.
    SlideIn,
}

/// Which corner a slide-in uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    BottomRight,
    BottomLeft,
}

/// Light, dark, or follow `prefers-color-scheme`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Auto,
    Light,
    Dark,
}

/// A reason chip as the survey shows it: the payload id and the label in the chosen locale.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    pub id: String,
    pub label: String,
}

/// A validated configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Where responses are posted.
    pub endpoint: String,
    /// The survey id in the payload.
    pub survey: String,
    /// The brand name in the question; `None` reads "us".
    pub brand: Option<String>,
    pub locale: Locale,
    pub mode: Mode,
    pub position: Position,
    pub theme: Theme,
    /// Brand accent for the submit button and focus ring (`#rgb` or `#rrggbb`).
    pub accent: Option<String>,
    /// Card corner radius in px.
    pub radius: u8,
    pub reasons: Vec<Reason>,
    /// Offer detractors a call-back (phone + consent).
    pub callback: bool,
    /// The promise to detractors: contact within this many hours.
    pub callback_hours: u32,
    /// A phone left for a call-back is deleted after this many days.
    pub retention_days: u32,
    pub referral_url: Option<String>,
    pub review_url: Option<String>,
    /// Fixed context (store, advisor, visit, …).
    pub context: BTreeMap<String, String>,
    /// Query-string keys copied into the context.
    pub context_params: Vec<String>,
    /// Extra headers on each post.
    pub headers: Vec<(String, String)>,
    /// Text overrides, by key.
    pub text: Vec<(Text, String)>,
    /// Ask once per survey and visit (or page, without a visit) in this browser.
    pub once: bool,
    /// Ms between the page load and a modal or slide-in opening.
    pub delay_ms: u32,
}

/// One thing wrong with a config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The config key (snake_case).
    pub field: String,
    /// What was wrong, with the accepted values.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Shape of a value, used to turn a `data-*` string into JSON and to describe what is accepted.
#[derive(Clone, Copy)]
enum Kind {
    Str,
    Bool,
    Int {
        min: u32,
        max: u32,
    },
    /// Strings, or JSON in an attribute when it starts with `[` or `{`.
    Json,
}

const KEYS: &[(&str, Kind)] = &[
    ("endpoint", Kind::Str),
    ("survey", Kind::Str),
    ("brand", Kind::Str),
    ("locale", Kind::Str),
    ("mode", Kind::Str),
    ("position", Kind::Str),
    ("theme", Kind::Str),
    ("accent", Kind::Str),
    ("radius", Kind::Int { min: 0, max: 32 }),
    ("reasons", Kind::Json),
    ("callback", Kind::Bool),
    ("callback_hours", Kind::Int { min: 1, max: 720 }),
    ("retention_days", Kind::Int { min: 1, max: 365 }),
    ("referral_url", Kind::Str),
    ("review_url", Kind::Str),
    ("context", Kind::Json),
    ("context_params", Kind::Json),
    ("headers", Kind::Json),
    ("text", Kind::Json),
    ("once", Kind::Bool),
    (
        "delay_ms",
        Kind::Int {
            min: 0,
            max: 600_000,
        },
    ),
];

/// The config keys, in the order the docs list them.
pub fn known_keys() -> impl Iterator<Item = &'static str> {
    KEYS.iter().map(|(k, _)| *k)
}

/// Query-string keys copied into the context unless `context_params` says otherwise.
pub const DEFAULT_CONTEXT_PARAMS: &[&str] = &[
    "store",
    "advisor",
    "visit",
    "model",
    "service_type",
    "touchpoint",
    "channel",
];

const MAX_ID: usize = 64;
const MAX_CONTEXT_VALUE: usize = 200;

/// Turns `data-*` attributes (names without the `data-` prefix, as written in HTML) into a
/// config object. The widget's own `data-nps-*` markers are skipped. Numbers and booleans are
/// parsed by key; JSON-shaped keys take JSON, or for `context` a query string
/// (`store=SZ-FT&advisor=wang`), or for `context_params` a comma-separated list.
pub fn object_from_attributes<'a, I>(attrs: I) -> Result<Map<String, Value>, Vec<ConfigError>>
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    object_from_attributes_with(attrs, |t| {
        serde_json::from_str(t).map_err(|e| e.to_string())
    })
}

/// `object_from_attributes` with the JSON parser given: the browser passes its own
/// `JSON.parse`, so the wasm carries no JSON parser.
pub fn object_from_attributes_with<'a, I>(
    attrs: I,
    parse_json: fn(&str) -> Result<Value, String>,
) -> Result<Map<String, Value>, Vec<ConfigError>>
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut map = Map::new();
    let mut errors = Vec::new();
    for (name, raw) in attrs {
        // The widget's own markers (`data-nps-survey`, `data-nps-mounted`, `data-nps-id`).
        if name.starts_with("nps-") {
            continue;
        }
        let key = name.replace('-', "_");
        let kind = KEYS.iter().find(|(k, _)| *k == key).map(|(_, kind)| *kind);
        let value = match kind {
            // Unknown: keep as a string; validation reports it with a suggestion.
            None | Some(Kind::Str) => Value::String(raw.to_owned()),
            Some(Kind::Bool) => match raw.trim() {
                "" | "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                other => {
                    errors.push(err(&key, other, "true or false"));
                    continue;
                }
            },
            Some(Kind::Int { min, max }) => match raw.trim().parse::<u64>() {
                Ok(n) => Value::from(n),
                Err(_) => {
                    errors.push(err(
                        &key,
                        raw,
                        &format!("a whole number from {min} to {max}"),
                    ));
                    continue;
                }
            },
            Some(Kind::Json) => {
                let t = raw.trim();
                if t.starts_with('{') || t.starts_with('[') {
                    match parse_json(t) {
                        Ok(v) => v,
                        Err(e) => {
                            errors.push(ConfigError {
                                field: key.clone(),
                                message: format!("{key} is not valid JSON ({e})"),
                            });
                            continue;
                        }
                    }
                } else if key == "context" {
                    let mut m = Map::new();
                    for pair in t.split('&').filter(|p| !p.is_empty()) {
                        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                        m.insert(k.trim().to_owned(), Value::String(v.trim().to_owned()));
                    }
                    Value::Object(m)
                } else if key == "context_params" {
                    Value::Array(
                        t.split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(|s| Value::String(s.to_owned()))
                            .collect(),
                    )
                } else {
                    Value::String(t.to_owned())
                }
            }
        };
        map.insert(key, value);
    }
    if errors.is_empty() {
        Ok(map)
    } else {
        Err(errors)
    }
}

fn err(field: &str, value: &str, expected: &str) -> ConfigError {
    ConfigError {
        field: field.to_owned(),
        message: format!("{field} is {}: expected {expected}", quoted(value)),
    }
}

/// A string in double quotes, JSON-escaped (cheaper in wasm than `{:?}`).
pub fn quoted(s: &str) -> String {
    Value::String(s.to_owned()).to_string()
}

fn describe(v: &Value) -> String {
    v.to_string()
}

fn suggestion(key: &str) -> Option<&'static str> {
    known_keys()
        .map(|k| (strsim::jaro_winkler(key, k), k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

/// True for an absolute http(s) URL, or a same-origin path.
fn is_http_or_path(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    lower.starts_with("https://")
        || lower.starts_with("http://")
        || (s.starts_with('/') && !s.starts_with("//"))
        || s.starts_with("./")
        || s.starts_with("../")
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_ID
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

fn is_colour(s: &str) -> bool {
    let hex = s.strip_prefix('#').unwrap_or("");
    (hex.len() == 3 || hex.len() == 6) && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_header_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

impl Config {
    /// Validates a config object. `browser_language` (e.g. `navigator.language`) picks the
    /// locale when the config has none; without a match the locale is zh-CN.
    pub fn from_object(
        obj: &Map<String, Value>,
        browser_language: Option<&str>,
    ) -> Result<Config, Vec<ConfigError>> {
        let mut v = Validator {
            obj,
            errors: Vec::new(),
        };
        for key in obj.keys() {
            if !known_keys().any(|k| k == key) {
                let message = match suggestion(key) {
                    Some(s) => format!("unknown key {}: did you mean {}?", quoted(key), quoted(s)),
                    None => format!(
                        "unknown key {}: known keys are {}",
                        quoted(key),
                        known_keys().collect::<Vec<_>>().join(", ")
                    ),
                };
                v.errors.push(ConfigError {
                    field: key.clone(),
                    message,
                });
            }
        }

        let endpoint = match obj.get("endpoint") {
            None | Some(Value::Null) => {
                v.errors.push(ConfigError {
                    field: "endpoint".into(),
                    message: "endpoint is missing: set data-endpoint (or the endpoint key) to the URL that receives responses, e.g. \"/api/responses\"".into(),
                });
                String::new()
            }
            Some(_) => v
                .string(
                    "endpoint",
                    "an http(s) URL or a path starting with /",
                    is_http_or_path,
                )
                .unwrap_or_default(),
        };
        let survey = v
            .string(
                "survey",
                "an id of 1–64 letters, digits, '-', '_' or '.'",
                is_id,
            )
            .unwrap_or_else(|| "nps".to_owned());
        let brand = v
            .string("brand", "a name of at most 60 characters", |s| {
                s.chars().count() <= 60
            })
            .filter(|s| !s.trim().is_empty());
        let locale = match v.string("locale", "one of \"zh-CN\", \"zh-TW\", \"en\"", |s| {
            Locale::parse(s).is_some()
        }) {
            Some(s) => Locale::parse(&s).unwrap_or(Locale::ZhCn),
            None => browser_language
                .and_then(Locale::negotiate)
                .unwrap_or(Locale::ZhCn),
        };
        const MODES: [Mode; 3] = [Mode::Inline, Mode::Modal, Mode::SlideIn];
        let mode = v
            .choice("mode", &["inline", "modal", "slide-in"])
            .map_or(Mode::Inline, |i| MODES[i]);
        const POSITIONS: [Position; 2] = [Position::BottomRight, Position::BottomLeft];
        let position = v
            .choice("position", &["bottom-right", "bottom-left"])
            .map_or(Position::BottomRight, |i| POSITIONS[i]);
        const THEMES: [Theme; 3] = [Theme::Auto, Theme::Light, Theme::Dark];
        let theme = v
            .choice("theme", &["auto", "light", "dark"])
            .map_or(Theme::Auto, |i| THEMES[i]);
        let accent = v.string("accent", "a colour like \"#1A73E8\" or \"#17e\"", is_colour);
        let radius = v.int("radius", 0, 32).unwrap_or(12) as u8;
        let reasons = v.reasons(&survey, locale);
        let callback = v.boolean("callback").unwrap_or(true);
        let callback_hours = v.int("callback_hours", 1, 720).unwrap_or(24);
        let retention_days = v.int("retention_days", 1, 365).unwrap_or(30);
        let url_expected = "an http(s) URL";
        let is_url = |s: &str| {
            let l = s.to_ascii_lowercase();
            l.starts_with("https://") || l.starts_with("http://")
        };
        let referral_url = v.string("referral_url", url_expected, is_url);
        let review_url = v.string("review_url", url_expected, is_url);
        let context = v.string_map(
            "context",
            "an object of short strings, e.g. {\"store\": \"SZ-FT\"}",
            |k, val| is_id(k) && val.chars().count() <= MAX_CONTEXT_VALUE,
        );
        let context_params = v
            .string_list(
                "context_params",
                "a list of query-string keys, e.g. [\"store\", \"visit\"]",
                is_id,
            )
            .unwrap_or_else(|| {
                DEFAULT_CONTEXT_PARAMS
                    .iter()
                    .map(|s| s.to_string())
                    .collect()
            });
        let headers = v
            .string_map(
                "headers",
                "an object of header names to string values",
                |k, val| is_header_name(k) && !val.contains(['\r', '\n']),
            )
            .into_iter()
            .collect();
        let text = v.text();
        let once = v.boolean("once").unwrap_or(true);
        let delay_ms = v.int("delay_ms", 0, 600_000).unwrap_or(0);

        if !v.errors.is_empty() {
            return Err(v.errors);
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
            text,
            once,
            delay_ms,
        })
    }

    /// Validates a JSON text holding a config object.
    pub fn from_json(
        json: &str,
        browser_language: Option<&str>,
    ) -> Result<Config, Vec<ConfigError>> {
        match serde_json::from_str::<Value>(json) {
            Ok(Value::Object(obj)) => Config::from_object(&obj, browser_language),
            Ok(other) => Err(vec![ConfigError {
                field: "config".into(),
                message: format!(
                    "config is {}: expected an object like {{\"endpoint\": \"/api/responses\"}}",
                    describe(&other)
                ),
            }]),
            Err(e) => Err(vec![ConfigError {
                field: "config".into(),
                message: format!("config is not valid JSON ({e})"),
            }]),
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

    /// The brand as it reads inside a sentence.
    pub fn brand_in_sentence(&self) -> &str {
        self.brand
            .as_deref()
            .unwrap_or_else(|| self.text(Text::BrandFallback))
    }

    /// The response context: the fixed context plus the configured query-string keys
    /// (fixed values win). Values are trimmed and bounded.
    pub fn context_with_query(&self, query: &[(String, String)]) -> BTreeMap<String, String> {
        let mut ctx = self.context.clone();
        for (k, v) in query {
            let v = v.trim();
            if self.context_params.iter().any(|p| p == k) && !v.is_empty() && !ctx.contains_key(k) {
                ctx.insert(k.clone(), v.chars().take(MAX_CONTEXT_VALUE).collect());
            }
        }
        ctx
    }
}

struct Validator<'a> {
    obj: &'a Map<String, Value>,
    errors: Vec<ConfigError>,
}

impl Validator<'_> {
    fn bad(&mut self, field: &str, value: &Value, expected: &str) {
        self.errors.push(ConfigError {
            field: field.to_owned(),
            message: format!("{field} is {}: expected {expected}", describe(value)),
        });
    }

    fn string(&mut self, field: &str, expected: &str, ok: fn(&str) -> bool) -> Option<String> {
        match self.obj.get(field)? {
            Value::Null => None,
            Value::String(s) if ok(s.trim()) => Some(s.trim().to_owned()),
            other => {
                self.bad(field, other, expected);
                None
            }
        }
    }

    /// The index of the value among `names`, if given and valid.
    fn choice(&mut self, field: &str, names: &[&str]) -> Option<usize> {
        match self.obj.get(field)? {
            Value::Null => None,
            Value::String(s) if names.contains(&s.trim()) => {
                names.iter().position(|n| *n == s.trim())
            }
            other => {
                let list: Vec<String> = names.iter().map(|n| quoted(n)).collect();
                self.bad(field, other, &format!("one of {}", list.join(", ")));
                None
            }
        }
    }

    fn boolean(&mut self, field: &str) -> Option<bool> {
        match self.obj.get(field)? {
            Value::Null => None,
            Value::Bool(b) => Some(*b),
            other => {
                self.bad(field, other, "true or false");
                None
            }
        }
    }

    fn int(&mut self, field: &str, min: u32, max: u32) -> Option<u32> {
        match self.obj.get(field)? {
            Value::Null => None,
            Value::Number(n)
                if n.as_u64()
                    .is_some_and(|n| (min as u64..=max as u64).contains(&n)) =>
            {
                n.as_u64().map(|n| n as u32)
            }
            other => {
                self.bad(field, other, &format!("a whole number from {min} to {max}"));
                None
            }
        }
    }

    fn string_list(
        &mut self,
        field: &str,
        expected: &str,
        ok: fn(&str) -> bool,
    ) -> Option<Vec<String>> {
        match self.obj.get(field)? {
            Value::Null => None,
            Value::Array(items) if items.iter().all(|i| i.as_str().is_some_and(&ok)) => Some(
                items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_owned))
                    .collect(),
            ),
            other => {
                self.bad(field, other, expected);
                None
            }
        }
    }

    fn string_map(
        &mut self,
        field: &str,
        expected: &str,
        ok: fn(&str, &str) -> bool,
    ) -> BTreeMap<String, String> {
        match self.obj.get(field) {
            None | Some(Value::Null) => BTreeMap::new(),
            Some(Value::Object(m))
                if m.iter().all(|(k, v)| v.as_str().is_some_and(|s| ok(k, s))) =>
            {
                // Inserted one by one: collecting into a BTreeMap would sort, and the
                // source map is sorted already.
                let mut out = BTreeMap::new();
                for (k, v) in m {
                    if let Some(s) = v.as_str() {
                        out.insert(k.clone(), s.to_owned());
                    }
                }
                out
            }
            Some(other) => {
                self.bad(field, other, expected);
                BTreeMap::new()
            }
        }
    }

    fn reasons(&mut self, survey: &str, locale: Locale) -> Vec<Reason> {
        let from_preset = |list: &[PresetReason]| -> Vec<Reason> {
            list.iter()
                .map(|r| Reason {
                    id: r.id.to_owned(),
                    label: r.label(locale).to_owned(),
                })
                .collect()
        };
        let preset_names: Vec<String> = PRESETS.iter().map(|(n, _)| quoted(n)).collect();
        let expected = format!(
            "one of {}, or a list like [{{\"id\": \"parking\", \"label\": {{\"zh-CN\": \"停车\", \"en\": \"Parking\"}}}}]",
            preset_names.join(", ")
        );
        match self.obj.get("reasons") {
            None | Some(Value::Null) => {
                // A survey named after a preset gets that preset; anything else the generic one.
                let list = PRESETS
                    .iter()
                    .find(|(n, _)| *n == survey)
                    .map(|(_, l)| *l)
                    .unwrap_or(crate::i18n::GENERIC);
                from_preset(list)
            }
            Some(Value::String(name)) => match PRESETS.iter().find(|(n, _)| n == name) {
                Some((_, list)) => from_preset(list),
                None => {
                    self.bad("reasons", &Value::String(name.clone()), &expected);
                    Vec::new()
                }
            },
            Some(Value::Array(items)) if items.len() <= 20 => {
                let mut out: Vec<Reason> = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let id = item.get("id").and_then(Value::as_str).filter(|s| is_id(s));
                    let label = match item.get("label") {
                        Some(Value::String(s)) => Some(s.clone()),
                        Some(Value::Object(by_locale)) => by_locale
                            .iter()
                            .find(|(k, _)| Locale::parse(k) == Some(locale))
                            .or_else(|| by_locale.iter().next())
                            .and_then(|(_, v)| v.as_str().map(str::to_owned)),
                        _ => None,
                    };
                    match (id, label) {
                        (Some(id), Some(label))
                            if !out.iter().any(|r| r.id == id) && !label.trim().is_empty() =>
                        {
                            out.push(Reason {
                                id: id.to_owned(),
                                label,
                            })
                        }
                        _ => {
                            self.errors.push(ConfigError {
                                field: "reasons".into(),
                                message: format!(
                                    "reasons[{i}] is {item}: expected {{\"id\": \"<unique id>\", \"label\": \"<text>\" or {{\"zh-CN\": …, \"en\": …}}}}"
                                ),
                            });
                        }
                    }
                }
                out
            }
            Some(other) => {
                let other = other.clone();
                self.bad("reasons", &other, &format!("{expected} (at most 20)"));
                Vec::new()
            }
        }
    }

    fn text(&mut self) -> Vec<(Text, String)> {
        let mut out = Vec::new();
        match self.obj.get("text") {
            None | Some(Value::Null) => {}
            Some(Value::Object(m)) => {
                for (k, v) in m {
                    match (Text::ALL.iter().find(|t| t.key() == k), v.as_str()) {
                        (Some(t), Some(s)) => {
                            out.push((*t, s.to_owned()));
                        }
                        (Some(_), None) => self.bad(&format!("text.{k}"), v, "a string"),
                        (None, _) => {
                            let hint = Text::ALL
                                .iter()
                                .map(|t| (strsim::jaro_winkler(k, t.key()), t.key()))
                                .max_by(|a, b| a.0.total_cmp(&b.0))
                                .filter(|(s, _)| *s > 0.8)
                                .map(|(_, key)| format!("did you mean {}?", quoted(key)))
                                .unwrap_or_else(|| {
                                    format!(
                                        "known keys are {}",
                                        Text::ALL
                                            .iter()
                                            .map(|t| t.key())
                                            .collect::<Vec<_>>()
                                            .join(", ")
                                    )
                                });
                            self.errors.push(ConfigError {
                                field: format!("text.{k}"),
                                message: format!("unknown text key {}: {hint}", quoted(k)),
                            });
                        }
                    }
                }
            }
            Some(other) => {
                let other = other.clone();
                self.bad(
                    "text",
                    &other,
                    "an object of text keys to strings, e.g. {\"submit\": \"Send\"}",
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cfg(v: Value) -> Result<Config, Vec<ConfigError>> {
        Config::from_object(v.as_object().unwrap(), Some("en-US"))
    }

    fn messages(v: Value) -> Vec<String> {
        cfg(v)
            .unwrap_err()
            .into_iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect()
    }

    #[test]
    fn endpoint_alone_gives_sensible_defaults() {
        let c = cfg(json!({"endpoint": "/api/responses"})).unwrap();
        assert_eq!(c.endpoint, "/api/responses");
        assert_eq!(c.survey, "nps");
        assert_eq!(c.locale, Locale::En);
        assert_eq!(c.mode, Mode::Inline);
        assert_eq!(c.callback_hours, 24);
        assert_eq!(c.radius, 12);
        assert!(c.callback && c.once);
        assert_eq!(c.reasons[0].id, "product_quality");
        assert_eq!(c.brand_in_sentence(), "us");
    }

    #[test]
    fn locale_falls_back_to_zh_cn() {
        let obj = json!({"endpoint": "/x"});
        let c = Config::from_object(obj.as_object().unwrap(), Some("fr-FR")).unwrap();
        assert_eq!(c.locale, Locale::ZhCn);
        let c = Config::from_object(obj.as_object().unwrap(), None).unwrap();
        assert_eq!(c.locale, Locale::ZhCn);
        let c = Config::from_object(obj.as_object().unwrap(), Some("zh-HK")).unwrap();
        assert_eq!(c.locale, Locale::ZhTw);
    }

    #[test]
    fn after_sales_survey_gets_the_after_sales_reasons() {
        let c = cfg(json!({"endpoint": "/x", "survey": "after-sales", "locale": "zh-CN"})).unwrap();
        let ids: Vec<_> = c.reasons.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids[..3],
            ["advisor_attitude", "repair_quality", "wait_time"]
        );
        assert_eq!(c.reasons[0].label, "服务态度");
    }

    #[test]
    fn errors_name_the_field_the_value_and_what_is_accepted() {
        let check = |v: Value, want: &str| {
            let got = messages(v);
            assert!(got.iter().any(|m| m == want), "want {want:?}, got {got:?}");
        };
        check(json!({}), "endpoint: endpoint is missing: set data-endpoint (or the endpoint key) to the URL that receives responses, e.g. \"/api/responses\"");
        check(
            json!({"endpoint": "ftp://x"}),
            "endpoint: endpoint is \"ftp://x\": expected an http(s) URL or a path starting with /",
        );
        check(
            json!({"endpoint": "/x", "locale": "fr"}),
            "locale: locale is \"fr\": expected one of \"zh-CN\", \"zh-TW\", \"en\"",
        );
        check(
            json!({"endpoint": "/x", "mode": "popup"}),
            "mode: mode is \"popup\": expected one of \"inline\", \"modal\", \"slide-in\"",
        );
        check(
            json!({"endpoint": "/x", "callback_hours": 0}),
            "callback_hours: callback_hours is 0: expected a whole number from 1 to 720",
        );
        check(
            json!({"endpoint": "/x", "callback_hours": "24"}),
            "callback_hours: callback_hours is \"24\": expected a whole number from 1 to 720",
        );
        check(
            json!({"endpoint": "/x", "accent": "blue"}),
            "accent: accent is \"blue\": expected a colour like \"#1A73E8\" or \"#17e\"",
        );
        check(
            json!({"endpoint": "/x", "referral_url": "javascript:alert(1)"}),
            "referral_url: referral_url is \"javascript:alert(1)\": expected an http(s) URL",
        );
        check(json!({"endpoint": "/x", "reasons": "cars"}), "reasons: reasons is \"cars\": expected one of \"after-sales\", \"generic\", or a list like [{\"id\": \"parking\", \"label\": {\"zh-CN\": \"停车\", \"en\": \"Parking\"}}]");
        check(
            json!({"endpoint": "/x", "survey": "a b"}),
            "survey: survey is \"a b\": expected an id of 1–64 letters, digits, '-', '_' or '.'",
        );
        check(
            json!({"endpoint": "/x", "once": "yes"}),
            "once: once is \"yes\": expected true or false",
        );
        check(
            json!({"endpoint": "/x", "text": {"sumbit": "Go"}}),
            "text.sumbit: unknown text key \"sumbit\": did you mean \"submit\"?",
        );
        check(json!({"endpoint": "/x", "headers": {"X-Token": "a\r\nb"}}), "headers: headers is {\"X-Token\":\"a\\r\\nb\"}: expected an object of header names to string values");
    }

    #[test]
    fn unknown_keys_suggest_the_closest_known_key() {
        assert_eq!(
            messages(json!({"endpont": "/x"}))[0],
            "endpont: unknown key \"endpont\": did you mean \"endpoint\"?"
        );
        assert!(messages(json!({"endpoint": "/x", "callback_hour": 2}))[0]
            .contains("did you mean \"callback_hours\"?"));
        assert!(messages(json!({"endpoint": "/x", "zzz": 1}))[0]
            .contains("known keys are endpoint, survey"));
    }

    #[test]
    fn all_errors_are_reported_at_once() {
        assert_eq!(messages(json!({"locale": "xx", "mode": "y"})).len(), 3);
    }

    #[test]
    fn custom_reasons_with_labels_per_locale() {
        let c = cfg(json!({"endpoint": "/x", "locale": "zh-CN", "reasons": [
            {"id": "parking", "label": {"zh-CN": "停车", "en": "Parking"}},
            {"id": "coffee", "label": "Coffee"}
        ]}))
        .unwrap();
        assert_eq!(
            c.reasons,
            vec![
                Reason {
                    id: "parking".into(),
                    label: "停车".into()
                },
                Reason {
                    id: "coffee".into(),
                    label: "Coffee".into()
                },
            ]
        );
        let e = messages(
            json!({"endpoint": "/x", "reasons": [{"id": "a", "label": "A"}, {"id": "a", "label": "B"}]}),
        );
        assert!(e[0].starts_with("reasons: reasons[1] is"), "{e:?}");
    }

    #[test]
    fn attributes_map_kebab_to_snake_and_parse_by_key() {
        let obj = object_from_attributes([
            ("nps-survey", ""),
            ("nps-mounted", ""),
            ("nps-id", "0b6c2a8e-5d1f-4c3b-9a7e-2f4d6b8c0e1a"),
            ("endpoint", "/api/responses"),
            ("survey", "after-sales"),
            ("callback-hours", "48"),
            ("once", "false"),
            ("context", "store=SZ-FT&advisor=wang"),
            ("context-params", "visit, model"),
            ("brand", "星辰汽车"),
        ])
        .unwrap();
        let c = Config::from_object(&obj, Some("zh-CN")).unwrap();
        assert_eq!(c.callback_hours, 48);
        assert!(!c.once);
        assert_eq!(c.context.get("store").map(String::as_str), Some("SZ-FT"));
        assert_eq!(c.context_params, vec!["visit", "model"]);
        assert_eq!(c.brand_in_sentence(), "星辰汽车");
    }

    #[test]
    fn attribute_errors_name_the_field() {
        let e =
            object_from_attributes([("callback-hours", "soon"), ("headers", "{bad")]).unwrap_err();
        assert_eq!(
            e[0].message,
            "callback_hours is \"soon\": expected a whole number from 1 to 720"
        );
        assert!(e[1].message.starts_with("headers is not valid JSON"));
    }

    #[test]
    fn context_from_the_query_string() {
        let c = cfg(
            json!({"endpoint": "/x", "context": {"touchpoint": "after_service", "store": "FIXED"}}),
        )
        .unwrap();
        let q = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        let ctx = c.context_with_query(&[
            q("store", "SZ-FT"),
            q("advisor", "wang"),
            q("visit", "RO-88231"),
            q("utm_source", "x"),
            q("model", " "),
        ]);
        let got: Vec<_> = ctx.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(
            got,
            [
                "advisor=wang",
                "store=FIXED",
                "touchpoint=after_service",
                "visit=RO-88231"
            ]
        );
    }

    #[test]
    fn text_overrides() {
        let c =
            cfg(json!({"endpoint": "/x", "brand": "Acme", "text": {"submit": "Send"}})).unwrap();
        assert_eq!(c.text(Text::Submit), "Send");
        assert_eq!(c.text(Text::Skip), "Skip");
    }

    #[test]
    fn from_json_rejects_non_objects() {
        assert_eq!(
            Config::from_json("[1]", None).unwrap_err()[0].message,
            "config is [1]: expected an object like {\"endpoint\": \"/api/responses\"}"
        );
        assert!(Config::from_json("{", None).unwrap_err()[0]
            .message
            .starts_with("config is not valid JSON"));
    }
}
