//! `GET /api/themes`'s shell: the query (`Ask`, every key named in its error), the comments of
//! the range and the range before read in the caller's scope, and the answer (words and
//! counts, never a comment).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use nps_core::access::{place_of, Action};
use nps_core::contract::rules;
use nps_core::scoring::score::{category, Category};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;

use super::{themes, DAY_NS, DEFAULT_DAYS, PARAMS};
use crate::auth::{private, Caller};
use crate::export::bound;
use crate::funnel::at_most_max_days;
use crate::storage::{Selection, StoreError};
use crate::{ApiError, Shared};

/// What `GET /api/themes` asks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ask {
    pub since_ns: i64,
    pub until_ns: i64,
    pub survey: Option<String>,
    pub store: Option<String>,
    pub advisor: Option<String>,
    pub region: Option<String>,
    pub city: Option<String>,
    pub category: Category,
}

impl Ask {
    /// The range of the same length before this one.
    pub fn previous(&self) -> (i64, i64) {
        let span = self.until_ns - self.since_ns;
        (self.since_ns.saturating_sub(span), self.since_ns)
    }

    /// Reads the query at `now_ns`; an unknown key or a bad value is an error that names it.
    pub fn parse(q: &[(String, String)], now_ns: i64) -> Result<Ask, ApiError> {
        let bad =
            |field: &str, message: String| ApiError::new(StatusCode::BAD_REQUEST, field, message);
        let (mut since, mut until) = (None, None);
        let mut a = Ask {
            since_ns: 0,
            until_ns: 0,
            survey: None,
            store: None,
            advisor: None,
            region: None,
            city: None,
            category: Category::Detractor,
        };
        for (k, v) in q {
            match k.as_str() {
                "from" => since = Some(bound("from", v, false)?),
                "to" => until = Some(bound("to", v, true)?),
                "survey" if rules::is_id(v) => a.survey = Some(v.clone()),
                "survey" => {
                    return Err(bad(
                        "survey",
                        format!("survey is {v:?}: expected {}", rules::id_shape()),
                    ))
                }
                "store" => a.store = Some(v.clone()),
                "advisor" => a.advisor = Some(v.clone()),
                "region" => a.region = Some(v.clone()),
                "city" => a.city = Some(v.clone()),
                "category" => {
                    a.category = Category::parse(v).ok_or_else(|| {
                        bad(
                            "category",
                            format!("category is {v:?}: expected detractor, passive or promoter"),
                        )
                    })?
                }
                other => return Err(ApiError::unknown_key(other, &PARAMS)),
            }
        }
        (a.since_ns, a.until_ns) = match (since, until) {
            (Some(s), Some(u)) if s < u => (s, u),
            (Some(_), Some(_)) => {
                return Err(bad(
                    "to",
                    "to is not after from: expected a later time".into(),
                ))
            }
            (None, None) => (now_ns.saturating_sub(DEFAULT_DAYS * DAY_NS), now_ns),
            (Some(_), None) => {
                return Err(bad("to", "to is missing: give from and to together".into()))
            }
            (None, Some(_)) => {
                return Err(bad(
                    "from",
                    "from is missing: give from and to together".into(),
                ))
            }
        };
        // At most the funnel's longest range (each comment of it and of the one before is
        // read and cut).
        at_most_max_days(a.since_ns, a.until_ns)?;
        Ok(a)
    }
}

/// A counted comment: its range (true: this one) and its text.
type Said = (bool, String);

/// The comments of the ask's category in both ranges, of the caller's scope.
async fn comments(state: &Shared, caller: &Caller, ask: &Ask) -> Result<Vec<Said>, StoreError> {
    let names = state.names();
    let org = names.org();
    let (previous_since, _) = ask.previous();
    let mut rows = state.store.stream(Selection {
        survey: ask.survey.clone(),
        since_ns: Some(previous_since),
        until_ns: Some(ask.until_ns),
        commented: true,
    });
    let mut out = Vec::new();
    while let Some(row) = rows.recv().await {
        let row = row?;
        if row.flag.is_some() {
            continue;
        }
        let Ok(body) = serde_json::from_str::<Value>(&row.body) else {
            continue;
        };
        let Some(comment) = body["comment"].as_str().filter(|c| !c.trim().is_empty()) else {
            continue;
        };
        let scored = body["score"].as_i64().and_then(|s| category(s).ok());
        if scored != Some(ask.category) {
            continue;
        }
        let ctx = |k: &str| body["context"][k].as_str();
        let store = ctx("store");
        let region = store
            .and_then(|s| org?.region_of_store(s))
            .map(|r| r.id.as_str());
        let city = store.and_then(|s| org?.city_of_store(s));
        let asked = |want: &Option<String>, got: Option<&str>| {
            want.as_deref().is_none_or(|w| got == Some(w))
        };
        if !(asked(&ask.store, store)
            && asked(&ask.advisor, ctx("advisor"))
            && asked(&ask.region, region)
            && asked(&ask.city, city)
            && caller.may(Action::ReadAnswers, &place_of(org, store)))
        {
            continue;
        }
        let Some(stored) = time::OffsetDateTime::parse(&row.received_at, &Rfc3339)
            .ok()
            .map(|t| t.unix_timestamp_nanos() as i64)
        else {
            continue;
        };
        out.push((stored >= ask.since_ns, comment.to_owned()));
    }
    Ok(out)
}

fn rfc3339(ns: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ns.into())
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// `GET /api/themes`.
pub(crate) async fn themes_route(
    caller: Caller,
    State(state): State<Shared>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    if let Err(no) = caller.require(Action::ReadAnswers) {
        return no;
    }
    let now_ns = time::OffsetDateTime::now_utc().unix_timestamp_nanos() as i64;
    let ask = match Ask::parse(&q, now_ns) {
        Ok(a) => a,
        Err(e) => return private(e.into_response()),
    };
    let said = match comments(&state, &caller, &ask).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "reading the comments' themes");
            return private(ApiError::storage().into_response());
        }
    };
    // Segmenting is CPU work: off the runtime's threads.
    let counted = tokio::task::spawn_blocking(move || {
        let text = |this: bool| -> Vec<&str> {
            said.iter()
                .filter(|(now, _)| *now == this)
                .map(|(_, c)| c.as_str())
                .collect()
        };
        let (now, before) = (text(true), text(false));
        (themes(&now, &before), now.len(), before.len())
    })
    .await;
    let Ok((found, n, previous_n)) = counted else {
        return private(ApiError::storage().into_response());
    };
    let (previous_since, previous_until) = ask.previous();
    let themes: Vec<Value> = found
        .iter()
        .map(|t| {
            json!({"term": t.term(), "words": t.words, "comments": t.comments, "share": t.share,
                   "previous_comments": t.previous_comments, "previous_share": t.previous_share,
                   "change": t.change()})
        })
        .collect();
    private(
        Json(json!({
            "category": ask.category.as_str(),
            "from": rfc3339(ask.since_ns), "to": rfc3339(ask.until_ns),
            "previous_from": rfc3339(previous_since), "previous_to": rfc3339(previous_until),
            "comments": n, "previous_comments": previous_n,
            "themes": themes,
        }))
        .into_response(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_names_what_it_cannot_read() {
        let q = |pairs: &[(&str, &str)]| {
            let v: Vec<(String, String)> = pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            Ask::parse(&v, 100 * DAY_NS)
        };
        let a = q(&[]).unwrap();
        assert_eq!((a.since_ns, a.until_ns), (70 * DAY_NS, 100 * DAY_NS));
        assert_eq!(a.previous(), (40 * DAY_NS, 70 * DAY_NS));
        assert_eq!(a.category, Category::Detractor);
        let a = q(&[
            ("from", "2026-11-01"),
            ("to", "2026-11-30"),
            ("category", "passive"),
        ])
        .unwrap();
        assert_eq!(a.until_ns - a.since_ns, 30 * DAY_NS);
        assert_eq!(a.category, Category::Passive);
        for (pairs, field, says) in [
            (
                vec![("category", "angry")],
                "category",
                "detractor, passive or promoter",
            ),
            (
                vec![("from", "2026-11-01")],
                "to",
                "give from and to together",
            ),
            (
                vec![("to", "2026-11-01")],
                "from",
                "give from and to together",
            ),
            (
                vec![("from", "2026-11-02"), ("to", "2026-11-01")],
                "to",
                "not after from",
            ),
            (vec![("sort", "x")], "sort", "expected one of from, to"),
            (
                vec![("from", "2025-01-01"), ("to", "2026-12-01")],
                "from",
                "expected at most 400 days",
            ),
            // Far apart: refused, never wrapped past the check.
            (
                vec![("from", "1700-01-01"), ("to", "2262-01-01")],
                "from",
                "expected at most 400 days",
            ),
            (vec![("survey", "../x")], "survey", "survey is"),
        ] {
            let e = q(&pairs).unwrap_err();
            assert_eq!(e.field, field, "{pairs:?}");
            assert!(e.message.contains(says), "{pairs:?}: {}", e.message);
        }
    }
}
