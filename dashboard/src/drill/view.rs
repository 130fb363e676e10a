//! The places table's part of the view: the `Level` shown and the `Sort` (each its key in
//! the link; `sort` puts the rows in it), which level a view shows (`level_of`), and the view
//! after a tap on a row (`drill_into`) or a crumb (`up_to`): drilling is setting the view's
//! region, city, store or advisor filter, so the link keeps it and every section of the page
//! follows.

use nps_core::contract::context::Dimension;
use nps_core::org::Org;

use super::Row;
use crate::filters::Filters;
use crate::places::Places;

/// A level of the brand's organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Level {
    Region,
    City,
    Store,
    Advisor,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::Region, Level::City, Level::Store, Level::Advisor];

    /// Its value in the link (`level=city`).
    pub fn key(self) -> &'static str {
        match self {
            Level::Region => "region",
            Level::City => "city",
            Level::Store => "store",
            Level::Advisor => "advisor",
        }
    }

    pub fn from_key(key: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.key() == key)
    }

    /// The accepted values of `level`, in words.
    pub fn accepted() -> String {
        Level::ALL.map(Level::key).join(", ")
    }

    /// The level a row of this one opens onto (an advisor's opens nothing).
    pub fn below(self) -> Option<Level> {
        match self {
            Level::Region => Some(Level::City),
            Level::City => Some(Level::Store),
            Level::Store => Some(Level::Advisor),
            Level::Advisor => None,
        }
    }

    /// The code an answer's row is found by at this level: its advisor's at the advisors',
    /// else its store's (`row_of`).
    pub(super) fn found_by(self) -> Dimension {
        match self {
            Level::Advisor => Dimension::Advisor,
            _ => Dimension::Store,
        }
    }

    /// The row a store's answers are in at this level, borrowed from the org or the store's
    /// code (at the advisors', `code` is the advisor's own and its row).
    pub(super) fn row_of<'k>(self, places: &Places<'k>, code: &'k str) -> &'k str {
        match self {
            Level::Region => places.region(code),
            Level::City => places.city(code),
            Level::Store | Level::Advisor => code,
        }
    }
}

/// What the rows are sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Sort {
    /// The lowest NPS first (those with enough answers before the rest), as the segments.
    #[default]
    Nps,
    /// The most answers first.
    N,
    /// The lowest response rate first (those without one last).
    Rate,
    /// The most open cases first.
    Open,
    /// The furthest below its target first (those without a target, or too few answers, last).
    Target,
    /// By name, in code order for equal names.
    Name,
}

impl Sort {
    pub const ALL: [Sort; 6] = [
        Sort::Nps,
        Sort::N,
        Sort::Rate,
        Sort::Open,
        Sort::Target,
        Sort::Name,
    ];

    /// Its value in the link (`sort=rate`).
    pub fn key(self) -> &'static str {
        match self {
            Sort::Nps => "nps",
            Sort::N => "n",
            Sort::Rate => "rate",
            Sort::Open => "open",
            Sort::Target => "target",
            Sort::Name => "name",
        }
    }

    pub fn from_key(key: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|s| s.key() == key)
    }

    pub fn accepted() -> String {
        Sort::ALL.map(Sort::key).join(", ")
    }
}

/// The level the view shows: its `level`, else the one under the deepest place picked.
pub fn level_of(f: &Filters, has_regions: bool) -> Level {
    if let Some(l) = f.level {
        return l;
    }
    if f.only[Dimension::Store.index()].is_some() {
        Level::Advisor
    } else if f.city.is_some() || !has_regions {
        Level::Store
    } else if f.region.is_some() {
        Level::City
    } else {
        Level::Region
    }
}

/// The view after a tap on a row of `level`: that place picked (with the region and city
/// above it), the places below it shown, the search cleared. An advisor's row picks the
/// advisor.
pub fn drill_into(f: &Filters, org: &Org, level: Level, code: &str) -> Filters {
    let mut next = Filters {
        level: None,
        find: String::new(),
        ..f.clone()
    };
    let code = Some(code.to_owned());
    match level {
        Level::Region => (next.region, next.city) = (code, None),
        Level::City => {
            let region = org
                .stores()
                .iter()
                .find(|s| s.city == code)
                .and_then(|s| s.region.clone());
            (next.region, next.city) = (region.or(next.region), code);
        }
        Level::Store => {
            let store = code.as_deref().and_then(|c| org.store(c));
            if let Some(s) = store.filter(|s| s.region.is_some()) {
                (next.region, next.city) = (s.region.clone(), s.city.clone());
            }
            next.only[Dimension::Store.index()] = code;
        }
        Level::Advisor => {
            next.only[Dimension::Advisor.index()] = code;
            next.level = Some(Level::Advisor);
        }
    }
    next
}

/// The view back up at `level`'s crumb: the places below it let go (`None`: the whole
/// brand).
pub fn up_to(f: &Filters, level: Option<Level>) -> Filters {
    let mut next = Filters {
        level: None,
        find: String::new(),
        ..f.clone()
    };
    let keep = |l: Level| {
        level.is_some_and(|at| {
            Level::ALL.iter().position(|x| *x == l) <= Level::ALL.iter().position(|x| *x == at)
        })
    };
    if !keep(Level::Region) {
        next.region = None;
    }
    if !keep(Level::City) {
        next.city = None;
    }
    if !keep(Level::Store) {
        next.only[Dimension::Store.index()] = None;
    }
    next.only[Dimension::Advisor.index()] = None;
    next
}

/// Sorts the rows; ties by code, so the order is the same on every load.
pub fn sort(rows: &mut [Row], by: Sort) {
    use std::cmp::Ordering;
    let last = |x: Option<f64>| (x.is_none(), x.unwrap_or(0.0));
    rows.sort_by(|a, b| {
        let o = match by {
            Sort::Nps => (!a.enough, a.nps.map(|n| n.score).is_none())
                .cmp(&(!b.enough, b.nps.map(|n| n.score).is_none()))
                .then(
                    a.nps
                        .map_or(0.0, |n| n.score)
                        .total_cmp(&b.nps.map_or(0.0, |n| n.score)),
                ),
            Sort::N => b.tally.n().cmp(&a.tally.n()),
            Sort::Rate => {
                let (x, y) = (last(a.rate), last(b.rate));
                x.0.cmp(&y.0).then(x.1.total_cmp(&y.1))
            }
            Sort::Open => b.open.unwrap_or(0).cmp(&a.open.unwrap_or(0)),
            Sort::Target => {
                let (x, y) = (last(a.vs_target), last(b.vs_target));
                x.0.cmp(&y.0).then(x.1.total_cmp(&y.1))
            }
            Sort::Name => Ordering::Equal,
        };
        let shown = |r: &Row| {
            if r.name.is_empty() {
                r.code.clone()
            } else {
                r.name.clone()
            }
        };
        o.then_with(|| match by {
            Sort::Name => shown(a).cmp(&shown(b)),
            _ => Ordering::Equal,
        })
        .then_with(|| a.code.cmp(&b.code))
    });
}
