//! What customers write about, the pure part: `GET /api/themes` read (the collector cuts the
//! comments into words on the server: no dictionary is in this bundle), the query the view
//! sends (its range, survey and places), and each theme as the page words it: the word, how
//! many comments name it and their share, and its change against the previous period in
//! percentage points ("new" where it was not said before). The collector owns the counting and
//! the scope; this never drops a theme it was sent. The browser part is `web::themes`.

use nps_core::contract::context::Dimension;
use nps_core::words::{fill, Locale};
use serde::Deserialize;

use crate::filters::Filters;
use crate::format::{change, int, pct};
use crate::funnel::Ask;
use crate::words::Word;

/// One theme of `GET /api/themes`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Theme {
    /// The word the comments are searched for: the first of `words`.
    pub term: String,
    /// The words always said together in the period's comments, in the order said.
    pub words: Vec<String>,
    pub comments: u64,
    pub share: f64,
    pub previous_comments: u64,
    /// `None` when the previous period had no comments to compare with.
    pub previous_share: Option<f64>,
    pub change: Option<f64>,
}

/// `GET /api/themes`'s answer.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Themes {
    pub category: String,
    /// Comments of the category in the range, and in the previous one.
    pub comments: u64,
    pub previous_comments: u64,
    pub themes: Vec<Theme>,
}

impl Themes {
    /// Reads the collector's answer; what it cannot read is said.
    pub fn from_json(text: &str) -> Result<Themes, String> {
        serde_json::from_str(text).map_err(|e| format!("themes: {e}"))
    }
}

/// The query of `GET /api/themes` for the view: the detractors' comments of its range,
/// survey, store, advisor, region and city.
pub fn query(ask: &Ask, f: &Filters) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    s.append_pair("category", "detractor");
    s.append_pair("from", &crate::funnel::day_start(ask.from, ask.offset));
    s.append_pair("to", &crate::funnel::day_start(ask.to + 1, ask.offset));
    if let Some(survey) = &ask.survey {
        s.append_pair("survey", survey);
    }
    for (key, value) in [
        ("store", f.only[Dimension::Store.index()].as_ref()),
        ("advisor", f.only[Dimension::Advisor.index()].as_ref()),
        ("region", f.region.as_ref()),
        ("city", f.city.as_ref()),
    ] {
        if let Some(v) = value {
            s.append_pair(key, v);
        }
    }
    s.finish()
}

/// A theme as the page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown {
    pub term: String,
    /// "顾问 · 态度 · 很差".
    pub words: String,
    /// "12 条（30%）".
    pub count: String,
    /// "+8 个百分点", "新出现", or "" when nothing is compared.
    pub change: String,
    /// "up", "down" or "" (the change's direction, for its colour; a rise of complaints is
    /// bad news).
    pub trend: &'static str,
    /// What a screen reader reads for the row.
    pub label: String,
}

/// A theme in words.
pub fn show(t: &Theme, locale: Locale) -> Shown {
    let count = fill(
        Word::ThemeCount.in_(locale),
        &[("n", &int(t.comments)), ("share", &pct(t.share))],
    );
    let (change_words, trend) = match (t.previous_comments, t.change) {
        (_, None) => (String::new(), ""),
        (0, Some(_)) => (Word::ThemeNew.in_(locale).to_owned(), "up"),
        (_, Some(c)) => {
            let pts = change(c * 100.0);
            let trend = match pts.as_bytes().first() {
                Some(b'+') => "up",
                Some(b'-') => "down",
                _ => "",
            };
            (
                fill(Word::ThemeChange.in_(locale), &[("points", &pts)]),
                trend,
            )
        }
    };
    let words = if t.words.is_empty() {
        t.term.clone()
    } else {
        t.words.join(" · ")
    };
    let label = if change_words.is_empty() {
        format!("{words}：{count}")
    } else {
        format!("{words}：{count}，{change_words}")
    };
    let label = match locale {
        Locale::En => label.replace('：', ": ").replace('，', ", "),
        _ => label,
    };
    Shown {
        term: t.term.clone(),
        words,
        count,
        change: change_words,
        trend,
        label,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANSWER: &str = r#"{"category":"detractor","from":"2026-11-01T00:00:00Z","to":"2026-12-01T00:00:00Z",
      "previous_from":"2026-10-02T00:00:00Z","previous_to":"2026-11-01T00:00:00Z",
      "comments":8,"previous_comments":4,
      "themes":[
        {"term":"等待","words":["等待"],"comments":5,"share":0.625,"previous_comments":0,"previous_share":0.0,"change":0.625},
        {"term":"收费","words":["收费","太贵"],"comments":3,"share":0.375,"previous_comments":4,"previous_share":1.0,"change":-0.625},
        {"term":"进度","words":["进度"],"comments":2,"share":0.25,"previous_comments":1,"previous_share":0.25,"change":0.0}]}"#;

    #[test]
    fn the_collectors_themes_are_read_and_worded_in_each_locale() {
        let t = Themes::from_json(ANSWER).unwrap();
        assert_eq!((t.comments, t.previous_comments, t.themes.len()), (8, 4, 3));
        let zh: Vec<Shown> = t.themes.iter().map(|x| show(x, Locale::ZhCn)).collect();
        assert_eq!(zh[0].count, "5 条（63%）");
        assert_eq!((zh[0].change.as_str(), zh[0].trend), ("新出现", "up"));
        assert_eq!(
            (zh[1].change.as_str(), zh[1].trend),
            ("-63 个百分点", "down")
        );
        assert_eq!((zh[2].change.as_str(), zh[2].trend), ("0 个百分点", ""));
        assert_eq!(zh[1].words, "收费 · 太贵");
        assert_eq!(zh[1].label, "收费 · 太贵：3 条（38%），-63 个百分点");
        let en = show(&t.themes[1], Locale::En);
        assert_eq!(en.count, "3 comments (38%)");
        assert_eq!(en.label, "收费 · 太贵: 3 comments (38%), -63 points");
        let tw = show(&t.themes[0], Locale::ZhTw);
        assert_eq!(
            (tw.count.as_str(), tw.change.as_str()),
            ("5 則（63%）", "新出現")
        );
        // Nothing before: no change claimed.
        let alone = Theme {
            previous_share: None,
            change: None,
            previous_comments: 0,
            ..t.themes[0].clone()
        };
        let s = show(&alone, Locale::ZhCn);
        assert_eq!(
            (s.change.as_str(), s.trend, s.label.as_str()),
            ("", "", "等待：5 条（63%）")
        );
        assert!(Themes::from_json("{\"themes\": 3}")
            .unwrap_err()
            .starts_with("themes:"));
    }

    #[test]
    fn the_query_carries_the_views_range_survey_and_places() {
        let ask = Ask {
            from: 20_393,
            to: 20_422,
            offset: 480,
            survey: Some("after-sales".into()),
            store: None,
        };
        let mut f = Filters::default();
        f.only[Dimension::Store.index()] = Some("SZ-FT".into());
        f.only[Dimension::Advisor.index()] = Some("王".into());
        f.region = Some("south".into());
        let q = query(&ask, &f);
        assert_eq!(
            q,
            "category=detractor&from=2025-11-01T00%3A00%3A00%2B08%3A00\
             &to=2025-12-01T00%3A00%3A00%2B08%3A00&survey=after-sales&store=SZ-FT\
             &advisor=%E7%8E%8B&region=south"
        );
    }
}
