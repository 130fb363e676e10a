//! The tools installed from npm into `.tools/` at a pinned version (npm itself comes with
//! binaryen, see `tools.rs`): axe-core, the accessibility checker the end-to-end tests inject,
//! json-server, the generic REST server the widget's `update: "patch"` is tested against, and
//! oidc-provider, the OpenID provider single sign-on is tested against (`e2e/oidc/provider.mjs`),
//! and what `cargo xtask bench-web` sets beside the widget: SurveyJS, Formbricks' survey
//! renderer and Lighthouse.

use std::path::PathBuf;
use std::process::Command;

use crate::{root, run, Result};

/// The axe-core release the accessibility test injects into every page.
const AXE_CORE: &str = "4.11.0";

/// The json-server release the REST end-to-end test runs (0.17: POST creates, PATCH
/// `/{id}` updates, a second POST of an id fails; 1.0 is still a beta).
const JSON_SERVER: &str = "0.17.4";

/// The oidc-provider release the single sign-on end-to-end test runs (9.x: ES modules, its
/// development login form, PKCE).
const OIDC_PROVIDER: &str = "9.13.3";

/// The SurveyJS release the side-by-side benchmark renders the same survey with: survey-core
/// and its plain-JavaScript UI, survey-js-ui, which pins the core to its own version.
const SURVEYJS: &str = "2.5.38";

/// Formbricks' survey renderer (`@formbricks/surveys`: a prebuilt UMD bundle that needs no
/// Formbricks backend; `@formbricks/js` fetches its renderer and surveys from one).
const FORMBRICKS_SURVEYS: &str = "1.99.0";

/// The Lighthouse release `bench-web` runs (12.x runs on Node 18.16 or later; 13 needs 22.19).
const LIGHTHOUSE: &str = "12.8.2";

/// `npm install PACKAGE@VERSION` into `.tools/` under the repository root.
pub fn npm_install(package: &str) -> Result {
    let dir = root().join(".tools");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    run(Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(&dir)
        .arg(package))
}

/// An npm package at exactly `version` in `.tools/` (npm came with binaryen), installed when
/// missing; returns `file` under `.tools/node_modules/` once it is there. `needed_by` says
/// which test needs it, for the error.
pub fn ensure_npm(package: &str, version: &str, file: &str, needed_by: &str) -> Result<PathBuf> {
    let modules = root().join(".tools/node_modules");
    let installed = std::fs::read_to_string(modules.join(package).join("package.json"))
        .ok()
        .is_some_and(|p| p.contains(&format!("\"version\": \"{version}\"")));
    if !installed {
        println!("installing {package}@{version} from npm into .tools/");
        npm_install(&format!("{package}@{version}"))
            .map_err(|e| format!("{e}\n  {needed_by} needs npm's {package}@{version}"))?;
    }
    let path = modules.join(file);
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!("{} is missing after npm install", path.display()))
    }
}

/// axe-core's `axe.min.js` at `AXE_CORE`.
pub fn ensure_axe() -> Result<PathBuf> {
    ensure_npm(
        "axe-core",
        AXE_CORE,
        "axe-core/axe.min.js",
        "the accessibility test",
    )
}

/// json-server's command at `JSON_SERVER`.
pub fn ensure_json_server() -> Result<PathBuf> {
    ensure_npm(
        "json-server",
        JSON_SERVER,
        ".bin/json-server",
        "the REST end-to-end test",
    )
}

/// oidc-provider's entry module at `OIDC_PROVIDER` (`e2e/oidc/provider.mjs` imports it).
pub fn ensure_oidc_provider() -> Result<PathBuf> {
    ensure_npm(
        "oidc-provider",
        OIDC_PROVIDER,
        "oidc-provider/lib/index.js",
        "the single sign-on end-to-end test",
    )
}

/// What `bench-web` loads beside our pages: the `node_modules` folder holding SurveyJS and
/// Formbricks' renderer at their pinned versions, and Lighthouse's command (run with `node`).
pub struct SideBySide {
    pub modules: PathBuf,
    pub lighthouse: PathBuf,
}

/// SurveyJS, Formbricks' survey renderer and Lighthouse in `.tools/`, each installed when missing.
pub fn ensure_side_by_side() -> Result<SideBySide> {
    let by = "the side-by-side benchmark (bench-web)";
    ensure_npm(
        "survey-core",
        SURVEYJS,
        "survey-core/survey.core.min.js",
        by,
    )?;
    ensure_npm(
        "survey-js-ui",
        SURVEYJS,
        "survey-js-ui/survey-js-ui.min.js",
        by,
    )?;
    let umd = "@formbricks/surveys/dist/index.umd.js";
    ensure_npm("@formbricks/surveys", FORMBRICKS_SURVEYS, umd, by)?;
    let lighthouse = ensure_npm("lighthouse", LIGHTHOUSE, "lighthouse/cli/index.js", by)?;
    Ok(SideBySide {
        modules: root().join(".tools/node_modules"),
        lighthouse,
    })
}
