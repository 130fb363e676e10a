//! `FieldError`: one thing wrong with one field of a config or a payload, and the one way it
//! is put into words.
//!
//! Config validation reports every error at once; payload parsing stops at the first. Both
//! name the field (`score`, `contact.phone`, `text.submit`, `reasons`), say what the value was
//! and what would be accepted. Tests compare `ErrorKind`s; the prose lives only in `Display`.

use std::fmt;

/// One thing wrong with a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field, as the page or the payload names it (snake_case, dotted for nested ones).
    pub field: String,
    pub kind: ErrorKind,
}

/// What is wrong. New kinds may be added; match with a wildcard arm.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Required and absent; `hint` says what to give (may be empty).
    Missing { hint: String },
    /// Not a key of this object; `suggestion` is the closest known key, `known` all of them.
    Unknown {
        suggestion: Option<&'static str>,
        known: Vec<&'static str>,
    },
    /// Not one of a fixed set of values.
    NotOneOf {
        value: String,
        accepted: Vec<&'static str>,
    },
    /// A number outside its range, or not a whole number.
    OutOfRange { value: String, min: u64, max: u64 },
    /// Over its length: `max` characters, items or bytes (`unit`).
    TooLong {
        value: String,
        max: usize,
        unit: &'static str,
    },
    /// The same key twice in one JSON object.
    Duplicate,
    /// JSON text that does not parse; `reason` is the parser's.
    Syntax { reason: String },
    /// Any other wrong value: what it was and what would be accepted.
    Invalid { value: String, expected: String },
}

impl FieldError {
    pub fn new(field: impl Into<String>, kind: ErrorKind) -> FieldError {
        FieldError {
            field: field.into(),
            kind,
        }
    }

    /// `field is <value>: expected one of <accepted>`.
    pub fn not_one_of(
        field: impl Into<String>,
        value: &serde_json::Value,
        accepted: &[&'static str],
    ) -> Self {
        FieldError::new(
            field,
            ErrorKind::NotOneOf {
                value: shown(value),
                accepted: accepted.to_vec(),
            },
        )
    }

    /// `field is <value>: expected a whole number from <min> to <max>`.
    pub fn out_of_range(
        field: impl Into<String>,
        value: &serde_json::Value,
        min: u64,
        max: u64,
    ) -> Self {
        FieldError::new(
            field,
            ErrorKind::OutOfRange {
                value: shown(value),
                min,
                max,
            },
        )
    }

    /// `field is <value>: expected at most <max> <unit>`.
    pub fn too_long(
        field: impl Into<String>,
        value: &serde_json::Value,
        max: usize,
        unit: &'static str,
    ) -> Self {
        FieldError::new(
            field,
            ErrorKind::TooLong {
                value: shown(value),
                max,
                unit,
            },
        )
    }

    /// `field is <value>: expected <expected>`.
    pub fn invalid(field: impl Into<String>, value: String, expected: impl Into<String>) -> Self {
        FieldError::new(
            field,
            ErrorKind::Invalid {
                value,
                expected: expected.into(),
            },
        )
    }
}

/// The longest value an error message shows, in characters.
const SHOWN: usize = 60;

/// A JSON value as an error message shows it: as JSON, cut to `SHOWN` characters.
pub fn shown(v: &serde_json::Value) -> String {
    let s = v.to_string();
    if s.chars().count() > SHOWN {
        let mut cut: String = s.chars().take(SHOWN).collect();
        cut.push('…');
        cut
    } else {
        s
    }
}

/// A string in double quotes, JSON-escaped (cheaper in wasm than `{:?}`).
pub fn quoted(s: &str) -> String {
    shown(&serde_json::Value::String(s.to_owned()))
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = &self.field;
        match &self.kind {
            ErrorKind::Missing { hint } if hint.is_empty() => write!(f, "{field} is missing"),
            ErrorKind::Missing { hint } => write!(f, "{field} is missing: {hint}"),
            ErrorKind::Unknown {
                suggestion: Some(s),
                ..
            } => write!(
                f,
                "unknown key {}: did you mean {}?",
                quoted(field),
                quoted(s)
            ),
            ErrorKind::Unknown { known, .. } => write!(
                f,
                "unknown key {}: known keys are {}",
                quoted(field),
                known.join(", ")
            ),
            ErrorKind::NotOneOf { value, accepted } => {
                let list: Vec<String> = accepted.iter().map(|a| quoted(a)).collect();
                write!(f, "{field} is {value}: expected one of {}", list.join(", "))
            }
            ErrorKind::OutOfRange { value, min, max } => write!(
                f,
                "{field} is {value}: expected a whole number from {min} to {max}"
            ),
            ErrorKind::TooLong { value, max, unit } => {
                write!(f, "{field} is {value}: expected at most {max} {unit}")
            }
            ErrorKind::Duplicate => write!(f, "{field} is given twice: keep one"),
            ErrorKind::Syntax { reason } => write!(f, "{field} is not valid JSON ({reason})"),
            ErrorKind::Invalid { value, expected } => {
                write!(f, "{field} is {value}: expected {expected}")
            }
        }
    }
}

impl std::error::Error for FieldError {}

/// The known key closest to `key`, if one is close enough to be a typo of it.
pub fn suggestion(key: &str, known: &[&'static str]) -> Option<&'static str> {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(key, k), *k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

/// The `Unknown` error for `key`, with the closest of `known` as a suggestion.
pub fn unknown(field: impl Into<String>, key: &str, known: &[&'static str]) -> FieldError {
    FieldError::new(
        field,
        ErrorKind::Unknown {
            suggestion: suggestion(key, known),
            known: known.to_vec(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_display_for_every_kind() {
        let check = |field: &str, kind: ErrorKind, want: &str| {
            assert_eq!(FieldError::new(field, kind).to_string(), want)
        };
        check(
            "id",
            ErrorKind::Missing {
                hint: String::new(),
            },
            "id is missing",
        );
        check(
            "endpoint",
            ErrorKind::Missing {
                hint: "set data-endpoint".into(),
            },
            "endpoint is missing: set data-endpoint",
        );
        check(
            "endpont",
            ErrorKind::Unknown {
                suggestion: Some("endpoint"),
                known: vec!["endpoint"],
            },
            "unknown key \"endpont\": did you mean \"endpoint\"?",
        );
        check(
            "zzz",
            ErrorKind::Unknown {
                suggestion: None,
                known: vec!["endpoint", "survey"],
            },
            "unknown key \"zzz\": known keys are endpoint, survey",
        );
        check(
            "mode",
            ErrorKind::NotOneOf {
                value: "\"popup\"".into(),
                accepted: vec!["inline", "modal"],
            },
            "mode is \"popup\": expected one of \"inline\", \"modal\"",
        );
        check(
            "radius",
            ErrorKind::OutOfRange {
                value: "40".into(),
                min: 0,
                max: 32,
            },
            "radius is 40: expected a whole number from 0 to 32",
        );
        check(
            "reasons",
            ErrorKind::TooLong {
                value: "[…]".into(),
                max: 20,
                unit: "items",
            },
            "reasons is […]: expected at most 20 items",
        );
        check(
            "score",
            ErrorKind::Duplicate,
            "score is given twice: keep one",
        );
        check(
            "config",
            ErrorKind::Syntax {
                reason: "EOF at 1:1".into(),
            },
            "config is not valid JSON (EOF at 1:1)",
        );
        check(
            "accent",
            ErrorKind::Invalid {
                value: "\"blue\"".into(),
                expected: "a colour like \"#1A73E8\"".into(),
            },
            "accent is \"blue\": expected a colour like \"#1A73E8\"",
        );
    }

    #[test]
    fn long_values_are_cut() {
        assert_eq!(shown(&json!(5)), "5");
        let long = shown(&json!("x".repeat(100)));
        assert_eq!(long.chars().count(), SHOWN + 1);
        assert!(long.ends_with('…'));
    }

    #[test]
    fn suggestions_only_for_near_misses() {
        let known = ["endpoint", "callback_hours", "survey"];
        assert_eq!(suggestion("endpont", &known), Some("endpoint"));
        assert_eq!(suggestion("callback_hour", &known), Some("callback_hours"));
        assert_eq!(suggestion("zzz", &known), None);
    }
}
