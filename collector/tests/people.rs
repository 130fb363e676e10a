//! The `user` subcommands as an operator runs them: `user add` prints a one-time invite URL
//! whose token the store keeps only as a hash, for 72 hours; `list`, `disable`, `enable`,
//! `role`, `reset`; region and store codes checked against the org; a `--db` that does not
//! exist refused; and every mistake names its flag and what it accepts.

mod common;

use std::path::{Path, PathBuf};
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

/// A collector's database, as the server leaves it (the commands refuse one that is not there).
fn db() -> PathBuf {
    let db = common::db_path();
    Store::open(&db).unwrap();
    db
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
    let db = db();
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
        list.contains("li.na@brand.example\tstore\tstores: SZ-FT\tinvited"),
        "{list}"
    );
    assert!(
        list.contains("wang@brand.example\tregion\tregions: EAST\tinvited"),
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
    let db = db();
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
    assert!(ok(&db, &["user", "list"]).contains("\tanalyst\tall\tdisabled\t"));
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
    let db = db();
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
        &["--region or --store for role admin: an admin sees every store"],
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
        &["--region and --store together", "not both"],
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

/// A command's arguments, written as one would type them (no value with a space).
fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

/// The arguments before a command, then the command's.
fn with<'a>(before: &[&'a str], cmd: &[&'a str]) -> Vec<&'a str> {
    [before, cmd].concat()
}

/// `user add --email E --role R …` with the base, its invite URL's token.
fn add(db: &Path, email: &str, grant: &[&str]) -> String {
    let base = "https://nps.brand.example";
    let mut args = vec!["user", "add", "--email", email, "--base", base];
    args.extend_from_slice(grant);
    token(&ok(db, &args), base)
}

/// Regression: a disabled account could not be restored, and `user reset` on it printed a
/// link that answered 410.
#[tokio::test]
async fn enable_restores_a_disabled_account_and_reset_refuses_a_disabled_one() {
    let db = db();
    let base = ["--base", "https://nps.brand.example"];
    add(&db, "wang@brand.example", &["--role", "analyst"]);
    let store = Store::open(&db).unwrap();
    let user = store
        .user_by_email("wang@brand.example")
        .await
        .unwrap()
        .unwrap();
    // A password set through the invite, then the account disabled.
    store
        .invite(user.id, "h", i64::MAX, &Now::system())
        .await
        .unwrap();
    store
        .invite_accept("h", "$argon2id$stored", &Now::system())
        .await
        .unwrap()
        .unwrap();
    ok(&db, &words("user disable --email wang@brand.example"));
    let mut reset = words("user reset --email Wang@brand.example");
    reset.extend_from_slice(&base);
    let out = run(&db, &reset);
    assert!(!out.status.success() && out.stdout.is_empty(), "{out:?}");
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("--email wang@brand.example is disabled: run user enable first"),
        "{e}"
    );
    let out = ok(&db, &words("user enable --email WANG@brand.example"));
    assert!(out.contains("wang@brand.example is enabled"), "{out}");
    let back = store.user_by_id(user.id).await.unwrap().unwrap();
    assert_eq!(back.disabled_at, None);
    assert_eq!(back.password_hash.as_deref(), Some("$argon2id$stored"));
    assert!(ok(&db, &["user", "list"]).contains("wang@brand.example\tanalyst\tall\tactive\t"));
    // Enabling an enabled account does nothing, and is not audited.
    assert!(ok(&db, &words("user enable --email wang@brand.example")).contains("not disabled"));
    assert!(refused(&db, &words("user enable --email x@brand.example")).contains("no such person"));
    token(&ok(&db, &reset), base[1]);
    let audit = store.audit().await.unwrap();
    let actions: Vec<_> = audit.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(
        actions,
        ["user_add", "user_disable", "user_enable", "user_reset"]
    );
    assert_eq!(
        (audit[2].who.as_str(), &audit[2].detail),
        ("cli", &serde_json::json!({"email": "wang@brand.example"}))
    );
}

/// Regression: an account's role and scope could not be corrected. The new ones hold at the
/// person's next request: a session reads its account each time.
#[tokio::test]
async fn role_gives_a_person_another_role_and_scope_from_their_next_request() {
    let db = db();
    add(
        &db,
        "li.na@brand.example",
        &words("--role store --store SZ-FT"),
    );
    let store = Store::open(&db).unwrap();
    let user = store
        .user_by_email("li.na@brand.example")
        .await
        .unwrap()
        .unwrap();
    let hour = 3_600_000_000_000;
    store
        .session_add("s", user.id, &Now::system(), hour, hour)
        .await
        .unwrap();
    let seen = |u: Option<nps_collector::storage::User>| {
        let u = u.expect("the session is live");
        (u.role, u.scope)
    };
    assert_eq!(
        seen(
            store
                .session_touch("s", &Now::system(), hour)
                .await
                .unwrap()
        ),
        (Role::Store, Scope::Stores(vec!["SZ-FT".into()]))
    );
    let out = ok(
        &db,
        &words("user role --email li.na@brand.example --role region --region east --region south"),
    );
    assert!(
        out.contains("li.na@brand.example is now region (regions: east, south)"),
        "{out}"
    );
    assert_eq!(
        seen(
            store
                .session_touch("s", &Now::system(), hour)
                .await
                .unwrap()
        ),
        (
            Role::Region,
            Scope::Regions(vec!["east".into(), "south".into()])
        )
    );
    let line = store.audit().await.unwrap().pop().unwrap();
    assert_eq!(
        (line.who.as_str(), line.action.as_str(), line.detail),
        (
            "cli",
            "user_role",
            serde_json::json!({
                "email": "li.na@brand.example",
                "from": {"role": "store", "scope": {"stores": ["SZ-FT"]}},
                "to": {"role": "region", "scope": {"regions": ["east", "south"]}},
            })
        )
    );
    // The rules of user add, and a person who is not there.
    let e = refused(
        &db,
        &words("user role --email li.na@brand.example --role admin --store SZ-FT"),
    );
    assert!(e.contains("--region or --store for role admin"), "{e}");
    let e = refused(
        &db,
        &words("user role --email x@brand.example --role admin"),
    );
    assert!(e.contains("--email x@brand.example: no such person"), "{e}");
    assert_eq!(store.audit().await.unwrap().len(), 2);
}

/// Regression: `user add`, `user role` and `token create` took any code, even with the
/// brand's org at hand. Each code is checked against it (the org file's regions and
/// stores, a names file's stores); without one the codes are taken with a warning.
#[test]
fn region_and_store_codes_are_checked_against_the_org_when_one_is_given() {
    let db = db();
    let org = Path::new(env!("CARGO_MANIFEST_DIR")).join("../www/demo-org.toml");
    let org = org.to_str().unwrap();
    let names = db.with_file_name("names.json");
    std::fs::write(&names, r#"{"store": {"SZ-FT": "深圳福田店"}}"#).unwrap();
    let names = names.to_str().unwrap();
    add(&db, "a@brand.example", &["--role", "analyst"]);
    let base = ["--base", "https://nps.brand.example"];
    let stores = "one of the declared stores: \"SZ-FT\", \"GZ-TH\"";
    let regions = "one of the declared regions: \"south\", \"east\"";
    for (cmd, flag, code, accepted) in [
        (
            words("user add --email b@brand.example --role store --store SZ-XX"),
            "--store",
            "SZ-XX",
            stores,
        ),
        (
            words("user role --email a@brand.example --role region --region east --region mars"),
            "--region",
            "mars",
            regions,
        ),
        (
            words("token create --label BI --role analyst --store nope"),
            "--store",
            "nope",
            stores,
        ),
    ] {
        let mut cmd = cmd;
        if cmd[1] == "add" {
            cmd.extend_from_slice(&base);
        }
        let e = refused(&db, &with(&["--org", org], &cmd));
        let want = format!("{flag} \"{code}\" is not in the org: expected {accepted}");
        assert!(e.contains(&want), "{cmd:?}: {e}");
        // NPS_ORG is the same flag.
        let out = Command::new(env!("CARGO_BIN_EXE_nps-collector"))
            .arg("--db")
            .arg(&db)
            .args(&cmd)
            .env("NPS_ORG", org)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{cmd:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(&want),
            "{out:?}"
        );
    }
    // A names file declares stores, not regions.
    let e = refused(
        &db,
        &with(
            &["--names", names],
            &words("token create --label BI --role analyst --store GZ-TH"),
        ),
    );
    assert!(
        e.contains(
            "--store \"GZ-TH\" is not in the org: expected one of the declared stores: \"SZ-FT\""
        ),
        "{e}"
    );
    // Codes of the org are taken, and nothing is said.
    let out = run(
        &db,
        &with(
            &["--org", org],
            &words("user role --email a@brand.example --role analyst --region east"),
        ),
    );
    assert!(out.status.success() && out.stderr.is_empty(), "{out:?}");
    // Without an org, the codes are taken, with a warning that they were not checked.
    for before in [&[][..], &["--names", names][..]] {
        let out = run(
            &db,
            &with(
                before,
                &words("user role --email a@brand.example --role region --region mars"),
            ),
        );
        assert!(out.status.success(), "{out:?}");
        let e = String::from_utf8_lossy(&out.stderr);
        assert!(
            e.contains("warning: the --region codes (mars) were not checked: give --org"),
            "{e}"
        );
    }
    assert!(ok(&db, &["user", "list"]).contains("a@brand.example\tregion\tregions: mars\t"));
}

/// Regression: a `user` or `token` command with a forgotten or mistyped `--db` quietly made
/// a new, empty database (`./nps.db`).
#[test]
fn a_user_or_token_command_refuses_a_database_that_is_not_there() {
    let db = common::db_path();
    for cmd in [
        "user list",
        "user add --email a@b.example --role admin --base http://x.example",
        "token list",
    ] {
        let e = refused(&db, &words(cmd));
        assert!(
            e.contains(&format!(
                "--db {0}: no database at {0} : give --db the collector's database",
                db.display()
            )),
            "{cmd:?}: {e}"
        );
        assert!(!db.exists(), "{cmd:?} made {}", db.display());
    }
    // Once the collector has made it, they work.
    Store::open(&db).unwrap();
    assert!(ok(&db, &["user", "list"]).starts_with("email\t"));
}

/// `user list` has a header and says each scope and status in words: an account made by
/// single sign-on has no password and is active once it signed in.
#[tokio::test]
async fn user_list_has_a_header_and_says_each_scope_and_status_in_words() {
    let db = db();
    add(
        &db,
        "inv@brand.example",
        &words("--role store --store SZ-FT --store GZ-TH"),
    );
    let store = Store::open(&db).unwrap();
    let now = Now::system();
    // As single sign-on makes accounts: no password, no invite; one signed in, one not yet.
    for email in ["sso@brand.example", "none@brand.example"] {
        store
            .user_add(
                email,
                Role::Region,
                &Scope::Regions(vec!["east".into(), "north".into()]),
                &now,
            )
            .await
            .unwrap()
            .unwrap();
    }
    let sso = store
        .user_by_email("sso@brand.example")
        .await
        .unwrap()
        .unwrap();
    store.session_add("s", sso.id, &now, 1, 1).await.unwrap();
    // An invite whose time ran out.
    let late = store
        .user_add("late@brand.example", Role::Analyst, &Scope::All, &now)
        .await
        .unwrap()
        .unwrap();
    store
        .invite(late.id, "old", now.ns - 1, &now)
        .await
        .unwrap();
    let list = ok(&db, &["user", "list"]);
    // The first four columns (the fifth is when each was added).
    let rows: Vec<String> = list
        .lines()
        .map(|l| l.split('\t').take(4).collect::<Vec<_>>().join(" | "))
        .collect();
    assert_eq!(
        rows,
        [
            "email | role | scope | status",
            "inv@brand.example | store | stores: SZ-FT, GZ-TH | invited",
            "sso@brand.example | region | regions: east, north | active",
            "none@brand.example | region | regions: east, north | uninvited",
            "late@brand.example | analyst | all | invite-expired",
        ],
        "{list}"
    );
}

/// Each flag of a person's commands says what it is; the role and scope flags, shared with
/// `token create`, are worded for a token as much as for a person.
#[test]
fn the_help_says_each_flag_for_a_person_and_for_a_token() {
    let help = |cmd: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_nps-collector"))
            .args(cmd)
            .arg("--help")
            .output()
            .unwrap();
        assert!(out.status.success(), "{cmd:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    for cmd in ["add", "disable", "enable", "role", "reset"] {
        let h = help(&["user", cmd]);
        assert!(h.contains("The person's email"), "user {cmd}: {h}");
    }
    let h = help(&["user", "add"]);
    assert!(h.contains("--db") && h.contains("--base"), "{h}");
    let h = help(&["token", "create"]);
    assert!(h.contains("--region") && h.contains("--store"), "{h}");
    assert!(!h.contains("person"), "{h}");
}
