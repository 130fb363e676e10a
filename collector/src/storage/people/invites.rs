//! One-time invites in the store: made (a reset's too), read by the invite page, used up
//! once: `people`'s statements.

use super::{end_access, first, stmt, t, user, User, Val};
use crate::storage::{Now, Store, StoreError};

impl Store {
    /// A one-time invite for an account (a reset's too): its password is cleared, its
    /// sessions end, an earlier invite stops working, and the invite (by its hash) holds
    /// until `expires_ns`. False if there is no such account.
    pub async fn invite(
        &self,
        id: i64,
        token_hash: &str,
        expires_ns: i64,
        now: &Now,
    ) -> Result<bool, StoreError> {
        let clear = stmt(
            "UPDATE users SET password_hash = NULL WHERE id = $1 RETURNING id",
            vec![Val::I(id)],
        );
        let add = stmt(
            "INSERT INTO invites (token_hash, user_id, expires_ns) SELECT $1, id, CAST($3 AS BIGINT) FROM users WHERE id = $2",
            vec![t(token_hash), Val::I(id), Val::I(expires_ns)],
        );
        let [end_sessions, end_invites] = end_access(id, now);
        let done = self
            .transact(vec![clear, end_sessions, end_invites, add])
            .await?;
        Ok(!done[0].is_empty())
    }

    /// The account a live invite is for (the invite page), without using it up.
    pub async fn invite_user(
        &self,
        token_hash: &str,
        now: &Now,
    ) -> Result<Option<User>, StoreError> {
        let sql = concat!(
            "SELECT ",
            user_cols!(),
            " FROM users WHERE disabled_at IS NULL AND id =
             (SELECT user_id FROM invites WHERE token_hash = $1 AND expires_ns > $2)"
        );
        first(
            self.one(sql, vec![t(token_hash), Val::I(now.ns)]).await?,
            user,
        )
    }

    /// Uses up an invite: the account's password becomes `password_hash`. `None` for an
    /// unknown, used or expired invite, or a disabled account; the invite is gone either way.
    /// The live invite is deleted first and only the account it was for is changed, so of
    /// two accepts at once only the one whose delete took the row wins (PostgreSQL makes the
    /// other's delete wait, then find nothing).
    pub async fn invite_accept(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: &Now,
    ) -> Result<Option<User>, StoreError> {
        let used = stmt(
            "DELETE FROM invites WHERE token_hash = $1 AND expires_ns > $2 RETURNING user_id",
            vec![t(token_hash), Val::I(now.ns)],
        );
        let set = stmt(
            concat!(
                "UPDATE users SET password_hash = $2 WHERE disabled_at IS NULL AND id = $1 RETURNING ",
                user_cols!()
            ),
            vec![Val::Earlier(0), t(password_hash)],
        );
        let expired = stmt(
            "DELETE FROM invites WHERE token_hash = $1 RETURNING user_id",
            vec![t(token_hash)],
        );
        first(
            self.transact(vec![used, set, expired])
                .await?
                .into_iter()
                .nth(1),
            user,
        )
    }
}
