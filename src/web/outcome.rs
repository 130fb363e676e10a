//! The outcome: a message that fits the category, in place of the form.

use std::rc::Rc;

use yew::prelude::*;

use crate::config::Config;
use crate::i18n::{fill, Text};
use crate::score::Category;

#[derive(Properties, PartialEq)]
pub struct OutcomeProps {
    pub config: Rc<Config>,
    pub category: Category,
    /// The brand can reach this customer: a phone was left, or the visit identifies them.
    /// Only then does a detractor hear the promise of a call within the configured hours.
    pub contactable: bool,
}

#[component]
pub fn Outcome(props: &OutcomeProps) -> Html {
    let cfg = &props.config;
    let hours = cfg.callback_hours.to_string();
    let (mark, title, body) = match props.category {
        Category::Detractor => (
            "!",
            Text::OutcomeTitleDetractor,
            if props.contactable {
                fill(cfg.text(Text::OutcomeDetractor), &[("hours", &hours)])
            } else {
                cfg.text(Text::OutcomeDetractorAnonymous).to_owned()
            },
        ),
        Category::Passive => (
            "✓",
            Text::OutcomeTitlePassive,
            cfg.text(Text::OutcomePassive).to_owned(),
        ),
        Category::Promoter => (
            "♥",
            Text::OutcomeTitlePromoter,
            cfg.text(Text::OutcomePromoter).to_owned(),
        ),
    };
    let actions = (props.category == Category::Promoter && (cfg.referral_url.is_some() || cfg.review_url.is_some())).then(|| {
        // At most one primary action: the referral if there is one, the review otherwise.
        let (primary, secondary) = match (&cfg.referral_url, &cfg.review_url) {
            (Some(r), review) => (Some((r, Text::ReferralAction)), review.as_ref().map(|v| (v, Text::ReviewAction))),
            (None, Some(v)) => (Some((v, Text::ReviewAction)), None),
            (None, None) => (None, None),
        };
        html! {
            <div class="nps-actions">
                if let Some((href, t)) = primary {
                    <a class="nps-primary" href={href.clone()} target="_blank" rel="noopener noreferrer">{ cfg.text(t) }</a>
                }
                if let Some((href, t)) = secondary {
                    <a class="nps-link" href={href.clone()} target="_blank" rel="noopener noreferrer">{ cfg.text(t) }</a>
                }
            </div>
        }
    });
    html! {
        <div class={classes!("nps-outcome", format!("nps-outcome--{}", props.category))} role="status">
            <div class={classes!("nps-outcome-mark", format!("nps-{}", props.category))} aria-hidden="true">{ mark }</div>
            <p class="nps-outcome-title">{ cfg.text(title) }</p>
            <p class="nps-outcome-body">{ body }</p>
            { for actions }
        </div>
    }
}
