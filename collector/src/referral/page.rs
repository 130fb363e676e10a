//! The referral pages' HTML, in the survey's look and language (the landing pages' document
//! and card): the promoter's page, the "preparing" page, the booking form and its thank-you.
//! Each works before any script; the promoter's page's script only adds the share sheet,
//! WeChat's ··· guidance and the record of a share.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use nps_core::config::Config;
use nps_core::contract::rules::MAX_PHONE_INPUT;
use nps_core::words::{fill, Locale, Text};

use super::promoter::MAX_NAME;
use crate::html::escape_html as esc;
use crate::landing::masthead::Masthead;
use crate::landing::page::{card, document_unnamed as document};
use crate::storage::Referral;

/// The answer's write key the widget's link carries (`#k=…`, never sent to a server) leaves
/// the address at once (nothing shares or records it), and is kept for this tab's pages of
/// the answer (`sessionStorage`, by path) so a "preparing" page's refresh, which drops the
/// fragment, does not lose it: `window.npsKey`.
macro_rules! keep_key {
    () => {
        "(function(){var s='nps_k:'+location.pathname,m=/[#&]k=([A-Za-z0-9_-]{16,64})/.exec(location.hash),\
k=m&&m[1];try{if(k)sessionStorage.setItem(s,k);else k=sessionStorage.getItem(s);}catch(e){}\
if(m)try{history.replaceState(null,'',location.pathname+location.search);}catch(e){}\
window.npsKey=k;})();"
    };
}

/// The "preparing" page's script: `keep_key!`, then, with a key, a second later the key is
/// posted (`claim`) so the code is made for this browser (the answer's own), not for
/// whoever opens the address first.
const KEEP_KEY: &str = concat!(
    keep_key!(),
    "(function(){var k=window.npsKey;if(!k)return;setTimeout(function(){\
var f=document.createElement('form');f.method='post';f.action=location.pathname+location.search;\
[['write_key',k],['claim','1']].forEach(function(p){var i=document.createElement('input');\
i.type='hidden';i.name=p[0];i.value=p[1];f.appendChild(i);});\
document.body.appendChild(f);f.submit();},1000);})();"
);

/// The promoter's page's script: `www/share.js`, then the hooks (a share or a save records
/// the first share; inside WeChat the page's address becomes the friend's link at once, so
/// WeChat's ··· shares that link, and "save the poster", which WeChat cannot download, shows
/// the poster on the page full size under "press and hold the picture to save or send it"
/// instead; without a script the server sends WeChat there: `poster_http`). One constant text.
const SCRIPT: &str = concat!(
    keep_key!(),
    // ... and goes into the name's form.
    "(function(){var k=window.npsKey;if(!k)return;\
var f=document.querySelector('input[name=write_key]');if(f)f.value=k;})();",
    include_str!("../../../www/share.js"),
    "(function(){var a=document.querySelector('[data-share]');if(!a)return;\
function shared(){try{fetch(a.href+'/shared',{method:'POST',keepalive:true});}catch(e){}}\
var wx=/MicroMessenger/i.test(navigator.userAgent);\
if(wx)try{history.replaceState(null,'',a.href);}catch(e){}\
a.addEventListener('click',function(e){e.preventDefault();shared();\
npsShare(a.href,a.dataset.title).then(function(how){var n=document.getElementById('nps-note');\
if(how==='wechat'||how==='copied'){n.textContent=a.dataset[how];}\
else if(how==='open'){location.href=a.href;}});});\
document.querySelectorAll('[data-saved]').forEach(function(s){s.addEventListener('click',shared);\
if(wx){s.removeAttribute('download');s.addEventListener('click',function(e){e.preventDefault();\
var f=document.querySelector('.nps-poster'),h=document.querySelector('[data-hold]');if(!f||!h)return;\
f.classList.add('nps-poster--full');h.hidden=false;h.focus();f.scrollIntoView({block:'start'});});}});\
var img=document.querySelector('.nps-poster img');if(img){var t;img.addEventListener('contextmenu',shared);\
img.addEventListener('touchstart',function(){t=setTimeout(shared,500);},{passive:true});\
img.addEventListener('touchend',function(){clearTimeout(t);});}})();"
);

/// The page's own styles (beside the widget's stylesheet).
const STYLE: &str = "<style>.nps-poster img{display:block;width:100%;max-width:360px;height:auto;\
margin:0 auto 8px;border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.15)}\
.nps-poster--full img{max-width:100%}\
.nps-poster-hold{text-align:center;font-weight:600;margin:0 0 8px}\
.nps-refer-link{word-break:break-all;font-size:14px;margin:0 0 8px}\
.nps-refer-qr{display:block;width:160px;height:160px;margin:8px auto}\
.nps-refer-section{margin-top:16px;padding-top:16px;border-top:1px solid var(--nps-line)}\
.nps-refer-section input[type=text],.nps-refer-section input[type=date]{box-sizing:border-box}\
[data-screen=book] .nps-follow-up{margin-top:0}[data-screen=book] .nps-phone+.nps-label{margin-top:14px}\
[data-screen=book] .nps-consent span{word-break:keep-all;overflow-wrap:anywhere}</style>";

/// "Press and hold the picture to save or send it", under the poster inside WeChat. Words
/// only the collector shows stay out of the core's table, which the widget compiles whole
/// (its size budget).
pub fn hold_to_save(locale: Locale) -> &'static str {
    match locale {
        Locale::ZhCn => "长按图片保存或发送给朋友",
        Locale::ZhTw => "長按圖片儲存或傳送給朋友",
        Locale::En => "Press and hold the picture to save or send it",
    }
}

fn brand(cfg: &Config) -> String {
    cfg.brand_in_sentence().to_owned()
}

/// The promoter's page for referral `r`, its link `link` (`{origin}/r/{code}`). The name's
/// form names its own address: inside WeChat the page's address is the friend's link.
pub fn refer(cfg: &Config, m: &Masthead, r: &Referral, link: &str) -> Result<String, String> {
    // The share is the friend's link, never the survey's invite page (no `nps-share` meta).
    let mut cfg = cfg.clone();
    cfg.referral_url = None;
    let cfg = &cfg;
    let t = |x: Text| esc(cfg.text(x));
    let title = fill(cfg.text(Text::ReferTitle), &[("brand", &brand(cfg))]);
    let (n, d) = crate::links::qr_path(link)?;
    let code = esc(&r.code);
    let inner = format!(
        "<div class=\"nps-outcome\" data-code=\"{code}\"><h1 id=\"nps-q\" class=\"nps-outcome-title\">{title}</h1>\
<p class=\"nps-outcome-body\">{intro}</p>\
<figure class=\"nps-poster\"><figcaption class=\"nps-poster-hold\" data-hold hidden tabindex=\"-1\">{hold}</figcaption>\
<img src=\"/r/{code}/poster.png\" width=\"720\" height=\"1080\" alt=\"{alt}\"></figure>\
<div class=\"nps-actions nps-actions--outcome\"><a class=\"nps-primary\" href=\"/r/{code}/poster.png?save=1\" download=\"poster.png\" data-saved>{save}</a></div>\
<div class=\"nps-refer-section\"><p class=\"nps-prompt\">{link_label}</p><p class=\"nps-refer-link\">{link}</p>\
<div class=\"nps-actions nps-actions--outcome\"><a class=\"nps-primary\" href=\"{link}\" data-share data-title=\"{title}\" data-wechat=\"{wechat}\" data-copied=\"{copied}\">{share}</a></div>\
<p id=\"nps-note\" class=\"nps-note\" role=\"status\"></p>\
<svg class=\"nps-refer-qr\" viewBox=\"0 0 {n} {n}\" role=\"img\" aria-label=\"{qr}\"><rect width=\"{n}\" height=\"{n}\" fill=\"#fff\"/><path d=\"{d}\" fill=\"#000\"/></svg>\
<p class=\"nps-label\" style=\"text-align:center\">{qr}</p></div>\
<form method=\"post\" action=\"/s/{survey}/{id}/refer\" class=\"nps-refer-section\"><input type=\"hidden\" name=\"write_key\" value=\"\"><label class=\"nps-label\" for=\"nps-name\">{name_label}</label>\
<input id=\"nps-name\" class=\"nps-phone\" type=\"text\" name=\"name\" maxlength=\"{MAX_NAME}\" autocomplete=\"name\" value=\"{name}\">\
<div class=\"nps-actions\"><button type=\"submit\" class=\"nps-submit\">{name_save}</button></div></form></div>",
        title = esc(&title),
        intro = t(Text::ReferIntro),
        alt = t(Text::ReferPosterAlt),
        hold = esc(hold_to_save(cfg.locale)),
        save = t(Text::ReferSave),
        link_label = t(Text::ReferLink),
        link = esc(link),
        wechat = t(Text::ShareInWeChat),
        copied = t(Text::LinkCopied),
        share = t(Text::ReferShare),
        qr = t(Text::ReferQr),
        name_label = t(Text::ReferName),
        name = esc(r.name.as_deref().unwrap_or_default()),
        name_save = t(Text::ReferNameSave),
        survey = esc(&r.survey),
        id = esc(&r.response_id),
    );
    Ok(document(
        cfg,
        m,
        &format!("{STYLE}{}", card(cfg, "refer", &inner)),
        &format!("<script>{SCRIPT}</script>"),
    ))
}

/// The poster alone, as large as the screen allows, as a plain image (served inline) under
/// "press and hold the picture to save or send it": what "save the poster" opens inside
/// WeChat, whose browser downloads no file (`poster_http`).
pub fn poster_view(cfg: &Config, m: &Masthead, code: &str) -> String {
    let inner = format!(
        "<div class=\"nps-outcome\"><h1 id=\"nps-q\" class=\"nps-outcome-title\">{hold}</h1>\
<figure class=\"nps-poster nps-poster--full\"><img src=\"/r/{code}/poster.png\" width=\"720\" height=\"1080\" alt=\"{alt}\"></figure></div>",
        hold = esc(hold_to_save(cfg.locale)),
        code = esc(code),
        alt = esc(cfg.text(Text::ReferPosterAlt)),
    );
    document(
        cfg,
        m,
        &format!("{STYLE}{}", card(cfg, "poster", &inner)),
        "",
    )
}

/// "Preparing your invitation…", refreshing itself in 2 s (`since`: when the wait began)
/// through the HTTP `Refresh` header, which browsers and WeChat follow without a script (no
/// `<meta http-equiv=refresh>`: a timed refresh in the page is what WCAG's F41 names).
pub fn preparing(cfg: &Config, m: &Masthead, since: i64) -> Response {
    let inner = format!(
        "<div class=\"nps-outcome\" role=\"status\"><h1 id=\"nps-q\" class=\"nps-outcome-title\">{}</h1></div>",
        esc(cfg.text(Text::ReferPreparing))
    );
    let again = format!("?since={since}");
    let body = document(
        cfg,
        m,
        &card(cfg, "preparing", &inner),
        &format!("<script>{KEEP_KEY}</script>"),
    );
    let mut resp = crate::landing::html(StatusCode::OK, body);
    resp.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("2;url={again}")) {
        resp.headers_mut()
            .insert(header::HeaderName::from_static("refresh"), v);
    }
    resp
}

/// What the booking form shows again after a wrong post.
#[derive(Default)]
pub struct Filled<'a> {
    pub name: &'a str,
    pub phone: &'a str,
    pub date: &'a str,
    pub problem: bool,
}

/// The booking form.
pub fn book(cfg: &Config, m: &Masthead, code: &str, f: &Filled) -> String {
    let t = |x: Text| esc(cfg.text(x));
    let title = fill(cfg.text(Text::BookTitle), &[("brand", &brand(cfg))]);
    let consent = fill(
        cfg.text(Text::BookConsent),
        &[
            ("brand", &brand(cfg)),
            ("days", &cfg.retention_days.to_string()),
        ],
    );
    let problem = match f.problem {
        true => format!(
            "<p class=\"nps-problem\" role=\"alert\">{}</p>",
            t(Text::BookInvalid)
        ),
        false => String::new(),
    };
    let inner = format!(
        "<form method=\"post\" action=\"/r/{code}/book\" class=\"nps-follow-up\" aria-labelledby=\"nps-q\">\
<h1 id=\"nps-q\" class=\"nps-prompt\">{title}</h1>{problem}\
<label class=\"nps-label\" for=\"nps-name\">{name_label}</label>\
<input id=\"nps-name\" class=\"nps-phone\" type=\"text\" name=\"name\" maxlength=\"{MAX_NAME}\" autocomplete=\"name\" required value=\"{name}\">\
<label class=\"nps-label\" for=\"nps-phone\">{phone_label}</label>\
<input id=\"nps-phone\" class=\"nps-phone\" type=\"tel\" name=\"phone\" inputmode=\"tel\" autocomplete=\"tel\" maxlength=\"{MAX_PHONE_INPUT}\" required value=\"{phone}\">\
<label class=\"nps-label\" for=\"nps-date\">{date_label}</label>\
<input id=\"nps-date\" class=\"nps-phone\" type=\"date\" name=\"date\" value=\"{date}\">\
<label class=\"nps-consent\"><input type=\"checkbox\" class=\"nps-consent-box\" name=\"consent\" value=\"1\" required><span>{consent}</span></label>\
<div class=\"nps-actions\"><button type=\"submit\" class=\"nps-submit\">{submit}</button></div></form>",
        code = esc(code),
        title = esc(&title),
        name_label = t(Text::BookName),
        name = esc(f.name),
        phone_label = t(Text::PhoneLabel),
        phone = esc(f.phone),
        date_label = t(Text::BookDate),
        date = esc(f.date),
        consent = esc(&consent),
        submit = t(Text::BookSubmit),
    );
    document(cfg, m, &format!("{STYLE}{}", card(cfg, "book", &inner)), "")
}

/// The booking's thank-you.
pub fn booked(cfg: &Config, m: &Masthead) -> String {
    let inner = format!(
        "<div class=\"nps-outcome\" role=\"status\"><h1 id=\"nps-q\" class=\"nps-outcome-title\">{}</h1></div>",
        esc(cfg.text(Text::BookThanks))
    );
    document(cfg, m, &card(cfg, "notice", &inner), "")
}

/// What an honest one-line page says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Said {
    /// The code's bookings for the day are full (`{store}`: the store's name).
    Full,
    /// The promoter's own device books on their own link.
    Own,
    /// A browser that never opened the code posts its booking form.
    OpenFirst,
    /// Someone without the answer's write key changes the promoter's name.
    NotYours,
}

type Three = [&'static str; 3];

impl Said {
    fn words(self) -> Three {
        match self {
            Said::Full => [
                "今天通过这个邀请的预约已满，请直接联系{store}。",
                "今天透過這個邀請的預約已滿，請直接聯絡{store}。",
                "Bookings through this invitation are full for today: please contact {store} directly.",
            ],
            Said::Own => [
                "这是您自己的邀请链接：请把它发给朋友，由朋友来预约。",
                "這是您自己的邀請連結：請把它傳給朋友，由朋友來預約。",
                "This is your own invitation link: send it to a friend, and they can book with it.",
            ],
            Said::OpenFirst => [
                "请先在这个浏览器中打开朋友发给您的邀请链接，再来预约。",
                "請先在這個瀏覽器中開啟朋友傳給您的邀請連結，再來預約。",
                "Please open the invitation link your friend sent you in this browser first, then book.",
            ],
            Said::NotYours => [
                "只有填写这份问卷的浏览器才能修改海报上的称呼。",
                "只有填寫這份問卷的瀏覽器才能修改海報上的稱呼。",
                "Only the browser that answered this survey can change the name on the poster.",
            ],
        }
    }
}

/// The store when a page cannot name it.
const A_STORE: Three = ["门店", "門市", "the store"];
/// The link of `Said::OpenFirst`'s page.
const OPEN_LINK: Three = ["打开邀请链接", "開啟邀請連結", "Open the invitation"];

fn pick(three: Three, cfg: &Config) -> &'static str {
    let i = nps_core::words::Locale::ALL
        .iter()
        .position(|l| *l == cfg.locale);
    three[i.unwrap_or(0)]
}

/// An honest one-line page: what `said` says (`store`: the store's name for `Said::Full`),
/// with the invitation's link for `Said::OpenFirst` (`code`).
pub fn notice(cfg: &Config, m: &Masthead, said: Said, store_or_code: Option<&str>) -> String {
    let store = match (said, store_or_code) {
        (Said::Full, Some(s)) => s,
        _ => pick(A_STORE, cfg),
    };
    let text = fill(pick(said.words(), cfg), &[("store", store)]);
    let link = match (said, store_or_code) {
        (Said::OpenFirst, Some(code)) => format!(
            "<div class=\"nps-actions nps-actions--outcome\"><a class=\"nps-primary\" href=\"/r/{}\">{}</a></div>",
            esc(code),
            esc(pick(OPEN_LINK, cfg))
        ),
        _ => String::new(),
    };
    let inner = format!(
        "<div class=\"nps-outcome\" role=\"status\"><h1 id=\"nps-q\" class=\"nps-outcome-title\">{}</h1>{link}</div>",
        esc(&text)
    );
    document(cfg, m, &card(cfg, "notice", &inner), "")
}

/// The survey's words with what a friend books (`booking_label`) in the poster's lines
/// (`{booking}`: the label in the config's language, else nothing: "扫码预约。").
pub fn with_booking(cfg: &Config, label: &crate::landing::BookingLabel) -> Config {
    let mut cfg = cfg.clone();
    let i = nps_core::words::Locale::ALL
        .iter()
        .position(|l| *l == cfg.locale);
    let label = label[i.unwrap_or(0)].trim();
    let words = match (label.is_empty(), cfg.locale) {
        (true, _) => String::new(),
        (false, nps_core::words::Locale::En) => format!(" {label}"),
        (false, _) => label.to_owned(),
    };
    for t in [Text::ReferPosterLine, Text::ReferPosterQr] {
        let filled = fill(cfg.text(t), &[("booking", &words)]);
        cfg.text.retain(|(k, _)| *k != t);
        cfg.text.push((t, filled));
    }
    cfg
}

/// A page as a response that no cache keeps.
pub fn respond(status: StatusCode, html: String) -> Response {
    crate::landing::html(status, html).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(locale: &str) -> Config {
        let raw =
            serde_json::json!({"endpoint": "/api/responses", "survey": "s", "locale": locale});
        Config::from_object(raw.as_object().unwrap(), None).unwrap()
    }

    #[test]
    fn the_poster_says_what_was_booked_only_when_the_survey_says_it() {
        let label = ["试驾", "試駕", "a test drive"].map(String::from);
        let none = crate::landing::BookingLabel::default();
        let line = |locale: &str, l: &crate::landing::BookingLabel| {
            let c = with_booking(&cfg(locale), l);
            (
                c.text(Text::ReferPosterLine).to_owned(),
                c.text(Text::ReferPosterQr).to_owned(),
            )
        };
        assert_eq!(
            line("zh-CN", &label),
            (
                "我在{brand}的体验很好，推荐给你！扫码预约试驾。".to_owned(),
                "长按识别二维码，立即预约试驾".to_owned()
            )
        );
        assert_eq!(
            line("zh-CN", &none).0,
            "我在{brand}的体验很好，推荐给你！扫码预约。"
        );
        assert_eq!(line("zh-TW", &label).1, "長按辨識 QR 碼，立即預約試駕");
        assert_eq!(
            line("en", &label).0,
            "I had a great experience with {brand}. Scan to book a test drive."
        );
        assert_eq!(
            line("en", &none).1,
            "Scan or press and hold the code to book"
        );
    }
}
