//! Invited visits and what the funnel reads, the same statements on both engines
//! (`people::Stmt`): recording a batch of visits (all in one transaction, the first
//! `issued_ns` kept), a visit's first landing open, and the rows of a funnel's window — the
//! visits issued in it (opened? answered?), the counted answers stored in it with their
//! marks and their visit's issue time, and what each promoter's referral brought.

use super::people::{int, opt_text, stmt, t, text, Rows, Stmt, Val};
use super::{Now, Store, StoreError};

/// One invited visit to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewVisit {
    pub survey: String,
    pub visit: String,
    pub store: Option<String>,
    pub advisor: Option<String>,
    pub touchpoint: Option<String>,
    pub issued_ns: i64,
}

/// A stored invited visit, as the funnel reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VisitRow {
    pub survey: String,
    pub visit: String,
    pub store: Option<String>,
    pub advisor: Option<String>,
    pub touchpoint: Option<String>,
    pub issued_ns: i64,
    pub opened: bool,
    /// A counted answer (a score, no flag) is stored for it.
    pub answered: bool,
}

/// A counted answer, as the funnel and the flags read it (never shown as such).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerRow {
    pub id: String,
    pub body: String,
    pub received_at: String,
    pub received_ns: i64,
    pub score: i64,
    pub device: Option<String>,
    pub net: Option<String>,
    /// When its visit was issued (a recorded visit).
    pub issued_ns: Option<i64>,
}

/// What a promoter's referral code brought.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReferralRow {
    pub response_id: String,
    pub shared: bool,
    pub opens: i64,
    pub booked: i64,
    pub purchased: i64,
}

/// A funnel's window: one survey or all, issued or stored in `[since_ns, until_ns)`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Window {
    pub survey: Option<String>,
    pub since_ns: Option<i64>,
    pub until_ns: Option<i64>,
}

impl Window {
    fn params(&self) -> Vec<Val> {
        vec![
            self.survey.as_deref().map_or(Val::NullT, t),
            self.since_ns.map_or(Val::NullI, Val::I),
            self.until_ns.map_or(Val::NullI, Val::I),
        ]
    }
}

fn opt(s: &Option<String>) -> Val {
    s.as_deref().map_or(Val::NullT, t)
}

fn opt_int(row: &[Val], i: usize) -> Result<Option<i64>, StoreError> {
    match row.get(i) {
        Some(Val::NullI | Val::NullT) => Ok(None),
        _ => int(row, i).map(Some),
    }
}

impl Store {
    /// Records visits in one transaction (all or none): a new one is inserted; a known one
    /// keeps its first `issued_ns` and what it was first recorded with (a store, advisor or
    /// touchpoint it lacked is filled in, and only by a batch naming the same store: a later
    /// batch never moves a visit to another store, nor writes on another store's visit).
    /// `(recorded, known)`: how many were new, how many known already.
    pub async fn visits_record(
        &self,
        visits: &[NewVisit],
        source: &str,
        now: &Now,
    ) -> Result<(usize, usize), StoreError> {
        let mut stmts: Vec<Stmt> = Vec::with_capacity(visits.len() * 2);
        for v in visits {
            stmts.push(stmt(
                "SELECT survey FROM visits WHERE survey = $1 AND visit = $2",
                vec![t(&v.survey), t(&v.visit)],
            ));
            stmts.push(stmt(
                "INSERT INTO visits (survey, visit, store, advisor, touchpoint, issued_ns, source,
                   recorded_ns)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (survey, visit) DO UPDATE SET
                   store = COALESCE(visits.store, excluded.store),
                   advisor = COALESCE(visits.advisor, excluded.advisor),
                   touchpoint = COALESCE(visits.touchpoint, excluded.touchpoint)
                 WHERE visits.store IS NULL OR excluded.store IS NULL
                   OR visits.store = excluded.store",
                vec![
                    t(&v.survey),
                    t(&v.visit),
                    opt(&v.store),
                    opt(&v.advisor),
                    opt(&v.touchpoint),
                    Val::I(v.issued_ns),
                    t(source),
                    Val::I(now.ns),
                ],
            ));
        }
        let done = self.transact(stmts).await?;
        let known = done.iter().step_by(2).filter(|r| !r.is_empty()).count();
        Ok((visits.len() - known, known))
    }

    /// A known visit's landing page opened: its first open is kept (an unknown visit adds
    /// no row). Whether it was the first.
    pub async fn visit_opened(
        &self,
        survey: &str,
        visit: &str,
        now: &Now,
    ) -> Result<bool, StoreError> {
        let rows = self
            .one(
                "UPDATE visits SET opened_ns = $3
                 WHERE survey = $1 AND visit = $2 AND opened_ns IS NULL RETURNING survey",
                vec![t(survey), t(visit), Val::I(now.ns)],
            )
            .await?;
        Ok(rows.is_some_and(|r| !r.is_empty()))
    }

    /// The visits issued in the window, oldest first.
    pub async fn funnel_visits(&self, w: &Window) -> Result<Vec<VisitRow>, StoreError> {
        let rows = self
            .one(
                "SELECT v.survey, v.visit, v.store, v.advisor, v.touchpoint, v.issued_ns,
                   CAST(CASE WHEN v.opened_ns IS NULL THEN 0 ELSE 1 END AS BIGINT),
                   CAST(CASE WHEN EXISTS (SELECT 1 FROM responses r WHERE r.survey = v.survey
                     AND r.visit = v.visit AND r.score IS NOT NULL AND r.flag IS NULL)
                     THEN 1 ELSE 0 END AS BIGINT)
                 FROM visits v
                 WHERE (CAST($1 AS TEXT) IS NULL OR v.survey = $1) AND (CAST($2 AS BIGINT) IS NULL OR v.issued_ns >= $2)
                   AND (CAST($3 AS BIGINT) IS NULL OR v.issued_ns < $3)
                 ORDER BY v.issued_ns, v.survey, v.visit",
                w.params(),
            )
            .await?;
        super::people::all(rows, |r| {
            Ok(VisitRow {
                survey: text(r, 0)?,
                visit: text(r, 1)?,
                store: opt_text(r, 2)?,
                advisor: opt_text(r, 3)?,
                touchpoint: opt_text(r, 4)?,
                issued_ns: int(r, 5)?,
                opened: int(r, 6)? != 0,
                answered: int(r, 7)? != 0,
            })
        })
    }

    /// The counted answers (a score, no flag) first stored in the window, oldest first.
    pub async fn funnel_answers(&self, w: &Window) -> Result<Vec<AnswerRow>, StoreError> {
        let rows = self
            .one(
                "SELECT r.id, r.body, r.received_at, r.received_ns, CAST(r.score AS BIGINT),
                   r.device, r.net, v.issued_ns
                 FROM responses r
                 LEFT JOIN visits v ON v.survey = r.survey AND v.visit = r.visit
                 WHERE r.score IS NOT NULL AND r.flag IS NULL
                   AND (CAST($1 AS TEXT) IS NULL OR r.survey = $1) AND (CAST($2 AS BIGINT) IS NULL OR r.received_ns >= $2)
                   AND (CAST($3 AS BIGINT) IS NULL OR r.received_ns < $3)
                 ORDER BY r.received_ns, r.id",
                w.params(),
            )
            .await?;
        super::people::all(rows, |r| {
            Ok(AnswerRow {
                id: text(r, 0)?,
                body: text(r, 1)?,
                received_at: text(r, 2)?,
                received_ns: int(r, 3)?,
                score: int(r, 4)?,
                device: opt_text(r, 5)?,
                net: opt_text(r, 6)?,
                issued_ns: opt_int(r, 7)?,
            })
        })
    }

    /// The referrals of the answers first stored in the window, with what each brought:
    /// shared or not (a tap on share, copy or save; or a friend's open, which only a share
    /// makes — WeChat's ··· menu shares without a tap the page sees), friends' opens (the
    /// promoter's own device never), booked, purchased.
    pub async fn funnel_referrals(&self, w: &Window) -> Result<Vec<ReferralRow>, StoreError> {
        let rows: Option<Rows> = self
            .one(
                "SELECT f.response_id, COALESCE(f.shared_ns, 0),
                   (SELECT COUNT(*) FROM referral_opens o WHERE o.code = f.code AND o.own = 0),
                   (SELECT COUNT(*) FROM referral_events e WHERE e.code = f.code
                      AND e.kind = 'booked'),
                   (SELECT COUNT(*) FROM referral_events e WHERE e.code = f.code
                      AND e.kind = 'purchased')
                 FROM referrals f JOIN responses r ON r.id = f.response_id
                 WHERE (CAST($1 AS TEXT) IS NULL OR r.survey = $1) AND (CAST($2 AS BIGINT) IS NULL OR r.received_ns >= $2)
                   AND (CAST($3 AS BIGINT) IS NULL OR r.received_ns < $3)",
                w.params(),
            )
            .await?;
        super::people::all(rows, |r| {
            let opens = int(r, 2)?;
            Ok(ReferralRow {
                response_id: text(r, 0)?,
                shared: int(r, 1)? != 0 || opens > 0,
                opens,
                booked: int(r, 3)?,
                purchased: int(r, 4)?,
            })
        })
    }
}
