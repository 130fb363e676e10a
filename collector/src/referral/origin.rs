//! The origin a promoter's link, QR code and poster name: never chosen by the request.
//!
//! With `--public-origin`, its first one (what a real deployment behind TLS sets). Without
//! one (a trial on a laptop, the demo on a LAN), the address the request's connection reached
//! on this machine (`net::local_addr`): the request's `Host` is used only when it names that
//! address (`192.168.1.20:8080`, `[::1]:8080`; `localhost:8080` on a loopback one; without
//! the port on port 80), so a `Host: a1`, `a2`, … neither changes a link nor makes a new
//! poster to draw. A collector reached by a name (`http://nps.internal`) sets
//! `--public-origin` to it (docs/DEPLOY.md).

use std::net::{IpAddr, SocketAddr};

use axum::http::{header, HeaderMap};

use crate::state::AppState;

/// The collector's origin as a friend's phone reaches it (module docs).
pub(crate) fn origin(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(o) = state.settings.public_origins.first() {
        return o.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    own_origin(host, crate::net::local_addr())
}

/// `http://` and `host` when it names `local` (the address the connection reached), else
/// `local` itself; `http://localhost` when the address is not known (a request handed to the
/// router directly, as the tests do).
pub fn own_origin(host: &str, local: Option<SocketAddr>) -> String {
    let Some(local) = local else {
        return "http://localhost".into();
    };
    let ip = local.ip().to_canonical();
    let port = local.port();
    let at = SocketAddr::new(ip, port).to_string();
    let bare = match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    };
    let mut names = vec![at.clone()];
    if ip.is_loopback() {
        names.push(format!("localhost:{port}"));
    }
    if port == 80 {
        names.push(bare);
        if ip.is_loopback() {
            names.push("localhost".into());
        }
    }
    let host = host.trim().to_ascii_lowercase();
    let named = names.into_iter().find(|n| *n == host);
    format!("http://{}", named.unwrap_or(at))
}

#[cfg(test)]
mod tests {
    use super::own_origin;

    #[test]
    fn a_host_is_used_only_when_it_names_the_address_the_client_reached() {
        let lan = Some("192.168.1.20:8080".parse().unwrap());
        let loopback = Some("127.0.0.1:8080".parse().unwrap());
        let v6 = Some("[::1]:80".parse().unwrap());
        let mapped = Some("[::ffff:192.168.1.20]:80".parse().unwrap());
        let table = [
            ("192.168.1.20:8080", lan, "http://192.168.1.20:8080"),
            ("a1", lan, "http://192.168.1.20:8080"),
            ("evil.example:8080", lan, "http://192.168.1.20:8080"),
            ("localhost:8080", lan, "http://192.168.1.20:8080"),
            ("192.168.1.20", lan, "http://192.168.1.20:8080"),
            ("", lan, "http://192.168.1.20:8080"),
            ("LOCALHOST:8080", loopback, "http://localhost:8080"),
            ("127.0.0.1:8080", loopback, "http://127.0.0.1:8080"),
            ("localhost", loopback, "http://127.0.0.1:8080"),
            ("localhost", v6, "http://localhost"),
            ("[::1]", v6, "http://[::1]"),
            ("[::1]:80", v6, "http://[::1]:80"),
            ("a2", v6, "http://[::1]:80"),
            ("192.168.1.20", mapped, "http://192.168.1.20"),
            ("a3", mapped, "http://192.168.1.20:80"),
            ("nps.brand.example", None, "http://localhost"),
        ];
        for (host, local, want) in table {
            assert_eq!(own_origin(host, local), want, "{host} at {local:?}");
        }
    }
}
