//! The widget's pinned files: each named by the package version and its content's hash
//! (`nps-widget-0.1.0-3f9a1c2b7e.wasm`), so a URL always means the same bytes and can be cached
//! for ever, with the `integrity="sha384-…"` a page (and the loader) checks it by.
//! `dist/nps-widget.json` lists them; `cargo xtask dist` prints them.

use std::fs;
use std::path::Path;

use base64::Engine;
use sha2::{Digest, Sha384};

use crate::{root, Result};

/// The manifest of the pinned files in `dist/` (the collector's landing pages and the npm
/// package read it).
pub const MANIFEST: &str = "nps-widget.json";

/// One pinned file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pinned {
    /// Its immutable name: `{stem}-{version}-{hash}.{ext}`.
    pub name: String,
    /// `sha384-` and the base64 of its SHA-384.
    pub integrity: String,
}

impl Pinned {
    /// Names `bytes` as `stem` and `ext` at `version`.
    pub fn of(stem: &str, ext: &str, version: &str, bytes: &[u8]) -> Pinned {
        let digest = Sha384::digest(bytes);
        let hash: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        Pinned {
            name: nps_core::contract::rules::pinned_name(stem, version, &hash, ext),
            integrity: format!(
                "sha384-{}",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ),
        }
    }

    /// Writes `bytes` under its pinned name in `dir`.
    pub fn write(stem: &str, ext: &str, version: &str, bytes: &[u8], dir: &Path) -> Result<Pinned> {
        let p = Pinned::of(stem, ext, version, bytes);
        fs::write(dir.join(&p.name), bytes).map_err(|e| format!("write {}: {e}", p.name))?;
        Ok(p)
    }

    /// `["name", "sha384-…"]`, as the loader reads it.
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!([self.name, self.integrity])
    }
}

/// The widget crate's version (the root `Cargo.toml`'s `[package]`).
pub fn version() -> Result<String> {
    let text = crate::dist::read(&root().join("Cargo.toml"))?;
    text.lines()
        .skip_while(|l| l.trim() != "[package]")
        .find_map(|l| l.trim().strip_prefix("version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .map(str::to_owned)
        .ok_or_else(|| "the root Cargo.toml's [package] has no version".into())
}

/// The three pinned files of a build: the loader a page includes, the glue it fetches, and
/// the wasm.
pub struct Files {
    pub version: String,
    pub loader: Pinned,
    pub glue: Pinned,
    pub wasm: Pinned,
}

impl Files {
    /// Writes the manifest into `dist` and prints the pinned snippet with each integrity.
    pub fn publish(&self, dist: &Path) -> Result {
        let manifest = serde_json::json!({
            "version": self.version,
            "loader": self.loader.json(),
            "glue": self.glue.json(),
            "wasm": self.wasm.json(),
        });
        crate::dist::write(
            &dist.join(MANIFEST),
            &serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?,
        )?;
        println!("\npinned files (immutable names; integrity is SHA-384):");
        for p in [&self.loader, &self.glue, &self.wasm] {
            println!("  {:<40} integrity=\"{}\"", p.name, p.integrity);
        }
        println!(
            "\n  <script src=\"https://YOUR-CDN/{}\" integrity=\"{}\" crossorigin=\"anonymous\" defer></script>",
            self.loader.name, self.loader.integrity
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_integrity_follow_the_bytes() {
        let a = Pinned::of("nps-widget", "wasm", "0.1.0", b"abc");
        // `printf abc | openssl dgst -sha384 -binary | base64`
        assert_eq!(
            a.integrity,
            "sha384-ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn"
        );
        assert_eq!(a.name, "nps-widget-0.1.0-cb00753f45.wasm");
        assert!(nps_core::contract::rules::is_pinned_name(&a.name));
        let b = Pinned::of("nps-widget", "wasm", "0.1.0", b"abd");
        assert_ne!(a.name, b.name);
        assert_ne!(a.integrity, b.integrity);
        assert_eq!(a.json()[0], "nps-widget-0.1.0-cb00753f45.wasm");
    }

    #[test]
    fn the_version_is_the_widget_crates() {
        let v = version().unwrap();
        assert_eq!(
            v.split('.').filter(|n| n.parse::<u32>().is_ok()).count(),
            3,
            "{v}"
        );
    }
}
