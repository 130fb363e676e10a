//! Whether this browser is asked now: one decision table over the config and what the
//! browser remembers (`marks`). The shell reads the marks, calls `decide`, and arms the
//! survey's trigger only for `Gate::Ask`.
//!
//! | row | when                                                        | gate               |
//! |-----|-------------------------------------------------------------|--------------------|
//! | 1   | `force`                                                     | Ask                |
//! | 2   | kiosk mode                                                  | Ask                |
//! | 3   | `once` and this visit was answered                          | AlreadyAnswered    |
//! | 4   | `trigger: click` (the customer asked for it)                | Ask                |
//! | 4b  | the page names a visit (a QR code handed to this customer)  | Ask                |
//! | 5   | `once`, answered within `throttle_answered_days`, inline    | AlreadyAnswered    |
//! | 6   | `once`, answered within `throttle_answered_days`            | AnsweredRecently   |
//! | 7   | a modal or slide-in closed unanswered within `throttle_dismissed_days` | DismissedRecently |
//! | 8   | the browser's draw is not below `sample_rate`               | NotSampled         |
//! | 9   | otherwise                                                   | Ask                |
//!
//! A visit (a QR code's repair order) is asked once whatever the trigger, and each visit is
//! asked (two repair orders, two answers); a brand site's survey is throttled and sampled,
//! except when the customer clicks for it. An inline survey
//! is part of the page: answered, it says so rather than leave a hole; its closing (by the
//! page's code) does not hide it from the next page. A modal or slide-in stays away.

use crate::config::{Config, Mode, Trigger};
use crate::survey::marks::{Mark, DRAW_SCALE};

/// What the browser remembers about a survey.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Memory {
    /// The page names a visit.
    pub visit: bool,
    /// This page's visit was answered (its mark still holds).
    pub visit_answered: bool,
    /// The survey was last answered in this browser.
    pub answered: Option<Mark>,
    /// The survey was last closed unanswered in this browser.
    pub dismissed: Option<Mark>,
    /// The browser's sample draw, `0..DRAW_SCALE`.
    pub draw: u32,
}

/// The decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    Ask,
    AlreadyAnswered,
    AnsweredRecently,
    DismissedRecently,
    NotSampled,
}

impl Gate {
    /// Why a survey is not shown, for the page's developer (`debug`).
    pub fn why(self) -> &'static str {
        match self {
            Gate::Ask => "asked",
            Gate::AlreadyAnswered => "this visit or survey was already answered in this browser",
            Gate::AnsweredRecently => {
                "answered in this browser within throttle_answered_days (force: true to test)"
            }
            Gate::DismissedRecently => {
                "closed unanswered in this browser within throttle_dismissed_days (force: true to test)"
            }
            Gate::NotSampled => "this browser is outside sample_rate (force: true to test)",
        }
    }
}

/// Whether a draw (`0..DRAW_SCALE`) falls in a sample of `rate` (0 to 1).
pub fn sampled(rate: f64, draw: u32) -> bool {
    (draw as f64) < rate * DRAW_SCALE as f64
}

/// The table above; `now` in wall-clock ms.
pub fn decide(cfg: &Config, m: &Memory, now: u64) -> Gate {
    let answered_recently = cfg.once
        && m.answered
            .is_some_and(|a| a.within_days(cfg.throttle_answered_days, now));
    let dismissed_recently = cfg.mode != Mode::Inline
        && m.dismissed
            .is_some_and(|d| d.within_days(cfg.throttle_dismissed_days, now));
    if !crate::survey::marks::kept(cfg) {
        Gate::Ask
    } else if cfg.once && m.visit_answered {
        Gate::AlreadyAnswered
    } else if cfg.trigger == Trigger::Click || m.visit {
        Gate::Ask
    } else if answered_recently && cfg.mode == Mode::Inline {
        Gate::AlreadyAnswered
    } else if answered_recently {
        Gate::AnsweredRecently
    } else if dismissed_recently {
        Gate::DismissedRecently
    } else if !sampled(cfg.sample_rate, m.draw) {
        Gate::NotSampled
    } else {
        Gate::Ask
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const DAY: u64 = 24 * 3600 * 1000;
    const NOW: u64 = 1_800_000_000_000;

    fn cfg(extra: serde_json::Value) -> Config {
        let mut obj = json!({"endpoint": "/x", "mode": "slide-in"});
        for (k, v) in extra.as_object().unwrap() {
            obj[k] = v.clone();
        }
        Config::from_object(obj.as_object().unwrap(), None).unwrap()
    }

    fn days_ago(d: u64) -> Option<Mark> {
        Some(Mark::new(NOW - d * DAY, 365 * DAY))
    }

    #[test]
    fn the_table_row_by_row() {
        let answered = Memory {
            answered: days_ago(10),
            ..Memory::default()
        };
        let visit = Memory {
            visit: true,
            visit_answered: true,
            ..answered
        };
        let next_visit = Memory {
            visit: true,
            visit_answered: false,
            ..answered
        };
        let dismissed = Memory {
            dismissed: days_ago(3),
            ..Memory::default()
        };
        let out_of_sample = Memory {
            draw: 600_000,
            ..Memory::default()
        };
        let rows: &[(&str, serde_json::Value, Memory, Gate)] = &[
            ("1 force", json!({"force": true}), visit, Gate::Ask),
            ("2 kiosk", json!({"kiosk_reset_s": 20}), visit, Gate::Ask),
            ("3 visit", json!({}), visit, Gate::AlreadyAnswered),
            (
                "3 visit, click",
                json!({"trigger": "click", "click_selector": "#f"}),
                visit,
                Gate::AlreadyAnswered,
            ),
            (
                "3 visit, not once",
                json!({"once": false}),
                visit,
                Gate::Ask,
            ),
            ("4b another visit", json!({}), next_visit, Gate::Ask),
            (
                "4b another visit, sampled out",
                json!({"sample_rate": 0}),
                next_visit,
                Gate::Ask,
            ),
            (
                "4 click",
                json!({"trigger": "click", "click_selector": "#f"}),
                answered,
                Gate::Ask,
            ),
            (
                "4 click, sampled out",
                json!({"trigger": "click", "click_selector": "#f", "sample_rate": 0.1}),
                out_of_sample,
                Gate::Ask,
            ),
            (
                "5 inline",
                json!({"mode": "inline"}),
                answered,
                Gate::AlreadyAnswered,
            ),
            ("6 answered", json!({}), answered, Gate::AnsweredRecently),
            (
                "6 manual too",
                json!({"trigger": "manual"}),
                answered,
                Gate::AnsweredRecently,
            ),
            (
                "6 past its days",
                json!({"throttle_answered_days": 7}),
                answered,
                Gate::Ask,
            ),
            (
                "6 days 0",
                json!({"throttle_answered_days": 0}),
                answered,
                Gate::Ask,
            ),
            ("6 not once", json!({"once": false}), answered, Gate::Ask),
            ("7 dismissed", json!({}), dismissed, Gate::DismissedRecently),
            (
                "7 past its days",
                json!({"throttle_dismissed_days": 2}),
                dismissed,
                Gate::Ask,
            ),
            (
                "7 not inline",
                json!({"mode": "inline"}),
                dismissed,
                Gate::Ask,
            ),
            (
                "8 out of sample",
                json!({"sample_rate": 0.5}),
                out_of_sample,
                Gate::NotSampled,
            ),
            (
                "8 in sample",
                json!({"sample_rate": 0.7}),
                out_of_sample,
                Gate::Ask,
            ),
            (
                "8 rate 0",
                json!({"sample_rate": 0}),
                Memory::default(),
                Gate::NotSampled,
            ),
            (
                "9 rate 1",
                json!({"sample_rate": 1}),
                Memory {
                    draw: DRAW_SCALE - 1,
                    ..Memory::default()
                },
                Gate::Ask,
            ),
            (
                "9 nothing remembered",
                json!({}),
                Memory::default(),
                Gate::Ask,
            ),
        ];
        for (row, extra, memory, want) in rows {
            assert_eq!(decide(&cfg(extra.clone()), memory, NOW), *want, "{row}");
        }
    }

    #[test]
    fn a_sample_rate_samples_that_share_of_draws() {
        let n = 10_000u32;
        let step = DRAW_SCALE / n;
        for rate in [0.0, 0.05, 0.5, 1.0] {
            let inside = (0..n).filter(|i| sampled(rate, i * step)).count();
            assert_eq!(inside, (rate * n as f64) as usize, "{rate}");
        }
    }
}
