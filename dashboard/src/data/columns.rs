//! The collector's compact columns (`GET /api/responses?format=columns`, the core's
//! `contract::columns`) into `Record`s: a signed-in manager's answers without their comments'
//! text or phones (the comments are read on demand, `GET /api/comments`). Rows come one per id
//! from the collector, so there is nothing to dedupe and no id is sent.

use nps_core::contract::columns;
use nps_core::contract::context::Dimension;
use nps_core::contract::payload::promised_hours;

use super::{error, LeftOut, LoadError, Record};

/// Reads a columns body; a bad one is an error naming what is wrong (`columns::ColumnsError`).
pub fn from_columns(bytes: &[u8]) -> Result<Vec<Record>, LoadError> {
    let c = columns::read(bytes).map_err(|e| error(0, "columns", e.to_string()))?;
    let hours = promised_hours(None);
    let mut out = Vec::with_capacity(c.len());
    for i in 0..c.len() {
        out.push(Record {
            id: String::new(),
            survey: c.surveys[c.survey[i] as usize].clone(),
            score: c.score[i],
            reasons: c.reasons_of(i).map(str::to_owned).collect(),
            comment: None,
            phone: None,
            callback_hours: hours,
            dims: Dimension::ALL.map(|d| c.code(d, i).to_owned()),
            created: c.created[i],
            received: c.received[i],
            flagged: columns::flag_of(c.marks[i])
                .map(|f| LeftOut::of_flag(Some(f)).unwrap_or(LeftOut::Other)),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nps_core::contract::columns::{Row, Writer, FLAGGED};
    use nps_core::scoring::score::Score;

    #[test]
    fn the_columns_are_read_into_records() {
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
        let r = from_columns(&w.finish()).unwrap();
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
        let e = from_columns(b"[]").unwrap_err().to_string();
        assert!(e.starts_with("columns: not a columns body"), "{e}");
    }
}
