//! The names and org files (`--names`, `--org`), read at start and again while the server
//! runs: on SIGHUP, and when either file's modification time changes (looked at every
//! `POLL_EVERY`). A file read again is checked as at start; a bad one keeps the org in force
//! and is logged with what `org_file` reports (its line, key and the accepted values).
//! Sessions live in the store, so a reload ends none.
//!
//! ```text
//! start: Source::read ──▶ Live (what GET /api/names and the export's scope read)
//! job:   SIGHUP or a changed mtime ──▶ Source::read ──ok──▶ Live::set
//!                                                   └─err─▶ logged, Live unchanged
//! ```

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use nps_core::scoring::analysis::Names;

use crate::jobs::{BoxedJob, Stop};

/// How often the files' modification times are looked at.
pub const POLL_EVERY: Duration = Duration::from_secs(2);

/// The files the names come from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Source {
    /// `--names`: a names file (JSON).
    pub names: Option<PathBuf>,
    /// `--org`: an org file (TOML), whose stores' and advisors' names win.
    pub org: Option<PathBuf>,
}

impl Source {
    /// Whether there is a file to read at all.
    pub fn is_empty(&self) -> bool {
        self.names.is_none() && self.org.is_none()
    }

    /// Reads and checks the files; an error names the flag, the file and what is wrong.
    pub fn read(&self) -> Result<Names, String> {
        let names = read_file("--names", &self.names, Names::from_json)?;
        Ok(match &self.org {
            None => names,
            Some(_) => names.with_org(read_file("--org", &self.org, crate::org_file::read)?),
        })
    }

    /// The files' modification times (`None` for a file missing or unreadable).
    fn stamps(&self) -> [Option<SystemTime>; 2] {
        let stamp = |p: &Option<PathBuf>| {
            p.as_ref()
                .and_then(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
        };
        [stamp(&self.names), stamp(&self.org)]
    }
}

/// A file a flag names, read with `parse`; the default without the flag. Errors name the flag
/// and the file.
pub fn read_file<T: Default, E: std::fmt::Display>(
    flag: &str,
    path: &Option<PathBuf>,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, String> {
    let Some(path) = path else {
        return Ok(T::default());
    };
    let at = |e: &dyn std::fmt::Display| format!("{flag} {}: {e}", path.display());
    let text = std::fs::read_to_string(path).map_err(|e| at(&e))?;
    parse(&text).map_err(|e| at(&e))
}

/// The names in force, shared by every request and the reload job.
#[derive(Clone, Debug, Default)]
pub struct Live(Arc<RwLock<Arc<Names>>>);

impl Live {
    pub fn new(names: Names) -> Live {
        Live(Arc::new(RwLock::new(Arc::new(names))))
    }

    /// The names now (a request keeps the ones it started with).
    pub fn get(&self) -> Arc<Names> {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set(&self, names: Names) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(names);
    }
}

/// The files and the names read from them: the server's settings carry it when a file was
/// given (`Settings::names_reload`).
#[derive(Clone, Debug, Default)]
pub struct Reload {
    pub source: Source,
    pub live: Live,
}

impl Reload {
    /// Reads the files again: the new names are in force, or the error is logged and the
    /// names in force are kept. Whether they changed.
    pub fn again(&self) -> bool {
        match self.source.read() {
            Ok(names) => {
                let org = names.hierarchy();
                tracing::info!(
                    regions = org.regions().len(),
                    stores = org.stores().len(),
                    advisors = org.advisors().len(),
                    "the names and org files were read again"
                );
                self.live.set(names);
                true
            }
            Err(e) => {
                tracing::error!(error = %e, "the names or org file is not valid: the org in force is kept");
                false
            }
        }
    }
}

/// The reload job: reads the files again on SIGHUP, and when a modification time changes.
pub fn job(reload: Reload, every: Duration) -> impl FnOnce(Stop) -> BoxedJob {
    move |mut stop| {
        Box::pin(async move {
            let mut hangup = hangups();
            let mut seen = reload.source.stamps();
            loop {
                let asked = tokio::select! {
                    _ = stop.stopped() => return,
                    _ = tokio::time::sleep(every) => false,
                    _ = hung_up(&mut hangup) => true,
                };
                let now = reload.source.stamps();
                if asked || now != seen {
                    seen = now;
                    reload.again();
                }
            }
        })
    }
}

/// SIGHUP, when the process can listen to it.
#[cfg(unix)]
type Hangup = Option<tokio::signal::unix::Signal>;
#[cfg(not(unix))]
type Hangup = ();

fn hangups() -> Hangup {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        signal(SignalKind::hangup())
            .map_err(|e| tracing::warn!(error = %e, "SIGHUP cannot be listened to"))
            .ok()
    }
}

/// Resolves on the next SIGHUP (never, without one).
async fn hung_up(hangup: &mut Hangup) {
    #[cfg(unix)]
    if let Some(s) = hangup {
        if s.recv().await.is_some() {
            return;
        }
    }
    let _ = hangup;
    std::future::pending::<()>().await
}
