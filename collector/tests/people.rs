//! The `user` subcommands as an operator runs them: `user add` prints a one-time invite URL
//! whose token the store keeps only as a hash, for 72 hours; `list`, `disable`, `reset`; and
//! every mistake names its flag and what it accepts.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use nps_collector::storage::Store;
use nps_collector::{write_key, Now};
use nps_core::access::{Role, Scope};

fn run(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nps-collector"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("NPS_PUBLIC_ORIGIN")
        .output()
        .unwrap()
}

fn ok(db: &Path, args: &[&str]) -> String {
    let out = run(db, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn refused(db: &Path, args: &[&str]) -> String {
    let out = run(db, args);
    assert!(!out.status.success(), "{args:?} was accepted");
    String::from_utf8(out.stderr).unwrap()
}

/// The token of an invite URL printed by `user add` or `user reset`.
fn token(url: &str, base: &str) -> String {
    let t = url
        .trim()
        .strip_prefix(&format!("{base}/invite/"))
        .unwrap_or_else(|| panic!("{url}"));
    assert!(
        t.len() >= 64 && t.chars().all(|c| c.is_ascii_hexdigit()),
        "{t}"
    );
    t.to_owned()
}

#[tokio::test]
async fn user_add_prints_a_one_time_invite_kept_only_as_its_hash_for_72_hours() {
    let db = common::db_path();
    let base = "https://nps.brand.example";
    let url = ok(
        &db,
        &[
            "user",
            "add",
            "--email",
            "Li.Na@Brand.example",
            "--role",
            "store",
            "--store",
            "SZ-FT",
            "--base",
            base,
        ],
    );
    let t = token(&url, base);
    let store = Store::open(&db).unwrap();
    let now = Now::system();
    let user = store
        .invite_user(&write_key::hash(&t), &now)
        .await
        .unwrap()
        .expect("the invite holds");
    assert_eq!(
        (user.email.as_str(), user.role, user.scope.clone()),
        (
            "li.na@brand.example",
            Role::Store,
            Scope::Stores(vec!["SZ-FT".into()])
        )
    );
    // Only the hash is stored: the token itself opens nothing.
    assert_eq!(store.invite_user(&t, &now).await.unwrap(), None);
    // Valid for 72 hours, not 73.
    let later = |h: i64| Now {
        at: now.at.clone(),
        ns: now.ns + h * 3600 * 1_000_000_000,
    };
    assert!(store
        .invite_user(&write_key::hash(&t), &later(71))
        .await
        .unwrap()
        .is_some());
    assert_eq!(
        store
            .invite_user(&write_key::hash(&t), &later(73))
            .await
            .unwrap(),
        None
    );
    // The base may come from --public-origin.
    let url = ok(
        &db,
        &[
            "--public-origin",
            base,
            "user",
            "add",
            "--email",
            "wang@brand.example",
            "--role",
            "region",
            "--region",
            "EAST",
        ],
    );
    token(&url, base);
    let list = ok(&db, &["user", "list"]);
    assert!(
        list.contains("li.na@brand.example\tstore\t{\"stores\":[\"SZ-FT\"]}\tinvited"),
        "{list}"
    );
    assert!(
        list.contains("wang@brand.example\tregion\t{\"regions\":[\"EAST\"]}\tinvited"),
        "{list}"
    );
    let audit = store.audit().await.unwrap();
    assert_eq!(
        audit
            .iter()
            .map(|a| (a.who.as_str(), a.action.as_str()))
            .collect::<Vec<_>>(),
        [("cli", "user_add"), ("cli", "user_add")]
    );
}

#[tokio::test]
async fn disable_and_reset_end_access_and_a_reset_replaces_the_invite() {
    let db = common::db_path();
    let base = "http://127.0.0.1:8080";
    let first = token(
        &ok(
            &db,
            &[
                "user",
                "add",
                "--email",
                "a@b.example",
                "--role",
                "analyst",
                "--base",
                base,
            ],
        ),
        base,
    );
    let second = token(
        &ok(
            &db,
            &["user", "reset", "--email", "A@b.example", "--base", base],
        ),
        base,
    );
    let store = Store::open(&db).unwrap();
    let now = Now::system();
    assert_eq!(
        store
            .invite_user(&write_key::hash(&first), &now)
            .await
            .unwrap(),
        None,
        "replaced"
    );
    assert!(store
        .invite_user(&write_key::hash(&second), &now)
        .await
        .unwrap()
        .is_some());
    let out = ok(&db, &["user", "disable", "--email", "a@b.example"]);
    assert!(out.contains("a@b.example is disabled"), "{out}");
    assert_eq!(
        store
            .invite_user(&write_key::hash(&second), &now)
            .await
            .unwrap(),
        None,
        "a disabled person's invite ends"
    );
    assert!(ok(&db, &["user", "list"]).contains("\tanalyst\t\"all\"\tdisabled\t"));
    let actions: Vec<_> = store
        .audit()
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(actions, ["user_add", "user_reset", "user_disable"]);
}

#[test]
fn every_mistake_names_its_flag_and_what_it_accepts() {
    let db = common::db_path();
    let base = ["--base", "https://nps.brand.example"];
    let add = |extra: &[&str]| {
        let mut args = vec!["user", "add"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&base);
        refused(&db, &args)
    };
    let check = |e: String, parts: &[&str]| {
        for p in parts {
            assert!(e.contains(p), "{p:?} not in {e}");
        }
    };
    check(
        add(&["--email", "a@b.example", "--role", "owner"]),
        &["--role", "admin, region, store, analyst"],
    );
    check(
        add(&["--email", "a@b.example", "--role", "store"]),
        &["--store is required for role store"],
    );
    check(
        add(&[
            "--email",
            "a@b.example",
            "--role",
            "region",
            "--store",
            "SZ-FT",
        ]),
        &["--region is required for role region"],
    );
    check(
        add(&[
            "--email",
            "a@b.example",
            "--role",
            "admin",
            "--region",
            "EAST",
        ]),
        &["--region or store for role admin"],
    );
    check(
        add(&[
            "--email",
            "a@b.example",
            "--role",
            "analyst",
            "--region",
            "EAST",
            "--store",
            "SZ-FT",
        ]),
        &["not both"],
    );
    check(
        add(&["--email", "not-an-email", "--role", "analyst"]),
        &["--email", "li.na@brand.example"],
    );
    check(
        refused(
            &db,
            &["user", "add", "--email", "a@b.example", "--role", "analyst"],
        ),
        &["--base is required", "--public-origin"],
    );
    check(
        refused(
            &db,
            &[
                "user",
                "add",
                "--email",
                "a@b.example",
                "--role",
                "analyst",
                "--base",
                "ftp://x",
            ],
        ),
        &["--base ftp://x", "http or https"],
    );
    ok(
        &db,
        &[
            "user",
            "add",
            "--email",
            "a@b.example",
            "--role",
            "analyst",
            "--base",
            "https://x.example",
        ],
    );
    check(
        add(&["--email", "A@B.example", "--role", "analyst"]),
        &["--email", "already has an account"],
    );
    check(
        refused(&db, &["user", "disable", "--email", "nobody@b.example"]),
        &["--email", "no such person"],
    );
}
