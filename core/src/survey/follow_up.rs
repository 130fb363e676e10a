//! What the follow-up asks after a score, decided once for the widget's `FollowUp` and the
//! collector's follow-up page: the category's prompt, and for a detractor (when the survey
//! offers it) the call-back offer with the problem to show, if any.

use crate::config::Config;
use crate::scoring::score::Category;
use crate::survey::flow::{Problem, Survey};
use crate::words::Text;

/// The follow-up for a chosen score.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FollowUp {
    pub category: Category,
    /// The question above the reasons.
    pub prompt: Text,
    /// The call-back offer (phone and consent), for a detractor when `callback` is on.
    pub callback: Option<Callback>,
}

/// The call-back offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Callback {
    /// The offer's words.
    pub offer: Text,
    /// What is wrong with the phone or the consent, after a submit.
    pub problem: Option<Text>,
}

/// The follow-up for the survey's score; `None` before a score.
pub fn follow_up(cfg: &Config, survey: &Survey) -> Option<FollowUp> {
    let category = survey.category()?;
    let prompt = match category {
        Category::Detractor => Text::FollowUpDetractor,
        Category::Passive => Text::FollowUpPassive,
        Category::Promoter => Text::FollowUpPromoter,
    };
    let callback = (category == Category::Detractor && cfg.callback).then(|| Callback {
        offer: Text::CallbackOffer,
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
            let f = follow_up(&cfg(extra), &s).unwrap();
            assert_eq!(
                (f.prompt, f.callback),
                (prompt, callback),
                "{score} {extra}"
            );
            assert_eq!(Some(f.category), s.category());
        }
        assert_eq!(follow_up(&cfg(""), &Survey::new(false)), None);
    }
}
