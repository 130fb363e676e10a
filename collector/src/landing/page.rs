//! The landing pages as HTML: the question and the follow-up (the outcome and the one-line
//! notices are `outcome`), with the widget's own classes and stylesheet (`nps_core::STYLESHEET`, inlined),
//! so that the widget, when its wasm arrives, takes over the same element with no shift.
//! Every word comes from the core (`Config::text`, `Config::question`, `outcome`); every value
//! is escaped (`esc`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use nps_core::config::{keys, Config, Mode};
use nps_core::contract::rules::{HONEYPOT_FIELD, MAX_COMMENT, MAX_PHONE_INPUT, WRITE_KEY};
use nps_core::scoring::score::Score;
use nps_core::survey::follow_up;
use nps_core::survey::takeover::Takeover;
use nps_core::survey::{flow::Problem, flow::Survey};
use nps_core::words::{fill, Locale, Text};
use serde_json::{Map, Value};

use super::invite;
use super::masthead::Masthead;
pub use super::outcome::{notice, outcome_page};
use crate::html::escape_html as esc;

/// The page around the card: a calm background, safe-area insets, no zoom lock.
pub(crate) const PAGE_CSS: &str = "html{-webkit-text-size-adjust:100%}\
body{margin:0;background:#f2f3f5}\
main{box-sizing:border-box;max-width:600px;margin:0 auto;\
padding:max(16px,env(safe-area-inset-top)) max(12px,env(safe-area-inset-right)) max(32px,env(safe-area-inset-bottom)) max(12px,env(safe-area-inset-left))}\
.nps-page-brand,.nps-page-visit,.nps-page-foot{margin:4px 4px 12px;font:14px/1.5 -apple-system,\"PingFang SC\",\"Microsoft YaHei\",\"Noto Sans CJK SC\",sans-serif;color:#5f6368}\
.nps-page-brand{display:flex;align-items:center;gap:10px;font-size:15px;font-weight:600;color:#3c4043}\
.nps-page-logo{display:block;height:32px;width:auto;max-width:50%}\
.nps-page-visit{margin-top:-8px;font-size:13px;word-break:keep-all;overflow-wrap:anywhere}\
.nps-page-foot{margin:16px 4px 0;text-align:center;font-size:13px}.nps-page-foot a{color:inherit}\
@media (prefers-color-scheme:dark){body{background:#111}.nps-page-brand,.nps-page-visit,.nps-page-foot{color:#bdc1c6}}";

/// What a page needs besides the survey's config.
pub struct Chrome<'a> {
    /// `<script src>` of the widget, when the collector serves it.
    pub widget: Option<&'a str>,
    /// The logo, the visit's line and the privacy link around the card.
    pub masthead: Masthead,
}

/// A whole landing page around `body`: never indexed (its address may carry a visit or a
/// response), and naming the survey's invite page as what is shared from it (`www/share.js`;
/// inside WeChat the outcome page takes that address, so ··· never shares a response's page).
pub(crate) fn document(cfg: &Config, m: &Masthead, body: &str, script: &str) -> String {
    page_of(cfg, m, body, script, Some(&invite::url(cfg)))
}

/// A page that shares its own link (a promoter's referral page, a friend's booking form):
/// no invite page named, so `www/share.js` shares the link it is given.
pub(crate) fn document_unnamed(cfg: &Config, m: &Masthead, body: &str, script: &str) -> String {
    page_of(cfg, m, body, script, None)
}

fn page_of(cfg: &Config, m: &Masthead, body: &str, script: &str, share: Option<&str>) -> String {
    let brand = cfg.brand.as_deref();
    let title = match brand {
        Some(b) => format!("{} · {}", b, cfg.text(Text::PageTitle)),
        None => cfg.text(Text::PageTitle).to_owned(),
    };
    let (header, footer) = (m.header(brand), m.footer(cfg.locale));
    format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1,viewport-fit=cover\">\
<meta name=\"format-detection\" content=\"telephone=no\"><meta name=\"color-scheme\" content=\"light dark\">\
<meta name=\"robots\" content=\"noindex\">{icon}{share}<title>{title}</title><style>{PAGE_CSS}{css}</style></head>\
<body><main>{header}{body}{footer}</main>{script}</body></html>",
        lang = cfg.locale.tag(),
        title = esc(&title),
        // The brand's logo is the tab's icon; without one, no icon at all (not a 404 for
        // `/favicon.ico` on every page).
        icon = format!(
            "<link rel=\"icon\" href=\"{}\">",
            esc(m.logo_src.as_deref().unwrap_or("data:,"))
        ),
        share = share.map_or(String::new(), |u| format!(
            "<meta name=\"nps-share\" content=\"{}\">",
            esc(u)
        )),
        css = nps_core::STYLESHEET,
    )
}

/// The `.nps` wrapper and card, as the widget renders them.
pub(crate) fn card(cfg: &Config, screen: &str, inner: &str) -> String {
    let style = cfg.card_style();
    format!(
        "<div class=\"nps nps--{mode}\" data-theme=\"{theme}\" lang=\"{lang}\" style=\"{style}\" data-screen=\"{screen}\">\
<section class=\"nps-card\" aria-labelledby=\"nps-q\">{inner}</section></div>",
        mode = Mode::Inline.name(),
        theme = cfg.theme.name(),
        lang = cfg.locale.tag(),
        style = esc(&style),
    )
}

/// Keys the landing page decides itself: always inline, shown at once, asked (the server
/// checked the visit), with the context the page was opened with.
const PAGE_DECIDES: &[&str] = &[
    keys::MODE.name,
    keys::POSITION.name,
    keys::TRIGGER.name,
    keys::DELAY_MS.name,
    keys::SCROLL_PERCENT.name,
    keys::CLICK_SELECTOR.name,
    keys::FORCE.name,
    keys::CONTEXT.name,
    keys::KIOSK_RESET_S.name,
];

/// The element the widget takes over: the survey's config as `data-*` attributes, and the
/// response it continues (`Takeover`).
fn host(
    raw: &Map<String, Value>,
    context: &BTreeMap<String, String>,
    t: Option<&Takeover>,
    inner: &str,
) -> String {
    let mut attrs = format!(" data-nps-survey {}", keys::FORCE.attribute());
    for (k, v) in raw
        .iter()
        .filter(|(k, _)| !PAGE_DECIDES.contains(&k.as_str()))
    {
        let text = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let _ = write!(attrs, " data-{}=\"{}\"", k.replace('_', "-"), esc(&text));
    }
    // The context the page was opened with: the follow-up's URL no longer has the query.
    let ctx = serde_json::to_string(context).unwrap_or_default();
    let _ = write!(attrs, " {}=\"{}\"", keys::CONTEXT.attribute(), esc(&ctx));
    for (name, value) in t.map(Takeover::attributes).unwrap_or_default() {
        let _ = write!(attrs, " {name}=\"{}\"", esc(&value));
    }
    format!("<div id=\"nps\"{attrs}>{inner}</div>")
}

fn widget_script(chrome: &Chrome) -> String {
    chrome.widget.map_or(String::new(), |src| {
        format!("<script src=\"{}\" defer></script>", esc(src))
    })
}

/// The question's heading: the brand kept on one line; a re-survey's line above it.
fn question_heading(cfg: &Config, context: &BTreeMap<String, String>) -> String {
    let q = cfg.question(context);
    let brand = if q.brand.is_empty() {
        String::new()
    } else {
        format!("<span class=\"nps-brand\">{}</span>", esc(&q.brand))
    };
    format!(
        "{}<h1 id=\"nps-q\" class=\"nps-question\">{}{brand}{}</h1>",
        crate::recovery::intro(cfg.locale, context),
        esc(&q.before),
        esc(&q.after)
    )
}

/// The 0–10 form: eleven submit buttons named `score`, the response's id, time and write
/// key (in the form's body, never its URL), and the honeypot (out of sight, labelled, out of the tab order).
fn scale_form(
    cfg: &Config,
    context: &BTreeMap<String, String>,
    action: &str,
    t: Option<&Takeover>,
) -> String {
    let mut out = format!(
        "<form method=\"post\" action=\"{}\">{}",
        esc(action),
        question_heading(cfg, context)
    );
    let score = t.and_then(|t| t.score);
    let chosen = if score.is_some() {
        " nps-scale--chosen"
    } else {
        ""
    };
    let _ = write!(
        out,
        "<div class=\"nps-scale{chosen}\" role=\"group\" aria-labelledby=\"nps-q\">"
    );
    for s in Score::all() {
        let category = s.category().as_str();
        let label = match s {
            Score::MIN => format!("{s} – {}", cfg.text(Text::ScaleLow)),
            Score::MAX => format!("{s} – {}", cfg.text(Text::ScaleHigh)),
            _ => fill(cfg.text(Text::ScoreLabel), &[("score", &s.to_string())]),
        };
        let pressed = if score == Some(s) {
            " aria-pressed=\"true\""
        } else {
            ""
        };
        let _ = write!(
            out,
            "<button type=\"submit\" name=\"score\" value=\"{s}\" class=\"nps-score nps-{category}\" data-score=\"{s}\" aria-label=\"{}\"{pressed}>{s}</button>",
            esc(&label)
        );
    }
    let _ = write!(
        out,
        "</div><div class=\"nps-ends\" aria-hidden=\"true\"><span>{}</span><span>{}</span></div>{}\
<div class=\"nps-hp\" aria-hidden=\"true\"><label>Website <input type=\"text\" name=\"{HONEYPOT_FIELD}\" tabindex=\"-1\" autocomplete=\"off\"></label></div></form>",
        esc(cfg.text(Text::ScaleLow)),
        esc(cfg.text(Text::ScaleHigh)),
        t.map_or(String::new(), |t| format!(
            "<input type=\"hidden\" name=\"id\" value=\"{}\"><input type=\"hidden\" name=\"created_at\" value=\"{}\">{}",
            esc(&t.id),
            esc(&t.created_at),
            t.write_key.as_deref().map_or(String::new(), |k| format!(
                "<input type=\"hidden\" name=\"{WRITE_KEY}\" value=\"{}\">",
                esc(k)
            ))
        )),
    );
    out
}

/// The question page: answerable before any script runs.
pub fn question(
    cfg: &Config,
    raw: &Map<String, Value>,
    context: &BTreeMap<String, String>,
    action: &str,
    t: &Takeover,
    chrome: &Chrome,
) -> String {
    let inner = card(cfg, "asking", &scale_form(cfg, context, action, Some(t)));
    document(
        cfg,
        &chrome.masthead,
        &host(raw, context, Some(t), &inner),
        &widget_script(chrome),
    )
}

/// The question as a static file for a page hosted elsewhere: its form posts to the
/// collector's `action` with the page's own query string (the visit context), and the widget
/// comes from the collector too. Without JavaScript the form still posts, without the context.
pub fn static_question(
    cfg: &Config,
    raw: &Map<String, Value>,
    action: &str,
    widget: &str,
) -> String {
    let none = BTreeMap::new();
    let inner = card(cfg, "asking", &scale_form(cfg, &none, action, None));
    let script =
        format!(
        "<script>var f=document.querySelector('#nps form');f.action+=location.search;</script>{}",
        widget_script(&Chrome { widget: Some(widget), masthead: Masthead::default() })
    );
    document(
        cfg,
        &Masthead::default(),
        &host(raw, &none, None, &inner),
        &script,
    )
}

/// The follow-up page: the scale (the score stays changeable), then reasons, comment, and for
/// a detractor the call-back offer, as a second form; `survey` holds what was entered and any
/// problem with it.
#[allow(clippy::too_many_arguments)]
pub fn follow_up(
    cfg: &Config,
    raw: &Map<String, Value>,
    context: &BTreeMap<String, String>,
    scale_action: &str,
    action: &str,
    t: &Takeover,
    survey: &Survey,
    chrome: &Chrome,
) -> String {
    let Some(asked) = follow_up::follow_up(cfg, survey, context) else {
        return question(cfg, raw, context, scale_action, t, chrome);
    };
    let prompt = asked.prompt;
    let mut f = format!(
        "<form method=\"post\" action=\"{}\" class=\"nps-follow-up\" aria-labelledby=\"nps-p\">\
<p id=\"nps-p\" class=\"nps-prompt\">{}</p><fieldset class=\"nps-chips\"><legend class=\"nps-sr\">{}</legend>",
        esc(action),
        esc(cfg.text(prompt)),
        esc(cfg.text(prompt)),
    );
    for r in &cfg.reasons {
        let checked = if survey.reasons.contains(&r.id) {
            " checked"
        } else {
            ""
        };
        let _ = write!(
            f,
            "<label class=\"nps-chip\" data-reason=\"{id}\"><input type=\"checkbox\" name=\"reason\" value=\"{id}\"{checked}><span>{}</span></label>",
            esc(&r.label),
            id = esc(&r.id),
        );
    }
    let _ = write!(
        f,
        "</fieldset><label class=\"nps-label\" for=\"nps-comment\">{}</label>\
<textarea id=\"nps-comment\" class=\"nps-comment\" name=\"comment\" rows=\"3\" maxlength=\"{MAX_COMMENT}\" placeholder=\"{}\">{}</textarea>",
        esc(cfg.text(Text::CommentLabel)),
        esc(cfg.text(Text::CommentPlaceholder)),
        esc(&survey.comment),
    );
    if let Some(offer) = asked.callback {
        let problem = offer.problem.map(|p| cfg.text(p));
        // The order's number: a box of its own, which wins over a phone typed below it.
        let on_file = offer.on_file.map_or(String::new(), |words| format!(
            "<label class=\"nps-consent nps-on-file\"><input type=\"checkbox\" class=\"nps-on-file-box\" name=\"on_file\" value=\"1\"{}><span>{}</span></label>",
            if survey.on_file { " checked" } else { "" },
            esc(&words),
        ));
        let _ = write!(
            f,
            "<div class=\"nps-callback\"><p class=\"nps-prompt\">{}</p>{on_file}\
<label class=\"nps-label\" for=\"nps-phone\">{}</label>\
<input id=\"nps-phone\" class=\"nps-phone\" type=\"tel\" name=\"phone\" inputmode=\"tel\" autocomplete=\"tel\" maxlength=\"{MAX_PHONE_INPUT}\" value=\"{}\"{}>\
<label class=\"nps-consent\"><input type=\"checkbox\" class=\"nps-consent-box\" name=\"consent\" value=\"1\"{}><span>{}</span></label>{}</div>",
            esc(cfg.text(offer.offer)),
            esc(cfg.text(Text::PhoneLabel)),
            esc(&survey.phone),
            if survey.problem == Some(Problem::PhoneInvalid) { " aria-invalid=\"true\"" } else { "" },
            if survey.consent { " checked" } else { "" },
            esc(&cfg.consent_text()),
            problem.map_or(String::new(), |p| format!("<p class=\"nps-problem\" role=\"alert\">{}</p>", esc(p))),
        );
    }
    let _ = write!(
        f,
        "<div class=\"nps-actions\"><button type=\"submit\" class=\"nps-submit\" name=\"action\" value=\"submit\">{}</button>\
<button type=\"submit\" class=\"nps-text-button nps-skip\" name=\"action\" value=\"skip\">{}</button></div></form>",
        esc(cfg.text(Text::Submit)),
        esc(cfg.text(Text::Skip)),
    );
    let inner = card(
        cfg,
        "follow-up",
        &format!("{}{f}", scale_form(cfg, context, scale_action, Some(t))),
    );
    document(
        cfg,
        &chrome.masthead,
        &host(raw, context, Some(t), &inner),
        &widget_script(chrome),
    )
}

/// The locale a page is in when there is no survey to read it from.
pub fn fallback_config(locale: Locale) -> Config {
    let mut obj = Map::new();
    obj.insert(
        keys::ENDPOINT.name.into(),
        Value::String(super::surveys::ENDPOINT.into()),
    );
    obj.insert(keys::LOCALE.name.into(), Value::String(locale.tag().into()));
    Config::from_object(&obj, None).expect("the defaults are a valid config")
}
