//! What the customer reads at the end, for the widget and the collector's landing pages
//! alike: a title, one or two sentences that fit the category and what the brand can do
//! (call back, get in touch about the visit, or only look into it), a calm mark, and at most
//! one primary action.
//!
//! A promoter's primary action is their personal referral page on the collector the survey
//! posts to (`referral_page`: a plain link, so it works before any script and inside WeChat);
//! a survey posting elsewhere keeps the shared `referral_url`.

use crate::config::Config;
use crate::scoring::score::Category;
use crate::words::{fill, glue, Text};

/// The path of a collector's responses endpoint: a survey whose `endpoint` ends with it posts
/// to a collector, whose other pages (`/s/…`) sit beside it.
pub const COLLECTOR_ENDPOINT: &str = "/api/responses";

/// The collector an `endpoint` posts to: its base URL (`""` for the page's own origin), when
/// the endpoint is a collector's (`…/api/responses`, relative or http(s)); `None` for any
/// other endpoint.
pub fn collector_base(endpoint: &str) -> Option<&str> {
    let base = endpoint.strip_suffix(COLLECTOR_ENDPOINT)?;
    (base.is_empty() || base.starts_with("http://") || base.starts_with("https://")).then_some(base)
}

/// A promoter's personal referral page, `{collector}/s/{survey}/{id}/refer` (the response id
/// is the capability), when the survey posts to a collector; `None` otherwise.
pub fn referral_page(cfg: &Config, response_id: &str) -> Option<String> {
    let base = collector_base(&cfg.endpoint)?;
    Some(format!("{base}/s/{}/{response_id}/refer", cfg.survey))
}

/// How the brand can reach this customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// A phone was left with consent: a call back is promised.
    CallBack,
    /// The visit identifies the customer (a repair order): contact is promised.
    Visit,
    /// Nothing identifies them: no promise of contact.
    Anonymous,
}

impl Reach {
    /// From what a response carries.
    pub fn of(called_back: bool, has_visit: bool) -> Reach {
        match (called_back, has_visit) {
            (true, _) => Reach::CallBack,
            (false, true) => Reach::Visit,
            (false, false) => Reach::Anonymous,
        }
    }
}

/// A link the outcome offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    pub href: String,
    pub label: String,
    /// Invite a friend through the survey's `referral_url`: shared (share sheet, WeChat's menu,
    /// or copied) rather than opened. A referral page (`referral_page`) is opened: it shares.
    pub share: bool,
}

/// The outcome screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub category: Category,
    /// A calm mark beside the title: never an alarm, also for a detractor.
    pub mark: &'static str,
    pub title: String,
    pub body: String,
    /// The one primary action (promoters): the referral when there is one, else the review.
    pub primary: Option<Action>,
    /// A quieter second link: the review, when the referral is primary.
    pub secondary: Option<Action>,
}

/// The outcome of response `id` in `category` whose customer the brand can reach as `reach`.
pub fn outcome(cfg: &Config, id: &str, category: Category, reach: Reach) -> Outcome {
    let hours = cfg.callback_hours.to_string();
    let (mark, title, body) = match category {
        Category::Detractor => {
            let body = match reach {
                Reach::CallBack => Text::OutcomeDetractorCallback,
                Reach::Visit => Text::OutcomeDetractor,
                Reach::Anonymous => Text::OutcomeDetractorAnonymous,
            };
            ("✓", Text::OutcomeTitleDetractor, body)
        }
        Category::Passive => ("✓", Text::OutcomeTitlePassive, Text::OutcomePassive),
        Category::Promoter => ("♥", Text::OutcomeTitlePromoter, Text::OutcomePromoter),
    };
    let link = |href: &Option<String>, label: Text, share: bool| {
        href.as_ref().map(|h| Action {
            href: h.clone(),
            label: cfg.text(label).to_owned(),
            share,
        })
    };
    let (primary, secondary) = if category == Category::Promoter {
        let referral = match referral_page(cfg, id) {
            Some(href) => Some(Action {
                href,
                label: cfg.text(Text::ReferralAction).to_owned(),
                share: false,
            }),
            None => link(&cfg.referral_url, Text::ReferralAction, true),
        };
        let review = link(&cfg.review_url, Text::ReviewAction, false);
        match referral {
            Some(r) => (Some(r), review),
            None => (review, None),
        }
    } else {
        (None, None)
    };
    Outcome {
        category,
        mark,
        title: cfg.text(title).to_owned(),
        body: glue(&fill(cfg.text(body), &[("hours", &hours)])),
        primary,
        secondary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "6f1c2b8e-0a4d-4c1e-9b7a-2d3e4f5a6b7c";

    fn cfg(extra: &str) -> Config {
        Config::from_json(
            &format!(r#"{{"endpoint": "/x", "locale": "zh-CN", "callback_hours": 24{extra}}}"#),
            None,
        )
        .unwrap()
    }

    #[test]
    fn a_detractor_hears_what_will_happen_and_no_alarm() {
        let c = cfg("");
        let body = |reach| outcome(&c, ID, Category::Detractor, reach).body;
        assert!(body(Reach::CallBack).contains("24\u{a0}小时内，服务经理会给您回电"));
        assert!(body(Reach::Visit).contains("24\u{a0}小时内，服务经理会与您联系"));
        assert!(!body(Reach::Anonymous).contains("小时"));
        assert_eq!(
            outcome(&c, ID, Category::Detractor, Reach::CallBack).mark,
            "✓"
        );
        assert_eq!(
            outcome(&c, ID, Category::Detractor, Reach::Visit).primary,
            None
        );
    }

    #[test]
    fn a_promoter_gets_one_primary_action() {
        let both =
            cfg(r#", "referral_url": "https://r.example", "review_url": "https://v.example""#);
        let o = outcome(&both, ID, Category::Promoter, Reach::Anonymous);
        let p = o.primary.unwrap();
        assert_eq!(
            (p.href.as_str(), p.label.as_str(), p.share),
            ("https://r.example", "邀请好友试驾", true)
        );
        assert_eq!(o.secondary.unwrap().label, "写一条评价");
        let review = cfg(r#", "review_url": "https://v.example""#);
        let o = outcome(&review, ID, Category::Promoter, Reach::Anonymous);
        assert_eq!(
            (o.primary.map(|a| a.share), o.secondary),
            (Some(false), None)
        );
        assert_eq!(
            outcome(&cfg(""), ID, Category::Promoter, Reach::Visit).primary,
            None
        );
        assert_eq!(
            outcome(&both, ID, Category::Passive, Reach::Visit).primary,
            None
        );
        assert_eq!(Reach::of(true, false), Reach::CallBack);
        assert_eq!(Reach::of(false, true), Reach::Visit);
    }

    #[test]
    fn a_promoter_on_a_collector_gets_their_own_referral_page() {
        let on = |endpoint: &str, extra: &str| {
            let raw = format!(
                r#"{{"endpoint": "{endpoint}", "survey": "after-sales", "locale": "zh-CN"{extra}}}"#
            );
            Config::from_json(&raw, None).unwrap()
        };
        let check = |endpoint: &str, want: Option<&str>| {
            let got = referral_page(&on(endpoint, ""), ID);
            let want = want.map(|w| format!("{w}/s/after-sales/{ID}/refer"));
            assert_eq!(got, want, "{endpoint}");
        };
        check("/api/responses", Some(""));
        check(
            "https://nps.example.com/api/responses",
            Some("https://nps.example.com"),
        );
        check(
            "https://nps.example.com/base/api/responses",
            Some("https://nps.example.com/base"),
        );
        check("https://other.example/collect", None);
        check("/x", None);
        assert_eq!(collector_base("ftp://nps.example.com/api/responses"), None);
        // The referral page wins over the shared referral_url, opened as a plain link (no
        // script needed, so WeChat's page shows it too); the review stays second.
        let both = r#", "referral_url": "https://r.example", "review_url": "https://v.example""#;
        let o = outcome(
            &on("/api/responses", both),
            ID,
            Category::Promoter,
            Reach::Visit,
        );
        let p = o.primary.unwrap();
        assert_eq!(
            (p.href, p.label.as_str(), p.share),
            (format!("/s/after-sales/{ID}/refer"), "邀请好友试驾", false)
        );
        assert_eq!(o.secondary.unwrap().href, "https://v.example");
        // Elsewhere the shared referral_url stays.
        let o = outcome(
            &on("https://other.example/collect", both),
            ID,
            Category::Promoter,
            Reach::Visit,
        );
        assert_eq!(
            o.primary.map(|a| (a.href, a.share)),
            Some(("https://r.example".into(), true))
        );
        // Only a promoter is asked.
        let passive = outcome(
            &on("/api/responses", ""),
            ID,
            Category::Passive,
            Reach::Visit,
        );
        assert_eq!(passive.primary, None);
    }
}
