//! The friends' bookings as the store reads them back (`GET /api/referrals/bookings` and its
//! reveal): each `booked` event with its referral's store, advisor and promoter's name, and
//! from the booking form the friend's name (称呼), preferred date and phone (until its
//! retention removes it). Who sees which row, and how much of its phone, is the caller's
//! (`referral::bookings`), never this module's.

use super::people::{all, first, int, opt_text, t, text, Val};
use super::{Store, StoreError, Window};

/// A friend's booking as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Booking {
    pub id: String,
    pub code: String,
    pub survey: String,
    /// The referral's store and advisor (the promoter's answer's).
    pub store: Option<String>,
    pub advisor: Option<String>,
    /// The name the promoter gave for the poster (王先生), if any.
    pub promoter_name: Option<String>,
    pub friend_name: Option<String>,
    /// `YYYY-MM-DD`, if the friend gave one.
    pub preferred_date: Option<String>,
    /// In full: the caller decides what is shown. `None` once its retention removed it.
    pub phone: Option<String>,
    /// `form` or `api`.
    pub via: String,
    pub at_ns: i64,
}

macro_rules! booking_select {
    () => {
        "SELECT e.id, e.code, r.survey, r.store, r.advisor, r.name, e.friend_name,
           e.preferred_date, e.friend_phone, e.via, e.at_ns
         FROM referral_events e JOIN referrals r ON r.code = e.code
         WHERE e.kind = 'booked' AND "
    };
}

fn booking_row(r: &[Val]) -> Result<Booking, StoreError> {
    Ok(Booking {
        id: text(r, 0)?,
        code: text(r, 1)?,
        survey: text(r, 2)?,
        store: opt_text(r, 3)?,
        advisor: opt_text(r, 4)?,
        promoter_name: opt_text(r, 5)?,
        friend_name: opt_text(r, 6)?,
        preferred_date: opt_text(r, 7)?,
        phone: opt_text(r, 8)?,
        via: text(r, 9)?,
        at_ns: int(r, 10)?,
    })
}

impl Store {
    /// The bookings made in the window (`at_ns` in `[since_ns, until_ns)`, one survey or all),
    /// of one store when `store` is given, newest first.
    pub async fn referral_bookings(
        &self,
        w: &Window,
        store: Option<&str>,
    ) -> Result<Vec<Booking>, StoreError> {
        let sql = concat!(
            booking_select!(),
            "(CAST($1 AS TEXT) IS NULL OR r.survey = $1)
               AND (CAST($2 AS BIGINT) IS NULL OR e.at_ns >= $2)
               AND (CAST($3 AS BIGINT) IS NULL OR e.at_ns < $3)
               AND (CAST($4 AS TEXT) IS NULL OR r.store = $4)
             ORDER BY e.at_ns DESC, e.id DESC"
        );
        let params = vec![
            w.survey.as_deref().map_or(Val::NullT, t),
            w.since_ns.map_or(Val::NullI, Val::I),
            w.until_ns.map_or(Val::NullI, Val::I),
            store.map_or(Val::NullT, t),
        ];
        all(self.one(sql, params).await?, booking_row)
    }

    /// One booking by its id.
    pub async fn referral_booking(&self, id: &str) -> Result<Option<Booking>, StoreError> {
        let sql = concat!(booking_select!(), "e.id = $1");
        first(self.one(sql, vec![t(id)]).await?, booking_row)
    }
}
