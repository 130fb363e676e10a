//! The alert queue as admins read it (`GET /api/alerts`): every job with its alert's kind and
//! case, the latest tried first, narrowed to one state. A job holds its channel's name, never
//! its URL or secret, so nothing read here can tell one.

use super::queue::{job_row, JobRow};
use super::text;
use crate::storage::people::{all, opt_text, t, Val};
use crate::storage::{Store, StoreError};

/// A job and what its alert is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueLine {
    pub job: JobRow,
    /// The alert's kind: `opened`, `callback`, `reminder`, `breach` or `digest`.
    pub kind: String,
    /// The alert's case (none for a digest).
    pub case_id: Option<String>,
}

impl Store {
    /// Up to `limit` jobs in `state` (`pending`, `sent`, `dead`; `None`: any), the latest
    /// tried (or due) first.
    pub async fn alert_queue(
        &self,
        state: Option<&str>,
        limit: i64,
    ) -> Result<Vec<QueueLine>, StoreError> {
        let sql = "SELECT j.alert_id, j.channel, j.state, j.attempts, j.last_outcome,
               j.last_at_ns, j.retry_after_s, j.next_ns, j.lease_owner, j.lease_until_ns,
               j.reason, j.sent_ns, a.kind, a.case_id
             FROM alert_jobs j JOIN alerts a ON a.id = j.alert_id
             WHERE (CAST($1 AS TEXT) IS NULL OR j.state = $1)
             ORDER BY COALESCE(j.last_at_ns, j.next_ns) DESC, j.alert_id, j.channel
             LIMIT $2";
        let params = vec![state.map_or(Val::NullT, t), Val::I(limit)];
        all(self.one(sql, params).await?, |r| {
            Ok(QueueLine {
                job: job_row(r)?,
                kind: text(r, 12)?,
                case_id: opt_text(r, 13)?,
            })
        })
    }
}
