//! The referrals of the conformance suite (run on each engine by `conformance!`): one code per
//! answer, a friend's opens one row per device, the first share kept, an event once per brand
//! id with its thank-you alert made in the same transaction, the friend's phone removed at its
//! retention, and everything gone with the answer; the friends' bookings read back newest
//! first with their referral's store and promoter, by window and store.

use super::{at, fresh, id, resp, Engine};
use nps_collector::storage::{FormBooked, NewEvent, NewReferral, OpenMarks, Recorded, Window};
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
        device_fallback: None,
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

pub async fn bookings_read_back_newest_first_by_window_and_store(e: Engine) {
    let s = fresh(e).await;
    let (one, two) = (id(1), id(2));
    let referral = |code, response_id, store| NewReferral {
        code,
        response_id,
        survey: "after-sales",
        store: Some(store),
        advisor: Some("wang"),
        visit: None,
        device: None,
        device_fallback: None,
    };
    s.referral_issue(&referral(CODE, &one, "SZ-FT"), &at(1))
        .await
        .unwrap();
    s.referral_issue(&referral(OTHER, &two, "BJ-CY"), &at(1))
        .await
        .unwrap();
    s.referral_name(CODE, Some("王先生")).await.unwrap();
    let body = "{}";
    let mut api = event(EventKind::Booked, Some("B-1"), None);
    api.at_ns = at(9).ns;
    let mut form = event(EventKind::Booked, None, Some("+8613812343788"));
    form.at_ns = at(12).ns;
    form.preferred_date = Some("2026-12-10");
    let bought = event(EventKind::Purchased, Some("B-1"), None);
    let mut theirs = event(EventKind::Booked, None, Some("+8613900001111"));
    theirs.code = OTHER;
    theirs.at_ns = at(14).ns;
    for e in [&api, &form, &bought, &theirs] {
        s.referral_event(e, body, &at(15)).await.unwrap();
    }
    let all = s.referral_bookings(&Window::default(), None).await.unwrap();
    let seen: Vec<(&str, Option<&str>)> = all
        .iter()
        .map(|b| (b.code.as_str(), b.store.as_deref()))
        .collect();
    assert_eq!(
        seen,
        [
            (OTHER, Some("BJ-CY")),
            (CODE, Some("SZ-FT")),
            (CODE, Some("SZ-FT"))
        ],
        "bookings only, newest first"
    );
    let f = &all[1];
    assert_eq!(
        (
            f.promoter_name.as_deref(),
            f.friend_name.as_deref(),
            f.preferred_date.as_deref(),
            f.phone.as_deref(),
            f.via.as_str(),
            f.at_ns,
            f.advisor.as_deref(),
        ),
        (
            Some("王先生"),
            Some("李"),
            Some("2026-12-10"),
            Some("+8613812343788"),
            "form",
            at(12).ns,
            Some("wang"),
        )
    );
    assert_eq!(all[2].phone, None);
    let ours = s
        .referral_bookings(&Window::default(), Some("SZ-FT"))
        .await
        .unwrap();
    assert_eq!(ours.len(), 2);
    let since = Window {
        since_ns: Some(at(10).ns),
        until_ns: Some(at(14).ns),
        ..Window::default()
    };
    let window = s.referral_bookings(&since, None).await.unwrap();
    assert_eq!(
        window,
        std::slice::from_ref(f),
        "from inclusive, to exclusive"
    );
    let other_survey = Window {
        survey: Some("sales".into()),
        ..Window::default()
    };
    assert!(s
        .referral_bookings(&other_survey, None)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(s.referral_booking(&f.id).await.unwrap().as_ref(), Some(f));
    assert_eq!(s.referral_booking("nope").await.unwrap(), None);
}

/// A friend's open with its marks (a cookie, a cookie-less mark, a network) and a form
/// booking counted against its code's and store's day: own, repeat by cookie or by the
/// cookie-less mark, a network's day full; a code's day full rolls the booking back, a
/// store's day full makes the day's one note; the same friend again is a duplicate.
pub async fn opens_and_form_bookings_keep_their_days(e: Engine) {
    use nps_core::growth::referral::{
        FORM_BOOKINGS_PER_DAY, NET_OPENS_PER_DAY, STORE_THANKS_PER_DAY,
    };
    let s = fresh(e).await;
    let promoter = id(1);
    let new = |code, response_id| NewReferral {
        code,
        response_id,
        survey: "after-sales",
        store: Some("SZ-FT"),
        advisor: None,
        visit: None,
        device: Some("c-promoter"),
        device_fallback: Some("f-promoter"),
    };
    s.referral_issue(&new(CODE, &promoter), &at(1))
        .await
        .unwrap();
    let marks = |device, fallback, net, new_cookie| OpenMarks {
        device,
        fallback,
        net,
        new_cookie,
    };
    let open = |m: OpenMarks<'static>, own: bool, t: i64| {
        let s = s.clone();
        async move {
            s.referral_open_marked(CODE, &m, own, at(0).ns, &at(t))
                .await
                .unwrap()
        }
    };
    assert_eq!(
        open(marks("c-promoter", "f-promoter", "n-0", false), true, 2).await,
        Open::Own
    );
    assert_eq!(
        open(marks("c-1", "f-1", "n-1", true), false, 3).await,
        Open::Counted
    );
    assert_eq!(
        open(marks("c-1", "f-1", "n-1", false), false, 4).await,
        Open::Repeat
    );
    // The same phone without its cookie: its cookie-less mark.
    assert_eq!(
        open(marks("c-1b", "f-1", "n-1", true), false, 5).await,
        Open::Repeat
    );
    // A new cookie from a browser that keeps cookies is a new device even with the same mark.
    assert_eq!(
        open(marks("c-2", "f-1", "n-2", false), false, 6).await,
        Open::Counted
    );
    let mut n = 0;
    let devices: Vec<&'static str> = (0..NET_OPENS_PER_DAY + 2)
        .map(|i| &*Box::leak(format!("c-net-{i}").into_boxed_str()))
        .collect();
    for d in &devices {
        if open(marks(d, d, "n-office", false), false, 7).await == Open::Counted {
            n += 1;
        }
    }
    assert_eq!(n, NET_OPENS_PER_DAY);
    assert_eq!(
        s.referral_opens(CODE).await.unwrap().0,
        2 + NET_OPENS_PER_DAY as i64
    );
    assert_eq!(s.referral_opened(CODE, "c-1b").await.unwrap(), Some(false));
    assert_eq!(
        s.referral_opened(CODE, "c-promoter").await.unwrap(),
        Some(true)
    );
    assert_eq!(s.referral_opened(CODE, "c-never").await.unwrap(), None);
    // Form bookings: the code's day, then the store's.
    let phones: Vec<&'static str> = (0..STORE_THANKS_PER_DAY + 8)
        .map(|i| &*Box::leak(format!("+86139{i:08}").into_boxed_str()))
        .collect();
    let booking = |code: &'static str, phone: &'static str| NewEvent {
        code,
        kind: EventKind::Booked,
        reference: Some(phone),
        via: "form",
        at_ns: at(10).ns,
        friend_name: Some("李"),
        friend_phone: Some(phone),
        preferred_date: None,
        purge_after_ns: None,
    };
    let book = |code, phone| {
        let s = s.clone();
        async move {
            s.referral_form_booking(
                &booking(code, phone),
                Some("SZ-FT"),
                7,
                ("{}", "{\"held\":true}"),
                &at(10),
            )
            .await
            .unwrap()
        }
    };
    for p in &phones[..FORM_BOOKINGS_PER_DAY as usize] {
        assert_eq!(book(CODE, p).await, FormBooked::New { held: false });
    }
    assert_eq!(book(CODE, phones[0]).await, FormBooked::Duplicate);
    assert_eq!(book(CODE, phones[20]).await, FormBooked::Full);
    assert_eq!(
        s.referral_events(CODE).await.unwrap().len(),
        FORM_BOOKINGS_PER_DAY as usize
    );
    // Other codes of the store fill its day: later bookings are kept, with one note.
    let mut held = 0;
    let mut made = FORM_BOOKINGS_PER_DAY;
    let mut k = 2;
    while made < STORE_THANKS_PER_DAY + 3 {
        let code: &'static str = Box::leak(format!("{:A>24}", format!("C{k}")).into_boxed_str());
        let rid: &'static str = Box::leak(id(k).into_boxed_str());
        s.referral_issue(&new(code, rid), &at(1)).await.unwrap();
        for j in 0..FORM_BOOKINGS_PER_DAY as usize {
            let p: &'static str = Box::leak(format!("+86137{k:04}{j:04}").into_boxed_str());
            match book(code, p).await {
                FormBooked::New { held: true } => held += 1,
                FormBooked::New { held: false } => {}
                other => panic!("{other:?}"),
            }
            made += 1;
        }
        k += 1;
    }
    assert_eq!(held, made - STORE_THANKS_PER_DAY);
    let alerts = s.alerts_to_fan(&at(20), 1000).await.unwrap();
    assert_eq!(
        alerts.len() as u64,
        STORE_THANKS_PER_DAY + 1,
        "the day's thank-yous and one note"
    );
    // Another day starts again.
    let next = s
        .referral_form_booking(
            &booking(CODE, phones[21]),
            Some("SZ-FT"),
            8,
            ("{}", "{}"),
            &at(11),
        )
        .await
        .unwrap();
    assert_eq!(next, FormBooked::New { held: false });
}
