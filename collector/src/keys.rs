//! Keyed marks the collector makes with its server keys (`Store::server_key`): a device's and
//! a network's mark, which the coaching flags compare and a referral's opens are counted once
//! by, and the tag of a referral code. A mark is an HMAC: it tells two requests from one
//! device or network apart from others without keeping an address or a browser's name.

use std::net::IpAddr;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::storage::{Now, Store, StoreError};

/// The keys, loaded once per process (`AppState::keys`).
pub struct Keys {
    device: Vec<u8>,
    referral: Vec<u8>,
}

/// The hex digits a mark keeps (64 bits: no collision among a brand's devices matters).
const MARK_HEX: usize = 16;

impl Keys {
    /// Reads the keys, making those no collector has made yet.
    pub async fn load(store: &Store) -> Result<Keys, StoreError> {
        let now = Now::system();
        Ok(Keys {
            device: store.server_key("device", &now).await?,
            referral: store.server_key("referral", &now).await?,
        })
    }

    fn mac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("any key length");
        for p in parts {
            mac.update(&(p.len() as u64).to_be_bytes());
            mac.update(p);
        }
        mac.finalize().into_bytes().into()
    }

    fn hex(bytes: &[u8]) -> String {
        let mut s: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        s.truncate(MARK_HEX);
        s
    }

    /// One device: its address and its browser's `User-Agent`.
    pub fn device(&self, ip: IpAddr, user_agent: &str) -> String {
        Self::hex(&Self::mac(
            &self.device,
            &[b"device", ip.to_string().as_bytes(), user_agent.as_bytes()],
        ))
    }

    /// One network: an IPv4 address's /24, an IPv6 address's /64 (one subnet: a store's
    /// Wi-Fi; a /48 is a whole site or a carrier's block of many subscribers).
    pub fn net(&self, ip: IpAddr) -> String {
        Self::hex(&Self::mac(&self.device, &[b"net", prefix(ip).as_bytes()]))
    }

    /// A browser's first-party referral cookie (`referral::DEVICE_COOKIE`, a random value and
    /// its `cookie_tag`): the main mark of a device that opens a referral link.
    pub fn cookie_device(&self, cookie: &str) -> String {
        Self::hex(&Self::mac(&self.device, &[b"cookie", cookie.as_bytes()]))
    }

    /// The tag that signs a referral cookie's random part (128 bits, 32 hex digits): a
    /// cookie is one this collector gave only when its tag is this (`referral::device`).
    pub fn cookie_tag(&self, random: &str) -> String {
        let mac = Self::mac(&self.device, &[b"cookie-tag", random.as_bytes()]);
        mac[..16].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// A referral open's network: an IPv4 address's /24, an IPv6 address's /64 (as `net`'s
    /// prefix, under its own label: the two marks never compare).
    pub fn open_net(&self, ip: IpAddr) -> String {
        Self::hex(&Self::mac(
            &self.device,
            &[b"open-net", prefix(ip).as_bytes()],
        ))
    }

    /// A device without its cookie: its network (`open_net`'s prefix) and its browser's
    /// steady name (`growth::referral::steady_agent`: WeChat's `NetType/…` and `Language/…`
    /// left out, so a phone moving from Wi-Fi to 4G in one network keeps its mark).
    pub fn fallback_device(&self, ip: IpAddr, user_agent: &str) -> String {
        let agent = nps_core::growth::referral::steady_agent(user_agent);
        Self::hex(&Self::mac(
            &self.device,
            &[b"fallback", prefix(ip).as_bytes(), agent.as_bytes()],
        ))
    }

    /// Keys for unit tests (both made from `seed`).
    #[cfg(test)]
    pub(crate) fn for_tests(seed: &[u8]) -> Keys {
        Keys {
            device: [seed, b"-device"].concat(),
            referral: [seed, b"-referral"].concat(),
        }
    }

    /// The tag of a referral code's random part (the full 32 bytes; the code keeps a prefix).
    pub fn referral_tag(&self, random: &[u8]) -> [u8; 32] {
        Self::mac(&self.referral, &[b"referral", random])
    }
}

/// An address's network: the /24 of an IPv4 address, the /64 of an IPv6 one.
fn prefix(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            format!("{}.{}.{}.0/24", o[0], o[1], o[2])
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Keys {
        Keys {
            device: b"device-key".to_vec(),
            referral: b"referral-key".to_vec(),
        }
    }

    #[test]
    fn a_mark_tells_devices_and_networks_apart_without_the_address() {
        let k = keys();
        let a: IpAddr = "203.0.113.7".parse().unwrap();
        let b: IpAddr = "203.0.113.99".parse().unwrap();
        let c: IpAddr = "198.51.100.7".parse().unwrap();
        assert_eq!(k.device(a, "UA"), k.device(a, "UA"));
        assert_ne!(k.device(a, "UA"), k.device(a, "UA2"));
        assert_ne!(k.device(a, "UA"), k.device(b, "UA"));
        assert_eq!(k.net(a), k.net(b), "one /24");
        assert_ne!(k.net(a), k.net(c));
        assert_eq!(k.device(a, "UA").len(), MARK_HEX);
        assert!(!k.device(a, "UA").contains("203"));
        let v6a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let v6b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let v6c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(k.net(v6a), k.net(v6b), "one /64");
        assert_ne!(k.net(v6a), k.net(v6c), "two subscribers' /64s of one /48");
        // Another key, other marks.
        let other = Keys {
            device: b"other".to_vec(),
            referral: b"x".to_vec(),
        };
        assert_ne!(k.device(a, "UA"), other.device(a, "UA"));
    }

    #[test]
    fn a_referral_device_is_its_cookie_else_its_network_and_steady_browser() {
        let k = keys();
        assert_eq!(k.cookie_device("abc"), k.cookie_device("abc"));
        assert_ne!(k.cookie_device("abc"), k.cookie_device("abd"));
        let a: IpAddr = "203.0.113.7".parse().unwrap();
        let b: IpAddr = "203.0.113.99".parse().unwrap();
        let c: IpAddr = "198.51.100.7".parse().unwrap();
        let wifi = "Mozilla/5.0 (iPhone) MicroMessenger/8.0 NetType/WIFI Language/zh_CN";
        let g4 = "Mozilla/5.0 (iPhone) MicroMessenger/8.0 NetType/4G Language/zh_CN";
        assert_eq!(k.fallback_device(a, wifi), k.fallback_device(b, g4));
        assert_ne!(k.fallback_device(a, wifi), k.fallback_device(c, wifi));
        assert_ne!(
            k.fallback_device(a, wifi),
            k.fallback_device(a, "Mozilla/5.0 (Android)")
        );
        assert_eq!(k.open_net(a), k.open_net(b));
        assert_ne!(k.open_net(a), k.open_net(c));
        let v6a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let v6b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let v6c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(k.open_net(v6a), k.open_net(v6b), "one /64");
        assert_ne!(k.open_net(v6a), k.open_net(v6c), "another /64");
        assert_ne!(k.cookie_device("abc"), k.device(a, "abc"));
    }
}
