//! The figures against a hand-counted set of cases.

use super::*;

const H: i64 = 3_600_000_000_000;

fn case(key: Option<&str>, state: State, contact_h: Option<i64>, resolved_h: Option<i64>) -> Facts {
    Facts {
        key: key.map(String::from),
        state,
        received_ns: 0,
        deadline_ns: 24 * H,
        first_contact_ns: contact_h.map(|h| h * H),
        resolved_ns: resolved_h.map(|h| h * H),
        recovery_sent: false,
        recovery_score: None,
    }
}

#[test]
fn every_figure_of_a_hand_counted_store() {
    let mut recovered = case(Some("SZ-FT"), State::Resolved, Some(2), Some(5));
    recovered.recovery_sent = true;
    recovered.recovery_score = Some(9);
    let mut not_recovered = case(Some("SZ-FT"), State::Resolved, None, Some(30));
    not_recovered.recovery_sent = true;
    not_recovered.recovery_score = Some(4);
    let facts = vec![
        recovered,
        not_recovered,
        case(Some("SZ-FT"), State::Contacted, Some(10), None),
        case(Some("SZ-FT"), State::Open, None, None), // overdue at 48 h
        case(Some("BJ-CY"), State::Open, None, None),
        case(None, State::Open, None, None),
    ];
    let rows = stats(&facts, 48 * H);
    let keys: Vec<Option<&str>> = rows.iter().map(|r| r.key.as_deref()).collect();
    assert_eq!(keys, [Some("BJ-CY"), Some("SZ-FT"), None]);
    let sz = &rows[1];
    assert_eq!(
        (sz.cases, sz.open, sz.overdue, sz.contacted_in_time),
        (4, 2, 1, 2)
    );
    // Reached in time: 2 h and 10 h; late: 30 h; never and overdue: 1. 2 of 4.
    assert_eq!(sz.in_time_share, Some(0.5));
    // Reached after 2, 10, 30 hours.
    assert_eq!(sz.median_hours_to_contact, Some(10.0));
    assert_eq!(
        (sz.recovery_sent, sz.recovery_answered, sz.recovered),
        (2, 2, 1)
    );
    assert_eq!(sz.recovery_rate, Some(0.5));
    assert_eq!(rows[0].recovery_rate, None, "none answered: no rate");
}

#[test]
fn a_case_not_yet_due_and_not_reached_has_not_had_its_chance() {
    let rows = stats(&[case(Some("SZ-FT"), State::Open, None, None)], H);
    assert_eq!((rows[0].in_time_share, rows[0].overdue), (None, 0));
    assert_eq!(rows[0].median_hours_to_contact, None);
    assert!(
        !overdue(State::Contacted, 0, H),
        "a contacted case kept its promise"
    );
    assert!(overdue(State::Open, 0, H));
}
