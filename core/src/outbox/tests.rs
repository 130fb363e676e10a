//! The outbox state machine and its policies, as tables and scenarios.

use super::*;

fn t() -> Target {
    Target {
        endpoint: "/api/responses".into(),
        headers: vec![],
        ..Target::default()
    }
}

fn status(code: u16) -> Reply {
    Reply::Status {
        code,
        retry_after_s: None,
    }
}

#[test]
fn backoff_doubles_to_a_cap_with_jitter() {
    let mid: Vec<u64> = (1..=9).map(|a| backoff_ms(a, 0.5)).collect();
    assert_eq!(
        mid,
        [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]
    );
    assert_eq!(backoff_ms(1, 0.0), 800);
    assert_eq!(backoff_ms(1, 0.999_999), 1199);
    assert_eq!(backoff_ms(u32::MAX, 0.5), 60000);
}

#[test]
fn status_classes() {
    let check = |code: u16, want: Class| assert_eq!(classify(code), want, "{code}");
    for c in [200, 201, 204] {
        check(c, Class::Success);
    }
    for c in [400, 401, 403, 413, 422] {
        check(c, Class::Dead);
    }
    check(410, Class::Answered);
    for c in [408, 409, 425, 429, 500, 502, 503, 504, 404] {
        check(c, Class::Retry);
    }
}

#[test]
fn a_response_is_sent_at_once_and_removed_on_2xx() {
    let mut o = Outbox::new();
    assert_eq!(o.put("a", &t(), "{}".into(), 0, 100), Ok(Put::Stored));
    let sends = o.due(100);
    assert_eq!(sends.len(), 1);
    assert!(o.due(100).is_empty(), "in flight is not sent twice");
    assert_eq!(o.settle("a", 1, status(201), 150, 0.5), Settled::Delivered);
    assert!(o.is_empty());
}

#[test]
fn failures_back_off_and_honour_retry_after() {
    let mut o = Outbox::new();
    o.put("a", &t(), "{}".into(), 0, 0).unwrap();
    o.due(0);
    assert_eq!(
        o.settle("a", 1, Reply::NetworkError, 10, 0.5),
        Settled::Retry { next_at: 1010 }
    );
    assert!(o.due(1009).is_empty());
    assert_eq!(o.due(1010).len(), 1);
    assert_eq!(
        o.settle("a", 1, status(500), 1010, 0.5),
        Settled::Retry { next_at: 3010 }
    );
    o.due(3010);
    let ra = Reply::Status {
        code: 429,
        retry_after_s: Some(30),
    };
    assert_eq!(
        o.settle("a", 1, ra, 3010, 0.5),
        Settled::Retry { next_at: 33010 }
    );
    o.due(33010);
    let huge = Reply::Status {
        code: 503,
        retry_after_s: Some(99_999),
    };
    assert_eq!(
        o.settle("a", 1, huge, 33010, 0.5),
        Settled::Retry {
            next_at: 33010 + 300_000
        }
    );
    o.resume(40_000);
    assert_eq!(o.next_wake(), Some(40_000));
}

#[test]
fn a_later_stage_survives_the_ack_of_an_earlier_one() {
    let mut o = Outbox::new();
    o.put("a", &t(), "scored".into(), 0, 0).unwrap();
    let s = o.due(0);
    assert_eq!(s[0].version, 1);
    o.put("a", &t(), "completed".into(), 2, 5).unwrap();
    assert!(o.due(5).is_empty(), "one send per id at a time");
    assert_eq!(o.settle("a", 1, status(201), 6, 0.5), Settled::Superseded);
    let s = o.due(6);
    assert_eq!((s[0].version, s[0].body.as_str()), (2, "completed"));
    assert_eq!(o.settle("a", 2, status(200), 7, 0.5), Settled::Delivered);
}

#[test]
fn an_earlier_stage_never_overwrites_a_later_one() {
    let mut o = Outbox::new();
    o.put("a", &t(), "completed".into(), 2, 0).unwrap();
    assert_eq!(o.put("a", &t(), "scored".into(), 0, 1), Ok(Put::Stale));
    assert_eq!(o.entry("a").unwrap().body, "completed");
}

#[test]
fn refused_bodies_become_dead_letters_and_are_never_retried() {
    let mut o = Outbox::new();
    o.put("a", &t(), "{}".into(), 0, 0).unwrap();
    o.due(0);
    assert!(matches!(
        o.settle("a", 1, status(422), 1, 0.5),
        Settled::Dead { .. }
    ));
    o.resume(10);
    assert!(o.due(1_000_000).is_empty());
    assert_eq!(o.len(), 1, "kept, not dropped");
    assert_eq!(o.beacon_entries().count(), 0);
    let dead = o.entry("a").unwrap();
    assert_eq!(
        (dead.body.as_str(), dead.target.headers.len()),
        ("", 0),
        "nothing personal kept"
    );
    // 401 and 403 (an origin the collector refuses) are final too.
    for code in [401, 403] {
        o.put("b", &t(), "{}".into(), 0, 0).unwrap();
        o.due(0);
        assert!(
            matches!(
                o.settle("b", o.entry("b").unwrap().version, status(code), 1, 0.5),
                Settled::Dead { .. }
            ),
            "{code}"
        );
    }
}

/// Regression: dead letters were kept forever and counted toward the cap, so 50 refusals
/// stopped the widget from queuing any new answer in that browser.
#[test]
fn dead_letters_never_block_a_new_answer_and_expire() {
    let mut o = Outbox::new();
    o.advance(0);
    for i in 0..MAX_ENTRIES + 5 {
        let id = format!("d{i}");
        o.put(&id, &t(), "{}".into(), 0, 0).unwrap();
        o.due(0);
        assert!(matches!(
            o.settle(&id, 1, status(422), 0, 0.5),
            Settled::Dead { .. }
        ));
        o.advance(i as u64 + 1);
    }
    assert_eq!(o.put("new", &t(), "{}".into(), 0, 0), Ok(Put::Stored));
    // At most MAX_DEAD stay, the most recent ones.
    let gone = o.expire_dead();
    assert_eq!(gone.len(), MAX_ENTRIES + 5 - MAX_DEAD);
    assert!(gone.contains(&"d0".to_owned()) && o.entry("d54").is_some());
    // The rest go after DEAD_TTL_MS of waiting.
    o.advance(DEAD_TTL_MS + 100);
    assert_eq!(o.expire_dead().len(), MAX_DEAD);
    assert_eq!(o.len(), 1, "only the live answer is left");
}

#[test]
fn caps_refuse_without_evicting() {
    let mut o = Outbox::new();
    assert_eq!(
        o.put("big", &t(), "x".repeat(MAX_ENTRY_BYTES + 1), 0, 0),
        Err(PutError::TooLarge {
            bytes: MAX_ENTRY_BYTES + 1
        })
    );
    for i in 0..MAX_ENTRIES {
        o.put(&i.to_string(), &t(), "{}".into(), 0, 0).unwrap();
    }
    assert_eq!(
        o.put("one-more", &t(), "{}".into(), 0, 0),
        Err(PutError::Full)
    );
    assert_eq!(
        o.put("3", &t(), "{}".into(), 2, 0),
        Ok(Put::Stored),
        "updating an existing entry still works"
    );
    assert_eq!(o.len(), MAX_ENTRIES);
}

#[test]
fn gives_up_after_seven_days_of_waiting_and_says_so() {
    let mut o = Outbox::new();
    o.advance(0);
    o.put("a", &t(), "{}".into(), 0, 0).unwrap();
    o.due(0);
    o.advance(GIVE_UP_MS - 1);
    assert!(matches!(
        o.settle("a", 1, status(503), GIVE_UP_MS - 1, 0.5),
        Settled::Retry { .. }
    ));
    o.advance(GIVE_UP_MS);
    o.resume(GIVE_UP_MS);
    o.due(GIVE_UP_MS);
    assert_eq!(
        o.settle("a", 1, Reply::Timeout, GIVE_UP_MS, 0.5),
        Settled::GaveUp
    );
    assert!(o.is_empty());
}

/// Regression: the age was the wall clock minus the first put, so a clock corrected forward
/// made a fresh answer look a week old. Only time a page held the entry counts now, and a
/// page's clock starts again at zero.
#[test]
fn only_waiting_time_counts_not_the_wall_clock() {
    let mut o = Outbox::new();
    o.advance(5_000);
    o.put("a", &t(), "{}".into(), 0, 5_000).unwrap();
    o.advance(3_605_000);
    assert_eq!(o.entry("a").unwrap().waited_ms, 3_600_000);
    // Stored, then read by a page opened a month later (by any clock): due at once, and
    // still an hour old.
    let stored = Entry::from_json(&o.entry("a").unwrap().to_json()).unwrap();
    let mut later = Outbox::new();
    later.advance(10);
    later.load([stored], 10);
    assert_eq!(later.entry("a").unwrap().waited_ms, 3_600_000);
    assert_eq!(later.due(10).len(), 1);
    assert_eq!(
        later.settle("a", 1, status(500), 20, 0.5),
        Settled::Retry { next_at: 1_020 }
    );
}

#[test]
fn reload_restores_entries_due_at_once() {
    let mut o = Outbox::new();
    o.put("a", &t(), "{}".into(), 0, 0).unwrap();
    o.due(0);
    o.settle("a", 1, status(500), 0, 0.5);
    let stored: Vec<String> = o.entries().map(Entry::to_json).collect();
    let mut fresh = Outbox::new();
    fresh.load(stored.iter().map(|s| Entry::from_json(s).unwrap()), 500);
    assert_eq!(fresh.due(500).len(), 1);
    assert_eq!(fresh.entry("a").unwrap().attempts, 1);
}

#[test]
fn entries_round_trip_and_junk_is_refused() {
    let mut o = Outbox::new();
    let target = Target {
        endpoint: "https://x.example/api".into(),
        headers: vec![("X-Key".into(), "k".into())],
        ..Target::default()
    };
    o.put("a", &target, "{\"a\":1}".into(), 2, 7).unwrap();
    // The retry time is this page's clock: not stored.
    let mut e = o.entry("a").unwrap().clone();
    e.next_at = 0;
    assert_eq!(Entry::from_json(&e.to_json()), Some(e));
    for junk in ["", "[]", "{}", "{\"id\":\"a\"}", "not json"] {
        assert_eq!(Entry::from_json(junk), None, "{junk}");
    }
}

#[test]
fn tabs_never_undo_each_other_in_storage() {
    let mut a = Outbox::new();
    a.put("x", &t(), "v1".into(), 0, 0).unwrap();
    let v1 = a.entry("x").unwrap().clone();
    a.put("x", &t(), "v2".into(), 2, 1).unwrap();
    let v2 = a.entry("x").unwrap().clone();
    // Delivered, then put again: the version number starts over at 1.
    let mut b = Outbox::new();
    b.put("x", &t(), "v3".into(), 0, 2).unwrap();
    let v3 = b.entry("x").unwrap().clone();
    assert_eq!(v3.version, v1.version);
    let mut retried = v1.clone();
    retried.attempts = 3;
    use StorageAction::*;
    let check =
        |stored: Option<&Entry>, mine: Option<&Entry>, removed: Option<&str>, owner: bool, want| {
            assert_eq!(storage_action(stored, mine, removed, owner), want)
        };
    let mut refused = v1.clone();
    refused.body.clear();
    refused.dead = Some("422".into());
    check(Some(&v1), Some(&refused), Some("v1"), false, Write); // the dead letter replaces what it refused
    check(Some(&v2), Some(&refused), Some("v1"), false, Keep); // but never newer content
    check(Some(&v2), Some(&v1), None, false, Keep); // a stale tab does not overwrite
    check(Some(&v3), Some(&v1), None, false, Keep); // not even at the same version number
    check(Some(&v1), Some(&retried), None, false, Write); // bookkeeping over the same body
    check(None, Some(&v1), None, false, Keep); // delivered elsewhere: not brought back
    check(Some(&v1), Some(&v2), None, true, Write); // the owner writes its content
    check(Some(&v2), Some(&v3), None, true, Write);
    check(None, Some(&v1), None, true, Write);
    check(Some(&v2), None, Some("v1"), false, Keep); // a stale tab's 2xx does not delete the newer one
    check(Some(&v2), None, Some("v2"), false, Delete);
    check(None, None, Some("v2"), true, Keep);
}

#[test]
fn one_lease_holder_at_a_time() {
    assert_eq!(lease(None, "a", 100).as_deref(), Some("a|15100"));
    assert_eq!(
        lease(Some("a|15100"), "a", 5000).as_deref(),
        Some("a|20000"),
        "renewed by its holder"
    );
    assert_eq!(
        lease(Some("a|15100"), "b", 5000),
        None,
        "held by another tab"
    );
    assert_eq!(
        lease(Some("a|15100"), "b", 15100).as_deref(),
        Some("b|30100"),
        "taken once expired"
    );
    assert_eq!(lease(Some("garbage"), "b", 1).as_deref(), Some("b|15001"));
}

#[test]
fn a_tab_that_is_not_the_flusher_sends_only_its_own() {
    let mut o = Outbox::new();
    o.put("mine", &t(), "{}".into(), 0, 0).unwrap();
    o.put("restored", &t(), "{}".into(), 0, 0).unwrap();
    let sent: Vec<String> = o
        .due_where(0, |id| id == "mine")
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(sent, ["mine"]);
    assert_eq!(o.due(0).len(), 1, "the other is still waiting");
}

#[test]
fn a_late_success_for_the_current_version_still_counts() {
    let mut o = Outbox::new();
    o.put("a", &t(), "{}".into(), 0, 0).unwrap();
    o.due(0);
    o.abandon_in_flight();
    assert_eq!(o.settle("a", 1, status(200), 5, 0.5), Settled::Delivered);
    assert_eq!(o.settle("zzz", 1, status(200), 5, 0.5), Settled::Unknown);
}

/// Found by the model test: a refusal of an older version marked the entry dead, and the
/// newer body, never sent, with it.
#[test]
fn a_refusal_of_an_older_version_does_not_kill_the_newer_one() {
    let mut o = Outbox::new();
    o.put("a", &t(), "scored".into(), 0, 0).unwrap();
    o.due(0);
    o.put("a", &t(), "completed".into(), 2, 1).unwrap();
    assert_eq!(o.settle("a", 1, status(422), 2, 0.5), Settled::Superseded);
    let s = o.due(2);
    assert_eq!((s[0].version, s[0].body.as_str()), (2, "completed"));
    assert_eq!(o.settle("a", 2, status(201), 3, 0.5), Settled::Delivered);
}

/// Found by the model test: a tab holding a dead letter ignored the live version another
/// tab stored at the same stage, so nobody sent it.
#[test]
fn a_live_stored_version_replaces_a_dead_letter_held_in_memory() {
    let mut flusher = Outbox::new();
    flusher.put("a", &t(), "v1".into(), 0, 0).unwrap();
    flusher.due(0);
    flusher.settle("a", 1, status(422), 1, 0.5);
    let mut owner = Outbox::new();
    owner.put("a", &t(), "v2".into(), 0, 0).unwrap();
    flusher.load([owner.entry("a").unwrap().clone()], 5);
    assert_eq!(flusher.due(5)[0].body, "v2");
    // A dead letter in storage does not replace a live entry.
    let mut live = Outbox::new();
    live.put("a", &t(), "v3".into(), 0, 0).unwrap();
    let mut dead = flusher.entry("a").unwrap().clone();
    dead.dead = Some("422".into());
    live.load([dead], 6);
    assert!(live.entry("a").unwrap().dead.is_none());
}

/// Found by the model test: a failure of an older version, a week on, gave up the entry
/// whose newer version had never been tried.
#[test]
fn only_the_current_version_is_given_up() {
    let mut o = Outbox::new();
    o.advance(0);
    o.put("a", &t(), "v1".into(), 0, 0).unwrap();
    o.due(0);
    o.put("a", &t(), "v2".into(), 0, 1).unwrap();
    o.advance(GIVE_UP_MS + 1);
    assert_eq!(
        o.settle("a", 1, status(500), GIVE_UP_MS + 1, 0.5),
        Settled::Superseded
    );
    assert_eq!(o.due(GIVE_UP_MS + 1)[0].body, "v2");
}

/// `update: "patch"` (a generic REST endpoint): what each try sends, as the endpoint answers.
mod patch {
    use super::*;
    use crate::config::Update;

    fn rest() -> Target {
        Target {
            endpoint: "/responses/".into(),
            update: Update::Patch,
            ..t()
        }
    }

    /// The method and URL of the one post due now.
    fn sent(o: &mut Outbox, now: u64) -> (u64, String) {
        let due = o.due(now);
        assert_eq!(due.len(), 1, "one post due at {now}");
        let r = due[0].request(false);
        (due[0].version, format!("{} {}", r.method, r.url))
    }

    /// Each step: a stage put (or none), then the try sent and the endpoint's reply.
    fn story(steps: &[(Option<u8>, &str, Reply)]) {
        let mut o = Outbox::new();
        let mut now = 0;
        for (i, (put, want, reply)) in steps.iter().enumerate() {
            if let Some(rank) = put {
                let body = format!("{{\"id\":\"a 1\",\"rank\":{rank}}}");
                o.put("a 1", &rest(), body, *rank, now).unwrap();
            }
            now = o.next_wake().unwrap_or(now).max(now);
            let (version, got) = sent(&mut o, now);
            assert_eq!(got, *want, "step {i}");
            o.settle("a 1", version, *reply, now, 0.5);
        }
    }

    #[test]
    fn the_first_post_creates_and_later_ones_patch() {
        story(&[
            (Some(0), "POST /responses/", status(201)),
            (Some(1), "PATCH /responses/a%201", status(200)),
            (Some(2), "PATCH /responses/a%201", status(200)),
        ]);
    }

    #[test]
    fn a_post_never_acknowledged_is_posted_again_never_patched() {
        story(&[
            (Some(0), "POST /responses/", Reply::NetworkError),
            (None, "POST /responses/", Reply::Timeout),
            (Some(2), "POST /responses/", status(500)),
            (None, "POST /responses/", status(404)),
            (None, "POST /responses/", status(201)),
        ]);
    }

    #[test]
    fn a_patch_the_endpoint_lost_goes_as_a_post_of_the_whole_body() {
        story(&[
            (Some(0), "POST /responses/", status(201)),
            (Some(2), "PATCH /responses/a%201", status(404)),
            (None, "POST /responses/", status(201)),
        ]);
    }

    #[test]
    fn a_post_answered_409_exists_already_and_is_patched() {
        story(&[
            (Some(0), "POST /responses/", status(409)),
            (None, "PATCH /responses/a%201", status(200)),
        ]);
    }

    #[test]
    fn a_stage_put_while_its_post_is_on_the_wire_patches_once_the_post_is_acknowledged() {
        let mut o = Outbox::new();
        o.put("a", &rest(), "scored".into(), 0, 0).unwrap();
        let (v1, first) = sent(&mut o, 0);
        assert_eq!(first, "POST /responses/");
        o.put("a", &rest(), "completed".into(), 2, 1).unwrap();
        assert_eq!(o.settle("a", v1, status(201), 2, 0.5), Settled::Superseded);
        let (v2, next) = sent(&mut o, 2);
        assert_eq!(next, "PATCH /responses/a");
        // Had the POST failed, the newer body would have been POSTed.
        let mut o = Outbox::new();
        o.put("a", &rest(), "scored".into(), 0, 0).unwrap();
        let (v1, _) = sent(&mut o, 0);
        o.put("a", &rest(), "completed".into(), 2, 1).unwrap();
        o.settle("a", v1, Reply::NetworkError, 2, 0.5);
        assert_eq!(sent(&mut o, 2).1, "POST /responses/");
        assert!(v2 > v1);
    }

    #[test]
    fn the_collectors_way_posts_every_time_whatever_the_answer() {
        let mut o = Outbox::new();
        for (rank, reply) in [
            (0, status(201)),
            (1, status(409)),
            (1, status(201)),
            (2, status(200)),
        ] {
            o.put("a", &t(), "b".into(), rank, 0).unwrap();
            let (v, got) = sent(&mut o, 0);
            assert_eq!(got, "POST /api/responses");
            o.settle("a", v, reply, 0, 0.5);
            o.resume(0);
        }
    }

    #[test]
    fn page_hide_beacons_only_posts_and_patches_go_by_keepalive_fetch() {
        let mut o = Outbox::new();
        o.put("a", &rest(), "scored".into(), 0, 0).unwrap();
        assert!(o.beacon_entries().all(|e| e.post().beacon_ok()));
        let (v, _) = sent(&mut o, 0);
        o.settle("a", v, status(201), 0, 0.5);
        o.put("a", &rest(), "completed".into(), 2, 1).unwrap();
        let post = o.beacon_entries().next().unwrap().post();
        assert_eq!((post.method, post.beacon_ok()), (Method::Patch, false));
    }

    #[test]
    fn a_rest_endpoint_is_sent_json_even_cross_origin() {
        assert_eq!(t().content_type(true), "text/plain;charset=UTF-8");
        assert_eq!(rest().content_type(true), "application/json");
        assert_eq!(rest().content_type(false), "application/json");
    }

    #[test]
    fn the_stored_form_keeps_the_method_and_older_entries_still_load() {
        let mut o = Outbox::new();
        o.put("a", &rest(), "scored".into(), 0, 0).unwrap();
        let v = o.due(0)[0].version;
        o.settle("a", v, status(409), 0, 0.5);
        let mut e = o.entry("a").unwrap().clone();
        e.next_at = 0;
        assert!(e.created);
        assert_eq!(Entry::from_json(&e.to_json()), Some(e));
        // An entry as the version before `update` stored it: it posts, as it did.
        let old = r#"{"id":"b","endpoint":"/api","headers":[],"body":"x","rank":0,"version":3,"attempts":1,"waited":5,"dead":null}"#;
        let b = Entry::from_json(old).unwrap();
        assert_eq!((b.target.update, b.created), (Update::Post, false));
        assert_eq!(b.post().method, Method::Post);
        // The collector's entries are stored as before (no new fields).
        assert_eq!(
            b.to_json().contains("update") || b.to_json().contains("created"),
            false
        );
        // A method this version does not know is not guessed at.
        let unknown = old.replace("\"dead\":null", "\"dead\":null,\"update\":\"put\"");
        assert_eq!(Entry::from_json(&unknown), None);
    }
}
