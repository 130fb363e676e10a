//! The no-script form (`POST /api/responses`, form-encoded) as a response: its fields read
//! with `rules` and the config's defaults, and its flag signals (`started_at`, the honeypot).

use std::collections::BTreeMap;

use nps_core::config::keys::SURVEY;
use nps_core::contract::rules::{self, HONEYPOT_FIELD};
use nps_core::words::Locale;
use serde_json::{json, Map, Value};

/// A form field's first value, trimmed; `None` when missing or blank.
pub fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// Whether the form's honeypot field is filled.
pub fn honeypot(pairs: &[(String, String)]) -> bool {
    field(pairs, HONEYPOT_FIELD).is_some()
}

/// When the form was shown: the `started_at` (ms since the epoch) a page that renders the
/// form may stamp in it.
pub fn started_ms(pairs: &[(String, String)]) -> Option<i64> {
    field(pairs, "started_at").and_then(|v| v.parse().ok())
}

/// Builds a schema-1 payload from the no-script form: `score`, `reasons` (repeated),
/// `comment`, `survey`, `locale`, `id` (optional) and `context.<key>` fields.
pub fn to_payload(pairs: &[(String, String)], now: &str, referer: Option<&str>) -> Value {
    let first = |k: &str| field(pairs, k).map(str::to_owned);
    let score: Value = match first("score") {
        Some(s) => s
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or(Value::String(s)),
        None => Value::Null,
    };
    let category = score
        .as_i64()
        .and_then(|s| nps_core::scoring::score::category(s).ok())
        .map(|c| c.as_str());
    let reasons: Vec<Value> = pairs
        .iter()
        .filter(|(k, _)| k == "reasons")
        .map(|(_, v)| Value::String(v.clone()))
        .collect();
    let context: BTreeMap<String, Value> = pairs
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("context.")
                .map(|k| (k.to_owned(), Value::String(rules::context_value(v))))
        })
        .collect();
    let mut m = Map::new();
    m.insert("schema".into(), json!(rules::SCHEMA));
    m.insert(
        "id".into(),
        json!(first("id").unwrap_or_else(|| uuid::Uuid::new_v4().to_string())),
    );
    m.insert(
        "survey".into(),
        json!(first("survey").unwrap_or_else(|| SURVEY.default_str().into())),
    );
    m.insert("stage".into(), json!("completed"));
    m.insert("score".into(), score);
    m.insert("category".into(), json!(category));
    m.insert("reasons".into(), Value::Array(reasons));
    m.insert("comment".into(), json!(first("comment")));
    m.insert("contact".into(), Value::Null);
    m.insert("context".into(), json!(context));
    m.insert(
        "locale".into(),
        json!(first("locale").unwrap_or_else(|| Locale::ZhCn.tag().into())),
    );
    let page = referer.map(|r| rules::page_url(r, |k| context.contains_key(k)));
    m.insert("page".into(), json!(page));
    m.insert("created_at".into(), json!(now));
    m.insert("updated_at".into(), json!(now));
    // A no-script form answers in one post, so its key is made here and never sent back: a
    // form naming a stored id changes nothing.
    m.insert(rules::WRITE_KEY.into(), json!(crate::write_key::fresh()));
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_becomes_a_completed_payload() {
        let p = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        let v = to_payload(
            &[
                p("score", "4"),
                p("reasons", "wait_time"),
                p("reasons", "booking"),
                p("comment", "slow"),
                p("survey", "after-sales"),
                p("context.store", "SZ-FT"),
            ],
            "2026-11-23T08:00:00.000Z",
            Some("http://127.0.0.1/qr.html"),
        );
        let r = nps_core::contract::payload::Response::parse(&v).unwrap();
        assert_eq!(
            (
                r.score.map(|s| s.get()),
                r.category().map(|c| c.as_str()),
                r.reasons.len()
            ),
            (Some(4), Some("detractor"), 2)
        );
        assert_eq!(r.context.get("store").map(String::as_str), Some("SZ-FT"));
        let bad = to_payload(&[p("score", "11")], "2026-11-23T08:00:00.000Z", None);
        assert_eq!(
            nps_core::contract::payload::Response::parse(&bad)
                .unwrap_err()
                .field,
            "score"
        );
    }

    #[test]
    fn the_forms_signals_are_its_started_at_and_honeypot() {
        let p = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        assert_eq!(
            started_ms(&[p("started_at", " 1700000000000 ")]),
            Some(1_700_000_000_000)
        );
        assert_eq!(started_ms(&[p("started_at", "soon")]), None);
        assert_eq!(started_ms(&[]), None);
        assert!(honeypot(&[p(HONEYPOT_FIELD, "http://spam")]));
        assert!(!honeypot(&[p(HONEYPOT_FIELD, " ")]));
    }
}
