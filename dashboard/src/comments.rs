//! The comments of a signed-in manager's view, the pure part: `GET /api/comments` read (the
//! collector finds them in the caller's scope, newest first: the answers the page holds carry
//! no comment's text) and the query the view sends (its range, survey, store, advisor, region,
//! city, the category picked and the words searched). The browser part is `web::comments`.

use nps_core::contract::context::Dimension;
use nps_core::scoring::analysis::minutes_of;
use nps_core::scoring::score::{Category, Score};
use serde::Deserialize;

use crate::filters::Filters;
use crate::funnel::{day_start, Ask};
use crate::report::LATEST_COMMENTS;

/// One comment of `GET /api/comments`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Comment {
    pub id: String,
    /// 0–10 (`Comment::score`); none for a dismissal.
    score: Option<u8>,
    #[serde(default)]
    pub reasons: Vec<String>,
    pub store: Option<String>,
    pub advisor: Option<String>,
    pub created_at: String,
    pub comment: String,
}

impl Comment {
    /// The score, when the collector sent one on the scale.
    pub fn score(&self) -> Option<Score> {
        self.score.and_then(Score::new)
    }

    pub fn category(&self) -> Option<Category> {
        self.score().map(Score::category)
    }

    /// When answered, in minutes since the epoch; `None` for a time the collector would not
    /// send.
    pub fn minutes(&self) -> Option<i64> {
        minutes_of(&self.created_at)
    }
}

/// `GET /api/comments`'s answer: a page, and the cursor of the next (`None`: the last).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Page {
    pub comments: Vec<Comment>,
    pub next: Option<String>,
}

impl Page {
    /// Reads the collector's answer; what it cannot read is said.
    pub fn from_json(text: &str) -> Result<Page, String> {
        serde_json::from_str(text).map_err(|e| format!("comments: {e}"))
    }
}

/// The query of `GET /api/comments` for the view: its range, survey and places, the category
/// picked, the reason a driver's row picked and the words searched, the latest
/// `LATEST_COMMENTS`.
pub fn query(ask: &Ask, f: &Filters) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    s.append_pair("from", &day_start(ask.from, ask.offset));
    s.append_pair("to", &day_start(ask.to + 1, ask.offset));
    s.append_pair("limit", &LATEST_COMMENTS.to_string());
    if let Some(c) = f.comments {
        s.append_pair("category", c.as_str());
    }
    for (key, value) in [
        ("survey", ask.survey.as_ref()),
        ("store", f.only[Dimension::Store.index()].as_ref()),
        ("advisor", f.only[Dimension::Advisor.index()].as_ref()),
        ("model", f.only[Dimension::Model.index()].as_ref()),
        (
            "service_type",
            f.only[Dimension::ServiceType.index()].as_ref(),
        ),
        ("touchpoint", f.only[Dimension::Touchpoint.index()].as_ref()),
        ("region", f.region.as_ref()),
        ("city", f.city.as_ref()),
        ("reason", f.reason.as_ref()),
        ("q", Some(&f.search).filter(|q| !q.is_empty())),
    ] {
        if let Some(v) = value {
            s.append_pair(key, v);
        }
    }
    s.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_is_read_as_the_collector_writes_it() {
        let page = Page::from_json(
            r#"{"comments":[{"id":"a","score":3,"category":"detractor","reasons":["wait_time"],
                "store":"SZ-FT","advisor":"wang","created_at":"2026-11-20T08:00:00Z",
                "comment":"等待太久"}],"next":"2026-11-20T08:00:00Z|a"}"#,
        )
        .unwrap();
        let c = &page.comments[0];
        assert_eq!(c.category(), Some(Category::Detractor));
        assert_eq!(c.minutes(), minutes_of("2026-11-20T08:00:00Z"));
        assert_eq!(page.next.as_deref(), Some("2026-11-20T08:00:00Z|a"));
        let e = Page::from_json(r#"{"comments":[{"id":"a","score":3}]}"#).unwrap_err();
        assert!(e.starts_with("comments: "), "{e}");
    }

    #[test]
    fn the_query_carries_the_view() {
        let ask = Ask {
            from: 20_400,
            to: 20_429,
            offset: 480,
            survey: Some("after-sales".into()),
            store: None,
        };
        let mut f = Filters::default();
        assert_eq!(
            query(&ask, &f),
            "from=2025-11-08T00%3A00%3A00%2B08%3A00&to=2025-12-08T00%3A00%3A00%2B08%3A00&limit=50&survey=after-sales"
        );
        f.comments = Some(Category::Detractor);
        f.search = "等待".into();
        f.reason = Some("wait_time".into());
        f.only[Dimension::Store.index()] = Some("SZ-FT".into());
        f.only[Dimension::Model.index()] = Some("suv".into());
        let q = query(&ask, &f);
        assert!(q.contains("&model=suv&"), "{q}");
        assert!(q.contains("&reason=wait_time&"), "{q}");
        assert!(q.contains("&category=detractor&"), "{q}");
        assert!(q.contains("&store=SZ-FT&"), "{q}");
        assert!(q.ends_with("&q=%E7%AD%89%E5%BE%85"), "{q}");
    }
}
