//! A brand's people, as a new brand admin would set them up, in headless Chromium (zh-CN): the
//! admin invites a region manager and a store manager; each sets a password from their invite
//! link, signs out and in again at `/signin`, and sees exactly their scope on the dashboard
//! and in the export (phones masked); the region manager shows a customer's number with one
//! tap, and the admin reads that reveal in the audit trail. (Signing in through the brand's
//! OpenID provider is `e2e/tests/sso.rs`.)

use nps_collector::{demo, write_key, Now, Store};
use nps_core::access::{Role, Scope};
use nps_e2e::{Browser, Options, Server};
use serde_json::{json, Value};

/// The customer whose number the region manager shows: a detractor of 上海浦东店 (华东), stored
/// an hour ago, who asked to be called.
const PHONE: &str = "+8613812343788";

/// An account and its one-time invite link, as `nps-collector user add` makes them.
async fn invite(server: &Server, email: &str, role: Role, scope: Scope) -> String {
    let store = Store::open(&server.db).unwrap();
    let now = Now::system();
    let user = store
        .user_add(email, role, &scope, &now)
        .await
        .unwrap()
        .expect("a new account");
    let link = nps_collector::signin::issue_invite(&store, user.id, &server.base, &now)
        .await
        .unwrap();
    store.flush().await.unwrap();
    link
}

/// A recent detractor of `store` who left a phone for a call-back.
async fn detractor_with_phone(server: &Server, store_code: &str) -> String {
    let store = Store::open(&server.db).unwrap();
    let id = nps_e2e::response_id();
    let now = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
    let at = now
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let body = json!({"schema":1,"id":id,"survey":"after-sales","stage":"completed","score":2,
        "category":"detractor","reasons":["wait_time"],"comment":"等了两个小时",
        "contact":{"phone":PHONE,"consent":true,"callback_hours":24},
        "context":{"store":store_code,"advisor":"xu"},"locale":"zh-CN",
        "page":"https://brand.example/qr","created_at":at,"updated_at":at,
        "write_key":write_key::fresh()});
    let response = nps_core::contract::payload::Response::parse(&body).expect("a valid answer");
    store.upsert(response, Now::system(), None).await.unwrap();
    store.flush().await.unwrap();
    id
}

/// `fetch(path)` from the page, as its own scripts would (the session cookie goes along).
async fn fetch_json(b: &Browser, path: &str) -> Value {
    b.client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0]).then(r => r.json()).then(done, e => done(String(e)));",
            vec![json!(path)],
        )
        .await
        .unwrap()
}

/// Fills the sign-in (or set-password) form's fields and sends it.
async fn fill_and_send(b: &Browser, fields: &[(&str, &str)]) {
    for (name, value) in fields {
        b.find(&format!("form input[name={name}]"))
            .await
            .send_keys(value)
            .await
            .unwrap();
    }
    b.click("form button[type=submit]").await;
}

/// The store codes of the rows of an export.
fn stores_of(rows: &Value) -> Vec<String> {
    let mut codes: Vec<String> = rows
        .as_array()
        .expect("the export is an array")
        .iter()
        .map(|r| r["context"]["store"].as_str().unwrap_or("").to_owned())
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_adds_people_and_each_sees_exactly_their_scope() {
    let org = nps_collector::org_file::read(include_str!("../../www/demo-org.toml")).unwrap();
    let server = Server::start_with(|s| s.names = demo::names().with_org(org)).await;
    demo::seed(&server.db, 1500, 3, 5).unwrap();
    let id = detractor_with_phone(&server, "SH-PD").await;
    let east = invite(
        &server,
        "east@brand.example",
        Role::Region,
        Scope::Regions(vec!["east".into()]),
    )
    .await;
    let shop = invite(
        &server,
        "li.na@brand.example",
        Role::Store,
        Scope::Stores(vec!["SZ-FT".into()]),
    )
    .await;
    let password = "华东-service-2026";

    let b = Browser::start(Options {
        lang: "zh-CN",
        ..Options::default()
    })
    .await;
    // The region manager sets a password from the invite and lands on the dashboard.
    b.goto(&east).await;
    fill_and_send(&b, &[("password", password), ("again", password)]).await;
    b.find(".glance .big").await;
    assert!(b.text(".bar .me").await.contains("区域经理"));
    // Out and in again, with the password, at the sign-in page.
    b.click(".sign-out").await;
    b.find("form input[name=password]").await;
    fill_and_send(
        &b,
        &[("email", "east@brand.example"), ("password", password)],
    )
    .await;
    b.find(".glance .big").await;
    // Exactly 华东's stores, on the page and in the export; phones masked.
    let rows = fetch_json(&b, "/api/responses").await;
    assert_eq!(stores_of(&rows), ["HZ-XH", "SH-PD"]);
    let phones: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["contact"]["phone"].as_str())
        .collect();
    assert!(!phones.is_empty(), "the call-back's phone is in the export");
    assert!(phones.iter().all(|p| p.contains("****")), "{phones:?}");
    let segments = b.text(".segments tbody").await;
    assert!(segments.contains("上海浦东店") && segments.contains("杭州西湖店"));
    assert!(!segments.contains("深圳福田店") && !segments.contains("北京朝阳店"));
    // One tap shows the number, and only then: this customer's case in the queue (open
    // cases, the least hours left first), its "显示号码".
    b.find(".cases li.case[data-id]").await;
    nps_e2e::wait_until("the customer's case, masked", || async {
        b.text(".cases .case-list")
            .await
            .contains("138****3788")
            .then_some(())
    })
    .await;
    b.js("[...document.querySelectorAll('.cases li.case')]
          .find(li => li.textContent.includes('138****3788'))
          .querySelector('[data-act=reveal]').click()")
        .await;
    nps_e2e::wait_until("the full number", || async {
        b.text(".cases .case-list")
            .await
            .contains(PHONE)
            .then_some(())
    })
    .await;
    b.click(".sign-out").await;
    b.find("form input[name=password]").await;

    // The store manager: 深圳福田店 only, no audit trail.
    b.goto(&shop).await;
    fill_and_send(&b, &[("password", password), ("again", password)]).await;
    b.find(".glance .big").await;
    let rows = fetch_json(&b, "/api/responses").await;
    assert_eq!(stores_of(&rows), ["SZ-FT"]);
    assert!(
        b.js("return document.querySelector('.audit') === null")
            .await
            == json!(true)
    );
    let audit = fetch_json(&b, "/api/audit").await;
    assert_eq!(audit["field"], "authorization", "{audit}");
    b.click(".sign-out").await;
    b.find("form input[name=password]").await;

    // The admin reads the reveal in the audit trail, on the dashboard.
    b.sign_in_as(&server, Role::Admin, Scope::All).await;
    b.goto(&format!("{}/dashboard.html", server.base)).await;
    b.find(".glance .big").await;
    b.click(".audit button").await;
    b.find(".audit table").await;
    let trail = b.text(".audit table").await;
    assert!(trail.contains("查看号码"), "the reveal, in words: {trail}");
    assert!(trail.contains("user:east@brand.example"), "{trail}");
    assert!(trail.contains(&id), "{trail}");
    assert!(!trail.contains(PHONE), "the trail never holds the number");
}
