//! The loader a page includes (`nps-widget.js`): it fetches the widget's pinned glue and wasm
//! only when wanted, checks both by their sha384 integrity, and keeps every call made before
//! they arrive.

use nps_e2e::{temp_dir, wait_until, Browser, Options, Pinned, Server};
use serde_json::{json, Value};

/// A site of dist's plain files (no precompressed copies, which the server would prefer) and
/// the test pages, with `tamper` applied to the file it names.
fn site(tamper: Option<&str>) -> std::path::PathBuf {
    let dir = temp_dir("pinned");
    let dist = std::path::PathBuf::from(std::env::var_os("NPS_DIST").expect("NPS_DIST"));
    let pages = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("pages");
    for folder in [dist, pages] {
        for entry in std::fs::read_dir(folder).unwrap() {
            let p = entry.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if p.is_file() && !name.ends_with(".br") && !name.ends_with(".gz") {
                std::fs::copy(&p, dir.join(&name)).unwrap();
            }
        }
    }
    if let Some(name) = tamper {
        // One byte changed in the middle: a file still of the right size and shape.
        let path = dir.join(name);
        let mut bytes = std::fs::read(&path).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] = if bytes[mid] == b' ' { b'\t' } else { b' ' };
        std::fs::write(&path, bytes).unwrap();
    }
    dir
}

async fn ready_outcome(b: &Browser) -> Value {
    wait_until("NpsWidget.ready to settle", || async {
        let v = b
            .client
            .execute_async(
                "const done = arguments[0]; NpsWidget.ready.then(() => done('ready'), e => done(e.message));",
                vec![],
            )
            .await
            .ok()?;
        Some(v)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_wasm_or_glue_is_refused_and_the_page_is_told() {
    let pinned = Pinned::read();
    let b = Browser::start(Options::phone("en-US")).await;
    for file in [&pinned.wasm, &pinned.glue] {
        let dir = site(Some(file));
        let server = Server::start_with(move |s| s.static_dir = Some(dir)).await;
        b.client
            .goto(&format!("{}/lazy.html", server.base))
            .await
            .unwrap();
        // `load()` asks for the widget at once.
        b.js("NpsWidget.load()").await;
        let outcome = ready_outcome(&b).await;
        let message = outcome.as_str().unwrap();
        assert!(
            message.starts_with("nps-widget could not load") && message.contains(&pinned.wasm),
            "{file}: {message}"
        );
        let errors = wait_until("the nps:error of the survey", || async {
            let e = b.js("return window.__errors").await;
            (e.as_array()?.len() == 1).then_some(e)
        })
        .await;
        assert_eq!(errors[0]["kind"], "load", "{file}: {errors}");
        assert_eq!(
            b.js("return document.querySelectorAll('[data-nps-mounted]').length")
                .await,
            0
        );
        // A call after the refusal says so at once, and never hangs.
        let show = b
            .client
            .execute_async(
                "const done = arguments[0]; NpsWidget.show().then(() => done('opened'), e => done(e.message));",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(show.as_str(), Some(message), "{file}");
    }
    // The same site untampered: the widget loads, checked by the same integrity.
    let dir = site(None);
    let server = Server::start_with(move |s| s.static_dir = Some(dir)).await;
    b.client
        .goto(&format!("{}/lazy.html", server.base))
        .await
        .unwrap();
    b.js("NpsWidget.load()").await;
    assert_eq!(ready_outcome(&b).await, "ready");
    let fetches = b.js("return window.__fetches").await;
    assert_eq!(
        fetches[0][0].as_str().unwrap().rsplit('/').next(),
        Some(pinned.wasm.as_str())
    );
    assert_eq!(
        fetches.as_array().unwrap().len(),
        1,
        "the wasm, once: {fetches}"
    );
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_survey_that_waits_for_its_trigger_fetches_the_widget_once_the_page_is_idle() {
    let server = Server::start().await;
    let b = Browser::start(Options::phone("en-US")).await;
    b.open(&format!("{}/lazy.html", server.base)).await;
    let fetches = b.js("return window.__fetches").await;
    let wasm = Pinned::read().wasm;
    assert_eq!(
        (
            &fetches[0][0],
            &fetches[0][1],
            fetches.as_array().unwrap().len()
        ),
        (
            &json!(format!("{}/{wasm}", server.base)),
            &json!("complete"),
            1
        ),
        "one fetch, of the pinned wasm, after the page's load: {fetches}"
    );
    // `show()` opens it and resolves to true.
    let opened = b
        .client
        .execute_async(
            "const done = arguments[0]; NpsWidget.show('#survey').then(done);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(opened, true);
    b.find("#survey >> [data-score='10']").await;

    // A survey that shows on load (qr.html) asks for the widget while the page still loads.
    b.open(&format!("{}/qr.html?store=SZ-FT", server.base))
        .await;
    let started = b
        .js(&format!(
            "const w = performance.getEntriesByType('resource').find(e => e.name.endsWith('{wasm}')); \
             return [w.startTime, performance.getEntriesByType('navigation')[0].loadEventStart]"
        ))
        .await;
    assert!(
        started[0].as_f64().unwrap() < started[1].as_f64().unwrap(),
        "the wasm is fetched before the page's load event: {started}"
    );
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_made_before_the_wasm_arrives_are_kept_and_settle_their_promises() {
    let server = Server::start().await;
    let b = Browser::start(Options::phone("en-US")).await;
    b.open(&format!("{}/queued.html", server.base)).await;
    let q = wait_until("every queued call to settle", || async {
        let q = b.js("return window.__queued").await;
        (!q["mounted"].is_null()
            && !q["shown"].is_null()
            && !q["broken"].is_null()
            && !q["after"].is_null())
        .then_some(q)
    })
    .await;
    assert_eq!(
        q["score"],
        "nps-widget is still loading: call NpsWidget.score after `await NpsWidget.load()`"
    );
    assert_eq!(q["shown"], true);
    assert_eq!(
        q["base"],
        "NpsWidget.load: base must be an http(s) folder, not data:"
    );
    assert_eq!(q["after"]["nps"], 25);
    assert!(
        q["broken"].as_str().unwrap().contains("mode"),
        "the refused mount names its field: {q}"
    );
    // The survey mounted from the queue answers, under the id its handle gave.
    let id = q["mounted"].as_str().unwrap().to_owned();
    b.click("#first >> [data-score='9']").await;
    let rows = server
        .wait_rows("the queued survey's answer", |r| {
            r.iter().any(|x| x.0 == id)
        })
        .await;
    let row = rows.iter().find(|x| x.0 == id).unwrap();
    assert_eq!(row.2["score"], 9);
    b.find("#second >> [data-score='10']").await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_click_on_a_surveys_click_selector_before_the_widget_arrived_fetches_and_opens_it() {
    let server = Server::start().await;
    let b = Browser::start(Options::phone("en-US")).await;
    b.goto(&format!("{}/click.html", server.base)).await;
    b.client
        .find(fantoccini::Locator::Css("#feedback"))
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert_eq!(
        b.js("return [document.readyState, window.__fetches.length, !!document.querySelector('[data-nps-mounted]')]")
            .await,
        json!(["complete", 0, false]),
        "nothing fetched before the click (the page is never idle)"
    );
    b.tap("#feedback").await;
    b.find("#survey >> [data-score='10']").await;
    let fetches = b.js("return window.__fetches").await;
    assert!(
        fetches[0].as_str().unwrap().ends_with(&Pinned::read().wasm),
        "{fetches}"
    );
    b.close().await;
}
