//! SQLite storage: one writer thread with group commit; the statements are in `rows.rs`.
//!
//! Every accepted post waits for the commit of the transaction that holds it, so a 2xx
//! means the row is on disk (WAL with `synchronous = FULL`). Posts that arrive while a
//! commit is under way are batched into the next transaction: one fsync serves many. The
//! purge of expired phones and deletions go through the same writer. The export opens its own
//! connection; the landing pages' small reads share one. `healthy` answers from the writer's last result, without touching the disk.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread;

use nps_core::contract::payload::Response;
use rusqlite::Connection;
use tokio::sync::oneshot;

use crate::rows::{self, Admission, Flag, Now, Row, Selection, Upsert};

/// Most jobs in one transaction.
const MAX_BATCH: usize = 512;

/// Rows an export reads ahead of the client.
const STREAM_AHEAD: usize = 256;

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

/// What the writer does in a transaction, and what it answers.
enum Work {
    Upsert(Box<Response>, Now, Flag, Admission),
    Purge(Now),
    Delete(String),
    /// Nothing: answered once every job sent before it is committed.
    Barrier,
}

/// The answer to a `Work`: an upsert's outcome, or a count.
enum Done {
    Upsert(Upsert),
    Count(usize),
}

struct Job {
    work: Work,
    reply: oneshot::Sender<Result<Done, StoreError>>,
}

/// A handle to the store; cheap to clone. When the last handle is dropped, the writer
/// finishes the jobs it has and stops.
#[derive(Clone)]
pub struct Store {
    path: PathBuf,
    jobs: mpsc::SyncSender<Job>,
    healthy: Arc<AtomicBool>,
    /// The connection of the landing pages' reads (one row, one visit), opened when first used.
    reader: Arc<Mutex<Option<Connection>>>,
}

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

fn writer(mut conn: Connection, jobs: mpsc::Receiver<Job>, healthy: Arc<AtomicBool>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        let results = commit_batch(&mut conn, &batch);
        healthy.store(results.iter().all(Result::is_ok), Ordering::Relaxed);
        for (job, result) in batch.into_iter().zip(results) {
            let _ = job.reply.send(result);
        }
    }
}

/// One transaction for the batch; on a failed commit every job in it fails.
fn commit_batch(conn: &mut Connection, batch: &[Job]) -> Vec<Result<Done, StoreError>> {
    let tx = match conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => {
            let e = StoreError::from(e);
            return batch.iter().map(|_| Err(e.clone())).collect();
        }
    };
    let mut results = Vec::with_capacity(batch.len());
    for job in batch {
        results.push(match &job.work {
            Work::Upsert(r, now, flag, admission) => {
                rows::upsert(&tx, r, now, *flag, *admission).map(Done::Upsert)
            }
            Work::Purge(now) => rows::purge(&tx, now).map(Done::Count),
            Work::Delete(id) => rows::delete(&tx, id).map(|d| Done::Count(d as usize)),
            Work::Barrier => Ok(Done::Count(0)),
        });
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
    /// Opens (or creates, or brings up to date) the database and starts the writer thread.
    pub fn open(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        let path = path.as_ref().to_path_buf();
        let conn = open(&path)?;
        rows::migrate(&conn)?;
        let (tx, rx) = mpsc::sync_channel(4096);
        let healthy = Arc::new(AtomicBool::new(true));
        let h = healthy.clone();
        thread::Builder::new()
            .name("nps-store-writer".into())
            .spawn(move || writer(conn, rx, h))
            .map_err(|e| StoreError::Start {
                message: e.to_string(),
            })?;
        Ok(Store {
            path,
            jobs: tx,
            healthy,
            reader: Arc::new(Mutex::new(None)),
        })
    }

    async fn run(&self, work: Work) -> Result<Done, StoreError> {
        let (reply, wait) = oneshot::channel();
        let jobs = self.jobs.clone();
        let job = Job { work, reply };
        // The channel is bounded: a full queue waits on a blocking thread, not the runtime.
        tokio::task::spawn_blocking(move || jobs.send(job))
            .await
            .map_err(|_| StoreError::WriterStopped)?
            .map_err(|_| StoreError::WriterStopped)?;
        wait.await.map_err(|_| StoreError::WriterStopped)?
    }

    /// Stores a response (`flag` says why it is kept but not counted); resolves once it is
    /// committed to disk.
    pub async fn upsert(&self, r: Response, now: Now, flag: Flag) -> Result<Upsert, StoreError> {
        self.upsert_admitted(r, now, flag, Admission::default())
            .await
    }

    /// `upsert` under an `Admission` (a signed link's expiry).
    pub async fn upsert_admitted(
        &self,
        r: Response,
        now: Now,
        flag: Flag,
        admission: Admission,
    ) -> Result<Upsert, StoreError> {
        match self
            .run(Work::Upsert(Box::new(r), now, flag, admission))
            .await?
        {
            Done::Upsert(u) => Ok(u),
            Done::Count(_) => Err(StoreError::WriterStopped),
        }
    }

    /// Runs a read on the shared reader connection, on a blocking thread.
    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (path, reader) = (self.path.clone(), self.reader.clone());
        tokio::task::spawn_blocking(move || {
            let mut slot = reader.lock().unwrap_or_else(|p| p.into_inner());
            if slot.is_none() {
                *slot = Some(open(&path)?);
            }
            let result = f(slot.as_ref().expect("opened above"));
            if result.is_err() {
                // A failed read may leave the connection unusable: open a fresh one next time.
                *slot = None;
            }
            result
        })
        .await
        .map_err(|_| StoreError::WriterStopped)?
    }

    /// One stored response's body, by id.
    pub async fn body(&self, id: &str) -> Result<Option<String>, StoreError> {
        let id = id.to_owned();
        self.read(move |c| rows::body(c, &id)).await
    }

    /// One stored response's body and the hash of its write key.
    pub async fn keyed_body(
        &self,
        id: &str,
    ) -> Result<Option<(String, Option<String>)>, StoreError> {
        let id = id.to_owned();
        self.read(move |c| rows::keyed_body(c, &id)).await
    }

    /// Whether this visit of this survey is answered.
    pub async fn visit_answered(&self, survey: &str, visit: &str) -> Result<bool, StoreError> {
        let (survey, visit) = (survey.to_owned(), visit.to_owned());
        self.read(move |c| rows::visit_answered(c, &survey, &visit))
            .await
    }

    /// Removes the phones whose retention period has passed at `now`; how many.
    pub async fn purge(&self, now: Now) -> Result<usize, StoreError> {
        match self.run(Work::Purge(now)).await? {
            Done::Count(n) => Ok(n),
            Done::Upsert(_) => Err(StoreError::WriterStopped),
        }
    }

    /// Deletes a response (a customer's deletion request); true if it was stored.
    pub async fn delete(&self, id: &str) -> Result<bool, StoreError> {
        match self.run(Work::Delete(id.to_owned())).await? {
            Done::Count(n) => Ok(n > 0),
            Done::Upsert(_) => Err(StoreError::WriterStopped),
        }
    }

    /// Resolves once every job sent before it is committed (before the process exits).
    pub async fn flush(&self) -> Result<(), StoreError> {
        self.run(Work::Barrier).await.map(|_| ())
    }

    /// Every stored response, oldest first.
    pub async fn all(&self) -> Result<Vec<Row>, StoreError> {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || rows::all(&open(&path)?))
            .await
            .map_err(|_| StoreError::WriterStopped)?
    }

    /// The selected responses, oldest first, sent one by one as they are read (at most
    /// `STREAM_AHEAD` rows wait in memory; a slow reader slows the scan, and a reader that
    /// goes away stops it). A read error ends the stream with that error.
    pub fn stream(&self, sel: Selection) -> tokio::sync::mpsc::Receiver<Result<Row, StoreError>> {
        let (tx, rx) = tokio::sync::mpsc::channel(STREAM_AHEAD);
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let sent = open(&path)
                .and_then(|conn| rows::scan(&conn, &sel, |row| tx.blocking_send(Ok(row)).is_ok()));
            if let Err(e) = sent {
                let _ = tx.blocking_send(Err(e));
            }
        });
        rx
    }

    /// False when the writer's last commit failed: no disk access.
    pub fn healthy(&self) -> bool {
        self.healthy.load(Ordering::Relaxed)
    }
}
