//! The collector config file (`--config nps.toml` / `NPS_CONFIG`, docs/ALERTS.md, example
//! docs/nps.toml) as the collector holds it: the cases' rule (`[cases]`, `[[survey]]`), the
//! digest's time (`[digest]`), the channels (`[[channel]]`) with their URL and secret already
//! fetched, and the one routing function `Config::channels_for`. Reading the TOML is
//! `alerts::file`; nothing here reads a file, the environment or a clock.
//!
//! A channel's URL and secret are `Hidden`: their `Debug` and `shown` never give the secret,
//! nor a URL's path or query (WeCom and DingTalk carry their key in the query, Feishu in the
//! path), so a log, an error or an API answer that prints a channel prints no key.

use std::fmt;
use std::path::Path;

use nps_core::org::Org;
use nps_core::words::Locale;

use super::message::AlertKind;
use crate::storage::CaseRule;

/// The robots a channel speaks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A WeCom (企业微信) group robot: markdown, its key in the URL.
    Wecom,
    /// A DingTalk (钉钉) custom robot, signed (加签).
    Dingtalk,
    /// A Feishu / Lark (飞书) custom bot, signed (签名校验), a card.
    Feishu,
    /// Any URL, signed per Standard Webhooks.
    Webhook,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Wecom, Kind::Dingtalk, Kind::Feishu, Kind::Webhook];
    /// The names of `ALL` in nps.toml, in order.
    pub const KEYS: [&'static str; 4] = ["wecom", "dingtalk", "feishu", "webhook"];

    pub fn key(self) -> &'static str {
        Kind::KEYS[self as usize]
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.key() == s)
    }

    /// Whether the robot takes a message only with its signature (WeCom's robot has none:
    /// its key in the URL is the credential).
    pub fn needs_secret(self) -> bool {
        self != Kind::Wecom
    }
}

/// A value that must never be shown: a robot's secret, or a URL carrying a key.
#[derive(Clone, PartialEq, Eq)]
pub struct Hidden(String);

impl Hidden {
    pub fn new(value: impl Into<String>) -> Hidden {
        Hidden(value.into())
    }

    /// The value itself, for the one place that needs it (signing, sending).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A URL as logs and errors may show it: its scheme and host, nothing of its path or
    /// query (`https://qyapi.weixin.qq.com/…`); a value that is not a URL shows as `…`.
    pub fn shown(&self) -> String {
        match url::Url::parse(&self.0) {
            Ok(u) => format!(
                "{}/…",
                u.origin().ascii_serialization().trim_end_matches('/')
            ),
            Err(_) => "…".into(),
        }
    }
}

impl fmt::Debug for Hidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hidden({})", self.shown())
    }
}

/// One `[[channel]]`: where its messages go, and which cases it hears about.
#[derive(Clone, Debug, PartialEq)]
pub struct Channel {
    /// Unique in the file; alert jobs name it.
    pub name: String,
    pub kind: Kind,
    pub url: Hidden,
    /// The signing secret (DingTalk's `SEC…`, Feishu's, a webhook's `whsec_…`); `None` for WeCom.
    pub secret: Option<Hidden>,
    /// Stores and regions it covers; both empty: the whole brand.
    pub regions: Vec<String>,
    pub stores: Vec<String>,
    /// Surveys it hears about; empty: every survey.
    pub surveys: Vec<String>,
    /// The language of its messages.
    pub locale: Locale,
}

impl Channel {
    /// Whether it covers neither stores nor regions (the whole brand).
    pub fn brand_wide(&self) -> bool {
        self.regions.is_empty() && self.stores.is_empty()
    }

    /// Whether it hears about this survey.
    pub fn hears(&self, survey: &str) -> bool {
        self.surveys.is_empty() || self.surveys.iter().any(|s| s == survey)
    }
}

/// `[cases]`: which answers open a case, and when the people are reminded.
#[derive(Clone, Debug, PartialEq)]
pub struct Cases {
    /// The deadline of an answer that carries no hours (the widget's default unless set).
    pub promised_hours: u32,
    /// Passives open cases too.
    pub passives: bool,
    /// A reminder goes to the store's channels this many hours before the deadline; 0: none.
    pub remind_hours_left: u32,
    /// The brand's root causes, one of which a resolved case names.
    pub root_causes: Vec<String>,
    /// Where the case links in messages point (an origin); `None`: the first public origin.
    pub link_base: Option<String>,
}

/// The root causes when the file names none.
pub const DEFAULT_ROOT_CAUSES: [&str; 6] =
    ["维修质量", "等待时间", "价格", "服务态度", "沟通", "其他"];
/// `remind_hours_left` when the file says nothing.
pub const DEFAULT_REMIND_HOURS_LEFT: u32 = 4;
/// The most hours `remind_hours_left` takes (the longest promise, 30 days).
pub const MAX_REMIND_HOURS_LEFT: u32 = 720;

impl Default for Cases {
    fn default() -> Cases {
        let rule = CaseRule::default();
        Cases {
            promised_hours: rule.default_hours,
            passives: rule.passives,
            remind_hours_left: DEFAULT_REMIND_HOURS_LEFT,
            root_causes: DEFAULT_ROOT_CAUSES.iter().map(|s| s.to_string()).collect(),
            link_base: None,
        }
    }
}

/// One `[[survey]]`: its own values of `[cases]`' keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SurveyRule {
    pub id: String,
    pub passives: Option<bool>,
    pub promised_hours: Option<u32>,
}

/// `[digest]`: when the daily digest goes, as a local time of a fixed UTC offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DigestAt {
    /// Minutes after local midnight (08:30 is 510).
    pub minute_of_day: u32,
    /// The offset from UTC in minutes (+08:00 is 480).
    pub utc_offset_minutes: i32,
}

impl DigestAt {
    /// The latest digest whose time has come at `now_ns` (`cases::schedule::digest_due`).
    pub fn due(&self, now_ns: i64) -> nps_core::cases::schedule::DigestDue {
        nps_core::cases::schedule::digest_due(now_ns, self.minute_of_day, self.utc_offset_minutes)
    }
}

/// The offset of deadlines in messages when `[digest]` gives none: +08:00 (China Standard
/// Time, which keeps no summer time).
pub const DEFAULT_UTC_OFFSET_MINUTES: i32 = 480;

/// The whole file, read and checked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    pub cases: Cases,
    pub surveys: Vec<SurveyRule>,
    pub digest: Option<DigestAt>,
    /// `[report]`: when the weekly report goes; `None`: no weekly report.
    pub report: Option<nps_core::cases::weekly::WeeklyAt>,
    pub channels: Vec<Channel>,
    /// The single sign-on file (`sso = "sso.toml"`, beside this file unless absolute), read as
    /// `--sso` reads it.
    pub sso_file: Option<std::path::PathBuf>,
}

impl Config {
    /// Reads and checks `path` (stores and regions against `org` when it declares any; URLs
    /// and secrets from the environment and files the channels name). The errors, one a line,
    /// begin with `--config PATH:` and name the line, the key and what is accepted.
    pub fn load(path: &Path, org: &Org) -> Result<Config, String> {
        let at = |e: &dyn fmt::Display| format!("--config {}: {e}", path.display());
        let text = std::fs::read_to_string(path).map_err(|e| at(&e))?;
        let env = |name: &str| std::env::var(name).ok();
        let mut config = super::file::read(&text, org, &env).map_err(|e| at(&e))?;
        if let (Some(sso), Some(dir)) = (&config.sso_file, path.parent()) {
            config.sso_file = Some(dir.join(sso));
        }
        Ok(config)
    }

    /// The case rule of a survey: its `[[survey]]` values, else `[cases]`'.
    pub fn rule(&self, survey: &str) -> CaseRule {
        let own = self.surveys.iter().find(|s| s.id == survey);
        CaseRule {
            passives: own.and_then(|s| s.passives).unwrap_or(self.cases.passives),
            default_hours: own
                .and_then(|s| s.promised_hours)
                .unwrap_or(self.cases.promised_hours),
        }
    }

    /// Where case links point: `link_base`, else the first public origin.
    pub fn link_base(&self, public_origins: &[String]) -> Option<String> {
        self.cases.link_base.clone().or_else(|| {
            public_origins
                .first()
                .map(|o| o.trim_end_matches('/').to_owned())
        })
    }

    /// The offset deadlines are shown in, minutes east of UTC: the digest's, else China's
    /// (`DEFAULT_UTC_OFFSET_MINUTES`, where the service teams this is for work).
    pub fn utc_offset_minutes(&self) -> i32 {
        self.digest
            .map_or(DEFAULT_UTC_OFFSET_MINUTES, |d| d.utc_offset_minutes)
    }

    /// A channel by its name (a job's channel may be gone from a changed file: `None`).
    pub fn channel(&self, name: &str) -> Option<&Channel> {
        self.channels.iter().find(|c| c.name == name)
    }

    /// The channels an alert of `kind` about a case of `survey` at `store` (in `region`)
    /// goes to, in the file's order, each hearing about the survey:
    ///
    /// | kind                              | goes to                                                     |
    /// |-----------------------------------|-------------------------------------------------------------|
    /// | `opened`, `callback`, `reminder`  | channels naming the store, else its region, else brand-wide |
    /// | `breach`                          | channels naming the region, else brand-wide                 |
    /// | `digest`                          | every channel (each gets its own scope's digest)            |
    ///
    /// A digest is not about one survey: `survey` is not looked at for it (a channel's
    /// `surveys` then narrow what its digest counts).
    pub fn channels_for(
        &self,
        kind: AlertKind,
        survey: &str,
        store: Option<&str>,
        region: Option<&str>,
    ) -> Vec<&Channel> {
        if kind == AlertKind::Digest {
            return self.channels.iter().collect();
        }
        let hearing: Vec<&Channel> = self.channels.iter().filter(|c| c.hears(survey)).collect();
        let naming = |list: fn(&Channel) -> &Vec<String>, code: Option<&str>| -> Vec<&Channel> {
            let Some(code) = code else {
                return Vec::new();
            };
            hearing
                .iter()
                .copied()
                .filter(|c| list(c).iter().any(|x| x == code))
                .collect()
        };
        let by_store = match kind {
            AlertKind::Breach => Vec::new(),
            _ => naming(|c| &c.stores, store),
        };
        if !by_store.is_empty() {
            return by_store;
        }
        let by_region = naming(|c| &c.regions, region);
        if !by_region.is_empty() {
            return by_region;
        }
        hearing.into_iter().filter(|c| c.brand_wide()).collect()
    }
}
