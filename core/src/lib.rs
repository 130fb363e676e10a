//! nps-core: the pure core of nps-widget, plain Rust tested natively, with no browser and no
//! I/O in its dependency tree. The widget (`nps-widget`, the browser shell), the collector and
//! the dashboard are built on it. Grouped by what each part is about:
//!
//! - `survey`: the flow a customer goes through, whether to ask, what the browser remembers,
//!   taking over a server-rendered page, and what the customer reads at the end;
//! - `contract`: what crosses a boundary (the payload, JSON text, the shared limits, phone
//!   numbers, DOM events, and the one way a field error is put into words);
//! - `config`: what a page gives the widget, validated;
//! - `scoring`: NPS and its interval, and what a manager acts on;
//! - `org`: the brand's organisation (regions, cities, stores, advisors) and its lookups;
//! - `outbox`: what to send when, and what to keep;
//! - `words`: the built-in zh-CN, zh-TW and en texts;
//! - `access` (feature `access`, the collector's): the roles of a brand's people, their scopes, and who may do what;
//! - `cases` (feature `cases`, the collector's): a detractor's case, its deadline, and when to send its alerts;
//! - `growth` (feature `growth`, the collector's and the dashboard's): response rates, referrals and what they brought, coaching flags.
//!
//! See ARCHITECTURE.md for the code map.

#[cfg(feature = "access")]
pub mod access;
#[cfg(feature = "cases")]
pub mod cases;
pub mod config;
pub mod contract;
#[cfg(feature = "growth")]
pub mod growth;
pub mod org;
pub mod outbox;
pub mod scoring;
pub mod survey;
pub mod words;

/// The widget's stylesheet, minified (`www/nps-widget.css`, by `build.rs`). The widget puts it
/// in each survey's shadow root; the collector's landing pages inline it, so the page a QR code
/// opens looks the same before and after the widget takes it over.
pub const STYLESHEET: &str = include_str!(concat!(env!("OUT_DIR"), "/nps-widget.min.css"));
