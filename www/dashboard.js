/* Dashboard: loads stored responses and scores them in the browser with the widget's own
   Rust scorer (NpsWidget.score). Every value is set as text, never as HTML. */
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var tokenInput = $("token");
  tokenInput.value = sessionStorage.getItem("nps:admin-token") || "";

  function fmt(x) { return x === null ? "–" : (Math.round(x * 10) / 10).toFixed(1); }

  function cell(tr, text, cls) {
    var td = document.createElement(tr.parentNode && tr.parentNode.tagName === "THEAD" ? "th" : "td");
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }

  function table(el, head, rows) {
    el.textContent = "";
    var thead = el.createTHead(), tr = thead.insertRow();
    head.forEach(function (h) { var th = document.createElement("th"); th.textContent = h; tr.appendChild(th); });
    var body = el.createTBody();
    if (!rows.length) { var r = body.insertRow(); var td = cell(r, "No data yet", "muted"); td.colSpan = head.length; }
    rows.forEach(function (row) {
      var r = body.insertRow();
      row.forEach(function (v, i) { cell(r, v, i > 0 && typeof v !== "string" ? "num" : (i > 0 ? "num" : "")); });
    });
  }

  function segment(responses, key) {
    var groups = {};
    responses.forEach(function (r) {
      var k = (r.context && r.context[key]) || "(none)";
      (groups[k] = groups[k] || []).push(r.score);
    });
    return Object.keys(groups).sort().map(function (k) {
      var s = NpsWidget.score(groups[k]);
      return [k, String(s.n), fmt(s.nps), "[" + fmt(s.ci95 && s.ci95[0]) + ", " + fmt(s.ci95 && s.ci95[1]) + "]",
              String(s.promoters), String(s.passives), String(s.detractors)];
    });
  }

  function render(all) {
    // Flagged responses (faster than a person, a filled honeypot) are kept but not counted.
    var flagged = all.filter(function (r) { return r.flag; }).length;
    var scored = all.filter(function (r) { return r.score !== null && !r.flag; });
    var s = NpsWidget.score(scored.map(function (r) { return r.score; }));
    var kpis = $("kpis");
    kpis.textContent = "";
    var interval = s.ci95 ? "NPS · 95% interval " + fmt(s.ci95[0]) + " … " + fmt(s.ci95[1]) : "NPS · no data yet";
    [[interval, fmt(s.nps)], ["Responses", String(s.n)],
     ["Promoters", String(s.promoters)], ["Passives", String(s.passives)], ["Detractors", String(s.detractors)]].forEach(function (k) {
      var d = document.createElement("div"); d.className = "kpi";
      var b = document.createElement("b"); b.textContent = k[1];
      var sp = document.createElement("span"); sp.textContent = k[0];
      d.appendChild(b); d.appendChild(sp); kpis.appendChild(d);
    });
    var head = ["Segment", "n", "NPS", "95% interval", "Promoters", "Passives", "Detractors"];
    table($("by-store"), head, segment(scored, "store"));
    table($("by-advisor"), head, segment(scored, "advisor"));
    table($("by-touchpoint"), head, segment(scored, "touchpoint"));
    var counts = {};
    scored.filter(function (r) { return r.category === "detractor"; }).forEach(function (r) {
      (r.reasons || []).forEach(function (id) { counts[id] = (counts[id] || 0) + 1; });
    });
    table($("reasons"), ["Reason", "Detractors who chose it"],
      Object.keys(counts).sort(function (a, b) { return counts[b] - counts[a]; }).map(function (k) { return [k, String(counts[k])]; }));
    var comments = scored.filter(function (r) { return r.category === "detractor" && r.comment; }).slice(-10).reverse();
    table($("comments"), ["Score", "Comment", "Store", "Call-back", "Received"], comments.map(function (r) {
      return [String(r.score), r.comment, (r.context && r.context.store) || "", r.contact ? r.contact.phone : "", r.received_at];
    }));
    var unscored = all.length - scored.length - flagged;
    $("status").textContent = all.length + " responses loaded at " + new Date().toLocaleTimeString() +
      (unscored ? " (" + unscored + " closed before a score, not in the NPS)" : "") +
      (flagged ? " (" + flagged + " flagged as automated, not counted)" : "");
  }

  function get(format) {
    var token = tokenInput.value.trim();
    sessionStorage.setItem("nps:admin-token", token);
    return fetch("/api/responses" + (format ? "?format=" + format : ""), { headers: { Authorization: "Bearer " + token } })
      .then(function (res) {
        if (!res.ok) return res.json().then(function (e) { throw new Error(e.error || ("HTTP " + res.status)); });
        return res;
      });
  }

  function load() {
    $("status").textContent = "Loading…";
    $("status").className = "muted";
    NpsWidget.ready.then(function () { return get(); }).then(function (res) { return res.json(); }).then(render).catch(function (e) {
      $("status").textContent = e.message;
      $("status").className = "error";
    });
  }

  $("token-form").addEventListener("submit", function (e) { e.preventDefault(); load(); });
  $("csv").addEventListener("click", function () {
    get("csv").then(function (res) { return res.blob(); }).then(function (blob) {
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = "nps-responses.csv";
      a.click();
    }).catch(function (e) { $("status").textContent = e.message; $("status").className = "error"; });
  });
  if (tokenInput.value) load();
})();
