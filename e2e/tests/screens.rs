//! A tour of every screen a customer or a page's developer sees, at phone and desktop width,
//! light and dark, zh-CN and en. Each step checks what is on screen; with
//! `NPS_SCREENSHOTS=DIR` (`cargo xtask screenshots`) it also saves a PNG per step.

use nps_e2e::{wait_until, Browser, Options, Server};

/// Waits until no animation is running, then saves a screenshot of the viewport.
async fn shot(b: &Browser, name: &str) {
    b.at_rest().await;
    b.screenshot(name).await;
}

async fn center(b: &Browser, css: &str) {
    b.find(css).await;
    b.js(&format!(
        "nps$({css:?}).scrollIntoView({{block: 'center'}})"
    ))
    .await;
}

/// Mounts a survey with `config` (JS object text) in place of the page's main content.
async fn mount_alone(b: &Browser, config: &str) {
    b.js(&format!(
        "const main = document.querySelector('main'); main.textContent = ''; const el = document.createElement('div'); \
         el.id = 'solo'; main.appendChild(el); try {{ NpsWidget.mount(el, {config}); }} catch (e) {{ window.__error = e.message; }}"
    ))
    .await;
}

async fn phone_zh_light(server: &Server) {
    let b = Browser::start(Options::phone("zh-CN")).await;
    let qr = |visit: &str| {
        format!(
            "{}/qr.html?store=SZ-FT&advisor=wang&visit={visit}",
            server.base
        )
    };
    b.open(&qr("T-1")).await;
    shot(&b, "phone-zh-question").await;
    b.click("[data-score='3']").await;
    assert_eq!(
        b.text(".nps-follow-up > .nps-prompt").await,
        "非常抱歉没能让您满意。主要是哪些方面？"
    );
    b.click("[data-reason='wait_time']").await;
    shot(&b, "phone-zh-follow-up-detractor").await;
    center(&b, ".nps-callback").await;
    b.find(".nps-phone")
        .await
        .send_keys("138 1234 5678")
        .await
        .unwrap();
    b.click(".nps-submit").await;
    assert_eq!(b.text(".nps-problem").await, "如需回电，请勾选同意。");
    shot(&b, "phone-zh-callback").await;
    b.click(".nps-consent-box").await;
    b.click(".nps-submit").await;
    assert_eq!(b.text(".nps-outcome-title").await, "感谢您的坦诚");
    shot(&b, "phone-zh-outcome-detractor").await;

    b.open(&qr("T-2")).await;
    b.click("[data-score='7']").await;
    assert_eq!(
        b.text(".nps-follow-up > .nps-prompt").await,
        "怎样做能让您打出 10 分？"
    );
    shot(&b, "phone-zh-follow-up-passive").await;
    b.click(".nps-skip").await;
    assert_eq!(b.text(".nps-outcome-title").await, "谢谢您的建议");
    shot(&b, "phone-zh-outcome-passive").await;

    b.open(&qr("T-3")).await;
    b.click("[data-score='10']").await;
    assert_eq!(
        b.text(".nps-follow-up > .nps-prompt").await,
        "谢谢您！您最满意的是哪些方面？"
    );
    b.click("[data-reason='advisor_attitude']").await;
    b.click("[data-reason='handover']").await;
    shot(&b, "phone-zh-follow-up-promoter").await;
    b.click(".nps-submit").await;
    assert_eq!(b.text(".nps-outcome-title").await, "太感谢了！");
    shot(&b, "phone-zh-outcome-promoter").await;

    // Offline: the endpoint does not answer; the answer is kept and the customer told so.
    b.open(&qr("T-4")).await;
    mount_alone(&b, "{endpoint: 'http://127.0.0.1:9/api/responses', brand: '星辰汽车', locale: 'zh-CN', once: false}").await;
    b.click("#solo >> [data-score='9']").await;
    b.click("#solo >> .nps-submit").await;
    wait_until("the offline notice", || async {
        (b.text("#solo >> .nps-status").await == "网络不佳，您的评价已保存，联网后会自动提交。")
            .then_some(())
    })
    .await;
    shot(&b, "phone-zh-offline").await;

    // A broken embed tells the page's developer what to fix.
    mount_alone(
        &b,
        "{endpont: '/api/responses', locale: 'fr', mode: 'popup'}",
    )
    .await;
    let shown = b.text("#solo >> .nps-embed-error").await;
    assert!(shown.contains("did you mean \"endpoint\"?"), "{shown}");
    shot(&b, "phone-embed-error").await;
    b.close().await;
}

async fn phone_en_dark(server: &Server) {
    let b = Browser::start(Options {
        width: 375,
        height: 667,
        dark: true,
        lang: "en-US",
        ..Options::default()
    })
    .await;
    b.open(&format!("{}/wechat.html?locale=en", server.base))
        .await;
    let bg = b
        .js("return getComputedStyle(nps$('.nps-card')).backgroundColor")
        .await;
    assert_eq!(bg, "rgb(32, 33, 36)", "dark card");
    shot(&b, "phone-en-dark-question").await;
    b.click("[data-score='2']").await;
    assert_eq!(
        b.text(".nps-follow-up > .nps-prompt").await,
        "We're sorry we let you down. What went wrong?"
    );
    shot(&b, "phone-en-dark-follow-up-detractor").await;
    b.open(&format!("{}/wechat.html?locale=en", server.base))
        .await;
    b.click("[data-score='9']").await;
    b.click(".nps-submit").await;
    assert_eq!(b.text(".nps-primary").await, "Invite a friend");
    shot(&b, "phone-en-dark-outcome-promoter").await;
    b.open(&format!("{}/wechat.html?locale=zh-TW", server.base))
        .await;
    assert_eq!(
        b.text(".nps-question").await,
        "基於本次售後服務體驗，您向親友推薦星辰汽車的可能性有多大？"
    );
    shot(&b, "phone-zh-tw-dark-question").await;
    b.close().await;
}

async fn desktop(server: &Server) {
    let b = Browser::start(Options::default()).await;
    b.open(&format!("{}/embed.html", server.base)).await;
    shot(&b, "desktop-en-embed").await;
    b.click("#inline-survey >> [data-score='8']").await;
    shot(&b, "desktop-en-follow-up-passive").await;
    b.click("#open-modal").await;
    b.find(".nps--modal .nps-card").await;
    shot(&b, "desktop-en-modal").await;
    b.click(".nps--modal .nps-close").await;
    b.click("#open-slide").await;
    b.find(".nps--slide-in .nps-card").await;
    shot(&b, "desktop-en-slide-in").await;

    // The dashboard scores what the tour stored, with its interval.
    b.load_dashboard(server).await;
    let n: u32 = b
        .text(".glance .n")
        .await
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(n >= 5, "the dashboard counts what the tour stored: {n}");
    // Its interval where there are enough answers, else "too few to judge", never both.
    let glance = b.text(".glance").await;
    assert!(
        glance.contains("most likely between") != glance.contains("Too few answers ("),
        "{glance}"
    );
    shot(&b, "desktop-dashboard").await;
    b.close().await;

    let dark = Browser::start(Options {
        dark: true,
        lang: "zh-CN",
        ..Options::default()
    })
    .await;
    dark.open(&format!("{}/qr.html?store=SZ-FT&visit=T-9", server.base))
        .await;
    dark.click("[data-score='4']").await;
    shot(&dark, "desktop-zh-dark-follow-up-detractor").await;
    dark.click(".nps-skip").await;
    shot(&dark, "desktop-zh-dark-outcome-detractor").await;
    dark.close().await;
}

/// The QR landing page (zh-CN and en), WeChat at 320 px, the triggers page and the kiosk.
async fn surfaces(server: &Server) {
    let b = Browser::start(Options::phone("zh-CN")).await;
    b.open(&format!(
        "{}/s/after-sales?store=SZ-FT&visit=S-1",
        server.base
    ))
    .await;
    b.find("#nps >> .nps-scale").await;
    shot(&b, "phone-zh-landing-question").await;
    b.click("#nps >> [data-score='9']").await;
    b.find("#nps >> .nps-follow-up").await;
    shot(&b, "phone-zh-landing-follow-up-promoter").await;
    b.click("#nps >> .nps-submit").await;
    b.find("#nps >> .nps-outcome").await;
    shot(&b, "phone-zh-landing-outcome-promoter").await;
    // A notice page has no script to wait for.
    b.client
        .goto(&format!("{}/s/after-sales?visit=S-1", server.base))
        .await
        .unwrap();
    shot(&b, "phone-zh-landing-already-answered").await;
    b.open(&format!(
        "{}/s/after-sales?locale=en&store=SZ-FT&visit=S-2",
        server.base
    ))
    .await;
    shot(&b, "phone-en-landing-question").await;
    b.click("#nps >> [data-score='3']").await;
    b.click("#nps >> .nps-skip").await;
    b.find("#nps >> .nps-outcome").await;
    shot(&b, "phone-en-landing-outcome-detractor").await;
    b.close().await;

    let narrow = Browser::start(Options {
        width: 320,
        height: 640,
        lang: "zh-CN",
        ..Options::default()
    })
    .await;
    narrow.open(&format!("{}/wechat.html", server.base)).await;
    shot(&narrow, "phone-320-zh-wechat-question").await;
    narrow.click("[data-score='2']").await;
    center(&narrow, ".nps-comment").await;
    shot(&narrow, "phone-320-zh-wechat-follow-up").await;
    narrow.close().await;

    let desk = Browser::start(Options::default()).await;
    desk.open(&format!("{}/triggers.html", server.base)).await;
    desk.click("#feedback").await;
    desk.find(".nps--slide-in .nps-card").await;
    let rows = desk
        .js(
            "const t = s => nps$('.nps--slide-in ' + s).getBoundingClientRect().top; \
             return t(\"[data-score='0']\") === t(\"[data-score='10']\")",
        )
        .await;
    assert_eq!(
        rows,
        serde_json::json!(true),
        "0–10 in one row in a desktop slide-in"
    );
    shot(&desk, "desktop-en-feedback-tab").await;
    desk.open(&format!("{}/kiosk.html", server.base)).await;
    shot(&desk, "desktop-zh-kiosk").await;
    desk.open(&format!(
        "{}/s/after-sales?store=SZ-FT&visit=S-3",
        server.base
    ))
    .await;
    shot(&desk, "desktop-zh-landing-question").await;
    desk.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_screen_at_phone_and_desktop_width() {
    let server = Server::start().await;
    phone_zh_light(&server).await;
    phone_en_dark(&server).await;
    desktop(&server).await;
    surfaces(&server).await;
    // Every survey that reached an outcome is stored once.
    let rows = server
        .wait_rows("seven completed rows", |r| {
            r.iter().filter(|r| r.1 == "completed").count() == 7
        })
        .await;
    assert!(
        rows.iter()
            .any(|r| r.2["contact"]["phone"] == "+8613812345678"),
        "the consented call-back is stored"
    );
}

/// Saves the whole page, not only the viewport (the emulated screen grows to the page's
/// height, then goes back).
async fn full_page(b: &Browser, name: &str, width: u32, height: u32) {
    // Every section the collector answers is drawn first: none still says "loading".
    wait_until(&format!("{name}: every section loaded"), || async {
        let loading = b
            .js("return [...document.querySelectorAll('p.status[role=status]')].some(p => /正在载入|正在載入|Loading/.test(p.textContent))")
            .await;
        (loading == serde_json::json!(false)).then_some(())
    })
    .await;
    let tall = b.js("return document.documentElement.scrollHeight").await;
    let tall = tall.as_u64().unwrap_or(height as u64) as u32;
    let metrics = |h: u32| serde_json::json!({"width": width, "height": h, "deviceScaleFactor": 1, "mobile": width < 500});
    b.cdp(
        "Emulation.setDeviceMetricsOverride",
        metrics(tall.max(height)),
    )
    .await;
    shot(b, name).await;
    b.cdp("Emulation.setDeviceMetricsOverride", metrics(height))
        .await;
}

/// A manager's browser: a size, a language, light or dark, on Beijing time.
async fn manager_browser(width: u32, height: u32, lang: &'static str, dark: bool) -> Browser {
    let b = Browser::start(Options {
        width,
        height,
        lang,
        dark,
        ..Options::default()
    })
    .await;
    b.beijing_time().await;
    b
}

/// The manager's dashboard on the demo set, at 375 and 1280 px, in zh-CN and en: the fold
/// holds the headline at every width, and the whole page is saved too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_at_phone_and_desktop_width() {
    let server = Server::start_with(|s| s.names = nps_collector::demo::names()).await;
    nps_collector::demo::seed(&server.db, 3000, 6, 7).unwrap();
    for (lang, width, height, dark) in [
        ("zh-CN", 375, 667, false),
        ("zh-CN", 1280, 800, false),
        ("en", 375, 667, false),
        ("en", 1280, 800, false),
        ("zh-CN", 1280, 800, true),
    ] {
        let b = manager_browser(width, height, lang, dark).await;
        let name = format!(
            "dashboard-{width}-{}{}",
            lang.to_lowercase(),
            if dark { "-dark" } else { "" }
        );
        if width == 375 && lang == "zh-CN" {
            // Before signing in: the sign-in button and the drop zone.
            b.goto(&format!("{}/dashboard.html", server.base)).await;
            b.find(".signin a.primary").await;
            shot(&b, "dashboard-375-zh-cn-start").await;
        }
        b.sign_in_as(
            &server,
            nps_core::access::Role::Admin,
            nps_core::access::Scope::All,
        )
        .await;
        b.goto(&format!("{}/dashboard.html", server.base)).await;
        b.find(".glance .big").await;
        let fold = b
            .js("const r = document.querySelector('.glance .stacked').getBoundingClientRect(); return r.bottom <= innerHeight")
            .await;
        shot(&b, &name).await;
        assert_eq!(
            fold,
            serde_json::json!(true),
            "{name}: the headline and its bar above the fold"
        );
        if !dark {
            full_page(&b, &format!("{name}-full"), width, height).await;
        }
        b.close().await;
    }
}

/// The sign-in page, and the dashboard as a store manager sees it (深圳福田店 only, phones
/// masked), at 375 and 1280 px in zh-CN.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_in_page_and_a_store_managers_dashboard() {
    let org = nps_collector::org_file::read(include_str!("../../www/demo-org.toml")).unwrap();
    let server = Server::start_with(|s| s.names = nps_collector::demo::names().with_org(org)).await;
    nps_collector::demo::seed(&server.db, 3000, 6, 7).unwrap();
    for (width, height) in [(375, 667), (1280, 800)] {
        let b = manager_browser(width, height, "zh-CN", false).await;
        b.goto(&format!("{}/signin?next=/dashboard.html", server.base))
            .await;
        assert_eq!(b.text("h1").await, "登录 NPS 看板");
        b.find("input[name=email]").await;
        shot(&b, &format!("signin-{width}-zh-cn")).await;
        b.sign_in_as(
            &server,
            nps_core::access::Role::Store,
            nps_core::access::Scope::Stores(vec!["SZ-FT".into()]),
        )
        .await;
        b.goto(&format!("{}/dashboard.html", server.base)).await;
        b.find(".glance .big").await;
        assert!(b.text(".bar .me").await.contains("门店经理"));
        let segments = b.text(".segments tbody").await;
        assert!(segments.contains("深圳福田店"), "{segments}");
        assert!(!segments.contains("北京朝阳店"), "{segments}");
        let name = format!("dashboard-store-{width}-zh-cn");
        shot(&b, &name).await;
        full_page(&b, &format!("{name}-full"), width, height).await;
        b.close().await;
    }
}
