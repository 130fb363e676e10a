//! Passwords, hashed with Argon2id (the `argon2` crate, RustCrypto) at the parameters OWASP's
//! Password Storage Cheat Sheet recommends as its first choice: 19 MiB of memory
//! (`M_COST` KiB), 2 iterations (`T_COST`), 1 lane (`P_COST`), a random 16-byte salt per
//! hash. What is stored is the PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`), which
//! carries its own parameters: a hash made at older parameters still verifies.
//!
//! The rules a new password meets (`check`): `MIN_CHARS` to `MAX_CHARS` characters, typed the
//! same twice, not the account's email.
//!
//! Each hash or check takes 19 MiB and a blocking thread for tens of milliseconds, so they run
//! through `Slots`: `default_slots()` at once at most; a request that finds none free within
//! `SLOT_WAIT` is told the collector is busy (503, `Retry-After: BUSY_RETRY_S`) rather than
//! queued without end.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Memory, in KiB (19 MiB).
pub const M_COST: u32 = 19 * 1024;
/// Iterations.
pub const T_COST: u32 = 2;
/// Lanes (parallelism).
pub const P_COST: u32 = 1;

/// The fewest characters a password has.
pub const MIN_CHARS: usize = 10;
/// The most characters a password has.
pub const MAX_CHARS: usize = 256;

/// Why a new password is not taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Fewer than `MIN_CHARS` characters.
    TooShort,
    /// More than `MAX_CHARS` characters.
    TooLong,
    /// The two fields differ.
    Mismatch,
    /// The password is the account's email.
    IsEmail,
}

/// Whether `password` (typed again as `again`) may be the password of `email`'s account.
pub fn check(password: &str, again: &str, email: &str) -> Result<(), Problem> {
    let n = password.chars().count();
    if n < MIN_CHARS {
        Err(Problem::TooShort)
    } else if n > MAX_CHARS {
        Err(Problem::TooLong)
    } else if password != again {
        Err(Problem::Mismatch)
    } else if password.trim().eq_ignore_ascii_case(email.trim()) {
        Err(Problem::IsEmail)
    } else {
        Ok(())
    }
}

fn argon2() -> Argon2<'static> {
    let params = Params::new(M_COST, T_COST, P_COST, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string of a password, with a fresh random salt. Takes tens of milliseconds: call
/// it on a blocking thread from async code.
pub fn hash(password: &str) -> Result<String, String> {
    argon2()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash the password: {e}"))
}

/// Whether `password` is the one `stored` (a PHC string) was made from. A stored form that is
/// not a PHC string verifies nothing.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .is_ok_and(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
}

/// How long a hash or a check waits for a free slot.
pub const SLOT_WAIT: Duration = Duration::from_secs(1);
/// The seconds a busy answer says to retry in.
pub const BUSY_RETRY_S: u64 = 2;

/// The hashes and checks that run at once by default: twice the cores, at least 2.
pub fn default_slots() -> usize {
    std::thread::available_parallelism()
        .map_or(2, |n| n.get().saturating_mul(2))
        .max(2)
}

/// No slot came free in time: the collector is busy hashing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Busy;

/// The slots hashes and checks run in.
pub struct Slots {
    free: Arc<Semaphore>,
    wait: Duration,
}

impl Slots {
    /// `n` slots, each waited for at most `wait`.
    pub fn new(n: usize, wait: Duration) -> Self {
        Slots {
            free: Arc::new(Semaphore::new(n)),
            wait,
        }
    }

    /// Runs `work` (a hash or a check) on a blocking thread once a slot is free. The slot is
    /// held by the work itself, so a request given up meanwhile does not free it early.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let slot = tokio::time::timeout(self.wait, self.free.clone().acquire_owned())
            .await
            .ok()
            .and_then(Result::ok)
            .ok_or(Busy)?;
        let done = tokio::task::spawn_blocking(move || {
            let _slot = slot;
            work()
        })
        .await;
        match done {
            Ok(out) => Ok(out),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            // The runtime is shutting down.
            Err(_) => Err(Busy),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_password_is_long_enough_typed_twice_and_not_the_email() {
        let email = "li.na@brand.example";
        let long = "x".repeat(MAX_CHARS + 1);
        let table: &[(&str, &str, Result<(), Problem>)] = &[
            ("correct horse", "correct horse", Ok(())),
            ("十个字的中文密码很好记", "十个字的中文密码很好记", Ok(())),
            ("short", "short", Err(Problem::TooShort)),
            ("123456789", "123456789", Err(Problem::TooShort)),
            ("密码太短了", "密码太短了", Err(Problem::TooShort)),
            (&long, &long, Err(Problem::TooLong)),
            ("correct horse", "correct hors", Err(Problem::Mismatch)),
            (
                "Li.Na@Brand.example",
                "Li.Na@Brand.example",
                Err(Problem::IsEmail),
            ),
        ];
        for (p, again, want) in table {
            assert_eq!(check(p, again, email), *want, "{p:?} / {again:?}");
        }
        assert_eq!(
            check(&"x".repeat(MAX_CHARS), &"x".repeat(MAX_CHARS), email),
            Ok(())
        );
    }

    #[test]
    fn a_hash_verifies_its_password_and_no_other() {
        let stored = hash("correct horse battery staple").unwrap();
        assert!(verify("correct horse battery staple", &stored));
        assert!(!verify("correct horse battery stapler", &stored));
        assert!(!verify("", &stored));
        assert!(!verify("correct horse battery staple", "not a PHC string"));
        assert!(!verify("correct horse battery staple", ""));
    }

    #[test]
    fn the_stored_form_is_phc_text_at_the_documented_parameters() {
        let stored = hash("密码 with spaces").unwrap();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert_eq!(stored.split('$').count(), 6, "{stored}");
        assert!(!stored.contains("密码"), "{stored}");
        assert_ne!(hash("x").unwrap(), "x");
        // A fresh salt each time: the same password never gives the same text.
        assert_ne!(hash("密码 with spaces").unwrap(), stored);
        assert!(verify("密码 with spaces", &stored));
    }

    #[tokio::test]
    async fn no_more_than_the_slots_run_at_once_and_a_late_one_is_told_busy() {
        let slots = Slots::new(1, Duration::from_millis(50));
        let (go, held) = std::sync::mpsc::channel::<()>();
        let first = slots.run(move || held.recv().is_ok());
        let second = async {
            tokio::time::sleep(Duration::from_millis(10)).await;
            let busy = slots.run(|| true).await;
            go.send(()).unwrap();
            busy
        };
        let (first, second) = tokio::join!(first, second);
        assert_eq!(first, Ok(true));
        assert_eq!(second, Err(Busy));
        // The slot is free again once the work is done.
        assert_eq!(slots.run(|| 7).await, Ok(7));
        assert!(default_slots() >= 2);
    }

    #[test]
    fn a_hash_at_other_parameters_still_verifies() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8, 1, 1, None).unwrap(),
        );
        let stored = weak.hash_password(b"hunter42").unwrap().to_string();
        assert!(verify("hunter42", &stored));
        assert!(!verify("hunter43", &stored));
    }
}
