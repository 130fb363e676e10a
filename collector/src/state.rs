//! `AppState`: what every handler shares (the store, the settings, the rate limiter, the
//! pages' CSP, the widget's script, the OpenID provider), built once by `app`.

use std::sync::Arc;

use crate::{guard, sso, RateLimiter, Settings, Store};

/// What every handler reads.
pub(crate) struct AppState {
    pub(crate) store: Store,
    pub(crate) settings: Settings,
    pub(crate) limiter: RateLimiter,
    /// The `Content-Security-Policy` of every page (`guard::csp`).
    pub(crate) csp: String,
    /// The widget's script for the landing pages to take over with, when the static folder
    /// has it.
    pub(crate) widget_script: Option<String>,
    /// The OpenID provider of `--sso` (discovered at the first sign-in).
    pub(crate) oidc: Option<sso::Provider>,
}

/// The widget's script in the static folder.
const WIDGET_SCRIPT: &str = "nps-widget.js";

/// The state as the router holds it.
pub(crate) type Shared = Arc<AppState>;

impl AppState {
    pub(crate) fn new(store: Store, settings: Settings) -> Shared {
        let widget_script = settings
            .static_dir
            .as_ref()
            .filter(|d| d.join(WIDGET_SCRIPT).is_file())
            .map(|_| format!("/{WIDGET_SCRIPT}"));
        Arc::new(AppState {
            store,
            limiter: RateLimiter::new(settings.rate_limit),
            csp: guard::csp(&settings),
            oidc: settings.sso.clone().map(sso::Provider::new),
            settings,
            widget_script,
        })
    }
}
