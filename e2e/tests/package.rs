//! The npm package as a web team uses it: `cargo xtask test` installs the packed tarball into
//! a scratch TypeScript project, type-checks it with tsc and bundles it with esbuild
//! (`xtask/src/package.rs`); here the bundle runs in Chromium and a customer answers.

use nps_e2e::{wait_until, Browser, Options, Server};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bundled_package_mounts_a_survey_that_a_customer_answers() {
    let site = std::path::PathBuf::from(std::env::var_os("NPS_PACKAGE_SITE").expect(
        "NPS_PACKAGE_SITE is not set: run with `cargo xtask test` (or `cargo xtask package --check`)",
    ));
    let server = Server::start_with(move |s| s.static_dir = Some(site)).await;
    let b = Browser::start(Options::phone("en-US")).await;
    b.open(&format!("{}/index.html", server.base)).await;
    let id = wait_until("the handle's id once mounted", || async {
        b.js("return window.__mounted")
            .await
            .as_str()
            .map(str::to_owned)
    })
    .await;
    // The scorer through the ES exports and the API `ready` resolved to.
    assert_eq!(b.js("return window.__score").await, json!([25, 100, true]));
    b.click("#survey >> [data-score='9']").await;
    let rows = server
        .wait_rows("the bundled survey's answer", |r| {
            r.iter().any(|x| x.0 == id)
        })
        .await;
    let row = &rows.iter().find(|x| x.0 == id).unwrap().2;
    assert_eq!(
        (&row["survey"], &row["score"], &row["context"]["store"]),
        (&json!("npm-e2e"), &json!(9), &json!("SZ-FT"))
    );
    // The typed event listener saw the score.
    let seen = b.js("return window.__scored").await;
    assert_eq!(
        seen,
        json!([{"id": id, "score": 9, "category": "promoter"}])
    );
    b.close().await;
}
