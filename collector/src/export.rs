//! Formats: the CSV export (safe to open in a spreadsheet; its shape is
//! `nps_core::contract::csv`'s), the no-script form post, HTML text.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use nps_core::config::keys::SURVEY;
use nps_core::contract::csv as nps_csv;
use nps_core::contract::rules;
use nps_core::words::Locale;

/// Rows as CSV records (the header first when asked), for the export to send in pieces: the
/// columns and each row's cells are `nps_core::contract::csv`'s.
pub fn csv_records(rows: &[crate::rows::Row], header: bool) -> Result<Vec<u8>, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    if header {
        w.write_record(nps_csv::columns())
            .map_err(|e| e.to_string())?;
    }
    for row in rows {
        let body: Value = serde_json::from_str(&row.body).map_err(|e| e.to_string())?;
        let stored = nps_csv::Stored {
            received_at: &row.received_at,
            changed_at: &row.changed_at,
            flag: row.flag.as_deref(),
        };
        w.write_record(nps_csv::cells(&body, stored))
            .map_err(|e| e.to_string())?;
    }
    w.into_inner().map_err(|e| e.to_string())
}

/// A stored response as the JSON export's item: its body with `received_at`, `changed_at`
/// and `flag` added (the body is the collector's canonical JSON object, so the fields are
/// spliced in before its closing brace rather than parsed and written again).
pub fn json_item(row: &crate::rows::Row, out: &mut Vec<u8>) {
    let body = row.body.trim_end();
    let Some(open) = body.strip_suffix('}') else {
        return;
    };
    out.extend_from_slice(open.as_bytes());
    let sep = if open.trim_end().ends_with('{') {
        ""
    } else {
        ","
    };
    let extra = json!({
        "received_at": row.received_at,
        "changed_at": row.changed_at,
        "flag": row.flag,
    })
    .to_string();
    out.extend_from_slice(sep.as_bytes());
    out.extend_from_slice(&extra.as_bytes()[1..]);
}

/// Builds a schema-1 payload from the no-script form: `score`, `reasons` (repeated),
/// `comment`, `survey`, `locale`, `id` (optional) and `context.<key>` fields.
pub fn form_to_payload(pairs: &[(String, String)], now: &str, referer: Option<&str>) -> Value {
    let first = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
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

/// Escapes text for HTML.
pub fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_becomes_a_completed_payload() {
        let p = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        let v = form_to_payload(
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
        let bad = form_to_payload(&[p("score", "11")], "2026-11-23T08:00:00.000Z", None);
        assert_eq!(
            nps_core::contract::payload::Response::parse(&bad)
                .unwrap_err()
                .field,
            "score"
        );
    }
}
