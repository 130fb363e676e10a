//! Posts per minute per client address: a fixed one-minute window per address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);
/// Addresses remembered at once; older windows are dropped past this.
const MAX_TRACKED: usize = 100_000;

pub struct RateLimiter {
    per_minute: u32,
    windows: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl RateLimiter {
    /// `per_minute` of 0 turns limiting off.
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter {
            per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// `Ok` to go ahead, or `Err(seconds)` until the address may post again.
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let mut w = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if w.len() >= MAX_TRACKED {
            w.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = w.entry(ip).or_insert((now, 0));
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_address_per_minute() {
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
}
