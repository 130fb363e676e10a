//! The command line's subcommands and the files the server reads at start: `seed` (the demo
//! set), `sign-visit`, `qr`, `landing`, `purge`, `user` (`user`) and `token` (`token`) on the
//! open store; the visit key, the landing surveys (a survey that
//! requires signed visits needs the key), the names file and the single sign-on file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Subcommand;
use nps_collector::alerts;
use nps_collector::landing::Landing;
use nps_collector::links;
use nps_collector::reload::read_file;
use nps_collector::sso::{self, Sso};
use nps_collector::visit::VisitKey;
use nps_collector::{demo, Now, Store, Target};
use nps_core::scoring::analysis::Names;

use crate::link_tools::{qr, sign_visit, Issued, LinkArgs};
use crate::Args;

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Write the demo set (a car brand's after-sales answers over several months) into the
    /// database; --names-out also writes its names file (for --names).
    Seed {
        #[arg(long, default_value_t = 3000, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
        responses: u32,
        #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..=36))]
        months: u32,
        /// The same seed writes the same answers.
        #[arg(long, default_value_t = 7)]
        seed: u64,
        #[arg(long)]
        names_out: Option<PathBuf>,
        /// A generated brand of this many stores (7 to 640, in five regions and forty
        /// cities) instead of the demo's six; its org file goes to --org-out (serve with --org).
        #[arg(long, value_parser = clap::value_parser!(u32).range(7..=640), requires = "org_out")]
        stores: Option<u32>,
        /// Where --stores writes the generated brand's org file.
        #[arg(long, requires = "stores")]
        org_out: Option<PathBuf>,
    },
    /// Remove the phone numbers whose retention period has ended (scores stay), then exit.
    Purge,
    /// Print a landing URL for one visit, signed with the visit secret; with --db (or
    /// NPS_DB), record the visit as invited (for the response rates).
    SignVisit {
        #[command(flatten)]
        link: LinkArgs,
        #[arg(long)]
        visit: String,
    },
    /// Write a QR code of a landing URL (--out FILE.svg or FILE.png), or one per row of a CSV
    /// of visits (--csv FILE --out DIR, with a printable index.html); with --db (or NPS_DB),
    /// record each code's visit as invited (for the response rates).
    Qr {
        #[command(flatten)]
        link: LinkArgs,
        #[arg(long)]
        visit: Option<String>,
        /// Sign each link with the visit secret.
        #[arg(long)]
        sign: bool,
        /// A CSV with a visit column (and store, advisor, phone_tail): one code per row.
        #[arg(long)]
        csv: Option<PathBuf>,
        #[arg(long)]
        out: PathBuf,
    },
    /// The brand's people: add (prints a one-time invite URL), list, disable, enable, role,
    /// reset.
    User {
        #[command(subcommand)]
        action: crate::user::UserCommand,
    },
    /// Machine tokens for integrations: create (prints the secret once), list, revoke.
    Token {
        #[command(subcommand)]
        action: crate::token::TokenCommand,
    },
    /// Write a survey's landing page as a static file, for a page hosted elsewhere that posts
    /// to this collector (add its origin with --allow-origin).
    Landing {
        /// The collector's public address, e.g. https://nps.example.com.
        #[arg(long)]
        base: String,
        #[arg(long)]
        survey: String,
        #[arg(long)]
        out: PathBuf,
    },
}

/// A secret given on the command line (or in the environment) or in a file (trimmed; not in
/// the process list); `None` for neither. An empty one, or a file that cannot be read, is an
/// error naming where it came from. Clap refuses both at once.
pub fn secret(
    given: &Option<String>,
    file: &Option<PathBuf>,
    flag: &str,
    file_flag: &str,
) -> Result<Option<String>, String> {
    let (value, from) = match (given, file) {
        (Some(s), _) => (s.clone(), flag.to_owned()),
        (None, Some(path)) => (
            std::fs::read_to_string(path)
                .map_err(|e| format!("{file_flag} {}: {e}", path.display()))?,
            format!("{file_flag} {}", path.display()),
        ),
        (None, None) => return Ok(None),
    };
    match value.trim() {
        "" => Err(format!(
            "the secret from {from} is empty: give one, or leave the flag out"
        )),
        s => Ok(Some(s.to_owned())),
    }
}

/// The key of signed visit links, from `--visit-secret`, `NPS_VISIT_SECRET` or
/// `--visit-secret-file`.
pub fn visit_key(args: &Args) -> Result<Option<VisitKey>, String> {
    let (flag, file_flag) = (
        "--visit-secret (or NPS_VISIT_SECRET)",
        "--visit-secret-file",
    );
    let from = if args.visit_secret.is_some() {
        flag
    } else {
        file_flag
    };
    let until_s = args.v1_links_until.map(|ns| ns / 1_000_000_000);
    secret(&args.visit_secret, &args.visit_secret_file, flag, file_flag)?
        .map(|s| {
            VisitKey::new(&s)
                .map(|k| k.with_v1_grace(until_s))
                .map_err(|e| format!("{from}: {e}"))
        })
        .transpose()
}

pub fn landing(args: &Args) -> Result<Landing, String> {
    // A relative `logo` is beside the landing file, wherever the collector starts.
    let dir = args
        .landing
        .as_deref()
        .and_then(std::path::Path::parent)
        .unwrap_or(std::path::Path::new(""))
        .to_path_buf();
    read_file("--landing", &args.landing, |t| {
        Landing::from_json_in(t, &dir)
    })
}

/// The store the server and the store's subcommands work on. A `user` or `token` command
/// refuses a SQLite file that does not exist (a forgotten or mistyped `--db` would make a
/// new, empty database). An error is its exit code and message.
pub async fn connect(args: &Args) -> Result<Store, (u8, String)> {
    if let (
        Some(
            Command::User { .. }
            | Command::Token { .. }
            | Command::SignVisit { .. }
            | Command::Qr { .. },
        ),
        Target::Sqlite(path),
    ) = (&args.command, &args.db)
    {
        if !path.exists() {
            let full = std::path::absolute(path).unwrap_or_else(|_| path.clone());
            return Err((
                2,
                format!(
                    "--db {}: no database at {} : give --db the collector's database \
                     (the file its server was started with)",
                    path.display(),
                    full.display()
                ),
            ));
        }
    }
    Store::connect(&args.db)
        .await
        .map_err(|e| (1, format!("--db (NPS_DB): {e}")))
}

/// The subcommands that work on the store (`purge`, `user`, `token`), once it is open; `None`
/// for the server. The region and store codes they name are checked against `names`' org.
/// An error is its exit code and message.
pub async fn with_store(
    args: &Args,
    store: &Store,
    names: &Names,
) -> Option<Result<(), (u8, String)>> {
    let declared = || crate::user::Declared::of(names, args.names.is_some());
    Some(match args.command.as_ref()? {
        Command::Purge => match store.purge(Now::system()).await {
            Ok(n) => {
                println!("purged the phone numbers of {n} responses");
                Ok(())
            }
            Err(e) => Err((1, format!("purge: {e}"))),
        },
        Command::User { action } => {
            crate::user::run(store, action, &args.public_origin, &declared())
                .await
                .map_err(|e| (2, e))
        }
        Command::Token { action } => crate::token::run(store, action, &declared())
            .await
            .map_err(|e| (2, e)),
        _ => return None,
    })
}

/// The tools around landing links: `sign-visit`, `qr`, `landing`, and what they issued (to
/// record: `link_tools::record`). `None` for the server.
pub fn tool(args: &Args) -> Option<Result<Issued, String>> {
    Some(match args.command.as_ref()? {
        Command::Purge | Command::User { .. } | Command::Token { .. } => return None,
        Command::Seed {
            responses,
            months,
            seed,
            names_out,
            stores,
            org_out,
        } => {
            let brand = match (stores, org_out) {
                (Some(n), Some(out)) => {
                    let brand = demo::brand::Brand::large(*n as usize, *seed);
                    match links::write(out, brand.org.as_bytes()) {
                        Ok(()) => println!(
                            "a brand of {n} stores: its org file {} (serve with --org)",
                            out.display()
                        ),
                        Err(e) => return Some(Err(e)),
                    }
                    brand
                }
                _ => demo::brand::Brand::demo(),
            };
            seed_demo(&args.db, &brand, *responses, *months, *seed, names_out)
                .map(|()| Issued::default())
        }
        Command::SignVisit { link, visit } => sign_visit(args, link, visit),
        Command::Qr {
            link,
            visit,
            sign,
            csv,
            out,
        } => qr(args, link, visit, *sign, csv, out),
        Command::Landing { base, survey, out } => landing(args)
            .and_then(|l| l.static_page(base, survey))
            .and_then(|html| links::write(out, html.as_bytes()))
            .map(|()| {
                println!(
                    "{} → posts to {}",
                    out.display(),
                    base.trim_end_matches('/')
                );
                Issued::default()
            }),
    })
}

fn seed_demo(
    db: &Target,
    brand: &demo::brand::Brand,
    responses: u32,
    months: u32,
    seed: u64,
    names_out: &Option<PathBuf>,
) -> Result<(), String> {
    let n = demo::seed_brand(db.clone(), brand, responses as usize, months, seed)
        .map_err(|e| e.to_string())?;
    println!("{n} demo responses written to {db}");
    if let Some(out) = names_out {
        let text = demo::names().to_value().to_string();
        links::write(out, text.as_bytes())?;
        println!("its names: {} (serve with --names)", out.display());
    }
    Ok(())
}

/// The names for the dashboard: the names file's, with the org file's over them.
pub fn names(args: &Args) -> Result<Names, String> {
    names_source(args).read()
}

/// The files the names come from, read at start and again while serving (`reload`).
fn names_source(args: &Args) -> nps_collector::reload::Source {
    nps_collector::reload::Source {
        names: args.names.clone(),
        org: args.org.clone(),
    }
}

/// What the server reads again while serving: the files, when there are any, and the names
/// read from them at start.
pub fn names_reload(args: &Args, names: &Names) -> Option<nps_collector::reload::Reload> {
    let source = names_source(args);
    (!source.is_empty()).then(|| nps_collector::reload::Reload {
        source,
        live: nps_collector::reload::Live::new(names.clone()),
    })
}

/// Single sign-on (`--sso`), its stores and regions checked against the org, the client
/// secret from `NPS_SSO_CLIENT_SECRET` or its file; `None` without the flag.
pub fn sso(
    args: &Args,
    names: &Names,
    config: Option<&alerts::Config>,
) -> Result<Option<Arc<Sso>>, String> {
    let in_config = config.and_then(|c| c.sso_file.as_ref());
    let (path, flag) = match (&args.sso, in_config) {
        (Some(_), Some(_)) => {
            return Err("the single sign-on file is named twice: --sso (or NPS_SSO) and sso in the --config file; keep one".into())
        }
        (Some(p), None) => (p, "--sso"),
        (None, Some(p)) => (p, "sso in --config"),
        (None, None) => return Ok(None),
    };
    let at = |e: &dyn std::fmt::Display| format!("{flag} {}: {e}", path.display());
    let text = std::fs::read_to_string(path).map_err(|e| at(&e))?;
    let file = sso::file::read(&text, &names.hierarchy()).map_err(|e| at(&e))?;
    let secret = std::env::var(sso::file::SECRET_ENV).ok();
    let settled = file
        .settle(secret, &args.public_origin)
        .map_err(|e| at(&e))?;
    Ok(Some(Arc::new(settled)))
}

/// The collector config file (`--config`), its stores and regions checked against the org;
/// `None` without the flag.
pub fn alerts(args: &Args, names: &Names) -> Result<Option<Arc<alerts::Config>>, String> {
    let Some(path) = &args.config.path else {
        return Ok(None);
    };
    let config = alerts::Config::load(path, &names.hierarchy())?;
    if !config.channels.is_empty() && config.link_base(&args.public_origin).is_none() {
        return Err(format!(
            "--config {}: its channels' alerts link to the case, and nothing says where the \
             collector is: set link_base in [cases] (https://nps.brand.example) or give \
             --public-origin",
            path.display()
        ));
    }
    Ok(Some(Arc::new(config)))
}

/// `require_visit` cannot be enforced without the visit secret: an error at start.
pub fn check_required(
    landing: &Landing,
    file: Option<&Path>,
    key: &Option<VisitKey>,
) -> Result<(), String> {
    let surveys = landing.requiring_visits();
    if surveys.is_empty() || key.is_some() {
        return Ok(());
    }
    Err(format!(
        "--landing {}: {} has \"{}\": true, which only a visit secret can enforce: give one with --visit-secret-file (or --visit-secret, NPS_VISIT_SECRET), or set it to false",
        file.map_or_else(String::new, |f| f.display().to_string()),
        surveys.join(", "),
        nps_collector::landing::REQUIRE_VISIT
    ))
}
