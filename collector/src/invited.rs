//! `POST /api/visits`: the visits a brand invited (a DMS's batch), so that the funnel can
//! count who answered of whom. A JSON array of at most `MAX_VISITS`
//! `{"survey","visit","store","advisor"?,"touchpoint"?,"issued_at"?,"channel"?}`, by a caller
//! allowed `Action::ReportVisits` in every row's store (a machine token, or an admin; never a
//! store or region manager's session: these are the inputs of their own response rates).
//! Checked whole before any row is written (an error names `[i].field` and what would be
//! accepted: a survey of the landing file when one is loaded, a store of the org's when an
//! org file is, an `issued_at` within the last `PAST_DAYS` days and not ahead of the clock,
//! a `channel` of `Channel::KEYS`, `message` when none is given), recorded in one
//! transaction that commits before the answer (`{"recorded": n, "known": m}`; a known visit
//! keeps its first `issued_at`, channel and reporter), and written to the audit trail
//! (`visits_record`) with the caller kept as each new visit's `reported_by`. A row naming a
//! visit already recorded for another store (or without a store, for a caller whose scope
//! is not every store) is a 409 listing every such row and the store on record
//! (`{"error","field","taken":[{"row","visit","store"}]}`), and nothing is written.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use nps_core::access::Scope;
use nps_core::access::{place_of, Action};
use nps_core::contract::rules;
use nps_core::growth::visit::Channel;
use nps_core::org::Org;
use serde_json::{json, Value};

use crate::auth::{private, Caller};
use crate::storage::{NewVisit, Now, Reporter, VisitsRecorded};
use crate::{audit, ApiError, Shared};

/// Most visits one post records.
pub const MAX_VISITS: usize = 1000;
/// The largest body of `POST /api/visits` (`MAX_VISITS` rows of a few hundred bytes).
pub const VISITS_BODY_LIMIT: usize = MAX_VISITS * 512;
/// The most store codes an unknown store's error lists.
const STORES_SHOWN: usize = 20;
/// The keys of one row.
pub const KEYS: [&str; 7] = [
    "survey",
    "visit",
    "store",
    "advisor",
    "touchpoint",
    "issued_at",
    "channel",
];

/// How far back an `issued_at` may be, in days: a visit is reported when it is issued (a
/// DMS's batch of the day), not backdated into another period's response rate.
pub const PAST_DAYS: i64 = 30;
const DAY_NS: i64 = 86_400 * 1_000_000_000;

/// What a batch's rows may name beside their own shape: the surveys of the landing file
/// (`None`: none loaded, any id) and the stores of the org file (`None`: any).
#[derive(Clone, Copy, Debug, Default)]
pub struct Accepted<'a> {
    pub surveys: Option<&'a [&'a str]>,
    pub org: Option<&'a Org>,
    /// The stores an unknown store's error may list: the caller's own (`org_within`), never
    /// another scope's.
    pub shown: &'a [&'a str],
}

fn bad(field: String, message: String) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        &field,
        format!("{field} {message}"),
    )
}

/// A row's optional text key: a context value (`rules::is_context_value`), not empty.
fn text(
    row: &serde_json::Map<String, Value>,
    i: usize,
    key: &str,
) -> Result<Option<String>, ApiError> {
    match row.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() && rules::is_context_value(s) => {
            Ok(Some(s.clone()))
        }
        Some(v) => Err(bad(
            format!("[{i}].{key}"),
            format!(
                "is {v}: expected a text of 1–{} characters without control characters",
                rules::MAX_CONTEXT_VALUE
            ),
        )),
    }
}

/// An RFC 3339 time of ns since the epoch, as an error shows a bound.
fn shown(ns: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ns.into())
        .map(|t| Now::from_time(t).at)
        .unwrap_or_default()
}

/// The rows of a body, every one checked before any is taken: the first error names its
/// `[i].field`. `accepted`: the surveys and stores a row may name. `now_ns`: a row without
/// `issued_at` was issued now.
pub fn parse(
    value: &Value,
    accepted: Accepted<'_>,
    now_ns: i64,
) -> Result<Vec<NewVisit>, ApiError> {
    let org = accepted.org;
    let Some(rows) = value.as_array() else {
        return Err(bad(
            "body".into(),
            "is not an array: expected [{\"survey\", \"visit\", \"store\", …}]".into(),
        ));
    };
    if rows.is_empty() || rows.len() > MAX_VISITS {
        return Err(bad(
            "body".into(),
            format!("has {} visits: expected 1 to {MAX_VISITS}", rows.len()),
        ));
    }
    let mut out: Vec<NewVisit> = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let Some(row) = row.as_object() else {
            return Err(bad(
                format!("[{i}]"),
                "is not an object: expected {\"survey\", \"visit\", \"store\", …}".into(),
            ));
        };
        if let Some(k) = row.keys().find(|k| !KEYS.contains(&k.as_str())) {
            return Err(bad(
                format!("[{i}].{k}"),
                format!("is not a key of a visit: expected {}", KEYS.join(", ")),
            ));
        }
        let required = |key: &str| {
            text(row, i, key)?.ok_or_else(|| bad(format!("[{i}].{key}"), "is missing".into()))
        };
        let survey = required("survey")?;
        if !rules::is_id(&survey) {
            return Err(bad(
                format!("[{i}].survey"),
                format!("is {survey:?}: expected {}", rules::id_shape()),
            ));
        }
        if let Some(surveys) = accepted.surveys {
            if !surveys.contains(&survey.as_str()) {
                return Err(bad(
                    format!("[{i}].survey"),
                    format!(
                        "is {survey:?}, not a survey of the landing file: expected one of {}",
                        surveys.join(", ")
                    ),
                ));
            }
        }
        let visit = required("visit")?;
        let store = required("store")?;
        if let Some(org) = org {
            if org.store(&store).is_none() {
                let known: Vec<&str> = accepted.shown.iter().copied().take(STORES_SHOWN).collect();
                return Err(bad(
                    format!("[{i}].store"),
                    format!(
                        "is {store:?}, not a store of the org file: expected one of {}",
                        known.join(", ")
                    ),
                ));
            }
        }
        let issued_ns = match row.get("issued_at") {
            None | Some(Value::Null) => now_ns,
            Some(Value::String(t)) if rules::is_rfc3339(t) => {
                let ns = nps_core::contract::time::Time::parse(t)
                    .map(|t| t.unix_ns())
                    .unwrap_or(0);
                let ns = i64::try_from(ns).unwrap_or(0).max(0);
                let (earliest, latest) = (now_ns - PAST_DAYS * DAY_NS, now_ns + FUTURE_NS);
                let when = if ns > latest {
                    Some("in the future: a visit is recorded once it is issued")
                } else if ns < earliest {
                    Some("too long ago: a visit is recorded when it is issued")
                } else {
                    None
                };
                if let Some(when) = when {
                    return Err(bad(
                        format!("[{i}].issued_at"),
                        format!(
                            "is {t:?}, {when}; expected a time from {} to {} (the last \
                             {PAST_DAYS} days)",
                            shown(earliest),
                            shown(latest)
                        ),
                    ));
                }
                ns
            }
            Some(v) => {
                return Err(bad(
                    format!("[{i}].issued_at"),
                    format!("is {v}: expected an RFC 3339 time (2026-11-28T10:30:00+08:00)"),
                ))
            }
        };
        let channel = match row.get("channel") {
            None | Some(Value::Null) => Channel::DEFAULT,
            Some(v) => v.as_str().and_then(Channel::of).ok_or_else(|| {
                bad(
                    format!("[{i}].channel"),
                    format!(
                        "is {v}: expected one of {} (counter: a QR or link handed at the \
                         store; message: an SMS or WeChat message your system sent; \
                         default {})",
                        Channel::KEYS.join(", "),
                        Channel::DEFAULT.key()
                    ),
                )
            })?,
        };
        // A visit is one store's: the same visit twice in a batch names one store.
        if let Some((j, other)) = out.iter().enumerate().find(|(_, o)| {
            o.survey == survey && o.visit == visit && o.store.as_deref() != Some(store.as_str())
        }) {
            return Err(bad(
                format!("[{i}].store"),
                format!(
                    "is {store:?}, but [{j}] names visit {visit:?} for store {:?}: a visit is \
                     one store's",
                    other.store.as_deref().unwrap_or("")
                ),
            ));
        }
        out.push(NewVisit {
            survey,
            visit,
            store: Some(store),
            advisor: text(row, i, "advisor")?,
            touchpoint: text(row, i, "touchpoint")?,
            issued_ns,
            channel,
        });
    }
    Ok(out)
}

/// The 409 of a batch naming visits on record for another store: every such row, the store
/// on record where the caller may see it (`null`: recorded without one, or, with
/// `outside_scope`, a store outside the caller's scope), and nothing written.
fn conflict(
    visits: &[NewVisit],
    taken: &[crate::storage::Taken],
    sees: impl Fn(&str) -> bool,
) -> Response {
    // A store outside the caller's scope is never named: only that it is another one.
    fn shown<'t>(t: &'t crate::storage::Taken, sees: &dyn Fn(&str) -> bool) -> Option<&'t str> {
        t.store.as_deref().filter(|s| sees(s))
    }
    let shown = |t| shown(t, &sees);
    let rows: Vec<Value> = taken
        .iter()
        .map(|t| {
            let mut row =
                json!({"row": t.index, "visit": visits[t.index].visit, "store": shown(t)});
            if t.store.is_some() && shown(t).is_none() {
                row["outside_scope"] = json!(true);
            }
            row
        })
        .collect();
    let words: Vec<String> = taken
        .iter()
        .map(|t| {
            let on_record = match (&t.store, shown(t)) {
                (_, Some(s)) => format!("store {s}"),
                (Some(_), None) => "another store, outside your scope".to_owned(),
                (None, _) => "no store (only a caller of every store may name it)".to_owned(),
            };
            format!(
                "[{}].visit {:?} is recorded for {on_record}",
                t.index, visits[t.index].visit
            )
        })
        .collect();
    let first = taken.first().map_or(0, |t| t.index);
    let error = format!(
        "{}; a visit is its store's: nothing was recorded (send the other rows again without \
         these, or ask the brand's admin)",
        words.join("; ")
    );
    (
        StatusCode::CONFLICT,
        Json(json!({"error": error, "field": format!("[{first}].store"), "taken": rows})),
    )
        .into_response()
}

/// How far ahead of the collector's clock an `issued_at` may be (clocks differ a little).
const FUTURE_NS: i64 = 10 * 60 * 1_000_000_000;

/// `POST /api/visits`.
pub(crate) async fn record(caller: Caller, State(state): State<Shared>, body: Bytes) -> Response {
    if let Err(no) = caller.require(Action::ReportVisits) {
        return no;
    }
    let now = Now::system();
    let names = state.names();
    let surveys = state.settings.landing.survey_ids();
    let seen = names
        .org()
        .map(|o| nps_core::access::org_within(o, &caller.scope));
    let shown: Vec<&str> = seen
        .iter()
        .flat_map(|o| o.stores().iter().map(|s| s.id.as_str()))
        .collect();
    let accepted = Accepted {
        surveys: surveys.as_deref(),
        org: names.org(),
        shown: &shown,
    };
    let visits = match std::str::from_utf8(&body)
        .map_err(|_| bad("body".into(), "is not valid UTF-8".into()))
        .and_then(|text| Ok(nps_core::contract::json::parse_strict(text, "body")?))
        .and_then(|v| parse(&v, accepted, now.ns))
    {
        Ok(v) => v,
        Err(e) => return private(e.into_response()),
    };
    // Every row in the caller's scope, or none is written.
    for (i, v) in visits.iter().enumerate() {
        if !caller.may(
            Action::ReportVisits,
            &place_of(names.org(), v.store.as_deref()),
        ) {
            return private(
                ApiError::new(
                    StatusCode::FORBIDDEN,
                    &format!("[{i}].store"),
                    format!(
                        "[{i}].store is {:?}: not a store in your scope",
                        v.store.as_deref().unwrap_or("")
                    ),
                )
                .into_response(),
            );
        }
    }
    let detail = json!({"visits": visits.len(), "source": "api"});
    if let Err(no) = audit::record(&state, &caller, "visits_record", detail).await {
        return no;
    }
    let by = Reporter {
        source: "api",
        by: &caller.name(),
        every_store: caller.scope == Scope::All,
    };
    match state.store.visits_record(&visits, &by, &now).await {
        Ok(VisitsRecorded::Done { recorded, known }) => private(
            (
                StatusCode::OK,
                Json(json!({"recorded": recorded, "known": known})),
            )
                .into_response(),
        ),
        Ok(VisitsRecorded::Taken(taken)) => {
            let sees =
                |store: &str| caller.may(Action::ReportVisits, &place_of(names.org(), Some(store)));
            private(conflict(&visits, &taken, sees))
        }
        Err(e) => {
            tracing::error!(error = %e, "recording visits");
            private(ApiError::storage().into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-04T12:00:00Z.
    const NOW: i64 = 1_796_385_600_000_000_000;
    const S: i64 = 1_000_000_000;

    fn one(row: Value, accepted: Accepted<'_>) -> Result<NewVisit, ApiError> {
        parse(&json!([row]), accepted, NOW).map(|mut v| v.remove(0))
    }

    fn row(extra: Value) -> Value {
        let mut r = json!({"survey": "after-sales", "visit": "RO-1", "store": "SZ-FT"});
        for (k, v) in extra.as_object().unwrap() {
            r[k] = v.clone();
        }
        r
    }

    #[test]
    fn issued_at_is_within_the_last_30_days_and_not_ahead() {
        let at = |ns: i64| json!({"issued_at": shown(ns)});
        // (issued, accepted)
        for (issued, ok) in [
            (NOW, true),
            (NOW - PAST_DAYS * DAY_NS, true),
            (NOW - PAST_DAYS * DAY_NS - S, false),
            (NOW - 365 * DAY_NS, false),
            (NOW + FUTURE_NS, true),
            (NOW + FUTURE_NS + S, false),
        ] {
            let got = one(row(at(issued)), Accepted::default());
            match (got, ok) {
                (Ok(v), true) => assert_eq!(v.issued_ns, issued),
                (Err(e), false) => {
                    assert_eq!(e.field, "[0].issued_at");
                    assert!(
                        e.message.contains(
                            "expected a time from 2026-11-04T12:00:00.000Z to 2026-12-04T12:10:00.000Z"
                        ),
                        "{}",
                        e.message
                    );
                }
                (got, _) => panic!("{}: {got:?}", shown(issued)),
            }
        }
    }

    #[test]
    fn a_channel_is_counter_or_message_and_message_by_default() {
        let channel = |extra: Value| one(row(extra), Accepted::default());
        assert_eq!(channel(json!({})).unwrap().channel, Channel::Message);
        assert_eq!(
            channel(json!({"channel": "counter"})).unwrap().channel,
            Channel::Counter
        );
        for bad in [json!("sms"), json!("Counter"), json!(1)] {
            let e = channel(json!({ "channel": bad })).unwrap_err();
            assert_eq!(e.field, "[0].channel");
            assert!(
                e.message.contains("expected one of counter, message"),
                "{}",
                e.message
            );
        }
    }

    #[test]
    fn a_visit_named_twice_in_a_batch_names_one_store() {
        let twice = |store: &str| {
            parse(
                &json!([
                    row(json!({})),
                    row(json!({"visit": "RO-2"})),
                    row(json!({"store": store}))
                ]),
                Accepted::default(),
                NOW,
            )
        };
        assert_eq!(twice("SZ-FT").unwrap().len(), 3);
        let e = twice("SZ-NS").unwrap_err();
        assert_eq!(e.field, "[2].store");
        assert!(
            e.message
                .contains("[0] names visit \"RO-1\" for store \"SZ-FT\""),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_survey_is_one_of_the_landing_files() {
        let surveys = ["after-sales", "sales"];
        let accepted = Accepted {
            surveys: Some(&surveys),
            org: None,
            shown: &[],
        };
        assert!(one(row(json!({})), accepted).is_ok());
        let e = one(row(json!({"survey": "aftersales"})), accepted).unwrap_err();
        assert_eq!(e.field, "[0].survey");
        assert!(
            e.message.contains("expected one of after-sales, sales"),
            "{}",
            e.message
        );
        // Without a landing file, any survey id.
        assert!(one(row(json!({"survey": "aftersales"})), Accepted::default()).is_ok());
    }
}
