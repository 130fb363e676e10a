//! A collector that looks like the brand's, for the growth pages' accessibility and screenshot
//! tests: the demo's names and org, a landing file whose `after-sales` survey has a logo (an
//! SVG file written here) and a privacy notice, and helpers that make what those pages show —
//! an invited visit (its date on the landing page's line) and a promoter's referral code.

use nps_collector::storage::NewVisit;
use nps_collector::{Now, Store};
use serde_json::json;

use crate::{temp_dir, wait_until, Browser, Server};

/// The brand's mark: a white star on the brand's blue.
pub const LOGO_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64"><rect width="64" height="64" rx="14" fill="#1f4fa3"/><path d="M32 11l6.2 13.1 14.3 1.8-10.6 9.9 2.8 14.2L32 43l-12.7 7 2.8-14.2-10.6-9.9 14.3-1.8z" fill="#fff"/></svg>"##;

/// The brand's privacy notice.
pub const PRIVACY_URL: &str = "https://brand.example/privacy";

/// The collector with the brand's landing page and the demo's names and org.
pub async fn start() -> Server {
    let logo = temp_dir("logo").join("logo.svg");
    std::fs::write(&logo, LOGO_SVG).unwrap();
    let landing = json!({
        "after-sales": {"brand": "星辰汽车", "locale": "zh-CN", "retention_days": 30,
            "context": {"touchpoint": "after_service", "channel": "qr"},
            "logo": logo, "privacy_url": PRIVACY_URL},
    });
    let landing = nps_collector::landing::Landing::from_json(&landing.to_string())
        .expect("a valid landing file");
    let org = nps_collector::org_file::read(include_str!("../../www/demo-org.toml")).unwrap();
    Server::start_with(move |s| {
        s.names = nps_collector::demo::names().with_org(org);
        s.landing = landing;
    })
    .await
}

/// Records that `visit` of 深圳福田店 with 王磊 was invited `days` ago (`sign-visit` does
/// this with `--db`).
pub async fn invite(server: &Server, visit: &str, days: i64) {
    let store = Store::open(&server.db).expect("open the database");
    let now = Now::system();
    let v = NewVisit {
        survey: "after-sales".into(),
        visit: visit.into(),
        store: Some("SZ-FT".into()),
        advisor: Some("wang".into()),
        touchpoint: Some("after_service".into()),
        issued_ns: now.ns - days * 86_400 * 1_000_000_000,
        channel: nps_core::growth::visit::Channel::Counter,
    };
    let by = nps_collector::storage::Reporter {
        source: "sign-visit",
        by: "cli",
        every_store: true,
    };
    store
        .visits_record(&[v], &by, &now)
        .await
        .expect("record the visit");
    store.flush().await.expect("commit the visit");
}

/// A promoter of 深圳福田店 (9, visit `visit`) opens their referral page in `b`, and waits
/// for its poster: the answer's id and its referral code.
pub async fn promoter_page(server: &Server, b: &Browser, visit: &str) -> (String, String) {
    let context = json!({"store": "SZ-FT", "advisor": "wang", "visit": visit});
    let id = crate::response_id();
    // As the widget links it: the answer's write key in the fragment, so the page may name
    // the promoter.
    let key = server.answer(&id, "after-sales", 9, context).await;
    b.goto(&format!("{}/s/after-sales/{id}/refer#k={key}", server.base))
        .await;
    poster_drawn(b).await;
    (id, code_of(b).await)
}

/// The referral code of the promoter's page open in `b`.
pub async fn code_of(b: &Browser) -> String {
    b.js("return document.querySelector('[data-code]').dataset.code")
        .await
        .as_str()
        .expect("the page's code")
        .to_owned()
}

/// Waits until the referral page's poster has loaded with a width; its natural size.
pub async fn poster_drawn(b: &Browser) -> serde_json::Value {
    wait_until("the poster drawn", || async {
        let v = b
            .js("const i = document.querySelector('.nps-poster img'); \
                 return i && i.complete && i.naturalWidth > 0 ? [i.naturalWidth, i.naturalHeight] : null")
            .await;
        (!v.is_null()).then_some(v)
    })
    .await
}
