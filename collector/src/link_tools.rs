//! The link commands: `sign-visit` (one signed landing URL) and `qr` (a code, or a sheet of
//! codes from a CSV of visits), with the context every link carries.

use std::path::{Path, PathBuf};

use nps_collector::links::{self, Carried, Links};
use nps_collector::visit;

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

pub fn sign_visit(args: &Args, link: &LinkArgs, visit: &str) -> Result<String, String> {
    links_of(args, link, true)?.url(&visit_of(&Some(visit.to_owned())))
}

pub fn qr(
    args: &Args,
    link: &LinkArgs,
    visit: &Option<String>,
    sign: bool,
    csv: &Option<PathBuf>,
    out: &Path,
) -> Result<(), String> {
    let links = links_of(args, link, sign)?;
    let Some(csv) = csv else {
        let url = links.url(&visit_of(visit))?;
        links::write_code(out, &url)?;
        println!("{} → {url}", out.display());
        return Ok(());
    };
    let text = std::fs::read_to_string(csv).map_err(|e| format!("--csv {}: {e}", csv.display()))?;
    let (n, sheet) = links
        .write_sheet_from_csv(&text, out, landing(args)?.locale(&link.survey))
        .map_err(|e| format!("--csv {}: {e}", csv.display()))?;
    println!("{n} codes and a printable sheet: {}", sheet.display());
    Ok(())
}
