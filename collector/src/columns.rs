//! `GET /api/responses?format=columns`: the export as the dashboard reads it, in the core's
//! compact columns (`nps_core::contract::columns`): per answer its score, survey, the five
//! segment codes, reasons, when answered and first stored, and whether it is flagged, has a
//! comment, has a phone; never a comment's text, a phone or an id (comments are read through
//! `GET /api/comments`). The same selection, scope (`Action::ReadAnswers` at each row's place)
//! and audit as the JSON export (`export::list` reads the query and records it before this).
//! Each row is read from the facts stored beside its body (`storage::facts`): no body's
//! JSON is parsed. The body is a few bytes per answer, built whole off the runtime's threads
//! and then sent through the route's compression.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use nps_core::access::{place_of, Action};
use nps_core::contract::columns::{self, Row, Writer};
use nps_core::scoring::score::Score;

use crate::auth::{private, Caller};
use crate::storage::facts::{self, Fact, Facts};
use crate::storage::{Selection, StoreError};
use crate::{ApiError, Shared};

/// Adds a stored answer's facts to `w` when the caller's scope holds it. Facts the migration
/// could not fill in are read from the body; a body that cannot be read is logged and left
/// out, as the JSON export does.
pub fn add(w: &mut Writer, f: &Fact, caller: &Caller, org: Option<&nps_core::org::Org>) {
    let read;
    let (dims, reasons, created, marks) = match f.created_min {
        Some(created) => (f.dims, f.reasons, created, f.marks),
        None => {
            read = f.body.and_then(Facts::of_body);
            let Some((facts, created)) = read.as_ref().and_then(|r| Some((r, r.created_min?)))
            else {
                tracing::error!("a stored body is not an answer: left out of the columns");
                return;
            };
            let dims = std::array::from_fn(|i| facts.dims[i].as_deref().unwrap_or(""));
            (dims, facts.reasons.as_str(), created, facts.marks)
        }
    };
    let store =
        Some(dims[nps_core::contract::context::Dimension::Store.index()]).filter(|s| !s.is_empty());
    if !caller.may(Action::ReadAnswers, &place_of(org, store)) {
        return;
    }
    // Every row has its first-stored time (`received_ns`, backfilled by the migrations).
    let received = match f.received_ns {
        ns if ns > 0 => ns.div_euclid(facts::MINUTE_NS),
        _ => created,
    };
    w.push(&Row {
        score: f
            .score
            .and_then(|s| u8::try_from(s).ok())
            .and_then(Score::new),
        survey: f.survey,
        dims,
        reasons: facts::reasons(reasons).collect(),
        created,
        received,
        marks: columns::flag_marks(f.flag) | (marks as u8),
    });
}

/// The columns of `selection` in the caller's scope, read off the runtime's threads from the
/// stored facts (`storage::facts`).
async fn build(
    state: &Shared,
    caller: Caller,
    selection: Selection,
) -> Result<Vec<u8>, StoreError> {
    let names = state.names();
    let w = state
        .store
        .facts(selection, Writer::new(), move |w, f| {
            add(w, f, &caller, names.org())
        })
        .await?;
    Ok(w.finish())
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
