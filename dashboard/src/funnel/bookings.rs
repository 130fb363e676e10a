//! The friends' bookings, the pure part: a row of `GET /api/referrals/bookings` (the friend's
//! name, preferred date, the referral's store and advisor, the promoter's name, the phone as
//! the collector shows this person: masked, removed at its retention, or not at all for an
//! analyst) and how the page words its date. The collector owns the scope and the masking:
//! this reads what it was sent and keeps its order (newest first).

use nps_core::words::Locale;
use serde::{Deserialize, Deserializer};

use crate::format::{parse_iso_date, short_date};

/// The friend's phone as this person was sent it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Phone {
    /// No `phone` key: this role never sees a phone (an analyst).
    #[default]
    NotShown,
    /// `null`: removed at the survey's retention (or never given: a brand's own report).
    Gone,
    /// Masked (`138****3788`): the full number only through a logged reveal.
    Masked(String),
}

fn phone<'de, D: Deserializer<'de>>(d: D) -> Result<Phone, D::Error> {
    Option::<String>::deserialize(d).map(|p| p.map_or(Phone::Gone, Phone::Masked))
}

/// A friend's booking as listed.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Booking {
    pub id: String,
    /// The referral's store (the promoter's answer's).
    pub store: Option<String>,
    pub advisor: Option<String>,
    pub promoter_name: Option<String>,
    pub friend_name: Option<String>,
    /// `YYYY-MM-DD`, if the friend chose one.
    pub preferred_date: Option<String>,
    #[serde(default, deserialize_with = "phone")]
    pub phone: Phone,
    /// `form` (the collector's booking form) or `api` (the brand's system).
    pub via: String,
    pub booked_at: String,
}

impl Booking {
    /// The preferred day as the page says it (`12月10日`, `10 Dec`); `None` without a real one.
    pub fn date(&self, locale: Locale) -> Option<String> {
        let day = parse_iso_date(self.preferred_date.as_deref()?)?;
        Some(short_date(day, locale))
    }
}

#[derive(Deserialize)]
struct List {
    rows: Vec<Booking>,
}

/// `GET /api/referrals/bookings`'s rows, in the collector's order (newest first).
pub fn from_json(text: &str) -> Result<Vec<Booking>, String> {
    serde_json::from_str::<List>(text)
        .map(|l| l.rows)
        .map_err(|e| format!("answers the page cannot read: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_booking_reads_its_phone_as_masked_gone_or_not_shown_and_words_its_date() {
        let rows = from_json(
            r#"{"rows": [
              {"id": "b-2", "store": "SZ-FT", "advisor": "wang", "promoter_name": "王先生",
               "friend_name": "李女士", "preferred_date": "2026-12-10", "phone": "138****3788",
               "via": "form", "booked_at": "2026-12-03T08:00:00.000Z"},
              {"id": "b-1", "store": null, "advisor": null, "promoter_name": null,
               "friend_name": null, "preferred_date": null, "phone": null, "via": "api",
               "booked_at": "2026-12-01T08:00:00.000Z"},
              {"id": "b-0", "store": "BJ-CY", "advisor": null, "promoter_name": null,
               "friend_name": "赵", "preferred_date": "2026-02-30", "via": "form",
               "booked_at": "2026-11-30T08:00:00.000Z"}
            ]}"#,
        )
        .unwrap();
        let ids: Vec<&str> = rows.iter().map(|b| b.id.as_str()).collect();
        assert_eq!(ids, ["b-2", "b-1", "b-0"], "the collector's order kept");
        assert_eq!(rows[0].phone, Phone::Masked("138****3788".into()));
        assert_eq!(rows[1].phone, Phone::Gone);
        assert_eq!(rows[2].phone, Phone::NotShown);
        assert_eq!(rows[0].date(Locale::ZhCn).as_deref(), Some("12月10日"));
        assert_eq!(rows[0].date(Locale::En).as_deref(), Some("10 Dec"));
        assert_eq!(rows[1].date(Locale::ZhCn), None);
        assert_eq!(rows[2].date(Locale::ZhCn), None, "no February 30");
        assert!(from_json("{}").unwrap_err().contains("cannot read"));
    }
}
