//! The alert queue in the store: alerts (one per `key`: a second insert of a key does
//! nothing, so collectors racing to make one alert make it once), their fan-out into jobs (one
//! per alert and channel, the same uniqueness), the lease of due jobs (PostgreSQL: `FOR UPDATE
//! SKIP LOCKED`, so two collectors never lease one job; SQLite: its one writer), and a try's
//! outcome recorded as `cases::delivery::decide` says (sent, retried later, or dead with a
//! reason). The worker that sends is the caller's; nothing here sends or sleeps.

use nps_core::cases::delivery::{self, Decision, Last, Outcome};
use nps_core::cases::opening::AlertKind;

use super::{opt_int, text};
use crate::storage::people::{all, first, int, opt_text, stmt, t, Rows, Stmt, Val};
use crate::storage::{Now, Store, StoreError};

/// An alert as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlertRow {
    pub id: String,
    pub key: String,
    /// `opened`, `callback`, `reminder`, `breach` or `digest`.
    pub kind: String,
    pub case_id: Option<String>,
    /// A digest's frozen JSON.
    pub body: Option<String>,
    pub created_ns: i64,
    pub due_ns: i64,
    pub fanned_ns: Option<i64>,
}

/// A job as stored: one alert to one channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobRow {
    pub alert_id: String,
    pub channel: String,
    /// `pending`, `sent` or `dead`.
    pub state: String,
    /// As `delivery::decide` reads it.
    pub job: delivery::Job,
    pub next_ns: i64,
    pub lease_owner: Option<String>,
    pub lease_until_ns: Option<i64>,
    /// The dead reason or the last error (never a secret).
    pub reason: Option<String>,
    pub sent_ns: Option<i64>,
}

macro_rules! job_cols {
    () => {
        "alert_id, channel, state, attempts, last_outcome, last_at_ns, retry_after_s, next_ns,
         lease_owner, lease_until_ns, reason, sent_ns"
    };
}

fn alert_row(row: &[Val]) -> Result<AlertRow, StoreError> {
    Ok(AlertRow {
        id: text(row, 0)?,
        key: text(row, 1)?,
        kind: text(row, 2)?,
        case_id: opt_text(row, 3)?,
        body: opt_text(row, 4)?,
        created_ns: int(row, 5)?,
        due_ns: int(row, 6)?,
        fanned_ns: opt_int(row, 7)?,
    })
}

/// A stored outcome back: `sent`, `refused`, or `failed` with its `Retry-After`.
fn outcome(name: Option<String>, retry_after_s: Option<i64>) -> Option<Outcome> {
    match name.as_deref()? {
        "sent" => Some(Outcome::Sent),
        "refused" => Some(Outcome::Refused),
        _ => Some(Outcome::Failed {
            retry_after: retry_after_s.map(|s| s.max(0) as u64),
        }),
    }
}

pub(super) fn job_row(row: &[Val]) -> Result<JobRow, StoreError> {
    let last = match (
        outcome(opt_text(row, 4)?, opt_int(row, 6)?),
        opt_int(row, 5)?,
    ) {
        (Some(outcome), Some(at_ns)) => Some(Last { outcome, at_ns }),
        _ => None,
    };
    Ok(JobRow {
        alert_id: text(row, 0)?,
        channel: text(row, 1)?,
        state: text(row, 2)?,
        job: delivery::Job {
            attempts: int(row, 3)?.clamp(0, u32::MAX.into()) as u32,
            last,
        },
        next_ns: int(row, 7)?,
        lease_owner: opt_text(row, 8)?,
        lease_until_ns: opt_int(row, 9)?,
        reason: opt_text(row, 10)?,
        sent_ns: opt_int(row, 11)?,
    })
}

/// The insert of an alert unless its key is stored (then no row comes back).
pub fn insert_alert_stmt(
    key: &str,
    kind: &str,
    case_id: Option<&str>,
    body: Option<&str>,
    due_ns: i64,
    now: &Now,
) -> Stmt {
    stmt(
        "INSERT INTO alerts (id, key, kind, case_id, body, created_ns, due_ns)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id",
        vec![
            t(&uuid::Uuid::new_v4().to_string()),
            t(key),
            t(kind),
            case_id.map_or(Val::NullT, t),
            body.map_or(Val::NullT, t),
            Val::I(now.ns),
            Val::I(due_ns),
        ],
    )
}

/// The stored name of an outcome.
fn outcome_name(o: Outcome) -> &'static str {
    match o {
        Outcome::Sent => "sent",
        Outcome::Failed { .. } => "failed",
        Outcome::Refused => "refused",
    }
}

/// The writes recording a try of the job read in `rows[0]`: attempts + 1, and what
/// `delivery::decide` says of it then (sent, wait until, or dead with `reason`).
fn record_try(
    rows: &[Rows],
    key: (&str, &str),
    outcome: Outcome,
    reason: Option<&str>,
    now: i64,
) -> Result<(Vec<Stmt>, Decision), ()> {
    let row = rows.first().and_then(|r| r.first()).ok_or(())?;
    let attempts = int(row, 0).map_err(drop)?.clamp(0, u32::MAX.into()) as u32 + 1;
    let job = delivery::Job {
        attempts,
        last: Some(Last {
            outcome,
            at_ns: now,
        }),
    };
    let decision = delivery::decide(&job, now, &[]);
    let (state, next_ns, dead) = match decision {
        Decision::Done => ("sent", now, None),
        Decision::GiveUp(d) => ("dead", now, Some(d)),
        Decision::WaitUntil(at) => ("pending", at, None),
        Decision::Send => ("pending", now, None),
    };
    let reason = match dead {
        Some(delivery::Dead::Refused) => Some(format!(
            "refused by the receiver: {}",
            reason.unwrap_or("no reason given")
        )),
        Some(delivery::Dead::Exhausted) => Some(format!(
            "{attempts} tries failed; the last: {}",
            reason.unwrap_or("no reason given")
        )),
        None => reason.map(str::to_owned),
    };
    let retry_after = match outcome {
        Outcome::Failed {
            retry_after: Some(s),
        } => Val::I(s.min(i64::MAX as u64) as i64),
        _ => Val::NullI,
    };
    let write = stmt(
        "UPDATE alert_jobs SET state = $3, attempts = $4, last_outcome = $5, last_at_ns = $6,
           retry_after_s = $7, next_ns = $8, lease_owner = NULL, lease_until_ns = NULL,
           reason = $9, sent_ns = CASE WHEN $3 = 'sent' THEN $6 ELSE sent_ns END
         WHERE alert_id = $1 AND channel = $2",
        vec![
            t(key.0),
            t(key.1),
            t(state),
            Val::I(attempts.into()),
            t(outcome_name(outcome)),
            Val::I(now),
            retry_after,
            Val::I(next_ns),
            reason.as_deref().map_or(Val::NullT, t),
        ],
    );
    Ok((vec![write], decision))
}

impl Store {
    /// Makes the alert `key` unless it is stored; true if this call made it.
    pub async fn insert_alert(
        &self,
        key: &str,
        kind: AlertKind,
        case_id: Option<&str>,
        body: Option<&str>,
        due_ns: i64,
        now: &Now,
    ) -> Result<bool, StoreError> {
        let s = insert_alert_stmt(key, kind.name(), case_id, body, due_ns, now);
        Ok(!self.transact(vec![s]).await?.concat().is_empty())
    }

    /// One alert by id.
    pub async fn alert(&self, id: &str) -> Result<Option<AlertRow>, StoreError> {
        let sql = "SELECT id, key, kind, case_id, body, created_ns, due_ns, fanned_ns
                   FROM alerts WHERE id = $1";
        first(self.one(sql, vec![t(id)]).await?, alert_row)
    }

    /// Alerts due at `now` whose jobs are not made yet, the longest due first.
    pub async fn alerts_to_fan(&self, now: &Now, limit: i64) -> Result<Vec<AlertRow>, StoreError> {
        let sql = "SELECT id, key, kind, case_id, body, created_ns, due_ns, fanned_ns
                   FROM alerts WHERE fanned_ns IS NULL AND due_ns <= $1
                   ORDER BY due_ns, id LIMIT $2";
        all(
            self.one(sql, vec![Val::I(now.ns), Val::I(limit)]).await?,
            alert_row,
        )
    }

    /// The alert's jobs, one per channel (a job already made stays as it is), and the alert
    /// marked fanned, in one transaction.
    pub async fn fan_out(
        &self,
        alert_id: &str,
        channels: &[String],
        now: &Now,
    ) -> Result<(), StoreError> {
        let mut stmts: Vec<Stmt> = channels
            .iter()
            .map(|c| {
                stmt(
                    "INSERT INTO alert_jobs (alert_id, channel, state, attempts, next_ns)
                     VALUES ($1, $2, 'pending', 0, $3) ON CONFLICT DO NOTHING",
                    vec![t(alert_id), t(c), Val::I(now.ns)],
                )
            })
            .collect();
        stmts.push(stmt(
            "UPDATE alerts SET fanned_ns = $2 WHERE id = $1 AND fanned_ns IS NULL",
            vec![t(alert_id), Val::I(now.ns)],
        ));
        self.transact(stmts).await.map(drop)
    }

    /// Leases up to `limit` due jobs to `owner` until `now + lease_ns`: pending, due, and not
    /// under another live lease. Two leasers never get the same job while its lease lasts.
    pub async fn lease_jobs(
        &self,
        owner: &str,
        now: &Now,
        lease_ns: i64,
        limit: i64,
    ) -> Result<Vec<JobRow>, StoreError> {
        self.lease(owner, None, now, lease_ns, limit).await
    }

    /// `lease_jobs` of one channel's jobs only (the worker leases each channel within what its
    /// robot may take this minute, so a busy channel never holds up the others).
    pub async fn lease_channel_jobs(
        &self,
        owner: &str,
        channel: &str,
        now: &Now,
        lease_ns: i64,
        limit: i64,
    ) -> Result<Vec<JobRow>, StoreError> {
        self.lease(owner, Some(channel), now, lease_ns, limit).await
    }

    async fn lease(
        &self,
        owner: &str,
        channel: Option<&str>,
        now: &Now,
        lease_ns: i64,
        limit: i64,
    ) -> Result<Vec<JobRow>, StoreError> {
        let sql = concat!(
            "UPDATE alert_jobs SET lease_owner = $1, lease_until_ns = $2
             WHERE (alert_id, channel) IN (
               SELECT alert_id, channel FROM alert_jobs
               WHERE state = 'pending' AND next_ns <= $3
                 AND (lease_until_ns IS NULL OR lease_until_ns <= $3)
                 AND (CAST($5 AS TEXT) IS NULL OR channel = $5)
               ORDER BY next_ns, alert_id, channel LIMIT $4 FOR UPDATE SKIP LOCKED)
             RETURNING ",
            job_cols!()
        );
        let until = now.ns.saturating_add(lease_ns);
        let params = vec![
            t(owner),
            Val::I(until),
            Val::I(now.ns),
            Val::I(limit),
            channel.map_or(Val::NullT, t),
        ];
        let mut jobs = all(self.one(sql, params).await?, job_row)?;
        jobs.sort_by(|a, b| {
            (a.next_ns, &a.alert_id, &a.channel).cmp(&(b.next_ns, &b.alert_id, &b.channel))
        });
        Ok(jobs)
    }

    /// The channels with jobs due at `now` and not under a live lease, the longest waiting
    /// first.
    pub async fn due_channels(&self, now: &Now) -> Result<Vec<String>, StoreError> {
        let sql = "SELECT channel FROM alert_jobs
                   WHERE state = 'pending' AND next_ns <= $1
                     AND (lease_until_ns IS NULL OR lease_until_ns <= $1)
                   GROUP BY channel ORDER BY MIN(next_ns), channel";
        all(self.one(sql, vec![Val::I(now.ns)]).await?, |r| text(r, 0))
    }

    /// Records a try of a job: attempts + 1, its outcome, and then sent, pending until the
    /// decision's time, or dead with the reason (`reason`: the receiver's error, never a
    /// secret). What `delivery::decide` said; `None` for no such job.
    pub async fn job_done(
        &self,
        alert_id: &str,
        channel: &str,
        outcome: Outcome,
        reason: Option<&str>,
        now: &Now,
    ) -> Result<Option<Decision>, StoreError> {
        let read = stmt(
            "SELECT attempts FROM alert_jobs WHERE alert_id = $1 AND channel = $2 FOR UPDATE",
            vec![t(alert_id), t(channel)],
        );
        let (a, c, r, at) = (
            alert_id.to_owned(),
            channel.to_owned(),
            reason.map(str::to_owned),
            now.ns,
        );
        let decided = std::sync::Arc::new(std::sync::Mutex::new(None));
        let out = decided.clone();
        let then: crate::storage::people::Then<()> = Box::new(move |rows: &[Rows]| {
            let (writes, d) = record_try(rows, (&a, &c), outcome, r.as_deref(), at)?;
            *out.lock().unwrap_or_else(|p| p.into_inner()) = Some(d);
            Ok(writes)
        });
        let done = self.transact_then(vec![read], then).await?;
        let d = *decided.lock().unwrap_or_else(|p| p.into_inner());
        Ok(done.ok().and(d))
    }

    /// The dead jobs, the latest first (for admins: the reason, never a secret).
    pub async fn dead_jobs(&self) -> Result<Vec<JobRow>, StoreError> {
        let sql = concat!(
            "SELECT ",
            job_cols!(),
            " FROM alert_jobs WHERE state = 'dead' ORDER BY last_at_ns DESC, alert_id, channel"
        );
        all(self.one(sql, vec![]).await?, job_row)
    }

    /// The times of a channel's tries after `since_ns` (the last try of each job): what
    /// `delivery::decide`'s rate limit counts.
    pub async fn robot_sends(&self, channel: &str, since_ns: i64) -> Result<Vec<i64>, StoreError> {
        let sql = "SELECT last_at_ns FROM alert_jobs WHERE channel = $1 AND last_at_ns > $2";
        let rows = self.one(sql, vec![t(channel), Val::I(since_ns)]).await?;
        all(rows, |r| int(r, 0))
    }
}
