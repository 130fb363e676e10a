//! The SQLite engine's statements, each in the caller's connection or transaction: the rows
//! the upsert decision reads and the writes it says to make (`decision`), the purge of
//! phones past their retention, and the reads of the export and the landing
//! pages.

use std::sync::LazyLock;

use rusqlite::{params, Connection, OptionalExtension};

use crate::storage::cases::hook;
use crate::storage::decision::{decide, Decision, Incoming, Stored, Write, ANSWERS};
use crate::storage::facts::{self, Fact};
use crate::storage::types::commented_sql;
use crate::storage::{Admission, Body, Flag, Now, Row, Selection, StoreError, Upsert};
use nps_core::contract::columns::PHONE;
use nps_core::contract::payload::Response;

/// Another response than `id` that answered this visit.
fn answered_by_other(
    conn: &Connection,
    survey: &str,
    visit: &str,
    id: &str,
) -> Result<bool, StoreError> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT 1 FROM responses WHERE survey = ?1 AND visit = ?2 AND id != ?3
                   AND {ANSWERS} LIMIT 1"
            ),
            params![survey, visit, id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

fn stored(conn: &Connection, id: &str) -> Result<Option<Stored>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT survey, stage_rank, updated_ns, body, COALESCE(received_ns, 0), flag, visit,
               key_hash
             FROM responses WHERE id = ?1",
            [id],
            |row| {
                Ok(Stored {
                    survey: row.get(0)?,
                    rank: row.get(1)?,
                    updated_ns: row.get(2)?,
                    body: row.get(3)?,
                    received_ns: row.get(4)?,
                    flag: row.get(5)?,
                    visit: row.get(6)?,
                    key_hash: row.get(7)?,
                })
            },
        )
        .optional()?)
}

/// One response stored by the rules of `decision`, in the caller's transaction.
pub fn upsert(
    conn: &Connection,
    r: &Response,
    now: &Now,
    flag: Flag,
    admission: Admission,
) -> Result<Upsert, StoreError> {
    let incoming = Incoming::new(r, now, flag).marked(admission.marks);
    let r = &incoming.response;
    let existing = stored(conn, &r.id)?;
    let answered = match incoming.answered_visit() {
        Some(v) => answered_by_other(conn, &r.survey, v, &r.id)?,
        None => false,
    };
    let decision = decide(existing.as_ref(), &incoming, answered, admission, now);
    match &decision {
        Decision::Insert(w) => {
            insert(conn, &incoming, now, w)?;
            case_hook(conn, &incoming, w, &admission, now.ns, now)?;
        }
        Decision::Update(w) => {
            update(conn, &incoming, now, w)?;
            let received_ns = existing.as_ref().map_or(now.ns, |e| e.received_ns);
            case_hook(conn, &incoming, w, &admission, received_ns, now)?;
        }
        _ => {}
    }
    Ok(decision.outcome())
}

/// The case the stored answer opens or updates, with its alerts, in the same transaction.
fn case_hook(
    conn: &Connection,
    i: &Incoming,
    w: &Write,
    admission: &Admission,
    received_ns: i64,
    now: &Now,
) -> Result<(), StoreError> {
    let r = &i.response;
    let mut done = Vec::new();
    super::run_all(conn, &hook::reads(r, admission), &mut done)?;
    let writes = hook::writes(&done, r, w.flag.as_deref(), admission, received_ns, now)?;
    super::run_all(conn, &writes, &mut done)
}

fn insert(conn: &Connection, i: &Incoming, now: &Now, w: &Write) -> Result<(), StoreError> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        let (names, marks) = facts::insert_list("?", 17);
        format!(
            "INSERT INTO responses (id, survey, stage, stage_rank, score, category, updated_ns,
               body, received_at, received_ns, changed_at, flag, purge_after_ns, visit, key_hash,
               device, net, {names})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?9, ?11, ?12, ?13, ?14, ?15, ?16,
               {marks})"
        )
    });
    let r = &i.response;
    let (stage, score) = (r.stage.as_str(), r.score.map(|s| s.get()));
    let category = r.category().map(|c| c.as_str());
    let mut values: Vec<&dyn rusqlite::ToSql> = vec![
        &r.id,
        &r.survey,
        &stage,
        &i.rank,
        &score,
        &category,
        &i.updated_ns,
        &i.body,
        &now.at,
        &now.ns,
        &w.flag,
        &w.purge_after_ns,
        &i.visit,
        &w.key_hash,
        &i.marks.0,
        &i.marks.1,
    ];
    values.extend(i.facts.sqlite_values());
    conn.prepare_cached(&SQL)?.execute(values.as_slice())?;
    Ok(())
}

fn update(conn: &Connection, i: &Incoming, now: &Now, w: &Write) -> Result<(), StoreError> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "UPDATE responses SET stage = ?2, stage_rank = ?3, score = ?4, category = ?5,
               updated_ns = ?6, body = ?7, changed_at = ?8, flag = ?9, purge_after_ns = ?10,
               key_hash = ?11, device = COALESCE(device, ?12), net = COALESCE(net, ?13), {}
             WHERE id = ?1",
            facts::update_list("?", 14)
        )
    });
    let r = &i.response;
    let (stage, score) = (r.stage.as_str(), r.score.map(|s| s.get()));
    let category = r.category().map(|c| c.as_str());
    let mut values: Vec<&dyn rusqlite::ToSql> = vec![
        &r.id,
        &stage,
        &i.rank,
        &score,
        &category,
        &i.updated_ns,
        &i.body,
        &now.at,
        &w.flag,
        &w.purge_after_ns,
        &w.key_hash,
        &i.marks.0,
        &i.marks.1,
    ];
    values.extend(i.facts.sqlite_values());
    conn.prepare_cached(&SQL)?.execute(values.as_slice())?;
    Ok(())
}

/// Removes the phone from every response whose retention period has passed at `now`; the
/// score, reasons and comment stay. Returns how many were purged.
pub fn purge(conn: &Connection, now: &Now) -> Result<usize, StoreError> {
    Ok(conn.execute(
        "UPDATE responses SET body = json_set(body, '$.contact', json('null')),
           purge_after_ns = NULL, changed_at = ?2, body_marks = body_marks & ~?3
         WHERE purge_after_ns IS NOT NULL AND purge_after_ns <= ?1",
        params![now.ns, now.at, PHONE],
    )?)
}

/// Calls `each` with every selected response, oldest first, one row at a time (the table is
/// never held in memory); stops early when `each` returns false.
pub fn scan(
    conn: &Connection,
    sel: &Selection,
    mut each: impl FnMut(Row) -> bool,
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT body, received_at, COALESCE(changed_at, received_at), flag
         FROM responses
         WHERE (?1 IS NULL OR survey = ?1) AND (?2 IS NULL OR received_ns >= ?2)
           AND (?3 IS NULL OR received_ns < ?3) AND {}
         ORDER BY received_ns, id",
        commented_sql("?4")
    ))?;
    let mut rows = stmt.query(params![
        sel.survey,
        sel.since_ns,
        sel.until_ns,
        i64::from(sel.commented)
    ])?;
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

/// Calls `each` with the facts of every selected answer (`facts::Fact`, borrowed from the
/// row), oldest first, one row at a time: read from the covering index alone; the body is
/// read, by id, only for a row whose facts are missing.
pub fn scan_facts(
    conn: &Connection,
    sel: &Selection,
    mut each: impl FnMut(&Fact),
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare(&facts_sql())?;
    let mut body_of = conn.prepare("SELECT body FROM responses WHERE id = ?1")?;
    let mut rows = stmt.query(params![
        sel.survey,
        sel.since_ns,
        sel.until_ns,
        i64::from(sel.commented)
    ])?;
    while let Some(row) = rows.next()? {
        let mut dims = [""; 5];
        for (i, d) in dims.iter_mut().enumerate() {
            *d = text(row, 3 + i)?.unwrap_or("");
        }
        let id = text(row, 0)?.unwrap_or("");
        let created_min = int(row, 9)?;
        let body: Option<String> = match created_min {
            None => body_of.query_row([id], |r| r.get(0)).optional()?,
            Some(_) => None,
        };
        each(&Fact {
            id,
            survey: text(row, 1)?.unwrap_or(""),
            score: int(row, 2)?,
            dims,
            reasons: text(row, 8)?.unwrap_or(""),
            created_min,
            received_ns: int(row, 10)?.unwrap_or(0),
            flag: text(row, 11)?,
            marks: int(row, 12)?.unwrap_or(0),
            body: body.as_deref(),
        });
    }
    Ok(())
}

/// The facts' scan: from the covering index (`facts::index`) alone.
pub(crate) fn facts_sql() -> String {
    format!(
        "SELECT {} FROM responses INDEXED BY responses_facts
         WHERE (?1 IS NULL OR survey = ?1) AND (?2 IS NULL OR received_ns >= ?2)
           AND (?3 IS NULL OR received_ns < ?3) AND {}
         ORDER BY received_ns, id",
        facts::select_list(),
        commented_sql("?4")
    )
}

/// The bodies and flags of these ids (those stored), in no order.
pub fn bodies(conn: &Connection, ids: &[String]) -> Result<Vec<Body>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; ids.len()].join(", ");
    let mut stmt = conn.prepare(&format!(
        "SELECT id, body, flag FROM responses WHERE id IN ({marks})"
    ))?;
    let rows = stmt.query_map(rusqlite::params_from_iter(ids), |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A column's text, borrowed from the row (`None` for NULL).
fn text<'r>(row: &'r rusqlite::Row, i: usize) -> Result<Option<&'r str>, StoreError> {
    row.get_ref(i)?
        .as_str_or_null()
        .map_err(|e| StoreError::Sql {
            message: format!("column {i}: {e}"),
        })
}

fn int(row: &rusqlite::Row, i: usize) -> Result<Option<i64>, StoreError> {
    row.get_ref(i)?
        .as_i64_or_null()
        .map_err(|e| StoreError::Sql {
            message: format!("column {i}: {e}"),
        })
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
    answered_by_other(conn, survey, visit, "")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_facts_scan_reads_the_covering_index_alone_in_its_order() {
        let mut c = rusqlite::Connection::open_in_memory().unwrap();
        crate::storage::migrations::sqlite(&mut c).unwrap();
        let plan: Vec<String> = c
            .prepare(&format!("EXPLAIN QUERY PLAN {}", super::facts_sql()))
            .unwrap()
            .query_map(
                rusqlite::params![None::<String>, None::<i64>, None::<i64>, 0],
                |r| r.get(3),
            )
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            plan,
            ["SCAN responses USING COVERING INDEX responses_facts"]
        );
    }
}
