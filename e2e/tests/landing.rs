//! The QR landing page (`/s/{survey}`) in headless Chromium at 320, 375 and 1280 px: with
//! JavaScript off, with the WebAssembly missing, and taken over by the widget in place (no
//! layout shift, no second question, a tap made before the wasm is never lost or doubled);
//! and a promoter inside WeChat (its user agent), whose ··· shares the invite page, never the
//! response.

use nps_e2e::fantoccini::Locator;
use nps_e2e::{temp_dir, wait_until, Browser, Options, Pinned, Server};
use serde_json::json;

const WIDTHS: [u32; 3] = [320, 375, 1280];

fn at(width: u32, scripts: bool) -> Options {
    Options {
        width,
        height: if width < 500 { 640 } else { 800 },
        lang: "zh-CN",
        scripts,
        ..Options::default()
    }
}

async fn text_of(b: &Browser, css: &str) -> String {
    let el = wait_until(&format!("element {css}"), || async {
        b.client.find(Locator::Css(css)).await.ok()
    })
    .await;
    // The property, not WebDriver's text (which waits on a script the page may not run).
    el.prop("textContent").await.unwrap().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_javascript_a_visit_is_answered_from_question_to_outcome() {
    let server = Server::start().await;
    for (i, width) in WIDTHS.into_iter().enumerate() {
        let b = Browser::start(at(width, false)).await;
        let visit = format!("RO-NOJS-{width}");
        b.client
            .goto(&format!(
                "{}/s/after-sales?store=SZ-FT&advisor=wang&visit={visit}",
                server.base
            ))
            .await
            .unwrap();
        assert_eq!(
            text_of(&b, ".nps-question").await,
            "基于本次售后服务体验，您向亲友推荐星辰汽车的可能性有多大？"
        );
        assert_eq!(
            b.client
                .find_all(Locator::Css("button[name='score']"))
                .await
                .unwrap()
                .len(),
            11
        );
        // Score targets fit the narrowest phone, and nothing scrolls sideways.
        let button = b
            .client
            .find(Locator::Css("button[data-score='10']"))
            .await
            .unwrap();
        let r = button.rectangle().await.unwrap();
        assert!(r.2 >= 40.0 && r.3 >= 44.0, "at {width} px: {r:?}");
        assert!(
            r.0 + r.2 <= width as f64,
            "at {width} px the 10 is on screen: {r:?}"
        );
        b.tap("button[data-score='2']").await;
        assert_eq!(
            text_of(&b, ".nps-follow-up .nps-prompt").await,
            "非常抱歉没能让您满意。主要是哪些方面？"
        );
        b.tap("[data-reason='wait_time']").await;
        b.tap(".nps-submit").await;
        assert!(text_of(&b, ".nps-outcome-body")
            .await
            .contains("收到您的反馈，非常抱歉给您添麻烦了。"));
        let rows = server
            .wait_rows("the visit's row", |r| r.len() == i + 1)
            .await;
        let row = rows
            .iter()
            .find(|(_, _, body)| body["context"]["visit"] == json!(visit))
            .unwrap();
        assert_eq!(row.1, "completed");
        assert_eq!(row.2["reasons"], json!(["wait_time"]));
        assert_eq!(
            row.2["context"],
            json!({"store": "SZ-FT", "advisor": "wang", "visit": visit, "touchpoint": "after_service", "channel": "qr"})
        );
        // The same QR code again: answered, thank you.
        b.client
            .goto(&format!("{}/s/after-sales?visit={visit}", server.base))
            .await
            .unwrap();
        assert_eq!(
            text_of(&b, ".nps-outcome-title").await,
            "您已完成本次评价，谢谢！"
        );
        b.close().await;
    }
}

/// A site folder with the widget's scripts but not its wasm: the loader fails, the page stays.
fn site_without_wasm() -> std::path::PathBuf {
    let dir = temp_dir("nowasm");
    let dist = std::path::PathBuf::from(std::env::var_os("NPS_DIST").expect("NPS_DIST"));
    for f in ["nps-widget.js".to_owned(), Pinned::read().glue] {
        std::fs::copy(dist.join(&f), dir.join(&f)).unwrap();
    }
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tap_before_the_wasm_arrives_is_kept_and_the_widget_continues_it() {
    let site = site_without_wasm();
    let static_dir = site.clone();
    let server = Server::start_with(move |s| s.static_dir = Some(static_dir)).await;
    let b = Browser::start(at(375, true)).await;
    b.client
        .goto(&format!(
            "{}/s/after-sales?store=SZ-FT&visit=RO-SLOW",
            server.base
        ))
        .await
        .unwrap();
    // The wasm is not there (yet): the plain page answers the tap.
    b.tap("button[data-score='9']").await;
    let rows = server.wait_rows("the scored row", |r| r.len() == 1).await;
    let id = rows[0].0.clone();
    assert_eq!(
        (rows[0].1.as_str(), rows[0].2["score"].as_u64()),
        ("scored", Some(9))
    );
    assert!(b.client.current_url().await.unwrap().path().ends_with(&id));
    // Now the wasm arrives: the widget takes the follow-up over with the same response.
    let dist = std::path::PathBuf::from(std::env::var_os("NPS_DIST").unwrap());
    let wasm = Pinned::read().wasm;
    std::fs::copy(dist.join(&wasm), site.join(&wasm)).unwrap();
    b.client.refresh().await.unwrap();
    wait_until("the widget to take over", || async {
        let v = b
            .js("const e = document.querySelector('#nps'); return !!(e && e.hasAttribute('data-nps-mounted'))")
            .await;
        v.as_bool().filter(|x| *x)
    })
    .await;
    assert_eq!(
        b.js("return document.querySelector('#nps').getAttribute('data-nps-id')")
            .await,
        json!(id),
        "the same response"
    );
    b.wait_attr("#nps >> [data-score='9']", "aria-checked", "true")
        .await;
    assert_eq!(
        b.js("const shell = document.querySelector('#nps nps-root'); \
              return document.querySelectorAll('.nps-question').length + shell.shadowRoot.querySelectorAll('.nps-question').length")
            .await,
        json!(1),
        "one question on the page"
    );
    b.click("#nps >> [data-reason='advisor_attitude']").await;
    b.click("#nps >> .nps-submit").await;
    b.find("#nps >> .nps-outcome").await;
    let rows = server
        .wait_rows("one completed row", |r| {
            r.len() == 1 && r[0].1 == "completed"
        })
        .await;
    assert_eq!(rows[0].0, id, "never a second response");
    assert_eq!(rows[0].2["reasons"], json!(["advisor_attitude"]));
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_widget_takes_the_page_over_without_moving_it() {
    let server = Server::start().await;
    let geometry = "const c = document.querySelector('#nps'); \
        const root = c.querySelector('nps-root'); const doc = root ? root.shadowRoot : document; \
        const r = e => { const b = doc.querySelector(e).getBoundingClientRect(); return [Math.round(b.x), Math.round(b.y), Math.round(b.width), Math.round(b.height)]; }; \
        return [r('.nps-question'), r(\"[data-score='0']\"), r(\"[data-score='10']\"), r('.nps-card')];";
    for width in WIDTHS {
        let url = format!(
            "{}/s/after-sales?store=SZ-FT&visit=RO-SHIFT-{width}",
            server.base
        );
        let plain = Browser::start(at(width, false)).await;
        plain.client.goto(&url).await.unwrap();
        let before = plain.client.execute(geometry, vec![]).await.unwrap();
        plain.close().await;
        let b = Browser::start(at(width, true)).await;
        b.open(&url).await;
        wait_until("the takeover", || async {
            b.js("return !!document.querySelector('#nps nps-root')")
                .await
                .as_bool()
                .filter(|x| *x)
        })
        .await;
        let after = b.js(geometry).await;
        assert_eq!(before, after, "at {width} px the page does not move");
        let overflow = b
            .js("return document.scrollingElement.scrollWidth - window.innerWidth")
            .await;
        assert_eq!(overflow, json!(0), "no sideways scroll at {width} px");
        b.close().await;
    }
}

/// WeChat's in-app browser on a phone: `www/share.js` points a promoter at its ··· menu.
const WECHAT_UA: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN";

/// A phone whose pages take WeChat's user agent.
async fn wechat() -> Browser {
    let b = Browser::start(at(375, true)).await;
    b.cdp(
        "Network.setUserAgentOverride",
        json!({"userAgent": WECHAT_UA}),
    )
    .await;
    b
}

/// The page's address, once it is `want`.
async fn wait_path(b: &Browser, want: &str) -> serde_json::Value {
    wait_until(&format!("the address {want}"), || async {
        let v = b.js("return [location.pathname, location.search]").await;
        (v[0] == want).then_some(v)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_wechat_a_promoters_outcome_page_offers_their_referral_page_and_shares_the_invite_page()
{
    // No widget script: the collector's own outcome page, its inline script only.
    let server = Server::start_with(|s| s.static_dir = None).await;
    let b = wechat().await;
    assert!(b
        .js("return navigator.userAgent")
        .await
        .as_str()
        .unwrap()
        .contains("MicroMessenger"));
    b.goto(&format!(
        "{}/s/after-sales?store=SZ-FT&visit=RO-WECHAT-1",
        server.base
    ))
    .await;
    b.tap("button[data-score='10']").await;
    let rows = server.wait_rows("the scored row", |r| r.len() == 1).await;
    let id = rows[0].0.clone();
    b.tap(".nps-submit").await;
    text_of(&b, ".nps-outcome-title").await;
    // The zh-CN WeChat outcome has its button: the promoter's own referral page, a plain link.
    b.wait_attr(
        ".nps-primary",
        "href",
        &format!("/s/after-sales/{id}/refer"),
    )
    .await;
    assert_eq!(text_of(&b, ".nps-primary").await, "邀请好友试驾");
    let shown = b
        .js("const r = nps$('.nps-primary').getBoundingClientRect(); return r.width > 200 && r.height >= 44")
        .await;
    assert_eq!(shown, json!(true));
    // The outcome was served at the response's address; ··· now shares the invite page.
    let at = wait_path(&b, "/s/after-sales/invite").await;
    assert_eq!(at[1], json!(""), "nothing of the visit in the address");
    assert!(!at.to_string().contains(&id));
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_wechat_the_widgets_outcome_offers_the_promoters_referral_page() {
    let server = Server::start().await;
    let b = wechat().await;
    b.open(&format!(
        "{}/s/after-sales?store=SZ-FT&visit=RO-WECHAT-2",
        server.base
    ))
    .await;
    b.click("#nps >> [data-score='10']").await;
    b.click("#nps >> .nps-submit").await;
    b.find("#nps >> .nps-outcome").await;
    let rows = server
        .wait_rows("the completed row", |r| {
            r.len() == 1 && r[0].1 == "completed"
        })
        .await;
    // The widget's outcome (core `referral_page`): the same link as the collector's page, with
    // the answer's write key in its fragment for the page's name form.
    let href = b
        .js("const e = nps$('#nps >> .nps-primary'); return e && e.getAttribute('href')")
        .await;
    let want = format!("/s/after-sales/{}/refer#k=", rows[0].0);
    assert!(
        href.as_str()
            .is_some_and(|h| h.starts_with(&want) && h.len() > want.len() + 15),
        "{href}"
    );
    assert_eq!(b.text("#nps >> .nps-primary").await, "邀请好友试驾");
    b.close().await;
}
