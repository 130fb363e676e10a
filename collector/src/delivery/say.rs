//! What a case's alert says: the case as the store keeps it (its answer's reasons and comment,
//! the store's and advisor's names in force, the deadline and the hours left now, the link to
//! the case) as `alerts::Alert`, which has no phone field.

use nps_core::cases::hours_left;
use nps_core::cases::opening::AlertKind;
use nps_core::contract::payload::Response;
use nps_core::scoring::analysis::Names;
use nps_core::scoring::score::Category;
use serde_json::Value;

use crate::alerts::{Alert, Named};
use crate::storage::{CaseRow, Now};

/// The alert of `kind` about case `c` at `now`, its link under `base`.
pub fn case_alert(
    kind: AlertKind,
    c: &CaseRow,
    names: &Names,
    base: &str,
    now: &Now,
    utc_offset_minutes: i32,
) -> Alert {
    let answer = c
        .body
        .as_deref()
        .and_then(|b| serde_json::from_str::<Value>(b).ok())
        .and_then(|v| Response::parse(&v).ok());
    let (reasons, comment) = match &answer {
        Some(r) => (r.reasons.clone(), r.comment.clone()),
        None => (Vec::new(), None),
    };
    let store = c.store.as_ref().map(|id| Named {
        id: id.clone(),
        name: names.get("store", id).unwrap_or(id).to_owned(),
    });
    let advisor = c
        .advisor
        .as_ref()
        .map(|a| names.get("advisor", a).unwrap_or(a).to_owned());
    Alert {
        kind,
        case_id: c.id.clone(),
        survey: c.survey.clone(),
        score: c.score.clamp(0, 10) as u8,
        category: Category::parse(&c.category).unwrap_or(Category::Detractor),
        reasons,
        comment,
        store,
        advisor,
        visit: c.visit.clone(),
        callback: c.callback,
        deadline_ns: c.deadline_ns,
        utc_offset_minutes,
        hours_left: hours_left(c.deadline_ns, now.ns),
        link: format!("{base}/dashboard.html#case={}", c.id),
    }
}
