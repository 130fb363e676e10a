//! The `token` subcommands: machine tokens for integrations (a DMS posting visits, a BI tool
//! reading the export). `token create --label L --role R [--region X]… [--store S]…` (the
//! role and scope flags and rules of `user add`, its codes checked against the org) prints the secret once: 244 random bits, of
//! which the store keeps only the hash. `token list` shows id, label, role, scope, created,
//! last used and revoked; `token revoke --id N` ends one at once. Creating and revoking are
//! written to the audit trail as `cli`; a token sends its secret as
//! `Authorization: Bearer <secret>`.

use clap::Subcommand;
use nps_collector::storage::{Store, StoreError};
use nps_collector::{write_key, Now};
use serde_json::json;

use crate::user::{scope_text, Declared, Grant};

/// The longest label of a token.
const MAX_LABEL: usize = 100;

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Make a token for an integration; prints its secret once (only its hash is kept).
    Create {
        /// What the token is for, e.g. "DMS visits" (shown by token list and in the audit trail).
        #[arg(long)]
        label: String,
        #[command(flatten)]
        grant: Grant,
    },
    /// List the tokens: id, label, role, scope, created, last used, revoked.
    List,
    /// Revoke a token: it stops working at once.
    Revoke {
        /// The token's id (token list shows it).
        #[arg(long)]
        id: i64,
    },
}

/// A label: trimmed, not empty, at most `MAX_LABEL` characters, no control characters.
fn label_of(label: &str) -> Result<String, String> {
    let l = label.trim();
    let ok = !l.is_empty() && l.chars().count() <= MAX_LABEL && !l.chars().any(char::is_control);
    ok.then(|| l.to_owned()).ok_or_else(|| {
        format!("--label {label:?}: expected a name of 1 to {MAX_LABEL} characters, e.g. \"DMS visits\"")
    })
}

/// Runs a `token` subcommand on the store, printing what it did.
pub async fn run(store: &Store, cmd: &TokenCommand, declared: &Declared) -> Result<(), String> {
    let now = Now::system();
    let db = |e: StoreError| format!("--db: {e}");
    match cmd {
        TokenCommand::Create { label, grant } => {
            let label = label_of(label)?;
            let scope = grant.scope(declared)?;
            let secret = write_key::secret();
            let token = store
                .token_add(&write_key::hash(&secret), &label, grant.role, &scope, &now)
                .await
                .map_err(db)?;
            let detail =
                json!({"id": token.id, "label": label, "role": grant.role.key(), "scope": scope});
            store
                .audit_append(&now, "cli", "token_create", &detail)
                .await
                .map_err(db)?;
            eprintln!(
                "token {} ({label}): the secret below is shown this once; send it as \
                 Authorization: Bearer <secret>",
                token.id
            );
            println!("{secret}");
        }
        TokenCommand::List => {
            println!("id\tlabel\trole\tscope\tcreated\tlast used\trevoked");
            for t in store.tokens().await.map_err(db)? {
                let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    t.id,
                    t.label,
                    t.role.key(),
                    scope_text(&t.scope),
                    t.created_at,
                    or_dash(&t.last_used_at),
                    or_dash(&t.revoked_at),
                );
            }
        }
        TokenCommand::Revoke { id } => {
            if !store.token_revoke(*id, &now).await.map_err(db)? {
                return Err(format!(
                    "--id {id}: no such live token (token list shows the tokens)"
                ));
            }
            store
                .audit_append(&now, "cli", "token_revoke", &json!({"id": id}))
                .await
                .map_err(db)?;
            println!("token {id} is revoked");
        }
    }
    Ok(())
}
