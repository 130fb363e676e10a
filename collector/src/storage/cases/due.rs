//! What the worker asks the store unprompted: the open cases that have earned a reminder or a
//! breach (`Store::cases_due_for`, by `cases::schedule::escalation`, each once per reopening
//! and never more than `schedule::STALE_NS` late), whether an alert is made already
//! (`Store::alert_exists`, for the day's digest), the week's reports made
//! (`Store::report_keys`) and the week's reports inserted in one commit (`Store::insert_reports`).

use nps_core::cases::opening::AlertKind;
use nps_core::cases::schedule::{self, Escalation};
use nps_core::cases::State;

use super::{alert_key, text};
use crate::storage::people::{int, t, Val};
use crate::storage::{Now, Store, StoreError};

/// A reminder or breach alert an open case has earned and not yet got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Due {
    pub case_id: String,
    pub kind: AlertKind,
    /// Its alert's key (`case:{id}:reminder:{reopens}`, `case:{id}:breach:{reopens}`).
    pub key: String,
    pub deadline_ns: i64,
}

impl Store {
    /// Whether the alert `key` is stored (a digest already made today).
    pub async fn alert_exists(&self, key: &str) -> Result<bool, StoreError> {
        let rows = self
            .one("SELECT key FROM alerts WHERE key = $1", vec![t(key)])
            .await?;
        Ok(rows.is_some_and(|r| !r.is_empty()))
    }

    /// The keys of the reports made for the week beginning `first_day` (`report:{day}:…`).
    pub async fn report_keys(&self, first_day: &str) -> Result<Vec<String>, StoreError> {
        let prefix = format!("report:{first_day}:%");
        let rows = self
            .one("SELECT key FROM alerts WHERE key LIKE $1", vec![t(&prefix)])
            .await?;
        rows.unwrap_or_default()
            .iter()
            .map(|r| text(r, 0))
            .collect()
    }

    /// Inserts the weekly reports `(key, body)` due at `now`, all in one commit (none when it
    /// fails), each unless its key is stored; how many were new.
    pub async fn insert_reports(
        &self,
        reports: &[(String, String)],
        now: &Now,
    ) -> Result<usize, StoreError> {
        let stmts = reports
            .iter()
            .map(|(key, body)| {
                super::queue::insert_alert_stmt(
                    key,
                    AlertKind::Report.name(),
                    None,
                    Some(body),
                    now.ns,
                    now,
                )
            })
            .collect();
        let made = self.transact(stmts).await?;
        Ok(made.iter().filter(|rows| !rows.is_empty()).count())
    }

    /// Open cases (nobody reached the customer) that have earned a reminder or a breach
    /// (`cases::schedule::escalation`, `remind_hours_left` before the deadline) and have no
    /// such alert for their current reopening. A case past its deadline gets the breach, not a
    /// late reminder; one past it by more than `schedule::STALE_NS` gets nothing (the digest
    /// counts it: a collector started on old cases does not flood a group).
    pub async fn cases_due_for(
        &self,
        now: &Now,
        remind_hours_left: u32,
    ) -> Result<Vec<Due>, StoreError> {
        let sql = "SELECT c.id, c.reopens, c.deadline_ns,
               (SELECT COUNT(*) FROM alerts a WHERE a.key = 'case:' || c.id || ':reminder:' || CAST(c.reopens AS TEXT)),
               (SELECT COUNT(*) FROM alerts a WHERE a.key = 'case:' || c.id || ':breach:' || CAST(c.reopens AS TEXT))
             FROM cases c WHERE c.state = 'open' AND c.deadline_ns - $2 <= $1 AND c.deadline_ns > $3
             ORDER BY c.deadline_ns, c.id";
        let remind_ns = i64::from(remind_hours_left).saturating_mul(schedule::HOUR_NS);
        let params = vec![
            Val::I(now.ns),
            Val::I(remind_ns),
            Val::I(now.ns.saturating_sub(schedule::STALE_NS)),
        ];
        let rows = self.one(sql, params).await?;
        let mut out = Vec::new();
        for row in rows.unwrap_or_default() {
            let (id, reopens, deadline_ns) = (text(&row, 0)?, int(&row, 1)?, int(&row, 2)?);
            let (reminded, breached) = (int(&row, 3)? > 0, int(&row, 4)? > 0);
            let kind =
                match schedule::escalation(State::Open, deadline_ns, now.ns, remind_hours_left) {
                    Some(Escalation::Breach) if !breached => AlertKind::Breach,
                    Some(Escalation::Reminder) if !reminded => AlertKind::Reminder,
                    _ => continue,
                };
            let reopens = reopens.clamp(0, u32::MAX.into()) as u32;
            out.push(Due {
                key: alert_key(&id, kind, Some(reopens)),
                case_id: id,
                kind,
                deadline_ns,
            });
        }
        Ok(out)
    }
}
