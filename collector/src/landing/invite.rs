//! The invite page, `GET /s/{survey}/invite`: what a promoter shares. The outcome page's share
//! points here, and so does, inside WeChat (whose ··· menu shares the page itself), the
//! outcome page's own address once its script has run, so a friend never receives someone's
//! response page (`/s/{survey}/{id}`) or visit link.
//!
//! It sends the friend on (`303`) to the survey's `referral_url` from the landing file (never
//! to a place from the query string: no open redirect), or, for a survey without one, shows a
//! small page of its own in the survey's language: the brand, an inviting line, and the
//! survey's review page when it has one. It carries nothing of the promoter's answer.

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use nps_core::config::Config;
use nps_core::survey::outcome::collector_base;
use nps_core::words::{fill, Text};

use super::{html, link, page};
use crate::html::escape_html as esc;
use crate::state::Shared;

/// The outcome page's script: `www/share.js` (the widget bundles the same file), then, inside
/// WeChat, the invite page (`<meta name="nps-share">`) made the page's address at once, and the
/// hook that turns an invitation link into a share. One constant text, so a CSP may name it by
/// its hash.
pub(crate) const SCRIPT: &str = concat!(
    include_str!("../../../www/share.js"),
    "var m=document.querySelector('meta[name=\"nps-share\"]');\
if(m&&/MicroMessenger/i.test(navigator.userAgent))try{history.replaceState(null,'',m.content);}catch(e){}\
document.querySelectorAll('[data-share]').forEach(function(a){\
a.addEventListener('click',function(e){e.preventDefault();\
npsShare(a.href,a.dataset.title).then(function(how){var n=document.getElementById('nps-note');\
if(how==='wechat'||how==='copied'){n.textContent=a.dataset[how];}\
else if(how==='open'){location.href=a.href;}});});});"
);

/// The invite page of a page's survey: on the collector that serves the page, or, for a
/// page hosted elsewhere (`nps-collector landing`), on the collector it posts to (the core's
/// `collector_base`, the one reading of an endpoint).
pub(super) fn url(cfg: &Config) -> String {
    let collector = collector_base(&cfg.endpoint).unwrap_or_default();
    format!("{collector}/s/{}/invite", cfg.survey)
}

/// `GET /s/{survey}/invite`: on to the referral, or the survey's own small page.
pub(crate) async fn invite(
    State(state): State<Shared>,
    Path(survey): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let (_, a) = match link(&state, &survey, &q, &headers) {
        Ok(found) => found,
        Err(page) => return page,
    };
    let to = a
        .cfg
        .referral_url
        .as_deref()
        .and_then(|u| url::Url::parse(u).ok());
    match to.and_then(|u| HeaderValue::from_str(u.as_str()).ok()) {
        Some(to) => (
            StatusCode::SEE_OTHER,
            [
                (header::LOCATION, to),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
        )
            .into_response(),
        None => html(StatusCode::OK, own_page(&a.cfg)),
    }
}

/// The page of a survey without a referral: the brand, an inviting line, its reviews.
fn own_page(cfg: &Config) -> String {
    let title = fill(
        cfg.text(Text::InviteTitle),
        &[("brand", cfg.brand_in_sentence())],
    );
    let reviews = cfg.review_url.as_ref().map_or(String::new(), |u| {
        format!(
            "<div class=\"nps-actions nps-actions--outcome\"><a class=\"nps-primary\" href=\"{}\" rel=\"noopener noreferrer\">{}</a></div>",
            esc(u),
            esc(cfg.text(Text::InviteReviews))
        )
    });
    let inner = format!(
        "<div class=\"nps-outcome\"><h1 id=\"nps-q\" class=\"nps-outcome-title\">{}</h1>{reviews}</div>",
        esc(&title)
    );
    page::document(
        cfg,
        &Default::default(),
        &page::card(cfg, "invite", &inner),
        "",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_invite_page_is_on_the_collector_a_page_posts_to() {
        let check = |endpoint: &str, want: &str| {
            let raw = format!(r#"{{"endpoint": "{endpoint}", "survey": "after-sales"}}"#);
            let cfg = Config::from_json(&raw, None).unwrap();
            assert_eq!(url(&cfg), want, "{endpoint}");
        };
        check("/api/responses", "/s/after-sales/invite");
        check(
            "https://nps.example.com/api/responses",
            "https://nps.example.com/s/after-sales/invite",
        );
        check(
            "https://nps.example.com/base/api/responses",
            "https://nps.example.com/base/s/after-sales/invite",
        );
        // A page served by the collector that posts elsewhere: its own collector's page.
        check("https://other.example/collect", "/s/after-sales/invite");
    }
}
