//! The dashboard's own bundle, built by `cargo xtask dist` beside the widget: the
//! `nps-dashboard` crate to wasm (size profile), bound with wasm-bindgen, shrunk with
//! binaryen, and one classic script (`nps-dashboard.js`) that loads its wasm from beside
//! itself. It is never part of the widget's files or its budget; its sizes are printed apart.

use std::fs;
use std::path::Path;

use crate::dist::{brotli, build_and_bind, gzip, kb, read, wasm_opt, write};
use crate::{minify, step, tools, Result};

/// The dashboard's files in `dist/`.
pub const FILES: [&str; 2] = ["nps-dashboard.js", "nps-dashboard_bg.wasm"];

pub fn build(t: &tools::Build, dist: &Path) -> Result {
    step("build the dashboard (its own wasm, not the widget's)");
    let bind = build_and_bind(t, "nps-dashboard", "bindgen-dashboard")?;
    wasm_opt(
        t,
        &bind.join("nps_dashboard_bg.wasm"),
        &dist.join(FILES[1]),
        &[],
    )?;
    // The glue defines `wasm_bindgen` inside this script's own scope; the wasm is found next
    // to the script, wherever the page is.
    let glue = minify::js(&read(&bind.join("nps_dashboard.js"))?);
    write(
        &dist.join(FILES[0]),
        &format!(
            "/*! nps-dashboard */\n(function () {{\nvar here = document.currentScript.src;\n{glue}\n\
             wasm_bindgen({{ module_or_path: new URL(\"{}\", here) }});\n}})();\n",
            FILES[1]
        ),
    )?;
    println!(
        "\n{:<24} {:>10} {:>10} {:>10}",
        "dashboard file", "raw", "gzip", "brotli"
    );
    for name in FILES {
        let bytes = fs::read(dist.join(name)).map_err(|e| format!("read {name}: {e}"))?;
        println!(
            "{name:<24} {:>10} {:>10} {:>10}",
            kb(bytes.len()),
            kb(gzip(&bytes).len()),
            kb(brotli(&bytes).len())
        );
    }
    Ok(())
}
