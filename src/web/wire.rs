//! The outbox's hands on the network: a post as `fetch` (with its timeout) and, as the page
//! goes, as `sendBeacon` (or a `keepalive` fetch). `sender` decides when; this file only
//! builds the request and reads the reply.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Request, RequestInit, RequestMode};

use crate::outbox::{Post, Reply, TIMEOUT_MS};

fn window() -> web_sys::Window {
    web_sys::window().expect("a browser window")
}

/// Page hide: the browser delivers it after the page is gone (no reply comes back). A PATCH
/// (`update: "patch"`) goes as a `keepalive` fetch: `sendBeacon` can only POST.
pub(super) fn beacon(p: &Post) {
    let sent = p.beacon_ok()
        && window()
            .navigator()
            .send_beacon_with_opt_str(&p.target.endpoint, Some(&p.body))
            .unwrap_or(false);
    if !sent {
        let _ = fetch_request(p, true, None).map(|r| window().fetch_with_request(&r));
    }
}

/// True when the endpoint is on another origin than the page.
fn cross_origin(endpoint: &str) -> bool {
    let href = window().location().href().unwrap_or_default();
    match web_sys::Url::new_with_base(endpoint, &href) {
        Ok(u) => u.origin() != window().location().origin().unwrap_or_default(),
        Err(_) => false,
    }
}

fn fetch_request(
    post: &Post,
    keepalive: bool,
    signal: Option<&web_sys::AbortSignal>,
) -> Result<Request, JsValue> {
    let r = post.request(cross_origin(&post.target.endpoint));
    let init = RequestInit::new();
    init.set_method(r.method);
    init.set_mode(RequestMode::Cors);
    init.set_body(&JsValue::from_str(r.body));
    // web-sys has no setter for `keepalive` yet; it is a plain RequestInit member.
    js_sys::Reflect::set(&init, &"keepalive".into(), &keepalive.into())?;
    if let Some(s) = signal {
        init.set_signal(Some(s));
    }
    let headers = web_sys::Headers::new()?;
    for (k, v) in &r.headers {
        headers.set(k, v)?;
    }
    init.set_headers(&headers);
    Request::new_with_str_and_init(&r.url, &init)
}

/// Posts `p`: the request is built and `fetch` called now, in the caller's task (a tap's post
/// starts before the survey re-renders); the future waits for the reply.
pub(super) fn post(p: &Post) -> impl std::future::Future<Output = Reply> {
    let controller = AbortController::new().ok();
    let signal = controller.as_ref().map(|c| c.signal());
    let request = fetch_request(p, false, signal.as_ref()).ok();
    let timed_out = Rc::new(RefCell::new(false));
    let timer = controller.filter(|_| request.is_some()).map(|c| {
        let flag = timed_out.clone();
        let cb = Closure::once_into_js(move || {
            *flag.borrow_mut() = true;
            c.abort();
        });
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                cb.unchecked_ref(),
                TIMEOUT_MS as i32,
            )
            .ok()
    });
    // `fetch` as the page has it, called so that a wrapper of the page throwing at once is a
    // network error, not an exception through the widget.
    let fetched = request.map(|r| {
        let called = js_sys::Reflect::get(&window(), &"fetch".into())
            .and_then(|f| f.dyn_into::<js_sys::Function>())
            .and_then(|f| f.call1(&window(), &r));
        JsFuture::from(match called {
            Ok(v) => js_sys::Promise::resolve(&v),
            Err(e) => js_sys::Promise::reject(&e),
        })
    });
    async move {
        let Some(fetched) = fetched else {
            return Reply::NetworkError;
        };
        let result = fetched.await;
        if let Some(Some(t)) = timer {
            window().clear_timeout_with_handle(t);
        }
        reply_of(result, &timed_out)
    }
}

/// What a finished `fetch` says.
fn reply_of(result: Result<JsValue, JsValue>, timed_out: &RefCell<bool>) -> Reply {
    match result {
        Ok(v) => {
            let resp: web_sys::Response = v.unchecked_into();
            let retry_after_s = resp
                .headers()
                .get("Retry-After")
                .ok()
                .flatten()
                .and_then(|s| s.trim().parse::<u64>().ok());
            Reply::Status {
                code: resp.status(),
                retry_after_s,
            }
        }
        Err(_) if *timed_out.borrow() => Reply::Timeout,
        Err(_) => Reply::NetworkError,
    }
}
