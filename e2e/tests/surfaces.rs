//! Every surface at the widths customers use (320 and 375 px phones, a 1280 px desktop):
//! what a person taps in headless Chromium, checked in what the collector stored.

use nps_e2e::{Browser, Options, Server};
use serde_json::json;

/// The widths every surface is tried at.
const WIDTHS: [u32; 3] = [320, 375, 1280];

fn at(width: u32, lang: &'static str) -> Options {
    Options {
        width,
        height: if width < 500 { 640 } else { 800 },
        lang,
        ..Options::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_page_with_hostile_css_still_gets_a_working_survey() {
    let server = Server::start().await;
    for width in WIDTHS {
        let b = Browser::start(at(width, "en-US")).await;
        b.open(&format!("{}/hostile.html", server.base)).await;
        let looks = b
            .js("const q = nps$('.nps-question'), s = nps$(\"[data-score='8']\"); \
                 const cs = getComputedStyle(q), r = s.getBoundingClientRect(); \
                 return [cs.fontSize, cs.textTransform, getComputedStyle(s).display, r.width >= 40, r.height >= 44];")
            .await;
        assert_eq!(
            looks,
            serde_json::json!(["19px", "none", "block", true, true]),
            "at {width} px"
        );
        // Real clicks: WebDriver refuses what is hidden or covered.
        b.click("#survey >> [data-score='8']").await;
        b.click("#survey >> [data-reason='repair_quality']").await;
        b.click("#survey >> .nps-submit").await;
        b.find("#survey >> .nps-outcome").await;
        b.close().await;
    }
    let rows = server
        .wait_rows("three completed rows", |r| {
            r.len() == 3 && r.iter().all(|(_, stage, _)| stage == "completed")
        })
        .await;
    assert!(rows.iter().all(|(_, _, body)| body["score"] == 8
        && body["reasons"] == serde_json::json!(["repair_quality"])));
}

/// The lines the text of `css` is laid out in, as the characters on each (by each one's top).
async fn lines(b: &Browser, css: &str) -> Vec<String> {
    let script = format!("const el = nps$({css:?}); {LINES_JS}");
    serde_json::from_value(b.js(&script).await).unwrap()
}

const LINES_JS: &str = "const lines = []; let top = null; \
     const w = document.createTreeWalker(el, NodeFilter.SHOW_TEXT); let n; \
     while ((n = w.nextNode())) { for (let i = 0; i < n.length; i++) { \
       const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1); \
       const rect = r.getClientRects()[0]; if (!rect) continue; \
       if (top === null || Math.abs(rect.top - top) > 4) { lines.push(''); top = rect.top; } \
       lines[lines.length - 1] += n.data[i]; } } return lines;";

/// The QR page at 320 px: score buttons at least 40 px wide, two rows that both fill the
/// width (no hole under 0), a chosen low score calm (no alarm-red block), and an outcome that
/// starts at the card's top, keeps "24 小时内" together and leaves no character alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_qr_page_at_320_px_keeps_its_promises_and_its_words_together() {
    let server = Server::start().await;
    for width in [320, 375] {
        let b = Browser::start(at(width, "zh-CN")).await;
        b.open(&format!(
            "{}/qr.html?store=SZ-FT&visit=W-{width}",
            server.base
        ))
        .await;
        b.find("[data-score='10']").await;
        let grid = b
            .js(
                "const r = s => nps$(\"[data-score='\" + s + \"']\").getBoundingClientRect(); \
                 const w = [...Array(11).keys()].map(s => r(s).width); \
                 return [Math.min(...w), Math.round(r(0).left) === Math.round(r(6).left), \
                         Math.round(r(5).right) === Math.round(r(10).right), r(0).top < r(6).top];",
            )
            .await;
        let min = grid[0].as_f64().unwrap();
        assert!(min >= 40.0, "at {width} px the narrowest score is {min} px");
        assert_eq!(
            grid.as_array().unwrap()[1..],
            [json!(true), json!(true), json!(true)],
            "at {width} px: {grid}"
        );
        b.click("[data-score='3']").await;
        b.find(".nps-follow-up").await;
        let chosen = b
            .js(
                "const bg = getComputedStyle(nps$(\"[data-score='3']\")).backgroundColor; \
                 const c = document.createElement('canvas').getContext('2d'); \
                 c.fillStyle = bg; c.fillRect(0, 0, 1, 1); \
                 return [...c.getImageData(0, 0, 1, 1).data].slice(0, 3);",
            )
            .await;
        let rgb: Vec<u64> = serde_json::from_value(chosen).unwrap();
        assert!(
            rgb.iter().all(|c| *c >= 200),
            "a chosen 3 is a light tint, not alarm red: {rgb:?}"
        );
        let prompt = lines(&b, ".nps-follow-up > .nps-prompt").await;
        assert!(
            prompt.last().unwrap().chars().count() >= 3,
            "at {width} px: {prompt:?}"
        );
        b.find(".nps-phone")
            .await
            .send_keys("13812345678")
            .await
            .unwrap();
        b.click(".nps-consent-box").await;
        b.click(".nps-submit").await;
        b.find(".nps-outcome-body").await;
        b.at_rest().await;
        let body = lines(&b, ".nps-outcome-body").await;
        assert!(
            body.iter().any(|l| l.contains("24\u{a0}小时内")),
            "at {width} px: {body:?}"
        );
        assert!(
            body.iter()
                .all(|l| l.trim_end_matches(['。', '，']).chars().count() >= 3),
            "at {width} px no character alone: {body:?}"
        );
        let band = b
            .js("return nps$('.nps-outcome').getBoundingClientRect().top - nps$('.nps-card').getBoundingClientRect().top")
            .await;
        assert!(
            band.as_f64().unwrap() <= 24.0,
            "at {width} px the outcome starts at the card's top: {band}"
        );
        b.close().await;
    }
}
