//! The dashboard's own bundle, built by `cargo xtask dist` beside the widget: the
//! `nps-dashboard` crate to wasm (size profile), bound with wasm-bindgen, shrunk with
//! binaryen, and one classic script (`nps-dashboard.js`) that loads its wasm from beside
//! itself. It is never part of the widget's files or its budget; its sizes are printed apart.

use std::path::Path;

use crate::dist::{build_and_bind, compressed, read, wasm_opt, write};
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
    // Its `.br` and `.gz` copies too, which the collector serves to browsers that take them.
    compressed(dist, &FILES, "dashboard file")?;
    Ok(())
}
