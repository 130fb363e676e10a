//! `cargo xtask size [--top N]`: what the widget's wasm is made of, by twiggy (crates.io,
//! pinned in `tools.rs`).
//!
//! The wasm is built and bound as `dist` builds it, then shrunk by wasm-opt with the shipped
//! flags but its name section kept (`-g`, no `--strip-debug`): twiggy needs the names, and
//! the code is what ships. The report: the items with the most bytes of their own (`top`),
//! what keeps the most bytes alive (`dominators`), the generic functions whose copies cost
//! the most (`monos`), and every item's own bytes added up by the crate (or `core::fmt`-like
//! module of `core`, `alloc`, `std`) its name starts with, so a reader sees at a glance how
//! much is yew, the survey, the allocator or the standard library's formatting.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use crate::{dist, flag_value, root, step, tools, Result};

/// Where the named wasm is written (under the target folder).
const FOLDER: &str = "bindgen-size";

/// The wasm-opt flags of `dist::wasm_opt`, less `--strip-debug` (which drops the names) and
/// plus `-g` (keep them through the passes).
fn shrink() -> Vec<&'static str> {
    let mut flags: Vec<&str> = crate::dist::SHRINK
        .into_iter()
        .filter(|f| *f != "--strip-debug")
        .collect();
    flags.push("-g");
    flags
}

pub fn size(args: &[String]) -> Result {
    let top: usize = match flag_value(args, "--top") {
        Some(n) => n
            .parse()
            .map_err(|_| format!("--top takes a number, not {n}"))?,
        None => 30,
    };
    let t = tools::for_build()?;
    let twiggy = tools::ensure_twiggy()?;
    step("build the widget (wasm32, size profile) and shrink it with its names kept");
    let bind = dist::build_and_bind(&t, "nps-widget", FOLDER)?;
    let named = bind.join("nps_widget_named.wasm");
    crate::run(
        Command::new(&t.wasm_opt)
            .args(shrink())
            .arg(bind.join("nps_widget_bg.wasm"))
            .arg("-o")
            .arg(&named),
    )?;
    let rows = items(&twiggy, &named)?;
    let names: usize = rows.iter().filter(|r| is_names(&r.0)).map(|r| r.1).sum();
    let total: usize = rows.iter().map(|r| r.1).sum::<usize>() - names;
    println!(
        "\n{}: {total} bytes without its name section ({names} bytes of names, analysis only)",
        named.display()
    );

    step(&format!(
        "top {top}: the items with the most bytes of their own"
    ));
    twiggy_print(&twiggy, &named, &["top", "-n", &top.to_string()])?;
    step("dominators: what keeps the most bytes alive (3 levels)");
    twiggy_print(
        &twiggy,
        &named,
        &["dominators", "-d", "3", "-r", &top.to_string()],
    )?;
    step("monos: generic functions whose copies cost the most");
    twiggy_print(&twiggy, &named, &["monos", "-m", "15", "-n", "3"])?;

    step("by crate: each item's own bytes, added up by the crate its name starts with");
    let groups = by_crate(&rows);
    println!("{:>9} {:>6}  crate", "bytes", "%");
    for (name, bytes) in groups.iter().take(top) {
        println!(
            "{bytes:>9} {:>5.1}%  {name}",
            *bytes as f64 * 100.0 / total.max(1) as f64
        );
    }
    let rest: usize = groups.iter().skip(top).map(|g| g.1).sum();
    if rest > 0 {
        println!("{rest:>9}         ({} more groups)", groups.len() - top);
    }
    Ok(())
}

fn is_names(item: &str) -> bool {
    item.contains("names\" subsection")
}

/// Runs twiggy, passing its output through.
fn twiggy_print(twiggy: &Path, wasm: &Path, args: &[&str]) -> Result {
    crate::run(
        Command::new(twiggy)
            .args(&args[..1])
            .arg(wasm)
            .args(&args[1..]),
    )
}

/// Every item of the wasm with its own (shallow) bytes: `twiggy top` as CSV.
fn items(twiggy: &Path, wasm: &Path) -> Result<Vec<(String, usize)>> {
    let out = Command::new(twiggy)
        .args(["top", "-n", "1000000", "-f", "csv"])
        .arg(wasm)
        .current_dir(root())
        .output()
        .map_err(|e| format!("could not start {}: {e}", twiggy.display()))?;
    if !out.status.success() {
        return Err(format!(
            "twiggy top failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .skip(1)
        .filter(|l| !l.starts_with("\"Σ") && !l.starts_with("Σ"))
        .map(|l| {
            let (name, rest) = csv_field(l);
            let bytes = rest.split(',').next().unwrap_or_default();
            let bytes = bytes
                .parse()
                .map_err(|_| format!("twiggy printed a row without a size: {l}"))?;
            Ok((name, bytes))
        })
        .collect()
}

/// The first field of a CSV line (quoted, with `""` inside, or bare) and the rest after its comma.
fn csv_field(line: &str) -> (String, &str) {
    if let Some(quoted) = line.strip_prefix('"') {
        let mut name = String::new();
        let mut chars = quoted.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '"' {
                if let Some((_, '"')) = chars.peek() {
                    chars.next();
                    name.push('"');
                    continue;
                }
                let rest = &quoted[i + 1..];
                return (name, rest.strip_prefix(',').unwrap_or(rest));
            }
            name.push(c);
        }
        (name, "")
    } else {
        match line.split_once(',') {
            Some((name, rest)) => (name.to_owned(), rest),
            None => (line.to_owned(), ""),
        }
    }
}

/// Own bytes added up by group (`group_of`), largest first; the name section left out.
fn by_crate(rows: &[(String, usize)]) -> Vec<(String, usize)> {
    let mut groups: HashMap<String, usize> = HashMap::new();
    for (name, bytes) in rows.iter().filter(|r| !is_names(&r.0)) {
        *groups.entry(group_of(name)).or_default() += bytes;
    }
    let mut groups: Vec<_> = groups.into_iter().collect();
    groups.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    groups
}

/// The group an item's bytes count to: the crate its demangled name starts with (for
/// `<T as Trait>::f`, the crate of `T`, or of `Trait` when `T` is a primitive or a
/// reference), with the module for `core`, `alloc` and `std`; data segments, the
/// bindgen glue's imports and exports, and the wasm's own tables apart.
fn group_of(name: &str) -> String {
    if name.starts_with("data segment") {
        return "data (strings, words, CSS, tables)".into();
    }
    if name.starts_with("__wbg_")
        || name.starts_with("__wbindgen")
        || name.starts_with("import ")
        || name.ends_with(" shim")
    {
        return "wasm-bindgen imports and glue".into();
    }
    if name.starts_with("export ") || name.starts_with("type[") || name.starts_with("elem[") {
        return "exports, types, tables".into();
    }
    let mut path = name.trim_start_matches(['<', '&', '*']);
    for prefix in ["mut ", "const ", "dyn ", "impl "] {
        path = path.strip_prefix(prefix).unwrap_or(path);
    }
    let first = path_head(path);
    let head = if first.contains("::") || !name.contains(" as ") {
        first
    } else {
        name.split_once(" as ")
            .map_or(first, |(_, t)| path_head(t.trim_start_matches(['<', '&'])))
    };
    let mut parts = head.split("::").map(strip_disambiguator);
    let krate = parts.next().unwrap_or_default();
    match (krate, parts.next()) {
        ("core" | "alloc" | "std", Some(module)) if !module.is_empty() => {
            format!("{krate}::{module}")
        }
        (
            "char" | "str" | "bool" | "f32" | "f64" | "u8" | "u16" | "u32" | "u64" | "usize",
            None,
        ) => {
            format!("core::{krate}")
        }
        ("", _) => name.to_owned(),
        _ => krate.to_owned(),
    }
}

/// A name's leading path: up to the first character that is not part of a path.
fn path_head(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || "_:[]".contains(c)))
        .unwrap_or(s.len());
    &s[..end]
}

/// `core[c5930c85a12de822]` (v0 mangling's crate disambiguator) as `core`.
fn strip_disambiguator(segment: &str) -> &str {
    segment.split('[').next().unwrap_or(segment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_count_to_their_crate() {
        let check = |name: &str, group: &str| assert_eq!(group_of(name), group, "{name}");
        check(
            "nps_core::config::Config::from_object::hf1e15eafddb0fac8",
            "nps_core",
        );
        check(
            "<nps_widget::web::app::Widget as yew::functional::FunctionProvider>::run::h4d",
            "nps_widget",
        );
        check(
            "<str as core[c5930c85a12de822]::fmt::Debug>::fmt",
            "core::fmt",
        );
        check(
            "core[c5930c85a12de822]::str::slice_error_fail_rt",
            "core::str",
        );
        check(
            "alloc::str::join_generic_copy::h7ad5e1a49f504f7d",
            "alloc::str",
        );
        check("<&T as core::fmt::Display>::fmt::h1", "core::fmt");
        check(
            "data segment \".rodata.43\"",
            "data (strings, words, CSS, tables)",
        );
        check("__wbg_get_2b", "wasm-bindgen imports and glue");
        check("<char>::escape_debug_ext", "core::char");
        check(
            "scoreSegments externref shim multivalue shim",
            "wasm-bindgen imports and glue",
        );
        check("code[12]", "code");
    }

    #[test]
    fn csv_fields_unquote() {
        assert_eq!(
            csv_field("\"\"\"function names\"\" subsection\",326335,41.8,,"),
            ("\"function names\" subsection".to_owned(), "326335,41.8,,")
        );
        assert_eq!(csv_field("a::b,12,0.1"), ("a::b".to_owned(), "12,0.1"));
    }
}
