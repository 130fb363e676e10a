//! The weekly report end to end, in process: a SQLite store, three workers (three collectors)
//! passing at a clock the test drives, and local robots (`common::robots`, which check each
//! vendor's shape independently: WeCom's image by its base64 and MD5). Channels: WeCom for the
//! store SZ-FT, DingTalk for the south region, a webhook for the brand; `[report]` on the
//! weekday and minute ten minutes from now (China's time).
//!
//! Shown here: a first start catches up the last week's report once; at the send time each
//! place's report goes once to its channel, however many passes and workers; WeCom gets the
//! PNG itself (800 × 1000, the very image of SZ-FT's report), DingTalk the region's words with
//! the signed link, which the collector serves as that PNG and refuses when changed.

mod common;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use common::robots::{start, url, Receiver, DING_SECRET, HOOK_SECRET};
use nps_collector::alerts::Kind;
use nps_collector::delivery::Worker;
use nps_collector::reload::Live;
use nps_collector::report::{image, link};
use nps_collector::{app, Now, Settings, Store};
use nps_core::cases::weekly::{latest_week, WeeklyAt, WEEKDAYS};
use nps_core::scoring::analysis::Names;
use serde_json::{json, Value};

const ORG: &str = include_str!("../../docs/org.toml");
const MINUTE: i64 = 60_000_000_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
const LINK_BASE: &str = "https://nps.brand.example";
const OFFSET_MINUTES: i32 = 480;

fn org_names() -> Names {
    Names::default().with_org(nps_collector::org_file::read(ORG).unwrap())
}

fn clock(ahead_ns: &AtomicI64) -> Now {
    let ahead = time::Duration::nanoseconds(ahead_ns.load(Ordering::SeqCst));
    Now::from_time(time::OffsetDateTime::now_utc() + ahead)
}

fn at(ns: i64) -> Now {
    Now::from_time(time::OffsetDateTime::from_unix_timestamp_nanos(ns.into()).unwrap())
}

/// The weekday and the local minute (+08:00) of `ns`.
fn local(ns: i64) -> WeeklyAt {
    let local = ns + i64::from(OFFSET_MINUTES) * MINUTE;
    WeeklyAt {
        weekday: (local.div_euclid(DAY) + 3).rem_euclid(7) as u8,
        minute_of_day: (local.rem_euclid(DAY) / MINUTE) as u32,
        utc_offset_minutes: OFFSET_MINUTES,
    }
}

async fn answer(store: &Store, n: u32, shop: &str, score: u8, reasons: &[&str], when: &Now) {
    let mut b = common::body("completed", Some(score), "2026-11-23T08:31:00.000Z");
    b["id"] = json!(format!("40000000-0000-4000-8000-{n:012}"));
    b["category"] = json!(nps_core::scoring::score::category(score.into())
        .unwrap()
        .as_str());
    b["reasons"] = json!(reasons);
    b["context"] = json!({"store": shop});
    let r = nps_core::contract::payload::Response::parse(&b).unwrap();
    store.upsert(r, when.clone(), None).await.unwrap();
}

/// The reports a robot got: WeCom's images, the others' bodies.
fn reports(r: &Receiver) -> Vec<Value> {
    r.bodies()
        .into_iter()
        .filter(|v| {
            v["msgtype"] == "image"
                || v["type"] == "report"
                || v["markdown"]["title"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("NPS 周报"))
        })
        .collect()
}

/// `GET uri` on the router: the status, the content type and the body's bytes.
async fn get(router: &axum::Router, uri: &str) -> (StatusCode, String, Vec<u8>) {
    use http_body_util::BodyExt as _;
    use tower::ServiceExt as _;
    let req = Request::builder()
        .uri(uri)
        .header(header::HOST, "collector.test")
        .body(Body::empty())
        .unwrap();
    let resp = router.clone().oneshot(req).await.unwrap();
    let kind = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .map_or(String::new(), |v| v.to_str().unwrap().to_owned());
    let status = resp.status();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, kind, bytes)
}

fn size(png: &[u8]) -> (u32, u32) {
    let info = png::Decoder::new(std::io::Cursor::new(png))
        .read_info()
        .unwrap();
    (info.info().width, info.info().height)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_place_gets_its_weekly_report_once_as_an_image_or_a_signed_link() {
    let real = Now::system().ns;
    let send = local(real + 10 * MINUTE);
    let store = Store::open(common::db_path()).unwrap();
    let (wecom, a) = start(Kind::Wecom).await;
    let (ding, b) = start(Kind::Dingtalk).await;
    let (hook, c) = start(Kind::Webhook).await;
    let config = format!(
        r#"[report]
weekday = "{}"
at = "{:02}:{:02}"
utc_offset = "+08:00"

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
name = "brand-hook"
kind = "webhook"
url = "{}"
secret = "{HOOK_SECRET}"
"#,
        WEEKDAYS[send.weekday as usize],
        send.minute_of_day / 60,
        send.minute_of_day % 60,
        url(Kind::Wecom, a),
        url(Kind::Dingtalk, b),
        url(Kind::Webhook, c),
    );
    let org = nps_collector::org_file::read(ORG).unwrap();
    let config = Arc::new(nps_collector::alerts::file::read(&config, &org, &|_| None).unwrap());
    assert_eq!(config.report, Some(send));
    let ahead_ns = Arc::new(AtomicI64::new(0));
    let workers: Vec<Worker> = (0..3)
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
    let passes = |rounds: usize| {
        let (workers, ahead_ns) = (workers.clone(), ahead_ns.clone());
        async move {
            for _ in 0..rounds {
                let now = clock(&ahead_ns);
                let all: Vec<_> = workers
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
    };
    // The week the coming send reports on, and answers in it: SZ-FT 2 promoters and a
    // detractor, GZ-TH (south too) a promoter, BJ-CY (north) a detractor.
    let week = latest_week(real + 11 * MINUTE, send);
    let before = latest_week(real, send);
    assert_ne!(week.first_day, before.first_day);
    for (n, (shop, score, reasons)) in [
        ("SZ-FT", 10, vec!["attitude"]),
        ("SZ-FT", 9, vec!["attitude"]),
        ("SZ-FT", 2, vec!["wait_time"]),
        ("GZ-TH", 9, vec![]),
        ("BJ-CY", 3, vec![]),
    ]
    .into_iter()
    .enumerate()
    {
        let when = at(week.since_ns + 3 * HOUR + n as i64 * MINUTE);
        answer(&store, n as u32, shop, score, &reasons, &when).await;
    }
    // A first start: last week's report, caught up once, however many passes and workers.
    passes(3).await;
    for r in [&wecom, &ding, &hook] {
        assert_eq!(reports(r).len(), 1, "{:?}: {:?}", r.kind, r.bodies());
    }
    // The send time: this week's, once more to each.
    ahead_ns.store(11 * MINUTE, Ordering::SeqCst);
    for r in [&wecom, &ding, &hook] {
        r.ahead_s.store(11 * 60, Ordering::SeqCst);
    }
    passes(3).await;
    for r in [&wecom, &ding, &hook] {
        assert_eq!(reports(r).len(), 2, "{:?}: {:?}", r.kind, r.bodies());
    }
    // The webhook: the brand's week, with every figure.
    let data = reports(&hook)[1]["data"].clone();
    assert_eq!(
        (&data["place"], &data["first_day"], &data["n"]),
        (&json!("brand"), &json!(week.first_day), &json!(5)),
        "{data}"
    );
    assert_eq!(data["complained"], json!([["wait_time", 1]]), "{data}");
    // WeCom: the PNG of SZ-FT's report itself, 800 × 1000.
    let jobs = store.alert_queue(None, 100).await.unwrap();
    let job_of = |channel: &str| {
        jobs.iter()
            .filter(|l| l.job.channel == channel && l.kind == "report")
            .map(|l| l.job.alert_id.clone())
            .collect::<Vec<_>>()
    };
    let mut ft = Vec::new();
    for id in job_of("ft-wecom") {
        ft.push(link::report_of(&store, &id).await.unwrap().unwrap());
    }
    let this = ft.iter().find(|r| r.first_day == week.first_day).unwrap();
    assert_eq!((this.place.as_str(), this.this), ("store:SZ-FT", [2, 0, 1]));
    let sent = STANDARD
        .decode(reports(&wecom)[1]["image"]["base64"].as_str().unwrap())
        .unwrap();
    assert_eq!(size(&sent), (image::WIDTH, image::HEIGHT));
    let drawn = image::png_now(this, nps_core::words::Locale::ZhCn).unwrap();
    assert_eq!(sent, drawn, "the image of SZ-FT's week");
    // DingTalk: the south region's words, and its image by a signed link.
    let md = reports(&ding)[1]["markdown"]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    let title = reports(&ding)[1]["markdown"]["title"].clone();
    assert_eq!(
        title,
        json!(format!(
            "NPS 周报：华南大区（{} 至 {}）",
            week.first_day, week.last_day
        ))
    );
    // Four answers: the score, no interval (too few to say one that means something).
    assert!(
        md.contains("**本周 NPS**：50（仅 4 条答卷，样本不足）"),
        "{md}"
    );
    assert!(!md.contains("95% 区间"), "{md}");
    let start = md.find("](https://nps.brand.example/report/").unwrap() + 2;
    let end = md[start..].find(')').unwrap() + start;
    let path = md[start..end].strip_prefix(LINK_BASE).unwrap().to_owned();
    let router = app(
        store.clone(),
        Settings {
            rate_limit: 0,
            names: org_names(),
            ..Settings::default()
        },
    );
    let (status, kind, png) = get(&router, &path).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "image/png"));
    assert_eq!(size(&png), (image::WIDTH, image::HEIGHT));
    let forged = path.replace("sig=", "sig=x");
    assert_eq!(get(&router, &forged).await.0, StatusCode::FORBIDDEN);
    let other = path.replace("l=zh-CN", "l=en");
    assert_eq!(get(&router, &other).await.0, StatusCode::FORBIDDEN);
    // More passes send nothing again.
    passes(2).await;
    for r in [&wecom, &ding, &hook] {
        assert_eq!(reports(r).len(), 2, "{:?}", r.kind);
    }
}
