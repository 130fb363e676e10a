//! The opening table, a test per row, against hand-computed deadlines and due times.

use super::*;

const HOUR: i64 = 3_600_000_000_000;
const RECEIVED: i64 = 1_000 * HOUR;
const NOW: i64 = RECEIVED + 5_000_000_000;

fn answer(score: u8) -> Answer {
    Answer {
        category: crate::scoring::score::category(i64::from(score)).ok(),
        score: Some(score),
        callback: false,
        hours: None,
        stage: Stage::Scored,
        flagged: false,
        recovery: false,
        received_ns: RECEIVED,
    }
}

fn rule(passives: bool) -> CaseRule {
    CaseRule {
        passives,
        default_hours: 24,
    }
}

fn opened(due_ns: i64) -> AlertAt {
    AlertAt {
        kind: AlertKind::Opened,
        due_ns,
    }
}

const CALLBACK: AlertAt = AlertAt {
    kind: AlertKind::Callback,
    due_ns: NOW,
};

#[test]
fn row_1_and_2_a_re_survey_records_its_score_and_opens_nothing() {
    let a = Answer {
        recovery: true,
        ..answer(2)
    };
    assert_eq!(
        decide(None, &a, rule(true), NOW),
        Opening::Recovery { score: 2 }
    );
    let unscored = Answer {
        score: None,
        category: None,
        ..a
    };
    assert_eq!(decide(None, &unscored, rule(true), NOW), Opening::Nothing);
    // A bot's re-survey (a filled honeypot) records nothing.
    let bot = Answer { flagged: true, ..a };
    assert_eq!(decide(None, &bot, rule(true), NOW), Opening::Nothing);
}

#[test]
fn row_3_a_flagged_detractor_opens_nothing() {
    let a = Answer {
        flagged: true,
        ..answer(0)
    };
    assert_eq!(decide(None, &a, rule(false), NOW), Opening::Nothing);
}

#[test]
fn row_4_an_update_asking_a_call_back_updates_the_case_with_a_callback_alert() {
    let stored = Stored {
        callback: false,
        deadline_ns: RECEIVED + 24 * HOUR,
    };
    let a = Answer {
        callback: true,
        hours: Some(48),
        stage: Stage::Completed,
        ..answer(3)
    };
    assert_eq!(
        decide(Some(stored), &a, rule(false), NOW),
        Opening::Update {
            callback: true,
            deadline_ns: RECEIVED + 48 * HOUR,
            alerts: vec![CALLBACK],
        }
    );
    // Asked already: no second callback alert, nothing to change.
    let asked = Stored {
        callback: true,
        deadline_ns: RECEIVED + 48 * HOUR,
    };
    assert_eq!(decide(Some(asked), &a, rule(false), NOW), Opening::Nothing);
}

#[test]
fn row_5_carried_hours_move_the_deadline_without_an_alert() {
    let stored = Stored {
        callback: true,
        deadline_ns: RECEIVED + 24 * HOUR,
    };
    let a = Answer {
        callback: true,
        hours: Some(12),
        ..answer(3)
    };
    assert_eq!(
        decide(Some(stored), &a, rule(false), NOW),
        Opening::Update {
            callback: true,
            deadline_ns: RECEIVED + 12 * HOUR,
            alerts: vec![],
        }
    );
}

#[test]
fn row_6_a_stored_case_is_never_opened_twice() {
    let stored = Stored {
        callback: false,
        deadline_ns: RECEIVED + 24 * HOUR,
    };
    for score in [0, 5, 8, 10] {
        assert_eq!(
            decide(Some(stored), &answer(score), rule(true), NOW),
            Opening::Nothing,
            "{score}"
        );
    }
}

#[test]
fn row_7_a_detractor_opens_a_case_with_its_opened_alert_after_the_grace() {
    assert_eq!(
        decide(None, &answer(6), rule(false), NOW),
        Opening::Open {
            category: Category::Detractor,
            score: 6,
            callback: false,
            deadline_ns: RECEIVED + 24 * HOUR,
            alerts: vec![opened(RECEIVED + GRACE_NS)],
        }
    );
    // At its last stage, asking a call-back with its own promise: the louder alert alone, at once.
    let done = Answer {
        callback: true,
        hours: Some(2),
        stage: Stage::Completed,
        ..answer(0)
    };
    assert_eq!(
        decide(None, &done, rule(false), NOW),
        Opening::Open {
            category: Category::Detractor,
            score: 0,
            callback: true,
            deadline_ns: RECEIVED + 2 * HOUR,
            alerts: vec![CALLBACK],
        }
    );
}

#[test]
fn row_8_and_9_passives_only_when_the_rule_says_promoters_never() {
    assert!(matches!(
        decide(None, &answer(7), rule(true), NOW),
        Opening::Open {
            category: Category::Passive,
            ..
        }
    ));
    assert_eq!(decide(None, &answer(8), rule(false), NOW), Opening::Nothing);
    assert_eq!(decide(None, &answer(9), rule(true), NOW), Opening::Nothing);
    let unscored = Answer {
        score: None,
        category: None,
        stage: Stage::Dismissed,
        ..answer(0)
    };
    assert_eq!(decide(None, &unscored, rule(true), NOW), Opening::Nothing);
}
