//! The single sign-on file (`--sso FILE` / `NPS_SSO`, docs/SSO.md and its example
//! docs/sso.toml): the provider and client at the top, then `[[rule]]` tables. Read with the
//! org file's span helpers (`org_file::{parse, report, shown}`), so every error names its line,
//! its key and what is accepted, all at once; each store and region a rule names must be one
//! of the org's. The client secret is never in this file: `NPS_SSO_CLIENT_SECRET`, or the file
//! `client_secret_file` names (`settle`).

use std::path::PathBuf;

use nps_core::access::Role;
use nps_core::contract::error::{quoted, unknown, FieldError};
use nps_core::org::check::one_of_declared;
use nps_core::org::Org;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::{Match, Rule, Secret, Sso, CALLBACK};
use crate::org_file::{parse, report, shown};

/// The top-level keys.
pub const KEYS: [&str; 7] = [
    "issuer",
    "client_id",
    "client_secret_file",
    "redirect_url",
    "scopes",
    "require_verified_email",
    "rule",
];
/// A `[[rule]]`'s keys: one matcher, a role, and its regions or stores.
pub const RULE_KEYS: [&str; 7] = [
    "group",
    "group_prefix",
    "email",
    "email_domain",
    "role",
    "regions",
    "stores",
];
const MATCHERS: [&str; 4] = ["group", "group_prefix", "email", "email_domain"];
/// The scopes asked when the file names none (besides `openid`, always asked).
pub const DEFAULT_SCOPES: [&str; 1] = ["email"];
/// Where the client secret comes from when `client_secret_file` is not given.
pub const SECRET_ENV: &str = "NPS_SSO_CLIENT_SECRET";

/// The file as read, before the secret is fetched and the redirect URL settled.
#[derive(Debug)]
pub struct SsoFile {
    pub issuer: String,
    pub client_id: String,
    pub client_secret_file: Option<PathBuf>,
    pub redirect_url: Option<String>,
    pub scopes: Vec<String>,
    pub require_verified_email: bool,
    pub rules: Vec<Rule>,
    pub org: Org,
}

type Errors = Vec<(usize, String)>;

/// Reads the file, checking every store and region against `org`.
pub fn read(text: &str, org: &Org) -> Result<SsoFile, String> {
    let root = parse(text)?;
    let mut errors: Errors = Vec::new();
    let mut file = SsoFile {
        issuer: String::new(),
        client_id: String::new(),
        client_secret_file: None,
        redirect_url: None,
        scopes: DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect(),
        require_verified_email: true,
        rules: Vec::new(),
        org: org.clone(),
    };
    let mut seen: Vec<&str> = Vec::new();
    for (key, value) in root.get_ref() {
        let (name, at) = (key.get_ref().as_ref(), key.span().start);
        let Some(known) = KEYS.iter().find(|k| **k == name) else {
            let hint = match name {
                "client_secret" => " (keep the secret out of this file: client_secret_file names a file holding it, or set NPS_SSO_CLIENT_SECRET)",
                _ => "",
            };
            errors.push((
                at,
                format!("{}{hint}", unknown(name.to_owned(), name, &KEYS)),
            ));
            continue;
        };
        seen.push(known);
        let err = |expected: &str| {
            (
                at,
                FieldError::invalid(*known, shown(value), expected).to_string(),
            )
        };
        match *known {
            "issuer" | "redirect_url" => match url_of(value) {
                Some(u) if *known == "issuer" => file.issuer = u,
                Some(u) => file.redirect_url = Some(u),
                None => errors.push(err("an http or https URL")),
            },
            "client_id" => match value.get_ref().as_str().filter(|s| !s.trim().is_empty()) {
                Some(s) => file.client_id = s.trim().to_owned(),
                None => errors.push(err("the client id the provider gave, a string")),
            },
            "client_secret_file" => match value.get_ref().as_str().filter(|s| !s.is_empty()) {
                Some(s) => file.client_secret_file = Some(PathBuf::from(s)),
                None => errors.push(err("the path of a file holding the client secret")),
            },
            "scopes" => match strings(value) {
                Some(list) => file.scopes = list,
                None => errors.push(err("a list of strings, e.g. [\"email\", \"groups\"]")),
            },
            "require_verified_email" => match value.get_ref().as_bool() {
                Some(b) => file.require_verified_email = b,
                None => errors.push(err("true or false")),
            },
            _ => match value.get_ref().as_array() {
                Some(entries) => {
                    for entry in entries {
                        match entry.get_ref().as_table() {
                            Some(t) => {
                                if let Some(rule) =
                                    read_rule(entry.span().start, t, org, &mut errors)
                                {
                                    file.rules.push(rule);
                                }
                            }
                            None => errors
                                .push((entry.span().start, "[[rule]] entries are tables".into())),
                        }
                    }
                }
                None => errors.push(err("[[rule]] tables")),
            },
        }
    }
    for (key, hint) in [
        (
            "issuer",
            "the provider's issuer URL, e.g. \"https://login.brand.example/realms/brand\"",
        ),
        (
            "client_id",
            "the client id the provider gave this collector",
        ),
        (
            "rule",
            "at least one [[rule]] giving a role (group = \"nps-admins\" role = \"admin\")",
        ),
    ] {
        if !seen.contains(&key) {
            errors.push((0, format!("{key} is missing: expected {hint}")));
        }
    }
    match errors.is_empty() {
        true => Ok(file),
        false => Err(report(text, errors)),
    }
}

/// One `[[rule]]`, or `None` when it has errors (pushed).
fn read_rule(start: usize, t: &DeTable<'_>, org: &Org, errors: &mut Errors) -> Option<Rule> {
    let before = errors.len();
    let (mut when, mut role, mut regions, mut stores) = (Vec::new(), None, None, None);
    let (mut role_at, mut role_given) = (start, false);
    for (key, value) in t {
        let (name, at) = (key.get_ref().as_ref(), key.span().start);
        let Some(known) = RULE_KEYS.iter().find(|k| **k == name) else {
            errors.push((
                at,
                format!("[[rule]] {}", unknown(name.to_owned(), name, &RULE_KEYS)),
            ));
            continue;
        };
        let err = |expected: &str| {
            (
                at,
                format!(
                    "[[rule]] {}",
                    FieldError::invalid(*known, shown(value), expected)
                ),
            )
        };
        match *known {
            "role" => match value.get_ref().as_str().map(Role::parse) {
                Some(Ok(r)) => (role, role_at, role_given) = (Some(r), at, true),
                _ => {
                    role_given = true;
                    errors.push(err(&format!("one of {}", quoted_list(&Role::KEYS))));
                }
            },
            "regions" | "stores" => {
                let (declared, key): (Vec<String>, _) = match *known {
                    "regions" => (
                        org.regions().iter().map(|r| r.id.clone()).collect(),
                        "region",
                    ),
                    _ => (org.stores().iter().map(|s| s.id.clone()).collect(), "store"),
                };
                let Some(codes) = strings(value) else {
                    errors.push(err(&format!(
                        "a list of {key} codes, e.g. [\"{}\"]",
                        declared.first().map_or("SZ-FT", |d| d.as_str())
                    )));
                    continue;
                };
                for code in codes.iter().filter(|c| !declared.contains(c)) {
                    let e =
                        FieldError::invalid(*known, quoted(code), one_of_declared(key, &declared));
                    errors.push((at, format!("[[rule]] {e}")));
                }
                match *known {
                    "regions" => regions = Some(codes),
                    _ => stores = Some(codes),
                }
            }
            matcher => match value
                .get_ref()
                .as_str()
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                Some(s) => when.push((matcher, s.to_owned(), at)),
                None => errors.push(err("a string that is not empty")),
            },
        }
    }
    let when = match when.as_slice() {
        [(m, v, _)] => Some(match *m {
            "group" => Match::Group(v.clone()),
            "group_prefix" => Match::GroupPrefix(v.clone()),
            "email" => Match::Email(v.clone()),
            _ => Match::EmailDomain(v.clone()),
        }),
        [] => {
            errors.push((
                start,
                format!(
                    "[[rule]] has nothing to match: give one of {}",
                    quoted_list(&MATCHERS)
                ),
            ));
            None
        }
        [_, (_, _, at), ..] => {
            errors.push((
                *at,
                format!(
                    "[[rule]] matches on one thing: give one of {}, not several",
                    quoted_list(&MATCHERS)
                ),
            ));
            None
        }
    };
    let Some(role) = role else {
        if !role_given {
            errors.push((
                start,
                format!(
                    "[[rule]] role is missing: expected one of {}",
                    quoted_list(&Role::KEYS)
                ),
            ));
        }
        return None;
    };
    let (regions, stores) = (regions.unwrap_or_default(), stores.unwrap_or_default());
    if let Some(Match::GroupPrefix(_)) = &when {
        // The rest of each group is the code: the role says which kind.
        if !matches!(role, Role::Store | Role::Region) || !regions.is_empty() || !stores.is_empty()
        {
            errors.push((role_at, "[[rule]] group_prefix gives stores (role = \"store\") or regions (role = \"region\") from the group names: expected one of those roles, and no regions or stores".into()));
        }
    } else if let Err(e) = role.scope(&regions, &stores) {
        errors.push((
            role_at,
            format!("[[rule]] {e} (as regions = [\"…\"] or stores = [\"…\"])"),
        ));
    }
    let when = when.filter(|_| errors.len() == before)?;
    Some(Rule {
        when,
        role,
        regions,
        stores,
    })
}

/// A string value that parses as an http(s) URL.
fn url_of(value: &Spanned<DeValue<'_>>) -> Option<String> {
    let s = value.get_ref().as_str()?.trim();
    url::Url::parse(s)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .map(|_| s.to_owned())
}

/// An array of strings.
fn strings(value: &Spanned<DeValue<'_>>) -> Option<Vec<String>> {
    value
        .get_ref()
        .as_array()?
        .iter()
        .map(|v| v.get_ref().as_str().map(str::to_owned))
        .collect()
}

fn quoted_list(keys: &[&str]) -> String {
    keys.iter()
        .map(|k| quoted(k))
        .collect::<Vec<_>>()
        .join(", ")
}

impl SsoFile {
    /// The settings: the secret from `env_secret` (`NPS_SSO_CLIENT_SECRET`) or the
    /// `client_secret_file`, the redirect URL from the file or the first public origin.
    pub fn settle(
        self,
        env_secret: Option<String>,
        public_origins: &[String],
    ) -> Result<Sso, String> {
        let secret = match (env_secret.filter(|s| !s.trim().is_empty()), &self.client_secret_file) {
            (Some(s), _) => s,
            (None, Some(path)) => std::fs::read_to_string(path)
                .map_err(|e| format!("client_secret_file {}: {e}", path.display()))?,
            (None, None) => return Err(format!(
                "the client secret is missing: set {SECRET_ENV}, or client_secret_file = \"/etc/nps/sso-secret\" (a file holding it)"
            )),
        };
        let secret = secret.trim().to_owned();
        if secret.is_empty() {
            return Err("the client secret is empty".into());
        }
        let redirect_url = match (self.redirect_url, public_origins.first()) {
            (Some(u), _) => u,
            (None, Some(origin)) => format!("{}{CALLBACK}", origin.trim_end_matches('/')),
            (None, None) => return Err(format!(
                "redirect_url is missing: give it (e.g. \"https://nps.brand.example{CALLBACK}\"), or --public-origin, from which it is made"
            )),
        };
        Ok(Sso {
            issuer: self.issuer,
            client_id: self.client_id,
            client_secret: Secret(secret),
            redirect_url,
            scopes: self.scopes,
            require_verified_email: self.require_verified_email,
            rules: self.rules,
            org: self.org,
        })
    }
}
