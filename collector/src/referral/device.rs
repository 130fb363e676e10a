//! A browser as a referral knows it (`Device`): its first-party cookie `nps_rd` (a random
//! value, `Path=/r`, `HttpOnly`, `SameSite=Lax`, nothing personal) as the main mark, and its
//! cookie-less mark (network /24 or /64 and the browser's steady name) and network's mark for
//! a browser without it; whether a request is a person opening a link (`a_person_opens`, not
//! a crawler or a chat app's preview); the local day the day's counts are kept by.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, HeaderValue};

use crate::landing;
use crate::state::AppState;
use crate::storage::{Now, OpenMarks, Referral};

/// The connection's peer, when the server gave it (`serve` does; a test's request may not).
pub(crate) struct Peer(pub Option<SocketAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Peer, Self::Rejection> {
        Ok(Peer(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0),
        ))
    }
}

/// The referral cookie: a browser's random mark, sent back to `/r/` only.
pub const DEVICE_COOKIE: &str = "nps_rd";
/// How long a browser keeps its referral cookie: a year.
const DEVICE_COOKIE_MAX_AGE: Duration = Duration::from_secs(365 * 86_400);

/// A browser as a referral knows it: its cookie (made now when it came without one) and the
/// marks of it (`Keys`).
pub(crate) struct Device {
    pub cookie: String,
    pub new_cookie: bool,
    /// The cookie's mark.
    pub mark: String,
    /// The cookie-less mark: network and steady browser name.
    pub fallback: String,
    /// The network's mark.
    pub net: String,
}

impl Device {
    /// Whether this is the promoter's device of `r`: their cookie, or their cookie-less mark.
    pub fn owns(&self, r: &Referral) -> bool {
        r.device.as_deref() == Some(self.mark.as_str())
            || r.device_fallback.as_deref() == Some(self.fallback.as_str())
    }

    pub fn marks(&self) -> OpenMarks<'_> {
        OpenMarks {
            device: &self.mark,
            fallback: &self.fallback,
            net: &self.net,
            new_cookie: self.new_cookie,
        }
    }

    /// The `Set-Cookie` that keeps the cookie (`Secure` when the collector is reached over TLS).
    pub fn set_cookie(&self, state: &AppState, headers: &HeaderMap) -> Option<HeaderValue> {
        let tls = state
            .settings
            .public_origins
            .first()
            .is_some_and(|o| o.starts_with("https:"));
        let secure = if tls {
            "; Secure"
        } else {
            landing::secure_attr(headers)
        };
        HeaderValue::from_str(&format!(
            "{DEVICE_COOKIE}={}; Path=/r; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
            self.cookie,
            DEVICE_COOKIE_MAX_AGE.as_secs()
        ))
        .ok()
    }
}

/// The referral cookie a request carries, if it has the shape the collector gives it.
fn device_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, value)| {
            *name == DEVICE_COOKIE
                && value.len() == 32
                && value.bytes().all(|b| b.is_ascii_hexdigit())
        })
        .map(|(_, value)| value.to_ascii_lowercase())
}

/// The client's device: its referral cookie (else a new one), and its address (through
/// trusted proxies) and browser for the cookie-less and network marks.
pub(crate) fn device(
    state: &AppState,
    keys: &crate::keys::Keys,
    peer: Option<SocketAddr>,
    headers: &HeaderMap,
) -> Device {
    let peer = peer.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |p| p.ip());
    let s = &state.settings;
    let ip = crate::net::client_addr(peer, headers, &s.trusted_proxies, s.proxy_header);
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let (cookie, new_cookie) = match device_cookie(headers) {
        Some(c) => (c, false),
        None => (crate::write_key::fresh(), true),
    };
    Device {
        mark: keys.cookie_device(&cookie),
        fallback: keys.fallback_device(ip, ua),
        net: keys.open_net(ip),
        cookie,
        new_cookie,
    }
}

/// The local day (days since the epoch in the alerts' offset) of `now`, and when it began.
pub(crate) fn local_day(state: &AppState, now: &Now) -> (i64, i64) {
    const DAY_NS: i64 = 86_400_000_000_000;
    let offset_ns = i64::from(state.settings.config().utc_offset_minutes()) * 60_000_000_000;
    let day = (now.ns + offset_ns).div_euclid(DAY_NS);
    (day, day * DAY_NS - offset_ns)
}

/// Whether a request is a person opening the link in a browser: a page load (a browser that
/// says what it fetches says `document`: never an image, a script or a frame another page
/// embeds), not a chat app's link preview or a crawler (`growth::referral::is_crawler`).
pub(crate) fn a_person_opens(headers: &HeaderMap) -> bool {
    let text = |h: &str| headers.get(h).and_then(|v| v.to_str().ok()).unwrap_or("");
    let dest = text("sec-fetch-dest");
    let ua = text("user-agent");
    (dest.is_empty() || dest == "document")
        && !ua.is_empty()
        && !nps_core::growth::referral::is_crawler(ua)
}
