//! Who is asking: the client's address behind trusted proxies, and the key a rate limit
//! counts it under.
//!
//! Only a peer inside `--trusted-proxy` (CIDRs) is believed about the client, and only
//! through the one header the operator names (`--proxy-header`: `X-Forwarded-For` by
//! default, `Forwarded` (RFC 7239 `for=`) or `X-Real-IP`): the chain in it is read from the
//! right, past every trusted proxy, to the first address that is not one. Anything a client
//! writes further left, and every other forwarding header, is never read, so a client cannot
//! choose its own key.

use std::net::{IpAddr, Ipv6Addr};
use std::str::FromStr;

use axum::http::HeaderMap;
use ipnet::IpNet;

tokio::task_local! {
    /// The address on this machine a request's connection reached (set by `serve::serve`
    /// around each request; absent for a request handed to the router directly).
    pub static LOCAL_ADDR: std::net::SocketAddr;
}

/// The address on this machine the current request's connection reached, if served.
pub fn local_addr() -> Option<std::net::SocketAddr> {
    LOCAL_ADDR.try_with(|a| *a).ok()
}

/// The header a trusted proxy names the client in (`--proxy-header`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ProxyHeader {
    /// `X-Forwarded-For: client, proxy1` (nginx's `$proxy_add_x_forwarded_for`).
    #[default]
    XForwardedFor,
    /// `Forwarded: for=client, for=proxy1` (RFC 7239).
    Forwarded,
    /// `X-Real-IP: client` (nginx's `proxy_set_header X-Real-IP $remote_addr`).
    XRealIp,
}

impl ProxyHeader {
    /// Every accepted value, as written on the command line.
    pub const ALL: [ProxyHeader; 3] = [
        ProxyHeader::XForwardedFor,
        ProxyHeader::Forwarded,
        ProxyHeader::XRealIp,
    ];

    /// The header's name (lowercase), which is also its value for `--proxy-header`.
    pub fn name(self) -> &'static str {
        match self {
            ProxyHeader::XForwardedFor => "x-forwarded-for",
            ProxyHeader::Forwarded => "forwarded",
            ProxyHeader::XRealIp => "x-real-ip",
        }
    }
}

impl std::fmt::Display for ProxyHeader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ProxyHeader {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        ProxyHeader::ALL
            .into_iter()
            .find(|h| h.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                let names: Vec<&str> = ProxyHeader::ALL.iter().map(|h| h.name()).collect();
                format!(
                    "{s:?} is not a proxy header: expected one of {}",
                    names.join(", ")
                )
            })
    }
}

/// The client's address: the peer, or (when the peer is a trusted proxy) the nearest
/// untrusted address in the chain of `header`.
pub fn client_addr(
    peer: IpAddr,
    headers: &HeaderMap,
    trusted: &[IpNet],
    header: ProxyHeader,
) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let chain = forwarded_chain(headers, header);
    for ip in chain.iter().rev() {
        match ip {
            Some(ip) if is_trusted(ip) => continue,
            Some(ip) => return *ip,
            // An entry our proxy could not have written: stop believing the chain here.
            None => break,
        }
    }
    peer
}

/// The addresses in `header`, nearest last; `None` for an entry that is not an address
/// (`unknown`, an obfuscated name).
fn forwarded_chain(headers: &HeaderMap, header: ProxyHeader) -> Vec<Option<IpAddr>> {
    let entries = headers
        .get_all(header.name())
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim);
    match header {
        ProxyHeader::Forwarded => entries
            .map(|element| {
                element
                    .split(';')
                    .find_map(|pair| {
                        let (k, v) = pair.trim().split_once('=')?;
                        k.trim().eq_ignore_ascii_case("for").then(|| parse_node(v))
                    })
                    .flatten()
            })
            .collect(),
        ProxyHeader::XForwardedFor | ProxyHeader::XRealIp => entries.map(parse_node).collect(),
    }
}

/// An address as a proxy writes it: `192.0.2.1`, `192.0.2.1:80`, `2001:db8::1`,
/// `[2001:db8::1]:80`, quoted or not.
fn parse_node(s: &str) -> Option<IpAddr> {
    let s = s.trim().trim_matches('"');
    if let Ok(ip) = s.parse() {
        return Some(ip);
    }
    if let Some(rest) = s.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    s.rsplit_once(':')?.0.parse().ok()
}

/// The key a rate limit counts an address under: the address for IPv4, its /64 for IPv6
/// (one customer's device gets a whole /64).
pub fn limit_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(
                u128::from(v6) & 0xffff_ffff_ffff_ffff_0000_0000_0000_0000,
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    #[test]
    fn the_client_behind_trusted_proxies() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap(), "fd00::/8".parse().unwrap()];
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let check = |peer: &str, h: &[(&str, &str)], want: &str| {
            assert_eq!(
                client_addr(ip(peer), &headers(h), &trusted, ProxyHeader::default()),
                ip(want),
                "{peer} {h:?}"
            )
        };
        // An untrusted peer is the client, whatever it writes.
        check(
            "198.51.100.7",
            &[("x-forwarded-for", "203.0.113.5")],
            "198.51.100.7",
        );
        check(
            "10.0.0.1",
            &[("x-forwarded-for", "203.0.113.5")],
            "203.0.113.5",
        );
        // A client's own X-Forwarded-For is left of the address our proxy appended.
        check(
            "10.0.0.1",
            &[("x-forwarded-for", "1.2.3.4, 203.0.113.5")],
            "203.0.113.5",
        );
        // Two trusted proxies in a row.
        check(
            "10.0.0.1",
            &[("x-forwarded-for", "203.0.113.5, 10.0.0.9")],
            "203.0.113.5",
        );
        check("10.0.0.1", &[], "10.0.0.1");
        check(
            "fd00::1",
            &[("x-forwarded-for", "203.0.113.5:8080")],
            "203.0.113.5",
        );
    }

    /// Regression: a client's own `Forwarded: for=…` won over the proxy's X-Forwarded-For, so
    /// one host behind nginx picked its own rate-limit key.
    #[test]
    fn only_the_header_the_operator_names_is_read() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let forged = [
            ("forwarded", "for=198.51.100.99"),
            ("x-real-ip", "198.51.100.98"),
            ("x-forwarded-for", "198.51.100.97, 203.0.113.5"),
        ];
        let check = |header: ProxyHeader, h: &[(&str, &str)], want: &str| {
            assert_eq!(
                client_addr(ip("10.0.0.1"), &headers(h), &trusted, header),
                ip(want),
                "{header:?} {h:?}"
            )
        };
        // The proxy appended 203.0.113.5 to X-Forwarded-For; the client's Forwarded and
        // X-Real-IP are its own words.
        check(ProxyHeader::XForwardedFor, &forged, "203.0.113.5");
        let forwarded = [
            ("x-forwarded-for", "198.51.100.97"),
            ("x-real-ip", "198.51.100.98"),
            (
                "forwarded",
                "for=1.2.3.4, for=\"[2001:db8::1]:4711\";proto=https",
            ),
        ];
        check(ProxyHeader::Forwarded, &forwarded, "2001:db8::1");
        check(
            ProxyHeader::Forwarded,
            &[("forwarded", "for=unknown")],
            "10.0.0.1",
        );
        check(
            ProxyHeader::Forwarded,
            &[("x-forwarded-for", "203.0.113.5")],
            "10.0.0.1",
        );
        let real = [
            ("x-forwarded-for", "198.51.100.97"),
            ("forwarded", "for=198.51.100.99"),
            ("x-real-ip", "203.0.113.7"),
        ];
        check(ProxyHeader::XRealIp, &real, "203.0.113.7");
        // An untrusted peer is the client whichever header is named.
        for header in ProxyHeader::ALL {
            assert_eq!(
                client_addr(ip("198.51.100.7"), &headers(&forged), &trusted, header),
                ip("198.51.100.7")
            );
        }
    }

    #[test]
    fn a_proxy_header_is_one_of_three_names() {
        for header in ProxyHeader::ALL {
            assert_eq!(header.name().parse::<ProxyHeader>(), Ok(header));
        }
        assert_eq!("X-Real-IP".parse::<ProxyHeader>(), Ok(ProxyHeader::XRealIp));
        let e = "x-client-ip".parse::<ProxyHeader>().unwrap_err();
        assert_eq!(
            e,
            "\"x-client-ip\" is not a proxy header: expected one of x-forwarded-for, forwarded, x-real-ip"
        );
    }

    #[test]
    fn ipv6_is_limited_per_64() {
        let ip = |s: &str| limit_key(s.parse().unwrap());
        assert_eq!(ip("2001:db8:1:2::1"), ip("2001:db8:1:2:ffff::9"));
        assert_ne!(ip("2001:db8:1:2::1"), ip("2001:db8:1:3::1"));
        assert_eq!(ip("::ffff:192.0.2.1"), ip("192.0.2.1"));
        assert_ne!(ip("192.0.2.1"), ip("192.0.2.2"));
    }
}
