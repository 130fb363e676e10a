//! The audit trail as the collector writes and serves it: `ACTIONS` (every action's name,
//! owned here), `record` (a line appended before the act it records: if the line cannot be
//! written, the act does not happen), and `GET /api/audit` for admins (`Action::ReadAudit`):
//! JSON `[{"id","at","who","action","detail"}]` newest first, or `?format=csv`, selected by
//! `since`, `until`, `action`, `who` and at most `limit` lines. Reading it is itself recorded
//! (`audit_read`).

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use nps_core::access::Action;
use nps_core::contract::csv::{defuse, BOM};
use serde_json::{json, Value};

use crate::auth::{private, Caller};
use crate::export::{bound, Format};
use crate::scope::unavailable;
use crate::storage::{AuditEntry, AuditFilter, Now};
use crate::{ApiError, Shared};

/// Every action the audit trail records.
pub const ACTIONS: &[&str] = &[
    "signin",
    "signin_failed",
    "signout",
    "invite_accepted",
    "reveal",
    "export",
    "delete",
    "user_add",
    "user_disable",
    "user_enable",
    "user_reset",
    "user_role",
    "token_create",
    "token_revoke",
    "token_use",
    "audit_read",
    "case_update",
    "visits_record",
    "referral_event",
    "comments_read",
];

/// The forms of `who`: a person, a machine token, the admin token, the command line, a
/// client whose sign-in failed, single sign-on making or changing an account.
pub const WHO_SHAPES: &str = "user:EMAIL, token:ID, admin-token, cli, oidc or client:IP";

/// The query keys `GET /api/audit` reads.
pub const PARAMS: &[&str] = &["format", "since", "until", "action", "who", "limit"];

/// The most lines one read gives (and the default).
pub const LIMIT: i64 = 10_000;

/// Appends a line for `caller`; the answer to send when it could not be written.
pub(crate) async fn record(
    state: &Shared,
    caller: &Caller,
    action: &'static str,
    detail: Value,
) -> Result<(), Response> {
    debug_assert!(ACTIONS.contains(&action), "{action} is not in ACTIONS");
    state
        .store
        .audit_append(&Now::system(), &caller.name(), action, &detail)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, action, "writing the audit trail");
            unavailable()
        })
}

/// What a read of the audit trail asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Read {
    pub format: Format,
    pub filter: AuditFilter,
    pub limit: i64,
}

fn bad(field: &str, message: String) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, field, message)
}

/// A bound in `Now::at`'s form, which the trail's `at` is compared with.
fn at(field: &str, value: &str, end_of_day: bool) -> Result<String, ApiError> {
    let ns = bound(field, value, end_of_day)?;
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(ns.into())
        .map_err(|e| bad(field, format!("{field} is {value:?}: {e}")))?;
    Ok(Now::from_time(t).at)
}

impl Read {
    /// Reads the query string; an unknown key or a bad value is an error naming it and what
    /// is accepted.
    pub fn parse(q: &[(String, String)]) -> Result<Read, ApiError> {
        let mut out = Read {
            format: Format::Json,
            filter: AuditFilter::default(),
            limit: LIMIT,
        };
        for (k, v) in q {
            match k.as_str() {
                "format" => out.format = Format::parse(v)?,
                "since" => out.filter.since = Some(at("since", v, false)?),
                "until" => out.filter.until = Some(at("until", v, true)?),
                "action" if ACTIONS.contains(&v.as_str()) => out.filter.action = Some(v.clone()),
                "action" => {
                    return Err(bad(
                        "action",
                        format!("action is {v:?}: expected one of {}", ACTIONS.join(", ")),
                    ))
                }
                "who" if is_who(v) => out.filter.who = Some(v.clone()),
                "who" => return Err(bad("who", format!("who is {v:?}: expected {WHO_SHAPES}"))),
                "limit" => {
                    out.limit = v
                        .parse()
                        .ok()
                        .filter(|n| (1..=LIMIT).contains(n))
                        .ok_or_else(|| {
                            bad("limit", format!("limit is {v:?}: expected 1 to {LIMIT}"))
                        })?
                }
                other => return Err(ApiError::unknown_key(other, PARAMS)),
            }
        }
        Ok(out)
    }
}

fn is_who(v: &str) -> bool {
    let named = |prefix: &str| v.strip_prefix(prefix).is_some_and(|rest| !rest.is_empty());
    matches!(v, "admin-token" | "cli") || ["user:", "token:", "client:"].into_iter().any(named)
}

/// The CSV's columns.
pub const COLUMNS: [&str; 5] = ["id", "at", "who", "action", "detail"];

/// The lines as CSV, each cell defused like the export's.
pub fn csv_text(lines: &[AuditEntry]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(BOM.as_bytes().to_vec());
    w.write_record(COLUMNS)?;
    for l in lines {
        let cells = [
            l.id.to_string(),
            l.at.clone(),
            l.who.clone(),
            l.action.clone(),
            l.detail.to_string(),
        ];
        w.write_record(cells.iter().map(|c| defuse(c)))?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// `GET /api/audit`.
pub(crate) async fn list(
    caller: Caller,
    State(state): State<Shared>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    if let Err(no) = caller.require(Action::ReadAudit) {
        return no;
    }
    let read = match Read::parse(&q) {
        Ok(r) => r,
        Err(e) => return private(e.into_response()),
    };
    let f = &read.filter;
    let detail = json!({"format": read.format.key(), "since": f.since, "until": f.until,
        "action": f.action, "who": f.who, "limit": read.limit});
    if let Err(no) = record(&state, &caller, "audit_read", detail).await {
        return no;
    }
    let lines = match state.store.audit_read(&read.filter, read.limit).await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(error = %e, "reading the audit trail");
            return unavailable();
        }
    };
    private(match read.format {
        Format::Json => Json(
            lines
                .iter()
                .map(|l| json!({"id": l.id, "at": l.at, "who": l.who, "action": l.action, "detail": l.detail}))
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Format::Csv => match csv_text(&lines) {
            Ok(bytes) => (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"nps-audit.csv\"",
                    ),
                ],
                bytes,
            )
                .into_response(),
            Err(e) => {
                tracing::error!(error = %e, "writing the audit CSV");
                unavailable()
            }
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &str) -> Result<Read, String> {
        Read::parse(&crate::export::tests::pairs(q))
            .map_err(|e| format!("{}: {}", e.field, e.message))
    }

    #[test]
    fn the_query_selects_by_time_action_and_who() {
        let r = parse("since=2026-11-01&until=2026-11-01&action=reveal&who=user:li@x.example&format=csv&limit=5").unwrap();
        assert_eq!(
            r.filter,
            AuditFilter {
                since: Some("2026-11-01T00:00:00.000Z".into()),
                until: Some("2026-11-02T00:00:00.000Z".into()),
                action: Some("reveal".into()),
                who: Some("user:li@x.example".into()),
            }
        );
        assert_eq!((r.format, r.limit), (Format::Csv, 5));
        let r = parse("").unwrap();
        assert_eq!(
            (r.format, r.limit, r.filter),
            (Format::Json, LIMIT, AuditFilter::default())
        );
        for who in ["admin-token", "cli", "token:3", "client:10.0.0.1"] {
            assert!(parse(&format!("who={who}")).is_ok(), "{who}");
        }
    }

    #[test]
    fn a_bad_query_names_its_key_and_what_is_accepted() {
        for (q, field, says) in [
            ("since=yesterday", "since", "expected a date (2026-11-24)"),
            ("until=2026-02-30", "until", "expected a date"),
            (
                "action=look",
                "action",
                "expected one of signin, signin_failed",
            ),
            (
                "who=li",
                "who",
                "expected user:EMAIL, token:ID, admin-token",
            ),
            ("who=user:", "who", "expected user:EMAIL"),
            ("format=xml", "format", "expected \"json\" or \"csv\""),
            ("limit=0", "limit", "expected 1 to 10000"),
            ("limit=10001", "limit", "expected 1 to 10000"),
            (
                "actor=x",
                "actor",
                "expected one of format, since, until, action, who, limit",
            ),
        ] {
            let err = parse(q).unwrap_err();
            assert!(err.starts_with(&format!("{field}: ")), "{q}: {err}");
            assert!(err.contains(says), "{q}: {err}");
        }
    }

    #[test]
    fn the_csv_defuses_its_cells() {
        let line = AuditEntry {
            id: 7,
            at: "2026-11-23T08:00:00.000Z".into(),
            who: "user:=cmd@x.example".into(),
            action: "export".into(),
            detail: json!({"survey": "after-sales"}),
        };
        let text = String::from_utf8(csv_text(&[line]).unwrap()).unwrap();
        let mut lines = text.trim_start_matches(BOM).lines();
        assert_eq!(lines.next(), Some("id,at,who,action,detail"));
        let row = lines.next().unwrap();
        assert!(
            row.starts_with("7,2026-11-23T08:00:00.000Z,user:=cmd@x.example,export,"),
            "{row}"
        );
        let mut w = csv_text(&[AuditEntry {
            who: "=HYPERLINK(1)".into(),
            ..AuditEntry {
                id: 1,
                at: String::new(),
                who: String::new(),
                action: "export".into(),
                detail: json!({}),
            }
        }])
        .unwrap();
        w.drain(..BOM.len());
        assert!(String::from_utf8(w).unwrap().contains(",'=HYPERLINK(1),"));
    }

    /// Every action the collector writes is one of `ACTIONS` (what `?action=` accepts): each
    /// `audit_append(…, "name", …)` in the sources, read as text.
    #[test]
    fn every_action_written_is_one_the_trail_can_be_read_by() {
        fn sources(dir: &std::path::Path, out: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    sources(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    out.push(std::fs::read_to_string(&p).unwrap());
                }
            }
        }
        let mut texts = Vec::new();
        sources(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut texts,
        );
        let mut seen = 0;
        for text in &texts {
            // `audit_append(now, who, ACTION, detail)`, `record(&state, caller, ACTION, …)`.
            for (call, at) in [("audit_append(", 2), ("record(&state,", 1)] {
                for args in text.split(call).skip(1) {
                    let arg = args.split(',').nth(at).unwrap_or("").trim();
                    // A variable (`record`'s own call) is checked where its value is written.
                    let Some(action) = arg.strip_prefix('"').and_then(|t| t.strip_suffix('"'))
                    else {
                        continue;
                    };
                    assert!(ACTIONS.contains(&action), "{action:?} is not in ACTIONS");
                    seen += 1;
                }
            }
        }
        assert!(seen >= 17, "found {seen} calls");
    }
}
