//! The PostgreSQL engine (`--db postgres://…`): a pool of connections (`deadpool-postgres`),
//! each post in its own transaction, committed before the upsert returns, so a 2xx means
//! committed (the server's `synchronous_commit`, on by default, makes that durable).
//!
//! Any number of collectors may write at once: the rules are the pure table of `decision`;
//! the row of an id is read `FOR UPDATE`, so two posts of one id take turns; and one answer
//! per visit is the schema's (the partial unique index `responses_one_answer`), not a single
//! writer's. A post that loses a race (another transaction inserted the same id, or answered
//! the same visit, or a deadlock or serialization failure) is run again from the start, and
//! then reads what the winner stored: a duplicate, an update, or `Answered`.

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, PoolError, RecyclingMethod, Runtime};
use tokio_postgres::error::SqlState;
use tokio_postgres::NoTls;

use nps_core::contract::columns::PHONE;

use super::sqlite::STREAM_AHEAD;
use super::types::commented_sql;
use super::{migrations, people, Posts, Row, Selection, StoreError, Upsert};
use crate::Now;

/// Connections kept open at most.
const POOL_SIZE: usize = 16;
/// Exports read at once at most: each holds a connection (and a transaction) for as long as
/// its client takes to read, so they get a share of the pool, never all of it; more wait.
const SCANS: usize = POOL_SIZE / 4;
/// The longest a request waits for a connection before it is answered 503 (and retried).
const POOL_WAIT: Duration = Duration::from_secs(10);
/// How long one new connection (TCP, startup, login) may take: then an error, never a hang.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Times a post that lost a race is run again before the error is the client's (a 5xx).
const RETRIES: u32 = 20;

/// A storage error from PostgreSQL: the server's own message where it sent one, else the
/// error and its causes ("error connecting to server: Connection refused (os error 111)").
pub fn message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => std::iter::successors(Some(e as &dyn std::error::Error), |e| e.source())
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join(": "),
    }
}

/// Why the pool gave no connection, with the server's reason (not deadpool's wrapper).
fn pool_message(e: &PoolError) -> String {
    match e {
        PoolError::Backend(e) => message(e),
        PoolError::Timeout(_) => format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()),
        e => e.to_string(),
    }
}

fn sql(e: tokio_postgres::Error) -> StoreError {
    StoreError::Sql {
        message: message(&e),
    }
}

/// Why a transaction did not commit.
enum Failed {
    /// It lost a race; run it again.
    Race,
    Db(tokio_postgres::Error),
    /// A stored value the rules could not read.
    Store(StoreError),
}

impl From<tokio_postgres::Error> for Failed {
    fn from(e: tokio_postgres::Error) -> Self {
        let race = [
            SqlState::UNIQUE_VIOLATION,
            SqlState::T_R_SERIALIZATION_FAILURE,
            SqlState::T_R_DEADLOCK_DETECTED,
        ];
        match e.code() {
            Some(code) if race.contains(code) => Failed::Race,
            _ => Failed::Db(e),
        }
    }
}

/// A handle to a PostgreSQL database; cheap to clone.
#[derive(Clone)]
pub struct Postgres {
    pool: Pool,
    scans: std::sync::Arc<tokio::sync::Semaphore>,
}

impl Postgres {
    /// Connects (each new connection within `timeout`, `CONNECT_TIMEOUT` for the server), and
    /// brings the schema up to date (whoever else starts at the same moment).
    pub async fn connect(
        url: &str,
        shown: &str,
        timeout: Duration,
    ) -> Result<Postgres, StoreError> {
        let failed = |message: String| StoreError::Connect {
            target: shown.to_owned(),
            message,
        };
        let config: tokio_postgres::Config = url.parse().map_err(|e| failed(message(&e)))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(POOL_WAIT))
            .create_timeout(Some(timeout))
            .build()
            .map_err(|e| failed(e.to_string()))?;
        let mut client = pool.get().await.map_err(|e| failed(pool_message(&e)))?;
        migrations::postgres(&mut client).await?;
        drop(client);
        Ok(Postgres {
            pool,
            scans: std::sync::Arc::new(tokio::sync::Semaphore::new(SCANS)),
        })
    }

    async fn client(&self) -> Result<deadpool_postgres::Client, StoreError> {
        self.pool.get().await.map_err(|e| StoreError::Sql {
            message: pool_message(&e),
        })
    }

    /// One of `people`'s statements, read outside any transaction (no lock, no write).
    pub async fn query(&self, s: people::Stmt) -> Result<people::Rows, StoreError> {
        let client = self.client().await?;
        let mut done = Vec::new();
        run_all(&client, std::slice::from_ref(&s), &mut done)
            .await
            .map_err(sql)?;
        Ok(done.pop().unwrap_or_default())
    }

    /// `people`'s statements in one transaction.
    pub async fn transact(
        &self,
        stmts: Vec<people::Stmt>,
    ) -> Result<Vec<people::Rows>, StoreError> {
        let then: people::Then<std::convert::Infallible> = Box::new(|_| Ok(Vec::new()));
        self.transact_then(stmts, then).await.map(|r| match r {
            Ok(rows) => rows,
        })
    }

    /// Reads (their `FOR UPDATE` locks held), then the writes `then` makes of what they
    /// returned, in one transaction; `then`'s `Err` rolls back.
    pub async fn transact_then<E>(
        &self,
        reads: Vec<people::Stmt>,
        then: people::Then<E>,
    ) -> Result<Result<Vec<people::Rows>, E>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(sql)?;
        let mut out = Vec::with_capacity(reads.len());
        run_all(&tx, &reads, &mut out).await.map_err(sql)?;
        let writes = match then(&out) {
            Ok(w) => w,
            Err(e) => return Ok(Err(e)),
        };
        run_all(&tx, &writes, &mut out).await.map_err(sql)?;
        tx.commit().await.map_err(sql)?;
        Ok(Ok(out))
    }

    /// The posts in one transaction, all or none; each run again until it wins its races.
    pub async fn upsert_batch(&self, posts: Posts) -> Result<Vec<Upsert>, StoreError> {
        let mut client = self.client().await?;
        for attempt in 0.. {
            match try_upsert(&mut client, &posts).await {
                Ok(done) => return Ok(done),
                Err(Failed::Race) if attempt < RETRIES => {
                    tokio::time::sleep(Duration::from_millis(fastrand::u64(
                        1..=1 + attempt as u64 * 4,
                    )))
                    .await;
                }
                Err(Failed::Race) => break,
                Err(Failed::Db(e)) => return Err(sql(e)),
                Err(Failed::Store(e)) => return Err(e),
            }
        }
        Err(StoreError::Commit {
            message: format!("lost {RETRIES} races for the same rows in a row"),
        })
    }

    pub async fn keyed_body(
        &self,
        id: &str,
    ) -> Result<Option<(String, Option<String>)>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT body, key_hash FROM responses WHERE id = $1",
                &[&id.to_ascii_lowercase()],
            )
            .await
            .map_err(sql)?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    pub async fn visit_answered(&self, survey: &str, visit: &str) -> Result<bool, StoreError> {
        let client = self.client().await?;
        answered_by_other(&client, survey, visit, "")
            .await
            .map_err(sql)
    }

    pub async fn visit_issued(&self, survey: &str, visit: &str) -> Result<Option<i64>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT issued_ns FROM visits WHERE survey = $1 AND visit = $2",
                &[&survey, &visit],
            )
            .await
            .map_err(sql)?;
        Ok(row.map(|r| r.get(0)))
    }

    /// Removes the phone from every response whose retention period has passed at `now` (the
    /// body as SQLite's `json_set` leaves it: the keys in their order, `contact` null).
    pub async fn purge(&self, now: Now) -> Result<usize, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(sql)?;
        let due = tx
            .query(
                "SELECT id, body FROM responses
                 WHERE purge_after_ns IS NOT NULL AND purge_after_ns <= $1 FOR UPDATE",
                &[&now.ns],
            )
            .await
            .map_err(sql)?;
        for row in &due {
            let (id, body): (String, String) = (row.get(0), row.get(1));
            let mut v: serde_json::Value =
                serde_json::from_str(&body).map_err(|e| StoreError::Sql {
                    message: format!("the stored body of {id} is not JSON: {e}"),
                })?;
            v["contact"] = serde_json::Value::Null;
            tx.execute(
                "UPDATE responses SET body = $2, purge_after_ns = NULL, changed_at = $3,
                   body_marks = body_marks & ~$4::BIGINT
                 WHERE id = $1",
                &[&id, &v.to_string(), &now.at, &i64::from(PHONE)],
            )
            .await
            .map_err(sql)?;
        }
        tx.commit().await.map_err(sql)?;
        Ok(due.len())
    }

    /// The selected rows in pieces of `STREAM_AHEAD` through a portal, read as the client
    /// reads them.
    pub fn stream(&self, sel: Selection) -> tokio::sync::mpsc::Receiver<Result<Row, StoreError>> {
        let (tx, rx) = tokio::sync::mpsc::channel(STREAM_AHEAD);
        let this = self.clone();
        tokio::spawn(async move {
            if let Err(e) = scan(&this, &sel, &tx).await {
                let _ = tx.send(Err(e)).await;
            }
        });
        rx
    }

    /// Whether the database answers now (a pooled connection, `SELECT 1`): a collector is
    /// healthy again as soon as its database is, without waiting for a post.
    pub async fn healthy(&self) -> bool {
        match self.client().await {
            Ok(c) => c.simple_query("SELECT 1").await.is_ok(),
            Err(_) => false,
        }
    }
}

/// Statements in order on one transaction's client, each one's rows pushed to `done`.
pub(super) async fn run_all(
    tx: &impl deadpool_postgres::GenericClient,
    stmts: &[people::Stmt],
    done: &mut Vec<people::Rows>,
) -> Result<(), tokio_postgres::Error> {
    use people::Val;
    use tokio_postgres::types::{ToSql, Type};
    for s in stmts {
        let params: Vec<Box<dyn ToSql + Sync + Send>> = s
            .bound(done)
            .into_iter()
            .map(|v| -> Box<dyn ToSql + Sync + Send> {
                match v {
                    Val::I(i) => Box::new(i),
                    Val::T(t) => Box::new(t),
                    Val::NullI | Val::Earlier(_) => Box::new(None::<i64>),
                    Val::NullT => Box::new(None::<String>),
                }
            })
            .collect();
        let refs: Vec<&(dyn ToSql + Sync)> = params
            .iter()
            .map(|p| p.as_ref() as &(dyn ToSql + Sync))
            .collect();
        let rows = tx.query(s.sql, &refs).await?;
        let mut got = Vec::with_capacity(rows.len());
        for row in &rows {
            let vals = (0..row.len())
                .map(|i| {
                    Ok(if row.columns()[i].type_() == &Type::INT8 {
                        row.try_get::<_, Option<i64>>(i)?.map_or(Val::NullI, Val::I)
                    } else {
                        row.try_get::<_, Option<String>>(i)?
                            .map_or(Val::NullT, Val::T)
                    })
                })
                .collect::<Result<Vec<_>, tokio_postgres::Error>>()?;
            got.push(vals);
        }
        done.push(got);
    }
    Ok(())
}

async fn scan(
    store: &Postgres,
    sel: &Selection,
    out: &tokio::sync::mpsc::Sender<Result<Row, StoreError>>,
) -> Result<(), StoreError> {
    // Slow readers hold their connections: they wait for each other, not the posts.
    let _turn = tokio::select! {
        turn = store.scans.acquire() => turn.map_err(|_| StoreError::WriterStopped)?,
        _ = out.closed() => return Ok(()),
    };
    let mut client = store.client().await?;
    let tx = client.transaction().await.map_err(sql)?;
    let portal = tx
        .bind(
            &format!(
                "SELECT body, received_at, changed_at, flag FROM responses
                 WHERE ($1::TEXT IS NULL OR survey = $1)
                   AND ($2::BIGINT IS NULL OR received_ns >= $2)
                   AND ($3::BIGINT IS NULL OR received_ns < $3) AND {}
                 ORDER BY received_ns, id",
                commented_sql("$4::BIGINT")
            ),
            &[
                &sel.survey,
                &sel.since_ns,
                &sel.until_ns,
                &i64::from(sel.commented),
            ],
        )
        .await
        .map_err(sql)?;
    loop {
        let rows = tx
            .query_portal(&portal, STREAM_AHEAD as i32)
            .await
            .map_err(sql)?;
        for r in &rows {
            let row = Row {
                body: r.get(0),
                received_at: r.get(1),
                changed_at: r.get(2),
                flag: r.get(3),
            };
            if out.send(Ok(row)).await.is_err() {
                return Ok(());
            }
        }
        if rows.len() < STREAM_AHEAD {
            return Ok(());
        }
    }
}

mod facts;
mod write;
use write::{answered_by_other, try_upsert};
