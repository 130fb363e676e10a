//! `[report]` of nps.toml: when the weekly report goes (`weekday`, `at`, and `utc_offset`,
//! else the digest's, else +08:00). Each error names the key, the value and what is accepted:
//!
//! ```text
//! line 7: [report] weekday is "monday": expected one of "mon", "tue", "wed", "thu", "fri", "sat", "sun"
//! ```

use nps_core::cases::weekly::{WeeklyAt, WEEKDAYS};
use toml::de::DeTable;

use super::file::{clock, invalid, keys, utc_offset, Errors, OFFSET_HINT};

/// `[report]`'s keys.
pub const REPORT_KEYS: [&str; 3] = ["weekday", "at", "utc_offset"];

/// `[report]` as read, its offset perhaps still to come from `[digest]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Read {
    weekday: u8,
    minute_of_day: u32,
    utc_offset_minutes: Option<i32>,
}

impl Read {
    /// The schedule, with `fallback` as the offset when `[report]` named none.
    pub fn at(self, fallback: i32) -> WeeklyAt {
        WeeklyAt {
            weekday: self.weekday,
            minute_of_day: self.minute_of_day,
            utc_offset_minutes: self.utc_offset_minutes.unwrap_or(fallback),
        }
    }
}

/// Reads `[report]` (at byte `start`); `None` with its errors pushed when it is wrong.
pub fn read(start: usize, t: &DeTable<'_>, errors: &mut Errors) -> Option<Read> {
    let before = errors.len();
    let (mut weekday, mut minute, mut offset) = (None, None, None);
    keys(
        "[report]",
        &REPORT_KEYS,
        t,
        errors,
        |key, at, value, errors| {
            let s = value.get_ref().as_str().unwrap_or_default();
            match key {
                "weekday" => match WEEKDAYS.iter().position(|d| *d == s) {
                    Some(i) => weekday = Some(i as u8),
                    None => {
                        let accepted: Vec<String> =
                            WEEKDAYS.iter().map(|d| format!("{d:?}")).collect();
                        let hint = format!("one of {}", accepted.join(", "));
                        errors.push((at, invalid("[report]", key, value, &hint)));
                    }
                },
                "at" => match clock(s).filter(|(h, m)| *h < 24 && *m < 60) {
                    Some((h, m)) => minute = Some(h * 60 + m),
                    None => errors.push((
                        at,
                        invalid(
                            "[report]",
                            key,
                            value,
                            "a local time HH:MM from 00:00 to 23:59, e.g. \"09:00\"",
                        ),
                    )),
                },
                _ => match utc_offset(s) {
                    Some(m) => offset = Some(m),
                    None => errors.push((at, invalid("[report]", key, value, OFFSET_HINT))),
                },
            }
        },
    );
    for (key, found, hint) in [
        (
            "weekday",
            weekday.is_some(),
            "the day it goes, e.g. weekday = \"mon\"",
        ),
        (
            "at",
            minute.is_some(),
            "the local time it goes, e.g. at = \"09:00\"",
        ),
    ] {
        let given = t.iter().any(|(k, _)| k.get_ref().as_ref() == key);
        if !found && !given {
            errors.push((start, format!("[report] {key} is missing: expected {hint}")));
        }
    }
    (errors.len() == before).then_some(Read {
        weekday: weekday?,
        minute_of_day: minute?,
        utc_offset_minutes: offset,
    })
}

#[cfg(test)]
mod tests {
    use nps_core::org::Org;

    fn read(text: &str) -> Result<Option<nps_core::cases::weekly::WeeklyAt>, String> {
        crate::alerts::file::read(text, &Org::default(), &|_| None).map(|c| c.report)
    }

    #[test]
    fn report_takes_a_weekday_and_a_time_and_the_digests_offset() {
        let r = read("[report]\nweekday = \"mon\"\nat = \"09:00\"\n")
            .unwrap()
            .unwrap();
        assert_eq!(
            (r.weekday, r.minute_of_day, r.utc_offset_minutes),
            (0, 540, 480)
        );
        let r = read("[report]\nweekday = \"fri\"\nat = \"17:30\"\n[digest]\nat = \"08:30\"\nutc_offset = \"+09:00\"\n")
            .unwrap()
            .unwrap();
        assert_eq!(
            (r.weekday, r.minute_of_day, r.utc_offset_minutes),
            (4, 17 * 60 + 30, 540)
        );
        let r = read("[report]\nweekday = \"sun\"\nat = \"00:00\"\nutc_offset = \"-05:00\"\n")
            .unwrap()
            .unwrap();
        assert_eq!((r.weekday, r.utc_offset_minutes), (6, -300));
        assert_eq!(read("").unwrap(), None, "no [report]: no weekly report");
    }

    #[test]
    fn a_wrong_report_names_the_key_the_value_and_what_is_accepted() {
        for (text, wanted) in [
            (
                "[report]\nweekday = \"monday\"\nat = \"09:00\"\n",
                "line 2: [report] weekday is \"monday\": expected one of \"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\"",
            ),
            ("[report]\nweekday = \"mon\"\nat = \"9am\"\n", "[report] at is \"9am\": expected a local time HH:MM"),
            ("[report]\nweekday = \"mon\"\n", "[report] at is missing: expected the local time it goes"),
            ("[report]\nat = \"09:00\"\n", "[report] weekday is missing"),
            ("[report]\nweekday = \"mon\"\nat = \"09:00\"\nutc_offset = \"8\"\n", "[report] utc_offset is \"8\": expected an offset from UTC"),
            ("[report]\nweekday = \"mon\"\nat = \"09:00\"\nday = 1\n", "[report] "),
        ] {
            let e = read(text).unwrap_err();
            assert!(e.contains(wanted), "{text:?}: {e}");
        }
    }
}
