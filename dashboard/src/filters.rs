//! The view a manager picks, kept in the URL fragment so it can be shared:
//! `#from=2026-09-01&to=2026-11-24&survey=after-sales&store=BJ-CY&by=advisor&trend=month`.
//! Above the store, the org's levels: `by=region` or `by=city` groups the segment table by
//! the region or the city of each answer's store, `region=S` and `city=深圳` keep only one
//! (`By`; they are not payload dimensions, so `Dimension` does not hold them).
//! `reason=wait_time` keeps the comments of the answers that chose that reason (a driver's
//! row sets it), as `comments=` keeps one category and `q=` some words.
//! The places table (`drill`): `level=store` shows one level of the org whatever is picked
//! (else the level under the deepest place picked), `find=深圳` searches its rows by name or
//! code, `sort=rate` orders them (`drill::Sort`).
//! `case=ID` (the link of a robot's alert, `dashboard.html#case=…`) is not part of the view: it
//! asks the page to show that case on top of its queue (`Read::case`), once; `show=referrals`
//! (a thank-you alert's link) brings that section into view once it is drawn (`Read::show`).
//! No credential is ever read from a link: the page signs in with a session cookie. An old
//! link's `token=…` is noted (`Read::old_token`), never used, and gone from the address as
//! soon as the page writes the fragment back.

use nps_core::contract::context::Dimension;
use nps_core::scoring::analysis::Period;
use nps_core::scoring::score::Category;
use nps_core::words::Locale;

use crate::drill::{Level, Sort};
use crate::format::{iso_date, parse_iso_date};
use crate::places::Places;

/// The fragment key old links carried the admin token in.
const TOKEN: &str = "token";

/// The other fragment keys (besides the dimensions' own names, which filter by a code).
const FROM: &str = "from";
const TO: &str = "to";
const SURVEY: &str = "survey";
const BY: &str = "by";
const TREND: &str = "trend";
const COMMENTS: &str = "comments";
const SEARCH: &str = "q";
const REASON: &str = "reason";
const LANG: &str = "lang";
const REGION: &str = "region";
const CITY: &str = "city";
const LEVEL: &str = "level";
const FIND: &str = "find";
const SORT: &str = "sort";
/// The case a link asks the queue to show (an alert's `#case=…`).
const CASE: &str = "case";
/// The section a link asks the page to bring into view (a thank-you alert's `#show=referrals`).
const SHOW: &str = "show";

mod section;
pub use section::Section;

/// What the segment table groups by: a payload dimension, or a level of the brand's org
/// above the store (the region or the city of each answer's store).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum By {
    Dim(Dimension),
    Region,
    City,
}

impl By {
    /// Every grouping, the org's levels first (region → city → store → …).
    pub const ALL: [By; Dimension::ALL.len() + 2] = [
        By::Region,
        By::City,
        By::Dim(Dimension::Store),
        By::Dim(Dimension::Advisor),
        By::Dim(Dimension::Model),
        By::Dim(Dimension::ServiceType),
        By::Dim(Dimension::Touchpoint),
    ];

    /// Its value in the fragment (`by=region`).
    pub fn key(self) -> &'static str {
        match self {
            By::Dim(d) => d.key(),
            By::Region => REGION,
            By::City => CITY,
        }
    }

    pub fn from_key(key: &str) -> Option<By> {
        By::ALL.into_iter().find(|b| b.key() == key)
    }

    /// Whether it is a level of the org (offered only when the org has regions).
    pub fn is_org_level(self) -> bool {
        !matches!(self, By::Dim(_))
    }

    /// The accepted values of `by`, in words.
    fn accepted() -> String {
        By::ALL.map(By::key).join(", ")
    }
}

/// What the page shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filters {
    /// First and last local day, inclusive; `None` is the default range (`report::DEFAULT_DAYS`
    /// up to the latest answer).
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// `None` for all surveys.
    pub survey: Option<String>,
    /// A code per dimension to keep only (a store, an advisor, …), by `Dimension::index`.
    pub only: [Option<String>; Dimension::ALL.len()],
    /// The region (its id in the org) and the city (its name) to keep only.
    pub region: Option<String>,
    pub city: Option<String>,
    /// What the segment table groups by.
    pub by: By,
    /// The trend's period: week or month.
    pub trend: Period,
    /// The comments shown: one category, or all.
    pub comments: Option<Category>,
    /// Words the comments shown contain.
    pub search: String,
    /// The reason (its id) the answers of the comments shown chose; `None` for any.
    pub reason: Option<String>,
    /// The page's language; `None` follows the browser.
    pub lang: Option<Locale>,
    /// The places table's level; `None`: the one under the deepest place picked.
    pub level: Option<Level>,
    /// Words the places table's rows contain (name or code).
    pub find: String,
    /// The places table's order.
    pub sort: Sort,
}

impl Default for Filters {
    fn default() -> Self {
        Filters {
            from: None,
            to: None,
            survey: None,
            only: Default::default(),
            region: None,
            city: None,
            by: By::Dim(Dimension::Store),
            trend: Period::Week,
            comments: None,
            search: String::new(),
            reason: None,
            lang: None,
            level: None,
            find: String::new(),
            sort: Sort::default(),
        }
    }
}

/// A fragment read: the view, whether an old link carried a token, and what was not
/// understood.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Read {
    pub filters: Filters,
    /// The link carried `token=…` (dropped unread: sign in instead).
    pub old_token: bool,
    /// The case the link points at (`case=ID`): shown on top of the queue, highlighted.
    pub case: Option<String>,
    /// The section the link opens at (`show=referrals`), brought into view once it is drawn.
    pub show: Option<Section>,
    pub problems: Vec<String>,
}

/// Whether `id` can be a case's id (a uuid, or any short code of letters, digits and `-`):
/// anything else in a link is named, never sent to the collector.
fn case_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

impl Filters {
    /// Reads a fragment (with or without its `#`). A value that is not understood is left out
    /// and named in `problems`; the rest of the view still applies.
    pub fn from_fragment(fragment: &str) -> Read {
        let mut read = Read::default();
        let f = &mut read.filters;
        let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
        for (k, v) in form_urlencoded::parse(fragment.as_bytes()) {
            let (k, v) = (k.as_ref(), v.trim());
            let mut bad = |accepted: &str| {
                read.problems
                    .push(format!("{k} is {v:?}: expected {accepted}"));
            };
            match k {
                TOKEN => read.old_token = true,
                CASE if case_id(v) => read.case = Some(v.to_owned()),
                CASE => bad("a case id like 6f1c2a7e-9b1d-4c3e-8a5f-0d2e4b6a8c1f"),
                SHOW => match Section::ALL.into_iter().find(|s| s.key() == v) {
                    Some(s) => read.show = Some(s),
                    None => bad(&Section::ALL.map(Section::key).join(", ")),
                },
                FROM | TO => match parse_iso_date(v) {
                    Some(day) if k == FROM => f.from = Some(day),
                    Some(day) => f.to = Some(day),
                    None => bad("a date like 2026-11-24"),
                },
                SURVEY if !v.is_empty() => f.survey = Some(v.to_owned()),
                BY => match By::from_key(v) {
                    Some(b) => f.by = b,
                    None => bad(&By::accepted()),
                },
                REGION => f.region = (!v.is_empty()).then(|| v.to_owned()),
                CITY => f.city = (!v.is_empty()).then(|| v.to_owned()),
                TREND => match v {
                    "week" => f.trend = Period::Week,
                    "month" => f.trend = Period::Month,
                    _ => bad("week or month"),
                },
                COMMENTS => match Category::parse(v) {
                    Some(c) => f.comments = Some(c),
                    None if v == "all" => f.comments = None,
                    None => bad("promoter, passive, detractor or all"),
                },
                SEARCH => f.search = v.to_owned(),
                REASON => f.reason = (!v.is_empty()).then(|| v.to_owned()),
                LEVEL => match Level::from_key(v) {
                    Some(l) => f.level = Some(l),
                    None if v.is_empty() => f.level = None,
                    None => bad(&Level::accepted()),
                },
                FIND => f.find = v.to_owned(),
                SORT => match Sort::from_key(v) {
                    Some(s) => f.sort = s,
                    None => bad(&Sort::accepted()),
                },
                LANG => match Locale::parse(v) {
                    Some(l) => f.lang = Some(l),
                    None => bad(&Locale::TAGS.join(", ")),
                },
                _ => match Dimension::from_key(k) {
                    Some(d) if !v.is_empty() => f.only[d.index()] = Some(v.to_owned()),
                    Some(_) => {}
                    None => read.problems.push(format!(
                        "unknown key {k:?} in the link: expected {FROM}, {TO}, {SURVEY}, {REGION}, {CITY}, {}, {BY}, {TREND}, {COMMENTS}, {SEARCH}, {REASON}, {LEVEL}, {FIND}, {SORT}, {LANG}, {CASE}, {SHOW}",
                        Dimension::KEYS.join(", ")
                    )),
                },
            }
        }
        if let (Some(from), Some(to)) = (f.from, f.to) {
            if from > to {
                (f.from, f.to) = (Some(to), Some(from));
            }
        }
        read
    }

    /// The fragment of this view (never the token), defaults left out: `from=…&by=advisor`.
    pub fn to_fragment(&self) -> String {
        let d = Filters::default();
        let mut out = form_urlencoded::Serializer::new(String::new());
        if let Some(day) = self.from {
            out.append_pair(FROM, &iso_date(day));
        }
        if let Some(day) = self.to {
            out.append_pair(TO, &iso_date(day));
        }
        if let Some(s) = &self.survey {
            out.append_pair(SURVEY, s);
        }
        for (key, value) in [(REGION, &self.region), (CITY, &self.city)] {
            if let Some(value) = value {
                out.append_pair(key, value);
            }
        }
        for (dim, code) in Dimension::ALL.iter().zip(&self.only) {
            if let Some(code) = code {
                out.append_pair(dim.key(), code);
            }
        }
        if self.by != d.by {
            out.append_pair(BY, self.by.key());
        }
        if self.trend == Period::Month {
            out.append_pair(TREND, "month");
        }
        if let Some(c) = self.comments {
            out.append_pair(COMMENTS, c.as_str());
        }
        if !self.search.is_empty() {
            out.append_pair(SEARCH, &self.search);
        }
        if let Some(r) = &self.reason {
            out.append_pair(REASON, r);
        }
        if let Some(l) = self.level {
            out.append_pair(LEVEL, l.key());
        }
        if !self.find.is_empty() {
            out.append_pair(FIND, &self.find);
        }
        if self.sort != d.sort {
            out.append_pair(SORT, self.sort.key());
        }
        if let Some(l) = self.lang {
            out.append_pair(LANG, l.tag());
        }
        out.finish()
    }
}

impl Filters {
    /// Whether two views keep the same answers (dates, survey, codes, region, city): only
    /// how they are shown differs.
    pub fn same_answers(&self, o: &Filters) -> bool {
        (
            self.from,
            self.to,
            &self.survey,
            &self.only,
            &self.region,
            &self.city,
        ) == (o.from, o.to, &o.survey, &o.only, &o.region, &o.city)
    }

    /// This view without the places table's own keys (its level, search and order), which
    /// change nothing the report computes.
    pub fn for_report(&self) -> Filters {
        Filters {
            level: None,
            find: String::new(),
            sort: Sort::default(),
            ..self.clone()
        }
    }

    /// What the view asks of the org that the org does not have, each named with what it
    /// has: a region or a city it does not know, a grouping by a level it does not give.
    /// (The fragment is read before the org arrives, so this is checked apart.)
    pub fn problems_with(&self, places: &Places) -> Vec<String> {
        let listed = |known: Vec<String>| match known.is_empty() {
            true => "none: the org has no regions (a names file gives none)".to_owned(),
            false => known
                .iter()
                .map(|k| format!("{k:?}"))
                .collect::<Vec<_>>()
                .join(", "),
        };
        let mut out = Vec::new();
        if let Some(r) = self
            .region
            .as_ref()
            .filter(|r| !places.regions().contains(r))
        {
            out.push(format!(
                "{REGION} is {r:?}: expected {}",
                listed(places.regions())
            ));
        }
        if let Some(c) = self
            .city
            .as_ref()
            .filter(|c| !places.cities(None).contains(c))
        {
            out.push(format!(
                "{CITY} is {c:?}: expected {}",
                listed(places.cities(None))
            ));
        }
        if self.by.is_org_level() && !places.has_regions() {
            out.push(format!(
                "{BY} is {:?}: the org has no regions; expected {}",
                self.by.key(),
                Dimension::KEYS.join(", ")
            ));
        }
        if let Some(l) = self
            .level
            .filter(|l| matches!(l, Level::Region | Level::City) && !places.has_regions())
        {
            out.push(format!(
                "{LEVEL} is {:?}: the org has no regions; expected store or advisor",
                l.key()
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_round_trips_through_the_fragment_without_the_token() {
        let read = Filters::from_fragment(
            "#token=s3cret&from=2026-09-01&to=2026-11-24&survey=after-sales&store=BJ-CY\
             &advisor=%E7%8E%8B&by=advisor&trend=month&comments=detractor&q=%E7%AD%89&reason=wait_time&lang=en",
        );
        assert!(read.old_token);
        assert!(read.problems.is_empty(), "{:?}", read.problems);
        let f = &read.filters;
        assert_eq!(f.only[0].as_deref(), Some("BJ-CY"));
        assert_eq!(f.only[1].as_deref(), Some("王"));
        assert_eq!(
            (f.by, f.trend, f.comments),
            (
                By::Dim(Dimension::Advisor),
                Period::Month,
                Some(Category::Detractor)
            )
        );
        assert_eq!((f.search.as_str(), f.lang), ("等", Some(Locale::En)));
        assert_eq!(f.reason.as_deref(), Some("wait_time"));
        let again = f.to_fragment();
        assert!(
            !again.contains("token") && !again.contains("s3cret"),
            "{again}"
        );
        assert_eq!(Filters::from_fragment(&again).filters, *f);
        assert_eq!(Filters::default().to_fragment(), "");
    }

    #[test]
    fn a_region_city_and_grouping_by_either_round_trip() {
        for (fragment, by) in [
            ("by=region&region=S&city=%E6%B7%B1%E5%9C%B3", By::Region),
            ("region=S+1&city=%E6%B7%B1%E5%9C%B3&by=city", By::City),
            ("by=touchpoint&region=N", By::Dim(Dimension::Touchpoint)),
        ] {
            let read = Filters::from_fragment(fragment);
            assert!(read.problems.is_empty(), "{fragment}: {:?}", read.problems);
            let f = read.filters;
            assert_eq!(f.by, by, "{fragment}");
            assert!(f.region.is_some(), "{fragment}");
            assert_eq!(Filters::from_fragment(&f.to_fragment()).filters, f);
        }
        let f = Filters::from_fragment("region=S+1&city=%E6%B7%B1%E5%9C%B3&by=city").filters;
        assert_eq!(
            (f.region.as_deref(), f.city.as_deref()),
            (Some("S 1"), Some("深圳"))
        );
        assert_eq!(
            f.to_fragment(),
            "region=S+1&city=%E6%B7%B1%E5%9C%B3&by=city"
        );
        // An empty value keeps everything, as a dimension's does.
        let f = Filters::from_fragment("region=&city=").filters;
        assert_eq!(f, Filters::default());
        // Every grouping has its own key, read back as itself.
        for b in By::ALL {
            assert_eq!(By::from_key(b.key()), Some(b));
        }
        assert_eq!(By::from_key("regions"), None);
        // A region or a city keeps other answers (the what-if starts again); a grouping
        // shows the same ones.
        let south = Filters {
            region: Some("S".into()),
            ..Filters::default()
        };
        assert!(!south.same_answers(&Filters::default()));
        let city = Filters {
            city: Some("深圳".into()),
            ..south.clone()
        };
        assert!(!city.same_answers(&south));
        let by_city = Filters {
            by: By::City,
            ..south.clone()
        };
        assert!(by_city.same_answers(&south));
    }

    #[test]
    fn the_places_tables_level_search_and_order_round_trip_and_a_bad_one_is_named() {
        let read =
            Filters::from_fragment("region=south&level=store&find=%E6%B7%B1%E5%9C%B3&sort=rate");
        assert!(read.problems.is_empty(), "{:?}", read.problems);
        let f = read.filters;
        assert_eq!(
            (f.level, f.find.as_str(), f.sort),
            (Some(Level::Store), "深圳", Sort::Rate)
        );
        assert_eq!(Filters::from_fragment(&f.to_fragment()).filters, f);
        assert!(f.same_answers(&Filters {
            region: Some("south".into()),
            ..Filters::default()
        }));
        for l in Level::ALL {
            assert_eq!(Level::from_key(l.key()), Some(l));
        }
        for s in Sort::ALL {
            assert_eq!(Sort::from_key(s.key()), Some(s));
        }
        // A level above the store where the org has none (a names file's) is named.
        let flat =
            nps_core::scoring::analysis::Names::from_json(r#"{"store": {"A": "深圳福田店"}}"#)
                .unwrap()
                .hierarchy();
        let by_city = Filters {
            level: Some(Level::City),
            ..Filters::default()
        };
        assert_eq!(
            by_city.problems_with(&Places::new(&flat)),
            ["level is \"city\": the org has no regions; expected store or advisor"]
        );
        let p = Filters::from_fragment("level=shop&sort=best")
            .problems
            .join("\n");
        assert!(
            p.contains("level is \"shop\": expected region, city, store, advisor"),
            "{p}"
        );
        assert!(
            p.contains("sort is \"best\": expected nps, n, rate, open, target, name"),
            "{p}"
        );
    }

    #[test]
    fn an_alerts_case_link_names_the_case_and_keeps_the_view() {
        let id = "6f1c2a7e-9b1d-4c3e-8a5f-0d2e4b6a8c1f";
        let read = Filters::from_fragment(&format!("#case={id}"));
        assert!(read.problems.is_empty(), "{:?}", read.problems);
        assert_eq!(read.case.as_deref(), Some(id));
        assert_eq!(read.filters, Filters::default());
        // Beside a view: both apply, and the case is not part of the view written back.
        let read = Filters::from_fragment(&format!("store=SZ-FT&case={id}&by=advisor&lang=en"));
        assert!(read.problems.is_empty(), "{:?}", read.problems);
        assert_eq!(read.case.as_deref(), Some(id));
        assert_eq!(read.filters.only[0].as_deref(), Some("SZ-FT"));
        assert_eq!(
            (read.filters.by, read.filters.lang),
            (By::Dim(Dimension::Advisor), Some(Locale::En))
        );
        assert_eq!(read.filters.to_fragment(), "store=SZ-FT&by=advisor&lang=en");
        // Not an id: named, nothing asked of the collector, the rest applies.
        for bad in ["../users", "a%2Fb", "", "x y"] {
            let read = Filters::from_fragment(&format!("case={bad}&trend=month"));
            assert_eq!(read.case, None, "{bad}");
            assert_eq!(read.filters.trend, Period::Month, "{bad}");
            assert!(
                read.problems.join("").contains("case is"),
                "{bad}: {:?}",
                read.problems
            );
        }
    }

    #[test]
    fn a_thank_you_alerts_link_opens_the_referrals_of_its_store() {
        let read = Filters::from_fragment("#store=SZ-FT&show=referrals");
        assert!(read.problems.is_empty(), "{:?}", read.problems);
        assert_eq!(read.show, Some(Section::Referrals));
        assert_eq!(
            read.filters.only[Dimension::Store.index()].as_deref(),
            Some("SZ-FT")
        );
        // Not part of the view written back.
        assert_eq!(read.filters.to_fragment(), "store=SZ-FT");
        let read = Filters::from_fragment("show=everything");
        assert_eq!(read.show, None);
        assert_eq!(
            read.problems,
            ["show is \"everything\": expected referrals"]
        );
    }

    #[test]
    fn an_old_links_token_is_noted_never_kept() {
        for (fragment, old) in [
            ("token=ab+cd/ef==", true),
            ("#from=2026-09-01&token=a%2Bb+c&q=a+b", true),
            ("token=&by=store", true),
            ("tokens=x", false),
            ("by=store", false),
        ] {
            let read = Filters::from_fragment(fragment);
            assert_eq!(read.old_token, old, "{fragment}");
            assert!(!read.filters.to_fragment().contains("token"), "{fragment}");
        }
        let read = Filters::from_fragment("token=a+b&q=late+delivery");
        assert_eq!(read.filters.search, "late delivery");
        assert!(read.problems.is_empty(), "{:?}", read.problems);
    }

    #[test]
    fn what_is_not_understood_is_named_and_the_rest_applies() {
        let read =
            Filters::from_fragment("from=2026-02-30&by=dealer&trend=day&stor=SZ&to=2026-11-01");
        assert_eq!(read.filters.to, parse_iso_date("2026-11-01"));
        assert_eq!(read.filters.from, None);
        let p = read.problems.join("\n");
        assert!(
            p.contains("from is \"2026-02-30\": expected a date like 2026-11-24"),
            "{p}"
        );
        assert!(
            p.contains(
                "by is \"dealer\": expected region, city, store, advisor, model, service_type, touchpoint"
            ),
            "{p}"
        );
        assert!(
            p.contains("trend is \"day\": expected week or month"),
            "{p}"
        );
        assert!(
            p.contains(
                "unknown key \"stor\" in the link: expected from, to, survey, region, city, store,"
            ),
            "{p}"
        );
        // Dates given the wrong way round are swapped.
        let r = Filters::from_fragment("from=2026-11-24&to=2026-11-01").filters;
        assert!(r.from < r.to);
    }
}
