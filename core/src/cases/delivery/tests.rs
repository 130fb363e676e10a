//! The delivery table, a row per rule, and a model of many jobs on one robot.

use super::*;

const S: i64 = SECOND_NS;

fn job(attempts: u32, last: Option<(Outcome, i64)>) -> Job {
    Job {
        attempts,
        last: last.map(|(outcome, at_ns)| Last { outcome, at_ns }),
    }
}

fn failed(retry_after: Option<u64>) -> Outcome {
    Outcome::Failed { retry_after }
}

#[test]
fn backoff_doubles_from_ten_seconds_to_half_an_hour() {
    let waits: Vec<u64> = (1..=10).map(backoff_secs).collect();
    assert_eq!(waits, [10, 20, 40, 80, 160, 320, 640, 1280, 1800, 1800]);
    assert_eq!(backoff_secs(0), 10);
    assert_eq!(backoff_secs(u32::MAX), 1800);
}

#[test]
fn every_rule() {
    let now = 1_000_000 * S;
    let busy: Vec<i64> = (0..20).map(|i| now - 59 * S + i * S).collect();
    let aged: Vec<i64> = busy.iter().map(|t| t - S).collect();
    let rows: Vec<(&str, Job, &[i64], Decision)> = vec![
        (
            "1 sent is done",
            job(1, Some((Outcome::Sent, now - S))),
            &[],
            Decision::Done,
        ),
        (
            "1 sent is done even at the limit",
            job(20, Some((Outcome::Sent, now))),
            &busy,
            Decision::Done,
        ),
        (
            "2 refused is dead at once",
            job(1, Some((Outcome::Refused, now - S))),
            &[],
            Decision::GiveUp(Dead::Refused),
        ),
        (
            "3 twenty failures are dead",
            job(20, Some((failed(None), now - 3600 * S))),
            &[],
            Decision::GiveUp(Dead::Exhausted),
        ),
        (
            "4 first failure waits 10 s",
            job(1, Some((failed(None), now - 4 * S))),
            &[],
            Decision::WaitUntil(now + 6 * S),
        ),
        (
            "4 third failure waits 40 s",
            job(3, Some((failed(None), now))),
            &[],
            Decision::WaitUntil(now + 40 * S),
        ),
        (
            "4 retry-after lengthens the wait",
            job(1, Some((failed(Some(120)), now))),
            &[],
            Decision::WaitUntil(now + 120 * S),
        ),
        (
            "4 retry-after never shortens it",
            job(9, Some((failed(Some(5)), now))),
            &[],
            Decision::WaitUntil(now + 1800 * S),
        ),
        (
            "4 retry-after is capped at an hour",
            job(1, Some((failed(Some(86_400)), now))),
            &[],
            Decision::WaitUntil(now + 3600 * S),
        ),
        (
            "4 a clock set back still waits only the backoff",
            job(1, Some((failed(None), now + 3600 * S))),
            &[],
            Decision::WaitUntil(now + 10 * S),
        ),
        (
            "5 twenty sends this minute wait for the oldest",
            job(0, None),
            &busy,
            Decision::WaitUntil(now + S),
        ),
        (
            "5 a due retry waits for the robot too",
            job(2, Some((failed(None), now - 20 * S))),
            &busy,
            Decision::WaitUntil(now + S),
        ),
        (
            "5 nineteen sends leave room",
            job(0, None),
            &busy[1..],
            Decision::Send,
        ),
        (
            "5 sends a minute old no longer count",
            job(0, None),
            &aged,
            Decision::Send,
        ),
        ("6 never tried is sent", job(0, None), &[], Decision::Send),
        (
            "6 backoff over is sent",
            job(1, Some((failed(None), now - 10 * S))),
            &[],
            Decision::Send,
        ),
        (
            "6 nineteen failures get a twentieth try",
            job(19, Some((failed(None), now - 1800 * S))),
            &[],
            Decision::Send,
        ),
    ];
    for (name, j, sends, expected) in rows {
        assert_eq!(decide(&j, now, sends), expected, "{name}");
    }
}

mod model {
    use super::*;
    use proptest::prelude::*;

    /// One step of the model: how far time moves, and how each send it makes ends.
    #[derive(Clone, Debug)]
    struct Tick {
        advance_ms: u32,
        outcomes: Vec<u8>,
    }

    fn tick() -> impl Strategy<Value = Tick> {
        (0u32..20_000, proptest::collection::vec(0u8..10, 40)).prop_map(|(advance_ms, outcomes)| {
            Tick {
                advance_ms,
                outcomes,
            }
        })
    }

    fn outcome(roll: u8) -> Outcome {
        match roll {
            0..=3 => Outcome::Sent,
            4 => Outcome::Refused,
            5 => failed(Some(u64::from(roll) * 7)),
            _ => failed(None),
        }
    }

    proptest! {
        /// Many jobs on one robot, each asked on every tick and sent once per `Send`: a job is
        /// never sent after it is done or dead, never before its wait is over, never more than
        /// `MAX_ATTEMPTS` times, and the robot never takes more than 20 in any minute.
        #[test]
        fn one_send_per_decision_and_twenty_a_minute(
            jobs in 1usize..40,
            ticks in proptest::collection::vec(tick(), 1..200),
        ) {
            let mut now: i64 = 5_000 * S;
            let mut state = vec![Job::default(); jobs];
            let mut not_before = vec![0i64; jobs];
            let mut sends: Vec<i64> = Vec::new();
            for t in ticks {
                now += i64::from(t.advance_ms) * 1_000_000;
                for (i, roll) in t.outcomes.iter().enumerate().take(jobs) {
                    let before = state[i];
                    let decision = decide(&before, now, &sends);
                    // Asked again at once with nothing changed, the answer is the same.
                    prop_assert_eq!(decide(&before, now, &sends), decision);
                    match decision {
                        Decision::Send => {
                            prop_assert!(now >= not_before[i]);
                            let finished = matches!(before.last, Some(Last { outcome: Outcome::Sent | Outcome::Refused, .. }));
                            prop_assert!(!finished);
                            prop_assert!(before.attempts < MAX_ATTEMPTS);
                            sends.push(now);
                            let last = Last { outcome: outcome(*roll), at_ns: now };
                            state[i] = Job { attempts: before.attempts + 1, last: Some(last) };
                            if let Outcome::Failed { .. } = last.outcome {
                                not_before[i] = now + backoff_secs(before.attempts + 1) as i64 * S;
                            }
                            // Once sent, the same decision does not send it again now.
                            prop_assert_ne!(decide(&state[i], now, &sends), Decision::Send);
                        }
                        Decision::WaitUntil(at) => {
                            prop_assert!(at > now);
                            not_before[i] = not_before[i].max(at);
                        }
                        Decision::GiveUp(_) | Decision::Done => {}
                    }
                }
                let in_minute = sends.iter().filter(|&&s| s > now - RATE_WINDOW_NS).count();
                prop_assert!(in_minute <= RATE_LIMIT, "{} sends in the minute to {}", in_minute, now);
            }
            // Every window of a minute, not only those ending at a tick.
            for (k, &start) in sends.iter().enumerate() {
                let window = sends[k..].iter().take_while(|&&s| s < start + RATE_WINDOW_NS).count();
                prop_assert!(window <= RATE_LIMIT, "{} sends in the minute from {}", window, start);
            }
        }
    }
}
