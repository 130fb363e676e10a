//! Where a JSON file that does not read as the export goes wrong: read loosely, its first row
//! whose field has the wrong type is named, with what the export gives there.

use super::{error, LoadError};

/// The fields every row must have, in words, for errors.
const NEEDS: &str = "an object with id, score (0-10 or null), created_at (RFC 3339), and \
                     optionally survey, reasons, comment, contact, context, received_at, flag";

/// The typed parse failed: find the row and the field by reading the file loosely.
pub fn json_error(text: &str, e: serde_json::Error) -> LoadError {
    let items = match serde_json::from_str::<serde_json::Value>(text) {
        Err(_) => return error(0, "file", format!("is not JSON: {e}")),
        Ok(serde_json::Value::Array(items)) => items,
        Ok(_) => {
            return error(
                0,
                "file",
                "is JSON but not an array of responses (the collector's export)",
            )
        }
    };
    for (i, item) in items.iter().enumerate() {
        if let Some((field, expected)) = misfit(item) {
            let got = item.get(field).map_or("missing".to_owned(), |v| {
                format!("is {}", nps_core::contract::error::shown(v))
            });
            return error(i + 1, field, format!("{got}: expected {expected}"));
        }
    }
    error(0, "file", e.to_string())
}

/// The first field of an item that does not have the type the export gives it.
fn misfit(item: &serde_json::Value) -> Option<(&'static str, &'static str)> {
    use serde_json::Value as V;
    let Some(o) = item.as_object() else {
        return Some(("row", NEEDS));
    };
    let text_or_null = |v: Option<&V>| matches!(v, None | Some(V::Null | V::String(_)));
    let strings = |v: &V| v.as_array().is_some_and(|a| a.iter().all(V::is_string));
    let checks: [(&'static str, &'static str, bool); 10] = [
        ("id", "a string", o.get("id").is_some_and(V::is_string)),
        (
            "score",
            "a whole number from 0 to 10, or null",
            matches!(o.get("score"), None | Some(V::Null)) || o.get("score").is_some_and(V::is_i64),
        ),
        (
            "created_at",
            "an RFC 3339 time (2026-11-24T08:30:00Z)",
            o.get("created_at").is_some_and(V::is_string),
        ),
        ("survey", "a string", text_or_null(o.get("survey"))),
        (
            "comment",
            "a string or null",
            text_or_null(o.get("comment")),
        ),
        (
            "received_at",
            "an RFC 3339 time or null",
            text_or_null(o.get("received_at")),
        ),
        ("flag", "a string or null", text_or_null(o.get("flag"))),
        (
            "reasons",
            "an array of reason ids",
            o.get("reasons").is_none_or(strings),
        ),
        (
            "context",
            "an object of strings",
            o.get("context").is_none_or(|c| {
                matches!(c, V::Null) || c.as_object().is_some_and(|m| m.values().all(V::is_string))
            }),
        ),
        (
            "contact",
            "null or {\"phone\": …}",
            o.get("contact").is_none_or(|c| {
                matches!(c, V::Null) || c.get("phone").is_none_or(|p| text_or_null(Some(p)))
            }),
        ),
    ];
    checks
        .into_iter()
        .find(|(_, _, ok)| !ok)
        .map(|(f, e, _)| (f, e))
}
