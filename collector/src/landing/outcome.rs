//! The outcome page (a promoter's one action: their referral page, else the survey's invite
//! page shared by `share.js`) and the one-line notices, in the widget's classes and through
//! `page::document`, like every landing page.

use std::fmt::Write as _;

use nps_core::config::Config;
use nps_core::scoring::score::Category;
use nps_core::survey::outcome::{outcome, Reach};
use nps_core::words::Text;

use super::invite;
use super::masthead::Masthead;
use super::page::{card, document};
use crate::html::escape_html as esc;

/// The outcome page of response `id` (not taken over: it needs no wasm). A promoter's
/// invitation is their referral page (`referral_page`, a plain link); for a survey posting
/// elsewhere, a link to the survey's invite page, never to this one, that `share.js` turns
/// into a share when scripts run (`invite::SCRIPT`).
pub fn outcome_page(
    cfg: &Config,
    m: &Masthead,
    id: &str,
    category: Category,
    reach: Reach,
) -> String {
    let o = outcome(cfg, id, category, reach);
    let mut actions = String::new();
    if let Some(a) = &o.primary {
        let share = if a.share {
            format!(
                " data-share data-title=\"{}\" data-wechat=\"{}\" data-copied=\"{}\"",
                esc(cfg.brand_in_sentence()),
                esc(cfg.text(Text::ShareInWeChat)),
                esc(cfg.text(Text::LinkCopied)),
            )
        } else {
            String::new()
        };
        let href = if a.share {
            invite::url(cfg)
        } else {
            a.href.clone()
        };
        let _ = write!(
            actions,
            "<a class=\"nps-primary\" href=\"{}\" rel=\"noopener noreferrer\"{share}>{}</a>",
            esc(&href),
            esc(&a.label)
        );
    }
    if let Some(a) = &o.secondary {
        let _ = write!(
            actions,
            "<a class=\"nps-link\" href=\"{}\" rel=\"noopener noreferrer\">{}</a>",
            esc(&a.href),
            esc(&a.label)
        );
    }
    if !actions.is_empty() {
        actions = format!("<div class=\"nps-actions nps-actions--outcome\">{actions}</div>");
    }
    let inner = format!(
        "<div class=\"nps-outcome nps-outcome--{c}\" role=\"status\"><div class=\"nps-outcome-mark nps-{c}\" aria-hidden=\"true\">{}</div>\
<h1 id=\"nps-q\" class=\"nps-outcome-title\">{}</h1><p class=\"nps-outcome-body\">{}</p>{actions}<p id=\"nps-note\" class=\"nps-note\" role=\"status\"></p></div>",
        o.mark,
        esc(&o.title),
        esc(&o.body),
        c = category.as_str(),
    );
    // Every outcome is served at its response's address; inside WeChat (whose ··· shares the
    // page itself) the invite page becomes the address, whatever the score.
    let script = format!("<script>{}</script>", invite::SCRIPT);
    document(cfg, m, &card(cfg, "done", &inner), &script)
}

/// A one-line page: already answered, an invalid or expired link.
pub fn notice(cfg: &Config, text: Text) -> String {
    let inner = format!(
        "<div class=\"nps-outcome\" role=\"status\"><h1 id=\"nps-q\" class=\"nps-outcome-title\">{}</h1></div>",
        esc(cfg.text(text))
    );
    document(cfg, &Masthead::default(), &card(cfg, "notice", &inner), "")
}
