//! `cargo xtask fuzz [--seconds N]`: each cargo-fuzz target (`fuzz/fuzz_targets`) under
//! libFuzzer for N seconds (default 300), from its seeds and the corpus earlier runs grew.
//! A crash is copied into `fuzz/regressions/<target>/`, where the replay test of
//! `cargo xtask test` runs it from then on, and the run fails naming it.
//!
//! `cargo xtask test` runs the replay and a short fuzz run (`SHORT_SECONDS` per target).

use std::fs;
use std::process::Command;

use crate::{cargo, flag_value, root, run, step, tools, Result};

/// The targets, as named in `fuzz/Cargo.toml`.
pub const TARGETS: [&str; 3] = ["payload", "config", "json_keys"];
/// Seconds per target in `cargo xtask test`.
pub const SHORT_SECONDS: u64 = 10;

pub fn fuzz(args: &[String]) -> Result {
    let seconds = flag_value(args, "--seconds")
        .map(|s| {
            s.parse()
                .map_err(|_| format!("--seconds {s}: expected a whole number"))
        })
        .transpose()?
        .unwrap_or(300);
    replay()?;
    run_targets(seconds)
}

/// Every kept input (regressions and seeds) through its check, on the stable toolchain.
pub fn replay() -> Result {
    step("fuzz: replay the kept inputs");
    run(cargo()
        .args(["test", "--quiet", "--manifest-path"])
        .arg(root().join("fuzz/Cargo.toml")))
}

/// Each target for `seconds` under libFuzzer; a crash becomes a kept regression input.
pub fn run_targets(seconds: u64) -> Result {
    let cargo_fuzz = tools::ensure_cargo_fuzz()?;
    let dir = root().join("fuzz");
    for target in TARGETS {
        step(&format!("fuzz {target} for {seconds} s"));
        let corpus = dir.join("corpus").join(target);
        fs::create_dir_all(&corpus).map_err(|e| e.to_string())?;
        let status = Command::new(&cargo_fuzz)
            .current_dir(&dir)
            // cargo-fuzz passes sanitizer flags that stable rustc accepts only this way.
            .env("RUSTC_BOOTSTRAP", "1")
            .args(["fuzz", "run", target])
            .arg(&corpus)
            .arg(dir.join("seeds").join(target))
            .arg("--")
            .arg(format!("-max_total_time={seconds}"))
            .status()
            .map_err(|e| format!("run cargo fuzz: {e}"))?;
        if !status.success() {
            return Err(keep_crashes(target));
        }
    }
    Ok(())
}

/// Copies the crash inputs of `target` into its regression folder; the error names them.
fn keep_crashes(target: &str) -> String {
    let dir = root().join("fuzz");
    let kept_dir = dir.join("regressions").join(target);
    let _ = fs::create_dir_all(&kept_dir);
    let mut kept = Vec::new();
    if let Ok(entries) = fs::read_dir(dir.join("artifacts").join(target)) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if fs::copy(e.path(), kept_dir.join(&name)).is_ok() {
                kept.push(format!("fuzz/regressions/{target}/{name}"));
            }
        }
    }
    format!(
        "fuzzing {target} found a failure; kept as {kept:?}: fix it, and commit the file so the replay keeps it fixed"
    )
}
