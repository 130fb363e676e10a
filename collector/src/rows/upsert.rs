//! The upsert: one response stored by the rules in the module doc of `rows`, in the caller's
//! transaction.

use nps_core::contract::payload::Response;
use nps_core::contract::time::Time;
use nps_core::scoring::score::{Category, Score};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::{purge_after, Admission, Flag, Now, Upsert};
use crate::store::StoreError;
use crate::write_key::{self, Held};

/// `updated_at` in ns, bounded by the server's clock.
fn order_ns(r: &Response, now: &Now) -> i64 {
    Time::parse(&r.updated_at)
        .map(|t| t.unix_ns().clamp(0, i64::MAX as i128) as i64)
        .unwrap_or(0)
        .min(now.ns)
}

/// The stored form of `Response::answers` (a score, whatever the stage), for rows that count:
/// a flagged row (too fast, a honeypot) never answers a visit, so a bot cannot lock one.
const ANSWERS: &str = "score IS NOT NULL AND flag IS NULL";

/// Another response than `id` that answered this visit.
pub(super) fn answered_by_other(
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

/// A stored response, as the upsert rules read it.
struct Stored {
    survey: String,
    rank: i64,
    updated_ns: i64,
    body: String,
    received_ns: i64,
    flag: Option<String>,
    visit: Option<String>,
    key_hash: Option<String>,
}

fn stored(tx: &Transaction<'_>, id: &str) -> Result<Option<Stored>, StoreError> {
    Ok(tx
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

pub fn upsert(
    tx: &Transaction<'_>,
    r: &Response,
    now: &Now,
    flag: Flag,
    admission: Admission,
) -> Result<Upsert, StoreError> {
    // The key is checked, then kept only as a hash: the stored body never holds it.
    let given_key = r.write_key.as_deref();
    let r = &Response {
        write_key: None,
        ..r.clone()
    };
    let body = r.to_json();
    let visit = r.context.get(nps_core::contract::rules::VISIT);
    let rank = r.stage.rank() as i64;
    let ns = order_ns(r, now);
    let existing = stored(tx, &r.id)?;
    let held = match &existing {
        Some(e) if e.survey != r.survey => return Ok(Upsert::Conflict),
        Some(e) => e.key_hash.as_deref().map_or(Held::Keyless, Held::Hash),
        None if admission.new_until_ns.is_some_and(|until| now.ns > until) => {
            return Ok(Upsert::Expired)
        }
        None => Held::New,
    };
    let keyless_open = admission
        .keyless_until_ns
        .is_some_and(|until| now.ns < until);
    let key_hash = match write_key::decide(held, given_key, keyless_open) {
        Ok(h) => h,
        Err(refusal) => return Ok(Upsert::Key(refusal)),
    };
    if existing.as_ref().is_some_and(|e| e.visit.as_ref() != visit) {
        return Ok(Upsert::VisitChanged);
    }
    if let (true, Some(v)) = (r.answers(), visit) {
        if answered_by_other(tx, &r.survey, v, &r.id)? {
            return Ok(Upsert::Answered);
        }
    }
    let Some(e) = existing else {
        tx.execute(
            "INSERT INTO responses (id, survey, stage, stage_rank, score, category, updated_ns,
               body, received_at, received_ns, changed_at, flag, purge_after_ns, visit, key_hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?9, ?11, ?12, ?13, ?14)",
            params![
                r.id,
                r.survey,
                r.stage.as_str(),
                rank,
                r.score.map(Score::get),
                r.category().map(Category::as_str),
                ns,
                body,
                now.at,
                now.ns,
                flag,
                purge_after(r, now.ns),
                visit,
                key_hash
            ],
        )?;
        return Ok(Upsert::Created);
    };
    if e.body == body && e.key_hash == key_hash {
        return Ok(Upsert::Duplicate);
    }
    if rank < e.rank || (rank == e.rank && ns <= e.updated_ns) {
        return Ok(Upsert::Stale);
    }
    // A flag, once given, stays: a bot's later post does not clear it.
    let flag = e.flag.or(flag.map(str::to_owned));
    tx.execute(
        "UPDATE responses SET stage = ?2, stage_rank = ?3, score = ?4, category = ?5,
           updated_ns = ?6, body = ?7, changed_at = ?8, flag = ?9, purge_after_ns = ?10,
           key_hash = ?11
         WHERE id = ?1",
        params![
            r.id,
            r.stage.as_str(),
            rank,
            r.score.map(Score::get),
            r.category().map(Category::as_str),
            ns,
            body,
            now.at,
            flag,
            purge_after(r, e.received_ns),
            key_hash
        ],
    )?;
    Ok(Upsert::Updated)
}
