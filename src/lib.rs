//! nps-widget: a Net Promoter Score survey that a brand drops into any page.
//!
//! The pure core — `rules`, `error`, `json`, `score`, `config`, `flow`, `outbox`, `payload`,
//! `events`, `phone`, `i18n`, `marks`, `takeover`, `outcome` — is plain Rust tested natively. Only `web` (compiled for wasm32)
//! touches the DOM, `fetch`, storage and timers. See ARCHITECTURE.md for the code map.

pub mod analysis;
pub mod config;
pub mod error;
pub mod events;
pub mod flow;
pub mod gate;
pub mod i18n;
pub mod json;
pub mod marks;
pub mod outbox;
pub mod outcome;
pub mod payload;
pub mod phone;
pub mod rules;
pub mod score;
pub mod takeover;

/// The widget's stylesheet, minified (`www/nps-widget.css`, by `build.rs`). The widget puts it
/// in each survey's shadow root; the collector's landing pages inline it, so the page a QR code
/// opens looks the same before and after the widget takes it over.
pub const STYLESHEET: &str = include_str!(concat!(env!("OUT_DIR"), "/nps-widget.min.css"));

#[cfg(all(target_arch = "wasm32", feature = "web"))]
pub mod web;
