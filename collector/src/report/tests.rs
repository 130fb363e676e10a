//! The weekly report's figures, verdicts, words in three locales and image, against
//! hand-counted answers.

use nps_core::cases::weekly::{latest_week, Place, WeeklyAt};
use nps_core::contract::payload::Response;
use nps_core::words::Locale;
use serde_json::json;

use super::*;

fn answer(n: u32, score: u8, store: &str, reasons: &[&str]) -> Response {
    let v = json!({
        "schema": 1, "id": format!("00000000-0000-4000-8000-{n:012}"),
        "survey": "s", "stage": "completed", "score": score,
        "category": nps_core::scoring::score::category(i64::from(score)).unwrap().as_str(),
        "reasons": reasons, "comment": null, "contact": null, "context": {"store": store},
        "page": null, "locale": "zh-CN",
        "created_at": "2026-11-24T01:00:00Z", "updated_at": "2026-11-24T01:00:00Z",
    });
    Response::parse(&v).unwrap()
}

fn week() -> Week {
    let at = WeeklyAt {
        weekday: 0,
        minute_of_day: 540,
        utc_offset_minutes: 480,
    };
    // Monday 30 Nov 2026, 10:00 at +08:00.
    latest_week(
        1_796_256_000_000_000_000 - 3 * 86_400_000_000_000 + 2 * 3_600_000_000_000,
        at,
    )
}

fn org() -> nps_core::org::Org {
    crate::org_file::read(include_str!("../../../docs/org.toml")).unwrap()
}

/// SZ-FT: this week 3 promoters (two praise attitude), 1 detractor (wait_time), a flagged one;
/// last week 1 detractor. GZ-TH (south too): 1 promoter. BJ-CY (north): 1 detractor.
fn weeks() -> Weeks {
    let mut w = Weeks::default();
    let this = [
        (10, "SZ-FT", vec!["attitude"], false),
        (9, "SZ-FT", vec!["attitude", "price"], false),
        (9, "SZ-FT", vec![], false),
        (2, "SZ-FT", vec!["wait_time"], false),
        (0, "SZ-FT", vec!["wait_time"], true),
        (10, "GZ-TH", vec!["price"], false),
        (3, "BJ-CY", vec!["communication"], false),
    ];
    for (i, (score, store, reasons, flagged)) in this.into_iter().enumerate() {
        w.count(&answer(i as u32, score, store, &reasons), flagged, true);
    }
    w.count(&answer(99, 1, "SZ-FT", &["price"]), false, false);
    w.count_case(Some("SZ-FT"), true, true);
    w.count_case(Some("SZ-FT"), true, false);
    w.count_case(Some("BJ-CY"), false, true);
    w.count_visit(Some("SZ-FT"), true);
    w.count_visit(Some("SZ-FT"), false);
    w.count_visit(Some("GZ-TH"), true);
    w
}

#[test]
fn a_place_sums_its_stores_and_lists_reasons_by_side_most_first() {
    let (w, org) = (weeks(), org());
    let ft = w.report(&Place::Store("SZ-FT".into()), &week(), Some(&org), 30);
    assert_eq!(
        (ft.name.as_str(), ft.this, ft.last),
        ("深圳福田店", [3, 0, 1], [0, 0, 1])
    );
    assert_eq!(
        ft.praised,
        [("attitude".to_owned(), 2), ("price".to_owned(), 1)]
    );
    assert_eq!(
        ft.complained,
        [("wait_time".to_owned(), 1)],
        "the flagged answer is not counted"
    );
    assert_eq!((ft.open, ft.overdue), (2, 1));
    assert_eq!((ft.invited, ft.answered), (2, 1));
    assert_eq!(
        (ft.first_day.as_str(), ft.last_day.as_str()),
        ("2026-11-23", "2026-11-29")
    );
    let south = w.report(&Place::Region("south".into()), &week(), Some(&org), 30);
    assert_eq!((south.name.as_str(), south.this), ("华南大区", [4, 0, 1]));
    assert_eq!((south.invited, south.answered), (3, 2));
    assert_eq!(south.praised[0], ("attitude".to_owned(), 2));
    assert_eq!(south.praised[1], ("price".to_owned(), 2), "ties by name");
    let brand = w.report(&Place::Brand, &week(), Some(&org), 30);
    assert_eq!(
        (brand.name.as_str(), brand.this, brand.open),
        ("", [4, 0, 2], 2)
    );
    // Each held to the target the dashboard holds it to: its own, else its region's, else
    // the brand's.
    let th = w.report(&Place::Store("GZ-TH".into()), &week(), Some(&org), 30);
    assert_eq!(
        (ft.target, th.target, south.target, brand.target),
        (Some(60), Some(55), Some(55), Some(45))
    );
    // The frozen body reads back the same.
    let back: Report = serde_json::from_str(&serde_json::to_string(&ft).unwrap()).unwrap();
    assert_eq!(back, ft);
}

fn with(this: [u64; 3], last: [u64; 3], target: Option<i64>) -> Report {
    Report {
        place: "store:SZ-FT".into(),
        name: "深圳福田店".into(),
        first_day: "2026-11-23".into(),
        last_day: "2026-11-29".into(),
        this,
        last,
        target,
        min_n: 30,
        praised: vec![("wait_time".into(), 3)],
        complained: vec![],
        open: 4,
        overdue: 1,
        invited: 80,
        answered: 60,
    }
}

#[test]
fn no_verdict_and_no_colour_on_fewer_answers_than_the_minimum() {
    // 5 answers, all promoters: NPS 100, yet no verdict against a target of 40.
    let few = with([5, 0, 0], [0, 0, 5], Some(40));
    assert_eq!(few.verdict(), Verdict::TooFew);
    assert_eq!(image::colour(&few), "#222");
    let w = words::words(&few, Locale::ZhCn);
    assert_eq!(w.lines[2].1, "样本不足（5 条），暂不评级");
    assert_eq!(w.lines[3].1, "样本不足（5 条），暂不评级（40）");
    // Its score, with no interval below the minimum.
    assert_eq!(w.lines[0].1, "100（仅 5 条答卷，样本不足）");
    let en = words::words(&few, Locale::En);
    assert_eq!(en.lines[0].1, "100 (only 5 answers: too few to judge)");
    // 60 answers well above or below the target: a verdict and its colour.
    let above = with([50, 5, 5], [20, 10, 30], Some(40));
    assert_eq!(
        (above.verdict(), image::colour(&above)),
        (Verdict::Above, "#188038")
    );
    let below = with([10, 10, 40], [20, 10, 30], Some(40));
    assert_eq!(
        (below.verdict(), image::colour(&below)),
        (Verdict::Below, "#D93025")
    );
    assert_eq!(with([50, 5, 5], [0; 3], None).verdict(), Verdict::NoTarget);
    assert_eq!(words::change(&above, Locale::ZhCn), "比上期显著提升");
    assert_eq!(words::change(&below, Locale::En), "Down on last period");
}

#[test]
fn the_report_reads_in_three_locales() {
    let r = with([50, 5, 5], [20, 10, 30], Some(40));
    let zh = words::words(&r, Locale::ZhCn);
    assert_eq!(zh.title, "NPS 周报：深圳福田店（2026-11-23 至 2026-11-29）");
    assert_eq!(
        zh.lines[0],
        ("本周 NPS", "75（95% 区间 56 至 87，60 条答卷）".to_owned())
    );
    assert_eq!(zh.lines[3].1, "高于目标（40）");
    assert_eq!(zh.lines[4].1, "等待时长 3");
    assert_eq!(zh.lines[5].1, "无");
    assert_eq!(zh.lines[6].1, "4（其中超时 1）");
    assert_eq!(
        zh.lines[7],
        ("回复率", "75%（邀请 80 位，60 位作答）".to_owned())
    );
    let none = Report {
        invited: 0,
        answered: 0,
        ..r.clone()
    };
    assert_eq!(words::words(&none, Locale::ZhTw).lines[7].1, "無邀請紀錄");
    let tw = words::words(&r, Locale::ZhTw);
    assert_eq!(tw.title, "NPS 週報：深圳福田店（2026-11-23 至 2026-11-29）");
    assert_eq!(tw.lines[6], ("未結回訪", "4（其中逾時 1）".to_owned()));
    let en = words::words(&r, Locale::En);
    assert_eq!(
        en.title,
        "Weekly NPS: 深圳福田店 (2026-11-23 to 2026-11-29)"
    );
    assert_eq!(en.lines[0].1, "75 (95% interval 56 to 87, 60 answers)");
    assert_eq!(en.lines[3].1, "Above target (40)");
    assert_eq!(en.lines[4].1, "Waiting time 3");
    assert_eq!(
        en.lines[7],
        (
            "Response rate",
            "75% (60 of 80 invited answered)".to_owned()
        )
    );
    let brand = Report {
        name: String::new(),
        ..r
    };
    assert_eq!(words::scope(&brand, Locale::ZhTw), "全部門市");
    assert!(words::words(&brand, Locale::En)
        .title
        .starts_with("Weekly NPS: All stores"));
}

/// The PNG decodes at the image's size, with the band drawn; `NPS_REPORT_OUT=file.png` keeps
/// it to look at.
#[test]
fn the_image_decodes_at_its_size() {
    let r = with([50, 5, 5], [20, 10, 30], Some(40));
    for locale in Locale::ALL {
        let svg = image::svg(&r, locale);
        assert!(svg.contains(&words::title(&r, locale)[..0]));
        let png = image::png_now(&r, locale).unwrap();
        if let (Ok(out), Locale::ZhCn) = (std::env::var("NPS_REPORT_OUT"), locale) {
            std::fs::write(out, &png).unwrap();
        }
        let decoder = ::png::Decoder::new(std::io::Cursor::new(&png));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (image::WIDTH, image::HEIGHT));
        let px = |x: u32, y: u32| {
            let i = ((y * image::WIDTH + x) * 4) as usize;
            (buf[i], buf[i + 1], buf[i + 2])
        };
        assert_eq!(px(5, 5), (0x1f, 0x4e, 0x8c), "the band");
        assert_eq!(px(5, 990), (255, 255, 255), "the page");
        // The dates in white on the band (digits: any font has them).
        let white = (95..125)
            .flat_map(|y| (40..400).map(move |x| (x, y)))
            .filter(|&(x, y)| px(x, y) == (255, 255, 255))
            .count();
        assert!(white > 200, "{white} white pixels of the dates");
        // The score in the verdict's green.
        let green = (230..320)
            .flat_map(|y| (40..200).map(move |x| (x, y)))
            .filter(|&(x, y)| px(x, y) == (0x18, 0x80, 0x38))
            .count();
        assert!(green > 1000, "{green} green pixels of the score");
    }
}

fn channel(kind: crate::alerts::Kind, stores: &[&str], regions: &[&str]) -> crate::alerts::Channel {
    crate::alerts::Channel {
        name: format!("{kind:?}-{}", stores.len() + regions.len()),
        kind,
        url: crate::alerts::Hidden::new("https://robot.example/send?key=k"),
        secret: match kind {
            crate::alerts::Kind::Webhook => Some(crate::alerts::Hidden::new(
                "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            )),
            crate::alerts::Kind::Wecom => None,
            _ => Some(crate::alerts::Hidden::new("SECabc")),
        },
        regions: regions.iter().map(|s| s.to_string()).collect(),
        stores: stores.iter().map(|s| s.to_string()).collect(),
        surveys: vec![],
        locale: Locale::ZhCn,
    }
}

/// Each robot's report: WeCom the image with its MD5, DingTalk the image in its markdown,
/// Feishu the card's button on the link, a webhook every figure; a reason that reads as a
/// phone number shows masked.
#[test]
fn each_robot_gets_the_report_in_its_own_shape() {
    use crate::alerts::{robot::request, Kind, Message, Weekly};
    let mut r = with([50, 5, 5], [20, 10, 30], Some(40));
    r.complained = vec![("13812343788".into(), 1)];
    let png = std::sync::Arc::new(vec![0x89, b'P', b'N', b'G', 1, 2, 3]);
    let link = "https://nps.brand.example/report/a1.png?l=zh-CN&until=9&sig=s";
    let message = |png: Option<std::sync::Arc<Vec<u8>>>| {
        Message::Report(Box::new(Weekly {
            report: r.clone(),
            image_link: link.into(),
            png,
        }))
    };
    let body = |kind, png| {
        let req = request(
            &channel(kind, &["SZ-FT"], &[]),
            &message(png),
            "job",
            1_796_256_000_000,
        );
        serde_json::from_str::<serde_json::Value>(&req.body).unwrap()
    };
    let wecom = body(Kind::Wecom, Some(png.clone()));
    assert_eq!(wecom["msgtype"], "image");
    assert_eq!(wecom["image"]["base64"], "iVBORwECAw==");
    // `printf '\x89PNG\x01\x02\x03' | md5sum`
    assert_eq!(wecom["image"]["md5"], "cdcccc79567f1263e1633b028f0208d9");
    // Without its image (it could not be drawn) WeCom reads the words and the link.
    let words = body(Kind::Wecom, None);
    assert_eq!(words["msgtype"], "markdown");
    assert!(words["markdown"]["content"]
        .as_str()
        .unwrap()
        .contains(link));
    let ding = body(Kind::Dingtalk, None);
    let text = ding["markdown"]["text"].as_str().unwrap();
    assert!(
        text.contains(&format!("]({link})")) && text.contains("![NPS 周报"),
        "{text}"
    );
    assert!(
        text.contains("138****3788") && !text.contains("13812343788"),
        "{text}"
    );
    let feishu = body(Kind::Feishu, None);
    assert_eq!(feishu["card"]["elements"][1]["actions"][0]["url"], link);
    assert_eq!(feishu["card"]["header"]["template"], "blue");
    let hook = body(Kind::Webhook, None);
    assert_eq!(hook["type"], "report");
    assert_eq!(hook["data"]["image"], link);
    assert_eq!(hook["data"]["n"], 60);
    assert_eq!(hook["data"]["target"], 40);
    assert_eq!(hook["data"]["complained"], json!([["138****3788", 1]]));
}

/// Who hears which report: a store channel its stores', a region channel its regions', a
/// brand-wide channel the brand's; a place two channels name is made once, heard by both.
#[test]
fn reports_go_to_the_channels_naming_their_place() {
    use crate::alerts::{Config, Kind};
    use crate::delivery::weekly::{channels_of, places, route};
    let config = Config {
        channels: vec![
            channel(Kind::Wecom, &["SZ-FT", "GZ-TH"], &[]),
            channel(Kind::Dingtalk, &[], &["south"]),
            channel(Kind::Feishu, &["SZ-FT"], &[]),
            channel(Kind::Webhook, &[], &[]),
        ],
        ..Config::default()
    };
    let names: Vec<String> = places(&config).iter().map(Place::name).collect();
    assert_eq!(
        names,
        ["store:SZ-FT", "store:GZ-TH", "region:south", "brand"]
    );
    let heard =
        |p: Place| -> Vec<Kind> { channels_of(&config, &p).iter().map(|c| c.kind).collect() };
    assert_eq!(
        heard(Place::Store("SZ-FT".into())),
        [Kind::Wecom, Kind::Feishu]
    );
    assert_eq!(heard(Place::Region("south".into())), [Kind::Dingtalk]);
    assert_eq!(heard(Place::Brand), [Kind::Webhook]);
    assert_eq!(heard(Place::Store("BJ-CY".into())), []);
    assert_eq!(
        route(&config, "report:2026-11-23:region:south"),
        [config.channels[1].name.clone()]
    );
    assert!(route(&config, "digest:2026-11-23").is_empty());
}

/// A link opens for its report, language and time only: changed, it is forged; late, expired.
#[test]
fn an_image_link_opens_only_as_signed_and_until_it_expires() {
    use link::{check, url, Refused, LINK_SECS};
    let key = b"the-report-key";
    let u = url("https://nps.brand.example", key, "a1", Locale::ZhTw, 1_000);
    let until = 1_000 + LINK_SECS;
    let sig = u.split("sig=").nth(1).unwrap();
    assert!(u.starts_with(&format!(
        "https://nps.brand.example/report/a1.png?l=zh-TW&until={until}&sig="
    )));
    assert_eq!(check(key, "a1", Locale::ZhTw, until, sig, 1_001), Ok(()));
    assert_eq!(
        check(key, "a1", Locale::ZhTw, until, sig, until - 1),
        Ok(())
    );
    assert_eq!(
        check(key, "a1", Locale::ZhTw, until, sig, until),
        Err(Refused::Expired)
    );
    for (alert, locale, until, key) in [
        ("a2", Locale::ZhTw, until, &key[..]),
        ("a1", Locale::En, until, &key[..]),
        ("a1", Locale::ZhTw, until + 1, &key[..]),
        ("a1", Locale::ZhTw, until, b"another-key"),
    ] {
        assert_eq!(
            check(key, alert, locale, until, sig, 1_001),
            Err(Refused::Forged)
        );
    }
}
