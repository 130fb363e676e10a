//! nps-dashboard: the manager's view of the answers, scored in the browser by the widget's own
//! Rust scorer (`nps_core::scoring::score`, `nps_core::scoring::analysis`).
//!
//! The pure part — `cases` (the collector's cases: read, ordered, worked, counted per store),
//! `compact` (the answers as plain arrays of days, categories and ids, for the report's loops),
//! `comments` (a signed-in view's comments, read from the collector), `data` (the collector's
//! compact columns or a dropped export read into records), `drill` (the places table: region →
//! city → store → advisor, searched and sorted), `funnel` (response rates, referrals and the coaching
//! flags as the collector counts them, in words), `filters` (the view in the URL
//! fragment), `fit` (how many of the trend's periods fit a phone), `places` (the region and city of a store, from the brand's org), `plain` (the words beside a
//! figure: verdicts that say what they compare, targets, what was left out), `report` (everything the page shows, computed from records and filters),
//! `themes` (what detractors write about, as the collector counts it, in words),
//! `words` (zh-CN, zh-TW, en) and `format` (numbers and dates in the locale's way) — is plain
//! Rust tested natively. Only `web` (compiled for wasm32) touches the DOM, `fetch` and storage.
//! It is its own wasm bundle: not one byte of it is in the widget a customer downloads.

pub mod cases;
pub mod comments;
pub mod compact;
pub mod data;
pub mod drill;
pub mod filters;
pub mod fit;
pub mod format;
pub mod funnel;
pub mod places;
pub mod plain;
pub mod report;
pub mod themes;
pub mod words;

#[cfg(target_arch = "wasm32")]
pub mod web;
