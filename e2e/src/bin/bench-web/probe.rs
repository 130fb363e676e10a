//! One load of one page, measured: the probe put in every page before its own scripts, the
//! wait for the page to settle, what is read back, and a real tap on the 10.

use std::time::Duration;

use nps_e2e::Browser;
use serde_json::{json, Value};

/// Put in every document before its own scripts (`Page.addScriptToEvaluateOnNewDocument`):
/// finds the 10 of whichever survey the page has (ours: a `data-score` button, in the page or in
/// a `nps-root` shadow root, or the landing page's form button; SurveyJS's rating item;
/// Formbricks' NPS label), marks the first animation frame it is on screen (`__answerable`),
/// records long tasks and layout shifts (buffered observers), the first `pointerdown` and
/// `pointerup` (capture phase on `window`), and the moment the page *calls* `fetch` for a
/// post to `/api/responses` after that `pointerdown` (`performance.now()` at the call, in a
/// wrapper of `fetch`: the call, not the request's start on the network, is what a re-render
/// before the post would delay), or the `submit` of a form the page lets post natively.
const PROBE: &str = r#"(function () {
  var ours = "[data-score='10'], button[name=score][value='10']";
  window.__nps10 = function () {
    var el = document.querySelector(ours);
    var roots = document.querySelectorAll("nps-root");
    for (var i = 0; !el && i < roots.length; i++) el = roots[i].shadowRoot && roots[i].shadowRoot.querySelector(ours);
    if (!el) { var fb = document.querySelector("input[name=nps][value='10']"); el = fb && fb.closest("label"); }
    if (!el) {
      var items = document.querySelectorAll(".sd-rating__item");
      for (var j = 0; j < items.length; j++) if (items[j].textContent.trim() === "10") { el = items[j]; break; }
    }
    return el;
  };
  function frame() {
    var el = window.__nps10();
    if (el) {
      var r = el.getBoundingClientRect();
      if (r.width > 0 && r.height > 0 && r.right <= innerWidth) { window.__answerable = performance.now(); return; }
    }
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
  window.__long = []; window.__cls = 0;
  try {
    new PerformanceObserver(function (l) { l.getEntries().forEach(function (e) { window.__long.push([e.startTime, e.duration]); }); })
      .observe({ type: "longtask", buffered: true });
    new PerformanceObserver(function (l) { l.getEntries().forEach(function (e) { if (!e.hadRecentInput) window.__cls += e.value; }); })
      .observe({ type: "layout-shift", buffered: true });
  } catch (e) {}
  addEventListener("pointerdown", function (e) { if (window.__down == null) window.__down = e.timeStamp; }, true);
  addEventListener("pointerup", function (e) { if (window.__up == null) window.__up = e.timeStamp; }, true);
  // A form the page lets submit (the landing page before the widget takes it over) posts by
  // leaving the page: the submit is the request, kept in sessionStorage for the next page.
  addEventListener("submit", function (e) {
    if (e.defaultPrevented || window.__down == null || window.__post != null) return;
    window.__post = performance.now();
    sessionStorage.setItem("__npsTap", JSON.stringify([window.__post - window.__down, window.__post - window.__up]));
  });
  var fetch0 = window.fetch;
  window.fetch = function (input) {
    var url = typeof input === "string" ? input : input && input.url || String(input);
    if (window.__post == null && window.__down != null && url.indexOf("/api/responses") >= 0) window.__post = performance.now();
    return fetch0.apply(this, arguments);
  };
})();"#;

/// Installs the probe in every page the browser opens from now on.
pub async fn install(b: &Browser) {
    b.cdp(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": PROBE }),
    )
    .await;
}

/// Read once the page settled: answerable, first paint, the bytes up to answerable and in
/// all, the resources seen so far (settling is when they stop growing), total blocking time
/// (the part over 50 ms of each long task after first paint, up to now) and layout shift.
const READ: &str = "const nav = performance.getEntriesByType('navigation')[0]; \
    const res = performance.getEntriesByType('resource'); \
    const at = window.__answerable; \
    const fcp = performance.getEntriesByName('first-contentful-paint')[0]; \
    const from = fcp ? fcp.startTime : 0; \
    const bytes = (list) => list.reduce((s, e) => s + (e.transferSize || 0), 0); \
    const tbt = window.__long.reduce((s, [t, d]) => s + Math.max(0, t + d - Math.max(t, from) - 50), 0); \
    return [at || null, fcp ? fcp.startTime : null, \
            nav.transferSize + bytes(res.filter(e => e.responseEnd <= at)), \
            nav.transferSize + bytes(res), res.length, tbt, window.__cls, \
            document.readyState === 'complete'];";

/// The figures of one load (milliseconds, bytes).
#[derive(Default, Clone, Copy)]
pub struct Sample {
    pub answerable: f64,
    pub fcp: f64,
    pub up_front: f64,
    pub all: f64,
    pub tbt: f64,
    pub cls: f64,
    /// From `pointerdown` on the 10 to the call of `fetch` for the post (or a form's submit).
    pub tap: f64,
    /// From `pointerup` on the 10 to the same moment.
    pub release: f64,
}

/// Opens `url` and waits until it settled: answerable, loaded, and no new resource for 1 s
/// (a lazily fetched part included). Then, with `tap`, taps the 10 and waits for the post.
/// The origin's storage is cleared first: each load is a first visit (no answer remembered).
pub async fn load(b: &Browser, url: &str, tap: bool) -> Sample {
    let origin = url::Url::parse(url).unwrap().origin().ascii_serialization();
    b.cdp(
        "Storage.clearDataForOrigin",
        json!({"origin": origin, "storageTypes": "local_storage,session_storage,indexeddb,cookies,service_workers"}),
    )
    .await;
    b.client.goto(url).await.unwrap();
    let mut v = Value::Null;
    let (mut seen, mut still) = (u64::MAX, 0);
    for _ in 0..150 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        v = b.client.execute(READ, vec![]).await.unwrap();
        let count = v[4].as_u64().unwrap_or(0);
        still = if count == seen { still + 1 } else { 0 };
        seen = count;
        if !v[0].is_null() && v[7] == json!(true) && still >= 5 {
            break;
        }
    }
    let n = |i: usize| v[i].as_f64().unwrap_or(f64::NAN);
    let mut s = Sample {
        answerable: n(0),
        fcp: n(1),
        up_front: n(2),
        all: n(3),
        tbt: n(5),
        cls: n(6),
        tap: f64::NAN,
        release: f64::NAN,
    };
    if tap {
        (s.tap, s.release) = tap_ten(b).await;
    }
    s
}

/// A real tap on the 10 (DevTools mouse events at its middle, pressed and released at once):
/// from `pointerdown`, and from `pointerup`, to the call of `fetch` for the post (or the
/// form's submit).
async fn tap_ten(b: &Browser) -> (f64, f64) {
    let at = b
        .client
        .execute(
            "const el = window.__nps10(); if (!el) return null; \
             el.scrollIntoView({block: 'center'}); const r = el.getBoundingClientRect(); \
             return [r.left + r.width / 2, r.top + r.height / 2];",
            vec![],
        )
        .await
        .unwrap();
    let (Some(x), Some(y)) = (at[0].as_f64(), at[1].as_f64()) else {
        return (f64::NAN, f64::NAN);
    };
    for kind in ["mousePressed", "mouseReleased"] {
        b.cdp(
            "Input.dispatchMouseEvent",
            json!({"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}),
        )
        .await;
    }
    for _ in 0..50 {
        // A script may fail while a form's post leaves the page: then ask again.
        let v = b
            .client
            .execute(
                "if (window.__post != null) return [window.__post - window.__down, window.__post - window.__up]; \
                 return JSON.parse(sessionStorage.getItem('__npsTap'));",
                vec![],
            )
            .await
            .unwrap_or_default();
        if let (Some(down), Some(up)) = (v[0].as_f64(), v[1].as_f64()) {
            return (down, up);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (f64::NAN, f64::NAN)
}
