//! What the follow-up asks after a score, decided once for the widget's `FollowUp` and the
//! collector's follow-up page: the category's prompt, and for a detractor (when the survey
//! offers it) the call-back offer with the problem to show, if any, and where the signed
//! visit link carries the order's phone tail, the tick "call me at the number on my order".

use std::collections::BTreeMap;

use crate::config::Config;
use crate::scoring::score::Category;
use crate::survey::flow::{on_file_tail, Problem, Survey};
use crate::words::{fill, Text};

/// The follow-up for a chosen score.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowUp {
    pub category: Category,
    /// The question above the reasons.
    pub prompt: Text,
    /// The call-back offer (phone and consent), for a detractor when `callback` is on.
    pub callback: Option<Callback>,
}

/// The call-back offer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Callback {
    /// The offer's words.
    pub offer: Text,
    /// The tick "call me at the number on my order (ending 3788)", its words filled, where the
    /// response's context carries the order's phone tail.
    pub on_file: Option<String>,
    /// What is wrong with the phone or the consent, after a submit.
    pub problem: Option<Text>,
}

/// The follow-up for the survey's score, for a response with `context`; `None` before a score.
pub fn follow_up(
    cfg: &Config,
    survey: &Survey,
    context: &BTreeMap<String, String>,
) -> Option<FollowUp> {
    let category = survey.category()?;
    let prompt = match category {
        Category::Detractor => Text::FollowUpDetractor,
        Category::Passive => Text::FollowUpPassive,
        Category::Promoter => Text::FollowUpPromoter,
    };
    let callback = (category == Category::Detractor && cfg.callback).then(|| Callback {
        offer: Text::CallbackOffer,
        on_file: on_file_tail(context)
            .map(|tail| fill(cfg.text(Text::CallbackOnFile), &[("last4", tail)])),
        problem: survey.problem.map(|p| match p {
            Problem::PhoneInvalid => Text::PhoneInvalid,
            Problem::ConsentNeeded => Text::ConsentNeeded,
        }),
    });
    Some(FollowUp {
        category,
        prompt,
        callback,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::score::Score;

    fn cfg(extra: &str) -> Config {
        Config::from_json(&format!(r#"{{"endpoint": "/x"{extra}}}"#), None).unwrap()
    }

    #[test]
    fn each_category_gets_its_prompt_and_only_a_detractor_the_call_back() {
        let offered = |problem| {
            Some(Callback {
                offer: Text::CallbackOffer,
                on_file: None,
                problem,
            })
        };
        for (score, extra, problem, prompt, callback) in [
            (0, "", None, Text::FollowUpDetractor, offered(None)),
            (
                6,
                "",
                Some(Problem::ConsentNeeded),
                Text::FollowUpDetractor,
                offered(Some(Text::ConsentNeeded)),
            ),
            (
                3,
                "",
                Some(Problem::PhoneInvalid),
                Text::FollowUpDetractor,
                offered(Some(Text::PhoneInvalid)),
            ),
            (
                2,
                r#", "callback": false"#,
                None,
                Text::FollowUpDetractor,
                None,
            ),
            (7, "", None, Text::FollowUpPassive, None),
            (8, "", None, Text::FollowUpPassive, None),
            (9, "", None, Text::FollowUpPromoter, None),
            (10, "", None, Text::FollowUpPromoter, None),
        ] {
            let s = Survey {
                problem,
                ..Survey::resume(Score::new(score).unwrap())
            };
            let f = follow_up(&cfg(extra), &s, &BTreeMap::new()).unwrap();
            assert_eq!(
                (f.prompt, f.callback),
                (prompt, callback),
                "{score} {extra}"
            );
            assert_eq!(Some(f.category), s.category());
        }
        assert_eq!(
            follow_up(&cfg(""), &Survey::new(false), &BTreeMap::new()),
            None
        );
    }

    #[test]
    fn the_number_on_the_order_is_offered_where_the_link_carries_its_tail() {
        let context = |tail: &str| -> BTreeMap<String, String> {
            [("visit", "RO-1"), ("phone_tail", tail)]
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .into()
        };
        let tick = |extra: &str, score: u8, tail: &str| {
            follow_up(
                &cfg(extra),
                &Survey::resume(Score::new(score).unwrap()),
                &context(tail),
            )
            .unwrap()
            .callback
            .and_then(|c| c.on_file)
        };
        for (locale, words) in [
            ("zh-CN", "请按工单预留号码（尾号 3788）联系我"),
            ("zh-TW", "請按工單預留號碼（尾號 3788）聯絡我"),
            ("en", "Call me at the number on my order (ending 3788)"),
        ] {
            let extra = format!(r#", "locale": "{locale}""#);
            assert_eq!(tick(&extra, 3, "3788").as_deref(), Some(words));
        }
        // Not a tail, not a detractor, no call-back offered: no tick.
        assert_eq!(tick("", 3, "37885"), None);
        assert_eq!(tick("", 8, "3788"), None);
        assert_eq!(tick(r#", "callback": false"#, 3, "3788"), None);
    }
}
