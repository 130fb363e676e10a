//! The promise kept, end to end in headless Chromium (zh-CN, phone-sized windows): the whole
//! collector (`serve::run`, its alert worker) started with a config file whose WeCom channel
//! is a local receiver, a visit secret and a public origin. A detractor answers a signed visit
//! link on the landing page and asks for a call-back (a typed phone with consent, or the
//! order's number when the link carries `phone_tail`); the alert reaches the receiver in
//! WeCom's markdown shape, without the phone; the store manager opens the alert's link
//! (`dashboard.html#case=ID`), finds the case on top with its hours left, shows the number
//! (audited), marks it contacted, then resolved with a root cause and a note, takes the
//! re-survey link; the customer answers it 9; the store's recovery rate reads 100 %. What was
//! stored is read back through the API.

use std::sync::Arc;

use nps_collector::links::{landing_url, Signing};
use nps_collector::visit::VisitKey;
use nps_core::access::{Role, Scope};
use nps_e2e::robot::{self, Seen};
use nps_e2e::{wait_until, Browser, Options, Server};
use serde_json::{json, Value};

const SECRET: &str = "e2e-visit-secret-0123456789abcdef0123456789abcdef";
const PHONE: &str = "13812345678";

/// The collector as an operator starts it: `--org`, `--config nps.toml` (the store's WeCom
/// group at `wecom`), `--visit-secret`, `--public-origin`.
async fn collector(wecom: &str) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let org_text = include_str!("../../www/demo-org.toml");
    let org = nps_collector::org_file::read(org_text).unwrap();
    let dir = nps_e2e::temp_dir("config");
    let path = dir.join("nps.toml");
    std::fs::write(
        &path,
        format!(
            "[cases]\npromised_hours = 24\nremind_hours_left = 4\n\
             root_causes = [\"维修质量\", \"等待时间\", \"价格\", \"服务态度\", \"沟通\", \"其他\"]\n\n{}",
            robot::channel_config(wecom, "SZ-FT")
        ),
    )
    .unwrap();
    let config = nps_collector::alerts::Config::load(&path, &org).expect("a valid nps.toml");
    Server::run_on(listener, move |s| {
        s.names = nps_collector::demo::names().with_org(org);
        s.alerts = Some(Arc::new(config));
        s.visit_key = Some(VisitKey::new(SECRET).unwrap());
        s.public_origins = vec![origin];
    })
    .await
}

/// A signed visit link of 深圳福田店, as `nps-collector sign-visit` prints it.
fn visit_link(server: &Server, visit: &str, phone_tail: Option<&str>) -> String {
    let landing = nps_collector::landing::Landing::from_json_in(
        include_str!("../../www/landing.json"),
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../www"),
    )
    .unwrap();
    let mut carried: std::collections::BTreeMap<String, String> =
        [("store", "SZ-FT"), ("advisor", "wang"), ("visit", visit)]
            .into_iter()
            .chain(phone_tail.map(|t| ("phone_tail", t)))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
    carried.retain(|_, v| !v.is_empty());
    let key = VisitKey::new(SECRET).unwrap();
    let now_s = time::OffsetDateTime::now_utc().unix_timestamp();
    let sign = Signing {
        key: &key,
        ttl_s: 86_400,
        now_s,
    };
    landing_url(
        &server.base,
        "after-sales",
        &landing.link_keys("after-sales"),
        &carried,
        Some(&sign),
    )
    .expect("a landing link")
}

/// A detractor on a phone: 2, 等待时长, a comment, and a call-back (typed, or the order's).
async fn detractor_answers(link: &str, on_file: bool) {
    let b = Browser::start(Options::phone("zh-CN")).await;
    b.open(link).await;
    b.click("#nps >> [data-score='2']").await;
    b.click("#nps >> [data-reason='wait_time']").await;
    b.find("#nps >> .nps-comment")
        .await
        .send_keys("等了三个多小时，没人告诉我进度。")
        .await
        .unwrap();
    if on_file {
        assert!(
            b.text("#nps >> .nps-on-file").await.contains("尾号 3788"),
            "the order's number offered"
        );
        b.click("#nps >> .nps-on-file-box").await;
    } else {
        b.find("#nps >> .nps-phone")
            .await
            .send_keys("138 1234 5678")
            .await
            .unwrap();
        b.click("#nps >> .nps-consent-box").await;
    }
    b.click("#nps >> .nps-submit").await;
    let outcome = b.text("#nps >> .nps-outcome").await;
    assert!(outcome.contains("24\u{a0}小时内"), "{outcome}");
    b.close().await;
}

/// Waits for the WeCom alert that names `visit`; checks its shape; returns its case link.
async fn alert_for(seen: &Seen, visit: &str) -> String {
    let (query, body) = robot::markdown_with(seen, visit).await;
    assert_eq!(query, robot::QUERY);
    assert_eq!(body["msgtype"], "markdown", "{body}");
    assert_eq!(body.as_object().unwrap().len(), 2, "WeCom's shape: {body}");
    let text = body["markdown"]["content"].as_str().unwrap();
    for said in [
        "客户要求回电",
        "深圳福田店",
        "王磊",
        "2/10（贬损者）",
        "等待时长",
        "等了三个多小时",
        "剩 23 小时",
    ] {
        assert!(text.contains(said), "{said:?} in {text}");
    }
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    assert!(
        !text.contains("138") && !digits.contains("12345678"),
        "never a phone: {text}"
    );
    let start = text.find("http://").expect("a link to the case");
    let link: String = text[start..]
        .chars()
        .take_while(|c| !matches!(c, ')' | ' ' | '\n'))
        .collect();
    assert!(link.contains("/dashboard.html#case="), "{link}");
    link
}

/// `fetch(path)` from the page with its session, as JSON (`method`, `body` optional).
async fn api(b: &Browser, method: &str, path: &str) -> Value {
    b.client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0], {method: arguments[1]}).then(r => r.json()).then(done, e => done(String(e)));",
            vec![json!(path), json!(method)],
        )
        .await
        .unwrap()
}

/// The case's card in the queue.
fn card(id: &str) -> String {
    format!(".cases li.case[data-id='{id}']")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_detractors_case_is_alerted_worked_and_recovered_from_a_phone() {
    let (wecom, seen) = robot::wecom().await;
    let server = collector(&wecom).await;

    // Two detractors: one types a phone, one asks for the number on the order.
    detractor_answers(&visit_link(&server, "RO-88231", None), false).await;
    let link = alert_for(&seen, "RO-88231").await;
    detractor_answers(&visit_link(&server, "RO-88232", Some("3788")), true).await;
    let other = alert_for(&seen, "RO-88232").await;
    let id = link.rsplit("case=").next().unwrap().to_owned();
    let other_id = other.rsplit("case=").next().unwrap().to_owned();

    // The store manager, on a phone, opens the alert's link.
    let b = Browser::start(Options::phone("zh-CN")).await;
    b.sign_in_as(&server, Role::Store, Scope::Stores(vec!["SZ-FT".into()]))
        .await;
    b.goto(&link).await;
    b.find(&format!("{} .case-head", card(&id))).await;
    let top = b
        .js("const li = document.querySelector('.cases li.case'); \
             const r = li.getBoundingClientRect(); \
             return [li.dataset.id, li.classList.contains('focus'), r.top >= 0 && r.top < innerHeight]")
        .await;
    assert_eq!(top, json!([id, true, true]), "on top, ringed, in view");
    let due = b.text(&format!("{} .due", card(&id))).await;
    assert!(
        due == "还剩 23 小时" || due == "还剩 24 小时",
        "hours left: {due}"
    );
    // The other case says which order's number to call, and shows none.
    let second = b.text(&card(&other_id)).await;
    assert!(
        second.contains("按工单 RO-88232 预留号码（尾号 3788）回电"),
        "{second}"
    );

    // One tap shows the number; the audit trail has it.
    assert!(b.text(&card(&id)).await.contains("138****5678"));
    b.click(&format!("{} [data-act=reveal]", card(&id))).await;
    wait_until("the full number", || async {
        b.text(&card(&id)).await.contains(PHONE).then_some(())
    })
    .await;
    let audit = ureq::get(&format!("{}/api/audit?action=reveal", server.base))
        .header("authorization", &format!("Bearer {}", server.token))
        .call()
        .unwrap()
        .into_body()
        .read_to_string()
        .unwrap();
    let audit: Value = serde_json::from_str(&audit).unwrap();
    assert_eq!(audit.as_array().map(Vec::len), Some(1), "{audit}");
    assert!(
        audit[0]["who"].as_str().unwrap().starts_with("user:store-"),
        "{audit}"
    );

    // 联系上了, then 已解决 with a root cause and a note.
    assert_eq!(
        b.text(&format!("{} [data-act=contact]", card(&id))).await,
        "联系上了"
    );
    b.click(&format!("{} [data-act=contact]", card(&id))).await;
    b.wait_attr(&card(&id), "data-state", "contacted").await;
    b.js(&format!(
        "const s = document.querySelector(\"{} select[name=root_cause]\"); \
         s.value = '等待时间'; s.dispatchEvent(new Event('change', {{bubbles: true}}));",
        card(&id)
    ))
    .await;
    b.find(&format!("{} textarea[name=note]", card(&id)))
        .await
        .send_keys("已致电道歉，下次保养免工时费。")
        .await
        .unwrap();
    b.click(&format!("{} [data-act=resolve]", card(&id))).await;
    b.wait_attr(&card(&id), "data-state", "resolved").await;

    // 发送回访问卷: the link, signed for this case.
    b.click(&format!("{} [data-act=recovery]", card(&id))).await;
    let survey_link = wait_until("the re-survey link", || async {
        let v = b
            .js(&format!(
                "const i = document.querySelector(\"{} .recovery-url\"); return i && i.value",
                card(&id)
            ))
            .await;
        v.as_str()
            .filter(|s| s.starts_with("http"))
            .map(str::to_owned)
    })
    .await;
    assert!(
        survey_link.contains(&format!("recovery={id}")),
        "{survey_link}"
    );

    let before = api(&b, "GET", "/api/cases/stats?by=store").await;
    assert_eq!(
        before[0]["recovery_rate"],
        Value::Null,
        "none answered yet: {before}"
    );

    // The customer answers it 9, on their phone: the re-survey page is the plain form (no
    // widget), its own line above the question.
    let customer = Browser::start(Options::phone("zh-CN")).await;
    customer.goto(&survey_link).await;
    customer.tap("button[data-score='9']").await;
    customer.tap(".nps-submit").await;
    customer.find(".nps-outcome-title").await;
    customer.close().await;

    // What was stored: the case, its history in order, the re-survey's score.
    let case = wait_until("the recovery score", || async {
        let c = api(&b, "GET", &format!("/api/cases/{id}")).await;
        (c["recovery_score"] == json!(9)).then_some(c)
    })
    .await;
    assert_eq!(case["status"], "resolved");
    assert_eq!(case["root_cause"], "等待时间");
    assert_eq!(case["phone"], "138****5678");
    assert!(case["first_contact_at"].is_string() && case["resolved_at"].is_string());
    let whats: Vec<&str> = case["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["what"].as_str().unwrap())
        .collect();
    assert_eq!(
        whats,
        [
            "opened",
            "callback",
            "contacted",
            "resolved",
            "note",
            "recovery_link",
            "recovery_answer"
        ],
        "{case}"
    );
    // The resolve, then its note, by the store manager; the answer's score by the collector.
    let (resolved, note) = (&case["history"][3], &case["history"][4]);
    assert_eq!(resolved["root_cause"], "等待时间", "{case}");
    assert_eq!(note["note"], "已致电道歉，下次保养免工时费。", "{case}");
    assert!(
        note["who"].as_str().unwrap().starts_with("store-"),
        "{case}"
    );
    assert_eq!(
        (
            case["history"][6]["who"].clone(),
            case["history"][6]["score"].clone()
        ),
        (json!("collector"), json!(9))
    );
    let on_file = api(&b, "GET", &format!("/api/cases/{other_id}")).await;
    assert_eq!(
        (on_file["phone"].clone(), on_file["phone_on_file"].clone()),
        (Value::Null, json!("3788"))
    );
    assert_eq!(on_file["callback"], true);

    // The store's recovery rate, on the reloaded dashboard and in the API.
    let stats = api(&b, "GET", "/api/cases/stats?by=store").await;
    let row = stats
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "SZ-FT")
        .cloned()
        .unwrap_or_else(|| panic!("SZ-FT in {stats}"));
    assert_eq!(
        (
            row["recovery_answered"].clone(),
            row["recovered"].clone(),
            row["recovery_rate"].clone()
        ),
        (json!(1), json!(1), json!(1)),
        "{row}"
    );
    b.goto(&format!("{}/dashboard.html", server.base)).await;
    let rate = b
        .text(".case-stats tr[data-key='SZ-FT'] td:last-child")
        .await;
    assert_eq!(rate, "100%（1/1）", "the recovery rate");

    // The alert's link again, in the open page (only the fragment changes): the case is
    // resolved, not in the tab shown (待联系), and still on top, ringed.
    b.goto(&link).await;
    wait_until("the resolved case on top", || async {
        let top = b
            .js("const li = document.querySelector('.cases li.case'); \
                 return li && [li.dataset.id, li.dataset.state, li.classList.contains('focus')]")
            .await;
        (top == json!([id, "resolved", true])).then_some(())
    })
    .await;
    b.close().await;
}
