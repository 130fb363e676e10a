//! The CSV export's shape, owned once: its columns (`columns`), the cells of one stored
//! response (`cells`), and the defusing of cells a spreadsheet would run as a formula
//! (`defuse`) with its inverse (`undefuse`). Pure: the collector writes these cells with its
//! CSV writer; the dashboard reads a dropped export with its CSV reader, finds the columns by
//! these names and undoes the defusing with `undefuse`.

use serde_json::Value;

use crate::config::DEFAULT_CONTEXT_PARAMS;

/// A BOM, so spreadsheet programs read the Chinese text as UTF-8.
pub const BOM: &str = "\u{feff}";

/// Context keys with a column of their own (the ones the widget reads from a QR code's query
/// string); the rest go in `other_context`, as `key=value` pairs.
pub const CONTEXT_COLUMNS: &[&str] = DEFAULT_CONTEXT_PARAMS;

/// What joins the items of a list in one cell (the reasons, `other_context`).
pub const LIST_SEPARATOR: char = ';';

/// The columns before the context's.
const HEAD: [&str; 8] = [
    "id", "survey", "stage", "score", "category", "reasons", "comment", "phone",
];

/// The body's fields after the context's.
const BODY_TAIL: [&str; 4] = ["locale", "page", "created_at", "updated_at"];

/// What the store adds to a body, last.
const STORED: [&str; 3] = ["received_at", "changed_at", "flag"];

/// Columns added since, last so a sheet that reads columns by position keeps working: the
/// call-back's hours, then the names and place of the store and advisor (`Named`).
const ADDED: [&str; 6] = [
    "callback_hours",
    "store_name",
    "advisor_name",
    "region",
    "region_name",
    "city",
];

/// The CSV's column names, in order.
pub fn columns() -> Vec<&'static str> {
    let mut out: Vec<&str> = HEAD.to_vec();
    out.extend(CONTEXT_COLUMNS);
    out.push("other_context");
    out.extend(BODY_TAIL);
    out.extend(STORED);
    out.extend(ADDED);
    out
}

/// What the store knows of a response besides its body.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stored<'a> {
    pub received_at: &'a str,
    pub changed_at: &'a str,
    pub flag: Option<&'a str>,
    /// The names and place of its store and advisor, from the org in force (`None`: empty
    /// cells).
    pub named: Option<&'a Named>,
}

/// The names of a response's store and advisor and where the store sits in the brand's
/// organisation (`Names::named`); empty where the org file or names file does not say.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Named {
    pub store_name: String,
    pub advisor_name: String,
    /// The region's id and name.
    pub region: String,
    pub region_name: String,
    pub city: String,
}

/// One stored response's cells, in the order of `columns`, each defused.
pub fn cells(body: &Value, stored: Stored) -> Vec<String> {
    let empty = serde_json::Map::new();
    let ctx = body
        .get("context")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let list = |items: Vec<String>| items.join(&LIST_SEPARATOR.to_string());
    let reasons = body
        .get("reasons")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|r| r.as_str().map(str::to_owned)))
        .map(|r| list(r.collect()))
        .unwrap_or_default();
    let mut out: Vec<String> = vec![
        text(body.get("id")),
        text(body.get("survey")),
        text(body.get("stage")),
        text(body.get("score")),
        text(body.get("category")),
        reasons,
        text(body.get("comment")),
        text(body.get("contact").and_then(|c| c.get("phone"))),
    ];
    out.extend(CONTEXT_COLUMNS.iter().map(|k| text(ctx.get(*k))));
    out.push(list(
        ctx.iter()
            .filter(|(k, _)| !CONTEXT_COLUMNS.contains(&k.as_str()))
            .map(|(k, v)| format!("{k}={}", text(Some(v))))
            .collect(),
    ));
    out.extend(BODY_TAIL.iter().map(|k| text(body.get(*k))));
    out.extend(
        [
            stored.received_at,
            stored.changed_at,
            stored.flag.unwrap_or_default(),
        ]
        .map(str::to_owned),
    );
    out.push(text(
        body.get("contact").and_then(|c| c.get("callback_hours")),
    ));
    let named = stored.named.cloned().unwrap_or_default();
    out.extend([
        named.store_name,
        named.advisor_name,
        named.region,
        named.region_name,
        named.city,
    ]);
    out.iter().map(|c| defuse(c)).collect()
}

fn text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// Whether a spreadsheet would run a cell starting with this character (or read the `'`
/// that marks a defused cell as that mark).
fn needs_quote(first: char) -> bool {
    matches!(
        first,
        '=' | '+' | '-' | '@' | '\t' | '\r' | '|' | '%' | '\''
    )
}

/// A cell that a spreadsheet would run as a formula gets a leading `'`; so does one that
/// starts with `'`, so `undefuse` gives every cell back as it was.
pub fn defuse(cell: &str) -> String {
    match cell.chars().next() {
        Some(c) if needs_quote(c) => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

/// A cell as it was before `defuse`.
pub fn undefuse(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.chars().next().is_some_and(needs_quote) => rest,
        _ => cell,
    }
}

/// The items of a list cell (reasons): none for an empty cell.
pub fn list(cell: &str) -> Vec<String> {
    match cell {
        "" => Vec::new(),
        _ => cell.split(LIST_SEPARATOR).map(str::to_owned).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_defused_and_read_back_as_written() {
        for (cell, defused) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("=1+1", "'=1+1"),
            ("+8613800138000", "'+8613800138000"),
            ("-3", "'-3"),
            ("@x", "'@x"),
            ("\tcmd", "'\tcmd"),
            ("%1", "'%1"),
            ("|x", "'|x"),
            ("'=1+1", "''=1+1"),
            ("'quoted'", "''quoted'"),
            ("''", "'''"),
            ("plain", "plain"),
            ("9", "9"),
            ("", ""),
        ] {
            assert_eq!(defuse(cell), defused, "{cell:?}");
            assert_eq!(undefuse(&defuse(cell)), cell, "{cell:?}");
        }
        // A cell another program wrote, with a `'` before nothing that needs one, is kept.
        assert_eq!(undefuse("'plain"), "'plain");
    }

    #[test]
    fn the_cells_follow_the_columns() {
        let body = serde_json::json!({"id": "a", "survey": "s", "stage": "completed", "score": 3,
            "category": "detractor", "reasons": ["wait_time", "price"], "comment": "=1+1",
            "contact": {"phone": "+8613800138000", "consent": true, "callback_hours": 48},
            "context": {"store": "SZ-FT", "lane": "2"}, "locale": "en", "page": null,
            "created_at": "2026-11-20T08:00:00Z", "updated_at": "2026-11-20T08:01:00Z"});
        let stored = Stored {
            received_at: "2026-11-20T08:01:01Z",
            changed_at: "2026-11-20T08:01:02Z",
            flag: Some("too_fast"),
            named: Some(&Named {
                store_name: "深圳福田店".into(),
                region: "south".into(),
                region_name: "华南大区".into(),
                city: "深圳".into(),
                ..Named::default()
            }),
        };
        let cells = cells(&body, stored);
        let cols = columns();
        assert_eq!(cells.len(), cols.len());
        let get = |name: &str| cells[cols.iter().position(|c| *c == name).unwrap()].as_str();
        assert_eq!(get("score"), "3");
        assert_eq!(list(get("reasons")), ["wait_time", "price"]);
        assert_eq!(undefuse(get("comment")), "=1+1");
        assert_eq!(undefuse(get("phone")), "+8613800138000");
        assert_eq!((get("store"), get("other_context")), ("SZ-FT", "lane=2"));
        assert_eq!((get("page"), get("flag")), ("", "too_fast"));
        assert_eq!(get("changed_at"), "2026-11-20T08:01:02Z");
        assert_eq!(get("callback_hours"), "48");
        assert_eq!(
            [
                get("store_name"),
                get("advisor_name"),
                get("region"),
                get("region_name"),
                get("city")
            ],
            ["深圳福田店", "", "south", "华南大区", "深圳"]
        );
        let mut unique = cols.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), cols.len(), "every column once");
    }
}
