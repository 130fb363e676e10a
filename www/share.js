/* Sharing an invitation link, for the widget (bundled into nps-widget.js, as NpsWidget.share)
   and the collector's landing pages (inlined): inside WeChat, whose pages have no share sheet,
   the caller points at WeChat's ··· menu; elsewhere the system share sheet, else the link is
   copied. Resolves to what happened: "wechat", "shared", "cancelled", "copied", or "open"
   (nothing worked: the caller opens the link).
   A page may name the link its promoters share, <meta name="nps-share" content="…"> (the
   collector's landing pages name their survey's invite page, /s/{survey}/invite): that link
   is shared instead. WeChat's ··· shares the page's own address, so inside WeChat the shared
   link becomes the page's address first when it is on the page's origin (replaceState throws
   for another origin): a page that carries a visit or a response is not what a friend gets. */
function npsShare(url, title) {
  var named = document.querySelector('meta[name="nps-share"]');
  if (named) url = new URL(named.content, location.href).href;
  function copy() {
    return navigator.clipboard && navigator.clipboard.writeText
      ? navigator.clipboard.writeText(url).then(function () { return "copied"; }, function () { return "open"; })
      : Promise.resolve("open");
  }
  if (/MicroMessenger/i.test(navigator.userAgent)) {
    try { history.replaceState(null, "", url); } catch (e) {}
    return Promise.resolve("wechat");
  }
  if (navigator.share) {
    return navigator.share({ title: title, url: url }).then(
      function () { return "shared"; },
      function (e) { return e && e.name === "AbortError" ? "cancelled" : copy(); });
  }
  return copy();
}
