//! `cargo xtask docs`: the references generated from the code. `docs/CONFIG.md` comes from
//! the config key table and the rules, `docs/EVENTS.md` from the DOM event contract; a tidy
//! test fails (and rewrites the file) when one is stale.

use std::fs;

use crate::{root, Result};

/// Each generated file, by its path from the workspace root, with its content.
pub fn generated() -> Vec<(&'static str, String)> {
    vec![
        ("docs/CONFIG.md", nps_core::config::keys::reference()),
        ("docs/EVENTS.md", nps_core::contract::events::reference()),
    ]
}

/// Writes every generated file.
pub fn write_all() -> Result {
    for (path, text) in generated() {
        let p = root().join(path);
        fs::write(&p, text).map_err(|e| format!("write {}: {e}", p.display()))?;
        println!("wrote {path}");
    }
    Ok(())
}
