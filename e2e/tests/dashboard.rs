//! The manager's dashboard against the collector in headless Chromium (Beijing time, zh-CN):
//! a seeded demo set of a few thousand answers loaded by an admin signed in, and the
//! page's headline NPS, its interval, its change verdict, the stores' order and the worst
//! store's verdict checked against figures computed here from the stored rows.

use nps_collector::demo;
use nps_core::scoring::analysis::{civil_from_days, compare, local_day, minutes_of, Verdict};
use nps_core::scoring::score::{category, Tally};
use nps_e2e::{Browser, Options, Server};
use serde_json::{json, Value};

/// Beijing, minutes east of UTC.
const OFFSET: i32 = 480;

fn iso(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// As the page rounds a score: to a whole point, never "-0".
fn shown(x: f64) -> String {
    let r = x.round();
    format!("{}", if r == 0.0 { 0.0 } else { r })
}

fn verdict_words(v: Verdict) -> &'static str {
    match v {
        Verdict::Better => "真实提升",
        Verdict::Worse => "真实下降",
        Verdict::Noise => "在误差范围内",
    }
}

/// The counted answers as (local day, store, score), read straight from the database.
fn stored(server: &Server) -> Vec<(i64, String, i64)> {
    let conn = rusqlite::Connection::open(&server.db).unwrap();
    let mut stmt = conn
        .prepare("SELECT body FROM responses WHERE flag IS NULL")
        .unwrap();
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap);
    rows.filter_map(|body| {
        let v: Value = serde_json::from_str(&body).unwrap();
        let score = v["score"].as_i64()?;
        let day = local_day(minutes_of(v["created_at"].as_str()?)?, OFFSET);
        Some((day, v["context"]["store"].as_str()?.to_owned(), score))
    })
    .collect()
}

fn tally<'a>(scores: impl Iterator<Item = &'a i64>) -> Tally {
    let mut t = Tally::default();
    for s in scores {
        t.add(category(*s).unwrap());
    }
    t
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_says_what_the_stored_answers_say() {
    let server = Server::start_with(|s| s.names = demo::names()).await;
    demo::seed(&server.db, 3000, 6, 11).unwrap();
    let b = Browser::start(Options {
        lang: "zh-CN",
        ..Options::default()
    })
    .await;
    b.beijing_time().await;
    let now = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 60) as i64;
    let today = local_day(now, OFFSET);
    let (from, to) = (today - 89, today);
    b.sign_in_as(
        &server,
        nps_core::access::Role::Admin,
        nps_core::access::Scope::All,
    )
    .await;
    b.goto(&format!(
        "{}/dashboard.html#from={}&to={}",
        server.base,
        iso(from),
        iso(to)
    ))
    .await;
    b.find(".glance .big").await;

    // The expected figures, from the rows.
    let rows = stored(&server);
    let now_t = tally(
        rows.iter()
            .filter(|r| (from..=to).contains(&r.0))
            .map(|r| &r.2),
    );
    let before = tally(
        rows.iter()
            .filter(|r| (from - 90..from).contains(&r.0))
            .map(|r| &r.2),
    );
    let nps = now_t.nps().unwrap();
    assert!(now_t.n() > 1000, "a few thousand answers: {}", now_t.n());
    assert_eq!(b.text(".glance .big").await, shown(nps.score));
    assert_eq!(
        b.text(".glance .interval").await,
        format!(
            "95% 置信区间 {} 至 {}",
            shown(nps.ci95.0),
            shown(nps.ci95.1)
        )
    );
    let change = compare(&now_t, &before).unwrap();
    assert_eq!(
        b.text(".glance .verdict").await,
        verdict_words(change.verdict)
    );

    // The stores, worst first (those with enough answers), each against the rest.
    let mut stores: Vec<(String, Tally)> = Vec::new();
    for r in rows.iter().filter(|r| (from..=to).contains(&r.0)) {
        match stores.iter_mut().find(|(s, _)| *s == r.1) {
            Some((_, t)) => t.add(category(r.2).unwrap()),
            None => stores.push((r.1.clone(), tally([r.2].iter()))),
        }
    }
    stores.sort_by(|a, b| {
        (b.1.n() >= 30).cmp(&(a.1.n() >= 30)).then(
            a.1.nps()
                .unwrap()
                .score
                .total_cmp(&b.1.nps().unwrap().score),
        )
    });
    let expected: Vec<String> = stores.iter().map(|(s, _)| s.clone()).collect();
    let order = b
        .js("return [...document.querySelectorAll('.segments tbody tr')].map(r => r.dataset.segment)")
        .await;
    assert_eq!(order, json!(expected));
    assert_eq!(expected[0], "BJ-CY", "the demo's worst store");
    let worst = &stores[0].1;
    let rest = now_t.minus(worst);
    let first_row = b.text(".segments tbody tr").await;
    assert!(
        first_row.contains("北京朝阳店"),
        "the brand's name for it: {first_row}"
    );
    assert!(
        first_row.contains(verdict_words(compare(worst, &rest).unwrap().verdict)),
        "{first_row}"
    );

    // Signed in by a cookie no script can read; nothing is kept in the tab, and another
    // view of the page still loads.
    assert_eq!(b.js("return document.cookie").await, json!(""));
    assert_eq!(b.js("return sessionStorage.length").await, json!(0));
    b.goto(&format!("{}/dashboard.html#by=advisor", server.base))
        .await;
    b.find(".glance .big").await;
    let first = b.text(".segments tbody tr th").await;
    assert!(
        first.starts_with("马超"),
        "the demo's worst advisor: {first}"
    );
    // The widget's touchpoints by their names, not their codes.
    b.goto(&format!("{}/dashboard.html#by=touchpoint", server.base))
        .await;
    b.find(".glance .big").await;
    let names = b
        .js("return [...document.querySelectorAll('.segments tbody th')].map(t => t.textContent).sort()")
        .await;
    assert_eq!(names, json!(["保养", "售后服务", "维修"]));
    b.close().await;
}
