//! The people cases of the conformance suite (run on each engine by `conformance!`): accounts,
//! invites, sessions, machine tokens and the audit trail.

use super::{at, fresh, target, Engine};
use nps_core::access::{Role, Scope};
use serde_json::json;

const SECOND: i64 = 1_000_000_000;
const HOUR: i64 = 3600 * SECOND;

fn stores(codes: &[&str]) -> Scope {
    Scope::Stores(codes.iter().map(|c| c.to_string()).collect())
}

/// Accounts round-trip; an email (whatever its case) has one account.
pub async fn users_round_trip_and_an_email_is_taken_once(e: Engine) {
    let s = fresh(e).await;
    let a = s
        .user_add(
            " Li.Na@Brand.example ",
            Role::Store,
            &stores(&["SZ-FT"]),
            &at(0),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.email, "li.na@brand.example");
    assert_eq!(
        (
            a.role,
            a.scope.clone(),
            a.password_hash.clone(),
            a.disabled_at.clone()
        ),
        (Role::Store, stores(&["SZ-FT"]), None, None)
    );
    assert_eq!(a.created_at, at(0).at);
    assert_eq!(
        s.user_add("LI.NA@brand.example", Role::Admin, &Scope::All, &at(1))
            .await
            .unwrap(),
        None
    );
    let b = s
        .user_add(
            "wang@brand.example",
            Role::Region,
            &Scope::Regions(vec!["EAST".into()]),
            &at(2),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        s.user_by_email("li.na@BRAND.example").await.unwrap(),
        Some(a.clone())
    );
    assert_eq!(s.user_by_id(b.id).await.unwrap(), Some(b.clone()));
    assert_eq!(s.users().await.unwrap(), vec![a.clone(), b.clone()]);
    assert!(s
        .user_set_role(b.id, Role::Analyst, &Scope::All)
        .await
        .unwrap());
    assert_eq!(
        s.user_by_id(b.id).await.unwrap().unwrap().role,
        Role::Analyst
    );
    assert!(!s
        .user_set_role(999, Role::Analyst, &Scope::All)
        .await
        .unwrap());
    assert_eq!(s.user_by_id(999).await.unwrap(), None);
}

/// An invite is used once, only before it expires, and a newer one replaces it.
pub async fn invites_are_one_time_and_expire(e: Engine) {
    let s = fresh(e).await;
    let u = s
        .user_add("a@b.example", Role::Store, &stores(&["SZ-FT"]), &at(0))
        .await
        .unwrap()
        .unwrap();
    let expires = at(0).ns + 72 * HOUR;
    assert!(s.invite(u.id, "hash-1", expires, &at(0)).await.unwrap());
    assert!(!s.invite(999, "hash-x", expires, &at(0)).await.unwrap());
    assert_eq!(
        s.invite_user("hash-1", &at(10))
            .await
            .unwrap()
            .map(|u| u.id),
        Some(u.id)
    );
    // A newer invite (a reset) replaces it.
    assert!(s.invite(u.id, "hash-2", expires, &at(20)).await.unwrap());
    assert_eq!(s.invite_user("hash-1", &at(30)).await.unwrap(), None);
    assert_eq!(
        s.invite_accept("hash-1", "$argon2id$stale", &at(30))
            .await
            .unwrap(),
        None
    );
    let done = s
        .invite_accept("hash-2", "$argon2id$v=19$x", &at(40))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.password_hash.as_deref(), Some("$argon2id$v=19$x"));
    // Used: gone.
    assert_eq!(
        s.invite_accept("hash-2", "$argon2id$again", &at(50))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        s.user_by_id(u.id)
            .await
            .unwrap()
            .unwrap()
            .password_hash
            .as_deref(),
        Some("$argon2id$v=19$x")
    );
    // Expired: refused, and a reset clears the password.
    assert!(s.invite(u.id, "hash-3", at(100).ns, &at(60)).await.unwrap());
    assert_eq!(
        s.user_by_id(u.id).await.unwrap().unwrap().password_hash,
        None
    );
    assert_eq!(s.invite_user("hash-3", &at(100)).await.unwrap(), None);
    assert_eq!(
        s.invite_accept("hash-3", "$argon2id$late", &at(101))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        s.user_by_id(u.id).await.unwrap().unwrap().password_hash,
        None
    );
}

/// Accepts of one invite at once (a double click, two tabs, a replay): exactly one sets the
/// password; the others find the invite used.
pub async fn an_invite_accepted_at_once_twice_is_used_once(e: Engine) {
    let s = fresh(e).await;
    let expires = at(0).ns + 72 * HOUR;
    for round in 0..10 {
        let u = s
            .user_add(
                &format!("r{round}@b.example"),
                Role::Store,
                &stores(&["SZ-FT"]),
                &at(0),
            )
            .await
            .unwrap()
            .unwrap();
        let token = format!("hash-{round}");
        assert!(s.invite(u.id, &token, expires, &at(0)).await.unwrap());
        let tasks: Vec<_> = (0..6)
            .map(|n| {
                let (s, token) = (s.clone(), token.clone());
                tokio::spawn(async move {
                    let pw = format!("$argon2id${n}");
                    let won = s.invite_accept(&token, &pw, &at(10)).await.unwrap();
                    won.map(|_| pw)
                })
            })
            .collect();
        let mut won = Vec::new();
        for t in tasks {
            won.extend(t.await.unwrap());
        }
        assert_eq!(won.len(), 1, "round {round}: {won:?}");
        let stored = s.user_by_id(u.id).await.unwrap().unwrap().password_hash;
        assert_eq!(stored.as_ref(), won.first(), "round {round}");
    }
}

/// A session lives until it is idle too long, its absolute end, its revocation, or its
/// account's disabling; each use moves the idle end on.
pub async fn sessions_expire_and_are_revoked(e: Engine) {
    let s = fresh(e).await;
    let u = s
        .user_add("a@b.example", Role::Admin, &Scope::All, &at(0))
        .await
        .unwrap()
        .unwrap();
    let (idle, absolute) = (30 * 60 * SECOND, 12 * HOUR);
    s.session_add("s-idle", u.id, &at(0), idle, absolute)
        .await
        .unwrap();
    s.session_add("s-used", u.id, &at(0), idle, absolute)
        .await
        .unwrap();
    s.session_add("s-out", u.id, &at(0), idle, absolute)
        .await
        .unwrap();
    let live = |id: &'static str, secs: i64| {
        let s = s.clone();
        async move {
            s.session_touch(id, &at(secs), idle)
                .await
                .unwrap()
                .map(|u| u.email)
        }
    };
    assert_eq!(
        live("s-idle", 29 * 60).await.as_deref(),
        Some("a@b.example")
    );
    assert_eq!(
        live("s-idle", 29 * 60 + 30 * 60).await,
        None,
        "idle for 30 minutes"
    );
    assert_eq!(live("nobody", 1).await, None);
    // Used every 20 minutes: alive until the absolute end, never past it.
    for m in (20..12 * 60).step_by(20) {
        assert!(live("s-used", m * 60).await.is_some(), "minute {m}");
    }
    assert_eq!(live("s-used", 12 * 3600).await, None, "the absolute end");
    assert!(s.session_revoke("s-out", &at(10)).await.unwrap());
    assert!(!s.session_revoke("s-out", &at(11)).await.unwrap());
    assert_eq!(live("s-out", 12).await, None, "signed out");
    // A disabled account's live session ends at once, and does not come back when enabled.
    s.session_add("s-live", u.id, &at(100), idle, absolute)
        .await
        .unwrap();
    assert!(live("s-live", 101).await.is_some());
    assert!(s.user_set_disabled(u.id, true, &at(102)).await.unwrap());
    assert_eq!(live("s-live", 103).await, None);
    // A session made for a disabled account (a sign-in racing the disable) opens nothing.
    s.session_add("s-late", u.id, &at(103), idle, absolute)
        .await
        .unwrap();
    assert_eq!(live("s-late", 103).await, None);
    assert!(s.user_set_disabled(u.id, false, &at(104)).await.unwrap());
    assert_eq!(live("s-live", 105).await, None);
    assert_eq!(s.user_by_id(u.id).await.unwrap().unwrap().disabled_at, None);
    // A reset ends the sessions too.
    s.session_add("s-reset", u.id, &at(200), idle, absolute)
        .await
        .unwrap();
    assert!(s
        .invite(u.id, "inv", at(200).ns + HOUR, &at(201))
        .await
        .unwrap());
    assert_eq!(live("s-reset", 202).await, None);
}

/// What `user list` says of each account: whether it ever had a session (ended or not) and
/// when its invite ends; an account with neither has no entry.
pub async fn user_standings_say_who_signed_in_and_when_an_invite_ends(e: Engine) {
    let s = fresh(e).await;
    let add = |email: &'static str| {
        let s = s.clone();
        async move {
            s.user_add(email, Role::Analyst, &Scope::All, &at(0))
                .await
                .unwrap()
                .unwrap()
                .id
        }
    };
    let (signed, invited, none) = (
        add("a@b.example").await,
        add("b@b.example").await,
        add("c@b.example").await,
    );
    s.session_add("s", signed, &at(1), HOUR, HOUR)
        .await
        .unwrap();
    assert!(s.session_revoke("s", &at(2)).await.unwrap());
    assert!(s
        .invite(invited, "i", at(3).ns + HOUR, &at(3))
        .await
        .unwrap());
    let got = s.user_standings().await.unwrap();
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(
        got[&signed],
        nps_collector::storage::Standing {
            signed_in: true,
            invite_expires_ns: None
        }
    );
    assert_eq!(
        got[&invited],
        nps_collector::storage::Standing {
            signed_in: false,
            invite_expires_ns: Some(at(3).ns + HOUR)
        }
    );
    assert!(!got.contains_key(&none));
}

/// Machine tokens: found by hash, their last use recorded (each use tells the one before,
/// for the hourly `token_use` audit line), revocable.
pub async fn tokens_record_their_use_and_are_revoked(e: Engine) {
    let s = fresh(e).await;
    let t = s
        .token_add("tok-hash", "DMS", Role::Store, &stores(&["SZ-FT"]), &at(0))
        .await
        .unwrap();
    assert_eq!(
        (
            t.label.as_str(),
            t.role,
            t.last_used_at.clone(),
            t.revoked_at.clone()
        ),
        ("DMS", Role::Store, None, None)
    );
    let used = s.token_use("tok-hash", &at(5)).await.unwrap().unwrap();
    assert_eq!(
        (used.id, used.scope.clone(), used.last_used_at.clone()),
        (t.id, stores(&["SZ-FT"]), None)
    );
    let again = s.token_use("tok-hash", &at(6)).await.unwrap().unwrap();
    assert_eq!(again.last_used_at, Some(at(5).at));
    assert_eq!(s.token_use("other", &at(6)).await.unwrap(), None);
    assert!(s.token_revoke(t.id, &at(7)).await.unwrap());
    assert!(!s.token_revoke(t.id, &at(8)).await.unwrap());
    assert_eq!(s.token_use("tok-hash", &at(9)).await.unwrap(), None);
    let listed = s.tokens().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].last_used_at.clone(), listed[0].revoked_at.clone()),
        (Some(at(6).at), Some(at(7).at))
    );
}

/// The audit trail is appended to and read back in order; the schema refuses to change or
/// delete a line, whoever connects.
pub async fn the_audit_trail_is_append_only(e: Engine) {
    let t = target(e);
    let s = nps_collector::storage::Store::connect(&t).await.unwrap();
    s.audit_append(&at(0), "user:a@b.example", "sign_in", &json!({}))
        .await
        .unwrap();
    s.audit_append(
        &at(1),
        "user:a@b.example",
        "reveal",
        &json!({"response": "r-1"}),
    )
    .await
    .unwrap();
    let lines = s.audit().await.unwrap();
    assert_eq!(
        lines.iter().map(|l| l.action.as_str()).collect::<Vec<_>>(),
        ["sign_in", "reveal"]
    );
    assert_eq!(lines[1].detail, json!({"response": "r-1"}));
    assert_eq!(
        (lines[1].at.as_str(), lines[1].who.as_str()),
        (at(1).at.as_str(), "user:a@b.example")
    );
    for change in ["UPDATE audit SET who = 'nobody'", "DELETE FROM audit"] {
        let refused = super::refusal(&t, change);
        assert!(refused.contains("append-only"), "{change}: {refused}");
    }
    assert_eq!(s.audit().await.unwrap(), lines);
}

/// A read of the audit trail selects by time (`since` inclusive, `until` exclusive), action
/// and who, newest first, at most `limit` lines.
pub async fn the_audit_trail_is_read_by_time_action_and_who(e: Engine) {
    use nps_collector::storage::AuditFilter;
    let s = fresh(e).await;
    let lines = [
        (0, "user:li@brand.example", "signin"),
        (10, "user:li@brand.example", "reveal"),
        (20, "token:3", "export"),
        (30, "user:li@brand.example", "export"),
        (40, "admin-token", "delete"),
    ];
    for (t, who, action) in lines {
        s.audit_append(&at(t), who, action, &json!({"t": t}))
            .await
            .unwrap();
    }
    let read = |f: AuditFilter, limit: i64| {
        let s = s.clone();
        async move {
            let got = s.audit_read(&f, limit).await.unwrap();
            got.iter()
                .map(|l| l.detail["t"].as_i64().unwrap())
                .collect::<Vec<_>>()
        }
    };
    let some = |t: i64| Some(at(t).at);
    assert_eq!(read(AuditFilter::default(), 100).await, [40, 30, 20, 10, 0]);
    assert_eq!(read(AuditFilter::default(), 2).await, [40, 30]);
    let window = AuditFilter {
        since: some(10),
        until: some(30),
        ..AuditFilter::default()
    };
    assert_eq!(read(window, 100).await, [20, 10]);
    let exports = AuditFilter {
        action: Some("export".into()),
        ..AuditFilter::default()
    };
    assert_eq!(read(exports.clone(), 100).await, [30, 20]);
    let li_exports = AuditFilter {
        who: Some("user:li@brand.example".into()),
        ..exports
    };
    assert_eq!(read(li_exports, 100).await, [30]);
    let nobody = AuditFilter {
        who: Some("user:nobody@brand.example".into()),
        ..AuditFilter::default()
    };
    assert_eq!(read(nobody, 100).await, Vec::<i64>::new());
    let read_back = s.audit_read(&AuditFilter::default(), 1).await.unwrap();
    assert_eq!(
        (
            read_back[0].at.as_str(),
            read_back[0].who.as_str(),
            read_back[0].action.as_str()
        ),
        (at(40).at.as_str(), "admin-token", "delete")
    );
}
