//! A browser as a referral knows it (`Device`): its first-party cookie `nps_rd` (a random
//! value signed with the collector's device key, `Path=/r`, `HttpOnly`, `SameSite=Lax`,
//! nothing personal) as the main mark, and its cookie-less mark (network /24 or /64 and the
//! browser's steady name) and network's mark for a browser without it (a cookie the
//! collector did not sign, a made-up one, is no cookie); whether a request is a person opening a link (`a_person_opens`, not
//! a crawler or a chat app's preview); the local day the day's counts are kept by.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, HeaderValue};
use subtle::ConstantTimeEq;

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

/// The referral cookie: a browser's random mark and its tag (`Keys::cookie_tag`), sent back
/// to `/r/` only.
pub const DEVICE_COOKIE: &str = "nps_rd";
/// The hex digits of the cookie's random part, then of its tag.
const RANDOM_HEX: usize = 32;
const TAG_HEX: usize = 32;
/// How long a browser keeps its referral cookie: a year.
const DEVICE_COOKIE_MAX_AGE: Duration = Duration::from_secs(365 * 86_400);

/// A browser as a referral knows it: its cookie (made now when it came without one the
/// collector signed) and the marks of it (`Keys`).
pub(crate) struct Device {
    pub cookie: String,
    /// The browser came without a cookie the collector signed: the cookie was made now.
    pub new_cookie: bool,
    /// The cookie's mark.
    pub mark: String,
    /// The cookie-less mark: network and steady browser name.
    pub fallback: String,
    /// The network's mark.
    pub net: String,
}

impl Device {
    /// Whether this is the promoter's device of `r`: their cookie, or, for a browser that came
    /// without a cookie the collector signed, their cookie-less mark (a friend with a cookie of
    /// their own on the promoter's Wi-Fi with the same phone is a friend).
    pub fn owns(&self, r: &Referral) -> bool {
        r.device.as_deref() == Some(self.mark.as_str())
            || (self.new_cookie && r.device_fallback.as_deref() == Some(self.fallback.as_str()))
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

/// A new referral cookie: a random part and its tag.
fn new_cookie(keys: &crate::keys::Keys) -> String {
    let random = crate::write_key::fresh();
    let tag = keys.cookie_tag(&random);
    format!("{random}{tag}")
}

/// Whether `value` is a cookie this collector gave: its shape, then its tag in constant time.
fn signed(keys: &crate::keys::Keys, value: &str) -> bool {
    let lower_hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
    if value.len() != RANDOM_HEX + TAG_HEX || !value.bytes().all(lower_hex) {
        return false;
    }
    let (random, tag) = value.split_at(RANDOM_HEX);
    keys.cookie_tag(random)
        .as_bytes()
        .ct_eq(tag.as_bytes())
        .into()
}

/// The referral cookie a request carries, if the collector signed it; any other (made up, or
/// given before cookies were signed) is none.
fn device_cookie(keys: &crate::keys::Keys, headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, value)| *name == DEVICE_COOKIE && signed(keys, value))
        .map(|(_, value)| value.to_owned())
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
    let (cookie, new_cookie) = match device_cookie(keys, headers) {
        Some(c) => (c, false),
        None => (self::new_cookie(keys), true),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Keys;

    fn with_cookie(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        let c = format!("other=1; {DEVICE_COOKIE}={value}");
        h.insert(header::COOKIE, HeaderValue::from_str(&c).unwrap());
        h
    }

    #[test]
    fn only_a_cookie_the_collector_signed_is_a_cookie() {
        let keys = Keys::for_tests(b"one");
        let cookie = new_cookie(&keys);
        assert_eq!(cookie.len(), RANDOM_HEX + TAG_HEX);
        assert_eq!(
            device_cookie(&keys, &with_cookie(&cookie)),
            Some(cookie.clone())
        );
        assert_ne!(new_cookie(&keys), cookie, "random");
        // Another collector's key, a made-up 32-hex value (the shape cookies had before they
        // were signed), a changed digit, upper case, a cut or a longer one: none.
        assert_eq!(
            device_cookie(&Keys::for_tests(b"two"), &with_cookie(&cookie)),
            None
        );
        let forged = "0123456789abcdef0123456789abcdef";
        assert_eq!(device_cookie(&keys, &with_cookie(forged)), None);
        for i in [0, RANDOM_HEX, cookie.len() - 1] {
            let mut b = cookie.clone().into_bytes();
            b[i] = if b[i] == b'0' { b'1' } else { b'0' };
            let changed = String::from_utf8(b).unwrap();
            assert_eq!(device_cookie(&keys, &with_cookie(&changed)), None, "{i}");
        }
        let upper = cookie.to_ascii_uppercase();
        assert_eq!(device_cookie(&keys, &with_cookie(&upper)), None);
        assert_eq!(
            device_cookie(&keys, &with_cookie(&cookie[..RANDOM_HEX])),
            None
        );
        assert_eq!(
            device_cookie(&keys, &with_cookie(&format!("{cookie}0"))),
            None
        );
        assert_eq!(device_cookie(&keys, &HeaderMap::new()), None);
    }

    fn referral(device: &str, fallback: &str) -> Referral {
        Referral {
            code: "c".into(),
            response_id: "r".into(),
            survey: "s".into(),
            store: None,
            advisor: None,
            visit: None,
            device: Some(device.into()),
            device_fallback: Some(fallback.into()),
            created_ns: 0,
            shared_ns: None,
            name: None,
        }
    }

    fn dev(mark: &str, fallback: &str, new_cookie: bool) -> Device {
        Device {
            cookie: String::new(),
            new_cookie,
            mark: mark.into(),
            fallback: fallback.into(),
            net: "net".into(),
        }
    }

    #[test]
    fn the_cookie_less_mark_is_the_promoters_only_for_a_browser_without_a_cookie() {
        let r = referral("promoter", "office-iphone");
        assert!(dev("promoter", "elsewhere", false).owns(&r), "their cookie");
        assert!(
            dev("new", "office-iphone", true).owns(&r),
            "cookies cleared"
        );
        assert!(
            !dev("friend", "office-iphone", false).owns(&r),
            "a friend with their own cookie on the same Wi-Fi and phone"
        );
        assert!(!dev("new", "elsewhere", true).owns(&r));
    }
}
