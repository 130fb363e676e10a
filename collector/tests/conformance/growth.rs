//! The growth cases of the conformance suite (run on each engine by `conformance!`): invited
//! visits recorded in one transaction with their first issue time, channel and reporter, a
//! visit kept its store's, a landing's first open, an answer's marks kept from its first
//! post, and the funnel's reads of visits (answered by an answer of their store), answers
//! and the referral tables.

use super::{at, id, resp, target, Engine};
use nps_collector::storage::{Marks, NewVisit, Reporter, Taken, Target, VisitsRecorded, Window};
use nps_collector::{Admission, Store};
use nps_core::growth::visit::Channel;
use serde_json::json;

/// A statement run on the database directly (what another part of the collector writes).
fn exec(t: &Target, sql: &str) {
    match t {
        Target::Sqlite(path) => {
            rusqlite::Connection::open(path)
                .unwrap()
                .execute_batch(sql)
                .unwrap();
        }
        Target::Postgres(url) => {
            let db = url.rsplit('/').next().unwrap().to_owned();
            super::common::postgres::shared().psql(&db, sql);
        }
    }
}

fn visit(v: &str, store: Option<&str>, advisor: Option<&str>, issued_s: i64) -> NewVisit {
    NewVisit {
        survey: "after-sales".into(),
        visit: v.into(),
        store: store.map(str::to_owned),
        advisor: advisor.map(str::to_owned),
        touchpoint: None,
        issued_ns: at(issued_s).ns,
        channel: Channel::Message,
    }
}

/// A reporter: the API with a scoped token, or the command line (every store).
fn by(source: &'static str, every_store: bool) -> Reporter<'static> {
    Reporter {
        source,
        by: if every_store { "cli" } else { "token:7" },
        every_store,
    }
}

fn done(recorded: usize, known: usize) -> VisitsRecorded {
    VisitsRecorded::Done { recorded, known }
}

/// Visits: a batch in one transaction, the first issue time kept, the store and advisor
/// filled in by a later post; a landing's first open only, and none for an unknown visit.
pub async fn visits_keep_their_first_issue_time_and_first_open(e: Engine) {
    let s = Store::connect(&target(e)).await.unwrap();
    let first = [
        visit("V1", Some("SZ-FT"), None, 0),
        visit("V2", Some("SZ-FT"), Some("wang"), 10),
    ];
    assert_eq!(
        s.visits_record(&first, &by("api", false), &at(20))
            .await
            .unwrap(),
        done(2, 0)
    );
    let again = [
        visit("V1", None, Some("chen"), 500),
        visit("V3", Some("BJ-CY"), None, 30),
    ];
    assert_eq!(
        s.visits_record(&again, &by("sign-visit", true), &at(600))
            .await
            .unwrap(),
        done(1, 1)
    );
    let all = s.funnel_visits(&Window::default()).await.unwrap();
    let v1 = all.iter().find(|v| v.visit == "V1").unwrap();
    assert_eq!(v1.issued_ns, at(0).ns);
    assert_eq!(
        (v1.store.as_deref(), v1.advisor.as_deref()),
        (Some("SZ-FT"), Some("chen"))
    );
    assert!(s.visit_opened("after-sales", "V1", &at(40)).await.unwrap());
    assert!(!s.visit_opened("after-sales", "V1", &at(50)).await.unwrap());
    assert!(!s.visit_opened("after-sales", "V9", &at(50)).await.unwrap());
    let all = s.funnel_visits(&Window::default()).await.unwrap();
    assert_eq!(
        all.iter()
            .map(|v| (v.visit.as_str(), v.opened))
            .collect::<Vec<_>>(),
        [("V1", true), ("V2", false), ("V3", false)]
    );
    // A window of issue times.
    let w = Window {
        since_ns: Some(at(5).ns),
        until_ns: Some(at(30).ns),
        ..Window::default()
    };
    let inside: Vec<String> = s
        .funnel_visits(&w)
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.visit)
        .collect();
    assert_eq!(inside, ["V2"]);
}

/// An answer keeps the marks of its first post; its visit counts as answered; the referral
/// tables are read as what the promoter's code brought.
pub async fn answers_keep_their_marks_and_the_funnel_reads_referrals(e: Engine) {
    let t = target(e);
    let s = Store::connect(&t).await.unwrap();
    s.visits_record(
        &[visit("V1", Some("SZ-FT"), None, 0)],
        &by("api", false),
        &at(1),
    )
    .await
    .unwrap();
    let marked = |device, net| Admission {
        marks: Some(Marks { device, net }),
        ..Admission::operator()
    };
    let r = resp(1, 100, json!({"visit": "V1", "score": 10}));
    s.upsert_admitted(r, at(100), None, marked(0xabc, 0xdef))
        .await
        .unwrap();
    let later = resp(
        1,
        200,
        json!({"visit": "V1", "score": 10, "stage": "completed"}),
    );
    s.upsert_admitted(later, at(200), None, marked(0x111, 0x222))
        .await
        .unwrap();
    s.upsert(resp(2, 300, json!({"score": 3})), at(300), None)
        .await
        .unwrap();
    let answers = s.funnel_answers(&Window::default()).await.unwrap();
    assert_eq!(answers.len(), 2);
    assert_eq!(
        (answers[0].device.as_deref(), answers[0].net.as_deref()),
        (Some("0000000000000abc"), Some("0000000000000def"))
    );
    assert_eq!(
        (answers[0].score, answers[0].issued_ns),
        (10, Some(at(0).ns))
    );
    assert_eq!(
        (answers[1].device.as_deref(), answers[1].issued_ns),
        (None, None)
    );
    assert!(s.funnel_visits(&Window::default()).await.unwrap()[0].answered);
    exec(
        &t,
        &format!(
            "INSERT INTO referrals (code, response_id, survey, store, created_ns, shared_ns)
           VALUES ('c1', '{}', 'after-sales', 'SZ-FT', 1, 2);
         INSERT INTO referral_opens (code, device, at_ns, own) VALUES ('c1', 'd1', 3, 0),
           ('c1', 'd2', 4, 0), ('c1', 'own', 5, 1);
         INSERT INTO referral_events (id, code, kind, ref, via, at_ns) VALUES
           ('e1', 'c1', 'booked', 'B1', 'api', 6), ('e2', 'c1', 'booked', NULL, 'form', 7),
           ('e3', 'c1', 'purchased', 'P1', 'api', 8);",
            id(1)
        ),
    );
    let refs = s.funnel_referrals(&Window::default()).await.unwrap();
    assert_eq!(refs.len(), 1);
    let f = &refs[0];
    assert_eq!(
        (
            f.response_id.as_str(),
            f.shared,
            f.opens,
            f.booked,
            f.purchased
        ),
        (id(1).as_str(), true, 2, 2, 1)
    );
    // Out of the window of its answer: not read.
    let w = Window {
        since_ns: Some(at(250).ns),
        ..Window::default()
    };
    assert!(s.funnel_referrals(&w).await.unwrap().is_empty());
    // Shared through WeChat's ··· menu (no tap recorded): a friend's open says it was.
    s.upsert(resp(3, 100, json!({"score": 9})), at(100), None)
        .await
        .unwrap();
    exec(
        &t,
        &format!(
            "INSERT INTO referrals (code, response_id, survey, store, created_ns)
           VALUES ('c2', '{}', 'after-sales', 'SZ-FT', 1);
         INSERT INTO referrals (code, response_id, survey, store, created_ns)
           VALUES ('c3', '{}', 'after-sales', 'SZ-FT', 1);
         INSERT INTO referral_opens (code, device, at_ns, own) VALUES ('c2', 'd1', 3, 0),
           ('c3', 'own', 3, 1);",
            id(2),
            id(3)
        ),
    );
    let refs = s.funnel_referrals(&Window::default()).await.unwrap();
    let shared = |n: u32| {
        refs.iter()
            .find(|f| f.response_id == id(n))
            .map(|f| f.shared)
    };
    assert_eq!(
        (shared(2), shared(3)),
        (Some(true), Some(false)),
        "a friend's open is a share; the promoter's own open is not"
    );
}

/// A visit is its store's: a batch naming another store's visit (or one recorded without a
/// store, from a scoped caller) writes nothing and names the rows; an answer of another store
/// for a store's visit id neither answers it nor gives it an issue time. A visit keeps the
/// channel it was first recorded with.
pub async fn a_visit_is_its_stores_and_keeps_its_channel(e: Engine) {
    let s = Store::connect(&target(e)).await.unwrap();
    let counter = NewVisit {
        channel: Channel::Counter,
        ..visit("V1", Some("SZ-FT"), None, 0)
    };
    assert_eq!(
        s.visits_record(&[counter], &by("api", false), &at(1))
            .await
            .unwrap(),
        done(1, 0)
    );
    let claim = [
        visit("V2", Some("SZ-NS"), None, 5),
        visit("V1", Some("SZ-NS"), Some("li"), 5),
    ];
    assert_eq!(
        s.visits_record(&claim, &by("api", false), &at(10))
            .await
            .unwrap(),
        VisitsRecorded::Taken(vec![Taken {
            index: 1,
            store: Some("SZ-FT".into())
        }])
    );
    // An admin's batch (every store) cannot move it either.
    assert!(matches!(
        s.visits_record(&claim[1..], &by("api", true), &at(10))
            .await
            .unwrap(),
        VisitsRecorded::Taken(_)
    ));
    let all = s.funnel_visits(&Window::default()).await.unwrap();
    assert_eq!(all.len(), 1, "all or nothing: V2 is not recorded");
    assert_eq!(
        (
            all[0].store.as_deref(),
            all[0].advisor.as_deref(),
            all[0].channel
        ),
        (Some("SZ-FT"), None, Channel::Counter)
    );
    // A visit recorded without a store: a scoped caller may not name its store, a caller of
    // every store may; the same visit again as a message keeps its first channel.
    s.visits_record(&[visit("V3", None, None, 0)], &by("qr", true), &at(1))
        .await
        .unwrap();
    let named = [NewVisit {
        channel: Channel::Counter,
        ..visit("V3", Some("SZ-NS"), None, 0)
    }];
    assert_eq!(
        s.visits_record(&named, &by("api", false), &at(2))
            .await
            .unwrap(),
        VisitsRecorded::Taken(vec![Taken {
            index: 0,
            store: None
        }])
    );
    assert_eq!(
        s.visits_record(&named, &by("api", true), &at(2))
            .await
            .unwrap(),
        done(0, 1)
    );
    let all = s.funnel_visits(&Window::default()).await.unwrap();
    let v3 = all.iter().find(|v| v.visit == "V3").unwrap();
    assert_eq!(
        (v3.store.as_deref(), v3.channel),
        (Some("SZ-NS"), Channel::Message)
    );
    // SZ-NS's answer for SZ-FT's visit id: not SZ-FT's answer.
    let theirs = resp(
        1,
        100,
        json!({"visit": "V1", "score": 10, "context": {"store": "SZ-NS", "visit": "V1"}}),
    );
    s.upsert(theirs, at(100), None).await.unwrap();
    let all = s.funnel_visits(&Window::default()).await.unwrap();
    assert!(!all.iter().find(|v| v.visit == "V1").unwrap().answered);
    let answers = s.funnel_answers(&Window::default()).await.unwrap();
    assert_eq!(
        (answers[0].issued_ns, answers[0].channel),
        (None, None),
        "another store's answer gets no issue time of the visit"
    );
    // SZ-NS's own visit answered by its own answer: answered, with its time and channel.
    s.upsert(
        resp(
            2,
            200,
            json!({"score": 9, "context": {"store": "SZ-NS", "visit": "V3"}}),
        ),
        at(200),
        None,
    )
    .await
    .unwrap();
    let all = s.funnel_visits(&Window::default()).await.unwrap();
    assert!(all.iter().find(|v| v.visit == "V3").unwrap().answered);
    let answers = s.funnel_answers(&Window::default()).await.unwrap();
    assert_eq!(
        (answers[1].issued_ns, answers[1].channel),
        (Some(at(0).ns), Some(Channel::Message))
    );
}
