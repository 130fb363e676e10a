//! The growth pages as a customer, a promoter, a friend and a manager see them, at 320, 375
//! and 1280 px in zh-CN: the branded landing page (logo, the visit's line, the privacy
//! link), the promoter's referral page and its poster, the booking form, and the dashboard's
//! "response & referrals" on the demo set (上海浦东's few answers flagged, 深圳福田's 星火计划,
//! 广州天河's counter tablet). With `NPS_SCREENSHOTS=DIR` (`cargo xtask screenshots`) a PNG of
//! each. Checks what the pictures must not show: anything wider than the screen, a word or
//! name broken over two lines, a poster not drawn.

use nps_core::access::{Role, Scope};
use nps_e2e::{brand, Browser, Options, Server};
use serde_json::{json, Value};

const WIDTHS: [(u32, u32); 3] = [(320, 640), (375, 667), (1280, 800)];
/// The promoter's friend's phone: another browser than the promoter's.
const FRIEND_UA: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36";

async fn shot(b: &Browser, name: &str) {
    b.at_rest().await;
    b.screenshot(name).await;
}

/// Nothing scrolls sideways.
async fn fits(b: &Browser, what: &str) {
    let wide = b
        .js("return document.scrollingElement.scrollWidth - innerWidth")
        .await;
    assert_eq!(wide, json!(0), "{what}: nothing wider than the screen");
}

/// The texts among `css` that run over more than one line: a button, a label, a name or a
/// line split (each text of these fits one line at every width).
async fn broken(b: &Browser, css: &str) -> Value {
    b.js(&format!(
        "return [...document.querySelectorAll({css:?})]
            .filter(e => e.offsetParent && (e.closest('thead') || e).getBoundingClientRect().width > 2)
            .flatMap(e => {{ const w = document.createTreeWalker(e, NodeFilter.SHOW_TEXT); const out = [];
                             while (w.nextNode()) if (w.currentNode.textContent.trim()) out.push(w.currentNode);
                             return out; }})
            .filter(t => {{ const r = document.createRange(); r.selectNodeContents(t);
                           return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size > 1; }})
            .map(t => t.textContent.trim())"
    ))
    .await
}

/// Which of `words` are split over two lines wherever they occur in the texts of `css`.
async fn split(b: &Browser, css: &str, words: &[&str]) -> Value {
    b.js(&format!(
        "const words = {words}; const out = [];
         for (const e of document.querySelectorAll({css:?})) {{
           const w = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
           while (w.nextNode()) {{ const t = w.currentNode;
             for (const word of words) {{ let at = t.textContent.indexOf(word);
               while (at >= 0) {{ const r = document.createRange(); r.setStart(t, at); r.setEnd(t, at + word.length);
                 if (new Set([...r.getClientRects()].map(x => Math.round(x.top))).size > 1) out.push(word);
                 at = t.textContent.indexOf(word, at + 1); }} }} }} }}
         return out;",
        words = json!(words)
    ))
    .await
}

/// The brand's logo above the card (drawn) and its privacy notice under it.
async fn masthead(b: &Browser, what: &str) {
    let want = json!([true, brand::PRIVACY_URL]);
    nps_e2e::wait_until(&format!("{what}: the logo and the privacy link"), || async {
        let v = b
            .js("const i = document.querySelector('.nps-page-logo'), a = document.querySelector('.nps-page-foot a'); \
                 return [!!i && i.complete && i.naturalWidth > 0, a && a.href]")
            .await;
        (v == want).then_some(())
    })
    .await;
}

/// Saves the element `css` whole (the screen made as tall as the page first, then back).
async fn section_shot(b: &Browser, css: &str, name: &str, width: u32, height: u32) {
    let Some(dir) = std::env::var_os("NPS_SCREENSHOTS") else {
        return;
    };
    let tall = b.js("return document.documentElement.scrollHeight").await;
    let tall = tall.as_u64().unwrap_or(height as u64) as u32;
    let metrics = |h: u32| json!({"width": width, "height": h, "deviceScaleFactor": 1, "mobile": width < 500});
    b.cdp(
        "Emulation.setDeviceMetricsOverride",
        metrics(tall.max(height)),
    )
    .await;
    b.at_rest().await;
    let png = b.find(css).await.screenshot().await.unwrap();
    std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png).unwrap();
    b.cdp("Emulation.setDeviceMetricsOverride", metrics(height))
        .await;
}

async fn browser(width: u32, height: u32) -> Browser {
    let b = Browser::start(Options {
        width,
        height,
        lang: "zh-CN",
        ..Options::default()
    })
    .await;
    b.beijing_time().await;
    b
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_branded_landing_referral_poster_and_booking_pages_at_three_widths() {
    let server = brand::start().await;
    for (width, height) in WIDTHS {
        let b = browser(width, height).await;
        let name = |what: &str| format!("{what}-{width}-zh-cn");

        // The landing page of an invited visit: the logo, the visit's line, the privacy link.
        let visit = format!("RO-SHOT-{width}");
        brand::invite(&server, &visit, 2).await;
        b.open(&format!(
            "{}/s/after-sales?store=SZ-FT&advisor=wang&visit={visit}",
            server.base
        ))
        .await;
        let line = b.text(".nps-page-visit").await;
        assert!(
            line.starts_with("深圳福田店 · 顾问 王磊 · ") && line.ends_with("日到店"),
            "{line}"
        );
        b.find(".nps-page-logo").await;
        shot(&b, &name("landing-brand")).await;
        fits(&b, &name("landing")).await;
        assert_eq!(
            broken(&b, ".nps-page-visit, .nps-page-brand, .nps-page-foot a").await,
            json!([]),
            "{width} px: the masthead's lines"
        );

        // The promoter's page, named 王先生, top and whole; then the poster alone.
        let (_, code) = brand::promoter_page(&server, &b, &format!("RO-SHOT-R-{width}")).await;
        b.find("#nps-name").await.send_keys("王先生").await.unwrap();
        b.tap("form .nps-submit").await;
        brand::poster_drawn(&b).await;
        masthead(&b, "the referral page").await;
        shot(&b, &name("referral")).await;
        section_shot(
            &b,
            "body",
            &format!("{}-full", name("referral")),
            width,
            height,
        )
        .await;
        fits(&b, &name("referral")).await;
        assert_eq!(
            broken(
                &b,
                ".nps-primary, .nps-submit, .nps-refer-section .nps-label"
            )
            .await,
            json!([]),
            "{width} px: a button or label broken in two"
        );
        b.goto(&format!("{}/r/{code}/poster.png", server.base))
            .await;
        shot(&b, &name("referral-poster")).await;

        // The friend's booking form, on the friend's phone (the form takes no booking from
        // the promoter's own), after opening the link.
        let f = Browser::start(Options {
            width,
            height,
            lang: "zh-CN",
            user_agent: Some(FRIEND_UA),
            ..Options::default()
        })
        .await;
        f.beijing_time().await;
        f.goto(&format!("{}/r/{code}", server.base)).await;
        f.goto(&format!("{}/r/{code}/book", server.base)).await;
        f.find("#nps-phone").await;
        masthead(&f, "the booking form").await;
        shot(&f, &name("book")).await;
        fits(&f, &name("book")).await;
        assert_eq!(
            broken(&f, ".nps-submit, .nps-label, h1").await,
            json!([]),
            "{width} px: the form's words"
        );
        assert_eq!(
            split(&f, ".nps-consent", &["号码", "删除", "预约", "联系"]).await,
            json!([]),
            "{width} px: a word of the consent split"
        );
        f.close().await;
        b.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboards_response_and_referrals_on_the_demo_set_at_three_widths() {
    let org = nps_collector::org_file::read(include_str!("../../www/demo-org.toml")).unwrap();
    let server = Server::start_with(|s| s.names = nps_collector::demo::names().with_org(org)).await;
    nps_collector::demo::seed(&server.db, 3000, 6, 7).unwrap();
    for (width, height) in WIDTHS {
        let b = browser(width, height).await;
        b.sign_in_as(&server, Role::Admin, Scope::All).await;
        b.goto(&format!("{}/dashboard.html", server.base)).await;
        b.find("section.funnel table.response tr[data-key='SH-PD'] .badge.low")
            .await;
        b.find("section.funnel p.low-why[data-key='SH-PD']").await;
        b.find("section.funnel table.trend-rows tr[data-key]").await;
        b.click("section.funnel tr[data-key='GZ-TH'] [data-act=flagged]")
            .await;
        b.find("section.funnel ul.flagged li[data-id]").await;
        fits(&b, &format!("the funnel at {width} px")).await;
        assert_eq!(
            broken(
                &b,
                "section.funnel button, section.funnel .badge, section.funnel th[scope=col]"
            )
            .await,
            json!([]),
            "{width} px: a tab, badge or heading broken in two"
        );
        // On a wide screen each column's head stands over its figures.
        let askew = b
            .js("const side = e => ({start: 'left', end: 'right'})[getComputedStyle(e).textAlign] || getComputedStyle(e).textAlign;
                 return [...document.querySelectorAll('section.funnel table')].flatMap(t => {
                     const row = t.querySelector('tbody tr'); if (!row || !t.tHead || t.tHead.getBoundingClientRect().width <= 2) return [];
                     return [...t.tHead.rows[0].cells].map((th, i) => [th.textContent, side(th), side(row.cells[i])])
                         .filter(([, a, b]) => a !== b); })")
            .await;
        assert_eq!(askew, json!([]), "{width} px: a head not over its column");
        let words = [
            "预约",
            "成交",
            "推荐者",
            "当场",
            "柜台",
            "工单",
            "网络",
            "设备",
        ];
        assert_eq!(
            split(&b, "section.funnel p, section.funnel ul.flagged", &words).await,
            json!([]),
            "{width} px: a word split over two lines"
        );
        assert_eq!(
            broken(&b, "section.funnel ul.flagged .about span").await,
            json!([]),
            "{width} px: a flagged answer's time, advisor or order split"
        );
        let name = format!("funnel-{width}-zh-cn");
        let top = |css: &'static str| {
            let b = &b;
            async move {
                b.js(&format!(
                    "document.querySelector({css:?}).scrollIntoView({{block: 'start'}})"
                ))
                .await
            }
        };
        top("section.funnel").await;
        shot(&b, &name).await;
        top("section.funnel ul.flagged").await;
        shot(&b, &format!("{name}-flagged")).await;
        top("#referrals-h").await;
        shot(&b, &format!("{name}-referrals")).await;
        top("#funnel-trend-h").await;
        shot(&b, &format!("{name}-trend")).await;
        if width > 1000 {
            // Whole on a wide screen; a phone's screens above show each part.
            section_shot(&b, "section.funnel", &format!("{name}-full"), width, height).await;
        }
        b.close().await;
    }
}
