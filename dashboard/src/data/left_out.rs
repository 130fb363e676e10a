//! Why an answer is left out of every figure: the collector's `flag` on it (`intake::flag`:
//! too fast, a filled honeypot, a re-survey's answer), read once so the headline can say how
//! many were left out and why. A flag the page does not know still leaves its answer out, as
//! `Other`. Coaching flags (`growth::flags`) never leave an answer out: they are not here.

use nps_core::contract::columns;

/// Why an answer is left out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LeftOut {
    /// Answered faster than a person reads the question.
    TooFast,
    /// The hidden field only a robot fills.
    Honeypot,
    /// A re-survey after a case (`context.recovery`): counted in the case's recovery, not here.
    Recovery,
    /// A flag this page does not know.
    Other,
}

impl LeftOut {
    pub const ALL: [LeftOut; 4] = [
        LeftOut::TooFast,
        LeftOut::Honeypot,
        LeftOut::Recovery,
        LeftOut::Other,
    ];

    /// The export's `flag` cell: empty or absent is a counted answer.
    pub fn of_flag(flag: Option<&str>) -> Option<LeftOut> {
        Some(match flag.map(str::trim).filter(|f| !f.is_empty())? {
            "too_fast" => LeftOut::TooFast,
            "honeypot" => LeftOut::Honeypot,
            "recovery" => LeftOut::Recovery,
            _ => LeftOut::Other,
        })
    }

    /// The collector's columns' marks (`contract::columns::flag_of`): unflagged is a counted
    /// answer.
    pub fn of_marks(marks: u8) -> Option<LeftOut> {
        columns::flag_of(marks).map(|f| LeftOut::of_flag(Some(f)).unwrap_or(LeftOut::Other))
    }

    /// The collector's stored `flag` for it (`of_flag`'s inverse; `other` for one this page
    /// does not know).
    pub fn flag(self) -> &'static str {
        match self {
            LeftOut::TooFast => "too_fast",
            LeftOut::Honeypot => "honeypot",
            LeftOut::Recovery => "recovery",
            LeftOut::Other => "other",
        }
    }

    /// Its index in `ALL`.
    pub fn index(self) -> usize {
        self as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_flag_of_the_collector_is_a_reason_and_an_empty_one_is_none() {
        for (flag, want) in [
            (None, None),
            (Some(""), None),
            (Some("too_fast"), Some(LeftOut::TooFast)),
            (Some("honeypot"), Some(LeftOut::Honeypot)),
            (Some("recovery"), Some(LeftOut::Recovery)),
            (Some("something_new"), Some(LeftOut::Other)),
        ] {
            assert_eq!(LeftOut::of_flag(flag), want, "{flag:?}");
        }
        for (flag, want) in [
            (0, None),
            (columns::COMMENT, None),
            (columns::FLAGGED, Some(LeftOut::Other)),
        ] {
            assert_eq!(LeftOut::of_marks(flag), want, "{flag}");
        }
        for (flag, mark) in columns::FLAG_MARKS {
            let marks = columns::flag_marks(Some(flag)) | columns::COMMENT;
            assert!(marks & mark != 0);
            assert_eq!(
                LeftOut::of_marks(marks),
                LeftOut::of_flag(Some(flag)),
                "{flag}"
            );
        }
        for (i, l) in LeftOut::ALL.into_iter().enumerate() {
            assert_eq!(l.index(), i);
            assert_eq!(LeftOut::of_flag(Some(l.flag())), Some(l));
        }
    }
}
