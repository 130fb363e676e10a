//! Invitations, response rates and coaching flags through the API: `POST /api/visits` (its
//! checks, all-or-nothing, scope, the first `issued_at` kept, committed before its 2xx), a
//! landing page's open, the answers' marks, and `GET /api/funnel` / `/api/funnel/flags` over
//! a generated set, every figure against values computed here from the generator's own
//! list, each caller seeing only its scope.

mod common;

use std::collections::BTreeMap;
use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use common::{db_path, send, Reply};
use nps_collector::storage::{Marks, NewVisit, Window};
use nps_collector::{app, write_key, Admission, Now, Settings, Store};
use nps_core::access::{Role, Scope};
use nps_core::contract::payload::Response;
use nps_core::growth::visit::Channel;
use nps_core::scoring::analysis::Names;
use serde_json::{json, Value};

const ORG: &str = include_str!("../../docs/org.toml");
const ADMIN: &str = "the-admin-token";
const MIN: i64 = 60_000_000_000;
const H: i64 = 60 * MIN;
/// 2026-11-23T02:00:00Z (10:00 in China), a Monday.
const T0: i64 = 1_795_399_200_000_000_000;

fn settings() -> Settings {
    Settings {
        admin_token: ADMIN.into(),
        allow_origins: vec!["https://brand.example".into()],
        rate_limit: 0,
        names: Names::default().with_org(nps_collector::org_file::read(ORG).unwrap()),
        ..Settings::default()
    }
}

fn at(ns: i64) -> Now {
    Now::from_time(time::OffsetDateTime::from_unix_timestamp_nanos(ns as i128).unwrap())
}

fn token(role: Role) -> String {
    format!("machine-{}", role.key())
}

async fn world() -> (Router, Store, std::path::PathBuf) {
    let path = db_path();
    let store = Store::open(&path).unwrap();
    let now = Now::system();
    for role in Role::ALL {
        let scope = match role {
            Role::Admin => Scope::All,
            Role::Region => Scope::Regions(vec!["south".into()]),
            Role::Store | Role::Analyst => Scope::Stores(vec!["SZ-FT".into()]),
        };
        store
            .token_add(
                &write_key::hash(&token(role)),
                role.key(),
                role,
                &scope,
                &now,
            )
            .await
            .unwrap();
    }
    (app(store.clone(), settings()), store, path)
}

async fn call(app: &Router, bearer: &str, method: Method, uri: &str, body: Option<Value>) -> Reply {
    let mut b = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {bearer}"));
    if body.is_some() {
        b = b.header(header::CONTENT_TYPE, "application/json");
    }
    let body = body.map_or_else(Body::empty, |v| Body::from(v.to_string()));
    send(app, b.body(body).unwrap()).await
}

fn id(n: usize) -> String {
    format!("30000000-0000-4000-8000-{n:012}")
}

/// A scored answer `n` of `store`/`advisor` for `visit` (none: a QR without a visit).
fn answer(
    n: usize,
    store: &str,
    advisor: &str,
    visit: Option<&str>,
    score: u8,
    ns: i64,
) -> Response {
    let mut context = json!({"store": store, "advisor": advisor, "touchpoint": "after_sales"});
    if let Some(v) = visit {
        context["visit"] = json!(v);
    }
    let t = at(ns).at;
    Response::parse(&json!({"schema": 1, "id": id(n), "survey": "after-sales", "stage": "scored",
        "score": score, "category": nps_core::scoring::score::category(score as i64).unwrap().as_str(),
        "reasons": [], "comment": null, "contact": null, "context": context, "locale": "zh-CN",
        "page": null, "created_at": t, "updated_at": t}))
    .unwrap()
}

#[tokio::test]
async fn visits_are_checked_whole_scoped_and_keep_their_first_issue_time() {
    let (app, store, path) = world().await;
    let post = |who: String, body: Value| {
        let app = app.clone();
        async move { call(&app, &who, Method::POST, "/api/visits", Some(body)).await }
    };
    let row =
        |visit: &str, store: &str| json!({"survey": "after-sales", "visit": visit, "store": store});
    // Errors name `[i].field` and what is accepted; nothing of a bad batch is written.
    for (body, field, words) in [
        (json!({"visit": "R-1"}), "body", "not an array"),
        (json!([]), "body", "expected 1 to 1000"),
        (
            json!([row("R-1", "SZ-FT"), {"survey": "after-sales", "store": "SZ-FT"}]),
            "[1].visit",
            "missing",
        ),
        (
            json!([row("R-1", "SZ-FT"), row("R-2", "XX-00")]),
            "[1].store",
            "not a store of the org file",
        ),
        (
            json!([{"survey": "售后", "visit": "R-1", "store": "SZ-FT"}]),
            "[0].survey",
            "letters, digits",
        ),
        (
            json!([{"survey": "a", "visit": "R-1", "store": "SZ-FT", "issued_at": "yesterday"}]),
            "[0].issued_at",
            "RFC 3339",
        ),
        (
            json!([{"survey": "a", "visit": "R-1", "store": "SZ-FT", "shop": "x"}]),
            "[0].shop",
            "survey, visit, store, advisor, touchpoint, issued_at",
        ),
        (
            json!([{"survey": "a", "visit": "R-1", "store": "SZ-FT", "advisor": 7}]),
            "[0].advisor",
            "expected a text",
        ),
    ] {
        let r = post(ADMIN.into(), body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.text);
        assert_eq!(r.json()["field"], field, "{}", r.text);
        assert!(r.text.contains(words), "{}", r.text);
    }
    let too_many: Vec<Value> = (0..1001).map(|i| row(&format!("R-{i}"), "SZ-FT")).collect();
    assert!(post(ADMIN.into(), json!(too_many))
        .await
        .text
        .contains("has 1001 visits"));
    // A store manager records their store's visits; one row of another store refuses the batch.
    let r = post(
        token(Role::Store),
        json!([row("R-1", "SZ-FT"), row("R-2", "BJ-CY")]),
    )
    .await;
    assert_eq!(
        (r.status, r.json()["field"].clone()),
        (StatusCode::FORBIDDEN, json!("[1].store")),
        "{}",
        r.text
    );
    let r = post(token(Role::Analyst), json!([row("R-1", "SZ-FT")])).await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "an analyst reports no visits"
    );
    assert!(
        store
            .funnel_visits(&Window::default())
            .await
            .unwrap()
            .is_empty(),
        "all or nothing"
    );
    // Times relative to now: a visit is reported within `PAST_DAYS` of its issue.
    let now = Now::system().ns;
    let first_ns = (now - 2 * 24 * H) / 1_000_000_000 * 1_000_000_000;
    let first = json!([{"survey": "after-sales", "visit": "R-1", "store": "SZ-FT", "advisor": "wang",
        "issued_at": at(first_ns).at, "channel": "counter"}, row("R-2", "SZ-FT")]);
    let r = post(token(Role::Store), first).await;
    assert_eq!(
        (r.status, r.json()),
        (StatusCode::OK, json!({"recorded": 2, "known": 0})),
        "{}",
        r.text
    );
    let again = json!([{"survey": "after-sales", "visit": "R-1", "store": "SZ-FT", "touchpoint": "after_sales",
        "issued_at": at(first_ns + 24 * H).at, "channel": "message"}, row("R-3", "SZ-NS")]);
    let r = post(token(Role::Region), again).await;
    assert_eq!(r.json(), json!({"recorded": 1, "known": 1}));
    // A later batch naming a known visit with another store is refused whole, naming every
    // such row and the store on record: never a silent "known".
    let moved = json!([row("R-4", "SZ-NS"),
        {"survey": "after-sales", "visit": "R-2", "store": "SZ-NS", "advisor": "li"}]);
    let r = post(token(Role::Region), moved).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert_eq!(r.json()["field"], "[1].store");
    assert_eq!(
        r.json()["taken"],
        json!([{"row": 1, "visit": "R-2", "store": "SZ-FT"}])
    );
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .starts_with("[1].visit \"R-2\" is recorded for store SZ-FT;"),
        "{}",
        r.text
    );
    // Committed before the 2xx: another handle on the file reads them.
    let other = Store::open(&path).unwrap();
    let v = other.funnel_visits(&Window::default()).await.unwrap();
    let r1 = v.iter().find(|v| v.visit == "R-1").unwrap();
    assert_eq!(r1.issued_ns, first_ns, "the first issue time stays");
    assert_eq!(
        (r1.advisor.as_deref(), r1.touchpoint.as_deref()),
        (Some("wang"), Some("after_sales"))
    );
    assert_eq!(
        r1.channel,
        nps_core::growth::visit::Channel::Counter,
        "the first channel stays"
    );
    assert!(
        v.iter().all(|v| v.visit != "R-4"),
        "nothing of a refused batch"
    );
    // A store outside the first one's scope writes nothing on its visit, not even what it
    // lacked: SZ-FT's token naming SZ-NS's visit is out of its scope (403), the region's
    // token naming it for SZ-FT is a conflict (409).
    let r = post(
        token(Role::Store),
        json!([{"survey": "after-sales", "visit": "R-3", "store": "SZ-NS", "advisor": "zhao"}]),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    // SZ-FT's token naming it for SZ-FT: a conflict that never names the store outside its
    // scope; its unknown store's error lists only its own stores.
    let r = post(
        token(Role::Store),
        json!([{"survey": "after-sales", "visit": "R-3", "store": "SZ-FT"}]),
    )
    .await;
    assert_eq!(
        (r.status, r.json()["taken"].clone()),
        (
            StatusCode::CONFLICT,
            json!([{"row": 0, "visit": "R-3", "store": null, "outside_scope": true}])
        ),
        "{}",
        r.text
    );
    assert!(
        !r.text.contains("SZ-NS") && r.text.contains("another store, outside your scope"),
        "{}",
        r.text
    );
    let r = post(token(Role::Store), json!([row("R-9", "XX-00")])).await;
    assert_eq!(r.json()["field"], "[0].store", "{}", r.text);
    assert!(
        r.text.contains("SZ-FT") && !r.text.contains("SZ-NS"),
        "{}",
        r.text
    );
    let r = post(
        token(Role::Region),
        json!([{"survey": "after-sales", "visit": "R-3", "store": "SZ-FT", "advisor": "zhao", "touchpoint": "sales"}]),
    )
    .await;
    assert_eq!(
        (r.status, r.json()["taken"].clone()),
        (
            StatusCode::CONFLICT,
            json!([{"row": 0, "visit": "R-3", "store": "SZ-NS"}])
        ),
        "{}",
        r.text
    );
    let v = other.funnel_visits(&Window::default()).await.unwrap();
    let r3 = v.iter().find(|v| v.visit == "R-3").unwrap();
    assert_eq!(
        (r3.store.as_deref(), r3.advisor.as_deref()),
        (Some("SZ-NS"), None)
    );
    // A visit issued tomorrow is not one yet; one backdated beyond the last 30 days is
    // refused; each error names the row's issued_at and the accepted range.
    for (issued_at, words) in [
        ("2099-01-01T00:00:00Z", "in the future"),
        ("2020-01-01T00:00:00Z", "too long ago"),
    ] {
        let r = post(
            token(Role::Admin),
            json!([row("R-8", "SZ-FT"), {"survey": "after-sales", "visit": "R-9", "store": "SZ-FT", "issued_at": issued_at}]),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
        assert_eq!(r.json()["field"], "[1].issued_at");
        assert!(r.text.contains(words), "{}", r.text);
        assert!(r.text.contains("expected a time from "), "{}", r.text);
        assert!(r.text.contains("the last 30 days"), "{}", r.text);
    }
    // A channel is one of two; none is a message.
    let r = post(
        token(Role::Admin),
        json!([{"survey": "after-sales", "visit": "R-9", "store": "SZ-FT", "channel": "sms"}]),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(r.json()["field"], "[0].channel");
    assert!(
        r.text.contains("expected one of counter, message"),
        "{}",
        r.text
    );
    let r2 = v.iter().find(|v| v.visit == "R-2").unwrap();
    assert_eq!(
        (r2.store.as_deref(), r2.advisor.as_deref(), r2.channel),
        (
            Some("SZ-FT"),
            None,
            nps_core::growth::visit::Channel::Message
        ),
        "the store it was first recorded with stays; a batch naming another store writes nothing"
    );
    assert_eq!(v.len(), 3);
    // Who reported each visit is kept with it, as the audit trail names them.
    let by: Vec<(String, Option<String>)> = rusqlite::Connection::open(&path)
        .unwrap()
        .prepare("SELECT visit, reported_by FROM visits ORDER BY visit")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let store_token = store.tokens().await.unwrap();
    let id_of = |label: &str| {
        let t = store_token.iter().find(|t| t.label == label).unwrap();
        Some(format!("token:{}", t.id))
    };
    assert_eq!(
        by,
        [
            ("R-1".to_owned(), id_of("store")),
            ("R-2".to_owned(), id_of("store")),
            ("R-3".to_owned(), id_of("region")),
        ]
    );
    // Audited, each attempt in scope (the refused ones too).
    let audit = store.audit().await.unwrap();
    assert_eq!(
        audit.iter().filter(|a| a.action == "visits_record").count(),
        5
    );
}

#[tokio::test]
async fn a_visit_names_a_survey_of_the_landing_file() {
    let store = Store::open(db_path()).unwrap();
    let app = app(
        store.clone(),
        Settings {
            landing: nps_collector::landing::Landing::from_json(
                r#"{"after-sales": {"brand": "星辰汽车"}, "sales": {"brand": "星辰汽车"}}"#,
            )
            .unwrap(),
            ..settings()
        },
    );
    let rows = json!([{"survey": "after-sales", "visit": "R-1", "store": "SZ-FT"},
        {"survey": "aftersales", "visit": "R-2", "store": "SZ-FT"}]);
    let r = call(&app, ADMIN, Method::POST, "/api/visits", Some(rows)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(r.json()["field"], "[1].survey");
    assert!(
        r.text
            .contains("not a survey of the landing file: expected one of after-sales, sales"),
        "{}",
        r.text
    );
    let rows = json!([{"survey": "sales", "visit": "R-1", "store": "SZ-FT"}]);
    let r = call(&app, ADMIN, Method::POST, "/api/visits", Some(rows)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn a_landing_open_marks_a_known_visit_once_and_adds_no_unknown_one() {
    let (app, store, _) = world().await;
    let visits = json!([{"survey": "after-sales", "visit": "R-7", "store": "SZ-FT"}]);
    call(&app, ADMIN, Method::POST, "/api/visits", Some(visits)).await;
    for uri in [
        "/s/after-sales?store=SZ-FT&visit=R-7",
        "/s/after-sales?store=SZ-FT&visit=R-7",
        "/s/after-sales?visit=R-unknown",
    ] {
        let r = send(
            &app,
            Request::builder().uri(uri).body(Body::empty()).unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{uri}");
    }
    let v = store.funnel_visits(&Window::default()).await.unwrap();
    assert_eq!(v.len(), 1, "no row for an unknown visit");
    assert!(v[0].opened);
    assert!(
        !store
            .visit_opened("after-sales", "R-7", &Now::system())
            .await
            .unwrap(),
        "the first open stays"
    );
}

#[tokio::test]
async fn an_answer_keeps_its_senders_marks_and_no_api_shows_them() {
    let (app, store, path) = world().await;
    let mut b = common::body("scored", Some(10), "2026-11-23T08:31:00.000Z");
    b["context"] = json!({"store": "SZ-FT", "visit": "R-9"});
    let mut req = common::post_raw("application/json", b.to_string().into_bytes());
    let peer: SocketAddr = "203.0.113.7:40000".parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(peer));
    req.headers_mut().insert(
        header::USER_AGENT,
        "Mozilla/5.0 (iPhone) MicroMessenger".parse().unwrap(),
    );
    assert_eq!(send(&app, req).await.status, StatusCode::CREATED);
    let c = rusqlite::Connection::open(&path).unwrap();
    let (device, net): (String, String) = c
        .query_row("SELECT device, net FROM responses", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((device.len(), net.len()), (16, 16));
    assert!(!device.contains("203") && device != net);
    for uri in [
        "/api/responses",
        "/api/funnel?by=store",
        "/api/funnel/flags",
    ] {
        let r = call(&app, ADMIN, Method::GET, uri, None).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.text);
        assert!(
            !r.text.contains(&device) && !r.text.contains(&net),
            "{uri} shows a mark"
        );
    }
    let rows = store.funnel_answers(&Window::default()).await.unwrap();
    assert_eq!(rows[0].device.as_deref(), Some(device.as_str()));
}

/// One generated visit: its store, advisor, whether opened, its answer's score if any.
struct Gen {
    store: &'static str,
    advisor: &'static str,
    visit: String,
    issued_ns: i64,
    opened: bool,
    score: Option<u8>,
}

/// A deterministic generator (a linear congruential one: no randomness crate needed).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn wilson(num: f64, den: f64) -> [f64; 2] {
    // Wilson's score interval, written out again here (z = 1.96).
    let (p, z) = (num / den, 1.96_f64);
    let centre = (p + z * z / (2.0 * den)) / (1.0 + z * z / den);
    let half = z * (p * (1.0 - p) / den + z * z / (4.0 * den * den)).sqrt() / (1.0 + z * z / den);
    [(centre - half).max(0.0), (centre + half).min(1.0)]
}

fn close(a: &Value, b: f64, what: &str) {
    let a = a.as_f64().unwrap_or_else(|| panic!("{what} is {a}"));
    assert!((a - b).abs() < 1e-9, "{what}: {a} != {b}");
}

#[tokio::test]
async fn the_funnel_counts_a_generated_set_as_computed_here_and_each_scope_sees_its_own() {
    let (app, store, _) = world().await;
    let places = [
        ("SZ-FT", "wang"),
        ("SZ-FT", "chen"),
        ("SZ-NS", "liu"),
        ("GZ-TH", "zhao"),
        ("BJ-CY", "ma"),
    ];
    let mut rng = Lcg(17);
    let mut gen = Vec::new();
    for (i, (store, advisor)) in places.iter().cycle().take(300).enumerate() {
        // Issued over two days, every one at least 3 h before any answer is stored.
        let issued_ns = T0 + i as i64 * 9 * MIN;
        let opened = rng.below(100) < 70;
        let score = (opened && rng.below(100) < 60)
            .then(|| [10, 9, 9, 8, 7, 6, 3, 10, 9, 0][rng.below(10) as usize]);
        gen.push(Gen {
            store,
            advisor,
            visit: format!("R-{i}"),
            issued_ns,
            opened,
            score,
        });
    }
    // The visits, in batches, as the admin token's posts record them (through the store: the
    // set's fixed weeks are older than a post's `issued_at` may be, `invited::PAST_DAYS`).
    let by = nps_collector::storage::Reporter {
        source: "api",
        by: "admin-token",
        every_store: true,
    };
    for chunk in gen.chunks(120) {
        let rows: Vec<NewVisit> = chunk
            .iter()
            .map(|g| NewVisit {
                survey: "after-sales".into(),
                visit: g.visit.clone(),
                store: Some(g.store.into()),
                advisor: Some(g.advisor.into()),
                touchpoint: None,
                issued_ns: g.issued_ns,
                channel: Channel::Message,
            })
            .collect();
        let done = store.visits_record(&rows, &by, &at(T0)).await.unwrap();
        assert!(
            done == nps_collector::storage::VisitsRecorded::Done {
                recorded: rows.len(),
                known: 0
            },
            "{done:?}"
        );
    }
    for g in gen.iter().filter(|g| g.opened) {
        store
            .visit_opened("after-sales", &g.visit, &at(g.issued_ns + MIN))
            .await
            .unwrap();
    }
    // The answers, each from its own phone on its own network, 3 h after issue and 40 min apart
    // per store (nothing flagged)…
    let mut n = 0;
    let mut posts = Vec::new();
    for (i, g) in gen.iter().enumerate() {
        if let Some(score) = g.score {
            n += 1;
            let marks = Marks {
                device: 1000 + i as u64,
                net: 5000 + i as u64,
            };
            let ns = g.issued_ns + 3 * H + i as i64 * 40 * MIN;
            posts.push((
                answer(n, g.store, g.advisor, Some(&g.visit), score, ns),
                at(ns),
                None,
                Admission {
                    marks: Some(marks),
                    ..Admission::operator()
                },
            ));
        }
    }
    // …and SZ-FT's counter tablet: three answers without an invited visit within an hour, 10s.
    let tablet = Marks {
        device: 77,
        net: 88,
    };
    let t_tablet = T0 + 40 * H;
    for k in 0..3 {
        n += 1;
        let ns = t_tablet + k * 20 * MIN;
        posts.push((
            answer(n, "SZ-FT", "wang", Some(&format!("T-{k}")), 10, ns),
            at(ns),
            None,
            Admission {
                marks: Some(tablet),
                ..Admission::operator()
            },
        ));
    }
    let tablet_ids: Vec<String> = ((n - 2)..=n).map(id).collect();
    store.upsert_batch(posts).await.unwrap();

    // Expected, per store, from the generator's list.
    #[derive(Default)]
    struct Want {
        invited: u64,
        opened: u64,
        answered: u64,
        p: u64,
        q: u64,
        d: u64,
        flagged: u64,
    }
    let mut want: BTreeMap<&str, Want> = BTreeMap::new();
    for g in &gen {
        let w = want.entry(g.store).or_default();
        w.invited += 1;
        w.opened += g.opened as u64;
        if let Some(s) = g.score {
            w.answered += 1;
            match s {
                9 | 10 => w.p += 1,
                7 | 8 => w.q += 1,
                _ => w.d += 1,
            }
        }
    }
    let ft = want.get_mut("SZ-FT").unwrap();
    ft.p += 3;
    ft.flagged += 3;

    let check = |reply: &Reply, stores: &[&str]| {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        let body = reply.json();
        assert_eq!(body["by"], "store");
        let rows = body["rows"].as_array().unwrap();
        let keys: Vec<&str> = rows.iter().map(|r| r["key"].as_str().unwrap()).collect();
        assert_eq!(keys, stores);
        for r in rows {
            let w = &want[r["key"].as_str().unwrap()];
            let what = r["key"].as_str().unwrap();
            assert_eq!(
                (
                    r["invited"].as_u64(),
                    r["opened"].as_u64(),
                    r["answered"].as_u64()
                ),
                (Some(w.invited), Some(w.opened), Some(w.answered)),
                "{what}"
            );
            close(
                &r["response_rate"],
                w.answered as f64 / w.invited as f64,
                what,
            );
            let [lo, hi] = wilson(w.answered as f64, w.invited as f64);
            close(&r["response_interval"][0], lo, what);
            close(&r["response_interval"][1], hi, what);
            let n = (w.p + w.q + w.d) as f64;
            assert_eq!(r["answers"].as_u64(), Some(w.p + w.q + w.d));
            close(&r["nps"], 100.0 * (w.p as f64 - w.d as f64) / n, what);
            assert_eq!(r["promoters"].as_u64(), Some(w.p));
            assert_eq!(r["flagged"].as_u64(), Some(w.flagged), "{what}");
            close(&r["flagged_share"], w.flagged as f64 / n, what);
            assert_eq!(
                r["flags"]["same_device"].as_u64(),
                Some(w.flagged),
                "{what}"
            );
            assert_eq!(r["flags"]["ten_burst"].as_u64(), Some(0), "{what}");
            assert_eq!(
                (r["referral_rate"].as_f64(), r["purchased"].as_u64()),
                (Some(0.0), Some(0))
            );
        }
    };
    let all = ["BJ-CY", "GZ-TH", "SZ-FT", "SZ-NS"];
    check(
        &call(
            &app,
            ADMIN,
            Method::GET,
            "/api/funnel?by=store&from=2026-11-01&to=2026-12-31",
            None,
        )
        .await,
        &all,
    );
    let r = call(
        &app,
        ADMIN,
        Method::GET,
        "/api/funnel?by=store&survey=after-sales&from=2026-11-01&to=2026-12-31",
        None,
    )
    .await;
    assert_eq!(r.json()["rows"][2]["name"], "深圳福田店");
    check(
        &call(
            &app,
            &token(Role::Region),
            Method::GET,
            "/api/funnel?by=store&from=2026-11-01&to=2026-12-31",
            None,
        )
        .await,
        &["GZ-TH", "SZ-FT", "SZ-NS"],
    );
    check(
        &call(
            &app,
            &token(Role::Store),
            Method::GET,
            "/api/funnel?by=store&from=2026-11-01&to=2026-12-31",
            None,
        )
        .await,
        &["SZ-FT"],
    );
    check(
        &call(
            &app,
            &token(Role::Analyst),
            Method::GET,
            "/api/funnel?by=store&store=BJ-CY&from=2026-11-01&to=2026-12-31",
            None,
        )
        .await,
        &[],
    );
    check(
        &call(
            &app,
            ADMIN,
            Method::GET,
            "/api/funnel?by=store&store=GZ-TH&from=2026-11-01&to=2026-12-31",
            None,
        )
        .await,
        &["GZ-TH"],
    );
    // By advisor and by month: the same totals, split otherwise.
    let r = call(
        &app,
        ADMIN,
        Method::GET,
        "/api/funnel?by=advisor&from=2026-11-01&to=2026-12-31",
        None,
    )
    .await
    .json();
    let keys: Vec<&str> = r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["chen", "liu", "ma", "wang", "zhao"]);
    let r = call(
        &app,
        ADMIN,
        Method::GET,
        "/api/funnel?by=month&from=2026-11-01&to=2026-12-31",
        None,
    )
    .await
    .json();
    assert_eq!(r["rows"][0]["key"], "2026-11");
    assert_eq!(r["rows"][0]["invited"].as_u64(), Some(300));
    let r = call(
        &app,
        ADMIN,
        Method::GET,
        "/api/funnel?by=week&from=2026-11-01&to=2026-12-31",
        None,
    )
    .await
    .json();
    assert_eq!(r["rows"][0]["key"], "2026-W48");
    // A window: visits issued on the first day only (issued 10:00 China time onward).
    let r = call(
        &app,
        ADMIN,
        Method::GET,
        "/api/funnel?by=month&from=2026-11-23T02:00:00Z&to=2026-11-23T03:00:00Z",
        None,
    )
    .await
    .json();
    assert_eq!(r["rows"][0]["invited"].as_u64(), Some(7), "{r}");
    assert_eq!(
        (r["from"].as_str(), r["to"].as_str()),
        (Some("2026-11-23T02:00:00Z"), Some("2026-11-23T03:00:00Z"))
    );
    // `by` is required and named.
    for q in ["", "?by=region"] {
        let r = call(&app, ADMIN, Method::GET, &format!("/api/funnel{q}"), None).await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::BAD_REQUEST, json!("by")),
            "{}",
            r.text
        );
        let e = r.json()["error"].as_str().unwrap().replace('"', "");
        assert!(e.contains("store, advisor, touchpoint, week, month"), "{e}");
    }
    // The flagged answers: the tablet's three, in the store's scope, never out of it.
    let r = call(
        &app,
        &token(Role::Store),
        Method::GET,
        "/api/funnel/flags?store=SZ-FT&from=2026-11-01&to=2026-12-31",
        None,
    )
    .await
    .json();
    let ids: Vec<&str> = r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let mut want_ids: Vec<&str> = tablet_ids.iter().map(String::as_str).collect();
    want_ids.reverse();
    assert_eq!(ids, want_ids, "newest first");
    assert_eq!(r["rows"][0]["reasons"], json!(["same_device"]));
    assert_eq!(r["rows"][0]["store"], "SZ-FT");
    let r = call(
        &app,
        &token(Role::Store),
        Method::GET,
        "/api/funnel/flags?store=BJ-CY&from=2026-11-01&to=2026-12-31",
        None,
    )
    .await
    .json();
    assert_eq!(r["rows"], json!([]));

    // The filters, applied by the collector: a region and a city keep their stores whole…
    let get = |uri: String| {
        let app = app.clone();
        async move { call(&app, ADMIN, Method::GET, &uri, None).await }
    };
    let w = "&from=2026-11-01&to=2026-12-31";
    check(
        &get(format!("/api/funnel?by=store&region=south{w}")).await,
        &["GZ-TH", "SZ-FT", "SZ-NS"],
    );
    check(
        &get(format!("/api/funnel?by=store&city=深圳{w}")).await,
        &["SZ-FT", "SZ-NS"],
    );
    // …an advisor keeps their visits and answers (the tablet's are wang's)…
    let r = get(format!("/api/funnel?by=store&advisor=wang{w}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let wang: Vec<&Gen> = gen.iter().filter(|g| g.advisor == "wang").collect();
    let row = &r.json()["rows"][0];
    assert_eq!(r.json()["rows"].as_array().unwrap().len(), 1, "{}", r.text);
    assert_eq!(
        (
            row["key"].as_str(),
            row["invited"].as_u64(),
            row["answered"].as_u64(),
            row["answers"].as_u64(),
            row["flagged"].as_u64()
        ),
        (
            Some("SZ-FT"),
            Some(wang.len() as u64),
            Some(wang.iter().filter(|g| g.score.is_some()).count() as u64),
            Some(wang.iter().filter(|g| g.score.is_some()).count() as u64 + 3),
            Some(3)
        ),
        "{row}"
    );
    for (q, n) in [
        ("advisor=wang", 3),
        ("advisor=chen", 0),
        ("region=north", 0),
    ] {
        let r = get(format!("/api/funnel/flags?store=SZ-FT&{q}{w}")).await;
        assert_eq!(
            r.json()["rows"].as_array().map(Vec::len),
            Some(n),
            "{q}: {}",
            r.text
        );
    }
    // …and a touchpoint keeps the answers given at it (these visits were recorded without one).
    let r = get(format!("/api/funnel?by=store&touchpoint=after_sales{w}")).await;
    for row in r.json()["rows"].as_array().unwrap() {
        assert_eq!(row["invited"].as_u64(), Some(0), "{row}");
        assert!(row["answers"].as_u64().unwrap() > 0, "{row}");
    }
    // An unknown key is named with the keys read.
    for route in ["/api/funnel?by=store&", "/api/funnel/flags?"] {
        let r = get(format!("{route}model=x")).await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::BAD_REQUEST, json!("model")),
            "{}",
            r.text
        );
        assert!(
            r.text.contains("store, advisor, region, city, touchpoint"),
            "{}",
            r.text
        );
    }
}

fn cli(args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nps-collector"))
        .args(args)
        .env_remove("NPS_VISIT_SECRET")
        .env_remove("NPS_LANDING")
        .env_remove("NPS_DB")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `sign-visit` and `qr` (one code, a CSV sheet) record the visits they issue with `--db`,
/// and without it say that nothing was recorded.
#[tokio::test]
async fn the_link_commands_record_the_visits_they_issue_given_a_database() {
    let path = db_path();
    drop(Store::open(&path).unwrap());
    let db = path.to_str().unwrap();
    let dir = path.parent().unwrap();
    let link = [
        "--base",
        "https://nps.example.com",
        "--survey",
        "after-sales",
        "--store",
        "SZ-FT",
    ];
    let secret = "a-visit-secret-of-at-least-32-bytes!!";
    let mut args = vec![
        "--visit-secret",
        secret,
        "--db",
        db,
        "sign-visit",
        "--visit",
        "RO-1",
    ];
    args.extend(link);
    let (ok, out, err) = cli(&args);
    assert!(ok && out.contains("visit=RO-1"), "{err}");
    assert!(err.contains("recorded 1 invited visits"), "{err}");
    let code = dir.join("code.svg");
    let mut args = vec![
        "qr",
        "--visit",
        "RO-2",
        "--out",
        code.to_str().unwrap(),
        "--advisor",
        "wang",
    ];
    args.extend(link);
    let (ok, _, err) = cli(&args);
    assert!(
        ok && err.contains("not recorded") && err.contains("--db"),
        "without --db: {err}"
    );
    args.extend(["--db", db]);
    let (ok, _, err) = cli(&args);
    assert!(ok && err.contains("recorded 1"), "{err}");
    let csv = dir.join("visits.csv");
    std::fs::write(&csv, "visit,advisor\nRO-1,chen\nRO-3,chen\n").unwrap();
    let sheet = dir.join("sheet");
    let mut args = vec![
        "--db",
        db,
        "qr",
        "--csv",
        csv.to_str().unwrap(),
        "--out",
        sheet.to_str().unwrap(),
    ];
    args.extend(link);
    let (ok, _, err) = cli(&args);
    assert!(
        ok && err.contains("recorded 1 invited visits") && err.contains("1 known"),
        "{err}"
    );
    let store = Store::open(&path).unwrap();
    let v = store.funnel_visits(&Window::default()).await.unwrap();
    let got: Vec<(&str, Option<&str>, Option<&str>)> = v
        .iter()
        .map(|v| (v.visit.as_str(), v.store.as_deref(), v.advisor.as_deref()))
        .collect::<Vec<_>>();
    let mut got = got;
    got.sort();
    assert_eq!(
        got,
        [
            ("RO-1", Some("SZ-FT"), Some("chen")),
            ("RO-2", Some("SZ-FT"), Some("wang")),
            ("RO-3", Some("SZ-FT"), Some("chen"))
        ]
    );
    // A mistyped --db is refused, not made.
    let missing = dir.join("typo.db");
    let mut args = vec![
        "--visit-secret",
        secret,
        "--db",
        missing.to_str().unwrap(),
        "sign-visit",
        "--visit",
        "RO-9",
    ];
    args.extend(link);
    let (ok, _, err) = cli(&args);
    assert!(!ok && err.contains("no database at"), "{err}");
    assert!(!missing.exists());
}

/// The demo set (`cargo xtask demo`) tells the stories the dashboard is for: 上海浦东's high
/// NPS rests on few customers, 深圳福田's 星火计划 brings friends who buy, and 广州天河's
/// counter tablet is flagged on every reason while customers' own phones never are.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_set_shows_low_response_referrals_and_a_coached_store() {
    let (app, store, _path) = world().await;
    nps_collector::demo::seed_store(&store, 3000, 6, 7)
        .await
        .unwrap();
    let r = call(
        &app,
        &token(Role::Admin),
        Method::GET,
        "/api/funnel?by=store",
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let rows = r.json()["rows"].as_array().unwrap().clone();
    let row = |code: &str| rows.iter().find(|r| r["key"] == code).unwrap().clone();
    assert_eq!(rows.len(), 6);
    for r in &rows {
        let invited = r["invited"].as_u64().unwrap();
        let answered = r["answered"].as_u64().unwrap();
        assert!(invited > answered && answered > 0, "{r}");
        assert!(r["opened"].as_u64().unwrap() >= answered, "{r}");
        let low = r["low_response"].as_bool().unwrap();
        assert_eq!(
            low,
            r["key"] == "SH-PD",
            "only 上海浦东 rests on few customers: {r}"
        );
    }
    let rate = |code: &str| row(code)["referral_rate"].as_f64().unwrap();
    for other in ["GZ-TH", "SH-PD", "BJ-CY", "CD-GX", "HZ-XH"] {
        assert!(rate("SZ-FT") > rate(other), "星火计划 beats {other}");
    }
    assert!(row("SZ-FT")["booked"].as_u64().unwrap() > row("SZ-FT")["purchased"].as_u64().unwrap());
    let coached = row("GZ-TH");
    assert!(coached["flagged"].as_u64().unwrap() >= 15, "{coached}");
    for reason in [
        "same_device",
        "same_network",
        "at_counter",
        "ten_burst",
        "high_burst",
    ] {
        assert!(
            coached["flags"][reason].as_u64().unwrap() > 0,
            "{reason}: {coached}"
        );
    }
    for r in rows.iter().filter(|r| r["key"] != "GZ-TH") {
        assert_eq!(
            r["flagged"], 0,
            "customers' own phones are never flagged: {r}"
        );
    }
}

/// A script that forgets `Content-Type: application/json` (curl's `-d` sends a form's) is
/// read all the same, and its refusal is the API's JSON error, never the customer's
/// "评价未能提交" page.
#[tokio::test]
async fn an_api_call_sent_as_a_form_gets_json_not_a_customer_page() {
    let (app, _store, _path) = world().await;
    let body = r#"[{"survey":"after-sales","visit":"R-1","store":"SZ-FT"}]"#;
    for (bearer, want) in [
        (token(Role::Admin), StatusCode::OK),
        ("wrong".to_owned(), StatusCode::UNAUTHORIZED),
    ] {
        let req = Request::builder()
            .method(Method::POST)
            .uri("/api/visits")
            .header(header::AUTHORIZATION, format!("Bearer {bearer}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        let r = send(&app, req).await;
        assert_eq!(r.status, want, "{}", r.text);
        assert!(!r.text.contains("<html"), "{}", r.text);
        let json = r.json();
        assert!(
            json.get("error").is_some() || json.get("recorded").is_some(),
            "{}",
            r.text
        );
    }
}

fn now_ns() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp_nanos() as i64
}

fn rfc(ns: i64) -> String {
    at(ns).at
}

/// Without `from` and `to` the funnel reads the last 90 days; a window longer than 400 days
/// is refused naming `from` and the limit, on both routes.
#[tokio::test]
async fn the_funnel_reads_ninety_days_by_default_and_at_most_four_hundred() {
    let (app, store, _) = world().await;
    let now = now_ns();
    let posts = [(1, now - 100 * 24 * H), (2, now - 10 * 24 * H)].map(|(n, ns)| {
        (
            answer(n, "SZ-FT", "wang", None, 9, ns),
            at(ns),
            None,
            Admission::operator(),
        )
    });
    store.upsert_batch(posts.to_vec()).await.unwrap();
    let r = call(&app, ADMIN, Method::GET, "/api/funnel?by=store", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let body = r.json();
    assert_eq!(body["rows"][0]["answers"].as_u64(), Some(1), "{body}");
    let from = time::OffsetDateTime::parse(
        body["from"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let days = (now as i128 - from.unix_timestamp_nanos()) as f64 / (24 * H) as f64;
    assert!((days - 90.0).abs() < 0.01, "from is 90 days back: {body}");
    // `to` alone: the 90 days before it.
    let r = call(
        &app,
        ADMIN,
        Method::GET,
        &format!("/api/funnel?by=store&to={}", rfc(now - 95 * 24 * H)),
        None,
    )
    .await;
    assert_eq!(
        r.json()["rows"][0]["answers"].as_u64(),
        Some(1),
        "{}",
        r.text
    );
    // 401 days: refused; 400: read.
    for route in ["/api/funnel?by=store&", "/api/funnel/flags?"] {
        let r = call(
            &app,
            ADMIN,
            Method::GET,
            &format!("{route}from=2025-01-01&to=2026-02-05T00:00:01Z"),
            None,
        )
        .await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::BAD_REQUEST, json!("from")),
            "{}",
            r.text
        );
        assert!(r.text.contains("at most 400 days"), "{}", r.text);
        // Far apart: refused, never wrapped past the check (it once overflowed).
        let r = call(
            &app,
            ADMIN,
            Method::GET,
            &format!("{route}from=1700-01-01&to=2262-01-01"),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
        assert!(r.text.contains("at most 400 days"), "{}", r.text);
        let r = call(
            &app,
            ADMIN,
            Method::GET,
            // (a date `to` is the end of that day)
            &format!("{route}from=2025-01-01&to=2026-02-04"),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let r = call(
            &app,
            ADMIN,
            Method::GET,
            &format!("{route}from=2026-02-05&to=2026-02-05T00:00:00Z"),
            None,
        )
        .await;
        assert_eq!(r.json()["field"], "to", "{}", r.text);
    }
}

/// A store's tablet answering just before the window and once inside it: the one inside is
/// flagged (the flags read six hours more on each side), and only it is counted and listed.
#[tokio::test]
async fn a_cluster_at_the_windows_edge_is_seen_whole_and_only_its_inside_is_reported() {
    let (app, store, _) = world().await;
    let edge = T0 + 24 * H;
    let tablet = Marks { device: 7, net: 8 };
    let posts: Vec<_> = [-70, -30, 10]
        .iter()
        .enumerate()
        .map(|(k, m)| {
            let ns = edge + m * MIN;
            let visit = format!("E-{k}");
            (
                answer(k + 1, "SZ-FT", "wang", Some(&visit), 9, ns),
                at(ns),
                None,
                Admission {
                    marks: Some(tablet),
                    ..Admission::operator()
                },
            )
        })
        .collect();
    store.upsert_batch(posts).await.unwrap();
    let w = format!("from={}&to={}", rfc(edge), rfc(edge + 24 * H));
    let r = call(
        &app,
        ADMIN,
        Method::GET,
        &format!("/api/funnel/flags?{w}"),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let rows = r.json()["rows"].clone();
    assert_eq!(rows.as_array().map(Vec::len), Some(1), "{rows}");
    assert_eq!(
        (rows[0]["id"].as_str(), rows[0]["reasons"].clone()),
        (Some(id(3).as_str()), json!(["same_device"]))
    );
    let r = call(
        &app,
        ADMIN,
        Method::GET,
        &format!("/api/funnel?by=store&{w}"),
        None,
    )
    .await;
    let row = &r.json()["rows"][0];
    assert_eq!(
        (row["answers"].as_u64(), row["flagged"].as_u64()),
        (Some(1), Some(1)),
        "{row}"
    );
}

#[tokio::test]
async fn an_sms_answered_a_minute_after_it_was_sent_is_not_flagged_a_counter_visit_is() {
    let (app, store, _) = world().await;
    let issued = (Now::system().ns - 3 * H) / 1_000_000_000 * 1_000_000_000;
    // The DMS's SMS (no channel: a message) and a QR code handed at the counter.
    let rows = json!([
        {"survey": "after-sales", "visit": "SMS-1", "store": "SZ-FT", "issued_at": at(issued).at},
        {"survey": "after-sales", "visit": "QR-1", "store": "SZ-FT", "issued_at": at(issued).at,
         "channel": "counter"},
    ]);
    let r = call(&app, ADMIN, Method::POST, "/api/visits", Some(rows)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // Each answered 1 minute later, from its own phone.
    let posts = [(1, "SMS-1"), (2, "QR-1")]
        .into_iter()
        .map(|(n, visit)| {
            let ns = issued + MIN;
            let marks = Marks {
                device: n as u64,
                net: 100 + n as u64,
            };
            (
                answer(n, "SZ-FT", "wang", Some(visit), 9, ns),
                at(ns),
                None,
                Admission {
                    marks: Some(marks),
                    ..Admission::operator()
                },
            )
        })
        .collect();
    store.upsert_batch(posts).await.unwrap();
    let r = call(&app, ADMIN, Method::GET, "/api/funnel/flags", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        r.json()["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| (row["visit"].clone(), row["reasons"].clone()))
            .collect::<Vec<_>>(),
        [(json!("QR-1"), json!(["at_counter"]))],
        "{}",
        r.text
    );
}
