//! The SQLite engine: one writer thread with group commit; the statements are in
//! `sqlite/rows.rs`.
//!
//! Every accepted post waits for the commit of the transaction that holds it, so a 2xx
//! means the row is on disk (WAL with `synchronous = FULL`). Posts that arrive while a
//! commit is under way are batched into the next transaction: one fsync serves many. The
//! purge of expired phones and deletions go through the same writer. The export opens its own
//! connection; the landing pages' small reads share one. `healthy` answers from the writer's
//! last result, without touching the disk.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;

use rusqlite::{Connection, OptionalExtension};
use tokio::sync::oneshot;

use super::facts::Fact;
use super::{migrations, people, Posts, Row, Selection, StoreError, Upsert};
use crate::Now;

mod readers;
mod rows;
use readers::Readers;

/// Most jobs in one transaction.
const MAX_BATCH: usize = 512;

/// Rows an export reads ahead of the client.
pub(super) const STREAM_AHEAD: usize = 256;

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sql {
            message: e.to_string(),
        }
    }
}

/// What the writer does in a transaction, and what it answers.
enum Work {
    Upsert(Posts),
    Purge(Now),
    /// Nothing: answered once every job sent before it is committed.
    Barrier,
}

/// The answer to a `Work`: the upserts' outcomes, or a count.
enum Done {
    Upsert(Vec<Upsert>),
    Count(usize),
}

struct Job {
    work: Work,
    reply: oneshot::Sender<Result<Done, StoreError>>,
}

/// A handle to a SQLite database; cheap to clone. When the last handle is dropped, the
/// writer finishes the jobs it has and stops.
#[derive(Clone)]
pub struct Sqlite {
    path: PathBuf,
    jobs: mpsc::SyncSender<Job>,
    healthy: Arc<AtomicBool>,
    /// The connections of reads and the people's small transactions.
    readers: Arc<Readers>,
}

fn open(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(|e| StoreError::Open {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // Switching to WAL does not wait on the busy handler: while another collector starting
    // on the same file holds it (its migration), try again for up to the busy timeout.
    let mut tries = 0;
    while let Err(e) = conn.pragma_update(None, "journal_mode", "WAL") {
        let busy = e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy);
        tries += 1;
        if !busy || tries >= 100 {
            return Err(e.into());
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
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

/// A job's work in the writer's transaction. The posts of one `Work::Upsert` stand or fall
/// together, each with the case and alerts it writes: a failure rolls back to the savepoint
/// before them (the batch's other jobs still commit).
fn apply(tx: &mut rusqlite::Transaction<'_>, work: &Work) -> Result<Done, StoreError> {
    match work {
        Work::Upsert(posts) => {
            let sp = tx.savepoint()?;
            let done = posts
                .iter()
                .map(|(r, now, flag, admission)| rows::upsert(&sp, r, now, *flag, *admission))
                .collect::<Result<Vec<_>, _>>()?;
            sp.commit()?;
            Ok(Done::Upsert(done))
        }
        Work::Purge(now) => rows::purge(tx, now).map(Done::Count),
        Work::Barrier => Ok(Done::Count(0)),
    }
}

/// One transaction for the batch; on a failed commit every job in it fails.
fn commit_batch(conn: &mut Connection, batch: &[Job]) -> Vec<Result<Done, StoreError>> {
    let mut tx = match conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => {
            let e = StoreError::from(e);
            return batch.iter().map(|_| Err(e.clone())).collect();
        }
    };
    let results: Vec<_> = batch.iter().map(|job| apply(&mut tx, &job.work)).collect();
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

/// Statements in order, each one's rows pushed to `done`.
pub(super) fn run_all(
    c: &Connection,
    stmts: &[people::Stmt],
    done: &mut Vec<people::Rows>,
) -> Result<(), StoreError> {
    for s in stmts {
        let rows = people_rows(c, s, done)?;
        done.push(rows);
    }
    Ok(())
}

/// One of `people`'s statements: its `$1` placeholders read as `?1`, and its row locks
/// (`FOR UPDATE`, PostgreSQL's) dropped: SQLite's one writer at a time needs none.
fn people_rows(
    c: &Connection,
    s: &people::Stmt,
    done: &[people::Rows],
) -> Result<people::Rows, StoreError> {
    use people::Val;
    use rusqlite::types::{Value, ValueRef};
    let sql = s
        .sql
        .replace(" FOR UPDATE SKIP LOCKED", "")
        .replace(" FOR UPDATE", "")
        .replace('$', "?");
    let mut st = c.prepare_cached(&sql)?;
    let n = st.column_count();
    let params = s.bound(done).into_iter().map(|v| match v {
        Val::I(i) => Value::Integer(i),
        Val::T(t) => Value::Text(t),
        Val::NullI | Val::NullT | Val::Earlier(_) => Value::Null,
    });
    let mut rows = st.query(rusqlite::params_from_iter(params))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let vals = (0..n)
            .map(|i| match row.get_ref(i)? {
                ValueRef::Integer(i) => Ok(Val::I(i)),
                ValueRef::Text(t) => Ok(Val::T(String::from_utf8_lossy(t).into_owned())),
                _ => Ok(Val::NullT),
            })
            .collect::<rusqlite::Result<Vec<_>>>()?;
        out.push(vals);
    }
    Ok(out)
}

impl Sqlite {
    /// Opens (or creates, or brings up to date) the database and starts the writer thread.
    pub fn open(path: &Path) -> Result<Sqlite, StoreError> {
        let path = path.to_path_buf();
        let mut conn = open(&path)?;
        migrations::sqlite(&mut conn)?;
        let (tx, rx) = mpsc::sync_channel(4096);
        let healthy = Arc::new(AtomicBool::new(true));
        let h = healthy.clone();
        thread::Builder::new()
            .name("nps-store-writer".into())
            .spawn(move || writer(conn, rx, h))
            .map_err(|e| StoreError::Start {
                message: e.to_string(),
            })?;
        Ok(Sqlite {
            readers: Arc::new(Readers::new(&path)),
            path,
            jobs: tx,
            healthy,
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

    async fn count(&self, work: Work) -> Result<usize, StoreError> {
        match self.run(work).await? {
            Done::Count(n) => Ok(n),
            Done::Upsert(_) => Err(StoreError::WriterStopped),
        }
    }

    pub async fn upsert_batch(&self, posts: Posts) -> Result<Vec<Upsert>, StoreError> {
        match self.run(Work::Upsert(posts)).await? {
            Done::Upsert(u) => Ok(u),
            Done::Count(_) => Err(StoreError::WriterStopped),
        }
    }

    /// Runs a read on a connection of its own (`Readers`), on a blocking thread.
    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let readers = self.readers.clone();
        tokio::task::spawn_blocking(move || readers.read(f))
            .await
            .map_err(|_| StoreError::WriterStopped)?
    }

    pub async fn keyed_body(
        &self,
        id: &str,
    ) -> Result<Option<(String, Option<String>)>, StoreError> {
        let id = id.to_owned();
        self.read(move |c| rows::keyed_body(c, &id)).await
    }

    pub async fn bodies(&self, ids: Vec<String>) -> Result<Vec<super::Body>, StoreError> {
        self.read(move |c| rows::bodies(c, &ids)).await
    }

    pub async fn visit_answered(&self, survey: &str, visit: &str) -> Result<bool, StoreError> {
        let (survey, visit) = (survey.to_owned(), visit.to_owned());
        self.read(move |c| rows::visit_answered(c, &survey, &visit))
            .await
    }

    pub async fn visit_issued(&self, survey: &str, visit: &str) -> Result<Option<i64>, StoreError> {
        let (survey, visit) = (survey.to_owned(), visit.to_owned());
        self.read(move |c| {
            Ok(c.query_row(
                "SELECT issued_ns FROM visits WHERE survey = ?1 AND visit = ?2",
                [&survey, &visit],
                |r| r.get(0),
            )
            .optional()?)
        })
        .await
    }

    pub async fn purge(&self, now: Now) -> Result<usize, StoreError> {
        self.count(Work::Purge(now)).await
    }

    pub async fn flush(&self) -> Result<(), StoreError> {
        self.count(Work::Barrier).await.map(drop)
    }

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

    /// `each` with every selected answer's facts on a connection of its own, off the
    /// runtime's threads; `acc` back at the end.
    pub async fn facts<T: Send + 'static>(
        &self,
        sel: Selection,
        mut acc: T,
        mut each: impl FnMut(&mut T, &Fact) + Send + 'static,
    ) -> Result<T, StoreError> {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let conn = open(&path)?;
            rows::scan_facts(&conn, &sel, |f| each(&mut acc, f))?;
            Ok(acc)
        })
        .await
        .map_err(|e| StoreError::Sql {
            message: e.to_string(),
        })?
    }

    /// One of `people`'s statements on a reading connection, outside any transaction (no
    /// writer's lock taken).
    pub async fn query(&self, s: people::Stmt) -> Result<people::Rows, StoreError> {
        self.read(move |c| {
            let mut done = Vec::new();
            run_all(c, std::slice::from_ref(&s), &mut done)?;
            Ok(done.pop().unwrap_or_default())
        })
        .await
    }

    /// `people`'s statements in one `IMMEDIATE` transaction on a reading connection, taking turns (few
    /// and small: they wait for the response writer's commit at most, `busy_timeout`).
    pub async fn transact(
        &self,
        stmts: Vec<people::Stmt>,
    ) -> Result<Vec<people::Rows>, StoreError> {
        let then: people::Then<std::convert::Infallible> = Box::new(|_| Ok(Vec::new()));
        self.transact_then(stmts, then).await.map(|r| match r {
            Ok(rows) => rows,
        })
    }

    /// Reads, then the writes `then` makes of what they returned, in one `IMMEDIATE`
    /// transaction (the single writer: nothing else writes between the two); `then`'s `Err`
    /// rolls back.
    pub async fn transact_then<E: Send + 'static>(
        &self,
        reads: Vec<people::Stmt>,
        then: people::Then<E>,
    ) -> Result<Result<Vec<people::Rows>, E>, StoreError> {
        let readers = self.readers.clone();
        self.read(move |c| {
            let _turn = readers.turn();
            let tx =
                rusqlite::Transaction::new_unchecked(c, rusqlite::TransactionBehavior::Immediate)?;
            let mut out = Vec::with_capacity(reads.len());
            run_all(&tx, &reads, &mut out)?;
            let writes = match then(&out) {
                Ok(w) => w,
                Err(e) => return Ok(Err(e)),
            };
            run_all(&tx, &writes, &mut out)?;
            tx.commit()?;
            Ok(Ok(out))
        })
        .await
    }

    pub fn healthy(&self) -> bool {
        self.healthy.load(Ordering::Relaxed)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}
