//! The intake's rules as tables: the flags, and each refusal as JSON and as a page.

use axum::http::StatusCode;
use nps_core::words::Text;

use std::collections::BTreeMap;

use super::*;
use crate::write_key::KeyRefusal;
use crate::Upsert;

const SHOWN: i64 = 1_795_000_000_000;

fn signals(honeypot: bool, scored: bool, shown: Option<i64>, after_ms: Option<i64>) -> Signals {
    Signals {
        honeypot,
        scored,
        recovery: false,
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
    // A re-survey's answer measures a case, not the service: never counted, however timed;
    // a bot's filled honeypot still says what it is.
    let recovery = |s: Signals| Signals {
        recovery: true,
        ..s
    };
    check(
        recovery(signals(false, true, Some(SHOWN), Some(20_000))),
        1000,
        Some(RECOVERY),
    );
    check(
        recovery(signals(false, true, Some(SHOWN), Some(300))),
        1000,
        Some(RECOVERY),
    );
    check(
        recovery(signals(true, true, Some(SHOWN), Some(300))),
        1000,
        Some(HONEYPOT),
    );
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
    assert!(!s.recovery);
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
            Refusal::Link(TokenError::Unsigned(rules::RECOVERY)),
            S::FORBIDDEN,
            "context.recovery",
            (S::FORBIDDEN, Some(Text::LinkInvalid)),
            (S::FORBIDDEN, Some(Text::LinkInvalid)),
        ),
        (
            Refusal::Link(TokenError::Unsigned(rules::PHONE_TAIL)),
            S::FORBIDDEN,
            "context.phone_tail",
            (S::FORBIDDEN, Some(Text::LinkInvalid)),
            (S::FORBIDDEN, Some(Text::LinkInvalid)),
        ),
        (
            Refusal::Link(TokenError::NotACase),
            S::FORBIDDEN,
            "context.recovery",
            (S::FORBIDDEN, Some(Text::LinkInvalid)),
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

const CASE: &str = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b";

/// Settings with a visit key, and a context signed with it (the token in it).
fn signing() -> (crate::Settings, crate::visit::VisitKey) {
    let key = crate::visit::VisitKey::new("a secret of some length").unwrap();
    let settings = crate::Settings {
        visit_key: Some(key.clone()),
        ..crate::Settings::default()
    };
    (settings, key)
}

fn signed(key: &crate::visit::VisitKey, pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    let mut c: BTreeMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let t = key.sign("after-sales", &c, 1_900_000_000);
    c.insert(crate::visit::TOKEN_KEY.into(), t);
    c
}

/// A re-survey is admitted as its case's only through a verified link; the order's phone
/// tail likewise; an unsigned or edited one is refused naming the field.
#[test]
fn a_re_survey_is_admitted_as_its_case_only_from_a_signed_link() {
    let (settings, key) = signing();
    let link = [
        ("visit", "R-6f1c2b3a"),
        ("store", "SZ-FT"),
        ("recovery", CASE),
    ];
    let admitted = admit(&settings, "after-sales", &signed(&key, &link), 0).unwrap();
    assert_eq!(
        admitted.recovery_of,
        Some(uuid::Uuid::parse_str(CASE).unwrap())
    );
    assert_eq!(admitted.new_until_ns, Some(1_900_000_000 * 1_000_000_000));
    let plain = admit(&settings, "after-sales", &signed(&key, &link[..2]), 0).unwrap();
    assert_eq!(plain.recovery_of, None);
    let unsigned: BTreeMap<String, String> = [("recovery", CASE)]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .into();
    let mut edited = signed(&key, &link);
    edited.insert(
        "recovery".into(),
        "0b6c2a8e-5d1f-4c3b-9a7e-2f4d6b8c0e1a".into(),
    );
    let mut tail = unsigned.clone();
    tail.remove("recovery");
    tail.insert("phone_tail".into(), "3788".into());
    let not_a_case = signed(&key, &[("visit", "R-1"), ("recovery", "R-1")]);
    for (what, settings, context, want) in [
        (
            "unsigned",
            &settings,
            &unsigned,
            TokenError::Unsigned(rules::RECOVERY),
        ),
        (
            "no key",
            &crate::Settings::default(),
            &unsigned,
            TokenError::Unsigned(rules::RECOVERY),
        ),
        ("edited", &settings, &edited, TokenError::Tampered),
        (
            "a tail unsigned",
            &settings,
            &tail,
            TokenError::Unsigned(rules::PHONE_TAIL),
        ),
        (
            "not a case id",
            &settings,
            &not_a_case,
            TokenError::NotACase,
        ),
    ] {
        assert_eq!(
            admit(settings, "after-sales", context, 0),
            Err(want),
            "{what}"
        );
    }
}

/// Through `take`: a signed re-survey's answer is stored flagged `recovery` (kept, not
/// counted: the dashboard and every count skip flagged rows); an unsigned one is not stored.
#[tokio::test]
async fn a_re_survey_is_stored_flagged_and_an_unsigned_one_refused() {
    let dir = std::env::temp_dir().join(format!("nps-recovery-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = crate::Store::open(dir.join("nps.db")).unwrap();
    let (settings, key) = signing();
    let state = crate::state::AppState::new(store.clone(), settings);
    let body = |id: &str, context: &BTreeMap<String, String>| {
        Response::parse(
            &serde_json::json!({"schema": 1, "id": id, "survey": "after-sales",
            "stage": "scored", "score": 9, "category": "promoter", "context": context,
            "locale": "zh-CN", "created_at": "2026-11-23T08:30:00.000Z",
            "updated_at": "2026-11-23T08:30:30.000Z",
            "write_key": "wk_0123456789abcdef0123456789abcdef"}),
        )
        .unwrap()
    };
    let link = signed(&key, &[("visit", "R-6f1c2b3a"), ("recovery", CASE)]);
    let r = body("0b6c2a8e-5d1f-4c3b-9a7e-2f4d6b8c0e1a", &link);
    assert_eq!(
        take(&state, r.clone(), Signals::of(&r), &Sender::unknown()).await,
        Ok(Taken::Created)
    );
    let mut edited = link.clone();
    edited.insert(
        "recovery".into(),
        "1b6c2a8e-5d1f-4c3b-9a7e-2f4d6b8c0e1a".into(),
    );
    let r = body("2b6c2a8e-5d1f-4c3b-9a7e-2f4d6b8c0e1a", &edited);
    let refused = take(&state, r.clone(), Signals::of(&r), &Sender::unknown())
        .await
        .unwrap_err();
    assert_eq!(refused, Refusal::Link(TokenError::Tampered));
    let mut unsigned = edited.clone();
    unsigned.remove("t");
    unsigned.remove("visit");
    let r = body("3b6c2a8e-5d1f-4c3b-9a7e-2f4d6b8c0e1a", &unsigned);
    let refused = take(&state, r.clone(), Signals::of(&r), &Sender::unknown())
        .await
        .unwrap_err();
    assert_eq!(refused.api_error().field, "context.recovery");
    let rows = store.all().await.unwrap();
    assert_eq!(rows.len(), 1, "only the signed re-survey is stored");
    assert_eq!(rows[0].flag.as_deref(), Some(RECOVERY));
    drop(state);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_flag_the_intake_stores_is_named_in_the_dashboards_columns() {
    use nps_core::contract::columns::{flag_marks, flag_of};
    for name in [HONEYPOT, TOO_FAST, RECOVERY] {
        assert_eq!(flag_of(flag_marks(Some(name))), Some(name), "{name}");
    }
}
