/* Sharing an invitation link, for the widget (bundled into nps-widget.js, as NpsWidget.share)
   and the collector's landing pages (inlined): inside WeChat, whose pages have no share sheet,
   the caller points at WeChat's ··· menu; elsewhere the system share sheet, else the link is
   copied. Resolves to what happened: "wechat", "shared", "cancelled", "copied", or "open"
   (nothing worked: the caller opens the link). */
function npsShare(url, title) {
  function copy() {
    return navigator.clipboard && navigator.clipboard.writeText
      ? navigator.clipboard.writeText(url).then(function () { return "copied"; }, function () { return "open"; })
      : Promise.resolve("open");
  }
  if (/MicroMessenger/i.test(navigator.userAgent)) return Promise.resolve("wechat");
  if (navigator.share) {
    return navigator.share({ title: title, url: url }).then(
      function () { return "shared"; },
      function (e) { return e && e.name === "AbortError" ? "cancelled" : copy(); });
  }
  return copy();
}
