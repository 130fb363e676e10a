//! The intake's rules as tables: the flags, and each refusal as JSON and as a page.

use axum::http::StatusCode;
use nps_core::words::Text;

use super::*;
use crate::write_key::KeyRefusal;
use crate::Upsert;

const SHOWN: i64 = 1_795_000_000_000;

fn signals(honeypot: bool, scored: bool, shown: Option<i64>, after_ms: Option<i64>) -> Signals {
    Signals {
        honeypot,
        scored,
        shown_ms: shown,
        answered_ms: after_ms.map(|d| SHOWN + d),
    }
}

#[test]
fn the_flag_rules() {
    let check =
        |s: Signals, min: i64, want: Flag| assert_eq!(flag(&s, min), want, "{s:?} min {min}");
    // An answer quicker than a person reads the question.
    check(
        signals(false, true, Some(SHOWN), Some(300)),
        1000,
        Some(TOO_FAST),
    );
    check(
        signals(false, true, Some(SHOWN), Some(999)),
        1000,
        Some(TOO_FAST),
    );
    check(signals(false, true, Some(SHOWN), Some(1000)), 1000, None);
    check(signals(false, true, Some(SHOWN), Some(20_000)), 1000, None);
    // Answered "before" shown: two clocks that disagree, or a forged body.
    check(
        signals(false, true, Some(SHOWN), Some(-5)),
        1000,
        Some(TOO_FAST),
    );
    // Only an answer (a score) is judged: a dismissal is not an answer. (The no-script
    // form's rule judged any post; the JSON rule only a scored one, which is kept.)
    check(signals(false, false, Some(SHOWN), Some(300)), 1000, None);
    // No time to judge by: a static page, a form without `started_at`.
    check(signals(false, true, None, Some(300)), 1000, None);
    check(signals(false, true, Some(SHOWN), None), 1000, None);
    // `--min-fill-ms 0` turns the rule off, whatever the times say.
    check(signals(false, true, Some(SHOWN), Some(-5)), 0, None);
    check(signals(false, true, Some(SHOWN), Some(0)), 0, None);
    // The honeypot wins over the time, and needs no score.
    check(
        signals(true, true, Some(SHOWN), Some(300)),
        1000,
        Some(HONEYPOT),
    );
    check(signals(true, false, None, None), 0, Some(HONEYPOT));
}

#[test]
fn a_responses_signals_are_its_own_times() {
    let v = serde_json::json!({"schema":1,"id":"0b6c2a8e-5d1f-4c3b-9a7e-2f4d6b8c0e1a",
        "survey":"after-sales","stage":"scored","score":9,"category":"promoter","reasons":[],
        "comment":null,"contact":null,"context":{},"locale":"zh-CN","page":null,
        "created_at":"2026-11-23T08:30:00.000Z","updated_at":"2026-11-23T08:30:00.400+00:00",
        "write_key":"wk_0123456789abcdef0123456789abcdef"});
    let r = Response::parse(&v).unwrap();
    let s = Signals::of(&r);
    assert_eq!((s.scored, s.honeypot), (true, false));
    assert_eq!(s.answered_ms.unwrap() - s.shown_ms.unwrap(), 400);
    assert_eq!(s.shown_at(Some(7)).shown_ms, Some(7));
    assert!(s.honeypot(true).honeypot);
}

/// Each refusal, as a script reads it (status, field) and as a customer's page reads it
/// (the no-script form, a landing page): the statuses and words each showed before they
/// shared one type.
#[test]
fn each_refusal_as_json_and_as_a_page() {
    use StatusCode as S;
    let id = "0b6c2a8e-5d1f-4c3b-9a7e-2f4d6b8c0e1a".to_owned();
    let invalid =
        nps_core::contract::error::FieldError::invalid("score", "11".to_owned(), "0 to 10");
    // (refusal, JSON status, JSON field, the no-script form's page, a landing page)
    type Page = (S, Option<Text>);
    let rows: Vec<(Refusal, S, &str, Page, Page)> = vec![
        (
            Refusal::Invalid(invalid),
            S::UNPROCESSABLE_ENTITY,
            "score",
            (S::UNPROCESSABLE_ENTITY, None),
            (S::UNPROCESSABLE_ENTITY, Some(Text::LinkInvalid)),
        ),
        (
            Refusal::Link(TokenError::Required),
            S::FORBIDDEN,
            "context.t",
            (S::FORBIDDEN, Some(Text::VisitRequired)),
            (S::FORBIDDEN, Some(Text::LinkInvalid)),
        ),
        (
            Refusal::Link(TokenError::Tampered),
            S::FORBIDDEN,
            "context.t",
            (S::FORBIDDEN, Some(Text::LinkInvalid)),
            (S::FORBIDDEN, Some(Text::LinkInvalid)),
        ),
        (
            Refusal::Conflict { id: id.clone() },
            S::UNPROCESSABLE_ENTITY,
            "id",
            (S::UNPROCESSABLE_ENTITY, None),
            (S::UNPROCESSABLE_ENTITY, Some(Text::LinkInvalid)),
        ),
        (
            Refusal::Answered,
            S::GONE,
            "context.visit",
            (S::GONE, Some(Text::AlreadyAnswered)),
            (S::OK, Some(Text::AlreadyAnswered)),
        ),
        (
            Refusal::Expired,
            S::FORBIDDEN,
            "context.t",
            (S::FORBIDDEN, Some(Text::LinkInvalid)),
            (S::FORBIDDEN, Some(Text::LinkExpired)),
        ),
        (
            Refusal::VisitChanged { id },
            S::UNPROCESSABLE_ENTITY,
            "context.visit",
            (S::UNPROCESSABLE_ENTITY, None),
            (S::UNPROCESSABLE_ENTITY, Some(Text::LinkInvalid)),
        ),
        (
            Refusal::Key(KeyRefusal::Missing),
            S::UNPROCESSABLE_ENTITY,
            "write_key",
            (S::UNPROCESSABLE_ENTITY, None),
            (S::UNPROCESSABLE_ENTITY, Some(Text::LinkInvalid)),
        ),
        (
            Refusal::Key(KeyRefusal::NotYours),
            S::FORBIDDEN,
            "write_key",
            (S::FORBIDDEN, None),
            (S::UNPROCESSABLE_ENTITY, Some(Text::LinkInvalid)),
        ),
        (
            Refusal::Unavailable,
            S::SERVICE_UNAVAILABLE,
            "db",
            (S::SERVICE_UNAVAILABLE, None),
            (S::SERVICE_UNAVAILABLE, Some(Text::SendingDelayed)),
        ),
    ];
    for (refusal, status, field, form, landing) in rows {
        let e = refusal.api_error();
        assert_eq!((e.status, e.field.as_str()), (status, field), "{refusal:?}");
        assert!(!e.message.is_empty(), "{refusal:?}");
        assert_eq!(
            refusal.page(Via::Form),
            form,
            "{refusal:?} as the form's page"
        );
        assert_eq!(
            refusal.page(Via::Landing),
            landing,
            "{refusal:?} as a landing page"
        );
    }
}

#[test]
fn only_refusing_outcomes_are_refusals() {
    let id = "x";
    for (outcome, taken) in [
        (Upsert::Created, Taken::Created),
        (Upsert::Updated, Taken::Updated),
        (Upsert::Duplicate, Taken::Duplicate),
        (Upsert::Stale, Taken::Stale),
    ] {
        assert_eq!(Refusal::of(outcome, id), Ok(taken));
    }
    assert_eq!(Refusal::of(Upsert::Answered, id), Err(Refusal::Answered));
    assert_eq!(
        Refusal::of(Upsert::Key(KeyRefusal::Frozen), id),
        Err(Refusal::Key(KeyRefusal::Frozen))
    );
}
