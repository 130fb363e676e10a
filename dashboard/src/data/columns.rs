//! The answers the page holds: the collector's compact columns (`GET
//! /api/responses?format=columns`, the core's `contract::columns`) as they came, a signed-in
//! manager's answers without their comments' text or phones (the comments are read on demand,
//! `GET /api/comments`), or a dropped export's `Record`s with their comments. The columns are
//! never turned into a `Record` per answer: the page's index reads them as they are
//! (`compact::Index::of`), their dictionaries becoming its own.

use nps_core::contract::columns::{self, Columns};

use super::{error, LoadError, Record};

/// Where the page's answers came from, as they came.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answers {
    /// A dropped file, read row by row (`data::from_text`), comments and all.
    Records(Vec<Record>),
    /// The collector's columns, comments left on the collector.
    Columns(Box<Columns>),
}

impl Default for Answers {
    fn default() -> Answers {
        Answers::Records(Vec::new())
    }
}

impl Answers {
    /// Reads a columns body; a bad one is an error naming what is wrong
    /// (`columns::ColumnsError`).
    pub fn from_columns(bytes: &[u8]) -> Result<Answers, LoadError> {
        let c = columns::read(bytes).map_err(|e| error(0, "columns", e.to_string()))?;
        Ok(Answers::Columns(Box::new(c)))
    }

    /// The records whose comments the page shows itself: a dropped file's (none for the
    /// columns).
    pub fn records(&self) -> &[Record] {
        match self {
            Answers::Records(records) => records,
            Answers::Columns(_) => &[],
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::data::LeftOut;
    use nps_core::contract::columns::{Row, Writer, FLAGGED};
    use nps_core::contract::context::Dimension;
    use nps_core::contract::payload::promised_hours;
    use nps_core::scoring::score::Score;

    /// The records the columns say, one per answer (what the page built before it indexed
    /// the columns themselves): the index of these is the index of the columns.
    pub(crate) fn records_of(c: &Columns) -> Vec<Record> {
        (0..c.len())
            .map(|i| Record {
                id: String::new(),
                survey: c.surveys[c.survey[i] as usize].clone(),
                score: c.score[i],
                reasons: c.reasons_of(i).map(str::to_owned).collect(),
                comment: None,
                phone: None,
                callback_hours: promised_hours(None),
                dims: Dimension::ALL.map(|d| c.code(d, i).to_owned()),
                created: c.created[i],
                received: c.received[i],
                flagged: LeftOut::of_marks(c.marks[i]),
            })
            .collect()
    }

    #[test]
    fn the_columns_are_kept_as_they_came_and_say_their_answers() {
        let mut w = Writer::new();
        w.push(&Row {
            score: Score::new(9),
            survey: "after-sales",
            dims: ["SZ-FT", "wang", "", "", ""],
            reasons: vec!["repair_quality"],
            created: 100,
            received: 101,
            marks: columns::COMMENT,
        });
        w.push(&Row {
            created: 50,
            received: 50,
            marks: FLAGGED,
            ..Row::default()
        });
        for flag in ["too_fast", "honeypot", "recovery"] {
            w.push(&Row {
                marks: columns::flag_marks(Some(flag)),
                ..Row::default()
            });
        }
        let answers = Answers::from_columns(&w.finish()).unwrap();
        // The page shows no comment of its own for the columns: they stay on the collector.
        assert!(answers.records().is_empty());
        let Answers::Columns(c) = &answers else {
            panic!("columns")
        };
        assert_eq!(c.len(), 5);
        let r = records_of(c);
        assert_eq!(
            r[0],
            Record {
                survey: "after-sales".into(),
                reasons: vec!["repair_quality".into()],
                dims: ["SZ-FT", "wang", "", "", ""].map(String::from),
                received: 101,
                ..Record::scored("", 9, 100)
            }
        );
        assert!(r[1].score.is_none() && r[1].dim(Dimension::Store).is_empty());
        let why: Vec<_> = r[1..].iter().map(|r| r.flagged).collect();
        assert_eq!(
            why,
            [
                Some(LeftOut::Other),
                Some(LeftOut::TooFast),
                Some(LeftOut::Honeypot),
                Some(LeftOut::Recovery)
            ]
        );
        let e = Answers::from_columns(b"[]").unwrap_err().to_string();
        assert!(e.starts_with("columns: not a columns body"), "{e}");
    }
}
