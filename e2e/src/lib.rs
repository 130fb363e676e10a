//! End-to-end harness: the real collector serving `dist/` on a loopback port, a real
//! ChromeDriver + headless Chromium driven over WebDriver, and reads of the SQLite file.
//!
//! Needs `NPS_DIST` (the built `dist/`), `CHROMEDRIVER` and `CHROMIUM`; `cargo xtask test`
//! sets all three. Waits are for a condition with a deadline, never a fixed sleep.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use nps_collector::{app, Settings, Store};
use serde_json::{json, Value};
use tokio::process::{Child, Command};

pub use fantoccini;

pub mod chaos;

/// How long any one wait may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(20);

fn env_path(name: &str) -> PathBuf {
    std::env::var_os(name)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            panic!("{name} is not set: run the end-to-end tests with `cargo xtask test`")
        })
}

/// A fresh folder under the system temp dir.
pub fn temp_dir(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!("nps-e2e-{tag}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The collector on a loopback port, serving `dist/`.
pub struct Server {
    pub base: String,
    pub addr: SocketAddr,
    pub db: PathBuf,
    pub token: String,
}

impl Server {
    /// Starts the collector in this process (rate limiting off, any origin may post).
    pub async fn start() -> Server {
        Server::start_with(|_| {}).await
    }

    /// Starts the collector with its settings changed by `adjust`.
    pub async fn start_with(adjust: impl FnOnce(&mut Settings)) -> Server {
        let dir = temp_dir("db");
        let db = dir.join("nps.db");
        let store = Store::open(&db).expect("open the database");
        let token = "e2e-token".to_owned();
        // The built dist/ plus the test pages in e2e/pages.
        let site = dir.join("site");
        std::fs::create_dir_all(&site).unwrap();
        let pages = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("pages");
        for folder in [env_path("NPS_DIST"), pages] {
            for entry in std::fs::read_dir(&folder).unwrap() {
                let p = entry.unwrap().path();
                if p.is_file() {
                    std::fs::copy(&p, site.join(p.file_name().unwrap())).unwrap();
                }
            }
        }
        // Any origin may post: the chaos test posts through a proxy on another port, to
        // which the test pages may connect.
        let mut settings = Settings {
            allow_origins: vec!["*".into()],
            admin_token: token.clone(),
            rate_limit: 0,
            static_dir: Some(site),
            connect_src: vec!["http://127.0.0.1:*".into()],
            // The test browser answers faster than a person: not flagged here.
            min_fill_ms: Some(0),
            ..Settings::default()
        };
        adjust(&mut settings);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let router = app(store, settings).into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Server {
            base: format!("http://{addr}"),
            addr,
            db,
            token,
        }
    }

    /// The stored rows: (id, stage, body).
    pub fn rows(&self) -> Vec<(String, String, Value)> {
        let conn = rusqlite::Connection::open(&self.db).unwrap();
        let mut stmt = conn
            .prepare("SELECT id, stage, body FROM responses ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| {
            let body: String = r.get(2)?;
            Ok((r.get(0)?, r.get(1)?, serde_json::from_str(&body).unwrap()))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    }

    /// Waits until `ok` holds for the stored rows; returns them.
    pub async fn wait_rows(
        &self,
        what: &str,
        ok: impl Fn(&[(String, String, Value)]) -> bool,
    ) -> Vec<(String, String, Value)> {
        wait_until(what, || async { Some(self.rows()).filter(|r| ok(r)) }).await
    }
}

/// Polls `f` until it gives `Some`, or fails the test after `DEADLINE`.
pub async fn wait_until<T, F, Fut>(what: &str, f: F) -> T
where
    F: Fn() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(
            start.elapsed() < DEADLINE,
            "timed out after {DEADLINE:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

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
        if opts.dark {
            args.push("--force-dark-mode".into());
            args.push("--blink-settings=preferredColorScheme=0".into());
        }
        let mut chrome = json!({
            "binary": env_path("CHROMIUM"),
            "args": args,
            "prefs": {"intl.accept_languages": opts.lang},
        });
        if opts.width < 500 {
            // A window cannot be narrower than 500 px; a phone viewport is emulated.
            chrome["mobileEmulation"] = json!({"deviceMetrics": {"width": opts.width, "height": opts.height, "pixelRatio": 1, "touch": true}});
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

    /// Waits for an element matching `css`.
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        wait_until(&format!("element {css}"), || async {
            self.client.find(Locator::Css(css)).await.ok()
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

    /// The element's text content (as a screen reader reads it, even mid-animation).
    pub async fn text(&self, css: &str) -> String {
        let el = self.find(css).await;
        let v = self
            .client
            .execute(
                "return arguments[0].textContent",
                vec![serde_json::to_value(&el).unwrap()],
            )
            .await
            .unwrap();
        v.as_str().unwrap_or_default().to_owned()
    }

    /// Waits until the element matching `css` has `attr` set to `value`.
    pub async fn wait_attr(&self, css: &str, attr: &str, value: &str) {
        let script = format!(
            "const e = document.querySelector({css:?}); return e && e.getAttribute({attr:?})"
        );
        wait_until(&format!("{css} [{attr}={value}]"), || async {
            (self.js(&script).await == value).then_some(())
        })
        .await;
    }

    /// Opens the dashboard and loads it with the admin token.
    pub async fn load_dashboard(&self, server: &Server) {
        self.open(&format!("{}/dashboard.html", server.base)).await;
        self.find("#token")
            .await
            .send_keys(&server.token)
            .await
            .unwrap();
        self.click("#token-form button[type=submit]").await;
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

    /// Runs a script and returns its value.
    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
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
            .issue_cmd(NetworkConditions { offline })
            .await
            .unwrap();
    }

    pub async fn close(mut self) {
        let _ = self.client.close().await;
        let _ = self.driver.kill().await;
    }
}

#[derive(Debug)]
struct NetworkConditions {
    offline: bool,
}

impl fantoccini::wd::WebDriverCompatibleCommand for NetworkConditions {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/chromium/network_conditions",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({"network_conditions": {"offline": self.offline, "latency": 0, "download_throughput": -1, "upload_throughput": -1}});
        (http::Method::POST, Some(body.to_string()))
    }
}
