//! `cargo xtask dist`: builds the widget (wasm, bound and shrunk), writes the one script a
//! page includes, copies the demo pages with the core's limits filled in, and reports each
//! shipped file's size against the budget in `size-budget.txt`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{cargo, minify, pinned, root, run, step, target_dir, tools, Result};

/// The loader a page includes (its pinned copy is `nps-widget-{version}-{hash}.js`); it
/// fetches the pinned glue and wasm that `dist/nps-widget.json` names.
pub const LOADER: &str = "nps-widget.js";
/// The pinned files' stems (the collector knows them by these).
const STEMS: [&str; 2] = nps_core::contract::rules::PINNED_STEMS;
/// The budget files: the most brotli bytes of the whole widget (loader, glue and wasm; the
/// stylesheet is inside the wasm), and of the loader alone, what a page pays up front.
pub const BUDGET_FILE: &str = "size-budget.txt";
pub const LOADER_BUDGET_FILE: &str = "loader-budget.txt";

/// Builds `dist/` and returns it with what the widget weighs.
pub fn dist() -> Result<(PathBuf, Weight)> {
    let t = tools::for_build()?;
    let root = root();
    step("build the widget (wasm32, size profile)");
    let bind = build_and_bind(&t, "nps-widget", "bindgen")?;
    let dist = root.join("dist");
    let _ = fs::remove_dir_all(&dist);
    fs::create_dir_all(&dist).map_err(|e| format!("create {}: {e}", dist.display()))?;
    // Shrink the wasm, and give its imports, exports and import module short names; the
    // renaming is printed as JSON, and the glue is rewritten to match.
    let shrunk = target_dir().join("bindgen/nps-widget.wasm");
    let renaming = wasm_opt(
        &t,
        &bind.join("nps_widget_bg.wasm"),
        &shrunk,
        &["--minify-imports-and-exports-and-modules"],
    )?;
    let renamed = short_names(&read(&bind.join("nps_widget.js"))?, &renaming)?;
    let version = pinned::version()?;
    let bytes = |p: &Path| fs::read(p).map_err(|e| format!("read {}: {e}", p.display()));
    let wasm = pinned::Pinned::write(STEMS[0], "wasm", &version, &bytes(&shrunk)?, &dist)?;

    // The glue: a classic script the loader adds (checked by its integrity). It hands
    // `wasm_bindgen` to the loader, and reads the style nonce from it; nothing leaks.
    let glue = format!(
        "(function(){{var b=window.NpsWidget&&window.NpsWidget._boot;if(!b)return;var npsStyleNonce=b.nonce;\n{}\nb(wasm_bindgen)}})();\n",
        minify::js(&renamed)
    );
    let glue = pinned::Pinned::write(STEMS[1], "js", &version, glue.as_bytes(), &dist)?;

    // The loader, the one script a page includes: the pinned files' names and integrity, the
    // event names of the contract, the share sheet, and the loader proper.
    let files = serde_json::json!({"version": version, "glue": glue.json(), "wasm": wasm.json()});
    let loader = format!(
        "/*! nps-widget {version} */\n(function () {{\nvar NPS_FILES = {files};\n{}\n{}\n{}\n}})();\n",
        nps_core::contract::events::loader_names(),
        minify::js(&read(&root.join("www/share.js"))?),
        minify::js(&read(&root.join("www/loader.js"))?),
    );
    write(&dist.join(LOADER), &loader)?;
    let loader = pinned::Pinned::write(STEMS[0], "js", &version, loader.as_bytes(), &dist)?;
    let files = pinned::Files {
        version,
        loader,
        glue,
        wasm,
    };

    for entry in fs::read_dir(root.join("www")).map_err(|e| e.to_string())? {
        let p = entry.map_err(|e| e.to_string())?.path();
        let name = p
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if name.ends_with(".html") {
            write(&dist.join(&name), &fill_limits(&read(&p)?)?)?;
        } else if name.ends_with(".svg") || name.ends_with(".css") && name != "nps-widget.css" {
            fs::copy(&p, dist.join(&name)).map_err(|e| format!("copy {name}: {e}"))?;
        }
    }
    crate::dashboard::build(&t, &dist)?;
    let weight = sizes(&dist, &files)?;
    files.publish(&dist)?;
    Ok((dist, weight))
}

/// Builds a crate's wasm (size profile, machine-independent paths) and binds it with
/// wasm-bindgen (`no-modules` glue) into `target/<folder>`, which it returns.
pub fn build_and_bind(t: &tools::Build, package: &str, folder: &str) -> Result<PathBuf> {
    run(cargo()
        .args([
            "build",
            "-p",
            package,
            "--lib",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .args(["--profile", "wasm"])
        .env("CARGO_ENCODED_RUSTFLAGS", wasm_rustflags()))?;
    let wasm = target_dir()
        .join("wasm32-unknown-unknown/wasm")
        .join(format!("{}.wasm", package.replace('-', "_")));
    let bind = target_dir().join(folder);
    let _ = fs::remove_dir_all(&bind);
    run(Command::new(&t.wasm_bindgen)
        .args(["--target", "no-modules", "--no-typescript", "--out-dir"])
        .arg(&bind)
        .arg(&wasm))?;
    Ok(bind)
}

/// binaryen's passes for the shipped wasm: `-Os` (measured smaller than `-Oz` under brotli,
/// docs/PERFORMANCE.md), to a fixed point, names and producers stripped.
pub const SHRINK: [&str; 6] = [
    "-Os",
    "--converge",
    "--low-memory-unused",
    "--zero-filled-memory",
    "--strip-debug",
    "--strip-producers",
];

/// Shrinks a wasm file with binaryen's `wasm-opt` (`SHRINK`, plus `extra` flags); what it
/// printed.
pub fn wasm_opt(t: &tools::Build, input: &Path, output: &Path, extra: &[&str]) -> Result<String> {
    let mut opt = Command::new(&t.wasm_opt);
    opt.args(SHRINK)
        .args(extra)
        .arg(input)
        .arg("-o")
        .arg(output)
        .current_dir(root());
    let out = opt
        .output()
        .map_err(|e| format!("could not start {opt:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{opt:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The flags of the shipped wasm: the caller's `RUSTFLAGS`, and the crates' source folder
/// (`$CARGO_HOME/registry/src`, in panic locations) written as `/cargo`, so the wasm is the
/// same on every machine, whatever its home folder, and its size can be held to the byte.
pub fn wasm_rustflags() -> String {
    let registry = tools::cargo_home().join("registry/src");
    let mut flags: Vec<String> = std::env::var("RUSTFLAGS")
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    flags.push(format!("--remap-path-prefix={}=/cargo", registry.display()));
    flags.join("\u{1f}")
}

/// The import module's name after `--minify-imports-and-exports-and-modules`.
const SHORT_MODULE: &str = "a";

/// Rewrites the bindgen glue for a wasm whose imports, exports and import module binaryen
/// renamed: `map` is the JSON binaryen printed (`{"imports": [[module, old, new]…],
/// "exports": [[old, new]…]}`; with `--converge` the first object is the renaming). Import
/// names are the keys of the glue's import object, each written once; exports are read as
/// `wasm.<name>`. Anything not found exactly where expected is an error, never a silent miss.
pub fn short_names(glue: &str, map: &str) -> Result<String> {
    let map: serde_json::Value = serde_json::Deserializer::from_str(map)
        .into_iter()
        .next()
        .ok_or("wasm-opt printed no renaming")?
        .map_err(|e| format!("wasm-opt's renaming is not JSON: {e}"))?;
    let pairs = |key: &str, old: usize, new: usize| -> Result<Vec<(String, String)>> {
        map[key]
            .as_array()
            .ok_or(format!("wasm-opt's renaming has no {key}"))?
            .iter()
            .map(|row| match (row[old].as_str(), row[new].as_str()) {
                (Some(o), Some(n)) => Ok((o.to_owned(), n.to_owned())),
                _ => Err(format!("a row of {key} in wasm-opt's renaming is {row}")),
            })
            .collect()
    };
    let imports = pairs("imports", 1, 2)?;
    let exports: std::collections::HashMap<String, String> =
        pairs("exports", 0, 1)?.into_iter().collect();
    let mut out = glue.to_owned();
    let mut modules: Vec<&str> = map["imports"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|row| row[0].as_str())
        .collect();
    modules.dedup();
    for module in modules {
        let key = format!("\"{module}\": import0");
        if out.matches(&key).count() != 1 {
            return Err(format!("the glue does not pass its imports as {key}"));
        }
        out = out.replace(&key, &format!("{SHORT_MODULE}: import0"));
    }
    for (old, new) in imports {
        let key = format!("{old}:");
        if out.matches(&key).count() != 1 {
            return Err(format!(
                "the glue does not define the import {old} exactly once"
            ));
        }
        out = out.replace(&key, &format!("{new}:"));
    }
    // `wasm.<name>` with the whole name, so `wasm.mount` never touches `wasm.mountAll`.
    let mut result = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(i) = rest.find("wasm.") {
        result.push_str(&rest[..i + 5]);
        rest = &rest[i + 5..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
            .unwrap_or(rest.len());
        let name = &rest[..end];
        result.push_str(exports.get(name).map_or(name, String::as_str));
        rest = &rest[end..];
    }
    result.push_str(rest);
    Ok(result)
}

/// The core's rules that demo pages use (the no-script form's `maxlength`, the score's
/// `max`, the honeypot field's name), written `{{name}}` in `www/*.html`.
pub fn limits() -> [(&'static str, String); 3] {
    use nps_core::contract::rules;
    [
        ("max_comment", rules::MAX_COMMENT.to_string()),
        ("max_score", rules::MAX_SCORE.to_string()),
        ("honeypot", rules::HONEYPOT_FIELD.to_owned()),
    ]
}

/// A demo page with its `{{limit}}` placeholders filled; an unknown one is an error.
pub fn fill_limits(html: &str) -> Result<String> {
    let mut out = html.to_owned();
    for (name, value) in limits() {
        out = out.replace(&format!("{{{{{name}}}}}"), &value);
    }
    match out.find("{{") {
        Some(i) => Err(format!(
            "unknown placeholder {} in a demo page; known: {}",
            &out[i..(i + 30).min(out.len())],
            limits().map(|(n, _)| n).join(", ")
        )),
        None => Ok(out),
    }
}

pub fn read(p: &Path) -> Result<String> {
    fs::read_to_string(p).map_err(|e| format!("read {}: {e}", p.display()))
}

pub fn write(p: &Path, s: &str) -> Result {
    fs::write(p, s).map_err(|e| format!("write {}: {e}", p.display()))
}

/// What a build weighs, in brotli bytes: the loader alone, and the whole widget.
pub struct Weight {
    pub loader: usize,
    pub total: usize,
}

/// Prints raw, gzip and brotli sizes of the shipped files against their budgets, writes
/// their precompressed copies (what a server sends), and returns the brotli weights.
fn sizes(dist: &Path, files: &pinned::Files) -> Result<Weight> {
    let loader = compressed(dist, &[LOADER], "up front")?;
    let rest = compressed(dist, &[&files.glue.name, &files.wasm.name], "when wanted")?;
    compressed_copies(dist, &files.loader.name)?;
    let total = (loader.0 + rest.0, loader.1 + rest.1, loader.2 + rest.2);
    println!(
        "{:<40} {:>10} {:>10} {:>10}",
        "total (CSS is inside)",
        kb(total.0),
        kb(total.1),
        kb(total.2)
    );
    let weight = Weight {
        loader: loader.2,
        total: total.2,
    };
    for (file, figure) in [
        (BUDGET_FILE, weight.total),
        (LOADER_BUDGET_FILE, weight.loader),
    ] {
        let budget = budget(file)?;
        println!(
            "budget ({file}): {budget} bytes brotli; this build {figure} bytes ({:+})",
            figure as i64 - budget as i64
        );
    }
    Ok(weight)
}

/// Writes the `.gz` and `.br` copies the collector serves beside each of `files`, prints a
/// row of sizes per file under `heading`, and returns the totals (raw, gzip, brotli).
pub fn compressed(dist: &Path, files: &[&str], heading: &str) -> Result<(usize, usize, usize)> {
    println!(
        "\n{heading:<40} {:>10} {:>10} {:>10}",
        "raw", "gzip", "brotli"
    );
    let mut total = (0, 0, 0);
    for name in files {
        let (r, g, b) = compressed_copies(dist, name)?;
        total = (total.0 + r, total.1 + g, total.2 + b);
        println!("{name:<40} {:>10} {:>10} {:>10}", kb(r), kb(g), kb(b));
    }
    Ok(total)
}

/// Writes `name.gz` and `name.br` beside `name`; its sizes (raw, gzip, brotli).
fn compressed_copies(dist: &Path, name: &str) -> Result<(usize, usize, usize)> {
    let bytes = fs::read(dist.join(name)).map_err(|e| format!("read {name}: {e}"))?;
    let (gz, br) = (gzip(&bytes), brotli(&bytes));
    fs::write(dist.join(format!("{name}.gz")), &gz).map_err(|e| e.to_string())?;
    fs::write(dist.join(format!("{name}.br")), &br).map_err(|e| e.to_string())?;
    Ok((bytes.len(), gz.len(), br.len()))
}

/// The budget in a budget file: its first line that is a number.
pub fn budget(file: &str) -> Result<usize> {
    let text = read(&root().join(file))?;
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .and_then(|l| l.parse().ok())
        .ok_or_else(|| format!("{file} has no number of bytes"))
}

/// Fails when the loader or the whole widget weighs more than its budget.
pub fn check_budget(weight: &Weight) -> Result {
    for (file, what, figure) in [
        (
            BUDGET_FILE,
            "the widget (loader, glue and wasm)",
            weight.total,
        ),
        (LOADER_BUDGET_FILE, "the loader", weight.loader),
    ] {
        let budget = budget(file)?;
        if figure > budget {
            return Err(format!(
                "{what} is {figure} bytes brotli, {} over the budget of {budget} in {file}: \
                 make it smaller, or raise the budget with the reason in docs/PERFORMANCE.md",
                figure - budget
            ));
        }
    }
    Ok(())
}

fn kb(n: usize) -> String {
    format!("{:.1} KB", n as f64 / 1000.0)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    let _ = brotli::BrotliCompress(&mut &bytes[..], &mut out, &params);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_filled_and_unknown_placeholders_refused() {
        assert_eq!(
            fill_limits(r#"<textarea maxlength="{{max_comment}}"></textarea>"#).unwrap(),
            r#"<textarea maxlength="1000"></textarea>"#
        );
        assert!(fill_limits("{{max_coment}}")
            .unwrap_err()
            .contains("max_comment"));
        assert_eq!(fill_limits("no placeholders").unwrap(), "no placeholders");
    }

    #[test]
    fn glue_follows_the_renamed_wasm() {
        let glue = "const import0 = {\n__wbg_log_1a: function(a) {},\n__wbg_get_2b: function() {},\n};\nreturn { \"./x_bg.js\": import0 };\nwasm.mountAll(); wasm.mount(); wasm.__wbindgen_start(); x.mount;";
        let map = r#"{"imports": [["./x_bg.js", "__wbg_log_1a", "$"], ["./x_bg.js", "__wbg_get_2b", "A"]],
                      "exports": [["mount", "b"], ["mountAll", "c"], ["__wbindgen_start", "d"]]}
                     {"imports": [["a", "$", "$"]], "exports": []}"#;
        assert_eq!(
            short_names(glue, map).unwrap(),
            "const import0 = {\n$: function(a) {},\nA: function() {},\n};\nreturn { a: import0 };\nwasm.c(); wasm.b(); wasm.d(); x.mount;"
        );
        let missing = r#"{"imports": [["./x_bg.js", "__wbg_gone_3c", "B"]], "exports": []}"#;
        assert!(short_names(glue, missing)
            .unwrap_err()
            .contains("__wbg_gone_3c"));
        assert!(short_names(glue, "not json").is_err());
    }

    #[test]
    fn the_budget_file_reads() {
        assert!(budget(BUDGET_FILE).unwrap() > budget(LOADER_BUDGET_FILE).unwrap());
        assert!(
            budget(LOADER_BUDGET_FILE).unwrap() <= 5000,
            "the issue's ceiling"
        );
        let w = |loader, total| Weight { loader, total };
        assert!(check_budget(&w(1, 1)).is_ok());
        assert!(check_budget(&w(1, usize::MAX))
            .unwrap_err()
            .contains("the widget (loader, glue and wasm) is"));
        assert!(check_budget(&w(usize::MAX, 1))
            .unwrap_err()
            .contains("the loader is"));
    }
}
