//! Kiosk timing, decided here for the widget's shell to carry out: on a shared device
//! (`kiosk_reset_s` > 0) the outcome gives way to a fresh survey after `kiosk_reset_s`, and a
//! follow-up left alone is cleared too, so nothing of one customer is left for the next.

use crate::config::Config;
use crate::survey::flow::Screen;

/// A follow-up left untouched this long (or `kiosk_reset_s`, if longer) is cleared.
pub const IDLE_MS: u32 = 90_000;

/// How often a follow-up is checked for idleness.
pub const IDLE_CHECK_MS: u32 = 5_000;

/// The timer a screen needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// Not a kiosk, or nothing to reset on this screen.
    None,
    /// Start afresh after this long.
    ResetAfter { ms: u32 },
    /// Every `every_ms`, start afresh if nothing was touched for `idle_ms` (`Timer::idle`).
    WatchIdle { every_ms: u32, idle_ms: u64 },
}

impl Timer {
    /// Whether a follow-up last touched at `last_touch` (ms) is idle at `now` (ms).
    pub fn idle(self, now: u64, last_touch: u64) -> bool {
        match self {
            Timer::WatchIdle { idle_ms, .. } => now.saturating_sub(last_touch) > idle_ms,
            _ => false,
        }
    }
}

/// The kiosk timer for a screen.
pub fn timer(cfg: &Config, screen: Screen) -> Timer {
    let reset_ms = cfg.kiosk_reset_s * 1000;
    match screen {
        _ if reset_ms == 0 => Timer::None,
        Screen::Done | Screen::AlreadyAnswered => Timer::ResetAfter { ms: reset_ms },
        Screen::FollowUp => Timer::WatchIdle {
            every_ms: IDLE_CHECK_MS,
            idle_ms: reset_ms.max(IDLE_MS) as u64,
        },
        Screen::Asking | Screen::Dismissed => Timer::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kiosk_resets_its_outcome_and_an_idle_follow_up() {
        let cfg = |reset_s: u32| {
            Config::from_json(
                &format!(r#"{{"endpoint": "/x", "kiosk_reset_s": {reset_s}}}"#),
                None,
            )
            .unwrap()
        };
        let watch = |idle_ms| Timer::WatchIdle {
            every_ms: IDLE_CHECK_MS,
            idle_ms,
        };
        for (reset_s, screen, want) in [
            (0, Screen::Done, Timer::None),
            (0, Screen::FollowUp, Timer::None),
            (20, Screen::Asking, Timer::None),
            (20, Screen::Dismissed, Timer::None),
            (20, Screen::Done, Timer::ResetAfter { ms: 20_000 }),
            (
                20,
                Screen::AlreadyAnswered,
                Timer::ResetAfter { ms: 20_000 },
            ),
            (20, Screen::FollowUp, watch(90_000)),
            (300, Screen::FollowUp, watch(300_000)),
        ] {
            assert_eq!(timer(&cfg(reset_s), screen), want, "{reset_s} {screen:?}");
        }
        assert!(!watch(90_000).idle(90_000, 0));
        assert!(watch(90_000).idle(90_001, 0));
        assert!(
            !watch(90_000).idle(5, 10),
            "a clock that went back is not idle"
        );
        assert!(!Timer::ResetAfter { ms: 1 }.idle(u64::MAX, 0));
    }
}
