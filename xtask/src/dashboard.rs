//! The dashboard's own bundle, built by `cargo xtask dist` beside the widget: the
//! `nps-dashboard` crate to wasm (size profile), bound with wasm-bindgen, shrunk with
//! binaryen, and one classic script (`nps-dashboard.js`) that loads its wasm from beside
//! itself. It is never part of the widget's files or its budget; its sizes are printed apart.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::dist::{brotli, gzip, kb, read, wasm_opt, wasm_rustflags, write};
use crate::{cargo, minify, run, step, target_dir, tools, Result};

/// The dashboard's files in `dist/`.
pub const FILES: [&str; 2] = ["nps-dashboard.js", "nps-dashboard_bg.wasm"];

pub fn build(t: &tools::Build, dist: &Path) -> Result {
    step("build the dashboard (its own wasm, not the widget's)");
    run(cargo()
        .args([
            "build",
            "-p",
            "nps-dashboard",
            "--lib",
            "--target",
            "wasm32-unknown-unknown",
            "--profile",
            "wasm",
        ])
        .env("CARGO_ENCODED_RUSTFLAGS", wasm_rustflags()))?;
    let wasm = target_dir().join("wasm32-unknown-unknown/wasm/nps_dashboard.wasm");
    let bind = target_dir().join("bindgen-dashboard");
    let _ = fs::remove_dir_all(&bind);
    run(Command::new(&t.wasm_bindgen)
        .args(["--target", "no-modules", "--no-typescript", "--out-dir"])
        .arg(&bind)
        .arg(&wasm))?;
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
