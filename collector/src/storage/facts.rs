//! What the dashboard's columns read of each answer, kept in columns of their own beside its
//! body (both engines), so that `GET /api/responses?format=columns` reads a few short fields per
//! row and never parses a stored body's JSON: the five segment codes, the reasons, when it was
//! answered (minutes since the epoch) and whether it has a comment or a phone.
//!
//! One owner: `Facts::of` is what the write path stores with each body, `Facts::of_body` what
//! the migration fills in for the rows stored before (the same values, tested), and `Fact` what
//! a scan hands the columns, borrowed from the row. A row whose `created_min` is NULL (a body
//! the migration could not read) is read from its body, as before.

use std::borrow::Cow;

use nps_core::contract::columns::{COMMENT, PHONE};
use nps_core::contract::context::Dimension;
use nps_core::contract::payload::Response;
use nps_core::scoring::analysis::minutes_of;
use serde::de::IgnoredAny;
use serde::Deserialize;

const DIMS: usize = Dimension::ALL.len();

/// Nanoseconds in a minute: a stored `created_min` is a time's ns divided by this.
pub const MINUTE_NS: i64 = 60_000_000_000;

/// The separator of the stored reasons (reason ids are id-like: never this character).
pub const REASON_SEP: char = '\u{1f}';

/// The column of a dimension's code: `cx_` and its context key.
pub fn column(d: Dimension) -> &'static str {
    match d {
        Dimension::Store => "cx_store",
        Dimension::Advisor => "cx_advisor",
        Dimension::Model => "cx_model",
        Dimension::ServiceType => "cx_service_type",
        Dimension::Touchpoint => "cx_touchpoint",
    }
}

/// The columns the facts add to `responses`, with their types (`BIGINT` is SQLite's
/// `INTEGER`).
pub fn columns() -> Vec<(&'static str, &'static str)> {
    let mut all: Vec<_> = Dimension::ALL.map(|d| (column(d), "TEXT")).to_vec();
    all.extend([
        ("reason_list", "TEXT"),
        ("created_min", "BIGINT"),
        ("body_marks", "BIGINT"),
    ]);
    all
}

/// The `SELECT` list of a scan, in `Fact`'s order: id, survey, score, the five codes,
/// reasons, created, received ns, flag, marks. Every column of it is in SQLite's covering
/// index (`INDEX`), so a scan reads the index alone, never a row with its body.
pub fn select_list() -> String {
    let dims: Vec<&str> = Dimension::ALL.map(column).to_vec();
    format!(
        "id, survey, score, {}, reason_list, created_min, COALESCE(received_ns, 0), flag,
         body_marks",
        dims.join(", ")
    )
}

/// SQLite's covering index of the facts, in the scans' order (`received_ns, id`).
pub fn index() -> String {
    let dims: Vec<&str> = Dimension::ALL.map(column).to_vec();
    format!(
        "CREATE INDEX IF NOT EXISTS responses_facts ON responses (received_ns, id, survey, score,
           flag, created_min, body_marks, reason_list, {})",
        dims.join(", ")
    )
}

/// The facts' columns for an `INSERT`'s list, and their placeholders from `first` (`?n` or
/// `$n`), in `columns()`'s order.
pub fn insert_list(mark: &str, first: usize) -> (String, String) {
    let cols = columns();
    let names: Vec<&str> = cols.iter().map(|(name, _)| *name).collect();
    let marks: Vec<String> = (0..cols.len())
        .map(|i| format!("{mark}{}", first + i))
        .collect();
    (names.join(", "), marks.join(", "))
}

/// The facts' `SET` list of an `UPDATE`, placeholders from `first`.
pub fn update_list(mark: &str, first: usize) -> String {
    let sets: Vec<String> = columns()
        .iter()
        .enumerate()
        .map(|(i, (name, _))| format!("{name} = {mark}{}", first + i))
        .collect();
    sets.join(", ")
}

/// What is stored beside a body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// By `Dimension::index`; `None` where the answer has none.
    pub dims: [Option<String>; DIMS],
    /// The reasons joined by `REASON_SEP`.
    pub reasons: String,
    /// `created_at` in minutes since the epoch; `None` when it is not a time.
    pub created_min: Option<i64>,
    /// `COMMENT | PHONE`.
    pub marks: i64,
}

impl Facts {
    /// The values of `columns()`, in order, as SQLite parameters.
    pub fn sqlite_values(&self) -> [&dyn rusqlite::ToSql; 8] {
        let [a, b, c, d, e] = &self.dims;
        [a, b, c, d, e, &self.reasons, &self.created_min, &self.marks]
    }

    /// The same as PostgreSQL parameters.
    pub fn postgres_values(&self) -> [&(dyn tokio_postgres::types::ToSql + Sync); 8] {
        let [a, b, c, d, e] = &self.dims;
        [a, b, c, d, e, &self.reasons, &self.created_min, &self.marks]
    }
}

fn marks(comment: Option<&str>, phone: bool) -> i64 {
    let comment = comment.is_some_and(|c| !c.trim().is_empty());
    i64::from((u8::from(comment) * COMMENT) | (u8::from(phone) * PHONE))
}

impl Facts {
    /// The facts of a response about to be stored.
    pub fn of(r: &Response) -> Facts {
        Facts {
            dims: Dimension::ALL.map(|d| r.context.get(d.key()).cloned()),
            reasons: r.reasons.join(&REASON_SEP.to_string()),
            created_min: minutes_of(&r.created_at),
            marks: marks(
                r.comment.as_deref(),
                r.contact.as_ref().is_some_and(|c| c.phone.is_some()),
            ),
        }
    }

    /// The facts of a stored body; `None` when it is not an answer's JSON.
    pub fn of_body(body: &str) -> Option<Facts> {
        let b: Body = serde_json::from_str(body).ok()?;
        let cx = b.context.unwrap_or_default();
        Some(Facts {
            dims: Dimension::ALL.map(|d| cx.code(d).map(str::to_owned)),
            reasons: b.reasons.join(&REASON_SEP.to_string()),
            created_min: minutes_of(&b.created_at),
            marks: marks(
                b.comment.as_deref(),
                b.contact.is_some_and(|c| c.phone.is_some()),
            ),
        })
    }
}

#[derive(Deserialize)]
struct Contact {
    phone: Option<IgnoredAny>,
}

/// The context keys the dashboard segments by (the rest are skipped), borrowed from a
/// stored body: read here and by `GET /api/comments`.
#[derive(Deserialize, Default)]
pub(crate) struct Context<'a> {
    #[serde(borrow)]
    pub store: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub advisor: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub model: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub service_type: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub touchpoint: Option<Cow<'a, str>>,
}

impl<'a> Context<'a> {
    /// The code of a dimension, if the answer has one.
    pub fn code(&self, d: Dimension) -> Option<&str> {
        match d {
            Dimension::Store => self.store.as_deref(),
            Dimension::Advisor => self.advisor.as_deref(),
            Dimension::Model => self.model.as_deref(),
            Dimension::ServiceType => self.service_type.as_deref(),
            Dimension::Touchpoint => self.touchpoint.as_deref(),
        }
    }
}

/// What the facts need of a stored body.
#[derive(Deserialize)]
struct Body<'a> {
    #[serde(borrow, default)]
    reasons: Vec<Cow<'a, str>>,
    #[serde(borrow)]
    comment: Option<Cow<'a, str>>,
    contact: Option<Contact>,
    #[serde(borrow, default)]
    context: Option<Context<'a>>,
    #[serde(borrow, default)]
    created_at: Cow<'a, str>,
}

/// One stored answer as a scan of the facts hands it over, borrowed from the row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fact<'a> {
    pub id: &'a str,
    pub survey: &'a str,
    pub score: Option<i64>,
    /// By `Dimension::index`; "" where the answer has none.
    pub dims: [&'a str; DIMS],
    /// Joined by `REASON_SEP`.
    pub reasons: &'a str,
    /// `None`: the facts are missing, read `body`.
    pub created_min: Option<i64>,
    pub received_ns: i64,
    pub flag: Option<&'a str>,
    pub marks: i64,
    /// Only where `created_min` is `None` (read apart, by id, on SQLite).
    pub body: Option<&'a str>,
}

/// The reasons of a stored `reason_list`, in order.
pub fn reasons(joined: &str) -> impl Iterator<Item = &str> {
    joined.split(REASON_SEP).filter(|r| !r.is_empty())
}

/// Rows read at a time by the backfill (a large table is never held in memory).
const BACKFILL_PIECE: i64 = 1000;

/// Fills in the facts of every row stored without them (SQLite, in the migration's
/// transaction), a piece at a time in id order. A body that cannot be read keeps NULL facts
/// and is read from its body.
pub fn backfill_sqlite(c: &rusqlite::Connection) -> rusqlite::Result<()> {
    let mut read = c.prepare(
        "SELECT id, body FROM responses WHERE created_min IS NULL AND id > ?1 ORDER BY id LIMIT ?2",
    )?;
    let mut write = c.prepare(&update_sql("?", 1))?;
    let mut after = String::new();
    loop {
        let piece: Vec<(String, String)> = read
            .query_map(rusqlite::params![after, BACKFILL_PIECE], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<Result<_, _>>()?;
        for (id, body) in &piece {
            if let Some(f) = Facts::of_body(body) {
                let mut values: Vec<&dyn rusqlite::ToSql> = vec![id];
                values.extend(f.sqlite_values());
                write.execute(values.as_slice())?;
            }
        }
        match piece.last() {
            Some((id, _)) if piece.len() as i64 == BACKFILL_PIECE => after = id.clone(),
            _ => return Ok(()),
        }
    }
}

/// The same on PostgreSQL, in the migration's transaction.
pub async fn backfill_postgres(
    tx: &tokio_postgres::Transaction<'_>,
) -> Result<(), tokio_postgres::Error> {
    let read = tx
        .prepare(
            "SELECT id, body FROM responses WHERE created_min IS NULL AND id > $1
             ORDER BY id LIMIT $2",
        )
        .await?;
    let update = tx.prepare(&update_sql("$", 1)).await?;
    let mut after = String::new();
    loop {
        let piece = tx.query(&read, &[&after, &BACKFILL_PIECE]).await?;
        for row in &piece {
            let (id, body): (&str, &str) = (row.get(0), row.get(1));
            if let Some(f) = Facts::of_body(body) {
                let mut values: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = vec![&id];
                values.extend(f.postgres_values());
                tx.execute(&update, &values).await?;
            }
        }
        match piece.last() {
            Some(row) if piece.len() as i64 == BACKFILL_PIECE => after = row.get(0),
            _ => return Ok(()),
        }
    }
}

/// `UPDATE responses SET <facts> WHERE id = <first>`, placeholders `?n` or `$n` from `first`.
fn update_sql(mark: &str, first: usize) -> String {
    format!(
        "UPDATE responses SET {} WHERE id = {mark}{first}",
        update_list(mark, first + 1)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn response(v: serde_json::Value) -> Response {
        Response::parse(&v).expect("a valid response")
    }

    fn base() -> serde_json::Value {
        json!({
            "schema": 1, "id": "6f1c2a4e-8b9d-4c3e-9f0a-1b2c3d4e5f60", "survey": "after-sales",
            "stage": "completed", "score": 3, "category": "detractor",
            "reasons": ["wait_time", "price"], "comment": "等太久",
            "contact": {"phone": "+8613800138000", "consent": true, "retention_days": 30},
            "context": {"store": "SZ-FT", "advisor": "A-7", "touchpoint": "repair", "other": "x"},
            "locale": "zh-CN", "page": null,
            "created_at": "2026-03-01T08:30:59.123+08:00",
            "updated_at": "2026-03-01T08:31:59.123+08:00"
        })
    }

    #[test]
    fn the_write_path_and_the_migration_store_the_same_facts() {
        let mut cases = vec![base()];
        let mut bare = base();
        bare["stage"] = json!("scored");
        bare["reasons"] = json!([]);
        bare["comment"] = json!("   ");
        bare["contact"] = serde_json::Value::Null;
        bare["context"] = json!({});
        cases.push(bare);
        let mut dismissed = base();
        dismissed["stage"] = json!("dismissed");
        dismissed["score"] = serde_json::Value::Null;
        dismissed["category"] = serde_json::Value::Null;
        dismissed["reasons"] = json!([]);
        dismissed["comment"] = serde_json::Value::Null;
        dismissed["contact"] = serde_json::Value::Null;
        cases.push(dismissed);
        for v in cases {
            let r = response(v);
            let written = Facts::of(&r);
            assert_eq!(Facts::of_body(&r.to_json()), Some(written.clone()));
        }
        let f = Facts::of(&response(base()));
        assert_eq!(f.dims[Dimension::Store.index()].as_deref(), Some("SZ-FT"));
        assert_eq!(f.dims[Dimension::Model.index()], None);
        assert_eq!(f.marks, i64::from(COMMENT | PHONE));
        // 08:30 at +08:00 is 00:30 UTC.
        assert_eq!(f.created_min.map(|m| m.rem_euclid(1440)), Some(30));
        assert_eq!(
            reasons(&f.reasons).collect::<Vec<_>>(),
            ["wait_time", "price"]
        );
        assert_eq!(reasons("").count(), 0);
    }

    #[test]
    fn the_backfill_reads_a_large_table_in_pieces_and_leaves_an_unreadable_body() {
        let mut c = rusqlite::Connection::open_in_memory().unwrap();
        crate::storage::migrations::sqlite(&mut c).unwrap();
        let rows = 2 * BACKFILL_PIECE + 7;
        for n in 0..rows {
            let mut v = base();
            v["id"] = json!(format!("00000000-0000-4000-8000-{n:012}"));
            let body = match n {
                5 => "not an answer".to_owned(),
                _ => response(v.clone()).to_json(),
            };
            c.execute(
                "INSERT INTO responses (id, survey, stage, stage_rank, updated_ns, body,
                   received_at, received_ns) VALUES (?1, 'after-sales', 'completed', 2, 0, ?2,
                   '2026-03-01T00:31:00Z', 0)",
                rusqlite::params![v["id"].as_str().unwrap(), body],
            )
            .unwrap();
        }
        backfill_sqlite(&c).unwrap();
        let missing: i64 = c
            .query_row(
                "SELECT COUNT(*) FROM responses WHERE created_min IS NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let stores: i64 = c
            .query_row(
                "SELECT COUNT(*) FROM responses WHERE cx_store = 'SZ-FT'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!((missing, stores), (1, rows - 1));
    }

    #[test]
    fn a_body_that_is_not_an_answer_has_no_facts() {
        assert_eq!(Facts::of_body("not json"), None);
        assert_eq!(Facts::of_body("[1, 2]"), None);
    }

    #[test]
    fn the_update_names_every_column_once() {
        assert_eq!(
            update_sql("?", 1),
            "UPDATE responses SET cx_store = ?2, cx_advisor = ?3, cx_model = ?4, \
             cx_service_type = ?5, cx_touchpoint = ?6, reason_list = ?7, created_min = ?8, \
             body_marks = ?9 WHERE id = ?1"
        );
    }
}
