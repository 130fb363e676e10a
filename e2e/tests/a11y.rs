//! axe-core (npm, injected into the page; `NPS_AXE` names its `axe.min.js`) on every demo
//! page and every landing page, at 375 and 1280 px, light and dark, in the states a customer
//! sees (the question, the follow-up with its chips, the call-back, the outcome, a modal):
//! no WCAG 2.x A or AA violation, open shadow roots included.

use nps_e2e::{Browser, Options, Server};

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
    async fn check(&mut self, b: &Browser, what: &str) {
        b.at_rest().await;
        for v in violations(b, &self.axe).await {
            self.found.push(format!("{what}: {v}"));
        }
    }
}

async fn audit_at(server: &Server, audit: &mut Audit, width: u32, dark: bool) {
    let b = Browser::start(Options {
        width,
        height: if width < 500 { 740 } else { 800 },
        dark,
        lang: "zh-CN",
        ..Options::default()
    })
    .await;
    let tag = format!("{width} px{}", if dark { " dark" } else { "" });
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
    let mut audit = Audit {
        axe: axe_source(),
        found: Vec::new(),
    };
    for (width, dark) in [(375, false), (1280, false), (375, true)] {
        audit_at(&server, &mut audit, width, dark).await;
    }
    assert!(
        audit.found.is_empty(),
        "axe-core found {} violations:\n{}",
        audit.found.len(),
        audit.found.join("\n")
    );
}
