//! The export's items: a stored row as CSV records (the core's columns and cells, the names
//! and place of its store and advisor) and as the JSON array's item.

use nps_core::contract::csv as nps_csv;
use nps_core::scoring::analysis::Names;
use serde_json::{json, Value};

use crate::storage::Row;

/// Rows as CSV records (the header first when asked), for the export to send in pieces: the
/// columns and each row's cells are `nps_core::contract::csv`'s, the names and place of each
/// row's store and advisor from `names` (the org in force).
pub fn csv_records(rows: &[Row], header: bool, names: &Names) -> Result<Vec<u8>, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    if header {
        w.write_record(nps_csv::columns())
            .map_err(|e| e.to_string())?;
    }
    for row in rows {
        let body: Value = serde_json::from_str(&row.body).map_err(|e| e.to_string())?;
        let code = |key: &str| {
            body.pointer(&format!("/context/{key}"))
                .and_then(Value::as_str)
        };
        let named = names.named(code("store"), code("advisor"));
        let stored = nps_csv::Stored {
            received_at: &row.received_at,
            changed_at: &row.changed_at,
            flag: row.flag.as_deref(),
            named: Some(&named),
        };
        w.write_record(nps_csv::cells(&body, stored))
            .map_err(|e| e.to_string())?;
    }
    w.into_inner().map_err(|e| e.to_string())
}

/// A stored response as the JSON export's item: its body with `received_at`, `changed_at`
/// and `flag` added (the body is the collector's canonical JSON object, so the fields are
/// spliced in before its closing brace rather than parsed and written again).
pub fn json_item(row: &Row, out: &mut Vec<u8>) {
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
