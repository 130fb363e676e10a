//! The re-survey of a resolved case: a signed landing link that asks its customer the same
//! 0–10 question again, and what the landing page says above it.
//!
//! ```text
//! /s/{survey}?store=…&advisor=…&visit=R-{first 8 hex of the case id}&recovery={case id}&t=…
//! ```
//!
//! The link is a visit link like `sign-visit`'s (`links::landing_url`), signed with the visit
//! secret over every value it carries, valid `TTL_S` (14 days). The intake takes `recovery`
//! only from a verified link (`visit::SIGNED_ONLY`), stores the answer flagged
//! `intake::RECOVERY` (kept, never counted in the NPS) and admits it as the case's
//! (`Admission::recovery_of`); the store records its score on the case. Its page has no
//! widget (the widget never shows the line below, so its words stay out of the wasm).

use std::collections::BTreeMap;

use nps_core::contract::rules::{self, RECOVERY, VISIT};
use nps_core::words::Locale;

use crate::html::escape_html as esc;
use crate::landing::Landing;
use crate::links::{self, Signing};
use crate::visit::VisitKey;

/// How long a re-survey link may start an answer: 14 days.
pub const TTL_S: i64 = 14 * 86_400;

/// The resolved case a re-survey link is for.
#[derive(Clone, Copy, Debug)]
pub struct Resolved<'a> {
    /// The case's id (a UUID v4).
    pub case: uuid::Uuid,
    /// The survey its answer came from: the re-survey asks the same question.
    pub survey: &'a str,
    pub store: Option<&'a str>,
    pub advisor: Option<&'a str>,
}

/// The visit a case's re-survey answers: `R-` and the first 8 hex digits of the case's id.
pub fn visit_of(case: uuid::Uuid) -> String {
    format!("R-{}", &case.simple().to_string()[..8])
}

/// The re-survey link of a resolved case under `base` (the collector's public address),
/// signed with `key` until `now_s + TTL_S` (Unix seconds). An error names what the survey's
/// landing page would not carry (a store or advisor that is not a context value, a survey
/// whose `context_params` leave out `recovery`).
pub fn recovery_url(
    key: &VisitKey,
    landing: &Landing,
    base: &str,
    case: &Resolved,
    now_s: i64,
) -> Result<String, String> {
    let mut carried: BTreeMap<String, String> = [
        (VISIT, Some(visit_of(case.case))),
        (RECOVERY, Some(case.case.hyphenated().to_string())),
        ("store", case.store.map(str::to_owned)),
        ("advisor", case.advisor.map(str::to_owned)),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
    .collect();
    carried.retain(|_, v| !v.is_empty());
    let sign = Signing {
        key,
        ttl_s: TTL_S,
        now_s,
    };
    let keys = landing.link_keys(case.survey);
    links::landing_url(base, case.survey, &keys, &carried, Some(&sign))
}

/// Whether a response's context is a re-survey's.
pub fn is_recovery(context: &BTreeMap<String, String>) -> bool {
    context.contains_key(rules::RECOVERY)
}

/// The line a re-survey's page shows above the question, in the page's locale.
pub fn intro_words(locale: Locale) -> &'static str {
    match locale {
        Locale::ZhCn => "上次的问题处理得怎么样？",
        Locale::ZhTw => "上次的問題處理得怎麼樣？",
        Locale::En => "How did we do in putting things right?",
    }
}

/// The line above the question as HTML, for a re-survey's context; empty for any other.
pub fn intro(locale: Locale, context: &BTreeMap<String, String>) -> String {
    if !is_recovery(context) {
        return String::new();
    }
    format!(
        "<p class=\"nps-prompt nps-recovery\">{}</p>",
        esc(intro_words(locale))
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::visit::{signed_context, TokenError, TOKEN_KEY};

    const CASE: &str = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b";

    fn key() -> VisitKey {
        VisitKey::new("a secret of some length").unwrap()
    }

    fn resolved(store: Option<&'static str>) -> Resolved<'static> {
        Resolved {
            case: uuid::Uuid::parse_str(CASE).unwrap(),
            survey: "after-sales",
            store,
            advisor: Some("wang"),
        }
    }

    fn query(url: &str) -> BTreeMap<String, String> {
        url::Url::parse(url)
            .unwrap()
            .query_pairs()
            .into_owned()
            .collect()
    }

    /// The link's signature round trip: what the page reads from it verifies, until 14 days
    /// from now; an edited case, visit or store does not.
    #[test]
    fn a_re_survey_link_is_signed_over_its_case_for_14_days() {
        let now = 1_900_000_000;
        let url = recovery_url(
            &key(),
            &Landing::default(),
            "https://nps.example.com",
            &resolved(Some("SZ-FT")),
            now,
        )
        .unwrap();
        assert!(
            url.starts_with(&format!(
                "https://nps.example.com/s/after-sales?store=SZ-FT&advisor=wang&visit=R-6f1c2b3a&recovery={CASE}&t={}.",
                now + 14 * 86_400
            )),
            "{url}"
        );
        let read = query(&url);
        let verify = |c: &BTreeMap<String, String>| {
            let t = c.get(TOKEN_KEY).map(String::as_str);
            key().verify("after-sales", &signed_context(c, &BTreeMap::new()), t)
        };
        assert_eq!(verify(&read), Ok(now + TTL_S));
        for (k, v) in [
            ("recovery", "0b6c2a8e-5d1f-4c3b-9a7e-2f4d6b8c0e1a"),
            ("visit", "R-0b6c2a8e"),
            ("store", "SH-PD"),
        ] {
            let mut edited = read.clone();
            edited.insert(k.into(), v.into());
            assert_eq!(verify(&edited), Err(TokenError::Tampered), "{k}");
        }
        // A case without a store or advisor: a link without them.
        let bare = Resolved {
            advisor: None,
            ..resolved(None)
        };
        let url = recovery_url(&key(), &Landing::default(), "https://x", &bare, now).unwrap();
        assert_eq!(
            query(&url).keys().collect::<Vec<_>>(),
            ["recovery", "t", "visit"]
        );
    }

    #[test]
    fn a_link_the_page_would_not_carry_is_refused() {
        let bad_store = recovery_url(
            &key(),
            &Landing::default(),
            "https://x",
            &resolved(Some(" SZ-FT")),
            0,
        );
        assert!(bad_store.unwrap_err().starts_with("store="));
        let landing =
            Landing::from_json(r#"{"after-sales": {"context_params": ["store", "visit", "t"]}}"#)
                .unwrap();
        let e = recovery_url(&key(), &landing, "https://x", &resolved(None), 0).unwrap_err();
        assert!(e.contains("does not take advisor"), "{e}");
    }

    #[test]
    fn the_line_above_the_question_is_only_a_re_surveys() {
        let context: BTreeMap<String, String> = [("recovery".to_owned(), CASE.to_owned())].into();
        assert_eq!(
            intro(Locale::ZhCn, &context),
            "<p class=\"nps-prompt nps-recovery\">上次的问题处理得怎么样？</p>"
        );
        assert!(intro(Locale::ZhTw, &context).contains("上次的問題處理得怎麼樣？"));
        assert!(intro(Locale::En, &context).contains("How did we do"));
        assert_eq!(intro(Locale::ZhCn, &BTreeMap::new()), "");
        assert_eq!(visit_of(uuid::Uuid::parse_str(CASE).unwrap()), "R-6f1c2b3a");
    }
}
