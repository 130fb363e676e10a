//! The command line's value parsers and flag groups that are not a subcommand's: a count of
//! at least one, a `--public-origin`, a moment (`--keyless-until`), a database (`DbParser`), the
//! session flags
//! (`SessionFlags`) and the collector config file (`ConfigFlag`). Each error names what is
//! accepted.

use std::time::Duration;

/// A count of at least 1 (0 would shut every client out).
pub fn at_least_one(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("{s:?}: expected a whole number of at least 1")),
    }
}

/// How long sessions last (`--session-idle-hours`, `--session-max-days`).
#[derive(clap::Args, Debug)]
pub struct SessionFlags {
    /// A session ends after this many hours without a request.
    #[arg(long, env = "NPS_SESSION_IDLE_HOURS", default_value_t = nps_collector::SESSION_IDLE.as_secs() / 3600,
          value_parser = clap::value_parser!(u64).range(1..=24 * 90))]
    session_idle_hours: u64,
    /// A session ends this many days after sign-in, however much it is used.
    #[arg(long, env = "NPS_SESSION_MAX_DAYS", default_value_t = nps_collector::SESSION_ABSOLUTE.as_secs() / 86_400,
          value_parser = clap::value_parser!(u64).range(1..=365))]
    session_max_days: u64,
}

impl SessionFlags {
    /// The idle end and the absolute end, as `Settings` takes them.
    pub fn durations(&self) -> (Option<Duration>, Option<Duration>) {
        (
            Some(Duration::from_secs(self.session_idle_hours * 3600)),
            Some(Duration::from_secs(self.session_max_days * 86_400)),
        )
    }
}

/// The collector config file (`--config nps.toml`).
#[derive(clap::Args, Debug)]
pub struct ConfigFlag {
    /// The collector config file, in TOML: promised hours, reminders, root causes, the daily
    /// digest and the alert channels (WeCom, DingTalk, Feishu, webhooks), docs/ALERTS.md.
    /// Secrets come from the environment or files it names.
    #[arg(long = "config", env = "NPS_CONFIG")]
    pub path: Option<std::path::PathBuf>,
}

/// A `--public-origin`: scheme, host and port, nothing else.
pub fn public_origin(s: &str) -> Result<String, String> {
    let origin = url::Url::parse(s)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(|u| u.origin().ascii_serialization())
        .filter(|o| o == s.trim_end_matches('/'));
    origin.ok_or_else(|| {
        "expected an origin like https://nps.brand.example (http or https, a host, a port if \
         not the default; no path)"
            .to_owned()
    })
}

/// A moment given on the command line, as ns since the epoch: a date (`2027-01-31`, its
/// midnight UTC) or an RFC 3339 time.
pub fn moment_ns(s: &str) -> Result<i64, String> {
    let date = time::macros::format_description!("[year]-[month]-[day]");
    let ns = time::Date::parse(s.trim(), &date)
        .map(|d| d.midnight().assume_utc().unix_timestamp_nanos())
        .ok()
        .or_else(|| nps_core::contract::time::Time::parse(s.trim()).map(|t| t.unix_ns()))
        .ok_or_else(|| {
            format!("{s:?} is not a moment: expected a date like 2027-01-31 (UTC) or an RFC 3339 time like 2027-01-31T08:00:00+08:00")
        })?;
    Ok(ns.clamp(0, i64::MAX as i128) as i64)
}

/// `--db`'s parser: clap's own would repeat the value in its error, and a mistyped
/// PostgreSQL URL still carries its password; this error names the flag and the rule only.
#[derive(Clone)]
pub struct DbParser;

impl clap::builder::TypedValueParser for DbParser {
    type Value = nps_collector::Target;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<nps_collector::Target, clap::Error> {
        let invalid = |why: &str| {
            clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!("invalid value for '--db' (NPS_DB): {why}\n"),
            )
            .with_cmd(cmd)
        };
        value
            .to_str()
            .ok_or_else(|| invalid("not UTF-8"))?
            .parse()
            .map_err(|e: String| invalid(&e))
    }
}
