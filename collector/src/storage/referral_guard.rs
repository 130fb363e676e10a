//! What keeps a public referral code from being abused, in the store: a friend's open with its
//! marks (the referral cookie's, the cookie-less one, the network's), decided in one
//! transaction that holds the code's row (`referral::open`: own, repeat, past the network's
//! day, counted); whether a browser opened a code (the booking form asks); and a form booking
//! counted against its code's and its store's day in the booking's own transaction
//! (`referral::form_booking`): a code's full day rolls the booking back, a store's full day
//! turns its alert into the day's one note. Two bookings at once cannot both pass a cap: the
//! day's count is one row, raised by an upsert that waits for the other's commit.

use nps_core::cases::opening::AlertKind;
use nps_core::growth::referral::{self, FormBooking, Open};

use super::cases::queue::insert_alert_stmt;
use super::people::{int, stmt, t, Rows, Val};
use super::referrals::insert_event;
use super::{NewEvent, Now, Store, StoreError};

/// `referral_opens.own`: a counted open, the promoter's own, one kept uncounted.
const COUNTED: i64 = 0;
const OWN: i64 = 1;
const UNCOUNTED: i64 = 2;

/// Days a day's counts are kept (`purge`).
const DAYS_KEPT: i64 = 3;

/// An open's marks (`keys::Keys`): the referral cookie's (the device), the cookie-less one
/// (network and steady browser name), and the network's.
pub struct OpenMarks<'a> {
    pub device: &'a str,
    pub fallback: &'a str,
    pub net: &'a str,
    /// The browser came without a cookie the collector signed (one was made now): a device
    /// seen before is then known by its cookie-less mark.
    pub new_cookie: bool,
}

/// What became of a form booking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormBooked {
    /// Stored with its alert (`held`: the store's day was full, so its one note instead).
    New { held: bool },
    /// The same friend's booking again: nothing new.
    Duplicate,
    /// The code's day was full: nothing stored.
    Full,
}

/// The first integer of a statement's rows.
fn count(rows: Option<&Rows>) -> u64 {
    let row = rows.and_then(|r| r.first()).map(Vec::as_slice);
    int(row.unwrap_or_default(), 0).unwrap_or(0).max(0) as u64
}

impl Store {
    /// A friend's open of `code` on local day `day_start_ns..` (`own`: from the promoter's
    /// device), counted as `referral::open` decides; every open is kept (a browser that opened
    /// a code may book), one row per code and device.
    pub async fn referral_open_marked(
        &self,
        code: &str,
        m: &OpenMarks<'_>,
        own: bool,
        day_start_ns: i64,
        now: &Now,
    ) -> Result<Open, StoreError> {
        let reads = vec![
            // Holds the code's row: two opens of one code are decided one after the other.
            stmt(
                "SELECT code FROM referrals WHERE code = $1 FOR UPDATE",
                vec![t(code)],
            ),
            stmt(
                "SELECT COUNT(*) FROM referral_opens WHERE code = $1
                   AND (device = $2 OR (CAST($4 AS BIGINT) = 1 AND fallback = $3))",
                vec![
                    t(code),
                    t(m.device),
                    t(m.fallback),
                    Val::I(i64::from(m.new_cookie)),
                ],
            ),
            stmt(
                "SELECT COUNT(*) FROM referral_opens WHERE code = $1 AND net = $2 AND own = 0
                   AND at_ns >= $3",
                vec![t(code), t(m.net), Val::I(day_start_ns)],
            ),
        ];
        let row = |own_val: i64| {
            stmt(
                "INSERT INTO referral_opens (code, device, at_ns, own, fallback, net)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code, device) DO NOTHING",
                vec![
                    t(code),
                    t(m.device),
                    Val::I(now.ns),
                    Val::I(own_val),
                    t(m.fallback),
                    t(m.net),
                ],
            )
        };
        let [counted, own_row, uncounted] = [COUNTED, OWN, UNCOUNTED].map(row);
        let then: super::people::Then<()> = Box::new(move |rows: &[Rows]| {
            let open = referral::open(own, count(rows.get(1)) > 0, count(rows.get(2)));
            Ok(vec![match open {
                Open::Counted => counted,
                Open::Own => own_row,
                Open::Repeat | Open::Capped => uncounted,
            }])
        });
        let rows = self.transact_then(reads, then).await?.unwrap_or_default();
        Ok(referral::open(
            own,
            count(rows.get(1)) > 0,
            count(rows.get(2)),
        ))
    }

    /// Whether the browser with referral cookie mark `device` opened `code`: `None` if it did
    /// not, else whether it is the promoter's own.
    pub async fn referral_opened(
        &self,
        code: &str,
        device: &str,
    ) -> Result<Option<bool>, StoreError> {
        let sql = "SELECT own FROM referral_opens WHERE code = $1 AND device = $2";
        let rows = self.query(sql, vec![t(code), t(device)]).await?;
        Ok(rows.first().map(|r| int(r, 0).unwrap_or(0) == OWN))
    }

    /// A booking from the collector's form on local day `day` (days since the epoch) of
    /// `store`: stored with its thank-you (`alert_body`) while the code's and the store's days
    /// have room, with the store's one note for the day (`held_body`) past the store's, and not
    /// at all past the code's (`referral::form_booking`), all in one transaction.
    pub async fn referral_form_booking(
        &self,
        e: &NewEvent<'_>,
        store: Option<&str>,
        day: i64,
        bodies: (&str, &str),
        now: &Now,
    ) -> Result<FormBooked, StoreError> {
        let id = uuid::Uuid::new_v4().to_string();
        let store_key = format!("store:{}", store.unwrap_or("-"));
        let bump = |key: String| {
            stmt(
                "INSERT INTO referral_days (key, day, n)
                 SELECT CAST($1 AS TEXT), CAST($2 AS BIGINT), 1 WHERE EXISTS (SELECT 1 FROM referral_events WHERE id = $3)
                 ON CONFLICT (key, day) DO UPDATE SET n = referral_days.n + 1 RETURNING n",
                vec![t(&key), Val::I(day), t(&id)],
            )
        };
        let reads = vec![
            insert_event(&id, e, None),
            bump(format!("code:{}", e.code)),
            bump(store_key.clone()),
        ];
        let alert = insert_alert_stmt(
            &format!("referral:{}:{id}", e.code),
            AlertKind::Referral.name(),
            None,
            Some(bodies.0),
            now.ns,
            now,
        );
        let note = insert_alert_stmt(
            &format!("referral:held:{store_key}:{day}"),
            AlertKind::Referral.name(),
            None,
            Some(bodies.1),
            now.ns,
            now,
        );
        let decide = |rows: &[Rows]| match rows.first().is_some_and(|r| !r.is_empty()) {
            false => None,
            true => Some(referral::form_booking(
                count(rows.get(1)),
                count(rows.get(2)),
            )),
        };
        let then: super::people::Then<()> = Box::new(move |rows: &[Rows]| match decide(rows) {
            None => Ok(Vec::new()),
            Some(FormBooking::Full) => Err(()),
            Some(FormBooking::Alert) => Ok(vec![alert]),
            Some(FormBooking::Held) => Ok(vec![note]),
        });
        Ok(match self.transact_then(reads, then).await? {
            Err(()) => FormBooked::Full,
            Ok(rows) => match decide(&rows) {
                None => FormBooked::Duplicate,
                Some(b) => FormBooked::New {
                    held: b == FormBooking::Held,
                },
            },
        })
    }

    /// Forgets the days' counts older than `DAYS_KEPT` days before local day `today`.
    pub(super) async fn purge_referral_days(&self, today: i64) -> Result<(), StoreError> {
        let sql = "DELETE FROM referral_days WHERE day < $1";
        self.one(sql, vec![Val::I(today - DAYS_KEPT)])
            .await
            .map(drop)
    }
}
