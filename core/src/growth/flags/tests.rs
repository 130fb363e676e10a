//! The flags' table as generated patterns: the coached ones each reason is for, and the
//! honest ones that must stay unflagged; each rule at its edge.

use super::*;

const H: i64 = 60 * MINUTE_NS;
const DAY: i64 = 24 * H;
/// 2026-11-28T02:00:00Z, a Saturday morning in China.
const T0: i64 = 1_795_831_200_000_000_000;

/// An answer of `store` for `visit` at `T0 + at`, from `device` on `net`.
fn a(store: &str, visit: &str, device: &str, net: &str, at: i64, score: u8) -> Answer {
    Answer {
        store: Some(store.into()),
        visit: (!visit.is_empty()).then(|| visit.into()),
        device: (!device.is_empty()).then(|| device.into()),
        net: (!net.is_empty()).then(|| net.into()),
        at_ns: T0 + at,
        score,
        issued_ns: None,
    }
}

/// `n` answers of one store, each for its own visit, `step` apart, from `device(i)` on `net(i)`.
fn series(
    n: usize,
    step: i64,
    device: impl Fn(usize) -> String,
    net: impl Fn(usize) -> String,
    score: impl Fn(usize) -> u8,
) -> Vec<Answer> {
    (0..n)
        .map(|i| {
            a(
                "SZ-FT",
                &format!("V{i}"),
                &device(i),
                &net(i),
                i as i64 * step,
                score(i),
            )
        })
        .collect()
}

fn own(i: usize) -> String {
    format!("d{i}")
}

fn own_net(i: usize) -> String {
    format!("n{i}")
}

/// Which answers got `reason`.
fn with(answers: &[Answer], reason: Reason) -> Vec<usize> {
    flag(answers)
        .iter()
        .enumerate()
        .filter(|(_, r)| r.contains(&reason))
        .map(|(i, _)| i)
        .collect()
}

fn none(answers: &[Answer]) {
    let got = flag(answers);
    assert!(
        got.iter().all(Vec::is_empty),
        "honest pattern flagged: {got:?}"
    );
}

#[test]
fn a_stores_own_tablet_is_flagged_from_the_third_visit_within_six_hours() {
    // (answers, minutes apart, flagged)
    for (n, step_min, want) in [
        (2, 10, false),
        (3, 10, true),
        (8, 30, true),
        (3, 180, true),
        (3, 181, false),
    ] {
        let s = series(n, step_min * MINUTE_NS, |_| "tablet".into(), own_net, |_| 9);
        let got = with(&s, Reason::SameDevice);
        let want: Vec<usize> = if want { (0..n).collect() } else { vec![] };
        assert_eq!(got, want, "{n} answers {step_min} min apart");
    }
    // The edge: the third answer exactly 6 h after the first, and a nanosecond later.
    let mut s = series(3, 3 * H, |_| "tablet".into(), own_net, |_| 9);
    assert_eq!(with(&s, Reason::SameDevice), vec![0, 1, 2]);
    s[2].at_ns += 1;
    assert_eq!(with(&s, Reason::SameDevice), Vec::<usize>::new());
}

/// `n` answers of a month (one every 7 h 13 min) from the customers' own phones on four
/// carriers, 9s and 10s at `high_percent`, from `T0 - 40 days`: a store's usual.
fn usual_month(n: usize, high_percent: usize) -> Vec<Answer> {
    (0..n)
        .map(|i| {
            let score = if (i * 37) % 100 < high_percent {
                9 + (i % 2) as u8
            } else {
                [8, 7, 6, 3][i % 4]
            };
            let at = -40 * DAY + i as i64 * (7 * H + 13 * MINUTE_NS);
            a(
                "SZ-FT",
                &format!("U{i}"),
                &format!("u{i}"),
                &format!("carrier{}", i % 4),
                at,
                score,
            )
        })
        .collect()
}

#[test]
fn a_stores_wifi_is_flagged_from_the_fifth_visit_with_a_second_sign() {
    // (answers, one device answering every other visit, two at the counter, flagged)
    for (n, device, counter, want) in [
        (4, true, true, false),
        (5, false, false, false), // a count alone: a busy lounge
        (12, false, false, false),
        (5, true, false, true),
        (12, false, true, true),
    ] {
        let mut s = series(
            n,
            20 * MINUTE_NS,
            |i| {
                if device && i % 2 == 0 {
                    "tablet".into()
                } else {
                    own(i)
                }
            },
            |_| "store-wifi".into(),
            |i| [10, 9, 7, 8][i % 4],
        );
        if counter {
            for x in &mut s[..2] {
                x.issued_ns = Some(x.at_ns - MINUTE_NS);
            }
        }
        let got = with(&s, Reason::SameNetwork);
        let want: Vec<usize> = if want { (0..n).collect() } else { vec![] };
        assert_eq!(got, want, "{n} visits, device {device}, counter {counter}");
    }
    // One answer at the counter is a customer in a hurry, not a sign.
    let mut s = series(
        8,
        20 * MINUTE_NS,
        own,
        |_| "store-wifi".into(),
        |i| [10, 9, 7, 8][i % 4],
    );
    s[3].issued_ns = Some(s[3].at_ns - MINUTE_NS);
    assert!(with(&s, Reason::SameNetwork).is_empty());
    // A burst of 10s on the network is a sign.
    let s = series(6, 5 * MINUTE_NS, own, |_| "store-wifi".into(), |_| 10);
    assert_eq!(with(&s, Reason::SameNetwork), vec![0, 1, 2, 3, 4, 5]);
}

#[test]
fn a_network_far_above_its_usual_share_is_flagged_and_at_its_usual_share_not() {
    // A month of answers on the carriers, then an afternoon of 6 from one new network: 100 %
    // of the store's answers there against 0 % usually.
    let mut s = usual_month(60, 70);
    let month = s.len();
    s.extend((0..6).map(|i| {
        a(
            "SZ-FT",
            &format!("W{i}"),
            &own(i),
            "wifi",
            i as i64 * 40 * MINUTE_NS,
            [10, 9, 8][i % 3],
        )
    }));
    assert_eq!(
        with(&s, Reason::SameNetwork),
        (month..month + 6).collect::<Vec<_>>()
    );
    // Fewer than `BASELINE_MIN` answers before: no usual to compare with.
    let s: Vec<Answer> = s[month - 10..].to_vec();
    assert!(with(&s, Reason::SameNetwork).is_empty());
    // Where the carrier the afternoon came on is the store's usual one, it is not above it.
    let mut s = usual_month(60, 70);
    s.extend((0..6).map(|i| {
        let net = if i < 3 { "carrier0" } else { "carrier1" };
        a(
            "SZ-FT",
            &format!("W{i}"),
            &own(i),
            net,
            i as i64 * 40 * MINUTE_NS,
            9,
        )
    }));
    none(&s);
}

#[test]
fn a_busy_saturday_on_the_lounges_guest_wifi_and_carriers_cgnat_are_not_flagged() {
    // 20 answers from the guest Wi-Fi over the day, each its own phone, varied scores, and
    // some customers on their carriers: alone, and after a month where the lounge's Wi-Fi
    // carries about half the store's answers.
    let saturday: Vec<Answer> = (0..30)
        .map(|i| {
            let net = if i % 3 == 2 {
                format!("carrier{}", i % 4)
            } else {
                "guest-wifi".into()
            };
            a(
                "SZ-FT",
                &format!("S{i}"),
                &own(i),
                &net,
                i as i64 * 20 * MINUTE_NS,
                [10, 9, 8, 10, 6, 9, 7][i % 7],
            )
        })
        .collect();
    assert_eq!(
        saturday
            .iter()
            .filter(|x| x.net.as_deref() == Some("guest-wifi"))
            .count(),
        20
    );
    none(&saturday);
    let mut month: Vec<Answer> = usual_month(80, 70)
        .into_iter()
        .enumerate()
        .map(|(i, mut x)| {
            if i % 2 == 0 {
                x.net = Some("guest-wifi".into());
            }
            x
        })
        .collect();
    month.extend(saturday);
    none(&month);
    // Three carriers' shared addresses (CGNAT): a day's 45 answers, 15 on each, any scores.
    none(&series(
        45,
        16 * MINUTE_NS,
        own,
        |i| format!("cgnat{}", i % 3),
        |i| [10, 9, 7, 8, 10, 5][i % 6],
    ));
}

#[test]
fn a_burst_of_nines_and_tens_is_flagged_against_the_stores_usual() {
    // A month at 55 % 9s and 10s, then a morning's six 9s and 10s within 25 min ("9 or 10").
    let mut s = usual_month(60, 55);
    let month = s.len();
    s.extend(series(
        6,
        5 * MINUTE_NS,
        |i| format!("m{i}"),
        own_net,
        |i| [9, 10][i % 2],
    ));
    for (k, x) in s[month..].iter_mut().enumerate() {
        x.visit = Some(format!("M{k}"));
    }
    assert_eq!(
        with(&s, Reason::HighBurst),
        (month..month + 6).collect::<Vec<_>>()
    );
    assert!(
        with(&s, Reason::TenBurst).is_empty(),
        "three 10s: no burst of 10s"
    );
    // Four of them: not a burst; an 8 and a 6 among six: 67 %, not one.
    let mut four = s[..month + 4].to_vec();
    assert!(with(&four, Reason::HighBurst).is_empty());
    four.extend([s[month + 4].clone(), s[month + 5].clone()]);
    four[month + 1].score = 8;
    four[month + 2].score = 6;
    assert!(with(&four, Reason::HighBurst).is_empty());
    // Without a usual (fewer than 20 other answers), nothing to measure against.
    assert!(with(&s[month - 10..], Reason::HighBurst).is_empty());
    // A store at 75 % 9s and 10s: the same morning is less than 30 points above it.
    let mut happier = usual_month(60, 75);
    happier.extend(s[month..].iter().cloned());
    assert!(with(&happier, Reason::HighBurst).is_empty());
}

#[test]
fn a_store_whose_customers_are_happy_all_month_is_not_flagged() {
    // 30 days, a busy morning each (six answers within 25 min) and the rest of the day
    // spread, 9 in 10 of them 9s and 10s, mixed, each customer on their own phone.
    let mut s = Vec::new();
    for day in 0..30i64 {
        for k in 0..12i64 {
            let at = day * DAY
                + if k < 6 {
                    k * 5 * MINUTE_NS
                } else {
                    k * 50 * MINUTE_NS
                };
            let i = (day * 12 + k) as usize;
            let score = if i % 10 == 7 { 8 } else { [9, 10, 9][i % 3] };
            s.push(a(
                "SZ-FT",
                &format!("V{i}"),
                &own(i),
                &format!("carrier{}", i % 5),
                at,
                score,
            ));
        }
    }
    none(&s);
}

#[test]
fn answers_at_the_counter_are_flagged_and_at_home_an_hour_later_not() {
    // (seconds after the visit was issued, flagged)
    for (after_s, want) in [
        (0, true),
        (30, true),
        (120, true),
        (121, false),
        (3600, false),
        (-60, false),
    ] {
        let mut x = a("SZ-FT", "V1", "d", "n", 0, 10);
        x.issued_ns = Some(x.at_ns - after_s * 1_000_000_000);
        assert_eq!(
            flag(&[x]) == vec![vec![Reason::AtCounter]],
            want,
            "{after_s} s after"
        );
    }
    // Without the visit's issue time, nothing to compare.
    none(&[a("SZ-FT", "V1", "d", "n", 0, 10)]);
}

#[test]
fn a_burst_of_tens_is_flagged_and_the_other_scores_in_it_not() {
    // Five 10s and a 9 within 25 min: 83 % tens.
    let s = series(
        6,
        5 * MINUTE_NS,
        own,
        own_net,
        |i| if i == 3 { 9 } else { 10 },
    );
    assert_eq!(with(&s, Reason::TenBurst), vec![0, 1, 2, 4, 5]);
    // Five 10s among seven answers: 71 %, a good morning.
    let s = series(7, 4 * MINUTE_NS, own, own_net, |i| {
        if i % 3 == 1 {
            8
        } else {
            10
        }
    });
    assert_eq!(s.iter().filter(|x| x.score == 10).count(), 5);
    assert!(with(&s, Reason::TenBurst).is_empty());
    // Four 10s: not a burst.
    none(&series(4, 2 * MINUTE_NS, own, own_net, |_| 10));
    // Five 10s over 31 min: the window is 30.
    let s = series(5, 465 * MINUTE_NS / 60, own, own_net, |_| 10);
    assert!(with(&s, Reason::TenBurst).is_empty());
    let s = series(5, 450 * MINUTE_NS / 60, own, own_net, |_| 10);
    assert_eq!(with(&s, Reason::TenBurst), vec![0, 1, 2, 3, 4]);
}

#[test]
fn honest_patterns_are_not_flagged() {
    // A household's two answers a day apart, from one phone on one network.
    none(&[
        a("SZ-FT", "V1", "home-phone", "home", 0, 10),
        a("SZ-FT", "V2", "home-phone", "home", DAY, 9),
    ]);
    // A busy store's 10s over a day: sixty, one every 15 min from 08:00.
    none(&series(60, 15 * MINUTE_NS, own, own_net, |_| 10));
    // …and over a day on the customers' mobile networks, several on one carrier's /24.
    none(&series(
        40,
        20 * MINUTE_NS,
        own,
        |i| format!("carrier{}", i % 9),
        |i| [10, 9, 7][i % 3],
    ));
    // A customer answering at home an hour after the visit.
    let mut home = a("SZ-FT", "V1", "d", "n", H, 10);
    home.issued_ns = Some(T0);
    none(&[home]);
    // One phone answering one visit twice (an update, a second answer) and one other visit.
    none(&[
        a("SZ-FT", "V1", "p", "n", 0, 6),
        a("SZ-FT", "V1", "p", "n", 10 * MINUTE_NS, 8),
        a("SZ-FT", "V2", "p", "n", 20 * MINUTE_NS, 9),
    ]);
    // One phone answering for three stores' visits (a fleet manager): one store each.
    none(&["SZ-FT", "GZ-TH", "SZ-NS"].map(|s| a(s, "V1", "fleet", "n", 0, 9)));
    // No marks recorded (answers stored before this collector version).
    none(&series(
        6,
        MINUTE_NS,
        |_| String::new(),
        |_| String::new(),
        |_| 9,
    ));
}

#[test]
fn reasons_combine_and_follow_their_answers_in_any_order() {
    // The store's tablet on the store's Wi-Fi at the counter, all 10s.
    let mut s = series(
        6,
        3 * MINUTE_NS,
        |_| "tablet".into(),
        |_| "wifi".into(),
        |_| 10,
    );
    for x in &mut s {
        x.issued_ns = Some(x.at_ns - 30_000_000_000);
    }
    // (no usual to measure a burst of 9s and 10s against)
    let all = vec![Reason::ALL[..4].to_vec(); 6];
    assert_eq!(flag(&s), all);
    // A generated mix, shuffled: each answer keeps its reasons.
    let mut mix = s.clone();
    mix.extend(series(
        30,
        37 * MINUTE_NS,
        own,
        |i| format!("n{}", i % 4),
        |i| (i % 11) as u8,
    ));
    let want = flag(&mix);
    let mut seed = 7u64;
    let mut order: Vec<usize> = (0..mix.len()).collect();
    for i in (1..order.len()).rev() {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        order.swap(i, (seed >> 33) as usize % (i + 1));
    }
    let shuffled: Vec<Answer> = order.iter().map(|&i| mix[i].clone()).collect();
    let got = flag(&shuffled);
    for (k, &i) in order.iter().enumerate() {
        assert_eq!(got[k], want[i], "answer {i}");
    }
    let keys: Vec<&str> = Reason::ALL.iter().map(|r| r.key()).collect();
    assert_eq!(
        keys,
        [
            "same_device",
            "same_network",
            "at_counter",
            "ten_burst",
            "high_burst"
        ]
    );
}
