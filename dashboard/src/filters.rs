//! The view a manager picks, kept in the URL fragment so it can be shared:
//! `#from=2026-09-01&to=2026-11-24&survey=after-sales&store=BJ-CY&by=advisor&trend=month`.
//! No credential is ever read from a link: the page signs in with a session cookie. An old
//! link's `token=…` is noted (`Read::old_token`), never used, and gone from the address as
//! soon as the page writes the fragment back.

use nps_core::contract::context::Dimension;
use nps_core::scoring::analysis::Period;
use nps_core::scoring::score::Category;
use nps_core::words::Locale;

use crate::format::{iso_date, parse_iso_date};

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
const LANG: &str = "lang";

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
    /// The dimension the segment table is by.
    pub by: Dimension,
    /// The trend's period: week or month.
    pub trend: Period,
    /// The comments shown: one category, or all.
    pub comments: Option<Category>,
    /// Words the comments shown contain.
    pub search: String,
    /// The page's language; `None` follows the browser.
    pub lang: Option<Locale>,
}

impl Default for Filters {
    fn default() -> Self {
        Filters {
            from: None,
            to: None,
            survey: None,
            only: Default::default(),
            by: Dimension::Store,
            trend: Period::Week,
            comments: None,
            search: String::new(),
            lang: None,
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
    pub problems: Vec<String>,
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
                FROM | TO => match parse_iso_date(v) {
                    Some(day) if k == FROM => f.from = Some(day),
                    Some(day) => f.to = Some(day),
                    None => bad("a date like 2026-11-24"),
                },
                SURVEY if !v.is_empty() => f.survey = Some(v.to_owned()),
                BY => match Dimension::from_key(v) {
                    Some(d) => f.by = d,
                    None => bad(&Dimension::KEYS.join(", ")),
                },
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
                LANG => match Locale::parse(v) {
                    Some(l) => f.lang = Some(l),
                    None => bad(&Locale::TAGS.join(", ")),
                },
                _ => match Dimension::from_key(k) {
                    Some(d) if !v.is_empty() => f.only[d.index()] = Some(v.to_owned()),
                    Some(_) => {}
                    None => read.problems.push(format!(
                        "unknown key {k:?} in the link: expected {FROM}, {TO}, {SURVEY}, {}, {BY}, {TREND}, {COMMENTS}, {SEARCH}, {LANG}",
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
        if let Some(l) = self.lang {
            out.append_pair(LANG, l.tag());
        }
        out.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_round_trips_through_the_fragment_without_the_token() {
        let read = Filters::from_fragment(
            "#token=s3cret&from=2026-09-01&to=2026-11-24&survey=after-sales&store=BJ-CY\
             &advisor=%E7%8E%8B&by=advisor&trend=month&comments=detractor&q=%E7%AD%89&lang=en",
        );
        assert!(read.old_token);
        assert!(read.problems.is_empty(), "{:?}", read.problems);
        let f = &read.filters;
        assert_eq!(f.only[0].as_deref(), Some("BJ-CY"));
        assert_eq!(f.only[1].as_deref(), Some("王"));
        assert_eq!(
            (f.by, f.trend, f.comments),
            (Dimension::Advisor, Period::Month, Some(Category::Detractor))
        );
        assert_eq!((f.search.as_str(), f.lang), ("等", Some(Locale::En)));
        let again = f.to_fragment();
        assert!(
            !again.contains("token") && !again.contains("s3cret"),
            "{again}"
        );
        assert_eq!(Filters::from_fragment(&again).filters, *f);
        assert_eq!(Filters::default().to_fragment(), "");
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
            Filters::from_fragment("from=2026-02-30&by=region&trend=day&stor=SZ&to=2026-11-01");
        assert_eq!(read.filters.to, parse_iso_date("2026-11-01"));
        assert_eq!(read.filters.from, None);
        let p = read.problems.join("\n");
        assert!(
            p.contains("from is \"2026-02-30\": expected a date like 2026-11-24"),
            "{p}"
        );
        assert!(
            p.contains(
                "by is \"region\": expected store, advisor, model, service_type, touchpoint"
            ),
            "{p}"
        );
        assert!(
            p.contains("trend is \"day\": expected week or month"),
            "{p}"
        );
        assert!(p.contains("unknown key \"stor\""), "{p}");
        // Dates given the wrong way round are swapped.
        let r = Filters::from_fragment("from=2026-11-24&to=2026-11-01").filters;
        assert!(r.from < r.to);
    }
}
