//! `GET /api/comments`: the comments of the caller's scope, newest first, a page at a time,
//! for the dashboard (which reads everything else as columns, `columns`). Selected by
//! `survey`, `from`/`to` (when first stored, as the export's `since`/`until`), `store`,
//! `advisor`, `model`, `service_type`, `touchpoint`, `region`, `city`, `reason`, `category` and
//! `q` (words the comment contains, any
//! case); at most `limit` (≤ `rules::MAX_COMMENTS_PAGE`) and, for the next page, `before` (the
//! `next` the previous page gave). Each answer's id, score, category, reasons, store,
//! advisor, time and comment (a phone typed into it masked, `alerts::message::customer_words`);
//! never a phone. Every read is in the audit trail (`comments_read`), as an export is.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use nps_core::access::Action;
use nps_core::contract::rules::{self, COMMENTS_PAGE, MAX_COMMENTS_PAGE};
use nps_core::contract::time::Time;
use nps_core::scoring::score::Category;
use serde_json::{json, Value};

use crate::alerts::message::customer_words;
use crate::auth::{private, Caller};
use crate::export::bound;
use crate::storage::Selection;
use crate::{audit, ApiError, Shared};

/// The most characters a query value may have.
pub const MAX_VALUE: usize = 200;

/// The query keys `GET /api/comments` reads.
pub const PARAMS: &[&str] = &[
    "survey",
    "from",
    "to",
    "store",
    "advisor",
    "model",
    "service_type",
    "touchpoint",
    "region",
    "city",
    "reason",
    "category",
    "q",
    "before",
    "limit",
];

/// What `GET /api/comments` asks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ask {
    pub selection: Selection,
    pub store: Option<String>,
    pub advisor: Option<String>,
    pub model: Option<String>,
    pub service_type: Option<String>,
    pub touchpoint: Option<String>,
    pub region: Option<String>,
    pub city: Option<String>,
    pub reason: Option<String>,
    pub category: Option<Category>,
    /// Lowercased.
    pub q: Option<String>,
    /// Only comments older than this (created ns, id): the previous page's last.
    pub before: Option<(i64, String)>,
    pub limit: usize,
}

fn bad(field: &str, message: String) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, field, message)
}

/// A page's cursor: `{created_at}|{id}` of its last comment.
fn cursor(v: &str) -> Option<(i64, String)> {
    let (at, id) = v.rsplit_once('|')?;
    let ns = i64::try_from(Time::parse(at)?.unix_ns()).ok()?;
    rules::is_id(id).then(|| (ns, id.to_owned()))
}

impl Ask {
    /// Reads the query; an unknown key or a bad value is an error that names it.
    pub fn parse(q: &[(String, String)]) -> Result<Ask, ApiError> {
        let mut a = Ask {
            limit: COMMENTS_PAGE,
            ..Ask::default()
        };
        let text = |v: &String| (!v.is_empty()).then(|| v.clone());
        for (k, v) in q {
            // A code, a reason or words to find are short: a long value is refused before it
            // is searched for or written to the audit trail.
            let chars = v.chars().count();
            if chars > MAX_VALUE {
                return Err(bad(
                    k,
                    format!("{k} is {chars} characters long: expected at most {MAX_VALUE}"),
                ));
            }
            match k.as_str() {
                "survey" if rules::is_id(v) => a.selection.survey = Some(v.clone()),
                "survey" => {
                    return Err(bad(
                        "survey",
                        format!("survey is {v:?}: expected {}", rules::id_shape()),
                    ))
                }
                "from" => a.selection.since_ns = Some(bound("from", v, false)?),
                "to" => a.selection.until_ns = Some(bound("to", v, true)?),
                "store" => a.store = text(v),
                "advisor" => a.advisor = text(v),
                "model" => a.model = text(v),
                "service_type" => a.service_type = text(v),
                "touchpoint" => a.touchpoint = text(v),
                "region" => a.region = text(v),
                "city" => a.city = text(v),
                "reason" => a.reason = text(v),
                "q" => a.q = text(v).map(|s| s.to_lowercase()),
                "category" => {
                    a.category = Some(Category::parse(v).ok_or_else(|| {
                        bad(
                            "category",
                            format!("category is {v:?}: expected detractor, passive or promoter"),
                        )
                    })?)
                }
                "before" => {
                    a.before = Some(cursor(v).ok_or_else(|| {
                        bad(
                            "before",
                            format!("before is {v:?}: expected the `next` of the previous page"),
                        )
                    })?)
                }
                "limit" => {
                    a.limit = v
                        .parse::<usize>()
                        .ok()
                        .filter(|n| (1..=MAX_COMMENTS_PAGE).contains(n))
                        .ok_or_else(|| {
                            bad(
                                "limit",
                                format!(
                                    "limit is {v:?}: expected a whole number from 1 to {MAX_COMMENTS_PAGE}"
                                ),
                            )
                        })?
                }
                other => {
                    return Err(bad(
                        other,
                        format!(
                            "unknown query key {other:?}: expected one of {}",
                            PARAMS.join(", ")
                        ),
                    ))
                }
            }
        }
        Ok(a)
    }
}

mod read;
use read::read;

/// `GET /api/comments`.
pub(crate) async fn list(
    caller: Caller,
    State(state): State<Shared>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    if let Err(no) = caller.require(Action::ReadAnswers) {
        return no;
    }
    let ask = match Ask::parse(&q) {
        Ok(a) => a,
        Err(e) => return private(e.into_response()),
    };
    // The trail keeps what was asked, a phone searched for masked as a robot shows it.
    let detail: serde_json::Map<String, Value> = q
        .iter()
        .map(|(k, v)| (k.clone(), Value::from(customer_words(v))))
        .chain([("scope".to_owned(), json!(caller.scope))])
        .collect();
    if let Err(no) = audit::record(&state, &caller, "comments_read", detail.into()).await {
        return no;
    }
    let limit = ask.limit;
    let found = match read(&state, caller, ask).await {
        Ok(f) => f,
        Err(e) => {
            tracing::error!(error = %e, "reading the comments");
            return private(ApiError::storage().into_response());
        }
    };
    let next = (found.len() == limit)
        .then(|| found.last())
        .flatten()
        .map(|(_, item)| {
            format!(
                "{}|{}",
                item["created_at"].as_str().unwrap_or(""),
                item["id"].as_str().unwrap_or("")
            )
        });
    let comments: Vec<Value> = found.into_iter().map(|(_, item)| item).collect();
    private(Json(json!({"comments": comments, "next": next})).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::tests::pairs;

    fn parse(q: &str) -> Result<Ask, String> {
        Ask::parse(&pairs(q)).map_err(|e| format!("{}: {}", e.field, e.message))
    }

    #[test]
    fn the_query_selects_and_pages() {
        let a = parse("reason=wait_time&store=SZ-FT&category=detractor&q=Slow&limit=20").unwrap();
        assert_eq!(a.reason.as_deref(), Some("wait_time"));
        assert_eq!(a.store.as_deref(), Some("SZ-FT"));
        assert_eq!(a.category, Some(Category::Detractor));
        assert_eq!((a.q.as_deref(), a.limit), (Some("slow"), 20));
        assert_eq!(parse("").unwrap().limit, COMMENTS_PAGE);
        let a = parse("before=2026-11-20T08:00:00Z%7Cabc-1").unwrap();
        assert_eq!(
            a.before,
            Some((1_795_161_600_000_000_000, "abc-1".to_owned()))
        );
    }

    #[test]
    fn a_bad_query_names_its_key_and_what_is_accepted() {
        for (q, field, says) in [
            ("limit=0", "limit", "from 1 to 200"),
            ("limit=201", "limit", "from 1 to 200"),
            (
                "category=angry",
                "category",
                "detractor, passive or promoter",
            ),
            (
                "before=yesterday",
                "before",
                "the `next` of the previous page",
            ),
            ("from=soon", "from", "expected a date"),
            ("phone=1", "phone", "expected one of survey, from, to"),
            (
                &format!("q={}", "慢".repeat(201)),
                "q",
                "expected at most 200",
            ),
            (
                &format!("store={}", "x".repeat(201)),
                "store",
                "expected at most 200",
            ),
        ] {
            let err = parse(q).unwrap_err();
            assert!(err.starts_with(&format!("{field}: ")), "{q}: {err}");
            assert!(err.contains(says), "{q}: {err}");
        }
    }
}
