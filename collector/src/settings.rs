//! `Settings`: how the app is set up (read from the command line by `main`, built by hand in
//! tests), and the request limits every route shares.

use std::path::PathBuf;
use std::time::Duration;

use crate::{landing, net, visit};

/// Largest body accepted (`rules::MAX_BODY_BYTES`).
pub const BODY_LIMIT: usize = nps_core::contract::rules::MAX_BODY_BYTES;
/// New posters a client may have drawn in a minute (`Settings::poster_budget`).
pub const POSTER_BUDGET: u32 = 10;
/// The time a request has to send its whole body (not between two bytes): then a 408.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(20);

/// How the app is set up.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Origins whose pages may post (besides the collector's own); `*` allows any.
    pub allow_origins: Vec<String>,
    /// Bearer token for `GET` and `DELETE` on `/api/responses`.
    pub admin_token: String,
    /// Posts per minute per client (an IPv4 address, an IPv6 /64); 0 turns limiting off.
    pub rate_limit: u32,
    /// New posters drawn per minute per client (`referral::poster_http`); `None` is
    /// `POSTER_BUDGET`, 0 turns it off. A poster drawn already costs nothing.
    pub poster_budget: Option<u32>,
    /// Folder served for every other path.
    pub static_dir: Option<PathBuf>,
    /// The database file, which the static folder must never serve.
    pub db_path: Option<PathBuf>,
    /// Proxies whose `proxy_header` names the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The one header trusted proxies name the client in (`--proxy-header`).
    pub proxy_header: net::ProxyHeader,
    /// The collector's own origins as browsers see them behind a proxy that does not pass
    /// `Host` (`--public-origin`): their pages may post, like the collector's own.
    pub public_origins: Vec<String>,
    /// Files besides the database that the static folder never serves: `--names`, `--org`,
    /// `--landing`, the secret files.
    pub private_files: Vec<PathBuf>,
    /// The time a request has to send its whole body; `None` is `BODY_TIMEOUT`.
    pub body_timeout: Option<Duration>,
    /// Who may frame the collector's pages (CSP `frame-ancestors`); empty is `'self'`.
    pub frame_ancestors: Vec<String>,
    /// Where the collector's pages may connect besides itself (CSP `connect-src`).
    pub connect_src: Vec<String>,
    /// An answer faster than this (ms) is flagged; `None` is `rules::MIN_FILL_MS`, 0 is off.
    pub min_fill_ms: Option<i64>,
    /// Until this moment (ns since the epoch), posts without a write key are still taken
    /// (`--keyless-until`, for widgets from before write keys); `None`: never.
    pub keyless_until_ns: Option<i64>,
    /// With a key, a response naming a visit must carry a token signed with it (`visit`).
    pub visit_key: Option<visit::VisitKey>,
    /// The surveys of the landing pages (`/s/{survey}`).
    pub landing: landing::Landing,
    /// The names of stores, advisors, … for the dashboard (`GET /api/names`).
    pub names: nps_core::scoring::analysis::Names,
    /// The files `names` came from, read again while serving (`reload`); `None`: `names`
    /// stays as it is.
    pub names_reload: Option<crate::reload::Reload>,
    /// A session ends this long after its last use; `None` is `SESSION_IDLE`.
    pub session_idle: Option<Duration>,
    /// A session ends this long after sign-in whatever its use; `None` is `SESSION_ABSOLUTE`.
    pub session_absolute: Option<Duration>,
    /// The password hashes and checks that run at once; `None` is `password::default_slots`.
    pub password_slots: Option<usize>,
    /// Single sign-on with OpenID Connect (`--sso`); `None`: password sign-in only.
    pub sso: Option<std::sync::Arc<crate::sso::Sso>>,
    /// The collector config file (`--config nps.toml`): cases, digest, alert channels;
    /// `None`: the defaults and no channels.
    pub alerts: Option<std::sync::Arc<crate::alerts::Config>>,
}

/// The config in force when no file is given: the defaults and no channels.
static NO_CONFIG: std::sync::LazyLock<crate::alerts::Config> =
    std::sync::LazyLock::new(crate::alerts::Config::default);

/// Whether people reach the collector over TLS, by its public origins: one is `https`.
pub fn tls(public_origins: &[String]) -> bool {
    public_origins.iter().any(|o| o.starts_with("https://"))
}

/// A session's idle end: a working day without a click.
pub const SESSION_IDLE: Duration = Duration::from_secs(8 * 3600);
/// A session's absolute end: a week, then sign in again.
pub const SESSION_ABSOLUTE: Duration = Duration::from_secs(7 * 24 * 3600);

impl Settings {
    /// The fastest answer a person gives, in ms.
    pub fn min_fill(&self) -> i64 {
        self.min_fill_ms
            .unwrap_or(nps_core::contract::rules::MIN_FILL_MS)
    }

    /// A session's idle end.
    pub fn session_idle(&self) -> Duration {
        self.session_idle.unwrap_or(SESSION_IDLE)
    }

    /// A session's absolute end.
    pub fn session_absolute(&self) -> Duration {
        self.session_absolute.unwrap_or(SESSION_ABSOLUTE)
    }

    /// Whether people reach the collector over TLS (a `--public-origin` with `https`): then
    /// its cookies are `Secure`.
    pub fn behind_tls(&self) -> bool {
        tls(&self.public_origins)
    }

    /// The config file in force (`--config`), or the defaults with no channels.
    pub fn config(&self) -> &crate::alerts::Config {
        self.alerts.as_deref().unwrap_or(&NO_CONFIG)
    }

    /// The brand's root causes, in the order it lists them.
    pub fn root_causes(&self) -> Vec<String> {
        self.config().cases.root_causes.clone()
    }

    /// Where links to the collector point (a case, a re-survey): the config's `link_base`,
    /// else the first `--public-origin`.
    pub fn link_base(&self) -> Option<String> {
        self.config().link_base(&self.public_origins)
    }

    /// The time a request has to send its whole body.
    pub fn body_timeout(&self) -> Duration {
        self.body_timeout.unwrap_or(BODY_TIMEOUT)
    }
}
