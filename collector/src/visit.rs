//! Signed visit links: a landing URL whose `t` proves the collector (or whoever holds its
//! secret) issued it for this survey, with exactly the context it carries, until a moment.
//!
//! ## The token
//!
//! `t` is `{expires}.{tag}`: `expires` in Unix seconds, `tag` the first 16 bytes of
//! HMAC-SHA256(secret, message) in URL-safe base64 (22 characters), short enough to keep a
//! QR code easy to scan. The message is `nps-visit-v2\n` followed by, each written as
//! `{length in bytes}:{bytes}`, the survey, the expiry in decimal, then every key and value
//! of the signed context, sorted by key (`message`): no two contexts give the same message.
//!
//! ## What is signed
//!
//! The collector sees a response's context, not the link it came from, so the rule is on the
//! context: the **signed context** of a response is its whole context but `t` itself and the
//! pairs equal to its survey's fixed `context` in the landing file (`Policy::fixed`, which
//! no link can change: a fixed value wins over the query string).
//!
//! - On the collector's landing pages a response's context is the survey's fixed context plus
//!   the keys its config copies from the link (`Config::context_with_query`), so the signed
//!   context is exactly what the link carries. `sign-visit` and `qr --sign` sign every context
//!   value they put in the link, and refuse a key the page would not copy from it.
//! - The widget on a page of the brand's own, posting JSON with the same query string, builds
//!   its context the same way from its own config: its fixed `context` must be the landing
//!   file's for that survey (or none); any other value it adds counts as carried and must be
//!   signed, or its responses are refused.
//!
//! ## The rule (`admit`)
//!
//! With a key (`--visit-secret`), for the API's JSON and form posts and the landing pages
//! alike: a response carrying `t` must verify over its signed context (a value edited, added
//! or removed, another survey, another expiry: refused); one naming a visit without `t` is
//! refused; one with neither is taken unless its survey requires a signed visit
//! (`require_visit` in the landing file), which also needs the visit itself. An expired token
//! may no longer start a response (the store's `Admission`); a response already started may
//! still be finished.
//!
//! Two context keys are taken only from a link whose token verified (`SIGNED_ONLY`), with or
//! without a key configured: the order's phone tail (`phone_tail`, which lets a customer ask
//! for a call at the order's number) and a re-survey's case (`recovery`). Anyone may type a
//! query string; only the key's holder names an order's phone or a case.
//!
//! ## Version 1
//!
//! Tokens made before the context was signed (`nps-visit-v1\n{survey}\n{visit}\n{expires}`)
//! covered the survey, the visit and the expiry only. They still verify for a link that
//! carries nothing but its visit (and `t`); a version-1 link with a store, an advisor or any
//! other value is refused, unless the operator still takes them until a date
//! (`--v1-links-until`, for codes already printed; their other values are then unsigned).

use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use nps_core::contract::rules::{PHONE_TAIL, RECOVERY, VISIT};
use sha2::Sha256;

/// The query-string and context key of a token.
pub use nps_core::contract::rules::VISIT_TOKEN as TOKEN_KEY;
/// The shortest secret accepted.
pub const MIN_SECRET: usize = 16;
/// Bytes of the HMAC kept in a token.
const TAG_LEN: usize = 16;
/// The context keys a response may carry only from a verified link (see the module doc).
pub const SIGNED_ONLY: [&str; 2] = [PHONE_TAIL, RECOVERY];
/// The MAC's domain: survey, expiry and the signed context.
const DOMAIN: &str = "nps-visit-v2";
/// The first version's domain: survey, visit and expiry only.
const DOMAIN_V1: &str = "nps-visit-v1";

/// Why a token is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
    /// The response names a visit but carries no token.
    Missing,
    /// Not a token at all.
    Malformed,
    /// Made for another survey or context, or altered.
    Tampered,
    /// Past its expiry.
    Expired,
    /// The survey takes answers only from signed visit links (`require_visit`).
    Required,
    /// A key only a verified link may carry (`SIGNED_ONLY`) came without one.
    Unsigned(&'static str),
    /// A signed `recovery` that is not a case's id (a UUID).
    NotACase,
}

impl TokenError {
    /// For the page's developer and the API's `error`.
    pub fn message(self) -> &'static str {
        match self {
            TokenError::Missing => "this visit needs a signed link: context.t is missing (sign links with nps-collector sign-visit)",
            TokenError::Malformed => "context.t is not a visit token: expected {expiry}.{signature} as nps-collector sign-visit writes it",
            TokenError::Tampered => "context.t does not match this survey and context: a value of the link was altered or added, or the link was made for another visit",
            TokenError::Expired => "context.t has expired: this link may no longer start a response",
            TokenError::Required => "this survey takes answers only from signed visit links (require_visit): context.visit and a valid context.t are needed (sign links with nps-collector sign-visit)",
            TokenError::Unsigned(PHONE_TAIL) => "context.phone_tail is taken only from a signed visit link (nps-collector sign-visit --phone-tail): the link carries no valid context.t",
            TokenError::Unsigned(_) => "context.recovery is taken only from a signed re-survey link, made for a resolved case: the link carries no valid context.t",
            TokenError::NotACase => "context.recovery is not a case id: expected the UUID of a resolved case, as the re-survey link carries it",
        }
    }

    /// The field the refusal names: the token, or the key that needed one.
    pub fn field(self) -> String {
        match self {
            TokenError::Unsigned(key) => format!("context.{key}"),
            TokenError::NotACase => format!("context.{RECOVERY}"),
            _ => format!("context.{TOKEN_KEY}"),
        }
    }
}

/// What the collector knows of a survey's links, from the landing file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    /// Answers only from signed visit links (`require_visit`).
    pub require_visit: bool,
    /// The survey's fixed context: every response of its pages carries it and no link can
    /// change it, so it is not signed.
    pub fixed: BTreeMap<String, String>,
}

/// The signed context of a response: its context but `t` and the survey's fixed pairs.
pub fn signed_context<'a>(
    context: &'a BTreeMap<String, String>,
    fixed: &BTreeMap<String, String>,
) -> BTreeMap<&'a str, &'a str> {
    context
        .iter()
        .filter(|(k, v)| *k != TOKEN_KEY && fixed.get(*k) != Some(*v))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// The message a version-2 tag is the MAC of (see the module doc).
fn message(survey: &str, expires: i64, signed: &BTreeMap<&str, &str>) -> Vec<u8> {
    let mut m = format!("{DOMAIN}\n").into_bytes();
    let expires = expires.to_string();
    let fields = [survey, expires.as_str()]
        .into_iter()
        .chain(signed.iter().flat_map(|(k, v)| [*k, *v]));
    for f in fields {
        m.extend_from_slice(format!("{}:", f.len()).as_bytes());
        m.extend_from_slice(f.as_bytes());
    }
    m
}

/// The secret as a MAC key, checked for length; and until when version-1 links that carry
/// more than their visit are still taken (`--v1-links-until`, Unix seconds).
#[derive(Clone)]
pub struct VisitKey {
    secret: Vec<u8>,
    v1_until: Option<i64>,
}

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
        Ok(VisitKey {
            secret: secret.as_bytes().to_vec(),
            v1_until: None,
        })
    }

    /// Takes version-1 links that carry more than their visit until `until` (Unix seconds;
    /// `None`: never): codes printed before the context was signed, while they are in
    /// customers' hands. Their other values are not signed, as before.
    pub fn with_v1_grace(mut self, until: Option<i64>) -> VisitKey {
        self.v1_until = until;
        self
    }

    fn mac(&self, message: &[u8]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.secret)
            .expect("HMAC takes a key of any length");
        mac.update(message);
        mac
    }

    /// The token of a link to `survey` carrying `carried` (its context values but `t`,
    /// which is ignored if there), valid until `expires` (Unix seconds).
    pub fn sign(&self, survey: &str, carried: &BTreeMap<String, String>, expires: i64) -> String {
        let signed = signed_context(carried, &BTreeMap::new());
        let tag = self
            .mac(&message(survey, expires, &signed))
            .finalize()
            .into_bytes();
        format!("{expires}.{}", URL_SAFE_NO_PAD.encode(&tag[..TAG_LEN]))
    }

    /// Checks a token's signature over a signed context; returns its expiry (Unix seconds).
    /// Whether it has expired is the caller's question: a response already started may be
    /// finished after it. A version-1 token verifies only where the context is the visit alone.
    pub fn verify(
        &self,
        survey: &str,
        signed: &BTreeMap<&str, &str>,
        token: Option<&str>,
    ) -> Result<i64, TokenError> {
        self.verify_at(survey, signed, token, i64::MAX)
    }

    /// `verify` at `now_s` (Unix seconds): before `with_v1_grace`'s moment, a version-1
    /// token also verifies over its visit where the context carries more.
    pub fn verify_at(
        &self,
        survey: &str,
        signed: &BTreeMap<&str, &str>,
        token: Option<&str>,
        now_s: i64,
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
        let v2 = self.mac(&message(survey, expires, signed));
        if v2.verify_truncated_left(&tag).is_ok() {
            return Ok(expires);
        }
        // The grace takes printed codes' unsigned store and advisor, never a key only a
        // verified link may carry (`SIGNED_ONLY`).
        let grace = self.v1_until.is_some_and(|until| now_s < until)
            && !SIGNED_ONLY.iter().any(|k| signed.contains_key(k));
        let v1 = match (signed.len(), signed.get(VISIT)) {
            (n, Some(visit)) if n == 1 || grace => {
                format!("{DOMAIN_V1}\n{survey}\n{visit}\n{expires}")
            }
            _ => return Err(TokenError::Tampered),
        };
        self.mac(v1.as_bytes())
            .verify_truncated_left(&tag)
            .map_err(|_| TokenError::Tampered)?;
        Ok(expires)
    }
}

/// Whether a response may be stored (or a visit's page shown), and until when its token may
/// start one: the rule of the module doc. `Ok(None)`: nothing signed to check.
pub fn admit(
    key: Option<&VisitKey>,
    policy: &Policy,
    survey: &str,
    context: &BTreeMap<String, String>,
    now_s: i64,
) -> Result<Option<i64>, TokenError> {
    let unsigned = || match SIGNED_ONLY.into_iter().find(|k| context.contains_key(*k)) {
        Some(k) => Err(TokenError::Unsigned(k)),
        None => Ok(None),
    };
    let Some(key) = key else {
        return unsigned();
    };
    let token = context.get(TOKEN_KEY).map(String::as_str);
    let visit = context.contains_key(VISIT);
    match (token, visit) {
        (None, true) => Err(TokenError::Missing),
        (None, false) if policy.require_visit => Err(TokenError::Required),
        (None, false) => unsigned(),
        (Some(t), _) => {
            let signed = signed_context(context, &policy.fixed);
            let expires = key.verify_at(survey, &signed, Some(t), now_s)?;
            if policy.require_visit && !visit {
                return Err(TokenError::Required);
            }
            Ok(Some(expires))
        }
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

    fn ctx(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const LINK: &[(&str, &str)] = &[
        ("store", "SZ-FT"),
        ("advisor", "wang"),
        ("model", "X5"),
        ("touchpoint", "after_service"),
        ("visit", "RO-88231"),
    ];

    /// A token verified against a response's context (with `t` in it), no fixed context.
    fn check(survey: &str, context: &BTreeMap<String, String>) -> Result<i64, TokenError> {
        let t = context.get(TOKEN_KEY).map(String::as_str);
        key().verify(survey, &signed_context(context, &BTreeMap::new()), t)
    }

    #[test]
    fn a_token_signs_the_survey_the_expiry_and_every_value_of_the_link() {
        let t = key().sign("after-sales", &ctx(LINK), 1_900_000_000);
        assert_eq!(t.len(), "1900000000.".len() + 22, "{t}");
        let mut good = ctx(LINK);
        good.insert(TOKEN_KEY.into(), t.clone());
        assert_eq!(check("after-sales", &good), Ok(1_900_000_000));
        // Every value edited, a key added, a key taken away, another survey, a later expiry.
        let mut bad: Vec<(String, BTreeMap<String, String>)> = Vec::new();
        for (k, _) in LINK {
            let mut c = good.clone();
            c.insert(k.to_string(), "zhang".into());
            bad.push((format!("{k} edited"), c));
            let mut c = good.clone();
            c.remove(*k);
            bad.push((format!("{k} removed"), c));
        }
        let mut c = good.clone();
        c.insert("channel".into(), "qr".into());
        bad.push(("a key added".into(), c));
        let mut c = good.clone();
        c.insert(TOKEN_KEY.into(), t.replacen("1900000000", "1900000001", 1));
        bad.push(("a later expiry".into(), c));
        for (what, c) in &bad {
            assert_eq!(check("after-sales", c), Err(TokenError::Tampered), "{what}");
        }
        assert_eq!(check("sales", &good), Err(TokenError::Tampered));
        let other = VisitKey::new("another secret of some length").unwrap();
        let signed = signed_context(&good, &BTreeMap::new());
        assert_eq!(
            other.verify("after-sales", &signed, Some(&t)),
            Err(TokenError::Tampered)
        );
    }

    #[test]
    fn the_message_is_unambiguous() {
        // Pairs that a plain concatenation would run together sign differently.
        let e = 1_900_000_000;
        let tokens = [
            key().sign("s", &ctx(&[("ab", "c")]), e),
            key().sign("s", &ctx(&[("a", "bc")]), e),
            key().sign("s", &ctx(&[("a", "b"), ("c", "d")]), e),
            key().sign("s", &ctx(&[("a", "b1:c1:d")]), e),
            key().sign("s1:a", &ctx(&[]), e),
            key().sign("s", &ctx(&[("", "a")]), e),
        ];
        for (i, a) in tokens.iter().enumerate() {
            for b in &tokens[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(
            message(
                "s",
                7,
                &signed_context(&ctx(&[("k", "值")]), &BTreeMap::new())
            ),
            "nps-visit-v2\n1:s1:71:k3:值".as_bytes()
        );
    }

    #[test]
    fn bad_tokens_are_named() {
        let good = ctx(&[("visit", "RO-1")]);
        let signed = signed_context(&good, &BTreeMap::new());
        let t = key().sign("s", &good, 1_900_000_000);
        // A shortened tag could be guessed; only the full length is checked.
        let short = &t[..t.len() - 1];
        assert_eq!(
            key().verify("s", &signed, Some(short)),
            Err(TokenError::Malformed)
        );
        for junk in ["", ".", "x.y", "-5.AAAA", "1900000000", "1900000000.!!!"] {
            assert_eq!(
                key().verify("s", &signed, Some(junk)),
                Err(TokenError::Malformed),
                "{junk}"
            );
        }
        assert_eq!(key().verify("s", &signed, None), Err(TokenError::Missing));
    }

    /// A token as version 1 made them.
    fn v1(survey: &str, visit: &str, expires: i64) -> String {
        let m = format!("{DOMAIN_V1}\n{survey}\n{visit}\n{expires}");
        let tag = key().mac(m.as_bytes()).finalize().into_bytes();
        format!("{expires}.{}", URL_SAFE_NO_PAD.encode(&tag[..TAG_LEN]))
    }

    #[test]
    fn a_version_1_token_verifies_only_for_a_link_with_nothing_but_its_visit() {
        let t = v1("after-sales", "RO-1", 1_900_000_000);
        let with = |pairs: &[(&str, &str)]| {
            let mut c = ctx(pairs);
            c.insert(TOKEN_KEY.into(), t.clone());
            check("after-sales", &c)
        };
        assert_eq!(with(&[("visit", "RO-1")]), Ok(1_900_000_000));
        assert_eq!(with(&[("visit", "RO-2")]), Err(TokenError::Tampered));
        assert_eq!(
            with(&[("visit", "RO-1"), ("advisor", "wang")]),
            Err(TokenError::Tampered),
            "a version-1 link with an advisor must be signed again"
        );
        assert_eq!(with(&[("store", "RO-1")]), Err(TokenError::Tampered));
        // The survey's fixed context is not part of the link: a landing page's response
        // carries it and still verifies.
        let mut c = ctx(&[("visit", "RO-1"), ("channel", "qr")]);
        c.insert(TOKEN_KEY.into(), t.clone());
        let fixed = ctx(&[("channel", "qr")]);
        let signed = signed_context(&c, &fixed);
        assert_eq!(
            key().verify("after-sales", &signed, Some(&t)),
            Ok(1_900_000_000)
        );
        // Codes already printed: taken with their other values until the operator's date.
        let mut printed = ctx(&[("visit", "RO-1"), ("advisor", "wang"), ("store", "SZ-FT")]);
        printed.insert(TOKEN_KEY.into(), t.clone());
        let printed = signed_context(&printed, &BTreeMap::new());
        let graced = key().with_v1_grace(Some(1_800_000_000));
        assert_eq!(
            graced.verify_at("after-sales", &printed, Some(&t), 1_799_999_999),
            Ok(1_900_000_000)
        );
        for now in [1_800_000_000, i64::MAX] {
            assert_eq!(
                graced.verify_at("after-sales", &printed, Some(&t), now),
                Err(TokenError::Tampered),
                "after the date"
            );
        }
        // Never the order's phone tail or a re-survey's case, which only a signed link carries.
        for (k, v) in [
            ("phone_tail", "3788"),
            ("recovery", "0b6c2a8e-5d1f-4c3b-9a7e-2f4d6b8c0e1a"),
        ] {
            let mut forged = ctx(&[("visit", "RO-1"), (k, v)]);
            forged.insert(TOKEN_KEY.into(), t.clone());
            let forged = signed_context(&forged, &BTreeMap::new());
            assert_eq!(
                graced.verify_at("after-sales", &forged, Some(&t), 1_799_999_999),
                Err(TokenError::Tampered),
                "{k} under a version-1 token"
            );
        }
        let other_visit = ctx(&[("visit", "RO-2"), ("advisor", "wang")]);
        assert_eq!(
            graced.verify_at(
                "after-sales",
                &signed_context(&other_visit, &BTreeMap::new()),
                Some(&t),
                0
            ),
            Err(TokenError::Tampered),
            "the visit itself stays signed"
        );
    }

    #[test]
    fn admission_follows_the_rule_table() {
        let e = 1_900_000_000;
        let fixed = ctx(&[("channel", "qr")]);
        let open = Policy {
            require_visit: false,
            fixed: fixed.clone(),
        };
        let required = Policy {
            require_visit: true,
            fixed,
        };
        let signed = |pairs: &[(&str, &str)]| {
            let mut c = ctx(pairs);
            c.insert(TOKEN_KEY.into(), key().sign("s", &ctx(pairs), e));
            c
        };
        let with_fixed = |mut c: BTreeMap<String, String>, v: &str| {
            c.insert("channel".into(), v.into());
            c
        };
        let k = key();
        let cases: Vec<(
            &str,
            Option<&VisitKey>,
            &Policy,
            BTreeMap<String, String>,
            Result<Option<i64>, TokenError>,
        )> = vec![
            (
                "a signed phone tail",
                Some(&k),
                &open,
                signed(&[("visit", "RO-1"), ("phone_tail", "3788")]),
                Ok(Some(e)),
            ),
            (
                "a phone tail without a token",
                Some(&k),
                &open,
                ctx(&[("store", "SZ"), ("phone_tail", "3788")]),
                Err(TokenError::Unsigned(PHONE_TAIL)),
            ),
            (
                "a phone tail added to a signed link",
                Some(&k),
                &open,
                {
                    let mut c = signed(&[("visit", "RO-1")]);
                    c.insert("phone_tail".into(), "3788".into());
                    c
                },
                Err(TokenError::Tampered),
            ),
            (
                "a re-survey's case without a token",
                Some(&k),
                &open,
                ctx(&[("recovery", "0b6c2a8e-5d1f-4c3b-9a7e-2f4d6b8c0e1a")]),
                Err(TokenError::Unsigned(RECOVERY)),
            ),
            (
                "a re-survey's case with no key to check it",
                None,
                &open,
                ctx(&[
                    ("recovery", "0b6c2a8e-5d1f-4c3b-9a7e-2f4d6b8c0e1a"),
                    ("t", "junk"),
                ]),
                Err(TokenError::Unsigned(RECOVERY)),
            ),
            (
                "no key: nothing checked",
                None,
                &open,
                ctx(&[("visit", "RO-1"), ("t", "junk")]),
                Ok(None),
            ),
            (
                "neither visit nor token",
                Some(&k),
                &open,
                ctx(&[("store", "SZ")]),
                Ok(None),
            ),
            (
                "a visit without a token",
                Some(&k),
                &open,
                ctx(&[("visit", "RO-1")]),
                Err(TokenError::Missing),
            ),
            (
                "a signed visit",
                Some(&k),
                &open,
                signed(&[("visit", "RO-1"), ("store", "SZ")]),
                Ok(Some(e)),
            ),
            (
                "a signed link without a visit",
                Some(&k),
                &open,
                signed(&[("store", "SZ")]),
                Ok(Some(e)),
            ),
            (
                "the fixed value beside a signed link",
                Some(&k),
                &open,
                with_fixed(signed(&[("visit", "RO-1")]), "qr"),
                Ok(Some(e)),
            ),
            (
                "another value of a fixed key",
                Some(&k),
                &open,
                with_fixed(signed(&[("visit", "RO-1")]), "wechat"),
                Err(TokenError::Tampered),
            ),
            (
                "a token without a visit where one is required",
                Some(&k),
                &required,
                signed(&[("store", "SZ")]),
                Err(TokenError::Required),
            ),
            (
                "nothing where a visit is required",
                Some(&k),
                &required,
                ctx(&[("store", "SZ")]),
                Err(TokenError::Required),
            ),
            (
                "a bad token where a visit is required",
                Some(&k),
                &required,
                ctx(&[("visit", "RO-1"), ("t", "1.AAAA")]),
                Err(TokenError::Malformed),
            ),
            (
                "a signed visit where one is required",
                Some(&k),
                &required,
                signed(&[("visit", "RO-1")]),
                Ok(Some(e)),
            ),
        ];
        for (what, key, policy, context, want) in cases {
            assert_eq!(admit(key, policy, "s", &context, 0), want, "{what}");
        }
    }

    #[test]
    fn secrets_and_lifetimes() {
        assert!(VisitKey::new("short").unwrap_err().contains("at least 16"));
        assert_eq!(TokenError::Unsigned(RECOVERY).field(), "context.recovery");
        assert_eq!(TokenError::Tampered.field(), "context.t");
        assert!(TokenError::Unsigned(PHONE_TAIL)
            .message()
            .starts_with("context.phone_tail"));
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
