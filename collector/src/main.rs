//! `nps-collector`: serves the API (and optionally static files) over HTTP, stores in SQLite.
//!
//! `nps-collector [--port 8080] [--db nps.db] [--static DIR] [--allow-origin ORIGIN]...
//!  [--admin-token TOKEN] [--rate-limit PER_MINUTE]`

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use nps_collector::{app, Settings, Store};

/// Receives nps-widget responses and stores them in SQLite.
#[derive(Parser, Debug)]
#[command(name = "nps-collector", version)]
struct Args {
    /// Port to listen on (127.0.0.1 unless --host says otherwise).
    #[arg(long, env = "NPS_PORT", default_value_t = 8080)]
    port: u16,
    /// Address to bind.
    #[arg(long, env = "NPS_HOST", default_value = "127.0.0.1")]
    host: String,
    /// SQLite database file (created if missing).
    #[arg(long, env = "NPS_DB", default_value = "nps.db")]
    db: PathBuf,
    /// Folder to serve for every path outside the API (e.g. dist).
    #[arg(long = "static")]
    static_dir: Option<PathBuf>,
    /// Origin allowed to post cross-origin (repeat for more; "*" allows any).
    #[arg(long = "allow-origin")]
    allow_origin: Vec<String>,
    /// Bearer token for GET /api/responses; a fresh one is printed when not given.
    #[arg(long, env = "NPS_ADMIN_TOKEN")]
    admin_token: Option<String>,
    /// Posts per minute per client address; 0 turns limiting off.
    #[arg(long, env = "NPS_RATE_LIMIT", default_value_t = 600)]
    rate_limit: u32,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(dir) = &args.static_dir {
        if !dir.is_dir() {
            eprintln!("nps-collector: --static {} is not a folder", dir.display());
            return ExitCode::from(2);
        }
    }
    let store = match Store::open(&args.db) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("nps-collector: cannot open the database: {e}");
            return ExitCode::FAILURE;
        }
    };
    let token = args
        .admin_token
        .clone()
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let addr: SocketAddr = match format!("{}:{}", args.host, args.port).parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!(
                "nps-collector: --host {} --port {}: {e}",
                args.host, args.port
            );
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("nps-collector: cannot listen on {addr}: {e} (is another server on that port? try --port)");
            return ExitCode::FAILURE;
        }
    };
    let settings = Settings {
        allow_origins: args.allow_origin.clone(),
        admin_token: token.clone(),
        rate_limit: args.rate_limit,
        static_dir: args.static_dir.clone(),
    };
    println!(
        "nps-collector listening on http://{addr}/ (database {})",
        args.db.display()
    );
    if args.admin_token.is_none() {
        println!("admin token: {token}");
    }
    let router = app(store, settings).into_make_service_with_connect_info::<SocketAddr>();
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if let Err(e) = axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
    {
        eprintln!("nps-collector: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
