//! End-to-end harness: the real collector serving `dist/` on a loopback port, a real
//! ChromeDriver + headless Chromium driven over WebDriver, and reads of the SQLite file.
//!
//! Needs `NPS_DIST` (the built `dist/`), `CHROMEDRIVER` and `CHROMIUM`; `cargo xtask test`
//! sets all three. Waits are for a condition with a deadline, never a fixed sleep.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use nps_collector::{app, Settings, Store};
use serde_json::Value;

pub use fantoccini;

pub mod brand;
mod browser;
pub mod chaos;
pub mod robot;

pub use browser::{Browser, Options};

/// How long any one wait may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(20);

fn env_path(name: &str) -> PathBuf {
    std::env::var_os(name)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            panic!("{name} is not set: run the end-to-end tests with `cargo xtask test`")
        })
}

/// The widget's pinned files in `NPS_DIST` (`dist/nps-widget.json`, written by `cargo xtask
/// dist`): the names of the loader's pinned copy, the glue and the wasm.
pub struct Pinned {
    pub loader: String,
    pub glue: String,
    pub wasm: String,
}

impl Pinned {
    pub fn read() -> Pinned {
        let path = env_path("NPS_DIST").join("nps-widget.json");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}: run `cargo xtask dist`", path.display()));
        let m: serde_json::Value = serde_json::from_str(&text).unwrap();
        let name = |k: &str| m[k][0].as_str().unwrap().to_owned();
        Pinned {
            loader: name("loader"),
            glue: name("glue"),
            wasm: name("wasm"),
        }
    }
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

/// How a server is started besides its settings.
enum How {
    /// Every answer's `Content-Security-Policy` replaced (a brand's own page).
    Csp(&'static str),
    /// The whole server with its background jobs (`serve::run`).
    Whole,
}

/// A fresh response id in the shape of a UUID v4 (what a widget makes).
pub fn response_id() -> String {
    let hex = nps_collector::write_key::fresh();
    format!(
        "{}-{}-4{}-a{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
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
        Server::serve(None, adjust, None).await
    }

    /// Starts the collector on a listener bound already (its address known before the
    /// settings, e.g. for an OpenID provider's redirect URI), with its settings changed.
    pub async fn start_on(
        listener: tokio::net::TcpListener,
        adjust: impl FnOnce(&mut Settings),
    ) -> Server {
        Server::serve(Some(listener), adjust, None).await
    }

    /// Starts the whole collector (`serve::run`, as the binary runs it: its background jobs,
    /// the alert worker among them) on a listener bound already, with its settings changed.
    pub async fn run_on(
        listener: tokio::net::TcpListener,
        adjust: impl FnOnce(&mut Settings),
    ) -> Server {
        Server::serve(Some(listener), adjust, Some(How::Whole)).await
    }

    /// Starts the collector with every answer's `Content-Security-Policy` header replaced by
    /// `policy`: a brand's own page, under the brand's policy, self-hosting the widget.
    pub async fn start_under(policy: &'static str) -> Server {
        Server::serve(None, |_| {}, Some(How::Csp(policy))).await
    }

    async fn serve(
        listener: Option<tokio::net::TcpListener>,
        adjust: impl FnOnce(&mut Settings),
        how: Option<How>,
    ) -> Server {
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
            // Every browser of a test is one address: no budget of new posters either (it is
            // tested in collector/tests/poster.rs).
            poster_budget: Some(0),
            static_dir: Some(site),
            connect_src: vec!["http://127.0.0.1:*".into()],
            // The test browser answers faster than a person: not flagged here.
            min_fill_ms: Some(0),
            // The demo's landing surveys (`cargo xtask demo` serves the same file).
            landing: nps_collector::landing::Landing::from_json_in(
                include_str!("../../www/landing.json"),
                &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../www"),
            )
            .expect("www/landing.json is a valid landing file"),
            ..Settings::default()
        };
        adjust(&mut settings);
        let listener = match listener {
            Some(l) => l,
            None => tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(),
        };
        let addr = listener.local_addr().unwrap();
        if let Some(How::Whole) = how {
            let limits = nps_collector::serve::Limits::default();
            tokio::spawn(async move {
                let every = Duration::from_secs(3600);
                let forever = std::future::pending::<()>();
                nps_collector::serve::run(listener, store, settings, limits, every, forever)
                    .await
                    .unwrap()
            });
            return Server::at(addr, db, token);
        }
        let mut router = app(store, settings);
        if let Some(How::Csp(policy)) = how {
            router = router.layer(axum::middleware::map_response(
                move |mut r: axum::response::Response| async move {
                    r.headers_mut().insert(
                        http::header::CONTENT_SECURITY_POLICY,
                        http::HeaderValue::from_static(policy),
                    );
                    r
                },
            ));
        }
        let router = router.into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Server::at(addr, db, token)
    }

    fn at(addr: SocketAddr, db: PathBuf, token: String) -> Server {
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

    /// A person of `role` and `scope` (a new account, `EMAIL` made from the role) signed in:
    /// the value of their session cookie (`nps_collector::auth::COOKIE`), made by the
    /// collector's own `session::start`, as a password or SSO sign-in makes it.
    pub async fn session(
        &self,
        role: nps_core::access::Role,
        scope: nps_core::access::Scope,
    ) -> String {
        let store = Store::open(&self.db).expect("open the database");
        let now = nps_collector::Now::system();
        let email = format!("{}-{}@brand.example", role.key(), fastrand::u32(..));
        let user = store
            .user_add(&email, role, &scope, &now)
            .await
            .expect("add the account")
            .expect("a new account");
        let cookie = nps_collector::session::start(&store, &Settings::default(), user.id, &now)
            .await
            .expect("start a session");
        let cookie = cookie.to_str().unwrap();
        let value = cookie
            .split(';')
            .next()
            .and_then(|kv| kv.split_once('='))
            .map(|(_, v)| v.to_owned())
            .expect("a cookie value");
        store.flush().await.expect("commit the session");
        value
    }

    /// A machine token of `role` and `scope` (a brand's system: a DMS, a booking system),
    /// added as `nps-collector token add` adds one; its secret.
    pub async fn token(
        &self,
        role: nps_core::access::Role,
        scope: nps_core::access::Scope,
    ) -> String {
        let store = Store::open(&self.db).expect("open the database");
        let secret = nps_collector::write_key::secret();
        let hash = nps_collector::write_key::hash(&secret);
        let now = nps_collector::Now::system();
        store
            .token_add(&hash, "e2e-dms", role, &scope, &now)
            .await
            .expect("add the token");
        store.flush().await.expect("commit the token");
        secret
    }

    /// The completed answer `id` of `survey` with `score` and `context`, stored now as the
    /// widget would have posted it; its write key (what the widget puts in the referral
    /// page's link, `#k=…`).
    pub async fn answer(&self, id: &str, survey: &str, score: u8, context: Value) -> String {
        let key = nps_collector::write_key::fresh();
        self.answer_keyed(id, survey, score, context, &key).await;
        key
    }

    /// `answer` with the write key `key` (one a test gave the page before the answer came).
    pub async fn answer_keyed(&self, id: &str, survey: &str, score: u8, context: Value, key: &str) {
        let store = Store::open(&self.db).expect("open the database");
        let now = nps_collector::Now::system();
        let category = nps_core::scoring::score::category(score.into()).expect("a score");
        let body = serde_json::json!({"schema": 1, "id": id, "survey": survey,
            "stage": "completed", "score": score, "category": category.as_str(),
            "context": context, "locale": "zh-CN", "page": "https://brand.example/qr",
            "created_at": now.at, "updated_at": now.at,
            "write_key": key});
        let response = nps_core::contract::payload::Response::parse(&body).expect("an answer");
        let admission = nps_collector::Admission::operator();
        store
            .upsert_batch(vec![(response, now, None, admission)])
            .await
            .expect("store the answer");
        store.flush().await.expect("commit the answer");
    }

    /// The first column of each row `sql` selects, with `params` bound (`?1`, `?2`, …), as
    /// text (`NULL` as `None`): what a test reads back of the store's tables.
    pub fn column(&self, sql: &str, params: &[&str]) -> Vec<Option<String>> {
        let conn = rusqlite::Connection::open(&self.db).unwrap();
        let mut stmt = conn.prepare(sql).unwrap();
        stmt.query_map(rusqlite::params_from_iter(params), |r| {
            Ok(match r.get_ref(0)? {
                rusqlite::types::ValueRef::Null => None,
                rusqlite::types::ValueRef::Integer(i) => Some(i.to_string()),
                rusqlite::types::ValueRef::Real(f) => Some(f.to_string()),
                v => Some(String::from_utf8_lossy(v.as_bytes().unwrap_or_default()).into()),
            })
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

impl Drop for Server {
    /// The folder of the database and the site copy goes with the test (a seeded set is large).
    fn drop(&mut self) {
        if let Some(dir) = self.db.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// The benchmarks' helpers: the middle of a set of figures, and a `--flag N` of the command
/// line (`default` without it).
pub mod bench {
    pub fn median(mut v: Vec<f64>) -> f64 {
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    }

    pub fn arg(name: &str, default: usize) -> usize {
        std::env::args()
            .skip_while(|a| a != name)
            .nth(1)
            .and_then(|n| n.parse().ok())
            .unwrap_or(default)
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
