//! Referrals in the store: a promoter's code (one per answer, made or read again in one
//! statement), the promoter's name and first share, a friend's opens (one row per device: a
//! repeat is no new row), and what a referral brought (`referral_events`), each event's
//! thank-you alert inserted in the event's transaction so an alert is never lost nor sent for
//! an event that did not commit. Deleting an answer removes all of it (`Store::delete`).

use nps_core::cases::opening::AlertKind;
use nps_core::growth::referral::{self, EventKind, Open};

use super::cases::queue::insert_alert_stmt;
use super::people::{first, int, opt_text, stmt, t, text, Rows, Stmt, Val};
use super::{Now, Store, StoreError};

/// A referral as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Referral {
    pub code: String,
    pub response_id: String,
    pub survey: String,
    pub store: Option<String>,
    pub advisor: Option<String>,
    pub visit: Option<String>,
    /// The promoter's device mark (their referral cookie's).
    pub device: Option<String>,
    /// The promoter's device without its cookie (network and steady browser name).
    pub device_fallback: Option<String>,
    pub created_ns: i64,
    pub shared_ns: Option<i64>,
    /// The promoter's name for the poster and the store's thank-you.
    pub name: Option<String>,
}

/// A new referral's fields (the code is the collector's, `referral::code`).
pub struct NewReferral<'a> {
    pub code: &'a str,
    pub response_id: &'a str,
    pub survey: &'a str,
    pub store: Option<&'a str>,
    pub advisor: Option<&'a str>,
    pub visit: Option<&'a str>,
    pub device: Option<&'a str>,
    pub device_fallback: Option<&'a str>,
}

/// What a referral brought, as reported.
pub struct NewEvent<'a> {
    pub code: &'a str,
    pub kind: EventKind,
    /// The brand's id (`api`); `None` from the booking form.
    pub reference: Option<&'a str>,
    /// `api` or `form`.
    pub via: &'static str,
    pub at_ns: i64,
    pub friend_name: Option<&'a str>,
    pub friend_phone: Option<&'a str>,
    /// The friend's preferred date (`YYYY-MM-DD`), from the booking form.
    pub preferred_date: Option<&'a str>,
    /// When the friend's phone is removed.
    pub purge_after_ns: Option<i64>,
}

/// Whether an event was new (its alert made with it) or reported before.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    New,
    Duplicate,
}

macro_rules! referral_cols {
    () => {
        "code, response_id, survey, store, advisor, visit, device, created_ns, shared_ns, name,
         device_fallback"
    };
}

/// The statement that stores event `e` as `id`, reported by `by` (`None`: the booking form),
/// once: `RETURNING id` is empty for a repeat of its code, kind and `ref`.
pub(super) fn insert_event(id: &str, e: &NewEvent<'_>, by: Option<&str>) -> Stmt {
    stmt(
        "INSERT INTO referral_events (id, code, kind, ref, via, at_ns, friend_name,
           friend_phone, preferred_date, purge_after_ns, reported_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT DO NOTHING RETURNING id",
        vec![
            t(id),
            t(e.code),
            t(e.kind.name()),
            opt(e.reference),
            t(e.via),
            Val::I(e.at_ns),
            opt(e.friend_name),
            opt(e.friend_phone),
            opt(e.preferred_date),
            e.purge_after_ns.map_or(Val::NullI, Val::I),
            opt(by),
        ],
    )
}

pub(super) fn opt(v: Option<&str>) -> Val {
    v.map_or(Val::NullT, t)
}

fn opt_i(row: &[Val], i: usize) -> Result<Option<i64>, StoreError> {
    match row.get(i) {
        Some(Val::I(n)) => Ok(Some(*n)),
        _ => Ok(None),
    }
}

fn referral_row(row: &[Val]) -> Result<Referral, StoreError> {
    Ok(Referral {
        code: text(row, 0)?,
        response_id: text(row, 1)?,
        survey: text(row, 2)?,
        store: opt_text(row, 3)?,
        advisor: opt_text(row, 4)?,
        visit: opt_text(row, 5)?,
        device: opt_text(row, 6)?,
        created_ns: int(row, 7)?,
        shared_ns: opt_i(row, 8)?,
        name: opt_text(row, 9)?,
        device_fallback: opt_text(row, 10)?,
    })
}

/// The key of an event's alert: its code first, so a deletion finds them (`delete_stmts`).
fn alert_key(code: &str, event_id: &str) -> String {
    format!("referral:{code}:{event_id}")
}

/// The alerts of a response's referral (`$1`: the response id), as a subquery.
macro_rules! referral_alerts {
    () => {
        "SELECT a.id FROM alerts a, referrals r WHERE r.response_id = $1 AND a.kind = 'referral'
           AND substr(a.key, 1, 34) = 'referral:' || r.code || ':'"
    };
}

/// The statements that remove a response's referral and all that followed it, before the
/// response itself (`Store::delete`).
pub(super) fn delete_stmts(id: &Val) -> Vec<Stmt> {
    let of_code = |sql: &'static str| stmt(sql, vec![id.clone()]);
    vec![
        of_code(concat!(
            "DELETE FROM alert_jobs WHERE alert_id IN (",
            referral_alerts!(),
            ")"
        )),
        of_code(concat!(
            "DELETE FROM alerts WHERE id IN (",
            referral_alerts!(),
            ")"
        )),
        of_code(
            "DELETE FROM referral_events WHERE code IN
               (SELECT code FROM referrals WHERE response_id = $1)",
        ),
        of_code(
            "DELETE FROM referral_opens WHERE code IN
               (SELECT code FROM referrals WHERE response_id = $1)",
        ),
        of_code("DELETE FROM referrals WHERE response_id = $1"),
    ]
}

impl Store {
    /// The referral of an answer: made with `new.code` unless the answer has one (then that
    /// one, unchanged: one code per answer).
    pub async fn referral_issue(
        &self,
        new: &NewReferral<'_>,
        now: &Now,
    ) -> Result<Referral, StoreError> {
        let rows = self
            .transact(vec![
                stmt(
                    "INSERT INTO referrals (code, response_id, survey, store, advisor, visit,
                       device, created_ns, device_fallback) VALUES ($1, $2, $3, $4, $5, $6, $7,
                       $8, $9)
                     ON CONFLICT (response_id) DO NOTHING",
                    vec![
                        t(new.code),
                        t(new.response_id),
                        t(new.survey),
                        opt(new.store),
                        opt(new.advisor),
                        opt(new.visit),
                        opt(new.device),
                        Val::I(now.ns),
                        opt(new.device_fallback),
                    ],
                ),
                stmt(
                    concat!(
                        "SELECT ",
                        referral_cols!(),
                        " FROM referrals WHERE response_id = $1"
                    ),
                    vec![t(new.response_id)],
                ),
            ])
            .await?;
        first(rows.into_iter().nth(1), referral_row)?.ok_or_else(|| StoreError::Sql {
            message: "a referral was neither made nor found".into(),
        })
    }

    /// One referral by its code (a read: no transaction).
    pub async fn referral(&self, code: &str) -> Result<Option<Referral>, StoreError> {
        let sql = concat!(
            "SELECT ",
            referral_cols!(),
            " FROM referrals WHERE code = $1"
        );
        first(Some(self.query(sql, vec![t(code)]).await?), referral_row)
    }

    /// A stored answer as a referral weighs it: its body, its flag, its write key's hash (a
    /// read: no transaction).
    pub async fn referral_answer(
        &self,
        response_id: &str,
    ) -> Result<Option<(String, Option<String>, Option<String>)>, StoreError> {
        let sql = "SELECT body, flag, key_hash FROM responses WHERE id = $1";
        let rows = self
            .query(sql, vec![t(&response_id.to_ascii_lowercase())])
            .await?;
        first(Some(rows), |r| {
            Ok((text(r, 0)?, opt_text(r, 1)?, opt_text(r, 2)?))
        })
    }

    /// The referral of an answer, if it has one (a read: no transaction).
    pub async fn referral_of(&self, response_id: &str) -> Result<Option<Referral>, StoreError> {
        let sql = concat!(
            "SELECT ",
            referral_cols!(),
            " FROM referrals WHERE response_id = $1"
        );
        let id = response_id.to_ascii_lowercase();
        first(Some(self.query(sql, vec![t(&id)]).await?), referral_row)
    }

    /// The promoter's name (`None`: none); false if there is no such code.
    pub async fn referral_name(&self, code: &str, name: Option<&str>) -> Result<bool, StoreError> {
        let sql = "UPDATE referrals SET name = $2 WHERE code = $1 RETURNING code";
        Ok(!self
            .one(sql, vec![t(code), opt(name)])
            .await?
            .unwrap_or_default()
            .is_empty())
    }

    /// Records the first share (later ones change nothing); false if there is no such code.
    pub async fn referral_shared(&self, code: &str, now: &Now) -> Result<bool, StoreError> {
        let sql = "UPDATE referrals SET shared_ns = COALESCE(shared_ns, $2) WHERE code = $1
                   RETURNING code";
        Ok(!self
            .one(sql, vec![t(code), Val::I(now.ns)])
            .await?
            .unwrap_or_default()
            .is_empty())
    }

    /// A friend's open from `device` (`own`: the promoter's own device): one row per code and
    /// device, so a repeat adds nothing. How it counts (`referral::open`).
    pub async fn referral_open(
        &self,
        code: &str,
        device: &str,
        own: bool,
        now: &Now,
    ) -> Result<Open, StoreError> {
        let sql = "INSERT INTO referral_opens (code, device, at_ns, own) VALUES ($1, $2, $3, $4)
                   ON CONFLICT (code, device) DO NOTHING RETURNING code";
        let params = vec![t(code), t(device), Val::I(now.ns), Val::I(i64::from(own))];
        let inserted = !self.one(sql, params).await?.unwrap_or_default().is_empty();
        Ok(referral::open(own, !inserted, 0))
    }

    /// How many opens a code has: counted ones (`own` 0: new devices, not the promoter's, not
    /// past their network's day) and all.
    pub async fn referral_opens(&self, code: &str) -> Result<(i64, i64), StoreError> {
        let sql = "SELECT CAST(COALESCE(SUM(CASE WHEN own = 0 THEN 1 ELSE 0 END), 0) AS BIGINT),
                     COUNT(*) FROM referral_opens WHERE code = $1";
        let rows = self.one(sql, vec![t(code)]).await?.unwrap_or_default();
        let row = rows.first().map(Vec::as_slice).unwrap_or_default();
        Ok((int(row, 0)?, int(row, 1)?))
    }

    /// Records what a referral brought and, when it is new, its thank-you alert (`alert_body`,
    /// due now) in the same transaction. The same brand id for the same code and kind is one
    /// event. No reporter: the booking form's (the friend's own).
    pub async fn referral_event(
        &self,
        e: &NewEvent<'_>,
        alert_body: &str,
        now: &Now,
    ) -> Result<Recorded, StoreError> {
        self.referral_event_by(e, None, alert_body, now).await
    }

    /// `referral_event`, reported by `by` (the caller as the audit trail names them), kept
    /// with the event.
    pub async fn referral_event_by(
        &self,
        e: &NewEvent<'_>,
        by: Option<&str>,
        alert_body: &str,
        now: &Now,
    ) -> Result<Recorded, StoreError> {
        let id = uuid::Uuid::new_v4().to_string();
        let insert = insert_event(&id, e, by);
        let alert = insert_alert_stmt(
            &alert_key(e.code, &id),
            AlertKind::Referral.name(),
            None,
            Some(alert_body),
            now.ns,
            now,
        );
        let then: super::people::Then<()> = Box::new(move |rows: &[Rows]| {
            Ok(match rows.first().is_some_and(|r| !r.is_empty()) {
                true => vec![alert],
                false => Vec::new(),
            })
        });
        let done = self.transact_then(vec![insert], then).await?;
        Ok(match done {
            // The event's insert, then its alert's: two statements ran.
            Ok(rows) if rows.get(1).is_some() => Recorded::New,
            _ => Recorded::Duplicate,
        })
    }

    /// The events of a code: kind, via, whether a friend's phone is still kept.
    pub async fn referral_events(
        &self,
        code: &str,
    ) -> Result<Vec<(String, String, bool)>, StoreError> {
        let sql = "SELECT kind, via, friend_phone FROM referral_events WHERE code = $1
                   ORDER BY at_ns, id";
        let rows = self.one(sql, vec![t(code)]).await?.unwrap_or_default();
        rows.iter()
            .map(|r| Ok((text(r, 0)?, text(r, 1)?, opt_text(r, 2)?.is_some())))
            .collect()
    }

    /// Removes the friends' phones whose retention has passed; how many.
    pub(super) async fn purge_friend_phones(&self, now: &Now) -> Result<usize, StoreError> {
        let sql = "UPDATE referral_events SET friend_phone = NULL, purge_after_ns = NULL,
                     ref = CASE WHEN via = 'form' THEN NULL ELSE ref END
                   WHERE purge_after_ns IS NOT NULL AND purge_after_ns <= $1 RETURNING id";
        Ok(self
            .one(sql, vec![Val::I(now.ns)])
            .await?
            .unwrap_or_default()
            .len())
    }
}
