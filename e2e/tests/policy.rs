//! A brand's page under a strict Content-Security-Policy, as banks' and carmakers' sites send:
//! no `'unsafe-inline'` for styles. The survey looks as it does on a page without that policy,
//! works, and the page reports no violation; a browser without constructable stylesheets gets
//! the same look from the nonce the page gives the widget's script.

use nps_e2e::{Browser, Options, Server};
use serde_json::{json, Value};

/// The policy of the issue, exactly: `style-src` falls back to `default-src 'self'`.
const STRICT: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";

/// The same, with styles allowed by the nonce `strict.html` puts on the widget's script.
const STRICT_NONCE: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
                            style-src 'self' 'nonce-e2e-style-nonce'";

/// What a customer sees of a score button, the card and the survey's element.
const LOOK: &str = "const b = nps$(\"#survey >> [data-score='8']\"), s = getComputedStyle(b); \
    const card = getComputedStyle(nps$('#survey >> .nps-card')); \
    return {height: Math.round(b.getBoundingClientRect().height), radius: s.borderRadius, \
      background: s.backgroundColor, border: s.borderTopWidth + ' ' + s.borderTopStyle, \
      font: s.fontSize + ' ' + s.fontWeight, card_radius: card.borderRadius, \
      shell: getComputedStyle(document.querySelector('#survey nps-root')).display}";

/// Opens `strict.html` (with `fragment`) on `server` and returns its look once the survey shows.
async fn look(b: &Browser, server: &Server, fragment: &str) -> Value {
    b.open(&format!("{}/strict.html{fragment}", server.base))
        .await;
    b.find("#survey >> [data-score='8']").await;
    b.js(LOOK).await
}

/// The violations the page reported, once a known one made on purpose has arrived: the
/// watch is listening, and every violation before it has arrived too (they are reported in
/// order). Returns those other than the known one.
async fn violations(b: &Browser) -> Vec<Value> {
    b.js("const s = document.createElement('style'); s.id = 'known-violation'; s.textContent = 'p {}'; document.body.append(s)")
        .await;
    let all = nps_e2e::wait_until("the known violation", || async {
        let v = b.js("return window.cspViolations").await;
        let all = v.as_array()?.clone();
        all.iter()
            .any(|x| x.as_str().is_some_and(|x| x.contains("known-violation")))
            .then_some(all)
    })
    .await;
    all.into_iter()
        .filter(|x| !x.as_str().is_some_and(|x| x.contains("known-violation")))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_under_a_strict_policy_gets_the_styled_survey_and_no_violation() {
    let b = Browser::start(Options::phone("en-US")).await;
    // The look on the collector's own answer, whose policy allows inline styles.
    let plain = Server::start().await;
    let expected = look(&b, &plain, "").await;
    assert_eq!(
        (&expected["card_radius"], &expected["shell"]),
        (&json!("4px"), &json!("block")),
        "{expected}"
    );
    assert!(expected["height"].as_u64() >= Some(44), "{expected}");

    let server = Server::start_under(STRICT).await;
    let seen = look(&b, &server, "").await;
    assert_eq!(seen, expected, "the survey under `{STRICT}`");
    // It works there too: the answer reaches the collector (`connect-src` is `'self'`).
    b.click("#survey >> [data-score='8']").await;
    b.click("#survey >> [data-reason='repair_quality']").await;
    b.click("#survey >> .nps-submit").await;
    b.find("#survey >> .nps-outcome").await;
    server
        .wait_rows("the completed row", |r| {
            r.len() == 1 && r[0].1 == "completed"
        })
        .await;
    assert_eq!(
        violations(&b).await,
        Vec::<Value>::new(),
        "under `{STRICT}`"
    );

    // A browser without constructable stylesheets: a <style> with the script's nonce.
    let server = Server::start_under(STRICT_NONCE).await;
    let seen = look(&b, &server, "#no-adopted").await;
    assert_eq!(seen, expected, "the survey under `{STRICT_NONCE}`");
    let fallback = b
        .js(
            "const r = document.querySelector('#survey nps-root').shadowRoot; \
             return [r.adoptedStyleSheets === undefined, r.querySelectorAll('style').length]",
        )
        .await;
    assert_eq!(fallback, json!([true, 1]), "the fallback's <style>");
    assert_eq!(
        violations(&b).await,
        Vec::<Value>::new(),
        "under `{STRICT_NONCE}`"
    );
    b.close().await;
}
