//! The answers as the dashboard reads them: the collector's compact columns (`GET
//! /api/responses?format=columns`, kept as they came: `Answers::from_columns`) or a dropped
//! file of its export (JSON or CSV), into `Record`s. A bad row is an error
//! that names the row and the field; flagged rows (too fast, a filled honeypot) are kept
//! apart so the scores leave them out; an id given twice counts once (the later row wins).

use std::borrow::Cow;
use std::collections::HashMap;

use nps_core::config::keys::CALLBACK_HOURS;
use nps_core::contract::columns as codec;
use nps_core::contract::context::Dimension;
use nps_core::contract::csv as nps_csv;
use nps_core::contract::payload::promised_hours;
use nps_core::scoring::analysis::minutes_of;
use nps_core::scoring::score::{Category, Score};
use serde::Deserialize;

pub(crate) mod columns;
mod left_out;
mod located;

pub use columns::Answers;
pub use left_out::LeftOut;

/// One response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub id: String,
    pub survey: String,
    /// `None` for a survey dismissed before a score.
    pub score: Option<Score>,
    pub reasons: Vec<String>,
    pub comment: Option<String>,
    /// Only ever present with the customer's consent (the collector refuses a phone without).
    pub phone: Option<String>,
    /// The call-back promised with the phone, in hours: the ones the answer carried, else
    /// the default (`nps_core::contract::payload::promised_hours`).
    pub callback_hours: u32,
    /// The codes of each `Dimension` (store, advisor, …, by `Dimension::index`), empty where
    /// the response has none.
    pub dims: [String; Dimension::ALL.len()],
    /// When the customer answered, in minutes since the epoch (UTC).
    pub created: i64,
    /// When the collector first stored it (the call-back window starts here); `created`
    /// when the file does not say.
    pub received: i64,
    /// Too fast, a filled honeypot, a re-survey: kept, not counted, and why.
    pub flagged: Option<LeftOut>,
}

impl Record {
    /// A scored answer with nothing else (no reasons, comment, phone or context), answered
    /// and stored at `created`; the rest is set with struct update syntax. A `score` off the
    /// scale is a bug in the caller (this is for tests and demos), so it panics.
    pub fn scored(id: impl Into<String>, score: u8, created: i64) -> Record {
        Record {
            id: id.into(),
            survey: String::new(),
            score: Some(Score::new(score).expect("a score from 0 to 10")),
            reasons: Vec::new(),
            comment: None,
            phone: None,
            callback_hours: promised_hours(None),
            dims: Default::default(),
            created,
            received: created,
            flagged: None,
        }
    }

    pub fn category(&self) -> Option<Category> {
        self.score.map(Score::category)
    }

    /// The code of a dimension.
    pub fn dim(&self, d: Dimension) -> &str {
        &self.dims[d.index()]
    }

    /// The answer as the collector's columns writer takes it (`contract::columns::Row`): its
    /// comment marked, never its text, phone or id (the tests and the benchmark write columns
    /// from records).
    pub fn row(&self) -> codec::Row<'_> {
        let comment = if self.comment.is_some() {
            codec::COMMENT
        } else {
            0
        };
        codec::Row {
            score: self.score,
            survey: &self.survey,
            dims: std::array::from_fn(|d| self.dims[d].as_str()),
            reasons: self.reasons.iter().map(String::as_str).collect(),
            created: self.created,
            received: self.received,
            marks: codec::flag_marks(self.flagged.map(LeftOut::flag)) | comment,
        }
    }
}

/// Why a file could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    /// 1-based row (the JSON array's item, or the CSV's line of data); 0 for the whole file.
    pub row: usize,
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.row {
            0 => write!(f, "{}: {}", self.field, self.message),
            row => write!(f, "row {row}, {}: {}", self.field, self.message),
        }
    }
}

pub(crate) fn error(row: usize, field: &str, message: impl Into<String>) -> LoadError {
    LoadError {
        row,
        field: field.to_owned(),
        message: message.into(),
    }
}

#[derive(Deserialize)]
struct Contact {
    phone: Option<String>,
    callback_hours: Option<u64>,
}

/// The context keys the dashboard segments by (the rest are skipped, not copied).
#[derive(Deserialize, Default)]
struct Dims {
    store: Option<String>,
    advisor: Option<String>,
    model: Option<String>,
    service_type: Option<String>,
    touchpoint: Option<String>,
}

impl Dims {
    /// Indexed by `Dimension::index`.
    fn into_array(mut self) -> [String; Dimension::ALL.len()] {
        Dimension::ALL.map(|d| {
            match d {
                Dimension::Store => self.store.take(),
                Dimension::Advisor => self.advisor.take(),
                Dimension::Model => self.model.take(),
                Dimension::ServiceType => self.service_type.take(),
                Dimension::Touchpoint => self.touchpoint.take(),
            }
            .unwrap_or_default()
        })
    }
}

/// An item of the JSON export (other fields are skipped); times are borrowed from the text.
#[derive(Deserialize)]
struct Item<'a> {
    id: String,
    #[serde(default)]
    survey: String,
    score: Option<i64>,
    #[serde(default)]
    reasons: Vec<String>,
    comment: Option<String>,
    contact: Option<Contact>,
    #[serde(default)]
    context: Option<Dims>,
    #[serde(borrow)]
    created_at: Cow<'a, str>,
    #[serde(borrow)]
    received_at: Option<Cow<'a, str>>,
    #[serde(borrow)]
    flag: Option<Cow<'a, str>>,
}

/// Checks what the types cannot: the score's range, the times.
#[allow(clippy::too_many_arguments)]
fn record(
    row: usize,
    id: String,
    survey: String,
    score: Option<i64>,
    reasons: Vec<String>,
    comment: Option<String>,
    phone: Option<String>,
    callback_hours: Option<u64>,
    dims: [String; Dimension::ALL.len()],
    created_at: &str,
    received_at: Option<&str>,
    flagged: Option<LeftOut>,
) -> Result<Record, LoadError> {
    let score = match score.map(Score::try_from) {
        None => None,
        Some(Ok(s)) => Some(s),
        Some(Err(e)) => {
            return Err(error(
                row,
                "score",
                format!(
                    "is {}: expected a whole number from 0 to {}, or empty",
                    e.value,
                    Score::MAX
                ),
            ))
        }
    };
    let callback_hours = match callback_hours {
        None => promised_hours(None),
        Some(h) => CALLBACK_HOURS
            .accepts_int(h)
            .ok_or_else(|| hours_error(row, &h.to_string()))?,
    };
    let time = |field: &str, at: &str| {
        minutes_of(at).ok_or_else(|| {
            error(
                row,
                field,
                format!("is {at:?}: expected an RFC 3339 time (2026-11-24T08:30:00Z)"),
            )
        })
    };
    let created = time("created_at", created_at)?;
    let received = match received_at.filter(|r| !r.is_empty()) {
        Some(r) => time("received_at", r)?,
        None => created,
    };
    Ok(Record {
        id,
        survey,
        score,
        reasons,
        comment: comment.filter(|c| !c.trim().is_empty()),
        phone: phone.filter(|p| !p.is_empty()),
        callback_hours,
        dims,
        created,
        received,
        flagged,
    })
}

fn hours_error(row: usize, given: &str) -> LoadError {
    error(
        row,
        "callback_hours",
        format!("is {given}: expected {}", CALLBACK_HOURS.kind.expected()),
    )
}

fn dims_of(mut get: impl FnMut(&str) -> Option<String>) -> [String; Dimension::ALL.len()] {
    Dimension::ALL.map(|d| get(d.key()).unwrap_or_default())
}

/// Reads the JSON export (an array of responses).
pub fn from_json(text: &str) -> Result<Vec<Record>, LoadError> {
    let items: Vec<Item> = match serde_json::from_str(text) {
        Ok(items) => items,
        Err(e) => return Err(located::json_error(text, e)),
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, it) in items.into_iter().enumerate() {
        out.push(record(
            i + 1,
            it.id,
            it.survey,
            it.score,
            it.reasons,
            it.comment,
            it.contact.as_ref().and_then(|c| c.phone.clone()),
            it.contact.and_then(|c| c.callback_hours),
            it.context.unwrap_or_default().into_array(),
            &it.created_at,
            it.received_at.as_deref(),
            LeftOut::of_flag(it.flag.as_deref()),
        )?);
    }
    Ok(dedupe(out))
}

/// Reads the CSV export (`?format=csv`): the columns are found by their names
/// (`nps_core::contract::csv::columns`), each cell read as written before the export defused
/// it (`undefuse`).
pub fn from_csv(text: &str) -> Result<Vec<Record>, LoadError> {
    let text = text.strip_prefix(nps_csv::BOM).unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: HashMap<String, usize> = reader
        .headers()
        .map_err(|e| error(0, "file", format!("is not CSV: {e}")))?
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim().to_owned(), i))
        .collect();
    for need in ["id", "score", "created_at"] {
        if !header.contains_key(need) {
            return Err(error(
                0,
                need,
                "column missing: the CSV needs id, score and created_at (the collector's export has them)",
            ));
        }
    }
    let mut out = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let row = i + 1;
        let rec = rec.map_err(|e| error(row, "row", e.to_string()))?;
        let cell = |name: &str| {
            header
                .get(name)
                .and_then(|&c| rec.get(c))
                .map(nps_csv::undefuse)
                .map(str::trim)
                .filter(|c| !c.is_empty())
        };
        let score = match cell("score") {
            None => None,
            Some(s) => Some(s.parse::<i64>().map_err(|_| {
                error(
                    row,
                    "score",
                    format!("is {s:?}: expected a whole number from 0 to 10, or empty"),
                )
            })?),
        };
        let reasons = cell("reasons").map(nps_csv::list).unwrap_or_default();
        let hours = match cell("callback_hours") {
            None => None,
            Some(h) => Some(h.parse::<u64>().map_err(|_| hours_error(row, h))?),
        };
        out.push(record(
            row,
            cell("id").unwrap_or_default().to_owned(),
            cell("survey").unwrap_or_default().to_owned(),
            score,
            reasons,
            cell("comment").map(str::to_owned),
            cell("phone").map(str::to_owned),
            hours,
            dims_of(|d| cell(d).map(str::to_owned)),
            cell("created_at").unwrap_or_default(),
            cell("received_at"),
            LeftOut::of_flag(cell("flag")),
        )?);
    }
    Ok(dedupe(out))
}

/// A file of either kind: JSON when it starts with `[`, else CSV.
pub fn from_text(text: &str) -> Result<Vec<Record>, LoadError> {
    match text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with(['[', '{'])
    {
        true => from_json(text),
        false => from_csv(text),
    }
}

/// One record per id, the later row winning, in the order first seen.
fn dedupe(mut records: Vec<Record>) -> Vec<Record> {
    // Where each id is first and last seen, borrowed (no copy of an id).
    let (first, last): (Vec<usize>, Vec<usize>) = {
        let mut seen: HashMap<&str, (usize, usize)> = HashMap::with_capacity(records.len());
        for (i, r) in records.iter().enumerate() {
            seen.entry(r.id.as_str()).or_insert((i, i)).1 = i;
        }
        if seen.len() == records.len() {
            return records;
        }
        seen.into_values().unzip()
    };
    // The last version of each id takes the place of its first.
    let mut place: Vec<Option<usize>> = vec![None; records.len()];
    for (f, l) in first.into_iter().zip(last) {
        place[f] = Some(l);
    }
    let mut taken: Vec<Option<Record>> = records.drain(..).map(Some).collect();
    place
        .into_iter()
        .flatten()
        .filter_map(|l| taken[l].take())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = r#"[
      {"id":"a","survey":"after-sales","score":9,"reasons":["repair_quality"],"comment":"好",
       "contact":null,"context":{"store":"SZ-FT","advisor":"wang","visit":"RO-1"},
       "created_at":"2026-11-20T08:00:00.000Z","received_at":"2026-11-20T08:00:05.000Z","flag":null},
      {"id":"b","survey":"after-sales","score":3,"reasons":[],"comment":" ",
       "contact":{"phone":"+8613800138000","consent":true},"context":{"store":"BJ-CY"},
       "created_at":"2026-11-21T08:00:00Z","flag":null,"extra":1},
      {"id":"c","survey":"after-sales","score":null,"created_at":"2026-11-21T09:00:00Z","flag":"too_fast"}
    ]"#;

    #[test]
    fn the_json_export_is_read() {
        let r = from_json(JSON).unwrap();
        assert_eq!(r.len(), 3);
        assert_eq!(
            (
                r[0].score.map(Score::get),
                r[0].dim(Dimension::Store),
                r[0].dim(Dimension::Advisor)
            ),
            (Some(9), "SZ-FT", "wang")
        );
        assert_eq!(r[0].received - r[0].created, 0, "whole minutes");
        assert_eq!(r[1].comment, None, "a blank comment is no comment");
        assert_eq!(r[1].phone.as_deref(), Some("+8613800138000"));
        assert_eq!(r[1].received, r[1].created, "received defaults to created");
        assert!(r[2].flagged == Some(LeftOut::TooFast) && r[2].score.is_none());
    }

    /// A re-survey's answer (flag `recovery`) is kept out of every figure like any flagged
    /// one; a call at the order's number carries no phone to list.
    #[test]
    fn a_re_survey_is_flagged_and_a_call_at_the_orders_number_has_no_phone() {
        let r = from_json(
            r#"[{"id":"r","survey":"after-sales","score":10,"created_at":"2026-11-21T09:00:00Z",
                 "flag":"recovery","context":{"visit":"R-6f1c2b3a","recovery":"6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b"}},
                {"id":"o","survey":"after-sales","score":2,"created_at":"2026-11-21T09:00:00Z","flag":null,
                 "contact":{"on_file":true,"consent":true,"callback_hours":24},"context":{"phone_tail":"3788"}}]"#,
        )
        .unwrap();
        assert_eq!(r[0].flagged, Some(LeftOut::Recovery));
        assert!(r[1].flagged.is_none() && r[1].phone.is_none());
    }

    #[test]
    fn a_scored_dismissal_is_an_answer_and_a_close_before_a_score_is_not() {
        let r = from_json(
            r#"[{"id":"d","stage":"dismissed","score":3,"created_at":"2026-11-21T09:00:00Z"},
                {"id":"e","stage":"dismissed","score":null,"created_at":"2026-11-21T09:00:00Z"}]"#,
        )
        .unwrap();
        let answers: Vec<_> = r.iter().filter_map(|r| r.category()).collect();
        assert_eq!(answers, [nps_core::scoring::score::Category::Detractor]);
    }

    #[test]
    fn the_csv_export_is_read_with_its_defused_cells() {
        let csv = "\u{feff}id,survey,stage,score,category,reasons,comment,phone,store,advisor,created_at,received_at,flag\n\
                   a,after-sales,completed,4,detractor,wait_time;price,'=too slow,,BJ-CY,ma,2026-11-20T08:00:00Z,2026-11-20T08:01:00Z,\n\
                   b,after-sales,scored,10,promoter,,\"line, with comma\",,SZ-FT,,2026-11-20T09:00:00Z,,too_fast\n";
        let r = from_text(csv).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].reasons, vec!["wait_time", "price"]);
        assert_eq!(r[0].comment.as_deref(), Some("=too slow"));
        assert_eq!(r[0].dim(Dimension::Advisor), "ma");
        assert_eq!(r[0].received - r[0].created, 1);
        assert!(r[1].flagged.is_some() && r[0].flagged.is_none());
        assert_eq!(r[1].dim(Dimension::Advisor), "");
    }

    #[test]
    fn a_bad_file_names_the_row_and_the_field() {
        let check = |text: &str, want: &str| {
            let e = from_text(text).unwrap_err().to_string();
            assert!(e.starts_with(want), "{text}: {e}");
        };
        check(
            r#"[{"id":"a","score":11,"created_at":"2026-11-20T08:00:00Z"}]"#,
            "row 1, score: is 11: expected a whole number from 0 to 10",
        );
        check(
            r#"[{"id":"a","score":1,"created_at":"2026-11-20T08:00:00Z"},{"id":"b","score":"9","created_at":"x"}]"#,
            "row 2, score: is \"9\": expected a whole number",
        );
        check(
            r#"[{"id":"a","score":1,"created_at":"yesterday"}]"#,
            "row 1, created_at: is \"yesterday\"",
        );
        check(
            r#"[{"id":"a","score":1,"created_at":"2026-11-20T08:00:00Z","contact":{"phone":"+8613800138000","callback_hours":0}}]"#,
            "row 1, callback_hours: is 0: expected a whole number from 1 to 720",
        );
        check(
            "id,score,created_at,callback_hours\na,1,2026-11-20T08:00:00Z,soon\n",
            "row 1, callback_hours: is soon: expected a whole number from 1 to 720",
        );
        // The core's one RFC 3339 parser: a day that does not exist is not a time.
        check(
            "id,score,created_at\na,9,2026-02-30T08:00:00Z\n",
            "row 1, created_at: is \"2026-02-30T08:00:00Z\"",
        );
        check(r#"[{"score":1}]"#, "row 1, id: missing: expected a string");
        check(r#"{"id":"a"}"#, "file: is JSON but not an array");
        check("[1,", "file: is not JSON");
        check(
            "id,created_at\na,2026-11-20T08:00:00Z\n",
            "score: column missing",
        );
        check(
            "id,score,created_at\na,nine,2026-11-20T08:00:00Z\n",
            "row 1, score: is \"nine\"",
        );
    }

    #[test]
    fn an_id_given_twice_counts_once_and_the_later_row_wins() {
        let text = r#"[{"id":"a","score":3,"created_at":"2026-11-20T08:00:00Z"},
                       {"id":"b","score":5,"created_at":"2026-11-20T08:00:00Z"},
                       {"id":"a","score":9,"created_at":"2026-11-20T08:00:00Z"}]"#;
        let r = from_json(text).unwrap();
        assert_eq!(
            r.iter()
                .map(|r| (r.id.as_str(), r.score.map(Score::get)))
                .collect::<Vec<_>>(),
            vec![("a", Some(9)), ("b", Some(5))]
        );
    }
}
