//! A person's edits of a case (`Edits`, the API's `PATCH`) as the events of `cases::apply`,
//! and the writes they make: the case's new fields and a history line per event.

use nps_core::cases::{self, Event, Refusal, State};

use super::{event, int, opt, opt_int, opt_text, state, stmt, t, EventLine, Rows, Stmt, Val};

/// A person's edits of a case (the API's `PATCH`): applied as `owner` → `Assign`, `status` →
/// `Reopen` (first: the case gets its promise's length again from now), `Contact` or `Resolve`
/// with `root_cause`, `note` → `Note`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Edits {
    pub status: Option<State>,
    pub root_cause: Option<String>,
    pub note: Option<String>,
    pub owner: Option<String>,
}

impl Edits {
    /// The events, in the order they are applied.
    pub fn events(&self) -> Vec<Event> {
        let mut out = Vec::new();
        if self.status == Some(State::Open) {
            out.push(Event::Reopen);
        }
        if let Some(owner) = &self.owner {
            out.push(Event::Assign {
                owner: owner.clone(),
            });
        }
        match self.status {
            Some(State::Contacted) => out.push(Event::Contact),
            Some(State::Resolved) => out.push(Event::Resolve {
                root_cause: self.root_cause.clone().unwrap_or_default(),
            }),
            _ => {}
        }
        if let Some(note) = &self.note {
            out.push(Event::Note(note.clone()));
        }
        out
    }
}

/// Why `case_apply` changed nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotApplied {
    Unknown,
    Refused(Refusal),
}

/// The case's fields an edit changes, as read before it.
struct Editable {
    case: cases::Case,
    owner: Option<String>,
    root_cause: Option<String>,
    first_contact_ns: Option<i64>,
    resolved_ns: Option<i64>,
    /// The promise's length (deadline − received): a reopened case gets it again from now.
    promise_ns: i64,
    deadline_ns: i64,
}

/// The writes of `edits` by `who` at `now` on the case read in `rows[0]`.
pub(super) fn apply_edits(
    rows: &[Rows],
    id: &str,
    who: &str,
    edits: &Edits,
    now: i64,
) -> Result<Vec<Stmt>, NotApplied> {
    let Some(row) = rows.first().and_then(|r| r.first()) else {
        return Err(NotApplied::Unknown);
    };
    let bad = |_| NotApplied::Unknown;
    let mut c = Editable {
        case: cases::Case {
            state: state(row, 0).map_err(bad)?,
            reopens: int(row, 1).map_err(bad)?.clamp(0, u32::MAX.into()) as u32,
        },
        owner: opt_text(row, 2).map_err(bad)?,
        root_cause: opt_text(row, 3).map_err(bad)?,
        first_contact_ns: opt_int(row, 4).map_err(bad)?,
        resolved_ns: opt_int(row, 5).map_err(bad)?,
        promise_ns: int(row, 7).map_err(bad)? - int(row, 6).map_err(bad)?,
        deadline_ns: int(row, 7).map_err(bad)?,
    };
    let mut lines = Vec::new();
    for e in edits.events() {
        let step = cases::apply(c.case, &e).map_err(NotApplied::Refused)?;
        let mut line = EventLine {
            who: who.to_owned(),
            ..EventLine::what("note")
        };
        match (&step.record, &e) {
            (cases::Record::Noted(n), _) => line.note = Some(n.clone()),
            (cases::Record::Assigned(o), _) => {
                line.what = "assigned";
                line.owner = Some(o.clone());
                c.owner = Some(o.clone());
            }
            (cases::Record::Moved { to, .. }, _) => match to {
                State::Contacted => {
                    line.what = "contacted";
                    c.first_contact_ns.get_or_insert(now);
                }
                State::Resolved => {
                    line.what = "resolved";
                    line.root_cause = step.root_cause.clone();
                    c.root_cause = step.root_cause.clone();
                    c.resolved_ns = Some(now);
                }
                State::Open => {
                    line.what = "reopened";
                    c.root_cause = None;
                    c.resolved_ns = None;
                    c.deadline_ns = now.saturating_add(c.promise_ns);
                }
            },
        }
        c.case = step.case;
        lines.push(line);
    }
    let mut out = vec![stmt(
        "UPDATE cases SET state = $2, reopens = $3, owner = $4, root_cause = $5,
           first_contact_ns = $6, resolved_ns = $7, updated_ns = $8, deadline_ns = $9
         WHERE id = $1",
        vec![
            t(id),
            t(c.case.state.name()),
            Val::I(c.case.reopens.into()),
            opt(&c.owner),
            opt(&c.root_cause),
            c.first_contact_ns.map_or(Val::NullI, Val::I),
            c.resolved_ns.map_or(Val::NullI, Val::I),
            Val::I(now),
            Val::I(c.deadline_ns),
        ],
    )];
    out.extend(lines.into_iter().map(|l| event(id, now, l)));
    Ok(out)
}
