//! The index built from the collector's columns is the very index of the records they say
//! (the same ids, dictionaries and order, whichever order the answers came in), and the
//! filters' choices read from the index are the ones the records say.

use std::collections::HashSet;

use nps_core::contract::columns::{self, Columns, Writer};
use nps_core::scoring::analysis::{local_day, Names};

use super::*;
use crate::data::columns::tests::records_of;
use crate::data::Answers;
use crate::report::Options;

/// What the filters offer, as the records say it (the way it was computed before the index):
/// the surveys and each dimension's codes (sorted, an empty code left out), the first day
/// with an answer and the last with one not flagged.
pub(super) fn options_of(records: &[Record], offset: i32) -> Options {
    // Distinct values, borrowed: no copy per answer, one hash each.
    let mut surveys: HashSet<&str> = HashSet::new();
    let mut codes: [HashSet<&str>; Dimension::ALL.len()] = Default::default();
    let (mut first, mut latest): (Option<i64>, Option<i64>) = (None, None);
    for r in records {
        surveys.insert(r.survey.as_str());
        for (code, codes) in r.dims.iter().zip(codes.iter_mut()) {
            if !code.is_empty() {
                codes.insert(code);
            }
        }
        first = Some(first.map_or(r.created, |m| m.min(r.created)));
        if r.flagged.is_none() {
            latest = Some(latest.map_or(r.created, |m| m.max(r.created)));
        }
    }
    let sorted = |set: HashSet<&str>| {
        let mut v: Vec<String> = set.into_iter().map(str::to_owned).collect();
        v.sort_unstable();
        v
    };
    // A local day only grows with the minute: the first and last minutes give the days.
    Options {
        first_day: first.map(|m| local_day(m, offset)),
        latest_day: latest.map(|m| local_day(m, offset)),
        surveys: sorted(surveys),
        codes: codes.map(sorted),
        ..Options::default()
    }
}

/// The columns the collector would write for `records` (their comments marked, not sent).
fn columns_of(records: &[Record]) -> Columns {
    let mut w = Writer::new();
    for r in records {
        w.push(&r.row());
    }
    columns::read(&w.finish()).expect("the writer's own body")
}

#[test]
fn the_index_of_the_columns_is_the_index_of_their_records() {
    let names = Names::from_json(ORG).unwrap();
    let mut sorted = records();
    sorted.sort_by_key(|r| r.created);
    for records in [records(), sorted, Vec::new()] {
        for org in [names.org().unwrap().clone(), Org::default()] {
            let c = columns_of(&records);
            let said = records_of(&c);
            let got = Index::of(&Answers::Columns(Box::new(c)), &org, CX.offset);
            let mut want = Index::new(&said, &org, CX.offset);
            // The columns' comments stay on the collector: none is marked or read here.
            assert!(!want.class.iter().any(|c| c & COMMENTED != 0));
            want.records = false;
            assert_eq!(got, want);
            assert!(got.fits(&[], CX.offset) && !got.fits(&said[..said.len().min(1)], 0));
            assert_eq!(got.options(), options_of(&said, CX.offset));
        }
    }
}

#[test]
fn the_filters_choices_read_from_the_index_are_the_records_own() {
    let mut records = records();
    // The latest answers left out: the latest day is the last counted one's.
    let last = records.iter().map(|r| r.created).max().unwrap();
    for (i, why) in [LeftOut::TooFast, LeftOut::Other].into_iter().enumerate() {
        let mut r = Record::scored(format!("late{i}"), 9, last + 3 * 24 * 60);
        r.flagged = Some(why);
        records.push(r);
    }
    let all_left_out: Vec<Record> = records
        .iter()
        .map(|r| Record {
            flagged: Some(LeftOut::Honeypot),
            ..r.clone()
        })
        .collect();
    for records in [records, all_left_out, Vec::new()] {
        let index = Index::new(&records, &Org::default(), CX.offset);
        let want = options_of(&records, CX.offset);
        assert_eq!(index.options(), want);
        assert_eq!(
            want.latest_day.is_some(),
            records.iter().any(|r| r.flagged.is_none())
        );
    }
}
