//! `GET /api/responses?format=columns`: the export as the dashboard reads it, in the core's
//! compact columns (`nps_core::contract::columns`): per answer its score, survey, the five
//! segment codes, reasons, when answered and first stored, and whether it is flagged, has a
//! comment, has a phone; never a comment's text, a phone or an id (comments are read through
//! `GET /api/comments`). The same selection, scope (`Action::ReadAnswers` at each row's place)
//! and audit as the JSON export (`export::list` reads the query and records it before this).
//! The body is a few bytes per answer, built whole off the runtime's threads and then sent
//! through the route's compression.

use std::borrow::Cow;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use nps_core::access::{place_of, Action};
use nps_core::contract::columns::{self, Row, Writer, COMMENT, PHONE};
use nps_core::contract::context::Dimension;
use nps_core::scoring::analysis::minutes_of;
use nps_core::scoring::score::Score;
use serde::de::IgnoredAny;
use serde::Deserialize;

use crate::auth::{private, Caller};
use crate::storage::{Row as Stored, Selection, StoreError};
use crate::{ApiError, Shared};

#[derive(Deserialize)]
struct Contact {
    phone: Option<IgnoredAny>,
}

/// The context keys the dashboard segments by (the rest are skipped), borrowed from a
/// stored body: read by the columns and by `GET /api/comments`.
#[derive(Deserialize, Default)]
pub(crate) struct Context<'a> {
    #[serde(borrow)]
    pub store: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub advisor: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub model: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub service_type: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub touchpoint: Option<Cow<'a, str>>,
}

/// What the columns need of a stored body (the rest is skipped, strings borrowed).
#[derive(Deserialize)]
struct Body<'a> {
    #[serde(borrow, default)]
    survey: Cow<'a, str>,
    score: Option<u8>,
    #[serde(borrow, default)]
    reasons: Vec<Cow<'a, str>>,
    #[serde(borrow)]
    comment: Option<Cow<'a, str>>,
    contact: Option<Contact>,
    #[serde(borrow, default)]
    context: Option<Context<'a>>,
    #[serde(borrow)]
    created_at: Cow<'a, str>,
}

/// Adds a stored row to `w` when the caller's scope holds it; a body that cannot be read is
/// logged and left out, as the JSON export does.
pub fn add(w: &mut Writer, row: &Stored, caller: &Caller, org: Option<&nps_core::org::Org>) {
    let Ok(b) = serde_json::from_str::<Body>(&row.body) else {
        tracing::error!("a stored body is not an answer: left out of the columns");
        return;
    };
    let cx = b.context.unwrap_or_default();
    let store = cx.store.as_deref();
    if !caller.may(Action::ReadAnswers, &place_of(org, store)) {
        return;
    }
    let Some(created) = minutes_of(&b.created_at) else {
        tracing::error!("a stored body's created_at is not a time: left out of the columns");
        return;
    };
    let received = minutes_of(&row.received_at).unwrap_or(created);
    fn code<'c>(c: &'c Option<Cow<'_, str>>) -> &'c str {
        c.as_deref().unwrap_or("")
    }
    let mut dims = [""; Dimension::ALL.len()];
    for d in Dimension::ALL {
        dims[d.index()] = match d {
            Dimension::Store => code(&cx.store),
            Dimension::Advisor => code(&cx.advisor),
            Dimension::Model => code(&cx.model),
            Dimension::ServiceType => code(&cx.service_type),
            Dimension::Touchpoint => code(&cx.touchpoint),
        };
    }
    let comment = b.comment.as_deref().is_some_and(|c| !c.trim().is_empty());
    let phone = b.contact.is_some_and(|c| c.phone.is_some());
    w.push(&Row {
        score: b.score.and_then(Score::new),
        survey: &b.survey,
        dims,
        reasons: b.reasons.iter().map(|r| r.as_ref()).collect(),
        created,
        received,
        marks: columns::flag_marks(row.flag.as_deref())
            | (u8::from(comment) * COMMENT)
            | (u8::from(phone) * PHONE),
    });
}

/// The columns of `selection` in the caller's scope, read off the runtime's threads.
async fn build(
    state: &Shared,
    caller: Caller,
    selection: Selection,
) -> Result<Vec<u8>, StoreError> {
    let mut rows = state.store.stream(selection);
    let names = state.names();
    tokio::task::spawn_blocking(move || {
        let mut w = Writer::new();
        while let Some(row) = rows.blocking_recv() {
            add(&mut w, &row?, &caller, names.org());
        }
        Ok(w.finish())
    })
    .await
    .unwrap_or_else(|e| {
        Err(StoreError::Sql {
            message: e.to_string(),
        })
    })
}

/// The answer: the body, or a 503 when the store cannot be read.
pub(crate) async fn answer(state: &Shared, caller: Caller, selection: Selection) -> Response {
    match build(state, caller, selection).await {
        Ok(body) => {
            private(([(header::CONTENT_TYPE, columns::CONTENT_TYPE)], body).into_response())
        }
        Err(e) => {
            tracing::error!(error = %e, "reading the columns");
            private(ApiError::storage().into_response())
        }
    }
}
