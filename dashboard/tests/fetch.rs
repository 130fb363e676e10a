//! The page's requests in a real headless Chromium: the same GET asked twice while the first
//! is on its way goes out once and both askers read the whole answer; asked again once it
//! came back, it goes out again (nothing is kept). Run by `cargo xtask test`.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use nps_dashboard::web::fetch;
use wasm_bindgen_test::*;

mod common;

wasm_bindgen_test_configure!(run_in_browser);

type Got = Rc<RefCell<Vec<Result<(u16, String), String>>>>;

/// `GET url`, its answer pushed to `got` when it comes.
fn ask(url: &str, got: &Got) {
    let (url, got) = (url.to_owned(), got.clone());
    wasm_bindgen_futures::spawn_local(async move {
        let answer = fetch("GET", &url).await;
        got.borrow_mut().push(answer);
    });
}

/// Waits (10 s at most) until `got` holds `n` answers.
async fn answers(got: &Got, n: usize) -> Vec<Result<(u16, String), String>> {
    let deadline = js_sys::Date::now() + 10_000.0;
    while got.borrow().len() < n {
        assert!(js_sys::Date::now() < deadline, "no {n} answers within 10 s");
        common::tick().await;
    }
    got.borrow().clone()
}

/// How many requests the page made for `url` (its resource timing entries).
fn requests(url: &str) -> usize {
    let performance = web_sys::window().unwrap().performance().unwrap();
    let base = web_sys::window().unwrap().location().origin().unwrap();
    let entries = js_sys::Reflect::get(&performance, &"getEntriesByName".into()).unwrap();
    let entries: js_sys::Function = entries.into();
    let list = entries
        .call1(&performance, &format!("{base}{url}").into())
        .unwrap();
    js_sys::Array::from(&list).length() as usize
}

#[wasm_bindgen_test]
async fn the_same_get_on_its_way_goes_out_once_and_each_asker_reads_all_of_it() {
    // The test runner's own server and its script (a body of some size), at an address of
    // this test's own.
    let url = format!("/wasm-bindgen-test?shared={}", js_sys::Math::random());
    let got: Got = Rc::default();
    ask(&url, &got);
    ask(&url, &got);
    let both = answers(&got, 2).await;
    let first = both[0].clone().expect("an answer");
    assert_eq!(first.0, 200);
    assert!(first.1.len() > 1000, "the body is read");
    assert_eq!(
        both[1], both[0],
        "the second asker reads the same whole answer"
    );
    assert_eq!(requests(&url), 1, "asked once");
    // Once it came back, the same GET goes out again.
    ask(&url, &got);
    let three = answers(&got, 3).await;
    assert_eq!(three[2], three[0]);
    assert_eq!(requests(&url), 2, "asked afresh");
    // Another address is another request.
    let other = format!("{url}1");
    ask(&other, &got);
    answers(&got, 4).await;
    assert_eq!(requests(&other), 1);
}
