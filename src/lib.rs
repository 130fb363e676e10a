//! nps-widget: a Net Promoter Score survey that a brand drops into any page.
//!
//! The pure core — `score`, `config`, `flow`, `outbox`, `payload`, `phone`, `i18n` — is
//! plain Rust tested natively. Only `web` (compiled for wasm32) touches the DOM, `fetch`,
//! storage and timers. See ARCHITECTURE.md for the code map.

/// A JSON object from `"key" => value` pairs, each value through `serde_json::Value::from`.
/// Unlike `json!`, nothing is serialised fallibly, so there is nothing to unwrap (and the
/// wasm carries no error formatting for it).
#[macro_export]
macro_rules! obj {
    ($($k:literal => $v:expr),* $(,)?) => {
        $crate::object_from(vec![$(($k, serde_json::Value::from($v))),*])
    };
}

/// The object `obj!` builds; one shared body keeps every call site small.
#[inline(never)]
pub fn object_from(pairs: Vec<(&'static str, serde_json::Value)>) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    for (k, v) in pairs {
        m.insert(k.to_owned(), v);
    }
    serde_json::Value::Object(m)
}

pub mod config;
pub mod flow;
pub mod i18n;
pub mod outbox;
pub mod payload;
pub mod phone;
pub mod score;

#[cfg(target_arch = "wasm32")]
pub mod web;
