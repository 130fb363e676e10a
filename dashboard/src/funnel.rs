//! Response rates and referrals, the pure part: a row of `GET /api/funnel` (by store, advisor,
//! touchpoint or month: invited → opened → answered with the response rate and its interval,
//! the NPS beside it, the referral funnel promoters → shared → opened → booked → bought with
//! the referral rate, the share of answers flagged and why, "only a few customers answered"),
//! the queries the view sends, and each row as the page words it. The collector owns every
//! figure (the rates, their intervals, the flags, the low-response rule) and the scope: this
//! only reads and words them, and never drops a row it was sent. `flags` words the coaching
//! flags and reads `GET /api/funnel/flags`; `bookings` reads the friends' bookings (`GET
//! /api/referrals/bookings`). The browser part is `web::funnel`.

use std::collections::BTreeMap;

use nps_core::contract::rules::MAX_RANGE_DAYS;
use nps_core::scoring::analysis::{civil_from_days, days_from_civil};
use nps_core::words::{fill, Locale};
use serde::Deserialize;

use crate::cases::stats::NONE;
use crate::format::{int, iso_date, month, pct, points};
use crate::words::{self, Word};

pub mod bookings;
pub mod flags;

/// What the rows are grouped by (`by` of the query).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum By {
    #[default]
    Store,
    Advisor,
    Touchpoint,
    /// The trend: a row per month (`2026-11`), in the brand's time zone.
    Month,
}

impl By {
    /// The groupings offered as tabs (the month is the trend's).
    pub const TABS: [By; 3] = [By::Store, By::Advisor, By::Touchpoint];

    pub fn key(self) -> &'static str {
        match self {
            By::Store => "store",
            By::Advisor => "advisor",
            By::Touchpoint => "touchpoint",
            By::Month => "month",
        }
    }

    pub fn word(self) -> Word {
        match self {
            By::Store => Word::Store,
            By::Advisor => Word::Advisor,
            By::Touchpoint => Word::Touchpoint,
            By::Month => Word::Month,
        }
    }
}

/// `GET /api/funnel`'s answer.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Funnel {
    pub by: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub rows: Vec<Row>,
}

/// One row of `GET /api/funnel`. Rates are 0–1, intervals 95 % (none where the rate has no
/// denominator); the counts are required, so a collector that says something else is told.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Row {
    /// A store's or advisor's code, a touchpoint, a month (`2026-11`) or week (`2026-W48`).
    pub key: String,
    /// The brand's name for it, when the collector knows one.
    pub name: Option<String>,
    pub invited: u64,
    pub opened: u64,
    /// Stored answers of invited visits.
    pub answered: u64,
    /// answered / invited; none when nobody was invited.
    pub response_rate: Option<f64>,
    pub response_interval: Option<[f64; 2]>,
    /// Every scored answer of the key, the flagged ones included.
    pub answers: u64,
    pub nps: Option<f64>,
    pub nps_interval: Option<[f64; 2]>,
    pub promoters: u64,
    pub shared: u64,
    pub referred_opens: u64,
    pub booked: u64,
    pub purchased: u64,
    /// Promoters with at least one friend who bought / promoters.
    pub referral_rate: Option<f64>,
    pub referral_interval: Option<[f64; 2]>,
    pub flagged: u64,
    pub flagged_share: Option<f64>,
    /// Answers flagged per reason (one answer may have several).
    #[serde(default)]
    pub flags: BTreeMap<String, u64>,
    /// NPS high while the response rate is low (the collector's rule).
    #[serde(default)]
    pub low_response: bool,
}

impl Funnel {
    /// `GET /api/funnel`'s body.
    pub fn from_json(text: &str) -> Result<Funnel, String> {
        serde_json::from_str(text).map_err(|e| format!("figures the page cannot read: {e}"))
    }

    /// The rows in the order shown: a month's in time order; otherwise the stores with only
    /// a few customers answering on top, then by code (the same order on every load).
    pub fn sorted(mut self) -> Funnel {
        let in_time = self.by == By::Month.key() || self.by == "week";
        self.rows.sort_by(|a, b| {
            let on_top = |r: &Row| !in_time && r.low_response;
            (!on_top(a), &a.key).cmp(&(!on_top(b), &b.key))
        });
        self
    }
}

/// What the view asks for: the dashboard's range (local days, inclusive), its time zone, and
/// the survey and store picked in the filters. Never the caller's scope: the collector
/// applies that.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ask {
    /// The first day: at most `MAX_RANGE_DAYS` before `to` (`first_day`).
    pub from: i64,
    pub to: i64,
    /// Minutes east of UTC.
    pub offset: i32,
    pub survey: Option<String>,
    pub store: Option<String>,
}

/// The other places picked in the filters, which the funnel's routes read beside `Ask`'s
/// store (the collector applies them; the bookings do not read them).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Narrow {
    pub advisor: Option<String>,
    pub region: Option<String>,
    pub city: Option<String>,
    pub touchpoint: Option<String>,
}

impl Narrow {
    fn pairs(&self) -> impl Iterator<Item = (&'static str, String)> + '_ {
        [
            ("advisor", &self.advisor),
            ("region", &self.region),
            ("city", &self.city),
            ("touchpoint", &self.touchpoint),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.clone().map(|v| (k, v)))
    }
}

/// The start of a local day as RFC 3339 with its offset: `2026-11-01T00:00:00+08:00`.
pub fn day_start(day: i64, offset: i32) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let o = offset.unsigned_abs();
    format!(
        "{}T00:00:00{sign}{:02}:{:02}",
        iso_date(day),
        o / 60,
        o % 60
    )
}

impl Ask {
    /// The 12 months up to the range's end (the trend), from the first of the month.
    pub fn twelve_months(&self) -> Ask {
        let (y, m, _) = civil_from_days(self.to);
        let months = y * 12 + (m - 1) - 11;
        Ask {
            from: days_from_civil(months.div_euclid(12), months.rem_euclid(12) + 1, 1),
            ..self.clone()
        }
    }

    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![
            ("from", day_start(self.from, self.offset)),
            // The end is the next day's start: the last day counts whole.
            ("to", day_start(self.to + 1, self.offset)),
        ];
        out.extend(self.survey.clone().map(|s| ("survey", s)));
        out.extend(self.store.clone().map(|s| ("store", s)));
        out
    }

    /// The query of `GET /api/funnel` (the range, survey and store).
    pub fn funnel(&self, by: By) -> String {
        self.funnel_in(by, &Narrow::default())
    }

    /// The query of `GET /api/funnel`, narrowed by the other places picked.
    pub fn funnel_in(&self, by: By, narrow: &Narrow) -> String {
        let by = std::iter::once(("by", by.key().to_owned()));
        encode(by.chain(self.pairs()).chain(narrow.pairs()))
    }

    /// The query of `GET /api/referrals/bookings`: the range, survey and store.
    pub fn bookings(&self) -> String {
        encode(self.pairs().into_iter())
    }

    /// The query of `GET /api/funnel/flags` for one store (the view's store filter aside),
    /// narrowed by the other places picked.
    pub fn flags(&self, store: &str, narrow: &Narrow) -> String {
        let pairs = self.pairs().into_iter().filter(|(k, _)| *k != "store");
        let store = std::iter::once(("store", store.to_owned()));
        encode(store.chain(pairs).chain(narrow.pairs()))
    }
}

fn encode(pairs: impl Iterator<Item = (&'static str, String)>) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, &v);
    }
    s.finish()
}

/// The referral funnel's steps, in order: promoters → shared → friends opened → booked →
/// bought.
pub const STEPS: [Word; 5] = [
    Word::Promoters,
    Word::StepShared,
    Word::StepOpened,
    Word::StepBooked,
    Word::StepBought,
];

/// A row as the page shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Shown {
    pub key: String,
    /// The brand's name, else a month's or touchpoint's words, else the code.
    pub name: String,
    /// invited, opened, answered of invited; "未记录邀请", "—", "—" with nobody invited.
    pub reach: [String; 3],
    /// "50%（60/120）", or "—" with nobody invited.
    pub response: String,
    pub response_bar: Option<Bar>,
    /// Every answer the NPS and the share flagged count (invited or not).
    pub answers: String,
    pub nps: String,
    /// "30 … 54".
    pub nps_range: String,
    /// The plain-words reason the row is flagged "only a few customers answered".
    pub low_response: Option<String>,
    /// Each of `STEPS` with its count.
    pub steps: [(Word, String); 5],
    pub referral: String,
    pub referral_bar: Option<Bar>,
    /// "9%（7/75）", or "—" with no answers.
    pub flagged: String,
    /// Each reason with answers, in words: "在柜台当场回答 3".
    pub reasons: Vec<String>,
}

/// A rate with its interval, 0–1, for an interval bar.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bar {
    pub rate: f64,
    pub lo: f64,
    pub hi: f64,
}

impl Bar {
    fn of(rate: Option<f64>, interval: Option<[f64; 2]>) -> Option<Bar> {
        let rate = rate?;
        let [lo, hi] = interval.unwrap_or([rate, rate]);
        Some(Bar { rate, lo, hi })
    }

    /// "41%–59%".
    pub fn range(&self) -> String {
        format!("{}–{}", pct(self.lo), pct(self.hi))
    }
}

/// "50%（60/120）", "—" when there is no denominator.
fn rate(k: u64, n: u64, rate: Option<f64>, locale: Locale) -> String {
    match (n, rate) {
        (0, _) | (_, None) => NONE.to_owned(),
        (n, Some(r)) => fill(
            Word::RateOf.in_(locale),
            &[("pct", &pct(r)), ("k", &int(k)), ("n", &int(n))],
        ),
    }
}

/// A row's name: the brand's, else a month in words or a touchpoint the widget knows, else
/// the code ("(none given)" for an empty one).
pub fn name(row: &Row, by: By, locale: Locale) -> String {
    if let Some(n) = row.name.as_deref().filter(|n| !n.is_empty()) {
        return n.to_owned();
    }
    let built_in = match by {
        By::Month => month_day(&row.key).map(|day| month(day, locale)),
        By::Touchpoint => words::touchpoint(&row.key).map(|w| w.in_(locale).to_owned()),
        _ => None,
    };
    match (built_in, row.key.as_str()) {
        (Some(n), _) => n,
        (None, "") => Word::Unnamed.in_(locale).to_owned(),
        (None, key) => key.to_owned(),
    }
}

/// The first day of a month key (`2026-11`).
fn month_day(key: &str) -> Option<i64> {
    let (y, m) = key.split_once('-')?;
    let (y, m): (i64, i64) = (y.parse().ok()?, m.parse().ok()?);
    ((1..=9999).contains(&y) && (1..=12).contains(&m)).then(|| days_from_civil(y, m, 1))
}

/// A row in a locale; its NPS's interval only with at least `min_n` answers (below, the
/// figure alone, as everywhere on the page).
pub fn show(row: &Row, by: By, locale: Locale, min_n: u64) -> Shown {
    let name = name(row, by, locale);
    let low_response = row.low_response.then(|| {
        fill(
            Word::LowResponseWhy.in_(locale),
            &[
                ("name", &name),
                ("invited", &int(row.invited)),
                ("answered", &int(row.answered)),
            ],
        )
    });
    // The promoters whose friend bought: the collector's rate times its denominator.
    let buyers = row
        .referral_rate
        .map_or(0, |r| (r * row.promoters as f64).round() as u64);
    Shown {
        key: row.key.clone(),
        reach: if row.invited == 0 {
            [
                Word::NoInvites.in_(locale).to_owned(),
                NONE.into(),
                NONE.into(),
            ]
        } else {
            [row.invited, row.opened, row.answered].map(int)
        },
        answers: int(row.answers),
        response: rate(row.answered, row.invited, row.response_rate, locale),
        response_bar: Bar::of(row.response_rate, row.response_interval),
        nps: row.nps.map_or_else(|| NONE.to_owned(), points),
        nps_range: row
            .nps_interval
            .filter(|_| row.answers >= min_n)
            .map(|[lo, hi]| format!("{} … {}", points(lo), points(hi)))
            .unwrap_or_default(),
        low_response,
        steps: {
            let counts = [
                row.promoters,
                row.shared,
                row.referred_opens,
                row.booked,
                row.purchased,
            ];
            std::array::from_fn(|i| (STEPS[i], int(counts[i])))
        },
        referral: rate(buyers, row.promoters, row.referral_rate, locale),
        referral_bar: Bar::of(row.referral_rate, row.referral_interval),
        flagged: rate(row.flagged, row.answers, row.flagged_share, locale),
        reasons: flags::counts(&row.flags, locale),
        name,
    }
}

/// The first day the collector's figures are asked from for a view of `from`..=`to` (local
/// days): `from`, or the last `MAX_RANGE_DAYS` of a longer view (the collector reads no more
/// at once).
pub fn first_day(from: i64, to: i64) -> i64 {
    from.max(to - (MAX_RANGE_DAYS - 1))
}

#[cfg(test)]
mod tests;
