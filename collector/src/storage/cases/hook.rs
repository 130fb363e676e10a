//! The case hook of the upsert: the statements that read the case of a response (and the case a
//! re-survey answers), and the writes `cases::opening::decide` asks for, run by each engine in
//! the transaction that stores the answer. A case, its history's first lines and its first
//! alerts therefore commit with the answer that caused them, or not at all.

use nps_core::cases::opening::{self, AlertAt, Answer, Opening};
use nps_core::contract::payload::Response;

use super::{alert_key, event, EventLine};
use crate::storage::people::{int, stmt, t, Rows, Stmt, Val};
use crate::storage::{Admission, Now, StoreError};

/// The reads of the hook: the case of this response (locked), and the case a re-survey
/// answers (its id, state, and the response that answered it first; no row when there is
/// none).
pub fn reads(r: &Response, admission: &Admission) -> Vec<Stmt> {
    let recovered = admission
        .recovery_of
        .map(|id| id.to_string())
        .unwrap_or_default();
    vec![
        stmt(
            "SELECT id, callback, deadline_ns FROM cases WHERE response_id = $1 FOR UPDATE",
            vec![t(&r.id)],
        ),
        stmt(
            "SELECT id, state, recovery_response, recovery_score FROM cases WHERE id = $1
             FOR UPDATE",
            vec![t(&recovered)],
        ),
    ]
}

/// The writes for the stored answer `r` (first received at `received_ns`, with its flag), as
/// the opening table decides from what `reads` returned. A re-survey is recorded on its case
/// only while the case is resolved, and only from the response that answered it first (that
/// response may still change its score; another answer through the same link changes nothing).
pub fn writes(
    read: &[Rows],
    r: &Response,
    flag: Option<&str>,
    admission: &Admission,
    received_ns: i64,
    now: &Now,
) -> Result<Vec<Stmt>, StoreError> {
    let case = read.first().and_then(|rows| rows.first());
    let stored = case
        .map(|row| {
            Ok::<_, StoreError>((
                super::text(row, 0)?,
                opening::Stored {
                    callback: int(row, 1)? != 0,
                    deadline_ns: int(row, 2)?,
                },
            ))
        })
        .transpose()?;
    // A re-survey's own flag is what it is, not a reason to ignore it.
    let flagged = flag.is_some_and(|f| f != crate::intake::RECOVERY);
    let answer = Answer::of(r, received_ns, flagged, admission.recovery_of.is_some());
    let decision = opening::decide(
        stored.as_ref().map(|s| s.1),
        &answer,
        admission.cases,
        now.ns,
    );
    let mut out = Vec::new();
    match decision {
        Opening::Nothing => {}
        Opening::Recovery { score } => {
            let Some(target) = read.get(1).and_then(|rows| rows.first()) else {
                return Ok(out);
            };
            let id = super::text(target, 0)?;
            let resolved = super::text(target, 1)? == "resolved";
            let first = super::opt_text(target, 2)?;
            let same = super::opt_int(target, 3)? == Some(i64::from(score));
            match first.as_deref() {
                _ if !resolved => return Ok(out),
                Some(f) if f != r.id => return Ok(out), // another answer through the link
                Some(_) if same => return Ok(out),      // its next page: nothing new
                _ => {}
            }
            out.push(stmt(
                "UPDATE cases SET recovery_score = $2, recovery_ns = $3, updated_ns = $3,
                   recovery_response = $4
                 WHERE id = $1",
                vec![t(&id), Val::I(score.into()), Val::I(now.ns), t(&r.id)],
            ));
            out.push(event(
                &id,
                now.ns,
                EventLine {
                    score: Some(score.into()),
                    ..EventLine::what("recovery_answer")
                },
            ));
        }
        Opening::Update {
            callback,
            deadline_ns,
            alerts,
        } => {
            let id = stored.map(|s| s.0).unwrap_or_default();
            out.push(stmt(
                "UPDATE cases SET callback = $2, deadline_ns = $3, updated_ns = $4 WHERE id = $1",
                vec![
                    t(&id),
                    Val::I(callback.into()),
                    Val::I(deadline_ns),
                    Val::I(now.ns),
                ],
            ));
            if !alerts.is_empty() {
                out.push(event(&id, now.ns, EventLine::what("callback")));
            }
            out.extend(alerts.iter().map(|a| alert(&id, a, now)));
        }
        Opening::Open {
            category,
            score,
            callback,
            deadline_ns,
            alerts,
        } => {
            let id = uuid::Uuid::new_v4().to_string();
            let ctx = |k: &str| r.context.get(k).map_or(Val::NullT, |v| t(v));
            out.push(stmt(
                "INSERT INTO cases (id, response_id, survey, store, advisor, visit, category,
                   score, state, reopens, callback, received_ns, deadline_ns, updated_ns)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', 0, $9, $10, $11, $12)",
                vec![
                    t(&id),
                    t(&r.id),
                    t(&r.survey),
                    ctx("store"),
                    ctx("advisor"),
                    ctx(nps_core::contract::rules::VISIT),
                    t(category.as_str()),
                    Val::I(score.into()),
                    Val::I(callback.into()),
                    Val::I(received_ns),
                    Val::I(deadline_ns),
                    Val::I(now.ns),
                ],
            ));
            out.push(event(
                &id,
                now.ns,
                EventLine {
                    score: Some(score.into()),
                    ..EventLine::what("opened")
                },
            ));
            if callback {
                out.push(event(&id, now.ns, EventLine::what("callback")));
            }
            out.extend(alerts.iter().map(|a| alert(&id, a, now)));
        }
    }
    Ok(out)
}

/// The insert of a case's alert (nothing when its key is there already).
fn alert(case_id: &str, a: &AlertAt, now: &Now) -> Stmt {
    super::queue::insert_alert_stmt(
        &alert_key(case_id, a.kind, None),
        a.kind.name(),
        Some(case_id),
        None,
        a.due_ns,
        now,
    )
}
