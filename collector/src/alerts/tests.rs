//! The alert module's tables: docs/nps.toml reads against docs/org.toml; each mistake in a
//! config file names its line, its key and what is accepted, and never shows a URL or a
//! secret; the routing table; the case rule per survey; every robot's text in every locale
//! carries what the group needs and no phone number; the answers' outcomes.

use std::collections::HashMap;

use nps_core::cases::delivery::Outcome;
use nps_core::org::Org;
use nps_core::scoring::score::Category;
use nps_core::words::Locale;

use super::config::{Channel, Config, Hidden, Kind};
use super::message::{customer_words, Alert, AlertKind, Digest, Message, Named};
use super::{answer, file, robot};

const ORG: &str = include_str!("../../../docs/org.toml");
const EXAMPLE: &str = include_str!("../../../docs/nps.toml");
const WEBHOOK_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const WECOM_URL: &str = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx";

fn org() -> Org {
    crate::org_file::read(ORG).unwrap()
}

fn env() -> HashMap<&'static str, &'static str> {
    HashMap::from([
        ("NPS_SZ_FT_WECOM_URL", WECOM_URL),
        (
            "NPS_SOUTH_DINGTALK_URL",
            "https://oapi.dingtalk.com/robot/send?access_token=abc123",
        ),
        ("NPS_SOUTH_DINGTALK_SECRET", "SECd3f0c1"),
        ("NPS_GZ_TH_WEBHOOK_SECRET", WEBHOOK_SECRET),
    ])
}

fn read(text: &str) -> Result<Config, String> {
    let vars = env();
    file::read(text, &org(), &|k| vars.get(k).map(|v| v.to_string()))
}

/// docs/nps.toml with its files in a temporary folder instead of /etc/nps.
fn example() -> Config {
    let dir = std::env::temp_dir().join(format!("nps-config-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("north-feishu-url"),
        "https://open.feishu.cn/open-apis/bot/v2/hook/0f1e\n",
    )
    .unwrap();
    std::fs::write(dir.join("north-feishu-secret"), "feishu-secret\n").unwrap();
    let text = EXAMPLE.replace("/etc/nps/", &format!("{}/", dir.display()));
    read(&text).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_documented_config_file_reads_against_the_documented_org() {
    let c = example();
    assert_eq!(c.cases.promised_hours, 24);
    assert_eq!(c.cases.remind_hours_left, 4);
    assert_eq!(c.cases.root_causes.len(), 6);
    assert_eq!(
        c.cases.link_base.as_deref(),
        Some("https://nps.brand.example")
    );
    let digest = c.digest.unwrap();
    assert_eq!(
        (digest.minute_of_day, digest.utc_offset_minutes),
        (510, 480)
    );
    let names: Vec<&str> = c.channels.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "sz-ft-wecom",
            "south-dingtalk",
            "north-feishu",
            "gz-th-tickets"
        ]
    );
    let feishu = c.channel("north-feishu").unwrap();
    assert_eq!(
        feishu.url.expose(),
        "https://open.feishu.cn/open-apis/bot/v2/hook/0f1e"
    );
    assert_eq!(feishu.secret.as_ref().unwrap().expose(), "feishu-secret");
    assert_eq!(feishu.locale, Locale::ZhTw);
    assert_eq!(c.channel("sz-ft-wecom").unwrap().secret, None);
    assert_eq!(c.utc_offset_minutes(), 480);
    assert_eq!(
        c.link_base(&["https://other.example".into()]).as_deref(),
        Some("https://nps.brand.example")
    );
    let bare = Config::default();
    assert_eq!(
        bare.link_base(&["https://nps.example".into()]).as_deref(),
        Some("https://nps.example")
    );
    assert_eq!(
        (bare.link_base(&[]), bare.utc_offset_minutes()),
        (None, 480)
    );
}

#[test]
fn each_survey_has_its_rule() {
    let c = example();
    let after_sales = c.rule("after-sales");
    assert!(after_sales.passives);
    assert_eq!(after_sales.default_hours, 48);
    let other = c.rule("sales");
    assert!(!other.passives);
    assert_eq!(other.default_hours, 24);
    assert_eq!(
        Config::default().rule("x"),
        crate::storage::CaseRule::default()
    );
}

#[test]
fn alerts_go_to_the_store_else_the_region_else_the_brand() {
    let c = example();
    use AlertKind::*;
    let check = |kind: AlertKind,
                 survey: &str,
                 store: Option<&str>,
                 region: Option<&str>,
                 expected: &[&str]| {
        let got: Vec<&str> = c
            .channels_for(kind, survey, store, region)
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(got, expected, "{kind:?} {survey} {store:?} {region:?}");
    };
    check(
        Opened,
        "after-sales",
        Some("SZ-FT"),
        Some("south"),
        &["sz-ft-wecom"],
    );
    check(
        Callback,
        "after-sales",
        Some("SZ-FT"),
        Some("south"),
        &["sz-ft-wecom"],
    );
    check(
        Reminder,
        "sales",
        Some("SZ-FT"),
        Some("south"),
        &["sz-ft-wecom"],
    );
    // A store without a channel of its own: its region's.
    check(
        Opened,
        "after-sales",
        Some("SZ-NS"),
        Some("south"),
        &["south-dingtalk"],
    );
    check(
        Opened,
        "after-sales",
        Some("GZ-TH"),
        Some("south"),
        &["gz-th-tickets"],
    );
    // The store's channel hears only after-sales: another survey goes to the region.
    check(
        Opened,
        "sales",
        Some("GZ-TH"),
        Some("south"),
        &["south-dingtalk"],
    );
    check(
        Opened,
        "after-sales",
        Some("BJ-CY"),
        Some("north"),
        &["north-feishu"],
    );
    // A breach goes to the region, never to the store's group.
    check(
        Breach,
        "after-sales",
        Some("SZ-FT"),
        Some("south"),
        &["south-dingtalk"],
    );
    check(
        Breach,
        "after-sales",
        Some("BJ-CY"),
        Some("north"),
        &["north-feishu"],
    );
    // No store, no region, no brand-wide channel: nowhere.
    check(Opened, "after-sales", None, None, &[]);
    check(
        Digest,
        "",
        None,
        None,
        &[
            "sz-ft-wecom",
            "south-dingtalk",
            "north-feishu",
            "gz-th-tickets",
        ],
    );
    // Brand-wide channels hear what no store or region channel does.
    let mut c = c.clone();
    c.channels.retain(|ch| ch.name == "sz-ft-wecom");
    let mut brand = c.channels[0].clone();
    (brand.name, brand.stores) = ("brand".into(), vec![]);
    c.channels.push(brand);
    let names = |v: Vec<&Channel>| v.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(c.channels_for(Opened, "x", Some("BJ-CY"), Some("north"))),
        ["brand"]
    );
    assert_eq!(
        names(c.channels_for(Breach, "x", Some("SZ-FT"), Some("south"))),
        ["brand"]
    );
    assert_eq!(
        names(c.channels_for(Opened, "x", Some("SZ-FT"), Some("south"))),
        ["sz-ft-wecom"]
    );
}

/// A mistake in a channel (or a section), and what its error says (all of it must appear).
#[test]
fn each_mistake_names_its_line_key_and_what_is_accepted() {
    let ok = "[[channel]]\nname = \"a\"\nkind = \"wecom\"\nurl_env = \"NPS_SZ_FT_WECOM_URL\"\n";
    assert!(read(ok).is_ok());
    let check = |text: &str, says: &[&str]| {
        let e = read(text).expect_err(text);
        for s in says {
            assert!(e.contains(s), "{text}\n→ {e}\n(expected {s:?})");
        }
        assert!(
            !e.contains("key=693a")
                && !e.contains("abc123")
                && !e.contains("SECd3f0c1")
                && !e.contains("MfKQ9r8"),
            "{e}"
        );
    };
    check(&ok.replace("wecom", "wechat"), &["line 3: [[channel]] kind is \"wechat\": expected one of \"wecom\", \"dingtalk\", \"feishu\", \"webhook\""]);
    check(
        &format!("sso = 3\n{ok}"),
        &["line 1: sso is 3: expected the path of the single sign-on file"],
    );
    let with_sso = read(&format!("sso = \"sso.toml\"\n{ok}")).unwrap();
    assert_eq!(
        with_sso.sso_file.as_deref(),
        Some(std::path::Path::new("sso.toml"))
    );
    check(
        &format!("{ok}stors = []\n"),
        &["line 5: [[channel]] unknown key \"stors\": did you mean \"stores\"?"],
    );
    check(&format!("{ok}regions = [\"sout\"]\n"), &["line 5: [[channel]] regions is \"sout\": expected one of the declared regions: \"south\", \"north\""]);
    check(
        &format!("{ok}stores = [\"SZ-XX\"]\n"),
        &["[[channel]] stores is \"SZ-XX\": expected one of the declared stores"],
    );
    check(
        &format!("{ok}locale = \"zh\"\n"),
        &["line 5: [[channel]] locale is \"zh\": expected one of \"zh-CN\", \"zh-TW\", \"en\""],
    );
    check(
        &format!("{ok}{ok}"),
        &["line 6: [[channel]] name is \"a\": expected a name no other channel has"],
    );
    check(
        "[[channel]]\nkind = \"wecom\"\nurl = \"https://x.example/?key=1\"\n",
        &["line 1: [[channel]] name is missing"],
    );
    check(
        "[[channel]]\nname = \"a\"\nkind = \"wecom\"\n",
        &[
            "line 1: [[channel]] url is missing: expected url = ",
            "url_env",
            "url_file",
        ],
    );
    check(&ok.replace("url_env = \"NPS_SZ_FT_WECOM_URL\"", "url = \"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?token=693a91f6\""), &["line 4: [[channel]] url is not the robot's webhook address, https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"]);
    check(&ok.replace("NPS_SZ_FT_WECOM_URL", "NPS_UNSET"), &["line 4: [[channel]] url_env: the environment variable NPS_UNSET is not set, or is empty"]);
    check(&format!("{ok}url = \"https://x.example/?key=1\"\n"), &["line 5: [[channel]] url_env and url are both given: keep one of url, url_env, url_file"]);
    check(
        &format!("{ok}secret = \"s\"\n"),
        &["line 5: [[channel]] secret is given: a wecom robot is not signed"],
    );
    let ding =
        "[[channel]]\nname = \"d\"\nkind = \"dingtalk\"\nurl_env = \"NPS_SOUTH_DINGTALK_URL\"\n";
    check(ding, &["line 1: [[channel]] secret is missing: a dingtalk robot is signed with 加签 (required here)", "secret_env", "secret_file"]);
    check(&format!("{ding}secret = \"d3f0c1\"\n"), &["line 5: [[channel]] secret is not of its form (the value is not shown): a dingtalk robot is signed", "SEC…"]);
    let hook = "[[channel]]\nname = \"w\"\nkind = \"webhook\"\nurl = \"https://crm.example/h\"\n";
    check(
        &format!("{hook}secret = \"whsec_c2hvcnQ=\"\n"),
        &[
            "line 5: [[channel]] secret is not of its form",
            "whsec_ followed by base64 of 24 to 64 random bytes",
        ],
    );
    check(
        &format!("{hook}secret_file = \"/nonexistent/nps\"\n"),
        &["line 5: [[channel]] secret_file: cannot read /nonexistent/nps"],
    );
    check("[[channel]]\nname = \"f\"\nkind = \"feishu\"\nurl = \"https://open.feishu.cn/open-apis/bot/v2/send\"\nsecret = \"s\"\n", &["line 4: [[channel]] url is not the bot's webhook address, https://open.feishu.cn/open-apis/bot/v2/hook/…"]);
    check(
        "[channel]\nname = \"a\"\n",
        &["line 1: channel is a table: expected [[channel]] tables (two brackets)"],
    );
    check(
        "[case]\n",
        &["line 1: unknown key \"case\": did you mean \"cases\"?"],
    );
    check(
        "[cases]\npromised_hours = 0\n",
        &["line 2: [cases] promised_hours is 0: expected a whole number of hours from 1 to 720"],
    );
    check("[cases]\nremind_hours_left = 721\n", &["line 2: [cases] remind_hours_left is 721: expected a whole number of hours from 0 (no reminder) to 720"]);
    check(
        "[cases]\nroot_causes = []\n",
        &["line 2: [cases] root_causes is a array: expected a list of root causes"],
    );
    check(
        "[cases]\nroot_causes = [\"价格\", \"\"]\n",
        &["line 2: [cases] root_causes", "strings that are not empty"],
    );
    check(
        "[cases]\nroot_causes = [\"价格\", \"价格\"]\n",
        &["line 2: [cases] root_causes", "(\"价格\" is given twice)"],
    );
    check(
        "[cases]\npassives = \"yes\"\n",
        &["line 2: [cases] passives is \"yes\": expected true (passives open cases too) or false"],
    );
    check("[cases]\nlink_base = \"nps.brand.example\"\n", &["line 2: [cases] link_base is \"nps.brand.example\": expected the dashboard's http or https address"]);
    check(
        "[digest]\nat = \"8:30\"\nutc_offset = \"+08:00\"\n",
        &["line 2: [digest] at is \"8:30\": expected a local time HH:MM from 00:00 to 23:59"],
    );
    check("[digest]\nat = \"08:30\"\nutc_offset = \"08:00\"\n", &["line 3: [digest] utc_offset is \"08:00\": expected an offset from UTC, +HH:MM or -HH:MM"]);
    check(
        "[digest]\nat = \"08:30\"\n",
        &["line 1: [digest] utc_offset is missing"],
    );
    check(
        "[[survey]]\npassives = true\n",
        &["line 1: [[survey]] id is missing"],
    );
    check(
        "[[survey]]\nid = \"a\"\n[[survey]]\nid = \"a\"\n",
        &["line 4: [[survey]] id is \"a\": expected a survey not given before"],
    );
    // Every error at once, in the file's order.
    let e = read("[cases]\npromised_hours = 0\npassives = 1\n[digest]\nat = \"25:00\"\nutc_offset = \"+08:00\"\n").unwrap_err();
    assert_eq!(e.lines().count(), 3, "{e}");
    assert!(
        e.starts_with("line 2: ") && e.contains("\nline 3: ") && e.contains("\nline 5: "),
        "{e}"
    );
}

#[test]
fn a_url_or_a_secret_never_shows_in_a_debug() {
    let c = example();
    let shown = format!("{c:?}");
    for secret in [
        "693a91f6",
        "abc123",
        "SECd3f0c1",
        "MfKQ9r8",
        "feishu-secret",
        "0f1e",
        "/hooks/nps",
    ] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(
        shown.contains("Hidden(https://qyapi.weixin.qq.com/…)"),
        "{shown}"
    );
    assert_eq!(Hidden::new("not a url").shown(), "…");
}

#[test]
fn the_digest_goes_at_its_local_time_and_reports_on_the_day_before() {
    let at = example().digest.unwrap();
    let ns = |rfc: &str| {
        time::OffsetDateTime::parse(rfc, &time::format_description::well_known::Rfc3339)
            .unwrap()
            .unix_timestamp_nanos() as i64
    };
    // 2026-12-03 08:00 in Shenzhen is 00:00 UTC: the 08:30 digest of the 3rd has not gone,
    // so the latest due is the 2nd's (reporting the 1st).
    let d = at.due(ns("2026-12-03T00:00:00Z"));
    assert_eq!(
        (d.due_ns, d.day.as_str()),
        (ns("2026-12-02T00:30:00Z"), "2026-12-01")
    );
    // At 08:30 exactly the 3rd's is due, reporting the 2nd, Shenzhen's midnight to midnight.
    let d = at.due(ns("2026-12-03T00:30:00Z"));
    assert_eq!(
        (d.due_ns, d.day.as_str()),
        (ns("2026-12-03T00:30:00Z"), "2026-12-02")
    );
    assert_eq!(
        (d.since_ns, d.until_ns),
        (ns("2026-12-01T16:00:00Z"), ns("2026-12-02T16:00:00Z"))
    );
}

/// The phone the customer typed, in three ways; none may reach a robot.
const PHONES: [&str; 3] = ["13812343788", "138 1234 3788", "+86 138-1234-3788"];

fn alert(kind: AlertKind) -> Alert {
    Alert {
        kind,
        case_id: "6f1c2a7e-0b7d-4f4e-9b1a-2c3d4e5f6a7b".into(),
        survey: "after-sales".into(),
        score: 3,
        category: Category::Detractor,
        reasons: vec!["等待时间".into(), "价格".into()],
        comment: Some(format!(
            "等了三个小时 [点我](https://evil.example) <b>x</b>，请打 {} 或 {} 或 {}",
            PHONES[0], PHONES[1], PHONES[2]
        )),
        store: Some(Named {
            id: "SZ-FT".into(),
            name: "深圳福田店".into(),
        }),
        advisor: Some("王磊".into()),
        visit: Some("RO-88231".into()),
        callback: kind == AlertKind::Callback,
        deadline_ns: 1_764_842_820_000_000_000, // 2025-12-04T10:07:00Z
        utc_offset_minutes: 480,
        hours_left: if kind == AlertKind::Breach { -2 } else { 4 },
        link: "https://nps.brand.example/dashboard/#/cases/6f1c2a7e".into(),
    }
}

/// Regression: a preset reason reached the group as its id (`wait＿time`).
#[test]
fn a_preset_reason_reads_as_the_chip_the_customer_tapped() {
    let mut a = alert(AlertKind::Opened);
    a.reasons = vec!["wait_time".into(), "等待时间".into()];
    for (locale, label) in [
        (Locale::ZhCn, "等待时长、等待时间"),
        (Locale::En, "Waiting time, 等待时间"),
    ] {
        let w = super::text::words(&Message::Alert(a.clone()), locale);
        let line = w
            .lines
            .iter()
            .find(|(_, v)| v.contains("等待时间"))
            .unwrap();
        assert_eq!(line.1, label, "{locale:?}");
    }
}

fn digest() -> Digest {
    Digest {
        scope: "华南大区".into(),
        day: "2026-12-02".into(),
        n: 41,
        nps: Some(31.7),
        ci95: Some((8.2, 55.1)),
        new_detractors: 6,
        open: 9,
        overdue: 2,
        link: "https://nps.brand.example/dashboard/#/cases".into(),
    }
}

fn channel(kind: Kind, locale: Locale) -> Channel {
    let (url, secret) = match kind {
        Kind::Wecom => (WECOM_URL, None),
        Kind::Dingtalk => (
            "https://oapi.dingtalk.com/robot/send?access_token=abc123",
            Some("SECd3f0c1"),
        ),
        Kind::Feishu => (
            "https://open.feishu.cn/open-apis/bot/v2/hook/0f1e",
            Some("feishu-secret"),
        ),
        Kind::Webhook => ("https://crm.example/h", Some(WEBHOOK_SECRET)),
    };
    Channel {
        name: "c".into(),
        kind,
        url: Hidden::new(url),
        secret: secret.map(Hidden::new),
        regions: vec![],
        stores: vec![],
        surveys: vec![],
        locale,
    }
}

/// The longest run of digits in `s`.
fn longest_digits(s: &str) -> usize {
    s.split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0)
}

/// The text a group reads in a robot's body (not its signature or timestamp).
fn text_of(kind: Kind, body: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    match kind {
        Kind::Wecom => v["markdown"]["content"].as_str().unwrap().to_owned(),
        Kind::Dingtalk => format!(
            "{}\n{}",
            v["markdown"]["title"],
            v["markdown"]["text"].as_str().unwrap()
        ),
        Kind::Feishu => v["card"].to_string(),
        Kind::Webhook => v["data"].to_string(),
    }
}

#[test]
fn every_robot_says_what_the_group_needs_and_never_a_phone_number() {
    for kind in Kind::ALL {
        for locale in Locale::ALL {
            for alert_kind in [
                AlertKind::Opened,
                AlertKind::Callback,
                AlertKind::Reminder,
                AlertKind::Breach,
            ] {
                let a = alert(alert_kind);
                let req = robot::request(
                    &channel(kind, locale),
                    &Message::Alert(a.clone()),
                    "job-1",
                    1_764_806_400_000,
                );
                let text = text_of(kind, &req.body);
                let at = format!("{kind:?} {locale:?} {alert_kind:?}: {text}");
                assert!(longest_digits(&text) < 11, "{at}");
                for phone in PHONES {
                    assert!(!req.body.contains(phone), "{at}");
                }
                assert!(text.contains("138****3788"), "{at}");
                assert!(!text.contains("[点我](") && !text.contains("<b>"), "{at}");
                for needed in [
                    "3/10",
                    "等待时间",
                    "价格",
                    "等了三个小时",
                    "深圳福田店",
                    "SZ-FT",
                    "王磊",
                    "RO-88231",
                    "12-04 18:07",
                    "https://nps.brand.example/dashboard/#/cases/6f1c2a7e",
                ] {
                    assert!(text.contains(needed), "{needed} missing: {at}");
                }
                let category = ["贬损者", "貶損者", "detractor"][locale as usize];
                assert!(text.contains(category), "{at}");
                let words = match a.hours_left {
                    h if h < 0 => ["已超时 2 小时", "已逾時 2 小時", "overdue by 2 h"],
                    _ => ["剩 4 小时", "剩 4 小時", "4 h left"],
                };
                assert!(text.contains(words[locale as usize]), "{at}");
                if alert_kind == AlertKind::Callback && kind != Kind::Webhook {
                    let loud = ["【需回电】", "【需回電】", "[CALL BACK]"][locale as usize];
                    assert!(text.contains(loud), "{at}");
                }
            }
            let req = robot::request(
                &channel(kind, locale),
                &Message::Digest(digest()),
                "job-2",
                1_764_806_400_000,
            );
            let text = text_of(kind, &req.body);
            for needed in [
                "华南大区",
                "2026-12-02",
                "41",
                "32",
                "8",
                "55",
                "6",
                "9",
                "2",
            ] {
                assert!(
                    text.contains(needed),
                    "{needed} missing: {kind:?} {locale:?}: {text}"
                );
            }
        }
    }
}

#[test]
fn a_long_comment_is_cut_to_the_robots_limit_on_a_character() {
    let mut a = alert(AlertKind::Opened);
    a.comment = Some("等".repeat(3000));
    for kind in [Kind::Wecom, Kind::Dingtalk, Kind::Feishu] {
        let req = robot::request(
            &channel(kind, Locale::ZhCn),
            &Message::Alert(a.clone()),
            "j",
            0,
        );
        let v: serde_json::Value = serde_json::from_str(&req.body).unwrap();
        let text = match kind {
            Kind::Wecom => v["markdown"]["content"].as_str().unwrap().to_owned(),
            Kind::Dingtalk => v["markdown"]["text"].as_str().unwrap().to_owned(),
            _ => v["card"]["elements"][0]["content"]
                .as_str()
                .unwrap()
                .to_owned(),
        };
        assert!(
            text.len() <= robot::MAX_TEXT_BYTES && text.len() > robot::MAX_TEXT_BYTES - 64,
            "{kind:?}: {}",
            text.len()
        );
        assert!(
            text.contains("等…") && text.contains("深圳福田店"),
            "{kind:?}"
        );
        assert!(req.body.contains("cases/6f1c2a7e"), "{kind:?}");
    }
}

#[test]
fn customers_words_are_masked_and_inert() {
    let check =
        |input: &str, expected: &str| assert_eq!(customer_words(input), expected, "{input}");
    check("call 13812343788 today", "call 138****3788 today");
    check("电话：138 1234 3788。", "电话：138****3788。");
    check("+86 138-1234-3788", "138****3788");
    check("order 2026120300123", "order *********0123");
    check("RO-88231, 5 stars", "RO-88231, 5 stars");
    check(
        "[x](http://e) <a> **b** #h `c` ~d~ |e|",
        "［x］(http://e) ＜a＞ ＊＊b＊＊ ＃h ｀c｀ ～d～ ｜e｜",
    );
    check("line\nbreak", "line break");
    // Full-width digits and the other ways people write a number are masked too.
    check("电话１３８１２３４３７８８", "电话138****3788");
    check("１３８　１２３４　３７８８", "138****3788");
    check("138/1234/3788 找我", "*******3788 找我");
    check("（138）12343788", "（*******3788");
    check("(138)1234-3788", "(138****3788");
}

#[test]
fn each_answer_has_its_outcome() {
    let failed = |s| Outcome::Failed { retry_after: s };
    let check = |kind: Kind, status: u16, retry: Option<u64>, body: &str, expected: Outcome| {
        assert_eq!(
            answer::outcome(kind, status, retry, body),
            expected,
            "{kind:?} {status} {body}"
        );
    };
    use Kind::*;
    check(
        Wecom,
        200,
        None,
        r#"{"errcode":0,"errmsg":"ok"}"#,
        Outcome::Sent,
    );
    check(
        Wecom,
        200,
        None,
        r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#,
        failed(None),
    );
    check(
        Wecom,
        200,
        None,
        r#"{"errcode":93000,"errmsg":"invalid webhook url"}"#,
        Outcome::Refused,
    );
    check(Wecom, 200, None, "<html>proxy</html>", failed(None));
    check(
        Dingtalk,
        200,
        None,
        r#"{"errcode":0,"errmsg":"ok"}"#,
        Outcome::Sent,
    );
    check(
        Dingtalk,
        200,
        None,
        r#"{"errcode":130101,"errmsg":"send too fast"}"#,
        failed(None),
    );
    check(
        Dingtalk,
        200,
        None,
        r#"{"errcode":410100,"errmsg":"send too fast"}"#,
        failed(None),
    );
    check(
        Dingtalk,
        200,
        None,
        r#"{"errcode":310000,"errmsg":"sign not match"}"#,
        Outcome::Refused,
    );
    check(
        Dingtalk,
        200,
        None,
        r#"{"errcode":300001,"errmsg":"token is not exist"}"#,
        Outcome::Refused,
    );
    check(
        Dingtalk,
        200,
        None,
        r#"{"errcode":-1,"errmsg":"系统繁忙"}"#,
        failed(None),
    );
    check(
        Feishu,
        200,
        None,
        r#"{"code":0,"msg":"success","data":{}}"#,
        Outcome::Sent,
    );
    check(
        Feishu,
        200,
        None,
        r#"{"StatusCode":0,"StatusMessage":"success"}"#,
        Outcome::Sent,
    );
    check(
        Feishu,
        200,
        None,
        r#"{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}"#,
        Outcome::Refused,
    );
    check(
        Feishu,
        200,
        None,
        r#"{"code":19024,"msg":"Key Words Not Found"}"#,
        Outcome::Refused,
    );
    check(
        Feishu,
        200,
        None,
        r#"{"code":11232,"msg":"frequency limited"}"#,
        failed(None),
    );
    check(
        Feishu,
        400,
        None,
        r#"{"code":9499,"msg":"too many request"}"#,
        failed(None),
    );
    check(
        Feishu,
        400,
        None,
        r#"{"code":19021,"msg":"sign match fail"}"#,
        Outcome::Refused,
    );
    for kind in Kind::ALL {
        check(kind, 429, Some(30), "", failed(Some(30)));
        check(kind, 500, None, "", failed(None));
        check(kind, 503, Some(5), "", failed(Some(5)));
        check(kind, 408, None, "", failed(None));
        check(kind, 301, None, "", Outcome::Refused);
        check(kind, 404, None, "", Outcome::Refused);
    }
    check(Webhook, 204, None, "", Outcome::Sent);
    check(Webhook, 200, None, r#"{"errcode":93000}"#, Outcome::Sent);
    for status in [400, 401, 403, 410] {
        check(Webhook, status, None, "secret stuff", Outcome::Refused);
    }
    let (_, reason) = answer::read(Webhook, 401, None, "secret stuff");
    assert_eq!(reason.as_deref(), Some("http 401"));
    let (_, reason) = answer::read(
        Wecom,
        200,
        None,
        r#"{"errcode":93000,"errmsg":"invalid webhook url"}"#,
    );
    assert_eq!(
        reason.as_deref(),
        Some("errcode 93000: invalid webhook url")
    );
}

#[test]
fn retry_after_is_seconds_or_a_date() {
    use super::send::retry_after_secs;
    assert_eq!(retry_after_secs("120", 0), Some(120));
    let now_ms = 784_111_777_000 - 30_000; // 30 s before Sun, 06 Nov 1994 08:49:37 GMT
    assert_eq!(
        retry_after_secs("Sun, 06 Nov 1994 08:49:37 GMT", now_ms),
        Some(30)
    );
    assert_eq!(
        retry_after_secs("Sun, 06 Nov 1994 08:49:37 GMT", now_ms + 60_000),
        Some(0)
    );
    assert_eq!(retry_after_secs("soon", 0), None);
}

/// The file whose errors docs/ALERTS.md shows.
const DOC_MISTAKES: &str = "[[channel]]\nname = \"a\"\nkind = \"wechat\"\nurl_env = \"NPS_SZ_FT_WECOM_URL\"\n\n[[channel]]\nname = \"b\"\nkind = \"wecom\"\nregions = [\"sout\"]\nurl_env = \"NPS_SZ_FT_WECOM_URL\"\n\n[[channel]]\nname = \"c\"\nkind = \"dingtalk\"\nurl_env = \"NPS_SOUTH_DINGTALK_URL\"\n";

#[test]
fn the_documented_errors_are_the_real_ones() {
    let doc = include_str!("../../../docs/ALERTS.md");
    let block = doc
        .split("```text\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    let real = read(DOC_MISTAKES).unwrap_err();
    assert_eq!(block, format!("--config nps.toml: {real}\n"));
}

/// What every robot in every locale says of `m`, each asserted to carry `PHONES[0]` only
/// masked (`138****3788`).
fn robot_texts_masking_the_phone(m: &Message) -> Vec<String> {
    let mut texts = Vec::new();
    for kind in Kind::ALL {
        for locale in Locale::ALL {
            let req = robot::request(&channel(kind, locale), m, "job-3", 1_764_806_400_000);
            let text = text_of(kind, &req.body);
            assert!(
                !req.body.contains(PHONES[0]),
                "{kind:?} {locale:?}: {}",
                req.body
            );
            assert!(text.contains("138****3788"), "{kind:?} {locale:?}: {text}");
            texts.push(text);
        }
    }
    texts
}

/// A referral's thank-you: the promoter's name (a number typed as one shows masked), else
/// their order's number, in each robot and locale, loud, and never a phone.
#[test]
fn a_thank_you_names_the_promoter_or_the_order_and_never_a_phone() {
    use nps_core::growth::referral::EventKind;
    let thanks = |promoter: Option<&str>, event| super::message::Thanks {
        event,
        promoter: promoter.map(str::to_owned),
        friend: None,
        date: None,
        store: Some(Named {
            id: "SZ-FT".into(),
            name: "深圳福田店".into(),
        }),
        advisor: Some("王磊".into()),
        visit: Some("R-88231".into()),
        survey: "after-sales".into(),
        booking: ["试驾", "試駕", "a test drive"].map(String::from),
        held: false,
        link: "https://nps.brand.example/dashboard.html#store=SZ-FT&show=referrals".into(),
    };
    let titles = |m: &Message| Locale::ALL.map(|l| super::text::words(m, l).title);
    let named = Message::Referral(thanks(Some("王先生"), EventKind::Booked));
    assert_eq!(
        titles(&named),
        [
            "王先生推荐的朋友已预约试驾，请致谢。｜深圳福田店",
            "王先生推薦的朋友已預約試駕，請致謝。｜深圳福田店",
            "王先生 referred a friend who booked a test drive: please say thank you. · 深圳福田店",
        ]
    );
    let unnamed = Message::Referral(thanks(None, EventKind::Purchased));
    assert_eq!(
        titles(&unnamed)[0],
        "工单 R-88231 的顾客推荐的朋友已成交购车，请致谢。｜深圳福田店"
    );
    assert_eq!(named.kind(), AlertKind::Referral);
    assert!(
        !AlertKind::Referral.loud(),
        "a thank-you never rings the whole group"
    );
    let sneaky = Message::Referral(thanks(Some(PHONES[0]), EventKind::Booked));
    for text in robot_texts_masking_the_phone(&sneaky) {
        assert!(text.contains("R-88231") && text.contains("王磊"), "{text}");
        assert!(
            text.contains("dashboard.html#store=SZ-FT&show=referrals"),
            "{text}"
        );
    }
}

/// A booking from the collector's form: the thank-you names the friend (称呼) and the
/// preferred date and asks the store to call, in each locale; a phone typed as the friend's
/// name shows masked, and no robot's message carries a phone.
#[test]
fn a_booking_thank_you_names_the_friend_and_the_date_and_never_a_phone() {
    use nps_core::growth::referral::EventKind;
    let thanks = |friend: &str, date: Option<&str>| {
        Message::Referral(super::message::Thanks {
            event: EventKind::Booked,
            promoter: Some("王先生".into()),
            friend: Some(friend.into()),
            date: date.map(str::to_owned),
            store: None,
            advisor: Some("王磊".into()),
            visit: Some("R-88231".into()),
            survey: "after-sales".into(),
            booking: ["试驾", "試駕", "a test drive"].map(String::from),
            held: false,
            link: "https://nps.brand.example/dashboard.html#store=SZ-FT&show=referrals".into(),
        })
    };
    let titles = |m: &Message| Locale::ALL.map(|l| super::text::words(m, l).title);
    assert_eq!(
        titles(&thanks("李女士", Some("2026-12-10"))),
        [
            "王先生推荐的朋友李女士已预约 12 月 10 日试驾，请致谢并尽快联系。",
            "王先生推薦的朋友李女士已預約 12 月 10 日試駕，請致謝並盡快聯絡。",
            "王先生 referred a friend 李女士 who booked a test drive on 10 December: please say thank you and call them soon.",
        ]
    );
    assert_eq!(
        titles(&thanks("李女士", None))[0],
        "王先生推荐的朋友李女士已预约试驾，请致谢并尽快联系。"
    );
    let where_ = super::text::words(&thanks("李女士", None), Locale::ZhCn);
    assert!(
        where_.lines.iter().any(|(_, l)| l.contains("朋友的预约")),
        "{:?}",
        where_.lines
    );
    let sneaky = thanks(PHONES[0], Some("2026-12-10"));
    for text in robot_texts_masking_the_phone(&sneaky) {
        assert!(
            text.contains("12 月 10 日") || text.contains("10 December"),
            "{text}"
        );
    }
}

/// What was booked comes from the survey's `booking_label`: without one the words say only
/// "已预约"; a store past its day's thank-yous gets one note without names; zh-TW says 聯絡.
#[test]
fn a_thank_you_says_what_was_booked_only_when_the_survey_says_it() {
    use nps_core::growth::referral::EventKind;
    let thanks = |booking: [&str; 3], held: bool| {
        Message::Referral(super::message::Thanks {
            event: EventKind::Booked,
            promoter: (!held).then(|| "王先生".into()),
            friend: (!held).then(|| "李女士".into()),
            date: None,
            store: None,
            advisor: None,
            visit: None,
            survey: "after-sales".into(),
            booking: booking.map(String::from),
            held,
            link: "https://nps.brand.example/dashboard.html#show=referrals".into(),
        })
    };
    let titles = |m: &Message| Locale::ALL.map(|l| super::text::words(m, l).title);
    assert_eq!(
        titles(&thanks(["", "", ""], false)),
        [
            "王先生推荐的朋友李女士已预约，请致谢并尽快联系。",
            "王先生推薦的朋友李女士已預約，請致謝並盡快聯絡。",
            "王先生 referred a friend 李女士 who booked: please say thank you and call them soon.",
        ]
    );
    assert_eq!(
        titles(&thanks(["保养", "保養", "a service"], false))[2],
        "王先生 referred a friend 李女士 who booked a service: please say thank you and call them soon."
    );
    assert_eq!(
        titles(&thanks(["保养", "保養", "a service"], false))[0],
        "王先生推荐的朋友李女士已预约保养，请致谢并尽快联系。"
    );
    let held = titles(&thanks(["试驾", "", ""], true));
    assert!(
        held[0].starts_with("今天通过推荐预约试驾的朋友较多"),
        "{}",
        held[0]
    );
    assert!(
        held[1].contains("聯絡") && !held[1].contains("聯繫"),
        "{}",
        held[1]
    );
    assert!(!held.iter().any(|t| t.contains("王先生")));
    for locale in Locale::ALL {
        let w = super::text::words(&thanks(["", "", ""], false), locale);
        let all = format!("{} {:?}", w.title, w.lines);
        assert!(!all.contains("聯繫"), "{all}");
    }
}

/// A phone spelt in Chinese numerals (or any script's) never reaches a robot: seven numerals
/// or more in a run are stars, in a customer's words and a name alike.
#[test]
fn a_phone_in_any_scripts_numerals_is_stars() {
    use super::message::{code_words, customer_words};
    for (typed, shown) in [
        ("一三八一二三四五六七八", "***********"),
        ("幺三八 〇〇一三 三七八八", "***********"),
        ("壹叁捌-零零壹叁-叁柒捌捌", "***********"),
        ("王先生一三八零零一三三七八八", "王先生***********"),
        ("１３８ ００１３", "*******"),
        ("call 1380013", "call *******"),
        ("三十一岁，十分满意", "三十一岁，十分满意"),
        ("二〇二六年", "二〇二六年"),
        // Copied from a phone's contacts: direction marks and no-break spaces around it.
        (
            "\u{202a}+86\u{a0}138\u{a0}0013\u{a0}8000\u{202c}",
            "138****8000",
        ),
        ("138\u{2009}0013\u{2011}8000", "138****8000"),
        ("138·0013・8000", "*******8000"),
        ("一三八\u{200b}〇〇一三\u{200d}三七八八", "***********"),
        ("幺三洞洞拐拐勾勾", "********"),
    ] {
        assert_eq!(customer_words(typed), shown, "{typed}");
    }
    assert_eq!(code_words("RO-20261203-001"), "RO-20261203-001");
    assert_eq!(code_words("一三八一二三四五六七八"), "***********");
    assert_eq!(super::message::longest_numeral_run("王 一三八-〇〇一三"), 7);
}
