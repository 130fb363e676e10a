/* Test-only (e2e/tests/policy.rs): keeps every Content-Security-Policy violation of the page in
   window.cspViolations, from before the widget's script runs. With #no-adopted the page plays a
   browser without constructable stylesheets (iOS before 16.4, old WebViews). */
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  var el = e.target && e.target.nodeType === 1 ? e.target.nodeName.toLowerCase() + "#" + e.target.id : "document";
  window.cspViolations.push(e.effectiveDirective + " " + (e.blockedURI || "") + " at " + el);
}, true);
if (location.hash === "#no-adopted") {
  window.CSSStyleSheet = function () { throw new TypeError("Illegal constructor"); };
  delete Document.prototype.adoptedStyleSheets;
  delete ShadowRoot.prototype.adoptedStyleSheets;
}
