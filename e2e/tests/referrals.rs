//! Referrals and response rates end to end in headless Chromium (zh-CN, phones), against the
//! whole collector (`serve::run` with its alert worker, a `--config` whose WeCom channel is a
//! local receiver, the demo's names and org):
//!
//! - a promoter answers 10 on the landing page inside WeChat, taps the outcome's "邀请好友试驾",
//!   lands on their referral page (the poster drawn), gives a name and shares; their own open
//!   of the link is not counted; a friend (another browser, another User-Agent) opens it twice
//!   and is counted once, is sent to the collector's booking form (the survey has no
//!   `referral_url`) and books; the brand's system reports the purchase with a machine token
//!   (once, though sent twice); the store's robot gets both thank-yous with no phone; the
//!   store manager's funnel row moves from shared and opened to booked and bought;
//! - a survey with a `referral_url` sends the friend there, with the code;
//! - a DMS posts the visits it invited (`POST /api/visits`), customers open and answer on the
//!   landing page, and the dashboard shows invited → opened → answered and the rate.
//!
//! What was stored is read back from the database.

use std::sync::Arc;

use nps_core::access::{Role, Scope};
use nps_e2e::brand::{self, poster_drawn};
use nps_e2e::robot::{self, Seen};
use nps_e2e::{wait_until, Browser, Options, Server};
use serde_json::{json, Value};

/// WeChat's in-app browser on the promoter's phone.
const WECHAT_UA: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN";
/// The friend's phone: another browser (on the same network, as a test's loopback is).
const FRIEND_UA: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36";
const FRIEND_PHONE: &str = "139 1234 5678";

/// The landing file: `after-sales` books on the collector's own form; `sales` sends a friend
/// to the brand's booking page (`{origin}/index.html?src=nps`).
fn landing(origin: &str) -> nps_collector::landing::Landing {
    let text = json!({
        "after-sales": {"brand": "星辰汽车", "locale": "zh-CN", "retention_days": 30,
            "booking_label": "试驾",
            "context": {"touchpoint": "after_service", "channel": "qr"}},
        "sales": {"brand": "星辰汽车", "locale": "zh-CN",
            "referral_url": format!("{origin}/index.html?src=nps")},
    });
    nps_collector::landing::Landing::from_json(&text.to_string()).expect("a valid landing file")
}

/// The whole collector with 深圳福田店's WeCom group at `wecom`.
async fn collector(wecom: &str) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let org = nps_collector::org_file::read(include_str!("../../www/demo-org.toml")).unwrap();
    let path = nps_e2e::temp_dir("config").join("nps.toml");
    std::fs::write(&path, robot::channel_config(wecom, "SZ-FT")).unwrap();
    let config = nps_collector::alerts::Config::load(&path, &org).expect("a valid nps.toml");
    Server::run_on(listener, move |s| {
        s.names = nps_collector::demo::names().with_org(org);
        s.alerts = Some(Arc::new(config));
        s.landing = landing(&origin);
        s.public_origins = vec![origin];
    })
    .await
}

/// A phone whose tabs all take the User-Agent `ua`.
async fn phone_as(ua: &'static str) -> Browser {
    Browser::start(Options {
        user_agent: Some(ua),
        ..Options::phone("zh-CN")
    })
    .await
}

/// The page's path, once it is `want`.
async fn wait_path(b: &Browser, want: &str) -> Value {
    wait_until(&format!("the address {want}"), || async {
        let v = b.js("return [location.pathname, location.search]").await;
        (v[0] == want).then_some(v)
    })
    .await
}

/// Switches to the window the last tap opened (the outcome's link opens a new one).
async fn to_new_window(b: &Browser) {
    let was = b.client.window().await.unwrap();
    let new = wait_until("a second window", || async {
        let all = b.client.windows().await.ok()?;
        all.into_iter().find(|w| *w != was)
    })
    .await;
    b.client.switch_to_window(new).await.unwrap();
}

/// Waits until `script` returns `want` in `b`.
async fn reads(b: &Browser, script: &str, want: &str) {
    wait_until(&format!("{want:?} on the page"), || async {
        (b.js(script).await == want).then_some(())
    })
    .await;
}

/// The cells of the row `key` of the dashboard's table `table` (`response`, `referral`), as
/// read: a rate's figure alone, not its interval.
async fn row_cells(b: &Browser, table: &str, key: &str) -> Vec<String> {
    let v = b
        .js(&format!(
            "const tr = document.querySelector(\"section.funnel table.{table} tr[data-key='{key}']\"); \
             return tr ? [...tr.querySelectorAll('td')].map(td => (td.querySelector('.num') || td).textContent.trim()) : null"
        ))
        .await;
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|x| x.as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Reloads the dashboard until the row `key` of `table` reads `want` (its first cells).
async fn dashboard_row(b: &Browser, server: &Server, table: &str, key: &str, want: &[&str]) {
    b.goto(&format!("{}/dashboard.html", server.base)).await;
    b.find("section.funnel").await;
    wait_until(&format!("{table} row {key} reading {want:?}"), || async {
        let cells = row_cells(b, table, key).await;
        (cells.len() >= want.len() && cells.iter().zip(want).all(|(c, w)| c == w)).then_some(())
    })
    .await;
}

/// `POST {path}` with a bearer token and a JSON body: the status and the answer.
fn post_json(server: &Server, path: &str, token: &str, body: &Value) -> (u16, Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut r = agent
        .post(&format!("{}{path}", server.base))
        .header("authorization", &format!("Bearer {token}"))
        .header("content-type", "application/json")
        .send(body.to_string())
        .unwrap();
    let text = r.body_mut().read_to_string().unwrap();
    (
        r.status().as_u16(),
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

/// How many opens of `code` were stored, of the promoter's own device (`own` 1) or not.
fn opens(server: &Server, code: &str, own: &str) -> usize {
    server
        .column(
            "SELECT device FROM referral_opens WHERE code = ?1 AND own = ?2",
            &[code, own],
        )
        .len()
}

/// The thank-you the store's group received for `needle`; checks it carries no phone.
async fn thank_you(seen: &Seen, needle: &str) -> String {
    let (query, body) = robot::markdown_with(seen, needle).await;
    assert_eq!(query, robot::QUERY);
    let text = body["markdown"]["content"].as_str().unwrap().to_owned();
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    assert!(
        !digits.contains("13912345678") && !digits.contains("12345678") && !text.contains("139"),
        "never the friend's phone: {text}"
    );
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_promoters_friend_opens_books_and_buys_and_the_store_thanks_and_counts_it() {
    let (wecom, seen) = robot::wecom().await;
    let server = collector(&wecom).await;

    // The promoter, in WeChat: 10 on the landing page, then the outcome's one action.
    let promoter = phone_as(WECHAT_UA).await;
    promoter
        .open(&format!(
            "{}/s/after-sales?store=SZ-FT&advisor=wang&visit=RO-REF-1",
            server.base
        ))
        .await;
    promoter.click("#nps >> [data-score='10']").await;
    promoter.click("#nps >> .nps-submit").await;
    promoter.find("#nps >> .nps-outcome").await;
    assert_eq!(promoter.text("#nps >> .nps-primary").await, "邀请好友试驾");
    promoter.click("#nps >> .nps-primary").await;
    to_new_window(&promoter).await;
    let size = poster_drawn(&promoter).await;
    assert_eq!(size, json!([720, 1080]), "the poster as drawn");
    let code = brand::code_of(&promoter).await;
    let id = server.rows()[0].0.clone();
    assert_eq!(
        server.column(
            "SELECT code FROM referrals WHERE response_id = ?1 AND store = 'SZ-FT' AND advisor = 'wang' AND visit = 'RO-REF-1'",
            &[&id]
        ),
        [Some(code.clone())],
        "the answer's one code, with its store, advisor and visit"
    );

    // A name for the poster and the thank-you, then a share: WeChat's ··· shown, recorded.
    promoter
        .find("#nps-name")
        .await
        .send_keys("王先生")
        .await
        .unwrap();
    promoter.tap("form .nps-submit").await;
    reads(
        &promoter,
        "const i = document.getElementById('nps-name'); return i && i.value",
        "王先生",
    )
    .await;
    poster_drawn(&promoter).await;
    let unshared = "SELECT shared_ns FROM referrals WHERE code = ?1";
    assert_eq!(server.column(unshared, &[&code]), [None], "not shared yet");
    promoter.tap("[data-share]").await;
    let note = "return document.getElementById('nps-note').textContent";
    reads(&promoter, note, "点击右上角 ··· 即可分享给好友。").await;
    wait_path(&promoter, &format!("/r/{code}")).await;
    wait_until("the share recorded", || async {
        server.column(unshared, &[&code])[0].as_ref().map(|_| ())
    })
    .await;

    // The promoter opens their own link: sent on, never counted.
    promoter.goto(&format!("{}/r/{code}", server.base)).await;
    wait_path(&promoter, &format!("/r/{code}/book")).await;
    assert_eq!(
        (opens(&server, &code, "1"), opens(&server, &code, "0")),
        (1, 0)
    );
    promoter.close().await;

    // The friend opens it twice, on their own phone: counted once, sent to the booking form.
    let friend = phone_as(FRIEND_UA).await;
    for _ in 0..2 {
        friend.goto(&format!("{}/r/{code}", server.base)).await;
        wait_path(&friend, &format!("/r/{code}/book")).await;
    }
    assert_eq!(friend.text("h1").await, "预约体验星辰汽车");
    assert_eq!(
        (opens(&server, &code, "1"), opens(&server, &code, "0")),
        (1, 1)
    );

    // The store manager's funnel: one promoter, shared, one friend opened; nothing booked.
    let manager = Browser::start(Options {
        width: 1280,
        height: 800,
        lang: "zh-CN",
        ..Options::default()
    })
    .await;
    manager
        .sign_in_as(&server, Role::Store, Scope::Stores(vec!["SZ-FT".into()]))
        .await;
    let before = ["1", "1", "1", "0", "0", "0%（0/1）"];
    dashboard_row(&manager, &server, "referral", "SZ-FT", &before).await;

    // The friend books on the collector's form.
    friend
        .find("#nps-name")
        .await
        .send_keys("李女士")
        .await
        .unwrap();
    friend
        .find("#nps-phone")
        .await
        .send_keys(FRIEND_PHONE)
        .await
        .unwrap();
    friend
        .js("document.getElementById('nps-date').value = '2026-12-20'")
        .await;
    friend.tap(".nps-consent-box").await;
    friend.tap(".nps-submit").await;
    reads(
        &friend,
        "const h = document.querySelector('.nps-outcome-title'); return h && h.textContent",
        "预约已收到，门店会尽快与您联系。",
    )
    .await;
    friend.close().await;
    let booked = server.column(
        "SELECT kind || ' ' || via || ' ' || friend_name || ' ' || preferred_date \
         FROM referral_events WHERE code = ?1",
        &[&code],
    );
    assert_eq!(booked, [Some("booked form 李女士 2026-12-20".into())]);

    // The brand's system reports the purchase, twice: counted once.
    let dms = server
        .token(Role::Store, Scope::Stores(vec!["SZ-FT".into()]))
        .await;
    let path = format!("/api/referrals/{code}/events");
    let sale = json!({"type": "purchased", "id": "SO-2026-1207"});
    assert_eq!(post_json(&server, &path, &dms, &sale).0, 201);
    let again = post_json(&server, &path, &dms, &sale);
    assert_eq!(
        (again.0, &again.1["duplicate"]),
        (200, &json!(true)),
        "{again:?}"
    );
    let kinds = server.column(
        "SELECT kind FROM referral_events WHERE code = ?1 ORDER BY at_ns",
        &[&code],
    );
    assert_eq!(kinds, [Some("booked".into()), Some("purchased".into())]);

    // The store's group is told at once, by the promoter's name, without the friend's phone.
    // The form's booking names the friend (never their phone) and the day they asked for.
    let booked = thank_you(
        &seen,
        "王先生推荐的朋友李女士已预约 12 月 20 日试驾，请致谢并尽快联系。",
    )
    .await;
    assert!(booked.contains("深圳福田店"), "{booked}");
    // Its link opens the dashboard at the store's referrals: no complaint about the link, the
    // referral table brought into view.
    let at = booked
        .find("dashboard.html#")
        .expect("a link to the dashboard")
        + 15;
    let fragment: String = booked[at..]
        .chars()
        .take_while(|c| !matches!(c, ')' | ' ' | '\n'))
        .collect();
    assert_eq!(fragment, "store=SZ-FT&show=referrals", "{booked}");
    manager
        .goto(&format!("{}/dashboard.html#{fragment}", server.base))
        .await;
    manager.find("#referrals-h").await;
    wait_until("the referrals brought into view", || async {
        let seen = manager
            .js("const r = document.getElementById('referrals-h').getBoundingClientRect(); \
                 return r.top >= 0 && r.top < innerHeight && !document.querySelector('p.status.error')")
            .await;
        (seen == Value::Bool(true)).then_some(())
    })
    .await;
    let bought = thank_you(&seen, "已成交购车，请致谢").await;
    assert!(bought.contains("王先生推荐的朋友"), "{bought}");
    assert_eq!(seen.lock().unwrap().len(), 2, "one message each");

    // The funnel moved: booked and bought, the referral rate 100 % of one promoter.
    let after = ["1", "1", "1", "1", "1", "100%（1/1）"];
    dashboard_row(&manager, &server, "referral", "SZ-FT", &after).await;
    manager.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_friend_is_sent_to_the_brands_own_booking_page_with_the_code() {
    let (wecom, _seen) = robot::wecom().await;
    let server = collector(&wecom).await;
    let id = nps_e2e::response_id();
    let context = json!({"store": "SZ-FT", "visit": "SO-88"});
    let key = server.answer(&id, "sales", 9, context).await;
    let promoter = phone_as(WECHAT_UA).await;
    promoter
        .goto(&format!("{}/s/sales/{id}/refer#k={key}", server.base))
        .await;
    poster_drawn(&promoter).await;
    let code = brand::code_of(&promoter).await;
    promoter.close().await;
    let friend = phone_as(FRIEND_UA).await;
    friend.goto(&format!("{}/r/{code}", server.base)).await;
    let at = wait_path(&friend, "/index.html").await;
    assert_eq!(at[1], json!(format!("?src=nps&code={code}")));
    assert_eq!(opens(&server, &code, "0"), 1);
    friend.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invited_visits_opened_and_answered_show_the_stores_response_rate() {
    let (wecom, _seen) = robot::wecom().await;
    let server = collector(&wecom).await;
    // The DMS reports the day's four visits of 深圳福田店 with the store's machine token.
    let dms = server
        .token(Role::Store, Scope::Stores(vec!["SZ-FT".into()]))
        .await;
    let visits: Vec<Value> = (1..=4)
        .map(|i| json!({"survey": "after-sales", "visit": format!("RO-V-{i}"), "store": "SZ-FT", "advisor": "wang"}))
        .collect();
    let (status, answer) = post_json(&server, "/api/visits", &dms, &json!(visits));
    assert!((200..300).contains(&status), "{status} {answer}");
    assert_eq!(answer["recorded"], 4, "{answer}");

    // RO-V-1 opens the link and answers 9; RO-V-2 opens it and leaves; a walk-in (a visit
    // nobody invited) answers 10: an answer, but not of an invited visit.
    for (visit, score) in [
        ("RO-V-1", Some(9)),
        ("RO-V-2", None),
        ("RO-WALK-IN", Some(10)),
    ] {
        let b = Browser::start(Options::phone("zh-CN")).await;
        b.open(&format!(
            "{}/s/after-sales?store=SZ-FT&advisor=wang&visit={visit}",
            server.base
        ))
        .await;
        if let Some(score) = score {
            b.click(&format!("#nps >> [data-score='{score}']")).await;
            b.click("#nps >> .nps-submit").await;
            b.find("#nps >> .nps-outcome").await;
        }
        b.close().await;
    }
    server
        .wait_rows("two completed answers", |r| {
            r.iter().filter(|x| x.1 == "completed").count() == 2
        })
        .await;
    let opened = server.column(
        "SELECT visit FROM visits WHERE opened_ns IS NOT NULL ORDER BY visit",
        &[],
    );
    assert_eq!(opened, [Some("RO-V-1".into()), Some("RO-V-2".into())]);

    // Invited 4 → opened 2 → answered 1: 25 %.
    let b = Browser::start(Options {
        width: 1280,
        height: 800,
        lang: "zh-CN",
        ..Options::default()
    })
    .await;
    b.sign_in_as(&server, Role::Admin, Scope::All).await;
    dashboard_row(
        &b,
        &server,
        "response",
        "SZ-FT",
        &["4", "2", "1", "25%（1/4）"],
    )
    .await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_referral_page_asked_for_before_its_answer_arrives_becomes_the_page_by_itself() {
    let server = Server::start().await;
    let b = phone_as(WECHAT_UA).await;
    let id = nps_e2e::response_id();
    // As the widget links it, with the answer's write key in the fragment.
    let key = nps_collector::write_key::fresh();
    b.goto(&format!("{}/s/after-sales/{id}/refer#k={key}", server.base))
        .await;
    assert_eq!(b.text("h1").await, "正在生成您的专属邀请…");
    assert_eq!(
        b.js("return location.hash").await,
        json!(""),
        "the key leaves the address at once"
    );
    // The widget's outbox delivers the answer: the page turns into the referral page.
    let context = json!({"store": "SZ-FT", "visit": "RO-LATE"});
    server
        .answer_keyed(&id, "after-sales", 10, context, &key)
        .await;
    poster_drawn(&b).await;
    assert_eq!(b.text("h1").await, "邀请好友体验星辰汽车");
    // The key came through the page's refreshes: the promoter can still name the poster.
    b.find("#nps-name").await.send_keys("王先生").await.unwrap();
    b.tap("form .nps-submit").await;
    wait_until("the name on the page", || async {
        let v = b
            .js("return document.getElementById('nps-name').value")
            .await;
        (v == json!("王先生")).then_some(())
    })
    .await;
    b.close().await;
}
