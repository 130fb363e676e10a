//! What every request meets before a handler: who may write (origins), what every answer
//! carries (security headers), and what the static folder may serve.
//!
//! - Writes come from the collector's own pages (its `Host`, or an origin in
//!   `--public-origin` for a proxy that does not pass `Host` on), from origins in
//!   `--allow-origin` (`*` for any), or from clients that send no `Origin` (not a page in a
//!   browser). Any other origin gets a 403 it can read (with CORS headers), so a widget there
//!   learns at once that it is refused instead of retrying for a week (a form's customer
//!   reads a page: `refused`).
//! - Every answer carries `X-Content-Type-Options: nosniff`, a `Referrer-Policy` and a
//!   `Content-Security-Policy` whose `frame-ancestors` comes from `--frame-ancestors`.
//! - The static folder is only asked for what no route takes (a folder named `healthz-data`
//!   is a folder), and never serves what resolves outside it (a link out of it), nor the
//!   database, its journal files, or the other files the collector reads (`--names`,
//!   `--landing`, the secret files), wherever a link to them sits.

use std::path::{Path, PathBuf};

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::{ApiError, Settings, Shared};

/// True when a page of `origin` may post here: the collector's own (`auth::own_origin`:
/// `host` is the request's `Host`, `public` its origins as browsers see them), or one
/// `allowed`.
pub fn origin_allowed(
    allowed: &[String],
    public: &[String],
    origin: &str,
    host: Option<&str>,
) -> bool {
    let listed = allowed
        .iter()
        .any(|a| a == "*" || a.trim_end_matches('/') == origin);
    crate::auth::own_origin(origin, host, public) || listed
}

pub(crate) async fn origins(State(state): State<Shared>, req: Request, next: Next) -> Response {
    if req.method() == Method::POST {
        let origin = req
            .headers()
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok());
        if let Some(origin) = origin {
            let settings = &state.settings;
            if !origin_allowed(
                &settings.allow_origins,
                &settings.public_origins,
                &origin,
                host,
            ) {
                let mut resp = ApiError::new(
                    StatusCode::FORBIDDEN,
                    "origin",
                    format!(
                        "pages of {origin} may not post here: the collector's --allow-origin does not name it"
                    ),
                )
                .into_response();
                // Readable by that page, so its widget stops at once.
                if let Ok(v) = HeaderValue::from_str(&origin) {
                    resp.headers_mut()
                        .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
                    resp.headers_mut()
                        .insert(header::VARY, HeaderValue::from_static("Origin"));
                }
                return resp;
            }
        }
    }
    next.run(req).await
}

/// The Content-Security-Policy of every answer.
pub fn csp(settings: &Settings) -> String {
    let ancestors = if settings.frame_ancestors.is_empty() {
        "'self'".to_owned()
    } else {
        settings.frame_ancestors.join(" ")
    };
    let connect: String = settings
        .connect_src
        .iter()
        .map(|s| format!(" {s}"))
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'{connect}; \
         frame-ancestors {ancestors}; base-uri 'self'; form-action 'self'; object-src 'none'"
    )
}

pub(crate) async fn security_headers(
    State(state): State<Shared>,
    req: Request,
    next: Next,
) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    if let Ok(v) = HeaderValue::from_str(&state.csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    resp
}

/// Whether the static folder may serve `uri_path`: every file the file server may open for it
/// (the path, or a folder's `index.html`, and their precompressed `.gz` and `.br` copies, which
/// it opens even where the plain file does not exist) resolves (links followed) inside the
/// folder, and to none of the database, its journal files, or the `private` files. A path
/// none of whose files exist is left to the file server (a 404).
pub fn static_path_allowed(
    dir: &Path,
    db: Option<&Path>,
    private: &[PathBuf],
    uri_path: &str,
) -> bool {
    let decoded = percent_encoding::percent_decode_str(uri_path).decode_utf8_lossy();
    if decoded.split(['/', '\\']).any(|seg| seg == "..") {
        return false;
    }
    let Ok(root) = dir.canonicalize() else {
        return false;
    };
    let mut candidate = root.join(decoded.trim_start_matches('/'));
    if candidate.is_dir() {
        candidate = candidate.join("index.html");
    }
    let database = db.and_then(|d| d.canonicalize().ok()).map(|d| {
        let name = d.to_string_lossy().into_owned();
        ["", "-wal", "-shm", "-journal"].map(|s| PathBuf::from(format!("{name}{s}")))
    });
    let forbidden: Vec<PathBuf> = database
        .into_iter()
        .flatten()
        .chain(private.iter().filter_map(|p| p.canonicalize().ok()))
        .collect();
    let name = candidate.as_os_str().to_owned();
    ["", ".gz", ".br"].iter().all(|suffix| {
        let mut path = name.clone();
        path.push(suffix);
        match Path::new(&path).canonicalize() {
            Ok(real) => real.starts_with(&root) && !forbidden.contains(&real),
            Err(_) => true,
        }
    })
}

/// The guard in front of the static folder (the router's fallback: it sees only the paths
/// no route takes).
pub(crate) async fn static_files(
    State(state): State<Shared>,
    req: Request,
    next: Next,
) -> Response {
    let s = &state.settings;
    if let Some(dir) = &s.static_dir {
        if !static_path_allowed(
            dir,
            s.db_path.as_deref(),
            &s.private_files,
            req.uri().path(),
        ) {
            return StatusCode::NOT_FOUND.into_response();
        }
    }
    // A pinned file of the widget (`rules::is_pinned_name`) never changes under its name: kept
    // for ever. The loader `nps-widget.js` names the release's pinned files: asked again each
    // time (a 304 when unchanged), so a new release reaches pages at once.
    // Only a plain name at the folder's root: nothing encoded, no subfolder.
    let path = req.uri().path();
    let name = path.strip_prefix('/').unwrap_or_default();
    let cache = if !path.contains('%') && nps_core::contract::rules::is_pinned_name(name) {
        Some("public, max-age=31536000, immutable")
    } else if name == crate::state::WIDGET_SCRIPT {
        Some("no-cache")
    } else {
        None
    };
    let mut response = next.run(req).await;
    if let (Some(cache), true) = (cache, response.status().is_success()) {
        response.headers_mut().insert(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static(cache),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_may_write() {
        let list = vec!["https://brand.example".to_owned()];
        let public = vec!["https://nps.brand.example".to_owned()];
        let check = |origin: &str, host: Option<&str>, want: bool| {
            assert_eq!(
                origin_allowed(&list, &public, origin, host),
                want,
                "{origin} {host:?}"
            )
        };
        check("https://brand.example", None, true);
        check("https://evil.example", None, false);
        // Behind TLS (a public origin is https), the Host counts under https only.
        check("https://127.0.0.1:8080", Some("127.0.0.1:8080"), true);
        check("http://127.0.0.1:8080", Some("127.0.0.1:8080"), false);
        check("http://nps.brand.example", Some("nps.brand.example"), false);
        check("https://127.0.0.1:9999", Some("127.0.0.1:8080"), false);
        assert!(origin_allowed(
            &[],
            &[],
            "http://127.0.0.1:8080",
            Some("127.0.0.1:8080")
        ));
        check("null", Some("127.0.0.1:8080"), false);
        // Behind a proxy that passes its own address as Host, the public origin is ours.
        check("https://nps.brand.example", Some("127.0.0.1:8080"), true);
        check(
            "https://nps.brand.example.evil",
            Some("127.0.0.1:8080"),
            false,
        );
        assert!(origin_allowed(
            &["*".into()],
            &[],
            "https://any.example",
            None
        ));
        assert!(!origin_allowed(
            &[],
            &["*".into()],
            "https://any.example",
            None
        ));
    }
}
