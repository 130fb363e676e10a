//! The survey as a component of a brand's own yew app (`examples/yew-host`, a crate that
//! depends on this one): `cargo xtask test` builds and binds it (`NPS_YEW_SITE`); here a
//! customer answers it in Chromium.

use nps_e2e::{wait_until, Browser, Options, Server};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_yew_app_shows_the_survey_component_and_its_answer_is_stored() {
    let site = std::path::PathBuf::from(
        std::env::var_os("NPS_YEW_SITE")
            .expect("NPS_YEW_SITE is not set: run with `cargo xtask test`"),
    );
    let server = Server::start_with(move |s| s.static_dir = Some(site)).await;
    let b = Browser::start(Options::phone("en-US")).await;
    b.goto(&format!("{}/index.html", server.base)).await;
    assert_eq!(b.text("main h1").await, "Your service visit");
    let question = b.text(".survey >> .nps-question").await;
    assert!(question.contains("Star Motors"), "{question}");
    let id = wait_until("the survey's response id", || async {
        b.js("const e = document.querySelector('.survey'); return e && e.getAttribute('data-nps-id')")
            .await
            .as_str()
            .map(str::to_owned)
    })
    .await;
    b.click(".survey >> [data-score='3']").await;
    let rows = server
        .wait_rows("the component's answer", |r| r.iter().any(|x| x.0 == id))
        .await;
    let row = &rows.iter().find(|x| x.0 == id).unwrap().2;
    assert_eq!(
        (&row["survey"], &row["score"], &row["context"]["store"]),
        (&json!("yew-host"), &json!(3), &json!("SZ-FT"))
    );
    b.close().await;
}
