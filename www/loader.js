/* nps-widget loader: defines window.NpsWidget, loads the wasm next to this script, mounts
   every [data-nps-survey] once the page is parsed. The bindgen glue above defines
   `wasm_bindgen` inside the same function scope, so nothing else leaks into the page, and
   `cargo xtask dist` writes NPS_EVENTS (the event names, from src/events.rs) and npsShare
   (www/share.js) before it. */
/* A page whose CSP allows styles by nonce puts the nonce on this script; a browser without
   constructable stylesheets gets the widget's styles in a <style> carrying it (the wasm calls
   npsStyleNonce, src/web/host.rs). */
var styleNonce = document.currentScript && document.currentScript.nonce || "";
function npsStyleNonce() { return styleNonce; }
var api = window.NpsWidget;
if (!api || !api.version) {
  var loaded = false, failed = null, pending = [], shows = [];
  var resolveReady, rejectReady;
  api = {
    version: "0.1.0",
    ready: new Promise(function (res, rej) { resolveReady = res; rejectReady = rej; }),
    /* Mounts a survey; before the wasm is ready the call is queued and the handle still works. */
    mount: function (target, config) {
      if (loaded) return wasm_bindgen.mount(target, config === undefined ? null : config);
      if (failed) throw failed;
      var p = { target: target, config: config, real: null, cancelled: false };
      pending.push(p);
      return {
        destroy: function () { p.cancelled = true; if (p.real) p.real.destroy(); },
        get id() { return p.real ? p.real.id : undefined; }
      };
    },
    /* Scores an Array or Uint8Array of integers 0–10. */
    score: function (scores) {
      if (!loaded) throw new Error("nps-widget is still loading: call NpsWidget.score after `await NpsWidget.ready`");
      return wasm_bindgen.score(scores);
    },
    /* Opens a survey waiting for its trigger (that of an element or selector, or all of the
       page); before the wasm is ready the call waits for it. True when one opened. */
    show: function (target) {
      if (loaded) return wasm_bindgen.show(target === undefined ? null : target);
      if (failed) throw failed;
      shows.push(target === undefined ? null : target);
      return false;
    },
    /* Scores a batch by segment: a Uint8Array of scores and a parallel array of segment ids. */
    scoreSegments: function (scores, segments) {
      if (!loaded) throw new Error("nps-widget is still loading: call NpsWidget.scoreSegments after `await NpsWidget.ready`");
      return wasm_bindgen.scoreSegments(scores, segments);
    },
    /* Mounts every [data-nps-survey] not mounted yet (e.g. after adding one to the page). */
    mountAll: function () { return loaded ? wasm_bindgen.mountAll() : []; },
    /* Shares an invitation link (www/share.js); the promoter's outcome uses it. */
    share: npsShare
  };
  window.NpsWidget = api;
  var whenParsed = function (f) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", f, { once: true });
    else f();
  };
  wasm_bindgen().then(function () {
    loaded = true;
    whenParsed(function () {
      pending.forEach(function (p) {
        if (p.cancelled) return;
        try { p.real = wasm_bindgen.mount(p.target, p.config === undefined ? null : p.config); } catch (e) { /* shown in the element and the console */ }
      });
      pending = [];
      wasm_bindgen.mountAll();
      shows.forEach(function (t) { try { wasm_bindgen.show(t); } catch (e) { console.error(e.message); } });
      shows = [];
      resolveReady(api);
      document.dispatchEvent(new CustomEvent(NPS_EVENTS.ready, { detail: { version: api.version } }));
    });
  }, function (err) {
    failed = new Error("nps-widget could not load its WebAssembly file (" + String(err && err.message || err) + "); it must sit next to nps-widget.js as nps-widget_bg.wasm");
    console.error(failed.message);
    whenParsed(function () {
      var els = document.querySelectorAll("[data-nps-survey]");
      for (var i = 0; i < els.length; i++) {
        els[i].dispatchEvent(new CustomEvent(NPS_EVENTS.error, { bubbles: true, detail: { kind: NPS_EVENTS.load, message: failed.message } }));
      }
    });
    rejectReady(failed);
  });
}
