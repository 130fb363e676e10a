//! People in the store: accounts (`users`), one-time invites, server-side sessions, machine
//! tokens, and the append-only audit trail. Both engines run the same statements (written
//! with `$1`, PostgreSQL's placeholders; SQLite reads them as `?1`), several in one
//! transaction (`Stmt`, each engine's `transact`), and give back plain values (`Val`), which
//! this file turns into `User`, `Token` and `AuditEntry`. Secrets are never stored: invites,
//! sessions and tokens are kept by their hash, passwords by their Argon2id PHC string.
//!
//! The audit trail has an append method and a read method, nothing else; the schema refuses
//! an `UPDATE` or `DELETE` of it (a trigger on each engine, `migrations`).

use std::collections::HashMap;

use nps_core::access::{Role, Scope};

use super::{Now, Store, StoreError};

/// A value crossing to or from an engine. A NULL parameter says its column's type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Val {
    I(i64),
    T(String),
    NullI,
    NullT,
    /// A parameter only: the first value the `n`th statement of the same transaction
    /// returned (an integer), NULL if it returned no row (`Stmt::bound`).
    Earlier(usize),
}

/// One statement and its parameters.
pub struct Stmt {
    pub sql: &'static str,
    pub params: Vec<Val>,
}

impl Stmt {
    /// The parameters, each `Val::Earlier` replaced by what it names in `done` (the rows of
    /// the statements run before this one).
    pub fn bound(&self, done: &[Rows]) -> Vec<Val> {
        let earlier = |n: usize| {
            done.get(n)
                .and_then(|rows| rows.first())
                .and_then(|row| row.first())
                .cloned()
                .unwrap_or(Val::NullI)
        };
        self.params
            .iter()
            .map(|v| match v {
                Val::Earlier(n) => earlier(*n),
                v => v.clone(),
            })
            .collect()
    }
}

/// The rows one statement returned.
pub type Rows = Vec<Vec<Val>>;

/// The writes of a two-step transaction, made of the rows its reads returned (`Err`: none,
/// and the transaction rolls back).
pub type Then<E> = Box<dyn FnOnce(&[Rows]) -> Result<Vec<Stmt>, E> + Send>;

pub(super) fn stmt(sql: &'static str, params: Vec<Val>) -> Stmt {
    Stmt { sql, params }
}

pub(super) fn t(s: &str) -> Val {
    Val::T(s.to_owned())
}

/// A person's account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    /// Lower case, trimmed: the account's key.
    pub email: String,
    pub role: Role,
    pub scope: Scope,
    /// The Argon2id PHC string; `None` until the invite is accepted (or after a reset).
    pub password_hash: Option<String>,
    /// When the account was disabled; a disabled account's sessions end.
    pub disabled_at: Option<String>,
    pub created_at: String,
}

/// A machine token (an integration's credential), without its secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub id: i64,
    pub label: String,
    pub role: Role,
    pub scope: Scope,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// One line of the audit trail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    /// Who acted: `user:EMAIL`, `token:ID`, `admin-token`, `cli`, or `client:IP` for a failed
    /// sign-in.
    pub who: String,
    pub action: String,
    pub detail: serde_json::Value,
}

macro_rules! user_cols {
    () => {
        "id, email, role, scope, password_hash, disabled_at, created_at"
    };
}
macro_rules! token_cols {
    () => {
        "id, label, role, scope, created_at, last_used_at, revoked_at"
    };
}

// After the macros, which it uses.
mod invites;
mod sessions;
pub use sessions::AuditFilter;

/// An email as the account's key.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

pub(super) fn bad(what: &str) -> StoreError {
    StoreError::Sql {
        message: format!("unexpected stored {what}"),
    }
}

pub(super) fn int(row: &[Val], i: usize) -> Result<i64, StoreError> {
    match row.get(i) {
        Some(Val::I(n)) => Ok(*n),
        _ => Err(bad("integer")),
    }
}

pub(super) fn opt_text(row: &[Val], i: usize) -> Result<Option<String>, StoreError> {
    match row.get(i) {
        Some(Val::T(s)) => Ok(Some(s.clone())),
        Some(Val::NullT | Val::NullI) => Ok(None),
        _ => Err(bad("text")),
    }
}

pub(super) fn text(row: &[Val], i: usize) -> Result<String, StoreError> {
    opt_text(row, i)?.ok_or_else(|| bad("null"))
}

fn role_scope(row: &[Val], i: usize) -> Result<(Role, Scope), StoreError> {
    let role = Role::parse(&text(row, i)?).map_err(|m| StoreError::Sql { message: m })?;
    let scope = Scope::from_text(&text(row, i + 1)?).map_err(|m| StoreError::Sql { message: m })?;
    Ok((role, scope))
}

fn user(row: &[Val]) -> Result<User, StoreError> {
    let (role, scope) = role_scope(row, 2)?;
    Ok(User {
        id: int(row, 0)?,
        email: text(row, 1)?,
        role,
        scope,
        password_hash: opt_text(row, 4)?,
        disabled_at: opt_text(row, 5)?,
        created_at: text(row, 6)?,
    })
}

fn token(row: &[Val]) -> Result<Token, StoreError> {
    let (role, scope) = role_scope(row, 2)?;
    Ok(Token {
        id: int(row, 0)?,
        label: text(row, 1)?,
        role,
        scope,
        created_at: text(row, 4)?,
        last_used_at: opt_text(row, 5)?,
        revoked_at: opt_text(row, 6)?,
    })
}

pub(super) fn first<T>(
    rows: Option<Rows>,
    f: impl Fn(&[Val]) -> Result<T, StoreError>,
) -> Result<Option<T>, StoreError> {
    rows.unwrap_or_default().first().map(|r| f(r)).transpose()
}

pub(super) fn all<T>(
    rows: Option<Rows>,
    f: impl Fn(&[Val]) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    rows.unwrap_or_default().iter().map(|r| f(r)).collect()
}

/// Statements that end a user's sessions and invites (a disable, a reset).
fn end_access(id: i64, now: &Now) -> [Stmt; 2] {
    [
        stmt(
            "UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL RETURNING user_id",
            vec![Val::I(id), t(&now.at)],
        ),
        stmt("DELETE FROM invites WHERE user_id = $1 RETURNING user_id", vec![Val::I(id)]),
    ]
}

/// What `user list` tells of an account besides its row: whether it ever had a session (it
/// signed in, with a password or through single sign-on: sessions are ended, never deleted)
/// and when its invite, if it has one, ends.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Standing {
    pub signed_in: bool,
    pub invite_expires_ns: Option<i64>,
}

impl Store {
    /// Statements in one transaction, all or none; the rows each returned.
    pub(super) async fn transact(&self, stmts: Vec<Stmt>) -> Result<Vec<Rows>, StoreError> {
        match self {
            Store::Sqlite(s) => s.transact(stmts).await,
            Store::Postgres(s) => s.transact(stmts).await,
        }
    }

    /// One statement that only reads, outside any transaction: its rows.
    pub(super) async fn query(
        &self,
        sql: &'static str,
        params: Vec<Val>,
    ) -> Result<Rows, StoreError> {
        match self {
            Store::Sqlite(s) => s.query(stmt(sql, params)).await,
            Store::Postgres(s) => s.query(stmt(sql, params)).await,
        }
    }

    /// Reads, then the writes `then` makes of their rows, in one transaction.
    pub(super) async fn transact_then<E: Send + 'static>(
        &self,
        reads: Vec<Stmt>,
        then: Then<E>,
    ) -> Result<Result<Vec<Rows>, E>, StoreError> {
        match self {
            Store::Sqlite(s) => s.transact_then(reads, then).await,
            Store::Postgres(s) => s.transact_then(reads, then).await,
        }
    }

    pub(super) async fn one(
        &self,
        sql: &'static str,
        params: Vec<Val>,
    ) -> Result<Option<Rows>, StoreError> {
        Ok(self
            .transact(vec![stmt(sql, params)])
            .await?
            .into_iter()
            .next())
    }

    /// Adds an account without a password; `None` when the email has one already.
    pub async fn user_add(
        &self,
        email: &str,
        role: Role,
        scope: &Scope,
        now: &Now,
    ) -> Result<Option<User>, StoreError> {
        let sql = concat!(
            "INSERT INTO users (email, role, scope, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (email) DO NOTHING RETURNING ",
            user_cols!()
        );
        let params = vec![
            t(&email_key(email)),
            t(role.key()),
            t(&scope.to_text()),
            t(&now.at),
        ];
        first(self.one(sql, params).await?, user)
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        let sql = concat!("SELECT ", user_cols!(), " FROM users WHERE email = $1");
        first(self.one(sql, vec![t(&email_key(email))]).await?, user)
    }

    pub async fn user_by_id(&self, id: i64) -> Result<Option<User>, StoreError> {
        let sql = concat!("SELECT ", user_cols!(), " FROM users WHERE id = $1");
        first(self.one(sql, vec![Val::I(id)]).await?, user)
    }

    /// Every account, oldest first.
    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        let sql = concat!("SELECT ", user_cols!(), " FROM users ORDER BY id");
        all(self.one(sql, vec![]).await?, user)
    }

    /// Each account's standing, by its id (an account never signed in and never invited
    /// has none: `Standing::default()`). Two indexed reads, whatever the number of people.
    pub async fn user_standings(&self) -> Result<HashMap<i64, Standing>, StoreError> {
        let done = self
            .transact(vec![
                stmt("SELECT DISTINCT user_id FROM sessions", vec![]),
                stmt(
                    "SELECT user_id, MAX(expires_ns) FROM invites GROUP BY user_id",
                    vec![],
                ),
            ])
            .await?;
        let mut out: HashMap<i64, Standing> = HashMap::new();
        for row in &done[0] {
            out.entry(int(row, 0)?).or_default().signed_in = true;
        }
        for row in &done[1] {
            out.entry(int(row, 0)?).or_default().invite_expires_ns = Some(int(row, 1)?);
        }
        Ok(out)
    }

    /// A new role and scope for an account; false if there is no such account.
    pub async fn user_set_role(
        &self,
        id: i64,
        role: Role,
        scope: &Scope,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE users SET role = $2, scope = $3 WHERE id = $1 RETURNING id";
        let params = vec![Val::I(id), t(role.key()), t(&scope.to_text())];
        Ok(!self.one(sql, params).await?.unwrap_or_default().is_empty())
    }

    /// Disables an account (or enables it again): disabling ends its sessions and invites at
    /// once. False if there is no such account.
    pub async fn user_set_disabled(
        &self,
        id: i64,
        disabled: bool,
        now: &Now,
    ) -> Result<bool, StoreError> {
        let set = match disabled {
            true => stmt(
                "UPDATE users SET disabled_at = COALESCE(disabled_at, $2) WHERE id = $1 RETURNING id",
                vec![Val::I(id), t(&now.at)],
            ),
            false => stmt("UPDATE users SET disabled_at = NULL WHERE id = $1 RETURNING id", vec![Val::I(id)]),
        };
        let mut stmts = vec![set];
        if disabled {
            stmts.extend(end_access(id, now));
        }
        Ok(!self.transact(stmts).await?.swap_remove(0).is_empty())
    }
}
