//! Numbers and dates as each locale writes them: `1,234`, NPS points (`42`, `+6` for a
//! change), shares (`62%`), dates (`2026年11月24日`, `24 Nov 2026`), and the ISO dates of the
//! fragment and the date inputs. Days are counted from 1970-01-01 in the manager's time zone.

use nps_core::scoring::analysis::{civil_from_days, days_from_civil};
use nps_core::words::Locale;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A count with thousands separators (the same in the three locales).
pub fn int(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// NPS points, rounded: `42`, `-8`.
pub fn points(x: f64) -> String {
    let r = x.round();
    // -0.4 rounds to -0: show 0.
    format!("{}", if r == 0.0 { 0.0 } else { r })
}

/// A change in points, always signed: `+6`, `-3`, `0`.
pub fn change(x: f64) -> String {
    let r = x.round();
    if r > 0.0 {
        format!("+{r}")
    } else {
        points(r)
    }
}

/// A share (0–1) as a whole percentage: `62%`.
pub fn pct(share: f64) -> String {
    format!("{}%", (share * 100.0).round())
}

/// A date: `2026年11月24日`, `24 Nov 2026`.
pub fn date(day: i64, locale: Locale) -> String {
    let (y, m, d) = civil_from_days(day);
    match locale {
        Locale::En => format!("{d} {} {y}", MONTHS[(m - 1) as usize]),
        _ => format!("{y}年{m}月{d}日"),
    }
}

/// A date within the year: `11月24日`, `24 Nov`.
pub fn short_date(day: i64, locale: Locale) -> String {
    let (_, m, d) = civil_from_days(day);
    match locale {
        Locale::En => format!("{d} {}", MONTHS[(m - 1) as usize]),
        _ => format!("{m}月{d}日"),
    }
}

/// A month: `2026年11月`, `Nov 2026`.
pub fn month(day: i64, locale: Locale) -> String {
    let (y, m, _) = civil_from_days(day);
    match locale {
        Locale::En => format!("{} {y}", MONTHS[(m - 1) as usize]),
        _ => format!("{y}年{m}月"),
    }
}

/// A moment in the manager's time zone: `11月24日 16:30`, `24 Nov 16:30`.
pub fn moment(minutes: i64, offset_minutes: i32, locale: Locale) -> String {
    let local = minutes + offset_minutes as i64;
    let (day, min) = (local.div_euclid(1440), local.rem_euclid(1440));
    format!(
        "{} {:02}:{:02}",
        short_date(day, locale),
        min / 60,
        min % 60
    )
}

/// `2026-11-24`, as the fragment and `<input type="date">` write a day.
pub fn iso_date(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The day of `2026-11-24`; `None` for anything else (February 30 included).
pub fn parse_iso_date(s: &str) -> Option<i64> {
    let mut parts = s.trim().splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if !(1..=9999).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let day = days_from_civil(y, m, d);
    (civil_from_days(day) == (y, m, d)).then_some(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_dates_in_each_locale() {
        for (n, want) in [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (1234567, "1,234,567"),
        ] {
            assert_eq!(int(n), want);
        }
        for (x, p, c) in [
            (41.6, "42", "+42"),
            (-7.5, "-8", "-8"),
            (-0.4, "0", "0"),
            (0.4, "0", "0"),
        ] {
            assert_eq!((points(x).as_str(), change(x).as_str()), (p, c), "{x}");
        }
        assert_eq!(pct(0.615), "62%");
        let day = parse_iso_date("2026-11-24").unwrap();
        assert_eq!(date(day, Locale::ZhCn), "2026年11月24日");
        assert_eq!(date(day, Locale::En), "24 Nov 2026");
        assert_eq!(short_date(day, Locale::ZhTw), "11月24日");
        assert_eq!(month(day, Locale::En), "Nov 2026");
        assert_eq!(month(day, Locale::ZhCn), "2026年11月");
        assert_eq!(iso_date(day), "2026-11-24");
        // 2026-11-24T08:30Z is 16:30 in Beijing.
        let at = nps_core::scoring::analysis::minutes_of("2026-11-24T08:30:00Z").unwrap();
        assert_eq!(moment(at, 480, Locale::ZhCn), "11月24日 16:30");
        assert_eq!(moment(at, -600, Locale::En), "23 Nov 22:30");
        for bad in ["2026-02-30", "2026-13-01", "yesterday", "", "2026-11"] {
            assert_eq!(parse_iso_date(bad), None, "{bad}");
        }
    }
}
