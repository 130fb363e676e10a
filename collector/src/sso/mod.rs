//! Single sign-on with OpenID Connect (`--sso FILE` / `NPS_SSO`, docs/SSO.md): the brand's
//! identity provider signs people in, and the file's rules turn the claims of its ID token
//! (`email`, `groups`) into a role and a scope.
//!
//! - `file` reads the TOML file (every error with its line, key and accepted values; each
//!   store and region a rule names checked against the org);
//! - this file holds the settings (`Sso`) and the one decision, `Sso::decide`: verified
//!   claims in, the account's email, role and scope out, or why not (`Refusal`);
//! - `flow` speaks to the provider (discovery, the authorization code flow with PKCE S256,
//!   state and nonce, the ID token's checks) through the `openidconnect` crate;
//! - `routes` are `GET /signin/oidc` and `GET /signin/oidc/callback`, which sign the person
//!   in (`session::start`); `pages` are what a refused person reads, in zh-CN, zh-TW and en.

pub mod file;
mod flow;
mod pages;
pub(crate) mod routes;

use std::fmt;

use nps_core::access::{Role, Scope};
use nps_core::org::Org;

pub(crate) use flow::Provider;

use crate::storage::email_key;
use crate::Settings;

/// Whether single sign-on is set up: the sign-in page shows its link
/// (`/signin/oidc?next=…`, "使用企业账号登录 / Sign in with your company account") only then.
pub fn enabled(settings: &Settings) -> bool {
    settings.sso.is_some()
}

/// The path of the sign-in through the provider, for a link on the sign-in page.
pub const START: &str = "/signin/oidc";
/// Where the provider sends people back (the redirect URL's path).
pub const CALLBACK: &str = "/signin/oidc/callback";

/// A secret that never shows in a log or a `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// Single sign-on as set up.
#[derive(Clone, Debug)]
pub struct Sso {
    /// The provider's issuer URL (discovery reads `{issuer}/.well-known/openid-configuration`).
    pub issuer: String,
    pub client_id: String,
    /// From `NPS_SSO_CLIENT_SECRET` or the file `client_secret_file` names.
    pub client_secret: Secret,
    /// Where the provider sends people back: `redirect_url`, else the first
    /// `--public-origin` + `CALLBACK`.
    pub redirect_url: String,
    /// Scopes asked besides `openid`.
    pub scopes: Vec<String>,
    /// Whether an `email` claim counts only with `email_verified: true` (the default).
    pub require_verified_email: bool,
    /// Tried in order (`decide`).
    pub rules: Vec<Rule>,
    /// The organisation, whose stores and regions a `group_prefix` rule may name.
    pub org: Org,
}

/// What a rule looks at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Match {
    /// One of the `groups` is exactly this.
    Group(String),
    /// Groups that start with this: the rest of each is a store's code (role `store`) or a
    /// region's (role `region`); one the org does not have is ignored.
    GroupPrefix(String),
    /// The email is this one.
    Email(String),
    /// The email is at this domain.
    EmailDomain(String),
}

/// One `[[rule]]`: whom it matches, and the role and the scope it gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub when: Match,
    pub role: Role,
    pub regions: Vec<String>,
    pub stores: Vec<String>,
}

/// The verified ID token's claims that matter here.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Claims {
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    pub groups: Vec<String>,
}

/// Why verified claims do not sign a person in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The ID token has no `email`.
    NoEmail,
    /// `email_verified` is not true, and the file requires it.
    EmailNotVerified,
    /// No rule matches this person.
    NoRule,
}

impl Refusal {
    /// The audit trail's `why`.
    pub fn key(self) -> &'static str {
        match self {
            Refusal::NoEmail => "no_email",
            Refusal::EmailNotVerified => "email_not_verified",
            Refusal::NoRule => "no_rule",
        }
    }
}

impl Sso {
    /// The account a person signs in to: their email (as the account's key), and the role
    /// and scope of the rules. The first rule that matches gives the role; every matching
    /// rule of that role adds its stores or regions (a manager of two stores in two groups
    /// sees both). A `group_prefix` rule's codes are checked against `org`, the org in force
    /// (reloaded without a restart), else the one read at start.
    pub fn decide(
        &self,
        claims: &Claims,
        org: Option<&Org>,
    ) -> Result<(String, Role, Scope), Refusal> {
        let org = org.unwrap_or(&self.org);
        let email = claims
            .email
            .as_deref()
            .map(email_key)
            .filter(|e| !e.is_empty())
            .ok_or(Refusal::NoEmail)?;
        if self.require_verified_email && claims.email_verified != Some(true) {
            return Err(Refusal::EmailNotVerified);
        }
        let grants: Vec<(Role, Vec<String>, Vec<String>)> = self
            .rules
            .iter()
            .filter_map(|r| grant(r, &email, &claims.groups, org))
            .collect();
        let Some((role, ..)) = grants.first().cloned() else {
            return Err(Refusal::NoRule);
        };
        let same: Vec<_> = grants.iter().filter(|g| g.0 == role).collect();
        let joined = |pick: fn(&(Role, Vec<String>, Vec<String>)) -> &Vec<String>| {
            let mut all: Vec<String> = Vec::new();
            for code in same.iter().flat_map(|g| pick(g)) {
                if !all.contains(code) {
                    all.push(code.clone());
                }
            }
            all
        };
        let any_all = same.iter().any(|g| g.1.is_empty() && g.2.is_empty());
        let scope = match any_all {
            true => role.scope(&[], &[]),
            false => role.scope(&joined(|g| &g.1), &joined(|g| &g.2)),
        };
        // Regions from one rule and stores from another (an analyst's): the first rule's.
        let scope = scope.or_else(|_| role.scope(&grants[0].1, &grants[0].2));
        let scope = scope.map_err(|_| Refusal::NoRule)?;
        Ok((email, role, scope))
    }
}

/// What one rule gives this person, if it matches: the role, regions, stores.
fn grant(
    rule: &Rule,
    email: &str,
    groups: &[String],
    org: &Org,
) -> Option<(Role, Vec<String>, Vec<String>)> {
    let given = || Some((rule.role, rule.regions.clone(), rule.stores.clone()));
    match &rule.when {
        Match::Group(g) => groups.iter().any(|x| x == g).then(given)?,
        Match::Email(e) => (email_key(e) == email).then(given)?,
        Match::EmailDomain(d) => email
            .rsplit_once('@')
            .is_some_and(|(_, at)| at.eq_ignore_ascii_case(d))
            .then(given)?,
        Match::GroupPrefix(p) => {
            let mut codes: Vec<String> = Vec::new();
            for code in groups.iter().filter_map(|g| g.strip_prefix(p.as_str())) {
                let known = match rule.role {
                    Role::Region => org.region(code).is_some(),
                    _ => org.store(code).is_some(),
                };
                if known && !codes.iter().any(|c| c == code) {
                    codes.push(code.to_owned());
                }
            }
            match (codes.is_empty(), rule.role) {
                (true, _) => None,
                (false, Role::Region) => Some((rule.role, codes, vec![])),
                (false, _) => Some((rule.role, vec![], codes)),
            }
        }
    }
}

#[cfg(test)]
mod tests;
