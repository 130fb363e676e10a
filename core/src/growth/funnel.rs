//! The funnel of one view (`GET /api/funnel`): per key (a store, an advisor, a touchpoint, a
//! week or a month), invited → opened → answered with the response rate, the NPS of every
//! counted answer (flagged ones included), the referrals' funnel (promoters → shared →
//! friends' opens → booked → bought) with the referral rate, and the share flagged.
//!
//! The collector reads the rows of the caller's scope and gives each its key; this module
//! does the counting. `low_response` is the rule behind "只收到了少数顾客的评价":
//!
//! | invited                 | response rate's upper bound     | NPS                                           | flagged |
//! |-------------------------|---------------------------------|-----------------------------------------------|---------|
//! | < `LOW_RESPONSE_MIN_INVITED` (20) | any                   | any                                           | no      |
//! | ≥ 20                    | ≥ `LOW_RESPONSE_UPPER` (30 %)   | any                                           | no      |
//! | ≥ 20                    | < 30 %                          | < the view's NPS (alone: < `LOW_RESPONSE_ALONE_NPS`, 50) | no |
//! | ≥ 20                    | < 30 %                          | ≥ the view's NPS (alone: ≥ 50)                | yes     |
//!
//! "The view's NPS" is that of every answer of the view (all its keys); a view of one key
//! (a store manager's own store) is alone.

use std::collections::BTreeMap;

use super::flags::Reason;
use super::Rate;
use crate::contract::error::FieldError;
use crate::scoring::score::{Category, Nps, Score, Tally};

/// Below this many invited visits a response rate says too little to flag.
pub const LOW_RESPONSE_MIN_INVITED: u64 = 20;
/// A response rate whose upper 95 % bound is below this is low.
pub const LOW_RESPONSE_UPPER: f64 = 0.30;
/// The NPS a key alone in its view is compared with.
pub const LOW_RESPONSE_ALONE_NPS: f64 = 50.0;

/// What a funnel's rows are per.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum By {
    Store,
    Advisor,
    Touchpoint,
    Week,
    Month,
}

impl By {
    pub const ALL: [By; 5] = [By::Store, By::Advisor, By::Touchpoint, By::Week, By::Month];
    /// The values of `by`, in `ALL`'s order.
    pub const KEYS: [&'static str; 5] = ["store", "advisor", "touchpoint", "week", "month"];

    pub fn key(self) -> &'static str {
        Self::KEYS[self as usize]
    }

    /// `by`'s value; an error names `by` and the accepted values.
    pub fn parse(value: Option<&str>) -> Result<By, FieldError> {
        let Some(v) = value else {
            return Err(FieldError::new(
                "by",
                crate::contract::error::ErrorKind::Missing {
                    hint: format!("one of {}", Self::KEYS.join(", ")),
                },
            ));
        };
        Self::ALL
            .into_iter()
            .find(|b| b.key() == v)
            .ok_or_else(|| FieldError::not_one_of("by", &v.into(), &Self::KEYS))
    }
}

/// One invited visit: its key, whether its landing page opened, whether it was answered (an
/// answered visit counts as opened).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invited {
    pub key: String,
    pub opened: bool,
    pub answered: bool,
}

/// One counted answer: its key, score, coaching flags, and the referral its promoter shared.
#[derive(Clone, Debug, PartialEq)]
pub struct Answered {
    pub key: String,
    pub score: Score,
    pub reasons: Vec<Reason>,
    pub referral: Option<Referral>,
}

/// What a promoter's referral code brought.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Referral {
    pub shared: bool,
    /// Friends' devices that opened it (the promoter's own never counts).
    pub opens: u64,
    pub booked: u64,
    pub purchased: u64,
}

/// One key's figures.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Row {
    pub key: String,
    pub invited: u64,
    pub opened: u64,
    /// Answered of invited.
    pub response: Rate,
    pub tally: Tally,
    pub shared: u64,
    pub referred_opens: u64,
    pub booked: u64,
    pub purchased: u64,
    /// Promoters whose code brought at least one purchase, of promoters.
    pub referral: Rate,
    /// Answers with any reason, of answers.
    pub flagged: Rate,
    /// Answers per reason, in `Reason::ALL`'s order.
    pub reasons: [u64; Reason::ALL.len()],
    pub low_response: bool,
}

impl Row {
    pub fn nps(&self) -> Option<Nps> {
        self.tally.nps()
    }
}

/// The rows, by key in order (weeks and months in time order); `low_response` against the
/// view's NPS.
pub fn rows(invited: &[Invited], answers: &[Answered]) -> Vec<Row> {
    let mut out: BTreeMap<String, Row> = BTreeMap::new();
    fn at<'a>(out: &'a mut BTreeMap<String, Row>, key: &str) -> &'a mut Row {
        out.entry(key.to_owned()).or_insert_with(|| Row {
            key: key.to_owned(),
            ..Row::default()
        })
    }
    for v in invited {
        let r = at(&mut out, &v.key);
        r.invited += 1;
        // An answered visit was opened, whichever way it was answered (the widget, WeChat's
        // H5 page: only the landing page records an open), so invited ≥ opened ≥ answered.
        r.opened += u64::from(v.opened || v.answered);
        r.response.den += 1;
        r.response.num += u64::from(v.answered);
    }
    let mut view = Tally::default();
    for a in answers {
        let r = at(&mut out, &a.key);
        let category = a.score.category();
        r.tally.add(category);
        view.add(category);
        r.flagged.den += 1;
        r.flagged.num += u64::from(!a.reasons.is_empty());
        for reason in &a.reasons {
            r.reasons[*reason as usize] += 1;
        }
        if category == Category::Promoter {
            r.referral.den += 1;
            if let Some(f) = a.referral {
                r.shared += u64::from(f.shared);
                r.referred_opens += f.opens;
                r.booked += f.booked;
                r.purchased += f.purchased;
                r.referral.num += u64::from(super::referral::brought_a_buyer(f.purchased));
            }
        }
    }
    let alone = out.keys().nth(1).is_none(); // one key (or none): nothing to compare with
    let against = if alone {
        Some(LOW_RESPONSE_ALONE_NPS)
    } else {
        view.nps().map(|n| n.score)
    };
    let mut rows: Vec<Row> = out.into_values().collect();
    for r in &mut rows {
        r.low_response = low_response(r.response, r.nps().map(|n| n.score), against);
    }
    rows
}

/// The rule of the module doc: a high NPS from few of the invited.
pub fn low_response(response: Rate, nps: Option<f64>, against: Option<f64>) -> bool {
    let low = response
        .interval()
        .is_some_and(|(_, high)| high < LOW_RESPONSE_UPPER);
    let high = matches!((nps, against), (Some(n), Some(o)) if n >= o);
    response.den >= LOW_RESPONSE_MIN_INVITED && low && high
}

#[cfg(test)]
mod tests;
