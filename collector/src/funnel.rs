//! `GET /api/funnel` and `GET /api/funnel/flags`: who was invited, who answered, what the
//! promoters' referrals brought and which answers look coached, per store, advisor,
//! touchpoint, week or month. Every role may read them, and reads only the rows of its scope
//! (a visit's or an answer's store, asked `Action::ReadAnswers` like any row); the counting is
//! the core's (`growth::funnel`, `growth::flags`). Neither answer carries a phone or a
//! device's mark.
//!
//! Query: `by` (funnel only: `store`, `advisor`, `touchpoint`, `week`, `month`), `survey`,
//! `from`, `to` (a date or an RFC 3339 time; visits by when they were issued, answers by
//! when they were first stored; `to` defaults to now and `from` to `DEFAULT_DAYS` before `to`;
//! at most `MAX_DAYS` apart), `store`, `advisor`, `region`, `city`, `touchpoint` (each keeps
//! only its rows; a region or city is the store's in the org file). Weeks and months are the
//! brand's (`alerts::Config::utc_offset_minutes`).
//!
//! The flags are found over the caller's answers of the window padded by
//! `flags::LONGEST_SPAN_NS` on each side (a cluster at the window's edge is seen whole) and
//! before the advisor and touchpoint filters (a store's rules are the store's); only answers
//! inside the window are counted and listed.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use nps_core::access::{place_of, Action};
use nps_core::contract::rules;
use nps_core::growth::flags::{self, Reason};
use nps_core::growth::funnel::{self, By};
use nps_core::growth::Rate;
use nps_core::scoring::analysis::{period_of_minutes, Names, Period};
use nps_core::scoring::score::Score;
use serde_json::{json, Value};

use crate::auth::{private, Caller};
use crate::storage::{AnswerRow, StoreError};
use crate::{ApiError, Shared};

mod ask;

use ask::Place;
pub use ask::{at_most_max_days, Ask, DEFAULT_DAYS, MAX_DAYS, PARAMS};

/// A counted answer of the caller's scope, its context read, its reasons found.
struct Seen {
    row: AnswerRow,
    context: HashMap<String, String>,
    reasons: Vec<Reason>,
}

impl Seen {
    fn get(&self, key: &str) -> Option<&str> {
        self.context.get(key).map(String::as_str)
    }
}

/// The context keys the funnel reads of an answer.
fn context_of(row: &AnswerRow) -> HashMap<String, String> {
    [
        ("store", &row.store),
        ("advisor", &row.advisor),
        ("touchpoint", &row.touchpoint),
        (rules::VISIT, &row.visit),
    ]
    .into_iter()
    .filter_map(|(k, v)| Some((k.to_owned(), v.clone()?)))
    .collect()
}

/// Whether the caller sees a row of `store`.
fn visible(caller: &Caller, names: &Names, store: Option<&str>) -> bool {
    caller.may(Action::ReadAnswers, &place_of(names.org(), store))
}

/// The counted answers of the window in the caller's scope that the ask keeps, each with its
/// flags (found over the padded window's answers of the caller's scope).
async fn answers(state: &Shared, caller: &Caller, ask: &Ask) -> Result<Vec<Seen>, StoreError> {
    let names = state.names();
    let mut seen: Vec<Seen> = Vec::new();
    for row in state.store.funnel_answers(&ask.padded()).await? {
        let context = context_of(&row);
        let store = context.get("store").map(String::as_str);
        if visible(caller, &names, store) {
            seen.push(Seen {
                row,
                context,
                reasons: Vec::new(),
            });
        }
    }
    let marked: Vec<flags::Answer> = seen
        .iter()
        .map(|s| flags::Answer {
            store: s.get("store").map(str::to_owned),
            visit: s.get(rules::VISIT).map(str::to_owned),
            device: s.row.device.clone(),
            net: s.row.net.clone(),
            at_ns: s.row.received_ns,
            score: u8::try_from(s.row.score).unwrap_or(0),
            issued_ns: s.row.issued_ns,
            channel: s.row.channel,
        })
        .collect();
    for (s, reasons) in seen.iter_mut().zip(flags::flag(&marked)) {
        s.reasons = reasons;
    }
    seen.retain(|s| {
        let place = Place {
            store: s.get("store"),
            advisor: s.get("advisor"),
            touchpoint: s.get("touchpoint"),
        };
        ask.holds(s.row.received_ns) && ask.keeps(&names, &place)
    });
    Ok(seen)
}

fn failed(e: StoreError) -> Response {
    tracing::error!(error = %e, "reading the funnel");
    private(ApiError::storage().into_response())
}

fn share(r: Rate) -> Value {
    json!(r.share())
}

fn interval(r: Rate) -> Value {
    json!(r.interval().map(|(lo, hi)| [lo, hi]))
}

/// A route's first checks: the caller may read answers at all, and the query reads.
fn asked(caller: &Caller, q: &[(String, String)]) -> Result<Ask, Response> {
    caller.require(Action::ReadAnswers)?;
    let now_ns = time::OffsetDateTime::now_utc().unix_timestamp_nanos() as i64;
    Ask::parse_funnel(q, now_ns).map_err(|e| private(e.into_response()))
}

/// `GET /api/funnel`.
pub(crate) async fn funnel(
    caller: Caller,
    State(state): State<Shared>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let ask = match asked(&caller, &q) {
        Ok(a) => a,
        Err(no) => return no,
    };
    let by = match By::parse(ask.by.as_deref()) {
        Ok(b) => b,
        Err(e) => {
            let mut e = ApiError::from(e);
            e.status = StatusCode::BAD_REQUEST;
            return private(e.into_response());
        }
    };
    let names = state.names();
    let offset = state.settings.config().utc_offset_minutes();
    let period = |ns: i64, p: Period| period_of_minutes(ns.div_euclid(60_000_000_000), p, offset);
    let key = |ctx: &dyn Fn(&str) -> Option<String>, ns: i64| -> Option<String> {
        match by {
            By::Store => ctx("store"),
            By::Advisor => ctx("advisor"),
            By::Touchpoint => ctx("touchpoint"),
            By::Week => Some(period(ns, Period::Week)),
            By::Month => Some(period(ns, Period::Month)),
        }
    };
    let visits = match state.store.funnel_visits(&ask.window).await {
        Ok(v) => v,
        Err(e) => return failed(e),
    };
    let invited: Vec<funnel::Invited> = visits
        .iter()
        .filter(|v| {
            let place = Place {
                store: v.store.as_deref(),
                advisor: v.advisor.as_deref(),
                touchpoint: v.touchpoint.as_deref(),
            };
            visible(&caller, &names, place.store) && ask.keeps(&names, &place)
        })
        .filter_map(|v| {
            let ctx = |k: &str| match k {
                "store" => v.store.clone(),
                "advisor" => v.advisor.clone(),
                _ => v.touchpoint.clone(),
            };
            Some(funnel::Invited {
                key: key(&ctx, v.issued_ns)?,
                opened: v.opened,
                answered: v.answered,
            })
        })
        .collect();
    let (seen, referrals) = match tokio::try_join!(
        answers(&state, &caller, &ask),
        state.store.funnel_referrals(&ask.window)
    ) {
        Ok(both) => both,
        Err(e) => return failed(e),
    };
    let referrals: HashMap<&str, funnel::Referral> = referrals
        .iter()
        .map(|r| {
            let f = funnel::Referral {
                shared: r.shared,
                opens: r.opens.max(0) as u64,
                booked: r.booked.max(0) as u64,
                purchased: r.purchased.max(0) as u64,
            };
            (r.response_id.as_str(), f)
        })
        .collect();
    let answered: Vec<funnel::Answered> = seen
        .iter()
        .filter_map(|s| {
            let ctx = |k: &str| s.get(k).map(str::to_owned);
            Some(funnel::Answered {
                key: key(&ctx, s.row.received_ns)?,
                score: Score::new(u8::try_from(s.row.score).ok()?)?,
                reasons: s.reasons.clone(),
                referral: referrals.get(s.row.id.as_str()).copied(),
            })
        })
        .collect();
    let dimension = match by {
        By::Store => Some("store"),
        By::Advisor => Some("advisor"),
        _ => None,
    };
    let rows: Vec<Value> = funnel::rows(&invited, &answered)
        .into_iter()
        .map(|r| {
            let nps = r.nps();
            let flags: serde_json::Map<String, Value> = Reason::ALL
                .iter()
                .map(|reason| (reason.key().to_owned(), json!(r.reasons[*reason as usize])))
                .collect();
            json!({
                "key": r.key,
                "name": dimension.and_then(|d| names.get(d, &r.key)),
                "invited": r.invited, "opened": r.opened, "answered": r.response.num,
                "response_rate": share(r.response), "response_interval": interval(r.response),
                "answers": r.tally.n(),
                "nps": nps.map(|n| n.score), "nps_interval": nps.map(|n| [n.ci95.0, n.ci95.1]),
                "promoters": r.tally.promoters, "shared": r.shared,
                "referred_opens": r.referred_opens, "booked": r.booked, "purchased": r.purchased,
                "referral_rate": share(r.referral), "referral_interval": interval(r.referral),
                "flagged": r.flagged.num, "flagged_share": share(r.flagged),
                "flags": flags,
                "low_response": r.low_response,
            })
        })
        .collect();
    private(
        Json(json!({"by": by.key(), "from": ask.from, "to": ask.to, "rows": rows})).into_response(),
    )
}

/// `GET /api/funnel/flags`: the flagged answers and why, newest first (never a phone, never
/// a mark).
pub(crate) async fn flagged(
    caller: Caller,
    State(state): State<Shared>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let ask =
        match asked(&caller, &q) {
            Ok(a) if a.by.is_none() => a,
            Ok(_) => return private(
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "by",
                    "by is for /api/funnel: expected survey, from, to, store, advisor, region, \
                     city, touchpoint",
                )
                .into_response(),
            ),
            Err(no) => return no,
        };
    let seen = match answers(&state, &caller, &ask).await {
        Ok(s) => s,
        Err(e) => return failed(e),
    };
    let rows: Vec<Value> = seen
        .iter()
        .rev()
        .filter(|s| !s.reasons.is_empty())
        .map(|s| {
            json!({
                "id": s.row.id, "store": s.get("store"), "advisor": s.get("advisor"),
                "visit": s.get(rules::VISIT), "score": s.row.score,
                "received_at": s.row.received_at,
                "reasons": s.reasons.iter().map(|r| r.key()).collect::<Vec<_>>(),
            })
        })
        .collect();
    private(Json(json!({ "rows": rows })).into_response())
}
