//! The case routes, tried as each kind of caller: the scope table × every case route (a store
//! manager reads and works only their stores' cases, a region manager their regions', an
//! analyst reads and never works, an admin everything, machine tokens by their role, nobody
//! nothing); a case outside the scope answers as an unknown one. `PATCH` errors name the field
//! and the accepted values, a state that does not take the change is a 409 in words; the
//! history keeps its order and who; every change is audited; phones are masked; and a case's
//! state survives a restart of the collector.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use common::{db_path, send, Reply};
use nps_collector::storage::AuditFilter;
use nps_collector::{app, write_key, Now, Settings, Store};
use nps_core::access::{Role, Scope};
use nps_core::scoring::analysis::Names;
use serde_json::{json, Value};

const ORG: &str = include_str!("../../docs/org.toml");
const HOST: &str = "collector.test";
const ADMIN_TOKEN: &str = "the-admin-token";
const HOUR: i64 = 3_600_000_000_000;

/// Answers of SZ-FT (south), BJ-CY (north) and with no store; the first leaves a phone.
const IN: &str = "20000000-0000-4000-8000-000000000001";
const OUT: &str = "20000000-0000-4000-8000-000000000002";
const NO_STORE: &str = "20000000-0000-4000-8000-000000000003";

fn scope_of(role: Role) -> Scope {
    match role {
        Role::Admin => Scope::All,
        Role::Region => Scope::Regions(vec!["south".into()]),
        Role::Store | Role::Analyst => Scope::Stores(vec!["SZ-FT".into()]),
    }
}

/// Who calls: a machine token of a role, the admin token, a person's session, or nobody.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Token(Role),
    AdminToken,
    Session,
    Nobody,
}

struct World {
    app: Router,
    store: Store,
    path: std::path::PathBuf,
    session: String,
    /// The case id of each answer above.
    cases: Vec<(&'static str, String)>,
}

impl World {
    fn case(&self, response: &str) -> &str {
        &self.cases.iter().find(|c| c.0 == response).unwrap().1
    }
}

fn settings() -> Settings {
    Settings {
        admin_token: ADMIN_TOKEN.into(),
        rate_limit: 0,
        names: Names::default().with_org(nps_collector::org_file::read(ORG).unwrap()),
        ..Settings::default()
    }
}

async fn world() -> World {
    let path = db_path();
    let store = Store::open(&path).unwrap();
    let now = Now::system();
    for (id, at, phone) in [
        (IN, Some("SZ-FT"), true),
        (OUT, Some("BJ-CY"), false),
        (NO_STORE, None, false),
    ] {
        let mut b = common::body("completed", Some(3), "2026-11-23T08:31:00.000Z");
        b["id"] = json!(id);
        b["context"] = match at {
            Some(s) => json!({"store": s, "advisor": "wang"}),
            None => json!({}),
        };
        if phone {
            b["contact"] =
                json!({"phone": "+8613812343788", "consent": true, "callback_hours": 48});
        }
        let r = nps_core::contract::payload::Response::parse(&b).unwrap();
        store.upsert(r, now.clone(), None).await.unwrap();
    }
    for role in Role::ALL {
        let hash = write_key::hash(&format!("machine-{}", role.key()));
        store
            .token_add(&hash, role.key(), role, &scope_of(role), &now)
            .await
            .unwrap();
    }
    let li = store
        .user_add(
            "li@brand.example",
            Role::Store,
            &scope_of(Role::Store),
            &now,
        )
        .await
        .unwrap()
        .unwrap();
    let session = format!("session-{}", uuid::Uuid::new_v4());
    store
        .session_add(&write_key::hash(&session), li.id, &now, 8 * HOUR, 24 * HOUR)
        .await
        .unwrap();
    let listed = store.case_list(&Default::default()).await.unwrap();
    let cases = [IN, OUT, NO_STORE]
        .into_iter()
        .map(|r| {
            (
                r,
                listed
                    .iter()
                    .find(|c| c.response_id == r)
                    .unwrap()
                    .id
                    .clone(),
            )
        })
        .collect();
    World {
        app: app(store.clone(), settings()),
        store,
        path,
        session,
        cases,
    }
}

async fn call(w: &World, kind: Kind, method: Method, uri: &str, body: Option<Value>) -> Reply {
    let mut b = Request::builder()
        .method(method.clone())
        .uri(uri)
        .header(header::HOST, HOST);
    match kind {
        Kind::Token(r) => {
            b = b.header(header::AUTHORIZATION, format!("Bearer machine-{}", r.key()))
        }
        Kind::AdminToken => b = b.header(header::AUTHORIZATION, format!("Bearer {ADMIN_TOKEN}")),
        Kind::Session => {
            b = b
                .header(header::COOKIE, format!("nps_session={}", w.session))
                .header(header::ORIGIN, format!("http://{HOST}"))
        }
        Kind::Nobody => {}
    }
    let body = match body {
        Some(v) => {
            b = b.header(header::CONTENT_TYPE, "application/json");
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    send(&w.app, b.body(body).unwrap()).await
}

async fn patch(w: &World, kind: Kind, response: &str, body: Value) -> Reply {
    let uri = format!("/api/cases/{}", w.case(response));
    call(w, kind, Method::PATCH, &uri, Some(body)).await
}

#[tokio::test]
async fn the_scope_table_holds_on_every_case_route() {
    let w = world().await;
    let kinds = [
        Kind::Token(Role::Admin),
        Kind::Token(Role::Region),
        Kind::Token(Role::Store),
        Kind::Token(Role::Analyst),
        Kind::AdminToken,
        Kind::Nobody,
    ];
    for kind in kinds {
        let what = format!("{kind:?}");
        let list = call(&w, kind, Method::GET, "/api/cases", None).await;
        let stats = call(&w, kind, Method::GET, "/api/cases/stats", None).await;
        let causes = call(&w, kind, Method::GET, "/api/cases/root-causes", None).await;
        if kind == Kind::Nobody {
            for r in [&list, &stats, &causes] {
                assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{what}");
            }
            continue;
        }
        let all = matches!(kind, Kind::AdminToken | Kind::Token(Role::Admin));
        let analyst = kind == Kind::Token(Role::Analyst);
        assert_eq!(list.status, StatusCode::OK, "{what}: {}", list.text);
        let mut seen: Vec<String> = list
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["response_id"].as_str().unwrap().to_owned())
            .collect();
        seen.sort();
        let want: Vec<&str> = if all {
            vec![IN, OUT, NO_STORE]
        } else {
            vec![IN]
        };
        assert_eq!(seen, want, "{what}");
        assert!(!list.text.contains("13812343788"), "{what}: a full phone");
        let case_in = list
            .json()
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["response_id"] == IN)
            .unwrap()
            .clone();
        let phone = if analyst {
            Value::Null
        } else {
            json!("138****3788")
        };
        assert_eq!(case_in["phone"], phone, "{what}");
        let keys: Vec<Value> = stats
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["key"].clone())
            .collect();
        let want_keys = if all {
            vec![json!("BJ-CY"), json!("SZ-FT"), Value::Null]
        } else {
            vec![json!("SZ-FT")]
        };
        assert_eq!(keys, want_keys, "{what}");
        assert_eq!(causes.json()[1], "等待时间", "{what}");
        for (response, in_scope) in [(IN, true), (OUT, all), (NO_STORE, all)] {
            let uri = format!("/api/cases/{}", w.case(response));
            let got = call(&w, kind, Method::GET, &uri, None).await;
            let want = if in_scope {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            };
            assert_eq!(got.status, want, "{what} GET {response}");
            let note = patch(&w, kind, response, json!({"note": "在跟进"})).await;
            let want = match (analyst, in_scope) {
                (true, _) => StatusCode::FORBIDDEN,
                (false, true) => StatusCode::OK,
                (false, false) => StatusCode::NOT_FOUND,
            };
            assert_eq!(note.status, want, "{what} PATCH {response}: {}", note.text);
        }
    }
    // Unknown and out of scope answer alike.
    let unknown = call(
        &w,
        Kind::Token(Role::Store),
        Method::GET,
        "/api/cases/nope",
        None,
    )
    .await;
    let out = call(
        &w,
        Kind::Token(Role::Store),
        Method::GET,
        &format!("/api/cases/{}", w.case(OUT)),
        None,
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.json()["field"], out.json()["field"]);
}

#[tokio::test]
async fn patch_errors_name_the_field_and_the_accepted_values() {
    let w = world().await;
    let k = Kind::Token(Role::Store);
    let long = "很".repeat(1001);
    let cases: [(Value, &str, &str); 7] = [
        (
            json!({"note": long}),
            "note",
            "note has 1001 characters: expected at most 1000",
        ),
        (
            json!({"state": "resolved"}),
            "state",
            "status, note, root_cause, owner",
        ),
        (
            json!({"status": "done"}),
            "status",
            "contacted, resolved, open",
        ),
        (
            json!({"status": "resolved", "root_cause": "天气"}),
            "root_cause",
            "维修质量, 等待时间, 价格, 服务态度, 沟通, 其他",
        ),
        (
            json!({"root_cause": "价格"}),
            "root_cause",
            "goes with status \"resolved\"",
        ),
        (
            json!({"status": "resolved"}),
            "root_cause",
            "root_cause is needed to resolve a case: expected one of 维修质量, 等待时间",
        ),
        (
            json!({"owner": "sun@brand.example"}),
            "owner",
            "someone who may work this case",
        ),
    ];
    for (body, field, says) in cases {
        let r = patch(&w, k, IN, body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.text);
        assert_eq!(r.json()["field"], field, "{body}");
        assert!(
            r.json()["error"].as_str().unwrap().contains(says),
            "{body}: {}",
            r.text
        );
    }
    let ok = patch(&w, k, IN, json!({"status": "contacted"})).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    let again = patch(&w, k, IN, json!({"status": "contacted"})).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.json()["field"], "status");
    assert_eq!(
        again.json()["error"],
        "a case that is contacted does not take `contact`; it takes: resolve, note, assign"
    );
    // The store's owner in the org file may own its case; so may an account in scope.
    let li = patch(&w, k, IN, json!({"owner": "LI@brand.example"})).await;
    assert_eq!(li.status, StatusCode::OK, "{}", li.text);
    assert_eq!(li.json()["owner"], "li@brand.example");
}

#[tokio::test]
async fn the_history_keeps_its_order_and_every_change_is_audited() {
    let w = world().await;
    let first = call(
        &w,
        Kind::Session,
        Method::GET,
        &format!("/api/cases/{}", w.case(IN)),
        None,
    )
    .await;
    let c = first.json();
    assert_eq!(
        (c["status"].as_str(), c["owner"].as_str()),
        (Some("open"), Some("li@brand.example"))
    );
    assert_eq!(c["callback"], true);
    assert_eq!(c["store_name"], "深圳福田店");
    assert_eq!(c["region"], "south");
    assert!(
        c["hours_left"].as_i64().unwrap() >= 47,
        "the 48 hours carried: {c}"
    );
    let steps = [
        json!({"status": "contacted", "note": "客户同意周六回店"}),
        json!({"status": "resolved", "root_cause": "等待时间"}),
    ];
    for s in steps {
        let r = patch(&w, Kind::Session, IN, s).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    let token = patch(
        &w,
        Kind::AdminToken,
        IN,
        json!({"status": "open", "note": "客户再次来电"}),
    )
    .await;
    let c = token.json();
    let lines: Vec<(&str, &str)> = c["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["what"].as_str().unwrap(), h["who"].as_str().unwrap()))
        .collect();
    assert_eq!(
        lines,
        [
            ("opened", "collector"),
            ("callback", "collector"),
            ("contacted", "li@brand.example"),
            ("note", "li@brand.example"),
            ("resolved", "li@brand.example"),
            ("reopened", "admin token"),
            ("note", "admin token"),
        ]
    );
    assert_eq!(
        (c["status"].as_str(), c["reopens"].as_i64()),
        (Some("open"), Some(1))
    );
    assert!(
        c["first_contact_at"].is_string() && c["resolved_at"].is_null(),
        "{c}"
    );
    let filter = AuditFilter {
        action: Some("case_update".into()),
        ..AuditFilter::default()
    };
    let audited = w.store.audit_read(&filter, 100).await.unwrap();
    assert_eq!(audited.len(), 3);
    assert!(audited.iter().any(|a| a.who == "user:li@brand.example"));
}

#[tokio::test]
async fn a_case_survives_a_restart_of_the_collector() {
    let w = world().await;
    let r = patch(
        &w,
        Kind::Token(Role::Region),
        IN,
        json!({"status": "resolved", "root_cause": "价格"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    w.store.flush().await.unwrap();
    let (path, id) = (w.path.clone(), w.case(IN).to_owned());
    drop(w);
    let again = app(Store::open(&path).unwrap(), settings());
    let req = Request::builder()
        .uri(format!("/api/cases/{id}"))
        .header(header::AUTHORIZATION, format!("Bearer {ADMIN_TOKEN}"))
        .body(Body::empty())
        .unwrap();
    let c = send(&again, req).await.json();
    assert_eq!(
        (c["status"].as_str(), c["root_cause"].as_str()),
        (Some("resolved"), Some("价格"))
    );
    assert_eq!(
        c["history"].as_array().unwrap().last().unwrap()["who"],
        "token:region"
    );
}

/// A resolved case's re-survey: the store takes the signed link (recorded in the history and
/// counted as sent), the customer answers through it, and the case and the store's figures
/// show the recovery. A case that is not resolved, or a collector without the visit secret,
/// has no link, in words.
#[tokio::test]
async fn a_resolved_case_is_re_surveyed_and_its_answer_counts_as_recovered() {
    let mut w = world().await;
    let id = w.case(IN).to_owned();
    let take = |w: &World| {
        let uri = format!("/api/cases/{id}/recovery");
        let w_app = w.app.clone();
        let session = w.session.clone();
        async move {
            let req = Request::builder()
                .method(Method::POST)
                .uri(uri)
                .header(header::HOST, HOST)
                .header(header::COOKIE, format!("nps_session={session}"))
                .header(header::ORIGIN, format!("http://{HOST}"))
                .body(Body::empty())
                .unwrap();
            send(&w_app, req).await
        }
    };
    // Open: nothing to re-survey yet.
    let r = take(&w).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert!(r.text.contains("resolve it first"), "{}", r.text);
    let r = patch(
        &w,
        Kind::Session,
        IN,
        json!({"status": "resolved", "root_cause": "等待时间"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // No visit secret: the link cannot be signed, and the operator is told what to give.
    let r = take(&w).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert_eq!(r.json()["field"], "recovery");
    assert!(r.text.contains("--visit-secret"), "{}", r.text);
    w.app = app(
        w.store.clone(),
        Settings {
            visit_key: Some(
                nps_collector::visit::VisitKey::new("a visit secret of some length").unwrap(),
            ),
            public_origins: vec![format!("http://{HOST}")],
            ..settings()
        },
    );
    let r = take(&w).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let c = r.json();
    let url = c["recovery_url"].as_str().expect("a re-survey link");
    assert!(
        url.starts_with(&format!("http://{HOST}/s/after-sales?")),
        "{url}"
    );
    assert_eq!(
        c["history"].as_array().unwrap().last().unwrap()["what"],
        "recovery_link"
    );
    assert_eq!(
        c["history"].as_array().unwrap().last().unwrap()["who"],
        "li@brand.example"
    );
    // The customer answers through the link: a 9, its context exactly the link's.
    let context: serde_json::Map<String, Value> = url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), Value::from(v.into_owned())))
        .collect();
    let mut b = common::body("completed", Some(9), "2026-11-23T08:31:00.000Z");
    b["id"] = json!("20000000-0000-4000-8000-000000000009");
    b["context"] = Value::Object(context);
    let r = call(
        &w,
        Kind::Nobody,
        Method::POST,
        "/api/responses",
        Some(b.clone()),
    )
    .await;
    assert!(r.status.is_success(), "{} {}", r.status, r.text);
    let c = call(
        &w,
        Kind::Session,
        Method::GET,
        &format!("/api/cases/{id}"),
        None,
    )
    .await
    .json();
    assert_eq!(c["recovery_score"], 9);
    assert!(
        c["recovery_url"].as_str().is_some(),
        "a link taken stays at hand"
    );
    // The first answer may change its tap; another answer through the same link changes nothing.
    let mut again = b.clone();
    again["score"] = json!(8);
    again["category"] = json!("passive");
    again["updated_at"] = json!("2026-11-23T08:32:00.000Z");
    let r = call(
        &w,
        Kind::Nobody,
        Method::POST,
        "/api/responses",
        Some(again),
    )
    .await;
    assert!(r.status.is_success(), "{} {}", r.status, r.text);
    let mut other = b.clone();
    other["id"] = json!("20000000-0000-4000-8000-00000000000a");
    other["score"] = json!(10);
    other["category"] = json!("promoter");
    let r = call(
        &w,
        Kind::Nobody,
        Method::POST,
        "/api/responses",
        Some(other),
    )
    .await;
    assert!(r.status.is_success(), "{} {}", r.status, r.text);
    let c = call(
        &w,
        Kind::Session,
        Method::GET,
        &format!("/api/cases/{id}"),
        None,
    )
    .await
    .json();
    assert_eq!(c["recovery_score"], 8, "the first answer's own change only");
    // Taking the link again adds no second line; an analyst never gets the link.
    let r = take(&w).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let history = r.json()["history"].as_array().unwrap().clone();
    let lines = history
        .iter()
        .filter(|h| h["what"] == "recovery_link")
        .count();
    assert_eq!(lines, 1);
    let uri = format!("/api/cases/{id}");
    let c = call(&w, Kind::Token(Role::Analyst), Method::GET, &uri, None)
        .await
        .json();
    assert!(c["recovery_url"].is_null(), "{c}");
    let rows = call(
        &w,
        Kind::Session,
        Method::GET,
        "/api/cases/stats?by=store",
        None,
    )
    .await
    .json();
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "SZ-FT")
        .unwrap()
        .clone();
    assert_eq!(
        (
            &row["recovery_sent"],
            &row["recovery_answered"],
            &row["recovered"],
            &row["recovery_rate"]
        ),
        (&json!(1), &json!(1), &json!(1), &json!(1.0)),
        "{row}"
    );
    // The re-survey opened no case of its own.
    assert_eq!(
        w.store.case_list(&Default::default()).await.unwrap().len(),
        3
    );
}
