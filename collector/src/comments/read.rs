//! The read behind `GET /api/comments`, in two steps so that a year of answers is not read
//! body by body: first the stored facts (`Store::facts`: a few short fields per answer, the
//! counted ones with a comment only) pick the candidates every filter but the words (`q`)
//! keeps, in the caller's scope; then their bodies are read newest first, one by one, until
//! the page is full and no older candidate can be newer than its last (a candidate's minute
//! is known from its facts; within a minute the exact time decides). A row whose facts are
//! missing is always read. Each body read is checked again whole (`found`).

use std::borrow::Cow;
use std::collections::HashMap;

use nps_core::access::{place_of, Action};
use nps_core::contract::context::Dimension;
use nps_core::contract::time::Time;
use nps_core::org::Org;
use nps_core::scoring::score::{category, Category};
use serde::Deserialize;
use serde_json::{json, Value};

use super::Ask;
use crate::alerts::message::customer_words;
use crate::auth::Caller;
use crate::storage::facts::{self, Context, Fact, MINUTE_NS};
use crate::storage::{Selection, StoreError};
use crate::Shared;

/// What a comment needs of a stored body (the rest skipped).
#[derive(Deserialize)]
struct Body<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    score: Option<i64>,
    #[serde(borrow, default)]
    reasons: Vec<Cow<'a, str>>,
    #[serde(borrow)]
    comment: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    context: Option<Context<'a>>,
    #[serde(borrow)]
    created_at: Cow<'a, str>,
}

/// A comment found: its order key (created ns, id) and its JSON.
pub type Found = ((i64, String), Value);

/// Whether `want` (if asked) is what an answer has.
fn asked(want: &Option<String>, got: Option<&str>) -> bool {
    want.as_deref().is_none_or(|w| got == Some(w))
}

/// Whether the ask's filters but the words, and the caller's scope, keep an answer of these
/// codes, score and reasons.
fn kept<'r>(
    ask: &Ask,
    caller: &Caller,
    org: Option<&Org>,
    code: impl Fn(Dimension) -> Option<&'r str>,
    score: Option<i64>,
    mut reasons: impl Iterator<Item = &'r str>,
) -> bool {
    let store = code(Dimension::Store);
    let region = store
        .and_then(|s| org?.region_of_store(s))
        .map(|r| r.id.as_str());
    let city = store.and_then(|s| org?.city_of_store(s));
    let cat = score.and_then(|s| category(s).ok());
    asked(&ask.store, store)
        && asked(&ask.advisor, code(Dimension::Advisor))
        && asked(&ask.model, code(Dimension::Model))
        && asked(&ask.service_type, code(Dimension::ServiceType))
        && asked(&ask.touchpoint, code(Dimension::Touchpoint))
        && asked(&ask.region, region)
        && asked(&ask.city, city)
        && ask.category.is_none_or(|c| cat == Some(c))
        && ask
            .reason
            .as_deref()
            .is_none_or(|r| reasons.any(|x| x == r))
        && caller.may(Action::ReadAnswers, &place_of(org, store))
}

/// The comment of a stored body, if the ask (the words included) keeps it.
fn found(body: &str, ask: &Ask, caller: &Caller, org: Option<&Org>) -> Option<Found> {
    let b = serde_json::from_str::<Body>(body).ok()?;
    let comment = b.comment.as_deref().filter(|c| !c.trim().is_empty())?;
    let at = Time::parse(&b.created_at)?;
    let key = (
        i64::try_from(at.unix_ns()).unwrap_or(i64::MAX),
        b.id.to_string(),
    );
    if ask.before.as_ref().is_some_and(|before| key >= *before) {
        return None;
    }
    let cx = b.context.unwrap_or_default();
    let code = |d: Dimension| cx.code(d);
    // The words are found in the comment as it is shown (a phone masked), so a search cannot
    // tell the hidden digits one at a time.
    let shown = customer_words(comment);
    let words = ask
        .q
        .as_deref()
        .is_none_or(|q| shown.to_lowercase().contains(q));
    if !(words
        && kept(
            ask,
            caller,
            org,
            code,
            b.score,
            b.reasons.iter().map(|r| r.as_ref()),
        ))
    {
        return None;
    }
    let cat = b.score.and_then(|s| category(s).ok());
    Some((
        key,
        json!({
            "id": b.id, "score": b.score, "category": cat.map(Category::as_str),
            "reasons": b.reasons, "store": code(Dimension::Store),
            "advisor": code(Dimension::Advisor), "created_at": b.created_at,
            "comment": shown,
        }),
    ))
}

/// Candidates whose bodies are read at once.
const PIECE: usize = 200;

/// A candidate: its minute (`i64::MAX` where its facts are missing: read first) and id.
type Candidate = (i64, String);

/// Whether the facts keep a candidate (`None` minute: facts missing, the body decides).
fn candidate(f: &Fact, ask: &Ask, caller: &Caller, org: Option<&Org>) -> Option<Candidate> {
    if f.flag.is_some_and(|f| !f.is_empty()) {
        return None;
    }
    let Some(minute) = f.created_min else {
        return Some((i64::MAX, f.id.to_owned()));
    };
    // Every time in a later minute than `before` is after it.
    if ask
        .before
        .as_ref()
        .is_some_and(|(ns, _)| minute > ns.div_euclid(MINUTE_NS))
    {
        return None;
    }
    let code = |d: Dimension| Some(f.dims[d.index()]).filter(|c| !c.is_empty());
    kept(ask, caller, org, code, f.score, facts::reasons(f.reasons))
        .then(|| (minute, f.id.to_owned()))
}

/// The newest `ask.limit` comments of the caller's scope that the ask selects.
pub async fn read(state: &Shared, caller: Caller, ask: Ask) -> Result<Vec<Found>, StoreError> {
    let names = state.names();
    let (c, a, n) = (caller.clone(), ask.clone(), names.clone());
    let mut candidates = state
        .store
        .facts(
            Selection {
                commented: true,
                ..ask.selection.clone()
            },
            Vec::new(),
            move |out: &mut Vec<Candidate>, f| out.extend(candidate(f, &a, &c, n.org())),
        )
        .await?;
    candidates.sort_unstable_by(|x, y| y.cmp(x));
    let mut out: Vec<Found> = Vec::new();
    for piece in candidates.chunks(PIECE) {
        let ids = piece.iter().map(|(_, id)| id.clone()).collect();
        let bodies: HashMap<String, (String, Option<String>)> = state
            .store
            .bodies(ids)
            .await?
            .into_iter()
            .map(|(id, body, flag)| (id, (body, flag)))
            .collect();
        for (minute, id) in piece {
            // Full, and every candidate left is from an earlier minute than the page's last.
            let last = out.last().map(|l| l.0 .0.div_euclid(MINUTE_NS));
            if out.len() >= ask.limit && last.is_some_and(|l| *minute < l) {
                return Ok(out);
            }
            // Flagged since the facts were read: left out, as every flagged answer.
            let Some((body, None)) = bodies.get(id) else {
                continue;
            };
            if let Some(f) = found(body, &ask, &caller, names.org()) {
                out.push(f);
                newest(&mut out, ask.limit);
            }
        }
    }
    Ok(out)
}

/// The newest `limit`, newest first.
fn newest(found: &mut Vec<Found>, limit: usize) {
    found.sort_unstable_by(|a, b| b.0.cmp(&a.0));
    found.truncate(limit);
}
