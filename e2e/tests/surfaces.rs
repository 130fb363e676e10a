//! Every surface at the widths customers use (320 and 375 px phones, a 1280 px desktop):
//! what a person taps in headless Chromium, checked in what the collector stored.

use nps_e2e::{Browser, Options, Server};

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
