//! The browser half of the harness: a ChromeDriver process, one headless Chromium session,
//! and finding what a person sees across the shadow roots surveys render into.

use std::path::PathBuf;
use std::process::Stdio;

use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};
use tokio::process::{Child, Command};

use crate::{env_path, temp_dir, wait_until, Server};

/// The key of an element reference in a WebDriver answer.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// `nps$(selector)`, defined before every script this harness runs: finds an element across
/// shadow roots (each survey renders into one). `"HOST >> INNER"` looks for INNER inside the
/// light-DOM element HOST (its survey included); a selector without `>>` is looked for in the
/// page and in every open shadow root.
const DEEP: &str = r#"function nps$(sel) {
  const within = (root, s) => {
    const hit = root.querySelector(s);
    if (hit) return hit;
    for (const el of root.querySelectorAll("*")) {
      if (el.shadowRoot) { const h = within(el.shadowRoot, s); if (h) return h; }
    }
    return null;
  };
  const [a, b] = sel.split(">>").map(s => s.trim());
  if (b === undefined) return within(document, a);
  const host = document.querySelector(a);
  return host && within(host, b);
}
"#;

/// A ChromeDriver process and one browser session.
pub struct Browser {
    pub client: Client,
    driver: Child,
}

/// Options for a browser session.
#[derive(Clone, Copy)]
pub struct Options {
    pub width: u32,
    pub height: u32,
    pub dark: bool,
    pub lang: &'static str,
    /// Page scripts run (off: a browser with JavaScript disabled).
    pub scripts: bool,
    /// The User-Agent of every tab (WeChat's in-app browser, another phone), else Chromium's.
    pub user_agent: Option<&'static str>,
}

impl Options {
    /// A 375 × 667 phone in the given language.
    pub fn phone(lang: &'static str) -> Options {
        Options {
            width: 375,
            height: 667,
            lang,
            ..Options::default()
        }
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            width: 1280,
            height: 800,
            dark: false,
            lang: "en-US",
            scripts: true,
            user_agent: None,
        }
    }
}

impl Browser {
    pub async fn start(opts: Options) -> Browser {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let driver = Command::new(env_path("CHROMEDRIVER"))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start chromedriver");
        wait_until("chromedriver to listen", || async move {
            tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .ok()
                .map(|_| ())
        })
        .await;
        let profile = temp_dir("profile");
        let mut args = vec![
            "--headless=new".to_owned(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--hide-scrollbars".into(),
            "--force-device-scale-factor=1".into(),
            format!("--lang={}", opts.lang),
            format!("--window-size={},{}", opts.width, opts.height),
            format!("--user-data-dir={}", profile.display()),
        ];
        if let Some(ua) = opts.user_agent {
            args.push(format!("--user-agent={ua}"));
        }
        let mut blink = Vec::new();
        if opts.dark {
            args.push("--force-dark-mode".into());
            blink.push("preferredColorScheme=0");
        }
        if !blink.is_empty() {
            args.push(format!("--blink-settings={}", blink.join(",")));
        }
        let mut chrome = json!({
            "binary": env_path("CHROMIUM"),
            "args": args,
            "prefs": {"intl.accept_languages": opts.lang},
        });
        if !opts.scripts {
            // The page's scripts are off, as a customer's browser with JavaScript disabled;
            // WebDriver's own scripts still run.
            chrome["prefs"]["profile.managed_default_content_settings.javascript"] = json!(2);
        }
        if opts.width < 500 {
            // A window cannot be narrower than 500 px; a phone viewport is emulated.
            // (A touch screen's taps go through a script of ChromeDriver's that a page with
            // JavaScript off never runs: without scripts, the phone is clicked.)
            chrome["mobileEmulation"] = json!({"deviceMetrics": {"width": opts.width, "height": opts.height, "pixelRatio": 1, "touch": opts.scripts}});
        }
        let caps = json!({ "goog:chromeOptions": chrome });
        let Value::Object(caps) = caps else {
            unreachable!()
        };
        let client = ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("start a Chromium session");
        if opts.width >= 500 {
            // Make the viewport (not the window) the size asked for.
            let inner = client
                .execute("return [window.innerWidth, window.innerHeight]", vec![])
                .await
                .unwrap();
            let (w, h) = (
                inner[0].as_u64().unwrap_or(0) as u32,
                inner[1].as_u64().unwrap_or(0) as u32,
            );
            if (w, h) != (opts.width, opts.height) {
                let _ = client
                    .set_window_size(
                        2 * opts.width - w.min(opts.width),
                        2 * opts.height - h.min(opts.height),
                    )
                    .await;
            }
        }
        Browser { client, driver }
    }

    /// Opens a page and waits until the widget's script is ready.
    pub async fn open(&self, url: &str) {
        self.client.goto(url).await.unwrap();
        wait_until(&format!("NpsWidget.ready on {url}"), || async {
            let r = self
                .client
                .execute_async("const done = arguments[0]; (window.NpsWidget ? NpsWidget.ready : Promise.reject()).then(() => done(true), () => done(false));", vec![])
                .await
                .ok()?;
            r.as_bool().filter(|b| *b)
        })
        .await;
    }

    /// Waits for an element matching `css` (across shadow roots: see `nps$`).
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        let script = format!("{DEEP}\nreturn nps$({css:?})");
        wait_until(&format!("element {css}"), || async {
            let v = self.client.execute(&script, vec![]).await.ok()?;
            let id = v.get(ELEMENT_KEY)?.as_str()?.to_owned();
            Some(fantoccini::elements::Element::from_element_id(
                self.client.clone(),
                id.into(),
            ))
        })
        .await
    }

    pub async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Clicks the first element matching `css` in the page's light DOM, by WebDriver alone (a
    /// page whose own scripts do not run, or do not exist: the plain landing form).
    pub async fn tap(&self, css: &str) {
        let el = wait_until(&format!("element {css}"), || async {
            self.client.find(fantoccini::Locator::Css(css)).await.ok()
        })
        .await;
        el.click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// The element's text content (as a screen reader reads it, even mid-animation).
    pub async fn text(&self, css: &str) -> String {
        self.find(css).await;
        let v = self.js(&format!("return nps$({css:?}).textContent")).await;
        v.as_str().unwrap_or_default().to_owned()
    }

    /// Waits until the element matching `css` has `attr` set to `value`.
    pub async fn wait_attr(&self, css: &str, attr: &str, value: &str) {
        let script = format!("const e = nps$({css:?}); return e && e.getAttribute({attr:?})");
        wait_until(&format!("{css} [{attr}={value}]"), || async {
            (self.js(&script).await == value).then_some(())
        })
        .await;
    }

    /// Goes to a page without waiting for the widget (a page without it: the dashboard).
    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    /// Signs this browser in to `server` as a new person of `role` and `scope` (their
    /// session cookie, set on the collector's origin).
    pub async fn sign_in_as(
        &self,
        server: &Server,
        role: nps_core::access::Role,
        scope: nps_core::access::Scope,
    ) {
        let value = server.session(role, scope).await;
        // As the collector sets it: HttpOnly, SameSite=Strict, on its origin.
        self.cdp(
            "Network.setCookie",
            serde_json::json!({
                "name": nps_collector::auth::COOKIE,
                "value": value,
                "url": server.base,
                "path": "/",
                "httpOnly": true,
                "sameSite": "Strict",
            }),
        )
        .await;
    }

    /// Opens the dashboard signed in as an admin, and waits for the headline.
    pub async fn load_dashboard(&self, server: &Server) {
        self.sign_in_as(
            server,
            nps_core::access::Role::Admin,
            nps_core::access::Scope::All,
        )
        .await;
        self.goto(&format!("{}/dashboard.html", server.base)).await;
        self.find(".glance").await;
    }

    /// Puts the page on Beijing time (a Chinese manager's dates and hours, whatever the
    /// machine's zone).
    pub async fn beijing_time(&self) {
        self.cdp(
            "Emulation.setTimezoneOverride",
            json!({"timezoneId": "Asia/Shanghai"}),
        )
        .await;
    }

    /// Presses keys on whatever has focus.
    pub async fn keys(&self, keys: &str) {
        self.client
            .active_element()
            .await
            .unwrap()
            .send_keys(keys)
            .await
            .unwrap();
    }

    /// Waits until no animation runs in the page or in any survey's shadow root: what is
    /// judged (a screenshot, a contrast) is the screen at rest.
    pub async fn at_rest(&self) {
        wait_until("animations to finish", || async {
            let running = self
                .js("const roots = [document, ...[...document.querySelectorAll('nps-root')].map(e => e.shadowRoot)]; \
                     return roots.flatMap(r => r.getAnimations()).filter(a => a.playState === 'running').length")
                .await;
            (running == 0).then_some(())
        })
        .await;
    }

    /// Sends a Chrome DevTools Protocol command through ChromeDriver (network and CPU
    /// throttling, scripts to run before a page's own).
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.client
            .issue_cmd(Chromium {
                path: "goog/cdp/execute",
                body: json!({"cmd": cmd, "params": params}),
            })
            .await
            .unwrap_or_else(|e| panic!("CDP {cmd}: {e}"))
    }

    /// Runs a script (which may use `nps$`) and returns its value.
    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(&format!("{DEEP}\n{script}"), vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Saves a PNG of the viewport when `NPS_SCREENSHOTS` names a folder.
    pub async fn screenshot(&self, name: &str) {
        let Some(dir) = std::env::var_os("NPS_SCREENSHOTS") else {
            return;
        };
        let png = self.client.screenshot().await.unwrap();
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    /// Takes the browser offline, or back online (ChromeDriver's network conditions).
    pub async fn set_offline(&self, offline: bool) {
        self.client
            .issue_cmd(Chromium {
                path: "chromium/network_conditions",
                body: json!({"network_conditions": {"offline": offline, "latency": 0, "download_throughput": -1, "upload_throughput": -1}}),
            })
            .await
            .unwrap();
    }

    pub async fn close(mut self) {
        let _ = self.client.close().await;
        let _ = self.driver.kill().await;
    }
}

/// A command of ChromeDriver's own (`session/{id}/{path}`, posted with `body`): its network
/// conditions, and DevTools commands.
#[derive(Debug)]
struct Chromium {
    path: &'static str,
    body: Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Chromium {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}
