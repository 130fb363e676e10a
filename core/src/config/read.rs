//! Reading one key of a config object by its row in the key table: the row gives the kind,
//! the bounds and the default; a bad value becomes a `FieldError` and the default is used, so
//! that every error is found in one pass.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::keys::{Default, Key, Kind};
use super::Reason;
use crate::contract::error::{shown, unknown, FieldError};
use crate::contract::rules::{
    self, is_context_value, is_id, MAX_CONTEXT, MAX_CONTEXT_VALUE, MAX_REASONS,
};
use crate::words::{Locale, PresetReason, Text, PRESETS};

/// A config object being read, and the errors found so far.
pub struct Reader<'a> {
    pub obj: &'a Map<String, Value>,
    pub errors: Vec<FieldError>,
}

/// True for an absolute http(s) URL, or a same-origin path.
fn is_http_or_path(s: &str) -> bool {
    is_url(s)
        || (s.starts_with('/') && !s.starts_with("//"))
        || s.starts_with("./")
        || s.starts_with("../")
}

fn is_url(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

fn is_colour(s: &str) -> bool {
    let hex = s.strip_prefix('#').unwrap_or("");
    (hex.len() == 3 || hex.len() == 6) && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Reader<'_> {
    /// The value given for a key; `null` counts as not given.
    pub fn given(&self, key: &Key) -> Option<&Value> {
        self.obj.get(key.name).filter(|v| !v.is_null())
    }

    fn invalid(&mut self, field: &str, v: &Value, kind: Kind) {
        self.errors
            .push(FieldError::invalid(field, shown(v), kind.expected()));
    }

    /// Keys that are not in the table, each with the closest known one.
    pub fn unknown_keys(&mut self, known: &[&'static str]) {
        for k in self.obj.keys() {
            if k.is_empty() {
                // Found by fuzzing: an empty key has no name to give; the config is wrong.
                self.errors.push(FieldError::invalid(
                    "config",
                    "an empty key".into(),
                    "keys that name config keys",
                ));
            } else if !known.contains(&k.as_str()) {
                self.errors.push(unknown(k.as_str(), k, known));
            }
        }
    }

    /// A string key (endpoint, URL, id, name, colour), trimmed; `None` when unset or wrong.
    pub fn string(&mut self, key: &Key) -> Option<String> {
        let v = self.given(key)?;
        let ok = |s: &str| match key.kind {
            Kind::Endpoint => is_http_or_path(s),
            Kind::Url => is_url(s),
            Kind::Id => is_id(s),
            Kind::Name { max } => s.chars().count() <= max,
            Kind::Colour => is_colour(s),
            Kind::Selector { max } => !s.is_empty() && s.chars().count() <= max,
            _ => false,
        };
        match v.as_str().map(str::trim) {
            Some(s) if ok(s) => Some(s.to_owned()),
            _ => {
                let v = v.clone();
                self.invalid(key.name, &v, key.kind);
                None
            }
        }
    }

    /// A string key with a default (`Default::Str`).
    pub fn string_or_default(&mut self, key: &Key) -> String {
        self.string(key)
            .unwrap_or_else(|| key.default_str().to_owned())
    }

    /// The index of the value among a `Kind::OneOf` key's names (the default's when unset).
    pub fn choice(&mut self, key: &Key) -> usize {
        let Kind::OneOf(names) = key.kind else {
            return 0;
        };
        let default = names
            .iter()
            .position(|n| *n == key.default_str())
            .unwrap_or(0);
        match self.given(key) {
            None => default,
            Some(v) => match v
                .as_str()
                .and_then(|s| names.iter().position(|n| *n == s.trim()))
            {
                Some(i) => i,
                None => {
                    let e = FieldError::not_one_of(key.name, v, names);
                    self.errors.push(e);
                    default
                }
            },
        }
    }

    /// The locale given, if it is one; `None` when unset (the caller negotiates).
    pub fn locale(&mut self, key: &Key) -> Option<Locale> {
        let v = self.given(key)?;
        match v.as_str().and_then(Locale::parse) {
            Some(l) => Some(l),
            None => {
                let e = FieldError::not_one_of(key.name, v, &Locale::TAGS);
                self.errors.push(e);
                None
            }
        }
    }

    pub fn boolean(&mut self, key: &Key) -> bool {
        let default = matches!(key.default, Default::Bool(true));
        match self.given(key) {
            None => default,
            Some(Value::Bool(b)) => *b,
            Some(v) => {
                let v = v.clone();
                self.invalid(key.name, &v, key.kind);
                default
            }
        }
    }

    pub fn int(&mut self, key: &Key) -> u32 {
        let (Kind::Int { min, max }, default) = (key.kind, key.default_int()) else {
            return 0;
        };
        match self.given(key) {
            None => default,
            Some(v) => match v.as_u64().filter(|n| (min as u64..=max as u64).contains(n)) {
                Some(n) => n as u32,
                None => {
                    let e = FieldError::out_of_range(key.name, v, min as u64, max as u64);
                    self.errors.push(e);
                    default
                }
            },
        }
    }

    /// A number from 0 to 1 (`Kind::Fraction`).
    pub fn fraction(&mut self, key: &Key) -> f64 {
        let default = key.default_int() as f64;
        match self.given(key) {
            None => default,
            Some(v) => match v.as_f64().filter(|f| (0.0..=1.0).contains(f)) {
                Some(f) => f,
                None => {
                    let v = v.clone();
                    self.invalid(key.name, &v, key.kind);
                    default
                }
            },
        }
    }

    /// A list of ids (`Kind::Keys`), the default list when unset.
    pub fn keys(&mut self, key: &Key) -> Vec<String> {
        let default = || match key.default {
            Default::List(l) => l.iter().map(|s| s.to_string()).collect(),
            _ => Vec::new(),
        };
        match self.given(key) {
            None => default(),
            Some(Value::Array(items)) => {
                let mut out = Vec::new();
                let mut errors = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match item.as_str().filter(|s| is_id(s)) {
                        Some(s) => out.push(s.to_owned()),
                        None => errors.push(FieldError::invalid(
                            format!("{}[{i}]", key.name),
                            shown(item),
                            Kind::Id.expected(),
                        )),
                    }
                }
                self.errors.extend(errors);
                out
            }
            Some(v) => {
                let v = v.clone();
                self.invalid(key.name, &v, key.kind);
                default()
            }
        }
    }

    /// The fixed context: id-like keys, context values, at most `MAX_CONTEXT` of them.
    pub fn context(&mut self, key: &Key) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        match self.given(key) {
            None => {}
            Some(v @ Value::Object(m)) if m.len() > MAX_CONTEXT => {
                let e = FieldError::too_long(key.name, v, MAX_CONTEXT, "keys");
                self.errors.push(e);
            }
            Some(Value::Object(m)) => {
                let mut errors = Vec::new();
                for (k, v) in m {
                    let field = format!("{}.{k}", key.name);
                    match v.as_str() {
                        _ if !is_id(k) => errors.push(FieldError::invalid(
                            field,
                            crate::contract::error::quoted(k),
                            format!("a context key of {}", crate::contract::rules::id_shape()),
                        )),
                        Some(s) if is_context_value(s) => {
                            out.insert(k.clone(), s.to_owned());
                        }
                        _ => errors.push(FieldError::invalid(
                            field,
                            shown(v),
                            format!("a string of at most {MAX_CONTEXT_VALUE} characters, without control characters"),
                        )),
                    }
                }
                self.errors.extend(errors);
            }
            Some(v) => {
                let v = v.clone();
                self.invalid(key.name, &v, key.kind);
            }
        }
        out
    }

    /// Extra headers: token names, values without line breaks.
    pub fn headers(&mut self, key: &Key) -> Vec<(String, String)> {
        match self.given(key) {
            None => Vec::new(),
            Some(Value::Object(m))
                if m.iter().all(|(k, v)| {
                    rules::is_header_name(k) && v.as_str().is_some_and(rules::is_header_value)
                }) =>
            {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                    .collect()
            }
            Some(v) => {
                let v = v.clone();
                self.invalid(key.name, &v, key.kind);
                Vec::new()
            }
        }
    }

    /// The reason chips: a preset by name, a list, or (unset) the preset named like the survey.
    pub fn reasons(&mut self, key: &Key, survey: &str, locale: Locale) -> Vec<Reason> {
        let from_preset = |list: &[PresetReason]| -> Vec<Reason> {
            list.iter()
                .map(|r| Reason {
                    id: r.id.to_owned(),
                    label: r.label(locale).to_owned(),
                })
                .collect()
        };
        match self.given(key) {
            None => from_preset(
                PRESETS
                    .iter()
                    .find(|(n, _)| *n == survey)
                    .map_or(crate::words::GENERIC, |(_, l)| l),
            ),
            Some(Value::String(name)) if PRESETS.iter().any(|(n, _)| n == name) => {
                from_preset(PRESETS.iter().find(|(n, _)| n == name).map_or(&[], |p| p.1))
            }
            Some(v @ Value::Array(items)) if items.len() > MAX_REASONS => {
                let e = FieldError::too_long(key.name, v, MAX_REASONS, "items");
                self.errors.push(e);
                Vec::new()
            }
            Some(Value::Array(items)) => {
                let mut out: Vec<Reason> = Vec::new();
                let mut errors = Vec::new();
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
                        _ => errors.push(FieldError::invalid(
                            format!("{}[{i}]", key.name),
                            shown(item),
                            "{\"id\": \"<unique id>\", \"label\": \"<text>\" or {\"zh-CN\": …, \"en\": …}}",
                        )),
                    }
                }
                self.errors.extend(errors);
                out
            }
            Some(v) => {
                let v = v.clone();
                self.invalid(key.name, &v, key.kind);
                Vec::new()
            }
        }
    }

    /// Text overrides by key; an unknown text key suggests the closest one.
    pub fn texts(&mut self, key: &Key) -> Vec<(Text, String)> {
        let mut out = Vec::new();
        match self.given(key) {
            None => {}
            Some(Value::Object(m)) => {
                let known: Vec<&'static str> = Text::ALL.iter().map(|t| t.key()).collect();
                let mut errors = Vec::new();
                for (k, v) in m {
                    let field = format!("{}.{k}", key.name);
                    match (Text::ALL.iter().find(|t| t.key() == k), v.as_str()) {
                        (Some(t), Some(s)) => out.push((*t, s.to_owned())),
                        (Some(_), None) => {
                            errors.push(FieldError::invalid(field, shown(v), "a string"))
                        }
                        (None, _) => errors.push(unknown(field, k, &known)),
                    }
                }
                self.errors.extend(errors);
            }
            Some(v) => {
                let v = v.clone();
                self.invalid(key.name, &v, key.kind);
            }
        }
        out
    }
}
