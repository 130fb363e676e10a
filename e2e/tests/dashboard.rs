//! The manager's dashboard against the collector in headless Chromium (Beijing time, zh-CN):
//! a seeded demo set of a few thousand answers loaded by an admin signed in, and the
//! page's headline NPS, its interval, its change verdict, the stores' order and the worst
//! store's verdict checked against figures computed here from the stored rows; on a 375 px
//! phone, the headline in plain words, coloured against the brand's target, and the trend's
//! latest week in sight.

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

/// The headline's change against the last period, in the page's words.
fn vs_last(v: Verdict) -> &'static str {
    match v {
        Verdict::Better => "比上期显著提升",
        Verdict::Worse => "比上期显著下降",
        Verdict::Noise => "与上期相比在误差范围内",
    }
}

/// A store against the other stores, in the page's words.
fn vs_other_stores(v: Verdict) -> &'static str {
    match v {
        Verdict::Better => "显著高于其他门店",
        Verdict::Worse => "显著低于其他门店",
        Verdict::Noise => "与其他门店无显著差异",
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
            "很可能在 {} 至 {} 之间",
            shown(nps.ci95.0),
            shown(nps.ci95.1)
        )
    );
    let change = compare(&now_t, &before).unwrap();
    assert_eq!(b.text(".glance .verdict").await, vs_last(change.verdict));

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
        first_row.contains(vs_other_stores(compare(worst, &rest).unwrap().verdict)),
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

/// "差评在说什么": the words the collector counts in the detractors' comments of the view's
/// range (`GET /api/themes`, asked here with the page's own query), shown in its order; a
/// word tapped shows the detractors' comments that use it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_says_what_detractors_write_about_and_opens_their_comments() {
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
    b.find(".themes ul.themes li").await;
    let shown = b
        .js("return [...document.querySelectorAll('.themes li[data-term]')].map(l => l.dataset.term)")
        .await;
    let q = format!(
        "category=detractor&from={}T00%3A00%3A00%2B08%3A00&to={}T00%3A00%3A00%2B08%3A00",
        iso(from),
        iso(to + 1)
    );
    b.js(&format!(
        "window.themesAnswer = null; fetch('/api/themes?{q}', {{credentials: 'same-origin'}})\
         .then(r => r.json()).then(v => window.themesAnswer = v); return 0"
    ))
    .await;
    let answer = nps_e2e::wait_until("the themes' answer", || async {
        let v = b.js("return window.themesAnswer").await;
        (!v.is_null()).then_some(v)
    })
    .await;
    let terms: Vec<Value> = answer["themes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["term"].clone())
        .collect();
    assert_eq!(shown, json!(terms), "{answer}");
    // The demo's detractors wait without news of their car and are charged more than quoted.
    let said = |word: &str| {
        answer["themes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["words"].as_array().unwrap().contains(&json!(word)))
    };
    for word in ["进度", "费用"] {
        assert!(said(word), "{word} in {answer}");
    }
    let words: Vec<&str> = answer["themes"][0]["words"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert_eq!(
        b.text(".themes li[data-term] .term").await,
        words.join(" · ")
    );
    let first = terms[0].as_str().unwrap().to_owned();
    b.tap(".themes li[data-term] button").await;
    b.wait_attr(".themes li[data-term] button", "aria-pressed", "true")
        .await;
    let search = b
        .js("return document.querySelector('.comments input.search').value")
        .await;
    assert_eq!(search, json!(first));
    // Signed in, the comments are the collector's (`GET /api/comments` with the view): they
    // come once it answers the new search.
    let listed = nps_e2e::wait_until("the comments behind the theme", || async {
        let v = b
            .js("return [...document.querySelectorAll('.comments .list li')].map(l => [l.querySelector('.pill').className, l.querySelector('.text').textContent])")
            .await;
        let all_say_it = v.as_array().is_some_and(|l| {
            !l.is_empty()
                && l.iter().all(|c| {
                    c[1].as_str()
                        .is_some_and(|t| t.to_lowercase().contains(&first))
                })
        });
        all_say_it.then_some(v)
    })
    .await;
    let comments = listed.as_array().unwrap();
    assert!(!comments.is_empty(), "comments behind {first}");
    b.js("document.querySelector('.themes').scrollIntoView(); return 0")
        .await;
    b.screenshot("dashboard-themes-1280").await;
    for c in comments {
        assert!(c[0].as_str().unwrap().contains("detractor"), "{c}");
        assert!(
            c[1].as_str().unwrap().to_lowercase().contains(&first),
            "{first} in {c}"
        );
    }
    b.close().await;
}

/// The demo with its org (`www/demo-org.toml`: the brand's target 45) on a 375 px phone: the
/// headline says in plain words what it compares, is coloured against the brand's target and
/// says so, the page runs off no edge, and the trend's latest week is on screen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_the_headline_is_plain_and_held_to_the_target_and_the_latest_week_shows() {
    let org = nps_collector::org_file::read(include_str!("../../www/demo-org.toml")).unwrap();
    let target = org.brand().target.expect("the demo's brand target");
    let server = Server::start_with(move |s| s.names = demo::names().with_org(org)).await;
    demo::seed(&server.db, 3000, 6, 11).unwrap();
    let b = Browser::start(Options::phone("zh-CN")).await;
    b.beijing_time().await;
    b.sign_in_as(
        &server,
        nps_core::access::Role::Admin,
        nps_core::access::Scope::All,
    )
    .await;
    b.goto(&format!("{}/dashboard.html", server.base)).await;
    b.find(".glance .big").await;
    b.find(".trend circle.pt").await;
    b.screenshot("dashboard-phone-375").await;

    // Plain words: what the change compares, how many answers, no developer's words.
    let glance = b.text(".glance").await;
    let verdict = b.text(".glance .verdict").await;
    assert!(
        [Verdict::Better, Verdict::Worse, Verdict::Noise]
            .into_iter()
            .any(|v| vs_last(v) == verdict),
        "{verdict}"
    );
    assert!(b.text(".glance .n").await.ends_with(" 条回答"), "{glance}");
    for developer in ["真实", "差值区间", "载入用时", "毫秒", "n "] {
        assert!(!glance.contains(developer), "{developer} in {glance}");
    }
    // Coloured against the brand's target, and it says which target.
    let score: f64 = b.text(".glance .big").await.parse().unwrap();
    let class = b
        .js("return document.querySelector('.glance .score').className")
        .await;
    let (want, words) = if score >= target as f64 {
        ("met", format!("达到品牌目标 {target}"))
    } else {
        ("below", format!("低于品牌目标 {target}"))
    };
    assert!(
        class.as_str().unwrap().split(' ').any(|c| c == want),
        "{class} for {score}"
    );
    assert_eq!(b.text(".glance .grade").await, words);
    let colour = b
        .js("return getComputedStyle(document.querySelector('.glance .big')).color")
        .await;
    let expected = if want == "met" {
        "rgb(24, 128, 56)"
    } else {
        "rgb(197, 34, 31)"
    };
    assert_eq!(colour, json!(expected));

    // Nothing runs off the side of the phone.
    let wide = b
        .js("return document.documentElement.scrollWidth <= window.innerWidth")
        .await;
    assert_eq!(wide, json!(true));
    // The trend's latest week: its point within the screen once the trend is scrolled to.
    b.js("document.querySelector('.trend').scrollIntoView(); return 0")
        .await;
    let seen = b
        .js(
            "const pts = document.querySelectorAll('.trend circle.pt'); \
             const r = pts[pts.length - 1].getBoundingClientRect(); \
             const s = document.querySelector('.trend .scroll').getBoundingClientRect(); \
             return [r.left >= s.left && r.right <= s.right && r.right <= window.innerWidth, \
                     document.querySelectorAll('#trend-alt li').length]",
        )
        .await;
    assert_eq!(seen[0], json!(true), "{seen}");
    b.screenshot("dashboard-phone-375-trend").await;
    // The latest week is the last one listed and the last one drawn.
    let last_label = b
        .js("const l = document.querySelectorAll('.trend text.label'); return l[l.length - 1].textContent")
        .await;
    let alt = b
        .js("const l = document.querySelectorAll('#trend-alt li'); return l[l.length - 1].textContent")
        .await;
    assert!(
        alt.as_str()
            .unwrap()
            .starts_with(last_label.as_str().unwrap()),
        "{alt} / {last_label}"
    );
    b.close().await;

    // The same page on a desktop, for the screenshot.
    let b = Browser::start(Options {
        lang: "zh-CN",
        ..Options::default()
    })
    .await;
    b.beijing_time().await;
    b.sign_in_as(
        &server,
        nps_core::access::Role::Admin,
        nps_core::access::Scope::All,
    )
    .await;
    b.goto(&format!("{}/dashboard.html", server.base)).await;
    b.find(".trend circle.pt").await;
    b.screenshot("dashboard-1280").await;
    b.js("document.querySelector('.trend').scrollIntoView(); return 0")
        .await;
    b.screenshot("dashboard-1280-trend").await;
    // A reason's row opens the comments of the answers that chose it, kept in the link.
    let reason = b
        .js("return document.querySelector('.drivers tr[data-reason]').dataset.reason")
        .await;
    let reason = reason.as_str().unwrap().to_owned();
    b.tap(".drivers tr[data-reason] button").await;
    b.wait_attr(".drivers tr[data-reason] button", "aria-pressed", "true")
        .await;
    b.find(".comments .reason-picked").await;
    let hash = b.js("return location.hash").await;
    assert!(
        hash.as_str().unwrap().contains(&format!("reason={reason}")),
        "{hash}"
    );
    b.screenshot("dashboard-1280-reason").await;
    b.close().await;
}
