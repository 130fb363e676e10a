/* nps-widget loader: the one script a page includes. It defines window.NpsWidget at once and
   fetches the widget itself (the bindgen glue and the wasm, both checked against their
   sha384 integrity) only when it is wanted: at once when the page holds a survey that shows
   on load (a landing page), when code calls mount, show, mountAll or load, and otherwise once
   the page is idle (the outbox then delivers what earlier pages left).
   `cargo xtask dist` writes NPS_FILES (the pinned files and their integrity), NPS_EVENTS (the
   event names, from core/src/contract/events.rs) and npsShare (www/share.js) before it, all
   inside one function scope. */
/* A page whose CSP allows styles (or scripts) by nonce puts the nonce on this script; the
   glue's script and the widget's <style> carry it. */
var me = document.currentScript;
var styleNonce = me && me.nonce || "";
/* The pinned files sit beside the loader: beside this script, or beside the ES module
   (`NPS_BASE`, its import.meta.url), unless `load({base})` says otherwise. */
var base = me && me.src || typeof NPS_BASE == "string" && NPS_BASE || location.href;
var api = window.NpsWidget;
if (!api || !api.version) {
  var core = null, failed = null, started = false, mounts = [], shows = [], alls = [];
  var resolveReady, rejectReady, wasm;
  var ready = new Promise(function (res, rej) { resolveReady = res; rejectReady = rej; });
  ready.catch(function () {});
  var whenParsed = function (f) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", f, { once: true });
    else f();
  };
  var at = function (file) { return new URL(file[0], base).href; };
  /* A handle at once; its `ready` settles when the survey is mounted (or refused). */
  var handleOf = function (p) {
    return {
      ready: p.done,
      destroy: function () { p.cancelled = true; if (p.real) p.real.destroy(); },
      get id() { return p.real ? p.real.id : undefined; }
    };
  };
  var mountNow = function (p) {
    if (p.cancelled) return;
    try { p.real = core.mount(p.target, p.config === undefined ? null : p.config); p.ok(); } catch (e) { p.bad(e); }
  };
  var fail = function (err) {
    if (failed) return;
    failed = new Error("nps-widget could not load " + at(NPS_FILES.wasm) + " or its script (" + String(err && err.message || err) + "): the pinned files must sit beside the loader unchanged (their sha384 integrity is checked), with CORS from another origin");
    console.error(failed.message);
    whenParsed(function () {
      mounts.forEach(function (p) { p.bad(failed); });
      alls.forEach(function (a) { a[1](failed); });
      shows.forEach(function (s) { s[2](failed); });
      var els = document.querySelectorAll("[data-nps-survey]");
      for (var i = 0; i < els.length; i++) {
        els[i].dispatchEvent(new CustomEvent(NPS_EVENTS.error, { bubbles: true, detail: { kind: NPS_EVENTS.load, message: failed.message } }));
      }
    });
    rejectReady(failed);
  };
  var start = function () {
    if (started) return ready;
    started = true;
    wasm = fetch(at(NPS_FILES.wasm), { integrity: NPS_FILES.wasm[1] });
    wasm.catch(fail);
    var s = document.createElement("script");
    s.src = at(NPS_FILES.glue);
    s.integrity = NPS_FILES.glue[1];
    s.crossOrigin = "anonymous";
    if (styleNonce) s.nonce = styleNonce;
    s.onerror = function () { fail(new Error("the script did not load or did not match its integrity")); };
    (document.head || document.documentElement).appendChild(s);
    return ready;
  };
  api = {
    version: NPS_FILES.version,
    ready: ready,
    /* Fetches the widget now (a page that wants it at once); `base` points at a self-hosted
       copy of the pinned files. */
    load: function (options) {
      if (options && options.base && !started) base = new URL(options.base, location.href).href;
      return start();
    },
    mount: function (target, config) {
      if (core) { var h = core.mount(target, config === undefined ? null : config); h.ready = Promise.resolve(); return h; }
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
      if (core) return Promise.resolve(core.mountAll());
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
  Object.defineProperty(api, "_boot", {
    value: function (bindgen) {
      bindgen({ module_or_path: wasm }).then(function () {
        core = bindgen;
        /* A task of its own for the first render: the page stays responsive between the
           wasm's start and the surveys' mounting (no one long task). */
        setTimeout(whenParsed, 0, function () {
          mounts.forEach(mountNow);
          mounts = [];
          var all = core.mountAll();
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
  /* A survey that shows on load (no trigger, or `load`; a landing page's) wants the widget now;
     anything else waits for an idle moment after the page's own load. */
  whenParsed(function () {
    var els = document.querySelectorAll("[data-nps-survey]");
    for (var i = 0; i < els.length; i++) {
      var t = els[i].getAttribute("data-trigger");
      if (t === "load" || !t && !els[i].hasAttribute("data-delay-ms") || els[i].hasAttribute("data-nps-response")) return start();
    }
    var idle = function () { (window.requestIdleCallback || setTimeout)(start, { timeout: 2000 }); };
    if (document.readyState === "complete") idle(); else addEventListener("load", idle, { once: true });
  });
}
