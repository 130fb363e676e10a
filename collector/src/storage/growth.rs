//! Invited visits and what the funnel reads, the same statements on both engines
//! (`people::Stmt`): recording a batch of visits (all in one transaction, the first
//! `issued_ns`, channel and reporter kept, a visit of another store refused:
//! `growth::visit::claim`), a visit's first landing open, and the rows of a funnel's window —
//! the visits issued in it (opened? answered by an answer of its store?), the counted
//! answers stored in it with their marks and their visit's issue time and channel, and what
//! each promoter's referral brought.

use nps_core::growth::visit::{self, Channel, Claim};

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
    pub channel: Channel,
}

/// Who records a batch of visits: the command or route (`source`: `api`, `sign-visit`,
/// `qr`), the caller as the audit trail names them (`by`), and whether their scope is every
/// store (only then may a batch name the store of a visit recorded without one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reporter<'a> {
    pub source: &'a str,
    pub by: &'a str,
    pub every_store: bool,
}

/// A row of a batch that names a visit on record for another store (`store`), or recorded
/// without a store for a scoped caller (`None`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Taken {
    pub index: usize,
    pub store: Option<String>,
}

/// What a batch of visits did: recorded (how many new, how many known already), or nothing
/// at all because of the rows taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VisitsRecorded {
    Done { recorded: usize, known: usize },
    Taken(Vec<Taken>),
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
    pub channel: Channel,
    pub opened: bool,
    /// A counted answer (a score, no flag) of its store is stored for it (`visit::answers`).
    pub answered: bool,
}

/// A counted answer, as the funnel and the flags read it (never shown as such).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerRow {
    pub id: String,
    /// Its context's store, advisor, touchpoint and visit (the stored facts; its body where
    /// they are missing).
    pub store: Option<String>,
    pub advisor: Option<String>,
    pub touchpoint: Option<String>,
    pub visit: Option<String>,
    pub received_at: String,
    pub received_ns: i64,
    pub score: i64,
    pub device: Option<String>,
    pub net: Option<String>,
    /// When its visit was issued and how (a recorded visit of the answer's store,
    /// `visit::answers`).
    pub issued_ns: Option<i64>,
    pub channel: Option<Channel>,
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

/// A stored answer's codes (`Dimension::index`) from the facts at `at` (the five `cx_`
/// columns, then the body where the facts are missing: `FACTS`).
fn codes_at(r: &[Val], at: usize) -> Result<[Option<String>; 5], StoreError> {
    if let Some(body) = opt_text(r, at + 5)? {
        return Ok(super::facts::Facts::of_body(&body).unwrap_or_default().dims);
    }
    let mut out: [Option<String>; 5] = Default::default();
    for (i, c) in out.iter_mut().enumerate() {
        *c = opt_text(r, at + i)?;
    }
    Ok(out)
}

const STORE: usize = nps_core::contract::context::Dimension::Store.index();

/// The columns `codes_at` reads, of the responses aliased `r`.
macro_rules! facts {
    () => {
        "r.cx_store, r.cx_advisor, r.cx_model, r.cx_service_type, r.cx_touchpoint,
         CASE WHEN r.id IS NOT NULL AND r.created_min IS NULL THEN r.body END"
    };
}

/// A stored channel (`message` for a text this version does not know).
fn channel(key: &str) -> Channel {
    Channel::of(key).unwrap_or(Channel::DEFAULT)
}

fn opt_int(row: &[Val], i: usize) -> Result<Option<i64>, StoreError> {
    match row.get(i) {
        Some(Val::NullI | Val::NullT) => Ok(None),
        _ => int(row, i).map(Some),
    }
}

impl Store {
    /// Records visits in one transaction, all or none: a new one is inserted with its
    /// issue time, channel and reporter; a known one keeps them and what it was first
    /// recorded with, a store, advisor or touchpoint it lacked filled in (`Claim::Known`).
    /// When any row names a visit another store has (or one without a store, for a scoped
    /// caller: `visit::claim`), nothing is written and the rows are told (`VisitsRecorded::Taken`).
    pub async fn visits_record(
        &self,
        visits: &[NewVisit],
        by: &Reporter<'_>,
        now: &Now,
    ) -> Result<VisitsRecorded, StoreError> {
        let mut reads: Vec<Stmt> = Vec::with_capacity(visits.len() * 2);
        for v in visits {
            // Inserted unless on record (another writer's row, committed first, is waited
            // for), then the store on record, locked until the commit.
            reads.push(stmt(
                "INSERT INTO visits (survey, visit, store, advisor, touchpoint, issued_ns, source,
                   recorded_ns, channel, reported_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (survey, visit) DO NOTHING RETURNING visit",
                vec![
                    t(&v.survey),
                    t(&v.visit),
                    opt(&v.store),
                    opt(&v.advisor),
                    opt(&v.touchpoint),
                    Val::I(v.issued_ns),
                    t(by.source),
                    Val::I(now.ns),
                    t(v.channel.key()),
                    t(by.by),
                ],
            ));
            reads.push(stmt(
                "SELECT store FROM visits WHERE survey = $1 AND visit = $2 FOR UPDATE",
                vec![t(&v.survey), t(&v.visit)],
            ));
        }
        let owned = visits.to_vec();
        let every_store = by.every_store;
        let then: super::people::Then<Vec<Taken>> = Box::new(move |rows: &[Rows]| {
            let mut writes = Vec::new();
            let mut taken = Vec::new();
            for (index, v) in owned.iter().enumerate() {
                let new = rows.get(2 * index).is_some_and(|r| !r.is_empty());
                let on_record = match rows.get(2 * index + 1).and_then(|r| r.first()) {
                    Some(row) => opt_text(row, 0).ok().flatten(),
                    None => None,
                };
                let on_record = (!new).then_some(on_record.as_deref());
                match visit::claim(on_record, v.store.as_deref(), every_store) {
                    Claim::New => {}
                    Claim::Known => writes.push(stmt(
                        "UPDATE visits SET store = COALESCE(store, $3),
                           advisor = COALESCE(advisor, $4), touchpoint = COALESCE(touchpoint, $5)
                         WHERE survey = $1 AND visit = $2",
                        vec![
                            t(&v.survey),
                            t(&v.visit),
                            opt(&v.store),
                            opt(&v.advisor),
                            opt(&v.touchpoint),
                        ],
                    )),
                    Claim::Taken { store } => taken.push(Taken { index, store }),
                }
            }
            if taken.is_empty() {
                Ok(writes)
            } else {
                Err(taken)
            }
        });
        Ok(match self.transact_then(reads, then).await? {
            Ok(rows) => {
                let recorded = (0..visits.len())
                    .filter(|i| rows.get(2 * i).is_some_and(|r| !r.is_empty()))
                    .count();
                VisitsRecorded::Done {
                    recorded,
                    known: visits.len() - recorded,
                }
            }
            Err(taken) => VisitsRecorded::Taken(taken),
        })
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
        let sql = concat!(
            "SELECT v.survey, v.visit, v.store, v.advisor, v.touchpoint, v.issued_ns,
                   CAST(CASE WHEN v.opened_ns IS NULL THEN 0 ELSE 1 END AS BIGINT),
                   CAST(CASE WHEN r.id IS NULL THEN 0 ELSE 1 END AS BIGINT), v.channel, ",
            facts!(),
            "
                 FROM visits v
                 LEFT JOIN responses r ON r.survey = v.survey AND r.visit = v.visit
                   AND r.score IS NOT NULL AND r.flag IS NULL
                 WHERE (CAST($1 AS TEXT) IS NULL OR v.survey = $1) AND (CAST($2 AS BIGINT) IS NULL OR v.issued_ns >= $2)
                   AND (CAST($3 AS BIGINT) IS NULL OR v.issued_ns < $3)
                 ORDER BY v.issued_ns, v.survey, v.visit"
        );
        let rows = Some(self.query(sql, w.params()).await?);
        super::people::all(rows, |r| {
            let store = opt_text(r, 2)?;
            // At most one counted answer per visit (`responses_one_answer`).
            let answered = int(r, 7)? != 0 && {
                let codes = codes_at(r, 9)?;
                visit::answers(store.as_deref(), codes[STORE].as_deref())
            };
            Ok(VisitRow {
                survey: text(r, 0)?,
                visit: text(r, 1)?,
                store,
                advisor: opt_text(r, 3)?,
                touchpoint: opt_text(r, 4)?,
                issued_ns: int(r, 5)?,
                channel: channel(&text(r, 8)?),
                opened: int(r, 6)? != 0,
                answered,
            })
        })
    }

    /// The counted answers (a score, no flag) first stored in the window, oldest first.
    pub async fn funnel_answers(&self, w: &Window) -> Result<Vec<AnswerRow>, StoreError> {
        let sql = concat!(
            "SELECT r.id, r.visit, r.received_at, r.received_ns, CAST(r.score AS BIGINT),
                   r.device, r.net, v.issued_ns, v.store, v.channel, ",
            facts!(),
            "
                 FROM responses r
                 LEFT JOIN visits v ON v.survey = r.survey AND v.visit = r.visit
                 WHERE r.score IS NOT NULL AND r.flag IS NULL
                   AND (CAST($1 AS TEXT) IS NULL OR r.survey = $1) AND (CAST($2 AS BIGINT) IS NULL OR r.received_ns >= $2)
                   AND (CAST($3 AS BIGINT) IS NULL OR r.received_ns < $3)
                 ORDER BY r.received_ns, r.id"
        );
        let rows = Some(self.query(sql, w.params()).await?);
        super::people::all(rows, |r| {
            let [store, advisor, _, _, touchpoint] = codes_at(r, 10)?;
            // The visit's issue time and channel, when the visit is of the answer's store.
            let visit = match opt_int(r, 7)? {
                Some(ns) if visit::answers(opt_text(r, 8)?.as_deref(), store.as_deref()) => {
                    Some((ns, channel(&text(r, 9)?)))
                }
                _ => None,
            };
            Ok(AnswerRow {
                id: text(r, 0)?,
                visit: opt_text(r, 1)?,
                store,
                advisor,
                touchpoint,
                received_at: text(r, 2)?,
                received_ns: int(r, 3)?,
                score: int(r, 4)?,
                device: opt_text(r, 5)?,
                net: opt_text(r, 6)?,
                issued_ns: visit.map(|v| v.0),
                channel: visit.map(|v| v.1),
            })
        })
    }

    /// The referrals of the answers first stored in the window, with what each brought:
    /// shared or not (a tap on share, copy or save; or a friend's open, which only a share
    /// makes — WeChat's ··· menu shares without a tap the page sees), friends' opens (the
    /// promoter's own device never), booked, purchased.
    pub async fn funnel_referrals(&self, w: &Window) -> Result<Vec<ReferralRow>, StoreError> {
        let rows: Option<Rows> = Some(
            self.query(
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
            .await?,
        );
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
