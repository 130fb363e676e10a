//! The `user` subcommands: `user add` (an account and a one-time invite URL, 72 hours, where
//! the person sets a password), `user list` (a header, then each account with its scope in
//! words and its status), `user disable`, `user enable` (a disabled account back),
//! `user role` (a new role and scope, in force at the person's next request: a session
//! reads its account at each one) and `user reset` (a new invite; the password is cleared
//! and the sessions end; refused for a disabled account). Each change is written to the
//! audit trail as `cli`. The role and scope flags (`Grant`, shared with `token create`) are
//! checked against the org when one is given (`Declared`). Errors name the flag and what it
//! accepts.

use std::collections::HashMap;

use clap::Subcommand;
use nps_collector::storage::{Standing, Store, StoreError, User};
use nps_collector::Now;
use nps_core::access::{Role, Scope, ScopeError};
use nps_core::contract::rules::is_email;
use nps_core::org::check::one_of_declared;
use nps_core::org::Org;
use nps_core::scoring::analysis::Names;
use serde_json::json;

/// A role and its scope, as `user add`, `user role` and `token create` take them (for a
/// person or a token alike).
#[derive(clap::Args, Debug)]
pub struct Grant {
    /// admin, region, store or analyst.
    #[arg(long, value_parser = Role::parse)]
    pub role: Role,
    /// A region whose stores are seen (repeat for more): for role region, or to narrow an
    /// analyst. A region of the org when --org is given before the command.
    #[arg(long)]
    pub region: Vec<String>,
    /// A store that is seen (repeat for more): for role store, or to narrow an analyst. A
    /// store of the org (or names file) when --org or --names is given before the command.
    #[arg(long)]
    pub store: Vec<String>,
}

/// The region and store codes a grant may name: the ones the org file declares (a names
/// file declares stores only); `None` where no file declares them, and then they are taken
/// unchecked, with a warning.
#[derive(Debug, Default)]
pub struct Declared {
    regions: Option<Vec<String>>,
    stores: Option<Vec<String>>,
}

impl Declared {
    /// From the names read at start; `names_file` says whether a names file was given.
    pub fn of(names: &Names, names_file: bool) -> Declared {
        let stores = |org: &Org| Some(org.stores().iter().map(|s| s.id.clone()).collect());
        match names.org() {
            Some(org) => Declared {
                regions: Some(org.regions().iter().map(|r| r.id.clone()).collect()),
                stores: stores(org),
            },
            None if names_file => Declared {
                regions: None,
                stores: stores(&names.hierarchy()),
            },
            None => Declared::default(),
        }
    }
}

impl Grant {
    /// The scope the flags give the role, each code checked against the org when there is
    /// one, or what is wrong (naming the flag, the code and what is accepted). Codes no file
    /// declares are taken, with a warning on stderr.
    pub fn scope(&self, declared: &Declared) -> Result<Scope, String> {
        let scope = self
            .role
            .scope(&self.region, &self.store)
            .map_err(flagged)?;
        for (key, codes, known) in [
            ("region", &self.region, &declared.regions),
            ("store", &self.store, &declared.stores),
        ] {
            match known {
                Some(known) => {
                    if let Some(bad) = codes.iter().find(|c| !known.contains(c)) {
                        return Err(format!(
                            "--{key} {bad:?} is not in the org: expected {}",
                            one_of_declared(key, known)
                        ));
                    }
                }
                None if !codes.is_empty() => eprintln!(
                    "warning: the --{key} codes ({}) were not checked: give --org (or --names) \
                     before the command to check them against the brand's organisation",
                    codes.join(", ")
                ),
                None => {}
            }
        }
        Ok(scope)
    }
}

/// A scope error in the command line's words: the core names fields (`region`), the
/// command line its flags (`--region`).
fn flagged(e: ScopeError) -> String {
    let text = e.to_string();
    let why = text.split_once(": ").map_or("", |(_, why)| why);
    match e {
        ScopeError::Both => format!("--region and --store together: {why}"),
        ScopeError::AdminSeesAll => format!("--region or --store for role admin: {why}"),
        _ => format!("--{text}"),
    }
}

/// A scope as people read it: `all`, `regions: east, north`, `stores: SZ-FT`.
pub fn scope_text(scope: &Scope) -> String {
    match scope {
        Scope::All => "all".into(),
        Scope::Regions(codes) => format!("regions: {}", codes.join(", ")),
        Scope::Stores(codes) => format!("stores: {}", codes.join(", ")),
    }
}

/// The person a command is about.
#[derive(clap::Args, Debug)]
pub struct Who {
    /// The person's email (li.na@brand.example): their account, whatever its case.
    #[arg(long)]
    email: String,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add a person; prints a one-time invite URL (valid 72 h) where they set a password.
    /// Needs --db (the collector's database) and --base (or --public-origin before the command).
    Add {
        #[command(flatten)]
        who: Who,
        #[command(flatten)]
        grant: Grant,
        #[command(flatten)]
        base: Base,
    },
    /// List the people: email, role, scope, status (active: has a password or signed in
    /// through single sign-on; invited; invite-expired; uninvited: no password and no
    /// invite, user reset gives one; disabled) and when added.
    List,
    /// Disable a person: their sessions end at once and they can no longer sign in.
    Disable {
        #[command(flatten)]
        who: Who,
    },
    /// Enable a disabled person again: they sign in as before (a person without a password
    /// needs user reset for an invite).
    Enable {
        #[command(flatten)]
        who: Who,
    },
    /// Give a person another role and scope (the flags of user add): in force at their next
    /// request. Single sign-on sets its rules' role again at each of its sign-ins.
    Role {
        #[command(flatten)]
        who: Who,
        #[command(flatten)]
        grant: Grant,
    },
    /// A new invite URL for a person (a forgotten password): the old password and sessions end.
    Reset {
        #[command(flatten)]
        who: Who,
        #[command(flatten)]
        base: Base,
    },
}

/// Where invite URLs point.
#[derive(clap::Args, Debug)]
pub struct Base {
    /// The collector's address as people's browsers reach it (e.g. https://nps.brand.example);
    /// default: the first --public-origin.
    #[arg(long)]
    base: Option<String>,
}

/// An error of the store, named by the flag that chose it.
pub fn db(e: StoreError) -> String {
    format!("--db: {e}")
}

/// Runs a `user` subcommand on the store, printing what it did.
pub async fn run(
    store: &Store,
    cmd: &UserCommand,
    public_origin: &[String],
    declared: &Declared,
) -> Result<(), String> {
    let now = Now::system();
    match cmd {
        UserCommand::Add { who, grant, base } => {
            let base = base_of(base, public_origin)?;
            let email = email_of(&who.email)?;
            let (role, scope) = (grant.role, grant.scope(declared)?);
            let user = store
                .user_add(&email, role, &scope, &now)
                .await
                .map_err(db)?
                .ok_or_else(|| {
                    format!(
                        "--email {email}: already has an account (user reset gives a new invite)"
                    )
                })?;
            store
                .audit_append(
                    &now,
                    "cli",
                    "user_add",
                    &json!({"email": user.email, "role": role.key(), "scope": scope}),
                )
                .await
                .map_err(db)?;
            println!("{}", invite(store, &user, &base, &now).await?);
        }
        UserCommand::List => {
            let standings = store.user_standings().await.map_err(db)?;
            println!("email\trole\tscope\tstatus\tadded");
            for u in store.users().await.map_err(db)? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    u.email,
                    u.role.key(),
                    scope_text(&u.scope),
                    status(&u, &standings, now.ns),
                    u.created_at
                );
            }
        }
        UserCommand::Disable { who } => {
            let user = find(store, &who.email).await?;
            store
                .user_set_disabled(user.id, true, &now)
                .await
                .map_err(db)?;
            store
                .audit_append(&now, "cli", "user_disable", &json!({"email": user.email}))
                .await
                .map_err(db)?;
            println!("{} is disabled; their sessions have ended", user.email);
        }
        UserCommand::Enable { who } => {
            let user = find(store, &who.email).await?;
            if user.disabled_at.is_none() {
                println!("{} is not disabled: nothing to do", user.email);
                return Ok(());
            }
            store
                .user_set_disabled(user.id, false, &now)
                .await
                .map_err(db)?;
            store
                .audit_append(&now, "cli", "user_enable", &json!({"email": user.email}))
                .await
                .map_err(db)?;
            match user.password_hash {
                Some(_) => println!("{} is enabled: they sign in as before", user.email),
                None => println!(
                    "{} is enabled; they have no password: user reset gives them an invite \
                     (single sign-on needs none)",
                    user.email
                ),
            }
        }
        UserCommand::Role { who, grant } => {
            let user = find(store, &who.email).await?;
            let (role, scope) = (grant.role, grant.scope(declared)?);
            if (user.role, &user.scope) == (role, &scope) {
                println!(
                    "{} has that role and scope already: nothing to do",
                    user.email
                );
                return Ok(());
            }
            store
                .user_set_role(user.id, role, &scope)
                .await
                .map_err(db)?;
            let detail = json!({
                "email": user.email,
                "from": {"role": user.role.key(), "scope": user.scope},
                "to": {"role": role.key(), "scope": scope},
            });
            store
                .audit_append(&now, "cli", "user_role", &detail)
                .await
                .map_err(db)?;
            println!(
                "{} is now {} ({}), from their next request",
                user.email,
                role.key(),
                scope_text(&scope)
            );
        }
        UserCommand::Reset { who, base } => {
            let base = base_of(base, public_origin)?;
            let user = find(store, &who.email).await?;
            if user.disabled_at.is_some() {
                return Err(format!(
                    "--email {} is disabled: run user enable first",
                    user.email
                ));
            }
            store
                .audit_append(&now, "cli", "user_reset", &json!({"email": user.email}))
                .await
                .map_err(db)?;
            println!("{}", invite(store, &user, &base, &now).await?);
        }
    }
    Ok(())
}

/// A fresh invite for a user; its URL (only the token's hash is stored).
async fn invite(store: &Store, user: &User, base: &str, now: &Now) -> Result<String, String> {
    nps_collector::signin::issue_invite(store, user.id, base, now)
        .await
        .map_err(db)
}

async fn find(store: &Store, email: &str) -> Result<User, String> {
    store
        .user_by_email(email)
        .await
        .map_err(db)?
        .ok_or_else(|| format!("--email {email}: no such person (user list shows who there is)"))
}

/// An account's status at `now_ns`. Without a password, an account that signed in and
/// has no invite signs in through single sign-on: active.
fn status(u: &User, standings: &HashMap<i64, Standing>, now_ns: i64) -> &'static str {
    let s = standings.get(&u.id).cloned().unwrap_or_default();
    match (&u.disabled_at, &u.password_hash, s.invite_expires_ns) {
        (Some(_), _, _) => "disabled",
        (None, Some(_), _) => "active",
        (None, None, Some(end)) if end > now_ns => "invited",
        (None, None, Some(_)) => "invite-expired",
        (None, None, None) if s.signed_in => "active",
        (None, None, None) => "uninvited",
    }
}

/// `--base`, else the first `--public-origin`, without a trailing `/`.
fn base_of(base: &Base, public_origin: &[String]) -> Result<String, String> {
    let base = base
        .base
        .as_deref()
        .or(public_origin.first().map(String::as_str))
        .ok_or(
            "--base is required (or --public-origin, NPS_PUBLIC_ORIGIN): the collector's address \
         as people's browsers reach it, e.g. https://nps.brand.example",
        )?;
    match url::Url::parse(base) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
            Ok(base.trim_end_matches('/').to_owned())
        }
        _ => Err(format!(
            "--base {base}: expected an http or https URL like https://nps.brand.example"
        )),
    }
}

/// An email, trimmed, by the core's rule (`rules::is_email`).
fn email_of(email: &str) -> Result<String, String> {
    let e = email.trim();
    is_email(e)
        .then(|| e.to_owned())
        .ok_or_else(|| format!("--email {email:?}: expected an address like li.na@brand.example"))
}
