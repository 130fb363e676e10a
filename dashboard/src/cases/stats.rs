//! The cases per store and per advisor (`GET /api/cases/stats?by=store|advisor`), each row
//! as the table shows it: cases, open now, overdue now, the share reached within the
//! promise, the median hours to the first contact, and the recovery rate with its n
//! (recovered / answered; "—" when nobody answered yet).

use nps_core::words::{fill, Locale};
use serde::Deserialize;

use crate::format::{int, pct};
use crate::words::Word;

/// What is shown where there is no figure.
pub const NONE: &str = "—";

/// One row of `GET /api/cases/stats`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Stat {
    /// The store's or advisor's code.
    pub key: String,
    pub name: Option<String>,
    pub cases: u64,
    pub open: u64,
    pub overdue: u64,
    pub contacted_in_time: u64,
    /// 0–1; none while no case has come due.
    pub in_time_share: Option<f64>,
    pub median_hours_to_contact: Option<f64>,
    pub recovery_sent: u64,
    pub recovery_answered: u64,
    /// Re-survey scores of 7 or more.
    pub recovered: u64,
    /// recovered / answered; none when nobody answered.
    pub recovery_rate: Option<f64>,
}

/// What the table groups by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum By {
    #[default]
    Store,
    Advisor,
}

impl By {
    pub const ALL: [By; 2] = [By::Store, By::Advisor];

    /// The `by` of the query.
    pub fn key(self) -> &'static str {
        match self {
            By::Store => "store",
            By::Advisor => "advisor",
        }
    }

    pub fn word(self) -> Word {
        match self {
            By::Store => Word::Store,
            By::Advisor => Word::Advisor,
        }
    }
}

/// The columns after the name, in order.
pub const COLUMNS: [Word; 6] = [
    Word::StatCases,
    Word::StatOpen,
    Word::StatOverdue,
    Word::StatInTime,
    Word::StatMedian,
    Word::StatRecovery,
];

/// A row as shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub key: String,
    /// The name, else the code, else "(none given)".
    pub name: String,
    pub cells: [String; COLUMNS.len()],
    /// Some case is overdue now (the row's figure in red).
    pub overdue: bool,
}

/// The rows of `GET /api/cases/stats`.
pub fn from_json(text: &str) -> Result<Vec<Stat>, String> {
    serde_json::from_str(text).map_err(|e| format!("figures the page cannot read: {e}"))
}

/// A row's cells in a locale.
pub fn row(s: &Stat, locale: Locale) -> Row {
    let name = match (s.name.as_deref(), s.key.as_str()) {
        (Some(n), _) if !n.is_empty() => n.to_owned(),
        (_, "") => Word::Unnamed.in_(locale).to_owned(),
        (_, key) => key.to_owned(),
    };
    let in_time = s.in_time_share.map_or_else(|| NONE.to_owned(), pct);
    let median = s.median_hours_to_contact.map_or_else(
        || NONE.to_owned(),
        |h| fill(Word::Hours.in_(locale), &[("h", &hours(h))]),
    );
    let recovery = match (s.recovery_answered, s.recovery_rate) {
        (0, _) => NONE.to_owned(),
        (n, rate) => fill(
            Word::RateOf.in_(locale),
            &[
                // The collector's rate, else the same division.
                ("pct", &pct(rate.unwrap_or(s.recovered as f64 / n as f64))),
                ("k", &int(s.recovered)),
                ("n", &int(n)),
            ],
        ),
    };
    Row {
        key: s.key.clone(),
        name,
        cells: [
            int(s.cases),
            int(s.open),
            int(s.overdue),
            in_time,
            median,
            recovery,
        ],
        overdue: s.overdue > 0,
    }
}

/// Hours to one decimal under 10 (`2.5`), whole above (`31`); no trailing `.0`.
pub fn hours(h: f64) -> String {
    let h = h.max(0.0);
    if h < 10.0 {
        let r = (h * 10.0).round() / 10.0;
        if r.fract() == 0.0 {
            format!("{r:.0}")
        } else {
            format!("{r:.1}")
        }
    } else {
        format!("{:.0}", h.round())
    }
}
