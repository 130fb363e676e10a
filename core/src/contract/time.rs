//! RFC 3339 times, parsed in one place for every side: the payload's check
//! (`rules::is_rfc3339`), the collector's ordering, flags and export bounds, and the
//! dashboard's reading of an export. `Time::parse` takes `YYYY-MM-DDTHH:MM:SS[.fraction]`
//! then `Z` or `±HH:MM` (`t` and `z` in lower case too), a day that exists (no February 30th)
//! and no leap second; and the proleptic Gregorian calendar as day counts.

/// The shortest RFC 3339 time: `2026-11-23T08:30:00Z`.
const SHORTEST: usize = "2026-11-23T08:30:00Z".len();

/// A moment read from RFC 3339 text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Time {
    /// Seconds since 1970-01-01T00:00Z.
    unix_s: i64,
    /// The fraction of the second, in ns.
    nanos: u32,
    /// The offset the text gave, in minutes east of UTC.
    offset_minutes: i32,
}

impl Time {
    /// The moment of an RFC 3339 time; `None` for anything else.
    pub fn parse(s: &str) -> Option<Time> {
        let b = s.as_bytes();
        let num = |r: std::ops::Range<usize>| -> Option<i64> {
            let part = s.get(r)?;
            part.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| part.parse().ok())?
        };
        if b.len() < SHORTEST
            || b[4] != b'-'
            || b[7] != b'-'
            || !matches!(b[10], b'T' | b't')
            || b[13] != b':'
            || b[16] != b':'
        {
            return None;
        }
        let day = date(num(0..4)?, num(5..7)?, num(8..10)?)?;
        let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if h > 23 || mi > 59 || sec > 59 {
            return None;
        }
        let mut rest = &s[19..];
        let mut nanos = 0u32;
        if let Some(frac) = rest.strip_prefix('.') {
            let n = frac.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 || n > 9 {
                return None;
            }
            nanos = frac[..n].parse::<u32>().ok()? * 10u32.pow(9 - n as u32);
            rest = &frac[n..];
        }
        let offset_minutes = match rest.as_bytes() {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
                let (oh, om) = (num(s.len() - 5..s.len() - 3)?, num(s.len() - 2..s.len())?);
                if oh > 23 || om > 59 {
                    return None;
                }
                let m = (oh * 60 + om) as i32;
                if *sign == b'-' {
                    -m
                } else {
                    m
                }
            }
            _ => return None,
        };
        Some(Time {
            unix_s: day * 86_400 + h * 3600 + mi * 60 + sec - offset_minutes as i64 * 60,
            nanos,
            offset_minutes,
        })
    }

    /// Nanoseconds since 1970-01-01T00:00Z.
    pub fn unix_ns(self) -> i128 {
        self.unix_s as i128 * 1_000_000_000 + self.nanos as i128
    }

    /// Milliseconds since 1970-01-01T00:00Z.
    pub fn unix_ms(self) -> i64 {
        self.unix_s * 1000 + (self.nanos / 1_000_000) as i64
    }

    /// Whole minutes since 1970-01-01T00:00Z.
    pub fn unix_minutes(self) -> i64 {
        self.unix_s.div_euclid(60)
    }

    /// The offset the text gave, in minutes east of UTC.
    pub fn offset_minutes(self) -> i32 {
        self.offset_minutes
    }
}

/// The day count of a date that exists.
fn date(y: i64, m: i64, d: i64) -> Option<i64> {
    let day = days_from_civil(y, m, d);
    ((1..=12).contains(&m) && d >= 1 && civil_from_days(day) == (y, m, d)).then_some(day)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date (year, month, day) of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_to_their_moment() {
        let ns = |s: &str| Time::parse(s).map(Time::unix_ns);
        assert_eq!(ns("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(ns("1970-01-01T08:00:00+08:00"), Some(0));
        assert_eq!(ns("1969-12-31T19:00:00.5-05:00"), Some(500_000_000));
        assert_eq!(
            ns("2026-11-23T08:30:00.123456789z"),
            Some(1_795_422_600_123_456_789)
        );
        let t = Time::parse("2026-11-23t16:30:59.999+08:00").unwrap();
        assert_eq!((t.unix_ms(), t.offset_minutes()), (1_795_422_659_999, 480));
        assert_eq!(t.unix_minutes(), 29_923_710);
        assert_eq!(
            Time::parse("1969-12-31T23:59:30Z").map(Time::unix_minutes),
            Some(-1),
            "minutes round down before the epoch too"
        );
    }

    #[test]
    fn rfc3339_table() {
        for ok in [
            "2026-11-23T08:30:00Z",
            "2026-11-23T08:30:00.123Z",
            "2026-11-23t08:30:00+08:00",
            "2026-02-28T23:59:59-05:30",
            "2028-02-29T00:00:00Z",
            "2000-02-29T00:00:00Z",
        ] {
            assert!(Time::parse(ok).is_some(), "{ok}");
        }
        for no in [
            "2026-11-23",
            "2026-11-23 08:30:00Z",
            "2026-11-23T24:00:00Z",
            "2026-11-23T08:30:00",
            "2026-11-23T08:30:00.Z",
            "2026-11-23T08:30:00.1234567890Z",
            "2026-11-23T08:30:00+0800",
            "2026-11-23T08:30:00+24:00",
            "２０２６-11-23T08:30:00Z",
            "2026-02-31T08:30:00Z",
            "2026-02-29T08:30:00Z",
            "1900-02-29T08:30:00Z",
            "2026-04-31T08:30:00Z",
            "2026-13-01T08:30:00Z",
            "2026-00-01T08:30:00Z",
            "2026-11-00T08:30:00Z",
            "2026-02-28T23:59:60Z",
            "+026-11-23T08:30:00Z",
        ] {
            assert!(Time::parse(no).is_none(), "{no}");
        }
    }
}
