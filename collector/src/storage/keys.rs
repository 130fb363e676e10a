//! The collector's own keys, kept in the database (`server_keys`) so that every collector on
//! one database signs and hashes alike: made by the first collector that asks (244 random
//! bits), read by every other, never shown, logged or exported.

use super::people::{stmt, t, Val};
use super::{Now, Store, StoreError};

impl Store {
    /// The key named `name` (a purpose: `referral`, `device`): made now unless a collector
    /// made it already, in one transaction, so two collectors asking at once read one key.
    pub async fn server_key(&self, name: &str, now: &Now) -> Result<Vec<u8>, StoreError> {
        let fresh = crate::write_key::secret();
        let rows = self
            .transact(vec![
                stmt(
                    "INSERT INTO server_keys (name, value, created_ns) VALUES ($1, $2, $3)
                     ON CONFLICT (name) DO NOTHING",
                    vec![t(name), t(&fresh), Val::I(now.ns)],
                ),
                stmt(
                    "SELECT value FROM server_keys WHERE name = $1",
                    vec![t(name)],
                ),
            ])
            .await?;
        match rows.get(1).and_then(|r| r.first()).and_then(|r| r.first()) {
            Some(Val::T(v)) => Ok(v.as_bytes().to_vec()),
            _ => Err(StoreError::Sql {
                message: format!("the server key {name:?} was neither made nor found"),
            }),
        }
    }
}
