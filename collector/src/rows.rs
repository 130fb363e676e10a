//! The `responses` table: its schema and migrations, and the statements the store's writer
//! runs (upsert, purge of phones past their retention, delete), each in the caller's
//! transaction.
//!
//! Upsert rules: an id belongs to the survey it was first stored for (another survey's post
//! with it is a conflict); the same body again is a duplicate; a lower stage rank, or at the
//! same rank an `updated_at` that is not later, is stale and changes nothing; anything else
//! replaces the stored response. A client's `updated_at` is bounded by the server's clock
//! when stored, so a time far in the future cannot freeze a response. `received_at` is when
//! the response was first stored, `changed_at` when it last changed.
//!
//! One answer per visit: a response with a score (`Response::answers`, whatever its stage) may
//! not be stored for a (survey, visit) that another id already answered with a score and no
//! flag (`Answered`); a response's visit, like its survey, is fixed by its first post
//! (`VisitChanged`); and a signed link's expiry closes it to new ids, not to the one already
//! started (`Expired`). Only whoever holds a response's write key may change it (`Key`, the
//! table in `write_key`).

use nps_core::config::keys::RETENTION_DAYS;
use nps_core::contract::payload::Response;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::store::StoreError;
use crate::write_key::KeyRefusal;

mod upsert;
pub use upsert::upsert;

/// One day in nanoseconds.
const DAY_NS: i64 = 86_400_000_000_000;

/// A moment on the server's clock: RFC 3339 for people, nanoseconds for comparisons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Now {
    pub at: String,
    pub ns: i64,
}

impl Now {
    /// The server's clock now.
    pub fn system() -> Now {
        Now::from_time(time::OffsetDateTime::now_utc())
    }

    pub fn from_time(t: time::OffsetDateTime) -> Now {
        let format = time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
        );
        Now {
            at: t.format(&format).unwrap_or_default(),
            ns: t.unix_timestamp_nanos().clamp(0, i64::MAX as i128) as i64,
        }
    }
}

/// What an upsert did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Upsert {
    Created,
    Updated,
    Duplicate,
    Stale,
    /// The id is stored for another survey; nothing changed.
    Conflict,
    /// Another response already answered this visit; nothing changed.
    Answered,
    /// A new response after its link expired; nothing stored.
    Expired,
    /// A post that drops or changes the visit its response was first stored for; nothing
    /// changed.
    VisitChanged,
    /// The post may not write this response (`write_key`); nothing changed.
    Key(KeyRefusal),
}

/// What may be stored besides the upsert rules: a new id only until `new_until_ns` (a
/// signed link's expiry); posts without a write key only before `keyless_until_ns`
/// (`--keyless-until`; `None`: never).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Admission {
    pub new_until_ns: Option<i64>,
    pub keyless_until_ns: Option<i64>,
}

/// Why a response is kept but not counted.
pub type Flag = Option<&'static str>;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS responses (
    id          TEXT PRIMARY KEY,
    survey      TEXT NOT NULL,
    stage       TEXT NOT NULL,
    stage_rank  INTEGER NOT NULL,
    score       INTEGER,
    category    TEXT,
    updated_ns  INTEGER NOT NULL,
    body        TEXT NOT NULL,
    received_at TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS responses_survey ON responses (survey, received_at);
";

/// Columns added since the first schema: (name, type).
const ADDED: &[(&str, &str)] = &[
    ("received_ns", "INTEGER"),
    ("changed_at", "TEXT"),
    ("flag", "TEXT"),
    ("purge_after_ns", "INTEGER"),
    ("visit", "TEXT"),
    ("key_hash", "TEXT"),
];

/// Creates the table, or brings an older one up to date.
pub fn migrate(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(SCHEMA)?;
    let have: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('responses')")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for (name, ty) in ADDED {
        if !have.iter().any(|h| h == name) {
            conn.execute_batch(&format!("ALTER TABLE responses ADD COLUMN {name} {ty}"))?;
            if *name == "visit" {
                conn.execute_batch(
                    "UPDATE responses SET visit = json_extract(body, '$.context.visit')",
                )?;
            }
        }
    }
    conn.execute_batch(
        "CREATE INDEX IF NOT EXISTS responses_visit ON responses (survey, visit)
         WHERE visit IS NOT NULL;
         CREATE INDEX IF NOT EXISTS responses_received ON responses (received_ns, id);",
    )?;
    // Rows stored before: their received time in ns, and when their phone must go.
    let old: Vec<(String, String, String)> = conn
        .prepare("SELECT id, received_at, body FROM responses WHERE received_ns IS NULL")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    for (id, received_at, body) in old {
        let ns = nps_core::contract::time::Time::parse(&received_at)
            .map(|t| t.unix_ns() as i64)
            .unwrap_or(0);
        let purge = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| Response::parse(&v).ok())
            .and_then(|r| purge_after(&r, ns));
        conn.execute(
            "UPDATE responses SET received_ns = ?2, changed_at = received_at, purge_after_ns = ?3
             WHERE id = ?1",
            params![id, ns, purge],
        )?;
    }
    Ok(())
}

/// When a response's phone must be deleted: first received plus the retention its consent
/// text promised (the widget's default where the body does not say).
fn purge_after(r: &Response, received_ns: i64) -> Option<i64> {
    let days = r
        .contact
        .as_ref()?
        .retention_days
        .unwrap_or_else(|| RETENTION_DAYS.default_int());
    Some(received_ns.saturating_add(days as i64 * DAY_NS))
}

/// Removes the phone from every response whose retention period has passed at `now`; the
/// score, reasons and comment stay. Returns how many were purged.
pub fn purge(tx: &Transaction<'_>, now: &Now) -> Result<usize, StoreError> {
    Ok(tx.execute(
        "UPDATE responses SET body = json_set(body, '$.contact', json('null')),
           purge_after_ns = NULL, changed_at = ?2
         WHERE purge_after_ns IS NOT NULL AND purge_after_ns <= ?1",
        params![now.ns, now.at],
    )?)
}

/// Deletes one response; true if it was stored.
pub fn delete(tx: &Transaction<'_>, id: &str) -> Result<bool, StoreError> {
    Ok(tx.execute(
        "DELETE FROM responses WHERE id = ?1",
        [id.to_ascii_lowercase()],
    )? > 0)
}

/// One stored response as the API lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The canonical JSON body.
    pub body: String,
    pub received_at: String,
    pub changed_at: String,
    pub flag: Option<String>,
}

/// Which stored responses an export holds: one survey, and a window of the time each was
/// first stored (`since` inclusive, `until` exclusive, in ns since the epoch).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    pub survey: Option<String>,
    pub since_ns: Option<i64>,
    pub until_ns: Option<i64>,
}

/// Calls `each` with every selected response, oldest first, one row at a time (the table is
/// never held in memory); stops early when `each` returns false.
pub fn scan(
    conn: &Connection,
    sel: &Selection,
    mut each: impl FnMut(Row) -> bool,
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare(
        "SELECT body, received_at, COALESCE(changed_at, received_at), flag
         FROM responses
         WHERE (?1 IS NULL OR survey = ?1) AND (?2 IS NULL OR received_ns >= ?2)
           AND (?3 IS NULL OR received_ns < ?3)
         ORDER BY received_ns, id",
    )?;
    let mut rows = stmt.query(rusqlite::params![sel.survey, sel.since_ns, sel.until_ns])?;
    while let Some(row) = rows.next()? {
        let row = Row {
            body: row.get(0)?,
            received_at: row.get(1)?,
            changed_at: row.get(2)?,
            flag: row.get(3)?,
        };
        if !each(row) {
            break;
        }
    }
    Ok(())
}

/// Every stored response, oldest first.
pub fn all(conn: &Connection) -> Result<Vec<Row>, StoreError> {
    let mut out = Vec::new();
    scan(conn, &Selection::default(), |row| {
        out.push(row);
        true
    })?;
    Ok(out)
}

/// One stored response's body, by id.
pub fn body(conn: &Connection, id: &str) -> Result<Option<String>, StoreError> {
    Ok(keyed_body(conn, id)?.map(|(body, _)| body))
}

/// One stored response's body and the hash of its write key (`None`: stored without one).
pub fn keyed_body(
    conn: &Connection,
    id: &str,
) -> Result<Option<(String, Option<String>)>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT body, key_hash FROM responses WHERE id = ?1",
            [id.to_ascii_lowercase()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// Whether a response answered this visit of this survey (a score, no flag).
pub fn visit_answered(conn: &Connection, survey: &str, visit: &str) -> Result<bool, StoreError> {
    upsert::answered_by_other(conn, survey, visit, "")
}
