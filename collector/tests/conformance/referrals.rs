//! The referrals of the conformance suite (run on each engine by `conformance!`): one code per
//! answer, a friend's opens one row per device, the first share kept, an event once per brand
//! id with its thank-you alert made in the same transaction, the friend's phone removed at its
//! retention, and everything gone with the answer.

use super::{at, fresh, id, resp, Engine};
use nps_collector::storage::{NewEvent, NewReferral, Recorded};
use nps_core::growth::referral::{EventKind, Open};
use serde_json::json;

const CODE: &str = "AAAAAAAAAAAAAAAAAAAAAAAA";
const OTHER: &str = "BBBBBBBBBBBBBBBBBBBBBBBB";

fn event<'a>(kind: EventKind, reference: Option<&'a str>, phone: Option<&'a str>) -> NewEvent<'a> {
    NewEvent {
        code: CODE,
        kind,
        reference,
        via: if phone.is_some() { "form" } else { "api" },
        at_ns: at(100).ns,
        friend_name: phone.map(|_| "李"),
        friend_phone: phone,
        preferred_date: None,
        purge_after_ns: phone.map(|_| at(1000).ns),
    }
}

pub async fn referrals_count_once_and_go_with_their_answer(e: Engine) {
    let s = fresh(e).await;
    let promoter = id(1);
    s.upsert(
        resp(1, 0, json!({"score": 10, "visit": "R-1"})),
        at(0),
        None,
    )
    .await
    .unwrap();
    let new = |code| NewReferral {
        code,
        response_id: &promoter,
        survey: "after-sales",
        store: Some("SZ-FT"),
        advisor: Some("wang"),
        visit: Some("R-1"),
        device: Some("d-promoter"),
    };
    let first = s.referral_issue(&new(CODE), &at(1)).await.unwrap();
    let again = s.referral_issue(&new(OTHER), &at(2)).await.unwrap();
    assert_eq!(first, again, "one code per answer");
    assert_eq!((first.code.as_str(), first.created_ns), (CODE, at(1).ns));
    assert!(s.referral(OTHER).await.unwrap().is_none());
    // Name and first share.
    assert!(s.referral_name(CODE, Some("王先生")).await.unwrap());
    assert!(!s.referral_name(OTHER, Some("x")).await.unwrap());
    assert!(s.referral_shared(CODE, &at(3)).await.unwrap());
    assert!(s.referral_shared(CODE, &at(4)).await.unwrap());
    let r = s.referral(CODE).await.unwrap().unwrap();
    assert_eq!(
        (r.name.as_deref(), r.shared_ns),
        (Some("王先生"), Some(at(3).ns))
    );
    // Opens: the promoter's own, a friend three times, another friend.
    assert_eq!(
        s.referral_open(CODE, "d-promoter", true, &at(5))
            .await
            .unwrap(),
        Open::Own
    );
    assert_eq!(
        s.referral_open(CODE, "d-1", false, &at(6)).await.unwrap(),
        Open::Counted
    );
    assert_eq!(
        s.referral_open(CODE, "d-1", false, &at(7)).await.unwrap(),
        Open::Repeat
    );
    assert_eq!(
        s.referral_open(CODE, "d-2", false, &at(8)).await.unwrap(),
        Open::Counted
    );
    assert_eq!(s.referral_opens(CODE).await.unwrap(), (2, 3));
    // Events: once per brand id, each new one with its alert; form bookings have no id.
    let body = r#"{"code":"AAAAAAAAAAAAAAAAAAAAAAAA","kind":"booked","store":"SZ-FT"}"#;
    let booked = event(EventKind::Booked, Some("B-1"), None);
    assert_eq!(
        s.referral_event(&booked, body, &at(9)).await.unwrap(),
        Recorded::New
    );
    assert_eq!(
        s.referral_event(&booked, body, &at(10)).await.unwrap(),
        Recorded::Duplicate
    );
    let bought = event(EventKind::Purchased, Some("B-1"), None);
    assert_eq!(
        s.referral_event(&bought, body, &at(11)).await.unwrap(),
        Recorded::New
    );
    let form = event(EventKind::Booked, None, Some("+8613812345678"));
    assert_eq!(
        s.referral_event(&form, body, &at(12)).await.unwrap(),
        Recorded::New
    );
    assert_eq!(
        s.referral_event(&form, body, &at(13)).await.unwrap(),
        Recorded::New
    );
    assert_eq!(s.referral_events(CODE).await.unwrap().len(), 4);
    let alerts = s.alerts_to_fan(&at(20), 100).await.unwrap();
    assert_eq!(alerts.len(), 4, "one thank-you per new event");
    assert!(alerts
        .iter()
        .all(|a| a.kind == "referral" && a.body.as_deref() == Some(body)));
    // The friend's phone goes at its retention; the event stays.
    assert_eq!(s.purge(at(999)).await.unwrap(), 0);
    assert_eq!(s.purge(at(1000)).await.unwrap(), 2);
    let kept: Vec<bool> = s
        .referral_events(CODE)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.2)
        .collect();
    assert_eq!(kept, [false; 4]);
    // Another answer's referral stays when this one is deleted.
    s.upsert(
        resp(2, 0, json!({"score": 10, "visit": "R-2"})),
        at(0),
        None,
    )
    .await
    .unwrap();
    let other_id = id(2);
    let mut other = new(OTHER);
    other.response_id = &other_id;
    s.referral_issue(&other, &at(1)).await.unwrap();
    let mut theirs = event(EventKind::Booked, Some("B-9"), None);
    theirs.code = OTHER;
    s.referral_event(&theirs, body, &at(14)).await.unwrap();
    assert!(s.delete(&promoter).await.unwrap());
    assert!(s.referral(CODE).await.unwrap().is_none());
    assert!(s.referral_events(CODE).await.unwrap().is_empty());
    assert_eq!(s.referral_opens(CODE).await.unwrap(), (0, 0));
    let left = s.alerts_to_fan(&at(20), 100).await.unwrap();
    assert_eq!(left.len(), 1, "the other answer's thank-you stays");
    assert!(s.referral(OTHER).await.unwrap().is_some());
}
