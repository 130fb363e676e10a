//! Sessions (idle and absolute ends, revocation), machine tokens (last use, revocation) and
//! the audit trail (append and read, nothing else), in the store: `people`'s statements.

use super::{all, first, stmt, t, token, user, AuditEntry, Token, User, Val};
use super::{bad, int, opt_text, text};
use crate::storage::{Now, Store, StoreError};
use nps_core::access::{Role, Scope};

impl Store {
    /// A new session (by the hash of its id) for an account: it ends `idle_ns` after its last
    /// use, and `absolute_ns` after now whatever its use.
    pub async fn session_add(
        &self,
        id_hash: &str,
        user_id: i64,
        now: &Now,
        idle_ns: i64,
        absolute_ns: i64,
    ) -> Result<(), StoreError> {
        let end = now.ns.saturating_add(absolute_ns);
        let sql = "INSERT INTO sessions (id_hash, user_id, created_ns, last_seen_ns, idle_until_ns, absolute_until_ns)
             VALUES ($1, $2, $3, $3, $4, $5)";
        let idle = now.ns.saturating_add(idle_ns).min(end);
        self.one(
            sql,
            vec![
                t(id_hash),
                Val::I(user_id),
                Val::I(now.ns),
                Val::I(idle),
                Val::I(end),
            ],
        )
        .await
        .map(drop)
    }

    /// The account of a live session, its use recorded (the idle expiry moves on, never past
    /// the absolute one). `None` for an unknown, revoked, idle or expired session, or a
    /// disabled account.
    pub async fn session_touch(
        &self,
        id_hash: &str,
        now: &Now,
        idle_ns: i64,
    ) -> Result<Option<User>, StoreError> {
        let touch = stmt(
            "UPDATE sessions SET last_seen_ns = $2,
                 idle_until_ns = CASE WHEN $3 < absolute_until_ns THEN $3 ELSE absolute_until_ns END
             WHERE id_hash = $1 AND revoked_at IS NULL AND idle_until_ns > $2 AND absolute_until_ns > $2
               AND user_id IN (SELECT id FROM users WHERE disabled_at IS NULL)
             RETURNING user_id",
            vec![t(id_hash), Val::I(now.ns), Val::I(now.ns.saturating_add(idle_ns))],
        );
        let read = stmt(
            concat!(
                "SELECT ",
                user_cols!(),
                " FROM users WHERE id = (SELECT user_id FROM sessions WHERE id_hash = $1)"
            ),
            vec![t(id_hash)],
        );
        let mut done = self.transact(vec![touch, read]).await?;
        if done[0].is_empty() {
            return Ok(None);
        }
        first(Some(done.swap_remove(1)), user)
    }

    /// Ends a session (signing out); false if it was not live.
    pub async fn session_revoke(&self, id_hash: &str, now: &Now) -> Result<bool, StoreError> {
        let sql = "UPDATE sessions SET revoked_at = $2 WHERE id_hash = $1 AND revoked_at IS NULL RETURNING user_id";
        Ok(!self
            .one(sql, vec![t(id_hash), t(&now.at)])
            .await?
            .unwrap_or_default()
            .is_empty())
    }

    /// A machine token (by its hash) for a role and scope.
    pub async fn token_add(
        &self,
        token_hash: &str,
        label: &str,
        role: Role,
        scope: &Scope,
        now: &Now,
    ) -> Result<Token, StoreError> {
        let sql = concat!(
            "INSERT INTO tokens (token_hash, label, role, scope, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING ",
            token_cols!()
        );
        let params = vec![
            t(token_hash),
            t(label),
            t(role.key()),
            t(&scope.to_text()),
            t(&now.at),
        ];
        first(self.one(sql, params).await?, token)?.ok_or_else(|| bad("token"))
    }

    /// The live token of a hash, its use recorded; `None` for an unknown or revoked one. Its
    /// `last_used_at` is the use before this one (`None` for its first), so the caller can
    /// tell how long it had not been used.
    pub async fn token_use(
        &self,
        token_hash: &str,
        now: &Now,
    ) -> Result<Option<Token>, StoreError> {
        let before = stmt(
            "SELECT last_used_at FROM tokens WHERE token_hash = $1",
            vec![t(token_hash)],
        );
        let used = stmt(
            concat!(
                "UPDATE tokens SET last_used_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL
                 RETURNING ",
                token_cols!()
            ),
            vec![t(token_hash), t(&now.at)],
        );
        let mut done = self.transact(vec![before, used]).await?;
        let previous = match done[0].first() {
            Some(row) => opt_text(row, 0)?,
            None => None,
        };
        let used = first(Some(done.swap_remove(1)), token)?;
        Ok(used.map(|t| Token {
            last_used_at: previous,
            ..t
        }))
    }

    /// Revokes a token; false if there is no such live token.
    pub async fn token_revoke(&self, id: i64, now: &Now) -> Result<bool, StoreError> {
        let sql =
            "UPDATE tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING id";
        Ok(!self
            .one(sql, vec![Val::I(id), t(&now.at)])
            .await?
            .unwrap_or_default()
            .is_empty())
    }

    /// Every token, oldest first.
    pub async fn tokens(&self) -> Result<Vec<Token>, StoreError> {
        let sql = concat!("SELECT ", token_cols!(), " FROM tokens ORDER BY id");
        all(self.one(sql, vec![]).await?, token)
    }

    /// Appends a line to the audit trail.
    pub async fn audit_append(
        &self,
        now: &Now,
        who: &str,
        action: &str,
        detail: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO audit (at, who, action, detail) VALUES ($1, $2, $3, $4)";
        self.one(
            sql,
            vec![t(&now.at), t(who), t(action), t(&detail.to_string())],
        )
        .await
        .map(drop)
    }

    /// The audit trail, oldest first.
    pub async fn audit(&self) -> Result<Vec<AuditEntry>, StoreError> {
        let sql = "SELECT id, at, who, action, detail FROM audit ORDER BY id";
        all(self.one(sql, vec![]).await?, audit_entry)
    }

    /// The lines of the audit trail a filter selects, newest first, at most `limit`.
    pub async fn audit_read(
        &self,
        filter: &AuditFilter,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let sql = "SELECT id, at, who, action, detail FROM audit
             WHERE (CAST($1 AS TEXT) IS NULL OR at >= $1) AND (CAST($2 AS TEXT) IS NULL OR at < $2)
               AND (CAST($3 AS TEXT) IS NULL OR action = $3) AND (CAST($4 AS TEXT) IS NULL OR who = $4)
             ORDER BY id DESC LIMIT $5";
        let opt = |v: &Option<String>| v.as_deref().map_or(Val::NullT, t);
        let params = vec![
            opt(&filter.since),
            opt(&filter.until),
            opt(&filter.action),
            opt(&filter.who),
            Val::I(limit.max(0)),
        ];
        all(self.one(sql, params).await?, audit_entry)
    }
}

/// Which lines of the audit trail a read selects: `at` from `since` (inclusive) to `until`
/// (exclusive), both in `Now::at`'s form; one action; one `who`. `None` selects any.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub since: Option<String>,
    pub until: Option<String>,
    pub action: Option<String>,
    pub who: Option<String>,
}

fn audit_entry(r: &[Val]) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        id: int(r, 0)?,
        at: text(r, 1)?,
        who: text(r, 2)?,
        action: text(r, 3)?,
        detail: serde_json::from_str(&text(r, 4)?).map_err(|_| bad("audit detail"))?,
    })
}
