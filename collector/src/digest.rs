//! The daily digest's figures: yesterday's answers counted per store (`Day`), frozen into the
//! digest alert's body when the day's digest is due, and summed for each channel's scope when
//! it is sent (`Day::within`), so a store's channel reads its store, a region's channel its
//! region and a brand-wide channel the brand.
//!
//! Counted as the dashboard counts: answers with a score and no flag (too fast, honeypot,
//! re-survey), by the time the collector first stored them, within the local day's bounds
//! (`nps_core::cases::schedule::digest_due`). Open and overdue are the cases at the time the
//! digest is made.

use std::collections::BTreeMap;

use nps_core::contract::payload::Response;
use nps_core::scoring::score::{Category, Nps, Tally};
use serde_json::{json, Value};

use crate::alerts::{Channel, Digest};
use crate::storage::{Selection, Store, StoreError};
use nps_core::scoring::analysis::Names;

/// One store's (or the brand's, for answers without a store) figures of one day.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    pub tally: Tally,
    /// Cases opened for detractors that day.
    pub new_detractors: u64,
    /// Cases open (not resolved) when the digest was made.
    pub open: u64,
    /// Of those, past their deadline with nobody reached.
    pub overdue: u64,
}

impl Figures {
    fn plus(&self, o: &Figures) -> Figures {
        Figures {
            tally: self.tally.plus(&o.tally),
            new_detractors: self.new_detractors + o.new_detractors,
            open: self.open + o.open,
            overdue: self.overdue + o.overdue,
        }
    }

    /// The day's NPS with its interval, when it had answers.
    pub fn nps(&self) -> Option<Nps> {
        self.tally.nps()
    }
}

/// The key of answers and cases without a store.
const NO_STORE: &str = "";

/// One local day's figures per store.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Day {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub stores: BTreeMap<String, Figures>,
}

/// A case as the digest counts it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseFacts {
    pub store: Option<String>,
    pub open: bool,
    pub overdue: bool,
}

impl Day {
    /// Counts one answer (ignored when flagged or without a score).
    pub fn count(&mut self, r: &Response, flagged: bool) {
        let Some(category) = r.category().filter(|_| !flagged) else {
            return;
        };
        let f = self.of(r.context.get("store").map(String::as_str));
        f.tally.add(category);
        if category == Category::Detractor {
            f.new_detractors += 1;
        }
    }

    /// Counts the cases as they are now.
    pub fn count_cases<'a>(&mut self, cases: impl IntoIterator<Item = &'a CaseFacts>) {
        for c in cases {
            let f = self.of(c.store.as_deref());
            f.open += u64::from(c.open);
            f.overdue += u64::from(c.open && c.overdue);
        }
    }

    fn of(&mut self, store: Option<&str>) -> &mut Figures {
        self.stores
            .entry(store.unwrap_or(NO_STORE).to_owned())
            .or_default()
    }

    /// The sum over the stores `keep` takes (answers without a store belong to the brand:
    /// `keep(None)`).
    pub fn within(&self, keep: impl Fn(Option<&str>) -> bool) -> Figures {
        self.stores
            .iter()
            .filter(|(s, _)| keep(Some(s.as_str()).filter(|s| !s.is_empty())))
            .fold(Figures::default(), |sum, (_, f)| sum.plus(f))
    }

    /// The alert's frozen body.
    pub fn to_json(&self) -> Value {
        let stores: serde_json::Map<String, Value> = self
            .stores
            .iter()
            .map(|(s, f)| {
                let t = f.tally;
                let v = json!([
                    t.promoters,
                    t.passives,
                    t.detractors,
                    f.new_detractors,
                    f.open,
                    f.overdue
                ]);
                (s.clone(), v)
            })
            .collect();
        json!({"day": self.day, "stores": stores})
    }

    /// Reads a body `to_json` wrote; `None` if it is not one.
    pub fn from_json(v: &Value) -> Option<Day> {
        let day = v.get("day")?.as_str()?.to_owned();
        let mut stores = BTreeMap::new();
        for (s, f) in v.get("stores")?.as_object()? {
            let n: Vec<u64> = f
                .as_array()?
                .iter()
                .map(Value::as_u64)
                .collect::<Option<_>>()?;
            let [promoters, passives, detractors, new_detractors, open, overdue] = n[..] else {
                return None;
            };
            let tally = Tally {
                promoters,
                passives,
                detractors,
            };
            let f = Figures {
                tally,
                new_detractors,
                open,
                overdue,
            };
            stores.insert(s.clone(), f);
        }
        Some(Day { day, stores })
    }
}

/// The answers first stored within `[since_ns, until_ns)`, counted per store.
pub async fn answers_of_day(
    store: &Store,
    day: &str,
    since_ns: i64,
    until_ns: i64,
) -> Result<Day, StoreError> {
    let mut out = Day {
        day: day.to_owned(),
        ..Day::default()
    };
    let mut rows = store.stream(Selection {
        survey: None,
        since_ns: Some(since_ns),
        until_ns: Some(until_ns),
        commented: false,
    });
    while let Some(row) = rows.recv().await {
        let row = row?;
        let Ok(value) = serde_json::from_str::<Value>(&row.body) else {
            continue;
        };
        if let Ok(r) = Response::parse(&value) {
            out.count(&r, row.flag.is_some());
        }
    }
    Ok(out)
}

/// A digest for `channel`: the figures of the stores it covers (its stores, its regions'
/// stores, or the whole brand), under its scope's name.
pub fn scoped(day: &Day, channel: &Channel, names: &Names, base: &str) -> Digest {
    let org = names.org();
    let region_of = |s: &str| {
        org.and_then(|o| o.region_of_store(s))
            .map(|r| r.id.as_str())
    };
    let figures = day.within(|store| match store {
        _ if channel.brand_wide() => true,
        None => false,
        Some(s) => {
            channel.stores.iter().any(|c| c == s)
                || region_of(s).is_some_and(|r| channel.regions.iter().any(|c| c == r))
        }
    });
    let named = |dim: &str, ids: &[String]| -> Vec<String> {
        ids.iter()
            .map(|id| names.get(dim, id).unwrap_or(id).to_owned())
            .collect()
    };
    let mut scope = named("store", &channel.stores);
    scope.extend(org.map_or_else(Vec::new, |o| {
        channel
            .regions
            .iter()
            .map(|r| o.region(r).map_or(r.clone(), |r| r.name.clone()))
            .collect()
    }));
    let nps = figures.nps();
    let to_u32 = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    Digest {
        scope: match scope.is_empty() {
            true => crate::alerts::brand_words(channel.locale).to_owned(),
            false => scope.join("、"),
        },
        day: day.day.clone(),
        n: to_u32(figures.tally.n()),
        nps: nps.map(|n| n.score),
        ci95: nps.map(|n| n.ci95),
        new_detractors: to_u32(figures.new_detractors),
        open: to_u32(figures.open),
        overdue: to_u32(figures.overdue),
        link: format!("{base}/dashboard.html"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(score: u8, store: Option<&str>) -> Response {
        let mut v = json!({
            "schema": 1, "id": format!("00000000-0000-4000-8000-{:012}", fastrand::u64(..1_000_000_000)),
            "survey": "s", "stage": "scored", "score": score,
            "category": nps_core::scoring::score::category(i64::from(score)).unwrap().as_str(),
            "reasons": [], "comment": null, "contact": null, "context": {}, "page": null,
            "locale": "zh-CN",
            "created_at": "2026-12-02T01:00:00Z", "updated_at": "2026-12-02T01:00:00Z",
        });
        if let Some(s) = store {
            v["context"] = json!({"store": s});
        }
        Response::parse(&v).unwrap()
    }

    #[test]
    fn a_day_counts_scored_unflagged_answers_per_store_and_sums_a_scope() {
        let mut d = Day {
            day: "2026-12-02".into(),
            ..Day::default()
        };
        for (score, store, flagged) in [
            (10, Some("A"), false),
            (9, Some("A"), false),
            (3, Some("A"), false),
            (2, Some("A"), true), // flagged: not counted, not a new detractor
            (8, Some("B"), false),
            (0, Some("B"), false),
            (10, None, false),
        ] {
            d.count(&answer(score, store), flagged);
        }
        d.count_cases(&[
            CaseFacts {
                store: Some("A".into()),
                open: true,
                overdue: true,
            },
            CaseFacts {
                store: Some("B".into()),
                open: true,
                overdue: false,
            },
            CaseFacts {
                store: Some("B".into()),
                open: false,
                overdue: true, // resolved late: not overdue now
            },
        ]);
        let a = d.within(|s| s == Some("A"));
        assert_eq!(
            (a.tally.promoters, a.tally.passives, a.tally.detractors),
            (2, 0, 1)
        );
        assert_eq!((a.new_detractors, a.open, a.overdue), (1, 1, 1));
        let brand = d.within(|_| true);
        assert_eq!(brand.tally.n(), 6);
        assert_eq!((brand.new_detractors, brand.open, brand.overdue), (2, 2, 1));
        assert!(
            (brand.nps().unwrap().score - 100.0 / 6.0).abs() < 1e-9,
            "{:?}",
            brand.nps()
        );
        let stores_only = d.within(|s| s.is_some());
        assert_eq!(stores_only.tally.n(), 5);
        // The frozen body reads back the same.
        assert_eq!(Day::from_json(&d.to_json()), Some(d.clone()));
        assert_eq!(
            Day::from_json(&json!({"day": "x", "stores": {"A": [1, 2]}})),
            None
        );
    }
}
