//! Signed visit links: a landing URL whose `t` proves the collector (or whoever holds its
//! secret) issued it for this survey and visit, until a moment.
//!
//! A token is `{expires}.{tag}`: `expires` in Unix seconds, `tag` the first 16 bytes of
//! HMAC-SHA256(secret, "nps-visit-v1\n{survey}\n{visit}\n{expires}") in URL-safe base64 (22
//! characters), short enough to keep a QR code easy to scan. With a secret configured
//! (`--visit-secret`), a response that names a visit must carry a valid token in its context
//! (`t`, copied from the landing URL's query string like the visit itself); a tampered or
//! missing token is refused, and an expired one may no longer start a response (a response
//! already started may still be finished).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The query-string and context key of a token.
pub use nps_widget::rules::VISIT_TOKEN as TOKEN_KEY;
/// The shortest secret accepted.
pub const MIN_SECRET: usize = 16;
/// Bytes of the HMAC kept in a token.
const TAG_LEN: usize = 16;
/// What the MAC covers, besides the survey, the visit and the expiry.
const DOMAIN: &str = "nps-visit-v1";

/// Why a token is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
    /// The response names a visit but carries no token.
    Missing,
    /// Not a token at all.
    Malformed,
    /// Made for another survey or visit, or altered.
    Tampered,
    /// Past its expiry.
    Expired,
}

impl TokenError {
    /// For the page's developer and the API's `error`.
    pub fn message(self) -> &'static str {
        match self {
            TokenError::Missing => "this visit needs a signed link: context.t is missing (sign links with nps-collector sign-visit)",
            TokenError::Malformed => "context.t is not a visit token: expected {expiry}.{signature} as nps-collector sign-visit writes it",
            TokenError::Tampered => "context.t does not match this survey and visit: the link was altered or made for another visit",
            TokenError::Expired => "context.t has expired: this link may no longer start a response",
        }
    }
}

/// The secret as a MAC key, checked for length.
#[derive(Clone)]
pub struct VisitKey(Vec<u8>);

impl std::fmt::Debug for VisitKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VisitKey(…)")
    }
}

impl VisitKey {
    pub fn new(secret: &str) -> Result<VisitKey, String> {
        let secret = secret.trim();
        if secret.chars().count() < MIN_SECRET {
            return Err(format!(
                "the visit secret is {} characters: use at least {MIN_SECRET} (e.g. the output of `openssl rand -hex 32`)",
                secret.chars().count()
            ));
        }
        Ok(VisitKey(secret.as_bytes().to_vec()))
    }

    fn mac(&self, survey: &str, visit: &str, expires: i64) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0)
            .expect("HMAC takes a key of any length");
        mac.update(format!("{DOMAIN}\n{survey}\n{visit}\n{expires}").as_bytes());
        mac
    }

    /// The token for a visit of a survey, valid until `expires` (Unix seconds).
    pub fn sign(&self, survey: &str, visit: &str, expires: i64) -> String {
        let tag = self.mac(survey, visit, expires).finalize().into_bytes();
        format!("{expires}.{}", URL_SAFE_NO_PAD.encode(&tag[..TAG_LEN]))
    }

    /// Checks a token's signature; returns its expiry (Unix seconds). Whether it has expired
    /// is the caller's question: a response already started may be finished after it.
    pub fn verify(
        &self,
        survey: &str,
        visit: &str,
        token: Option<&str>,
    ) -> Result<i64, TokenError> {
        let token = token.ok_or(TokenError::Missing)?;
        let (expires, tag) = token.split_once('.').ok_or(TokenError::Malformed)?;
        let expires: i64 = expires
            .parse()
            .ok()
            .filter(|e| *e > 0)
            .ok_or(TokenError::Malformed)?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag)
            .ok()
            .filter(|t| t.len() == TAG_LEN)
            .ok_or(TokenError::Malformed)?;
        self.mac(survey, visit, expires)
            .verify_truncated_left(&tag)
            .map_err(|_| TokenError::Tampered)?;
        Ok(expires)
    }
}

/// A length of time as `30d`, `12h`, `90m` or `3600s`, in seconds.
pub fn parse_ttl(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: i64 = n.parse().map_err(|_| bad_ttl(s))?;
    let per = match unit {
        "d" => 86_400,
        "h" => 3_600,
        "m" => 60,
        "s" | "" => 1,
        _ => return Err(bad_ttl(s)),
    };
    match n.checked_mul(per) {
        Some(secs) if secs > 0 && secs <= 366 * 86_400 => Ok(secs),
        _ => Err(format!("--ttl {s}: expected from 1 second to 366 days")),
    }
}

fn bad_ttl(s: &str) -> String {
    format!("--ttl {s:?}: expected a number and a unit, e.g. 30d, 12h, 90m or 3600s")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> VisitKey {
        VisitKey::new("a secret of some length").unwrap()
    }

    #[test]
    fn a_signed_token_verifies_for_its_visit_only() {
        let t = key().sign("after-sales", "RO-88231", 1_900_000_000);
        assert_eq!(t.len(), "1900000000.".len() + 22, "{t}");
        assert_eq!(
            key().verify("after-sales", "RO-88231", Some(&t)),
            Ok(1_900_000_000)
        );
        let check = |survey: &str, visit: &str, token: Option<&str>, want: TokenError| {
            assert_eq!(
                key().verify(survey, visit, token),
                Err(want),
                "{survey} {visit} {token:?}"
            );
        };
        check("after-sales", "RO-88232", Some(&t), TokenError::Tampered);
        check("sales", "RO-88231", Some(&t), TokenError::Tampered);
        let later = t.replacen("1900000000", "1900000001", 1);
        check(
            "after-sales",
            "RO-88231",
            Some(&later),
            TokenError::Tampered,
        );
        check("after-sales", "RO-88231", None, TokenError::Missing);
        // A shortened tag could be guessed; only the full length is checked.
        let short = &t[..t.len() - 1];
        check(
            "after-sales",
            "RO-88231",
            Some(short),
            TokenError::Malformed,
        );
        for junk in ["", ".", "x.y", "-5.AAAA", "1900000000", "1900000000.!!!"] {
            check("after-sales", "RO-88231", Some(junk), TokenError::Malformed);
        }
        let other = VisitKey::new("another secret of some length").unwrap();
        assert_eq!(
            other.verify("after-sales", "RO-88231", Some(&t)),
            Err(TokenError::Tampered)
        );
    }

    #[test]
    fn secrets_and_lifetimes() {
        assert!(VisitKey::new("short").unwrap_err().contains("at least 16"));
        assert_eq!(parse_ttl("30d"), Ok(30 * 86_400));
        assert_eq!(parse_ttl("12h"), Ok(12 * 3_600));
        assert_eq!(parse_ttl("90m"), Ok(5_400));
        assert_eq!(parse_ttl("3600s"), Ok(3_600));
        assert_eq!(parse_ttl("3600"), Ok(3_600));
        for bad in ["", "d", "30x", "0d", "400d", "-1d", "1.5d"] {
            assert!(parse_ttl(bad).is_err(), "{bad}");
        }
    }
}
