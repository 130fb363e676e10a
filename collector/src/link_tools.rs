//! The link commands: `sign-visit` (one signed landing URL) and `qr` (a code, or a sheet of
//! codes from a CSV of visits), with the context every link carries. Each says which visits
//! it made links for (`Issued`); given `--db` (or `NPS_DB`) they are recorded as invited
//! (`record`, source `sign-visit` or `qr`, channel `counter`: a code or link handed at the
//! store, reported by `cli`), else a note says nothing was.

use std::path::{Path, PathBuf};

use nps_collector::links::{self, Carried, Links};
use nps_collector::storage::{NewVisit, Reporter, VisitsRecorded};
use nps_collector::{visit, Now, Store};
use nps_core::growth::visit::Channel;

use crate::commands::{landing, visit_key};
use crate::Args;

#[derive(clap::Args, Debug)]
pub struct LinkArgs {
    /// The collector's public address, e.g. https://nps.example.com.
    #[arg(long)]
    base: String,
    /// The survey id.
    #[arg(long)]
    survey: String,
    #[arg(long)]
    store: Option<String>,
    #[arg(long)]
    advisor: Option<String>,
    /// The last 4 digits of the phone on the visit's order (from the brand's DMS): the customer
    /// may then ask to be called at that number without typing it. Signed links only.
    #[arg(long, value_name = "DIGITS")]
    phone_tail: Option<String>,
    /// Another context value every link carries and its token signs (model=X5,
    /// touchpoint=after_service); repeat for more.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    context: Vec<String>,
    /// How long a signed link may start a response: 30d, 12h, 90m, 3600s.
    #[arg(long, default_value = "30d")]
    ttl: String,
}

/// The links a command makes: where, for which survey, signed or not.
fn links_of(args: &Args, link: &LinkArgs, sign: bool) -> Result<Links, String> {
    let sign = match sign {
        false => None,
        true => Some((
            visit_key(args)?
                .ok_or("signing needs the visit secret: --visit-secret-file, --visit-secret or NPS_VISIT_SECRET")?,
            visit::parse_ttl(&link.ttl)?,
        )),
    };
    let named = [
        ("store", &link.store),
        ("advisor", &link.advisor),
        (nps_core::contract::rules::PHONE_TAIL, &link.phone_tail),
    ];
    let mut context: Carried = named
        .into_iter()
        .filter_map(|(k, v)| v.clone().map(|v| (k.to_owned(), v)))
        .collect();
    for pair in &link.context {
        let Some((k, v)) = pair.split_once('=') else {
            return Err(format!(
                "--context {pair:?}: expected KEY=VALUE, e.g. model=X5"
            ));
        };
        if context.insert(k.trim().to_owned(), v.to_owned()).is_some() {
            return Err(format!("--context {pair:?}: {k} is given twice"));
        }
    }
    Ok(Links {
        base: link.base.clone(),
        survey: link.survey.clone(),
        context,
        keys: landing(args)?.link_keys(&link.survey),
        sign,
    })
}

/// The visit's own value in a link.
fn visit_of(visit: &Option<String>) -> Carried {
    visit
        .iter()
        .map(|v| (nps_core::contract::rules::VISIT.to_owned(), v.clone()))
        .collect()
}

/// The visits a command made links for, and which command (the visits' `source`).
#[derive(Debug, Default)]
pub struct Issued {
    pub source: &'static str,
    pub visits: Vec<NewVisit>,
}

impl Issued {
    /// The visits of `rows` (each a link's whole context) that name a visit, issued now.
    fn of(source: &'static str, survey: &str, rows: &[Carried]) -> Issued {
        let now = Now::system().ns;
        let visits = rows
            .iter()
            .filter_map(|c| {
                Some(NewVisit {
                    survey: survey.to_owned(),
                    visit: c.get(nps_core::contract::rules::VISIT)?.clone(),
                    store: c.get("store").cloned(),
                    advisor: c.get("advisor").cloned(),
                    touchpoint: c.get("touchpoint").cloned(),
                    issued_ns: now,
                    channel: Channel::Counter,
                })
            })
            .collect();
        Issued { source, visits }
    }
}

/// Whether `--db` (or `NPS_DB`) was given, rather than its default.
fn db_given() -> bool {
    std::env::var_os("NPS_DB").is_some()
        || std::env::args_os().any(|a| a == "--db" || a.to_string_lossy().starts_with("--db="))
}

/// Records the visits a command issued in the database `--db` names; without `--db`, a note
/// that nothing was recorded (the funnel then cannot count these invitations).
pub async fn record(args: &Args, issued: Issued) -> Result<(), (u8, String)> {
    if issued.visits.is_empty() {
        return Ok(());
    }
    if !db_given() {
        eprintln!(
            "note: {} visits not recorded as invited: give --db (or NPS_DB) the collector's \
             database to count them in the response rates",
            issued.visits.len()
        );
        return Ok(());
    }
    let store: Store = crate::commands::connect(args).await?;
    let by = Reporter {
        source: issued.source,
        by: "cli",
        every_store: true,
    };
    let done = store
        .visits_record(&issued.visits, &by, &Now::system())
        .await
        .map_err(|e| (1, format!("recording the visits: {e}")))?;
    let (recorded, known) = match done {
        VisitsRecorded::Done { recorded, known } => (recorded, known),
        VisitsRecorded::Taken(taken) => {
            let rows: Vec<String> = taken
                .iter()
                .map(|t| {
                    format!(
                        "visit {:?} is recorded for store {}",
                        issued.visits[t.index].visit,
                        t.store.as_deref().unwrap_or("(none)")
                    )
                })
                .collect();
            return Err((
                1,
                format!(
                    "no visit recorded: {} (a visit is its store's: give each its own id)",
                    rows.join("; ")
                ),
            ));
        }
    };
    eprintln!(
        "recorded {recorded} invited visits in {} ({known} known already)",
        args.db
    );
    Ok(())
}

fn with_visit(link: &Links, visit: &Option<String>) -> Carried {
    let mut c = link.context.clone();
    c.extend(visit_of(visit));
    c
}

pub fn sign_visit(args: &Args, link: &LinkArgs, visit: &str) -> Result<Issued, String> {
    let links = links_of(args, link, true)?;
    let visit = Some(visit.to_owned());
    println!("{}", links.url(&visit_of(&visit))?);
    Ok(Issued::of(
        "sign-visit",
        &link.survey,
        &[with_visit(&links, &visit)],
    ))
}

pub fn qr(
    args: &Args,
    link: &LinkArgs,
    visit: &Option<String>,
    sign: bool,
    csv: &Option<PathBuf>,
    out: &Path,
) -> Result<Issued, String> {
    let links = links_of(args, link, sign)?;
    let Some(csv) = csv else {
        let url = links.url(&visit_of(visit))?;
        links::write_code(out, &url)?;
        println!("{} → {url}", out.display());
        return Ok(Issued::of("qr", &link.survey, &[with_visit(&links, visit)]));
    };
    let text = std::fs::read_to_string(csv).map_err(|e| format!("--csv {}: {e}", csv.display()))?;
    let (n, sheet) = links
        .write_sheet_from_csv(&text, out, landing(args)?.locale(&link.survey))
        .map_err(|e| format!("--csv {}: {e}", csv.display()))?;
    println!("{n} codes and a printable sheet: {}", sheet.display());
    let rows = links::visits_from_csv(&text, &links.keys)
        .map_err(|e| format!("--csv {}: {e}", csv.display()))?;
    let rows: Vec<Carried> = rows
        .into_iter()
        .map(|row| {
            let mut c = links.context.clone();
            c.extend(row);
            c
        })
        .collect();
    Ok(Issued::of("qr", &link.survey, &rows))
}
