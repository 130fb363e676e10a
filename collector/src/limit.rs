//! Posts per minute per client key (`net::limit_key`): a fixed one-minute window per key.
//!
//! The keys are spread over shards, each a map with at most `MAX_TRACKED / SHARDS` keys and
//! a queue of them in the order they came; a new key in a full shard evicts the oldest.
//! Every check is O(1) under one shard's lock: nothing is ever scanned on the request path.

use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasher;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);
/// Keys remembered at once, over all shards.
const MAX_TRACKED: usize = 100_000;
const SHARDS: usize = 16;

#[derive(Default)]
struct Shard {
    windows: HashMap<IpAddr, (Instant, u32)>,
    order: VecDeque<IpAddr>,
}

pub struct RateLimiter {
    per_minute: u32,
    shards: Vec<Mutex<Shard>>,
    hasher: std::collections::hash_map::RandomState,
}

impl RateLimiter {
    /// `per_minute` of 0 turns limiting off.
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter {
            per_minute,
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
            hasher: Default::default(),
        }
    }

    /// `Ok` to go ahead, or `Err(seconds)` until the key may post again.
    pub fn check(&self, key: IpAddr, now: Instant) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let shard = &self.shards[self.hasher.hash_one(key) as usize % SHARDS];
        let mut s = shard.lock().unwrap_or_else(|p| p.into_inner());
        if !s.windows.contains_key(&key) {
            if s.windows.len() >= MAX_TRACKED / SHARDS {
                if let Some(oldest) = s.order.pop_front() {
                    s.windows.remove(&oldest);
                }
            }
            s.order.push_back(key);
        }
        let entry = s.windows.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        if entry.1 >= self.per_minute {
            let left = WINDOW.saturating_sub(now.duration_since(entry.0));
            return Err(left.as_secs().max(1));
        }
        entry.1 += 1;
        Ok(())
    }

    /// Keys remembered now (bounded by `MAX_TRACKED`).
    pub fn tracked(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().map_or(0, |s| s.windows.len()))
            .sum()
    }
}

/// The key a request from `peer` is limited under: its client (behind trusted proxies) as
/// `net::limit_key` counts it; `None` when the peer is not known (a request handed to the
/// router directly), which no limit counts.
pub(crate) fn client_key(
    settings: &crate::Settings,
    peer: Option<IpAddr>,
    headers: &axum::http::HeaderMap,
) -> Option<IpAddr> {
    let client = crate::net::client_addr(
        peer?,
        headers,
        &settings.trusted_proxies,
        settings.proxy_header,
    );
    Some(crate::net::limit_key(client))
}

/// A 429 saying `message`, with `Retry-After: wait_s`.
pub(crate) fn too_many(message: String, wait_s: u64) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut resp = crate::ApiError::new(
        axum::http::StatusCode::TOO_MANY_REQUESTS,
        "rate_limit",
        message,
    )
    .into_response();
    resp.headers_mut().insert(
        axum::http::header::RETRY_AFTER,
        axum::http::HeaderValue::from(wait_s),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_key_per_minute() {
        let l = RateLimiter::new(2);
        let t0 = Instant::now();
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        assert_eq!(l.check(a, t0), Ok(()));
        assert_eq!(l.check(a, t0), Ok(()));
        assert_eq!(l.check(a, t0 + Duration::from_secs(10)), Err(50));
        assert_eq!(l.check(b, t0), Ok(()));
        assert_eq!(l.check(a, t0 + WINDOW), Ok(()));
    }

    #[test]
    fn zero_turns_it_off() {
        let l = RateLimiter::new(0);
        let a: IpAddr = "::1".parse().unwrap();
        for _ in 0..10_000 {
            assert_eq!(l.check(a, Instant::now()), Ok(()));
        }
    }

    #[test]
    fn the_map_stays_bounded() {
        let l = RateLimiter::new(5);
        let now = Instant::now();
        for i in 0..(MAX_TRACKED as u32 + 5_000) {
            let _ = l.check(IpAddr::V4(i.into()), now);
        }
        assert!(l.tracked() <= MAX_TRACKED, "{}", l.tracked());
    }
}
