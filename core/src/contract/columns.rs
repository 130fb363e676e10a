//! The compact export the dashboard reads (`GET /api/responses?format=columns`), written by
//! the collector and read by the dashboard with this one codec: what the report needs of each
//! answer (score, survey, the five segment codes, reasons, when answered and stored, flagged,
//! whether it has a comment or a phone), never a comment's text, a phone or an id.
//!
//! The body, little-endian, column after column (a column of like values compresses well):
//!
//! ```text
//! "NPSC" version:u8 n:varint
//! dictionaries: surveys, then each Dimension in Dimension::ALL's order, then reasons;
//!               each: count:varint, then each string: len:varint utf-8
//! columns (n values each):
//!   score     u8       0–10, NO_SCORE (255) for a dismissal before a score
//!   marks     u8       FLAGGED | COMMENT | PHONE, and with FLAGGED: HONEYPOT | RECOVERY | TOO_FAST
//!   survey    varint   index into the surveys
//!   dims ×5   varint   0 none, k the dictionary's (k−1)th code
//!   reasons   varint   a count, then that many indexes into the reasons
//!   created   varint   zigzag: minutes since the epoch, minus the previous row's
//!   received  varint   zigzag: minutes from created to first stored
//! ```
//!
//! `Writer` collects rows (each string kept once, in its dictionary) and `finish`es the body;
//! `read` checks everything (the magic, the version, every length and index) and says what is
//! wrong in a `ColumnsError`, never panics on bad input.

use crate::contract::context::Dimension;
use crate::scoring::score::Score;
use std::collections::HashMap;

/// The body's first four bytes.
pub const MAGIC: &[u8; 4] = b"NPSC";
/// The one version this codec writes and reads.
pub const VERSION: u8 = 1;
/// The score byte of an answer without a score.
pub const NO_SCORE: u8 = 255;
/// `marks`: too fast, a honeypot, a re-survey: kept, never counted.
pub const FLAGGED: u8 = 1;
/// `marks`: the answer has a comment (read through `GET /api/comments`).
pub const COMMENT: u8 = 2;
/// `marks`: the answer has a phone (never in this body).
pub const PHONE: u8 = 4;
/// `marks`, beside `FLAGGED`: why it is left out, as the collector's stored `flag` says
/// (`FLAG_MARKS`); `FLAGGED` alone is a flag this codec does not name.
pub const HONEYPOT: u8 = 8;
pub const RECOVERY: u8 = 16;
pub const TOO_FAST: u8 = 32;
/// Each stored `flag` the codec names, with its mark.
pub const FLAG_MARKS: [(&str, u8); 3] = [
    ("honeypot", HONEYPOT),
    ("recovery", RECOVERY),
    ("too_fast", TOO_FAST),
];

/// The marks of a stored `flag`: none for an empty one, `FLAGGED` and the reason's mark else.
pub fn flag_marks(flag: Option<&str>) -> u8 {
    match flag.map(str::trim).filter(|f| !f.is_empty()) {
        None => 0,
        Some(f) => {
            FLAGGED
                | FLAG_MARKS
                    .iter()
                    .find(|(name, _)| *name == f)
                    .map_or(0, |&(_, m)| m)
        }
    }
}

/// The stored `flag` that `marks` say: `None` for a counted answer, `Some("")` for a flag the
/// codec does not name.
pub fn flag_of(marks: u8) -> Option<&'static str> {
    if marks & FLAGGED == 0 {
        return None;
    }
    Some(
        FLAG_MARKS
            .iter()
            .find(|&&(_, m)| marks & m != 0)
            .map_or("", |&(name, _)| name),
    )
}
/// The query value that asks for this body (`format=columns`).
pub const FORMAT: &str = "columns";
/// Its content type.
pub const CONTENT_TYPE: &str = "application/x-nps-columns";

const DIMS: usize = Dimension::ALL.len();

/// One answer as the writer takes it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Row<'a> {
    pub score: Option<Score>,
    pub survey: &'a str,
    /// By `Dimension::index`; empty where the answer has none.
    pub dims: [&'a str; DIMS],
    pub reasons: Vec<&'a str>,
    /// Minutes since the epoch (UTC).
    pub created: i64,
    pub received: i64,
    /// `FLAGGED | COMMENT | PHONE`, and why it is flagged (`flag_marks`).
    pub marks: u8,
}

/// The decoded body: the dictionaries and one entry per answer in each column.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Columns {
    pub surveys: Vec<String>,
    /// Each dimension's codes, by `Dimension::index`.
    pub codes: [Vec<String>; DIMS],
    pub reasons: Vec<String>,
    pub score: Vec<Option<Score>>,
    pub marks: Vec<u8>,
    pub survey: Vec<u32>,
    /// 0 none, k the (k−1)th code of the dimension.
    pub dims: [Vec<u32>; DIMS],
    /// Each answer's reasons: `reason_list[reason_at[i]..reason_at[i + 1]]`.
    pub reason_at: Vec<u32>,
    pub reason_list: Vec<u32>,
    pub created: Vec<i64>,
    pub received: Vec<i64>,
}

impl Columns {
    /// How many answers.
    pub fn len(&self) -> usize {
        self.score.len()
    }

    pub fn is_empty(&self) -> bool {
        self.score.is_empty()
    }

    /// The code of answer `i` in dimension `d`, empty for none.
    pub fn code(&self, d: Dimension, i: usize) -> &str {
        match self.dims[d.index()][i] {
            0 => "",
            k => &self.codes[d.index()][k as usize - 1],
        }
    }

    /// The reasons of answer `i`.
    pub fn reasons_of(&self, i: usize) -> impl Iterator<Item = &str> + '_ {
        let (from, to) = (self.reason_at[i] as usize, self.reason_at[i + 1] as usize);
        self.reason_list[from..to]
            .iter()
            .map(|&r| self.reasons[r as usize].as_str())
    }
}

/// Why a body could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ColumnsError {
    /// It does not start with `MAGIC`: not this format at all.
    NotColumns,
    /// A version this codec does not read.
    Version { found: u8 },
    /// The body ends inside `part`.
    Truncated { part: &'static str },
    /// A value of `part` points past its dictionary (`limit` entries).
    Index {
        part: &'static str,
        value: u64,
        limit: usize,
    },
    /// A string of `part` is not UTF-8.
    Utf8 { part: &'static str },
    /// A number of `part` does not fit.
    Overflow { part: &'static str },
    /// A score byte other than 0–10 or `NO_SCORE`.
    Score { value: u8 },
    /// Bytes after the last column.
    Trailing { bytes: usize },
}

impl std::fmt::Display for ColumnsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ColumnsError::NotColumns => write!(
                f,
                "not a columns body: expected it to start with \"NPSC\" (GET /api/responses?format=columns)"
            ),
            ColumnsError::Version { found } => {
                write!(f, "columns version {found}: expected {VERSION}")
            }
            ColumnsError::Truncated { part } => {
                write!(f, "columns body cut short in {part}")
            }
            ColumnsError::Index { part, value, limit } => {
                write!(f, "{part} is {value}: expected less than {limit}")
            }
            ColumnsError::Utf8 { part } => write!(f, "a string of {part} is not UTF-8"),
            ColumnsError::Overflow { part } => write!(f, "a number of {part} is too large"),
            ColumnsError::Score { value } => write!(
                f,
                "score is {value}: expected 0 to {} or {NO_SCORE} (none)",
                Score::MAX
            ),
            ColumnsError::Trailing { bytes } => {
                write!(f, "{bytes} bytes after the last column: expected none")
            }
        }
    }
}

impl std::error::Error for ColumnsError {}

/// Strings kept once, each with its index in order of first use.
#[derive(Default)]
struct Dictionary {
    index: HashMap<String, u32>,
    list: Vec<String>,
}

impl Dictionary {
    fn of(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.list.len() as u32;
        self.index.insert(s.to_owned(), i);
        self.list.push(s.to_owned());
        i
    }
}

/// Collects answers into columns; `finish` writes the body.
#[derive(Default)]
pub struct Writer {
    surveys: Dictionary,
    codes: [Dictionary; DIMS],
    reasons: Dictionary,
    score: Vec<u8>,
    marks: Vec<u8>,
    survey: Vec<u8>,
    dims: [Vec<u8>; DIMS],
    reason_list: Vec<u8>,
    created: Vec<u8>,
    received: Vec<u8>,
    previous: i64,
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

pub(crate) fn unzigzag(v: u64) -> i64 {
    (v >> 1) as i64 ^ -((v & 1) as i64)
}

fn strings(out: &mut Vec<u8>, list: &[String]) {
    varint(out, list.len() as u64);
    for s in list {
        varint(out, s.len() as u64);
        out.extend_from_slice(s.as_bytes());
    }
}

impl Writer {
    pub fn new() -> Writer {
        Writer::default()
    }

    /// How many answers so far.
    pub fn len(&self) -> usize {
        self.score.len()
    }

    pub fn is_empty(&self) -> bool {
        self.score.is_empty()
    }

    pub fn push(&mut self, row: &Row<'_>) {
        self.score.push(row.score.map_or(NO_SCORE, Score::get));
        self.marks.push(row.marks);
        let survey = self.surveys.of(row.survey);
        varint(&mut self.survey, survey.into());
        for (d, code) in row.dims.iter().enumerate() {
            let k = match code.is_empty() {
                true => 0,
                false => u64::from(self.codes[d].of(code)) + 1,
            };
            varint(&mut self.dims[d], k);
        }
        varint(&mut self.reason_list, row.reasons.len() as u64);
        for r in &row.reasons {
            let i = self.reasons.of(r);
            varint(&mut self.reason_list, i.into());
        }
        varint(&mut self.created, zigzag(row.created - self.previous));
        self.previous = row.created;
        varint(&mut self.received, zigzag(row.received - row.created));
    }

    /// The body.
    pub fn finish(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            16 + self.score.len() * 2
                + self.survey.len()
                + self.dims.iter().map(Vec::len).sum::<usize>()
                + self.reason_list.len()
                + self.created.len()
                + self.received.len(),
        );
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        varint(&mut out, self.score.len() as u64);
        strings(&mut out, &self.surveys.list);
        for d in &self.codes {
            strings(&mut out, &d.list);
        }
        strings(&mut out, &self.reasons.list);
        out.extend_from_slice(&self.score);
        out.extend_from_slice(&self.marks);
        out.extend_from_slice(&self.survey);
        for d in &self.dims {
            out.extend_from_slice(d);
        }
        out.extend_from_slice(&self.reason_list);
        out.extend_from_slice(&self.created);
        out.extend_from_slice(&self.received);
        out
    }
}

mod read;
pub use read::read;

#[cfg(test)]
mod tests;
