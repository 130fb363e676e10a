//! Versioned migrations for both engines. Each database keeps the steps it has taken in
//! `schema_migrations` (version, what, when); at start the collector takes the missing ones,
//! in order, in one transaction, so a failed step leaves the database as it was.
//!
//! SQLite: the steps 1 to 5 are the columns and indexes earlier versions added without a
//! version ("ADDED"), so a file made by any earlier collector, which has no
//! `schema_migrations`, is brought up to date: each step adds only what is missing. The
//! transaction is `IMMEDIATE`: a second process opening the file waits for it.
//!
//! PostgreSQL: the schema as it is now, in one step, then the steps after it. Collectors that
//! start together do not race: the transaction takes an advisory lock first
//! (`pg_advisory_xact_lock`), so one migrates and the others find it done.

use nps_core::contract::payload::Response;
use rusqlite::{params, Connection, TransactionBehavior};

use super::decision::{purge_after, ANSWERS};
use super::StoreError;

/// A SQLite step: its version, what it does, and the work.
struct Step {
    version: i64,
    what: &'static str,
    run: fn(&Connection) -> rusqlite::Result<()>,
}

/// The SQLite steps, in order.
const SQLITE: &[Step] = &[
    Step {
        version: 1,
        what: "the responses table",
        run: |c| {
            c.execute_batch(
                "CREATE TABLE IF NOT EXISTS responses (
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
                CREATE INDEX IF NOT EXISTS responses_survey ON responses (survey, received_at);",
            )
        },
    },
    Step {
        version: 2,
        what: "when each response was first stored and last changed, its flag, its phone's end",
        run: |c| {
            for (name, ty) in [
                ("received_ns", "INTEGER"),
                ("changed_at", "TEXT"),
                ("flag", "TEXT"),
                ("purge_after_ns", "INTEGER"),
            ] {
                add_column(c, name, ty)?;
            }
            backfill_received(c)
        },
    },
    Step {
        version: 3,
        what: "the visit each response is for",
        run: |c| {
            if add_column(c, "visit", "TEXT")? {
                c.execute_batch(
                    "UPDATE responses SET visit = json_extract(body, '$.context.visit')",
                )?;
            }
            c.execute_batch(
                "CREATE INDEX IF NOT EXISTS responses_visit ON responses (survey, visit)
                 WHERE visit IS NOT NULL",
            )
        },
    },
    Step {
        version: 4,
        what: "the hash of each response's write key",
        run: |c| add_column(c, "key_hash", "TEXT").map(drop),
    },
    Step {
        version: 5,
        what: "the export's order",
        run: |c| {
            c.execute_batch(
                "CREATE INDEX IF NOT EXISTS responses_received ON responses (received_ns, id)",
            )
        },
    },
    Step {
        version: 6,
        what: "one answer per visit, in the schema",
        run: |c| {
            c.execute_batch(&format!(
                "{SECOND_ANSWERS}; CREATE UNIQUE INDEX IF NOT EXISTS responses_one_answer
                 ON responses (survey, visit) WHERE {ANSWERS}"
            ))
        },
    },
];

/// Before the index that keeps one answer per visit: answers stored by a collector from
/// before the rule (or by two writers) beyond the first for a visit are kept, flagged
/// `second_answer` (not counted), so the index can be built.
const SECOND_ANSWERS: &str = "UPDATE responses AS r SET flag = 'second_answer'
     WHERE score IS NOT NULL AND flag IS NULL AND visit IS NOT NULL AND EXISTS (
       SELECT 1 FROM responses AS o WHERE o.survey = r.survey AND o.visit = r.visit
         AND o.score IS NOT NULL AND o.flag IS NULL
         AND (o.received_ns < r.received_ns OR (o.received_ns = r.received_ns AND o.id < r.id)))";

/// The PostgreSQL steps, in order: (version, what, SQL; `{ANSWERS}` stands for `ANSWERS`).
const POSTGRES: &[(i64, &str, &str)] = &[(
    1,
    "the responses table, its indexes, one answer per visit",
    "CREATE TABLE responses (
        id             TEXT PRIMARY KEY,
        survey         TEXT NOT NULL,
        stage          TEXT NOT NULL,
        stage_rank     INTEGER NOT NULL,
        score          INTEGER,
        category       TEXT,
        updated_ns     BIGINT NOT NULL,
        body           TEXT NOT NULL,
        received_at    TEXT NOT NULL,
        received_ns    BIGINT NOT NULL,
        changed_at     TEXT NOT NULL,
        flag           TEXT,
        purge_after_ns BIGINT,
        visit          TEXT,
        key_hash       TEXT
    );
    CREATE INDEX responses_survey ON responses (survey, received_ns, id);
    CREATE INDEX responses_received ON responses (received_ns, id);
    CREATE INDEX responses_purge ON responses (purge_after_ns) WHERE purge_after_ns IS NOT NULL;
    CREATE UNIQUE INDEX responses_one_answer ON responses (survey, visit) WHERE {ANSWERS}",
)];

/// The newest version each engine knows.
pub fn latest_sqlite() -> i64 {
    SQLITE.last().map_or(0, |s| s.version)
}

pub fn latest_postgres() -> i64 {
    POSTGRES.last().map_or(0, |s| s.0)
}

const VERSIONS: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version    BIGINT PRIMARY KEY,
    what       TEXT NOT NULL,
    applied_at TEXT NOT NULL
)";

/// Adds a column unless the table has it; true if added.
fn add_column(c: &Connection, name: &str, ty: &str) -> rusqlite::Result<bool> {
    let have: bool = c.query_row(
        "SELECT EXISTS (SELECT 1 FROM pragma_table_info('responses') WHERE name = ?1)",
        [name],
        |r| r.get(0),
    )?;
    if !have {
        c.execute_batch(&format!("ALTER TABLE responses ADD COLUMN {name} {ty}"))?;
    }
    Ok(!have)
}

/// Rows stored before `received_ns`: their received time in ns, and when their phone must go.
fn backfill_received(c: &Connection) -> rusqlite::Result<()> {
    let old: Vec<(String, String, String)> = c
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
        c.execute(
            "UPDATE responses SET received_ns = ?2, changed_at = received_at, purge_after_ns = ?3
             WHERE id = ?1",
            params![id, ns, purge],
        )?;
    }
    Ok(())
}

/// Brings a SQLite database up to date; the version it is at.
pub fn sqlite(conn: &mut Connection) -> Result<i64, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch(VERSIONS)?;
    let at: i64 = tx.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )?;
    let known = latest_sqlite();
    if at > known {
        return Err(StoreError::TooNew { version: at, known });
    }
    for step in SQLITE.iter().filter(|s| s.version > at) {
        (step.run)(&tx).map_err(|e| StoreError::Migrate {
            version: step.version,
            message: e.to_string(),
        })?;
        tx.execute(
            "INSERT INTO schema_migrations (version, what, applied_at) VALUES (?1, ?2, ?3)",
            params![step.version, step.what, super::Now::system().at],
        )?;
    }
    tx.commit()?;
    Ok(known)
}

/// The advisory lock every collector's migration takes first ("nps" "mig" as a number).
const LOCK: i64 = 0x006e_7073_5f6d_6967;

/// Brings a PostgreSQL database up to date, whoever else starts at the same moment; the
/// version it is at.
pub async fn postgres(client: &mut tokio_postgres::Client) -> Result<i64, StoreError> {
    let fail = |version: i64| {
        move |e: tokio_postgres::Error| StoreError::Migrate {
            version,
            message: super::postgres::message(&e),
        }
    };
    let tx = client.transaction().await.map_err(fail(0))?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK])
        .await
        .map_err(fail(0))?;
    tx.batch_execute(VERSIONS).await.map_err(fail(0))?;
    let at: i64 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            &[],
        )
        .await
        .map_err(fail(0))?
        .get(0);
    let known = latest_postgres();
    if at > known {
        return Err(StoreError::TooNew { version: at, known });
    }
    for (version, what, sql) in POSTGRES.iter().filter(|s| s.0 > at) {
        tx.batch_execute(&sql.replace("{ANSWERS}", ANSWERS))
            .await
            .map_err(fail(*version))?;
        tx.execute(
            "INSERT INTO schema_migrations (version, what, applied_at) VALUES ($1, $2, $3)",
            &[version, what, &super::Now::system().at],
        )
        .await
        .map_err(fail(*version))?;
    }
    tx.commit().await.map_err(fail(known))?;
    Ok(known)
}
