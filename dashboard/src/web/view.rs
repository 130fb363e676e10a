//! `View`: what every section of the page needs to draw itself (the report, the answers and
//! their compact index, the names, the view, the locale, the levers), and the words and
//! labels each section asks it for. Built by `App` on every render; sections compare it by
//! its report, view, locale and levers.

use std::rc::Rc;

use nps_core::contract::context::Dimension;
use nps_core::scoring::analysis::Names;
use nps_core::words::{fill, Locale};
use yew::prelude::*;

use super::load::Me;
use crate::compact::Index;
use crate::data::Answers;
use crate::filters::Filters;
use crate::report::{Context, Report};
use crate::words::Word;

/// What every section needs to draw itself.
pub struct View {
    pub report: Rc<Report>,
    /// The collector's API, for a reveal and the audit trail.
    pub api: AttrValue,
    /// Who is signed in (`None` for a dropped file).
    pub me: Option<Rc<Me>>,
    /// The answers as they came (a dropped file's records, whose comments the page shows).
    pub answers: Rc<Answers>,
    /// The answers' compact index (`compact::Index::of`), in the view's time zone.
    pub index: Rc<Index>,
    pub names: Rc<Names>,
    pub filters: Filters,
    pub locale: Locale,
    pub cx: Context,
    pub levers: Option<[f64; 3]>,
}

impl PartialEq for View {
    fn eq(&self, o: &View) -> bool {
        Rc::ptr_eq(&self.report, &o.report)
            && self.filters == o.filters
            && self.locale == o.locale
            && self.levers == o.levers
    }
}

impl View {
    pub fn t(&self, w: Word) -> &'static str {
        w.in_(self.locale)
    }

    pub fn fill(&self, w: Word, values: &[(&str, &str)]) -> String {
        fill(self.t(w), values)
    }

    /// A code as the manager knows it: the brand's name for it, else the built-in name of one
    /// of the widget's touchpoints, else the code.
    pub fn label(&self, dim: Dimension, code: &str) -> String {
        if code.is_empty() {
            return self.t(Word::Unnamed).to_owned();
        }
        let built_in = (dim == Dimension::Touchpoint)
            .then(|| crate::words::touchpoint(code))
            .flatten()
            .map(|w| self.t(w));
        self.names
            .get(dim.key(), code)
            .or(built_in)
            .unwrap_or(code)
            .to_owned()
    }
}
