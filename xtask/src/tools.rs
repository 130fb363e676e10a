//! Finds, or installs, the tools the build and the browser tests need.
//!
//! - the `wasm32-unknown-unknown` target, through rustup;
//! - `wasm-bindgen` and `wasm-bindgen-test-runner` at the exact wasm-bindgen version in
//!   Cargo.lock, through `cargo install` (without `--locked`);
//! - `wasm-opt` from npm's `binaryen` (the `BINARYEN` version or a later one; older ones cannot
//!   read today's wasm), into `.tools/`;
//! - Chromium and ChromeDriver, through apt-get as root on Debian;
//! - nginx, PostgreSQL and the `sqlite3` shell (the collector's tests behind a real proxy, on a
//!   real server, and of DEPLOY.md's backups), the same way;
//! - axe-core, json-server and oidc-provider, from npm into `.tools/` (`npm.rs`).

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::npm::{ensure_axe, ensure_json_server, ensure_oidc_provider, npm_install};
use crate::{root, run, Result};

/// The binaryen release installed from npm. Each pinned tool version is written once: this
/// one here, wasm-bindgen's in Cargo.toml (read back from Cargo.lock).
const BINARYEN: &str = "132.0.0";

/// The pandas release `cargo xtask bench-score` compares the scorer with.
const PANDAS: &str = "3.1.1";

/// The cargo-fuzz release installed for `cargo xtask fuzz`.
const CARGO_FUZZ: &str = "0.13.2";

/// The twiggy release installed for `cargo xtask size`.
const TWIGGY: &str = "0.8.0";

/// The oldest binaryen release that reads today's wasm: the pinned one's major version.
fn binaryen_major() -> u32 {
    BINARYEN
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0)
}

pub struct Build {
    pub wasm_bindgen: PathBuf,
    pub test_runner: PathBuf,
    pub wasm_opt: PathBuf,
}

pub struct Browser {
    pub build: Build,
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
    /// axe-core's `axe.min.js`.
    pub axe: PathBuf,
    /// json-server's command.
    pub json_server: PathBuf,
    /// oidc-provider's entry module.
    pub oidc_provider: PathBuf,
}

fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.stderr(Stdio::null()).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A program on PATH (or in one of `extra` folders).
fn which(name: &str, extra: &[PathBuf]) -> Option<PathBuf> {
    let path = env::var_os("PATH").unwrap_or_default();
    extra
        .iter()
        .cloned()
        .chain(env::split_paths(&path))
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Cargo's home: `CARGO_HOME`, else `~/.cargo`.
pub fn cargo_home() -> PathBuf {
    env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"))
}

fn cargo_bin() -> PathBuf {
    cargo_home().join("bin")
}

/// The wasm-bindgen version pinned in Cargo.lock.
pub fn pinned_wasm_bindgen() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
            {
                return Ok(v.trim_end_matches('"').to_owned());
            }
        }
    }
    Err("Cargo.lock has no wasm-bindgen entry; run `cargo generate-lockfile`".into())
}

fn ensure_target() -> Result {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"]));
    match installed {
        Some(list) if list.lines().any(|l| l.trim() == "wasm32-unknown-unknown") => Ok(()),
        Some(_) => run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"])),
        None => {
            // No rustup: trust the toolchain if it already has the target's std.
            let sysroot =
                output(Command::new("rustc").args(["--print", "sysroot"])).unwrap_or_default();
            let std_dir = Path::new(sysroot.trim()).join("lib/rustlib/wasm32-unknown-unknown");
            if std_dir.is_dir() {
                Ok(())
            } else {
                Err("the wasm32-unknown-unknown target is missing and rustup is not on PATH: install rustup (https://rustup.rs), then `rustup target add wasm32-unknown-unknown`".into())
            }
        }
    }
}

fn ensure_wasm_bindgen() -> Result<(PathBuf, PathBuf)> {
    let want = pinned_wasm_bindgen()?;
    let extra = [cargo_bin()];
    let version_of = |p: &Path| output(Command::new(p).arg("--version")).unwrap_or_default();
    let found = which("wasm-bindgen", &extra)
        .filter(|p| version_of(p).split_whitespace().nth(1) == Some(want.as_str()));
    let runner = which("wasm-bindgen-test-runner", &extra);
    if let (Some(b), Some(r)) = (found, runner) {
        return Ok((b, r));
    }
    println!("installing wasm-bindgen-cli {want} (once; about 3 minutes)");
    run(
        Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into())).args([
            "install",
            "wasm-bindgen-cli",
            "--version",
            &want,
            "--force",
        ]),
    )
    .map_err(|e| {
        format!("{e}\n  install it by hand with: cargo install wasm-bindgen-cli --version {want}")
    })?;
    let b = which("wasm-bindgen", &extra)
        .ok_or("wasm-bindgen was installed but is not on PATH nor in ~/.cargo/bin")?;
    let r = which("wasm-bindgen-test-runner", &extra)
        .ok_or("wasm-bindgen-test-runner is missing after install")?;
    Ok((b, r))
}

fn ensure_wasm_opt() -> Result<PathBuf> {
    let local = root().join(".tools/node_modules/.bin/wasm-opt");
    let good = |p: &Path| {
        output(Command::new(p).arg("--version"))
            .and_then(|v| v.split_whitespace().find_map(|w| w.parse::<u32>().ok()))
            .is_some_and(|n| n >= binaryen_major())
    };
    if local.is_file() && good(&local) {
        return Ok(local);
    }
    if let Some(p) = which("wasm-opt", &[]).filter(|p| good(p)) {
        return Ok(p);
    }
    if which("npm", &[]).is_none() && can_apt() {
        println!("installing Node.js and npm with apt-get (for npm's binaryen)");
        apt_install(&["nodejs", "npm"])?;
    }
    if which("npm", &[]).is_none() {
        return Err(format!(
            "wasm-opt ≥ {} is missing and npm is not on PATH to install it.\n  On Debian/Ubuntu: sudo apt-get install -y nodejs npm, then run this again;\n  or put binaryen's wasm-opt ≥ {} on PATH (npm install binaryen@{BINARYEN}). Debian's binaryen package is too old.",
            binaryen_major(),
            binaryen_major()
        ));
    }
    println!("installing wasm-opt (npm binaryen@{BINARYEN}) into .tools/");
    npm_install(&format!("binaryen@{BINARYEN}"))?;
    if good(&local) {
        Ok(local)
    } else {
        Err(format!("{} did not run after install", local.display()))
    }
}

/// Tools for `dist`.
pub fn for_build() -> Result<Build> {
    ensure_target()?;
    let (wasm_bindgen, test_runner) = ensure_wasm_bindgen()?;
    let wasm_opt = ensure_wasm_opt()?;
    Ok(Build {
        wasm_bindgen,
        test_runner,
        wasm_opt,
    })
}

/// Root on Debian (or Ubuntu): missing system packages can be installed with apt-get.
fn can_apt() -> bool {
    Path::new("/etc/debian_version").is_file() && is_root()
}

fn apt_install(packages: &[&str]) -> Result {
    run(Command::new("apt-get").args(["update", "-qq"]))?;
    run(Command::new("apt-get")
        // Another apt-get at work (a second checkout's xtask) is waited for, not failed on.
        .args(["-o", "DPkg::Lock::Timeout=600"])
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

fn is_root() -> bool {
    output(Command::new("id").arg("-u")).is_some_and(|s| s.trim() == "0")
}

/// Tools for the browser tests: the build tools plus Chromium and ChromeDriver (and CJK fonts
/// so screenshots of Chinese pages are readable).
pub fn for_browser_tests() -> Result<Browser> {
    let build = for_build()?;
    let find = |names: &[&str]| names.iter().find_map(|n| which(n, &[]));
    let mut chromium = find(&["chromium", "chromium-browser", "google-chrome"]);
    let mut driver = find(&["chromedriver"]);
    let fonts = Path::new("/usr/share/fonts/opentype/noto").is_dir();
    if chromium.is_none() || driver.is_none() || !fonts {
        if can_apt() {
            println!("installing Chromium, ChromeDriver and CJK fonts with apt-get");
            apt_install(&["chromium", "chromium-driver", "fonts-noto-cjk"])?;
            chromium = find(&["chromium"]);
            driver = find(&["chromedriver"]);
        } else if chromium.is_none() || driver.is_none() {
            return Err("the browser tests need Chromium and a matching ChromeDriver on PATH.\n  Debian/Ubuntu: sudo apt-get install -y chromium chromium-driver fonts-noto-cjk\n  macOS: brew install --cask chromium chromedriver".into());
        }
    }
    Ok(Browser {
        build,
        chromium: chromium.ok_or("chromium is not on PATH")?,
        chromedriver: driver.ok_or("chromedriver is not on PATH")?,
        axe: ensure_axe()?,
        json_server: ensure_json_server()?,
        oidc_provider: ensure_oidc_provider()?,
    })
}

/// Python with pandas at `PANDAS`, in a virtual environment in `.tools/py` (from PyPI).
pub fn ensure_pandas() -> Result<PathBuf> {
    let dir = root().join(".tools/py");
    let python = dir.join("bin/python");
    let has = |p: &Path| {
        output(Command::new(p).args(["-c", "import pandas; print(pandas.__version__)"]))
            .is_some_and(|v| v.trim() == PANDAS)
    };
    if python.is_file() && has(&python) {
        return Ok(python);
    }
    let system = which("python3", &[]).ok_or(
        "the scorer benchmark compares with pandas and needs python3: sudo apt-get install -y python3 python3-venv",
    )?;
    println!("installing pandas=={PANDAS} from PyPI into .tools/py");
    run(Command::new(system).args(["-m", "venv"]).arg(&dir))?;
    run(Command::new(&python).args(["-m", "pip", "install", "-q", &format!("pandas=={PANDAS}")]))?;
    if has(&python) {
        Ok(python)
    } else {
        Err(format!(
            "pandas {PANDAS} did not import after install into {}",
            dir.display()
        ))
    }
}

/// nginx for the collector's tests behind a reverse proxy (`NPS_NGINX`): only its binary; the
/// tests start it with their own config (Debian's packaging does not start it in a container).
pub fn ensure_nginx() -> Result<PathBuf> {
    let sbin = ["/usr/sbin", "/usr/local/sbin", "/usr/local/nginx/sbin"].map(PathBuf::from);
    apt_tool(["nginx", "nginx", "the proxy tests", "nginx"], &sbin)
}

/// The folder of PostgreSQL's server binaries (`initdb`, `postgres`, `pg_isready`, `psql`):
/// Debian's `/usr/lib/postgresql/<version>/bin`, newest first, or installed from apt as root
/// on Debian. The collector's conformance suite starts its own server from it
/// (`collector/tests/common/postgres.rs`, told by `NPS_PG_BIN`); the packaged service is
/// never used.
pub fn ensure_postgres() -> Result<PathBuf> {
    let find = || {
        let mut bins: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .map(|d| d.flatten().map(|e| e.path().join("bin")).collect())
            .unwrap_or_default();
        bins.sort();
        bins.into_iter().rev().find(|b| {
            ["initdb", "postgres", "pg_isready", "psql"]
                .iter()
                .all(|t| b.join(t).is_file())
        })
    };
    if let Some(p) = find() {
        return Ok(p);
    }
    if can_apt() {
        println!("installing PostgreSQL with apt-get (the collector's storage conformance suite)");
        apt_install(&["postgresql"])?;
    }
    find().ok_or_else(|| "the collector's storage tests start a real PostgreSQL server: sudo apt-get install -y postgresql (Debian/Ubuntu), or set NPS_PG_BIN to a folder with initdb, postgres, pg_isready and psql".into())
}

/// The `sqlite3` shell for the collector's backup test (`collector/tests/backup.rs` runs
/// docs/DEPLOY.md's online backup with it, told by `NPS_SQLITE3`): on PATH, or from apt.
pub fn ensure_sqlite3() -> Result<PathBuf> {
    let what = [
        "sqlite3",
        "sqlite3",
        "the collector's backup test",
        "sqlite",
    ];
    apt_tool(what, &[])
}

/// wrk for `cargo xtask bench`: on PATH, or from apt.
pub fn ensure_wrk() -> Result<PathBuf> {
    apt_tool(["wrk", "wrk", "the benchmark", "wrk"], &[])
}

/// A program on PATH (or in `extra`), or installed from its Debian package as root; else how
/// to install it. `[program, Debian package, what needs it, Homebrew formula]`.
fn apt_tool([name, package, why, brew]: [&str; 4], extra: &[PathBuf]) -> Result<PathBuf> {
    if let Some(p) = which(name, extra) {
        return Ok(p);
    }
    if can_apt() {
        println!("installing {package} with apt-get ({why})");
        apt_install(&[package])?;
    }
    which(name, extra).ok_or_else(|| format!("{why} needs {name}: sudo apt-get install -y {package} (Debian/Ubuntu) or brew install {brew} (macOS)"))
}

/// rustfmt for the format check: a minimal rustup profile lacks it.
pub fn ensure_rustfmt() -> Result {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    if output(Command::new(&cargo).args(["fmt", "--version"])).is_some() {
        return Ok(());
    }
    run(Command::new("rustup").args(["component", "add", "rustfmt"]))
        .map_err(|e| format!("{e}\n  rustfmt is missing: rustup component add rustfmt"))
}

/// cargo-fuzz for the fuzz runs: in Cargo's bin folder, or installed there (about 2 minutes).
pub fn ensure_cargo_fuzz() -> Result<PathBuf> {
    cargo_installed("cargo-fuzz", CARGO_FUZZ, true)
}

/// twiggy for `cargo xtask size`: in Cargo's bin folder, or installed there (about 2 minutes;
/// without `--locked`, as it installs here).
pub fn ensure_twiggy() -> Result<PathBuf> {
    cargo_installed("twiggy", TWIGGY, false)
}

/// A crates.io program at `version` (as its `--version` prints it second), in Cargo's bin
/// folder or installed there with `cargo install` (about 2 minutes).
fn cargo_installed(name: &str, version: &str, locked: bool) -> Result<PathBuf> {
    let version_ok = |p: &Path| {
        output(Command::new(p).arg("--version"))
            .is_some_and(|v| v.split_whitespace().nth(1) == Some(version))
    };
    if let Some(p) = which(name, &[cargo_bin()]).filter(|p| version_ok(p)) {
        return Ok(p);
    }
    println!("installing {name} {version} (once; about 2 minutes)");
    run(
        Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["install", name, "--version", version])
            .args(locked.then_some("--locked")),
    )
    .map_err(|e| {
        format!("{e}\n  install it by hand with: cargo install {name} --version {version}")
    })?;
    which(name, &[cargo_bin()])
        .ok_or_else(|| format!("{name} was installed but is not in ~/.cargo/bin"))
}
