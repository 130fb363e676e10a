//! Who sent an answer, as the coaching flags compare it: the client's address (through
//! `--trusted-proxy`, `net::client_addr`) and its `User-Agent`, turned into the device's and
//! the network's marks (`keys::Keys`) when the answer is stored. Neither the address nor the
//! browser's name is kept.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;

use crate::state::{AppState, Shared};
use crate::storage::Marks;

/// The sender of a post (an extractor that never fails).
#[derive(Clone, Debug, Default)]
pub struct Sender {
    ip: Option<IpAddr>,
    user_agent: String,
}

impl Sender {
    /// No sender known (an import, a test): no marks.
    pub fn unknown() -> Sender {
        Sender::default()
    }

    /// A sender at `ip` with `user_agent`.
    pub fn at(ip: IpAddr, user_agent: &str) -> Sender {
        Sender {
            ip: Some(ip),
            user_agent: user_agent.to_owned(),
        }
    }

    /// The marks to store with its answer; `None` without an address, or when the keys cannot
    /// be read (logged: the answer is stored all the same).
    pub(crate) async fn marks(&self, state: &AppState) -> Option<Marks> {
        let ip = self.ip?;
        match state.keys().await {
            Ok(k) => Marks::of(&k.device(ip, &self.user_agent), &k.net(ip)),
            Err(e) => {
                tracing::error!(error = %e, "the server keys could not be read: an answer without marks");
                None
            }
        }
    }
}

impl FromRequestParts<Shared> for Sender {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Infallible> {
        let Some(peer) = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
        else {
            return Ok(Sender::unknown());
        };
        let s = &state.settings;
        let ip = crate::net::client_addr(peer, &parts.headers, &s.trusted_proxies, s.proxy_header);
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        Ok(Sender::at(ip, user_agent))
    }
}
