//! One `[[channel]]` of nps.toml (`read`): its name, kind, locale and scope, and its URL and
//! secret fetched from the file, the environment (`url_env`, `secret_env`) or a file
//! (`url_file`, `secret_file`). A URL or a secret is never in an error: the error names the
//! key and what is accepted, not the value (a WeCom or DingTalk URL carries the robot's key).

use base64::Engine as _;
use nps_core::contract::error::quoted;
use nps_core::org::check::one_of_declared;
use nps_core::org::Org;
use nps_core::words::Locale;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::config::{Channel, Hidden, Kind};
use super::file::{http_url, invalid, keys, strings, Env, Errors};

/// A `[[channel]]`'s keys.
pub const KEYS: [&str; 12] = [
    "name",
    "kind",
    "url",
    "url_env",
    "url_file",
    "secret",
    "secret_env",
    "secret_file",
    "regions",
    "stores",
    "surveys",
    "locale",
];
/// The prefix of a Standard Webhooks secret; base64 of `WEBHOOK_SECRET_BYTES` bytes follows.
pub const WEBHOOK_SECRET_PREFIX: &str = "whsec_";
/// How many bytes a Standard Webhooks secret holds (the spec's 24 to 64).
pub const WEBHOOK_SECRET_BYTES: std::ops::RangeInclusive<usize> = 24..=64;
/// The longest channel name.
pub const MAX_NAME: usize = 64;

const SECTION: &str = "[[channel]]";

/// Where a URL or a secret was given: the key and where it is.
struct Source<'a> {
    key: &'static str,
    at: usize,
    value: &'a Spanned<DeValue<'a>>,
}

/// One channel, or `None` when it has errors (pushed).
pub fn read(
    start: usize,
    t: &DeTable<'_>,
    before: &[Channel],
    org: &Org,
    env: Env<'_>,
    errors: &mut Errors,
) -> Option<Channel> {
    let count = errors.len();
    let (mut name, mut kind, mut locale) = (None, None, Locale::ZhCn);
    let (mut url, mut secret): (Vec<Source>, Vec<Source>) = (Vec::new(), Vec::new());
    let (mut regions, mut stores, mut surveys) = (Vec::new(), Vec::new(), Vec::new());
    let mut kind_given = false;
    keys(SECTION, &KEYS, t, errors, |key, at, value, errors| {
        let mut err = |expected: &str| errors.push((at, invalid(SECTION, key, value, expected)));
        match key {
            "name" => match value.get_ref().as_str().filter(|s| good_name(s)) {
                Some(n) if before.iter().any(|c| c.name == n) => {
                    err("a name no other channel has (alert jobs name their channel)")
                }
                Some(n) => name = Some(n.to_owned()),
                None => err(&format!("a name of letters, digits, '.', '_' or '-', at most {MAX_NAME}, e.g. \"south-wecom\"")),
            },
            "kind" => {
                kind_given = true;
                match value.get_ref().as_str().and_then(Kind::parse) {
                    Some(k) => kind = Some(k),
                    None => err(&format!("one of {}", list(&Kind::KEYS))),
                }
            }
            "locale" => match value.get_ref().as_str().and_then(Locale::parse) {
                Some(l) => locale = l,
                None => err(&format!("one of {}", list(&Locale::TAGS))),
            },
            "url" | "url_env" | "url_file" => url.push(Source { key, at, value }),
            "secret" | "secret_env" | "secret_file" => secret.push(Source { key, at, value }),
            "surveys" => match strings(value) {
                Some(s) => surveys = s,
                None => err("a list of survey ids (empty: every survey), e.g. [\"after-sales\"]"),
            },
            _ => {
                let (declared, what): (Vec<String>, _) = match key {
                    "regions" => (org.regions().iter().map(|r| r.id.clone()).collect(), "region"),
                    _ => (org.stores().iter().map(|s| s.id.clone()).collect(), "store"),
                };
                let Some(codes) = strings(value) else {
                    let e = format!("a list of {what} codes (empty: not by {what}), e.g. [\"{}\"]", declared.first().map_or("south", |d| d.as_str()));
                    return err(&e);
                };
                if !declared.is_empty() {
                    for code in codes.iter().filter(|c| !declared.contains(c)) {
                        let e = nps_core::contract::error::FieldError::invalid(key, quoted(code), one_of_declared(what, &declared));
                        errors.push((at, format!("{SECTION} {e}")));
                    }
                }
                match key {
                    "regions" => regions = codes,
                    _ => stores = codes,
                }
            }
        }
    });
    for (key, found, hint) in [
        (
            "name",
            name.is_some(),
            "a name of its own, e.g. name = \"south-wecom\"",
        ),
        (
            "kind",
            kind_given,
            "kind = one of \"wecom\", \"dingtalk\", \"feishu\", \"webhook\"",
        ),
    ] {
        if !found && !t.iter().any(|(k, _)| k.get_ref() == key) {
            errors.push((
                start,
                format!("{SECTION} {key} is missing: expected {hint}"),
            ));
        }
    }
    let url =
        fetch(start, "url", &url, env, errors).and_then(|(u, at)| check_url(kind?, u, at, errors));
    let secret = match (kind, secret.is_empty()) {
        (Some(Kind::Wecom), false) => {
            errors.push((secret[0].at, format!("{SECTION} {} is given: a wecom robot is not signed (its key in the url is its credential): remove it", secret[0].key)));
            None
        }
        (Some(k), _) if k.needs_secret() => match fetch(start, "secret", &secret, env, errors) {
            Some((s, at)) => check_secret(k, s, at, errors),
            None if secret.is_empty() => {
                errors.push((
                    start,
                    format!("{SECTION} secret is missing: {}", secret_hint(k)),
                ));
                None
            }
            None => None,
        },
        _ => None,
    };
    if errors.len() > count {
        return None;
    }
    Some(Channel {
        name: name?,
        kind: kind?,
        url: url?,
        secret,
        regions,
        stores,
        surveys,
        locale,
    })
}

fn good_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_NAME
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

fn list(keys: &[&str]) -> String {
    keys.iter()
        .map(|k| quoted(k))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a robot's secret is and where it is found.
fn secret_hint(kind: Kind) -> String {
    let what = match kind {
        Kind::Dingtalk => "a dingtalk robot is signed with 加签 (required here): its SEC… string from the robot's security settings",
        Kind::Feishu => "a feishu bot is signed with 签名校验 (required here): the key shown when 签名校验 is turned on",
        _ => "a webhook is signed per Standard Webhooks: whsec_ followed by base64 of 24 to 64 random bytes (e.g. whsec_$(openssl rand -base64 32))",
    };
    format!("{what}; give secret_env = \"NPS_…\" (an environment variable), secret_file = \"/etc/nps/…\" or secret = \"…\"")
}

/// The one value of `url` / `url_env` / `url_file` (or the secret's three), fetched, with
/// where it was given; `None` with the error pushed.
fn fetch(
    start: usize,
    what: &str,
    given: &[Source],
    env: Env<'_>,
    errors: &mut Errors,
) -> Option<(Hidden, usize)> {
    let mut given: Vec<&Source> = given.iter().collect();
    given.sort_by_key(|s| s.at);
    let (key, value, at) = match given[..] {
        [one] => (one.key, one.value, one.at),
        [] if what == "url" => {
            errors.push((start, format!("{SECTION} url is missing: expected url = \"https://…\", url_env = \"NPS_…\" (an environment variable holding it) or url_file = \"/etc/nps/…\"")));
            return None;
        }
        [] => return None,
        [_, second, ..] => {
            errors.push((second.at, format!("{SECTION} {} and {} are both given: keep one of {what}, {what}_env, {what}_file", given[0].key, second.key)));
            return None;
        }
    };
    let Some(s) = value
        .get_ref()
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    else {
        let shown = match value.get_ref().as_str() {
            Some(_) => "empty".to_owned(),
            None => format!("a {}", value.get_ref().type_str()),
        };
        errors.push((
            at,
            format!("{SECTION} {key} is {shown}: expected a string that is not empty"),
        ));
        return None;
    };
    let fetched = if key.ends_with("_env") {
        env(s)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| {
                format!("{SECTION} {key}: the environment variable {s} is not set, or is empty")
            })
    } else if key.ends_with("_file") {
        match std::fs::read_to_string(s) {
            Ok(v) if !v.trim().is_empty() => Ok(v.trim().to_owned()),
            Ok(_) => Err(format!("{SECTION} {key}: {s} is empty")),
            Err(e) => Err(format!("{SECTION} {key}: cannot read {s}: {e}")),
        }
    } else {
        Ok(s.to_owned())
    };
    match fetched {
        Ok(v) => Some((Hidden::new(v), at)),
        Err(e) => {
            errors.push((at, e));
            None
        }
    }
}

/// A robot's URL: http(s), and the shape of its kind (what the wrong robot's URL lacks).
fn check_url(kind: Kind, url: Hidden, at: usize, errors: &mut Errors) -> Option<Hidden> {
    let parsed = http_url(url.expose());
    let shape = |u: &url::Url| match kind {
        Kind::Wecom => u.query_pairs().any(|(k, _)| k == "key"),
        Kind::Dingtalk => u.query_pairs().any(|(k, _)| k == "access_token"),
        Kind::Feishu => u.path().contains("/hook/"),
        Kind::Webhook => true,
    };
    let expected = match kind {
        Kind::Wecom => "the robot's webhook address, https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…",
        Kind::Dingtalk => "the robot's webhook address, https://oapi.dingtalk.com/robot/send?access_token=…",
        Kind::Feishu => "the bot's webhook address, https://open.feishu.cn/open-apis/bot/v2/hook/… (Lark: open.larksuite.com)",
        Kind::Webhook => "an http or https URL",
    };
    match parsed.filter(shape) {
        Some(_) => Some(url),
        None => {
            errors.push((at, format!("{SECTION} url is not {expected} (a {} channel; the value is not shown: it may carry a key)", kind.key())));
            None
        }
    }
}

/// A robot's secret, of its kind's form; never shown.
fn check_secret(kind: Kind, secret: Hidden, at: usize, errors: &mut Errors) -> Option<Hidden> {
    let s = secret.expose();
    let ok = match kind {
        Kind::Dingtalk => s.strip_prefix("SEC").is_some_and(|rest| !rest.is_empty()),
        Kind::Webhook => s
            .strip_prefix(WEBHOOK_SECRET_PREFIX)
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .is_some_and(|k| WEBHOOK_SECRET_BYTES.contains(&k.len())),
        _ => true,
    };
    if ok {
        return Some(secret);
    }
    errors.push((
        at,
        format!(
            "{SECTION} secret is not of its form (the value is not shown): {}",
            secret_hint(kind)
        ),
    ));
    None
}
