//! The storage port: one handle (`Store`) over two engines, SQLite (the embedded default,
//! a file) and PostgreSQL (`--db postgres://…`, for several collectors on one database).
//!
//! The rest of the collector sees only `Store` and the backend-neutral types of `types`.
//! The upsert rules are one pure table (`decision`); each engine reads the rows it needs,
//! calls it, and applies what it says. Both engines promise the same: an upsert returns once
//! its row is committed (so a 2xx means committed), one answer per visit is a unique index of
//! the schema, and the schema is brought up to date at start by versioned steps
//! (`migrations`). `tests/conformance.rs` runs the same cases against both.

use std::path::{Path, PathBuf};

use nps_core::contract::payload::Response;

pub mod decision;
pub mod facts;
mod growth;
mod keys;
pub mod migrations;
mod postgres;
mod sqlite;
mod types;

pub use growth::{
    AnswerRow, NewVisit, ReferralRow, Reporter, Taken, VisitRow, VisitsRecorded, Window,
};
pub use types::{Admission, Body, CaseRule, Flag, Marks, Now, Row, Selection, StoreError, Upsert};

/// One post for `Store::upsert_batch`: the response, when it arrived, its flag, its admission.
pub type Post = (Response, Now, Flag, Admission);
pub type Posts = Vec<Post>;

/// Where the responses are kept: a SQLite file, or a PostgreSQL database
/// (`postgres://` or `postgresql://`, as `--db` or `NPS_DB` names it).
#[derive(Clone, PartialEq, Eq)]
pub enum Target {
    Sqlite(PathBuf),
    Postgres(String),
}

impl std::str::FromStr for Target {
    type Err = String;

    fn from_str(s: &str) -> Result<Target, String> {
        const EXPECTED: &str =
            "expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE, or a SQLite file's path";
        let scheme = s.split_once("://").map(|(scheme, _)| scheme);
        if !matches!(scheme, Some("postgres" | "postgresql")) {
            // `mysql://…` or `sqlite://…` is a mistake, not a file to create.
            return match scheme {
                Some(other) if !other.is_empty() && !other.contains('/') => Err(format!(
                    "{other}:// is not a database this collector speaks: {EXPECTED}"
                )),
                _ => Ok(Target::Sqlite(PathBuf::from(s))),
            };
        }
        let config = s
            .parse::<tokio_postgres::Config>()
            .map_err(|e| format!("not a PostgreSQL URL ({e}): {EXPECTED}"))?;
        if config.get_hosts().is_empty() {
            return Err(format!("a PostgreSQL URL without a HOST: {EXPECTED}"));
        }
        Ok(Target::Postgres(s.to_owned()))
    }
}

impl std::fmt::Display for Target {
    /// The file, or the URL without its password (for logs).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Sqlite(p) => write!(f, "{}", p.display()),
            Target::Postgres(url) => match url::Url::parse(url) {
                Ok(mut u) => {
                    if u.password().is_some() {
                        let _ = u.set_password(Some("***"));
                    }
                    // libpq's URLs may carry the password as a parameter too.
                    if u.query().is_some() {
                        let pairs: Vec<(String, String)> = u
                            .query_pairs()
                            .map(|(k, v)| {
                                let v = if k == "password" { "***".into() } else { v };
                                (k.into_owned(), v.into_owned())
                            })
                            .collect();
                        u.query_pairs_mut().clear().extend_pairs(pairs);
                    }
                    f.write_str(u.as_str())
                }
                Err(_) => f.write_str("postgres://…"),
            },
        }
    }
}

impl std::fmt::Debug for Target {
    /// As `Display`: a `{:?}` of the settings never shows the password either.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Sqlite(p) => write!(f, "Sqlite({p:?})"),
            Target::Postgres(_) => write!(f, "Postgres({self})"),
        }
    }
}

impl From<&Path> for Target {
    fn from(p: &Path) -> Target {
        Target::Sqlite(p.to_path_buf())
    }
}

impl From<&PathBuf> for Target {
    fn from(p: &PathBuf) -> Target {
        Target::Sqlite(p.clone())
    }
}

/// A handle to the store; cheap to clone.
#[derive(Clone)]
pub enum Store {
    Sqlite(sqlite::Sqlite),
    Postgres(postgres::Postgres),
}

/// The same call on whichever engine the store is.
macro_rules! each {
    ($store:expr, $e:ident => $call:expr) => {
        match $store {
            Store::Sqlite($e) => $call,
            Store::Postgres($e) => $call,
        }
    };
}

mod cases;
pub use cases::{
    alert_key, AlertRow, CaseEvent, CaseFilter, CaseRow, Due, Edits, JobRow, NotApplied, QueueLine,
};
mod people;
pub use people::{email_key, AuditEntry, AuditFilter, Standing, Token, User};
mod bookings;
pub use bookings::Booking;
mod referrals;
pub use referrals::{NewEvent, NewReferral, Recorded, Referral};
mod referral_guard;
pub use referral_guard::{FormBooked, OpenMarks};

impl Store {
    /// Opens (or creates, or brings up to date) a SQLite database and starts its writer.
    pub fn open(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        sqlite::Sqlite::open(path.as_ref()).map(Store::Sqlite)
    }

    /// Opens the database `target` names, bringing its schema up to date.
    pub async fn connect(target: &Target) -> Result<Store, StoreError> {
        match target {
            Target::Sqlite(path) => Store::open(path),
            Target::Postgres(url) => {
                postgres::Postgres::connect(url, &target.to_string(), postgres::CONNECT_TIMEOUT)
                    .await
                    .map(Store::Postgres)
            }
        }
    }

    /// The SQLite file, for a SQLite store.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match self {
            Store::Sqlite(s) => Some(s.path()),
            Store::Postgres(_) => None,
        }
    }

    /// Stores a response (`flag` says why it is kept but not counted); resolves once it is
    /// committed.
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
        let done = self.upsert_batch(vec![(r, now, flag, admission)]).await?;
        done.into_iter().next().ok_or(StoreError::WriterStopped)
    }

    /// Many posts in one transaction, each by the same rules as `upsert` and in order (a
    /// later post sees an earlier one); all are committed, or none. What each did.
    pub async fn upsert_batch(&self, posts: Posts) -> Result<Vec<Upsert>, StoreError> {
        if posts.is_empty() {
            return Ok(Vec::new());
        }
        each!(self, s => s.upsert_batch(posts).await)
    }

    /// One stored response's body, by id.
    pub async fn body(&self, id: &str) -> Result<Option<String>, StoreError> {
        Ok(self.keyed_body(id).await?.map(|(body, _)| body))
    }

    /// One stored response's body and the hash of its write key (`None`: stored without one).
    pub async fn keyed_body(
        &self,
        id: &str,
    ) -> Result<Option<(String, Option<String>)>, StoreError> {
        each!(self, s => s.keyed_body(id).await)
    }

    /// Whether a response answered this visit of this survey (a score, no flag).
    pub async fn visit_answered(&self, survey: &str, visit: &str) -> Result<bool, StoreError> {
        each!(self, s => s.visit_answered(survey, visit).await)
    }

    /// When this visit of this survey was issued (`visits.issued_ns`), if it was recorded.
    pub async fn visit_issued(&self, survey: &str, visit: &str) -> Result<Option<i64>, StoreError> {
        each!(self, s => s.visit_issued(survey, visit).await)
    }

    /// Removes the phones whose retention period has passed at `now` (the score, reasons and
    /// comment stay); how many.
    /// Friends' phones left on the booking form go at their retention too.
    pub async fn purge(&self, now: Now) -> Result<usize, StoreError> {
        let friends = self.purge_friend_phones(&now).await?;
        self.purge_referral_days(now.ns.div_euclid(86_400_000_000_000))
            .await?;
        Ok(friends + each!(self, s => s.purge(now).await)?)
    }

    /// Deletes a response (a customer's deletion request) with its case, the case's history,
    /// alerts and their jobs (nothing about it is sent after), a re-survey score it gave, and
    /// its referral with the opens, events and thank-you alerts that followed, in one
    /// transaction; true if it was stored.
    pub async fn delete(&self, id: &str) -> Result<bool, StoreError> {
        use people::{stmt, t};
        let id = t(&id.to_ascii_lowercase());
        let mut stmts = referrals::delete_stmts(&id);
        stmts.extend([
            stmt(
                "DELETE FROM alert_jobs WHERE alert_id IN (SELECT a.id FROM alerts a
                       WHERE a.case_id IN (SELECT c.id FROM cases c WHERE c.response_id = $1))",
                vec![id.clone()],
            ),
            stmt(
                "DELETE FROM alerts WHERE case_id IN
                       (SELECT c.id FROM cases c WHERE c.response_id = $1)",
                vec![id.clone()],
            ),
            stmt(
                "DELETE FROM case_events WHERE case_id IN
                       (SELECT c.id FROM cases c WHERE c.response_id = $1)",
                vec![id.clone()],
            ),
            stmt("DELETE FROM cases WHERE response_id = $1", vec![id.clone()]),
            stmt(
                "UPDATE cases SET recovery_score = NULL, recovery_ns = NULL,
                       recovery_response = NULL WHERE recovery_response = $1",
                vec![id.clone()],
            ),
            stmt("DELETE FROM responses WHERE id = $1 RETURNING id", vec![id]),
        ]);
        let rows = self.transact(stmts).await?;
        Ok(rows.last().is_some_and(|r| !r.is_empty()))
    }

    /// Resolves once every job sent before it is committed (before the process exits). On
    /// PostgreSQL every write has committed before it returned: nothing waits.
    pub async fn flush(&self) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s.flush().await,
            Store::Postgres(_) => Ok(()),
        }
    }

    /// Every stored response, oldest first.
    pub async fn all(&self) -> Result<Vec<Row>, StoreError> {
        let mut rx = self.stream(Selection::default());
        let mut out = Vec::new();
        while let Some(row) = rx.recv().await {
            out.push(row?);
        }
        Ok(out)
    }

    /// The selected responses, oldest first (by first stored, then id), sent one by one as
    /// they are read (a few hundred rows wait in memory at most; a slow reader slows the
    /// scan, and a reader that goes away stops it). A read error ends the stream with it.
    pub fn stream(&self, sel: Selection) -> tokio::sync::mpsc::Receiver<Result<Row, StoreError>> {
        each!(self, s => s.stream(sel))
    }

    /// The bodies and flags of these ids (those stored), in no order: a page's worth at a time.
    pub async fn bodies(&self, ids: Vec<String>) -> Result<Vec<Body>, StoreError> {
        each!(self, s => s.bodies(ids).await)
    }

    /// Calls `each` with the facts of every selected answer (`facts::Fact`, what the
    /// dashboard's columns read, borrowed from the row), oldest first, off the runtime's
    /// threads, and hands `acc` back: no body is parsed except where its facts are missing.
    pub async fn facts<T: Send + 'static>(
        &self,
        sel: Selection,
        acc: T,
        each: impl FnMut(&mut T, &facts::Fact) + Send + 'static,
    ) -> Result<T, StoreError> {
        each!(self, s => s.facts(sel, acc, each).await)
    }

    /// SQLite: false when the writer's last commit failed (no disk access). PostgreSQL:
    /// whether the database answers now (one `SELECT 1`), so a fleet taken out of a balancer
    /// by its health checks comes back once the database does, with no post needed.
    pub async fn healthy(&self) -> bool {
        match self {
            Store::Sqlite(s) => s.healthy(),
            Store::Postgres(s) => s.healthy().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn db_names_a_file_or_a_postgresql_url_and_logs_no_password() {
        assert_eq!(
            "nps.db".parse::<Target>(),
            Ok(Target::Sqlite("nps.db".into()))
        );
        let pg: Target = "postgres://nps:s3cret@db.internal:5433/nps"
            .parse()
            .unwrap();
        assert!(matches!(pg, Target::Postgres(_)));
        assert_eq!(pg.to_string(), "postgres://nps:***@db.internal:5433/nps");
        assert!(matches!(
            "postgresql://db/nps".parse::<Target>(),
            Ok(Target::Postgres(_))
        ));
        let e = "postgres://db:port/nps".parse::<Target>().unwrap_err();
        assert!(e.contains("expected postgres://USER"), "{e}");
        // libpq takes the password as a query parameter as well.
        let q: Target = "postgres://nps@db/nps?password=s3cret&connect_timeout=2"
            .parse()
            .unwrap();
        assert_eq!(
            q.to_string(),
            "postgres://nps@db/nps?password=***&connect_timeout=2"
        );
        assert!(!format!("{q:?}").contains("s3cret"), "{q:?}");
        let e = "postgres://nps:s3cret@db:port/nps"
            .parse::<Target>()
            .unwrap_err();
        assert!(!e.contains("s3cret"), "{e}");
        // Another engine's URL is refused, not taken for a SQLite file's name.
        for url in ["mysql://nps@db/nps", "sqlite://nps.db"] {
            let e = url.parse::<Target>().unwrap_err();
            assert!(
                e.contains("is not a database") && e.contains("SQLite file"),
                "{e}"
            );
        }
        let e = "postgres:///nps".parse::<Target>().unwrap_err();
        assert!(e.contains("without a HOST"), "{e}");
        assert!(matches!(
            "./data/nps.db".parse::<Target>(),
            Ok(Target::Sqlite(_))
        ));
    }
    /// A closed port: the error says why ("Connection refused"), not only deadpool's
    /// "Error occurred while creating a new object".
    #[tokio::test]
    async fn a_postgresql_that_cannot_be_reached_is_named_with_its_cause() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port(); // bound, then dropped: nothing listens there
        let target: Target = format!("postgres://nps:s3cret@127.0.0.1:{port}/nps")
            .parse()
            .unwrap();
        let e = Store::connect(&target).await.err().unwrap().to_string();
        assert!(e.contains("refused"), "{e}");
        assert!(e.contains(&format!("nps:***@127.0.0.1:{port}")), "{e}");
        assert!(
            !e.contains("s3cret") && !e.contains("creating a new object"),
            "{e}"
        );
    }

    /// A server that accepts and never answers: an error within the timeout, not a hang.
    #[tokio::test]
    async fn a_postgresql_that_never_answers_is_an_error_not_a_hang() {
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("postgres://nps@{}/nps", silent.local_addr().unwrap());
        let started = std::time::Instant::now();
        let connect = postgres::Postgres::connect(&url, &url, Duration::from_secs(1));
        let e = tokio::time::timeout(Duration::from_secs(20), connect)
            .await
            .expect("connecting to a silent server hangs")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("no answer within"), "{e}");
        assert!(started.elapsed() < Duration::from_secs(10));
        drop(silent);
    }
}
