//! The alert worker end to end, in process: a SQLite store, the worker's passes
//! (`delivery::Worker::pass`) at times the test drives, and local receivers standing in for the
//! four robots (`common::robots`: each checks the exact body shape and the signature, computed
//! independently). Channels: WeCom for the store SZ-FT, DingTalk for the south region, Feishu
//! for the store BJ-CY, a Standard Webhooks URL for the whole brand.
//!
//! Shown here: a detractor asking a call-back tells the store's channel twice (`opened`, then
//! the louder `callback`) with every fact of the case and never a phone; the region hears
//! nothing yet. The reminder goes to the store before the deadline and the breach to the region
//! after it, not for a case someone called. The daily digest goes to each channel once, with its
//! own scope's figures, however many passes and workers. One robot takes at most 20 a minute;
//! a failing receiver is tried again after the backoff or its `Retry-After`; a removed robot
//! makes the job dead with its reason, and `GET /api/alerts` shows it to admins only, without a
//! URL or a secret.

mod common;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::robots::{start, url, Mode, Receiver, DING_SECRET, FEISHU_SECRET, HOOK_SECRET};
use nps_collector::alerts::{Config, Kind};
use nps_collector::delivery::{Pass, Worker};
use nps_collector::reload::Live;
use nps_collector::storage::{CaseFilter, Edits};
use nps_collector::{app, write_key, Now, Settings, Store};
use nps_core::access::{Role, Scope};
use nps_core::cases::schedule::digest_due;
use nps_core::cases::State;
use nps_core::scoring::analysis::Names;
use serde_json::{json, Value};

const ORG: &str = include_str!("../../docs/org.toml");
const SECOND: i64 = 1_000_000_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const PHONE: &str = "+8613812343788";
const LINK_BASE: &str = "https://nps.brand.example";
const ADMIN_TOKEN: &str = "the-admin-token";
/// China's offset, the digest's and the deadlines'.
const OFFSET_MINUTES: i32 = 480;

/// A store, three workers on it (three collectors), one clock they share, and the robots.
struct World {
    store: Store,
    workers: Vec<Worker>,
    /// How far the workers' (and the robots') clock is ahead of the system clock.
    ahead_ns: Arc<AtomicI64>,
    wecom: Receiver,
    ding: Receiver,
    feishu: Receiver,
    hook: Receiver,
}

fn clock(ahead_ns: &AtomicI64) -> Now {
    let ahead = time::Duration::nanoseconds(ahead_ns.load(Ordering::SeqCst));
    Now::from_time(time::OffsetDateTime::now_utc() + ahead)
}

fn org_names() -> Names {
    Names::default().with_org(nps_collector::org_file::read(ORG).unwrap())
}

/// The config file of the world: its four channels, and `[digest]` at `digest_at` (minutes
/// after local midnight) if given.
fn config_text(addrs: [std::net::SocketAddr; 4], digest_at: Option<u32>) -> String {
    let digest = digest_at.map_or(String::new(), |m| {
        format!(
            "[digest]\nat = \"{:02}:{:02}\"\nutc_offset = \"+08:00\"\n",
            m / 60,
            m % 60
        )
    });
    format!(
        r#"[cases]
promised_hours = 24
remind_hours_left = 4
link_base = "{LINK_BASE}"

{digest}
[[channel]]
name = "ft-wecom"
kind = "wecom"
url = "{}"
stores = ["SZ-FT"]

[[channel]]
name = "south-dingtalk"
kind = "dingtalk"
url = "{}"
secret = "{DING_SECRET}"
regions = ["south"]

[[channel]]
name = "cy-feishu"
kind = "feishu"
url = "{}"
secret = "{FEISHU_SECRET}"
stores = ["BJ-CY"]

[[channel]]
name = "brand-hook"
kind = "webhook"
url = "{}"
secret = "{HOOK_SECRET}"
"#,
        url(Kind::Wecom, addrs[0]),
        url(Kind::Dingtalk, addrs[1]),
        url(Kind::Feishu, addrs[2]),
        url(Kind::Webhook, addrs[3]),
    )
}

async fn world(digest_at: Option<u32>) -> World {
    let store = Store::open(common::db_path()).unwrap();
    let (wecom, a) = start(Kind::Wecom).await;
    let (ding, b) = start(Kind::Dingtalk).await;
    let (feishu, c) = start(Kind::Feishu).await;
    let (hook, d) = start(Kind::Webhook).await;
    let org = nps_collector::org_file::read(ORG).unwrap();
    let config =
        nps_collector::alerts::file::read(&config_text([a, b, c, d], digest_at), &org, &|_| None)
            .unwrap();
    let config: Arc<Config> = Arc::new(config);
    let ahead_ns = Arc::new(AtomicI64::new(0));
    let workers = (0..3)
        .map(|_| {
            let mut w = Worker::new(
                store.clone(),
                config.clone(),
                Live::new(org_names()),
                Some(LINK_BASE.into()),
            );
            let ahead = ahead_ns.clone();
            w.clock = Arc::new(move || clock(&ahead));
            w
        })
        .collect();
    World {
        store,
        workers,
        ahead_ns,
        wecom,
        ding,
        feishu,
        hook,
    }
}

impl World {
    fn now(&self) -> Now {
        clock(&self.ahead_ns)
    }

    /// Moves every clock to `ns` ahead of the system clock.
    fn ahead(&self, ns: i64) {
        self.ahead_ns.store(ns, Ordering::SeqCst);
        for r in self.robots() {
            r.ahead_s.store(ns / SECOND, Ordering::SeqCst);
        }
    }

    fn robots(&self) -> [&Receiver; 4] {
        [&self.wecom, &self.ding, &self.feishu, &self.hook]
    }

    /// One pass of the first worker, now.
    async fn pass(&self) -> Pass {
        self.workers[0].pass(&self.now()).await.unwrap()
    }

    /// `rounds` passes of every worker at once.
    async fn passes(&self, rounds: usize) {
        for _ in 0..rounds {
            let now = self.now();
            let all: Vec<_> = self
                .workers
                .iter()
                .map(|w| {
                    let (w, now) = (w.clone(), now.clone());
                    tokio::spawn(async move { w.pass(&now).await })
                })
                .collect();
            for p in all {
                p.await.unwrap().unwrap();
            }
        }
    }

    /// A completed answer `n` at `store` received at `at`, with `extra` fields; its case id.
    async fn answer(&self, n: u32, store: &str, score: u8, extra: Value, at: &Now) -> String {
        let mut b = common::body("completed", Some(score), "2026-11-23T08:31:00.000Z");
        let id = format!("30000000-0000-4000-8000-{n:012}");
        b["id"] = json!(id);
        b["category"] = json!(nps_core::scoring::score::category(score.into())
            .unwrap()
            .as_str());
        b["context"] = json!({"store": store, "advisor": "wang", "visit": format!("RO-{n}")});
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        let r = nps_core::contract::payload::Response::parse(&b).unwrap();
        self.store.upsert(r, at.clone(), None).await.unwrap();
        let cases = self.store.case_list(&CaseFilter::default()).await.unwrap();
        cases
            .into_iter()
            .find(|c| c.response_id == id)
            .map(|c| c.id)
            .unwrap_or_default()
    }
}

/// The text a robot's group reads: WeCom's markdown, DingTalk's title and text, Feishu's
/// card title and markdown, the webhook's `title` and `text`.
fn text_of(kind: Kind, v: &Value) -> String {
    let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    match kind {
        Kind::Wecom => s(&v["markdown"]["content"]),
        Kind::Dingtalk => s(&v["markdown"]["title"]) + "\n" + &s(&v["markdown"]["text"]),
        Kind::Feishu => {
            s(&v["card"]["header"]["title"]["content"])
                + "\n"
                + &s(&v["card"]["elements"][0]["content"])
        }
        Kind::Webhook => s(&v["data"]["title"]) + "\n" + &s(&v["data"]["text"]),
    }
}

/// The texts a robot got whose title has `words`.
fn texts(r: &Receiver, words: &str) -> Vec<String> {
    r.bodies()
        .iter()
        .map(|v| text_of(r.kind, v))
        .filter(|t| t.lines().next().unwrap_or_default().contains(words))
        .collect()
}

/// Whether a text has the line `label：value` (WeCom's or the markdown of the others).
fn says(text: &str, label: &str, value: &str) -> bool {
    text.contains(&format!("{label}：<font color=\"comment\">{value}"))
        || text.contains(&format!("**{label}**：{value}"))
}

/// `MM-DD HH:MM` of `ns` at `offset_minutes`, computed here.
fn local_minute(ns: i64, offset_minutes: i32) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(ns.into()).unwrap()
        + time::Duration::minutes(offset_minutes.into());
    format!(
        "{:02}-{:02} {:02}:{:02}",
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

fn callback_asked() -> Value {
    json!({"contact": {"phone": PHONE, "consent": true, "callback_hours": 24}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_detractor_asking_a_call_back_tells_the_store_once_loudly_with_the_case_and_never_the_phone(
) {
    let w = world(None).await;
    let received = w.now();
    let mut extra = callback_asked();
    extra["reasons"] = json!(["price", "parts"]);
    extra["comment"] = json!("等了三个小时，没人解释");
    let case = w.answer(1, "SZ-FT", 3, extra, &received).await;
    assert!(!case.is_empty(), "a case is opened");
    let p = w.pass().await;
    assert_eq!((p.sent, p.failed, p.dead), (1, 0, 0), "{p:?}");
    let opened = texts(&w.wecom, "新回访");
    let callback = texts(&w.wecom, "【需回电】");
    assert_eq!(
        (opened.len(), callback.len()),
        (0, 1),
        "{:?}",
        w.wecom.bodies()
    );
    assert!(
        callback[0].starts_with("<font color=\"warning\">**【需回电】客户要求回电：3 分"),
        "the call-back is the louder: {}",
        callback[0]
    );
    // In China's time: without `[digest]` the file names no offset.
    let deadline = local_minute(received.ns + 24 * HOUR, 480);
    for text in [&callback[0]] {
        assert!(says(text, "分数", "3/10（贬损者）"), "{text}");
        assert!(says(text, "原因", "价格、parts"), "{text}");
        assert!(says(text, "客户留言", "等了三个小时，没人解释"), "{text}");
        assert!(says(text, "门店", "深圳福田店"), "{text}");
        assert!(says(text, "顾问", "王磊"), "{text}");
        assert!(says(text, "工单号", "RO-1"), "{text}");
        assert!(says(text, "截止", &deadline), "{deadline} in {text}");
        assert!(
            text.contains(&format!("({LINK_BASE}/dashboard.html#case={case})")),
            "{text}"
        );
    }
    // The store's channel only; the region hears at a breach.
    for r in [&w.ding, &w.feishu, &w.hook] {
        assert_eq!(r.count(), 0, "{:?} got {:?}", r.kind, r.bodies());
    }
    // Sent once: later passes, by any worker, send nothing more.
    w.passes(2).await;
    assert_eq!(w.wecom.count(), 1);
    // No phone anywhere, not even masked, in anything any robot received.
    for r in w.robots() {
        let all = r.all_text();
        for never in ["13812343788", "138****3788", "1381234", "****3788"] {
            assert!(!all.contains(never), "{never} sent to {:?}: {all}", r.kind);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_is_reminded_before_the_deadline_and_the_region_told_after_it_unless_called() {
    let w = world(None).await;
    let t0 = w.now();
    let late = w.answer(2, "SZ-FT", 2, callback_asked(), &t0).await;
    let called = w.answer(3, "SZ-FT", 1, callback_asked(), &t0).await;
    assert_eq!(w.pass().await.sent, 2, "the callback alert of each");
    w.wecom.clear();
    // 5 hours left: more than `remind_hours_left` (4).
    w.ahead(19 * HOUR);
    w.passes(1).await;
    assert_eq!(w.wecom.count() + w.ding.count(), 0);
    let contacted = Edits {
        status: Some(State::Contacted),
        ..Edits::default()
    };
    w.store
        .case_apply(&called, "li@brand.example", &contacted, &w.now())
        .await
        .unwrap()
        .unwrap();
    // 3 hours 59 minutes left: the store's channel is reminded of the case nobody called.
    w.ahead(20 * HOUR + MINUTE);
    w.passes(2).await;
    let reminders = texts(&w.wecom, "【提醒】");
    assert_eq!(reminders.len(), 1, "{:?}", w.wecom.bodies());
    assert_eq!(w.wecom.count(), 1);
    assert!(
        reminders[0].contains(&format!("#case={late})")),
        "{}",
        reminders[0]
    );
    assert!(reminders[0].contains("回访还剩 3 小时") || reminders[0].contains("回访还剩 4 小时"));
    assert_eq!(w.ding.count(), 0, "a reminder goes to the store");
    // Past the deadline: the region's channel hears of the breach; the store no more.
    w.ahead(24 * HOUR + MINUTE);
    w.passes(2).await;
    let breaches = texts(&w.ding, "【已超时】");
    assert_eq!(
        (breaches.len(), w.ding.count()),
        (1, 1),
        "{:?}",
        w.ding.bodies()
    );
    assert!(
        breaches[0].contains(&format!("#case={late})")),
        "{}",
        breaches[0]
    );
    assert!(!breaches[0].contains(&called));
    assert_eq!(w.wecom.count(), 1, "the breach goes to the region only");
    assert_eq!(w.feishu.count() + w.hook.count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_digest_goes_to_each_channel_once_with_its_own_scope() {
    // The send time: ten minutes from now, local time.
    let real = Now::system().ns;
    let local_minute_now = (real / MINUTE + i64::from(OFFSET_MINUTES)).rem_euclid(24 * 60);
    let at = ((local_minute_now + 10) % (24 * 60)) as u32;
    let w = world(Some(at)).await;
    // The day the next digest reports on, and answers received on it.
    let next = digest_due(real + 11 * MINUTE, at, OFFSET_MINUTES);
    let answers = [
        ("SZ-FT", 2),
        ("SZ-FT", 10),
        ("GZ-TH", 9),
        ("BJ-CY", 9),
        ("BJ-CY", 3),
    ];
    for (n, (store, score)) in answers.into_iter().enumerate() {
        let at = Now::from_time(
            time::OffsetDateTime::from_unix_timestamp_nanos(
                (next.since_ns + 3 * HOUR + n as i64 * MINUTE).into(),
            )
            .unwrap(),
        );
        w.answer(10 + n as u32, store, score, json!({}), &at).await;
    }
    // Before the send time: the day before's digest (the latest due), once, however many
    // passes of however many workers.
    w.passes(3).await;
    let before = digest_due(real, at, OFFSET_MINUTES);
    assert_ne!(before.day, next.day);
    for r in w.robots() {
        let got = texts(r, &before.day);
        assert_eq!(got.len(), 1, "{:?}: {:?}", r.kind, r.bodies());
        assert!(says(&got[0], "昨日答卷", "0"), "{:?}: {}", r.kind, got[0]);
    }
    // After it: the day's digest, once to each channel, each with its own scope's figures.
    w.ahead(11 * MINUTE);
    w.passes(3).await;
    let expected = [
        (&w.wecom, "深圳福田店", "2", "1"),
        (&w.ding, "华南大区", "3", "1"),
        (&w.feishu, "北京朝阳店", "2", "1"),
        (&w.hook, "全部门店", "5", "2"),
    ];
    for (r, scope, n, detractors) in expected {
        let got = texts(r, &next.day);
        assert_eq!(got.len(), 1, "{:?}: {:?}", r.kind, r.bodies());
        let title = got[0].lines().next().unwrap();
        assert!(
            title.contains(&format!("每日 NPS 简报：{scope}（{}）", next.day)),
            "{:?}: {title}",
            r.kind
        );
        assert!(says(&got[0], "昨日答卷", n), "{:?}: {}", r.kind, got[0]);
        assert!(
            says(&got[0], "新增贬损者", detractors),
            "{:?}: {}",
            r.kind,
            got[0]
        );
    }
    let hook = w.hook.bodies();
    let data = &hook
        .iter()
        .find(|v| v["data"]["day"] == next.day.as_str())
        .unwrap()["data"];
    assert_eq!(data["n"], 5, "{data}");
    let nps = data["nps"].as_f64().unwrap();
    assert!(
        (nps - 20.0).abs() < 1e-9,
        "3 promoters, 2 detractors of 5: {data}"
    );
    for r in w.robots() {
        assert_eq!(texts(r, "每日 NPS 简报").len(), 2, "{:?}", r.kind);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_robot_takes_at_most_twenty_a_minute_and_the_rest_after() {
    let w = world(None).await;
    let t0 = w.now();
    for n in 0..25 {
        w.answer(100 + n, "SZ-FT", 4, json!({}), &t0).await;
    }
    // A case of another store, after them: its channel is not held up by the busy one.
    w.ahead(SECOND);
    w.answer(130, "BJ-CY", 4, json!({}), &w.now()).await;
    let first = w.pass().await;
    assert_eq!(first.sent, 21, "{first:?}");
    assert_eq!(
        w.feishu.count(),
        1,
        "the other store's channel in the same pass"
    );
    w.ahead(SECOND);
    w.passes(1).await;
    w.ahead(30 * SECOND);
    w.passes(1).await;
    assert_eq!(w.wecom.count(), 20, "no more than 20 in the first minute");
    w.ahead(62 * SECOND);
    w.passes(1).await;
    assert_eq!(w.wecom.count(), 25, "the rest after the minute");
    let at = w.wecom.at.lock().unwrap().clone();
    for start in &at {
        let within = at
            .iter()
            .filter(|t| **t >= *start && **t < start + 60)
            .count();
        assert!(within <= 20, "{within} in the minute from {start}: {at:?}");
    }
    assert_eq!(w.ding.count() + w.hook.count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_robot_is_tried_again_after_the_backoff_or_its_retry_after_and_a_removed_one_is_given_up(
) {
    let w = world(None).await;
    // A 500, then success: again after the first backoff (10 s), not before.
    w.wecom.then(&[Mode::Broken]);
    w.answer(200, "SZ-FT", 5, json!({}), &w.now()).await;
    assert_eq!(w.pass().await.failed, 1);
    w.ahead(5 * SECOND);
    w.passes(1).await;
    assert_eq!(w.wecom.count(), 1, "not before the backoff");
    w.ahead(11 * SECOND);
    assert_eq!(w.pass().await.sent, 1);
    assert_eq!(w.wecom.count(), 2);
    // A 429 asking 30 s: not after the backoff's 10 s, after its 30.
    w.wecom.then(&[Mode::TooMany(30)]);
    w.answer(201, "SZ-FT", 5, json!({}), &w.now()).await;
    assert_eq!(w.pass().await.failed, 1);
    w.ahead(22 * SECOND);
    w.passes(1).await;
    assert_eq!(w.wecom.count(), 3, "Retry-After is honoured");
    w.ahead(42 * SECOND);
    assert_eq!(w.pass().await.sent, 1);
    assert_eq!(w.wecom.count(), 4);
    // WeCom's 93000 (the robot's URL is not valid): dead at once, with the reason.
    w.wecom.then(&[Mode::Code(93000)]);
    let case = w.answer(202, "SZ-FT", 5, json!({}), &w.now()).await;
    assert_eq!(w.pass().await.dead, 1);
    w.ahead(10 * MINUTE);
    w.passes(1).await;
    assert_eq!(w.wecom.count(), 5, "a dead job is not tried again");
    let dead = w.store.dead_jobs().await.unwrap();
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0].channel, "ft-wecom");
    let reason = dead[0].reason.as_deref().unwrap();
    assert!(
        reason.starts_with("refused by the receiver: errcode 93000: invalid webhook url"),
        "{reason}"
    );
    assert!(!reason.contains("wecom-key-77"), "{reason}");
    let alert = w.store.alert(&dead[0].alert_id).await.unwrap().unwrap();
    assert_eq!(alert.case_id.as_deref(), Some(case.as_str()));
}

/// `GET` on the router as `bearer` (none: no credential).
async fn get(router: &axum::Router, uri: &str, bearer: Option<&str>) -> common::Reply {
    let mut b = Request::builder()
        .uri(uri)
        .header(header::HOST, "collector.test");
    if let Some(t) = bearer {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    common::send(router, b.body(Body::empty()).unwrap()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_jobs_show_to_admins_with_their_reason_and_never_a_url_or_a_secret() {
    let w = world(None).await;
    // Three jobs at SZ-FT's WeCom: one sent, one dead (93000), one waiting after a 500.
    let sent = w.answer(300, "SZ-FT", 5, json!({}), &w.now()).await;
    w.pass().await;
    w.wecom.then(&[Mode::Code(93000)]);
    let dead = w.answer(301, "SZ-FT", 5, json!({}), &w.now()).await;
    w.pass().await;
    w.wecom.then(&[Mode::Broken]);
    let waiting = w.answer(302, "SZ-FT", 5, json!({}), &w.now()).await;
    w.pass().await;
    let settings = Settings {
        admin_token: ADMIN_TOKEN.into(),
        rate_limit: 0,
        names: org_names(),
        ..Settings::default()
    };
    let now = Now::system();
    for role in Role::ALL {
        let hash = write_key::hash(&format!("machine-{}", role.key()));
        let scope = match role {
            Role::Admin => Scope::All,
            _ => Scope::Stores(vec!["SZ-FT".into()]),
        };
        w.store
            .token_add(&hash, role.key(), role, &scope, &now)
            .await
            .unwrap();
    }
    let router = app(w.store.clone(), settings);
    for bearer in [ADMIN_TOKEN, "machine-admin"] {
        let r = get(&router, "/api/alerts", Some(bearer)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let jobs = r.json();
        let jobs = jobs.as_array().unwrap();
        assert_eq!(jobs.len(), 3, "{jobs:?}");
        let of = |case: &str| jobs.iter().find(|j| j["case_id"] == case).unwrap().clone();
        let (s, d, p) = (of(&sent), of(&dead), of(&waiting));
        assert_eq!(
            (s["state"].as_str(), s["attempts"].as_u64()),
            (Some("sent"), Some(1))
        );
        assert!(s["sent_at"].is_string() && s["next_try"].is_null(), "{s}");
        assert_eq!(d["state"], "dead");
        assert_eq!(d["channel"], "ft-wecom");
        assert_eq!(d["kind"], "opened");
        assert_eq!(d["last_outcome"], "refused");
        assert!(d["last_try"].is_string(), "{d}");
        assert!(
            d["reason"]
                .as_str()
                .unwrap()
                .starts_with("refused by the receiver: errcode 93000: invalid webhook url"),
            "{d}"
        );
        assert_eq!(
            (p["state"].as_str(), p["reason"].as_str()),
            (Some("pending"), Some("http 500"))
        );
        assert!(
            p["next_try"].is_string(),
            "a pending job says when it is tried next: {p}"
        );
        // No channel's URL, host, key or secret in the answer.
        for never in common::robots::NEVER
            .iter()
            .chain(&["127.0.0.1", "http://", "whsec_"])
        {
            assert!(!r.text.contains(never), "{never} in {}", r.text);
        }
        let dead_only = get(&router, "/api/alerts?state=dead", Some(bearer))
            .await
            .json();
        assert_eq!(dead_only.as_array().unwrap().len(), 1, "{dead_only}");
        assert_eq!(dead_only[0]["case_id"], dead.as_str());
    }
    // Nobody but an admin: the other roles 403 (in words), no credential 401.
    for role in [Role::Region, Role::Store, Role::Analyst] {
        let r = get(
            &router,
            "/api/alerts",
            Some(&format!("machine-{}", role.key())),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{role:?}: {}", r.text);
        assert!(
            r.text.contains("the alert queue (administrators only)"),
            "{}",
            r.text
        );
    }
    assert_eq!(
        get(&router, "/api/alerts", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    // A bad filter names the field and the accepted values.
    let r = get(&router, "/api/alerts?state=failed", Some(ADMIN_TOKEN)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["field"], "state");
    assert!(r.text.contains("pending, sent, dead"), "{}", r.text);
}
