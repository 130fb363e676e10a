//! The cases of the conformance suite (run on each engine by `conformance!`): a case and its
//! alerts commit with the answer that caused them, an update never opens a second case,
//! passives by the survey's rule, edits with their history, the alert queue's uniqueness,
//! lease and outcomes, and everything survives a reopen of the store; the figures read every
//! case the list does, without the answers' bodies.

use super::{at, id, refusal, resp, target, Engine};
use nps_collector::storage::{Admission, CaseFilter, CaseRule, Edits, NotApplied, Store};
use nps_core::cases::delivery::{Decision, Outcome};
use nps_core::cases::opening::{AlertKind, GRACE_NS};
use nps_core::cases::State;
use serde_json::json;

const SECOND: i64 = 1_000_000_000;
const HOUR: i64 = 3600 * SECOND;

fn detractor(n: u32, s: i64) -> nps_core::contract::payload::Response {
    resp(n, s, json!({"score": 3}))
}

fn callback(n: u32, s: i64, hours: u32) -> nps_core::contract::payload::Response {
    resp(
        n,
        s,
        json!({"score": 3, "stage": "completed", "reasons": ["wait"],
            "contact": {"phone": "+8613812343788", "consent": true, "callback_hours": hours}}),
    )
}

async fn keys(s: &Store, now_s: i64) -> Vec<String> {
    let mut k: Vec<String> = s
        .alerts_to_fan(&at(now_s), 100)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.key)
        .collect();
    k.sort();
    k
}

/// A detractor opens one case with its `opened` alert (due after the grace); the completed
/// post asking a call-back updates it (callback, the carried hours' deadline, a `callback`
/// alert) and never opens a second; a promoter opens none.
pub async fn a_detractor_opens_one_case_and_an_update_adds_the_callback(e: Engine) {
    let s = Store::connect(&target(e)).await.unwrap();
    s.upsert(detractor(1, 10), at(10), None).await.unwrap();
    s.upsert(resp(2, 10, json!({})), at(10), None)
        .await
        .unwrap();
    let cases = s.case_list(&CaseFilter::default()).await.unwrap();
    assert_eq!(cases.len(), 1, "one case, the detractor's");
    let c = &cases[0];
    assert_eq!(
        (c.response_id.as_str(), c.state, c.score, c.callback),
        (id(1).as_str(), State::Open, 3, false)
    );
    assert_eq!(c.store.as_deref(), Some("SZ-FT"));
    assert_eq!(c.deadline_ns, at(10).ns + 24 * HOUR);
    let opened = format!("case:{}:opened", c.id);
    assert!(keys(&s, 10).await.is_empty(), "the opened alert waits");
    assert_eq!(keys(&s, 10 + GRACE_NS / SECOND).await, vec![opened.clone()]);

    s.upsert(callback(1, 20, 48), at(20), None).await.unwrap();
    s.upsert(callback(1, 30, 48), at(30), None).await.unwrap(); // the same again
    let cases = s.case_list(&CaseFilter::default()).await.unwrap();
    assert_eq!(cases.len(), 1, "an update never opens a second case");
    let c = &cases[0];
    assert!(c.callback);
    assert_eq!(c.deadline_ns, at(10).ns + 48 * HOUR, "the promise carried");
    let mut want = vec![format!("case:{}:callback", c.id), opened];
    want.sort();
    assert_eq!(keys(&s, 10 + GRACE_NS / SECOND).await, want);
    let (_, history) = s.case_get(&c.id).await.unwrap().unwrap();
    let whats: Vec<&str> = history.iter().map(|h| h.what.as_str()).collect();
    assert_eq!(whats, ["opened", "callback"]);
    assert_eq!(history[0].score, Some(3));
    assert_eq!(
        history.iter().map(|h| h.seq).collect::<Vec<_>>(),
        [1, 2],
        "numbered per case"
    );
}

/// The case and its alert are written in the answer's transaction: when the alert cannot be
/// written, the answer is not stored either (and a promoter, which needs no alert, is).
pub async fn a_case_and_its_alert_commit_with_the_answer_or_not_at_all(e: Engine) {
    let t = target(e);
    let s = Store::connect(&t).await.unwrap();
    for sql in ["DROP TABLE alert_jobs", "DROP TABLE alerts"] {
        assert_eq!(refusal(&t, sql), "accepted");
    }
    assert!(s.upsert(detractor(1, 10), at(10), None).await.is_err());
    assert_eq!(
        s.body(&id(1)).await.unwrap(),
        None,
        "no answer without its case"
    );
    s.upsert(resp(2, 10, json!({})), at(11), None)
        .await
        .unwrap();
    assert!(s.body(&id(2)).await.unwrap().is_some());
    assert!(s
        .case_list(&CaseFilter::default())
        .await
        .unwrap()
        .is_empty());
}

/// Passives open cases only where the survey's rule says; the rule's hours are the deadline of
/// an answer that carries none; a flagged detractor opens none.
pub async fn passives_open_cases_only_when_the_rule_says(e: Engine) {
    let s = Store::connect(&target(e)).await.unwrap();
    let passive = |n| resp(n, 10, json!({"score": 7}));
    s.upsert(passive(1), at(10), None).await.unwrap();
    let rule = Admission {
        cases: CaseRule {
            passives: true,
            default_hours: 48,
        },
        ..Admission::default()
    };
    s.upsert_admitted(passive(2), at(10), None, rule)
        .await
        .unwrap();
    s.upsert(detractor(3, 10), at(10), Some("too_fast"))
        .await
        .unwrap();
    let cases = s.case_list(&CaseFilter::default()).await.unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(
        (cases[0].response_id.as_str(), cases[0].category.as_str()),
        (id(2).as_str(), "passive")
    );
    assert_eq!(cases[0].deadline_ns, at(10).ns + 48 * HOUR);
}

/// Edits: contact, resolve with a root cause, reopen; a refusal names the state; each accepted
/// event is a history line in order; the case, its history and its alerts survive a reopen of
/// the store; a re-survey answer records its score on the case.
pub async fn edits_keep_their_history_and_survive_a_reopen(e: Engine) {
    let t = target(e);
    let s = Store::connect(&t).await.unwrap();
    s.upsert(detractor(1, 10), at(10), None).await.unwrap();
    let case = s.case_list(&CaseFilter::default()).await.unwrap()[0].clone();
    let edit = |status, note: Option<&str>, cause: Option<&str>| Edits {
        status,
        note: note.map(String::from),
        root_cause: cause.map(String::from),
        owner: None,
    };
    let who = "li@brand.example";
    let contacted = edit(Some(State::Contacted), Some("已回电"), None);
    s.case_apply(&case.id, who, &contacted, &at(100))
        .await
        .unwrap()
        .unwrap();
    let again = s
        .case_apply(&case.id, who, &contacted, &at(110))
        .await
        .unwrap();
    assert!(
        matches!(&again, Err(NotApplied::Refused(r)) if r.to_string().contains("contacted does not take `contact`")),
        "{again:?}"
    );
    let owner = Edits {
        owner: Some("wang@brand.example".into()),
        ..Edits::default()
    };
    s.case_apply(&case.id, "admin token", &owner, &at(120))
        .await
        .unwrap()
        .unwrap();
    let resolved = edit(Some(State::Resolved), None, Some("等待时间"));
    s.case_apply(&case.id, who, &resolved, &at(200))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        s.case_apply("no-such-case", who, &resolved, &at(201))
            .await
            .unwrap(),
        Err(NotApplied::Unknown)
    );
    // A re-survey answer through the case's link: its score on the case, no case of its own.
    let recovery = Admission {
        recovery_of: Some(case.id.parse().unwrap()),
        ..Admission::default()
    };
    s.upsert_admitted(resp(2, 300, json!({"score": 9})), at(300), None, recovery)
        .await
        .unwrap();
    s.flush().await.unwrap();
    drop(s);

    let s = Store::connect(&t).await.unwrap();
    let (c, history) = s.case_get(&case.id).await.unwrap().unwrap();
    assert_eq!(c.state, State::Resolved);
    assert_eq!(c.root_cause.as_deref(), Some("等待时间"));
    assert_eq!(c.owner.as_deref(), Some("wang@brand.example"));
    assert_eq!(
        (c.first_contact_ns, c.resolved_ns),
        (Some(at(100).ns), Some(at(200).ns))
    );
    assert_eq!(
        (c.recovery_score, c.recovery_ns),
        (Some(9), Some(at(300).ns))
    );
    let lines: Vec<(&str, &str)> = history
        .iter()
        .map(|h| (h.what.as_str(), h.who.as_str()))
        .collect();
    assert_eq!(
        lines,
        [
            ("opened", "collector"),
            ("contacted", who),
            ("note", who),
            ("assigned", "admin token"),
            ("resolved", who),
            ("recovery_answer", "collector"),
        ]
    );
    assert_eq!(s.case_list(&CaseFilter::default()).await.unwrap().len(), 1);
    assert_eq!(keys(&s, 1000).await.len(), 1, "the opened alert survived");
    // Reopened: open again, its root cause and resolution cleared, counted, and the same
    // promise again from the reopening (not its first deadline, long past).
    let (before, _) = s.case_get(&case.id).await.unwrap().unwrap();
    let promise = before.deadline_ns - before.received_ns;
    s.case_apply(
        &case.id,
        who,
        &edit(Some(State::Open), None, None),
        &at(400),
    )
    .await
    .unwrap()
    .unwrap();
    let (c, _) = s.case_get(&case.id).await.unwrap().unwrap();
    assert_eq!(
        (c.state, c.reopens, c.root_cause, c.resolved_ns),
        (State::Open, 1, None, None)
    );
    assert_eq!(c.deadline_ns, at(400).ns + promise);
}

/// The alert queue: a key makes one alert; fan-out makes one job per channel (twice: still
/// one); two leasers at once never get one job; a failure waits its backoff, a refusal is
/// dead with its reason; a lapsed lease is leased again; due reminders and breaches.
pub async fn the_alert_queue_makes_each_job_once_and_leases_it_to_one(e: Engine) {
    let s = Store::connect(&target(e)).await.unwrap();
    let now = at(0);
    let digest = || {
        s.insert_alert(
            "digest:2026-11-23",
            AlertKind::Digest,
            None,
            Some("{}"),
            now.ns,
            &now,
        )
    };
    assert!(digest().await.unwrap(), "made");
    assert!(!digest().await.unwrap(), "a key makes one alert");
    let alerts = s.alerts_to_fan(&now, 10).await.unwrap();
    assert_eq!(alerts.len(), 1);
    let channels: Vec<String> = (0..40).map(|i| format!("ch-{i}")).collect();
    s.fan_out(&alerts[0].id, &channels, &now).await.unwrap();
    s.fan_out(&alerts[0].id, &channels, &now).await.unwrap();
    assert!(s.alerts_to_fan(&now, 10).await.unwrap().is_empty());

    let lease = 60 * SECOND;
    let (a, b) = tokio::join!(
        s.lease_jobs("a", &now, lease, 25),
        s.lease_jobs("b", &now, lease, 25)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.len() + b.len(), 40, "every job leased once");
    let mut all: Vec<&str> = a.iter().chain(&b).map(|j| j.channel.as_str()).collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 40, "no job leased twice");
    assert!(s.lease_jobs("c", &now, lease, 40).await.unwrap().is_empty());

    let id = alerts[0].id.clone();
    let failed = Outcome::Failed { retry_after: None };
    let d = s
        .job_done(&id, "ch-0", failed, Some("HTTP 502"), &at(1))
        .await
        .unwrap();
    assert_eq!(d, Some(Decision::WaitUntil(at(11).ns)), "10 s backoff");
    let d = s
        .job_done(&id, "ch-1", Outcome::Refused, Some("errcode 93000"), &at(1))
        .await;
    assert!(matches!(d, Ok(Some(Decision::GiveUp(_)))), "{d:?}");
    assert_eq!(
        s.job_done(&id, "ch-2", Outcome::Sent, None, &at(1))
            .await
            .unwrap(),
        Some(Decision::Done)
    );
    let dead = s.dead_jobs().await.unwrap();
    assert_eq!(dead.len(), 1);
    assert!(dead[0].reason.as_deref().unwrap().contains("errcode 93000"));
    assert_eq!(
        s.robot_sends("ch-2", at(0).ns).await.unwrap(),
        vec![at(1).ns]
    );
    // At 61 s the other leases lapsed; ch-0 is due again at 11 s.
    let again = s.lease_jobs("c", &at(61), lease, 100).await.unwrap();
    assert_eq!(again.len(), 38, "all but the sent and the dead");
    let ch0 = again.iter().find(|j| j.channel == "ch-0").unwrap();
    assert_eq!(ch0.job.attempts, 1);

    // Reminders 4 h before the deadline, a breach after it, each once per reopening.
    s.upsert(detractor(1, 0), at(0), None).await.unwrap();
    let remind = 4;
    assert!(s.cases_due_for(&at(3600), remind).await.unwrap().is_empty());
    let due = s.cases_due_for(&at(21 * 3600), remind).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].kind, AlertKind::Reminder);
    assert!(due[0].key.ends_with(":reminder:0"), "{}", due[0].key);
    let n = at(21 * 3600);
    s.insert_alert(
        &due[0].key,
        due[0].kind,
        Some(&due[0].case_id),
        None,
        n.ns,
        &n,
    )
    .await
    .unwrap();
    assert!(s.cases_due_for(&n, remind).await.unwrap().is_empty());
    let due = s.cases_due_for(&at(25 * 3600), remind).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].kind, AlertKind::Breach);
    // A day past its deadline, a case is left to the digest.
    let late = s
        .cases_due_for(&at((24 + 24) * 3600 + 1), remind)
        .await
        .unwrap();
    assert!(late.is_empty(), "{late:?}");
}

/// A customer's deletion takes their case with it: its history, alerts and jobs, so nothing
/// about them is sent or listed after; a re-survey score the deleted answer gave is cleared.
pub async fn a_deleted_answer_takes_its_case_and_alerts_with_it(e: Engine) {
    let s = Store::connect(&target(e)).await.unwrap();
    s.upsert(callback(1, 10, 24), at(10), None).await.unwrap();
    s.upsert(detractor(2, 10), at(10), None).await.unwrap();
    let kept = s.case_list(&CaseFilter::default()).await.unwrap();
    let gone = kept
        .iter()
        .find(|c| c.response_id == id(1))
        .unwrap()
        .id
        .clone();
    let other = kept
        .iter()
        .find(|c| c.response_id == id(2))
        .unwrap()
        .id
        .clone();
    for a in s.alerts_to_fan(&at(3600), 100).await.unwrap() {
        s.fan_out(&a.id, &["ch".to_owned()], &at(3600))
            .await
            .unwrap();
    }
    assert!(s.delete(&id(1)).await.unwrap());
    let left = s.case_list(&CaseFilter::default()).await.unwrap();
    assert_eq!(
        left.iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
        vec![other.clone()]
    );
    assert!(s.case_get(&gone).await.unwrap().is_none());
    assert!(!s
        .alert_exists(&format!("case:{gone}:opened"))
        .await
        .unwrap());
    assert!(!s
        .alert_exists(&format!("case:{gone}:callback"))
        .await
        .unwrap());
    let jobs = s
        .lease_jobs("w", &at(7200), 60 * SECOND, 100)
        .await
        .unwrap();
    assert!(jobs.iter().all(|j| j.alert_id != gone), "{jobs:?}");
    assert_eq!(jobs.len(), 1, "the other case's job stays: {jobs:?}");
    assert!(s
        .alert_exists(&format!("case:{other}:opened"))
        .await
        .unwrap());
    assert!(!s.delete(&id(1)).await.unwrap(), "deleted once");
}

/// The cases the figures read (`case_figures`) are the ones the list gives for the same
/// filter, each the same but for the answer's body (never read) and the order: whether a
/// re-survey link was taken included.
pub async fn the_figures_read_the_listed_cases_without_their_bodies(e: Engine) {
    let s = Store::connect(&target(e)).await.unwrap();
    for n in 1..=4 {
        s.upsert(
            callback(n, 10 * i64::from(n), 24),
            at(10 * i64::from(n)),
            None,
        )
        .await
        .unwrap();
    }
    s.flush().await.unwrap();
    let cases = s.case_list(&CaseFilter::default()).await.unwrap();
    assert_eq!(cases.len(), 4);
    let resolve = Edits {
        status: Some(State::Resolved),
        root_cause: Some("等待时间".into()),
        ..Edits::default()
    };
    for (i, c) in cases.iter().take(2).enumerate() {
        s.case_apply(&c.id, "li@brand.example", &resolve, &at(100))
            .await
            .unwrap()
            .unwrap();
        if i == 0 {
            assert!(s
                .case_recovery_sent(&c.id, "li@brand.example", &at(110))
                .await
                .unwrap());
        }
    }
    let filters = [
        CaseFilter::default(),
        CaseFilter {
            state: Some(State::Resolved),
            ..CaseFilter::default()
        },
        CaseFilter {
            state: Some(State::Open),
            ..CaseFilter::default()
        },
    ];
    for filter in filters {
        let mut listed = s.case_list(&filter).await.unwrap();
        assert!(
            listed.iter().all(|c| c.body.is_some()),
            "the list has the bodies"
        );
        for c in &mut listed {
            c.body = None;
        }
        let mut figures = s.case_figures(&filter).await.unwrap();
        listed.sort_by(|a, b| a.id.cmp(&b.id));
        figures.sort_by(|a, b| a.id.cmp(&b.id));
        assert_eq!(figures, listed, "{filter:?}");
    }
    let all = s.case_figures(&CaseFilter::default()).await.unwrap();
    assert_eq!(all.iter().filter(|c| c.recovery_sent).count(), 1);
    assert_eq!(all.iter().filter(|c| c.state == State::Resolved).count(), 2);
}
