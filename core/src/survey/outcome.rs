//! What the customer reads at the end, for the widget and the collector's landing pages
//! alike: a title, one or two sentences that fit the category and what the brand can do
//! (call back, get in touch about the visit, or only look into it), a calm mark, and at most
//! one primary action.

use crate::config::Config;
use crate::scoring::score::Category;
use crate::words::{fill, Text};

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
    /// Invite a friend: shared (share sheet, WeChat's menu, or copied) rather than opened.
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

/// The outcome of a response in `category` whose customer the brand can reach as `reach`.
pub fn outcome(cfg: &Config, category: Category, reach: Reach) -> Outcome {
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
        let referral = link(&cfg.referral_url, Text::ReferralAction, true);
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
        body: fill(cfg.text(body), &[("hours", &hours)]),
        primary,
        secondary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let body = |reach| outcome(&c, Category::Detractor, reach).body;
        assert!(body(Reach::CallBack).contains("24 小时内，服务经理会给您回电"));
        assert!(body(Reach::Visit).contains("24 小时内，服务经理会与您联系"));
        assert!(!body(Reach::Anonymous).contains("小时"));
        assert_eq!(outcome(&c, Category::Detractor, Reach::CallBack).mark, "✓");
        assert_eq!(outcome(&c, Category::Detractor, Reach::Visit).primary, None);
    }

    #[test]
    fn a_promoter_gets_one_primary_action() {
        let both =
            cfg(r#", "referral_url": "https://r.example", "review_url": "https://v.example""#);
        let o = outcome(&both, Category::Promoter, Reach::Anonymous);
        let p = o.primary.unwrap();
        assert_eq!(
            (p.href.as_str(), p.label.as_str(), p.share),
            ("https://r.example", "邀请好友试驾", true)
        );
        assert_eq!(o.secondary.unwrap().label, "写一条评价");
        let review = cfg(r#", "review_url": "https://v.example""#);
        let o = outcome(&review, Category::Promoter, Reach::Anonymous);
        assert_eq!(
            (o.primary.map(|a| a.share), o.secondary),
            (Some(false), None)
        );
        assert_eq!(
            outcome(&cfg(""), Category::Promoter, Reach::Visit).primary,
            None
        );
        assert_eq!(
            outcome(&both, Category::Passive, Reach::Visit).primary,
            None
        );
        assert_eq!(Reach::of(true, false), Reach::CallBack);
        assert_eq!(Reach::of(false, true), Reach::Visit);
    }
}
