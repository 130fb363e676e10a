//! The `user` subcommands: `user add` (an account and a one-time invite URL, 72 hours, where
//! the person sets a password), `user list`, `user disable`, `user reset` (a new invite; the
//! password is cleared and the sessions end). Each is written to the audit trail as `cli`.
//! Errors name the flag and what it accepts.

use clap::Subcommand;
use nps_collector::signin::INVITE_HOURS;
use nps_collector::storage::{Store, User};
use nps_collector::{write_key, Now};
use nps_core::access::{Role, Scope};
use nps_core::contract::rules::is_email;
use serde_json::json;

/// A role and its scope, as `user add` and `token create` take them.
#[derive(clap::Args, Debug)]
pub struct Grant {
    /// admin, region, store or analyst.
    #[arg(long, value_parser = Role::parse)]
    pub role: Role,
    /// A region the person sees (repeat for more): role region, or an analyst's scope.
    #[arg(long)]
    pub region: Vec<String>,
    /// A store the person sees (repeat for more): role store, or an analyst's scope.
    #[arg(long)]
    pub store: Vec<String>,
}

impl Grant {
    /// The scope the flags give the role, or what is wrong with them (naming the flag).
    pub fn scope(&self) -> Result<Scope, String> {
        self.role
            .scope(&self.region, &self.store)
            .map_err(|e| format!("--{e}"))
    }
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add a person; prints a one-time invite URL (valid 72 h) where they set a password.
    Add {
        #[arg(long)]
        email: String,
        #[command(flatten)]
        grant: Grant,
        #[command(flatten)]
        base: Base,
    },
    /// List the people: email, role, scope, and whether invited, active or disabled.
    List,
    /// Disable a person: their sessions end at once and they can no longer sign in.
    Disable {
        #[arg(long)]
        email: String,
    },
    /// A new invite URL for a person (a forgotten password): the old password and sessions end.
    Reset {
        #[arg(long)]
        email: String,
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

/// Runs a `user` subcommand on the store, printing what it did.
pub async fn run(store: &Store, cmd: &UserCommand, public_origin: &[String]) -> Result<(), String> {
    let now = Now::system();
    let db = |e: nps_collector::storage::StoreError| format!("--db: {e}");
    match cmd {
        UserCommand::Add { email, grant, base } => {
            let base = base_of(base, public_origin)?;
            let email = email_of(email)?;
            let (role, scope) = (grant.role, grant.scope()?);
            let user = store
                .user_add(&email, role, &scope, &now)
                .await
                .map_err(db)?
                .ok_or_else(|| {
                    format!(
                        "--email {email}: already has an account (user reset gives a new invite)"
                    )
                })?;
            let detail = json!({"email": user.email, "role": role.key(), "scope": scope});
            store
                .audit_append(&now, "cli", "user_add", &detail)
                .await
                .map_err(db)?;
            println!("{}", invite(store, &user, &base, &now).await?);
        }
        UserCommand::List => {
            for u in store.users().await.map_err(db)? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    u.email,
                    u.role.key(),
                    u.scope.to_text(),
                    status(&u),
                    u.created_at
                );
            }
        }
        UserCommand::Disable { email } => {
            let user = find(store, email).await?;
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
        UserCommand::Reset { email, base } => {
            let base = base_of(base, public_origin)?;
            let user = find(store, email).await?;
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
    let token = write_key::secret();
    let expires = now.ns.saturating_add(INVITE_HOURS * 3600 * 1_000_000_000);
    store
        .invite(user.id, &write_key::hash(&token), expires, now)
        .await
        .map_err(|e| format!("--db: {e}"))?;
    Ok(format!("{base}/invite/{token}"))
}

async fn find(store: &Store, email: &str) -> Result<User, String> {
    store
        .user_by_email(email)
        .await
        .map_err(|e| format!("--db: {e}"))?
        .ok_or_else(|| format!("--email {email}: no such person (user list shows who there is)"))
}

fn status(u: &User) -> &'static str {
    match (&u.disabled_at, &u.password_hash) {
        (Some(_), _) => "disabled",
        (None, None) => "invited",
        (None, Some(_)) => "active",
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
