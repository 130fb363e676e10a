//! Cases in the store: the promise made to a detractor (`cases`), its history (`case_events`,
//! numbered 1, 2, … per case), the alerts to tell (`alerts`, one per `key`) and the jobs that
//! deliver them (`alert_jobs`, one per alert and channel). Both engines run the same
//! statements (`people::Stmt`), so a rule here holds on each.
//!
//! - The upsert opens and updates cases in its own transaction (`hook`, on each engine).
//! - `case_list`, `case_get`: the cases as the API lists them, with the answer's stored body.
//! - `case_apply`: a person's edits (`Edits`), each an event of `cases::apply`, in one
//!   transaction with their history lines; `first_contact_ns` is the first contact's time,
//!   `resolved_ns` the last resolution's (a reopen clears it and the root cause).
//! - The alert queue (`queue`): `insert_alert`, `alerts_to_fan`, `fan_out`, `lease_jobs`,
//!   `job_done`, `dead_jobs`, `robot_sends`, `cases_due_for`.
//!
//! `owner` is stored only once someone assigns the case: until then it is the store's owner
//! in the org file in force (read by the routes, so a changed org file moves unassigned cases).

use nps_core::cases::opening::AlertKind;
use nps_core::cases::State;

use super::people::{all, first, int, opt_text, stmt, t, Rows, Stmt, Val};
use super::{Now, Store, StoreError};

pub mod due;
mod edit;
pub mod hook;
pub mod listing;
pub mod queue;

use edit::apply_edits;
pub use edit::{Edits, NotApplied};

pub(super) use super::people::text;
pub use due::Due;
pub use listing::QueueLine;
pub use queue::{AlertRow, JobRow};

/// A stored case and the stored body of the answer that opened it (`None` once deleted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseRow {
    pub id: String,
    pub response_id: String,
    pub survey: String,
    pub store: Option<String>,
    pub advisor: Option<String>,
    pub visit: Option<String>,
    pub category: String,
    pub score: i64,
    pub state: State,
    pub reopens: u32,
    /// Assigned explicitly; `None`: the store's owner in the org file.
    pub owner: Option<String>,
    pub root_cause: Option<String>,
    pub callback: bool,
    pub received_ns: i64,
    pub deadline_ns: i64,
    pub first_contact_ns: Option<i64>,
    pub resolved_ns: Option<i64>,
    pub recovery_score: Option<i64>,
    pub recovery_ns: Option<i64>,
    pub updated_ns: i64,
    pub body: Option<String>,
    /// A re-survey link was sent (a `recovery_link` line in its history).
    pub recovery_sent: bool,
}

/// One line of a case's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseEvent {
    pub seq: i64,
    pub at_ns: i64,
    /// An email, `token:LABEL`, `admin token` or `collector`.
    pub who: String,
    /// `opened`, `callback`, `contacted`, `resolved`, `reopened`, `note`, `assigned`,
    /// `recovery_link` or `recovery_answer`.
    pub what: String,
    pub note: Option<String>,
    pub root_cause: Option<String>,
    pub owner: Option<String>,
    pub score: Option<i64>,
}

/// Which cases `case_list` gives (all when empty), most urgent first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseFilter {
    pub state: Option<State>,
    pub store: Option<String>,
    /// Only open or contacted cases past their deadline at this time (ns).
    pub overdue_at_ns: Option<i64>,
}

/// A history line to write.
pub(super) struct EventLine {
    pub who: String,
    pub what: &'static str,
    pub note: Option<String>,
    pub root_cause: Option<String>,
    pub owner: Option<String>,
    pub score: Option<i64>,
}

impl EventLine {
    /// A line written by the collector itself.
    pub fn what(what: &'static str) -> EventLine {
        EventLine {
            who: "collector".into(),
            what,
            note: None,
            root_cause: None,
            owner: None,
            score: None,
        }
    }
}

fn opt(v: &Option<String>) -> Val {
    v.as_deref().map_or(Val::NullT, t)
}

/// The next line of a case's history (its `seq` one more than the last).
pub(super) fn event(case_id: &str, at_ns: i64, e: EventLine) -> Stmt {
    stmt(
        "INSERT INTO case_events (case_id, seq, at_ns, who, what, note, root_cause, owner, score)
         SELECT $1, COALESCE(MAX(seq), 0) + 1, CAST($2 AS BIGINT), $3, $4, $5, $6, $7,
           CAST($8 AS BIGINT)
         FROM case_events WHERE case_id = $1",
        vec![
            t(case_id),
            Val::I(at_ns),
            t(&e.who),
            t(e.what),
            opt(&e.note),
            opt(&e.root_cause),
            opt(&e.owner),
            e.score.map_or(Val::NullI, Val::I),
        ],
    )
}

/// An alert's key: one alert per case and kind (and per reopening, for the reminder and the
/// breach, which a reopened case earns again).
pub fn alert_key(case_id: &str, kind: AlertKind, reopens: Option<u32>) -> String {
    match reopens {
        Some(n) => format!("case:{case_id}:{}:{n}", kind.name()),
        None => format!("case:{case_id}:{}", kind.name()),
    }
}

pub(super) fn opt_int(row: &[Val], i: usize) -> Result<Option<i64>, StoreError> {
    match row.get(i) {
        Some(Val::I(n)) => Ok(Some(*n)),
        Some(Val::NullI | Val::NullT) => Ok(None),
        _ => Err(StoreError::Sql {
            message: "unexpected stored integer".into(),
        }),
    }
}

fn state(row: &[Val], i: usize) -> Result<State, StoreError> {
    let name = text(row, i)?;
    State::parse(&name).ok_or_else(|| StoreError::Sql {
        message: format!("unexpected stored case state {name:?}"),
    })
}

macro_rules! case_cols {
    // With the answer's body and whether a re-survey link was taken.
    () => {
        case_cols!(
            "r.body, (SELECT COUNT(*) FROM case_events e WHERE e.case_id = c.id
               AND e.what = 'recovery_link')
             FROM cases c LEFT JOIN responses r ON r.id = c.response_id"
        )
    };
    // The case's own columns, then `$rest`: the body and the links taken (columns 20 and 21)
    // and the FROM clause.
    ($rest:literal) => {
        concat!(
            "c.id, c.response_id, c.survey, c.store, c.advisor, c.visit, c.category, c.score,
             c.state, c.reopens, c.owner, c.root_cause, c.callback, c.received_ns, c.deadline_ns,
             c.first_contact_ns, c.resolved_ns, c.recovery_score, c.recovery_ns, c.updated_ns, ",
            $rest
        )
    };
}

/// What a `CaseFilter` selects (`case_params`).
macro_rules! case_filter {
    () => {
        " WHERE (CAST($1 AS TEXT) IS NULL OR c.state = $1)
            AND (CAST($2 AS TEXT) IS NULL OR c.store = $2)
            AND (CAST($3 AS BIGINT) IS NULL OR (c.state = 'open' AND c.deadline_ns < $3))"
    };
}

fn case_params(filter: &CaseFilter) -> Vec<Val> {
    vec![
        filter.state.map_or(Val::NullT, |s| t(s.name())),
        opt(&filter.store),
        filter.overdue_at_ns.map_or(Val::NullI, Val::I),
    ]
}

fn case_row(row: &[Val]) -> Result<CaseRow, StoreError> {
    Ok(CaseRow {
        id: text(row, 0)?,
        response_id: text(row, 1)?,
        survey: text(row, 2)?,
        store: opt_text(row, 3)?,
        advisor: opt_text(row, 4)?,
        visit: opt_text(row, 5)?,
        category: text(row, 6)?,
        score: int(row, 7)?,
        state: state(row, 8)?,
        reopens: int(row, 9)?.clamp(0, u32::MAX.into()) as u32,
        owner: opt_text(row, 10)?,
        root_cause: opt_text(row, 11)?,
        callback: int(row, 12)? != 0,
        received_ns: int(row, 13)?,
        deadline_ns: int(row, 14)?,
        first_contact_ns: opt_int(row, 15)?,
        resolved_ns: opt_int(row, 16)?,
        recovery_score: opt_int(row, 17)?,
        recovery_ns: opt_int(row, 18)?,
        updated_ns: int(row, 19)?,
        body: opt_text(row, 20)?,
        recovery_sent: int(row, 21)? > 0,
    })
}

fn case_event(row: &[Val]) -> Result<CaseEvent, StoreError> {
    Ok(CaseEvent {
        seq: int(row, 0)?,
        at_ns: int(row, 1)?,
        who: text(row, 2)?,
        what: text(row, 3)?,
        note: opt_text(row, 4)?,
        root_cause: opt_text(row, 5)?,
        owner: opt_text(row, 6)?,
        score: opt_int(row, 7)?,
    })
}

impl Store {
    /// The cases `filter` selects, most urgent first: open and contacted by deadline, then
    /// resolved, the latest first.
    pub async fn case_list(&self, filter: &CaseFilter) -> Result<Vec<CaseRow>, StoreError> {
        let sql = concat!(
            "SELECT ",
            case_cols!(),
            case_filter!(),
            " ORDER BY CASE WHEN c.state = 'resolved' THEN 1 ELSE 0 END,
               CASE WHEN c.state = 'resolved' THEN -c.resolved_ns ELSE c.deadline_ns END, c.id"
        );
        all(self.one(sql, case_params(filter)).await?, case_row)
    }

    /// The cases `filter` selects as the figures per store or advisor read them (`GET
    /// /api/cases/stats`): in no order and without the answers' bodies (`body` is `None`),
    /// whether each one's re-survey link was taken read in one pass over those history lines
    /// rather than one lookup per case. Outside a transaction: a link taken between the two
    /// reads counts if its case was read.
    pub async fn case_figures(&self, filter: &CaseFilter) -> Result<Vec<CaseRow>, StoreError> {
        let sql = concat!(
            "SELECT ",
            case_cols!("CAST(NULL AS TEXT), CAST(0 AS BIGINT) FROM cases c"),
            case_filter!()
        );
        let mut cases = all(Some(self.query(sql, case_params(filter)).await?), case_row)?;
        // Not DISTINCT: SQLite would walk the key's index and look up each row.
        let links = "SELECT case_id FROM case_events WHERE what = 'recovery_link'";
        let sent = all(Some(self.query(links, Vec::new()).await?), |r| text(r, 0))?;
        let sent: std::collections::HashSet<&str> = sent.iter().map(String::as_str).collect();
        for c in &mut cases {
            c.recovery_sent = sent.contains(c.id.as_str());
        }
        Ok(cases)
    }

    /// One case and its history, oldest line first.
    pub async fn case_get(
        &self,
        id: &str,
    ) -> Result<Option<(CaseRow, Vec<CaseEvent>)>, StoreError> {
        let id = id.to_ascii_lowercase();
        let rows = self
            .transact(vec![
                stmt(
                    concat!("SELECT ", case_cols!(), " WHERE c.id = $1"),
                    vec![t(&id)],
                ),
                stmt(
                    "SELECT seq, at_ns, who, what, note, root_cause, owner, score
                     FROM case_events WHERE case_id = $1 ORDER BY seq",
                    vec![t(&id)],
                ),
            ])
            .await?;
        let mut rows = rows.into_iter();
        let Some(case) = first(rows.next(), case_row)? else {
            return Ok(None);
        };
        Ok(Some((case, all(rows.next(), case_event)?)))
    }

    /// Records that `who` took the re-survey link of a resolved case at `now` (a
    /// `recovery_link` line, once per resolution: the case counts as re-surveyed); false when
    /// the case is not resolved (or unknown), and nothing is written.
    pub async fn case_recovery_sent(
        &self,
        id: &str,
        who: &str,
        now: &Now,
    ) -> Result<bool, StoreError> {
        let id = id.to_ascii_lowercase();
        // Its state, and whether the link was taken since the case was last resolved.
        let read = stmt(
            "SELECT c.state, (SELECT COUNT(*) FROM case_events e WHERE e.case_id = c.id
                 AND e.what = 'recovery_link' AND e.seq > (SELECT MAX(r.seq) FROM case_events r
                   WHERE r.case_id = c.id AND r.what = 'resolved'))
             FROM cases c WHERE c.id = $1 FOR UPDATE",
            vec![t(&id)],
        );
        let (who, at) = (who.to_owned(), now.ns);
        let then: super::people::Then<()> = Box::new(move |rows: &[Rows]| {
            let row = rows.first().and_then(|r| r.first()).ok_or(())?;
            if state(row, 0).ok() != Some(State::Resolved) {
                return Err(());
            }
            if int(row, 1).unwrap_or(0) > 0 {
                return Ok(Vec::new()); // taken already: the history says so once
            }
            let line = EventLine {
                who,
                ..EventLine::what("recovery_link")
            };
            Ok(vec![event(&id, at, line)])
        });
        Ok(self.transact_then(vec![read], then).await?.is_ok())
    }

    /// `edits` by `who` at `now`, all or none, each with its history line: `Unknown` for no
    /// such case, `Refused` naming the state and the events it takes.
    pub async fn case_apply(
        &self,
        id: &str,
        who: &str,
        edits: &Edits,
        now: &Now,
    ) -> Result<Result<(), NotApplied>, StoreError> {
        let id = id.to_ascii_lowercase();
        let read = stmt(
            "SELECT state, reopens, owner, root_cause, first_contact_ns, resolved_ns,
               received_ns, deadline_ns
             FROM cases WHERE id = $1 FOR UPDATE",
            vec![t(&id)],
        );
        let (who, edits, at) = (who.to_owned(), edits.clone(), now.ns);
        let then: super::people::Then<NotApplied> =
            Box::new(move |rows: &[Rows]| apply_edits(rows, &id, &who, &edits, at));
        Ok(self.transact_then(vec![read], then).await?.map(drop))
    }
}
