//! The storage port's types, the same for every engine: the server's clock (`Now`), what
//! an upsert may store (`Admission`, `Flag`) and what it did (`Upsert`), a stored row as
//! the export lists it (`Row`), which rows an export reads (`Selection`), and the one
//! error type (`StoreError`).

use std::path::PathBuf;

use crate::write_key::KeyRefusal;

/// A moment on the server's clock: RFC 3339 for people, nanoseconds for comparisons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Now {
    pub at: String,
    pub ns: i64,
}

impl Now {
    /// The server's clock now.
    pub fn system() -> Now {
        Now::from_time(time::OffsetDateTime::now_utc())
    }

    pub fn from_time(t: time::OffsetDateTime) -> Now {
        let format = time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
        );
        Now {
            at: t.format(&format).unwrap_or_default(),
            ns: t.unix_timestamp_nanos().clamp(0, i64::MAX as i128) as i64,
        }
    }
}

/// What an upsert did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Upsert {
    Created,
    Updated,
    Duplicate,
    Stale,
    /// The id is stored for another survey; nothing changed.
    Conflict,
    /// Another response already answered this visit; nothing changed.
    Answered,
    /// A new response after its link expired; nothing stored.
    Expired,
    /// A post that drops or changes the visit its response was first stored for; nothing
    /// changed.
    VisitChanged,
    /// The post may not write this response (`write_key`); nothing changed.
    Key(KeyRefusal),
}

/// What may be stored besides the upsert rules: a new id only until `new_until_ns` (a
/// signed link's expiry); posts without a write key only before `keyless_until_ns`
/// (`--keyless-until`; `None`: never).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Admission {
    pub new_until_ns: Option<i64>,
    pub keyless_until_ns: Option<i64>,
    /// Which answers of this survey open a case (the survey's rule in `--config`).
    pub cases: CaseRule,
    /// The case this answer is the re-survey of (a signed recovery link): its score is
    /// recorded on that case, and the answer opens no case of its own.
    pub recovery_of: Option<uuid::Uuid>,
    /// The sender's device and network marks (`keys::Keys`), kept with the answer for the
    /// coaching flags; never shown by an API or an export.
    pub marks: Option<Marks>,
}

/// A device's and a network's mark (`keys::Keys::device`, `net`: 64 bits each), as numbers
/// so that an `Admission` stays `Copy`; stored as the same 16 hex digits `Keys` gives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Marks {
    pub device: u64,
    pub net: u64,
}

impl Marks {
    /// From `Keys`' hex marks (`None` if either is not one).
    pub fn of(device: &str, net: &str) -> Option<Marks> {
        Some(Marks {
            device: u64::from_str_radix(device, 16).ok()?,
            net: u64::from_str_radix(net, 16).ok()?,
        })
    }

    /// The stored texts: (device, net).
    pub fn texts(marks: Option<Marks>) -> (Option<String>, Option<String>) {
        match marks {
            Some(m) => (
                Some(format!("{:016x}", m.device)),
                Some(format!("{:016x}", m.net)),
            ),
            None => (None, None),
        }
    }
}

/// Which answers open a case (the core's, `cases::CaseRule`).
pub use nps_core::cases::CaseRule;

impl Admission {
    /// The operator's own writes (the demo set, an import): posts without a key are taken.
    pub fn operator() -> Admission {
        Admission {
            keyless_until_ns: Some(i64::MAX),
            ..Admission::default()
        }
    }
}

/// Why a response is kept but not counted.
pub type Flag = Option<&'static str>;

/// One stored response as the API lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The canonical JSON body.
    pub body: String,
    pub received_at: String,
    pub changed_at: String,
    pub flag: Option<String>,
}

/// Which stored responses an export holds: one survey, and a window of the time each was
/// first stored (`since` inclusive, `until` exclusive, in ns since the epoch).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    pub survey: Option<String>,
    pub since_ns: Option<i64>,
    pub until_ns: Option<i64>,
    /// Only the counted answers with a comment, as their stored facts say (`facts`), and the
    /// rows whose facts are missing (the reader checks their bodies): what the comments and
    /// their themes read, without a body read for every answer.
    pub commented: bool,
}

/// A stored answer's id, body and flag.
pub type Body = (String, String, Option<String>);

/// The SQL condition of `Selection::commented` (the parameter is 1 for "only commented").
pub(crate) fn commented_sql(param: &str) -> String {
    format!(
        "({param} = 0 OR created_min IS NULL OR (flag IS NULL AND (body_marks & {}) != 0))",
        nps_core::contract::columns::COMMENT
    )
}

/// A storage failure. Logged by the collector; clients hear only that it failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreError {
    /// The database could not be opened or set up.
    Open { path: PathBuf, message: String },
    /// The database server could not be reached or logged in to.
    Connect { target: String, message: String },
    /// A statement failed (disk full, locked by another program, a damaged file, a lost
    /// connection).
    Sql { message: String },
    /// The commit of a batch failed; none of its posts is stored.
    Commit { message: String },
    /// The writer thread has stopped (the process is shutting down).
    WriterStopped,
    /// The writer thread could not be started.
    Start { message: String },
    /// A migration step failed; the database is left at the version before it.
    Migrate { version: i64, message: String },
    /// The database was migrated by a newer collector than this one.
    TooNew { version: i64, known: i64 },
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Open { path, message } => {
                write!(f, "cannot open the database {}: {message}", path.display())
            }
            StoreError::Connect { target, message } => {
                write!(f, "cannot connect to the database {target}: {message}")
            }
            StoreError::Sql { message } => write!(f, "database error: {message}"),
            StoreError::Commit { message } => write!(f, "commit failed: {message}"),
            StoreError::WriterStopped => f.write_str("the database writer has stopped"),
            StoreError::Start { message } => {
                write!(f, "cannot start the database writer: {message}")
            }
            StoreError::Migrate { version, message } => {
                write!(f, "migration to schema version {version} failed: {message}")
            }
            StoreError::TooNew { version, known } => write!(
                f,
                "the database is at schema version {version}, newer than this collector's \
                 {known}: run the newer collector (or restore a backup)"
            ),
        }
    }
}

impl std::error::Error for StoreError {}
