//! The columns codec: what is written is read back the same, and a body that is cut short,
//! of another version or pointing past a dictionary is refused with a message naming it.

use super::*;

fn score(s: u8) -> Option<Score> {
    Score::new(s)
}

fn rows() -> Vec<Row<'static>> {
    vec![
        Row {
            score: score(9),
            survey: "after-sales",
            dims: ["SZ-FT", "wang", "", "", "ro"],
            reasons: vec!["repair_quality", "explained"],
            created: 29_000_000,
            received: 29_000_001,
            marks: COMMENT,
        },
        Row {
            score: None,
            survey: "sales",
            dims: ["BJ-CY", "", "", "", ""],
            reasons: vec![],
            created: 28_999_990,
            received: 28_999_990,
            marks: FLAGGED,
        },
        Row {
            score: score(0),
            survey: "after-sales",
            dims: ["SZ-FT", "li", "X5", "repair", "ro"],
            reasons: vec!["explained"],
            created: -5,
            received: 40,
            marks: COMMENT | PHONE,
        },
    ]
}

fn body() -> Vec<u8> {
    let mut w = Writer::new();
    for r in rows() {
        w.push(&r);
    }
    assert_eq!(w.len(), 3);
    w.finish()
}

#[test]
fn what_is_written_is_read_back() {
    let c = read(&body()).unwrap();
    assert_eq!(c.len(), 3);
    for (i, want) in rows().iter().enumerate() {
        assert_eq!(c.score[i], want.score, "{i}");
        assert_eq!(c.surveys[c.survey[i] as usize], want.survey, "{i}");
        for d in Dimension::ALL {
            assert_eq!(c.code(d, i), want.dims[d.index()], "{i} {d:?}");
        }
        assert_eq!(c.reasons_of(i).collect::<Vec<_>>(), want.reasons, "{i}");
        assert_eq!((c.created[i], c.received[i]), (want.created, want.received));
        assert_eq!(c.marks[i], want.marks);
    }
    // Each code once, in the order first seen.
    assert_eq!(c.codes[Dimension::Store.index()], ["SZ-FT", "BJ-CY"]);
    assert_eq!(c.reasons, ["repair_quality", "explained"]);
}

#[test]
fn nothing_is_an_empty_body_that_reads() {
    let c = read(&Writer::new().finish()).unwrap();
    assert!(c.is_empty());
    assert_eq!(c.reason_at, [0]);
}

#[test]
fn a_body_cut_anywhere_is_refused_and_never_panics() {
    let b = body();
    for end in 0..b.len() {
        let e = read(&b[..end]).unwrap_err();
        match end {
            0..4 => assert_eq!(e, ColumnsError::NotColumns),
            _ => assert!(
                matches!(e, ColumnsError::Truncated { .. }),
                "cut at {end}: {e}"
            ),
        }
    }
}

#[test]
fn a_bad_body_names_what_is_wrong() {
    let check = |bytes: &[u8], says: &str| {
        let e = read(bytes).unwrap_err().to_string();
        assert!(e.contains(says), "{bytes:?}: {e}");
    };
    let b = body();
    check(b"[{\"id\":1}]", "not a columns body");
    let mut v2 = b.clone();
    v2[4] = 2;
    check(&v2, "columns version 2: expected 1");
    let mut extra = b.clone();
    extra.push(0);
    check(&extra, "1 bytes after the last column");
    check(b"NPSC\x01", "cut short in the count of answers");
    // One answer, a score of 11.
    let mut w = Writer::new();
    w.push(&Row::default());
    let one = w.finish();
    let at = one.len() - 1 - 1 - 1 - 5 - 1 - 1 - 1; // score, before marks … received
    assert_eq!(one[at], NO_SCORE);
    let mut bad = one.clone();
    bad[at] = 11;
    check(&bad, "score is 11: expected 0 to 10 or 255 (none)");
    // Its survey pointing past the one survey there is.
    let mut bad = one.clone();
    bad[at + 2] = 1;
    check(&bad, "survey is 1: expected less than 1");
    // Its store pointing past an empty dictionary.
    let mut bad = one;
    bad[at + 3] = 2;
    check(&bad, "store is 2: expected less than 1");
}

#[test]
fn zigzag_keeps_every_sign() {
    for v in [0, 1, -1, 63, -64, i64::MAX, i64::MIN] {
        assert_eq!(unzigzag(zigzag(v)), v);
    }
}

#[test]
fn a_flag_is_marked_with_its_reason_and_read_back() {
    assert_eq!(flag_marks(None), 0);
    assert_eq!(flag_marks(Some(" ")), 0);
    assert_eq!(flag_of(0), None);
    assert_eq!(flag_of(COMMENT | PHONE), None);
    for (name, mark) in FLAG_MARKS {
        let m = flag_marks(Some(name));
        assert_eq!(m, FLAGGED | mark, "{name}");
        assert_eq!(flag_of(m | COMMENT | PHONE), Some(name), "{name}");
    }
    // A flag the codec does not name is still left out, without a reason.
    assert_eq!(flag_marks(Some("something_new")), FLAGGED);
    assert_eq!(flag_of(FLAGGED), Some(""));
    // The reasons' marks are distinct bits, apart from the other marks.
    let all = FLAG_MARKS.iter().fold(0u8, |acc, &(_, m)| {
        assert_eq!(m.count_ones(), 1);
        assert_eq!(acc & m, 0);
        acc | m
    });
    assert_eq!(all & (FLAGGED | COMMENT | PHONE), 0);
}
