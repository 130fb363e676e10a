//! `data-*` attributes to a config object: each value read by its key's kind in the table.

use serde_json::{Map, Value};

use super::keys::{Kind, KEYS, NAMES};
use crate::contract::error::{ErrorKind, FieldError};

/// Turns `data-*` attributes (names without the `data-` prefix, as written in HTML) into a
/// config object. The widget's own `data-nps-*` markers are skipped. Numbers and booleans are
/// parsed by kind; JSON kinds take JSON text (a key given twice is an error), or for `context`
/// a query string (`store=SZ-FT&advisor=wang`), or for `context_params` a comma-separated list.
pub fn object_from_attributes<'a, I>(attrs: I) -> Result<Map<String, Value>, Vec<FieldError>>
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
) -> Result<Map<String, Value>, Vec<FieldError>>
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
        let kind = KEYS.iter().find(|k| k.name == key).map(|k| k.kind);
        // Attributes frameworks and pages add for themselves (Vue's `data-v-7ba5bd90`,
        // `data-testid`) are not config; one close to a key is a typo and is reported.
        if kind.is_none() && crate::contract::error::suggestion(&key, NAMES).is_none() {
            continue;
        }
        match decode(&key, kind, raw, parse_json) {
            Ok(value) => {
                map.insert(key, value);
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(map)
    } else {
        Err(errors)
    }
}

fn decode(
    key: &str,
    kind: Option<Kind>,
    raw: &str,
    parse_json: fn(&str) -> Result<Value, String>,
) -> Result<Value, FieldError> {
    let t = raw.trim();
    let json = matches!(
        kind,
        Some(Kind::Reasons | Kind::Context | Kind::Keys | Kind::Headers | Kind::Texts)
    );
    Ok(match kind {
        Some(Kind::Bool) => match t {
            "" | "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => {
                return Err(FieldError::invalid(
                    key,
                    crate::contract::error::quoted(t),
                    "true or false",
                ))
            }
        },
        Some(Kind::Int { min, max }) => match t.parse::<u64>() {
            Ok(n) => Value::from(n),
            Err(_) => {
                return Err(FieldError::new(
                    key,
                    ErrorKind::OutOfRange {
                        value: crate::contract::error::quoted(raw),
                        min: min as u64,
                        max: max as u64,
                    },
                ));
            }
        },
        // The host's JSON parser reads the number (the browser's, in the widget).
        Some(Kind::Fraction) => match parse_json(t) {
            Ok(v) if v.is_number() => v,
            _ => {
                return Err(FieldError::invalid(
                    key,
                    crate::contract::error::quoted(t),
                    Kind::Fraction.expected(),
                ))
            }
        },
        _ if json && (t.starts_with('{') || t.starts_with('[')) => {
            let value = parse_json(t)
                .map_err(|reason| FieldError::new(key, ErrorKind::Syntax { reason }))?;
            crate::contract::json::check_duplicates(t, key)?;
            value
        }
        Some(Kind::Context) => {
            let mut m = Map::new();
            for pair in t.split('&').filter(|p| !p.is_empty()) {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                m.insert(k.trim().to_owned(), Value::String(v.trim().to_owned()));
            }
            Value::Object(m)
        }
        Some(Kind::Keys) => Value::Array(
            t.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_owned()))
                .collect(),
        ),
        Some(_) if json => Value::String(t.to_owned()),
        // Unknown keys stay strings: validation reports them with a suggestion.
        _ => Value::String(raw.to_owned()),
    })
}
