//! The DOM event contract: every `CustomEvent` the widget and its loader dispatch, with its
//! name, target, moment and `detail`, and the `kind`s of `nps:error`.
//!
//! The shell dispatches what these functions build; the loader gets the names from
//! `loader_names()` (the xtask writes them into `nps-widget.js`); `reference()` is the table
//! in `docs/EVENTS.md` (a tidy test fails when it is stale).

use serde_json::Value;

use crate::contract::error::FieldError;
use crate::contract::payload::{Response, Stage};
#[cfg(test)]
use crate::outbox::Delay;
use crate::outbox::{Status, GIVE_UP_MS};

macro_rules! events {
    ($( $konst:ident $name:literal on $target:literal, $when:literal, $detail:literal; )*) => {
        $( pub const $konst: &str = $name; )*
        /// Every event: (name, target, when, detail), in the order the docs list them.
        pub const TABLE: &[(&str, &str, &str, &str)] = &[$(($name, $target, $when, $detail)),*];
    };
}

events! {
    SCORED "nps:scored" on "host element",
        "a score is tapped (or changed)",
        "`{id, score, category}`";
    SUBMITTED "nps:submitted" on "host element",
        "the follow-up is submitted or skipped",
        "`{id, stage: \"completed\", response}` (the whole payload)";
    DISMISSED "nps:dismissed" on "host element",
        "the survey is closed before it is finished",
        "`{id, stage: \"dismissed\", score}` (`score` may be null)";
    DELIVERED "nps:delivered" on "host element",
        "the endpoint acknowledged a post (2xx)",
        "`{id, stage}`";
    ERROR "nps:error" on "host element, or the document for a response from an earlier page",
        "something the page's developer must know",
        "`{kind, message, field, id}`; `kind: \"config\"` adds `errors: [{field, message}]`";
    READY "nps:ready" on "document",
        "the wasm has loaded and the page's surveys are mounted",
        "`{version}`";
}

/// The `kind` of an `nps:error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The embed is misconfigured; nothing is shown but the errors.
    Config,
    /// The endpoint refused a response for good, or it could not be queued.
    Delivery,
    /// Not delivered within `GIVE_UP_MS`, and dropped.
    GaveUp,
    /// The collector keeps another answer for this visit (one answer per visit).
    Answered,
    /// The wasm file did not load (dispatched by the loader).
    Load,
}

impl Failure {
    pub const ALL: [Failure; 5] = [
        Failure::Config,
        Failure::Delivery,
        Failure::GaveUp,
        Failure::Answered,
        Failure::Load,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Failure::Config => "config",
            Failure::Delivery => "delivery",
            Failure::GaveUp => "gave_up",
            Failure::Answered => "answered",
            Failure::Load => "load",
        }
    }
}

/// The event a post of `r` dispatches, and its detail.
pub fn posted(r: &Response) -> (&'static str, Value) {
    match r.stage {
        Stage::Scored => (
            SCORED,
            crate::obj! {"id" => r.id.clone(), "score" => r.score, "category" => r.category().map(crate::scoring::score::Category::as_str)},
        ),
        Stage::Completed => (
            SUBMITTED,
            crate::obj! {"id" => r.id.clone(), "stage" => r.stage.as_str(), "response" => r.to_value()},
        ),
        Stage::Dismissed => (
            DISMISSED,
            crate::obj! {"id" => r.id.clone(), "stage" => r.stage.as_str(), "score" => r.score},
        ),
    }
}

/// The detail of `nps:delivered`.
pub fn delivered(id: &str, stage: Stage) -> Value {
    crate::obj! {"id" => id, "stage" => stage.as_str()}
}

/// The detail of an `nps:error`.
pub fn error(kind: Failure, message: &str, field: Option<&str>, id: Option<&str>) -> Value {
    crate::obj! {"kind" => kind.name(), "message" => message, "field" => field, "id" => id}
}

/// The message a broken embed shows in its element and the console.
pub fn config_message(errors: &[FieldError]) -> String {
    let lines: Vec<String> = errors.iter().map(|e| format!("• {e}")).collect();
    format!("nps-widget cannot start:\n{}", lines.join("\n"))
}

/// The detail of the `nps:error` of a broken embed: every error, the first one's field.
pub fn config_error(errors: &[FieldError]) -> Value {
    let list: Vec<Value> = errors
        .iter()
        .map(|e| crate::obj! {"field" => e.field.as_str(), "message" => e.to_string()})
        .collect();
    let mut v = error(
        Failure::Config,
        &config_message(errors),
        errors.first().map(|e| e.field.as_str()),
        None,
    );
    if let Some(m) = v.as_object_mut() {
        m.insert("errors".into(), Value::Array(list));
    }
    v
}

/// The `nps:error` a delivery status calls for, if any: the detail (whose message also goes
/// to the console). `stage` is known when the widget that posted it still listens.
pub fn delivery_error(id: &str, stage: Option<Stage>, status: &Status) -> Option<Value> {
    let which = match stage {
        Some(s) => format!("response {id} ({})", s.as_str()),
        None => format!("response {id}"),
    };
    let (kind, message) = match status {
        Status::Dead(reason) | Status::Refused(reason) => (
            Failure::Delivery,
            format!("nps-widget: {which} was not accepted: {reason}"),
        ),
        Status::GaveUp => (
            Failure::GaveUp,
            format!(
                "nps-widget: {which} could not be delivered within {} days and was dropped",
                GIVE_UP_MS / 86_400_000
            ),
        ),
        Status::Expired => (
            Failure::Delivery,
            format!("nps-widget: the refused {which} was removed from this browser"),
        ),
        Status::Answered => (
            Failure::Answered,
            format!("nps-widget: {which} was not stored: this visit is already answered (HTTP 410), and the first answer counts"),
        ),
        Status::Sending | Status::Delivered | Status::Waiting(_) => return None,
    };
    Some(error(kind, &message, None, Some(id)))
}

/// The names the loader uses, as JavaScript: `var NPS_EVENTS = {…};`.
pub fn loader_names() -> String {
    let v = crate::obj! {
        "error" => ERROR,
        "ready" => READY,
        "load" => Failure::Load.name(),
    };
    format!("var NPS_EVENTS = {v};")
}

/// The generated reference of the event contract.
pub fn reference() -> String {
    let mut out = String::from(
        "# DOM events\n\n\
         Generated from `core/src/contract/events.rs`; `cargo xtask test` fails when this file is stale\n\
         (`cargo xtask docs` rewrites it). Each is a bubbling `CustomEvent` whose `detail` is\n\
         plain JSON.\n\n\
         | event | on | when | detail |\n|---|---|---|---|\n",
    );
    for (name, target, when, detail) in TABLE {
        out.push_str(&format!("| `{name}` | {target} | {when} | {detail} |\n"));
    }
    out.push_str("\n`kind` of `nps:error`:\n\n");
    for f in Failure::ALL {
        let what = match f {
            Failure::Config => "the embed is misconfigured: the element shows why (to a customer, one neutral line), and nothing else",
            Failure::Delivery => "the endpoint refused a response for good (400, 413, 422), or it could not be queued",
            Failure::GaveUp => "a response was not delivered within 7 days of retries and was dropped",
            Failure::Answered => "the collector keeps another answer for this visit (410; one answer per visit): this response is dropped and the customer sees \"already answered\"",
            Failure::Load => "the widget's glue or wasm did not load, or did not match its sha384 integrity (dispatched on every `[data-nps-survey]`)",
        };
        out.push_str(&format!("- `{}`: {what}\n", f.name()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_namespaced() {
        let mut seen = std::collections::HashSet::new();
        for (name, ..) in TABLE {
            assert!(name.starts_with("nps:") && seen.insert(*name), "{name}");
        }
        assert_eq!(
            loader_names(),
            r#"var NPS_EVENTS = {"error":"nps:error","load":"load","ready":"nps:ready"};"#
        );
    }

    #[test]
    fn delivery_errors_say_which_response_and_why() {
        let check = |stage, status: Status, want: Option<(&str, &str)>| {
            let got = delivery_error("r1", stage, &status);
            let got = got.as_ref().map(|v| {
                (
                    v["kind"].as_str().unwrap().to_owned(),
                    v["message"].as_str().unwrap().to_owned(),
                )
            });
            assert_eq!(
                got.as_ref().map(|(k, m)| (k.as_str(), m.as_str())),
                want,
                "{status:?}"
            );
        };
        check(
            Some(Stage::Completed),
            Status::Dead("refused".into()),
            Some((
                "delivery",
                "nps-widget: response r1 (completed) was not accepted: refused",
            )),
        );
        check(
            None,
            Status::GaveUp,
            Some((
                "gave_up",
                "nps-widget: response r1 could not be delivered within 7 days and was dropped",
            )),
        );
        check(Some(Stage::Scored), Status::Waiting(Delay::Offline), None);
    }
}
