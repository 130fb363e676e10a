//! The answers as plain arrays, for the loops a filter change runs (`report::build_with`,
//! `drill::every_row`). A `Record` is some 264 bytes of strings; a view walks up to a million
//! of them, and hashing each one's store code or comparing its reasons' names costs more than
//! the figures themselves. So, once per set of answers and time zone (the page memoises it
//! with the filters' choices, `Index::options`), `Index::of` reads every answer once into
//! columns (a dropped file's records, or the collector's columns as they came, never a
//! `Record` each: `compact/build.rs`), ordered by local day (ties in the answers' order), so
//! that a view's range and the period before it are one run of answers found by a binary
//! search (`range`). Per answer:
//!
//! - its local day (`i32`, `local_day` of `created` in the manager's time zone) and its
//!   position in the answers (`position`: a dropped file's comments are read from
//!   `records[i]`);
//! - what it counts as in one byte: a category, no score (a dismissal), or left out with its
//!   `LeftOut` (a flag wins over the score, as everywhere), and whether it has a comment in
//!   the records (the collector's comments are read from the collector);
//! - its survey, the five dimension codes and its reasons as ids (`u32`) into dictionaries
//!   (`Dict`: each distinct string once), the reasons as offsets into one flat list;
//! - for each store code, the id of its region and of its city in the org (`Places`), so a
//!   region or city filter or grouping is an array lookup.
//!
//! A view's filters are resolved to ids once per build (`Index::wanted`): a value the answers
//! do not have matches nothing. The index is built from the org the report is given: a new
//! org (it comes with the answers) is a new index.

use std::collections::HashMap;
use std::ops::Range;

use nps_core::contract::context::Dimension;
use nps_core::scoring::score::Category;

use crate::data::{LeftOut, Record};
use crate::filters::{By, Filters};

const DIMS: usize = Dimension::ALL.len();
const STORE: usize = Dimension::Store.index();

/// An answer's byte: `UNSCORED`, a category (`category_byte`), or `LEFT_OUT` plus its
/// `LeftOut::index`; `COMMENTED` on top when it has a comment.
const UNSCORED: u8 = 3;
const LEFT_OUT: u8 = 4;
const COMMENTED: u8 = 0x80;

/// Each distinct string once: its id is its place.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dict {
    names: Vec<String>,
    ids: HashMap<String, u32>,
}

impl Dict {
    /// The id of a string, if any answer (or the org, for regions and cities) has it.
    pub fn id(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = u32::try_from(self.names.len()).expect("fewer than 2³² distinct strings");
        self.names.push(name.to_owned());
        self.ids.insert(name.to_owned(), id);
        id
    }
}

/// What an answer counts as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Flagged: left out of every figure, counted per reason.
    LeftOut(LeftOut),
    /// Dismissed before a score.
    Unscored,
    Scored(Category),
}

fn category_byte(c: Category) -> u8 {
    match c {
        Category::Detractor => 0,
        Category::Passive => 1,
        Category::Promoter => 2,
    }
}

/// The answers' columns (see the module's doc). Answer `i` is the `i`th in the order of the
/// days; `position(i)` is its record's place in the records.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Index {
    offset: i32,
    /// Ascending.
    day: Vec<i32>,
    position: Vec<u32>,
    class: Vec<u8>,
    survey: Vec<u32>,
    dims: [Vec<u32>; DIMS],
    /// Answer `i`'s reasons are `reasons[reason_at[i]..reason_at[i + 1]]`.
    reason_at: Vec<u32>,
    reasons: Vec<u32>,
    surveys: Dict,
    codes: [Dict; DIMS],
    reason_names: Dict,
    /// By store code id: its region's and its city's id ("" where the org does not place it).
    region_of: Vec<u32>,
    city_of: Vec<u32>,
    regions: Dict,
    cities: Dict,
    /// The first and the last day of any answer.
    days: Option<(i64, i64)>,
    /// Built from records (`Index::new`): a position is a record's, and comments are marked.
    records: bool,
}

impl Index {
    /// How many answers (the records').
    pub fn len(&self) -> usize {
        self.day.len()
    }

    pub fn is_empty(&self) -> bool {
        self.day.is_empty()
    }

    /// Whether it is the index of `records` in the time zone `offset` (as far as their
    /// number tells), or of columns (`records` empty: none of their comments is here).
    pub fn fits(&self, records: &[Record], offset: i32) -> bool {
        let len = if self.records { self.len() } else { 0 };
        records.len() == len && self.offset == offset
    }

    /// The one store every answer is of (a store manager's answers), if there is one.
    pub fn sole_store(&self) -> Option<&str> {
        match &self.codes[STORE].names[..] {
            [only] if !only.is_empty() => Some(only),
            _ => None,
        }
    }

    /// The answers whose local day is from `from` to `to`, one run (the index is in the
    /// order of the days).
    pub fn range(&self, from: i64, to: i64) -> Range<usize> {
        let start = self.day.partition_point(|d| i64::from(*d) < from);
        let end = self.day.partition_point(|d| i64::from(*d) <= to);
        start..end.max(start)
    }

    /// Answer `i`'s local day.
    #[inline]
    pub fn day(&self, i: usize) -> i64 {
        self.day[i].into()
    }

    /// Answer `i`'s record: its position in the records.
    #[inline]
    pub fn position(&self, i: usize) -> usize {
        self.position[i] as usize
    }

    /// What answer `i` counts as.
    #[inline]
    pub fn answer(&self, i: usize) -> Answer {
        match self.class[i] & !COMMENTED {
            0 => Answer::Scored(Category::Detractor),
            1 => Answer::Scored(Category::Passive),
            2 => Answer::Scored(Category::Promoter),
            UNSCORED => Answer::Unscored,
            why => Answer::LeftOut(LeftOut::ALL[usize::from(why - LEFT_OUT)]),
        }
    }

    /// Whether answer `i` has a comment.
    #[inline]
    pub fn commented(&self, i: usize) -> bool {
        self.class[i] & COMMENTED != 0
    }

    /// Answer `i`'s reasons, as ids of `reason_names`.
    #[inline]
    pub fn reasons(&self, i: usize) -> &[u32] {
        &self.reasons[self.reason_at[i] as usize..self.reason_at[i + 1] as usize]
    }

    pub fn reason_names(&self) -> &Dict {
        &self.reason_names
    }

    /// Answer `i`'s code of `d`, as an id of `codes(d)`.
    #[inline]
    pub fn code(&self, d: Dimension, i: usize) -> u32 {
        self.dims[d.index()][i]
    }

    pub fn codes(&self, d: Dimension) -> &Dict {
        &self.codes[d.index()]
    }

    /// Answer `i`'s group in `by`, as an id of `groups(by)`: its code, or its store's region
    /// or city.
    #[inline]
    pub fn group(&self, by: By, i: usize) -> u32 {
        match by {
            By::Dim(d) => self.code(d, i),
            By::Region => self.region_of[self.dims[STORE][i] as usize],
            By::City => self.city_of[self.dims[STORE][i] as usize],
        }
    }

    pub fn groups(&self, by: By) -> &Dict {
        match by {
            By::Dim(d) => self.codes(d),
            By::Region => &self.regions,
            By::City => &self.cities,
        }
    }

    /// The view's survey, dimension, region and city filters (not the dates, not the flags)
    /// as ids, once per build.
    pub fn wanted(&self, f: &Filters) -> Wanted<'_> {
        let mut found = true;
        let mut id = |dict: &Dict, want: &Option<String>| {
            let id = want.as_ref().map(|w| dict.id(w));
            found &= id.is_none_or(|id| id.is_some());
            id.flatten()
        };
        let mut columns: Vec<(&[u32], u32)> = Vec::new();
        if let Some(s) = id(&self.surveys, &f.survey) {
            columns.push((&self.survey, s));
        }
        for d in Dimension::ALL
            .into_iter()
            .filter(|d| *d != Dimension::Store)
        {
            if let Some(c) = id(&self.codes[d.index()], &f.only[d.index()]) {
                columns.push((&self.dims[d.index()], c));
            }
        }
        // The store, its region and its city, compared once per store code.
        let is = |want: &Option<String>, dict: &Dict, id: u32| {
            want.as_ref().is_none_or(|w| w == dict.name(id))
        };
        let store = (0..self.codes[STORE].len() as u32)
            .map(|s| {
                found
                    && is(&f.only[STORE], &self.codes[STORE], s)
                    && is(&f.region, &self.regions, self.region_of[s as usize])
                    && is(&f.city, &self.cities, self.city_of[s as usize])
            })
            .collect();
        Wanted {
            stores: &self.dims[STORE],
            store,
            columns,
        }
    }

    /// A table by local day of what `at` says of each day from `from` to `to` with an
    /// answer's day between them (no more: a view's range may reach far past the answers).
    pub fn by_day<T>(&self, from: i64, to: i64, at: impl FnMut(i64) -> Option<T>) -> ByDay<T> {
        let (first, last) = self
            .days
            .map_or((from, from - 1), |(f, l)| (f.max(from), l.min(to)));
        ByDay {
            first,
            at: (first..=last).map(at).collect(),
        }
    }
}

/// A view's filters as ids (`Index::wanted`).
pub struct Wanted<'a> {
    /// Each answer's store code id.
    stores: &'a [u32],
    /// By store code id: whether its code, region and city pass (all false when a filter's
    /// value is one the answers do not have).
    store: Vec<bool>,
    /// The other filters: a column and the id it must hold.
    columns: Vec<(&'a [u32], u32)>,
}

impl Wanted<'_> {
    /// Whether answer `i` passes the view's survey, dimension, region and city filters.
    #[inline]
    pub fn keeps(&self, i: usize) -> bool {
        self.store[self.stores[i] as usize] && self.columns.iter().all(|(c, id)| c[i] == *id)
    }
}

/// What a table says of each local day (`Index::by_day`).
pub struct ByDay<T> {
    first: i64,
    at: Vec<Option<T>>,
}

impl<T: Copy> ByDay<T> {
    #[inline]
    pub fn get(&self, day: i64) -> Option<T> {
        let i = usize::try_from(day - self.first).ok()?;
        self.at.get(i).copied().flatten()
    }
}

mod build;
#[cfg(test)]
mod tests;
