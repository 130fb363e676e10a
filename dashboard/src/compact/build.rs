//! Building the index: from a dropped file's records (`Index::new`, each string interned) or
//! from the collector's columns (`Index::of_columns`, their dictionaries' ids mapped to the
//! index's, no string read per answer), both in the answers' order and then put in the order
//! of the days; and what the filters offer, read from it (`Index::options`).
//!
//! A column's id is interned at its first use, in the answers' order, so the index of the
//! columns is the very index of the records they say (`data::columns::tests::records_of`):
//! the same ids, the same dictionaries (the tests compare them whole).

use nps_core::contract::columns::Columns;
use nps_core::org::Org;
use nps_core::scoring::analysis::local_day;
use nps_core::scoring::score::{Category, Score};

use super::{category_byte, Dict, Index, COMMENTED, DIMS, LEFT_OUT, STORE, UNSCORED};
use crate::data::{Answers, LeftOut, Record};
use crate::places::Places;
use crate::report::Options;

/// An answer's local day; one past i32 (some 5 million years away) is held at the end of the
/// scale.
fn day_of(created: i64, offset: i32) -> i32 {
    local_day(created, offset).clamp(i32::MIN.into(), i32::MAX.into()) as i32
}

/// An answer's byte (a flag wins over the score, as everywhere).
fn class_of(flagged: Option<LeftOut>, category: Option<Category>, commented: bool) -> u8 {
    let class = match (flagged, category) {
        (Some(why), _) => LEFT_OUT + why.index() as u8,
        (None, None) => UNSCORED,
        (None, Some(c)) => category_byte(c),
    };
    class | if commented { COMMENTED } else { 0 }
}

/// A column's ids to the index's, each interned at its first use.
struct Ids(Vec<u32>);

impl Ids {
    const UNSEEN: u32 = u32::MAX;

    fn new(len: usize) -> Ids {
        Ids(vec![Ids::UNSEEN; len])
    }

    #[inline]
    fn get<'a>(&mut self, id: u32, dict: &mut Dict, name: impl FnOnce(usize) -> &'a str) -> u32 {
        let at = &mut self.0[id as usize];
        if *at == Ids::UNSEEN {
            *at = dict.intern(name(id as usize));
        }
        *at
    }
}

impl Index {
    /// The index of the page's answers in the time zone `offset` (minutes east of UTC), their
    /// stores placed in `org`.
    pub fn of(answers: &Answers, org: &Org, offset: i32) -> Index {
        match answers {
            Answers::Records(records) => Index::new(records, org, offset),
            Answers::Columns(c) => Index::of_columns(c, org, offset),
        }
    }

    /// The index of `records` (answer `i`'s position is its record's; their comments are
    /// marked, `commented`).
    pub fn new(records: &[Record], org: &Org, offset: i32) -> Index {
        let mut ix = Index::with_capacity(records.len(), offset);
        ix.records = true;
        for r in records {
            ix.day.push(day_of(r.created, offset));
            ix.class
                .push(class_of(r.flagged, r.category(), r.comment.is_some()));
            ix.survey.push(ix.surveys.intern(&r.survey));
            for ((column, dict), code) in ix.dims.iter_mut().zip(&mut ix.codes).zip(&r.dims) {
                column.push(dict.intern(code));
            }
            for reason in &r.reasons {
                ix.reasons.push(ix.reason_names.intern(reason));
            }
            ix.end_answer();
        }
        ix.finish(org)
    }

    /// The index of the collector's columns. No answer is `commented`: the page reads their
    /// comments from the collector.
    pub fn of_columns(c: &Columns, org: &Org, offset: i32) -> Index {
        let mut ix = Index::with_capacity(c.len(), offset);
        let mut surveys = Ids::new(c.surveys.len());
        // A dimension's id 0 is "none", k its (k−1)th code.
        let mut codes: [Ids; DIMS] = std::array::from_fn(|d| Ids::new(c.codes[d].len() + 1));
        let mut reasons = Ids::new(c.reasons.len());
        for i in 0..c.len() {
            ix.day.push(day_of(c.created[i], offset));
            let category = c.score[i].map(Score::category);
            ix.class
                .push(class_of(LeftOut::of_marks(c.marks[i]), category, false));
            let survey = surveys.get(c.survey[i], &mut ix.surveys, |k| &c.surveys[k]);
            ix.survey.push(survey);
            for (d, ids) in codes.iter_mut().enumerate() {
                let code = ids.get(c.dims[d][i], &mut ix.codes[d], |k| match k {
                    0 => "",
                    k => &c.codes[d][k - 1],
                });
                ix.dims[d].push(code);
            }
            let (from, to) = (c.reason_at[i] as usize, c.reason_at[i + 1] as usize);
            for &r in &c.reason_list[from..to] {
                let id = reasons.get(r, &mut ix.reason_names, |k| &c.reasons[k]);
                ix.reasons.push(id);
            }
            ix.end_answer();
        }
        ix.finish(org)
    }

    fn with_capacity(n: usize, offset: i32) -> Index {
        let mut reason_at = Vec::with_capacity(n + 1);
        reason_at.push(0);
        Index {
            offset,
            day: Vec::with_capacity(n),
            class: Vec::with_capacity(n),
            survey: Vec::with_capacity(n),
            dims: std::array::from_fn(|_| Vec::with_capacity(n)),
            reason_at,
            ..Index::default()
        }
    }

    /// The answer whose reasons were just pushed is complete.
    fn end_answer(&mut self) {
        let at = u32::try_from(self.reasons.len()).expect("fewer than 2³² reasons in all");
        self.reason_at.push(at);
    }

    /// The answers read: in the order of the days, the stores placed, the days known.
    fn finish(mut self, org: &Org) -> Index {
        self.in_order_of_days();
        let places = Places::new(org);
        for store in &self.codes[STORE].names {
            self.region_of
                .push(self.regions.intern(places.region(store)));
            self.city_of.push(self.cities.intern(places.city(store)));
        }
        let (first, last) = (self.day.first(), self.day.last());
        self.days = first.zip(last).map(|(f, l)| (i64::from(*f), i64::from(*l)));
        self
    }

    /// The columns, read in the answers' order, put in the order of the days (a tie in the
    /// answers'), each answer's position kept. Answers already in that order (the
    /// collector's, by the minute answered) stay where they are.
    fn in_order_of_days(&mut self) {
        let n = u32::try_from(self.day.len()).expect("fewer than 2³² answers");
        if self.day.is_sorted() {
            self.position = (0..n).collect();
            return;
        }
        let mut by_day: Vec<(i32, u32)> = self.day.iter().copied().zip(0..n).collect();
        by_day.sort_unstable();
        self.position = by_day.iter().map(|(_, at)| *at).collect();
        self.day = by_day.into_iter().map(|(day, _)| day).collect();
        let order = |column: &[u32]| {
            self.position
                .iter()
                .map(|&at| column[at as usize])
                .collect()
        };
        self.survey = order(&self.survey);
        self.dims = std::array::from_fn(|d| order(&self.dims[d]));
        self.class = self
            .position
            .iter()
            .map(|&at| self.class[at as usize])
            .collect();
        let mut reasons = Vec::with_capacity(self.reasons.len());
        let mut reason_at = Vec::with_capacity(self.reason_at.len());
        reason_at.push(0);
        for &at in &self.position {
            let (from, to) = (self.reason_at[at as usize], self.reason_at[at as usize + 1]);
            reasons.extend_from_slice(&self.reasons[from as usize..to as usize]);
            reason_at.push(reason_at[reason_at.len() - 1] + (to - from));
        }
        (self.reasons, self.reason_at) = (reasons, reason_at);
    }

    /// What the filters offer that depends on the answers alone: the surveys and each
    /// dimension's codes (sorted, an empty code left out), the first day with an answer and
    /// the last with one not left out (a local day only grows with the minute). The regions
    /// and cities are left empty (they are the org's, and the cities follow the view's
    /// region: `report::build_with`).
    pub fn options(&self) -> Options {
        let sorted = |dict: &Dict, keep_empty: bool| {
            let mut v: Vec<String> = (dict.names.iter())
                .filter(|n| keep_empty || !n.is_empty())
                .cloned()
                .collect();
            v.sort_unstable();
            v
        };
        let counted = (0..self.len())
            .rev()
            .find(|&i| self.class[i] & !COMMENTED < LEFT_OUT);
        Options {
            first_day: self.days.map(|(first, _)| first),
            latest_day: counted.map(|i| self.day(i)),
            surveys: sorted(&self.surveys, true),
            codes: std::array::from_fn(|d| sorted(&self.codes[d], false)),
            ..Options::default()
        }
    }
}
