//! Taking over a page the server rendered: what a collector's landing page (`GET /s/{survey}`)
//! writes on the survey's element so that the widget, when its wasm arrives, continues the
//! same response in place: the same id, the same `created_at`, the score already chosen.
//!
//! ```text
//! <div data-nps-survey … data-nps-response="{id}|{created_at}|{write key}" [data-nps-score="{0–10}"]>
//!   …the question as plain HTML: a form of eleven submit buttons…
//! </div>
//! ```
//!
//! The write key is the response's (`rules::WRITE_KEY`): the collector puts it only in a page
//! it serves to the browser that holds it (the question page it just made, or a follow-up
//! page requested with the response's cookie), never in a URL.
//!
//! The collector writes these attributes with `Takeover::attributes` and the widget reads them
//! with `Takeover::read`; neither spells the names.

use crate::config::Config;
use crate::contract::rules;
use crate::scoring::score::Score;
use crate::survey::marks::{self, Draft};

/// The response the page belongs to: `{id}|{created_at}|{write key}`.
pub const RESPONSE_ATTR: &str = "data-nps-response";
/// The score the customer chose on an earlier page (the follow-up page carries it).
pub const SCORE_ATTR: &str = "data-nps-score";

/// A response a server-rendered page started.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Takeover {
    pub id: String,
    pub created_at: String,
    /// Chosen already: the widget opens on the follow-up.
    pub score: Option<Score>,
    /// The response's write key; `None` on a page that may not write it (the widget then
    /// starts a response of its own).
    pub write_key: Option<String>,
}

/// Which response a page starts with, decided once:
///
/// | the page has…                                   | it continues          |
/// |-------------------------------------------------|-----------------------|
/// | a landing page's hand-over not in use on the page | the hand-over (its score, its key) |
/// | else a draft, the visit not answered, marks kept (`marks::kept`), not in use | the draft |
/// | else                                            | nothing: a fresh response (`None`) |
///
/// `in_use` says whether another survey on the page already continues an id.
pub fn starting(
    cfg: &Config,
    takeover: Option<Takeover>,
    draft: Option<Draft>,
    already_answered: bool,
    in_use: impl Fn(&str) -> bool,
) -> Option<Takeover> {
    if let Some(t) = takeover.filter(|t| !in_use(&t.id)) {
        return Some(t);
    }
    draft
        .filter(|d| !already_answered && marks::kept(cfg) && !in_use(&d.id))
        .map(|d| Takeover {
            id: d.id,
            created_at: d.created_at,
            score: Some(d.score),
            write_key: d.write_key,
        })
}

impl Takeover {
    /// Reads the two attributes; `None` when there is no response or it is not well formed
    /// (the widget then starts a response of its own).
    pub fn read(response: Option<&str>, score: Option<&str>) -> Option<Takeover> {
        let mut parts = response?.split('|');
        let (id, created_at) = (parts.next()?, parts.next()?);
        let write_key = parts.next().map(str::to_owned);
        if parts.next().is_some() || !write_key.as_deref().is_none_or(rules::is_write_key) {
            return None;
        }
        let score = match score {
            Some(s) => Some(Score::parse(s.trim())?),
            None => None,
        };
        // A shape check (the collector checks every post in full, and the wasm stays free of
        // the UUID and date parsers).
        (rules::looks_like_id(id) && rules::looks_like_time(created_at)).then(|| Takeover {
            id: id.to_ascii_lowercase(),
            created_at: created_at.to_owned(),
            score,
            write_key,
        })
    }

    /// The attributes to write on the survey's element: (name, value) pairs.
    pub fn attributes(&self) -> Vec<(&'static str, String)> {
        let mut response = format!("{}|{}", self.id, self.created_at);
        if let Some(k) = &self.write_key {
            response.push('|');
            response.push_str(k);
        }
        let mut out = vec![(RESPONSE_ATTR, response)];
        if let Some(s) = self.score {
            out.push((SCORE_ATTR, s.to_string()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0b6c2a8e-5d1f-4c3b-9a7e-2f4d6b8c0e1a";
    const AT: &str = "2026-11-24T08:30:00.000Z";
    const KEY: &str = "5f0c6b1e9d8a4c2b8e7f6a5d4c3b2a19";

    #[test]
    fn what_the_collector_writes_the_widget_reads() {
        for (score, write_key) in [
            (None, Some(KEY.to_owned())),
            (Score::new(0), Some(KEY.to_owned())),
            (Score::new(10), None),
        ] {
            let t = Takeover {
                id: ID.into(),
                created_at: AT.into(),
                score,
                write_key,
            };
            let attrs = t.attributes();
            let get = |name: &str| {
                attrs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.as_str())
            };
            assert_eq!(Takeover::read(get(RESPONSE_ATTR), get(SCORE_ATTR)), Some(t));
        }
    }

    #[test]
    fn anything_else_is_no_takeover() {
        let ok = format!("{ID}|{AT}");
        for (response, score) in [
            (None, None),
            (Some(""), None),
            (Some(ID), None),
            (Some("x|y"), None),
            (Some(&format!("{ID}|yesterday")[..]), None),
            (Some(&ok[..]), Some("11")),
            (Some(&ok[..]), Some("-1")),
            (Some(&ok[..]), Some("")),
            (Some(&format!("{ok}|short")[..]), None),
            (Some(&format!("{ok}|{KEY}|more")[..]), None),
        ] {
            assert_eq!(
                Takeover::read(response, score),
                None,
                "{response:?} {score:?}"
            );
        }
        assert_eq!(
            Takeover::read(Some(&format!("{}|{AT}", ID.to_uppercase())), None).map(|t| t.id),
            Some(ID.to_owned()),
            "ids are lower case, as the payload stores them"
        );
    }

    #[test]
    fn a_page_continues_the_hand_over_else_the_draft_else_starts_afresh() {
        let cfg = |extra: &str| {
            Config::from_json(&format!(r#"{{"endpoint": "/x"{extra}}}"#), None).unwrap()
        };
        let t = Takeover {
            id: ID.into(),
            created_at: AT.into(),
            score: None,
            write_key: Some(KEY.into()),
        };
        const DRAFT_ID: &str = "1b6c2a8e-5d1f-4c3b-9a7e-2f4d6b8c0e1a";
        let d = Draft {
            id: DRAFT_ID.into(),
            created_at: AT.into(),
            score: Score::new(4).unwrap(),
            at: 1,
            write_key: None,
        };
        let none = |_: &str| false;
        let from_draft = Some(Takeover {
            id: DRAFT_ID.into(),
            created_at: AT.into(),
            score: Score::new(4),
            write_key: None,
        });
        let cases: [(
            &str,
            &str,
            bool,
            bool,
            &dyn Fn(&str) -> bool,
            Option<Takeover>,
        ); 8] = [
            ("hand-over wins", "", true, false, &none, Some(t.clone())),
            (
                "hand-over in use",
                "",
                true,
                false,
                &|id| id == ID,
                from_draft.clone(),
            ),
            ("draft", "", false, false, &none, from_draft.clone()),
            ("visit answered", "", false, true, &none, None),
            (
                "kiosk",
                r#", "kiosk_reset_s": 30"#,
                false,
                false,
                &none,
                None,
            ),
            ("force", r#", "force": true"#, false, false, &none, None),
            ("draft in use", "", false, false, &|id| id == DRAFT_ID, None),
            (
                "kiosk, hand-over",
                r#", "kiosk_reset_s": 30"#,
                true,
                true,
                &none,
                Some(t.clone()),
            ),
        ];
        for (name, extra, handed, answered, in_use, want) in cases {
            let got = starting(
                &cfg(extra),
                handed.then(|| t.clone()),
                Some(d.clone()),
                answered,
                in_use,
            );
            assert_eq!(got, want, "{name}");
        }
        assert_eq!(starting(&cfg(""), None, None, false, none), None, "fresh");
    }
}
