//! The facts stored beside each body (`storage::facts`), on both engines: written with every
//! insert and update, a phone's mark gone with the phone, the same as the body says, and
//! filled in by the migration for rows stored before it.

use super::*;
use nps_collector::storage::facts::{Fact, Facts};
use nps_core::contract::columns::{COMMENT, PHONE};

/// A fact as owned values: (survey, score, codes, reasons, created, received ns, flag,
/// marks, whether the body had to be read).
type Owned = (
    String,
    Option<i64>,
    [String; 5],
    String,
    Option<i64>,
    i64,
    Option<String>,
    i64,
    bool,
);

fn owned(f: &Fact) -> Owned {
    (
        f.survey.to_owned(),
        f.score,
        f.dims.map(str::to_owned),
        f.reasons.to_owned(),
        f.created_min,
        f.received_ns,
        f.flag.map(str::to_owned),
        f.marks,
        f.body.is_some(),
    )
}

async fn facts(s: &Store) -> Vec<Owned> {
    s.facts(Selection::default(), Vec::new(), |v, f| v.push(owned(f)))
        .await
        .unwrap()
}

/// What each stored body says, as facts (the migration's reading).
async fn of_bodies(s: &Store) -> Vec<Facts> {
    let rows = s.all().await.unwrap();
    rows.iter()
        .map(|r| Facts::of_body(&r.body).expect("an answer"))
        .collect()
}

fn as_facts(o: &Owned) -> Facts {
    Facts {
        dims: o.2.clone().map(|c| Some(c).filter(|c| !c.is_empty())),
        reasons: o.3.clone(),
        created_min: o.4,
        marks: o.7,
    }
}

fn varied() -> Vec<Response> {
    let phone = json!({"phone": "+8613800000000", "consent": true, "retention_days": 30});
    vec![
        resp(1, 1, json!({})),
        resp(
            2,
            1,
            json!({"stage": "completed", "score": 3, "reasons": ["wait_time", "price"],
                   "comment": "等太久", "contact": phone,
                   "context": {"store": "SH-PD", "advisor": "A-1", "model": "X5",
                               "service_type": "repair", "touchpoint": "repair"}}),
        ),
        resp(
            3,
            1,
            json!({"stage": "dismissed", "score": null, "context": {}}),
        ),
        resp(4, 1, json!({"comment": "  ", "survey": "sales"})),
    ]
}

pub async fn the_facts_follow_every_write(e: Engine) {
    let s = fresh(e).await;
    for (i, r) in varied().into_iter().enumerate() {
        s.upsert(r, at(10 + i as i64), None).await.unwrap();
    }
    let got = facts(&s).await;
    assert_eq!(got.len(), 4);
    assert!(got.iter().all(|f| !f.8), "no body read: {got:?}");
    assert_eq!(
        got.iter().map(as_facts).collect::<Vec<_>>(),
        of_bodies(&s).await,
        "the facts say what the bodies say"
    );
    let f = &got[1];
    assert_eq!((f.0.as_str(), f.1), ("after-sales", Some(3)));
    assert_eq!(f.2[0], "SH-PD");
    assert_eq!(f.7, i64::from(COMMENT | PHONE));
    assert_eq!(f.5, at(11).ns);
    assert_eq!(got[2].1, None, "a dismissal has no score");
    assert_eq!(got[3].7, 0, "a blank comment is none");
    // What the comments read: the counted answers with a comment only.
    let flagged = resp(5, 1, json!({"stage": "completed", "comment": "快"}));
    s.upsert(flagged, at(15), Some("too_fast".into()))
        .await
        .unwrap();
    let commented = Selection {
        commented: true,
        ..Selection::default()
    };
    assert_eq!(ids(&s, commented.clone()).await, [id(2)]);
    let read = s.facts(commented.clone(), 0, |n, _| *n += 1).await.unwrap();
    assert_eq!(read, 1);
    assert_eq!(ids(&s, Selection::default()).await.len(), 5);
    // The comments read the candidates' bodies and flags a page at a time.
    let mut got = s.bodies(vec![id(5), id(2), id(99)]).await.unwrap();
    got.sort();
    let got: Vec<(String, Option<String>)> = got
        .into_iter()
        .map(|(i, body, flag)| {
            assert!(body.contains(&i), "its own body");
            (i, flag)
        })
        .collect();
    assert_eq!(
        got,
        [(id(2), None), (id(5), Some("too_fast".to_owned()))],
        "the stored ones, with their flags"
    );
    assert!(s.bodies(Vec::new()).await.unwrap().is_empty());

    // An update moves the facts with the body.
    let on = resp(
        1,
        5,
        json!({"stage": "completed", "reasons": ["repair_quality"], "comment": "好",
               "context": {"store": "GZ-TH", "advisor": "B-2"}}),
    );
    assert_eq!(s.upsert(on, at(20), None).await.unwrap(), Upsert::Updated);
    let got = facts(&s).await;
    assert_eq!(got[0].2[..2], ["GZ-TH".to_owned(), "B-2".to_owned()]);
    assert_eq!(got[0].3, "repair_quality");
    assert_eq!(got[0].7, i64::from(COMMENT));

    // The phone's purge takes its mark too; the comment's stays.
    assert_eq!(s.purge(at(11 + 31 * 86_400)).await.unwrap(), 1);
    let got = facts(&s).await;
    assert_eq!(got[1].7, i64::from(COMMENT));
    assert_eq!(
        got.iter().map(as_facts).collect::<Vec<_>>(),
        of_bodies(&s).await
    );
}

/// Rows stored before the facts (the columns dropped, the step taken back): opened again,
/// the migration fills them in from the bodies; a body it cannot read is handed over to be
/// read (and left out) as before.
pub async fn rows_stored_before_the_facts_are_filled_in(e: Engine) {
    let t = target(e);
    let s = Store::connect(&t).await.unwrap();
    for (i, r) in varied().into_iter().enumerate() {
        s.upsert(r, at(10 + i as i64), None).await.unwrap();
    }
    s.flush().await.unwrap();
    let written = facts(&s).await;
    drop(s);
    let step = match e {
        Engine::Sqlite => nps_collector::storage::migrations::FACTS_SQLITE,
        Engine::Postgres => nps_collector::storage::migrations::FACTS_POSTGRES,
    };
    let drops: String = nps_collector::storage::facts::columns()
        .iter()
        .map(|(name, _)| format!("ALTER TABLE responses DROP COLUMN {name};"))
        .collect();
    let broken = "UPDATE responses SET body = replace(body, '\"created_at\":', '\"created_at\":\"x\",\"was\":')
         WHERE id = '00000000-0000-4000-8000-000000000004';";
    execute(
        &t,
        &format!("DROP INDEX IF EXISTS responses_facts; {drops} DELETE FROM schema_migrations WHERE version >= {step}; {broken}"),
    );
    let s = Store::connect(&t).await.unwrap();
    let got = facts(&s).await;
    assert_eq!(
        got[..3],
        written[..3],
        "filled in as the write path stores them"
    );
    assert_eq!(
        (got[3].4, got[3].8),
        (None, true),
        "unreadable: its body is handed over"
    );
    let commented = Selection {
        commented: true,
        ..Selection::default()
    };
    assert_eq!(
        ids(&s, commented).await,
        [id(2), id(4)],
        "a row without facts is read to be checked"
    );
    // The funnel reads its codes from the facts, and from the body where they are missing.
    let answers = s
        .funnel_answers(&nps_collector::storage::Window::default())
        .await
        .unwrap();
    let store_of = |n: u32| {
        answers
            .iter()
            .find(|a| a.id == id(n))
            .and_then(|a| a.store.clone())
    };
    assert_eq!(store_of(2).as_deref(), Some("SH-PD"));
    assert_eq!(store_of(4).as_deref(), Some("SZ-FT"), "from its body");
}

/// Runs statements on the database directly, not through the store.
fn execute(t: &Target, sql: &str) {
    match t {
        Target::Sqlite(path) => rusqlite::Connection::open(path)
            .unwrap()
            .execute_batch(sql)
            .unwrap(),
        Target::Postgres(url) => {
            let db = url.rsplit('/').next().unwrap().to_owned();
            common::postgres::shared().psql(&db, sql);
        }
    }
}
