//! The storage port's conformance suite: every case is written once and run against each
//! engine, SQLite (a fresh file) and PostgreSQL (a fresh database on a real server that
//! the test starts, `common::postgres`). The same posts must give the same outcomes and the
//! same export on both.

mod common;
#[path = "conformance/people.rs"]
mod people;
use people::*;
#[path = "conformance/cases.rs"]
mod cases;
use cases::*;
#[path = "conformance/growth.rs"]
mod growth;
use growth::*;
#[path = "conformance/facts.rs"]
mod facts;
use facts::*;
#[path = "conformance/referrals.rs"]
mod referrals;
use referrals::*;

use nps_collector::storage::{Admission, Row, Selection, Store, Target, Upsert};
use nps_collector::write_key::KeyRefusal;
use nps_collector::Now;
use nps_core::contract::payload::Response;
use serde_json::{json, Value};

#[derive(Clone, Copy, Debug)]
enum Engine {
    Sqlite,
    Postgres,
}

/// Where a fresh store of this engine lives.
fn target(engine: Engine) -> Target {
    match engine {
        Engine::Sqlite => Target::Sqlite(common::db_path()),
        Engine::Postgres => Target::Postgres(common::postgres::shared().database()),
    }
}

async fn fresh(engine: Engine) -> Store {
    Store::connect(&target(engine)).await.unwrap()
}

const KEY: &str = common::KEY;
const T0: i64 = 1_795_420_800; // 2026-11-23T08:00:00Z

/// The server's clock `s` seconds after T0.
fn at(s: i64) -> Now {
    Now::from_time(time::OffsetDateTime::from_unix_timestamp(T0 + s).unwrap())
}

fn id(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

/// A response: a scored one of survey `after-sales` with this id, updated `s` seconds after
/// T0, carrying `KEY`; `patch` changes any field (`visit` goes into the context).
fn resp(n: u32, s: i64, patch: Value) -> Response {
    let mut v = json!({"schema": 1, "id": id(n), "survey": "after-sales", "stage": "scored",
        "score": 9, "reasons": [], "comment": null, "contact": null, "context": {"store": "SZ-FT"},
        "locale": "zh-CN", "page": null, "created_at": at(0).at, "updated_at": at(s).at,
        "write_key": KEY});
    for (k, val) in patch.as_object().unwrap() {
        if k == "visit" {
            v["context"]["visit"] = val.clone();
        } else {
            v[k] = val.clone();
        }
    }
    v["category"] = match v["score"].as_i64() {
        Some(s) => json!(nps_core::scoring::score::category(s).unwrap().as_str()),
        None => Value::Null,
    };
    Response::parse(&v).unwrap()
}

fn body(row: &Row) -> Value {
    serde_json::from_str(&row.body).unwrap()
}

async fn stored(store: &Store, n: u32) -> Value {
    serde_json::from_str(&store.body(&id(n)).await.unwrap().expect("stored")).unwrap()
}

/// The ids of a selection, in export order.
async fn ids(store: &Store, sel: Selection) -> Vec<String> {
    let mut rx = store.stream(sel);
    let mut out = Vec::new();
    while let Some(row) = rx.recv().await {
        out.push(body(&row.unwrap())["id"].as_str().unwrap().to_owned());
    }
    out
}

async fn upsert_by_id_with_stage_ordering(e: Engine) {
    let s = fresh(e).await;
    let up = |r, now| s.upsert(r, now, None);
    assert_eq!(
        up(resp(1, 10, json!({})), at(11)).await.unwrap(),
        Upsert::Created
    );
    let done = json!({"stage": "completed", "comment": "好"});
    assert_eq!(
        up(resp(1, 20, done.clone()), at(21)).await.unwrap(),
        Upsert::Updated
    );
    // A late scored post: a lower stage, even if later, changes nothing.
    let late = resp(1, 30, json!({"score": 3}));
    assert_eq!(up(late, at(31)).await.unwrap(), Upsert::Stale);
    // The same stage, not later: stale; later: an update.
    let same = resp(1, 20, json!({"stage": "completed", "comment": "x"}));
    assert_eq!(up(same, at(32)).await.unwrap(), Upsert::Stale);
    let later = resp(1, 40, json!({"stage": "completed", "comment": "更好"}));
    assert_eq!(up(later, at(41)).await.unwrap(), Upsert::Updated);
    // A client clock in the future is bounded by the server's: it cannot freeze the row.
    let future = resp(1, 10_000_000, json!({"stage": "completed", "comment": "f"}));
    assert_eq!(up(future, at(50)).await.unwrap(), Upsert::Updated);
    let after = resp(1, 60, json!({"stage": "completed", "comment": "g"}));
    assert_eq!(up(after, at(61)).await.unwrap(), Upsert::Updated);
    let v = stored(&s, 1).await;
    assert_eq!(
        (v["stage"].as_str(), v["comment"].as_str()),
        (Some("completed"), Some("g"))
    );
    assert!(
        v.get("write_key").is_none_or(Value::is_null),
        "the key is never stored: {v}"
    );
    let rows = s.all().await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].received_at.as_str(), rows[0].changed_at.as_str()),
        (at(11).at.as_str(), at(61).at.as_str())
    );
}

async fn duplicates_and_conflicts(e: Engine) {
    let s = fresh(e).await;
    assert_eq!(
        s.upsert(resp(1, 10, json!({})), at(11), None)
            .await
            .unwrap(),
        Upsert::Created
    );
    assert_eq!(
        s.upsert(resp(1, 10, json!({})), at(12), None)
            .await
            .unwrap(),
        Upsert::Duplicate
    );
    assert_eq!(
        s.all().await.unwrap()[0].changed_at,
        at(11).at,
        "a duplicate changes nothing"
    );
    let other = resp(1, 20, json!({"survey": "sales", "stage": "completed"}));
    assert_eq!(
        s.upsert(other, at(21), None).await.unwrap(),
        Upsert::Conflict
    );
    assert_eq!(stored(&s, 1).await["survey"], "after-sales");
    // Upper- and lower-case forms of an id are one response.
    let upper = resp(1, 10, json!({"id": id(1).to_uppercase()}));
    assert_eq!(
        s.upsert(upper, at(22), None).await.unwrap(),
        Upsert::Duplicate
    );
}

async fn one_answer_per_visit(e: Engine) {
    let s = fresh(e).await;
    let v = json!({"visit": "RO-1"});
    assert!(!s.visit_answered("after-sales", "RO-1").await.unwrap());
    // A flagged answer (too fast) is kept but does not use up the visit.
    assert_eq!(
        s.upsert(resp(1, 10, v.clone()), at(11), Some("too_fast"))
            .await
            .unwrap(),
        Upsert::Created
    );
    assert!(!s.visit_answered("after-sales", "RO-1").await.unwrap());
    // A dismissal without a score is no answer.
    let dismissed = resp(
        2,
        10,
        json!({"visit": "RO-1", "stage": "dismissed", "score": null}),
    );
    assert_eq!(
        s.upsert(dismissed, at(12), None).await.unwrap(),
        Upsert::Created
    );
    assert_eq!(
        s.upsert(resp(3, 10, v.clone()), at(13), None)
            .await
            .unwrap(),
        Upsert::Created
    );
    assert!(s.visit_answered("after-sales", "RO-1").await.unwrap());
    assert_eq!(
        s.upsert(resp(4, 10, v.clone()), at(14), None)
            .await
            .unwrap(),
        Upsert::Answered
    );
    // The dismissed response may not answer it now either; the answer itself moves on.
    let late = resp(2, 20, json!({"visit": "RO-1", "stage": "completed"}));
    assert_eq!(
        s.upsert(late, at(21), None).await.unwrap(),
        Upsert::Answered
    );
    let on = resp(3, 20, json!({"visit": "RO-1", "stage": "completed"}));
    assert_eq!(s.upsert(on, at(22), None).await.unwrap(), Upsert::Updated);
    // Another survey's visit of the same name is another visit.
    let other = resp(5, 10, json!({"visit": "RO-1", "survey": "sales"}));
    assert_eq!(
        s.upsert(other, at(23), None).await.unwrap(),
        Upsert::Created
    );
}

/// Posts racing for one visit from many tasks at once (on PostgreSQL, many connections):
/// exactly one answer; posts racing with one id: one row.
async fn one_answer_per_visit_under_a_race(e: Engine) {
    let s = fresh(e).await;
    let race = |posts: Vec<Response>| {
        let tasks: Vec<_> = posts
            .into_iter()
            .map(|r| {
                let s = s.clone();
                tokio::spawn(async move { s.upsert(r, at(1000), None).await.unwrap() })
            })
            .collect();
        async move {
            let mut out = Vec::new();
            for t in tasks {
                out.push(t.await.unwrap());
            }
            out
        }
    };
    for round in 0..5 {
        let visit = format!("RO-{round}");
        let posts = (0..12)
            .map(|n| resp(round * 100 + n, 10, json!({"visit": visit})))
            .collect();
        let done = race(posts).await;
        let created = done.iter().filter(|u| **u == Upsert::Created).count();
        assert_eq!(created, 1, "round {round}: {done:?}");
        assert!(
            done.iter()
                .all(|u| matches!(u, Upsert::Created | Upsert::Answered)),
            "{done:?}"
        );
    }
    let done = race((0..12).map(|_| resp(999, 10, json!({}))).collect()).await;
    assert_eq!(
        done.iter().filter(|u| **u == Upsert::Created).count(),
        1,
        "{done:?}"
    );
    assert!(
        done.iter()
            .all(|u| matches!(u, Upsert::Created | Upsert::Duplicate)),
        "{done:?}"
    );
    // Posts of one id at different stages and times, all at once: the row ends at the
    // highest stage's latest post, whatever order they were taken in.
    for round in 0..4 {
        let posts = (0..16)
            .map(|n| {
                let stage = if n % 2 == 0 { "scored" } else { "completed" };
                resp(
                    990 + round,
                    10 + n,
                    json!({"stage": stage, "comment": format!("{n}")}),
                )
            })
            .collect();
        let done = race(posts).await;
        assert!(!done.contains(&Upsert::Answered), "{done:?}");
        assert_eq!(stored(&s, 990 + round).await["comment"], "15", "{done:?}");
    }
    assert_eq!(s.all().await.unwrap().len(), 10);
}

async fn write_keys(e: Engine) {
    let s = fresh(e).await;
    let keyless = resp(1, 10, json!({"write_key": null}));
    assert_eq!(
        s.upsert(keyless.clone(), at(11), None).await.unwrap(),
        Upsert::Key(KeyRefusal::Missing)
    );
    let open = Admission {
        keyless_until_ns: Some(at(100).ns),
        ..Admission::default()
    };
    assert_eq!(
        s.upsert_admitted(keyless, at(11), None, open)
            .await
            .unwrap(),
        Upsert::Created
    );
    // The first post with a key binds it; then another key, or none, may not write.
    let bound = resp(1, 20, json!({"stage": "completed"}));
    assert_eq!(
        s.upsert_admitted(bound, at(21), None, open).await.unwrap(),
        Upsert::Updated
    );
    let (_, hash) = s.keyed_body(&id(1)).await.unwrap().unwrap();
    assert_eq!(hash, Some(nps_collector::write_key::hash(KEY)));
    let other = resp(
        1,
        30,
        json!({"stage": "completed", "write_key": "0000000000000000000000000000ffff"}),
    );
    assert_eq!(
        s.upsert(other, at(31), None).await.unwrap(),
        Upsert::Key(KeyRefusal::NotYours)
    );
    // Stored without a key, after --keyless-until: frozen.
    let frozen = resp(2, 10, json!({"write_key": null}));
    s.upsert_admitted(frozen, at(12), None, open).await.unwrap();
    let late = resp(2, 20, json!({"stage": "completed"}));
    assert_eq!(
        s.upsert_admitted(late, at(200), None, open).await.unwrap(),
        Upsert::Key(KeyRefusal::Frozen)
    );
}

async fn a_visit_is_fixed_and_a_link_expires(e: Engine) {
    let s = fresh(e).await;
    assert_eq!(
        s.upsert(
            resp(
                1,
                10,
                json!({"visit": "RO-1", "score": null, "stage": "dismissed"})
            ),
            at(11),
            None
        )
        .await
        .unwrap(),
        Upsert::Created
    );
    let moved = resp(1, 20, json!({"visit": "RO-2"}));
    assert_eq!(
        s.upsert(moved, at(21), None).await.unwrap(),
        Upsert::VisitChanged
    );
    let dropped = resp(1, 20, json!({}));
    assert_eq!(
        s.upsert(dropped, at(21), None).await.unwrap(),
        Upsert::VisitChanged
    );
    let link = Admission {
        new_until_ns: Some(at(50).ns),
        ..Admission::default()
    };
    let new = resp(2, 60, json!({"visit": "RO-3"}));
    assert_eq!(
        s.upsert_admitted(new, at(61), None, link).await.unwrap(),
        Upsert::Expired
    );
    let started = resp(
        3,
        40,
        json!({"visit": "RO-4", "stage": "dismissed", "score": null}),
    );
    assert_eq!(
        s.upsert_admitted(started, at(41), None, link)
            .await
            .unwrap(),
        Upsert::Created
    );
    let finished = resp(3, 60, json!({"visit": "RO-4", "stage": "completed"}));
    assert_eq!(
        s.upsert_admitted(finished, at(61), None, link)
            .await
            .unwrap(),
        Upsert::Updated
    );
    assert!(s.body(&id(2)).await.unwrap().is_none());
}

async fn the_streamed_export_and_its_filters(e: Engine) {
    let s = fresh(e).await;
    // Received out of id order, two surveys, two at the same moment (then by id).
    for (n, survey, t) in [
        (5, "a", 100),
        (2, "b", 200),
        (9, "a", 300),
        (1, "a", 300),
        (4, "b", 400),
    ] {
        let r = resp(n, 1, json!({"survey": survey}));
        assert_eq!(s.upsert(r, at(t), None).await.unwrap(), Upsert::Created);
    }
    let sel = |survey: Option<&str>, since: Option<i64>, until: Option<i64>| Selection {
        survey: survey.map(str::to_owned),
        since_ns: since.map(|t| at(t).ns),
        until_ns: until.map(|t| at(t).ns),
        commented: false,
    };
    let want = |ns: &[u32]| ns.iter().map(|n| id(*n)).collect::<Vec<_>>();
    assert_eq!(ids(&s, sel(None, None, None)).await, want(&[5, 2, 1, 9, 4]));
    assert_eq!(ids(&s, sel(Some("a"), None, None)).await, want(&[5, 1, 9]));
    assert_eq!(
        ids(&s, sel(None, Some(200), None)).await,
        want(&[2, 1, 9, 4]),
        "since is inclusive"
    );
    assert_eq!(
        ids(&s, sel(None, None, Some(300))).await,
        want(&[5, 2]),
        "until is exclusive"
    );
    assert_eq!(
        ids(&s, sel(Some("b"), Some(150), Some(400))).await,
        want(&[2])
    );
    assert_eq!(ids(&s, sel(Some("c"), None, None)).await, want(&[]));
    // More rows than are read ahead: all of them, in order, and a reader may stop early.
    let posts = (1000..1700)
        .map(|n| {
            (
                resp(n, 1, json!({"survey": "big"})),
                at(500 + n as i64),
                None,
                Admission::default(),
            )
        })
        .collect();
    s.upsert_batch(posts).await.unwrap();
    let big = ids(&s, sel(Some("big"), None, None)).await;
    assert_eq!(big, (1000..1700).map(id).collect::<Vec<_>>());
    let mut rx = s.stream(sel(Some("big"), None, None));
    assert!(rx.recv().await.unwrap().is_ok());
    drop(rx);
    assert!(s.healthy().await);
}

async fn purge_removes_expired_phones(e: Engine) {
    let s = fresh(e).await;
    let phone = |n, days| {
        resp(
            n,
            1,
            json!({"stage": "completed", "score": 3,
        "contact": {"phone": "+8613800000000", "consent": true, "retention_days": days}}),
        )
    };
    s.upsert(phone(1, 30), at(10), None).await.unwrap();
    s.upsert(phone(2, 90), at(10), None).await.unwrap();
    s.upsert(resp(3, 1, json!({})), at(10), None).await.unwrap();
    assert_eq!(s.purge(at(29 * 86_400)).await.unwrap(), 0);
    assert_eq!(s.purge(at(31 * 86_400)).await.unwrap(), 1);
    assert_eq!(
        s.purge(at(31 * 86_400)).await.unwrap(),
        0,
        "a purge is done once"
    );
    let purged = Response {
        contact: None,
        write_key: None,
        ..phone(1, 30)
    };
    assert_eq!(
        s.body(&id(1)).await.unwrap().unwrap(),
        purged.to_json(),
        "only the phone goes"
    );
    assert!(stored(&s, 2).await["contact"]["phone"].is_string());
    let rows = s.all().await.unwrap();
    assert_eq!(rows[0].changed_at, at(31 * 86_400).at);
}

async fn delete_removes_a_response(e: Engine) {
    let s = fresh(e).await;
    s.upsert(resp(1, 1, json!({"visit": "RO-1"})), at(10), None)
        .await
        .unwrap();
    s.upsert(resp(2, 1, json!({})), at(11), None).await.unwrap();
    assert!(s.delete(&id(1).to_uppercase()).await.unwrap());
    assert!(!s.delete(&id(1)).await.unwrap());
    assert_eq!(ids(&s, Selection::default()).await, vec![id(2)]);
    // Deleted, its visit is open again.
    assert!(!s.visit_answered("after-sales", "RO-1").await.unwrap());
    s.flush().await.unwrap();
}

async fn batch_upsert_and_the_demo_set(e: Engine) {
    let s = fresh(e).await;
    let a = Admission::default();
    let posts = vec![
        (resp(1, 10, json!({"visit": "RO-1"})), at(11), None, a),
        (
            resp(1, 20, json!({"visit": "RO-1", "stage": "completed"})),
            at(21),
            None,
            a,
        ),
        (
            resp(1, 20, json!({"visit": "RO-1", "stage": "completed"})),
            at(22),
            None,
            a,
        ),
        (resp(2, 10, json!({"visit": "RO-1"})), at(23), None, a),
        (resp(3, 10, json!({"survey": "sales"})), at(24), None, a),
    ];
    let done = s.upsert_batch(posts).await.unwrap();
    use Upsert::*;
    assert_eq!(
        done,
        vec![Created, Updated, Duplicate, Answered, Created],
        "in order, each seeing the earlier"
    );
    assert_eq!(s.upsert_batch(Vec::new()).await.unwrap(), vec![]);
    // The demo set goes through the same rules: a second run adds nothing.
    let n = nps_collector::demo::seed_store(&s, 400, 3, 5)
        .await
        .unwrap();
    assert_eq!(n, 400);
    assert_eq!(
        nps_collector::demo::seed_store(&s, 400, 3, 5)
            .await
            .unwrap(),
        0
    );
    // (The demo's re-survey answers, flagged `recovery`, are rows of their own.)
    let all = s.all().await.unwrap();
    let recovery = Some(nps_collector::intake::RECOVERY);
    assert_eq!(
        all.iter().filter(|r| r.flag.as_deref() != recovery).count(),
        402,
        "the answered post is not stored"
    );
}

/// Several collectors opening one database at once: each migrates or finds it done, and
/// the steps are taken once; opening again changes nothing.
async fn migrations_are_idempotent_and_start_together(e: Engine) {
    let t = target(e);
    let opens: Vec<_> = (0..8)
        .map(|_| {
            let t = t.clone();
            tokio::spawn(async move { Store::connect(&t).await.map(drop) })
        })
        .collect();
    for o in opens {
        o.await.unwrap().unwrap();
    }
    let s = Store::connect(&t).await.unwrap();
    assert_eq!(
        s.upsert(resp(1, 1, json!({})), at(2), None).await.unwrap(),
        Upsert::Created
    );
    drop(s);
    let s = Store::connect(&t).await.unwrap();
    assert_eq!(s.all().await.unwrap().len(), 1);
    let versions = match &t {
        Target::Sqlite(path) => {
            let c = rusqlite::Connection::open(path).unwrap();
            let v: String = c.query_row("SELECT group_concat(version) FROM (SELECT version FROM schema_migrations ORDER BY version)", [], |r| r.get(0)).unwrap();
            v.split(',')
                .map(|x| x.parse().unwrap())
                .collect::<Vec<i64>>()
        }
        Target::Postgres(url) => {
            let db = url.rsplit('/').next().unwrap();
            let v = common::postgres::shared().psql(
                db,
                "SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations",
            );
            v.split(',').map(|x| x.parse().unwrap()).collect()
        }
    };
    let latest = match e {
        Engine::Sqlite => nps_collector::storage::migrations::latest_sqlite(),
        Engine::Postgres => nps_collector::storage::migrations::latest_postgres(),
    };
    assert_eq!(versions, (1..=latest).collect::<Vec<_>>(), "each step once");
}

/// A server key is made once: collectors asking together, and later, read the same one; two
/// names are two keys.
async fn server_keys_are_made_once_and_shared(e: Engine) {
    let t = target(e);
    let asks: Vec<_> = (0..6)
        .map(|_| {
            let t = t.clone();
            tokio::spawn(async move {
                let s = Store::connect(&t).await.unwrap();
                s.server_key("device", &at(1)).await.unwrap()
            })
        })
        .collect();
    let mut keys = Vec::new();
    for a in asks {
        keys.push(a.await.unwrap());
    }
    assert!(keys.windows(2).all(|w| w[0] == w[1]), "one key for all");
    assert!(keys[0].len() >= 32);
    let s = Store::connect(&t).await.unwrap();
    assert_eq!(s.server_key("device", &at(9)).await.unwrap(), keys[0]);
    assert_ne!(s.server_key("referral", &at(9)).await.unwrap(), keys[0]);
}

/// Why the database refuses a statement run on it directly, not through the store (the
/// collector's own login); "accepted" if it runs.
fn refusal(t: &Target, sql: &str) -> String {
    match t {
        Target::Sqlite(path) => {
            let c = rusqlite::Connection::open(path).unwrap();
            c.execute(sql, [])
                .map_or_else(|e| e.to_string(), |_| "accepted".to_owned())
        }
        Target::Postgres(url) => {
            let db = url.rsplit('/').next().unwrap().to_owned();
            let r = std::panic::catch_unwind(|| common::postgres::shared().psql(&db, sql));
            r.map(|_| "accepted".to_owned())
                .unwrap_or_else(|p| p.downcast_ref::<String>().cloned().unwrap_or_default())
        }
    }
}

/// The schema itself refuses a second answer for a visit, whoever writes: not only the
/// collector's rules.
async fn the_schema_holds_one_answer_per_visit(e: Engine) {
    let t = target(e);
    let s = Store::connect(&t).await.unwrap();
    s.upsert(resp(1, 1, json!({"visit": "RO-1"})), at(2), None)
        .await
        .unwrap();
    s.upsert(
        resp(
            2,
            1,
            json!({"visit": "RO-1", "score": null, "stage": "dismissed"}),
        ),
        at(3),
        None,
    )
    .await
    .unwrap();
    s.flush().await.unwrap();
    let answer = "UPDATE responses SET score = 5 WHERE id = '00000000-0000-4000-8000-000000000002'";
    let refused = refusal(&t, answer);
    assert!(refused.to_lowercase().contains("unique"), "{refused}");
}

/// A file made by the first collector (no `schema_migrations`, none of the columns added
/// since), with two answers for one visit from before the rule: opened, it is brought up to
/// date, keeps every row, counts the first answer and flags the second.
#[tokio::test]
async fn an_old_sqlite_file_is_brought_up_to_date() {
    let path = common::db_path();
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute_batch(
        "CREATE TABLE responses (id TEXT PRIMARY KEY, survey TEXT NOT NULL, stage TEXT NOT NULL,
           stage_rank INTEGER NOT NULL, score INTEGER, category TEXT, updated_ns INTEGER NOT NULL,
           body TEXT NOT NULL, received_at TEXT NOT NULL) STRICT;
         CREATE INDEX responses_survey ON responses (survey, received_at);",
    )
    .unwrap();
    let phone = json!({"phone": "+8613800000000", "consent": true, "retention_days": 30});
    let old = [
        (1, 20, json!({"visit": "RO-1", "contact": phone})),
        (2, 10, json!({"visit": "RO-1", "score": 4})),
        (3, 30, json!({"survey": "sales"})),
    ];
    for (n, t, patch) in &old {
        let r = Response {
            write_key: None,
            ..resp(*n, 1, patch.clone())
        };
        c.execute(
            "INSERT INTO responses VALUES (?1, ?2, 'scored', 1, ?3, ?4, 0, ?5, ?6)",
            rusqlite::params![
                r.id,
                r.survey,
                r.score.map(|s| s.get()),
                r.category().map(|c| c.as_str()),
                r.to_json(),
                at(*t).at
            ],
        )
        .unwrap();
    }
    drop(c);
    let s = Store::open(&path).unwrap();
    let rows = s.all().await.unwrap();
    let order: Vec<String> = rows
        .iter()
        .map(|r| body(r)["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        order,
        vec![id(2), id(1), id(3)],
        "by the time first stored, backfilled"
    );
    assert_eq!(rows[1].changed_at, at(20).at);
    // The first answer of the visit counts; the later one is kept, flagged.
    assert_eq!(
        (rows[0].flag.as_deref(), rows[1].flag.as_deref()),
        (None, Some("second_answer"))
    );
    assert!(s.visit_answered("after-sales", "RO-1").await.unwrap());
    let another = Response {
        write_key: None,
        ..resp(4, 1, json!({"visit": "RO-1"}))
    };
    let keyless = Admission::operator();
    assert_eq!(
        s.upsert_admitted(another, at(40), None, keyless)
            .await
            .unwrap(),
        Upsert::Answered
    );
    // The phone's end, backfilled from the body's retention.
    assert_eq!(s.purge(at(20 + 31 * 86_400)).await.unwrap(), 1);
    // A row stored before write keys is keyless: writable while keyless posts are taken.
    let on = Response {
        write_key: None,
        ..resp(3, 5, json!({"survey": "sales", "stage": "completed"}))
    };
    assert_eq!(
        s.upsert_admitted(on, at(50), None, keyless).await.unwrap(),
        Upsert::Updated
    );
    drop(s);
    let c = rusqlite::Connection::open(&path).unwrap();
    let versions: i64 = c
        .query_row("SELECT COUNT(*) FROM schema_migrations", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        versions,
        nps_collector::storage::migrations::latest_sqlite()
    );
}

/// A file from a later collector without versions (the columns added ad hoc, some rows):
/// its steps find what is there and add only the rest.
#[tokio::test]
async fn a_file_with_some_columns_added_is_brought_up_to_date() {
    let path = common::db_path();
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute_batch(
        "CREATE TABLE responses (id TEXT PRIMARY KEY, survey TEXT NOT NULL, stage TEXT NOT NULL,
           stage_rank INTEGER NOT NULL, score INTEGER, category TEXT, updated_ns INTEGER NOT NULL,
           body TEXT NOT NULL, received_at TEXT NOT NULL, received_ns INTEGER, changed_at TEXT,
           flag TEXT, purge_after_ns INTEGER, visit TEXT) STRICT;",
    )
    .unwrap();
    let r = Response {
        write_key: None,
        ..resp(1, 1, json!({"visit": "RO-9"}))
    };
    c.execute(
        "INSERT INTO responses VALUES (?1, ?2, 'scored', 1, 9, 'promoter', 0, ?3, ?4, ?5, ?4, NULL, NULL, 'RO-9')",
        rusqlite::params![r.id, r.survey, r.to_json(), at(5).at, at(5).ns],
    )
    .unwrap();
    drop(c);
    let s = Store::open(&path).unwrap();
    assert!(s.visit_answered("after-sales", "RO-9").await.unwrap());
    assert_eq!(s.all().await.unwrap()[0].received_at, at(5).at);
    let (_, hash) = s.keyed_body(&id(1)).await.unwrap().unwrap();
    assert_eq!(hash, None, "the key_hash column, added empty");
}

/// Each case above, once per engine.
macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() { super::$case(super::Engine::Sqlite).await })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() { super::$case(super::Engine::Postgres).await })*
        }
    };
}

conformance!(
    upsert_by_id_with_stage_ordering,
    the_facts_follow_every_write,
    rows_stored_before_the_facts_are_filled_in,
    duplicates_and_conflicts,
    one_answer_per_visit,
    one_answer_per_visit_under_a_race,
    write_keys,
    a_visit_is_fixed_and_a_link_expires,
    the_streamed_export_and_its_filters,
    purge_removes_expired_phones,
    delete_removes_a_response,
    batch_upsert_and_the_demo_set,
    migrations_are_idempotent_and_start_together,
    server_keys_are_made_once_and_shared,
    the_schema_holds_one_answer_per_visit,
    users_round_trip_and_an_email_is_taken_once,
    invites_are_one_time_and_expire,
    an_invite_accepted_at_once_twice_is_used_once,
    sessions_expire_and_are_revoked,
    user_standings_say_who_signed_in_and_when_an_invite_ends,
    tokens_record_their_use_and_are_revoked,
    the_audit_trail_is_append_only,
    the_audit_trail_is_read_by_time_action_and_who,
    a_detractor_opens_one_case_and_an_update_adds_the_callback,
    a_case_and_its_alert_commit_with_the_answer_or_not_at_all,
    passives_open_cases_only_when_the_rule_says,
    edits_keep_their_history_and_survive_a_reopen,
    the_alert_queue_makes_each_job_once_and_leases_it_to_one,
    a_deleted_answer_takes_its_case_and_alerts_with_it,
    the_figures_read_the_listed_cases_without_their_bodies,
    visits_keep_their_first_issue_time_and_first_open,
    answers_keep_their_marks_and_the_funnel_reads_referrals,
    a_visit_is_its_stores_and_keeps_its_channel,
    referrals_count_once_and_go_with_their_answer,
    bookings_read_back_newest_first_by_window_and_store,
    opens_and_form_bookings_keep_their_days,
);

/// The command line on PostgreSQL: `seed --db postgres://…` writes the demo set through the
/// store, and the server started with the same `--db` (here from `NPS_DB`'s flag) stores a
/// post and exports it beside the demo set.
#[test]
fn the_collector_runs_on_postgresql_from_the_command_line() {
    use common::process::{admin_get, free_port, load_body, start, wait_exit};
    let url = common::postgres::shared().database();
    let seeded = std::process::Command::new(env!("CARGO_BIN_EXE_nps-collector"))
        .args(["seed", "--db", &url, "--responses", "50"])
        .output()
        .unwrap();
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let said = String::from_utf8_lossy(&seeded.stdout);
    assert!(
        said.starts_with("50 demo responses written to postgres://"),
        "{said}"
    );
    let port = free_port();
    let mut server = start(std::path::Path::new(&url), port, &[]);
    let posted = ureq::post(&format!("http://127.0.0.1:{port}/api/responses"))
        .header("content-type", "application/json")
        .send(load_body(&id(7), 7))
        .unwrap();
    assert_eq!(posted.status().as_u16(), 201);
    let listed = admin_get(port, "/api/responses");
    let listed: Value = serde_json::from_str(&listed).unwrap();
    let listed = listed.as_array().unwrap();
    // (The demo's re-survey answers, flagged `recovery`, are rows of their own.)
    let answers = listed.iter().filter(|r| r["flag"] != "recovery").count();
    assert_eq!(answers, 51);
    assert!(listed.iter().any(|r| r["id"] == id(7).as_str()));
    // SAFETY: signals only the collector this test started.
    unsafe { libc::kill(server.id() as i32, libc::SIGTERM) };
    assert!(wait_exit(&mut server, std::time::Duration::from_secs(20)).is_some_and(|s| s.success()));
}

/// PostgreSQL's `healthy` is the database now, not the last post: a database that stops
/// taking connections is unhealthy before any post fails, and healthy again as soon as it
/// takes them, with no post in between (a balancer that took every collector out on a
/// `503` from `/healthz` sends none, so a health waiting for a post never comes back).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgresql_health_follows_the_database_without_a_post() {
    let pg = common::postgres::shared();
    let url = pg.database();
    let name = url.rsplit('/').next().unwrap().to_owned();
    let s = Store::connect(&Target::Postgres(url)).await.unwrap();
    assert!(s.healthy().await);
    pg.psql(
        "postgres",
        &format!(
            "ALTER DATABASE {name} ALLOW_CONNECTIONS false; \
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
        ),
    );
    assert!(
        !s.healthy().await,
        "healthy while its database refuses connections"
    );
    pg.psql(
        "postgres",
        &format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"),
    );
    assert!(
        s.healthy().await,
        "still unhealthy once its database is back"
    );
}
