//! SQLite storage: one writer thread with group commit, upsert by `id`.
//!
//! Every accepted post waits for the commit of the transaction that holds it, so a 2xx
//! means the row is on disk (WAL with `synchronous = FULL`). Posts that arrive while a
//! commit is under way are batched into the next transaction: one fsync serves many.
//!
//! Upsert rules: a new id is created; the same body again is a duplicate; a lower stage
//! rank (or, at the same rank, an older `updated_at`) is stale and changes nothing;
//! anything else replaces the stored response.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;

use nps_widget::payload::Response;
use rusqlite::{params, Connection, OptionalExtension};
use tokio::sync::oneshot;

/// Most posts in one transaction.
const MAX_BATCH: usize = 512;

/// What an upsert did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Upsert {
    Created,
    Updated,
    Duplicate,
    Stale,
}

/// A storage failure. Logged by the collector; clients hear only that it failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreError {
    /// The database file could not be opened or set up.
    Open { path: PathBuf, message: String },
    /// A statement failed (disk full, locked by another program, a damaged file).
    Sql { message: String },
    /// The commit of a batch failed; none of its posts is stored.
    Commit { message: String },
    /// The writer thread has stopped (the process is shutting down).
    WriterStopped,
    /// The writer thread could not be started.
    Start { message: String },
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Open { path, message } => {
                write!(f, "cannot open the database {}: {message}", path.display())
            }
            StoreError::Sql { message } => write!(f, "database error: {message}"),
            StoreError::Commit { message } => write!(f, "commit failed: {message}"),
            StoreError::WriterStopped => f.write_str("the database writer has stopped"),
            StoreError::Start { message } => {
                write!(f, "cannot start the database writer: {message}")
            }
        }
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sql {
            message: e.to_string(),
        }
    }
}

struct Job {
    response: Response,
    received_at: String,
    reply: oneshot::Sender<Result<Upsert, StoreError>>,
}

/// A handle to the store; cheap to clone.
#[derive(Clone)]
pub struct Store {
    path: PathBuf,
    jobs: mpsc::SyncSender<Job>,
}

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

fn open(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(|e| StoreError::Open {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(conn)
}

/// `updated_at` as nanoseconds since the epoch, for ordering posts of one id.
fn updated_ns(r: &Response) -> i64 {
    time::OffsetDateTime::parse(
        &r.updated_at,
        &time::format_description::well_known::Rfc3339,
    )
    .map(|t| {
        t.unix_timestamp_nanos()
            .clamp(i64::MIN as i128, i64::MAX as i128) as i64
    })
    .unwrap_or(0)
}

fn upsert(
    tx: &rusqlite::Transaction<'_>,
    r: &Response,
    received_at: &str,
) -> Result<Upsert, StoreError> {
    let body = r.to_json();
    let rank = r.stage.rank() as i64;
    let ns = updated_ns(r);
    let existing: Option<(i64, i64, String)> = tx
        .query_row(
            "SELECT stage_rank, updated_ns, body FROM responses WHERE id = ?1",
            [&r.id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?;
    let outcome = match existing {
        None => Upsert::Created,
        Some((_, _, stored)) if stored == body => return Ok(Upsert::Duplicate),
        Some((old_rank, old_ns, _)) if rank < old_rank || (rank == old_rank && ns < old_ns) => {
            return Ok(Upsert::Stale)
        }
        Some(_) => Upsert::Updated,
    };
    tx.execute(
        "INSERT INTO responses (id, survey, stage, stage_rank, score, category, updated_ns, body, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (id) DO UPDATE SET survey = excluded.survey, stage = excluded.stage,
           stage_rank = excluded.stage_rank, score = excluded.score, category = excluded.category,
           updated_ns = excluded.updated_ns, body = excluded.body, received_at = excluded.received_at",
        params![r.id, r.survey, r.stage.as_str(), rank, r.score, r.category, ns, body, received_at],
    )?;
    Ok(outcome)
}

fn writer(mut conn: Connection, jobs: mpsc::Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        let results = commit_batch(&mut conn, &batch);
        for (job, result) in batch.into_iter().zip(results) {
            let _ = job.reply.send(result);
        }
    }
}

/// One transaction for the batch; on a failed commit every job in it fails.
fn commit_batch(conn: &mut Connection, batch: &[Job]) -> Vec<Result<Upsert, StoreError>> {
    let tx = match conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => {
            let e = StoreError::from(e);
            return batch.iter().map(|_| Err(e.clone())).collect();
        }
    };
    let mut results: Vec<Result<Upsert, StoreError>> = Vec::with_capacity(batch.len());
    for job in batch {
        results.push(upsert(&tx, &job.response, &job.received_at));
    }
    if let Err(e) = tx.commit() {
        let message = e.to_string();
        return batch
            .iter()
            .map(|_| {
                Err(StoreError::Commit {
                    message: message.clone(),
                })
            })
            .collect();
    }
    results
}

impl Store {
    /// Opens (or creates) the database and starts the writer thread.
    pub fn open(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        let path = path.as_ref().to_path_buf();
        let conn = open(&path)?;
        conn.execute_batch(SCHEMA)?;
        let (tx, rx) = mpsc::sync_channel(4096);
        thread::Builder::new()
            .name("nps-store-writer".into())
            .spawn(move || writer(conn, rx))
            .map_err(|e| StoreError::Start {
                message: e.to_string(),
            })?;
        Ok(Store { path, jobs: tx })
    }

    /// Stores a response; resolves once it is committed to disk.
    pub async fn upsert(
        &self,
        response: Response,
        received_at: String,
    ) -> Result<Upsert, StoreError> {
        let (reply, wait) = oneshot::channel();
        let jobs = self.jobs.clone();
        let job = Job {
            response,
            received_at,
            reply,
        };
        // The channel is bounded: a full queue waits on a blocking thread, not the runtime.
        tokio::task::spawn_blocking(move || jobs.send(job))
            .await
            .map_err(|_| StoreError::WriterStopped)?
            .map_err(|_| StoreError::WriterStopped)?;
        wait.await.map_err(|_| StoreError::WriterStopped)?
    }

    /// Every stored response: (canonical JSON body, received_at), oldest first.
    pub async fn all(&self) -> Result<Vec<(String, String)>, StoreError> {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let conn = open(&path)?;
            let mut stmt =
                conn.prepare("SELECT body, received_at FROM responses ORDER BY received_at, id")?;
            let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
            rows.collect::<Result<Vec<_>, _>>()
                .map_err(StoreError::from)
        })
        .await
        .map_err(|_| StoreError::WriterStopped)?
    }

    /// True when the database answers.
    pub async fn healthy(&self) -> bool {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            open(&path)
                .and_then(|c| Ok(c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?))
                .is_ok()
        })
        .await
        .unwrap_or(false)
    }
}
