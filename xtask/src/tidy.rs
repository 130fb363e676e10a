//! Tidy checks, as ordinary tests (run by `cargo xtask test`): what can be checked
//! mechanically about the house rules, so they do not drift.

use std::fs;
use std::path::{Path, PathBuf};

use crate::root;

/// The longest a source file may be, in lines, not counting its test module.
const MAX_LINES: usize = 400;

/// Every file under `dir` (from the workspace root) whose name ends with `ext`.
fn files(dir: &str, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root().join(dir)];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with(ext) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn rel(p: &Path) -> String {
    p.strip_prefix(root())
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

fn text(p: &Path) -> String {
    fs::read_to_string(p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
}

/// The lines of a file before its test module: its last `#[cfg(test)]` that opens a module
/// in place (`mod tests {`), not one that names a file (`#[cfg(test)] mod tidy;` near the
/// top of `main.rs` would hide the rest of it from every check here).
fn body(p: &Path) -> Vec<String> {
    let t = text(p);
    let opens_a_module = |i: &usize| {
        let next = t[i + "#[cfg(test)]".len()..].trim_start();
        next.starts_with("mod ") && next.lines().next().is_some_and(|l| l.ends_with('{'))
    };
    let tests = t
        .match_indices("#[cfg(test)]")
        .map(|(i, _)| i)
        .filter(opens_a_module)
        .last();
    t[..tests.unwrap_or(t.len())]
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The code lines of a file before its test module, numbered from 1, without comment lines.
fn code(p: &Path) -> Vec<(usize, String)> {
    body(p)
        .into_iter()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .map(|(i, l)| (i + 1, l))
        .collect()
}

/// A file that only holds tests.
fn is_test_file(p: &Path) -> bool {
    let r = rel(p);
    r.starts_with("tests/")
        || r.contains("/tests/")
        || r.ends_with("/tests.rs")
        || r.ends_with("_tests.rs")
        // These checks themselves: `#[cfg(test)] mod tidy;`, a test module of its own.
        || r == "xtask/src/tidy.rs"
}

/// The product's Rust sources: the crates and the xtask.
fn sources() -> Vec<PathBuf> {
    [
        "core/src",
        "src",
        "collector/src",
        "dashboard/src",
        "xtask/src",
        "e2e/src",
    ]
    .iter()
    .flat_map(|d| files(d, ".rs"))
    .collect()
}

#[test]
fn every_rust_file_opens_with_a_module_doc() {
    let all: Vec<PathBuf> = [
        "core",
        "src",
        "collector",
        "dashboard",
        "xtask/src",
        "e2e",
        "tests",
        "fuzz/src",
        "fuzz/fuzz_targets",
    ]
    .iter()
    .flat_map(|d| files(d, ".rs"))
    .collect();
    let bad: Vec<String> = all
        .iter()
        .filter(|p| !text(p).starts_with("//!"))
        .map(|p| rel(p))
        .collect();
    assert!(bad.is_empty(), "files without a `//!` first line: {bad:?}");
}

/// The core's dependency tree on every target, normal and build dependencies, by crate name.
fn core_dependencies() -> Vec<String> {
    let out = std::process::Command::new(env!("CARGO"))
        .current_dir(root())
        .args(["tree", "-q", "-p", "nps-core", "-e", "normal,build"])
        .args(["--target", "all", "--prefix", "none", "--format", "{p}"])
        .output()
        .expect("run cargo tree");
    assert!(
        out.status.success(),
        "cargo tree: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect()
}

#[test]
fn the_core_has_no_browser_in_its_dependency_tree() {
    let deps = core_dependencies();
    assert!(
        deps.iter().any(|d| d == "serde_json"),
        "the tree was read: {deps:?}"
    );
    let browser = [
        "yew",
        "web-sys",
        "js-sys",
        "wasm-bindgen",
        "gloo-events",
        "getrandom",
    ];
    let bad: Vec<&String> = deps
        .iter()
        .filter(|d| browser.contains(&d.as_str()))
        .collect();
    assert!(bad.is_empty(), "nps-core depends on {bad:?}");
    // The collector and the dashboard are built on the core, never on the widget's shell.
    for manifest in ["collector/Cargo.toml", "dashboard/Cargo.toml"] {
        let t = text(&root().join(manifest));
        assert!(t.contains("nps-core"), "{manifest} depends on nps-core");
        assert!(
            !t.contains("nps-widget ="),
            "{manifest} must not depend on the widget"
        );
    }
}

/// The lines of the collector's sources outside `except` that contain one of `words`.
fn collector_lines_with(words: &[&str], except: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for p in files("collector/src", ".rs") {
        let r = rel(&p);
        if except.iter().any(|e| r.starts_with(e)) {
            continue;
        }
        for (n, line) in code(&p) {
            if let Some(w) = words.iter().find(|w| line.contains(*w)) {
                found.push(format!("{r}:{n}: {w}"));
            }
        }
    }
    found
}

#[test]
fn only_the_storage_port_speaks_to_a_database() {
    let bad = collector_lines_with(
        &["rusqlite", "tokio_postgres", "deadpool", "Transaction<"],
        &["collector/src/storage/"],
    );
    assert!(
        bad.is_empty(),
        "database code outside collector/src/storage/: {bad:?}"
    );
}

#[test]
fn answers_are_written_only_through_the_intake_and_the_batch() {
    // A post's answer goes through `intake::take` (admission, flags, refusals); the demo set
    // and imports through the store's batch upsert. No route writes around them.
    let bad = collector_lines_with(
        &[".upsert(", ".upsert_admitted("],
        &["collector/src/storage/", "collector/src/intake/"],
    );
    assert!(
        bad.is_empty(),
        "answers written outside the intake: {bad:?}"
    );
    let batch = collector_lines_with(&[".upsert_batch("], &["collector/src/storage/"]);
    assert!(
        // The demo set, and its cases' re-survey answers (`demo/cases.rs`).
        batch.iter().all(|l| l.starts_with("collector/src/demo")),
        "batch upserts outside the demo/import: {batch:?}"
    );
    assert!(
        !batch.is_empty(),
        "the demo set goes through the batch upsert"
    );
}

#[test]
fn the_core_touches_no_browser_clock_or_randomness() {
    const FORBIDDEN: &[&str] = &[
        "yew",
        "web_sys",
        "js_sys",
        "wasm_bindgen",
        "SystemTime",
        "Instant",
        "Date::now",
        "Math::random",
        "new_v4",
        "getrandom",
        "rand::",
        "thread_rng",
    ];
    let mut bad = Vec::new();
    // The core and the dashboard's pure part; only the dashboard's `web/` touches the browser.
    for p in files("core/src", ".rs")
        .into_iter()
        .chain(files("dashboard/src", ".rs"))
    {
        if rel(&p).contains("src/web/") {
            continue;
        }
        for (n, line) in code(&p) {
            if let Some(word) = FORBIDDEN.iter().find(|w| line.contains(*w)) {
                bad.push(format!("{}:{n}: {word}", rel(&p)));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "the core must take time and randomness as inputs and know no browser: {bad:?}"
    );
}

#[test]
fn no_text_is_rendered_as_html() {
    // Assembled, so that this list is not itself a match for a search of the tree.
    const RAW: &[&str] = &[
        concat!("inner", "_html"),
        concat!("from_html", "_unchecked"),
        concat!("VR", "aw"),
        concat!("dangerously", "_set"),
    ];
    let bad: Vec<String> = files("src", ".rs")
        .iter()
        .filter(|p| {
            code(p)
                .iter()
                .any(|(_, l)| RAW.iter().any(|w| l.contains(w)))
        })
        .map(|p| rel(p))
        .collect();
    assert!(bad.is_empty(), "raw HTML rendering in {bad:?}");
}

#[test]
fn every_source_file_is_in_the_code_map() {
    let map = text(&root().join("ARCHITECTURE.md"));
    let missing: Vec<String> = [
        "core/src",
        "src",
        "collector/src",
        "dashboard/src",
        "xtask/src",
    ]
    .iter()
    .flat_map(|d| files(d, ".rs"))
    .map(|p| rel(&p))
    .filter(|r| !map.contains(&format!("`{r}`")))
    .collect();
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md does not name {missing:?}"
    );
}

#[test]
fn no_source_file_is_too_long() {
    let long: Vec<String> = sources()
        .iter()
        .filter(|p| !is_test_file(p))
        .map(|p| (rel(p), body(p).len()))
        .filter(|(_, n)| *n > MAX_LINES)
        .map(|(r, n)| format!("{r}: {n} lines"))
        .collect();
    assert!(
        long.is_empty(),
        "over {MAX_LINES} lines of code (split by concern): {long:?}"
    );
}

/// A limit written as a number where `rules` owns it: a cut, a length check, a `maxlength`.
fn literal_limit(line: &str) -> Option<&'static str> {
    const SHAPES: &[&str] = &[
        "take(",
        "len() <= ",
        "len() < ",
        "len() > ",
        "count() <= ",
        "count() > ",
        "maxlength=\"",
        "max=\"",
    ];
    SHAPES.iter().copied().find(|shape| {
        line.match_indices(shape).any(|(i, _)| {
            line[i + shape.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit())
        })
    })
}

#[test]
fn limits_are_written_only_in_rules() {
    let pages = files("www", ".html");
    let mut bad = Vec::new();
    for p in sources().iter().chain(&pages) {
        let r = rel(p);
        if r == "core/src/contract/rules.rs" || is_test_file(p) {
            continue;
        }
        for (n, line) in code(p) {
            if let Some(shape) = literal_limit(&line) {
                bad.push(format!("{r}:{n}: {shape}…"));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "use a constant of nps_core::contract::rules (or a named one) instead: {bad:?}"
    );
    assert_eq!(literal_limit("s.chars().take(2048)"), Some("take("));
    assert_eq!(literal_limit("s.chars().take(MAX_PAGE)"), None);
    assert_eq!(
        literal_limit(r#"<input maxlength="1000">"#),
        Some("maxlength=\"")
    );
}

#[test]
fn generated_docs_are_fresh() {
    let mut stale = Vec::new();
    for (path, want) in crate::docs::generated() {
        let p = root().join(path);
        if fs::read_to_string(&p).ok().as_deref() != Some(want.as_str()) {
            fs::write(&p, &want).unwrap();
            stale.push(path);
        }
    }
    assert!(
        stale.is_empty(),
        "{stale:?} were stale and are rewritten now: commit them"
    );
}

/// A Chinese character followed by ASCII punctuation that Chinese writes full-width.
fn half_width_after_chinese(line: &str) -> bool {
    let chars: Vec<char> = line.chars().collect();
    chars
        .windows(2)
        .any(|w| ('\u{4e00}'..='\u{9fff}').contains(&w[0]) && ",?!:;()".contains(w[1]))
}

#[test]
fn chinese_text_uses_full_width_punctuation() {
    let pages = files("www", ".html");
    let mut bad = Vec::new();
    // Not this file: its examples of the mistake are the mistake.
    for p in sources()
        .iter()
        .chain(&pages)
        .filter(|p| !p.ends_with("xtask/src/tidy.rs"))
    {
        for (n, line) in code(p) {
            if half_width_after_chinese(&line) {
                bad.push(format!("{}:{n}", rel(p)));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "write ，？！：；（） after Chinese text: {bad:?}"
    );
    assert!(half_width_after_chinese("谢谢!"));
    assert!(!half_width_after_chinese("谢谢！ ok, fine"));
}
