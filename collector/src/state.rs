//! `AppState`: what every handler shares (the store, the settings, the rate limiter, the
//! sign-in throttle, the password slots, the pages' CSP, the widget's script, the names in force, the OpenID
//! provider), built once by `app`.

use std::sync::Arc;

use crate::{guard, sso, throttle::Throttle, RateLimiter, Settings, Store};

/// What every handler reads.
pub(crate) struct AppState {
    pub(crate) store: Store,
    pub(crate) settings: Settings,
    pub(crate) limiter: RateLimiter,
    /// New posters drawn per client (`Settings::poster_budget`).
    pub(crate) poster_budget: RateLimiter,
    /// Sign-in failures per account and client (`throttle`).
    pub(crate) throttle: Throttle,
    /// The password hashes and checks that may run at once (`password::Slots`).
    pub(crate) password_slots: crate::password::Slots,
    /// The `Content-Security-Policy` of every page (`guard::csp`).
    pub(crate) csp: String,
    /// The widget's script for the landing pages to take over with, when the static folder
    /// has it.
    pub(crate) widget_script: Option<String>,
    /// The names and org in force (`reload`): `settings.names` until a file is read again.
    names: crate::reload::Live,
    /// The OpenID provider of `--sso` (discovered at the first sign-in).
    pub(crate) oidc: Option<sso::Provider>,
    /// The server keys (`keys`), read from the store at their first use.
    keys: tokio::sync::OnceCell<crate::keys::Keys>,
}

/// The widget's script in the static folder.
pub(crate) const WIDGET_SCRIPT: &str = "nps-widget.js";

/// The state as the router holds it.
pub(crate) type Shared = Arc<AppState>;

impl AppState {
    pub(crate) fn new(store: Store, settings: Settings) -> Shared {
        let widget_script = settings
            .static_dir
            .as_ref()
            .filter(|d| d.join(WIDGET_SCRIPT).is_file())
            .map(|_| format!("/{WIDGET_SCRIPT}"));
        let names = match &settings.names_reload {
            Some(r) => r.live.clone(),
            None => crate::reload::Live::new(settings.names.clone()),
        };
        Arc::new(AppState {
            names,
            store,
            limiter: RateLimiter::new(settings.rate_limit),
            poster_budget: RateLimiter::new(
                settings
                    .poster_budget
                    .unwrap_or(crate::settings::POSTER_BUDGET),
            ),
            throttle: Throttle::default(),
            password_slots: crate::password::Slots::new(
                settings
                    .password_slots
                    .unwrap_or_else(crate::password::default_slots),
                crate::password::SLOT_WAIT,
            ),
            csp: guard::csp(&settings),
            oidc: settings.sso.clone().map(sso::Provider::new),
            settings,
            widget_script,
            keys: tokio::sync::OnceCell::new(),
        })
    }

    /// The server keys, read (or made) at the first call.
    pub(crate) async fn keys(&self) -> Result<&crate::keys::Keys, crate::storage::StoreError> {
        self.keys
            .get_or_try_init(|| crate::keys::Keys::load(&self.store))
            .await
    }

    /// The names and org in force now.
    pub(crate) fn names(&self) -> Arc<nps_core::scoring::analysis::Names> {
        self.names.get()
    }
}
