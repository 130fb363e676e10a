//! Reading a columns body: a cursor that names the part it is in when the body runs out,
//! every count held to the bytes left (a forged count allocates nothing), every index held to
//! its dictionary.

use super::{unzigzag, Columns, ColumnsError, DIMS, MAGIC, NO_SCORE, VERSION};
use crate::contract::context::Dimension;
use crate::scoring::score::Score;

/// A cursor over the body that names the part it is in when it runs out.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize, part: &'static str) -> Result<&'a [u8], ColumnsError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or(ColumnsError::Truncated { part })?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn byte(&mut self, part: &'static str) -> Result<u8, ColumnsError> {
        let &b = self
            .bytes
            .get(self.at)
            .ok_or(ColumnsError::Truncated { part })?;
        self.at += 1;
        Ok(b)
    }

    fn varint(&mut self, part: &'static str) -> Result<u64, ColumnsError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte(part)?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(ColumnsError::Overflow { part })
    }

    /// A count of things at least one byte each: never more than the bytes left.
    fn count(&mut self, part: &'static str) -> Result<usize, ColumnsError> {
        let n = self.varint(part)?;
        let left = self.bytes.len() - self.at;
        usize::try_from(n)
            .ok()
            .filter(|&n| n <= left)
            .ok_or(ColumnsError::Truncated { part })
    }

    /// A value below `limit`.
    fn index(&mut self, part: &'static str, limit: usize) -> Result<u32, ColumnsError> {
        let v = self.varint(part)?;
        match v < limit as u64 {
            true => Ok(v as u32),
            false => Err(ColumnsError::Index {
                part,
                value: v,
                limit,
            }),
        }
    }

    fn strings(&mut self, part: &'static str) -> Result<Vec<String>, ColumnsError> {
        let n = self.count(part)?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let len = self.count(part)?;
            let bytes = self.take(len, part)?;
            let s = std::str::from_utf8(bytes).map_err(|_| ColumnsError::Utf8 { part })?;
            out.push(s.to_owned());
        }
        Ok(out)
    }
}

/// The dictionaries' names, for errors: surveys, each dimension's key, reasons.
const DICT_PARTS: [&str; DIMS] = Dimension::KEYS;

/// Reads a body written by `Writer::finish`.
pub fn read(bytes: &[u8]) -> Result<Columns, ColumnsError> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(ColumnsError::NotColumns);
    }
    let mut c = Cursor {
        bytes,
        at: MAGIC.len(),
    };
    let version = c.byte("version")?;
    if version != VERSION {
        return Err(ColumnsError::Version { found: version });
    }
    let n = c.count("the count of answers")?;
    let mut out = Columns {
        surveys: c.strings("surveys")?,
        ..Columns::default()
    };
    for (d, part) in DICT_PARTS.iter().enumerate() {
        out.codes[d] = c.strings(part)?;
    }
    out.reasons = c.strings("reasons")?;
    out.score = c
        .take(n, "score")?
        .iter()
        .map(|&b| match b {
            NO_SCORE => Ok(None),
            b => Score::new(b)
                .map(Some)
                .ok_or(ColumnsError::Score { value: b }),
        })
        .collect::<Result<_, _>>()?;
    out.marks = c.take(n, "marks")?.to_vec();
    out.survey = (0..n)
        .map(|_| c.index("survey", out.surveys.len()))
        .collect::<Result<_, _>>()?;
    for (d, part) in DICT_PARTS.iter().enumerate() {
        let limit = out.codes[d].len() + 1;
        out.dims[d] = (0..n)
            .map(|_| c.index(part, limit))
            .collect::<Result<_, _>>()?;
    }
    out.reason_at = Vec::with_capacity(n + 1);
    out.reason_at.push(0);
    for _ in 0..n {
        let k = c.count("reasons")?;
        for _ in 0..k {
            let r = c.index("reasons", out.reasons.len())?;
            out.reason_list.push(r);
        }
        let at = u32::try_from(out.reason_list.len())
            .map_err(|_| ColumnsError::Overflow { part: "reasons" })?;
        out.reason_at.push(at);
    }
    let mut previous = 0i64;
    out.created = Vec::with_capacity(n);
    for _ in 0..n {
        previous = previous
            .checked_add(unzigzag(c.varint("created")?))
            .ok_or(ColumnsError::Overflow { part: "created" })?;
        out.created.push(previous);
    }
    out.received = Vec::with_capacity(n);
    for i in 0..n {
        let r = out.created[i]
            .checked_add(unzigzag(c.varint("received")?))
            .ok_or(ColumnsError::Overflow { part: "received" })?;
        out.received.push(r);
    }
    match bytes.len() - c.at {
        0 => Ok(out),
        left => Err(ColumnsError::Trailing { bytes: left }),
    }
}
