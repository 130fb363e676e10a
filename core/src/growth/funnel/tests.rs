//! The funnel's counting on a small hand-made view, and the `low_response` table row by row.

use super::*;

fn inv(key: &str, opened: bool, answered: bool) -> Invited {
    Invited {
        key: key.into(),
        opened,
        answered,
    }
}

fn ans(key: &str, score: u8, reasons: &[Reason], referral: Option<Referral>) -> Answered {
    Answered {
        key: key.into(),
        score: Score::new(score).unwrap(),
        reasons: reasons.to_vec(),
        referral,
    }
}

#[test]
fn by_names_its_field_and_values() {
    assert_eq!(By::parse(Some("advisor")), Ok(By::Advisor));
    assert_eq!(By::parse(Some("month")), Ok(By::Month));
    for bad in [None, Some("region"), Some("")] {
        let e = By::parse(bad).unwrap_err().to_string();
        assert!(e.starts_with("by"), "{e}");
        assert!(
            e.contains("store, advisor, touchpoint, week, month")
                || e.contains("\"store\", \"advisor\", \"touchpoint\", \"week\", \"month\""),
            "{e}"
        );
    }
}

#[test]
fn rows_count_invited_opened_answered_nps_referrals_and_flags() {
    let bought = Referral {
        shared: true,
        opens: 3,
        booked: 2,
        purchased: 1,
    };
    let shared = Referral {
        shared: true,
        opens: 1,
        booked: 0,
        purchased: 0,
    };
    let invited = [
        inv("A", true, true),
        inv("A", true, false),
        inv("A", false, false),
        inv("A", true, true),
        inv("B", false, false),
    ];
    let answers = [
        ans("A", 10, &[Reason::AtCounter], Some(bought)),
        ans("A", 9, &[], Some(shared)),
        ans("A", 3, &[Reason::SameDevice, Reason::SameNetwork], None),
        ans("A", 9, &[], None),
        ans("C", 7, &[], None),
    ];
    let rows = rows(&invited, &answers);
    let keys: Vec<&str> = rows.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, ["A", "B", "C"]);
    let a = &rows[0];
    assert_eq!((a.invited, a.opened, a.response), (4, 3, Rate::new(2, 4)));
    assert_eq!(
        a.tally,
        Tally {
            promoters: 3,
            passives: 0,
            detractors: 1
        }
    );
    assert_eq!(a.nps().unwrap().score, 50.0);
    assert_eq!(
        (a.shared, a.referred_opens, a.booked, a.purchased),
        (2, 4, 2, 1)
    );
    assert_eq!(a.referral, Rate::new(1, 3));
    assert_eq!(a.flagged, Rate::new(2, 4));
    assert_eq!(a.reasons, [1, 1, 1, 0, 0]);
    let b = &rows[1];
    assert_eq!(
        (b.invited, b.response, b.tally.n()),
        (1, Rate::new(0, 1), 0)
    );
    assert_eq!((b.nps(), b.response.share()), (None, Some(0.0)));
    let c = &rows[2];
    assert_eq!((c.invited, c.response.share(), c.tally.n()), (0, None, 1));
    assert_eq!(c.referral, Rate::new(0, 0));
}

#[test]
fn invited_is_at_least_opened_and_opened_at_least_answered_over_generated_visits() {
    // Visits answered through the widget or WeChat's page never opened the landing page;
    // they count as opened all the same.
    let mut seed = 17u64;
    let mut next = |below: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % below
    };
    for _ in 0..200 {
        let invited: Vec<Invited> = (0..next(40))
            .map(|_| {
                let key = ["A", "B", "C"][next(3) as usize];
                inv(key, next(2) == 0, next(3) == 0)
            })
            .collect();
        for r in rows(&invited, &[]) {
            let opened_or_answered = invited
                .iter()
                .filter(|v| v.key == r.key && (v.opened || v.answered))
                .count();
            assert_eq!(r.opened, opened_or_answered as u64, "{}", r.key);
            assert!(
                r.invited >= r.opened && r.opened >= r.response.num,
                "{}: {} ≥ {} ≥ {}",
                r.key,
                r.invited,
                r.opened,
                r.response.num
            );
        }
    }
    // Answered through the widget, never opened: opened all the same.
    let r = &rows(&[inv("A", false, true), inv("A", false, false)], &[])[0];
    assert_eq!((r.invited, r.opened, r.response.num), (2, 1, 1));
}

#[test]
fn low_response_table() {
    // (answered, invited, NPS, the view's NPS, flagged)
    #[rustfmt::skip]
    let table: &[(u64, u64, Option<f64>, Option<f64>, bool)] = &[
        (2,  19, Some(90.0), Some(40.0), false), // too few invited
        (2,  20, Some(90.0), Some(40.0), false), // 10 %: upper bound 30.1 %, not below 30 %
        (1,  20, Some(90.0), Some(40.0), true),  // 5 %: upper bound 23.6 %
        (3,  60, Some(80.0), Some(40.0), true),  // 5 %, high NPS
        (3,  60, Some(30.0), Some(40.0), false), // low rate, NPS below the view's
        (3,  60, Some(40.0), Some(40.0), true),  // equal counts as high
        (3,  60, Some(60.0), Some(LOW_RESPONSE_ALONE_NPS), true), // alone: against 50
        (3,  60, Some(45.0), Some(LOW_RESPONSE_ALONE_NPS), false),
        (30, 60, Some(90.0), Some(40.0), false), // half answered
        (12, 60, Some(90.0), Some(40.0), false), // 20 %: upper bound 32 %
        (8,  60, Some(90.0), Some(40.0), true),  // 13 %: upper bound 24 %
        (0,  60, None,       Some(40.0), false), // no answers, no NPS
        (3,  60, Some(90.0), None,       false), // nothing to compare with
    ];
    for &(num, den, nps, against, want) in table {
        let r = Rate::new(num, den);
        let high = r.interval().unwrap().1;
        assert_eq!(
            low_response(r, nps, against),
            want,
            "{num}/{den} (upper {high:.3}), NPS {nps:?} vs {against:?}"
        );
    }
}

#[test]
fn a_view_of_one_key_is_compared_with_fifty_and_many_keys_with_the_view() {
    // One store: 3 of 40 answered, all 9 or 10 (NPS 100 ≥ 50).
    let invited: Vec<Invited> = (0..40).map(|i| inv("A", i < 3, i < 3)).collect();
    let answers: Vec<Answered> = (0..3).map(|_| ans("A", 10, &[], None)).collect();
    assert!(rows(&invited, &answers)[0].low_response);
    // Beside a store with NPS 100 and a full response, A's NPS 0 is below the view's.
    let mut invited = invited;
    invited.extend((0..20).map(|_| inv("B", true, true)));
    let mut answers: Vec<Answered> = (0..3).map(|i| ans("A", [10, 6, 8][i], &[], None)).collect();
    answers.extend((0..20).map(|_| ans("B", 10, &[], None)));
    let rows = rows(&invited, &answers);
    assert!(!rows[0].low_response && !rows[1].low_response);
}
