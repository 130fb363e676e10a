//! `GET /api/themes` over stored answers: the detractors' comments of the range against the
//! range before, flagged answers and other categories left out, the filters of the query,
//! each caller's scope, and a query it cannot read named.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use common::{db_path, send};
use nps_collector::{app, write_key, Admission, Now, Settings, Store};
use nps_core::access::{Role, Scope};
use nps_core::contract::payload::Response;
use nps_core::scoring::analysis::Names;
use serde_json::{json, Value};

const ORG: &str = include_str!("../../docs/org.toml");
const DAY: i64 = 86_400_000_000_000;
/// 2026-11-01T02:00:00Z.
const NOV_1: i64 = 1_793_498_400_000_000_000;

fn at(ns: i64) -> Now {
    Now::from_time(time::OffsetDateTime::from_unix_timestamp_nanos(ns as i128).unwrap())
}

fn answer(n: usize, store: &str, score: u8, comment: &str, ns: i64) -> Response {
    let t = at(ns).at;
    Response::parse(
        &json!({"schema": 1, "id": format!("40000000-0000-4000-8000-{n:012}"),
        "survey": "after-sales", "stage": "completed", "score": score,
        "category": nps_core::scoring::score::category(score as i64).unwrap().as_str(),
        "reasons": [], "comment": comment, "contact": null,
        "context": {"store": store, "advisor": "wang"}, "locale": "zh-CN",
        "page": null, "created_at": t, "updated_at": t}),
    )
    .unwrap()
}

async fn world() -> Router {
    let store = Store::open(db_path()).unwrap();
    let now = Now::system();
    for (who, role, scope) in [
        ("admin", Role::Admin, Scope::All),
        ("ft", Role::Store, Scope::Stores(vec!["SZ-FT".into()])),
        ("north", Role::Region, Scope::Regions(vec!["north".into()])),
    ] {
        store
            .token_add(&write_key::hash(who), who, role, &scope, &now)
            .await
            .unwrap();
    }
    // November (the range): SZ-FT's detractors wait; BJ-CY's are charged too much; a
    // promoter and a flagged answer that would add "等待" are not counted. October (before):
    // charges.
    let mut posts = Vec::new();
    let mut n = 0;
    let mut add = |store: &str, score: u8, comment: &str, ns: i64, flag: Option<&'static str>| {
        n += 1;
        posts.push((
            answer(n, store, score, comment, ns),
            at(ns),
            flag,
            Admission::operator(),
        ));
    };
    for d in 0..4 {
        add(
            "SZ-FT",
            3,
            "等待时间太长，没人告诉进度",
            NOV_1 + d * DAY,
            None,
        );
    }
    add("SZ-FT", 5, "等待太久了", NOV_1 + 5 * DAY, None);
    add("SZ-FT", 9, "等待很短，服务周到", NOV_1 + 6 * DAY, None);
    add("SZ-FT", 2, "等待", NOV_1 + 7 * DAY, Some("too_fast"));
    for d in 0..3 {
        add(
            "BJ-CY",
            4,
            "收费太贵，账单看不懂",
            NOV_1 + (8 + d) * DAY,
            None,
        );
    }
    for d in 0..4 {
        add("SZ-FT", 4, "收费太贵", NOV_1 - (5 + d) * DAY, None);
    }
    store.upsert_batch(posts).await.unwrap();
    app(
        store,
        Settings {
            admin_token: "the-admin-token".into(),
            rate_limit: 0,
            names: Names::default().with_org(nps_collector::org_file::read(ORG).unwrap()),
            ..Settings::default()
        },
    )
}

async fn get(app: &Router, bearer: &str, q: &str) -> (StatusCode, Value) {
    let r = send(
        app,
        Request::get(format!("/api/themes{q}"))
            .header(header::AUTHORIZATION, format!("Bearer {bearer}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    (
        r.status,
        serde_json::from_str(&r.text).unwrap_or(Value::Null),
    )
}

fn terms(v: &Value) -> Vec<(String, u64)> {
    v["themes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["term"].as_str().unwrap().to_owned(),
                t["comments"].as_u64().unwrap(),
            )
        })
        .collect()
}

const NOVEMBER: &str = "?from=2026-11-01&to=2026-11-30";

#[tokio::test]
async fn the_themes_are_the_detractors_words_against_the_range_before_in_the_callers_scope() {
    let app = world().await;
    let (status, all) = get(&app, "admin", NOVEMBER).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    // Eight detractors' comments in November (not the promoter's, not the flagged one), four
    // in October.
    assert_eq!(
        (all["comments"].as_u64(), all["previous_comments"].as_u64()),
        (Some(8), Some(4))
    );
    assert_eq!(all["category"], "detractor");
    assert_eq!(all["previous_from"], "2026-10-02T00:00:00Z");
    let t = terms(&all);
    assert_eq!(t[0], ("等待".into(), 5), "{all}");
    assert!(t.contains(&("收费".into(), 3)), "{all}");
    // Words always said together are one theme, in the order said; its term is the first.
    let themes = all["themes"].as_array().unwrap();
    let slow = themes.iter().find(|t| t["term"] == "时间").unwrap();
    assert_eq!(slow["words"], json!(["时间", "告诉", "进度"]), "{all}");
    assert_eq!(slow["comments"], 4);
    let fee = themes.iter().find(|t| t["term"] == "收费").unwrap();
    assert_eq!(fee["words"], json!(["收费", "太贵", "账单", "看不懂"]));
    assert_eq!(fee["previous_comments"], 4);
    let change = fee["change"].as_f64().unwrap();
    assert!((change - (3.0 / 8.0 - 1.0)).abs() < 1e-9, "{fee}");
    // No comment and no phone travels: words and counts only.
    assert!(!all.to_string().contains("没人告诉进度"));

    // A store's manager reads their store's; a region's, the region's; a filter narrows.
    let (_, ft) = get(&app, "ft", NOVEMBER).await;
    assert_eq!(ft["comments"], 5);
    assert!(terms(&ft).iter().all(|(w, _)| w != "收费"), "{ft}");
    let (_, north) = get(&app, "north", NOVEMBER).await;
    assert_eq!(north["comments"], 3);
    assert!(terms(&north).iter().all(|(w, _)| w != "等待"), "{north}");
    let (_, by_store) = get(&app, "admin", &format!("{NOVEMBER}&store=BJ-CY")).await;
    assert_eq!(by_store["comments"], 3);
    let (_, by_region) = get(&app, "admin", &format!("{NOVEMBER}&region=south")).await;
    assert_eq!(by_region["comments"], 5);
    let (_, outside) = get(&app, "ft", &format!("{NOVEMBER}&store=BJ-CY")).await;
    assert_eq!(outside["comments"], 0);
    assert_eq!(outside["themes"], json!([]));
    // Promoters' words when asked: one comment is no theme.
    let (_, praise) = get(&app, "admin", &format!("{NOVEMBER}&category=promoter")).await;
    assert_eq!(
        (praise["comments"].as_u64(), praise["themes"].clone()),
        (Some(1), json!([]))
    );
}

#[tokio::test]
async fn a_query_it_cannot_read_is_named_and_a_stranger_is_refused() {
    let app = world().await;
    for (q, field) in [
        ("?category=angry", "category"),
        ("?from=2026-11-01", "to"),
        ("?from=yesterday&to=2026-11-02", "from"),
        ("?order=desc", "order"),
    ] {
        let (status, v) = get(&app, "admin", q).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q}");
        assert_eq!(v["field"], field, "{q}: {v}");
    }
    let (status, _) = get(&app, "nobody", NOVEMBER).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
