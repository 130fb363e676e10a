//! `nps-collector`: serves the API (and optionally static files) over HTTP, stores in SQLite
//! (a file) or PostgreSQL (`--db postgres://…`).
//!
//! `nps-collector [--port 8080] [--db nps.db | --db postgres://USER@HOST/DB] [--static DIR] [--allow-origin ORIGIN]...
//!  [--public-origin ORIGIN]... [--admin-token-file PATH | --admin-token TOKEN]
//!  [--visit-secret-file PATH | --visit-secret SECRET] [--rate-limit PER_MINUTE]
//!  [--trusted-proxy CIDR]... [--proxy-header x-forwarded-for|forwarded|x-real-ip]
//!  [--frame-ancestors SOURCE]... [--connect-src SOURCE]... [--header-timeout S]
//!  [--body-timeout S] [--write-timeout S] [--max-connections N]
//!  [--max-connections-per-client N] [--grace S] [--session-idle-hours H] [--session-max-days D]
//!  [--config nps.toml]`
//!
//! `nps-collector user add --email E --role admin|region|store|analyst [--region R]… [--store S]…`
//! prints a one-time invite URL (`user list`, `user disable`, `user enable`, `user role`,
//! `user reset`); `nps-collector
//! token create --label L --role R …` prints a machine token once (`token list`, `token revoke`).
//! `nps-collector purge [--db nps.db]` removes the phones whose retention period has ended
//! (the server also does it every hour). `nps-collector sign-visit` prints a signed landing
//! URL, `nps-collector qr` writes QR codes of landing URLs (one, or a sheet from a CSV), and
//! `nps-collector landing` writes a landing page as a static file. `nps-collector seed` writes
//! the demo set (and `--names-out` its names file, which the server serves with `--names`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use nps_collector::jobs::PURGE_EVERY;
use nps_collector::net::ProxyHeader;
use nps_collector::serve::{run, stop_signal, Limits};
use nps_collector::{Settings, Target, BODY_TIMEOUT};

mod commands;
mod flags;
mod link_tools;
mod token;
mod user;

use commands::{landing, names, secret, tool, visit_key, Command};
use flags::public_origin;

/// Receives nps-widget responses and stores them in SQLite or PostgreSQL.
#[derive(Parser, Debug)]
#[command(name = "nps-collector", version)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// Port to listen on (127.0.0.1 unless --host says otherwise).
    #[arg(long, env = "NPS_PORT", default_value_t = 8080)]
    port: u16,
    /// Address to bind.
    #[arg(long, env = "NPS_HOST", default_value = "127.0.0.1")]
    host: String,
    /// Where responses are kept: a SQLite file (the server creates it if missing; user and
    /// token need it there), or a PostgreSQL database as
    /// postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE (several collectors may share one).
    #[arg(
        long,
        env = "NPS_DB",
        default_value = "nps.db",
        global = true,
        hide_env_values = true,
        value_parser = flags::DbParser
    )]
    db: Target,
    /// Folder to serve for every path outside the API (e.g. dist).
    #[arg(long = "static")]
    static_dir: Option<PathBuf>,
    /// Origin whose pages may post (repeat for more; "*" allows any); the collector's own
    /// pages always may.
    #[arg(long = "allow-origin")]
    allow_origin: Vec<String>,
    /// The collector's own origin as browsers see it (e.g. https://nps.brand.example), for a
    /// proxy that does not pass Host on: its landing pages' forms may post. Repeat for more.
    #[arg(long = "public-origin", env = "NPS_PUBLIC_ORIGIN", value_delimiter = ',', value_parser = public_origin)]
    public_origin: Vec<String>,
    /// The owner's bootstrap credential (Bearer; admin of every store) for scripts; people sign
    /// in at /signin. A fresh one is printed when neither this nor --admin-token-file is given.
    #[arg(long, env = "NPS_ADMIN_TOKEN", conflicts_with = "admin_token_file")]
    admin_token: Option<String>,
    /// A file holding the admin token (not visible in the process list).
    #[arg(long, env = "NPS_ADMIN_TOKEN_FILE")]
    admin_token_file: Option<PathBuf>,
    /// Posts per minute per client (an IPv4 address, an IPv6 /64); 0 turns limiting off.
    #[arg(long, env = "NPS_RATE_LIMIT", default_value_t = 600)]
    rate_limit: u32,
    /// A proxy (CIDR) whose --proxy-header names the client; repeat for more.
    #[arg(
        long = "trusted-proxy",
        env = "NPS_TRUSTED_PROXY",
        value_delimiter = ','
    )]
    trusted_proxy: Vec<ipnet::IpNet>,
    /// The one header a trusted proxy names the client in: x-forwarded-for, forwarded or
    /// x-real-ip. No other is read.
    #[arg(long, env = "NPS_PROXY_HEADER", default_value_t = ProxyHeader::default())]
    proxy_header: ProxyHeader,
    /// Who may frame the collector's pages (CSP frame-ancestors, e.g. https://brand.example);
    /// repeat for more. Default: the collector itself.
    #[arg(long = "frame-ancestors")]
    frame_ancestors: Vec<String>,
    /// Where the collector's pages may connect besides the collector (CSP connect-src).
    #[arg(long = "connect-src")]
    connect_src: Vec<String>,
    /// An answer given faster than this many ms after the survey showed is kept but flagged
    /// (not counted); 0 turns it off.
    #[arg(long, default_value_t = nps_core::contract::rules::MIN_FILL_MS)]
    min_fill_ms: i64,
    /// Seconds a connection has to send a request's headers.
    #[arg(long, default_value_t = Limits::default().header_timeout.as_secs())]
    header_timeout: u64,
    /// Seconds a request has to send its whole body (then 408).
    #[arg(long, default_value_t = BODY_TIMEOUT.as_secs())]
    body_timeout: u64,
    /// Seconds a response may wait for the client to read before the connection is dropped.
    #[arg(long, default_value_t = Limits::default().write_timeout.as_secs())]
    write_timeout: u64,
    /// Open connections at most; more wait to be accepted.
    #[arg(long, default_value_t = Limits::default().max_connections)]
    max_connections: usize,
    /// Open connections of one client (an IPv4 address, an IPv6 /64; not a trusted proxy) at
    /// most, and never more than half of --max-connections; more are closed at once.
    #[arg(long, default_value_t = Limits::default().max_per_client, value_parser = flags::at_least_one)]
    max_connections_per_client: usize,
    /// Seconds a stop (SIGTERM, Ctrl-C) waits for requests under way.
    #[arg(long, default_value_t = Limits::default().grace.as_secs())]
    grace: u64,
    /// The landing pages' surveys: a JSON file of survey ids to widget configs
    /// ({"after-sales": {"brand": "星辰汽车"}}); without it any survey id has a page with the defaults.
    /// A survey with "require_visit": true takes answers only from signed visit links.
    #[arg(long, env = "NPS_LANDING", global = true)]
    landing: Option<PathBuf>,
    /// The names of the codes, for the dashboard: a JSON file like
    /// {"store": {"SZ-FT": "深圳福田店"}, "advisor": {"wang": "王磊"}}.
    #[arg(long, env = "NPS_NAMES")]
    names: Option<PathBuf>,
    /// The brand's organisation, in TOML: [[region]], [[store]], [[advisor]] (docs/ORG.md).
    #[arg(long, env = "NPS_ORG")]
    org: Option<PathBuf>,
    /// Single sign-on with OpenID Connect, in TOML: the issuer, the client and [[rule]]s from
    /// claims to roles (docs/SSO.md). The client secret comes from NPS_SSO_CLIENT_SECRET or
    /// the file the TOML names, never from the command line.
    #[arg(long, env = "NPS_SSO")]
    sso: Option<PathBuf>,
    /// The secret of signed visit links; with it, a response naming a visit needs a valid
    /// token (sign-visit and qr --sign make them). Prefer --visit-secret-file.
    #[arg(
        long,
        env = "NPS_VISIT_SECRET",
        global = true,
        hide_env_values = true,
        conflicts_with = "visit_secret_file"
    )]
    visit_secret: Option<String>,
    /// A file holding the visit secret (not visible in the process list).
    #[arg(long, env = "NPS_VISIT_SECRET_FILE", global = true)]
    visit_secret_file: Option<PathBuf>,
    /// Until this date (YYYY-MM-DD, UTC) or RFC 3339 time, posts without a write key are still
    /// taken, for widgets from before write keys (set it a week past an upgrade, so answers
    /// waiting in customers' browsers arrive). Default: never.
    #[arg(long, env = "NPS_KEYLESS_UNTIL", value_parser = flags::moment_ns)]
    keyless_until: Option<i64>,
    /// Until this date (YYYY-MM-DD, UTC) or RFC 3339 time, visit links signed before every
    /// value of a link was signed (version 1) are still taken when they carry a store, an
    /// advisor or other values (those values unsigned), for codes already printed. Default:
    /// never (a version-1 link is taken only when it carries nothing but its visit).
    #[arg(long, env = "NPS_V1_LINKS_UNTIL", value_parser = flags::moment_ns, global = true)]
    v1_links_until: Option<i64>,
    #[command(flatten)]
    session: flags::SessionFlags,
    #[command(flatten)]
    config: flags::ConfigFlag,
}

/// Why the collector did not start, or stopped badly: logged, and the exit code.
fn fail(code: u8, message: String) -> ExitCode {
    tracing::error!("{message}");
    ExitCode::from(code)
}

/// Logs go to stderr, at the level of `RUST_LOG` (e.g. `RUST_LOG=nps_collector=debug`),
/// `info` by default. Nothing logged carries a token, a write key or a phone.
fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

/// The admin token: given, read from a file, or fresh.
fn admin_token(args: &Args) -> Result<(String, bool), String> {
    let given = secret(
        &args.admin_token,
        &args.admin_token_file,
        "--admin-token (or NPS_ADMIN_TOKEN)",
        "--admin-token-file",
    )?;
    Ok(match given {
        Some(t) => (t, true),
        None => (uuid::Uuid::new_v4().simple().to_string(), false),
    })
}

/// Nothing the collector keeps or reads at start may be inside the static folder, where it
/// could be downloaded: the database (its folder: the journals come and go) and each file
/// a flag names.
fn check_static(dir: &Path, db: Option<&Path>, files: &[(&str, &Path)]) -> Result<(), String> {
    if !dir.is_dir() {
        return Err(format!("--static {} is not a folder", dir.display()));
    }
    let root = dir.canonicalize().map_err(|e| e.to_string())?;
    let folder = |p: &Path| {
        p.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .canonicalize()
    };
    let inside = |flag: &str, path: &Path, what: &str| {
        format!(
            "{flag} {} is inside --static {}: {what} could be downloaded; keep it outside",
            path.display(),
            dir.display()
        )
    };
    if let Some(db) = db {
        let db_dir = folder(db).map_err(|e| format!("--db {}: {e}", db.display()))?;
        if db_dir.starts_with(&root) {
            return Err(inside("--db", db, "the database"));
        }
    }
    for (flag, path) in files {
        let real = path
            .canonicalize()
            .map_err(|e| format!("{flag} {}: {e}", path.display()))?;
        if real.starts_with(&root) {
            return Err(inside(flag, path, "it"));
        }
    }
    Ok(())
}

/// The files the flags name besides the database, each with its flag.
fn read_files(args: &Args) -> Vec<(&'static str, &Path)> {
    [
        ("--names", &args.names),
        ("--org", &args.org),
        ("--sso", &args.sso),
        ("--config", &args.config.path),
        ("--landing", &args.landing),
        ("--admin-token-file", &args.admin_token_file),
        ("--visit-secret-file", &args.visit_secret_file),
    ]
    .into_iter()
    .filter_map(|(flag, p)| Some((flag, p.as_deref()?)))
    .collect()
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    init_logs();
    if let Some(done) = tool(&args) {
        return match done {
            Ok(issued) => match link_tools::record(&args, issued).await {
                Ok(()) => ExitCode::SUCCESS,
                Err((code, e)) => fail(code, e),
            },
            Err(e) => fail(2, e),
        };
    }
    let (visit_key, landing, names) = match (visit_key(&args), landing(&args), names(&args)) {
        (Ok(k), Ok(l), Ok(n)) => (k, l, n),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return fail(2, e),
    };
    if let Err(e) = commands::check_required(&landing, args.landing.as_deref(), &visit_key) {
        return fail(2, e);
    }
    let alerts = match commands::alerts(&args, &names) {
        Ok(a) => a,
        Err(e) => return fail(2, e),
    };
    let sso = match commands::sso(&args, &names, alerts.as_deref()) {
        Ok(s) => s,
        Err(e) => return fail(2, e),
    };
    let store = match commands::connect(&args).await {
        Ok(s) => s,
        Err((code, e)) => return fail(code, e),
    };
    if let Some(done) = commands::with_store(&args, &store, &names).await {
        return done.map_or_else(|(code, e)| fail(code, e), |()| ExitCode::SUCCESS);
    }
    let unsigned_codes = visit_key.is_none()
        && landing
            .survey_ids()
            .is_some_and(|surveys| !surveys.is_empty());
    nps_collector::referral::warn_at_start(&args.public_origin, unsigned_codes);
    if let Some(dir) = &args.static_dir {
        if let Err(e) = check_static(dir, store.sqlite_path(), &read_files(&args)) {
            return fail(2, e);
        }
    }
    let (token, given) = match admin_token(&args) {
        Ok(t) => t,
        Err(e) => return fail(2, e),
    };
    let addr: SocketAddr = match format!("{}:{}", args.host, args.port).parse() {
        Ok(a) => a,
        Err(e) => return fail(2, format!("--host {} --port {}: {e}", args.host, args.port)),
    };
    // Thousands of connections need thousands of file descriptors.
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            return fail(
                1,
                format!(
                    "cannot listen on {addr}: {e} (is another server on that port? try --port)"
                ),
            )
        }
    };
    let (session_idle, session_absolute) = args.session.durations();
    let settings = Settings {
        allow_origins: args.allow_origin.clone(),
        admin_token: token.clone(),
        rate_limit: args.rate_limit,
        poster_budget: None,
        static_dir: args.static_dir.clone(),
        db_path: store.sqlite_path().map(Path::to_path_buf),
        trusted_proxies: args.trusted_proxy.clone(),
        proxy_header: args.proxy_header,
        public_origins: args.public_origin.clone(),
        private_files: read_files(&args)
            .into_iter()
            .map(|(_, p)| p.to_owned())
            .collect(),
        body_timeout: Some(Duration::from_secs(args.body_timeout.max(1))),
        frame_ancestors: args.frame_ancestors.clone(),
        connect_src: args.connect_src.clone(),
        min_fill_ms: Some(args.min_fill_ms),
        keyless_until_ns: args.keyless_until,
        visit_key,
        landing,
        names_reload: commands::names_reload(&args, &names),
        names,
        session_idle,
        session_absolute,
        password_slots: None,
        sso,
        alerts,
    };
    println!(
        "nps-collector listening on http://{addr}/ (database {})",
        args.db
    );
    if !given {
        println!("admin token: {token}");
    }
    let limits = Limits {
        header_timeout: Duration::from_secs(args.header_timeout.max(1)),
        write_timeout: Duration::from_secs(args.write_timeout.max(1)),
        max_connections: args.max_connections.max(1),
        max_per_client: args.max_connections_per_client.max(1),
        trusted_proxies: args.trusted_proxy.clone(),
        grace: Duration::from_secs(args.grace),
    };
    // Every answer given was committed; what is queued is committed before leaving, after
    // the background jobs (the purge every hour) have stopped.
    if let Err(e) = run(
        listener,
        store,
        settings,
        limits,
        PURGE_EVERY,
        stop_signal(),
    )
    .await
    {
        return fail(1, format!("on stopping: {e}"));
    }
    println!("nps-collector stopped");
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_stays_outside_the_static_folder() {
        let dir =
            std::env::temp_dir().join(format!("nps-static-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(dir.join("site")).unwrap();
        assert!(check_static(&dir.join("site"), Some(&dir.join("nps.db")), &[]).is_ok());
        let e = check_static(&dir.join("site"), Some(&dir.join("site/nps.db")), &[]).unwrap_err();
        assert!(e.contains("inside --static"), "{e}");
        assert!(check_static(&dir, Some(&dir.join("site/x.db")), &[]).is_err());
        assert!(check_static(&dir.join("missing"), Some(&dir.join("nps.db")), &[]).is_err());
    }

    /// Regression: only the database was kept out of --static; the names, the landing
    /// surveys and the secret files could sit inside it and be downloaded.
    #[test]
    fn no_file_the_collector_reads_is_inside_the_static_folder() {
        let dir = std::env::temp_dir().join(format!(
            "nps-static-files-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(dir.join("site/deep")).unwrap();
        let (db, site) = (dir.join("nps.db"), dir.join("site"));
        for flag in [
            "--names",
            "--org",
            "--sso",
            "--config",
            "--landing",
            "--admin-token-file",
            "--visit-secret-file",
        ] {
            let outside = dir.join(flag.trim_start_matches('-'));
            let inside = site.join("deep").join(flag.trim_start_matches('-'));
            std::fs::write(&outside, "x").unwrap();
            std::fs::write(&inside, "x").unwrap();
            assert!(
                check_static(&site, Some(&db), &[(flag, &outside)]).is_ok(),
                "{flag}"
            );
            let e = check_static(&site, Some(&db), &[(flag, &inside)]).unwrap_err();
            assert!(
                e.starts_with(&format!("{flag} {}", inside.display()))
                    && e.contains("is inside --static"),
                "{e}"
            );
            // A link outside to a file inside is inside.
            let link = dir.join(format!("link{}", flag));
            let _ = std::fs::remove_file(&link);
            #[cfg(unix)]
            {
                std::os::unix::fs::symlink(&inside, &link).unwrap();
                assert!(
                    check_static(&site, Some(&db), &[(flag, &link)]).is_err(),
                    "{flag}"
                );
            }
        }
    }

    #[test]
    fn a_public_origin_is_an_origin_and_nothing_more() {
        assert_eq!(
            public_origin("https://nps.brand.example").as_deref(),
            Ok("https://nps.brand.example")
        );
        assert!(public_origin("http://127.0.0.1:8080/").is_ok());
        for bad in [
            "nps.brand.example",
            "https://nps.brand.example/s/",
            "ftp://nps.brand.example",
            "https://nps.brand.example:443",
        ] {
            let e = public_origin(bad).unwrap_err();
            assert!(e.contains("expected an origin like"), "{bad}: {e}");
        }
    }
}
