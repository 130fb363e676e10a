//! Who is asking: the client's address behind trusted proxies, and the key a rate limit
//! counts it under.
//!
//! Only a peer inside `--trusted-proxy` (CIDRs) is believed about the client: then the chain
//! in `Forwarded` (RFC 7239 `for=`) or `X-Forwarded-For` is read from the right, past every
//! trusted proxy, to the first address that is not one. Anything a client writes further
//! left is never read, so it cannot choose its own key.

use std::net::{IpAddr, Ipv6Addr};

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The client's address: the peer, or (when the peer is a trusted proxy) the nearest
/// untrusted address in the forwarding chain.
pub fn client_addr(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let chain = forwarded_chain(headers);
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

/// The addresses of `Forwarded: for=…` (or, without it, `X-Forwarded-For`), nearest last;
/// `None` for an entry that is not an address (`unknown`, an obfuscated name).
fn forwarded_chain(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|s| s.trim().to_owned())
            .collect()
    };
    let forwarded = values("forwarded");
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .map(|element| {
                element
                    .split(';')
                    .find_map(|pair| {
                        let (k, v) = pair.trim().split_once('=')?;
                        k.eq_ignore_ascii_case("for").then(|| parse_node(v))
                    })
                    .flatten()
            })
            .collect();
    }
    values("x-forwarded-for")
        .iter()
        .map(|s| parse_node(s))
        .collect()
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
                client_addr(ip(peer), &headers(h), &trusted),
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
        check(
            "10.0.0.1",
            &[(
                "forwarded",
                "for=1.2.3.4, for=\"[2001:db8::1]:4711\";proto=https",
            )],
            "2001:db8::1",
        );
        check("10.0.0.1", &[("forwarded", "for=unknown")], "10.0.0.1");
        check("10.0.0.1", &[], "10.0.0.1");
        check(
            "fd00::1",
            &[("x-forwarded-for", "203.0.113.5:8080")],
            "203.0.113.5",
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
