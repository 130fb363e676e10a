//! The weekly report: a store's, a region's or the brand's week as an image sent to its
//! channel (the daily digest's big sibling). When a place's week is due
//! (`nps_core::cases::weekly::report_due`), the worker (`delivery::weekly`) counts the two
//! weeks' answers per store (`Weeks`), sums them for the place (`Weeks::report`) and freezes
//! the `Report` into the alert's body; at each send the report is put in words (`words`) and
//! drawn (`image`: SVG, then PNG by resvg, as the referral poster is), and a robot gets the
//! image itself (WeCom: base64 and MD5) or a signed link to it that expires (`link`:
//! `GET /report/{alert}.png`).
//!
//! Counted as the digest counts: answers with a score and no flag, by the time first stored.
//! Reasons praised are promoters' reasons, reasons complained detractors'. The response rate
//! is of the visits the brand invited that week (`POST /api/visits`), answered or not. No figure here is
//! about a person: no phone, no comment, no name but the place's.

pub mod image;
pub mod link;
pub mod words;

use std::collections::BTreeMap;

use nps_core::cases::weekly::{Place, Week};
use nps_core::contract::payload::Response;
use nps_core::scoring::score::{Category, Nps, Tally};
use serde::{Deserialize, Serialize};

use crate::storage::{Selection, Store, StoreError};

/// How many reasons of each side a report lists.
pub const TOP_REASONS: usize = 5;

/// One store's two weeks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoreWeeks {
    pub this: Tally,
    pub last: Tally,
    /// This week's promoters' reasons, counted.
    pub praised: BTreeMap<String, u64>,
    /// This week's detractors' reasons, counted.
    pub complained: BTreeMap<String, u64>,
    /// Cases open now, and of them past their deadline with nobody reached.
    pub open: u64,
    pub overdue: u64,
    /// Visits the brand invited this week (`POST /api/visits`), and of them answered.
    pub invited: u64,
    pub answered: u64,
}

/// Every store's two weeks (`""`: answers and cases without a store).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Weeks {
    pub stores: BTreeMap<String, StoreWeeks>,
}

/// A place's week, frozen in its alert: what every robot and the image show.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// `store:SZ-FT`, `region:south` or `brand` (`Place::name`).
    pub place: String,
    /// The place's name (`深圳福田店`); empty for the brand (each locale says "all stores").
    pub name: String,
    /// The week's first and last local day, `YYYY-MM-DD`.
    pub first_day: String,
    pub last_day: String,
    /// Promoters, passives, detractors, this week and the week before.
    pub this: [u64; 3],
    pub last: [u64; 3],
    /// The NPS aimed at (the org file's target), if any.
    pub target: Option<i64>,
    /// The fewest answers a verdict rests on.
    pub min_n: u64,
    /// The most given reasons, the most first: `[reason, count]`.
    pub praised: Vec<(String, u64)>,
    pub complained: Vec<(String, u64)>,
    pub open: u64,
    pub overdue: u64,
    /// Visits invited this week and of them answered: the response rate, when the brand
    /// records its visits (0 invited: none shown).
    #[serde(default)]
    pub invited: u64,
    #[serde(default)]
    pub answered: u64,
}

/// How a week stands against its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Fewer answers than `min_n`: no verdict, no colour.
    TooFew,
    /// No target set.
    NoTarget,
    /// The whole interval above the target.
    Above,
    /// The whole interval below it.
    Below,
    /// The interval holds the target.
    Near,
}

fn tally(t: [u64; 3]) -> Tally {
    Tally {
        promoters: t[0],
        passives: t[1],
        detractors: t[2],
    }
}

impl Report {
    pub fn this_tally(&self) -> Tally {
        tally(self.this)
    }

    pub fn last_tally(&self) -> Tally {
        tally(self.last)
    }

    pub fn this_nps(&self) -> Option<Nps> {
        self.this_tally().nps()
    }

    pub fn last_nps(&self) -> Option<Nps> {
        self.last_tally().nps()
    }

    /// This week against the target: a verdict only on `min_n` answers or more.
    pub fn verdict(&self) -> Verdict {
        match (self.this_nps(), self.target) {
            _ if self.this_tally().n() < self.min_n.max(1) => Verdict::TooFew,
            (_, None) | (None, _) => Verdict::NoTarget,
            (Some(n), Some(t)) if n.ci95.0 > t as f64 => Verdict::Above,
            (Some(n), Some(t)) if n.ci95.1 < t as f64 => Verdict::Below,
            _ => Verdict::Near,
        }
    }

    /// The place the report is about.
    pub fn place(&self) -> Option<Place> {
        Place::parse(&self.place)
    }
}

fn top(counts: &BTreeMap<String, u64>) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = counts.iter().map(|(r, n)| (r.clone(), *n)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.truncate(TOP_REASONS);
    v
}

impl Weeks {
    /// Counts one answer of this week (`this`) or the one before (ignored when flagged or
    /// without a score).
    pub fn count(&mut self, r: &Response, flagged: bool, this: bool) {
        let Some(category) = r.category().filter(|_| !flagged) else {
            return;
        };
        let store = r.context.get("store").cloned().unwrap_or_default();
        let s = self.stores.entry(store).or_default();
        if !this {
            s.last.add(category);
            return;
        }
        s.this.add(category);
        let side = match category {
            Category::Promoter => &mut s.praised,
            Category::Detractor => &mut s.complained,
            Category::Passive => return,
        };
        for reason in &r.reasons {
            *side.entry(reason.clone()).or_default() += 1;
        }
    }

    /// Counts a case as it is now.
    pub fn count_case(&mut self, store: Option<&str>, open: bool, overdue: bool) {
        let s = self
            .stores
            .entry(store.unwrap_or_default().to_owned())
            .or_default();
        s.open += u64::from(open);
        s.overdue += u64::from(open && overdue);
    }

    /// Counts a visit invited this week.
    pub fn count_visit(&mut self, store: Option<&str>, answered: bool) {
        let s = self
            .stores
            .entry(store.unwrap_or_default().to_owned())
            .or_default();
        s.invited += 1;
        s.answered += u64::from(answered);
    }

    /// The sum over the stores `keep` takes (`""` is answers without a store).
    pub fn within(&self, keep: impl Fn(&str) -> bool) -> StoreWeeks {
        let mut sum = StoreWeeks::default();
        for (_, s) in self.stores.iter().filter(|(id, _)| keep(id)) {
            sum.this = sum.this.plus(&s.this);
            sum.last = sum.last.plus(&s.last);
            for (mine, theirs) in [
                (&mut sum.praised, &s.praised),
                (&mut sum.complained, &s.complained),
            ] {
                for (r, n) in theirs {
                    *mine.entry(r.clone()).or_default() += n;
                }
            }
            sum.open += s.open;
            sum.overdue += s.overdue;
            sum.invited += s.invited;
            sum.answered += s.answered;
        }
        sum
    }

    /// The frozen report of `place` for `week`: its stores summed (a region's stores by the
    /// org, the brand all, answers without a store included), its name and target from `org`.
    pub fn report(
        &self,
        place: &Place,
        week: &Week,
        org: Option<&nps_core::org::Org>,
        min_n: u64,
    ) -> Report {
        let region_of = |s: &str| org.and_then(|o| o.region_of_store(s)).map(|r| r.id.clone());
        let sum = self.within(|s| match place {
            Place::Brand => true,
            Place::Store(id) => s == id,
            Place::Region(r) => region_of(s).as_deref() == Some(r.as_str()),
        });
        // The target as the dashboard holds the place to it: a store's own, else its
        // region's, else the brand's (`Org::target_of_store`, `target_of_region`).
        let (name, target) = match place {
            Place::Brand => (String::new(), org.and_then(|o| o.brand_target())),
            Place::Store(id) => (
                org.and_then(|o| o.store(id))
                    .map_or(id.clone(), |s| s.name.clone()),
                org.and_then(|o| o.target_of_store(id)),
            ),
            Place::Region(id) => (
                org.and_then(|o| o.region(id))
                    .map_or(id.clone(), |r| r.name.clone()),
                org.and_then(|o| o.target_of_region(id)),
            ),
        };
        let target = target.map(|t| t.nps);
        let t = |t: Tally| [t.promoters, t.passives, t.detractors];
        Report {
            place: place.name(),
            name,
            first_day: week.first_day.clone(),
            last_day: week.last_day.clone(),
            this: t(sum.this),
            last: t(sum.last),
            target,
            min_n,
            praised: top(&sum.praised),
            complained: top(&sum.complained),
            open: sum.open,
            overdue: sum.overdue,
            invited: sum.invited,
            answered: sum.answered,
        }
    }
}

/// The answers first stored in `week` and the week before, and the visits invited in `week`
/// (answered or not), counted per store.
pub async fn answers_of(store: &Store, week: &Week) -> Result<Weeks, StoreError> {
    let mut out = Weeks::default();
    let window = crate::storage::Window {
        survey: None,
        since_ns: Some(week.since_ns),
        until_ns: Some(week.until_ns),
    };
    for v in store.funnel_visits(&window).await? {
        out.count_visit(v.store.as_deref(), v.answered);
    }
    for (w, this) in [(week.before(), false), (week.clone(), true)] {
        let mut rows = store.stream(Selection {
            survey: None,
            since_ns: Some(w.since_ns),
            until_ns: Some(w.until_ns),
            commented: false,
        });
        while let Some(row) = rows.recv().await {
            let row = row?;
            let Ok(value) = serde_json::from_str::<serde_json::Value>(&row.body) else {
                continue;
            };
            if let Ok(r) = Response::parse(&value) {
                out.count(&r, row.flag.is_some(), this);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
