/* nps-widget loader: the one script a page includes. It defines window.NpsWidget at once and
   fetches the widget itself (the bindgen glue and the wasm, both checked against their
   sha384 integrity) only when it is wanted: at once when the page holds a survey that shows
   on load (a landing page), at a click on a survey's `data-click-selector`, when code calls
   mount, show, mountAll or load, and otherwise once the page is idle (the outbox then
   delivers what earlier pages left).
   `cargo xtask dist` writes NPS_FILES (the pinned files and their integrity), NPS_EVENTS (the
   event names, from core/src/contract/events.rs) and npsShare (www/share.js) before it, all
   inside one function scope; the npm package's ES module adds NPS_URLS (each pinned file's
   address beside the module, written so that bundlers copy them). */
/* A page whose CSP allows styles (or scripts) by nonce puts the nonce on this script; the
   glue's script and the widget's <style> carry it. Markup can shadow `currentScript` (an
   element named so): only a script element counts. */
var me = document.currentScript;
if (!(me instanceof HTMLScriptElement)) me = null;
var styleNonce = me && me.nonce || "";
/* The pinned files sit beside the loader (or where the ES module's bundler put them), unless
   `load({base})` says otherwise. */
var base = me && me.src || location.href;
var urls = typeof NPS_URLS == "object" ? NPS_URLS : null;
var api = window.NpsWidget;
if (!api || typeof api.version != "string" || typeof api.mount != "function") {
  var core = null, failed = null, started = false, booted = false, mounts = [], shows = [], alls = [];
  var resolveReady, rejectReady, wasm;
  var ready = new Promise(function (res, rej) { resolveReady = res; rejectReady = rej; });
  ready.catch(function () {});
  var whenParsed = function (f) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", f, { once: true });
    else f();
  };
  var at = function (file, key) { return urls ? urls[key] : new URL(file[0], base).href; };
  var done = function (h) { h.ready = Promise.resolve(); return h; };
  /* A handle at once; its `ready` settles when the survey is mounted (or refused, or
     destroyed first). */
  var handleOf = function (p) {
    return {
      ready: p.done,
      destroy: function () { p.cancelled = true; if (p.real) p.real.destroy(); else p.bad(new Error("nps-widget: the survey was destroyed before it mounted")); },
      get id() { return p.real ? p.real.id : undefined; }
    };
  };
  var mountNow = function (p) {
    if (p.cancelled) return;
    try { p.real = core.mount(p.target, p.config === undefined ? null : p.config); p.ok(); } catch (e) { p.bad(e); }
  };
  var fail = function (err) {
    if (failed) return;
    failed = new Error("nps-widget could not load " + at(NPS_FILES.wasm, "wasm") + " or its script (" + String(err && err.message || err) + "): the pinned files must sit beside the loader unchanged (their sha384 integrity is checked), with CORS from another origin");
    console.error(failed.message);
    whenParsed(function () {
      mounts.forEach(function (p) { p.bad(failed); });
      alls.forEach(function (a) { a[1](failed); });
      shows.forEach(function (s) { s[2](failed); });
      var els = document.querySelectorAll("[data-nps-survey]");
      for (var i = 0; i < els.length; i++) {
        els[i].dispatchEvent(new CustomEvent(NPS_EVENTS.error, { bubbles: true, detail: { kind: NPS_EVENTS.load, message: failed.message, field: null, id: null } }));
      }
    });
    rejectReady(failed);
  };
  /* The wasm, compiled while it downloads and run only once its bytes match their sha384:
     a fetch with `integrity` would hold the whole body back before compiling. Without
     streaming compilation or SubtleCrypto (an http page off localhost), the fetch checks it. */
  var fetchWasm = function (url, integrity) {
    var subtle = window.crypto && crypto.subtle;
    if (!subtle || !WebAssembly.compileStreaming || !window.ReadableStream) return fetch(url, { integrity: integrity });
    return fetch(url).then(function (r) {
      if (!r.ok || !r.body) throw new Error("HTTP " + r.status);
      var two = r.body.tee();
      var module = WebAssembly.compileStreaming(new Response(two[0], { headers: { "Content-Type": "application/wasm" } }));
      var sum = new Response(two[1]).arrayBuffer().then(function (b) { return subtle.digest("SHA-384", b); });
      return Promise.all([module, sum]).then(function (m) {
        if ("sha384-" + btoa(String.fromCharCode.apply(null, new Uint8Array(m[1]))) !== integrity) throw new Error("the wasm did not match its integrity");
        return m[0];
      });
    });
  };
  var start = function () {
    if (started) return ready;
    try {
      var glue = at(NPS_FILES.glue, "glue"), wasmAt = at(NPS_FILES.wasm, "wasm");
      started = true;
      wasm = fetchWasm(wasmAt, NPS_FILES.wasm[1]);
      wasm.catch(fail);
      var s = document.createElement("script");
      s.src = glue;
      s.integrity = NPS_FILES.glue[1];
      s.crossOrigin = "anonymous";
      if (styleNonce) s.nonce = styleNonce;
      s.onerror = function () { fail(new Error("the script did not load or did not match its integrity")); };
      (document.head || document.documentElement).appendChild(s);
    } catch (e) { started = true; fail(e); }
    return ready;
  };
  api = {
    version: NPS_FILES.version,
    ready: ready,
    /* Fetches the widget now (a page that wants it at once). Before it starts: `base`, the
       http(s) folder of a self-hosted copy of the pinned files; `nonce`, for the widget's
       script and styles under a nonce-based CSP. */
    load: function (options) {
      var o = options || {};
      if (started) {
        if (o.base || o.nonce) console.warn("nps-widget: load() options come too late: the widget was already being fetched");
      } else {
        if (o.nonce) styleNonce = String(o.nonce);
        if (o.base) {
          var b = new URL(String(o.base).replace(/\/?$/, "/"), location.href);
          if (!/^https?:$/.test(b.protocol)) throw new Error("NpsWidget.load: base must be an http(s) folder, not " + b.protocol);
          base = b.href;
          urls = null;
        }
      }
      return start();
    },
    mount: function (target, config) {
      if (core) return done(core.mount(target, config === undefined ? null : config));
      var p = { target: target, config: config, real: null, cancelled: false };
      p.done = new Promise(function (ok, bad) { p.ok = ok; p.bad = bad; });
      p.done.catch(function () {});
      if (failed) p.bad(failed); else { mounts.push(p); start(); }
      return handleOf(p);
    },
    show: function (target) {
      var t = target === undefined ? null : target;
      if (core) return Promise.resolve().then(function () { return core.show(t); });
      return new Promise(function (ok, bad) { if (failed) bad(failed); else { shows.push([t, ok, bad]); start(); } });
    },
    mountAll: function () {
      if (core) return Promise.resolve(core.mountAll().map(done));
      return new Promise(function (ok, bad) { if (failed) bad(failed); else { alls.push([ok, bad]); start(); } });
    },
    score: function (scores) { return scorer("score")(scores); },
    scoreSegments: function (scores, segments) { return scorer("scoreSegments")(scores, segments); },
    share: npsShare
  };
  var scorer = function (name) {
    if (!core) throw new Error("nps-widget is still loading: call NpsWidget." + name + " after `await NpsWidget.load()`");
    return core[name];
  };
  /* The glue hands over `wasm_bindgen` once, after the loader added it. */
  Object.defineProperty(api, "_boot", {
    value: function (bindgen) {
      if (!started || booted || core) return;
      booted = true;
      bindgen({ module_or_path: wasm }).then(function () {
        core = bindgen;
        /* A task of its own for the first render: the page stays responsive between the
           wasm's start and the surveys' mounting (no one long task). */
        setTimeout(whenParsed, 0, function () {
          mounts.forEach(mountNow);
          mounts = [];
          var all = core.mountAll().map(done);
          alls.forEach(function (a) { a[0](all); });
          /* A survey just mounted arms its `show` when it first renders: a task later. */
          var queued = shows;
          setTimeout(function () {
            queued.forEach(function (s) { try { s[1](core.show(s[0])); } catch (e) { s[2](e); } });
          }, 0);
          alls = shows = [];
          resolveReady(api);
          document.dispatchEvent(new CustomEvent(NPS_EVENTS.ready, { detail: { version: api.version } }));
        });
      }, fail);
    }
  });
  Object.defineProperty(api._boot, "nonce", { value: function () { return styleNonce; } });
  window.NpsWidget = api;
  /* Once the page is parsed and the module importing this one (if any) has run, so that its
     `load()` options come first (a microtask: before the page's load event): a survey that shows on load (no trigger, or `load`; a landing
     page's) wants the widget now; a click on a survey's `data-click-selector` fetches it and
     opens that survey; anything else waits for an idle moment after the page's own load. */
  whenParsed(function () {
    Promise.resolve().then(function () {
      var els = document.querySelectorAll("[data-nps-survey]");
      for (var i = 0; i < els.length; i++) {
        var t = els[i].getAttribute("data-trigger");
        if (t === "load" || !t && !els[i].hasAttribute("data-delay-ms") || els[i].hasAttribute("data-nps-response")) return start();
      }
      var clicks = document.querySelectorAll("[data-nps-survey][data-trigger=click][data-click-selector]");
      if (clicks.length) {
        var early = function (e) {
          for (var j = 0; j < clicks.length; j++) {
            try { if (e.target.closest && e.target.closest(clicks[j].getAttribute("data-click-selector")) && !core) api.show(clicks[j]); } catch (x) { /* a bad selector: the widget names it */ }
          }
        };
        document.addEventListener("click", early, true);
        ready.then(function () { document.removeEventListener("click", early, true); }, function () {});
      }
      var idle = function () { (window.requestIdleCallback || setTimeout)(start, { timeout: 2000 }); };
      if (document.readyState === "complete") idle(); else addEventListener("load", idle, { once: true });
    });
  });
}
