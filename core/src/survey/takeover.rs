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

use crate::contract::rules;
use crate::scoring::score::Score;

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
}
