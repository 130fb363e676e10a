//! The query of `GET /api/funnel` and `GET /api/funnel/flags` (`Ask`): its keys, the
//! window's default and limit, the padding the flags read around it, and which rows the
//! store, advisor, region, city and touchpoint filters keep. `GET /api/referrals/bookings`
//! reads its window keys with `Ask::parse`.

use axum::http::StatusCode;
use nps_core::contract::rules;
use nps_core::growth::flags;
use nps_core::scoring::analysis::Names;

use crate::export::bound;
use crate::storage::Window;
use crate::ApiError;

/// The query keys.
pub const PARAMS: [&str; 9] = [
    "by",
    "survey",
    "from",
    "to",
    "store",
    "advisor",
    "region",
    "city",
    "touchpoint",
];
/// The window when `from` is not given: this many days up to `to`.
pub const DEFAULT_DAYS: i64 = 90;
/// The longest window asked for, in days.
pub const MAX_DAYS: i64 = nps_core::contract::rules::MAX_RANGE_DAYS;
const DAY_NS: i64 = 86_400 * 1_000_000_000;

/// A range of `since`..`until` (ns) is at most `MAX_DAYS` long, else an error naming `from`.
/// In i128: two far-apart times would overflow (and wrap past the check) in i64.
pub fn at_most_max_days(since: i64, until: i64) -> Result<(), ApiError> {
    let (span, day) = (i128::from(until) - i128::from(since), i128::from(DAY_NS));
    if span <= i128::from(MAX_DAYS) * day {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::BAD_REQUEST,
        "from",
        format!(
            "from and to are {} days apart: expected at most {MAX_DAYS} days",
            (span + day - 1) / day
        ),
    ))
}

/// What a funnel or its flags list asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ask {
    pub by: Option<String>,
    /// Both bounds set once parsed.
    pub window: Window,
    pub store: Option<String>,
    pub advisor: Option<String>,
    pub region: Option<String>,
    pub city: Option<String>,
    pub touchpoint: Option<String>,
    pub(super) from: Option<String>,
    pub(super) to: Option<String>,
}

/// Where a visit or an answer is: its store, advisor and touchpoint.
pub(super) struct Place<'a> {
    pub(super) store: Option<&'a str>,
    pub(super) advisor: Option<&'a str>,
    pub(super) touchpoint: Option<&'a str>,
}

/// The keys `parse` reads (`GET /api/referrals/bookings`'s).
const WINDOW_PARAMS: [&str; 5] = ["by", "survey", "from", "to", "store"];

impl Ask {
    /// Reads a query of `by`, `survey`, `from`, `to` and `store` as given (no default window);
    /// an unknown key or a bad value names it.
    pub fn parse(q: &[(String, String)]) -> Result<Ask, ApiError> {
        Self::read(q, &WINDOW_PARAMS)
    }

    /// Reads a funnel's query (`PARAMS`) at `now_ns`, its window bounded: `to` now by default,
    /// `from` `DEFAULT_DAYS` before `to`, at most `MAX_DAYS` apart; an unknown key or a bad
    /// value names it.
    pub fn parse_funnel(q: &[(String, String)], now_ns: i64) -> Result<Ask, ApiError> {
        let mut a = Self::read(q, &PARAMS)?;
        let until = *a.window.until_ns.get_or_insert(now_ns);
        let since = *a
            .window
            .since_ns
            .get_or_insert(until.saturating_sub(DEFAULT_DAYS * DAY_NS));
        let bad =
            |field: &str, message: String| ApiError::new(StatusCode::BAD_REQUEST, field, message);
        if since >= until {
            return Err(bad(
                "to",
                "to is not after from: expected a later time".into(),
            ));
        }
        at_most_max_days(since, until)?;
        a.from.get_or_insert_with(|| rfc3339(since));
        a.to.get_or_insert_with(|| rfc3339(until));
        Ok(a)
    }

    fn read(q: &[(String, String)], keys: &[&str]) -> Result<Ask, ApiError> {
        let mut a = Ask::default();
        for (k, v) in q {
            if !keys.contains(&k.as_str()) {
                return Err(ApiError::unknown_key(k, keys));
            }
            match k.as_str() {
                "by" => a.by = Some(v.clone()),
                "survey" if rules::is_id(v) => a.window.survey = Some(v.clone()),
                "survey" => {
                    return Err(ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "survey",
                        format!("survey is {v:?}: expected {}", rules::id_shape()),
                    ))
                }
                "from" => {
                    a.window.since_ns = Some(bound("from", v, false)?);
                    a.from = Some(v.clone());
                }
                "to" => {
                    a.window.until_ns = Some(bound("to", v, true)?);
                    a.to = Some(v.clone());
                }
                "store" => a.store = Some(v.clone()),
                "advisor" => a.advisor = Some(v.clone()),
                "region" => a.region = Some(v.clone()),
                "city" => a.city = Some(v.clone()),
                _ => a.touchpoint = Some(v.clone()),
            }
        }
        Ok(a)
    }

    /// The window the flags look over: this one, `flags::LONGEST_SPAN_NS` wider each side.
    pub(super) fn padded(&self) -> Window {
        let pad = |ns: Option<i64>, by: i64| ns.map(|n| n.saturating_add(by));
        Window {
            survey: self.window.survey.clone(),
            since_ns: pad(self.window.since_ns, -flags::LONGEST_SPAN_NS),
            until_ns: pad(self.window.until_ns, flags::LONGEST_SPAN_NS),
        }
    }

    /// Whether `ns` is inside the window asked for.
    pub(super) fn holds(&self, ns: i64) -> bool {
        self.window.since_ns.is_none_or(|s| ns >= s) && self.window.until_ns.is_none_or(|u| ns < u)
    }

    /// Whether a row at `place` is one asked for (the store, advisor, region, city, touchpoint).
    pub(super) fn keeps(&self, names: &Names, place: &Place) -> bool {
        let org = names.org();
        let region = place
            .store
            .and_then(|s| org?.region_of_store(s))
            .map(|r| r.id.as_str());
        let city = place.store.and_then(|s| org?.city_of_store(s));
        let asked = |want: &Option<String>, got: Option<&str>| {
            want.as_deref().is_none_or(|w| got == Some(w))
        };
        asked(&self.store, place.store)
            && asked(&self.advisor, place.advisor)
            && asked(&self.region, region)
            && asked(&self.city, city)
            && asked(&self.touchpoint, place.touchpoint)
    }
}

fn rfc3339(ns: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ns.into())
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}
