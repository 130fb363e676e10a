//! Reads nps.toml (`read`): `[cases]`, `[[survey]]`, `[digest]`, `[report]` (`alerts::report_file`)
//! and `[[channel]]` (one channel is `alerts::channel_file`), with the org file's span helpers
//! (`org_file::{parse, report, shown}`), so every error names its line, its key and what is
//! accepted, an unknown key the known one it is nearest to, and all errors come at once.

use nps_core::config::keys::CALLBACK_HOURS;
use nps_core::contract::error::{quoted, unknown, FieldError};
use nps_core::org::Org;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::config::{Cases, Config, DigestAt, SurveyRule, MAX_REMIND_HOURS_LEFT};
use crate::org_file::{parse, report, shown};

/// The top-level keys: the tables, and `sso` (the single sign-on file's path).
pub const KEYS: [&str; 6] = ["cases", "survey", "digest", "report", "channel", "sso"];
/// `[cases]`' keys.
pub const CASES_KEYS: [&str; 5] = [
    "promised_hours",
    "passives",
    "remind_hours_left",
    "root_causes",
    "link_base",
];
/// A `[[survey]]`'s keys.
pub const SURVEY_KEYS: [&str; 3] = ["id", "passives", "promised_hours"];
/// `[digest]`'s keys.
pub const DIGEST_KEYS: [&str; 2] = ["at", "utc_offset"];

/// Errors at byte offsets of the file.
pub(super) type Errors = Vec<(usize, String)>;
/// Where a channel's URL and secret come from: the environment.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Reads the file; stores and regions are checked against `org` when it declares any.
pub fn read(text: &str, org: &Org, env: Env<'_>) -> Result<Config, String> {
    let root = parse(text)?;
    let mut errors: Errors = Vec::new();
    let mut config = Config::default();
    let mut weekly = None;
    for (key, value) in root.get_ref() {
        let (name, at) = (key.get_ref().as_ref(), key.span().start);
        let Some(known) = KEYS.iter().find(|k| **k == name) else {
            let e = unknown(name.to_owned(), name, &KEYS);
            errors.push((
                at,
                format!("{e} (nps.toml has sso, [cases], [[survey]], [digest], [report] and [[channel]])"),
            ));
            continue;
        };
        match *known {
            "sso" => match value.get_ref().as_str().filter(|s| !s.trim().is_empty()) {
                Some(path) => config.sso_file = Some(std::path::PathBuf::from(path)),
                None => errors.push((
                    at,
                    format!(
                        "sso is {}: expected the path of the single sign-on file, e.g. sso = \"sso.toml\" (docs/SSO.md)",
                        shown(value)
                    ),
                )),
            },
            "cases" | "digest" | "report" => match value.get_ref().as_table() {
                Some(t) if *known == "cases" => config.cases = read_cases(t, &mut errors),
                Some(t) if *known == "report" => {
                    weekly = Some(super::report_file::read(value.span().start, t, &mut errors))
                }
                Some(t) => config.digest = read_digest(value.span().start, t, &mut errors),
                None => errors.push((
                    at,
                    format!(
                        "{known} is {}: expected a [{known}] table",
                        value.get_ref().type_str()
                    ),
                )),
            },
            _ => {
                let Some(entries) = value.get_ref().as_array() else {
                    errors.push((
                        at,
                        format!(
                            "{known} is a {}: expected [[{known}]] tables (two brackets)",
                            value.get_ref().type_str()
                        ),
                    ));
                    continue;
                };
                for entry in entries {
                    let Some(t) = entry.get_ref().as_table() else {
                        errors.push((
                            entry.span().start,
                            format!("[[{known}]] entries are tables"),
                        ));
                        continue;
                    };
                    let start = entry.span().start;
                    if *known == "survey" {
                        config
                            .surveys
                            .extend(read_survey(start, t, &config.surveys, &mut errors));
                    } else if let Some(c) =
                        super::channel_file::read(start, t, &config.channels, org, env, &mut errors)
                    {
                        config.channels.push(c);
                    }
                }
            }
        }
    }
    // `[report]` without its own offset takes the digest's (read in any order).
    config.report = weekly.flatten().map(|r| r.at(config.utc_offset_minutes()));
    match errors.is_empty() {
        true => Ok(config),
        false => Err(report(text, errors)),
    }
}

/// Each key of a table, known or reported with the section's label; calls `each` with the
/// known key's name, where it is and its value.
pub(super) fn keys<'a>(
    section: &str,
    known: &[&'static str],
    t: &'a DeTable<'a>,
    errors: &mut Errors,
    mut each: impl FnMut(&'static str, usize, &'a Spanned<DeValue<'a>>, &mut Errors),
) {
    for (key, value) in t {
        let (name, at) = (key.get_ref().as_ref(), key.span().start);
        match known.iter().find(|k| **k == name) {
            Some(k) => each(k, at, value, errors),
            None => errors.push((
                at,
                format!("{section} {}", unknown(name.to_owned(), name, known)),
            )),
        }
    }
}

/// A value of the wrong kind or out of its range, as the core words it.
pub(super) fn invalid(
    section: &str,
    key: &str,
    value: &Spanned<DeValue<'_>>,
    expected: &str,
) -> String {
    format!(
        "{section} {}",
        FieldError::invalid(key, shown(value), expected)
    )
}

/// A whole number within `min..=max`.
pub(super) fn whole(value: &Spanned<DeValue<'_>>, min: u32, max: u32) -> Option<u32> {
    let i = value.get_ref().as_integer()?;
    let n = i64::from_str_radix(i.as_str(), i.radix()).ok()?;
    u32::try_from(n).ok().filter(|n| (min..=max).contains(n))
}

/// An array of strings, each trimmed and not empty.
pub(super) fn strings(value: &Spanned<DeValue<'_>>) -> Option<Vec<String>> {
    value
        .get_ref()
        .as_array()?
        .iter()
        .map(|v| {
            v.get_ref()
                .as_str()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        })
        .collect()
}

/// An http(s) URL with a host.
pub(super) fn http_url(s: &str) -> Option<url::Url> {
    url::Url::parse(s.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

fn hours_expected() -> String {
    let (min, max) = CALLBACK_HOURS.int_bounds();
    format!("a whole number of hours from {min} to {max}")
}

fn read_cases(t: &DeTable<'_>, errors: &mut Errors) -> Cases {
    let mut cases = Cases::default();
    let (min, max) = CALLBACK_HOURS.int_bounds();
    keys(
        "[cases]",
        &CASES_KEYS,
        t,
        errors,
        |key, at, value, errors| {
            let mut err =
                |expected: &str| errors.push((at, invalid("[cases]", key, value, expected)));
            match key {
            "promised_hours" => match whole(value, min, max) {
                Some(h) => cases.promised_hours = h,
                None => err(&hours_expected()),
            },
            "passives" => match value.get_ref().as_bool() {
                Some(b) => cases.passives = b,
                None => err("true (passives open cases too) or false"),
            },
            "remind_hours_left" => match whole(value, 0, MAX_REMIND_HOURS_LEFT) {
                Some(h) => cases.remind_hours_left = h,
                None => err(&format!("a whole number of hours from 0 (no reminder) to {MAX_REMIND_HOURS_LEFT}")),
            },
            "root_causes" => match strings(value).filter(|l| !l.is_empty()) {
                Some(list) => {
                    for (i, cause) in list.iter().enumerate() {
                        if list[..i].contains(cause) {
                            err(&format!("each root cause once ({} is given twice)", quoted(cause)));
                        }
                    }
                    cases.root_causes = list;
                }
                None => err("a list of root causes, strings that are not empty, e.g. [\"维修质量\", \"等待时间\", \"其他\"]"),
            },
            _ => match value.get_ref().as_str().and_then(http_url) {
                Some(u) => cases.link_base = Some(u.as_str().trim_end_matches('/').to_owned()),
                None => err("the dashboard's http or https address, e.g. \"https://nps.brand.example\""),
            },
        }
        },
    );
    cases
}

fn read_survey(
    start: usize,
    t: &DeTable<'_>,
    before: &[SurveyRule],
    errors: &mut Errors,
) -> Option<SurveyRule> {
    let (min, max) = CALLBACK_HOURS.int_bounds();
    let mut rule = SurveyRule {
        id: String::new(),
        passives: None,
        promised_hours: None,
    };
    let (count, mut id_given) = (errors.len(), false);
    keys(
        "[[survey]]",
        &SURVEY_KEYS,
        t,
        errors,
        |key, at, value, errors| {
            id_given |= key == "id";
            let mut err =
                |expected: &str| errors.push((at, invalid("[[survey]]", key, value, expected)));
            match key {
                "id" => match value
                    .get_ref()
                    .as_str()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                {
                    Some(id) if before.iter().any(|s| s.id == id) => {
                        err("a survey not given before: each [[survey]] once")
                    }
                    Some(id) => rule.id = id.to_owned(),
                    None => err("the survey's id, e.g. \"after-sales\""),
                },
                "passives" => match value.get_ref().as_bool() {
                    Some(b) => rule.passives = Some(b),
                    None => err("true (passives open cases too) or false"),
                },
                _ => match whole(value, min, max) {
                    Some(h) => rule.promised_hours = Some(h),
                    None => err(&hours_expected()),
                },
            }
        },
    );
    if !id_given {
        errors.push((
            start,
            "[[survey]] id is missing: expected the survey's id, e.g. id = \"after-sales\"".into(),
        ));
    }
    (errors.len() == count).then_some(rule)
}

fn read_digest(start: usize, t: &DeTable<'_>, errors: &mut Errors) -> Option<DigestAt> {
    let (mut at_min, mut offset, mut given) = (None, None, Vec::new());
    keys(
        "[digest]",
        &DIGEST_KEYS,
        t,
        errors,
        |key, at, value, errors| {
            given.push(key);
            let s = value.get_ref().as_str().unwrap_or_default();
            match key {
                "at" => match clock(s).filter(|(h, m)| *h < 24 && *m < 60) {
                    Some((h, m)) => at_min = Some(h * 60 + m),
                    None => errors.push((
                        at,
                        invalid(
                            "[digest]",
                            key,
                            value,
                            "a local time HH:MM from 00:00 to 23:59, e.g. \"08:30\"",
                        ),
                    )),
                },
                _ => match utc_offset(s) {
                    Some(minutes) => offset = Some(minutes),
                    None => errors.push((at, invalid("[digest]", key, value, OFFSET_HINT))),
                },
            }
        },
    );
    for (key, hint) in [
        ("at", "the local time of the digest, e.g. at = \"08:30\""),
        (
            "utc_offset",
            "the offset of that local time, e.g. utc_offset = \"+08:00\"",
        ),
    ] {
        if !given.contains(&key) {
            errors.push((start, format!("[digest] {key} is missing: expected {hint}")));
        }
    }
    Some(DigestAt {
        minute_of_day: at_min?,
        utc_offset_minutes: offset?,
    })
}

/// What `utc_offset` accepts.
pub(super) const OFFSET_HINT: &str =
    "an offset from UTC, +HH:MM or -HH:MM up to 14:00, e.g. \"+08:00\" (China)";

/// `+HH:MM` or `-HH:MM` up to 14:00, in minutes east of UTC.
pub(super) fn utc_offset(s: &str) -> Option<i32> {
    let sign = match s.chars().next() {
        Some('+') => 1,
        Some('-') => -1,
        _ => return None,
    };
    let (h, m) = clock(s.get(1..).unwrap_or_default())?;
    (h * 60 + m <= 14 * 60 && m < 60).then_some(sign * (h * 60 + m) as i32)
}

/// `HH:MM`, two digits each.
pub(super) fn clock(s: &str) -> Option<(u32, u32)> {
    let (h, m) = s.split_once(':')?;
    let two = |p: &str| {
        (p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    Some((two(h)?, two(m)?))
}
