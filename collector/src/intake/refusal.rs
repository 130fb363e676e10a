//! `Refusal`: why an answer was not taken, one type for every way in. A script's post gets
//! it as JSON (`Refusal::api_error`, the `{"error", "field"}` of `ApiError`); a customer's
//! form gets a page in their words (`Refusal::page`: the status and the `Text` to show).
//!
//! The two pages keep what they showed before they shared this type: the no-script form
//! answers with the JSON status and the generic "try again" for what a customer cannot fix,
//! a landing page (the survey's own card) says "already answered" with a 200 and calls any
//! other stored-answer refusal an invalid link (422).

use axum::http::StatusCode;
use nps_core::contract::error::FieldError;
use nps_core::contract::rules;
use nps_core::words::Text;

use crate::visit::TokenError;
use crate::write_key::KeyRefusal;
use crate::{ApiError, Upsert};

/// Why nothing was stored.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Refusal {
    /// The post is not a valid response (the field names what is wrong).
    Invalid(FieldError),
    /// The link's token: missing where needed, not one, altered, expired, or required.
    Link(TokenError),
    /// The id is stored for another survey.
    Conflict { id: String },
    /// Another response already answered this visit.
    Answered,
    /// A new response after its link expired.
    Expired,
    /// The post drops or changes the visit its response was first stored for.
    VisitChanged { id: String },
    /// The post may not write this response (`write_key`).
    Key(KeyRefusal),
    /// The disk failed: try again later.
    Unavailable,
}

/// What an upsert did with a response it took.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Taken {
    /// A new response.
    Created,
    /// A later stage or a later edit replaced the stored one.
    Updated,
    /// The same body again; nothing changed.
    Duplicate,
    /// An earlier stage or an older edit; nothing changed.
    Stale,
}

/// How the refused request came, for its page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// The no-script form (`POST /api/responses`, form-encoded).
    Form,
    /// A landing page's form (`POST /s/…`).
    Landing,
}

impl Refusal {
    /// An upsert's outcome as what was taken (answered with a 2xx) or why nothing was.
    pub fn of(outcome: Upsert, id: &str) -> Result<Taken, Refusal> {
        Err(match outcome {
            Upsert::Conflict => Refusal::Conflict { id: id.to_owned() },
            Upsert::Answered => Refusal::Answered,
            Upsert::Expired => Refusal::Expired,
            Upsert::VisitChanged => Refusal::VisitChanged { id: id.to_owned() },
            Upsert::Key(k) => Refusal::Key(k),
            Upsert::Created => return Ok(Taken::Created),
            Upsert::Updated => return Ok(Taken::Updated),
            Upsert::Duplicate => return Ok(Taken::Duplicate),
            Upsert::Stale => return Ok(Taken::Stale),
        })
    }

    /// As a script reads it: the status, the field and a developer's message.
    pub fn api_error(&self) -> ApiError {
        match self {
            Refusal::Invalid(e) => ApiError::from(e.clone()),
            Refusal::Link(e) => ApiError::new(StatusCode::FORBIDDEN, &e.field(), e.message()),
            Refusal::Conflict { id } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "id",
                format!("id {id} is stored for another survey: a response id belongs to one survey"),
            ),
            // Final for a sender: the widget shows "already answered" and stops.
            Refusal::Answered => ApiError::new(
                StatusCode::GONE,
                "context.visit",
                "this visit is already answered: one answer per visit",
            ),
            Refusal::Expired => ApiError::new(
                StatusCode::FORBIDDEN,
                "context.t",
                TokenError::Expired.message(),
            ),
            // 422, final for the outbox: the same body will never be taken.
            Refusal::VisitChanged { id } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "context.visit",
                format!("response {id} was first stored for another visit (or none): a response's visit is fixed by its first post"),
            ),
            Refusal::Key(KeyRefusal::Missing) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                rules::WRITE_KEY,
                KeyRefusal::Missing.message(),
            ),
            Refusal::Key(k) => ApiError::new(StatusCode::FORBIDDEN, rules::WRITE_KEY, k.message()),
            Refusal::Unavailable => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "db",
                "the response could not be stored; retry later",
            ),
        }
    }

    /// As a customer reads it: the page's status and its words (`None`: the generic "not
    /// sent, try again"). A developer's words (which field, which rule) are never shown.
    pub fn page(&self, via: Via) -> (StatusCode, Option<Text>) {
        let status = self.api_error().status;
        match (self, via) {
            (Refusal::Link(TokenError::Required), Via::Form) => (status, Some(Text::VisitRequired)),
            (Refusal::Link(_) | Refusal::Expired, Via::Form) => (status, Some(Text::LinkInvalid)),
            (Refusal::Answered, Via::Form) => (status, Some(Text::AlreadyAnswered)),
            (_, Via::Form) => (status, None),
            (Refusal::Link(_), Via::Landing) => (status, Some(Text::LinkInvalid)),
            (Refusal::Answered, Via::Landing) => (StatusCode::OK, Some(Text::AlreadyAnswered)),
            (Refusal::Expired, Via::Landing) => (status, Some(Text::LinkExpired)),
            (Refusal::Unavailable, Via::Landing) => (status, Some(Text::SendingDelayed)),
            (
                Refusal::Invalid(_)
                | Refusal::Conflict { .. }
                | Refusal::VisitChanged { .. }
                | Refusal::Key(_),
                Via::Landing,
            ) => (StatusCode::UNPROCESSABLE_ENTITY, Some(Text::LinkInvalid)),
        }
    }
}
