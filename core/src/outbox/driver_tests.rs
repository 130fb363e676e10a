//! The driver as scenarios: inputs in, the commands a shell carries out, one table per story.

use super::*;
use crate::outbox::{GIVE_UP_MS, MAX_ENTRY_BYTES};

/// A command in a few words, so a scenario reads as a table.
fn said(c: &Command) -> String {
    match c {
        Command::Write(e) => format!("write {} v{} try {}", e.id, e.version, e.attempts),
        Command::Delete(id) => format!("delete {id}"),
        Command::WriteLease(l) => format!("lease {}", l.split('|').next().unwrap_or("")),
        Command::WriteCreated(ids) => format!("created {ids}"),
        Command::Post(p) => format!("post {} v{}", p.id, p.version),
        Command::Beacon(p) => format!("beacon {} v{}", p.id, p.version),
        Command::Timer(Some(t)) => format!("timer {t}"),
        Command::Timer(None) => "timer off".into(),
        Command::Notify { id, status } => match status {
            Status::Dead(why) | Status::Refused(why) => format!("notify {id} {why}"),
            other => format!("notify {id} {other:?}").to_lowercase(),
        },
    }
}

fn target() -> Target {
    Target {
        endpoint: "/api".into(),
        headers: vec![],
        ..Target::default()
    }
}

fn submit(id: &str, body: &str, rank: u8, stored: Option<&Entry>) -> Input {
    Input::Submit {
        id: id.into(),
        target: target(),
        body: body.into(),
        rank,
        stored: stored.cloned(),
    }
}

fn reply(id: &str, version: u64, code: u16, stored: Option<&Entry>) -> Input {
    Input::Reply {
        id: id.into(),
        version,
        reply: Reply::Status {
            code,
            retry_after_s: None,
        },
        stored: stored.cloned(),
    }
}

fn at(now: u64) -> Env {
    Env {
        now,
        wall: 1_700_000_000_000 + now,
        random: 0.5,
        lease: None,
        created: None,
    }
}

/// Feeds each input at its time and checks the commands it gives.
fn run(d: &mut Driver, steps: &[(Input, Env, &[&str])]) {
    for (i, (input, env, want)) in steps.iter().enumerate() {
        let got: Vec<String> = d.handle(input.clone(), env).iter().map(said).collect();
        assert_eq!(got, *want, "step {i}: {input:?}");
    }
}

fn stored(id: &str, body: &str, now: u64) -> Entry {
    let mut o = Outbox::new();
    o.put(id, &target(), body.into(), 0, now).unwrap();
    o.entry(id).unwrap().clone()
}

#[test]
fn write_ahead_send_and_delete_on_2xx() {
    let mut d = Driver::new(true, Flusher::Lock { held: true });
    let v1 = stored("a", "scored", 0);
    run(
        &mut d,
        &[
            (Input::Loaded { stored: vec![] }, at(0), &[]),
            (
                submit("a", "scored", 0, None),
                at(0),
                &["write a v1 try 0", "notify a sending", "post a v1"],
            ),
            (
                reply("a", 1, 201, Some(&v1)),
                at(5),
                &["delete a", "notify a delivered"],
            ),
        ],
    );
    assert!(d.outbox().is_empty());
}

#[test]
fn failures_wait_on_the_timer_and_keep_the_stored_copy() {
    let mut d = Driver::new(true, Flusher::Lock { held: true });
    let v1 = stored("a", "scored", 0);
    run(
        &mut d,
        &[
            (
                submit("a", "scored", 0, None),
                at(0),
                &["write a v1 try 0", "notify a sending", "post a v1"],
            ),
            (
                reply("a", 1, 503, Some(&v1)),
                at(10),
                &["write a v1 try 1", "notify a waiting(busy)", "timer 1010"],
            ),
            (Input::Tick, at(1010), &["notify a sending", "post a v1"]),
        ],
    );
}

#[test]
fn a_later_stage_goes_out_after_the_earlier_one_is_acknowledged() {
    let mut d = Driver::new(true, Flusher::Lock { held: true });
    let v2 = {
        let mut e = stored("a", "completed", 0);
        e.version = 2;
        e.rank = 2;
        e
    };
    run(
        &mut d,
        &[
            (
                submit("a", "scored", 0, None),
                at(0),
                &["write a v1 try 0", "notify a sending", "post a v1"],
            ),
            (
                submit("a", "completed", 2, None),
                at(1),
                &["write a v2 try 0"],
            ),
            (
                reply("a", 1, 201, Some(&v2)),
                at(2),
                &["write a v2 try 0", "notify a sending", "post a v2"],
            ),
            (
                reply("a", 2, 200, Some(&v2)),
                at(3),
                &["delete a", "notify a delivered"],
            ),
        ],
    );
}

#[test]
fn refusals_are_final_and_reported_with_the_endpoint() {
    let mut d = Driver::new(true, Flusher::Lock { held: true });
    let v1 = stored("a", "x", 0);
    run(
        &mut d,
        &[
            (submit("a", "x", 0, None), at(0), &["write a v1 try 0", "notify a sending", "post a v1"]),
            (
                reply("a", 1, 422, Some(&v1)),
                at(1),
                &[
                    "write a v1 try 0",
                    "notify a the endpoint answered 422 and will not accept this response (HTTP 422 from /api)",
                ],
            ),
            (Input::Loaded { stored: vec![] }, at(5_000), &[]),
        ],
    );
    let big = "x".repeat(MAX_ENTRY_BYTES + 1);
    run(
        &mut d,
        &[(
            submit("b", &big, 0, None),
            at(6),
            &["notify b the response is 32769 bytes; at most 32768 are kept"],
        )],
    );
}

#[test]
fn only_the_flusher_sends_what_other_pages_left() {
    let left = stored("old", "x", 0);
    // Web Locks: nothing from earlier pages until the lock is granted.
    let mut d = Driver::new(true, Flusher::Lock { held: false });
    run(
        &mut d,
        &[
            (
                Input::Loaded {
                    stored: vec![left.clone()],
                },
                at(100),
                &[],
            ),
            (
                submit("mine", "y", 0, None),
                at(100),
                &["write mine v1 try 0", "notify mine sending", "post mine v1"],
            ),
            (
                Input::LockGranted {
                    stored: vec![left.clone()],
                },
                at(200),
                &["notify old sending", "post old v1"],
            ),
        ],
    );
    // The lease: another tab holds it, so look again later; once it expires, take it.
    let mut d = Driver::new(true, Flusher::Lease { token: "me".into() });
    let held = Env {
        lease: Some(format!("other|{}", at(100).wall + LEASE_MS)),
        ..at(100)
    };
    let expired = Env {
        lease: Some(format!("other|{}", at(100).wall + LEASE_MS)),
        ..at(100 + LEASE_MS)
    };
    run(
        &mut d,
        &[
            (
                Input::Loaded {
                    stored: vec![left.clone()],
                },
                held,
                &["timer 5100"],
            ),
            (
                Input::Tick,
                expired,
                &["lease me", "notify old sending", "post old v1"],
            ),
        ],
    );
    // No storage: nothing is shared, so this tab sends everything and writes nothing.
    let mut d = Driver::new(false, Flusher::Lock { held: false });
    run(
        &mut d,
        &[
            (Input::Loaded { stored: vec![] }, at(0), &[]),
            (
                submit("a", "x", 0, None),
                at(0),
                &["notify a sending", "post a v1"],
            ),
        ],
    );
}

#[test]
fn another_tab_never_overwrites_or_deletes_newer_content() {
    // This tab restored v1 of a response another tab created; that tab has since stored v2.
    let v1 = stored("x", "v1", 0);
    let mut v2 = stored("x", "v2", 0);
    v2.version = 2;
    let mut d = Driver::new(true, Flusher::Lock { held: true });
    run(
        &mut d,
        &[
            (
                Input::Loaded {
                    stored: vec![v1.clone()],
                },
                at(0),
                &["notify x sending", "post x v1"],
            ),
            (
                reply("x", 1, 200, Some(&v2)),
                at(1),
                &["notify x delivered"],
            ),
        ],
    );
}

#[test]
fn page_hide_hands_waiting_entries_to_the_beacon_and_removes_nothing() {
    let mut d = Driver::new(true, Flusher::Lock { held: true });
    run(
        &mut d,
        &[
            (
                submit("a", "x", 0, None),
                at(0),
                &["write a v1 try 0", "notify a sending", "post a v1"],
            ),
            (Input::Hidden, at(1), &["beacon a v1"]),
            (Input::Hidden, at(2), &["beacon a v1"]),
        ],
    );
    assert_eq!(d.outbox().len(), 1);
}

#[test]
fn a_week_of_failures_is_given_up_and_said() {
    let mut d = Driver::new(true, Flusher::Lock { held: true });
    let v1 = stored("a", "x", 0);
    run(
        &mut d,
        &[
            (
                submit("a", "x", 0, None),
                at(0),
                &["write a v1 try 0", "notify a sending", "post a v1"],
            ),
            (
                reply("a", 1, 500, Some(&v1)),
                at(GIVE_UP_MS),
                &["delete a", "notify a gaveup"],
            ),
        ],
    );
}

#[test]
fn only_a_tab_with_storage_asks_for_the_lock_and_only_the_lease_is_read() {
    let lock = || Flusher::Lock { held: false };
    let lease = || Flusher::Lease { token: "t".into() };
    let check = |storage: bool, flusher: Flusher, wants: bool, reads: bool| {
        let d = Driver::new(storage, flusher);
        assert_eq!((d.wants_lock(), d.reads_lease()), (wants, reads), "{d:?}");
    };
    check(true, lock(), true, false);
    check(false, lock(), false, false);
    check(true, lease(), false, true);
    check(false, lease(), false, false);
}

/// Regression: retry times were wall-clock values, so a clock set back a day stalled them.
#[test]
fn a_clock_set_back_does_not_stall_a_retry() {
    let mut d = Driver::new(true, Flusher::Lock { held: true });
    let v1 = stored("a", "x", 0);
    let set_back = |now: u64| Env {
        wall: at(now).wall - 86_400_000,
        ..at(now)
    };
    run(
        &mut d,
        &[
            (
                submit("a", "x", 0, None),
                at(0),
                &["write a v1 try 0", "notify a sending", "post a v1"],
            ),
            (
                reply("a", 1, 503, Some(&v1)),
                set_back(10),
                &["write a v1 try 1", "notify a waiting(busy)", "timer 1010"],
            ),
            (
                Input::Tick,
                set_back(1010),
                &["notify a sending", "post a v1"],
            ),
        ],
    );
}

#[test]
fn dead_letters_expire_on_a_later_load_and_only_a_dead_stored_copy_is_deleted() {
    let mut d = Driver::new(true, Flusher::Lock { held: true });
    let v1 = stored("a", "x", 0);
    let mut dead = v1.clone();
    dead.body.clear();
    dead.dead = Some("refused".into());
    let day = crate::outbox::DEAD_TTL_MS;
    run(
        &mut d,
        &[
            (submit("a", "x", 0, None), at(0), &["write a v1 try 0", "notify a sending", "post a v1"]),
            (
                reply("a", 1, 422, Some(&v1)),
                at(1),
                &["write a v1 try 0", "notify a the endpoint answered 422 and will not accept this response (HTTP 422 from /api)"],
            ),
            (Input::Loaded { stored: vec![dead.clone()] }, at(day / 2), &[]),
            (
                Input::Loaded { stored: vec![dead] },
                at(day + 2),
                &["delete a", "notify a expired"],
            ),
        ],
    );
    assert!(d.outbox().is_empty());
}

#[test]
fn offline_and_busy_are_told_apart_and_a_410_is_final() {
    let mut d = Driver::new(true, Flusher::Lock { held: true });
    let v1 = stored("a", "scored", 0);
    let network_error = Input::Reply {
        id: "a".into(),
        version: 1,
        reply: Reply::NetworkError,
        stored: Some(v1.clone()),
    };
    run(
        &mut d,
        &[
            (
                submit("a", "scored", 0, None),
                at(0),
                &["write a v1 try 0", "notify a sending", "post a v1"],
            ),
            (
                network_error,
                at(10),
                &[
                    "write a v1 try 1",
                    "notify a waiting(offline)",
                    "timer 1010",
                ],
            ),
            (Input::Tick, at(1010), &["notify a sending", "post a v1"]),
            // Another response answered this visit: dropped at once, never retried.
            (
                reply("a", 1, 410, Some(&v1)),
                at(1020),
                &["delete a", "notify a answered"],
            ),
            (Input::Tick, at(100_000), &[]),
        ],
    );
}

/// `update: "patch"`: the endpoint's acknowledgement of a POST outlives the entry, in this
/// page and in storage, so a reload that continues the response PATCHes it.
#[test]
fn a_created_response_is_patched_after_a_reload() {
    let rest = Target {
        update: crate::config::Update::Patch,
        ..target()
    };
    let submit = |body: &str, rank: u8| Input::Submit {
        id: "a".into(),
        target: rest.clone(),
        body: body.into(),
        rank,
        stored: None,
    };
    let method = |commands: &[Command]| {
        commands.iter().find_map(|c| match c {
            Command::Post(p) => Some(p.request(false).method),
            _ => None,
        })
    };
    let mut d = Driver::new(true, Flusher::Lock { held: true });
    d.handle(Input::Loaded { stored: vec![] }, &at(0));
    assert_eq!(method(&d.handle(submit("scored", 0), &at(0))), Some("POST"));
    let got: Vec<String> = d
        .handle(reply("a", 1, 201, None), &at(5))
        .iter()
        .map(said)
        .collect();
    assert_eq!(got, ["created a", "notify a delivered"]);
    // The same page: the next stage is a PATCH.
    assert_eq!(
        method(&d.handle(submit("completed", 2), &at(6))),
        Some("PATCH")
    );
    // A reload: the page reads what storage holds under CREATED_KEY.
    let reloaded = Env {
        created: Some("a".into()),
        ..at(0)
    };
    let mut d = Driver::new(true, Flusher::Lock { held: true });
    d.handle(Input::Loaded { stored: vec![] }, &reloaded);
    assert_eq!(
        method(&d.handle(submit("completed", 2), &reloaded)),
        Some("PATCH")
    );
    // Without it, the response would be POSTed again.
    let mut d = Driver::new(true, Flusher::Lock { held: true });
    d.handle(Input::Loaded { stored: vec![] }, &at(0));
    assert_eq!(
        method(&d.handle(submit("completed", 2), &at(0))),
        Some("POST")
    );
}
