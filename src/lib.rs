//! nps-widget: a Net Promoter Score survey that a brand drops into any page — the browser shell
//! on top of `nps-core`.
//!
//! The decisions (the flow, the gate, the outbox, config, the payload, scoring, the words) are
//! `nps-core`'s, plain Rust tested natively; they are re-exported here under the same paths.
//! Only `web` (compiled for wasm32) touches the DOM, `fetch`, storage and timers. See
//! ARCHITECTURE.md for the code map.

pub use nps_core::{config, contract, obj, outbox, scoring, survey, words, STYLESHEET};

#[cfg(target_arch = "wasm32")]
pub mod web;
