//! The weekly report's schedule, pure: which places (a store, a region, the brand) are due a
//! report at `now`, given the week each was last reported on (`report_due`). The worker passes
//! the time, the places its channels name and what the alerts table holds, and inserts one
//! report alert per place under `ReportDue::key` (a key already stored is not inserted again).
//!
//! ```text
//!   Mon 09:00 local ─────────── 7 days ──────────── Mon 09:00 local
//!        │ report of the week Mon 00:00 … Sun 24:00 before it │ next report
//! ```
//!
//! | row | place's last report        | at `now`                        | due?                 |
//! |-----|----------------------------|---------------------------------|----------------------|
//! | 1   | none                       | any                             | the latest week      |
//! | 2   | an older week              | any                             | the latest week only |
//! | 3   | the latest week            | any                             | no (once a week)     |
//!
//! "The latest week" is the one whose send time (`weekday` at `at_minutes`, local, at a fixed
//! UTC offset) has passed most recently: a collector that was down at the send time sends that
//! week's report when it starts, once, and never an older one (catching up once, not a flood).
//! Restarting changes nothing: the last report is read back from the stored keys.

use std::collections::BTreeMap;

use super::HOUR_NS;

const MINUTE_NS: i64 = 60_000_000_000;
const DAY_NS: i64 = 24 * HOUR_NS;
const WEEK_NS: i64 = 7 * DAY_NS;

/// The weekdays as `[report] weekday` names them, Monday first.
pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// When the weekly report goes: a weekday and a local time at a fixed UTC offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WeeklyAt {
    /// 0 is Monday … 6 Sunday (`WEEKDAYS`).
    pub weekday: u8,
    /// Minutes after local midnight (09:00 is 540).
    pub minute_of_day: u32,
    /// Minutes east of UTC (+08:00 is 480).
    pub utc_offset_minutes: i32,
}

/// What a report is about: a store, a region, or the whole brand.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Place {
    Store(String),
    Region(String),
    Brand,
}

impl Place {
    /// As a key names it: `store:SZ-FT`, `region:south`, `brand`.
    pub fn name(&self) -> String {
        match self {
            Place::Store(s) => format!("store:{s}"),
            Place::Region(r) => format!("region:{r}"),
            Place::Brand => "brand".into(),
        }
    }

    /// The place a `name` names.
    pub fn parse(s: &str) -> Option<Place> {
        match s.split_once(':') {
            Some(("store", id)) if !id.is_empty() => Some(Place::Store(id.into())),
            Some(("region", id)) if !id.is_empty() => Some(Place::Region(id.into())),
            None if s == "brand" => Some(Place::Brand),
            _ => None,
        }
    }
}

/// The week a report covers, and the week before it (the comparison).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Week {
    /// The week's first local day, `YYYY-MM-DD`.
    pub first_day: String,
    /// Its last local day.
    pub last_day: String,
    /// The week's first nanosecond (local midnight of its first day), ns since the epoch.
    pub since_ns: i64,
    /// The first nanosecond after it.
    pub until_ns: i64,
    /// When its report was due.
    pub due_ns: i64,
}

impl Week {
    /// The week before (its `due_ns` a week earlier).
    pub fn before(&self) -> Week {
        let day = |ns: i64| self.first_day_shifted(ns);
        Week {
            first_day: day(-WEEK_NS),
            last_day: day(-DAY_NS),
            since_ns: self.since_ns - WEEK_NS,
            until_ns: self.since_ns,
            due_ns: self.due_ns - WEEK_NS,
        }
    }

    fn first_day_shifted(&self, by_ns: i64) -> String {
        let days = crate::contract::time::days_from_civil(
            self.first_day[..4].parse().unwrap_or(1970),
            self.first_day[5..7].parse().unwrap_or(1),
            self.first_day[8..].parse().unwrap_or(1),
        );
        civil_date(days + by_ns.div_euclid(DAY_NS))
    }
}

/// A report due: its place and week.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportDue {
    pub place: Place,
    pub week: Week,
}

impl ReportDue {
    /// The alert's key: one report per place and week.
    pub fn key(&self) -> String {
        key(&self.week.first_day, &self.place)
    }
}

/// `report:{first day}:{place}`.
pub fn key(first_day: &str, place: &Place) -> String {
    format!("report:{first_day}:{}", place.name())
}

/// The week and place a key names.
pub fn parse_key(key: &str) -> Option<(String, Place)> {
    let rest = key.strip_prefix("report:")?;
    let (day, place) = rest.split_once(':')?;
    (day.len() == 10).then_some(())?;
    Some((day.to_owned(), Place::parse(place)?))
}

/// The latest week whose send time has passed at `now_ns`: the seven local days before the
/// local day of that send.
pub fn latest_week(now_ns: i64, at: WeeklyAt) -> Week {
    let offset_ns = i64::from(at.utc_offset_minutes) * MINUTE_NS;
    let local = now_ns + offset_ns;
    let day = local.div_euclid(DAY_NS);
    // 1970-01-01 was a Thursday (3 days after a Monday).
    let weekday = (day + 3).rem_euclid(7);
    let this_send_day = day - weekday + i64::from(at.weekday.min(6));
    let this_send = this_send_day * DAY_NS + i64::from(at.minute_of_day) * MINUTE_NS;
    let send_local = match local >= this_send {
        true => this_send,
        false => this_send - WEEK_NS,
    };
    let first = send_local.div_euclid(DAY_NS) - 7;
    Week {
        first_day: civil_date(first),
        last_day: civil_date(first + 6),
        since_ns: first * DAY_NS - offset_ns,
        until_ns: (first + 7) * DAY_NS - offset_ns,
        due_ns: send_local - offset_ns,
    }
}

/// The reports due at `now_ns`: each of `places` whose last report (`last_sent`, the first day
/// of the week it covered) is older than the latest week, for that week (the module doc's
/// table). A place named twice is due once.
pub fn report_due(
    now_ns: i64,
    at: WeeklyAt,
    places: &[Place],
    last_sent: &BTreeMap<Place, String>,
) -> Vec<ReportDue> {
    let week = latest_week(now_ns, at);
    let mut out: Vec<ReportDue> = Vec::new();
    for p in places {
        let done = last_sent
            .get(p)
            .is_some_and(|last| last.as_str() >= week.first_day.as_str());
        if !done && !out.iter().any(|d| &d.place == p) {
            out.push(ReportDue {
                place: p.clone(),
                week: week.clone(),
            });
        }
    }
    out
}

/// `YYYY-MM-DD` of a count of days since 1970-01-01.
fn civil_date(days: i64) -> String {
    let (year, month, day) = crate::contract::time::civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = HOUR_NS;
    const M: i64 = MINUTE_NS;
    /// 2026-11-30T00:00:00Z, a Monday.
    const NOV_30: i64 = 1_796_256_000 * 1_000_000_000 - 3 * DAY_NS;
    /// Monday 09:00 at +08:00 (01:00Z).
    const MON_9: WeeklyAt = WeeklyAt {
        weekday: 0,
        minute_of_day: 9 * 60,
        utc_offset_minutes: 480,
    };

    fn store(s: &str) -> Place {
        Place::Store(s.into())
    }

    fn due(now: i64, places: &[Place], last: &[(Place, &str)]) -> Vec<(String, String)> {
        let last: BTreeMap<Place, String> = last
            .iter()
            .map(|(p, d)| (p.clone(), d.to_string()))
            .collect();
        report_due(now, MON_9, places, &last)
            .into_iter()
            .map(|d| (d.place.name(), d.week.first_day))
            .collect()
    }

    #[test]
    fn the_latest_week_is_the_seven_local_days_before_the_last_send() {
        // Monday 30 Nov 00:59Z is 08:59 local: the send of 23 Nov is the latest (16–22 Nov).
        let w = latest_week(NOV_30 + H - M, MON_9);
        assert_eq!(
            (w.first_day.as_str(), w.last_day.as_str()),
            ("2026-11-16", "2026-11-22")
        );
        assert_eq!(w.due_ns, NOV_30 + H - WEEK_NS);
        // At 09:00 local the week of 23–29 Nov is due: local midnight to midnight.
        let w = latest_week(NOV_30 + H, MON_9);
        assert_eq!(
            (w.first_day.as_str(), w.last_day.as_str()),
            ("2026-11-23", "2026-11-29")
        );
        assert_eq!(w.due_ns, NOV_30 + H);
        assert_eq!(w.since_ns, NOV_30 - WEEK_NS - 8 * H);
        assert_eq!(w.until_ns, NOV_30 - 8 * H);
        // The comparison week is the one before, back to back.
        let b = w.before();
        assert_eq!(
            (b.first_day.as_str(), b.last_day.as_str()),
            ("2026-11-16", "2026-11-22")
        );
        assert_eq!(b.until_ns, w.since_ns);
        assert_eq!(b.since_ns, w.since_ns - WEEK_NS);
        // Saturday night, it is still that Monday's week; a Friday send counts Fri–Thu.
        let w = latest_week(NOV_30 + 5 * DAY_NS + 15 * H, MON_9);
        assert_eq!(w.first_day, "2026-11-23");
        let fri = WeeklyAt {
            weekday: 4,
            ..MON_9
        };
        let w = latest_week(NOV_30 + 5 * DAY_NS, fri); // Sat 08:00 local
        assert_eq!(
            (w.first_day.as_str(), w.last_day.as_str()),
            ("2026-11-27", "2026-12-03")
        );
        // West of Greenwich: Monday 00:00 at −05:00 is 05:00Z.
        let west = WeeklyAt {
            weekday: 0,
            minute_of_day: 0,
            utc_offset_minutes: -300,
        };
        assert_eq!(
            latest_week(NOV_30 + 5 * H - 1, west).first_day,
            "2026-11-16"
        );
        assert_eq!(latest_week(NOV_30 + 5 * H, west).first_day, "2026-11-23");
    }

    #[test]
    fn report_due_follows_the_table() {
        let now = NOV_30 + 2 * H; // Monday 10:00 local
        let places = [store("SZ-FT"), Place::Region("south".into()), Place::Brand];
        // Row 1: never reported: the latest week, for every place.
        assert_eq!(
            due(now, &places, &[]),
            [
                ("store:SZ-FT".into(), "2026-11-23".into()),
                ("region:south".into(), "2026-11-23".into()),
                ("brand".into(), "2026-11-23".into()),
            ]
        );
        // Row 2: reported weeks ago (the collector was down): the latest week only, once.
        assert_eq!(
            due(now, &[store("SZ-FT")], &[(store("SZ-FT"), "2026-10-26")]),
            [("store:SZ-FT".into(), "2026-11-23".into())]
        );
        // Row 3: this week's report is made (by this collector before a restart, or another).
        assert_eq!(
            due(
                now,
                &places,
                &[(store("SZ-FT"), "2026-11-23"), (Place::Brand, "2026-11-23")]
            ),
            [("region:south".into(), "2026-11-23".into())]
        );
        // Just before the send time nothing new is due after last week's report.
        assert_eq!(
            due(
                NOV_30 + H - 1,
                &[store("SZ-FT")],
                &[(store("SZ-FT"), "2026-11-16")]
            ),
            []
        );
        // A place two channels name is due once.
        assert_eq!(due(now, &[store("A"), store("A")], &[]).len(), 1);
    }

    #[test]
    fn keys_name_the_week_and_the_place_and_read_back() {
        for p in [store("SZ-FT"), Place::Region("south".into()), Place::Brand] {
            let k = key("2026-11-23", &p);
            assert_eq!(parse_key(&k), Some(("2026-11-23".into(), p)));
        }
        assert_eq!(
            key("2026-11-23", &store("SZ-FT")),
            "report:2026-11-23:store:SZ-FT"
        );
        for bad in [
            "digest:2026-11-23",
            "report:2026-11-23:city:x",
            "report:x:brand",
            "report:2026-11-23:store:",
        ] {
            assert_eq!(parse_key(bad), None, "{bad}");
        }
    }
}
