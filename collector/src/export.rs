//! `GET /api/responses`: the export, streamed as it is read (JSON array or CSV, safe to open
//! in a spreadsheet), selected by survey and by the time each response was first stored
//! (`since`, `until`), for a caller (`auth::Caller`) allowed `Action::Export`: only the rows of
//! their scope, phones masked or left out (`scope::Viewer`), every export in the audit trail.
//! The table is never held in memory: rows go out in pieces of about `PIECE` bytes, and a read
//! error mid-way breaks the body off (the client sees a failed download, never a short one
//! that parses). `GET /api/names`: the names of the codes and the org, as much of them as the
//! caller's scope sees, for the dashboard.

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use nps_core::contract::columns;
use nps_core::contract::csv as nps_csv;
use nps_core::contract::rules;
use serde_json::json;
use time::macros::format_description;

use crate::auth::{private, Caller};
use crate::scope::Viewer;
use crate::storage::{Row, Selection, StoreError};
use crate::{audit, ApiError, Shared};
use nps_core::access::Action;

mod items;
pub use items::{csv_records, json_item};

/// The query keys the export reads.
pub const PARAMS: &[&str] = &["format", "survey", "since", "until"];

/// About this many bytes go out in one piece of the body.
const PIECE: usize = 64 * 1024;

/// Rows taken from the store in one go.
const ROWS_AT_ONCE: usize = 256;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

impl Format {
    /// `json` or `csv`; the error names `format` and both.
    pub fn parse(v: &str) -> Result<Format, ApiError> {
        match v {
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            other => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "format",
                format!("format is {other:?}: expected \"json\" or \"csv\""),
            )),
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv => "csv",
        }
    }
}

/// What an export asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export {
    pub format: Format,
    /// `format=columns`: the dashboard's compact columns (`columns::answer`) instead.
    pub columns: bool,
    pub selection: Selection,
}

/// A time bound: an RFC 3339 instant, or a date (UTC) meaning the start of that day for
/// `since` and the end of it for `until`.
pub fn bound(field: &str, value: &str, end_of_day: bool) -> Result<i64, ApiError> {
    let bad = || {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            field,
            format!(
                "{field} is {value:?}: expected a date (2026-11-24) or an RFC 3339 time \
                 (2026-11-24T08:00:00Z)"
            ),
        )
    };
    let ns = if let Some(t) = nps_core::contract::time::Time::parse(value) {
        t.unix_ns()
    } else {
        let day = time::Date::parse(value, format_description!("[year]-[month]-[day]"))
            .map_err(|_| bad())?;
        let day = if end_of_day {
            day.next_day().ok_or_else(bad)?
        } else {
            day
        };
        day.midnight().assume_utc().unix_timestamp_nanos()
    };
    i64::try_from(ns).map_err(|_| bad())
}

impl Export {
    /// Reads the query string; an unknown key or a bad value is an error that names it.
    pub fn parse(q: &[(String, String)]) -> Result<Export, ApiError> {
        let mut out = Export {
            format: Format::Json,
            columns: false,
            selection: Selection::default(),
        };
        for (k, v) in q {
            match k.as_str() {
                "format" if v == columns::FORMAT => out.columns = true,
                "format" => {
                    out.format = Format::parse(v).map_err(|mut e| {
                        e.message = format!("{}, or \"{}\"", e.message, columns::FORMAT);
                        e
                    })?
                }
                "survey" if rules::is_id(v) => out.selection.survey = Some(v.clone()),
                "survey" => {
                    return Err(ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "survey",
                        format!("survey is {v:?}: expected {}", rules::id_shape()),
                    ))
                }
                "since" => out.selection.since_ns = Some(bound("since", v, false)?),
                "until" => out.selection.until_ns = Some(bound("until", v, true)?),
                other => {
                    return Err(ApiError::new(
                        StatusCode::BAD_REQUEST,
                        other,
                        format!(
                            "unknown query key {other:?}: expected one of {}",
                            PARAMS.join(", ")
                        ),
                    ))
                }
            }
        }
        Ok(out)
    }
}

/// The export's body, piece by piece.
struct Pieces {
    rows: tokio::sync::mpsc::Receiver<Result<Row, StoreError>>,
    /// The first row, read before the answer's status was chosen.
    first_row: Option<Row>,
    format: Format,
    /// What the caller sees of each row (`scope::Viewer`).
    viewer: Viewer,
    started: bool,
    first: bool,
    done: bool,
}

impl Pieces {
    /// The next piece; `None` after the last.
    async fn next(&mut self) -> Option<Result<Bytes, StoreError>> {
        if self.done {
            return None;
        }
        let mut out = Vec::with_capacity(PIECE + 4096);
        if !self.started {
            self.started = true;
            match self.format {
                Format::Json => out.push(b'['),
                Format::Csv => {
                    out.extend_from_slice(nps_csv::BOM.as_bytes());
                    out.extend(csv_records(&[], true, self.viewer.names()).unwrap_or_default());
                }
            }
        }
        let mut batch: Vec<Result<Row, StoreError>> =
            self.first_row.take().map(Ok).into_iter().collect();
        while out.len() < PIECE {
            if batch.is_empty() && self.rows.recv_many(&mut batch, ROWS_AT_ONCE).await == 0 {
                self.done = true;
                if self.format == Format::Json {
                    out.push(b']');
                }
                break;
            }
            let mut rows = Vec::with_capacity(batch.len());
            for r in batch.drain(..) {
                match r {
                    Ok(row) => rows.extend(self.viewer.show(row)),
                    Err(e) => {
                        tracing::error!(error = %e, "reading the export");
                        self.done = true;
                        return Some(Err(e));
                    }
                }
            }
            match self.format {
                Format::Json => {
                    for row in &rows {
                        if !self.first {
                            out.push(b',');
                        }
                        self.first = false;
                        json_item(row, &mut out);
                    }
                }
                Format::Csv => match csv_records(&rows, false, self.viewer.names()) {
                    Ok(bytes) => out.extend(bytes),
                    Err(message) => {
                        tracing::error!(error = %message, "writing the CSV export");
                        self.done = true;
                        return Some(Err(StoreError::Sql { message }));
                    }
                },
            }
        }
        Some(Ok(Bytes::from(out)))
    }
}

pub(crate) async fn list(
    caller: Caller,
    State(state): State<Shared>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    if let Err(no) = caller.require(Action::Export) {
        return no;
    }
    let export = match Export::parse(&q) {
        Ok(e) => e,
        Err(e) => return e.into_response(),
    };
    let given = |key: &str| {
        q.iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    let format = match export.columns {
        true => columns::FORMAT,
        false => export.format.key(),
    };
    let detail = json!({"format": format, "survey": export.selection.survey,
        "since": given("since"), "until": given("until"), "scope": caller.scope});
    if let Err(no) = audit::record(&state, &caller, "export", detail).await {
        return no;
    }
    if export.columns {
        return crate::columns::answer(&state, caller, export.selection).await;
    }
    let mut rows = state.store.stream(export.selection);
    // A store that cannot be read is answered 503 before any of the body goes out.
    let first_row = match rows.recv().await {
        Some(Err(e)) => return unavailable(e),
        Some(Ok(row)) => Some(row),
        None => None,
    };
    let pieces = Pieces {
        rows,
        first_row,
        format: export.format,
        viewer: Viewer::new(caller, state.names()),
        started: false,
        first: true,
        done: false,
    };
    // Fused: the compression layer may poll once more after the end.
    let stream = futures_util::stream::unfold(pieces, |mut p| async move {
        p.next().await.map(|piece| (piece, p))
    })
    .fuse();
    let body = Body::from_stream(stream);
    // Answers of a scope, phones masked: no cache keeps them.
    private(match export.format {
        Format::Json => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Format::Csv => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"nps-responses.csv\"",
                ),
            ],
            body,
        )
            .into_response(),
    })
}

/// `GET /api/names`: the names (`--names`) and the org (`--org`) in force, narrowed to the
/// caller's scope (`access::names_within`): their stores, advisors, regions and cities; the
/// names of other dimensions whole.
pub(crate) async fn names(caller: Caller, State(state): State<Shared>) -> Response {
    if let Err(no) = caller.require(Action::ReadAnswers) {
        return no;
    }
    let seen = nps_core::access::names_within(&state.names(), &caller.scope);
    private(axum::Json(seen.to_value()).into_response())
}

/// A store that cannot be read: a 503, logged.
fn unavailable(e: StoreError) -> Response {
    tracing::error!(error = %e, "reading the responses");
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "db",
        "reading the responses failed; retry later",
    )
    .into_response()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A query string's pairs, as axum's `Query` gives them.
    pub(crate) fn pairs(q: &str) -> Vec<(String, String)> {
        form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    fn parse(q: &str) -> Result<Export, String> {
        Export::parse(&pairs(q)).map_err(|e| format!("{}: {}", e.field, e.message))
    }

    #[test]
    fn the_query_selects_by_survey_and_time() {
        let day = 86_400_000_000_000_i64;
        let e = parse("survey=after-sales&since=2026-11-01&until=2026-11-01&format=csv").unwrap();
        let from = 1_793_491_200_000_000_000_i64; // 2026-11-01T00:00:00Z
        assert_eq!(e.format, Format::Csv);
        assert_eq!(
            e.selection,
            Selection {
                survey: Some("after-sales".into()),
                since_ns: Some(from),
                until_ns: Some(from + day),
                commented: false,
            }
        );
        let e = parse("since=2026-11-01T08:00:00%2B08:00").unwrap();
        assert_eq!(e.selection.since_ns, Some(from));
        assert_eq!(parse("").unwrap().format, Format::Json);
        assert!(parse("format=columns").unwrap().columns && !parse("").unwrap().columns);
    }

    #[test]
    fn a_bad_query_names_its_key_and_what_is_accepted() {
        for (q, field, says) in [
            ("since=yesterday", "since", "expected a date (2026-11-24)"),
            ("until=2026-02-30", "until", "expected a date"),
            ("survey=a b", "survey", "expected"),
            (
                "format=xml",
                "format",
                "expected \"json\" or \"csv\", or \"columns\"",
            ),
            (
                "sinse=2026-11-01",
                "sinse",
                "expected one of format, survey, since, until",
            ),
        ] {
            let err = parse(q).unwrap_err();
            assert!(err.starts_with(&format!("{field}: ")), "{q}: {err}");
            assert!(err.contains(says), "{q}: {err}");
        }
    }
}
