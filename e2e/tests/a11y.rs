//! axe-core (npm, injected into the page; `NPS_AXE` names its `axe.min.js`) on every demo
//! page and every landing page, at 375 and 1280 px, light and dark, in the states a customer
//! sees (the question, the follow-up with its chips, the call-back, the outcome, a modal),
//! and the growth pages (a promoter's referral page, "preparing", the booking form, refused
//! and thanked, the branded landing page, the dashboard's "response & referrals"): no WCAG
//! 2.x A or AA violation, open shadow roots included.

use nps_core::access::{Role, Scope};
use nps_e2e::{Browser, Options, Server};

/// The promoter's friend's phone: another browser than the promoter's.
const FRIEND_UA: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36";
const TAGS: &str = "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']";

fn axe_source() -> String {
    let path = std::env::var_os("NPS_AXE")
        .expect("NPS_AXE names axe-core's axe.min.js (cargo xtask test installs it and sets it)");
    std::fs::read_to_string(&path).expect("read axe.min.js")
}

/// The violations on the page as it is now: "rule: target — summary" lines.
async fn violations(b: &Browser, axe: &str) -> Vec<String> {
    b.client
        .execute(axe, vec![])
        .await
        .expect("inject axe-core");
    let script = format!(
        "const done = arguments[0]; \
         axe.run(document, {{runOnly: {{type: 'tag', values: {TAGS}}}, resultTypes: ['violations']}}) \
           .then(r => done(r.violations.flatMap(v => v.nodes.map(n => v.id + ': ' + JSON.stringify(n.target) + ' — ' + (n.failureSummary || '').split('\\n').slice(0, 2).join(' '))))) \
           .catch(e => done(['axe failed: ' + e.message]));"
    );
    let v = b.client.execute_async(&script, vec![]).await.unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap_or_default().to_owned())
        .collect()
}

struct Audit {
    axe: String,
    found: Vec<String>,
}

impl Audit {
    fn new() -> Audit {
        Audit {
            axe: axe_source(),
            found: Vec::new(),
        }
    }

    fn none_found(&self) {
        assert!(
            self.found.is_empty(),
            "axe-core found {} violations:\n{}",
            self.found.len(),
            self.found.join("\n")
        );
    }

    async fn check(&mut self, b: &Browser, what: &str) {
        b.at_rest().await;
        for v in violations(b, &self.axe).await {
            self.found.push(format!("{what}: {v}"));
        }
    }
}

/// A zh-CN browser at `width` (dark or not), and how its findings are tagged.
async fn browser_at(width: u32, dark: bool) -> (Browser, String) {
    let b = Browser::start(Options {
        width,
        height: if width < 500 { 740 } else { 800 },
        dark,
        lang: "zh-CN",
        ..Options::default()
    })
    .await;
    (b, format!("{width} px{}", if dark { " dark" } else { "" }))
}

async fn audit_at(server: &Server, audit: &mut Audit, width: u32, dark: bool) {
    let (b, tag) = browser_at(width, dark).await;
    for page in [
        "index.html",
        "embed.html",
        "qr.html",
        "wechat.html",
        "wechat.html?locale=en",
        "triggers.html",
        "kiosk.html",
        "dashboard.html",
    ] {
        let url = format!("{}/{page}", server.base);
        if matches!(page, "index.html" | "dashboard.html") {
            b.client.goto(&url).await.unwrap();
        } else {
            b.open(&url).await;
        }
        audit.check(&b, &format!("{page} at {tag}")).await;
    }
    // The dashboard with answers, signed in as an admin: every section drawn.
    b.sign_in_as(
        &server,
        nps_core::access::Role::Admin,
        nps_core::access::Scope::All,
    )
    .await;
    b.client
        .goto(&format!("{}/dashboard.html", server.base))
        .await
        .unwrap();
    b.find(".glance .big").await;
    b.find(".trend svg").await;
    audit.check(&b, &format!("dashboard loaded at {tag}")).await;
    // The widget's states: follow-up with a chosen chip, the call-back, the outcome.
    b.open(&format!("{}/wechat.html", server.base)).await;
    b.click("[data-score='3']").await;
    b.click("[data-reason='wait_time']").await;
    b.find(".nps-callback").await;
    audit.check(&b, &format!("wechat follow-up at {tag}")).await;
    b.click(".nps-skip").await;
    b.find(".nps-outcome").await;
    audit.check(&b, &format!("wechat outcome at {tag}")).await;
    b.open(&format!("{}/embed.html", server.base)).await;
    b.click("#open-modal").await;
    b.find(".nps--modal .nps-card").await;
    audit.check(&b, &format!("embed modal at {tag}")).await;
    // The landing pages as the collector serves them.
    let visit = format!("RO-A11Y-{width}-{dark}");
    b.client
        .goto(&format!(
            "{}/s/after-sales?store=SZ-FT&visit={visit}",
            server.base
        ))
        .await
        .unwrap();
    audit.check(&b, &format!("landing question at {tag}")).await;
    b.click("#nps >> [data-score='2']").await;
    b.find("#nps >> .nps-follow-up").await;
    audit
        .check(&b, &format!("landing follow-up (widget) at {tag}"))
        .await;
    let rows = server.wait_rows("the scored row", |r| !r.is_empty()).await;
    let id = rows
        .iter()
        .find(|r| r.2["context"]["visit"] == *visit)
        .map(|r| r.0.clone());
    if let Some(id) = id {
        b.client
            .goto(&format!("{}/s/after-sales/{id}", server.base))
            .await
            .unwrap();
        audit
            .check(&b, &format!("landing follow-up page at {tag}"))
            .await;
    }
    b.client
        .goto(&format!("{}/s/no-such-survey-x", server.base))
        .await
        .unwrap();
    audit.check(&b, &format!("landing notice at {tag}")).await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axe_finds_no_violation_on_any_page_at_phone_and_desktop_width() {
    let server = Server::start().await;
    // Answers for the dashboard to draw.
    nps_collector::demo::seed(&server.db, 600, 3, 3).unwrap();
    let mut audit = Audit::new();
    for (width, dark) in [(375, false), (1280, false), (375, true)] {
        audit_at(&server, &mut audit, width, dark).await;
    }
    audit.none_found();
}

/// The growth pages at `width` (dark or not): the promoter's referral page, the "preparing"
/// page, the booking form, its refusal and its thank-you, the branded landing page (logo,
/// visit line, privacy link), and the dashboard's "response & referrals" with a store's
/// flagged answers open.
async fn audit_growth_at(server: &Server, audit: &mut Audit, width: u32, dark: bool) {
    use nps_e2e::brand;
    let (b, tag) = browser_at(width, dark).await;
    let go = |path: String| {
        let b = &b;
        async move { b.goto(&format!("{}{path}", server.base)).await }
    };
    let (_, code) = brand::promoter_page(server, &b, &format!("RO-A11Y-R-{width}-{dark}")).await;
    audit.check(&b, &format!("referral page at {tag}")).await;
    go(format!("/s/after-sales/{}/refer", nps_e2e::response_id())).await;
    b.find(".nps-outcome-title").await;
    // Its refresh (in 2 s) held while axe reads it.
    b.js("window.stop()").await;
    audit.check(&b, &format!("preparing page at {tag}")).await;
    assert_eq!(
        b.js("return location.search").await,
        "",
        "read before a refresh"
    );
    // The booking form on the friend's phone (never the promoter's own), after the link.
    let f = Browser::start(Options {
        width,
        height: if width < 500 { 740 } else { 800 },
        dark,
        lang: "zh-CN",
        user_agent: Some(FRIEND_UA),
        ..Options::default()
    })
    .await;
    f.goto(&format!("{}/r/{code}", server.base)).await;
    f.goto(&format!("{}/r/{code}/book", server.base)).await;
    f.find("#nps-phone").await;
    audit.check(&f, &format!("booking form at {tag}")).await;
    // A wrong number (the browser's own checks pass): the form again, its problem said.
    f.find("#nps-name").await.send_keys("李女士").await.unwrap();
    f.find("#nps-phone").await.send_keys("12345").await.unwrap();
    f.tap(".nps-consent-box").await;
    f.tap(".nps-submit").await;
    f.find(".nps-problem").await;
    audit
        .check(&f, &format!("booking form refused at {tag}"))
        .await;
    f.js("document.getElementById('nps-phone').value = '13912345678'")
        .await;
    f.tap(".nps-consent-box").await;
    f.tap(".nps-submit").await;
    f.find(".nps-outcome-title").await;
    audit
        .check(&f, &format!("booking thank-you at {tag}"))
        .await;
    f.close().await;
    let visit = format!("RO-A11Y-V-{width}-{dark}");
    brand::invite(server, &visit, 2).await;
    go(format!(
        "/s/after-sales?store=SZ-FT&advisor=wang&visit={visit}"
    ))
    .await;
    for part in [".nps-page-logo", ".nps-page-visit", ".nps-page-foot a"] {
        b.find(part).await;
    }
    audit.check(&b, &format!("branded landing at {tag}")).await;
    b.sign_in_as(server, Role::Admin, Scope::All).await;
    go("/dashboard.html".into()).await;
    b.find("section.funnel table.response tr[data-key='GZ-TH']")
        .await;
    b.find("section.funnel table.trend-rows tr[data-key]").await;
    b.click("section.funnel tr[data-key='GZ-TH'] [data-act=flagged]")
        .await;
    b.find("section.funnel ul.flagged li[data-id]").await;
    audit
        .check(&b, &format!("dashboard's response & referrals at {tag}"))
        .await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axe_finds_no_violation_on_the_referral_booking_landing_and_funnel_pages() {
    let server = nps_e2e::brand::start().await;
    // The demo set: 广州天河's counter tablet flagged.
    nps_collector::demo::seed(&server.db, 3000, 6, 7).unwrap();
    let mut audit = Audit::new();
    for (width, dark) in [(375, false), (1280, false), (375, true)] {
        audit_growth_at(&server, &mut audit, width, dark).await;
    }
    audit.none_found();
}
