//! The demo's invitations, referrals and one store's coaching, written through the store's own
//! operations so that the funnel the dashboard shows is the collector's:
//!
//! - every answered visit was invited, and more were invited than answered: most stores hear
//!   from about half their customers, 上海浦东 (the best NPS) from under a fifth — its
//!   score rests on few customers (`low_response`);
//! - 深圳福田 runs the seed's 星火计划 for the last three months: its promoters share far more
//!   often, and their friends book and buy: its referral rate is well above the others
//!   (about 17 %, the seed's 8 % → 22 % programme in progress), while the other stores stay
//!   near the industry's 8 %;
//! - 广州天河's counter tablet: on three recent days a run of 10s from one device on the
//!   store's Wi-Fi, each a minute after its visit was issued (every coaching flag fires);
//!   those visits were QR codes handed at the counter (channel `counter`); its other
//!   answers, and every other store's, come from customers' own phones, answering the SMS
//!   the brand's DMS sent (channel `message`).
//!
//! Drawn from the seed, so a seed tells the same story.

use nps_core::contract::payload::Response;
use nps_core::growth::referral::EventKind;
use nps_core::growth::visit::Channel;
use nps_core::scoring::score::Category;
use serde_json::json;

use crate::keys::Keys;
use crate::storage::{
    Admission, Flag, Marks, NewEvent, NewReferral, NewVisit, Now, Reporter, Store, StoreError,
    VisitsRecorded,
};

const MINUTE_NS: i64 = 60 * 1_000_000_000;
const DAY_NS: i64 = 24 * 60 * MINUTE_NS;

/// Of a store's invited visits, the share answered.
fn response_share(store: &str) -> f64 {
    match store {
        "SH-PD" => 0.17,
        "GZ-TH" => 0.42,
        "SZ-FT" => 0.58,
        _ => 0.5,
    }
}

/// A promoter's referral: how likely they share, a friend opens, books, and buys.
struct Odds {
    share: f64,
    open: f64,
    book: f64,
    buy: f64,
}

/// 星火计划 (深圳福田, the last 90 days) and everyone else.
const SPARK: Odds = Odds {
    share: 0.75,
    open: 0.9,
    book: 0.6,
    buy: 0.55,
};
const USUAL: Odds = Odds {
    share: 0.4,
    open: 0.75,
    book: 0.5,
    buy: 0.45,
};

/// The coached store, its advisor, and the tablet's runs (days ago, answers in the run).
const COACHED: (&str, &str) = ("GZ-TH", "zhou");
const RUNS: [(i64, usize); 3] = [(2, 6), (5, 5), (9, 7)];

/// A mark from a number: the 16 hex digits `Keys` gives.
fn mark(rng: &mut fastrand::Rng) -> Marks {
    Marks {
        device: rng.u64(..),
        net: rng.u64(..),
    }
}

/// The counter tablet's answers: 10s, one device on the store's Wi-Fi, minutes apart.
pub fn coached(now_ns: i64, seed: u64) -> Vec<(Response, Now, Flag, Admission, i64)> {
    let mut rng = fastrand::Rng::with_seed(seed ^ 0x7ab1e7);
    let tablet = mark(&mut rng);
    let mut out = Vec::new();
    for (run, (days, n)) in RUNS.iter().enumerate() {
        // 11:00 in China on that day, then every few minutes.
        let start = (now_ns - days * DAY_NS) / DAY_NS * DAY_NS + 3 * 60 * MINUTE_NS;
        for k in 0..*n {
            let at = start + (k as i64) * (4 + rng.i64(0..5)) * MINUTE_NS;
            let issued = at - MINUTE_NS;
            let time = |ns: i64| {
                Now::from_time(
                    time::OffsetDateTime::from_unix_timestamp_nanos(ns.into())
                        .expect("a demo time"),
                )
            };
            let mut id = [0u8; 16];
            rng.fill(&mut id);
            let body = json!({
                "schema": nps_core::contract::rules::SCHEMA,
                "id": uuid::Builder::from_random_bytes(id).into_uuid().to_string(),
                "survey": "after-sales", "stage": "completed", "score": 10,
                "category": "promoter", "reasons": ["advisor_attitude"],
                "context": {"store": COACHED.0, "advisor": COACHED.1, "touchpoint": "after_service",
                            "channel": "qr", "visit": format!("RO-7{run}{k:04}")},
                "locale": "zh-CN", "page": null,
                "created_at": time(at - 30_000_000_000).at, "updated_at": time(at).at,
            });
            let r = Response::parse(&body).expect("the demo's answers are valid");
            let admission = Admission {
                marks: Some(tablet),
                ..Admission::operator()
            };
            out.push((r, time(at), None, admission, issued));
        }
    }
    out
}

/// Records the visits of `answers` (each with when it was stored and, for the tablet's, when
/// its visit was issued) and the unanswered ones beside them, then the promoters' referrals.
pub async fn work(
    store: &Store,
    answers: &[(Response, i64, Option<i64>)],
    now_ns: i64,
    seed: u64,
) -> Result<(), StoreError> {
    let mut rng = fastrand::Rng::with_seed(seed ^ 0x9e0_17a1);
    let mut visits = Vec::new();
    let mut opened = Vec::new();
    let mut extra = 0u32;
    for (r, stored_ns, issued) in answers {
        let (Some(visit), Some(store_code)) = (r.context.get("visit"), r.context.get("store"))
        else {
            continue;
        };
        let issued_ns = issued.unwrap_or(stored_ns - rng.i64(20..240) * MINUTE_NS);
        // The counter tablet's visits were handed at the counter; the rest were messages.
        let channel = match issued {
            Some(_) => Channel::Counter,
            None => Channel::Message,
        };
        let visit_of = |visit: String, issued_ns: i64| NewVisit {
            survey: r.survey.clone(),
            visit,
            store: Some(store_code.clone()),
            advisor: r.context.get("advisor").cloned(),
            touchpoint: r.context.get("touchpoint").cloned(),
            issued_ns,
            channel,
        };
        visits.push(visit_of(visit.clone(), issued_ns));
        opened.push((visit.clone(), issued_ns + rng.i64(1..20) * MINUTE_NS));
        // The store's unanswered invitations around this one.
        let share = response_share(store_code);
        let mut owed = (1.0 - share) / share;
        while owed > 0.0 {
            if rng.f64() < owed.min(1.0) {
                extra += 1;
                let at = issued_ns - rng.i64(0..3 * DAY_NS);
                visits.push(visit_of(format!("RO-6{extra:06}"), at));
                if rng.f64() < 0.3 {
                    opened.push((format!("RO-6{extra:06}"), at + rng.i64(5..600) * MINUTE_NS));
                }
            }
            owed -= 1.0;
        }
    }
    let first = Now::from_time(
        time::OffsetDateTime::from_unix_timestamp_nanos(now_ns.into()).expect("now"),
    );
    let by = Reporter {
        source: "api",
        by: "cli",
        every_store: true,
    };
    for chunk in visits.chunks(2_000) {
        if let VisitsRecorded::Taken(taken) = store.visits_record(chunk, &by, &first).await? {
            return Err(StoreError::Sql {
                message: format!("the demo's visits name another store's: {taken:?}"),
            });
        }
    }
    for (visit, at) in opened {
        store
            .visit_opened("after-sales", &visit, &ns_now(at.min(now_ns)))
            .await?;
    }
    referrals(store, answers, now_ns, &mut rng).await
}

fn ns_now(ns: i64) -> Now {
    Now::from_time(time::OffsetDateTime::from_unix_timestamp_nanos(ns.into()).expect("a time"))
}

/// The promoters' referrals and what they brought.
async fn referrals(
    store: &Store,
    answers: &[(Response, i64, Option<i64>)],
    now_ns: i64,
    rng: &mut fastrand::Rng,
) -> Result<(), StoreError> {
    let keys = Keys::load(store).await?;
    for (r, stored_ns, issued) in answers {
        if r.category() != Some(Category::Promoter) || issued.is_some() {
            continue;
        }
        let spark = r.context.get("store").map(String::as_str) == Some("SZ-FT")
            && now_ns - stored_ns < 90 * DAY_NS;
        let odds = if spark { &SPARK } else { &USUAL };
        if rng.f64() >= odds.share {
            continue;
        }
        let fresh = crate::referral::code::make(&keys);
        let promoter = format!("{:016x}", rng.u64(..));
        let ctx = |k: &str| r.context.get(k).map(String::as_str);
        let issued_at = ns_now((stored_ns + 2 * MINUTE_NS).min(now_ns));
        let referral = store
            .referral_issue(
                &NewReferral {
                    code: &fresh,
                    response_id: &r.id,
                    survey: &r.survey,
                    store: ctx("store"),
                    advisor: ctx("advisor"),
                    visit: ctx(nps_core::contract::rules::VISIT),
                    device: Some(&promoter),
                    device_fallback: None,
                },
                &issued_at,
            )
            .await?;
        // A second seed finds the answer's code made the first time.
        let code = referral.code.clone();
        store.referral_shared(&code, &issued_at).await?;
        if rng.f64() >= odds.open {
            continue;
        }
        let mut at = issued_at.ns;
        for _ in 0..1 + rng.usize(..3) {
            at = (at + rng.i64(10..2_000) * MINUTE_NS).min(now_ns);
            let friend = format!("{:016x}", rng.u64(..));
            store
                .referral_open(&code, &friend, false, &ns_now(at))
                .await?;
        }
        for (kind, p, days) in [
            (EventKind::Booked, odds.book, 3),
            (EventKind::Purchased, odds.buy, 20),
        ] {
            if rng.f64() >= p {
                break;
            }
            at = (at + rng.i64(1..days) * DAY_NS).min(now_ns);
            let reference = format!("DMS-{}", &code[..8]);
            let event = NewEvent {
                code: &code,
                kind,
                reference: Some(&reference),
                via: "api",
                at_ns: at,
                friend_name: None,
                friend_phone: None,
                preferred_date: None,
                purge_after_ns: None,
            };
            let body = crate::delivery::say::thanks_body(&referral, &event, &Default::default());
            store
                .referral_event_by(&event, Some("cli"), &body, &ns_now(at))
                .await?;
        }
    }
    Ok(())
}
