//! The case table, a row per (state, event) pair, and the deadline against hand-computed times.

use super::*;

fn case(state: State, reopens: u32) -> Case {
    Case { state, reopens }
}

fn resolve(cause: &str) -> Event {
    Event::Resolve {
        root_cause: cause.into(),
    }
}

fn assign(owner: &str) -> Event {
    Event::Assign {
        owner: owner.into(),
    }
}

fn moved(from: State, to: State, reopens: u32, cause: Option<&str>) -> Result<Step, Refusal> {
    Ok(Step {
        case: case(to, reopens),
        record: Record::Moved { from, to },
        root_cause: cause.map(String::from),
    })
}

fn stays(state: State, reopens: u32, record: Record) -> Result<Step, Refusal> {
    Ok(Step {
        case: case(state, reopens),
        record,
        root_cause: None,
    })
}

fn not_now(state: State, event: &'static str) -> Result<Step, Refusal> {
    Err(Refusal::NotNow {
        state,
        event,
        accepted: state.accepted(),
    })
}

#[test]
fn every_state_and_event() {
    use State::*;
    let noted = || Record::Noted("left a voicemail".into());
    let assigned = || Record::Assigned("li.na@example.com".into());
    let rows: Vec<(Case, Event, Result<Step, Refusal>)> = vec![
        // Open: contact, resolve, note and assign; nothing to reopen.
        (
            case(Open, 0),
            Event::Contact,
            moved(Open, Contacted, 0, None),
        ),
        (
            case(Open, 0),
            resolve(" price "),
            moved(Open, Resolved, 0, Some("price")),
        ),
        (case(Open, 0), Event::Reopen, not_now(Open, "reopen")),
        (
            case(Open, 0),
            Event::Note("left a voicemail".into()),
            stays(Open, 0, noted()),
        ),
        (
            case(Open, 0),
            assign("li.na@example.com"),
            stays(Open, 0, assigned()),
        ),
        // Contacted: a second contact is a note; resolve, note, assign.
        (
            case(Contacted, 1),
            Event::Contact,
            not_now(Contacted, "contact"),
        ),
        (
            case(Contacted, 1),
            resolve("wait"),
            moved(Contacted, Resolved, 1, Some("wait")),
        ),
        (
            case(Contacted, 1),
            Event::Reopen,
            not_now(Contacted, "reopen"),
        ),
        (
            case(Contacted, 1),
            Event::Note("left a voicemail".into()),
            stays(Contacted, 1, noted()),
        ),
        (
            case(Contacted, 1),
            assign("li.na@example.com"),
            stays(Contacted, 1, assigned()),
        ),
        // Resolved: reopen (counted) and note; nothing else, and no owner to change.
        (
            case(Resolved, 1),
            Event::Contact,
            not_now(Resolved, "contact"),
        ),
        (
            case(Resolved, 1),
            resolve("price"),
            not_now(Resolved, "resolve"),
        ),
        (
            case(Resolved, 1),
            Event::Reopen,
            moved(Resolved, Open, 2, None),
        ),
        (
            case(Resolved, 1),
            Event::Note("left a voicemail".into()),
            stays(Resolved, 1, noted()),
        ),
        (
            case(Resolved, 1),
            assign("li.na@example.com"),
            not_now(Resolved, "assign"),
        ),
        // Blank fields are named, whatever the state.
        (
            case(Open, 0),
            resolve("  "),
            Err(Refusal::Empty {
                field: "root_cause",
            }),
        ),
        (
            case(Resolved, 0),
            Event::Note("".into()),
            Err(Refusal::Empty { field: "note" }),
        ),
        (
            case(Contacted, 0),
            assign(" "),
            Err(Refusal::Empty { field: "owner" }),
        ),
    ];
    for (i, (c, event, expected)) in rows.into_iter().enumerate() {
        assert_eq!(apply(c, &event), expected, "row {i}: {c:?} + {event:?}");
    }
}

#[test]
fn a_refusal_names_the_state_and_what_it_takes() {
    let said = apply(case(State::Resolved, 0), &Event::Contact)
        .unwrap_err()
        .to_string();
    assert_eq!(
        said,
        "a case that is resolved does not take `contact`; it takes: reopen, note"
    );
    let said = apply(Case::NEW, &resolve("")).unwrap_err().to_string();
    assert_eq!(said, "`root_cause` is empty; say something");
}

#[test]
fn accepted_lists_exactly_what_apply_takes() {
    let events = [
        Event::Contact,
        resolve("price"),
        Event::Reopen,
        Event::Note("n".into()),
        assign("o"),
    ];
    for state in [State::Open, State::Contacted, State::Resolved] {
        let taken: Vec<&str> = events
            .iter()
            .filter(|e| apply(case(state, 0), e).is_ok())
            .map(Event::name)
            .collect();
        assert_eq!(taken, state.accepted(), "{state:?}");
    }
}

#[test]
fn the_deadline_is_the_promise_carried_and_hours_left_round_down() {
    const H: i64 = 3_600_000_000_000;
    let received = 1_780_000_000_000_000_000;
    // Carried hours win; none carried is the config default (24).
    assert_eq!(deadline_ns(received, Some(4)), received + 4 * H);
    assert_eq!(deadline_ns(received, Some(72)), received + 72 * H);
    assert_eq!(deadline_ns(received, None), received + 24 * H);
    let due = deadline_ns(received, Some(24));
    let rows = [
        (received, 24),
        (due - H / 2, 0),
        (due, 0),
        (due + 1, -1),
        (due + H / 2, -1),
        (due + 23 * H, -23),
        (due + 92 * H + 1, -93),
    ];
    for (now, left) in rows {
        assert_eq!(hours_left(due, now), left, "now = due {:+} ns", now - due);
    }
}

#[test]
fn a_call_back_is_a_consented_phone_or_the_number_on_the_order() {
    use crate::contract::payload::Response;
    let with = |contact: serde_json::Value, tail: Option<&str>| {
        let mut body = serde_json::json!({"schema": 1, "id": "0b6c2a8e-5d1f-4c3b-9a7e-2f4d6b8c0e1a",
            "survey": "after-sales", "stage": "completed", "score": 3, "category": "detractor",
            "contact": contact, "context": {"visit": "RO-1"}, "locale": "zh-CN",
            "created_at": "2026-11-23T08:30:00.000Z", "updated_at": "2026-11-23T08:31:00.000Z"});
        if let Some(t) = tail {
            body["context"]["phone_tail"] = t.into();
        }
        Response::parse(&body).unwrap()
    };
    let phone = serde_json::json!({"phone": "13812345678", "consent": true});
    let on_file = serde_json::json!({"on_file": true, "consent": true, "callback_hours": 24});
    assert!(asks_callback(&with(phone, None)));
    assert!(asks_callback(&with(on_file, Some("3788"))));
    assert!(!asks_callback(&with(serde_json::Value::Null, Some("3788"))));
}
