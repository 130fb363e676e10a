//! What each person sees of the stored answers, asked on the server for every row: `Viewer`
//! (a caller and the org in force) decides whether a row is in the caller's scope
//! (`Action::ReadAnswers` at the row's place: its `context.store` and that store's region in
//! the org) and shows its phone masked or not at all (`access::phone_view`): the full number
//! goes out only through `POST /api/responses/{id}/reveal`, logged. A row with no store is in
//! an all-scope only. Out of scope, unknown and "no phone" answer the same 404 (`hidden`), so
//! no one learns that a row exists outside their scope.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use nps_core::access::{self, Action, Place, Scope};
use nps_core::contract::rules::ID_LEN;
use nps_core::scoring::analysis::Names;
use serde_json::{json, Value};

use crate::auth::{private, Caller};
use crate::storage::Row;
use crate::{audit, ApiError, Shared};

/// A caller and the org in force: what they see of each row.
pub struct Viewer {
    caller: Caller,
    names: Arc<Names>,
}

impl Viewer {
    pub fn new(caller: Caller, names: Arc<Names>) -> Viewer {
        Viewer { caller, names }
    }

    /// The names and org in force for this export.
    pub fn names(&self) -> &Names {
        &self.names
    }

    /// The place of a stored body: its store and the store's region.
    pub fn place(&self, body: &Value) -> Place {
        let store = body.pointer("/context/store").and_then(Value::as_str);
        access::place_of(self.names.org(), store)
    }

    /// A row as this caller sees it (its phone masked, or gone), or `None` outside their
    /// scope. A row needs reading only when it has a phone or the scope is not all: the
    /// whole organisation's export of rows without phones goes out as stored.
    pub fn show(&self, mut row: Row) -> Option<Row> {
        let all = self.caller.scope == Scope::All;
        // A `phone` key is written `"phone"`; text inside a string would carry `\"`.
        let phone = row.body.contains("\"phone\"");
        if all && !phone {
            return Some(row);
        }
        let Ok(mut body) = serde_json::from_str::<Value>(&row.body) else {
            tracing::error!("a stored body is not JSON: left out of the export");
            return None;
        };
        let place = self.place(&body);
        if !self.caller.may(Action::ReadAnswers, &place) {
            return None;
        }
        if phone {
            access::phone_view(self.caller.role, &self.caller.scope, &place).apply(&mut body);
            row.body = body.to_string();
        }
        Some(row)
    }
}

/// The one answer for a response the caller may not act on: unknown, out of their scope, or
/// (for a reveal) without a phone.
pub fn hidden(id: &str, what: &str) -> Response {
    private(
        ApiError::new(
            StatusCode::NOT_FOUND,
            "id",
            format!(
                "no response {} {what} in your scope",
                id.chars().take(ID_LEN).collect::<String>()
            ),
        )
        .into_response(),
    )
}

/// A stored body, the caller's place for it, and its store, when `action` is allowed there;
/// otherwise the answer to send (403 for a role that may never, 404 for the rest).
pub(crate) async fn in_scope(
    state: &Shared,
    caller: &Caller,
    id: &str,
    action: Action,
    what: &str,
) -> Result<(Value, Option<String>), Response> {
    caller.require(action)?;
    let stored = state.store.body(id).await.map_err(|e| {
        tracing::error!(error = %e, "reading a response");
        unavailable()
    })?;
    let body: Option<Value> = stored.and_then(|b| serde_json::from_str(&b).ok());
    let Some(body) = body else {
        return Err(hidden(id, what));
    };
    let viewer = Viewer::new(caller.clone(), state.names());
    if !caller.may(action, &viewer.place(&body)) {
        return Err(hidden(id, what));
    }
    let store = body
        .pointer("/context/store")
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok((body, store))
}

/// `POST /api/responses/{id}/reveal`: the phone in full, to call the customer back; logged.
pub(crate) async fn reveal(
    caller: Caller,
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> Response {
    const WHAT: &str = "with a phone";
    let (body, store) = match in_scope(&state, &caller, &id, Action::Reveal, WHAT).await {
        Ok(found) => found,
        Err(no) => return no,
    };
    let Some(phone) = body.pointer("/contact/phone").and_then(Value::as_str) else {
        return hidden(&id, WHAT);
    };
    if let Err(no) =
        audit::record(&state, &caller, "reveal", json!({"id": id, "store": store})).await
    {
        return no;
    }
    private(Json(json!({"id": id, "phone": phone})).into_response())
}

/// A store that cannot be read or written: a 503 (the cause is logged by the caller).
pub fn unavailable() -> Response {
    private(
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "db",
            "the database did not answer; retry later",
        )
        .into_response(),
    )
}
